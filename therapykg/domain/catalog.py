"""The lists the API serves, as rules over the read model: therapies
filtered by kind, target, setting, age group and name, in a stable order and
in pages; the claims of one therapy or of all; alternatives in a setting;
the monitoring that applies in a cycle; the dose modification rules that an
event at a grade triggers; every trial and every conflict."""

from __future__ import annotations

from dataclasses import dataclass

from therapykg.domain.ids import UserInputError, to_id
from therapykg.domain.kinds import therapy_kind
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import RDF_TYPE, SKOS, Node, Struct
from therapykg.namespaces import TKG
from therapykg.queries import query_text

MAX_PAGE = 100


async def _iris(loaders: Loaders, query: str, variable: str) -> list[str]:
    return sorted(row[variable]["value"] for row in await loaders.backend.select(query_text(query)))


# -- therapies ---------------------------------------------------------------

@dataclass(frozen=True)
class TherapyFilter:
    """Conditions on therapies; every one given must hold."""

    kinds: frozenset[str] = frozenset()  # local names of therapy classes: a therapy of any of them
    target: str | None = None  # IRI of a molecular target
    setting: str | None = None  # IRI of a setting it is indicated in, or an applicable alternative in
    age_group: str | None = None  # IRI of an age group one of its indications covers
    text: str | None = None  # in the name, a synonym or a brand name (case-insensitive)


async def therapies(loaders: Loaders) -> list[Node]:
    """Every therapy of the graph."""
    return await loaders.nodes(await _iris(loaders, "model/therapies", "t"))


def _names(node: Node) -> list[str]:
    return [node.label, *node.texts(SKOS + "altLabel"), *node.texts(TKG + "brandName")]


async def filtered(loaders: Loaders, nodes: list[Node], spec: TherapyFilter) -> list[Node]:
    """The therapies among ``nodes`` that meet ``spec``."""
    if spec.kinds:
        nodes = [n for n in nodes if any(n.is_a(kind) for kind in spec.kinds)]
    if spec.target:
        nodes = [n for n in nodes if spec.target in n.tkg_refs("hasTarget")]
    if spec.text:
        needle = spec.text.lower()
        nodes = [n for n in nodes if any(needle in name.lower() for name in _names(n))]
    if spec.setting or spec.age_group:
        settings, groups = await _facets(loaders)
        if spec.setting:
            nodes = [n for n in nodes if spec.setting in settings.get(n.iri, set())]
        if spec.age_group:
            nodes = [n for n in nodes if spec.age_group in groups.get(n.iri, set())]
    return nodes


async def _facets(loaders: Loaders) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each therapy, its settings and the age groups of its indications."""
    settings: dict[str, set[str]] = {}
    groups: dict[str, set[str]] = {}
    for row in await loaders.backend.select(query_text("model/therapy-facets")):
        if "setting" in row:
            settings.setdefault(row["t"]["value"], set()).add(row["setting"]["value"])
        if "ageGroup" in row:
            groups.setdefault(row["t"]["value"], set()).add(row["ageGroup"]["value"])
    return settings, groups


def _by_name(node: Node) -> tuple[str, str]:
    return node.label.lower(), to_id(node.iri)


def _by_kind(node: Node) -> tuple[str, str, str]:
    # Kinds sort by their names, as the API shows them; "~" puts therapies of no kind last.
    kind = therapy_kind(node)
    return (kind.name if kind else "~"), *_by_name(node)


def ordered(nodes: list[Node], *, by_kind: bool = False) -> list[Node]:
    """Therapies by name, or by kind then name; ties are broken by id, so that pages are stable."""
    return sorted(nodes, key=_by_kind if by_kind else _by_name)


# -- pages -------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    nodes: list[Node]
    total: int  # the length of the whole list
    has_next: bool


def check_page_size(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise UserInputError(f"first must be between 0 and {MAX_PAGE}")


def page(nodes: list[Node], first: int, after: str | None = None) -> Page:
    """The ``first`` nodes after the one whose id is ``after`` (from the start without it)."""
    start = 0
    if after is not None:
        positions = [i for i, n in enumerate(nodes) if to_id(n.iri) == after]
        if not positions:
            raise UserInputError("after: the cursor's therapy is not in this list")
        start = positions[0] + 1
    return Page(nodes[start:start + first], total=len(nodes), has_next=start + first < len(nodes))


# -- claims ------------------------------------------------------------------

async def claims(loaders: Loaders, local_class: str, link: str, therapy: str | None = None) -> list[Node]:
    """The claims of ``tkg:local_class`` that link to ``therapy`` with ``tkg:link``; of every therapy without it."""
    if therapy is not None:
        found = await loaders.referring_nodes(TKG + link, therapy)
    else:
        found = await loaders.referring_nodes(RDF_TYPE, TKG + local_class)
    return [n for n in found if n.is_a(local_class)]


async def alternatives(loaders: Loaders, to: str, setting: str | None = None) -> list[Node]:
    """The alternatives to the therapy ``to``, only those in ``setting`` when given."""
    found = await loaders.referring_nodes(TKG + "alternativeTo", to)
    return [n for n in found if setting is None or setting in n.tkg_refs("inSetting")]


def _covers_cycle(window: Struct, cycle: int) -> bool:
    first, last = window.get_tkg("firstCycle") or 1, window.get_tkg("lastCycle")
    return cycle >= first and (last is None or cycle <= last)


def applies_in_cycle(requirement: Node, cycle: int) -> bool:
    """Whether a monitoring requirement applies in ``cycle``: one with no windows applies in every cycle."""
    windows = [w for w in requirement.tkg("hasWindow") if isinstance(w, Struct)]
    return not windows or any(_covers_cycle(w, cycle) for w in windows)


async def monitoring(loaders: Loaders, therapy: str, cycle: int | None = None) -> list[Node]:
    """The monitoring requirements of ``therapy``; with ``cycle``, those that apply in it."""
    found = await loaders.referring_nodes(TKG + "forTherapy", therapy, TKG + "MonitoringRequirement")
    return [n for n in found if cycle is None or applies_in_cycle(n, cycle)]


# -- dose modification rules ---------------------------------------------------

def ctcae_grade(grade: int) -> int:
    if not 1 <= grade <= 5:
        raise UserInputError("grade must be a CTCAE grade from 1 to 5")
    return grade


def _fires(trigger: Node, event: str, grade: int, condition: str | None) -> bool:
    if event not in trigger.tkg_refs("triggerEvent") + trigger.tkg_refs("triggerCondition"):
        return False
    low, high = trigger.tkg1("minimumGrade"), trigger.tkg1("maximumGrade")
    if low is not None and grade < low or high is not None and grade > high:
        return False
    # A rule with a condition applies only when that condition is asked for;
    # a rule without one applies whatever the condition.
    conditions = [c for c in trigger.tkg_refs("triggerCondition") if c != event]
    return not conditions or condition in conditions


async def triggered_rules(loaders: Loaders, therapy: str, event: str, grade: int, condition: str | None = None) -> list[Node]:
    """The dose modification rules of ``therapy`` that ``event`` at ``grade``
    (with ``condition``) triggers, as the sources state them: for every
    patient and setting. A rule appears once for each of its triggers that fires."""
    rules = await claims(loaders, "DoseModificationRule", "forTherapy", therapy)
    triggers = {n.iri: n for n in await loaders.nodes(sorted({t for r in rules for t in r.tkg_refs("hasTrigger")}))}
    return [rule for rule in rules for t in rule.tkg_refs("hasTrigger") if _fires(triggers[t], event, grade, condition)]


# -- trials and conflicts ----------------------------------------------------

async def trials(loaders: Loaders) -> list[Node]:
    """Every clinical trial the graph describes, by name."""
    found = [n for n in await loaders.nodes(await _iris(loaders, "model/trials", "t")) if n.exists]
    return sorted(found, key=lambda n: n.label.lower())


async def conflicts(loaders: Loaders) -> list[Node]:
    """Every recorded disagreement between sources."""
    return await loaders.nodes(await _iris(loaders, "model/conflicts", "c"))
