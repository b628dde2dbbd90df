"""The therapy page: what a therapy is, where it is indicated, its regimens
(with their timelines), adverse reactions, monitoring, boxed warnings and
precautions, dose modification rules in words, alternatives, trials and
outcomes, every value with numbered source markers and, where another
source disagrees, a conflict badge with the other side's claims."""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from therapykg.api.web.render import cached, html_error, loaders, render
from therapykg.api.web.timeline_svg import figure
from therapykg.domain import catalog
from therapykg.domain.evidence import Citation
from therapykg.domain.ids import UserInputError, to_id, to_local
from therapykg.domain.inputs import therapy_iri
from therapykg.domain.kinds import therapy_kind
from therapykg.domain.loaders import Loaders
from therapykg.domain.profile import TherapyProfile, therapy_profile
from therapykg.domain.timeline import therapy_timelines

log = logging.getLogger(__name__)
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


@dataclass(frozen=True)
class Marker:
    number: int
    citation: Citation


class SourceMarkers:
    """Numbers the citations of a page in order of first use: one number per source, section and article references."""

    def __init__(self) -> None:
        self.entries: list[Marker] = []
        self._numbers: dict[tuple[str, str | None, tuple[int, ...]], int] = {}

    def number(self, citation: Citation) -> int:
        key = (citation.source.id, citation.section, tuple(citation.article_references))
        if key not in self._numbers:
            self._numbers[key] = len(self._numbers) + 1
            self.entries.append(Marker(self._numbers[key], citation))
        return self._numbers[key]


async def _timelines(lds: Loaders, iri: str) -> dict[str, list[Markup]]:
    """The figures of the therapy's regimen timelines, by regimen id (local)."""
    by_regimen: dict[str, list[Markup]] = {}
    for timeline in await therapy_timelines(lds, iri):
        by_regimen.setdefault(timeline.local, []).append(figure(timeline))
    return by_regimen


async def _suggestions(lds: Loaders, wanted: str) -> list[dict[str, str | None]]:
    """The therapies whose id or name is closest to ``wanted``."""
    nodes = await catalog.therapies(lds)
    names: dict[str, str] = {}
    for node in nodes:
        names.setdefault(to_local(node.iri).lower(), node.iri)
        names.setdefault(node.label.lower(), node.iri)
    close = difflib.get_close_matches(wanted.lower(), list(names), n=5, cutoff=0.5)
    by_iri = {n.iri: n for n in nodes}
    chosen = list(dict.fromkeys(names[c] for c in close))[:3]
    return [{"href": f"/therapies/{to_local(i)}", "label": by_iri[i].label,
             "kind": (k.name.replace("_", " ").lower() if (k := therapy_kind(by_iri[i])) else None)} for i in chosen]


def _compare_with(profile: TherapyProfile) -> list[tuple[str, str]]:
    """(other therapy's local id, its label) to compare with: the alternatives, in order."""
    seen: dict[str, str] = {}
    for alternative in profile.alternatives:
        if alternative.therapy != profile.local_id:
            seen.setdefault(alternative.therapy, alternative.therapy_label)
    return list(seen.items())


async def therapy_page(request: Request) -> Response:
    slug = request.path_params["slug"]

    async def build() -> Response:
        lds = loaders(request)
        if not _SLUG.match(slug):
            return html_error(request, 404, "Therapy not found", f"{slug[:80]!r} is not a therapy id.",
                              suggestions=await _suggestions(lds, slug[:80]))
        try:
            iri = await therapy_iri(lds, slug)
        except UserInputError as exc:
            return html_error(request, 404, "Therapy not found", f"There is no therapy {slug!r} in the graph: {exc}.",
                              suggestions=await _suggestions(lds, slug))
        profile = await therapy_profile(lds, iri)
        by_regimen = await _timelines(lds, iri)
        listed = {r.id for r in profile.regimens}
        loose = [f for regimen, figures in by_regimen.items() if regimen not in listed for f in figures]
        body = render(request, "therapy.html", title=profile.label, profile=profile, markers=SourceMarkers(),
                      timelines=by_regimen, loose_timelines=loose, compare_with=_compare_with(profile),
                      local=to_local, therapy_id=to_id(iri))
        return HTMLResponse(body)

    return await cached(request, build)


routes: list[Route] = [Route("/therapies/{slug:path}", therapy_page, name="therapy_page")]
