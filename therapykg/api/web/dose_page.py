"""The dose calculator: a form whose answer is the dose engine's, one answer
per source, with the rule in words, the status when there is no dose and
why, and the sources. Parsing the form is this page's; deciding is the
domain's (:mod:`therapykg.domain.doses`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from therapykg.api.web.render import cached, loaders, render, therapy_choices
from therapykg.domain import dosing
from therapykg.domain.doses import DoseAnswer, dose_answers
from therapykg.domain.ids import UserInputError
from therapykg.domain.inputs import choice, therapy_iri

FIELDS = ("therapy", "setting", "weight", "height", "bsa", "age", "cycle", "day", "response")


@dataclass(frozen=True)
class DoseForm:
    """The form as written in the URL (all text, so that it can be shown back as typed)."""

    therapy: str = ""
    setting: str = ""
    weight: str = ""
    height: str = ""
    bsa: str = ""
    age: str = ""
    cycle: str = ""
    day: str = ""
    response: str = ""

    @classmethod
    def of(cls, request: Request) -> DoseForm:
        return cls(**{name: request.query_params.get(name, "").strip()[:40] for name in FIELDS})

    @property
    def asked(self) -> bool:
        return any(getattr(self, name) for name in FIELDS)


def _number(name: str, text: str, *, required: bool) -> float | None:
    if not text:
        if required:
            raise UserInputError(f"{name} is needed")
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserInputError(f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UserInputError(f"{name} {text!r} is not a finite number")
    return value


def _whole(name: str, text: str) -> int:
    value = _number(name, text, required=True)
    if value is None or value != int(value):
        raise UserInputError(f"{name} {text!r} is not a whole number")
    return int(value)


def question_of(form: DoseForm) -> dosing.DoseQuestion:
    """The dose question the form asks (UserInputError naming what is wrong)."""
    if not form.therapy:
        raise UserInputError("choose a therapy")
    patient = dosing.Patient(weight_kg=_number("weight", form.weight, required=True) or 0.0,
                             height_cm=_number("height", form.height, required=False),
                             bsa_m2=_number("body surface area", form.bsa, required=False),
                             age_years=_number("age", form.age, required=False))
    return dosing.DoseQuestion(setting=choice("setting", form.setting, dosing.SETTINGS), patient=patient,
                               cycle=_whole("cycle", form.cycle), day=_whole("day", form.day),
                               response=choice("response", form.response, dosing.RESPONSES) if form.response else None)


async def dose_page(request: Request) -> Response:
    form = DoseForm.of(request)

    async def build() -> Response:
        lds = loaders(request)
        groups = await therapy_choices(request)
        context = {"form": form, "groups": groups, "settings": sorted(dosing.SETTINGS), "responses": sorted(dosing.RESPONSES),
                   "bsa_formula": dosing.BSA_FORMULA}
        answers: list[DoseAnswer] = []
        problem = None
        if form.asked:
            try:
                question = question_of(form)
                answers = await dose_answers(lds, await therapy_iri(lds, form.therapy), question)
            except (UserInputError, ValueError) as exc:
                problem = str(exc)
        status = 400 if problem else 200
        body = render(request, "dose.html", title="Dose calculator", answers=answers, problem=problem,
                      statuses=dosing.Status, status=status, **context)
        return HTMLResponse(body, status_code=status)

    return await cached(request, build)


routes = [Route("/dose", dose_page, name="dose_page")]
