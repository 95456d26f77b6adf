"""Limits that keep one request from costing the server too much.

Tokens are limited by the parser (`MAX_TOKENS`, `Documents`). Depth, aliases and cost come from
one walk of the operation (`analyze`) that follows fragment spreads and inline
fragments: each named fragment is measured once and its figures multiplied by every
spread, so a fan-out of fragments (8 fragments each spreading the previous one 10
times: 10^7 fields) is measured in milliseconds and refused before anything expands it.

The cost estimates the values a response may hold: every field counts once per item
of the lists around it; connections count their page size (`first`/`last`/`limit`: a
variable counts as the largest value the argument takes, none as its default), other
lists `LIST_SIZE` items, and large text fields (a document's `text`) count `TEXT_WEIGHT`.
Input objects (`where` filters and any other) are bounded in operands and nesting:
literals by `RequestLimits`, variables by `InputLimits`, walked generically so that any
new filter operator counts too.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLFloat,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationRule,
    ValueNode,
    VariableNode,
    execute_sync,
    get_named_type,
    parse,
    specified_rules,
)
from graphql.type.definition import GraphQLField, GraphQLInputType, GraphQLOutputType
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.type.scalars import GRAPHQL_MAX_INT
from graphql.validation.validate import ValidationAbortedError
from strawberry import Schema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from schema.caches import MISSING, BoundedCache, document_bytes, unlink_tokens
from schema.errors import validation_code
from schema.selection import DEFAULT_PAGE_SIZE, MAX_NEIGHBORHOOD, MAX_PAGE_SIZE, MAX_PATHS

MAX_DEPTH = 20
MAX_ALIASES = 30
MAX_TOKENS = 4_000
MAX_COST = 100_000
# Field selections after expanding fragments: a fan-out of spreads under the cost limit
# (4 levels of 17 spreads of `name`: 4,913 fields, cost 4,916) still takes the event loop
# for each expanded field, in graphql-core's and Strawberry's walks and in the projection.
# GraphiQL's introspection query expands to about 100, the largest example to about 60.
# Counted over the whole document (every operation is validated).
MAX_FIELDS = 1_000
# Fields of one response name in one selection set. graphql-core's
# OverlappingFieldsCanBeMergedRule compares each pair of them (2 units of its budget of
# 500,000 per document) and answers only "Validation aborted." when the budget is spent:
# 708 `__typename` side by side did. 100 repeats are 19,800 units; with MAX_FIELDS at
# most ten such selection sets fit in a document.
MAX_REPEATS = 100
# A plain list (sources, aliases, a path's nodes) is assumed to hold this many items.
LIST_SIZE = 10
# A large text field counts as this many values (a document's text: kilobytes).
TEXT_WEIGHT = 100
LARGE_TEXT = frozenset({("Document", "text")})
# A GraphQL name (field, alias, argument, variable, fragment) longer than this is refused.
MAX_NAME = 100
# Input objects (filters): operands (object fields and list items) and nesting, per request.
MAX_INPUT_OPERANDS = 200
MAX_INPUT_DEPTH = 10
# Distinct documents whose parse and validation are kept: a front end sends a few dozen.
CACHE_SIZE = 512
# And the estimated bytes each cache of documents may hold (`schema.caches.document_bytes`):
# a front end's documents of a few hundred tokens are 100-200 KB each; one of the 4,000
# tokens the parser allows is 1.6 MB. Each cache keyed by a document's text (here and in
# schema/compiled.py) has this bound; they mostly hold the same parsed documents.
CACHE_BYTES = 32_000_000
# Introspection answers kept (each about 250 KB for a full one).
INTROSPECTION_CACHE_SIZE = 8
PAGE_ARGUMENTS = ("first", "last", "limit")
# The largest value a page argument takes, where it is not MAX_PAGE_SIZE: a variable given
# for it counts as this (the estimate is made once per document, without the variables).
# `neighborhood(limit: $l)` counted as 100 let `{"l": 500}` past the check that a literal
# 500 failed (hostile review 13r).
LARGEST_PAGE = {
    ("Query", "neighborhood", "limit"): MAX_NEIGHBORHOOD,
    ("Query", "paths", "first"): MAX_PATHS,
}
# The introspection fields of the query root (`__typename` is a scalar: cost 1).
META_FIELDS: dict[str, GraphQLField] = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


@dataclass(frozen=True)
class Measure:
    """What a selection costs once: estimated values, depth and aliases (all expanded)."""

    cost: int = 0
    depth: int = 0
    aliases: int = 0
    # Field selections once every fragment spread is expanded (repeats included, list sizes
    # not multiplied): the work of collecting and projecting fields, whatever the data.
    fields: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.cost + other.cost,
            max(self.depth, other.depth),
            self.aliases + other.aliases,
            self.fields + other.fields,
        )


def _unwrap(type_: GraphQLOutputType) -> tuple[GraphQLNamedType, bool]:
    """The named type and whether it is a list."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return get_named_type(type_), isinstance(type_, GraphQLList)


class Analysis:
    """Measures an operation, each named fragment once (memoised by name)."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.memo: dict[tuple[str, int], Measure] = {}
        self.active: set[str] = set()  # cycles are refused by NoFragmentCyclesRule
        self.introspection = introspection_sizes(schema)

    def selection_set(
        self, node: SelectionSetNode | None, parent: GraphQLNamedType, lists: int = LIST_SIZE
    ) -> Measure:
        """`lists`: the assumed size of the lists directly in this selection."""
        total = Measure()
        for selection in node.selections if node else ():
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, lists)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                type_ = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, type_ or parent, lists)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, lists)
        return total

    def fragment(self, name: str, lists: int) -> Measure:
        if (name, lists) in self.memo:
            return self.memo[name, lists]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return Measure()
        type_ = self.schema.get_type(definition.type_condition.name.value)
        if type_ is None:
            return Measure()
        self.active.add(name)
        measure = self.selection_set(definition.selection_set, type_, lists)
        self.active.discard(name)
        self.memo[name, lists] = measure
        return measure

    def field(self, node: FieldNode, parent: GraphQLNamedType, lists: int) -> Measure:
        alias = 1 if node.alias else 0
        name = node.name.value
        # Introspection counts like any other field: `__schema` x 30 aliases is costly too.
        definition = META_FIELDS.get(name) if parent is self.schema.query_type else None
        if definition is None and isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(name)
        if definition is None:
            # `__typename`, or an unknown field (FieldsOnCorrectTypeRule refuses it).
            return Measure(cost=1, aliases=alias, fields=1)
        type_, is_list = _unwrap(definition.type)
        size = self.size(node, parent, definition, is_list, lists)
        inner_lists = LIST_SIZE
        if not is_list and not type_.name.endswith("Connection"):
            # neighborhood(limit:): one object whose lists hold up to `limit` items each.
            size, inner_lists = 1, max(size, LIST_SIZE)
        weight = TEXT_WEIGHT if (parent.name, name) in LARGE_TEXT else 1
        if parent.name.startswith("__") or name.startswith("__"):
            # Its lists as large as this schema's (95 types ...), not LIST_SIZE.
            size = self.introspection.get((parent.name, name), size)
        inner = self.selection_set(node.selection_set, type_, inner_lists)
        return Measure(
            cost=size * (weight + inner.cost),
            depth=1 + inner.depth if node.selection_set else 0,
            aliases=alias + inner.aliases,  # as written, not multiplied by list sizes
            fields=1 + inner.fields,
        )

    @staticmethod
    def size(node: FieldNode, parent: GraphQLNamedType, definition: GraphQLField,
             is_list: bool, lists: int) -> int:  # fmt: skip
        """How many items a field may return: its page size (given, or the argument's
        default: `neighborhood` without `limit` holds 50), or a list's assumed size."""
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                value = argument.value
                if isinstance(value, IntValueNode):
                    try:
                        size = int(value.value)
                    except ValueError:  # beyond Python's digit limit: ValuesOfCorrectType
                        return 1
                    # Beyond GraphQL's Int ValuesOfCorrectType says so: one error, not two.
                    return max(1, size) if size <= GRAPHQL_MAX_INT else 1
                if isinstance(value, VariableNode):
                    key = (parent.name, node.name.value, argument.name.value)
                    return LARGEST_PAGE.get(key, MAX_PAGE_SIZE)
            if argument.name.value == "ids":  # nodes(ids:): one item per id, up to a page
                value = argument.value
                return len(value.values) if isinstance(value, ListValueNode) else MAX_PAGE_SIZE
        given = {argument.name.value for argument in node.arguments or ()}
        for name in PAGE_ARGUMENTS:
            default = definition.args[name].default_value if name in definition.args else None
            if name not in given and isinstance(default, int) and default > 0:
                return default
        if get_named_type(definition.type).name.endswith("Connection"):
            return DEFAULT_PAGE_SIZE
        if is_list and not parent.name.endswith("Connection"):
            return lists
        return 1  # a connection's edges: its page size is counted on the connection


@cache
def introspection_sizes(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """The lists of introspection types, sized as this schema has them (on average per
    item, so that `__schema { types { fields { args } } }` multiplies to the real totals)."""
    types = list(schema.type_map.values())
    fields = [f for t in types for f in getattr(t, "fields", {}).values()]
    per_type = {
        "fields": len(fields),
        "inputFields": sum(len(getattr(t, "fields", {})) for t in types
                           if isinstance(t, GraphQLInputObjectType)),
        "interfaces": sum(len(getattr(t, "interfaces", ())) for t in types),
        "enumValues": sum(len(getattr(t, "values", {})) for t in types),
        "possibleTypes": sum(len(schema.get_possible_types(t)) for t in types
                             if isinstance(t, GraphQLInterfaceType)),
    }  # fmt: skip
    sizes = {("__Type", k): -(-total // len(types)) for k, total in per_type.items()}
    directives = schema.directives
    sizes[("__Schema", "types")] = len(types)
    sizes[("__Schema", "directives")] = len(directives)
    sizes[("__Field", "args")] = -(-sum(len(f.args) for f in fields if hasattr(f, "args"))
                                    // max(1, len(fields)))  # fmt: skip
    sizes[("__Directive", "args")] = -(-sum(len(d.args) for d in directives) // len(directives))
    sizes[("__Directive", "locations")] = -(
        -sum(len(d.locations) for d in directives) // len(directives)
    )
    return {key: max(1, size) for key, size in sizes.items()}


def analyze(schema: GraphQLSchema, document_definitions: Iterable[Any],
            operation: OperationDefinitionNode) -> Measure:  # fmt: skip
    fragments = {
        d.name.value: d for d in document_definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    if root is None:
        return Measure()
    return Analysis(schema, fragments).selection_set(operation.selection_set, root)


def _check_repeats(
    node: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> None:
    """Raise when one response name repeats over MAX_REPEATS times in a selection set
    (inline fragments and the fragments spread into it merge into it, each named fragment
    once, as graphql-core's overlap rule compares them: eight fragments of 100 `__typename`
    spread side by side were 800 there; hostile review 4). The fields a fragment brings are
    checked deeper where the fragment is defined."""
    counts: dict[str, int] = {}
    pending: list[tuple[SelectionSetNode | None, bool]] = [(node, False)]
    spread: set[str] = set()
    nested: list[SelectionSetNode | None] = []
    while pending:
        current, from_fragment = pending.pop()
        for selection in current.selections if current else ():
            if isinstance(selection, InlineFragmentNode):
                pending.append((selection.selection_set, from_fragment))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in spread and name in fragments:
                    spread.add(name)
                    pending.append((fragments[name].selection_set, True))
            elif isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                counts[key] = counts.get(key, 0) + 1
                if not from_fragment:
                    nested.append(selection.selection_set)
    name, repeats = max(counts.items(), key=lambda item: item[1], default=("", 0))
    if repeats > MAX_REPEATS:
        raise ValidationAbortedError(
            f"{repeats} fields named '{name}' in one selection set; at most {MAX_REPEATS}: "
            "ask for each field once",
            node,
            extensions={"code": "QUERY_TOO_COSTLY", "repeats": repeats, "limit": MAX_REPEATS},
        )
    for inner in nested:
        _check_repeats(inner, fragments)


# Response keys a field may take only if it is one of these (the keys the projected map of
# a graph object holds for itself).
RESERVED_ALIASES = {
    "id": frozenset({"id", "slug"}),
    "__typename": frozenset({"__typename", "kind"}),
}


class RequestLimits(ValidationRule):
    """Refuses operations too deep, with too many aliases, over the cost budget, and
    documents with too many fields (or too many of one name side by side)."""

    measures: dict[int, Measure]  # by id() of each operation of the document

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        # Before any selection set is visited (a fragment may come before the operation
        # that spreads it): raised, not reported, so validation stops here, before the
        # rules that would walk so many fields and end in a bare "Validation aborted.".
        schema_, definitions = self.context.schema, node.definitions
        self.measures = {
            id(d): analyze(schema_, definitions, d)
            for d in definitions
            if isinstance(d, OperationDefinitionNode)
        }
        fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
        for definition in definitions:
            if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
                _check_repeats(definition.selection_set, fragments)
        fields = sum(m.fields for m in self.measures.values())
        if fields > MAX_FIELDS and all(m.cost <= MAX_COST for m in self.measures.values()):
            raise ValidationAbortedError(
                f"{fields} field selections in the document once fragments are expanded; "
                f"at most {MAX_FIELDS}: spread fragments fewer times",
                node,
                extensions={"code": "QUERY_TOO_COSTLY", "fields": fields, "limit": MAX_FIELDS},
            )

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        context = self.context
        measure = self.measures[id(node)]
        name = node.name.value if node.name else "anonymous"
        if measure.depth > MAX_DEPTH:
            context.report_error(
                GraphQLError(f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}", node)
            )
        if measure.aliases > MAX_ALIASES:
            context.report_error(
                GraphQLError(f"{measure.aliases} aliases found. Allowed: {MAX_ALIASES}", node)
            )
        if measure.cost > MAX_COST:
            context.report_error(
                GraphQLError(
                    f"query cost exceeds the limit of {MAX_COST}: estimated {measure.cost} "
                    "values (page sizes and list sizes multiplied along each nesting path, "
                    "fragments expanded, large texts weighted); ask for smaller pages or "
                    "fewer fields",
                    node,
                    extensions={
                        "code": "QUERY_TOO_COSTLY",
                        "cost": measure.cost,
                        "limit": MAX_COST,
                    },
                )
            )

    def enter_name(self, node: Any, *_: Any) -> None:
        if len(node.value) > MAX_NAME:
            self.report_error(
                GraphQLError(
                    f"a name of {len(node.value)} characters; names are at most {MAX_NAME}",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )

    def enter_field(self, node: Any, *_: Any) -> None:
        # A graph object's projected map keeps its slug under `id` and its kind under
        # `__typename` beside the response keys (schema/types.py): another field aliased so
        # answered the slug (`id: name`) or lost the node's id (hostile re-check).
        alias = node.alias.value if node.alias else None
        if alias in RESERVED_ALIASES and node.name.value not in RESERVED_ALIASES[alias]:
            self.report_error(
                GraphQLError(
                    f"the alias '{alias}' is reserved for the fields "
                    f"{', '.join(sorted(RESERVED_ALIASES[alias]))}; choose another alias "
                    f"for '{node.name.value}'",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )

    def enter_float_value(self, node: FloatValueNode, *_: Any) -> None:
        self._finite(node)

    def enter_int_value(self, node: IntValueNode, *_: Any) -> None:
        self._finite(node)

    def _finite(self, node: FloatValueNode | IntValueNode) -> None:
        """A literal where a Float goes that no 64-bit float holds (`1e999`, 400 digits):
        graphql-core's parse_float_literal reads it as infinity, which reached Cypher, while
        the same number in the variables is refused (hostile review 13m). Refused the same
        way, as the client's input."""
        if get_named_type(self.context.get_input_type()) is not GraphQLFloat:
            return
        try:
            finite = math.isfinite(float(node.value))
        except ValueError:  # beyond Python's digit limit: ValuesOfCorrectType reports it
            return
        if not finite:
            shown = node.value if len(node.value) <= 40 else f"{node.value[:40]}..."
            self.report_error(
                GraphQLError(
                    f"Float cannot represent non numeric value: {shown} (no finite 64-bit "
                    "float holds it)",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )

    def enter_argument(self, node: Any, *_: Any) -> None:
        argument = self.context.get_argument()
        if argument is None:
            return
        operands, depth = measure_literal(node.value, argument.type)
        _report_inputs(self.report_error, operands, depth, node)


def _is_input_object(type_: GraphQLInputType | None) -> bool:
    return isinstance(get_named_type(type_), GraphQLInputObjectType) if type_ else False


def measure_literal(value: ValueNode, type_: GraphQLInputType) -> tuple[int, int]:
    """Operands and nesting of a literal input object (0, 0 for other arguments)."""
    if not _is_input_object(type_):
        return 0, 0
    return _measure_ast(value)


def _ast_children(value: Any) -> tuple[list[Any], bool]:
    if isinstance(value, ObjectValueNode):
        return [f.value for f in value.fields], True
    if isinstance(value, ListValueNode):
        return list(value.values), False
    return [], False


def _json_children(value: Any) -> tuple[list[Any], bool]:
    if isinstance(value, Mapping):
        return list(value.values()), True
    if isinstance(value, list):
        return value, False
    return [], False


def _measure(value: Any, children: Callable[[Any], tuple[list[Any], bool]]) -> tuple[int, int]:
    """Operands (object fields and list items) and object nesting; iterative, as variables
    can nest as deeply as the JSON decoder allows."""
    operands = depth = 0
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        inner, is_object = children(item)
        level += 1 if is_object else 0
        depth = max(depth, level)
        operands += len(inner)
        stack.extend((child, level) for child in inner)
    return operands, depth


def _measure_ast(value: ValueNode) -> tuple[int, int]:
    return _measure(value, _ast_children)


def measure_value(value: Any) -> tuple[int, int]:
    """Operands and nesting of a decoded JSON value (a variable's value)."""
    return _measure(value, _json_children)


def input_problem(operands: int, depth: int) -> str | None:
    if depth > MAX_INPUT_DEPTH:
        return f"an input object is nested too deeply: {depth} levels, at most {MAX_INPUT_DEPTH}"
    if operands > MAX_INPUT_OPERANDS:
        return (
            f"input objects (filters) too large: {operands} operands, at most "
            f"{MAX_INPUT_OPERANDS} per request"
        )
    return None


def _report_inputs(report: Callable[[GraphQLError], None], operands: int, depth: int,
                   node: Any) -> None:  # fmt: skip
    problem = input_problem(operands, depth)
    if problem:
        report(
            GraphQLError(
                problem,
                node,
                extensions={"code": "QUERY_TOO_COSTLY", "operands": operands, "depth": depth},
            )
        )


def variables_problem(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> GraphQLError | None:
    """The error for input objects passed in variables (filters) over the bounds, if any:
    input objects, and lists that stand in an input object (`where: {ids: $i}`), whose
    items count as they would written there (11,000 ids in a variable ran 1-2 s, hostile
    review 13r)."""
    operands = depth = 0
    in_objects: frozenset[str] | None = frozenset()
    looked = False
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        value = variables.get(name)
        if not isinstance(schema.get_type(_type_name(definition.type)), GraphQLInputObjectType):
            if not isinstance(value, list):
                continue
            if not looked:
                in_objects, looked = variables_in_objects(operation), True
            if in_objects is not None and name not in in_objects:
                continue
        found = measure_value(value)
        operands += found[0]
        depth = max(depth, found[1])
    problem = input_problem(operands, depth)
    if problem is None:
        return None
    return GraphQLError(
        problem, extensions={"code": "QUERY_TOO_COSTLY", "operands": operands, "depth": depth}
    )


def variables_in_objects(operation: OperationDefinitionNode) -> frozenset[str] | None:
    """The variables the operation uses inside an input object literal (`{ids: $i}`, also
    in a list of them); None when it spreads a fragment, whose uses are not seen here (every
    list variable counts then). A list variable used only as an argument of its own
    (`types: $t`) is bounded by that argument (`schema.inputs.capped`), as a literal is."""
    found: set[str] = set()
    selection_sets = [operation.selection_set]
    while selection_sets:
        for selection in selection_sets.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                return None
            if isinstance(selection, FieldNode):
                for argument in selection.arguments or ():
                    found.update(_inside_objects(argument.value))
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                selection_sets.append(selection.selection_set)
    return frozenset(found)


def _inside_objects(value: ValueNode) -> Iterator[str]:
    """The names of the variables inside an input object literal in an argument's value."""
    values = [(value, False)]
    while values:
        value, inside = values.pop()
        if isinstance(value, VariableNode) and inside:
            yield value.name.value
        elif isinstance(value, ObjectValueNode):
            values.extend((field.value, True) for field in value.fields)
        elif isinstance(value, ListValueNode):
            values.extend((item, inside) for item in value.values)


class InputLimits(SchemaExtension):
    """Bounds the input objects passed in variables (filters), before execution."""

    def on_execute(self) -> Any:
        context = self.execution_context
        operation = _operation(context.graphql_document, context.operation_name)
        variables = context.variables or {}
        if operation is not None and variables:
            schema = self.execution_context.schema._schema
            error = variables_problem(schema, operation, variables)
            if error is not None:
                context.result = ExecutionResult(data=None, errors=[error])
        yield


class IntrospectionCache(SchemaExtension):
    """Answers an operation made only of introspection fields off the event loop, and the
    next identical one from its first answer.

    graphql-core resolves introspection in Python (GraphiQL's query: about 0.2 s of CPU),
    which on the event loop would hold every other request, `/readyz` included, that long.
    In a worker thread the loop keeps turning (the interpreter switches threads every few
    milliseconds). The schema never changes while the process runs, so neither does the
    answer to the same document: a browser reloading GraphiQL costs that once.
    """

    # Shared by every request (an extension instance lives for one request); its key holds
    # the document's text, its answer no part of the parsed document.
    answers: ClassVar[BoundedCache[tuple[str, str | None], ExecutionResult]] = BoundedCache(
        INTROSPECTION_CACHE_SIZE, CACHE_BYTES
    )

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        operation = _operation(context.graphql_document, context.operation_name)
        if (
            context.result is None
            and context.query is not None
            and context.graphql_document is not None
            and operation is not None
            and operation.operation == OperationType.QUERY
            and not operation.variable_definitions
            and all(
                isinstance(s, FieldNode) and s.name.value.startswith("__")
                for s in operation.selection_set.selections
            )
        ):
            key = (context.query, context.operation_name)
            cached = self.answers.get(key)
            if cached is MISSING:
                cached = await asyncio.to_thread(
                    execute_sync, context.schema._schema, context.graphql_document,
                    operation_name=context.operation_name,
                )  # fmt: skip
                if not cached.errors:
                    self.answers.put(key, cached, len(context.query))
            context.result = cached
        yield


def _type_name(node: Any) -> str:
    while not hasattr(node, "name"):
        node = node.type
    return str(node.name.value)


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    if document is None:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if name is None or (operation.name and operation.name.value == name):
            return operation
    return None


RULES: tuple[type[ASTValidationRule], ...] = (*specified_rules, RequestLimits)


class Documents:
    """Documents parsed (with the token limit) and validated (GraphQL's rules and
    `RequestLimits`, as Strawberry's execution validates), each cached by its text.

    One per schema (`documents`), shared by the compiled path (schema/compiled.py), the
    HTTP layer's count of operations (schema/http.py) and Strawberry's execution
    (`SharedDocuments`): a document new to the server is parsed once and validated once,
    whichever of them looks at it first. Each kept its own before, and a document the
    compiled path did not take was parsed three times and validated twice (0.17 s against
    0.04 s for 440 fragments, hostile review 6). The caches are `BoundedCache`s: bounded in
    entries and in the bytes the parsed documents hold (`document_bytes`), and safe from
    the worker threads that compile and execute.
    """

    def __init__(
        self, schema: Schema, size: int = CACHE_SIZE, max_bytes: int = CACHE_BYTES
    ) -> None:
        self.schema = schema
        self._parsed: BoundedCache[str, tuple[DocumentNode | tuple[Any, int, str], int]] = (
            BoundedCache(size, max_bytes)
        )
        self._errors: BoundedCache[str, tuple[GraphQLError, ...]] = BoundedCache(size, max_bytes)

    def parse(self, text: str) -> DocumentNode:
        """The document, or the parser's GraphQLSyntaxError raised (a new one each time:
        an exception raised again keeps gathering tracebacks)."""
        found = self._parse(text)[0]
        if isinstance(found, DocumentNode):
            return found
        source, position, description = found
        raise GraphQLSyntaxError(source, position, description)

    def size(self, text: str) -> int:
        """The estimated bytes the parsed document holds (`document_bytes`): the weight of
        every cache entry that keeps it (or its nodes) alive."""
        return self._parse(text)[1]

    def errors(self, text: str) -> list[GraphQLError]:
        """The validation errors of the parsed document (none: valid)."""
        found = self._errors.get(text)
        if found is MISSING:
            # Strawberry's own validation (its rules for its `Maybe` and `@oneOf` added).
            found = tuple(validate_document(self.schema._schema, self.parse(text), RULES))
            for error in found:
                # Coded here, where it is known they are validation's, whichever path
                # reports them (error_code reads "Variable '$..." as a value's coercion).
                if not (error.extensions or {}).get("code"):
                    error.extensions = {**(error.extensions or {}), "code": validation_code(error)}
            self._errors.put(text, found, self.size(text))
        return list(found)

    def _parse(self, text: str) -> tuple[DocumentNode | tuple[Any, int, str], int]:
        found = self._parsed.get(text)
        if found is not MISSING:
            return found
        try:
            document = unlink_tokens(parse(text, max_tokens=MAX_TOKENS))
            found = document, document_bytes(text, document)
        except GraphQLSyntaxError as error:
            assert error.source is not None and error.positions
            position = next(iter(error.positions))
            message = error.message.removeprefix("Syntax Error: ")
            found = (error.source, position, message), document_bytes(text, None)
        return self._parsed.put(text, found, found[1])


@cache
def documents(schema: Schema) -> Documents:
    return Documents(schema)


class SharedDocuments(SchemaExtension):
    """Strawberry's parsing and validation taken from `documents` (in place of its
    MaxTokensLimiter, ParserCache, AddValidationRules and ValidationCache)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            context.graphql_document = documents(context.schema).parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = documents(context.schema).errors(context.query)
        yield


def extensions() -> list[Callable[[], SchemaExtension]]:
    """Limits, with parsing (token limit included) and validation cached per document."""
    return [SharedDocuments, InputLimits, IntrospectionCache]
