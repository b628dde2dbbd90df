"""The Python API: comparisons, doses and dose modifications over a loaded
graph, in this process, with keyword-only options.

>>> import therapykg
>>> kg = therapykg.load_graph()
>>> [t.label for t in therapykg.compare(kg, ["blinatumomab", "tisagenlecleucel"], aspects=["modality"]).therapies]
['blinatumomab', 'tisagenlecleucel']

Ids are written as the command line takes them: ``blinatumomab``,
``tkgr:blinatumomab`` or the full IRI, in any case, or a therapy's label,
synonym or brand name (``"BLINCYTO"``, ``"HiDAC"``; :func:`therapies` lists
them). Wrong input raises ``ValueError`` with the reason (and the closest
known ids, for an unknown one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from therapykg.domain import compare as comparing
from therapykg.domain import coverage as covering
from therapykg.domain import doses, dosing, modification
from therapykg.domain import label_versions as label_versions_module
from therapykg.domain.compare import Aspect, Comparison
from therapykg.domain.inputs import aspects_of, choice, known, named, scope_of, therapy_iri
from therapykg.domain.kinds import TherapyKind
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import RDFS_LABEL
from therapykg.domain.options import ORDER
from therapykg.namespaces import TKG
from therapykg.store.engine import GraphSelector
from therapykg.store.graph import KnowledgeGraph

__all__ = ["compare", "coverage", "dose", "dose_modification", "label_differences", "label_versions", "therapies"]

T = TypeVar("T")


def _run(kg: KnowledgeGraph, work: Callable[[Loaders], Awaitable[T]]) -> T:
    """``work`` over the graph in this process, with loaders of its own. A
    notebook already runs an event loop, so there the work gets a thread
    and a loop of its own."""
    async def main() -> T:
        return await work(Loaders(GraphSelector(kg)))

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def compare(kg: KnowledgeGraph, ids: Iterable[str], *, aspects: Iterable[Aspect | str] | None = None,
            setting: str | None = None, population: str | None = None) -> Comparison:
    """Compare two or more therapies side by side, in the order given, over
    ``aspects`` (names such as ``"efficacy"`` or :class:`Aspect` members;
    all by default). Every row has a cell per therapy, and every value its
    sources; a cell with no data says so. ``setting`` (``"relapsed-refractory"``,
    ``"mrd-positive"``, ``"consolidation"``) and ``population`` (``"adult"``,
    ``"pediatric"``) leave out the claims whose source scopes them elsewhere.

    >>> comparison = compare(kg, ["blinatumomab", "tkgr:inotuzumab-ozogamicin"], aspects=["mechanism"])
    >>> for row in comparison.rows:
    ...     print(row.label, [cell.values[0].text for cell in row.cells])
    Targets ['CD3, CD19', 'CD22']
    Mechanism ['T-cell redirection', 'targeted cytotoxin delivery']

    :raises ValueError: fewer than two different therapies, an id that is not a therapy, or an unknown aspect, setting or population.
    """
    ids, chosen, scope = list(ids), aspects_of(aspects), scope_of(setting, population)

    async def work(loaders: Loaders) -> Comparison:
        iris = list(await asyncio.gather(*[therapy_iri(loaders, i) for i in ids]))
        return await comparing.compare(loaders, iris, aspects=chosen, scope=scope)

    return _run(kg, work)


def _patient(*, weight_kg: float, height_cm: float | None, bsa_m2: float | None, age_years: float | None) -> dosing.Patient:
    return dosing.Patient(float(weight_kg), height_cm, bsa_m2, age_years)


def dose(kg: KnowledgeGraph, *, therapy: str, setting: str, weight_kg: float, height_cm: float | None = None,
         bsa_m2: float | None = None, age_years: float | None = None, cycle: int, day: int,
         response: str | None = None) -> list[doses.DoseAnswer]:
    """The dose of ``therapy`` on ``day`` of ``cycle`` for a patient in a
    clinical ``setting`` (``"relapsed-refractory"``, ``"mrd-positive"`` or
    ``"consolidation"``): one answer per source that has a regimen for it,
    each with the dose for this patient or the reason there is none (its
    ``status``). A per-m2 dose needs ``bsa_m2``, or ``height_cm`` to compute
    it; an age band needs ``age_years``; a schedule whose later cycles
    depend on the response so far needs ``response`` (``"cr-cri"`` or ``"no-cr"``).

    >>> for answer in dose(kg, therapy="blinatumomab", setting="relapsed-refractory", weight_kg=70, cycle=1, day=8):
    ...     print(answer.status.name, answer.amount.text, answer.regimen)
    DOSE 28 ug/d tkgr:blina-label-later-rr-45kg-plus
    DOSE 28 ug/d tkgr:blina-label-older-rr
    DOSE 28 ug/d tkgr:blina-rr-adult

    :raises ValueError: an id that is not a therapy, an unknown setting or response, or values no patient has.
    """
    question = dosing.DoseQuestion(choice("setting", setting, dosing.SETTINGS),
                                   _patient(weight_kg=weight_kg, height_cm=height_cm, bsa_m2=bsa_m2, age_years=age_years),
                                   cycle, day, choice("response", response, dosing.RESPONSES) if response is not None else None)

    async def work(loaders: Loaders) -> list[doses.DoseAnswer]:
        return await doses.dose_answers(loaders, await therapy_iri(loaders, therapy), question)

    return _run(kg, work)


def dose_modification(kg: KnowledgeGraph, *, therapy: str, setting: str, weight_kg: float, height_cm: float | None = None,
                      bsa_m2: float | None = None, age_years: float | None = None, event: str, grade: int | None = None,
                      duration_days: float | None = None, recurred: bool | None = None, condition: str | None = None,
                      occurrences: int | None = None, current_dose: tuple[float, str] | None = None,
                      ) -> list[doses.DoseModificationAnswer]:
    """The dose modification rules of ``therapy`` evaluated for a reported
    ``event`` (an adverse event or finding id, such as
    ``"cytokine-release-syndrome"``) at a ``grade``: per source, the rules
    that apply in this setting to this patient and their actions in order,
    with doses for this patient and waiting times, and what the report must
    add (``duration_days``, ``recurred``, ``condition``, ``occurrences``)
    to decide the others. ``current_dose`` is a (value, unit) pair such as
    ``(28, "ug/d")``.

    >>> for answer in dose_modification(kg, therapy="blinatumomab", setting="relapsed-refractory", weight_kg=70,
    ...                                 event="cytokine-release-syndrome", grade=4):
    ...     print(answer.rules, [action.text for action in answer.actions])
    ['tkgr:blina-rule-crs-g4-label'] ['discontinue permanently']
    ['tkgr:blina-rule-crs-g4-article'] ['discontinue permanently']

    :raises ValueError: an id that is not a therapy or a finding, an unknown setting, or values no patient or event has.
    """
    patient = _patient(weight_kg=weight_kg, height_cm=height_cm, bsa_m2=bsa_m2, age_years=age_years)
    setting_iri = choice("setting", setting, dosing.SETTINGS)
    current = dosing.Amount(float(current_dose[0]), current_dose[1]) if current_dose is not None else None
    findings = ("ClinicalFinding", "TriggerCondition")

    async def work(loaders: Loaders) -> list[doses.DoseModificationAnswer]:
        report = modification.EventReport(
            setting_iri, patient, await known(loaders, event, findings, "finding"), grade, duration_days, recurred,
            await known(loaders, condition, findings, "finding") if condition is not None else None, occurrences, current)
        return await doses.dose_modification_answers(loaders, await therapy_iri(loaders, therapy), report)

    return _run(kg, work)


def coverage(kg: KnowledgeGraph) -> covering.Coverage:
    """How many claims, and how many distinct sources, back each aspect of
    each therapy of the graph: where the graph is thin.

    >>> line = coverage(kg).therapy("tkgr:blinatumomab")
    >>> line.cell(covering.CoverageAspect.BOXED_WARNINGS).claims >= 2
    True
    """
    return _run(kg, covering.coverage)


def label_versions(kg: KnowledgeGraph, *, product: str | None = None) -> list[label_versions_module.LabelVersion]:
    """The label versions of the graph (of ``product``, a therapy id, when
    given): product, jurisdiction, version date, identifiers where a source
    shows them, and the sources that reproduce each.

    :raises ValueError: ``product`` is not a therapy.
    """
    async def work(loaders: Loaders) -> list[label_versions_module.LabelVersion]:
        iri = await therapy_iri(loaders, product) if product is not None else None
        return await label_versions_module.label_versions(loaders, iri)

    return _run(kg, work)


def label_differences(kg: KnowledgeGraph, *, product: str, from_version: str, to_version: str,
                      ) -> label_versions_module.LabelComparison:
    """What differs between two versions of a product's label: the claims
    read from one and not the other, and the claims a recorded conflict sets
    against each other, with the values that differ.

    >>> diff = label_differences(kg, product="blinatumomab", from_version="label-blincyto-us-older",
    ...                          to_version="label-blincyto-us-current")
    >>> [(d.change.value, d.kind, [(v.property, v.added) for v in d.values]) for d in diff.differences]
    [('changed', 'tkg:BoxedWarning', [('tkg:adverseEvent', ['immune effector cell-associated neurotoxicity syndrome']), ('tkg:concernsFinding', ['immune effector cell-associated neurotoxicity syndrome'])])]

    :raises ValueError: ``product`` is not a therapy, or a version is not a label version of it.
    """
    async def work(loaders: Loaders) -> label_versions_module.LabelComparison:
        iri = await therapy_iri(loaders, product)
        before, after = await asyncio.gather(*[known(loaders, v, ("LabelVersion",), "label version")
                                               for v in (from_version, to_version)])
        return await label_versions_module.label_differences(loaders, iri, before, after)

    return _run(kg, work)


@dataclass(frozen=True)
class ListedTherapy:
    """A therapy of the graph with every name it can be asked for by."""

    id: str  # compact id, tkgr:blinatumomab
    local: str  # the id as typed, blinatumomab
    label: str
    kind: str | None  # the ontology's label of its kind, "CAR T-cell therapy"
    brand_names: tuple[str, ...]
    synonyms: tuple[str, ...]
    claims: int  # claims about it
    sources: int  # distinct sources of those claims


def _kind_rank(kind: str | None) -> int:
    """The options' order of kinds (immunotherapies, chemotherapy, transplant, trials), then the other kinds, then none."""
    order = [k.name for k in ORDER] + [k.name for k in TherapyKind if k not in ORDER]
    return order.index(kind) if kind in order else len(order)


def therapies(kg: KnowledgeGraph, *, everything: bool = False) -> list[ListedTherapy]:
    """The therapies a comparison or a dose can name, by kind (the options'
    order) and name: the ones with claims (the therapy options), or with
    ``everything`` also the drugs named only as parts of regimens. Each has
    its id, label, brand names and synonyms, any of which names it.

    >>> [(t.local, t.brand_names) for t in therapies(kg) if t.kind == "CAR T-cell therapy"]
    [('brexucabtagene-autoleucel', ('TECARTUS',)), ('tisagenlecleucel', ('KYMRIAH',))]
    """
    async def work(loaders: Loaders) -> list[ListedTherapy]:
        lines = {line.therapy: line for line in (await covering.coverage(loaders)).therapies}
        kinds = sorted({line.kind for line in lines.values() if line.kind})
        kind_labels = {k: str(node.first(RDFS_LABEL) or k) for k, node in
                       zip(kinds, await loaders.nodes([TKG + TherapyKind[k].value for k in kinds]), strict=True)}
        found = []
        for entry in await named(loaders, ("Therapy",)):
            line = lines.get(entry.id)
            if line is None or not (everything or line.claims):
                continue
            found.append((_kind_rank(line.kind), entry.label.lower(), ListedTherapy(
                id=entry.id, local=entry.local, label=entry.label, kind=kind_labels.get(line.kind) if line.kind else None,
                brand_names=entry.brand_names, synonyms=entry.synonyms, claims=line.claims, sources=line.sources)))
        return [t for *_, t in sorted(found, key=lambda f: f[:2])]

    return _run(kg, work)
