"""The per-request GraphQL context, and the ``info`` type the resolvers take.

Apart from the view (which makes the context) and the schema (whose
resolvers read it), so that both can import it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeAlias

from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info

from therapykg.domain.loaders import Loaders
from therapykg.store.engine import Backend


@dataclass
class Context:
    backend: Backend
    request: HTTPConnection | None = None  # the HTTP request (or the WebSocket, for a connection over one)
    response: Response | WebSocket | None = None

    @cached_property
    def loaders(self) -> Loaders:
        """Made at first use, on the event loop that runs the request: a DataLoader belongs to one loop."""
        return Loaders(self.backend)


# What a resolver's ``info`` is: the context above, and no root value.
GraphQLInfo: TypeAlias = Info[Context, None]
