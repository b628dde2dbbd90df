"""Declarative fields for the links between resources. A field follows
predicates from the node it belongs to (``link``, ``links``) or back to it
(``reverse``), and shows what it reaches as a GraphQL type named in the
registry. Everything loads through the request's Loaders, so the nodes of
one level of a query come in one batch whatever the number of parents.

The objects these fields belong to keep their node in ``_node``."""

from __future__ import annotations

from collections.abc import Callable
from types import GenericAlias
from typing import Any, Protocol

import strawberry

from therapykg.api.graphql.context import GraphQLInfo
from therapykg.api.graphql.ontology_text import definition
from therapykg.api.graphql.types.registry import annotation, from_nodes, type_of_class
from therapykg.domain.nodes import Node
from therapykg.namespaces import TKG


class WithNode(Protocol):
    """An object these fields belong to: it keeps its node."""

    _node: Node


async def load(info: GraphQLInfo, to: str, iris: list[str]) -> list[Any]:
    """The resources ``iris`` as the type ``to``."""
    return from_nodes(to, await info.context.loaders.nodes(iris))


async def referring(info: GraphQLInfo, iri: str, predicate: str, to: str, of_class: str | None = None) -> list[Any]:
    """The resources (only those of ``of_class`` when given) that link to
    ``iri`` with ``predicate``, as the type ``to``."""
    nodes = await info.context.loaders.referring_nodes(TKG + predicate, iri, TKG + of_class if of_class else None)
    return from_nodes(to, nodes)


def _list_of(name: str) -> Any:
    """``list[annotation(name)]``: the same object, built by a call, as mypy
    reads a subscript as a type and a call inside one as an error."""
    return GenericAlias(list, (annotation(name),))


def _linked(root: WithNode, predicates: tuple[str, ...]) -> list[str]:
    return [iri for predicate in predicates for iri in root._node.tkg_refs(predicate)]


def links(*predicates: str, to: str, description: str | None = None, order: Callable[[Any], Any] | None = None) -> Any:
    """A list field: what ``predicates`` link to, as the type ``to``, sorted
    by ``order`` when given (described by the first predicate's definition)."""

    async def resolve(root: WithNode, info: GraphQLInfo) -> list[Any]:
        found = await load(info, to, _linked(root, predicates))
        return sorted(found, key=order) if order else found

    return strawberry.field(resolver=resolve, graphql_type=_list_of(to),
                            description=description or definition(predicates[0]))


def link(*predicates: str, to: str, description: str | None = None) -> Any:
    """A field of one resource: the first that ``predicates`` link to, as the
    type ``to``, or null (described by the first predicate's definition)."""

    async def resolve(root: WithNode, info: GraphQLInfo) -> Any:
        found = await load(info, to, _linked(root, predicates))
        return found[0] if found else None

    return strawberry.field(resolver=resolve, graphql_type=annotation(to) | None,
                            description=description or definition(predicates[0]))


def reverse(predicate: str, *, of_class: str | None = None, to: str | None = None, description: str | None = None) -> Any:
    """A list field: the resources (only those of ``of_class`` when given)
    that link to this one with ``predicate``, as the type ``to``; by default
    the registry's type for ``of_class``, described by the class's definition."""
    if to is None:
        if of_class is None:
            raise TypeError(f"reverse({predicate!r}) needs `to` or `of_class`")
        to = type_of_class(of_class)

    async def resolve(root: WithNode, info: GraphQLInfo) -> list[Any]:
        return await referring(info, root._node.iri, predicate, to, of_class)

    return strawberry.field(resolver=resolve, graphql_type=_list_of(to),
                            description=description or definition(of_class or to))
