"""A therapy's profile for a person reading about it: what it is, where it
is indicated, its regimens, adverse reactions, monitoring, boxed warnings
and precautions (by label version), dose modification rules in plain
words, alternatives, trials and outcomes. Every value carries its
citations, whether another source disputes it, and the conflicts it takes
part in (with the other side's claims).

The aspects the comparison service covers are read from its rows for this
one therapy (:mod:`therapykg.domain.compare`); what it lacks (serious
incidences, label versions, rules, regimens, trials, identifiers) is read
from the claims here, through the same loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from therapykg.domain.compare import Aspect, ComparisonValue, therapy_rows
from therapykg.domain.evidence import Citation, Quantity, cite
from therapykg.domain.ids import UserInputError, to_id
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import DCT, PROV_DERIVED, RDFS_COMMENT, SKOS, Node
from therapykg.namespaces import TKG, TKGR, expand

# Where an identifier's scheme links out to: (prefix of the mapping IRI, URL of a code).
_SCHEMES = {
    "NCIT": ("http://purl.obolibrary.org/obo/NCIT_", "https://evsexplore.semantics.cancer.gov/evsexplore/concept/ncit/{}"),
    "RXNORM": ("http://purl.bioontology.org/ontology/RXNORM/", "https://mor.nlm.nih.gov/RxNav/search?searchBy=RXCUI&searchTerm={}"),
    "DRUGBANK": ("https://go.drugbank.com/drugs/", "https://go.drugbank.com/drugs/{}"),
    "ATC": ("http://www.whocc.no/atc_ddd_index/?code=", "https://www.whocc.no/atc_ddd_index/?code={}"),
    "CHEBI": ("http://purl.obolibrary.org/obo/CHEBI_", "https://www.ebi.ac.uk/chebi/searchId.do?chebiId=CHEBI:{}"),
    "NCT": ("https://clinicaltrials.gov/study/NCT", "https://clinicaltrials.gov/study/NCT{}"),
}
_SAFETY_KINDS = (("BoxedWarning", "boxed warning"), ("Contraindication", "contraindication"),
                 ("Precaution", "precaution"), ("Pitfall", "pitfall"))


# -- values and their evidence -------------------------------------------------

@dataclass(frozen=True)
class OtherSide:
    """A claim on another side of a conflict: what it says, and where from."""

    claim: str  # compact id
    label: str
    summary: str | None
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class ConflictNote:
    """A recorded disagreement that a value takes part in."""

    id: str  # compact id (tkgr:conflict-...)
    label: str
    aspect: str | None
    explanation: str | None
    others: tuple[OtherSide, ...]  # the claims on the other sides


@dataclass(frozen=True)
class Sourced:
    """One value as a person reads it, with its citations and whether another source disputes it."""

    text: str
    citations: tuple[Citation, ...]
    claim: str | None = None  # compact id of the claim it comes from
    context: str | None = None  # the trial, population or setting it belongs to, in words
    disputed: bool = False
    conflicts: tuple[ConflictNote, ...] = ()

    @property
    def conflict_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.conflicts)


@dataclass(frozen=True)
class Fact:
    """A named line of the overview with its values (targets, mechanism, route...)."""

    label: str
    values: tuple[Sourced, ...]


@dataclass(frozen=True)
class Identifier:
    """An identifier of the therapy in another vocabulary, linking out."""

    curie: str  # "NCIT:C62528"
    url: str | None
    match: str  # "exact", "close", "notation" (written only as a notation), "product" (a product record's code)
    unverified: bool  # kept from an earlier reference; no source seen confirms or refutes it
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class LabelVersionRef:
    """A version of a product's label that a claim was read from."""

    id: str
    label: str
    jurisdiction: str | None
    version_date: str | None


# -- sections --------------------------------------------------------------------

@dataclass(frozen=True)
class IndicationEntry:
    setting: str  # the disease state(s)
    population: str
    jurisdiction: str | None
    agency: str | None
    approval_date: str | None
    approval_kind: str | None
    trials: tuple[str, ...]
    required_targets: tuple[str, ...]
    value: Sourced


@dataclass(frozen=True)
class RegimenEntry:
    id: str  # local name, as in /regimens/{id}
    label: str
    setting: str | None
    population: str | None
    summary: str | None
    maximum_cycles: int | None
    value: Sourced


@dataclass(frozen=True)
class AdverseReactionEntry:
    event: str
    any_grade: Quantity | None
    grade3_plus: Quantity | None
    serious: Quantity | None
    counted: str | None  # n/N where the source gives them
    population: str | None  # trial, population, setting, combination: what the figures are of
    other: str | None  # onset, fatal cases, or the frequency in words
    value: Sourced


@dataclass(frozen=True)
class MonitoringEntry:
    what: str
    summary: str | None
    value: Sourced


@dataclass(frozen=True)
class SafetyEntry:
    kind: str  # "boxed warning", "contraindication", "precaution", "pitfall"
    label: str
    summary: str | None
    recommendations: tuple[str, ...]
    label_versions: tuple[LabelVersionRef, ...]
    value: Sourced


@dataclass(frozen=True)
class RuleEntry:
    """A dose modification rule in words: when (trigger) and what to do (actions, in order)."""

    id: str
    label: str
    trigger: str
    actions: tuple[str, ...]
    scope: str  # settings and population, or that the source states none
    grading: str | None
    discontinues: bool  # one of its actions stops the therapy for good
    value: Sourced


@dataclass(frozen=True)
class AlternativeEntry:
    therapy: str  # local name of the other therapy
    therapy_label: str
    direction: str  # "alternative to this therapy" or "this therapy is an alternative to it"
    applicable: bool
    reason: str | None
    settings: tuple[str, ...]
    conditions: tuple[str, ...]
    roles: tuple[str, ...]
    value: Sourced


@dataclass(frozen=True)
class TrialEntry:
    id: str  # local name
    label: str
    phase: str | None
    design: str | None
    registry_id: str | None
    registry_url: str | None
    value: Sourced


@dataclass(frozen=True)
class OutcomeEntry:
    endpoint: str
    trial: str | None
    population: str | None
    design: str | None
    counted: str | None
    data_cut: str | None
    value: Sourced


@dataclass(frozen=True)
class TherapyProfile:
    """Everything the therapy page shows, each value with its sources."""

    id: str  # compact id (tkgr:blinatumomab)
    iri: str
    label: str
    kind: str | None  # in words ("bispecific T-cell engager")
    description: str | None
    targets: tuple[str, ...]
    mechanisms: tuple[str, ...]
    brand_names: tuple[str, ...]
    synonyms: tuple[str, ...]
    payload: str | None
    initial_approval_year: int | None
    sources: tuple[Citation, ...]  # of the description and identifiers
    facts: tuple[Fact, ...]
    identifiers: tuple[Identifier, ...]
    indications: tuple[IndicationEntry, ...]
    regimens: tuple[RegimenEntry, ...]
    adverse_reactions: tuple[AdverseReactionEntry, ...]
    monitoring: tuple[MonitoringEntry, ...]
    safety: tuple[SafetyEntry, ...]
    rules: tuple[RuleEntry, ...]
    alternatives: tuple[AlternativeEntry, ...]
    trials: tuple[TrialEntry, ...]
    outcomes: tuple[OutcomeEntry, ...]

    @property
    def local_id(self) -> str:
        return self.iri[len(TKGR):] if self.iri.startswith(TKGR) else self.id

    @property
    def boxed_warnings(self) -> tuple[SafetyEntry, ...]:
        return tuple(s for s in self.safety if s.kind == "boxed warning")


# -- reading ---------------------------------------------------------------------

class _Reader:
    """The loaded nodes of one profile, the conflicts of its claims, and how to cite them."""

    def __init__(self, loaders: Loaders):
        self.loaders = loaders
        self.nodes: dict[str, Node] = {}
        self.conflicts: dict[str, list[str]] = {}  # claim -> conflicts it takes part in

    async def load(self, iris: Iterable[str]) -> list[Node]:
        wanted = sorted(set(iris))
        missing = [i for i in wanted if i not in self.nodes]
        for node in await self.loaders.nodes(missing):
            self.nodes[node.iri] = node
        return [self.nodes[i] for i in wanted]

    def get(self, iri: str) -> Node:
        return self.nodes.get(iri) or Node(iri)

    def labels(self, iris: Iterable[str]) -> str:
        return ", ".join(self.get(i).label for i in iris)

    async def prepare(self, claims: Iterable[str]) -> None:
        """Load the claims, their sources, their conflicts and the other sides' claims with their sources."""
        claims = sorted(set(claims))
        await self.load(claims)
        found = await asyncio.gather(*[self.loaders.referring(TKG + "conflictingClaim", c) for c in claims])
        self.conflicts.update(zip(claims, found, strict=True))
        conflict_nodes = await self.load({c for lst in found for c in lst})
        others = {o for n in conflict_nodes for o in n.tkg_refs("conflictingClaim")}
        await self.load(others)
        every = [self.get(i) for i in set(claims) | others]
        await self.load({i for n in every for i in n.refs(PROV_DERIVED) + n.tkg_refs("citedReference")})
        # Label versions the sources reproduce.
        sources = [self.get(i) for n in every for i in n.refs(PROV_DERIVED)]
        await self.load({v for s in sources for v in s.tkg_refs("reproducesLabel")})

    def citations(self, iri: str) -> tuple[Citation, ...]:
        node = self.get(iri)
        return tuple(cite(node, [self.get(s) for s in node.refs(PROV_DERIVED)],
                          [self.get(r) for r in node.tkg_refs("citedReference")]))

    def conflict_notes(self, claim: str) -> tuple[ConflictNote, ...]:
        notes = []
        for iri in self.conflicts.get(claim, []):
            node = self.get(iri)
            others = tuple(OtherSide(claim=to_id(o), label=self.get(o).label, summary=self.get(o).tkg1("summary"),
                                     citations=self.citations(o))
                           for o in node.tkg_refs("conflictingClaim") if o != claim)
            notes.append(ConflictNote(id=to_id(iri), label=node.label, aspect=node.tkg1("conflictAspect"),
                                      explanation=node.first(RDFS_COMMENT), others=others))
        return tuple(notes)

    def sourced(self, claim: str, text: str, context: str | None = None) -> Sourced:
        notes = self.conflict_notes(claim)
        return Sourced(text=text, citations=self.citations(claim), claim=to_id(claim), context=context,
                       disputed=bool(notes), conflicts=notes)

    def from_value(self, value: ComparisonValue, context: str | None = None) -> Sourced:
        """A comparison value as a profile value (its citations and dispute as the comparison found them)."""
        claim = expand(value.claim) if value.claim else None
        notes = self.conflict_notes(claim) if claim else ()
        return Sourced(text=value.text, citations=tuple(value.sources), claim=value.claim, context=context,
                       disputed=value.disputed or bool(notes), conflicts=notes)

    def label_versions(self, claim: str) -> tuple[LabelVersionRef, ...]:
        versions = {v for s in self.get(claim).refs(PROV_DERIVED) for v in self.get(s).tkg_refs("reproducesLabel")}
        refs = [LabelVersionRef(id=to_id(v), label=self.get(v).label, jurisdiction=_text(self.get(v).tkg1("jurisdiction")),
                                version_date=_text(self.get(v).tkg1("versionDate"))) for v in versions]
        return tuple(sorted(refs, key=lambda r: (r.version_date or "", r.label)))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _local(iri: str) -> str:
    return iri[len(TKGR):] if iri.startswith(TKGR) else to_id(iri)


def _context(*parts: str | None) -> str | None:
    return "; ".join(p for p in parts if p) or None


# -- identifiers -----------------------------------------------------------------

def _curie_of(iri: str) -> tuple[str, str] | None:
    for scheme, (prefix, url) in _SCHEMES.items():
        if iri.startswith(prefix):
            code = iri[len(prefix):]
            return f"{scheme}:{code}", url.format(code)
    return None


def _url_of(curie: str) -> str | None:
    scheme, _, code = curie.partition(":")
    found = _SCHEMES.get(scheme.upper())
    return found[1].format(code) if found and code else None


def _identifiers(reader: _Reader, therapy: Node, statements: list[Node]) -> tuple[Identifier, ...]:
    unverified = set(therapy.texts(TKG + "unverifiedIdentifier"))
    own = reader.citations(therapy.iri)
    found: dict[str, Identifier] = {}
    for predicate, match in ((SKOS + "exactMatch", "exact"), (SKOS + "closeMatch", "close")):
        for iri in therapy.refs(predicate):
            known = _curie_of(iri)
            curie, url = known if known else (iri, iri)
            found.setdefault(curie, Identifier(curie=curie, url=url, match=match, unverified=curie in unverified, citations=own))
    for notation in therapy.texts(SKOS + "notation"):
        found.setdefault(notation, Identifier(curie=notation, url=_url_of(notation), match="notation",
                                              unverified=notation in unverified, citations=own))
    for statement in statements:
        cited = reader.citations(statement.iri)
        for notation in statement.texts(SKOS + "notation"):
            if notation in found:  # the statement is the source that prints it
                old = found[notation]
                found[notation] = Identifier(old.curie, old.url, old.match, old.unverified, tuple(cited))
            else:
                found[notation] = Identifier(notation, _url_of(notation), "notation", notation in unverified, cited)
        for code in statement.texts(TKG + "ndcProductCode"):
            found.setdefault(f"NDC:{code}", Identifier(f"NDC:{code}", None, "product", False, cited))
        for code in statement.texts(TKG + "productLevelRxcui"):
            curie = f"RXNORM:{code}"
            found.setdefault(curie + " (product)", Identifier(curie, _url_of(curie), "product", False, cited))
    order = {"exact": 0, "close": 1, "notation": 2, "product": 3}
    return tuple(sorted(found.values(), key=lambda i: (order[i.match], i.curie)))


# -- sections --------------------------------------------------------------------

def _facts(reader: _Reader, rows: dict[Aspect, list[tuple[str, list[ComparisonValue]]]]) -> tuple[Fact, ...]:
    facts = []
    for aspect in (Aspect.MECHANISM, Aspect.MODALITY, Aspect.ADMINISTRATION):
        for label, values in rows.get(aspect, []):
            if values:
                facts.append(Fact(label=label, values=_merged([reader.from_value(v) for v in values])))
    return tuple(facts)


def _merged(values: list[Sourced]) -> tuple[Sourced, ...]:
    """Values of the same text as one, with every claim's citations and conflicts (the first claim names it)."""
    by_text: dict[str, Sourced] = {}
    for v in values:
        first = by_text.get(v.text)
        if first is None:
            by_text[v.text] = v
            continue
        citations = first.citations + tuple(c for c in v.citations if c not in first.citations)
        conflicts = first.conflicts + tuple(c for c in v.conflicts if c.id not in first.conflict_ids)
        by_text[v.text] = Sourced(text=v.text, citations=citations, claim=first.claim, context=first.context,
                                  disputed=first.disputed or v.disputed, conflicts=conflicts)
    return tuple(by_text.values())


def _indications(reader: _Reader, nodes: list[Node]) -> tuple[IndicationEntry, ...]:
    out = []
    for n in nodes:
        jurisdiction = n.first(DCT + "spatial")
        out.append(IndicationEntry(
            setting=reader.labels(n.tkg_refs("indicationDiseaseState")), population=reader.labels(n.tkg_refs("indicationPopulation")),
            jurisdiction=_text(jurisdiction), agency=_text(n.tkg1("approvingAgency")), approval_date=_text(n.tkg1("approvalDate")),
            approval_kind=_text(n.tkg1("approvalKind")), trials=tuple(reader.get(t).label for t in n.tkg_refs("basisTrial")),
            required_targets=tuple(reader.get(t).label for t in n.tkg_refs("requiresTargetExpression")),
            value=reader.sourced(n.iri, n.tkg1("summary") or n.label)))
    return tuple(sorted(out, key=lambda i: (i.approval_date or "9999", i.setting)))


def _regimens(reader: _Reader, nodes: list[Node]) -> tuple[RegimenEntry, ...]:
    out = [RegimenEntry(id=_local(n.iri), label=n.label, setting=reader.labels(n.tkg_refs("regimenSetting")) or None,
                        population=reader.labels(n.tkg_refs("regimenPopulation")) or None, summary=n.tkg1("summary"),
                        maximum_cycles=n.tkg1("maximumCycles"), value=reader.sourced(n.iri, n.label))
           for n in nodes]
    return tuple(sorted(out, key=lambda r: (r.setting or "", r.label)))


def _counted(*quantities: Quantity | None) -> str | None:
    for q in quantities:
        if q is not None and q.denominator is not None:
            return f"{q.numerator}/{q.denominator}" if q.numerator is not None else f"N={q.denominator}"
    return None


def _adverse_reactions(reader: _Reader, rows: list[tuple[str, list[ComparisonValue]]]) -> tuple[AdverseReactionEntry, ...]:
    out = []
    for event, values in rows:
        for v in values:
            node = reader.get(expand(v.claim or ""))
            serious = Quantity.from_struct(node.tkg1("seriousIncidence"))
            onset = Quantity.from_struct(node.tkg1("medianOnset"))
            other = [f"median onset {onset.text}" if onset else "", _text(node.tkg1("typicalOnset")) or "",
                     f"{node.tkg1('fatalCount')} fatal" if node.tkg1("fatalCount") is not None else "",
                     _text(node.tkg1("frequencyDescription")) or ""]
            population = _context(v.context.trial, reader.labels(node.tkg_refs("inPopulation")) or None, v.context.setting,
                                  f"with {v.context.combination}" if v.context.combination else None,
                                  "setting not stated" if node.tkg1("settingNotStated") is True and not v.context.setting else None)
            out.append(AdverseReactionEntry(
                event=event, any_grade=v.quantity, grade3_plus=v.comparator_quantity, serious=serious,
                counted=_counted(v.quantity, v.comparator_quantity, serious), population=population,
                other="; ".join(o for o in other if o) or None, value=reader.from_value(v, population)))
    return tuple(out)


def _monitoring(reader: _Reader, values: list[ComparisonValue]) -> tuple[MonitoringEntry, ...]:
    return tuple(MonitoringEntry(what=v.text, summary=reader.get(expand(v.claim or "")).tkg1("summary"), value=reader.from_value(v))
                 for v in values)


def _safety(reader: _Reader, nodes: list[Node]) -> tuple[SafetyEntry, ...]:
    out = []
    for local, kind in _SAFETY_KINDS:
        for n in (n for n in nodes if n.is_a(local)):
            out.append(SafetyEntry(kind=kind, label=n.label, summary=n.tkg1("summary"),
                                   recommendations=tuple(n.texts(TKG + "recommendation")),
                                   label_versions=reader.label_versions(n.iri), value=reader.sourced(n.iri, n.label)))
    return tuple(out)


def _sequence(node: Node) -> int:
    found = node.tkg1("sequence")
    return found if isinstance(found, int) else 0


def _rules(reader: _Reader, nodes: list[Node]) -> tuple[RuleEntry, ...]:
    out = []
    for n in nodes:
        triggers = [reader.get(t) for t in n.tkg_refs("hasTrigger")]
        actions = sorted((reader.get(a) for a in n.tkg_refs("hasAction")), key=_sequence)
        trigger = "; ".join(t.label for t in triggers) or n.label
        if any(t.tkg1("onRecurrence") is True for t in triggers) and "recur" not in trigger:
            trigger += " (when it recurs)"
        scope = [reader.labels(n.tkg_refs("ruleSetting")), reader.labels(n.tkg_refs("rulePopulation")),
                 "the source states no setting" if n.tkg1("settingNotStated") is True else "",
                 "the source states no population" if n.tkg1("populationNotStated") is True else ""]
        grading = n.tkg_refs("gradingSystem")
        out.append(RuleEntry(
            id=to_id(n.iri), label=n.label, trigger=trigger, actions=tuple(a.label for a in actions),
            scope="; ".join(s for s in scope if s) or "not stated", grading=reader.labels(grading) or None,
            discontinues=n.is_a("PermanentDiscontinuationRule")
            or any(TKG + "DiscontinuePermanently" in a.tkg_refs("actionKind") for a in actions),
            value=reader.sourced(n.iri, n.label)))
    return tuple(sorted(out, key=lambda r: (r.trigger.lower(), r.label)))


def _alternatives(reader: _Reader, therapy: str, nodes: list[Node]) -> tuple[AlternativeEntry, ...]:
    out = []
    for n in nodes:
        to, alt = n.tkg_refs("alternativeTo"), n.tkg_refs("alternativeTherapy")
        if therapy in to:
            others, direction = [a for a in alt if a != therapy], "alternative to this therapy"
        else:
            others, direction = [t for t in to if t != therapy], "this therapy is an alternative to it"
        for other in others:
            out.append(AlternativeEntry(
                therapy=_local(other), therapy_label=reader.get(other).label, direction=direction,
                applicable=TKG + "Applicable" in n.tkg_refs("applicability"), reason=_text(n.tkg1("applicabilityReason")),
                settings=tuple(reader.get(s).label for s in n.tkg_refs("inSetting")),
                conditions=tuple(n.texts(TKG + "condition")), roles=tuple(reader.get(r).label for r in n.tkg_refs("hasRole")),
                value=reader.sourced(n.iri, n.tkg1("summary") or n.label)))
    return tuple(sorted(out, key=lambda a: (a.direction, a.therapy_label.lower(), a.value.claim or "")))


def _trials(reader: _Reader, nodes: list[Node]) -> tuple[TrialEntry, ...]:
    out = []
    for n in nodes:
        registry = next((m for m in n.refs(SKOS + "exactMatch") if "clinicaltrials.gov" in m), None)
        out.append(TrialEntry(id=_local(n.iri), label=n.label, phase=_text(n.tkg1("trialPhase")), design=_text(n.tkg1("trialDesign")),
                              registry_id=_text(n.tkg1("registryId")), registry_url=registry,
                              value=reader.sourced(n.iri, n.label)))
    return tuple(sorted(out, key=lambda t: t.label.lower()))


def _outcomes(reader: _Reader, rows: list[tuple[str, list[ComparisonValue]]]) -> tuple[OutcomeEntry, ...]:
    return tuple(OutcomeEntry(endpoint=label, trial=v.context.trial, population=v.context.population, design=v.context.design,
                              counted=v.context.counted, data_cut=v.context.data_cut,
                              value=reader.from_value(v, _context(v.context.trial, v.context.population, v.context.setting,
                                                                  v.context.assessment)))
                 for label, values in rows for v in values)


async def _trial_iris(loaders: Loaders, therapy: str) -> list[str]:
    arms = await loaders.referring(TKG + "armIntervention", therapy)
    per_arm = await asyncio.gather(*(loaders.referring(TKG + "hasArm", arm) for arm in arms))
    return sorted({t for found in per_arm for t in found})


async def therapy_profile(loaders: Loaders, therapy_iri: str) -> TherapyProfile:
    """The profile of the therapy ``therapy_iri``.

    :raises UserInputError: the IRI names no therapy.
    """
    reader = _Reader(loaders)
    (therapy,) = await reader.load([therapy_iri])
    if not therapy.is_a("Therapy"):
        raise UserInputError(f"not a therapy: {to_id(therapy_iri)}")
    # The comparison's rows for this one therapy.
    compared_rows, (about, indication_nodes, regimens, statements), (alternatives_to, alternatives_of), trials = await asyncio.gather(
        therapy_rows(loaders, therapy_iri),
        asyncio.gather(loaders.referring_nodes(TKG + "forTherapy", therapy_iri),
                       loaders.referring_nodes(TKG + "indicationTherapy", therapy_iri, TKG + "Indication"),
                       loaders.referring_nodes(TKG + "regimenFor", therapy_iri, TKG + "DosingRegimen"),
                       loaders.referring_nodes(TKG + "about", therapy_iri)),
        asyncio.gather(loaders.referring(TKG + "alternativeTo", therapy_iri), loaders.referring(TKG + "alternativeTherapy", therapy_iri)),
        _trial_iris(loaders, therapy_iri))
    rows: dict[Aspect, list[tuple[str, list[ComparisonValue]]]] = {}
    for row in compared_rows:
        rows.setdefault(row.aspect, []).append((row.label, [v for cell in row.cells for v in cell.values]))
    compared = {expand(v.claim) for lst in rows.values() for _, values in lst for v in values if v.claim}
    alternative_iris = sorted({*alternatives_to, *alternatives_of})
    rule_nodes = [n for n in about if n.is_a("DoseModificationRule")]
    safety_nodes = [n for n in about if any(n.is_a(k) for k, _ in _SAFETY_KINDS)]
    identifier_statements = [n for n in statements if n.all(SKOS + "notation") or n.tkg("ndcProductCode") or n.tkg("productLevelRxcui")]
    claims = (compared | {n.iri for n in rule_nodes + safety_nodes + regimens + indication_nodes + identifier_statements}
              | set(alternative_iris) | set(trials) | {therapy_iri})
    await reader.prepare(claims)
    # What the claims link to: triggers and actions of rules, settings, populations, trials, other therapies.
    linked = {i for c in claims for n in [reader.get(c)] for name in (
        "hasTrigger", "hasAction", "ruleSetting", "rulePopulation", "gradingSystem", "indicationDiseaseState",
        "indicationPopulation", "basisTrial", "requiresTargetExpression", "regimenSetting", "regimenPopulation",
        "alternativeTo", "alternativeTherapy", "inSetting", "hasRole", "inPopulation", "hasTarget", "hasMechanism")
        for i in n.tkg_refs(name)}
    await reader.load(linked)
    await reader.load({i for n in [reader.get(r) for r in linked] for i in n.tkg_refs("actionKind")})

    def row_values(aspect: Aspect) -> list[ComparisonValue]:
        return [v for _, values in rows.get(aspect, []) for v in values]

    return TherapyProfile(
        id=to_id(therapy_iri), iri=therapy_iri, label=therapy.label,
        kind=next((v.text for v in row_values(Aspect.MODALITY)), None), description=_text(therapy.first(RDFS_COMMENT)),
        targets=tuple(reader.get(t).label for t in therapy.tkg_refs("hasTarget")),
        mechanisms=tuple(reader.get(m).label for m in therapy.tkg_refs("hasMechanism")),
        brand_names=tuple(therapy.texts(TKG + "brandName")), synonyms=tuple(therapy.texts(SKOS + "altLabel")),
        payload=_text(therapy.tkg1("payload")), initial_approval_year=therapy.tkg1("initialApprovalYear"),
        sources=reader.citations(therapy_iri), facts=_facts(reader, rows),
        identifiers=_identifiers(reader, therapy, identifier_statements),
        indications=_indications(reader, indication_nodes), regimens=_regimens(reader, regimens),
        adverse_reactions=_adverse_reactions(reader, rows.get(Aspect.ADVERSE_EVENTS, [])),
        monitoring=_monitoring(reader, row_values(Aspect.MONITORING)),
        safety=_safety(reader, sorted(safety_nodes, key=lambda n: n.label)),
        rules=_rules(reader, rule_nodes),
        alternatives=_alternatives(reader, therapy_iri, [reader.get(i) for i in alternative_iris]),
        trials=_trials(reader, [reader.get(t) for t in trials if reader.get(t).exists]),
        outcomes=_outcomes(reader, rows.get(Aspect.EFFICACY, [])))
