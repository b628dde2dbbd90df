"""DataLoaders keep the number of SPARQL queries bounded: comparing four
therapies issues no more queries than comparing two."""

import asyncio

from therapykg.domain.compare import compare
from therapykg.domain.ids import to_iri
from therapykg.domain.loaders import Loaders
from therapykg.store.engine import GraphSelector


def _count(graph, names) -> int:
    backend = GraphSelector(graph)
    asyncio.run(compare(Loaders(backend), [to_iri(n) for n in names]))
    return backend.queries


def test_comparison_query_count_does_not_grow_with_the_list(graph):
    two = _count(graph, ["blinatumomab", "inotuzumab-ozogamicin"])
    four = _count(graph, ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel"])
    six = _count(graph, ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel",
                         "nelarabine", "flag-ida"])
    assert four == two == six
    assert four <= 8
