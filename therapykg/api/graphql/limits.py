"""Bounds on one GraphQL request, each checked before the work it bounds.

A request is small (the body limit) but what it asks for need not be: 24
fragments that each spread the previous one twice, 1-2 KB, expand to
16.7 million fields. So the source is checked before it is parsed (tokens,
and bracket nesting, on which the parser recurses), and the document before
it is validated (depth, aliases and fields, each fragment counted once and
its total reused wherever it is spread, never expanded). graphql-core's rule
for overlapping fields compares fields pairwise, so its work grows with the
square of the fields repeated in a selection; it gets a smaller budget.
Parsing and validation are cached, for small queries only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DefinitionNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    parse,
)
from graphql.language import Lexer, Source, TokenKind
from graphql.validation import OverlappingFieldsCanBeMergedRule
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from therapykg.api.graphql.errors import QUERY_TOO_COMPLEX

# Parsing and validation are cached for small queries only: every full
# garbage collection walks the objects of the cached documents (~4 a token),
# holding up the event loop, and an attacker chooses big ones.
_CACHED_TOKENS = 200
_parse = lru_cache(maxsize=32)(parse)
_validate = lru_cache(maxsize=32)(validate_document)

_OPENING = {TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L}
_CLOSING = {TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R}


@dataclass(frozen=True, kw_only=True)
class Limits:
    """The bounds; the defaults let the largest queries of the API and the
    introspection query of GraphiQL through with room to spare."""

    depth: int = 10
    aliases: int = 30
    tokens: int = 2000
    # Without fragments a 2,000-token query cannot ask for more than 2,000
    # fields: fragments may save typing, not multiply the work.
    fields: int = 2000
    # Brackets ({, [, () open at once: a query 10 fields deep with nested
    # arguments needs about 15.
    nesting: int = 32
    # Steps of the overlapping-fields comparison (graphql-core's default is
    # 500,000, about a second of CPU): 5,000 is ~10 ms, room for 70 copies
    # of a field in one selection; this API's queries take under 100.
    overlap_steps: int = 5_000


@lru_cache(maxsize=128)
def scan(source: str, *, tokens: int, nesting: int) -> tuple[int, str | None]:
    """The tokens of ``source`` and why it is too big to parse (or None),
    reading only up to the first token over a limit; a syntax error is left
    to the parser to report."""
    lexer = Lexer(Source(source))
    count = depth = 0
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF:
            count += 1
            if count > tokens:
                return count, f"query has more than the limit of {tokens} tokens"
            if token.kind in _OPENING:
                depth += 1
                if depth > nesting:
                    return count, f"query nests brackets more than the limit of {nesting} deep"
            elif token.kind in _CLOSING:
                depth -= 1
            token = lexer.advance()
    except GraphQLError:
        pass
    return count, None


def json_problem(value: Any, *, nesting: int) -> str | None:
    """Why a decoded JSON body is too deeply nested to hand on, or None.
    Iterative: GraphQL variable coercion and the result cache's key recurse."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if children and depth > nesting:
            return f"JSON nested more than the limit of {nesting} deep"
        stack.extend((child, depth + 1) for child in children)
    return None


@dataclass
class _Counts:
    """Fields, aliases and depth of one definition, and the fragments it spreads
    with the depth at which it spreads them (None inside introspection, whose
    depth graphql-core bounds: MaxIntrospectionDepthRule)."""

    fields: int = 0
    aliases: int = 0
    depth: int = 0
    spreads: list[tuple[str, int | None]] = field(default_factory=list)


def _own_counts(selection_set: SelectionSetNode) -> _Counts:
    counts = _Counts()
    stack: list[tuple[SelectionSetNode, int | None]] = [(selection_set, 0)]
    while stack:
        selections, level = stack.pop()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                counts.fields += 1
                counts.aliases += selection.alias is not None
                if selection.selection_set:
                    inner = None if level is None or selection.name.value.startswith("__") else level + 1
                    if inner is not None:
                        counts.depth = max(counts.depth, inner)
                    stack.append((selection.selection_set, inner))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, level))
            elif isinstance(selection, FragmentSpreadNode):
                counts.spreads.append((selection.name.value, level))
    return counts


def _with_fragments(own: _Counts, fragments: dict[str, _Counts]) -> _Counts:
    """``own`` plus the totals of the fragments it spreads; a fragment not in
    ``fragments`` (unknown, or closing a cycle) adds nothing here: validation
    reports it."""
    total = _Counts(own.fields, own.aliases, own.depth)
    for name, level in own.spreads:
        spread = fragments.get(name)
        if spread is not None:
            total.fields += spread.fields
            total.aliases += spread.aliases
            if level is not None:
                total.depth = max(total.depth, level + spread.depth)
    return total


def _fragment_totals(definitions: dict[str, FragmentDefinitionNode]) -> dict[str, _Counts]:
    """Each fragment's totals, computed once, dependencies first, without recursion."""
    own = {name: _own_counts(d.selection_set) for name, d in definitions.items()}
    totals: dict[str, _Counts] = {}
    for root in own:
        if root in totals:
            continue
        path, on_path = [(root, iter(own[root].spreads))], {root}
        while path:
            name, spreads = path[-1]
            for spread, _level in spreads:
                if spread in own and spread not in totals and spread not in on_path:
                    path.append((spread, iter(own[spread].spreads)))
                    on_path.add(spread)
                    break
            else:
                path.pop()
                on_path.discard(name)
                totals.setdefault(name, _with_fragments(own[name], totals))
    return totals


def document_problem(definitions: Sequence[DefinitionNode], limits: Limits) -> str | None:
    """Why the operations of a parsed document ask for too much, or None."""
    fragments = _fragment_totals({d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)})
    operations = [_with_fragments(_own_counts(d.selection_set), fragments)
                  for d in definitions if isinstance(d, OperationDefinitionNode)]
    depth = max((o.depth for o in operations), default=0)
    if depth > limits.depth:
        return f"query nests selections {depth} deep: exceeds maximum operation depth of {limits.depth}"
    aliases = sum(o.aliases for o in operations)
    if aliases > limits.aliases:
        return f"query has {aliases} aliases, more than the limit of {limits.aliases}"
    fields = sum(o.fields for o in operations)
    if fields > limits.fields:
        return f"query has {fields} fields after expanding fragments, more than the limit of {limits.fields}"
    return None


def request_limits(limits: Limits) -> type[SchemaExtension]:
    """A schema extension that enforces ``limits`` and caches the parsing and
    validation of small queries (with the same rule classes for every request)."""

    class RequestLimitsRule(ValidationRule):
        """Stops validation at its start, before any other rule walks the document."""

        def enter_document(self, node: DocumentNode, *_args: object) -> None:
            problem = document_problem(node.definitions, limits)
            if problem:
                raise ValidationAbortedError(problem, extensions={"code": QUERY_TOO_COMPLEX})

    class BoundedOverlapRule(OverlappingFieldsCanBeMergedRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.rule_context.remaining_complexity_budget = limits.overlap_steps

        def enter_selection_set(self, *args: Any) -> None:
            try:
                super().enter_selection_set(*args)
            except ValidationAbortedError:
                if self.rule_context.remaining_complexity_budget >= 0:
                    raise  # aborted for another reason: too many errors
                raise ValidationAbortedError(
                    f"comparing the query's overlapping fields takes more than the limit of {limits.overlap_steps} steps",
                    extensions={"code": QUERY_TOO_COMPLEX}) from None

    class RequestLimits(SchemaExtension):
        cached = False

        def on_parse(self) -> Iterator[None]:
            context, query = self.execution_context, self.execution_context.query
            if query is None:  # no source: the document comes ready-made (strawberry refuses a request with neither)
                yield
                return
            count, problem = scan(query, tokens=limits.tokens, nesting=limits.nesting)
            if problem:
                raise GraphQLError(problem, extensions={"code": QUERY_TOO_COMPLEX})
            self.cached = count <= _CACHED_TOKENS
            if self.cached:
                context.graphql_document = _parse(query)
            yield  # strawberry parses the others

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            context.validation_rules = (RequestLimitsRule, *(BoundedOverlapRule if r is OverlappingFieldsCanBeMergedRule else r
                                                             for r in context.validation_rules))
            if self.cached:
                context.pre_execution_errors = _validate(context.schema._schema, context.graphql_document, context.validation_rules)
            yield  # strawberry validates the others

    return RequestLimits
