"""What can go wrong when the engine runs a query, as the engine's own
exceptions. They say what happened, never how a surface should answer it:
each surface (the SPARQL endpoint, GraphQL, the command line) maps them in
one place."""

from __future__ import annotations

import re

_POSITION = re.compile(r"\berror at (\d+):(\d+)")


class EngineError(Exception):
    """Base of the engine's exceptions. Each is built from its message alone,
    so it crosses the pipe from a query process intact."""


class QuerySyntaxError(EngineError):
    """The query is not valid SPARQL; ``line`` and ``column`` (1-based) say
    where, when the parser said."""

    def __init__(self, message: str):
        super().__init__(message)
        found = _POSITION.search(message)
        self.line: int | None = int(found[1]) if found else None
        self.column: int | None = int(found[2]) if found else None


class QueryTimeout(EngineError):
    """No query process became free in time, or the query outlived its time and was stopped."""


class EngineUnavailable(EngineError):
    """The engine cannot run queries now (a query process crashed, a remote engine is down)."""


class EngineBusy(EngineUnavailable):
    """The lane's queue is full; worth retrying shortly."""


class QueryMemoryExceeded(EngineError):
    """The query needed more memory than a query process may use, and was stopped."""


class QueryFailed(EngineError):
    """The engine accepted the query but could not evaluate it."""


class RemoteEngineFailed(QueryFailed):
    """A remote engine that is up failed on this query (it reported an internal error)."""


class NoFormatForResult(EngineError):
    """The query's result is of a kind (``results`` for SELECT and ASK,
    ``graph`` for CONSTRUCT and DESCRIBE) for which no output format was chosen."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind
