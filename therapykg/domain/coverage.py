"""How well the graph covers each therapy: a therapy-by-aspect matrix of
how many claims, and how many distinct sources, back each cell, so that a
researcher (and a test) can see where the graph is thin before trusting a
comparison.

The aspects are those of a comparison (:class:`therapykg.domain.compare.Aspect`)
that claims back, with boxed warnings, dose modification rules and
pharmacology apart. Mechanism and modality are facts of the therapy itself,
not claims, so they have no column. Each claim counts in the aspect of its
most specific kind of claim (in each, should it have several)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum

from therapykg.domain.compare import Aspect
from therapykg.domain.ids import to_id
from therapykg.domain.kinds import therapy_kind
from therapykg.domain.loaders import Loaders
from therapykg.domain.rows import Row, required, text
from therapykg.namespaces import TKG
from therapykg.queries import query_text


class CoverageAspect(Enum):
    """A column of the coverage matrix: the comparison's aspects that claims back, and three more."""

    INDICATIONS = Aspect.INDICATIONS.value
    APPLICABILITY = Aspect.APPLICABILITY.value
    ADMINISTRATION = Aspect.ADMINISTRATION.value
    DOSE_MODIFICATION = "dose modification rules"
    EFFICACY = Aspect.EFFICACY.value
    ADVERSE_EVENTS = Aspect.ADVERSE_EVENTS.value
    MONITORING = Aspect.MONITORING.value
    SAFETY = Aspect.SAFETY.value
    BOXED_WARNINGS = "boxed warnings"
    PHARMACOLOGY = "pharmacology"
    OTHER = "other statements"


# The most specific kind of claim (local name in tkg:) -> its column; any other kind is OTHER.
KIND_ASPECTS: dict[str, CoverageAspect] = {
    "Indication": CoverageAspect.INDICATIONS,
    "AlternativeTherapyRelation": CoverageAspect.APPLICABILITY,
    **dict.fromkeys(("DosingRegimen", "Cycle", "DoseStep", "Premedication", "InfusionBagOption",
                     "AdministrationRequirement", "HospitalizationRequirement"), CoverageAspect.ADMINISTRATION),
    "DoseModificationRule": CoverageAspect.DOSE_MODIFICATION,
    "EfficacyOutcome": CoverageAspect.EFFICACY,
    "AdverseReaction": CoverageAspect.ADVERSE_EVENTS,
    "MonitoringRequirement": CoverageAspect.MONITORING,
    **dict.fromkeys(("SafetyStatement", "Contraindication", "Precaution", "Pitfall"), CoverageAspect.SAFETY),
    "BoxedWarning": CoverageAspect.BOXED_WARNINGS,
    **dict.fromkeys(("PharmacokineticProperty", "Immunogenicity", "DrugInteraction"), CoverageAspect.PHARMACOLOGY),
}


def aspect_of(kind_iri: str) -> CoverageAspect:
    """The column of a kind of claim (its IRI)."""
    local = kind_iri[len(TKG):] if kind_iri.startswith(TKG) else ""
    return KIND_ASPECTS.get(local, CoverageAspect.OTHER)


@dataclass(frozen=True)
class CoverageCell:
    """How many claims about one therapy in one aspect, and how many distinct sources they come from."""

    aspect: CoverageAspect
    claims: int
    sources: int


@dataclass
class TherapyCoverage:
    """One line of the matrix: a therapy, a cell per aspect (in the matrix's order), and its totals."""

    therapy: str  # compact id
    label: str
    kind: str | None
    cells: list[CoverageCell]
    claims: int  # distinct claims about the therapy
    sources: int  # distinct sources of those claims

    def cell(self, aspect: CoverageAspect) -> CoverageCell:
        return next(c for c in self.cells if c.aspect == aspect)


@dataclass
class Coverage:
    """The therapy-by-aspect matrix: every therapy of the graph, by id."""

    aspects: list[CoverageAspect]
    therapies: list[TherapyCoverage]

    def therapy(self, identifier: str) -> TherapyCoverage:
        """The line of a therapy by compact id (``tkgr:blinatumomab``).

        :raises KeyError: no such therapy in the matrix.
        """
        for line in self.therapies:
            if line.therapy == identifier:
                return line
        raise KeyError(identifier)

    def with_claims(self) -> Coverage:
        """The matrix without the therapies no claim is about (drugs named only as parts of regimens)."""
        return Coverage(aspects=self.aspects, therapies=[line for line in self.therapies if line.claims])


@dataclass
class _Tally:
    claims: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


def tabulate(therapies: list[str], rows: list[Row]) -> dict[str, dict[CoverageAspect, _Tally]]:
    """Per therapy IRI (every one of ``therapies``), per aspect, the claims and sources of ``rows`` (queries/model/coverage.rq)."""
    matrix: dict[str, dict[CoverageAspect, _Tally]] = {t: {} for t in therapies}
    for row in rows:
        cells = matrix.setdefault(required(row, "therapy"), {})
        claim, kind = text(row, "claim"), text(row, "kind")
        if claim is None or kind is None:
            continue
        tally = cells.setdefault(aspect_of(kind), _Tally())
        tally.claims.add(claim)
        source = text(row, "source")
        if source is not None:
            tally.sources.add(source)
    return matrix


async def coverage(loaders: Loaders) -> Coverage:
    """The coverage matrix of every therapy of the graph over every :class:`CoverageAspect`."""
    therapies, rows = await asyncio.gather(loaders.backend.select(query_text("model/therapies")),
                                           loaders.backend.select(query_text("model/coverage")))
    matrix = tabulate([required(r, "t") for r in therapies], rows)
    nodes = {n.iri: n for n in await loaders.nodes(sorted(matrix))}
    aspects = list(CoverageAspect)
    lines = []
    for iri, cells in matrix.items():
        node = nodes[iri]
        kind = therapy_kind(node)
        empty = _Tally()
        lines.append(TherapyCoverage(
            therapy=to_id(iri), label=node.label, kind=kind.name if kind else None,
            cells=[CoverageCell(a, len(cells.get(a, empty).claims), len(cells.get(a, empty).sources)) for a in aspects],
            claims=len({c for t in cells.values() for c in t.claims}),
            sources=len({s for t in cells.values() for s in t.sources})))
    lines.sort(key=lambda line: line.therapy)
    return Coverage(aspects=aspects, therapies=lines)
