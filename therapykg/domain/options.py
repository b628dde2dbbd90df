"""The therapy options a researcher chooses among: the therapies the graph
has claims about (not the single drugs named only as parts of regimens),
grouped by kind in the order the mission lists them."""

from __future__ import annotations

from dataclasses import dataclass

from therapykg.domain.coverage import coverage
from therapykg.domain.ids import to_iri, to_local
from therapykg.domain.kinds import TherapyKind
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import RDFS_LABEL
from therapykg.namespaces import TKG

# The kinds in the order a page lists them: the immunotherapies first, then
# chemotherapy, transplant and trials; anything else last.
ORDER = (TherapyKind.BISPECIFIC_T_CELL_ENGAGER, TherapyKind.ANTIBODY_DRUG_CONJUGATE, TherapyKind.CAR_T_CELL_THERAPY,
         TherapyKind.CHEMOTHERAPY_REGIMEN, TherapyKind.PROCEDURE, TherapyKind.CLINICAL_TRIAL_PARTICIPATION)


@dataclass(frozen=True)
class TherapyOption:
    """One therapy a researcher can look up or compare."""

    id: str  # compact id, tkgr:blinatumomab
    local: str  # the id in page addresses, blinatumomab
    label: str
    brand_names: tuple[str, ...]
    targets: tuple[str, ...]  # labels of its molecular targets
    claims: int
    sources: int


@dataclass(frozen=True)
class OptionGroup:
    """The options of one kind."""

    kind: str  # the ontology's label of the kind, "CAR T-cell therapy"
    options: tuple[TherapyOption, ...]


def _rank(kind: str | None) -> int:
    names = [k.name for k in ORDER]
    return names.index(kind) if kind in names else len(names)


async def therapy_options(loaders: Loaders) -> list[OptionGroup]:
    """The therapies with claims, grouped by kind (the mission's order), by name within a kind."""
    lines = [line for line in (await coverage(loaders)).therapies if line.claims]
    nodes = {n.iri: n for n in await loaders.nodes([to_iri(line.therapy) for line in lines])}
    kinds = {line.kind for line in lines if line.kind}
    kind_nodes = {n.iri: n for n in await loaders.nodes([TKG + TherapyKind[k].value for k in sorted(kinds)])}
    targets = {t for n in nodes.values() for t in n.tkg_refs("hasTarget")}
    target_labels = {n.iri: n.label for n in await loaders.nodes(sorted(targets))}
    groups: dict[str | None, list[TherapyOption]] = {}
    for line in lines:
        node = nodes[to_iri(line.therapy)]
        groups.setdefault(line.kind, []).append(TherapyOption(
            id=line.therapy, local=to_local(line.therapy), label=node.label,
            brand_names=tuple(sorted(str(b) for b in node.tkg("brandName"))),
            targets=tuple(sorted(target_labels.get(t, t) for t in node.tkg_refs("hasTarget"))),
            claims=line.claims, sources=line.sources))
    result = []
    for kind in sorted(groups, key=_rank):
        label = kind_nodes[TKG + TherapyKind[kind].value].first(RDFS_LABEL) if kind else None
        result.append(OptionGroup(kind=str(label) if label else "other", options=tuple(sorted(groups[kind], key=lambda o: o.label))))
    return result
