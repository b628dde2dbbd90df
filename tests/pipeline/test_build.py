"""Release files, counts, and nothing written when a build fails."""

import json

import pyoxigraph as ox
import pytest

from therapykg.errors import InputError

# Each test runs the whole build, HermiT included.
pytestmark = pytest.mark.live


def test_release_files_and_counts(inputs, tmp_path):
    out = tmp_path / "release"
    result = inputs.build(out_dir=out)
    names = sorted(p.name for p in out.iterdir())
    for stem in ("therapykg", "therapykg-ontology"):
        for suffix in ("ttl", "nt", "jsonld", "owl"):
            assert f"{stem}.{suffix}" in names
    assert {"therapykg.nq", "therapykg.trig", "mappings.sssom.tsv", "manifest.json"} <= set(names)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == result.graph.version
    assert manifest["counts"] == result.counts
    # Every format holds the same triples.
    reference = set(ox.parse(path=str(out / "therapykg.nt"), format=ox.RdfFormat.N_TRIPLES))
    for suffix, fmt in (("ttl", ox.RdfFormat.TURTLE), ("owl", ox.RdfFormat.RDF_XML)):
        assert len(set(ox.parse(path=str(out / f"therapykg.{suffix}"), format=fmt))) == len(reference)
    assert result.counts["triples"] == len(list(ox.parse(path=str(out / "therapykg.nq"), format=ox.RdfFormat.N_QUADS)))


def test_failed_build_leaves_the_previous_release_untouched(inputs, tmp_path):
    out = tmp_path / "release"
    inputs.build(out_dir=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    inputs.add("broken.ttl", "tkgr:x tkg:y .\n")
    with pytest.raises(InputError):
        inputs.build(out_dir=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".therapykg-")]


def test_counts_match_the_graph(built):
    graph = built.graph
    claims = graph.select("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a tkg:Claim }")[0]["n"].value
    assert built.counts["claims"] == int(claims)
    assert built.counts["triples"] == len(graph)
    assert built.counts["therapies"] >= 10
