"""GraphQL types of the knowledge graph.

Graph types hold the map their root query's Cypher projected (`data`); each
field reads the value under its response key, so aliases and nested
selections come from that single query. `schema.specs` says what each field
means in the graph.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from neo4j.time import Date as Neo4jDate
from neo4j.time import DateTime as Neo4jDateTime
from strawberry.scalars import JSON
from strawberry.schema.types.base_scalars import DateDefinition, wrap_parser

from graph.projection import DateOf, Page, Relation, SourcesOf, Typename, flat_measures
from schema.context import Info
from schema.errors import BadUserInput, CodedError
from schema.ids import to_global_id
from schema.inputs import (
    Direction,
    EdgeWhere,
    EntityWhere,
    RelationOrder,
    RelationshipType,
    capped,
)
from schema.selection import encode_cursor, group_limit, relation_arguments
from schema.specs import FIELDS, GlobalId, Slug

T = TypeVar("T")

# -- the Date scalar -----------------------------------------------------------------------------

# Dates are written YYYY-MM-DD (docs/api.md). Strawberry's Date reads a value with Python's
# date.fromisoformat, which also takes "20100101" and "2010-W01-1" (hostile review 13h).
DATE_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: str) -> date:
    """A date written YYYY-MM-DD, and a real one (2010-02-30 is not); else ValueError."""
    if DATE_FORMAT.fullmatch(value) is None:
        raise ValueError("Expected YYYY-MM-DD.")
    return date.fromisoformat(value)


# The schema's `Date` (schema.api: scalar_overrides); refusals worded as Strawberry's own,
# the value named: 'Value cannot represent a Date: "20100101". Expected YYYY-MM-DD.'
DATE = dataclasses.replace(
    DateDefinition,
    description="A calendar date, YYYY-MM-DD",
    parse_value=wrap_parser(parse_date, "Date"),
)


# -- conversions from projected values ---------------------------------------------------------


def native(value: Any) -> Any:
    if isinstance(value, Neo4jDate | Neo4jDateTime):
        return value.to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def graph_object(data: dict[str, Any] | None) -> Any:
    """The GraphQL object for a projected node map, by its `__typename`."""
    if data is None:
        return None
    return GRAPH_TYPES[data["__typename"]](data=data)


def day(value: Any) -> Any:
    # The statements send a fuzzy date's first and last day as ISO text
    # (graph.projection.date_part): read in C, not as a neo4j.time.Date built in Python.
    return date.fromisoformat(value) if value.__class__ is str else native(value)


def date_parts(value: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """A projected fuzzy date's value, precision, start, end and basis, converted (None:
    no date). Parts the request did not ask for were not fetched: they are None."""
    if value is None or value.get("value") is None:
        return None
    precision = value.get("precision")
    return (
        value["value"],
        DatePrecision(precision) if precision is not None else None,
        day(value.get("start")),
        day(value.get("end")),
        value.get("basis"),
    )


def fuzzy_date(value: dict[str, Any] | None) -> FuzzyDate | None:
    parts = date_parts(value)
    if parts is None:
        return None
    found, precision, start, end, basis = parts
    return FuzzyDate(value=found, precision=precision, start=start, end=end, basis=basis)


def sources(value: list[dict[str, Any]] | None) -> list[Source]:
    return [
        Source(quote=item["quote"], document=graph_object(item["document"]))
        for item in value or []
        if item.get("document") is not None
    ]


def window(value: dict[str, Any] | None, page: Page) -> tuple[list[Any], int, int | None, bool]:
    """A projected window's rows in order, the offset of the first, the total when counted,
    and whether a row follows them."""
    value = value or {"items": []}
    items = list(value.get("items") or [])
    total = value.get("total")
    if page.sliced:
        offset = value.get("offset") or 0  # the statement's (`slice_bounds`)
    elif page.from_end:
        items.reverse()
        offset = max(0, (total or len(items)) - len(items))
    else:
        offset = page.offset
    # A row beyond the page is there only when the page was probed (`Page.probe`: the
    # statement read one more, a nested one too, whose resolver sees only the arguments).
    more = page.limit is not None and len(items) > page.limit
    if more:
        del items[page.limit :]
    return items, offset, total, more


def connection(value: dict[str, Any] | None, page: Page, mention: bool = False) -> Any:
    """A Relay connection from a projected window (`items`, and `total` when counted)."""
    items, offset, total, more = window(value, page)
    edge_type = MentionEdge if mention else Edge
    edges: list[Any] = [
        edge_type(cursor=encode_cursor(offset + i), node=graph_object(item["node"]), data=item)
        for i, item in enumerate(items)
    ]
    return Connection(
        edges=edges,
        page_info=page_info(offset, len(items), total, more),
        total_count=total if total is not None else offset + len(items),
        measures=flat_measures((value or {}).get("aggregate")),
    )


def page_info(offset: int, count: int, total: int | None, more: bool = False) -> PageInfo:
    """Relay page info for `count` rows read from `offset` (of `total` when counted; `more`:
    a row after them was read)."""
    return PageInfo(
        has_next_page=more or (total is not None and offset + count < total),
        has_previous_page=offset > 0,
        start_cursor=encode_cursor(offset) if count else None,
        end_cursor=encode_cursor(offset + count - 1) if count else None,
    )


# -- generic resolvers ---------------------------------------------------------------------------


def projected(root: Any, info: Info) -> Any:
    """A field of a graph object: the projected value under its response key."""
    spec = FIELDS[root.data["__typename"]][info.field_name]
    data: dict[str, Any] = root.data
    if isinstance(spec, GlobalId):
        return to_global_id(data["__typename"], data["id"])
    if isinstance(spec, Slug):
        return data["id"]
    if isinstance(spec, Typename):
        return data["__typename"]
    value = data.get(str(info.path.key))
    if isinstance(spec, SourcesOf):
        return sources(value)
    if isinstance(spec, DateOf):
        return fuzzy_date(value)
    if isinstance(spec, Relation) and spec.single:
        return graph_object(value["node"]) if value else None
    return native(value)


def projected_reader(type_name: str, info: Any) -> Callable[..., Any]:
    """`projected` for the objects of one type, its spec looked up once (the compiled path,
    which completes a field of a known type for every object of a response). An object
    of another type goes the general way. Further arguments are ignored."""
    spec = FIELDS.get(type_name, {}).get(info.field_name)
    key = str(info.path.key)
    convert: Callable[[dict[str, Any]], Any]
    if spec is None:
        return lambda root, *_: projected(root, info)
    if isinstance(spec, GlobalId):
        convert = lambda data: to_global_id(data["__typename"], data["id"])  # noqa: E731
    elif isinstance(spec, Slug):
        convert = lambda data: data["id"]  # noqa: E731
    elif isinstance(spec, Typename):
        convert = lambda data: data["__typename"]  # noqa: E731
    elif isinstance(spec, SourcesOf):
        convert = lambda data: sources(data.get(key))  # noqa: E731
    elif isinstance(spec, DateOf):
        convert = lambda data: fuzzy_date(data.get(key))  # noqa: E731
    elif isinstance(spec, Relation) and spec.single:
        convert = lambda data: graph_object(data[key]["node"]) if data.get(key) else None  # noqa: E731
    else:

        def plain(root: Any, *_: Any) -> Any:
            # The most common field, a property: no further call for a string.
            data: dict[str, Any] = root.data
            if data["__typename"] != type_name:
                return projected(root, info)
            value = data.get(key)
            return value if value is None or value.__class__ is str else native(value)

        return plain

    def read(root: Any, *_: Any) -> Any:
        data: dict[str, Any] = root.data
        if data["__typename"] != type_name:
            return projected(root, info)
        return convert(data)

    return read


def stored_key(type_name: str, field_name: str, response_key: str) -> str | None:
    """The key of a `type_name` object's projected map whose value `projected` returns as
    is when it is a string (else `native(value)`): a property's response key, the slug's
    `id`, the kind's `__typename`. None for the fields `projected` converts otherwise (ids,
    dates, sources, related nodes)."""
    spec = FIELDS.get(type_name, {}).get(field_name)
    if isinstance(spec, Slug):
        return "id"
    if isinstance(spec, Typename):
        return "__typename"
    if spec is None or isinstance(spec, GlobalId | SourcesOf | DateOf):
        return None
    if isinstance(spec, Relation) and spec.single:
        return None
    return response_key


def projected_page(
    root: Any,
    info: Info,
    where: EntityWhere | None = None,
    edge_where: EdgeWhere | None = None,
    order_by: list[RelationOrder] | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Any:
    """A relation as a connection; the window was fetched by the root query. Arguments it
    refuses were left out of that query (`relation_arguments`): refused here, at this
    field's path."""
    spec = FIELDS[root.data["__typename"]][info.field_name]
    page = relation_arguments(
        {"where": where, "edgeWhere": edge_where, "orderBy": order_by, "first": first,
         "after": after, "last": last, "before": before}
    ).page  # fmt: skip
    return connection(root.data.get(info.path.key), page, mention=spec.mention)


def projected_relationships(
    root: Any,
    info: Info,
    types: list[RelationshipType] | None = None,
    direction: Direction = Direction.BOTH,
    where: EntityWhere | None = None,
    edge_where: EdgeWhere | None = None,
    order_by: list[RelationOrder] | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Any:
    page = relation_arguments(
        {"types": types, "where": where, "edgeWhere": edge_where, "orderBy": order_by,
         "first": first, "after": after, "last": last, "before": before}
    ).page  # fmt: skip
    return connection(root.data.get(info.path.key), page)


PAGE_ARGUMENTS = ("first", "after", "last", "before")


def _page_of(
    function: Callable[..., Any], type_name: str, info: Any, arguments: dict[str, Any]
) -> tuple[Page, bool] | None:
    """The window that constant arguments (by GraphQL name) ask of `function`'s field for
    the objects of one type, and whether its edges are mentions; None when each object
    must go the general way (arguments refused, a field without a spec)."""
    try:
        page = relation_arguments(arguments).page
    except CodedError:
        return None
    if function is projected_relationships:
        return page, False
    spec = FIELDS.get(type_name, {}).get(info.field_name)
    if function is not projected_page or spec is None:
        return None
    return page, spec.mention


def page_reader(
    function: Callable[..., Any], type_name: str, info: Any, arguments: dict[str, Any]
) -> Callable[..., Any]:
    """`function` (`projected_page` or `projected_relationships`) for the objects of one
    type, with arguments (by GraphQL name) that are the same for every object: the window
    and the field's spec worked out once, for a compiled plan, not per object. Arguments
    it refuses raise their error for every object, as `function` would; an object of
    another type goes the general way."""
    paging = {k: v for k, v in arguments.items() if k in PAGE_ARGUMENTS}

    def general(root: Any, *_: Any) -> Any:
        return function(root, info, **paging)

    try:
        relation_arguments(arguments)
    except CodedError as error:
        refused = error

        def refuse(root: Any, *_: Any) -> Any:
            raise refused

        return refuse
    found = _page_of(function, type_name, info, arguments)
    if found is None:
        return general
    page, mention = found
    key = str(info.path.key)
    if function is projected_relationships:
        return lambda root, *_: connection(root.data.get(key), page)

    def read(root: Any, *_: Any) -> Any:
        data: dict[str, Any] = root.data
        if data["__typename"] != type_name:
            return general(root)
        return connection(data.get(key), page, mention)

    return read


def window_reader(
    function: Callable[..., Any], type_name: str, info: Any, arguments: dict[str, Any]
) -> Callable[[Any], tuple[list[Any], int, int | None, bool]] | None:
    """The `window` of the connection that `page_reader` builds, read from the object's
    projected map, for shaping it without its objects (the compiled path, which checks the
    object's type itself); None when
    `page_reader` would go the general way for every object."""
    found = _page_of(function, type_name, info, arguments)
    if found is None:
        return None
    page, key = found[0], str(info.path.key)
    return lambda data: window(data.get(key), page)


# The fields of an edge or fact that `edge_value` converts: the others are read as stored.
EDGE_DATES = frozenset({"date", "start", "end"})
EDGE_CONVERTED = EDGE_DATES | {"sources"}


def is_date(type_name: str, field_name: str) -> bool:
    """Whether `projected` reads this field of a `type_name` object as a fuzzy date."""
    return isinstance(FIELDS.get(type_name, {}).get(field_name), DateOf)


def edge_value(root: Any, info: Info) -> Any:
    """A field of an edge or fact: by response key, else by name (fixed-key maps)."""
    data: dict[str, Any] = root.data
    value = data[info.path.key] if info.path.key in data else data.get(info.field_name)
    if info.field_name == "sources":
        return sources(value)
    if info.field_name in EDGE_CONVERTED and isinstance(value, dict):
        return fuzzy_date(value)
    return native(value)


# -- value types ------------------------------------------------------------------------------


@strawberry.enum(description="How precisely a source gives a date.")
class DatePrecision(Enum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@strawberry.type(description="A date known to a year, a month or a day.")
class FuzzyDate:
    value: str = strawberry.field(
        description="As the source gives it: YYYY, YYYY-MM or YYYY-MM-DD."
    )
    precision: DatePrecision
    start: date = strawberry.field(description="The first day the date may mean.")
    end: date = strawberry.field(description="The last day the date may mean.")
    basis: str | None = strawberry.field(
        default=None, description="How a relative expression was resolved, when it was."
    )


@strawberry.type(description="A document and the exact words in it that state a fact.")
class Source:
    document: Document
    quote: str


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A relationship's properties: the fact it states and its sources.")
class RelationshipFacts:
    data: strawberry.Private[dict[str, Any]]
    type: str | None = strawberry.field(
        resolver=edge_value, description="The relationship type (null on root lists)."
    )
    role: str | None = strawberry.field(resolver=edge_value)
    title: str | None = strawberry.field(resolver=edge_value)
    note: str | None = strawberry.field(resolver=edge_value)
    date: FuzzyDate | None = strawberry.field(resolver=edge_value)
    start: FuzzyDate | None = strawberry.field(resolver=edge_value)
    end: FuzzyDate | None = strawberry.field(resolver=edge_value)
    sources: list[Source] = strawberry.field(resolver=edge_value)


@strawberry.type(description="A relationship to a node, with the fact's properties and sources.")
class Edge(RelationshipFacts, Generic[T]):
    cursor: str
    node: T
    outgoing: bool | None = strawberry.field(
        resolver=edge_value,
        description="True when the relationship points away from the parent (null on root lists).",
    )


@strawberry.type(description="Where a document mentions an entity: character offsets in its text.")
class MentionEdge(Generic[T]):
    cursor: str
    node: T
    data: strawberry.Private[dict[str, Any]]
    start: int | None = strawberry.field(resolver=edge_value)
    end: int | None = strawberry.field(resolver=edge_value)
    text: str | None = strawberry.field(resolver=edge_value)


def measure(root: Any, info: Info) -> Any:
    """A measure of an aggregate, by response key."""
    value = root.data.get(info.path.key)
    if isinstance(value, list):
        return [Group(key=g["key"], name=g["name"], count=g["count"]) for g in value]
    return native(value)


def group_measure(root: Any, info: Info, first: int = 20) -> Any:
    group_limit(info.field_name, first)  # refused: the root's statement left it out
    return measure(root, info)


def aggregate_of(root: Any, info: Info) -> Aggregate:
    return Aggregate(data=root.measures or {})


_GROUP = "Groups largest first, at most `first` (1 to 100)."


@strawberry.type(description="How many of the matched nodes share a key (a year, an id, a type).")
class Group:
    key: str
    name: str | None = strawberry.field(description="The name of the node the key is the id of.")
    count: int


@strawberry.type(
    description="Measures over every node the list matches, not just the page, computed in "
    "the same query; ask only what you need (each measure is a pass over the matches)."
)
class Aggregate:
    data: strawberry.Private[dict[str, Any]]
    count: int = strawberry.field(resolver=measure, description="Distinct nodes matched.")
    min_date: date | None = strawberry.field(resolver=measure, description="Earliest first day.")
    max_date: date | None = strawberry.field(resolver=measure, description="Latest last day.")
    by_year: list[Group] = strawberry.field(
        resolver=group_measure, description="By the year the date begins, in order."
    )
    by_country: list[Group] = strawberry.field(
        resolver=group_measure,
        description=f"By country, as the `country` filter relates them. {_GROUP}",
    )
    by_place: list[Group] = strawberry.field(
        resolver=group_measure, description=f"By place held or located in. {_GROUP}"
    )
    by_meeting_type: list[Group] = strawberry.field(
        resolver=group_measure, description=f"By `meetingType`. {_GROUP}"
    )
    by_issue: list[Group] = strawberry.field(
        resolver=group_measure,
        description=f"By issue, as the `issue` filter relates them. {_GROUP}",
    )
    by_relationship_type: list[Group] = strawberry.field(
        resolver=group_measure,
        description="The matched nodes' relationships to entities, counted by type; on "
        f"`relationships`, the listed edges themselves. {_GROUP}",
    )


@strawberry.type(description="A page of a list, with cursors (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int
    measures: strawberry.Private[dict[str, Any] | None] = None
    aggregate: Aggregate = strawberry.field(
        resolver=aggregate_of, description="Counts and groupings of every match."
    )


@strawberry.type(description="A page of mentions.")
class MentionConnection(Generic[T]):
    edges: list[MentionEdge[T]]
    page_info: PageInfo
    total_count: int


# -- graph types ---------------------------------------------------------------------------------


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    data: strawberry.Private[dict[str, Any]]
    id: strawberry.ID = strawberry.field(resolver=projected, description="Global id.")


@strawberry.interface(description="A node of the knowledge graph.")
class Entity(Node):
    slug: str = strawberry.field(resolver=projected, description="Readable stable id.")
    kind: str = strawberry.field(resolver=projected, description="The node's label.")
    name: str = strawberry.field(resolver=projected)
    aliases: list[str] = strawberry.field(resolver=projected, description="Other spellings seen.")
    description: str | None = strawberry.field(resolver=projected)
    note: str | None = strawberry.field(
        resolver=projected, description="Discrepancies and resolutions, e.g. spellings."
    )
    date: FuzzyDate | None = strawberry.field(resolver=projected)
    sources: list[Source] = strawberry.field(
        resolver=projected, description="The documents and quotes that state this node's facts."
    )
    mentioned_in: MentionConnection[Document] = strawberry.field(resolver=projected_page)
    relationships: Connection[Entity] = strawberry.field(
        resolver=projected_relationships,
        description="Every fact relationship of this node, optionally of given types.",
    )


@strawberry.interface(description="Someone or something that acts: a person, body or country.")
class Actor(Entity):
    meetings: Connection[Meeting] = strawberry.field(
        resolver=projected_page, description="Meetings attended, directly or in a delegation."
    )
    raised: Connection[Issue] = strawberry.field(
        resolver=projected_page, description="Issues raised, directly or by its delegation."
    )
    member_of: Connection[Actor] = strawberry.field(resolver=projected_page)


@strawberry.type(description="A person: an official, a detainee, a head of state.")
class Person(Actor):
    led: Connection[Actor] = strawberry.field(resolver=projected_page)
    positions: Connection[Organization] = strawberry.field(
        resolver=projected_page, description="Posts held; edges carry title, start and end."
    )
    detained_by: Connection[Actor] = strawberry.field(resolver=projected_page)
    citizen_of: Country | None = strawberry.field(resolver=projected)
    candidate: bool | None = strawberry.field(
        resolver=projected, description="True for a person named in free text, not yet confirmed."
    )


@strawberry.type(description="A government, ministry, bureau, administration or mission.")
class Organization(Actor):
    members: Connection[Actor] = strawberry.field(resolver=projected_page)
    leaders: Connection[Person] = strawberry.field(resolver=projected_page)
    position_holders: Connection[Person] = strawberry.field(resolver=projected_page)
    part_of: Organization | None = strawberry.field(resolver=projected)
    country: Country | None = strawberry.field(resolver=projected)


@strawberry.type(description="One side's delegation to one meeting.")
class Delegation(Actor):
    leaders: Connection[Person] = strawberry.field(resolver=projected_page)
    members: Connection[Actor] = strawberry.field(resolver=projected_page)
    represents: Actor | None = strawberry.field(resolver=projected)


@strawberry.type
class Country(Actor):
    delegations: Connection[Delegation] = strawberry.field(resolver=projected_page)
    agreements: Connection[Agreement] = strawberry.field(resolver=projected_page)
    meetings_held: Connection[Meeting] = strawberry.field(resolver=projected_page)


@strawberry.type(description="A round of talks, a trip or a visit.")
class Meeting(Entity):
    meeting_type: str | None = strawberry.field(resolver=projected)
    places: Connection[Entity] = strawberry.field(resolver=projected_page)
    participants: Connection[Actor] = strawberry.field(resolver=projected_page)
    issues: Connection[Issue] = strawberry.field(resolver=projected_page)
    agreements: Connection[Agreement] = strawberry.field(resolver=projected_page)


@strawberry.type
class Agreement(Entity):
    parties: Connection[Actor] = strawberry.field(resolver=projected_page)
    terms: Connection[Term] = strawberry.field(resolver=projected_page)
    meetings: Connection[Meeting] = strawberry.field(resolver=projected_page)


@strawberry.type(description="A term of an agreement, e.g. 20,000 travel documents a year.")
class Term(Entity):
    quantity: float | None = strawberry.field(resolver=projected)
    unit: str | None = strawberry.field(resolver=projected)
    period: str | None = strawberry.field(resolver=projected)
    agreement: Agreement | None = strawberry.field(resolver=projected)


@strawberry.type(description="Something that happened: an arrest, a suspension, a step taken.")
class Event(Entity):
    involves: Connection[Entity] = strawberry.field(resolver=projected_page)
    actors: Connection[Actor] = strawberry.field(resolver=projected_page)


@strawberry.type(description="A topic or a case: a detention, migration, human rights.")
class Issue(Entity):
    raised_by: Connection[Actor] = strawberry.field(resolver=projected_page)
    discussed_in: Connection[Meeting] = strawberry.field(resolver=projected_page)
    involves: Connection[Entity] = strawberry.field(resolver=projected_page)
    involvement: Connection[Entity] = strawberry.field(
        resolver=projected_page, description="Every entity tied to this issue, and how."
    )


@strawberry.type
class Place(Entity):
    meetings: Connection[Meeting] = strawberry.field(resolver=projected_page)
    located_in: Entity | None = strawberry.field(resolver=projected)


@strawberry.type(description="A source text the graph's facts are drawn from.")
class Document(Node):
    slug: str = strawberry.field(resolver=projected)
    title: str = strawberry.field(resolver=projected)
    text: str = strawberry.field(resolver=projected)
    url: str | None = strawberry.field(resolver=projected)
    file: str | None = strawberry.field(resolver=projected)
    publisher: str | None = strawberry.field(resolver=projected)
    date: FuzzyDate | None = strawberry.field(resolver=projected)
    mentions: MentionConnection[Entity] = strawberry.field(resolver=projected_page)


GRAPH_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Person, Organization, Delegation, Country, Meeting, Agreement, Term, Event, Issue,
        Place, Document,
    )
}  # fmt: skip


# -- results of relationship questions -----------------------------------------------------------


@strawberry.type(description="A search hit, best first.")
class SearchHit:
    cursor: str
    score: float
    node: Entity


@strawberry.type
class SearchConnection:
    edges: list[SearchHit]
    page_info: PageInfo
    total_count: int
    measures: strawberry.Private[dict[str, Any] | None] = None
    aggregate: Aggregate = strawberry.field(
        resolver=aggregate_of, description="Counts and groupings of every hit."
    )


@strawberry.type(description="A relationship as data: its ends by slug, type and sources.")
class Fact(RelationshipFacts):
    source: str = strawberry.field(resolver=edge_value, name="from", description="Slug.")
    target: str = strawberry.field(resolver=edge_value, name="to", description="Slug.")


@strawberry.type(description="One shortest connection: its nodes in order and the facts between.")
class Path:
    nodes: list[Entity]
    segments: list[Fact]


@strawberry.type(description="A small subgraph a front end can draw.")
class Subgraph:
    nodes: list[Entity]
    edges: list[Fact]
    total_nodes: int = strawberry.field(
        description="How many nodes (besides the center) were in reach, before the limit."
    )
    truncated: bool = strawberry.field(description="True when the limit left nodes out.")


@strawberry.type(description="A dated fact of an entity.")
class TimelineEntry:
    cursor: str
    data: strawberry.Private[dict[str, Any]]
    date: FuzzyDate = strawberry.field(resolver=edge_value)
    node: Entity = strawberry.field(description="The entity the fact relates to (or itself).")
    type: str | None = strawberry.field(resolver=edge_value, description="Relationship type.")
    outgoing: bool | None = strawberry.field(resolver=edge_value)
    role: str | None = strawberry.field(resolver=edge_value)
    title: str | None = strawberry.field(resolver=edge_value)
    sources: list[Source] = strawberry.field(resolver=edge_value)


@strawberry.type
class TimelineConnection:
    edges: list[TimelineEntry]
    page_info: PageInfo
    total_count: int


def check_kinds(kinds: list[str] | None, allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    """The kinds asked (None: every kind, the argument omitted or null). An empty list is
    refused, not read as "no filter": as an empty id never is (hostile review 13)."""
    if kinds is None:
        return None
    if not kinds:
        raise BadUserInput("'kinds' must name at least one kind; omit it for every kind")
    unknown = [k for k in capped(kinds, "kinds") if k not in allowed]
    if unknown:
        raise BadUserInput(f"unknown kind(s) {unknown}; known: {list(allowed)}")
    return tuple(kinds)


__all__ = ["JSON"]
