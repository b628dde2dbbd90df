"""therapykg: a clinical knowledge graph of therapies for relapsed/refractory
Ph-negative B-cell precursor ALL, with SPARQL and GraphQL query APIs.

For research and informatics use, not for clinical decisions.
"""

from therapykg.errors import BuildError, InputError, ValidationFailed
from therapykg.store.graph import KnowledgeGraph, load_graph

__all__ = ["BuildError", "InputError", "KnowledgeGraph", "ValidationFailed", "compare", "coverage", "dose", "dose_modification", "label_differences",
           "label_versions", "load_graph", "therapies"]
__version__ = "0.1.0"

# The Python API (therapykg.domain.api) is imported on first use, so that
# `import therapykg` loads no more than the graph needs.
_API = ("compare", "coverage", "dose", "dose_modification", "label_differences", "label_versions", "therapies")


def __getattr__(name: str):
    if name in _API:
        from therapykg.domain import api

        return getattr(api, name)
    raise AttributeError(f"module 'therapykg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
