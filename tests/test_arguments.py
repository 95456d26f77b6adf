"""A compiled root field's arguments (schema/arguments.py) are the values graphql-core and
Strawberry give for the whole field, though only the ones naming a variable are worked out
per request. (The compiled path's answers against Strawberry's, over a real Neo4j, are
tests/test_compiled.py's.)"""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.annotation import StrawberryAnnotation
from strawberry.relay import GlobalID
from strawberry.types.arguments import convert_argument, convert_arguments

from schema.api import schema
from schema.arguments import Converters, RootArguments, root_arguments
from schema.compiled import Compiler

COMPILER = Compiler(schema)
QUERY = COMPILER.graphql.query_type
assert QUERY is not None


def root(document: str) -> tuple[OperationDefinitionNode, FieldNode]:
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return operation, field


def split(document: str) -> tuple[OperationDefinitionNode, FieldNode, RootArguments]:
    operation, field = root(document)
    name = field.name.value
    strawberry_field = COMPILER._strawberry_fields("Query")[name]
    return operation, field, root_arguments(QUERY.fields[name], field, strawberry_field, schema)


def whole(operation: OperationDefinitionNode, field: FieldNode, given: dict[str, Any]) -> Any:
    """What the compiled path did before: every argument, every request."""
    variables = get_variable_values(
        COMPILER.graphql, operation.variable_definitions or [], given, max_errors=1
    )
    assert not isinstance(variables, list)
    values = get_argument_values(QUERY.fields[field.name.value], field, variables)
    arguments = COMPILER._strawberry_fields("Query")[field.name.value].arguments
    return convert_arguments(
        values,
        arguments,
        scalar_registry=schema.schema_converter.scalar_registry,
        config=schema.config,
    )


def per_request(
    operation: OperationDefinitionNode, arguments: RootArguments, given: dict[str, Any]
) -> dict[str, Any]:
    variables = get_variable_values(
        COMPILER.graphql, operation.variable_definitions or [], given, max_errors=1
    )
    assert not isinstance(variables, list)
    return arguments.python(arguments.values(variables), schema)


# A filter nested 40 deep through NOT, participantWhere and AND.
DEEP: dict[str, Any] = {"text": "bottom", "quantity": {"in": 1.5}}
for _depth in range(40):
    DEEP = [{"NOT": DEEP}, {"participantWhere": DEEP}, {"AND": [DEEP, {"ids": []}]}][_depth % 3]

DOCUMENTS = [
    (
        "query ($a: ID!, $b: ID!) "
        "{ paths(from: $a, to: $b, maxHops: 4, first: 5) { nodes { slug } } }",
        [{"a": "craig-kelly", "b": "cuba"}, {"a": "x", "b": "y"}],
    ),
    (
        "query ($f: Date!, $t: Date!) { meetings(where: {dateFrom: $f, dateTo: $t}, "
        "orderBy: [{field: DATE}], first: 100) { totalCount } }",
        [{"f": "2010-01-01", "t": "2016-12-31"}, {"f": "2001-02-03", "t": "2001-02-04"}],
    ),
    ("query ($q: String!) { search(query: $q, first: 10) { totalCount } }", [{"q": "cuba"}]),
    ('{ search(query: "cuba") { totalCount } }', [{}]),
    (
        'query ($k: [String!]) { neighborhood(id: "cuba", kinds: $k) { truncated } }',
        [{"k": ["Person"]}, {}, {"k": None}],
    ),
    # Hostile review 13w: a variable inside a literal list, a nullable variable where the
    # argument has a default, variables' own defaults, literal nulls and single values.
    (
        'query ($t: RelationshipType!, $d: Int) { neighborhood(id: "cuba", depth: $d, '
        "types: [ATTENDED, $t], excludeTypes: LED, dateFrom: null) { truncated } }",
        [{"t": "HELD_IN", "d": 2}, {"t": "VISITED"}, {"t": "LED", "d": 3}],
    ),
    (
        'query ($m: SearchMatch = PREFIX, $k: [String!] = ["Country"]) '
        '{ search(query: "cub", match: $m, kinds: $k) { totalCount } }',
        [{}, {"m": "FUZZY"}, {"k": None}, {"k": "Place"}],
    ),
    (
        'query ($f: Date) { meetings(where: {date: {gte: $f, lt: "2016-01-01"}, meetingType: '
        '{in: [ROUND, TRIP]}, OR: [{text: "talks"}, {ids: ["cuba"]}]}) { totalCount } }',
        [{"f": "2010-01-01"}, {}, {"f": None}],
    ),
    # Whole inputs from variables (converted by `Converters`, worked out once per plan):
    # the recursive filter nested three deep, NOT, AND and OR lists, explicit nulls, an
    # empty input, lists of enums and of input objects.
    (
        "query ($w: EntityWhere, $e: EdgeWhere, $o: [RelationOrder!]) "
        "{ meetings(where: $w, edgeWhere: $e, orderBy: $o, first: 5) { totalCount } }",
        [
            {
                "w": {
                    "NOT": {"text": "x", "ids": None},
                    "participantWhere": {
                        "participantWhere": {"ids": ["a", "b"], "OR": [{"text": "y"}]},
                        "AND": [{"country": "cuba"}, {"dateFrom": "2001-01-01"}],
                    },
                    "dateFrom": None,
                    "meetingType": {"in": ["ROUND"]},
                },
                "o": [{"field": "NAME", "direction": "DESC"}, {"field": "DATE"}],
                "e": {},
            },
            {"w": None, "o": None},
            {},
            {"w": {}, "o": {"field": "ID"}},
        ],
    ),
    # Hostile review 13x: single values for lists of enums and of inputs, input fields
    # with defaults (direction) given, omitted and under a variable's own default,
    # relationships' quantifiers nested in the recursive filter, a filter 40 deep, dates.
    (
        "query ($m: [MeetingType!], $r: [RelationshipWhere!], $d: Date) { meetings(where: "
        "{meetingType: {in: $m}, relationships: $r, date: {eq: $d}}) { totalCount } }",
        [
            {"m": "ROUND", "r": {"types": "ATTENDED"}, "d": "2001-02-03"},
            {"m": [], "r": [{"direction": "OUT", "some": {"ids": "cuba", "NOT": {}}}]},
            {"m": ["ROUND", "TRIP", "ROUND"], "r": [{"all": None, "edge": {"during": "x"}}]},
            {"m": None, "r": None, "d": None},
        ],
    ),
    (
        'query ($w: EntityWhere = {AND: [{ids: ["a"]}], name: {in: ["x", "y"]}}, '
        "$o: [EntityOrder!] = [{field: NAME}]) { people(where: $w, orderBy: $o) { totalCount } }",
        [{}, {"w": None}, {"o": None}, {"w": {"name": {"in": "z"}}, "o": {"field": "NAME"}}],
    ),
    (
        "query ($w: EntityWhere) { entities(where: $w) { totalCount } }",
        [{"w": DEEP}, {"w": {"participantWhere": DEEP, "OR": [DEEP, {}]}}, {"w": {}}],
    ),
]


@pytest.mark.parametrize(("document", "cases"), DOCUMENTS)
def test_the_arguments_are_those_of_the_whole_field_on_every_request(
    document: str, cases: list[dict[str, Any]]
) -> None:
    operation, field, arguments = split(document)
    for given in cases:
        assert per_request(operation, arguments, given) == whole(operation, field, given)


def test_literals_are_converted_once_and_what_could_be_changed_anew_each_request() -> None:
    operation, _, arguments = split(DOCUMENTS[1][0])
    assert arguments.fixed["first"] == 100
    assert not {"where", "order_by"} & set(arguments.fixed)
    assert arguments.varying is not None and set(arguments.varying.args) == {"where"}
    given = DOCUMENTS[1][1][0]
    first, second = (per_request(operation, arguments, given) for _ in range(2))
    # A list (and an input object) is the resolver's own, as Strawberry hands it over.
    assert first["order_by"] == second["order_by"]
    assert first["order_by"] is not second["order_by"]
    assert first["where"] is not second["where"]
    first["order_by"].clear()
    assert per_request(operation, arguments, given)["order_by"] == second["order_by"]


def test_a_field_without_variables_is_worked_out_once() -> None:
    _, _, arguments = split('{ paths(from: "a", to: "b", maxHops: 3) { nodes { slug } } }')
    assert arguments.varying is None and not arguments.converted
    assert arguments.fixed["max_hops"] == 3 and arguments.fixed["from_"] == "a"


def test_a_refusal_is_graphql_cores_for_the_whole_field() -> None:
    # (Validation refuses this document; the compiled path still reports what graphql-core
    # would if it ran.)
    operation, field, arguments = split(
        "query ($a: ID, $b: ID!) { paths(from: $a, to: $b, maxHops: 4) { nodes { slug } } }"
    )
    variables = get_variable_values(
        COMPILER.graphql, operation.variable_definitions or [], {"b": "cuba"}, max_errors=1
    )
    assert not isinstance(variables, list)
    with pytest.raises(GraphQLError) as expected:
        get_argument_values(QUERY.fields["paths"], field, variables)
    with pytest.raises(GraphQLError) as refused:
        arguments.values(variables)
    assert refused.value.message == expected.value.message
    assert "from" in refused.value.message


def test_lists_inside_an_input_object_are_the_resolvers_own_on_each_request() -> None:
    # Hostile review 13w: a literal list nested in an input beside a variable.
    nested = next(d for d, _ in DOCUMENTS if "{in: [ROUND, TRIP]}" in d)
    operation, _, arguments = split(nested)
    first, second = (per_request(operation, arguments, {"f": "2010-01-01"}) for _ in range(2))
    for where in (first["where"], second["where"]):
        assert where.date.gte.isoformat() == "2010-01-01"
    first["where"].meeting_type.in_.clear()
    first["where"].OR[1].ids.append("havana")
    third = per_request(operation, arguments, {"f": "2010-01-01"})
    assert third["where"] == second["where"]
    assert len(third["where"].meeting_type.in_) == 2 and third["where"].OR[1].ids == ["cuba"]


@strawberry.input
class _Inner:
    node: GlobalID | None = None
    names: list[str] | None = None


@strawberry.input
class _Outer:
    inner: list[_Inner] | None = None
    text: str | None = None


def test_a_type_reaching_a_global_id_is_converted_by_strawberry_whole() -> None:
    # Its own conversion decodes the id (and a path that holds list indices): not redone.
    outer = StrawberryAnnotation(_Outer | None).resolve()
    value = {"inner": [{"node": "Q291bnRyeTpjdWJh", "names": ["a"]}, {}], "text": "x"}
    converted = Converters(schema).of(outer, ("where",))(value)
    expected = convert_argument(
        value, outer, schema.schema_converter.scalar_registry, schema.config, path=("where",)
    )
    assert converted == expected
    assert converted.inner[0].node == GlobalID("Country", "cuba")


def test_what_a_resolver_changes_does_not_reach_the_next_request() -> None:
    # Hostile review 13x: variables' own defaults (lists of inputs, lists of leaves inside
    # them) are the resolver's own on each request, as after Strawberry's conversion.
    document = next(d for d, _ in DOCUMENTS if "[{field: NAME}]" in d)
    operation, field, arguments = split(document)
    first = per_request(operation, arguments, {})
    first["where"].AND[0].ids.append("leaked")
    first["where"].AND.append(None)
    first["where"].name.in_.clear()
    first["order_by"][0].field = None
    first["order_by"].append(None)
    again = per_request(operation, arguments, {})
    assert again == whole(operation, field, {})
    assert again["where"].AND[0].ids == ["a"] and again["where"].name.in_ == ["x", "y"]
    assert len(again["order_by"]) == 1 and again["order_by"][0].field is not None
