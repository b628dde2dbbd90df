"""The read-only FHIR R5 API under ``/fhir``: ``metadata`` (the
CapabilityStatement), read by type and id, and search by the parameters a
client asks first (``MedicationKnowledge?code=``,
``ClinicalUseDefinition?subject=&type=``, ``PlanDefinition?name=``, ``_id``
on every type), answered in ``application/fhir+json``; errors as
``OperationOutcome``s. The resources are the domain's mapping
(:mod:`therapykg.domain.fhir`), built once per graph version and kept in
``app.state``; the handlers only parse, look up and serialize."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from fhir.resources.capabilitystatement import CapabilityStatement
from fhir.resources.operationoutcome import OperationOutcome
from fhir.resources.resource import Resource
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, Router

from therapykg.api.http import built_for_version, cache_headers, engine_error, etag_for, not_modified
from therapykg.domain.fhir import bundle, fhir_resources, resource_json
from therapykg.domain.loaders import Loaders
from therapykg.store.engine import Selector
from therapykg.store.errors import EngineError

FHIR_JSON = "application/fhir+json"
_JSON_FORMATS = {"json", "application/json", "application/fhir+json"}
_XML_FORMATS = {"xml", "text/xml", "application/xml", "application/fhir+xml"}
_CUD_TYPES = ("indication", "contraindication", "interaction", "undesirable-effect", "warning")
# Search parameters by type, each with its FHIR type and what it matches (beside _id, _format and _count on every type).
SEARCH_PARAMETERS: dict[str, dict[str, tuple[str, str]]] = {
    "MedicationKnowledge": {"code": ("token", "MedicationKnowledge.code: a code (system|code, |code or code) of the therapy")},
    "ClinicalUseDefinition": {"subject": ("reference", "ClinicalUseDefinition.subject: MedicinalProductDefinition/{id}, or the id alone"),
                              "type": ("token", "ClinicalUseDefinition.type: " + " | ".join(_CUD_TYPES))},
    "PlanDefinition": {"name": ("string", "PlanDefinition.name or title: starts with the value, case-insensitive "
                                          "(:exact for the whole name, :contains anywhere)")},
}
_COMMON = {"_id", "_format", "_count", "_total"}
_TOTALS = ("none", "estimate", "accurate")


class FhirError(Exception):
    """A request the API refuses: its status, FHIR issue code and message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class FhirIndex:
    """The resources of one graph version, by type and id, serialized once."""

    version: str
    resources: dict[str, dict[str, Resource]]
    built: str  # the date the set was built (the CapabilityStatement's date)
    body: dict[tuple[str, str], bytes] = field(default_factory=dict)

    @classmethod
    def of(cls, version: str, resources: list[Resource]) -> FhirIndex:
        by_type: dict[str, dict[str, Resource]] = {}
        for resource in resources:
            by_type.setdefault(resource.get_resource_type(), {})[str(resource.id)] = resource
        return cls(version, by_type, datetime.date.today().isoformat())

    def json(self, resource: Resource) -> bytes:
        key = (resource.get_resource_type(), str(resource.id))
        if key not in self.body:
            self.body[key] = resource_json(resource)
        return self.body[key]


async def index(request: Request) -> FhirIndex:
    """The resource set of the engine's graph version, built on first use (one build at a time)."""
    state = request.app.state
    version = state.engine.version or ""

    async def build() -> FhirIndex:
        return FhirIndex.of(version, await fhir_resources(Loaders(Selector(state.engine, state.settings.query_timeout))))

    return await built_for_version(state, "fhir_index", version, build)


def outcome(status: int, code: str, message: str) -> Response:
    """An OperationOutcome with one error issue."""
    body = OperationOutcome.model_validate({"resourceType": "OperationOutcome",
                                            "issue": [{"severity": "error", "code": code, "diagnostics": message}]})
    return Response(resource_json(body), status_code=status, media_type=FHIR_JSON)


def _negotiate(request: Request) -> None:
    """Only JSON is served: ``_format`` or the Accept header asking for XML alone is refused (406)."""
    fmt = request.query_params.get("_format")
    if fmt is not None:
        base = fmt.split(";", 1)[0].strip().lower()
        if base in _JSON_FORMATS:
            return
        if base in _XML_FORMATS:
            raise FhirError(406, "not-supported", "this server answers FHIR JSON only (_format=json)")
        raise FhirError(400, "value", f"unknown _format {fmt!r}: use json")
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return
    types = [part.split(";", 1)[0].strip().lower() for part in accept.split(",")]
    if any(t in _JSON_FORMATS or t in ("*/*", "application/*") or t.endswith("+json") for t in types):
        return
    raise FhirError(406, "not-supported", f"cannot answer {accept!r}: this server answers {FHIR_JSON} only")


async def _respond(request: Request, build: Callable[[FhirIndex], bytes]) -> Response:
    try:
        _negotiate(request)
        version = request.app.state.engine.version or ""
        url = request.url.path + ("?" + request.url.query if request.url.query else "")
        etag = etag_for(version, "fhir", url)
        if (unchanged := not_modified(request, etag)) is not None:
            unchanged.headers["Content-Type"] = FHIR_JSON
            return unchanged
        body = build(await index(request))
    except FhirError as exc:
        return outcome(exc.status, exc.code, exc.message)
    except EngineError as exc:
        failed = engine_error(exc)
        return outcome(failed.status_code, "transient" if failed.status_code == 503 else "exception", str(exc))
    return Response(body, media_type=FHIR_JSON, headers=cache_headers(request, etag))


# -- metadata --------------------------------------------------------------------

def capability(found: FhirIndex, base: str) -> CapabilityStatement:
    resources = []
    for kind in sorted(found.resources):
        params = [{"name": "_id", "type": "token", "documentation": "the resource's id"}]
        params += [{"name": n, "type": t, "documentation": d} for n, (t, d) in SEARCH_PARAMETERS.get(kind, {}).items()]
        resources.append({"type": kind, "interaction": [{"code": "read"}, {"code": "search-type"}],
                          "versioning": "no-version", "readHistory": False, "updateCreate": False,
                          "searchParam": params})
    return CapabilityStatement.model_validate({
        "resourceType": "CapabilityStatement", "status": "active", "date": found.built, "kind": "instance",
        "name": "TherapykgFhir", "title": "therapykg read-only FHIR R5 API",
        "description": "The graph's therapy knowledge as FHIR R5 resources (read and search only). For research and "
                       "informatics use, not for clinical decisions.",
        "software": {"name": "therapykg", "version": found.version or "unknown"},
        "implementation": {"description": "therapykg FHIR API", "url": base},
        "fhirVersion": "5.0.0", "format": ["json"], "rest": [{"mode": "server", "resource": resources}],
    })


async def metadata(request: Request) -> Response:
    base = str(request.url.replace(query="")).rsplit("/metadata", 1)[0]
    return await _respond(request, lambda found: resource_json(capability(found, base)))


# -- read ------------------------------------------------------------------------

def _of_type(found: FhirIndex, kind: str) -> dict[str, Resource]:
    if kind not in found.resources:
        raise FhirError(404, "not-supported", f"resource type {kind!r} is not served here; see /fhir/metadata")
    return found.resources[kind]


async def read(request: Request) -> Response:
    kind, ident = request.path_params["type"], request.path_params["id"]

    def build(found: FhirIndex) -> bytes:
        unknown = set(request.query_params) - {"_format"}
        if unknown:
            raise FhirError(400, "not-supported", f"unknown parameter(s) on read: {', '.join(sorted(unknown))}")
        resource = _of_type(found, kind).get(ident)
        if resource is None:
            raise FhirError(404, "not-found", f"{kind}/{ident} is not known")
        return found.json(resource)

    return await _respond(request, build)


# -- search ----------------------------------------------------------------------

def _values(raw: str) -> list[str]:
    values = [v.strip() for v in raw.split(",")]
    if not all(values):
        raise FhirError(400, "value", f"empty value in {raw!r}")
    return values


def _tokens(resource: Resource) -> set[tuple[str, str]]:
    code = getattr(resource, "code", None)
    codings = getattr(code, "coding", None) or []
    return {(str(c.system or ""), str(c.code or "")) for c in codings}


def _token_matches(value: str, tokens: set[tuple[str, str]]) -> bool:
    if "|" in value:
        system, code = value.split("|", 1)
        return any((not system or s == system) and c == code for s, c in tokens) if code else any(s == system for s, _ in tokens)
    return any(c == value for _, c in tokens)


def _subject(value: str) -> str:
    parts = value.rstrip("/").split("/")
    if len(parts) == 1:
        return f"MedicinalProductDefinition/{parts[0]}"
    return f"{parts[-2]}/{parts[-1]}"


def _filter(kind: str, name: str, modifier: str | None, raw: str, resources: list[Resource]) -> list[Resource]:
    values = _values(raw)
    if name == "_id":
        return [r for r in resources if str(r.id) in values]
    if kind == "MedicationKnowledge" and name == "code":
        return [r for r in resources if any(_token_matches(v, _tokens(r)) for v in values)]
    if kind == "ClinicalUseDefinition" and name == "type":
        bad = [v for v in values if v not in _CUD_TYPES]
        if bad:
            raise FhirError(400, "value", f"unknown ClinicalUseDefinition type {bad[0]!r}: one of {', '.join(_CUD_TYPES)}")
        return [r for r in resources if getattr(r, "type", None) in values]
    if kind == "ClinicalUseDefinition" and name == "subject":
        wanted = {_subject(v) for v in values}
        return [r for r in resources if any(s.reference in wanted for s in getattr(r, "subject", None) or [])]
    if kind == "PlanDefinition" and name == "name":
        def names(r: Resource) -> list[str]:
            return [str(n).lower() for n in (getattr(r, "name", None), getattr(r, "title", None)) if n]
        lowered = [v.lower() for v in values]
        if modifier == "exact":
            return [r for r in resources if any(str(n) in values for n in (getattr(r, "name", None), getattr(r, "title", None)) if n)]
        if modifier == "contains":
            return [r for r in resources if any(v in n for v in lowered for n in names(r))]
        return [r for r in resources if any(n.startswith(v) for v in lowered for n in names(r))]
    raise FhirError(400, "not-supported", f"unknown search parameter {name!r} for {kind}")


def _modifier(kind: str, key: str) -> tuple[str, str | None]:
    name, _, modifier = key.partition(":")
    allowed = {"exact", "contains"} if (kind, name) == ("PlanDefinition", "name") else set()
    if modifier and modifier not in allowed:
        raise FhirError(400, "not-supported", f"unknown modifier :{modifier} on {name!r}")
    return name, modifier or None


async def search(request: Request) -> Response:
    kind = request.path_params["type"]

    def build(found: FhirIndex) -> bytes:
        matched = sorted(_of_type(found, kind).values(), key=lambda r: str(r.id))
        known = _COMMON | set(SEARCH_PARAMETERS.get(kind, {}))
        # FHIR's Prefer: handling=lenient ignores unknown parameters; by default (strict) they are refused.
        lenient = "handling=lenient" in request.headers.get("prefer", "").replace(" ", "").lower()
        count: int | None = None
        for key, raw in request.query_params.multi_items():
            name, modifier = _modifier(kind, key)
            if name not in known and lenient:
                continue
            if name not in known:
                raise FhirError(400, "not-supported", f"unknown search parameter {name!r} for {kind}; "
                                                      f"supported: {', '.join(sorted(known))}")
            if name == "_format":
                continue
            if name == "_total":
                if raw not in _TOTALS:
                    raise FhirError(400, "value", f"_total must be one of {', '.join(_TOTALS)}, not {raw!r}")
                continue  # the total is always given
            if name == "_count":
                if not raw.isdigit():
                    raise FhirError(400, "value", f"_count must be a whole number, not {raw!r}")
                count = int(raw)
                continue
            matched = _filter(kind, name, modifier, raw, matched)
        total = len(matched)
        shown = matched if count is None else matched[:count]
        links = [{"relation": "self", "url": str(request.url)}]
        return resource_json(bundle(shown, kind="searchset", total=total, links=links))

    return await _respond(request, build)


routes: list[BaseRoute] = [
    Route("/metadata", metadata, name="fhir_metadata"),
    Route("/{type:str}", search, name="fhir_search"),
    Route("/{type:str}/{id:str}", read, name="fhir_read"),
]

# What the service mounts at /fhir (when its first request comes: see therapykg/api/app.py).
router = Router(routes=routes)
