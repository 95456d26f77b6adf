"""Compiled execution: answer a read query without graphql-core's per-field walk.

Every root field of `schema.query.Query` fetches its whole selection with one Cypher
statement; below it, every field only reads what that statement projected
(`schema.types`: `projected`, `projected_page`, ... or a plain attribute). graphql-core
still completed the result field by field (resolver wrappers, `Info` objects, type
checks): most of the Python time of a large response (bench/README.md).

Here a query document is parsed and validated once (by `schema.limits.Documents`, whose
caches Strawberry's execution shares: a document either takes is parsed and validated
once) and compiled into a `Plan`: per root field the
Strawberry resolver to call, and a tree of closures that completes its value exactly as
graphql-core would, calling the same field functions. Executing a plan coerces the
variables, calls each root resolver (which builds and runs its one statement, as on
the ordinary path), and shapes the values into plain dicts and lists, which the HTTP
layer serialises with orjson.

`@skip` and `@include` are decided while compiling: a literal condition once, a condition
on variables per combination of those variables' values (each its own cached plan). Root
fields run concurrently, as graphql-core runs a query's: a root resolver that raises a
coded error (`extensions.code`: a bad cursor, an unknown id, a timeout) is reported as
graphql-core reports it (null at that key, or no data at all for a non-null root; the
error's message, locations, path and extensions), the other roots still answered.

A document it does not cover (mutations, introspection, other directives, a field with
any other resolver) or one that does not validate gets no plan; an uncoded error while
executing, or a value graphql-core would refuse (null for a non-null field), abandons the
attempt. Either way the request goes through ordinary Strawberry execution, which
produces the same data or the errors with their paths and codes (`Fallback` carries a
Neo4j failure over, so a timeout is not waited for twice). Compiling a document the cache
does not hold, and shaping a large result, happen in a worker thread: the event loop
stays free for other requests.
"""

from __future__ import annotations

import logging
import time
from collections.abc import (
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import suppress
from dataclasses import dataclass, field
from enum import Enum
from math import isfinite
from typing import Any, cast

import anyio
from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLIncludeDirective,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLString,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    located_error,
    specified_directives,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import gather_with_cancel
from strawberry import Schema
from strawberry.types import ExecutionResult
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import SelectedField, Selection

from graph.reads import QueryLog, Reader, Statement
from schema import query, types
from schema.arguments import RootArguments, names_variable, root_arguments
from schema.caches import MISSING, BoundedCache
from schema.context import Context
from schema.errors import NEO4J_FAILURES
from schema.limits import CACHE_BYTES, CACHE_SIZE, documents, variables_problem
from schema.metrics import COMPILED, record
from schema.selected import (
    THREAD_ABOVE_FIELDS,
    field_count,
    fixed_selections,
    selected_field,
)
from schema.selection import encode_cursor
from schema.types import native

logger = logging.getLogger(__name__)

# Field functions that only read what the root statement projected, called as graphql-core
# would call them: (source, info, **page arguments).
PAGED = frozenset({types.projected_page, types.projected_relationships})
READERS = frozenset(
    {types.projected, types.edge_value, types.measure, types.group_measure, types.aggregate_of}
)
# A result whose values Neo4j estimated above this many bytes is shaped in a worker thread:
# 100 countries x 100 meetings take a few hundred milliseconds of Python, which on the event
# loop would hold every other request (/readyz included) that long.
THREAD_ABOVE_BYTES = 200_000

Shape = Callable[[Any, "Run"], Any]
CONDITIONS = frozenset({GraphQLSkipDirective.name, GraphQLIncludeDirective.name})


class Incomplete(Exception):
    """A value the compiled path does not produce (graphql-core would report an error)."""


class NotCompilable(Exception):
    """A document the compiled path does not cover."""


@dataclass
class Run:
    """One execution of a plan: the coerced variables, and the readers of paged fields
    whose arguments name variables (by the field node's id), made so far."""

    variables: VariableValues
    readers: dict[int, Callable[..., Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Path:
    key: str


@dataclass(frozen=True)
class FieldInfo:
    """What the field functions of `schema.types` read of graphql-core's `info`."""

    field_name: str
    path: _Path


@dataclass(frozen=True)
class RootInfo:
    """What the root resolvers of `schema.query` read of Strawberry's `Info`."""

    selected_fields: list[SelectedField]
    context: Context


@dataclass(frozen=True)
class _Fragments:
    """What Strawberry's `SelectedField.from_node` reads of graphql-core's `info`."""

    fragments: Mapping[str, FragmentDefinitionNode]
    variable_values: VariableValues


@dataclass(frozen=True)
class Scope:
    """What compiling a selection reads besides the schema: the document's fragments, and
    the variables (for `@skip`/`@include` conditions)."""

    fragments: Mapping[str, FragmentDefinitionNode]
    variables: VariableValues | None


@dataclass(frozen=True)
class RootField:
    key: str
    nodes: tuple[FieldNode, ...]
    definition: GraphQLField
    strawberry_field: StrawberryField
    shape: Shape
    # Per node: the selections below it when they hold no variable (schema.selected).
    selections: tuple[list[Selection] | None, ...]
    # Fields below, spreads expanded: big variable-dependent selections are built off the loop.
    size: int
    arguments: RootArguments


@dataclass(frozen=True)
class Operation:
    """A validated query operation the compiled path may cover."""

    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    # The variables an `@skip`/`@include` condition names: a plan per combination of values.
    conditions: tuple[str, ...]
    # The estimated bytes of the parsed document it keeps alive (`Documents.size`): the
    # weight of its entry, and of its plans', in the compiler's caches.
    size: int


@dataclass(frozen=True)
class Plan:
    """A validated query operation, compiled: its root fields in order."""

    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    roots: tuple[RootField, ...]


class Abandoned(Exception):
    """A root field failed in a way only the ordinary execution reports."""


class _Captured(Exception):
    """A statement kept by `StatementCapture` instead of being run."""


class StatementCapture:
    """A stand-in for `graph.reads.Reader` that keeps the statements it is asked to run
    (with the parameters they would run with) and runs none."""

    def __init__(self) -> None:
        self.log = QueryLog()
        self.found: list[tuple[str, dict[str, Any]]] = []

    async def one(self, statement: Statement, budget: int | None = None) -> dict[str, Any]:
        self.found.append((statement.cypher, statement.bound(budget)))
        raise _Captured


@dataclass
class Fallback:
    """Why a compiled attempt was abandoned; a Neo4j failure is replayed, not re-run."""

    failure: tuple[int, Exception] | None = None


def graphql_schema(schema: Schema) -> GraphQLSchema:
    """Strawberry's GraphQL types (the very objects it executes with) as a schema to
    validate and coerce against, reached through the public schema converter."""
    type_map = {name: t.implementation for name, t in schema.schema_converter.type_map.items()}
    return GraphQLSchema(
        query=type_map["Query"],  # type: ignore[arg-type]
        mutation=type_map.get("Mutation"),  # type: ignore[arg-type]
        types=list(type_map.values()),  # type: ignore[arg-type]
        directives=specified_directives,
    )


class Compiler:
    """Plans for documents, cached (bounded LRU), and their execution."""

    def __init__(
        self, schema: Schema, cache_size: int = CACHE_SIZE, max_bytes: int = CACHE_BYTES
    ) -> None:
        self.schema = schema
        self.graphql = graphql_schema(schema)
        # Parsed and validated once for this path and Strawberry's execution alike.
        self.documents = documents(schema)
        # Both keyed by the document's text and operation name; plans also by the values
        # of the variables its `@skip`/`@include` conditions name (() when none does).
        # Each entry weighs its text (the key), and the parsed document its value keeps.
        self.operations: BoundedCache[tuple[str, str | None], Operation | None] = BoundedCache(
            cache_size, max_bytes
        )
        self.plans: BoundedCache[tuple[str, str | None, tuple[Any, ...]], Plan | None] = (
            BoundedCache(cache_size, max_bytes)
        )
        # Requests answered here (tests prove the path was taken, not fallen back from).
        self.answered = 0
        self._fields: dict[str, dict[str, StrawberryField]] = {}

    # -- plans -------------------------------------------------------------------------------

    async def plan(
        self,
        document: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None = None,
    ) -> Plan | None:
        """The cached plan for a document's operation (with these variables' values for its
        conditions); None when it is not compilable. A plan holds no variable value:
        arguments are read per execution.

        What the cache does not hold is compiled in a worker thread (parsing and validating
        a large document takes the interpreter for tens of milliseconds); the caches
        themselves are only touched here, on the event loop.
        """
        key = (document, operation_name)
        operation = self.operations.get(key)
        if operation is MISSING:
            found = await anyio.to_thread.run_sync(self._operation, document, operation_name)
            operation = self.operations.put(key, found, self._weight(document, found))
        coerced = self._conditions(operation, variables)
        if coerced is None:
            return None
        plan = self.plans.get((*key, coerced[0]))
        if plan is MISSING:
            assert operation is not None  # (a None operation has no conditions)
            built = await anyio.to_thread.run_sync(self._plan, operation, coerced[1])
            plan = self.plans.put((*key, coerced[0]), built, self._weight(document, operation))
        return plan

    def one_operation(self, document: str) -> bool:
        """Whether the document is known to hold exactly one operation: it was compiled
        without an operation name (which needs exactly one)."""
        found = self.operations.peek((document, None))
        return found is not None and found is not MISSING

    @staticmethod
    def _weight(document: str, operation: Operation | None) -> int:
        """An entry's estimated bytes: the parsed document its operation keeps alive, or
        (not compilable: None kept) the text of its key."""
        return operation.size if operation is not None else len(document)

    def _conditions(
        self, operation: Operation | None, variables: Mapping[str, Any] | None
    ) -> tuple[tuple[Any, ...], VariableValues | None] | None:
        """The values of the variables the operation's conditions name (the plan's key) and
        the coerced variables; None when there is no plan: not compilable, or variables
        that do not coerce (the ordinary execution reports them)."""
        if operation is None:
            return None
        if not operation.conditions:
            return (), None
        coerced = self.coerce(operation.operation, variables)
        if coerced is None:
            return None
        return tuple(coerced.coerced.get(name) for name in operation.conditions), coerced

    def coerce(
        self, operation: OperationDefinitionNode, variables: Mapping[str, Any] | None
    ) -> VariableValues | None:
        """The operation's variables coerced, or None when graphql-core refuses them or they
        are over the input bounds (the ordinary execution reports either)."""
        coerced = get_variable_values(
            self.graphql, operation.variable_definitions or [], dict(variables or {}),
            max_errors=1,
        )  # fmt: skip
        if isinstance(coerced, list) or variables_problem(self.graphql, operation,
                                                           variables or {}):  # fmt: skip
            return None
        return coerced

    def _operation(self, text: str, operation_name: str | None) -> Operation | None:
        try:
            return self._parse(text, operation_name)
        except (NotCompilable, GraphQLError):
            return None

    def _plan(self, operation: Operation, variables: VariableValues | None) -> Plan | None:
        try:
            return self._compile(operation, variables)
        except (NotCompilable, GraphQLError):
            # A condition graphql-core refuses (a null `if`) is the ordinary path's to report.
            return None

    def _parse(self, text: str, operation_name: str | None) -> Operation:
        document = self.documents.parse(text)
        conditions = _conditions(document) if "@" in text else ()
        if self.documents.errors(text):
            raise NotCompilable("invalid: Strawberry reports why")
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        chosen = [
            o
            for o in operations
            if operation_name is None or (o.name is not None and o.name.value == operation_name)
        ]
        if len(chosen) != 1 or chosen[0].operation != OperationType.QUERY:
            raise NotCompilable("not exactly one query operation")
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        return Operation(chosen[0], fragments, conditions, self.documents.size(text))

    def _compile(self, compiled: Operation, variables: VariableValues | None) -> Plan:
        operation, fragments = compiled.operation, compiled.fragments
        query_type = self.graphql.query_type
        assert query_type is not None
        roots = []
        scope = Scope(fragments, variables)
        for key, nodes in self._collect(query_type, (operation.selection_set,), scope).items():
            name = nodes[0].name.value
            strawberry_field = self._strawberry_fields("Query").get(name)
            resolver = strawberry_field.base_resolver if strawberry_field else None
            if (
                strawberry_field is None
                or resolver is None
                or getattr(resolver.wrapped_func, "__module__", None) != query.__name__
            ):
                raise NotCompilable(f"root field {name!r}")
            definition = query_type.fields[name]
            roots.append(
                RootField(
                    key, tuple(nodes), definition, strawberry_field,
                    self._complete(definition.type, nodes, scope),
                    tuple(fixed_selections(n, fragments) for n in nodes),
                    sum(field_count(n, fragments) for n in nodes),
                    root_arguments(definition, nodes[0], strawberry_field, self.schema),
                )
            )  # fmt: skip
        return Plan(operation, fragments, tuple(roots))

    def _strawberry_fields(self, type_name: str) -> dict[str, StrawberryField]:
        if type_name not in self._fields:
            definition = self.schema.get_type_by_name(type_name)
            if not isinstance(definition, StrawberryObjectDefinition):
                raise NotCompilable(f"type {type_name!r}")
            converter = self.schema.config.name_converter
            self._fields[type_name] = {converter.get_graphql_name(f): f for f in definition.fields}
        return self._fields[type_name]

    def _collect(
        self,
        runtime: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode | None, ...],
        scope: Scope,
    ) -> dict[str, list[FieldNode]]:
        """The fields of `runtime` the selection sets ask, by response key (as graphql-core's
        CollectFields: `@skip`/`@include` decided, fragments applied when their type
        condition matches)."""
        found: dict[str, list[FieldNode]] = {}

        def walk(selection_set: SelectionSetNode | None) -> None:
            for selection in selection_set.selections if selection_set else ():
                if selection.directives and not _included(selection, scope.variables):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    found.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is None or self._applies(condition.name.value, runtime):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = scope.fragments[selection.name.value]
                    if self._applies(fragment.type_condition.name.value, runtime):
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        return found

    def _asked(
        self,
        type_: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode | None, ...],
        scope: Scope,
    ) -> Iterator[tuple[str, str, list[FieldNode]]]:
        """The fields of `type_` the selection sets ask, in order: response key, the field's
        name and its nodes."""
        for key, nodes in self._collect(type_, selection_sets, scope).items():
            yield key, nodes[0].name.value, nodes

    def _applies(self, condition: str, runtime: GraphQLObjectType) -> bool:
        if condition == runtime.name:
            return True
        abstract = self.graphql.get_type(condition)
        if isinstance(abstract, GraphQLInterfaceType | GraphQLUnionType):
            return self.graphql.is_sub_type(abstract, runtime)
        return False

    # -- shapers: closures that complete a value as graphql-core would -------------------------

    def _complete(
        self,
        type_: GraphQLOutputType,
        nodes: tuple[FieldNode, ...] | list[FieldNode],
        scope: Scope,
    ) -> Shape:
        if isinstance(type_, GraphQLNonNull) and isinstance(type_.of_type, GraphQLLeafType):
            # One closure for the most common field, a non-null scalar.
            serialize_ = _serializer(type_.of_type)

            def non_null_leaf(value: Any, run: Run) -> Any:
                shaped = None if value is None else serialize_(value)
                if shaped is None:
                    raise Incomplete("null for a non-null field")
                return shaped

            return non_null_leaf
        if isinstance(type_, GraphQLNonNull) and isinstance(type_.of_type, GraphQLObjectType):
            selection_sets = _selection_sets(nodes)
            return self._object(type_.of_type, selection_sets, scope, non_null=True)
        if isinstance(type_, GraphQLNonNull):
            inner = self._complete(type_.of_type, nodes, scope)

            def non_null(value: Any, run: Run) -> Any:
                if value is None:
                    raise Incomplete("null for a non-null field")
                shaped = inner(value, run)
                if shaped is None:
                    raise Incomplete("null for a non-null field")
                return shaped

            return non_null
        if isinstance(type_, GraphQLList):
            item = self._complete(type_.of_type, nodes, scope)

            def listed(value: Any, run: Run) -> Any:
                return None if value is None else [item(v, run) for v in value]

            return listed
        if isinstance(type_, GraphQLLeafType):
            serialize = _serializer(type_)

            def leaf(value: Any, run: Run) -> Any:
                if value is None:
                    return None
                serialized = serialize(value)
                if serialized is None:
                    raise Incomplete("a leaf that does not serialize")
                return serialized

            return leaf
        selection_sets = _selection_sets(nodes)
        if isinstance(type_, GraphQLObjectType):
            return self._object(type_, selection_sets, scope)
        if isinstance(type_, GraphQLInterfaceType):
            cases = {
                t.name: self._object(t, selection_sets, scope)
                for t in self.graphql.get_possible_types(type_)
            }

            def abstract(value: Any, run: Run) -> Any:
                if value is None:
                    return None
                # Graph objects are built by their `__typename` (types.graph_object).
                shape = cases.get(value.data["__typename"])
                if shape is None:
                    raise Incomplete("a value of no possible type")
                return shape(value, run)

            return abstract
        raise NotCompilable(f"type {type_}")

    def _object(
        self,
        type_: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode | None, ...],
        scope: Scope,
        non_null: bool = False,
        from_data: bool = False,
    ) -> Shape:
        """One function for the objects of `type_` under these selections, generated once
        per plan: a dict display of the response keys in order, a scalar read off the object
        written into it (no call per field), the other fields completed by their closures.
        `non_null`: the object of a non-null field (a null is not completed). `from_data`:
        it is given the projected node map itself (an edge's node, `_node`), and makes the
        graph object only when a field's function needs it."""
        strawberry_fields = self._strawberry_fields(type_.name)
        code = _Code()
        entries: list[str] = []
        for key, name, nodes in self._asked(type_, selection_sets, scope):
            if name == "__typename":
                entries.append(f"{key!r}: {type_.name!r}")
                continue
            definition = type_.fields[name]
            strawberry_field = strawberry_fields.get(name)
            leaf = self._leaf(strawberry_field, definition, key, name, type_.name)
            if leaf is not None:
                entries.append(f"{key!r}: {code.leaf(leaf)}")
                continue
            date = self._date(strawberry_field, definition, key, name, type_.name, nodes, scope)
            if date is not None:
                shape_date, where = date
                entries.append(f"{key!r}: {code.name(shape_date)}({code.found(where)})")
                continue
            window = self._connection(strawberry_field, definition, key, nodes, scope, type_.name)
            if window is not None:
                shape_window, read = window
                code.reads_data = True
                if read is types.projected_page:
                    code.reads_node = True  # page_reader's type check
                entries.append(f"{key!r}: {code.name(shape_window)}(data, run)")
                continue
            getter = self._getter(strawberry_field, definition, key, nodes[0], type_.name)
            complete = code.name(self._complete(definition.type, nodes, scope))
            entries.append(f"{key!r}: {complete}({code.read(getter)}, run)")
        null = "raise Incomplete('null for a non-null field')" if non_null else "return None"
        # A node of another type than its field's (never seen): the ordinary execution.
        other_type = [
            f"    if data['__typename'] != {type_.name!r}:",
            "        raise Incomplete('a node of another type')",
        ]
        if from_data:
            lines = [
                "def shape(data, run):",
                "    if data is None:",
                f"        {null}",
                *other_type,
            ]
            if code.reads_value:
                code.names["graph_object"] = types.graph_object
                lines.append("    value = graph_object(data)")
        else:
            lines = ["def shape(value, run):", "    if value is None:", f"        {null}"]
            if code.reads_data:
                lines.append("    data = value.data")
            if code.reads_node:
                lines += other_type
        lines.append("    return {" + ", ".join(entries) + "}")
        return cast(Shape, code.define("\n".join(lines), f"<shape {type_.name}>"))

    def _leaf(
        self,
        strawberry_field: StrawberryField | None,
        definition: GraphQLField,
        key: str,
        name: str,
        type_name: str,
    ) -> Leaf | None:
        """A scalar field read straight off its object (an attribute, a projected property
        or slug, an edge's stored value), completed as `_complete` does: most fields of a
        response, which took a getter's call, a completion's and a serializer's each. None
        for the other fields."""
        type_: GraphQLOutputType = definition.type
        non_null = isinstance(type_, GraphQLNonNull)
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if not isinstance(type_, GraphQLLeafType) or strawberry_field is None:
            return None
        if strawberry_field.extensions or getattr(strawberry_field, "permission_classes", None):
            return None  # _getter refuses these
        finish = _finish(_serializer(type_), non_null)
        # A string is its own serialization for String and ID only.
        as_is = type_ in (GraphQLString, GraphQLID)
        resolver = strawberry_field.base_resolver
        if resolver is None:
            return Leaf("attribute", strawberry_field.python_name, name, as_is, finish)
        function = resolver.wrapped_func
        if function is types.edge_value and name not in types.EDGE_CONVERTED:
            return Leaf("edge", key, name, as_is, finish)
        stored = types.stored_key(type_name, name, key) if function is types.projected else None
        if stored is None:
            return None
        return Leaf("node", stored, name, as_is, finish)

    def _date(
        self,
        strawberry_field: StrawberryField | None,
        definition: GraphQLField,
        key: str,
        name: str,
        type_name: str,
        nodes: list[FieldNode],
        scope: Scope,
    ) -> tuple[Callable[[Any], Any], Leaf] | None:
        """A fuzzy date of a node or an edge, shaped straight from its projected map (as
        `fuzzy_date` reads it), without a `FuzzyDate` object and its shaper; and where the
        map is read. None for any other field."""
        type_ = definition.type
        non_null = isinstance(type_, GraphQLNonNull)
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if not isinstance(type_, GraphQLObjectType) or type_.name != "FuzzyDate":
            return None
        if strawberry_field is None or strawberry_field.extensions:
            return None
        if getattr(strawberry_field, "permission_classes", None):
            return None
        resolver = strawberry_field.base_resolver
        function = resolver.wrapped_func if resolver is not None else None
        if function is types.edge_value and name in types.EDGE_DATES:
            where = Leaf("edge", key, name, False, _same)
        elif function is types.projected and types.is_date(type_name, name):
            where = Leaf("node", key, name, False, _same)
        else:
            return None
        parts = {"value": 0, "precision": 1, "start": 2, "end": 3, "basis": 4}
        code = _Code()
        code.names["output_parts"] = _date_output(type_)
        entries: list[str] = []
        required: list[str] = []
        for part_key, part, _ in self._asked(type_, _selection_sets(nodes), scope):
            if part == "__typename":
                entries.append(f"{part_key!r}: {type_.name!r}")
                continue
            if part not in parts:
                return None
            if isinstance(type_.fields[part].type, GraphQLNonNull):
                required.append(f"t[{parts[part]}] is None")
            entries.append(f"{part_key!r}: t[{parts[part]}]")
        null_check = [
            f"    if {' or '.join(required)}:",
            "        raise Incomplete('null for a non-null field')",
        ]
        source = "\n".join(
            [
                "def shape(value):",
                "    t = output_parts(value)",
                "    if t is None:",
                "        raise Incomplete('null for a non-null field')"
                if non_null
                else "        return None",
                *(null_check if required else []),
                "    return {" + ", ".join(entries) + "}",
            ]
        )
        return code.define(source, "<shape FuzzyDate>"), where

    def _connection(
        self,
        strawberry_field: StrawberryField | None,
        definition: GraphQLField,
        key: str,
        nodes: list[FieldNode],
        scope: Scope,
        type_name: str,
    ) -> tuple[Shape, Callable[..., Any]] | None:
        """A nested page with constant arguments shaped straight from its projected window,
        without the `Connection`, `Edge` and `PageInfo`... objects `types.connection` makes:
        when its edges ask only leaves, dates, `cursor` and `node`. The shaper and the
        field function it stands for; None for any other field."""
        if strawberry_field is None or strawberry_field.extensions:
            return None
        resolver = strawberry_field.base_resolver
        function = resolver.wrapped_func if resolver is not None else None
        type_ = definition.type
        if function not in PAGED or not isinstance(type_, GraphQLNonNull):
            return None
        connection_type = type_.of_type
        node = nodes[0]
        if not isinstance(connection_type, GraphQLObjectType) or any(
            names_variable(a.value) for a in node.arguments or ()
        ):
            return None
        arguments = get_argument_values(definition, node) if node.arguments else {}
        info = FieldInfo(node.name.value, _Path(key))
        window = types.window_reader(function, type_name, info, arguments)
        if window is None:
            return None
        code = _Code()
        code.names |= {"window": window, "page_info": types.page_info}
        entries: list[str] = []
        selection_sets = _selection_sets(nodes)
        for part_key, part, part_nodes in self._asked(connection_type, selection_sets, scope):
            part_type = connection_type.fields[part].type if part != "__typename" else None
            edge_type = _list_of_objects(part_type)
            if part == "__typename":
                entries.append(f"{part_key!r}: {connection_type.name!r}")
            elif (
                part == "totalCount"
                and isinstance(part_type, GraphQLNonNull)
                and isinstance(part_type.of_type, GraphQLLeafType)
            ):
                finish = code.name(_finish(_serializer(part_type.of_type), True))
                entries.append(f"{part_key!r}: {finish}(total if total is not None "
                               "else offset + len(items))")  # fmt: skip
            elif part == "pageInfo" and part_type is not None:
                complete = code.name(self._complete(part_type, part_nodes, scope))
                entries.append(f"{part_key!r}: {complete}(page_info(offset, len(items), total, "
                               "more), run)")  # fmt: skip
            elif part == "edges" and edge_type is not None:
                edge = self._edge(edge_type, part_nodes, scope)
                if edge is None:
                    return None
                shape_edge = code.name(edge)
                entries.append(f"{part_key!r}: [{shape_edge}(item, offset + i, run) "
                               "for i, item in enumerate(items)]")  # fmt: skip
            else:
                return None
        source = "\n".join(
            [
                "def shape(data, run):",
                "    items, offset, total, more = window(data)",
                "    return {" + ", ".join(entries) + "}",
            ]
        )
        return cast(Shape, code.define(source, f"<shape {connection_type.name}>")), function

    def _edge(
        self, type_: GraphQLObjectType, nodes: list[FieldNode], scope: Scope
    ) -> Callable[[dict[str, Any], int, Run], Any] | None:
        """An edge of a page shaped from its projected row and its offset, as the shaper of
        the `Edge` that `types.connection` would make of them; None when it asks a field
        read otherwise than as a leaf, a date, the cursor or the node."""
        strawberry_fields = self._strawberry_fields(type_.name)
        code = _Code()
        code.names["encode_cursor"] = encode_cursor
        entries: list[str] = []
        for key, name, field_nodes in self._asked(type_, _selection_sets(nodes), scope):
            if name == "__typename":
                entries.append(f"{key!r}: {type_.name!r}")
                continue
            definition = type_.fields[name]
            strawberry_field = strawberry_fields.get(name)
            python_name = getattr(strawberry_field, "python_name", None)
            plain = strawberry_field is not None and strawberry_field.base_resolver is None
            if plain and python_name == "cursor" and _is_non_null_string(definition.type):
                entries.append(f"{key!r}: encode_cursor(index)")
                continue
            if plain and python_name == "node":
                complete = code.name(self._node(definition.type, field_nodes, scope))
                entries.append(f"{key!r}: {complete}(data['node'], run)")
                continue
            leaf = self._leaf(strawberry_field, definition, key, name, type_.name)
            if leaf is not None and leaf.read == "edge":
                entries.append(f"{key!r}: {code.leaf(leaf)}")
                continue
            date = self._date(strawberry_field, definition, key, name, type_.name, field_nodes,
                              scope)  # fmt: skip
            if date is not None and date[1].read == "edge":
                entries.append(f"{key!r}: {code.name(date[0])}({code.found(date[1])})")
                continue
            return None
        source = "\n".join(
            ["def shape(data, index, run):", "    return {" + ", ".join(entries) + "}"]
        )
        return code.define(source, f"<shape {type_.name}>")

    def _node(self, type_: GraphQLOutputType, nodes: list[FieldNode], scope: Scope) -> Shape:
        """The shaper of an edge's node from its projected map, as `_complete` shapes the
        graph object `types.graph_object` makes of it: an object type's or, for an
        interface or a union, the one its `__typename` names, given the map itself (no
        object, and no closure per wrapping type, for most nodes of a response)."""
        non_null = isinstance(type_, GraphQLNonNull)
        named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        selection_sets = _selection_sets(nodes)
        if isinstance(named, GraphQLObjectType):
            return self._object(named, selection_sets, scope, non_null, from_data=True)
        if not isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            complete = self._complete(type_, nodes, scope)
            return lambda data, run: complete(types.graph_object(data), run)
        cases = {
            t.name: self._object(t, selection_sets, scope, from_data=True)
            for t in self.graphql.get_possible_types(named)
        }

        def abstract_node(data: Any, run: Run) -> Any:
            if data is None:
                if non_null:
                    raise Incomplete("null for a non-null field")
                return None
            shape = cases.get(data["__typename"])
            if shape is None:
                raise Incomplete("a value of no possible type")
            return shape(data, run)

        return abstract_node

    def _getter(
        self,
        strawberry_field: StrawberryField | None,
        definition: GraphQLField,
        key: str,
        node: FieldNode,
        type_name: str,
    ) -> Callable[[Any, Run], Any]:
        if strawberry_field is None or strawberry_field.extensions:
            raise NotCompilable("a field Strawberry wraps")
        if getattr(strawberry_field, "permission_classes", None):
            raise NotCompilable("a field with permissions")
        resolver = strawberry_field.base_resolver
        if resolver is None:
            return _attribute(strawberry_field.python_name)
        function = resolver.wrapped_func
        info = FieldInfo(node.name.value, _Path(key))
        if function is types.projected:
            # The field's spec, looked up once for the type, not per object.
            return types.projected_reader(type_name, info)
        if function in READERS:
            return lambda value, run: function(value, info)
        if function in PAGED:
            if not node.arguments:
                return types.page_reader(function, type_name, info, {})
            literal = not any(names_variable(a.value) for a in node.arguments)

            def paged(value: Any, run: Run) -> Any:
                # The arguments' values, and the window they make, once per execution.
                reader = run.readers.get(id(node))
                if reader is None:
                    arguments = get_argument_values(definition, node, run.variables)
                    reader = types.page_reader(function, type_name, info, arguments)
                    run.readers[id(node)] = reader
                return reader(value)

            if literal:
                constant = get_argument_values(definition, node)
                return types.page_reader(function, type_name, info, constant)
            return paged
        raise NotCompilable(f"resolver {function.__name__}")

    async def statements(
        self, document: str, context: Callable[[Reader], Context]
    ) -> list[tuple[str, dict[str, Any]]]:
        """The statements, with their parameters, that a document without variables runs,
        none of them run: each root resolver is called on a context (made by `context`)
        whose reader keeps its statement and stops it there. What Neo4j's plan cache is
        warmed with before any request came (graph/warmup.py)."""
        plan = await self.plan(document, None)
        coerced = self.coerce(plan.operation, None) if plan is not None else None
        if plan is None or coerced is None:
            return []
        fragments = _Fragments(plan.fragments, coerced)
        found: list[tuple[str, dict[str, Any]]] = []
        for root in plan.roots:  # one at a time: each root's statement is kept
            capture = StatementCapture()
            info = RootInfo(_selected(root, fragments), context(cast(Reader, capture)))
            with suppress(Exception):
                await self._resolve(root, info, root.arguments.values(coerced), [], Fallback())
            found += capture.found
        return found

    # -- execution -----------------------------------------------------------------------------

    async def answer(
        self,
        document: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Context,
        fallback: Fallback,
    ) -> ExecutionResult | None:
        """The result on the compiled path; None: the ordinary way must answer (with a fresh
        context, `fallback.failure` replayed in it)."""
        plan = await self.plan(document, operation_name, variables)
        if plan is None:
            return None
        result = await self.execute(plan, variables, context, operation_name, fallback)
        COMPILED.labels("fell_back" if result is None else "answered").inc()
        return result

    async def execute(
        self,
        plan: Plan,
        variables: dict[str, Any] | None,
        context: Context,
        operation_name: str | None,
        fallback: Fallback,
    ) -> ExecutionResult | None:
        """The result (data, and the root fields' coded errors), or None when the request
        must go the ordinary way."""
        started = time.perf_counter()
        coerced = self.coerce(plan.operation, variables)
        if coerced is None:
            return None
        run = Run(coerced)
        errors: list[GraphQLError] = []
        data: dict[str, Any] | None
        try:
            calls = await self._calls(plan, coerced, context, errors, fallback)
            # Concurrently, as graphql-core runs a query's root fields: a root that fails
            # before its statement runs is not kept waiting behind a slow one. One root is
            # awaited as is (a task of its own costs a turn of the loop).
            results = [await calls[0]] if len(calls) == 1 else await gather_with_cancel(*calls)
            values = list(zip(plan.roots, results, strict=True))
        except GraphQLError as error:  # a non-null root failed: no data at all
            errors.append(error)
            data = None
        except Exception as error:  # Strawberry reports it, with its path and code
            logger.debug("compiled attempt abandoned: %r", error)
            return None
        else:
            try:
                if context.response_bytes > THREAD_ABOVE_BYTES:
                    data = await anyio.to_thread.run_sync(_shape_all, values, run)
                else:
                    data = _shape_all(values, run)
            except Exception as error:
                logger.debug("compiled shaping abandoned: %r", error)
                return None
        if errors:
            self.schema.process_errors(errors)
        self.answered += 1
        record(operation_name or _name(plan.operation), bool(errors), started, context.reader)
        return ExecutionResult(data=data, errors=errors or None)

    async def _calls(
        self,
        plan: Plan,
        variables: VariableValues,
        context: Context,
        errors: list[GraphQLError],
        fallback: Fallback,
    ) -> list[Coroutine[Any, Any, Any]]:
        """The root fields' resolutions, in order, none started yet.

        graphql-core coerces a root field's arguments when it reaches the field, before any
        resolver it called for an earlier root has run: such a failure is reported ahead of
        theirs, and a non-null root's (raised here) instead of them (hostile review 6)."""
        fragment_info = _Fragments(plan.fragments, variables)
        calls: list[Coroutine[Any, Any, Any]] = []
        try:
            for root in plan.roots:
                try:
                    arguments = root.arguments.values(variables)
                except GraphQLError as error:
                    located = located_error(error, list(root.nodes), [root.key])
                    if isinstance(root.definition.type, GraphQLNonNull):
                        raise located from None
                    errors.append(located)
                    calls.append(_null())
                    continue
                if root.size > THREAD_ABOVE_FIELDS and None in root.selections:
                    selected = await anyio.to_thread.run_sync(_selected, root, fragment_info)
                else:
                    selected = _selected(root, fragment_info)
                info = RootInfo(selected, context)
                calls.append(self._resolve(root, info, arguments, errors, fallback))
        except BaseException:
            for call in calls:  # never started: nothing to wait for
                call.close()
            raise
        return calls

    async def _resolve(
        self,
        root: RootField,
        info: RootInfo,
        arguments: dict[str, Any],
        errors: list[GraphQLError],
        fallback: Fallback,
    ) -> Any:
        """A root field's value (its arguments coerced by `_calls`); its coded error as
        graphql-core reports it (raised for a non-null field, else collected and the value
        null); another error abandons."""
        try:
            converted = root.arguments.python(arguments, self.schema)
            resolver = root.strawberry_field.base_resolver
            assert resolver is not None
            # The Query's methods take `self` (the root value: none here) first.
            bound = (None,) if resolver.self_parameter is not None else ()
            function = cast(Callable[..., Awaitable[Any]], resolver.wrapped_func)
            return await function(*bound, info=info, **converted)
        except GraphQLError as error:
            if isinstance(error, NEO4J_FAILURES):
                # Kept for the ordinary execution, should another root abandon the attempt.
                fallback.failure = (info.context.statements - 1, error)
            if not (error.extensions or {}).get("code"):
                raise Abandoned(error) from error
            located = located_error(error, list(root.nodes), [root.key])
            if isinstance(root.definition.type, GraphQLNonNull):
                raise located from None
            errors.append(located)
            return None


async def _null() -> None:
    """The value of a nullable root whose arguments did not coerce (its error reported)."""
    return None


def _serializer(type_: GraphQLLeafType) -> Callable[[Any], Any]:
    """The type's `serialize`; a value it would return as is, without the call: for String
    and ID a string, for Int an int within 32 bits (a page's every `totalCount`), for Float
    a finite float (a search hit's score); for an enum of Strawberry's, a member's name
    looked up (its `serialize` compares the member with every value of the enum)."""
    serialize = type_.serialize
    wrapped = getattr(type_, "wrapped_cls", None)
    if (
        isinstance(type_, GraphQLEnumType)
        and isinstance(wrapped, type)
        and issubclass(wrapped, Enum)
    ):
        names: dict[Enum, str] = {}
        for member in wrapped:
            # The first name whose value matches, as Strawberry's serialize finds it.
            found = [n for n, v in type_.values.items() if member.value == v.value]
            if found:
                names[member] = found[0]
        return lambda value: (
            names[value] if value.__class__ is wrapped and value in names else serialize(value)
        )
    if type_ is GraphQLInt:
        return lambda value: (
            value
            if value.__class__ is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT
            else serialize(value)
        )
    if type_ is GraphQLFloat:
        return lambda value: (
            value if value.__class__ is float and isfinite(value) else serialize(value)
        )
    if type_ not in (GraphQLString, GraphQLID):
        return serialize
    return lambda value: value if value.__class__ is str else serialize(value)


def _finish(serialize: Callable[[Any], Any], non_null: bool) -> Callable[[Any], Any]:
    """A scalar value completed as `_complete`'s leaves do: null where allowed, else the
    serialized value (graphql-core would report an error for a null where it is not)."""

    def finish(value: Any) -> Any:
        if value is None:
            if non_null:
                raise Incomplete("null for a non-null field")
            return None
        serialized = serialize(value)
        if serialized is None:
            raise Incomplete("a leaf that does not serialize")
        return serialized

    return finish


def _date_output(type_: GraphQLObjectType) -> Callable[[Any], tuple[Any, ...] | None]:
    """A projected fuzzy date's five parts in their serialised form (None: no date), as
    `types.fuzzy_date` and the FuzzyDate type's serialisers give them, every part checked
    whether asked or not (one that does not convert is an error on either path).

    Without a `date` and a `DatePrecision` made per part and then serialised again: a day
    Neo4j sent as ISO text (`graph.projection.date_part`) is its own serialisation."""
    precision_type = type_.fields["precision"].type
    if isinstance(precision_type, GraphQLNonNull):
        precision_type = precision_type.of_type
    assert isinstance(precision_type, GraphQLLeafType)
    serialize_precision = _serializer(precision_type)
    precisions = {m.value: serialize_precision(m) for m in types.DatePrecision}
    day_type = type_.fields["start"].type
    serialize_day = _serializer(
        day_type.of_type if isinstance(day_type, GraphQLNonNull) else day_type
    )

    def iso_day(value: Any) -> Any:
        if value is None:
            return None
        if (
            value.__class__ is str
            and len(value) == 10
            and value[4] == value[7] == "-"
            and value[:4] != "0000"
        ):
            return value
        try:
            return serialize_day(types.day(value))
        except (TypeError, ValueError) as error:
            raise Incomplete("a day that does not convert") from error

    def output_parts(value: dict[str, Any] | None) -> tuple[Any, ...] | None:
        if value is None or (found := value.get("value")) is None:
            return None
        precision = value.get("precision")
        if precision is not None:
            precision = precisions.get(precision, MISSING)
            if precision is MISSING:
                raise Incomplete("a precision of no DatePrecision")
        basis = value.get("basis")
        if found.__class__ is not str or (basis is not None and basis.__class__ is not str):
            raise Incomplete("a date's text that is not a string")
        return found, precision, iso_day(value.get("start")), iso_day(value.get("end")), basis

    return output_parts


def _selected(root: RootField, info: _Fragments) -> list[SelectedField]:
    return [selected_field(info, n, f) for n, f in zip(root.nodes, root.selections, strict=True)]


def _shape_all(values: list[tuple[RootField, Any]], run: Run) -> dict[str, Any]:
    return {root.key: root.shape(value, run) for root, value in values}


@dataclass(frozen=True)
class Leaf:
    """A scalar field read straight off its object: an attribute (`source`: its Python
    name), an edge's stored value (`source`: the response key, else the field's `name`)
    or a node's projected property (`source`: its key in the projected map)."""

    read: str
    source: str
    name: str
    # A string is the value as is (String, ID); anything else is `finish`ed.
    as_is: bool
    finish: Callable[[Any], Any]


class _Code:
    """The text of a generated shaper and the values it names (closures, constants)."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"Incomplete": Incomplete, "native": native}
        self.reads_data = False  # it reads `value.data`
        self.reads_node = False  # ... of a graph node, whose `__typename` it checks
        self.reads_value = False  # it reads the object itself (an attribute, a getter)

    def name(self, value: Any) -> str:
        found = f"_{len(self.names)}"
        self.names[found] = value
        return found

    def read(self, getter: Callable[[Any, Run], Any]) -> str:
        self.reads_value = True
        attribute = getattr(getter, "attribute", None)
        if isinstance(attribute, str) and attribute.isidentifier():
            return f"value.{attribute}"
        return f"{self.name(getter)}(value, run)"

    def found(self, leaf: Leaf) -> str:
        """The expression of a leaf's value as its object holds it."""
        if leaf.read == "attribute":
            if not leaf.source.isidentifier():
                raise NotCompilable(f"attribute {leaf.source!r}")
            self.reads_value = True
            return f"value.{leaf.source}"
        self.reads_data = True
        key = repr(leaf.source)
        if leaf.read == "edge":
            return f"(data[{key}] if {key} in data else data.get({leaf.name!r}))"
        self.reads_node = True
        return f"data.get({key})"

    def leaf(self, leaf: Leaf) -> str:
        """The expression of a leaf's completed value (`x`: a local of the shaper)."""
        found = self.found(leaf)
        finish = self.name(leaf.finish)
        # A property or an edge's value may be a Neo4j temporal: `native` as `projected`.
        template = f"{finish}({{}})" if leaf.read == "attribute" else f"{finish}(native({{}}))"
        if leaf.as_is:
            return f"(x if (x := {found}).__class__ is str else {template.format('x')})"
        return template.format(found)

    def define(self, source: str, filename: str) -> Callable[..., Any]:
        namespace = dict(self.names)
        # The text holds only repr()s of response keys and identifiers, and names of values.
        exec(compile(source, filename, "exec"), namespace)
        return cast(Callable[..., Any], namespace["shape"])


def _list_of_objects(type_: GraphQLOutputType | None) -> GraphQLObjectType | None:
    """The object type of `[T!]!`, else None."""
    if isinstance(type_, GraphQLNonNull) and isinstance(type_.of_type, GraphQLList):
        item = type_.of_type.of_type
        if isinstance(item, GraphQLNonNull) and isinstance(item.of_type, GraphQLObjectType):
            return item.of_type
    return None


def _is_non_null_string(type_: GraphQLOutputType) -> bool:
    return isinstance(type_, GraphQLNonNull) and type_.of_type is GraphQLString


def _selection_sets(nodes: Sequence[FieldNode]) -> tuple[SelectionSetNode | None, ...]:
    return tuple(n.selection_set for n in nodes)


def _same(value: Any) -> Any:
    return value


def _attribute(python_name: str) -> Callable[[Any, Run], Any]:
    def getter(value: Any, run: Run) -> Any:
        return getattr(value, python_name)

    getter.attribute = python_name  # type: ignore[attr-defined]  # read inline by _Code
    return getter


def _name(operation: OperationDefinitionNode) -> str | None:
    return operation.name.value if operation.name else None


def _conditions(document: DocumentNode) -> tuple[str, ...]:
    """The variables that `@skip`/`@include` conditions name, in order of appearance.

    Any other directive (or one placed elsewhere) is not compiled: the ordinary execution
    gives it its meaning or its error."""
    names: list[str] = []
    stack: list[Any] = list(reversed(document.definitions))
    while stack:
        node = stack.pop()
        directives: tuple[DirectiveNode, ...] = getattr(node, "directives", None) or ()
        for directive in directives:
            placed = isinstance(node, FieldNode | FragmentSpreadNode | InlineFragmentNode)
            if directive.name.value not in CONDITIONS or not placed:
                raise NotCompilable(f"directive @{directive.name.value}")
            for argument in directive.arguments or ():
                if isinstance(argument.value, VariableNode):
                    name = argument.value.name.value
                    if name not in names:
                        names.append(name)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(reversed(selection_set.selections))
    return tuple(names)


def _included(node: SelectionNode, variables: VariableValues | None) -> bool:
    """graphql-core's `should_include_node`: `@skip(if: true)` wins over `@include`."""
    for directive in node.directives or ():
        definition = (
            GraphQLSkipDirective if directive.name.value == "skip" else GraphQLIncludeDirective
        )
        condition = get_argument_values(definition, directive, variables)["if"]
        if condition is (definition is GraphQLSkipDirective):
            return False
    return True
