"""Search by name: therapies, trials, adverse events and clinical findings,
conditions, sources, label versions, conflicts and claims, found by their
labels, synonyms, brand names and identifiers, ranked (exact, prefix, word
prefix, substring, then a close fuzzy match), ignoring case and accents.

The names come from one query (``queries/model/search-index.rq``); the index
built from them is kept per graph version (the graph is read-only between
builds), so a search after the first runs no query at all."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field

from therapykg.domain.ids import to_id
from therapykg.domain.loaders import Loaders
from therapykg.namespaces import TKG, TKGR
from therapykg.queries import query_text

MAX_QUERY = 200  # characters of a query that are searched; the rest is ignored
FUZZY_CUTOFF = 0.8  # difflib's similarity ratio a fuzzy match needs
MIN_FUZZY = 4  # shorter queries are matched exactly, never fuzzily

# Each class searched: its label for people, and its order at equal rank
# (therapies and trials before claims). A resource of several takes the first.
KINDS: dict[str, tuple[str, int]] = {
    TKG + "Therapy": ("therapy", 0),
    TKG + "ClinicalTrial": ("clinical trial", 1),
    TKG + "AdverseEvent": ("adverse event", 2),
    TKG + "Disease": ("condition", 3),
    TKG + "DiseaseState": ("condition", 3),
    TKG + "ClinicalFinding": ("clinical finding", 4),
    TKG + "Source": ("source", 5),
    TKG + "LabelVersion": ("label version", 6),
    TKG + "Conflict": ("conflict", 7),
    TKG + "Claim": ("claim", 8),
}
# Fields whose matches count only when exact (a compact id, its local name).
_EXACT_ONLY = "id"
_RANKS = ("exact", "prefix", "word prefix", "substring", "fuzzy")


@dataclass(frozen=True)
class Hit:
    """A resource found: its compact id, label, kind for people, the name
    that matched (a synonym, brand name or identifier when it is not the
    label) and the page that shows it."""

    id: str
    label: str
    kind: str
    matched: str
    href: str
    field: str = "label"  # what the matched name is: label, synonym, brand name, identifier, registry number, id
    rank: str = "exact"  # how it matched: exact, prefix, word prefix, substring, fuzzy


def normalize(text: str) -> str:
    """Lowercased, without accents, with runs of white space as one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def bounded(text: str) -> str:
    """The part of a query that is searched: stripped, at most ``MAX_QUERY`` characters."""
    return text.strip()[:MAX_QUERY].strip()


@dataclass(frozen=True)
class _Name:
    resource: str
    text: str  # as the graph writes it
    folded: str  # normalized
    field: str


@dataclass
class _Resource:
    iri: str
    classes: set[str] = field(default_factory=set)
    label: str | None = None
    claim_kind: str | None = None

    @property
    def kind(self) -> tuple[str, int]:
        found = sorted((KINDS[c] for c in self.classes if c in KINDS), key=lambda k: k[1])
        label, order = found[0] if found else ("resource", len(KINDS))
        if label == "claim" and self.claim_kind:
            label = self.claim_kind
        return label, order


_WORD = re.compile(r"[\w]+")


class _Index:
    """Every searchable name, normalized, with what it belongs to; and for
    fuzzy matching, the distinct names, words and word pairs by length."""

    def __init__(self, resources: dict[str, _Resource], names: list[_Name]):
        self.resources = resources
        self.names = names
        self.by_length: dict[int, list[str]] = {}
        self.owners: dict[str, list[_Name]] = {}
        for name in names:
            if name.field == _EXACT_ONLY:
                continue
            words = _WORD.findall(name.folded)
            pieces = {name.folded, *words, *(" ".join(words[i:i + 2]) for i in range(len(words) - 1))}
            for piece in pieces:
                if len(piece) >= MIN_FUZZY - 1:
                    owners = self.owners.setdefault(piece, [])
                    if not owners:
                        self.by_length.setdefault(len(piece), []).append(piece)
                    owners.append(name)

    @classmethod
    def of_rows(cls, rows: list[dict[str, dict[str, str]]]) -> _Index:
        resources: dict[str, _Resource] = {}
        names: list[_Name] = []
        seen: set[tuple[str, str, str]] = set()
        for row in rows:
            iri = row["s"]["value"]
            if row["s"].get("type") != "uri":
                continue
            resource = resources.setdefault(iri, _Resource(iri))
            resource.classes.add(row["class"]["value"])
            kind, text = row["field"]["value"], row["name"]["value"]
            if kind == "kind":
                resource.claim_kind = resource.claim_kind or text
                continue
            if kind == "label" and (resource.label is None or row["name"].get("xml:lang") == "en"):
                resource.label = text
            if (iri, kind, text) not in seen and text.strip():
                seen.add((iri, kind, text))
                names.append(_Name(iri, text, normalize(text), kind))
        for iri in resources:
            local = iri.rsplit("/", 1)[-1]
            for text in {local, to_id(iri)}:
                names.append(_Name(iri, text, normalize(text), _EXACT_ONLY))
        return cls(resources, names)

    def fuzzy(self, query: str) -> dict[str, float]:
        """The names, words and word pairs close to ``query``, with their similarity."""
        spread = max(2, len(query) // 4)
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(query)
        found: dict[str, float] = {}
        for length in range(len(query) - spread, len(query) + spread + 1):
            for piece in self.by_length.get(length, ()):
                matcher.set_seq1(piece)
                if matcher.real_quick_ratio() >= FUZZY_CUTOFF and matcher.quick_ratio() >= FUZZY_CUTOFF:
                    ratio = matcher.ratio()
                    if ratio >= FUZZY_CUTOFF:
                        found[piece] = ratio
        return found


def _rank(folded: str, query: str, pattern: re.Pattern[str]) -> int | None:
    if folded == query:
        return 0
    if folded.startswith(query):
        return 1
    if pattern.search(folded):
        return 2
    if query in folded:
        return 3
    return None


# The index of each graph version seen (a few: a service answers from one at a time).
_CACHE: OrderedDict[str, _Index] = OrderedDict()
_CACHE_SIZE = 4


def _version(loaders: Loaders) -> str | None:
    """The version of the graph the loaders read, where it is known without a query."""
    backend = loaders.backend
    for holder in (getattr(backend, "engine", None), getattr(backend, "graph", None)):
        version = getattr(holder, "version", None)
        if isinstance(version, str) and version:
            return version
    return None


async def _index(loaders: Loaders) -> _Index:
    version = _version(loaders)
    if version is not None and (index := _CACHE.get(version)) is not None:
        _CACHE.move_to_end(version)
        return index
    index = _Index.of_rows(await loaders.backend.select(query_text("model/search-index")))
    if version is not None:
        _CACHE[version] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return index


def href(iri: str, kind_classes: set[str]) -> str:
    """The page for people that shows the resource."""
    local = iri.rsplit("/", 1)[-1]
    if iri.startswith(TKGR):
        if TKG + "Therapy" in kind_classes:
            return f"/therapies/{local}"
        if TKG + "Source" in kind_classes:
            return f"/sources/{local}"
        if TKG + "DosingRegimen" in kind_classes:
            return f"/regimens/{local}"
        if TKG + "Conflict" in kind_classes:
            return f"/conflicts#{local}"
        return f"/resource/{local}"
    if iri.startswith(TKG):
        return f"/ontology/{local}"
    return iri


async def search(loaders: Loaders, text: str, *, limit: int = 50) -> list[Hit]:
    """The resources whose names match ``text``, best first: an exact name,
    then a name that starts with it, a word that starts with it, a name that
    contains it, and last a name or word close to it (a typo). At equal rank
    therapies and trials come before the rest, claims last. Case and
    accents are ignored; only the first ``MAX_QUERY`` characters count."""
    query = normalize(bounded(text))
    if not query or limit <= 0:
        return []
    index = await _index(loaders)
    pattern = re.compile(r"(?<!\w)" + re.escape(query))
    best: dict[str, tuple[tuple[int, float, int, int, str], _Name, int]] = {}

    def consider(name: _Name, rank: int, closeness: float) -> None:
        resource = index.resources[name.resource]
        _, order = resource.kind
        # Within a rank: the kind's order, then the closest, then a label over other names, then the shortest.
        key = (rank, -closeness, order, 0 if name.field == "label" else 1, f"{len(name.folded):05d}{name.folded}")
        if name.resource not in best or key < best[name.resource][0]:
            best[name.resource] = (key, name, rank)

    for name in index.names:
        if name.field == _EXACT_ONLY:
            if name.folded == query:
                consider(name, 0, 1.0)
            continue
        found = _rank(name.folded, query, pattern)
        if found is not None:
            consider(name, found, 1.0)
    if len(query) >= MIN_FUZZY:
        for piece, ratio in index.fuzzy(query).items():
            for name in index.owners[piece]:
                consider(name, 4, ratio)
    ordered = sorted(best.values(), key=lambda entry: (entry[0][0], entry[0][2], entry[0][1], entry[0][3:]))
    hits = []
    for _, name, rank in ordered[:limit]:
        resource = index.resources[name.resource]
        label = resource.label or name.resource.rsplit("/", 1)[-1]
        hits.append(Hit(id=to_id(name.resource), label=label, kind=resource.kind[0], matched=name.text,
                        href=href(name.resource, resource.classes), field=name.field, rank=_RANKS[rank]))
    return hits


async def suggestions(loaders: Loaders, text: str, limit: int = 5) -> list[Hit]:
    """A few resources whose names are like ``text`` (for a page that was not
    found): the search's best hits, a mistyped address's words tried too."""
    found = await search(loaders, text, limit=limit)
    if found:
        return found
    words = " ".join(w for w in re.split(r"[^\w]+", bounded(text).rsplit("/", 1)[-1]) if w)
    return await search(loaders, words, limit=limit) if words and words != text else []
