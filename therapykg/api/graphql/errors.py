"""Every GraphQL error carries a machine-readable ``extensions.code``, the
codes Apollo Server and its clients use (schemathesis and other tools read
them too), and internal failures are masked.

The codes are given by the schema extension :class:`ErrorCodes`, which knows
the phase an error came from (parsing, validation, execution); the view gives
codes to the errors it makes itself (unreadable bodies, the deadline,
persisted operations)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from therapykg.domain.ids import UserInputError
from therapykg.store.errors import EngineBusy, EngineUnavailable, QueryTimeout

BAD_USER_INPUT = "BAD_USER_INPUT"  # a wrong argument or variable, an unknown id
BAD_REQUEST = "BAD_REQUEST"  # a request that is not a GraphQL request: unreadable body, no query, ...
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"  # refused by a limit (therapykg.api.graphql.limits)
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"  # masked
TIMEOUT = "TIMEOUT"  # the request, or a query it ran, outlived the query timeout: retry later
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"  # the engine is busy or down: retry later

# The codes of errors the client made: a request refused with only these is a 400.
CLIENT_CODES = frozenset({BAD_USER_INPUT, BAD_REQUEST, GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, QUERY_TOO_COMPLEX,
                          PERSISTED_QUERY_NOT_FOUND})
# The codes of errors that may not recur: such answers are not cached.
TRANSIENT_CODES = frozenset({INTERNAL_SERVER_ERROR, TIMEOUT, SERVICE_UNAVAILABLE})

INTERNAL_ERROR = "Unexpected error."  # what the client sees of a masked error


def code_of(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None


def coded(error: GraphQLError, code: str) -> GraphQLError:
    """``error``, with ``code`` unless it has a code already."""
    if code_of(error) is None:
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


def coded_error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def _should_mask(error: GraphQLError) -> bool:
    """Show the client its own mistakes; hide internal failures. An error
    outside any field that graphql-core raised (a variable of the wrong type,
    a failed validation) is the client's; one raised in a resolver is internal
    unless it is a UserInputError."""
    original = error.original_error
    if original is None or isinstance(original, UserInputError):
        return False
    return error.path is not None or not isinstance(original, GraphQLError)


def _masked_code(original: BaseException | None) -> str:
    if isinstance(original, QueryTimeout):
        return TIMEOUT
    if isinstance(original, EngineBusy | EngineUnavailable):
        return SERVICE_UNAVAILABLE
    return INTERNAL_SERVER_ERROR


class ErrorCodes(MaskErrors):
    """Masks internal errors (as strawberry's MaskErrors does) and gives
    every error a code by the phase it came from."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_should_mask, error_message=INTERNAL_ERROR)

    def _tag(self, errors: Iterable[GraphQLError] | None, code: str) -> None:
        for error in errors or ():
            coded(error, code)

    def on_parse(self) -> Iterator[None]:
        yield
        self._tag(self.execution_context.pre_execution_errors, GRAPHQL_PARSE_FAILED)

    def on_validate(self) -> Iterator[None]:
        yield
        self._tag(self.execution_context.pre_execution_errors, GRAPHQL_VALIDATION_FAILED)

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult):
            for error in result.errors or ():
                # Outside any field: the variables could not be coerced; in a field: a wrong argument.
                if error.path is None or isinstance(error.original_error, UserInputError):
                    coded(error, BAD_USER_INPUT)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": _masked_code(error.original_error)}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [coded(e, fallback_code(e)) for e in super()._process_errors(errors)]


def fallback_code(error: GraphQLError) -> str:
    """The code of an error no phase gave one: by what it wraps."""
    if isinstance(error, GraphQLSyntaxError):
        return GRAPHQL_PARSE_FAILED
    if isinstance(error.original_error, UserInputError):
        return BAD_USER_INPUT
    if error.message == INTERNAL_ERROR or _should_mask(error):
        return _masked_code(error.original_error)
    return BAD_REQUEST
