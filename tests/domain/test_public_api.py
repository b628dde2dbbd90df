"""The Python API (therapykg.compare, therapykg.dose,
therapykg.dose_modification): the README's examples run as written, and the
functions answer and refuse as documented."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import therapykg
from therapykg.domain import api
from therapykg.domain.compare import Aspect, CellStatus
from therapykg.domain.dosing import Status

README = Path(__file__).parents[2] / "README.md"
RR = "relapsed-refractory"


@pytest.fixture(scope="module")
def kg() -> therapykg.KnowledgeGraph:
    return therapykg.load_graph()


def _readme_examples() -> str:
    """The README's ```python blocks that hold doctest examples, as one text (later blocks use earlier names)."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    return "\n".join(block for block in blocks if ">>>" in block)


def _run_doctest(text: str, name: str, globs: dict) -> doctest.TestResults:
    test = doctest.DocTestParser().get_doctest(text, globs, name, str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    return runner.summarize(verbose=False)


def test_readme_python_api_examples_run_as_written():
    examples = _readme_examples()
    assert "therapykg.dose_modification(" in examples
    result = _run_doctest(examples, "README.md", {})
    assert result.attempted > 10 and result.failed == 0


def test_api_docstring_examples_run_as_written(kg):
    result = doctest.testmod(api, extraglobs={"kg": kg}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_the_functions_are_exported_lazily():
    assert {"compare", "dose", "dose_modification"} <= set(therapykg.__all__) <= set(dir(therapykg))
    assert therapykg.compare is api.compare and therapykg.dose is api.dose
    with pytest.raises(AttributeError):
        therapykg.no_such_function  # noqa: B018


@pytest.mark.parametrize("identifier", ["blinatumomab", "tkgr:blinatumomab", "https://w3id.org/therapykg/resource/blinatumomab"])
def test_ids_in_every_form_the_cli_takes(kg, identifier):
    comparison = therapykg.compare(kg, [identifier, "nelarabine"], aspects=[Aspect.MODALITY])
    assert [t.id for t in comparison.therapies] == ["tkgr:blinatumomab", "tkgr:nelarabine"]


def test_a_comparison_has_one_cell_per_therapy_per_row(kg):
    ids = ["blinatumomab", "inotuzumab-ozogamicin"]
    comparison = therapykg.compare(kg, ids)
    assert {row.aspect for row in comparison.rows} == set(Aspect)
    for row in comparison.rows:
        assert [cell.therapy for cell in row.cells] == [f"tkgr:{i}" for i in ids], row.label
        for cell in row.cells:
            assert (cell.status is CellStatus.REPORTED) == bool(cell.values)
            assert all(value.sources for value in cell.values), row.label


def test_aspects_by_name_or_member(kg):
    by_name = therapykg.compare(kg, ["blinatumomab", "nelarabine"], aspects=["applicability"])
    by_member = therapykg.compare(kg, ["blinatumomab", "nelarabine"], aspects=[Aspect.APPLICABILITY])
    assert by_name == by_member and {row.aspect for row in by_name.rows} == {Aspect.APPLICABILITY}


@pytest.mark.parametrize(("call", "message"), [
    (lambda kg: therapykg.compare(kg, ["blinatumomb", "nelarabine"]), r"not a therapy: tkgr:blinatumomb \(the closest is blinatumomab\)"),
    (lambda kg: therapykg.compare(kg, ["blinatumomab", "tkgr:trial-tower"]), r"^not a therapy: tkgr:trial-tower"),
    (lambda kg: therapykg.compare(kg, ["blinatumomab", "blinatumomab"]), "at least two different therapies"),
    (lambda kg: therapykg.compare(kg, ["blinatumomab", "nelarabine"], aspects=["taste"]), "unknown aspect 'taste'"),
    (lambda kg: therapykg.compare(kg, ["blinatumomab", "not an id"]), "not a valid id"),
    (lambda kg: therapykg.dose(kg, therapy="tisagenleucel", setting=RR, weight_kg=40, cycle=1, day=1),
     r"the closest is tisagenlecleucel"),
    (lambda kg: therapykg.dose(kg, therapy="blinatumomab", setting="relapsed", weight_kg=70, cycle=1, day=1),
     "setting 'relapsed' is not one of consolidation, mrd-positive, relapsed-refractory"),
    (lambda kg: therapykg.dose(kg, therapy="blinatumomab", setting=RR, weight_kg=70, cycle=1, day=1, response="cr"),
     "response 'cr' is not one of"),
    (lambda kg: therapykg.dose(kg, therapy="blinatumomab", setting=RR, weight_kg=-3, cycle=1, day=1), "plausible body weight"),
    (lambda kg: therapykg.dose_modification(kg, therapy="blinatumomab", setting=RR, weight_kg=70, event="cytokine-release", grade=3),
     r"not a finding: tkgr:cytokine-release \(the closest is cytokine-release-syndrome\)"),
    (lambda kg: therapykg.dose_modification(kg, therapy="blinatumomab", setting=RR, weight_kg=70,
                                            event="cytokine-release-syndrome", grade=7), "grade from 1 to 5"),
])
def test_bad_input_raises_value_error_with_the_reason(kg, call, message):
    with pytest.raises(ValueError, match=message):
        call(kg)


@pytest.mark.parametrize(("question", "expected"), [
    # A flat dose: every source gives 28 ug/d from day 8 of cycle 1 for an adult of 45 kg or more.
    ({"therapy": "blinatumomab", "setting": RR, "weight_kg": 70, "cycle": 1, "day": 8},
     {("tkgr:blina-label-later-rr-45kg-plus", "28 ug/d"), ("tkgr:blina-label-older-rr", "28 ug/d"), ("tkgr:blina-rr-adult", "28 ug/d")}),
    # Under 45 kg, per m2: 15 ug/m2/d x 1.04 m2 (Mosteller, 130 cm and 30 kg); the article's pediatric schedule 5 ug/m2/d.
    ({"therapy": "blinatumomab", "setting": "mrd-positive", "weight_kg": 30, "height_cm": 130, "cycle": 1, "day": 1},
     {("tkgr:blina-label-later-mrd-under-45kg", "15.6 ug/d"), ("tkgr:blina-pediatric-bsa", "5.2 ug/d")}),
    # Inotuzumab after no CR/CRi: 0.8 mg/m2 x 1.84 m2.
    ({"therapy": "inotuzumab-ozogamicin", "setting": RR, "weight_kg": 70, "height_cm": 175, "cycle": 2, "day": 1, "response": "no-cr"},
     {("tkgr:ino-rr-adult", "1.47 mg")}),
])
def test_dose_amounts_for_known_cases(kg, question, expected):
    answers = therapykg.dose(kg, **question)
    doses = {(a.regimen, a.amount.text) for a in answers if a.status is Status.DOSE}
    assert expected <= doses
    assert all(a.sources and a.sources[0].title for a in answers)


def test_dose_on_a_rest_day_says_so(kg):
    answers = therapykg.dose(kg, therapy="blinatumomab", setting=RR, weight_kg=60, cycle=1, day=40)
    assert answers and {a.status for a in answers} == {Status.TREATMENT_FREE}
    assert all(a.amount is None and a.reason for a in answers)


def test_dose_options_are_keyword_only(kg):
    with pytest.raises(TypeError):
        therapykg.dose(kg, "blinatumomab", RR, 70, cycle=1, day=8)  # type: ignore[misc]


def test_dose_modification_answers_per_source(kg):
    answers = therapykg.dose_modification(kg, therapy="blinatumomab", setting=RR, weight_kg=70,
                                          event="cytokine-release-syndrome", grade=4)
    assert {tuple(a.rules) for a in answers} == {("tkgr:blina-rule-crs-g4-label",), ("tkgr:blina-rule-crs-g4-article",)}
    assert all([x.kind for x in a.actions] == ["tkg:DiscontinuePermanently"] for a in answers)
    restart = therapykg.dose_modification(kg, therapy="blinatumomab", setting=RR, weight_kg=70, event="cytokine-release-syndrome",
                                          grade=3, current_dose=(28, "ug/d"))
    escalate = next(x for x in restart[0].actions if x.kind == "tkg:Escalate")
    assert escalate.dose.text == "28 ug/d" and "already at or above" in escalate.condition
