"""A compiled root field's arguments: what the document fixes is worked out once per plan.

graphql-core coerces every argument of a field on every request (`get_argument_values`),
and Strawberry converts each to its Python value (`convert_arguments`), the ones the
document left to their defaults included. For a root field most arguments are literals
or defaults (`paths(from: $a, to: $b, maxHops: 4, first: 5)`: two of nine name a
variable), and those give the same values on every request: they are coerced and
converted when the plan is compiled, and a request coerces and converts only the
arguments that name a variable (a fifth of shortest_path's Python per request, a sixth of
meetings_range's, in `python -m bench.cpu --replayed`).

The values are graphql-core's and Strawberry's own: the same functions, called on the
part of the field's arguments that can change. A converted value that could be changed
by whoever receives it (a list, an input object) is converted anew per request, as
Strawberry does (it copies even a list of scalars, for the same reason). Any refusal is
graphql-core's for the whole field (`values` asks it again).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLField, ValueNode, VariableNode
from graphql.execution.values import VariableValues, get_argument_values
from strawberry import Schema
from strawberry.types.arguments import StrawberryArgument, convert_argument, convert_arguments
from strawberry.types.field import StrawberryField

# Values Python cannot change in place: one object serves every request.
_IMMUTABLE = (str, int, float, bool, bytes, type(None), enum.Enum)


@dataclass(frozen=True)
class RootArguments:
    """The arguments of one root field of a plan, split by what a request can change."""

    definition: GraphQLField
    node: FieldNode
    # Resolver keyword -> Python value: coerced and converted when the plan was compiled.
    fixed: Mapping[str, Any]
    # Argument name -> graphql-core's value, converted per request (a list, an input).
    coerced: Mapping[str, Any]
    # The field with only the arguments that name a variable: coerced per request.
    varying: GraphQLField | None
    # The Strawberry arguments converted per request (of `coerced` and `varying`).
    converted: tuple[StrawberryArgument, ...]

    def values(self, variables: VariableValues) -> dict[str, Any]:
        """graphql-core's values of the arguments converted per request; raises its error
        for the field (the same one `get_argument_values` raises for all of it)."""
        values = dict(self.coerced)
        if self.varying is None:
            return values
        try:
            values.update(get_argument_values(self.varying, self.node, variables))
        except GraphQLError:
            # Its own message and order among the field's arguments.
            get_argument_values(self.definition, self.node, variables)
            raise
        return values

    def python(self, values: dict[str, Any], schema: Schema) -> dict[str, Any]:
        """The resolver's keyword arguments: the fixed ones and `values` converted."""
        converted = dict(self.fixed)
        if self.converted:
            converted.update(
                convert_arguments(
                    values,
                    list(self.converted),
                    scalar_registry=schema.schema_converter.scalar_registry,
                    config=schema.config,
                )
            )
        return converted


def root_arguments(
    definition: GraphQLField, node: FieldNode, field: StrawberryField, schema: Schema
) -> RootArguments:
    """The split of `node`'s arguments (the first node of a root's key). Raises graphql-
    core's error when an argument without a variable does not coerce (the ordinary
    execution reports it)."""
    named = {a.name.value: a.value for a in node.arguments or ()}
    changing = {name for name, value in named.items() if names_variable(value)}
    args = definition.args.items()
    fixed_field = GraphQLField(definition.type, {n: a for n, a in args if n not in changing})
    varying = {n: a for n, a in args if n in changing}
    fixed_values = get_argument_values(fixed_field, node)
    by_name = {schema.config.name_converter.from_argument(a): a for a in field.arguments}
    fixed: dict[str, Any] = {}
    coerced: dict[str, Any] = {}
    for name, value in fixed_values.items():
        argument = by_name[name]
        try:
            python = convert_argument(
                value,
                argument.type,
                schema.schema_converter.scalar_registry,
                schema.config,
                path=(name,),
            )
        except Exception:  # refused on each request, which reports it as before
            coerced[name] = value
            continue
        if isinstance(python, _IMMUTABLE):
            fixed[argument.python_name] = python
        else:
            coerced[name] = value
    per_request = set(coerced) | changing
    return RootArguments(
        definition,
        node,
        fixed,
        coerced,
        GraphQLField(definition.type, varying) if varying else None,
        tuple(a for name, a in by_name.items() if name in per_request),
    )


def names_variable(value: ValueNode) -> bool:
    """Whether a literal names a variable anywhere inside it."""
    if isinstance(value, VariableNode):
        return True
    kind = value.kind
    if kind == "list_value":
        return any(names_variable(v) for v in value.values)  # type: ignore[attr-defined]
    if kind == "object_value":
        return any(names_variable(f.value) for f in value.fields)  # type: ignore[attr-defined]
    return False
