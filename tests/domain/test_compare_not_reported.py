"""The four-therapy comparison (blinatumomab, inotuzumab ozogamicin,
tisagenlecleucel, brexucabtagene autoleucel) has a sourced value in every
row for which the reference pages give one for that therapy. The cells that
remain "not reported" are listed here, so that a lost value shows as a
regression and a new one as a change to review.

Each remaining gap was checked against ../shared/reference/alternatives.md
and other-sources.md: it is either not applicable to the therapy (days of
continuous infusion and inpatient days for a single infusion or a short
intravenous infusion; cycles received of a single infusion), not given by
the pages for that therapy (the endpoints and adverse reactions each trial
or label happens to report), or marked unconfirmed there (alternatives.md,
A.5: TECARTUS infections, cytopenias and hypogammaglobulinemia in ALL; A.3:
KYMRIAH's ALL-specific prolonged cytopenias). A therapy that reports a
related endpoint under another definition is pointed to it, never merged."""

from __future__ import annotations

import pytest

import therapykg
from therapykg.domain.compare import Aspect, CellStatus

BLINA, INO, TISA, BREXU = ("tkgr:blinatumomab", "tkgr:inotuzumab-ozogamicin", "tkgr:tisagenlecleucel",
                           "tkgr:brexucabtagene-autoleucel")
THERAPIES = [BLINA, INO, TISA, BREXU]
OTHERS_THAN = {t: frozenset(THERAPIES) - {t} for t in THERAPIES}

# Rows of adverse reactions that only one label's table reports: the others' cells are empty.
ONLY_INOTUZUMAB = ("abdominal pain", "anaemia", "chills", "constipation", "decreased appetite", "diarrhoea",
                   "elevated transaminases", "fatigue", "febrile neutropenia", "haemorrhage", "headache",
                   "increased alkaline phosphatase", "increased gamma-glutamyltransferase", "infusion related reaction",
                   "leukopenia", "lymphopenia", "nausea", "pyrexia", "sinusoidal obstruction syndrome", "stomatitis",
                   "thrombocytopenia", "vomiting")

NOT_REPORTED: dict[tuple[Aspect, str], frozenset[str]] = {
    (Aspect.ADMINISTRATION, "Continuous infusion days"): OTHERS_THAN[BLINA],
    (Aspect.ADMINISTRATION, "Hospitalization"): OTHERS_THAN[BLINA],
    (Aspect.EFFICACY, "CR/CRi rate"): frozenset({TISA}),  # ELIANA reports CR or CRi as its overall remission rate
    (Aspect.EFFICACY, "complete remission rate (CR)"): frozenset({TISA}),
    (Aspect.EFFICACY, "overall remission rate"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "3-year overall survival"): frozenset({INO}),
    (Aspect.EFFICACY, "5-year progression-free survival"): OTHERS_THAN[INO],
    (Aspect.EFFICACY, "complete MRD response"): OTHERS_THAN[BLINA],
    (Aspect.EFFICACY, "MRD negativity rate"): frozenset({TISA, BREXU}),
    (Aspect.EFFICACY, "18-month overall survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "MRD negativity among responders"): frozenset({BLINA, INO}),
    (Aspect.EFFICACY, "median number of cycles received"): frozenset({TISA, BREXU}),
    (Aspect.EFFICACY, "median duration of complete remission"): frozenset({TISA}),
    (Aspect.EFFICACY, "median duration of remission"): OTHERS_THAN[BREXU],
    (Aspect.EFFICACY, "median event-free survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "patients proceeding to stem cell transplantation"): frozenset({BLINA, INO}),
    (Aspect.EFFICACY, "rate of proceeding to allogeneic HCT"): frozenset({TISA, BREXU}),
    (Aspect.EFFICACY, "6-month event-free survival"): OTHERS_THAN[BLINA],
    (Aspect.EFFICACY, "6-month overall survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "6-month relapse-free survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "3-year event-free survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "3-year relapse-free survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "12-month overall survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "12-month relapse-free survival"): OTHERS_THAN[TISA],
    (Aspect.EFFICACY, "2-year overall survival"): OTHERS_THAN[INO],
    **{(Aspect.ADVERSE_EVENTS, name): OTHERS_THAN[INO] for name in ONLY_INOTUZUMAB},
    (Aspect.ADVERSE_EVENTS, "cytokine release syndrome"): frozenset({INO}),
    (Aspect.ADVERSE_EVENTS, "neurological toxicity"): frozenset({INO}),
    (Aspect.ADVERSE_EVENTS, "depression"): OTHERS_THAN[BLINA],
    (Aspect.ADVERSE_EVENTS, "elevated bilirubin"): OTHERS_THAN[INO],
    (Aspect.ADVERSE_EVENTS, "elevated liver enzymes"): OTHERS_THAN[BLINA],
    (Aspect.ADVERSE_EVENTS, "tumor lysis syndrome"): OTHERS_THAN[BLINA],
    (Aspect.ADVERSE_EVENTS, "hypogammaglobulinemia"): OTHERS_THAN[TISA],  # TECARTUS's: unconfirmed (A.5)
    (Aspect.ADVERSE_EVENTS, "viral infection"): OTHERS_THAN[TISA],
    (Aspect.ADVERSE_EVENTS, "prolonged cytopenia (not resolved by day 28)"): OTHERS_THAN[TISA],  # TECARTUS's: A.5
    (Aspect.ADVERSE_EVENTS, "infection"): frozenset({BREXU}),  # unconfirmed for TECARTUS in ALL (A.5)
    (Aspect.ADVERSE_EVENTS, "neutropenia"): frozenset({TISA, BREXU}),
    (Aspect.SAFETY, "Absolute contraindications"): OTHERS_THAN[BLINA],
    (Aspect.SAFETY, "Pitfalls to avoid"): OTHERS_THAN[BLINA],  # the source article's advice, about blinatumomab only
}


@pytest.fixture(scope="module")
def comparison(graph):
    return therapykg.compare(graph, THERAPIES)


def test_exactly_these_cells_are_not_reported(comparison):
    empty = {(row.aspect, row.label): frozenset(c.therapy for c in row.cells if c.status is CellStatus.NOT_REPORTED)
             for row in comparison.rows}
    assert {key: cells for key, cells in empty.items() if cells} == NOT_REPORTED


def test_every_aspect_of_the_comparison_is_filled_for_every_therapy(comparison):
    """No therapy is blank across a whole aspect."""
    for aspect in Aspect:
        rows = [row for row in comparison.rows if row.aspect is aspect]
        assert rows, aspect
        for therapy in THERAPIES:
            assert any(c.therapy == therapy and c.status is CellStatus.REPORTED for row in rows for c in row.cells), \
                (aspect, therapy)


@pytest.mark.parametrize(("row", "therapy", "related"), [
    ("CR/CRi rate", TISA, "overall remission rate"),
    ("rate of proceeding to allogeneic HCT", BREXU, "patients proceeding to stem cell transplantation"),
    ("median duration of remission", INO, "median duration of complete remission"),
    ("MRD negativity rate", BREXU, "MRD negativity among responders"),
])
def test_an_empty_cell_points_to_a_related_endpoint(comparison, row, therapy, related):
    (cell,) = [c for r in comparison.rows if r.label == row for c in r.cells if c.therapy == therapy]
    assert cell.status is CellStatus.NOT_REPORTED
    assert cell.note == f"not reported in the sources (reported under a related endpoint: {related})"


def test_an_empty_cell_without_a_related_endpoint_says_only_not_reported(comparison):
    (cell,) = [c for r in comparison.rows if r.label == "3-year overall survival" for c in r.cells if c.therapy == INO]
    assert cell.note == "not reported in the sources"
