"""The evidence as lists: every recorded conflict with the claims it sets
against each other (their values, therapies and sources), and every source
with what it is and the claims drawn from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from therapykg.domain.evidence import Citation, OutcomeIntervals, Quantity, Source, cite
from therapykg.domain.ids import to_id, to_local
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import DCT, PROV_DERIVED, RDFS_COMMENT, Node, Struct
from therapykg.domain.rows import text
from therapykg.domain.search import href
from therapykg.namespaces import TKG
from therapykg.queries import query_text

RDF_OBJECT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#object"

# The quantities a claim may state, in the order its value text lists them, each with its name for people
# (the claim's main value has none).
_QUANTITIES = (("value", ""), ("dose", ""), ("doseCap", "at most"), ("rate", "rate"), ("duration", "duration"),
               ("anyGradeIncidence", "any grade"), ("grade3PlusIncidence", "grade 3 or higher"),
               ("seriousIncidence", "serious"), ("medianOnset", "median onset"),
               ("medianResolution", "median resolution"), ("treatmentPeriod", "treatment period"),
               ("treatmentFreeInterval", "treatment-free interval"), ("cycleLength", "cycle length"),
               ("comparatorValue", "comparator"), ("medianFollowUp", "median follow-up"))


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Named:
    """A resource shown by name, with its compact id, local name (for anchors and filters) and page."""

    id: str
    label: str
    local: str
    href: str


@dataclass(frozen=True)
class ClaimRef:
    """A claim in a list: compact id, label, kind of claim and page."""

    id: str
    label: str
    kind: str
    href: str


@dataclass(frozen=True)
class ClaimGroup:
    """The claims of one kind, drawn from one source."""

    kind: str
    claims: list[ClaimRef]

    @property
    def count(self) -> int:
        return len(self.claims)


@dataclass(frozen=True)
class ConflictSide:
    """One claim of a conflict: what it says (its value, where it has one), about which therapies, from which sources."""

    id: str
    label: str
    kind: str
    href: str
    summary: str | None
    value: str | None
    therapies: list[Named]
    citations: list[Citation]
    comment: str | None = None
    source_issues: list[str] = field(default_factory=list)  # what looks wrong in the source as stated

    @property
    def therapy(self) -> Named | None:
        return self.therapies[0] if self.therapies else None


@dataclass(frozen=True)
class ConflictView:
    """A recorded disagreement between sources, with every claim it sets against the others."""

    id: str
    local: str
    label: str
    comment: str | None
    kind: str | None  # the kind of conflict, for people ("different data cut or analysis population")
    kind_id: str | None
    aspect: str | None
    sides: list[ConflictSide]

    @property
    def therapies(self) -> list[Named]:
        """The therapies any side is about, each once, in the order of the sides."""
        seen: dict[str, Named] = {}
        for side in self.sides:
            for therapy in side.therapies:
                seen.setdefault(therapy.id, therapy)
        return list(seen.values())


@dataclass(frozen=True)
class SourceView:
    """A source: what it is, where to read it, the label version it reproduces, and the claims drawn from it."""

    source: Source
    local: str
    kind: str | None
    urls: list[str]
    identifiers: list[str]
    issued: str | None
    modified: str | None
    publisher: str | None
    comment: str | None
    label_version: Named | None
    part_of: Named | None  # the article, for one of its numbered references
    claims: list[ClaimRef]  # derived from it (prov:wasDerivedFrom)
    cited_by: list[ClaimRef]  # citing it as a numbered reference of the article (tkg:citedReference)

    @property
    def id(self) -> str:
        return self.source.id

    @property
    def label(self) -> str:
        return self.source.label

    @property
    def title(self) -> str:
        return self.source.title

    @property
    def groups(self) -> list[ClaimGroup]:
        """The claims drawn from it by kind, the largest group first."""
        by_kind: dict[str, list[ClaimRef]] = {}
        for claim in self.claims:
            by_kind.setdefault(claim.kind, []).append(claim)
        return sorted((ClaimGroup(kind, claims) for kind, claims in by_kind.items()), key=lambda g: (-g.count, g.kind))


# Of a described resource's classes, the one that names it (a kind of claim before any of these).
_DESCRIBED = tuple(TKG + name for name in ("Therapy", "ClinicalTrial", "TrialArm", "Population", "AdverseEvent", "Disease",
                                           "DiseaseState", "ClinicalFinding", "LabelVersion"))


def _kind_order(kind: str | None) -> int:
    if kind is None:
        return len(_DESCRIBED) + 1
    return _DESCRIBED.index(kind) + 1 if kind in _DESCRIBED else 0


def _claim_href(iri: str, kind: str | None) -> str:
    return href(iri, {kind} if kind else set())


def _digits(value: object) -> str:
    return format(value, "f") if not isinstance(value, (int, str)) else str(value)


def value_text(claim: Node) -> str | None:
    """What a claim states as a value, as its sources give it: its quantities, interval, hazard ratio or identifier."""
    parts: list[str] = []
    for name, title in _QUANTITIES:
        for struct in claim.tkg(name):
            quantity = Quantity.from_struct(struct if isinstance(struct, Struct) else None)
            if quantity is not None:
                parts.append(f"{title} {quantity.text}".strip())
    if claim.tkg1("medianNotReached") is True:
        parts.append("median not reached")
    interval = OutcomeIntervals.of(claim).value
    if interval is not None:
        parts.append(interval.text)
    if (ratio := claim.tkg1("hazardRatio")) is not None:
        parts.append(f"HR {_digits(ratio)}")
    if (cycles := claim.tkg1("maximumCycles")) is not None:
        parts.append(f"at most {cycles} cycles")
    if (listed := claim.tkg1("lastCycleListed")) is not None:
        parts.append(f"cycles listed up to {listed}")
    for obj in claim.texts(RDF_OBJECT):
        parts.append(obj)
    return "; ".join(parts) or None


def _named(node: Node) -> Named:
    return Named(id=to_id(node.iri), label=node.label, local=_local(node.iri), href=href(node.iri, node.types))


async def conflicts(loaders: Loaders) -> list[ConflictView]:
    """Every recorded conflict with its claims side by side, by label."""
    rows = await loaders.backend.select(query_text("model/evidence-conflicts"))
    claims_of: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    therapies_of: dict[str, list[str]] = {}
    for row in rows:
        conflict, claim = row["conflict"]["value"], text(row, "claim")
        bucket = claims_of.setdefault(conflict, [])
        if claim is None:
            continue
        if claim not in bucket:
            bucket.append(claim)
        if (kind := text(row, "kind")) is not None:
            kinds.setdefault(claim, kind)
        if (therapy := text(row, "therapy")) is not None and therapy not in therapies_of.setdefault(claim, []):
            therapies_of[claim].append(therapy)
    claim_iris = sorted({c for found in claims_of.values() for c in found})
    first = {n.iri: n for n in await loaders.nodes(sorted(claims_of) + claim_iris)}
    linked = {ref for iri in claim_iris for ref in first[iri].refs(PROV_DERIVED) + first[iri].tkg_refs("citedReference")
              + first[iri].tkg_refs("hasSourceIssue")}
    linked |= {t for found in therapies_of.values() for t in found} | set(kinds.values())
    linked |= {k for iri in claims_of for k in first[iri].tkg_refs("conflictKind")}
    second = {n.iri: n for n in await loaders.nodes(sorted(linked))}

    def side(iri: str) -> ConflictSide:
        claim = first[iri]
        kind = kinds.get(iri)
        sources = [second[s] for s in sorted(claim.refs(PROV_DERIVED))]
        references = [second[r] for r in claim.tkg_refs("citedReference")]
        issues = [second[i].label for i in claim.tkg_refs("hasSourceIssue")]
        return ConflictSide(id=to_id(iri), label=claim.label, kind=second[kind].label if kind else "claim",
                            href=_claim_href(iri, kind), summary=claim.tkg1("summary"), value=value_text(claim),
                            therapies=[_named(second[t]) for t in therapies_of.get(iri, [])],
                            citations=cite(claim, sources, references), comment=claim.first(RDFS_COMMENT),
                            source_issues=issues)

    views = []
    for iri, claims in claims_of.items():
        node = first[iri]
        kind_ref = next(iter(node.tkg_refs("conflictKind")), None)
        views.append(ConflictView(id=to_id(iri), local=_local(iri), label=node.label, comment=node.first(RDFS_COMMENT),
                                  kind=second[kind_ref].label if kind_ref is not None and kind_ref in second else None,
                                  kind_id=to_id(kind_ref) if kind_ref else None, aspect=node.tkg1("conflictAspect"),
                                  sides=[side(c) for c in claims]))
    return sorted(views, key=lambda v: (v.label.lower(), v.id))


def involving(views: list[ConflictView], therapy: str) -> list[ConflictView]:
    """The conflicts that a claim about ``therapy`` (a local name, compact id or IRI) takes part in."""
    local = to_local(therapy)
    return [v for v in views if any(t.local == local for t in v.therapies)]


async def sources(loaders: Loaders) -> list[SourceView]:
    """Every source with the claims drawn from it, by label."""
    rows = await loaders.backend.select(query_text("model/evidence-sources"))
    derived: dict[str, dict[str, ClaimRef]] = {}
    cited: dict[str, dict[str, ClaimRef]] = {}
    kinds: dict[str, str] = {}
    for row in rows:
        source = row["source"]["value"]
        derived.setdefault(source, {})
        cited.setdefault(source, {})
        claim = text(row, "claim")
        if claim is None or row["claim"].get("type") != "uri":
            continue
        bucket = derived[source] if text(row, "link") == "derived" else cited[source]
        kind, kind_label = text(row, "kind") or text(row, "class"), text(row, "kindLabel") or text(row, "classLabel")
        if claim in bucket and _kind_order(kind) >= _kind_order(kinds.get(claim)):
            continue
        if kind is not None:
            kinds[claim] = kind
        bucket[claim] = ClaimRef(id=to_id(claim), label=text(row, "claimLabel") or _local(claim),
                                 kind=kind_label or "resource", href=_claim_href(claim, kind))
    nodes = {n.iri: n for n in await loaders.nodes(sorted(derived))}
    linked = sorted({ref for n in nodes.values() for ref in n.tkg_refs("reproducesLabel") + n.refs(DCT + "isPartOf")})
    others = {n.iri: n for n in await loaders.nodes(linked)}

    def one(node: Node, predicate: str) -> Named | None:
        found = node.refs(predicate)
        return _named(others[found[0]]) if found and found[0] in others else None

    def claims(found: dict[str, ClaimRef]) -> list[ClaimRef]:
        return sorted(found.values(), key=lambda c: (c.kind, c.label.lower(), c.id))

    views = []
    for iri, node in nodes.items():
        views.append(SourceView(source=Source.from_node(node), local=_local(iri), kind=node.tkg1("sourceKind"),
                                urls=node.texts("https://schema.org/url"), identifiers=node.texts(DCT + "identifier"),
                                issued=_date(node.first(DCT + "issued")), modified=_date(node.first(DCT + "modified")),
                                publisher=_text(node, DCT + "publisher"), comment=node.first(RDFS_COMMENT),
                                label_version=one(node, TKG + "reproducesLabel"), part_of=one(node, DCT + "isPartOf"),
                                claims=claims(derived[iri]), cited_by=claims(cited[iri])))
    return sorted(views, key=lambda v: (v.label.lower(), v.id))


def _text(node: Node, predicate: str) -> str | None:
    found = node.texts(predicate)
    return ", ".join(found) if found else None


def _date(value: object) -> str | None:
    return None if value is None else str(value)


async def source(loaders: Loaders, local: str) -> SourceView | None:
    """One source by its local name (``source-article``), or None when there is no such source."""
    return next((view for view in await sources(loaders) if view.local == local), None)
