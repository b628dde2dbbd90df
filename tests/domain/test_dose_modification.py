"""Dose modification rules evaluated for a reported event: one case per
rule in the graph, expected actions taken from the rule's source.

Sources: ART = the article (Dosage Modifications for Adverse Reactions;
Key Clinical Pearls); HCP = blincytohcp.com R/R dose adjustments (current
site: >= 45 kg and < 45 kg columns); OLD = PMC4994468 Table 1 (older label,
2015); L57 = label section 5.7. BSA 130 cm, 30 kg -> 1.04 m2 (Mosteller)."""


import pytest

from therapykg.domain import modification as m
from therapykg.domain.dosing import SETTINGS, Patient

R = "https://w3id.org/therapykg/resource/"
CRS, NEURO, LIVER = R + "cytokine-release-syndrome", R + "neurological-toxicity", R + "elevated-liver-enzymes"
RR, MRD = SETTINGS["relapsed-refractory"], SETTINGS["mrd-positive"]
ADULT, CHILD = Patient(70), Patient(30, 130)

# (case, report, {rule id: [(action kind, dose for the patient or None)]} expected among the applied rules)
CASES = [
    ("CRS 3 adult R/R: ART and HCP >= 45 kg", m.EventReport(RR, ADULT, CRS, 3),
     {"blina-rule-crs-g3-article": [("Interrupt", None), ("Restart", "9 ug/d"), ("Escalate", "28 ug/d")],
      "blina-rule-crs-g3-label": [("Interrupt", None), ("GiveDrug", "8 mg"), ("Restart", "9 ug/d"), ("Escalate", "28 ug/d")]}),
    ("CRS 3 child R/R: HCP < 45 kg per m2", m.EventReport(RR, CHILD, CRS, 3),
     {"blina-rule-crs-g3-label-under-45kg": [("Interrupt", None), ("GiveDrug", "5.2 mg"), ("Restart", "5.2 ug/d"), ("Escalate", "15.6 ug/d")]}),
    ("CRS 3 child, recurred: no escalation", m.EventReport(RR, CHILD, CRS, 3, recurred=True),
     {"blina-rule-crs-g3-label-under-45kg": [("Interrupt", None), ("GiveDrug", "5.2 mg"), ("Restart", "5.2 ug/d")]}),
    ("CRS 4: ART and HCP discontinue", m.EventReport(RR, ADULT, CRS, 4),
     {"blina-rule-crs-g4-article": [("DiscontinuePermanently", None)], "blina-rule-crs-g4-label": [("DiscontinuePermanently", None)]}),
    ("neuro 3 adult, 5 days: ART escalates, HCP withholds", m.EventReport(RR, ADULT, NEURO, 3, duration_days=5, recurred=False),
     {"blina-rule-neuro-g3-article": [("Interrupt", None), ("Restart", "9 ug/d"), ("Escalate", "28 ug/d")],
      "blina-rule-neuro-g3-label": [("Interrupt", None), ("Restart", "9 ug/d"), ("Escalate", "28 ug/d")]}),
    ("neuro 3, 9 days: ART and OLD discontinue", m.EventReport(RR, ADULT, NEURO, 3, duration_days=9),
     {"blina-rule-neuro-g3-over-7d-article": [("DiscontinuePermanently", None)],
      "blina-rule-neuro-g3-over-7d-label": [("DiscontinuePermanently", None)]}),
    ("neuro 3 recurred: OLD discontinues", m.EventReport(RR, ADULT, NEURO, 3, duration_days=2, recurred=True),
     {"blina-rule-neuro-g3-recurs-older-label": [("DiscontinuePermanently", None)]}),
    ("neuro 4: ART discontinues", m.EventReport(RR, ADULT, NEURO, 4), {"blina-rule-neuro-g4-article": [("DiscontinuePermanently", None)]}),
    ("seizure: ART discontinues at once", m.EventReport(RR, ADULT, NEURO, condition=R + "seizure", occurrences=1),
     {"blina-rule-seizure-article": [("DiscontinuePermanently", None)]}),
    ("second seizure: HCP discontinues", m.EventReport(RR, ADULT, NEURO, condition=R + "seizure", occurrences=2),
     {"blina-rule-seizure-label": [("DiscontinuePermanently", None)]}),
    ("cycle 1 neurological symptoms: ART keeps 9 ug/day", m.EventReport(RR, ADULT, R + "neurological-symptoms-in-cycle-1"),
     {"blina-rule-no-escalation-cycle1-neuro": [("MaintainDose", "9 ug/d")]}),
    ("transaminases > 5x ULN: L57 interrupts", m.EventReport(RR, ADULT, LIVER, condition=R + "transaminases-over-5x-uln"),
     {"blina-rule-transaminases-label": [("Interrupt", None)]}),
    ("bilirubin > 3x ULN: L57 interrupts", m.EventReport(MRD, ADULT, LIVER, condition=R + "bilirubin-over-3x-uln"),
     {"blina-rule-bilirubin-label": [("Interrupt", None)]}),
]


@pytest.fixture(scope="module")
def rows(graph):
    """Blinatumomab's dose modification rules as the engine reads them from the graph."""
    return graph.bindings(m.rules_query("tkgr:blinatumomab"))


def _applied(answers) -> dict[str, list[tuple[str, str | None]]]:
    found = {}
    for answer in answers:
        for rule, _ in answer.rules:
            actions = [a for a in answer.actions if a.rule == rule]
            found[rule.rsplit("/", 1)[-1]] = [(a.kind.rsplit("/", 1)[-1], a.dose.text if a.dose else None) for a in actions]
    return found


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_case(rows, case):
    _, report, expected = case
    applied = _applied(m.evaluate(rows, report))
    for rule, actions in expected.items():
        assert applied.get(rule) == actions, f"{rule}: {applied.get(rule)}; all: {applied}"


def test_every_rule_in_the_graph_has_a_case(rows):
    rules = {r.iri.rsplit("/", 1)[-1] for r in m.read_rules(rows)}
    covered = {rule for _, _, expected in CASES for rule in expected}
    assert rules <= covered, f"rules without an evaluation case: {sorted(rules - covered)}"


def test_rules_for_another_band_or_setting_are_not_returned(rows):
    # The >= 45 kg restart at 9 ug/day is not given to a 30 kg child, nor the R/R page's rules in MRD-positive disease.
    child = _applied(m.evaluate(rows, m.EventReport(RR, CHILD, CRS, 3)))
    assert "blina-rule-crs-g3-label" not in child and "blina-rule-crs-g3-label-under-45kg" in child
    mrd = _applied(m.evaluate(rows, m.EventReport(MRD, ADULT, CRS, 3)))
    assert not any("label" in rule for rule in mrd) and "blina-rule-crs-g3-article" in mrd


def test_unscoped_rules_say_so_and_undecided_ones_say_what_they_need(rows):
    answers = m.evaluate(rows, m.EventReport(RR, CHILD, CRS, 3))
    article = next(a for a in answers if any("article" in rule for rule, _ in a.rules))
    assert any("no weight or age band" in c for c in article.caveats) and article.grading_system == "not stated by the source"
    neuro = m.evaluate(rows, m.EventReport(RR, ADULT, NEURO, 3))
    assert any("how long the event lasted" in need for a in neuro for need in a.needs)


def test_discontinuation_supersedes_and_escalation_waits_from_the_restart(rows):
    answers = m.evaluate(rows, m.EventReport(RR, ADULT, NEURO, 3, duration_days=9))
    article = next(a for a in answers if any("article" in rule for rule, _ in a.rules))
    assert [rule.rsplit("/", 1)[-1] for rule, _ in article.rules] == ["blina-rule-neuro-g3-over-7d-article"]
    assert article.superseded and "superseded" in article.superseded[0]
    escalate = next(a for answer in m.evaluate(rows, m.EventReport(RR, ADULT, CRS, 3)) for a in answer.actions if a.kind.endswith("Escalate"))
    assert (escalate.after_days, escalate.counted_from, escalate.condition) == (7, "counted from the restart", "only if the event does not recur")


def test_impossible_reports_are_refused(rows):
    with pytest.raises(ValueError, match="grade"):
        m.evaluate(rows, m.EventReport(RR, ADULT, CRS, 7))


def test_the_current_dose_is_set_against_the_actions(rows):
    """With the current dose given, an escalation to a dose the patient already has is marked as such."""
    at_28 = m.EventReport(RR, ADULT, CRS, 3, recurred=False, current_dose=m.Amount(28, "ug/d"))
    escalate = next(a for answer in m.evaluate(rows, at_28) for a in answer.actions if a.kind.endswith("Escalate"))
    assert "already at or above" in escalate.condition and "the current dose is 28 ug/d" in escalate.text
    at_9 = m.EventReport(RR, ADULT, CRS, 3, recurred=False, current_dose=m.Amount(9, "ug/d"))
    escalate = next(a for answer in m.evaluate(rows, at_9) for a in answer.actions if a.kind.endswith("Escalate"))
    assert escalate.condition is None
    with pytest.raises(ValueError, match="current dose"):
        m.evaluate(rows, m.EventReport(RR, ADULT, CRS, 3, current_dose=m.Amount(0, "ug/d")))
