"""GraphQL IDs are compact IRIs (``tkgr:blinatumomab``); inputs may also be
full IRIs or bare resource names."""

from __future__ import annotations

import pyoxigraph as ox

from therapykg.namespaces import TKGR, compact, expand


class UserInputError(ValueError):
    """A wrong argument; its message is shown to the client (never masked)."""


def to_iri(identifier: str) -> str:
    text = identifier.strip()
    iri = expand(text) if ":" in text else TKGR + text
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise UserInputError(f"{identifier!r} is not a valid id (use a compact IRI such as tkgr:blinatumomab)") from None
    if any(c in iri for c in ' <>"{}|\\^`'):
        raise UserInputError(f"{identifier!r} is not a valid id")
    return iri


def to_id(iri: str) -> str:
    return compact(iri)


def to_local(identifier: str) -> str:
    """The name a resource of the graph has in the service's addresses (``/therapies/blinatumomab``):
    its IRI or compact id (``tkgr:blinatumomab``) without the namespace; anything else as it is."""
    if identifier.startswith(TKGR):
        return identifier[len(TKGR):]
    return identifier.removeprefix("tkgr:")
