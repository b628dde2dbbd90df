"""The comparison page: the same domain service as GraphQL's
compareTherapies and `therapykg compare`, as a table a researcher reads,
prints, links to (the URL is the permalink) and downloads (tidy CSV, JSON,
Markdown)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from therapykg import compare_output
from therapykg.api.web.render import cached, html_error, loaders, render, therapy_choices
from therapykg.api.web.timeline_svg import summary
from therapykg.domain.compare import MAX_COMPARED, Aspect, Comparison, compare
from therapykg.domain.dosing import SETTINGS
from therapykg.domain.ids import UserInputError, to_local
from therapykg.domain.inputs import AGE_GROUPS, aspects_of, scope_of, therapy_iri
from therapykg.domain.loaders import Loaders
from therapykg.domain.timeline import therapy_timelines

MAX_ID_LENGTH = 200
DOWNLOADS = {"csv": ("text/csv; charset=utf-8", compare_output.as_tidy_csv),
             "json": ("application/json", compare_output.as_json),
             "md": ("text/markdown; charset=utf-8", compare_output.as_markdown)}


@dataclass
class Question:
    """What the page was asked: therapies, aspects, setting and population (as written in the URL)."""

    ids: list[str] = field(default_factory=list)
    aspects: list[str] = field(default_factory=list)
    setting: str = ""
    population: str = ""

    @classmethod
    def of(cls, request: Request) -> Question:
        params = request.query_params
        ids = [i.strip() for raw in params.getlist("ids") for i in raw.split(",") if i.strip()]
        return cls(ids=list(dict.fromkeys(ids)), aspects=[a for a in params.getlist("aspect") if a],
                   setting=params.get("setting", ""), population=params.get("population", ""))

    def query(self) -> str:
        """The permalink's query string."""
        pairs = [("ids", ",".join(self.ids))] + [("aspect", a) for a in self.aspects]
        pairs += [(k, v) for k, v in (("setting", self.setting), ("population", self.population)) if v]
        return urlencode(pairs)


async def _iris(lds: Loaders, question: Question) -> list[str]:
    """The therapies asked for, checked (UserInputError when the question is wrong)."""
    if not 2 <= len(question.ids) <= MAX_COMPARED:
        raise UserInputError(f"choose between 2 and {MAX_COMPARED} therapies to compare (got {len(question.ids)})")
    if any(len(i) > MAX_ID_LENGTH for i in question.ids):
        raise UserInputError(f"a therapy id is longer than {MAX_ID_LENGTH} characters")
    return list(await asyncio.gather(*[therapy_iri(lds, i) for i in question.ids]))


async def _answer(lds: Loaders, question: Question, iris: list[str]) -> Comparison:
    """The comparison asked for (UserInputError when the question is wrong)."""
    scope = scope_of(question.setting or None, question.population or None)
    aspects = aspects_of(question.aspects) if question.aspects else None
    return await compare(lds, iris, aspects=aspects, scope=scope)


@dataclass(frozen=True)
class Drawn:
    """A regimen timeline as the comparison shows it: a picture from its own (cached) address, with its summary as text."""

    regimen: str  # local id
    label: str
    summary: str


async def _timelines(lds: Loaders, iris: list[str]) -> list[list[Drawn]]:
    """Each therapy's regimen timelines (the pictures load from /regimens/{id}/timeline.svg)."""
    found = await asyncio.gather(*[therapy_timelines(lds, iri) for iri in iris])
    return [[Drawn(t.local, t.label, summary(t)) for t in timelines] for timelines in found]


async def _compared(lds: Loaders, question: Question) -> tuple[Comparison, list[list[Drawn]]]:
    iris = await _iris(lds, question)
    comparison, drawn = await asyncio.gather(_answer(lds, question, iris), _timelines(lds, iris))
    return comparison, drawn


async def _form_context(request: Request, question: Question) -> dict[str, Any]:
    groups = await therapy_choices(request)
    return {"groups": groups, "question": question, "aspects": list(Aspect), "settings": sorted(SETTINGS),
            "populations": sorted(AGE_GROUPS), "max_compared": MAX_COMPARED}


async def compare_page(request: Request) -> Response:
    question = Question.of(request)

    async def build() -> Response:
        lds = loaders(request)
        if not question.ids:
            form = await _form_context(request, question)
            return HTMLResponse(render(request, "compare.html", title="Compare therapies", comparison=None, problem=None, **form))
        try:
            # The form's choices, the comparison and the timelines are independent: their queries run side by side.
            form, (comparison, drawn) = await asyncio.gather(_form_context(request, question), _compared(lds, question))
        except (UserInputError, ValueError) as exc:
            form = await _form_context(request, question)
            body = render(request, "compare.html", title="Compare therapies", comparison=None, problem=str(exc), status=400, **form)
            return HTMLResponse(body, status_code=400)
        timelines = [(t.label, pictures) for t, pictures in zip(comparison.therapies, drawn, strict=True)]
        aspects_shown = list(dict.fromkeys(row.aspect for row in comparison.rows))
        return HTMLResponse(render(
            request, "compare.html", title="Compare: " + ", ".join(t.label for t in comparison.therapies),
            comparison=comparison, aspects_shown=aspects_shown, markers=compare_output.SourceIndex(), timelines=timelines,
            permalink=request.url.path + "?" + question.query(), problem=None, **form))

    return await cached(request, build)


async def compare_download(request: Request) -> Response:
    fmt = request.path_params["fmt"]
    if fmt not in DOWNLOADS:
        return html_error(request, 404, "No such download", f"Downloads are {', '.join('compare.' + f for f in DOWNLOADS)}.")
    question = Question.of(request)

    async def build() -> Response:
        try:
            lds = loaders(request)
            comparison = await _answer(lds, question, await _iris(lds, question))
        except (UserInputError, ValueError) as exc:
            return Response(f"{exc}\n", status_code=400, media_type="text/plain; charset=utf-8")
        media_type, write = DOWNLOADS[fmt]
        name = "therapykg-comparison-" + "-".join(to_local(t.id) for t in comparison.therapies)[:150]
        return Response(write(comparison), media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})

    return await cached(request, build)


routes = [Route("/compare", compare_page, name="compare_page"),
          Route("/compare.{fmt}", compare_download, name="compare_download")]
