import pytest

from therapykg.errors import InputError
from therapykg.loader import load_inputs


def test_malformed_turtle_names_file_and_line(inputs):
    bad = inputs.add("broken.ttl", 'tkgr:x rdfs:label "unterminated .\n')
    with pytest.raises(InputError) as caught:
        inputs.build()
    error = caught.value
    assert error.path.endswith("broken.ttl")
    assert error.line == 7  # the prefix block takes lines 1-6
    assert error.exit_code == 2
    assert f"{bad.name}:7" in str(error)


def test_version_is_a_content_hash(inputs):
    before = load_inputs(inputs.ontology, inputs.data).version
    assert load_inputs(inputs.ontology, inputs.data).version == before
    inputs.add("extra.ttl", 'tkgr:x rdfs:label "x" .\n')
    assert load_inputs(inputs.ontology, inputs.data).version != before


def test_version_ignores_the_location_of_the_checkout(inputs):
    from therapykg import paths

    assert load_inputs(inputs.ontology, inputs.data).version == load_inputs(paths.ONTOLOGY_DIR, paths.DATA_DIR).version
