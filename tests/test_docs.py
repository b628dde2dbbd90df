"""The README documents every setting, every route and every CLI command."""

from pathlib import Path

from therapykg.api.settings import ENVIRONMENT
from therapykg.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    for variable in ENVIRONMENT.values():
        assert f"`{variable}`" in README, variable


def test_every_serve_flag_is_documented():
    serve = main.commands["serve"]
    for option in serve.params:
        for flag in option.opts:
            if flag.startswith("--") and flag != "--log-level":
                assert f"`{flag}`" in README, flag


def test_every_route_is_documented():
    from therapykg.api.app import create_app

    for route in create_app().routes:
        path = route.path.split("{")[0].rstrip("/")
        if path and path != "/static":
            assert path in README, path


def test_every_command_appears_in_the_readme():
    for name in main.commands:
        assert f"therapykg {name}" in README, name


def test_readme_test_command_is_what_ci_runs():
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest"
    assert command in README and command in ci

