"""Resolve the projected fields without Strawberry's per-field wrapper.

Every field below a root field reads a value the root's single Cypher statement already
fetched (`schema.types`: `projected`, `projected_page`, `projected_relationships`,
`edge_value`, or a plain attribute). Strawberry wraps each resolver to build its own
`Info`, convert arguments and run field extensions; for these fields none of that does
anything (no field extensions, no permission classes, arguments are plain ints and
strings), yet it was about half of the Python time of a large response (bench/README.md).
`install` points those GraphQL fields straight at the functions; root fields, mutations
and any other resolver keep Strawberry's wrapper.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.types.base import StrawberryObjectDefinition

from schema import types

# Functions of (root, info, **arguments) that only read what the root query projected.
PROJECTION_RESOLVERS = frozenset(
    {types.projected, types.projected_page, types.projected_relationships, types.edge_value}
)
# Nested connections: graphql-core completes a result in Python on the event loop, all of
# it in one go when no value is awaitable (100 countries x 100 meetings: 0.3-1.2 s during
# which no other request, /readyz included, is answered). A connection of at least
# YIELD_AT edges is returned as an awaitable instead; they take turns (one per request at
# a time, each after a pass of the loop), so the result is completed a connection per
# loop iteration, other requests answered in between. (Awaitables that all woke at once
# would run back to back in one iteration: no better.)
PAGED = frozenset({types.projected_page, types.projected_relationships})
YIELD_AT = 20


async def _in_turn(value: Any, turn: asyncio.Lock) -> Any:
    async with turn:
        await asyncio.sleep(0)
    return value


def _yielding(resolve: Callable[..., Any]) -> Callable[..., Any]:
    def run(source: Any, info: Any, **arguments: Any) -> Any:
        value = resolve(source, info, **arguments)
        if len(value.edges) < YIELD_AT:
            return value
        turn = info.context.extra.setdefault("completion_turn", asyncio.Lock())
        return _in_turn(value, turn)

    return run


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any, **arguments: Any) -> Any:
        return getattr(source, name)

    return resolve


def _direct(function: Callable[..., Any], python_names: dict[str, str]) -> Callable[..., Any]:
    """Call `function` with the GraphQL arguments under their Python names."""

    def resolve(source: Any, info: Any, **arguments: Any) -> Any:
        return function(source, info, **{python_names.get(k, k): v for k, v in arguments.items()})

    return resolve


def install(schema: strawberry.Schema) -> int:
    """Swap the resolvers of projected fields in `schema`; returns how many were swapped."""
    swapped = 0
    for name, graphql_type in schema._schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or name in {"Query", "Mutation"}:
            continue
        definition = schema.get_type_by_name(name)
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        by_name = {schema.config.name_converter.get_graphql_name(f): f for f in definition.fields}
        for field_name, graphql_field in graphql_type.fields.items():
            field = by_name.get(field_name)
            if field is None or field.extensions or field.permission_classes:
                continue
            resolver = field.base_resolver
            if resolver is None:
                graphql_field.resolve = _attribute(field.python_name)
            elif resolver.wrapped_func in PROJECTION_RESOLVERS:
                names = {
                    schema.config.name_converter.get_graphql_name(a): a.python_name
                    for a in field.arguments
                }
                direct = _direct(resolver.wrapped_func, names)
                paged = resolver.wrapped_func in PAGED
                graphql_field.resolve = _yielding(direct) if paged else direct
            else:
                continue
            swapped += 1
    return swapped
