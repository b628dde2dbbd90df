"""The wheel carries the plain .ttl and .rq files, an installed package
finds them there, and installing it brings every library it imports."""

import zipfile
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder

from therapykg import paths


@pytest.mark.live  # builds the wheel (hatchling, with the editor assets' build hook)
def test_wheel_ships_ontology_data_and_queries(tmp_path):
    wheel = next(WheelBuilder(str(paths.ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = ["therapykg/_resources/queries/graphql/dose.graphql", "therapykg/api/web/templates/compare.html",
                "therapykg/api/static/site.css", "therapykg/_resources/ontology/therapykg.ttl", "therapykg/_resources/ontology/shapes.ttl",
                "therapykg/_resources/graph_data/inferred.ttl", "therapykg/_resources/queries/named/dose-on-day.rq",
                "therapykg/_resources/queries/qc/claim-without-source-violation.rq", "therapykg/cli.py"]
    for name in expected:
        assert name in names, name
    for path in paths.data_files():
        assert f"therapykg/_resources/graph_data/{path.relative_to(paths.DATA_DIR).as_posix()}" in names
    # Every query the package runs, in every subfolder: SPARQL and the persisted GraphQL operations.
    for path in [*paths.QUERIES_ROOT.rglob("*.rq"), *paths.QUERIES_ROOT.rglob("*.graphql")]:
        assert f"therapykg/_resources/queries/{path.relative_to(paths.QUERIES_ROOT).as_posix()}" in names


def test_every_imported_library_is_a_runtime_dependency():
    """`pip install therapykg` (no extras) must bring every library the
    package imports, or `therapykg serve` fails on a fresh machine."""
    import ast
    import re
    import sys
    from importlib.metadata import packages_distributions, requires

    imported = set()
    import therapykg

    for path in Path(therapykg.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"therapykg", "__future__"}
    def normalized(name: str) -> str:  # PEP 503: fhir.resources, fhir_resources and fhir-resources are one name
        return re.sub(r"[-_.]+", "-", name).lower()

    runtime = {normalized(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0])
               for r in requires("therapykg") or [] if "extra ==" not in r}
    distributions = packages_distributions()
    missing = {m: distributions.get(m) for m in third_party
               if not {normalized(d) for d in distributions.get(m, [m])} & runtime}
    assert "httpx" in third_party and not missing
