"""DataLoaders keep the number of SPARQL queries bounded: comparing four
therapies issues no more queries than comparing two."""

import asyncio

from therapykg.api.graphql.backend import LocalBackend
from therapykg.api.graphql.compare import compare
from therapykg.api.graphql.ids import to_iri
from therapykg.api.graphql.loaders import Loaders


def _count(graph, names) -> int:
    backend = LocalBackend(graph)
    asyncio.run(compare(Loaders(backend), [to_iri(n) for n in names]))
    return backend.queries


def test_comparison_query_count_does_not_grow_with_the_list(graph):
    two = _count(graph, ["blinatumomab", "inotuzumab-ozogamicin"])
    four = _count(graph, ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel"])
    six = _count(graph, ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel",
                         "nelarabine", "flag-ida"])
    assert four == two == six
    assert four <= 8
