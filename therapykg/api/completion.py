"""Completion for the query editor, from the service itself: GET
/sparql/complete?q=<text>&kind=<class|property|resource> answers with this
graph's classes, properties and resources whose name or label matches, as
JSON ``[{"iri", "prefixed", "label", "kind"}]``, best first.

The terms come from one query (``queries/service/completion-terms.rq``) run
once per graph version on the service's engine; every request after that is
answered from memory."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from therapykg.api.http import built_for_version, cache_headers, engine_error, error, etag_for, not_modified
from therapykg.namespaces import PREFIXES
from therapykg.queries import query_text
from therapykg.store.admission import SERVICE
from therapykg.store.errors import EngineError
from therapykg.store.worker import QueryJob

KINDS = ("class", "property", "resource")
MAX_QUERY_CHARS = 100
MAX_RESULTS = 50
# Longest namespace first, so that a namespace inside another one wins.
_NAMESPACES = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda item: -len(item[0]))
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:(.*)$")


@dataclass(frozen=True)
class Term:
    iri: str
    kind: str
    prefixed: str
    local: str  # the name after its namespace (or after the IRI's last / or #), lowercased
    label: str | None
    names: tuple[str, ...]  # every label and alternative label, lowercased

    def as_json(self) -> dict[str, str | None]:
        return {"iri": self.iri, "prefixed": self.prefixed, "label": self.label, "kind": self.kind}


class CompletionIndex:
    """The terms of one graph version, searched in memory."""

    def __init__(self, version: str, terms: list[Term]):
        self.version = version
        self.by_kind: dict[str, list[Term]] = defaultdict(list)
        for term in sorted(terms, key=lambda t: t.prefixed):
            self.by_kind[term.kind].append(term)

    @classmethod
    def of_rows(cls, version: str, rows: list[dict]) -> CompletionIndex:
        """From the rows of ``service/completion-terms`` (SPARQL JSON bindings)."""
        kinds: dict[str, set[str]] = defaultdict(set)
        labels: dict[str, set[tuple[str, str]]] = defaultdict(set)
        alts: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            iri = row["term"]["value"]
            kinds[iri].add(row["kind"]["value"])
            if "label" in row:
                labels[iri].add((row["label"].get("xml:lang", ""), row["label"]["value"]))
            if "alt" in row:
                alts[iri].add(row["alt"]["value"])
        terms = []
        for iri, found in kinds.items():
            own = found & {"class", "property"} or {"resource"}
            # An English (or untagged) label first, then any other; alphabetical within each.
            ordered = [value for _, value in sorted(labels[iri], key=lambda lv: (lv[0] not in ("", "en"), lv[1]))]
            names = tuple(dict.fromkeys(n.lower() for n in [*ordered, *sorted(alts[iri])]))
            prefixed, local = _split(iri)
            for kind in sorted(own):
                terms.append(Term(iri, kind, prefixed, local.lower(), ordered[0] if ordered else None, names))
        return cls(version, terms)

    def search(self, text: str, kinds: tuple[str, ...] = KINDS, limit: int = MAX_RESULTS) -> list[Term]:
        """The terms of ``kinds`` matching ``text``: a prefixed name or the
        start of an IRI (matched in its namespace by local name or label),
        or plain words (matched against every local name and label). Exact
        matches first, then those whose name and label start with the text,
        then those where either does, then those containing it; shorter names first within each (alphabetical when
        the text names no more than a namespace)."""
        text = text.strip().removeprefix("<").removesuffix(">")
        namespace, needle = _target(text)
        if namespace == "":  # an unknown prefix: nothing of this graph's can match
            return []
        needle = needle.lower()
        ranked = []
        for kind in kinds:
            for term in self.by_kind.get(kind, ()):
                if namespace is not None and not term.iri.startswith(namespace):
                    continue
                rank = _rank(term, needle)
                if rank is not None:
                    # Within a rank, the shortest name first (a drug before the claims named after it).
                    size = len(term.label or term.local) if needle else 0
                    ranked.append((rank, size, len(term.local) if needle else 0, term.prefixed, kind, term))
        ranked.sort(key=lambda item: item[:5])
        return [item[-1] for item in ranked[:limit]]


def _split(iri: str) -> tuple[str, str]:
    """(the prefixed name or the bracketed IRI, the local name)."""
    for namespace, prefix in _NAMESPACES:
        local = iri[len(namespace):]
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", local) and not local.endswith("."):
            return f"{prefix}:{local}", local
    return f"<{iri}>", re.split(r"[/#]", iri)[-1]


def _target(text: str) -> tuple[str | None, str]:
    """(the namespace the text names, or None for none, or "" for an unknown one; the text to match)."""
    for namespace, _ in _NAMESPACES:
        if text.startswith(namespace):
            return namespace, text[len(namespace):]
    if "://" in text:
        return "", text
    match = _PREFIXED.match(text)
    if match:
        return PREFIXES.get(match.group(1) or "", ""), match.group(2)
    return None, text


def _rank(term: Term, needle: str) -> int | None:
    """0: the local name or a label is the text; 1: the local name and the
    label start with it; 2: either starts with it; 3: either contains it;
    None: no match."""
    if not needle:
        return 1
    names = (term.local, *term.names)
    if needle in names:
        return 0
    starts = [n.startswith(needle) for n in names]
    if starts[0] and (len(starts) == 1 or starts[1]):
        return 1
    if any(starts):
        return 2
    if any(needle in n for n in names):
        return 3
    return None


async def completion_index(app: Starlette) -> CompletionIndex:
    """The index for the graph version the engine serves now, built once per version."""
    engine = app.state.engine
    version = engine.version

    async def build() -> CompletionIndex:
        job = QueryJob(query=query_text("service/completion-terms"), result_format="json", graph_format=None,
                       max_rows=None)
        outcome = await engine.execute(job, app.state.settings.query_timeout, lane=SERVICE)
        return CompletionIndex.of_rows(version, json.loads(bytes(outcome.body))["results"]["bindings"])

    return await built_for_version(app.state, "completion_index", version, build)


async def complete(request: Request) -> Response:
    params = request.query_params
    for name in params:
        if name not in ("q", "kind", "limit"):
            return error(400, f"unknown parameter {name!r}: use q, kind (class, property or resource) and limit")
    text = params.get("q", "")
    if len(params.getlist("q")) > 1 or len(params.getlist("kind")) > 1 or len(params.getlist("limit")) > 1:
        return error(400, "give q, kind and limit at most once each")
    if len(text) > MAX_QUERY_CHARS:
        return error(400, f"q is {len(text)} characters long; at most {MAX_QUERY_CHARS} are searched")
    if any(ord(c) < 32 for c in text):
        return error(400, "q has a control character")
    kind = params.get("kind")
    if kind is not None and kind not in KINDS:
        return error(400, f"kind {kind!r} is not one of {', '.join(KINDS)}")
    raw_limit = params.get("limit")
    limit = MAX_RESULTS
    if raw_limit is not None:
        if not re.fullmatch(r"\d{1,3}", raw_limit) or not 1 <= int(raw_limit) <= MAX_RESULTS:
            return error(400, f"limit {raw_limit!r} is not a whole number from 1 to {MAX_RESULTS}")
        limit = int(raw_limit)
    try:
        index = await completion_index(request.app)
    except EngineError as exc:
        return engine_error(exc)
    etag = etag_for(index.version, "complete", text, kind, limit)
    cached = not_modified(request, etag)
    if cached:
        return cached
    terms = index.search(text, (kind,) if kind else KINDS, limit)
    return JSONResponse([t.as_json() for t in terms], headers=cache_headers(request, etag))
