"""The synthetic graph generator makes data that builds through the real
path (shapes, rules, checks), deterministically for a seed."""

import importlib.util
from pathlib import Path

import pytest

from therapykg.build import build

# The scalable build still runs HermiT (Java) on the ontology.
pytestmark = pytest.mark.live

SYNTH = Path(__file__).parents[2] / "benchmarks" / "synth.py"


def _generator():
    spec = importlib.util.spec_from_file_location("synth", SYNTH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_graph_builds_and_is_deterministic(tmp_path):
    synth = _generator()
    therapies = synth.generate(20_000, tmp_path / "a", seed=3)
    synth.generate(20_000, tmp_path / "b", seed=3)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.ttl"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    result = build(ontology_dir=tmp_path / "a" / "ontology", data_dir=tmp_path / "a" / "graph_data",
                   scalable=True, write_inferences=False)
    assert result.counts["therapies"] >= therapies
    assert 15_000 <= result.counts["triples"] <= 25_000
