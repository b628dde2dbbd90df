"""The wheel carries the plain .ttl and .rq files, and an installed package
finds them there."""

import zipfile

from hatchling.builders.wheel import WheelBuilder

from therapykg import paths


def test_wheel_ships_ontology_data_and_queries(tmp_path):
    wheel = next(WheelBuilder(str(paths.ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = ["therapykg/_resources/ontology/therapykg.ttl", "therapykg/_resources/ontology/shapes.ttl",
                "therapykg/_resources/graph_data/inferred.ttl", "therapykg/_resources/queries/dose-on-day.rq",
                "therapykg/_resources/queries/qc/claim-without-source-violation.rq", "therapykg/cli.py"]
    for name in expected:
        assert name in names, name
    for path in paths.data_files():
        assert f"therapykg/_resources/graph_data/{path.relative_to(paths.DATA_DIR).as_posix()}" in names
