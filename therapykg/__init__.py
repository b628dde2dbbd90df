"""therapykg: a clinical knowledge graph of therapies for relapsed/refractory
Ph-negative B-cell precursor ALL, with SPARQL and GraphQL query APIs.

For research and informatics use, not for clinical decisions.
"""

from therapykg.errors import BuildError, InputError, ValidationFailed
from therapykg.store.graph import KnowledgeGraph, load_graph

__all__ = ["BuildError", "InputError", "KnowledgeGraph", "ValidationFailed", "load_graph"]
__version__ = "0.1.0"
