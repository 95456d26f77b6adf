"""A compiled root field's arguments: what the document fixes is worked out once per plan.

graphql-core coerces every argument of a field on every request (`get_argument_values`),
and Strawberry converts each to its Python value (`convert_arguments`), the ones the
document left to their defaults included. For a root field most arguments are literals
or defaults (`paths(from: $a, to: $b, maxHops: 4, first: 5)`: two of nine name a
variable), and those give the same values on every request: they are coerced and
converted when the plan is compiled, and a request coerces and converts only the
arguments that name a variable (a fifth of shortest_path's Python per request, a sixth of
meetings_range's, in `python -m bench.cpu --replayed`).

The values are graphql-core's and Strawberry's own: graphql-core's coercion called on the
part of the field's arguments that can change, and Strawberry's conversion as `Converters`
works it out once per plan (Strawberry's `convert_argument` itself for what it does not
cover). A converted value that could be changed
by whoever receives it (a list, an input object) is converted anew per request, as
Strawberry does (it copies even a list of scalars, for the same reason). Any refusal is
graphql-core's for the whole field (`values` asks it again).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLField, ValueNode, VariableNode
from graphql.execution.values import VariableValues, get_argument_values
from strawberry import Schema
from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import convert_argument
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

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
    # The arguments converted per request (of `coerced` and `varying`): GraphQL name,
    # resolver keyword, converter.
    converted: tuple[tuple[str, str, Convert], ...]

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
        for name, python_name, convert in self.converted:
            if name in values:
                converted[python_name] = convert(values[name])
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
    converters = Converters(schema)
    return RootArguments(
        definition,
        node,
        fixed,
        coerced,
        GraphQLField(definition.type, varying) if varying else None,
        tuple(
            (name, a.python_name, converters.of(a.type, (name,)))
            for name, a in by_name.items()
            if name in per_request
        ),
    )


Convert = Callable[[Any], Any]


class Converters:
    """Strawberry's `convert_argument` for one type, worked out once: graphql-core's value
    of an argument to the resolver's Python value, as Strawberry converts it per request.

    Strawberry looks up, for every field of an input type on every request, its GraphQL
    name and its type (most of the Python of a request whose `where` names variables); here
    they are looked up when the plan is compiled. Scalars and enums are graphql-core's
    values as they are, a list is copied (or its items converted), an input object is built
    from the fields given (the others None unless they have a default), as Strawberry does.
    A type that reaches anything else (a `Maybe`, a `GlobalID`, an input that builds its own
    value from its path) is converted by `convert_argument` itself, whole."""

    def __init__(self, schema: Schema) -> None:
        self.registry = schema.schema_converter.scalar_registry
        self.config = schema.config
        # By input type: recursive inputs (`AND`/`OR`, `participantWhere`) meet themselves.
        self.inputs: dict[int, Convert] = {}

    def of(self, type_: StrawberryType | type, path: tuple[str | int, ...]) -> Convert:
        if not self._plain(type_, set()):
            registry, config = self.registry, self.config
            return lambda value: convert_argument(value, type_, registry, config, path=path)
        return self._made(type_)

    def _plain(self, type_: Any, seen: set[int]) -> bool:
        """Whether every type `type_` reaches is one `_made` converts."""
        if isinstance(type_, LazyType):
            type_ = type_.resolve_type()
        if isinstance(type_, StrawberryMaybe) or type_ is GlobalID:
            return False
        if isinstance(type_, StrawberryOptional | StrawberryList):
            return self._plain(type_.of_type, seen)
        if self._leaf(type_):
            return True
        if not has_object_definition(type_):
            return False
        definition = type_.__strawberry_definition__
        if definition.from_input is not None or not definition.is_input:
            return False
        if id(type_) in seen:
            return True
        seen.add(id(type_))
        return all(
            self._plain(f.resolve_type(type_definition=definition), seen) for f in definition.fields
        )

    def _made(self, type_: Any) -> Convert:
        if isinstance(type_, LazyType):
            type_ = type_.resolve_type()
        if isinstance(type_, StrawberryOptional):
            inner = self._made(type_.of_type)
            return lambda value: None if value is None else inner(value)
        if self._leaf(type_):
            return _as_is
        if isinstance(type_, StrawberryList):
            item_type = type_.of_type
            if isinstance(item_type, StrawberryOptional):
                item_type = item_type.of_type
            if self._leaf(item_type):
                return _copied
            item = self._made(type_.of_type)
            return lambda value: (
                value if value is None or value is UNSET else [item(v) for v in value]
            )
        return self._input(type_)

    def _leaf(self, type_: Any) -> bool:
        return (
            is_scalar(type_, self.registry)
            or isinstance(type_, StrawberryEnumDefinition)
            or has_enum_definition(type_)
        )

    def _input(self, type_: Any) -> Convert:
        found = self.inputs.get(id(type_))
        if found is not None:
            return found
        definition = type_.__strawberry_definition__
        fields: list[tuple[str, str, Convert]] = []
        # Fields without a default are None unless given (graphql-core leaves them out).
        defaults = {
            f.python_name: None
            for f in definition.fields
            if f.default_value is MISSING and f.default_factory is MISSING
        }

        def convert(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            kwargs = dict(defaults)
            for name, python_name, convert_field in fields:
                if name in value:
                    kwargs[python_name] = convert_field(value[name])
            return type_(**kwargs)

        self.inputs[id(type_)] = convert
        for f in definition.fields:
            name = self.config.name_converter.from_field(f)
            fields.append(
                (name, f.python_name, self._made(f.resolve_type(type_definition=definition)))
            )
        return convert


def _as_is(value: Any) -> Any:
    return value


def _copied(value: Any) -> Any:
    # graphql-core gives every request the same default list: Strawberry copies it.
    return value if value is None or value is UNSET else list(value)


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
