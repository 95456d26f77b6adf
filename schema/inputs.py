"""Filter inputs, and their translation into graph filters.

The same `where` shapes serve root lists (typed resolver arguments) and nested
connections (read from the request's selection, where literals arrive as text
and names as written in GraphQL); `to_filter` accepts both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any

import strawberry

from graph.projection import QUANTIFIERS, Compare, EdgeFilter, Filter, RelationFilter
from schema.errors import BadUserInput, QueryTooCostly
from schema.ids import from_global_id

_rel = strawberry.enum_value


@strawberry.enum(description="The relationship types of the graph (docs/graph-model.md).")
class RelationshipType(Enum):
    LED = _rel("LED", description="Person -> Delegation, Organization: headed it.")
    MEMBER_OF = _rel("MEMBER_OF", description="Actor -> Delegation, Organization: belonged.")
    REPRESENTS = _rel("REPRESENTS", description="Actor -> Country, Organization: acts for it.")
    ATTENDED = _rel("ATTENDED", description="Actor -> Meeting, Event: took part.")
    HELD_IN = _rel("HELD_IN", description="Meeting, Event -> Place, Country: where it met.")
    DISCUSSED = _rel("DISCUSSED", description="Meeting -> Issue, Agreement: on the agenda.")
    RAISED = _rel("RAISED", description="Actor -> Issue: brought it up.")
    PARTY_TO = _rel("PARTY_TO", description="Country, Organization -> Agreement: is bound.")
    DETAINED = _rel("DETAINED", description="Organization, Country -> Person: holds them.")
    HOLDS_POSITION = _rel(
        "HOLDS_POSITION", description="Person -> Organization: a post (title, start, end)."
    )
    PART_OF = _rel("PART_OF", description="A part of the whole (bodies, places, meetings).")
    LOCATED_IN = _rel("LOCATED_IN", description="Organization, Place -> Place, Country.")
    HAS_TERM = _rel("HAS_TERM", description="Agreement -> Term: the agreement sets it.")
    IMPLEMENTS = _rel("IMPLEMENTS", description="Meeting, Event -> Agreement: carries it out.")
    SUSPENDED = _rel("SUSPENDED", description="Event -> Meeting, Issue: halted it.")
    RESUMED = _rel("RESUMED", description="Actor, Event -> Meeting, Issue: restarted it.")
    INVOLVES = _rel("INVOLVES", description="Issue, Event -> anything: who or what it concerns.")
    AFFECTS = _rel("AFFECTS", description="Issue, Event -> anything: bears on it.")
    TOOK_STEP = _rel("TOOK_STEP", description="Actor -> Event, Issue: took the step.")
    HOPES_FOR = _rel("HOPES_FOR", description="Actor -> anything: a hoped-for outcome.")
    FOLLOWS = _rel("FOLLOWS", description="Meeting, Event -> Meeting, Event: came after.")
    CITIZEN_OF = _rel("CITIZEN_OF", description="Person -> Country: citizenship.")
    VISITED = _rel("VISITED", description="Actor -> Country, Place: travelled there.")


@strawberry.enum(description="What kind of meeting: the value of `Meeting.meetingType`.")
class MeetingType(Enum):
    TRIP = strawberry.enum_value(
        "trip", description="A U.S. President's or Secretary of State's trip abroad (travels)."
    )
    VISIT = strawberry.enum_value(
        "visit", description="A foreign leader's visit to the United States (visits)."
    )
    ROUND = strawberry.enum_value("round", description="A round of talks.")
    SERIES = strawberry.enum_value("series", description="A series of rounds of talks.")


@strawberry.enum(description="How `search` matches the words of its query.")
class SearchMatch(Enum):
    EXACT = strawberry.enum_value("exact", description="Whole words only (the default).")
    PREFIX = strawberry.enum_value(
        "prefix", description="Whole words, and words they begin (2 letters or more)."
    )
    FUZZY = strawberry.enum_value(
        "fuzzy",
        description="As PREFIX, and misspellings (two edits) of the first four words of 4 "
        "letters or more.",
    )


@strawberry.enum(description="Which way a relationship points from the node it is read from.")
class Direction(Enum):
    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum(description="What a nested connection can be ordered by.")
class RelationOrderField(Enum):
    NAME = strawberry.enum_value("NAME", description="The related node's name.")
    DATE = strawberry.enum_value("DATE", description="The related node's date (first day).")
    ID = strawberry.enum_value("ID", description="The related node's slug.")
    EDGE_DATE = strawberry.enum_value(
        "EDGE_DATE", description="The relationship's date (first day)."
    )
    START = strawberry.enum_value(
        "START", description="The relationship's start, e.g. when a post began."
    )
    END = strawberry.enum_value("END", description="The relationship's end (open ends last).")


RELATION_ORDER = {
    "NAME": ("node", "name"),
    "DATE": ("node", "dateFrom"),
    "ID": ("node", "id"),
    "EDGE_DATE": ("edge", "dateFrom"),
    "START": ("edge", "startFrom"),
    "END": ("edge", "endFrom"),
}


@strawberry.input(description="A sort key of a nested connection.")
class RelationOrder:
    field: RelationOrderField
    direction: SortDirection = SortDirection.ASC


def to_relation_order(value: Any) -> list[tuple[str, str, bool]] | None:
    """Sort keys from a nested `orderBy` (raw argument form), or None when not given."""
    if value is None:
        return None
    keys = []
    for item in value if isinstance(value, list) else [value]:
        name = _enum_value(_get(item, "field", "field"), RelationOrderField, "orderBy.field")
        direction = _get(item, "direction", "direction") or SortDirection.ASC
        desc = _enum_value(direction, SortDirection, "orderBy.direction") == "DESC"
        element, prop = RELATION_ORDER[name]
        keys.append((element, prop, desc))
    return keys


@strawberry.input(description="Operators on a text property (case-sensitive, index-backed).")
class StringOperators:
    eq: str | None = None
    in_: list[str] | None = strawberry.field(default=None, name="in")
    contains: str | None = None
    starts_with: str | None = None


@strawberry.input(
    description="Operators on a fuzzy date: `eq` means the date may be that day; the others "
    "compare its first possible day."
)
class DateOperators:
    eq: date | None = None
    gt: date | None = None
    gte: date | None = None
    lt: date | None = None
    lte: date | None = None


@strawberry.input(description="Operators on a number.")
class FloatOperators:
    eq: float | None = None
    in_: list[float] | None = strawberry.field(default=None, name="in")
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None


@strawberry.input(description="Operators on the meeting type.")
class MeetingTypeOperators:
    eq: MeetingType | None = None
    in_: list[MeetingType] | None = strawberry.field(default=None, name="in")


@strawberry.input(description="Filters on entities; fields are ANDed. Ids are slugs or global ids.")
class EntityWhere:
    AND: list[EntityWhere] | None = None
    OR: list[EntityWhere] | None = None
    NOT: EntityWhere | None = None
    ids: list[strawberry.ID] | None = None
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of name, aliases or description."
    )
    date_from: date | None = strawberry.field(default=None, description="Dated on or after.")
    date_to: date | None = strawberry.field(default=None, description="Dated on or before.")
    country: strawberry.ID | None = strawberry.field(
        default=None, description="Held in, located in, representing or party for this country."
    )
    issue: strawberry.ID | None = strawberry.field(
        default=None, description="Discussed, raised or involving this issue."
    )
    participant: strawberry.ID | None = strawberry.field(
        default=None, description="Attended by this actor, directly or in a delegation."
    )
    participant_where: EntityWhere | None = strawberry.field(
        default=None, description="Attended by an actor matching this filter."
    )
    related_to: strawberry.ID | None = strawberry.field(
        default=None, description="Directly related to this entity."
    )
    name: StringOperators | None = strawberry.field(
        default=None, description="The name compared (uses the name indexes)."
    )
    date: DateOperators | None = None
    meeting_type: MeetingTypeOperators | None = None
    quantity: FloatOperators | None = strawberry.field(
        default=None, description="A term's quantity."
    )
    during: strawberry.ID | None = strawberry.field(
        default=None, description="Dated within the dates of this entity (a meeting, an event)."
    )
    relationships: list[RelationshipWhere] | None = strawberry.field(
        default=None,
        description="Related nodes, quantified: each item needs some, all, none or single.",
    )
    candidate: bool | None = strawberry.field(
        default=None,
        description="True: only the people a dataset named but could not resolve (candidates); "
        "false: none of them. A list leaves them out unless its top-level filter says true.",
    )


@strawberry.input(
    description="Nodes related through relationships of `types` (any type when omitted): "
    "give exactly one of some, all, none, single."
)
class RelationshipWhere:
    types: list[RelationshipType] | None = None
    direction: Direction = Direction.BOTH
    some: EntityWhere | None = None
    all: EntityWhere | None = None
    none: EntityWhere | None = None
    single: EntityWhere | None = None
    edge: EdgeWhere | None = strawberry.field(
        default=None, description="Only relationships whose date or period overlaps."
    )


@strawberry.input(description="Filters on the relationships of a connection.")
class EdgeWhere:
    date_from: date | None = strawberry.field(
        default=None, description="The edge's date or period (start to end) reaches this day."
    )
    date_to: date | None = strawberry.field(
        default=None, description="The edge's date or period begins by this day."
    )
    during: strawberry.ID | None = strawberry.field(
        default=None,
        description="The edge's date or period overlaps the dates of this entity (a meeting).",
    )


DATASETS = ("pocom", "travels", "visits")


@strawberry.input(description="Filters on documents; fields are ANDed.")
class DocumentWhere:
    publisher: StringOperators | None = None
    date_from: date | None = strawberry.field(default=None, description="Dated on or after.")
    date_to: date | None = strawberry.field(default=None, description="Dated on or before.")
    dataset: str | None = strawberry.field(
        default=None,
        description=f"The historian's dataset the document is a file of: one of {list(DATASETS)}.",
    )


def to_document_filter(where: DocumentWhere | None) -> Filter:
    if where is None:
        return Filter()
    compares = []
    if where.publisher is not None:
        compares += [
            Compare("publisher", op, [str(x) for x in v] if op == "in" else v)
            for op, v in _operators(where.publisher, STRING_OPS)
        ]
    if where.dataset is not None:
        if where.dataset not in DATASETS:
            raise BadUserInput(f"'dataset' must be one of {list(DATASETS)}, not {where.dataset!r}")
        compares.append(Compare("file", "startsWith", f"{where.dataset}/"))
    date_from, date_to = check_window(where.date_from, where.date_to)
    return Filter(date_from=date_from, date_to=date_to, compares=compares)


def slug_of(value: str) -> str:
    return from_global_id(value)[1]


def _get(value: Any, graphql_name: str, python_name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(graphql_name, value.get(python_name))
    return getattr(value, python_name, None)


def listed(value: Any) -> list[Any]:
    """A list argument in its raw form as GraphQL's input coercion reads it: a single
    value where a list is expected is a list of one (`types: ATTENDED`), null none."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# Arguments that are lists of names (relationship types, actors, kinds) take at most this
# many items, duplicates included, whether written in the document or sent in a variable
# (the token limit bounds only the former: 15,000 `LED` in a variable reached Neo4j).
MAX_LIST = 100


def capped(values: list[Any], argument: str) -> list[Any]:
    """`values`, refused (BAD_USER_INPUT naming `argument`) when over MAX_LIST items."""
    if len(values) > MAX_LIST:
        raise BadUserInput(f"'{argument}' lists {len(values)} items; at most {MAX_LIST}")
    return values


def enum_names(value: Any, enum: type[Enum], field_name: str, only: bool = True) -> tuple[str, ...]:
    """The values of a list-of-enum argument, raw (a literal's names, a variable's members,
    or one of either alone) or typed: at most MAX_LIST given, each once, sorted. A set in
    one canonical order, so that a statement whose text holds them (a walk's
    `[:LED|MEMBER_OF*..4]`) has one text per set, whatever the order and repeats.

    A list that keeps `only` those values may not be empty: it is refused, not read as
    "every value" (as `kinds: []`); an empty list of values to leave out leaves out none."""
    given = capped(listed(value), field_name)
    if only and value is not None and not given:
        raise BadUserInput(
            f"'{field_name}' must name at least one relationship type; omit it for every type"
        )
    return tuple(sorted({_enum_value(v, enum, field_name) for v in given}))


def _date(value: Any, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BadUserInput(f"'{name}' must be a date (YYYY-MM-DD), not {value!r}") from None


def check_window(
    date_from: date | None, date_to: date | None, names: tuple[str, str] = ("dateFrom", "dateTo")
) -> tuple[date | None, date | None]:
    """The window, refused when it ends before it starts (it could match nothing)."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise BadUserInput(f"'{names[0]}' must not be after '{names[1]}'")
    return date_from, date_to


def _window(where: Any) -> tuple[date | None, date | None]:
    """The checked `dateFrom`/`dateTo` of a filter, typed or raw."""
    return check_window(
        _date(_get(where, "dateFrom", "date_from"), "dateFrom"),
        _date(_get(where, "dateTo", "date_to"), "dateTo"),
    )


def _slug(value: Any) -> str | None:
    # An empty id is an id like any other, naming no entity (NOT_FOUND), not "no filter".
    return slug_of(str(value)) if value is not None else None


def to_filter(where: Any) -> Filter:
    """A graph filter from an `EntityWhere` or its raw argument form, refused when its
    filters that walk relationships nest deeper than MAX_RELATION_DEPTH."""
    found = _filter(where)
    chain = relation_chain(found)
    if len(chain) > MAX_RELATION_DEPTH:
        raise QueryTooCostly(
            f"filters that walk relationships nest {len(chain)} levels deep; at most "
            f"{MAX_RELATION_DEPTH} ({' > '.join(chain)}: each '{RELATIONSHIPS}' and each "
            f"'{PARTICIPANT_WHERE}' is a level)"
        )
    return found


def _filter(where: Any) -> Filter:
    if where is None:
        return Filter()
    any_of = _get(where, "OR", "OR")
    none_of = _get(where, "NOT", "NOT")
    ids = _get(where, "ids", "ids")
    participant_where = _get(where, "participantWhere", "participant_where")
    date_from, date_to = _window(where)
    return Filter(
        all_of=[_filter(w) for w in _get(where, "AND", "AND") or []],
        any_of=[_filter(w) for w in any_of] if any_of is not None else None,
        none_of=_filter(none_of) if none_of is not None else None,
        ids=[slug_of(str(i)) for i in ids] if ids is not None else None,
        text=_get(where, "text", "text"),
        date_from=date_from,
        date_to=date_to,
        country=_slug(_get(where, "country", "country")),
        issue=_slug(_get(where, "issue", "issue")),
        participant=_slug(_get(where, "participant", "participant")),
        participant_where=_filter(participant_where) if participant_where is not None else None,
        related_to=_slug(_get(where, "relatedTo", "related_to")),
        compares=_compares(where),
        during=_slug(_get(where, "during", "during")),
        relations=[_relation(r) for r in listed(_get(where, "relationships", "relationships"))],
        candidate=_get(where, "candidate", "candidate"),
    )


STRING_OPS = {"eq": "eq", "in": "in_", "contains": "contains", "startsWith": "starts_with"}
ORDER_OPS = {"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
NUMBER_OPS = {"eq": "eq", "in": "in_", **ORDER_OPS}
MEETING_TYPE_OPS = {"eq": "eq", "in": "in_"}


def _operators(value: Any, names: dict[str, str]) -> list[tuple[str, Any]]:
    """The (operator, operand) pairs given, in GraphQL names."""
    return [(op, v) for op, attr in names.items() if (v := _get(value, op, attr)) is not None]


def _enum_value(value: Any, enum: type[Enum], field_name: str) -> Any:
    if isinstance(value, enum):
        return value.value
    try:
        return enum[str(value)].value
    except KeyError:
        known = [m.name for m in enum]
        raise BadUserInput(f"'{field_name}' must be one of {known}, not {value!r}") from None


def _number(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise BadUserInput(f"'{name}' must be a number, not {value!r}") from None


def _listed(value: Any, name: str) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _compares(where: Any) -> list[Compare]:
    found: list[Compare] = []
    name = _get(where, "name", "name")
    if name is not None:
        for op, v in _operators(name, STRING_OPS):
            value = [str(x) for x in _listed(v, "name.in")] if op == "in" else str(v)
            found.append(Compare("name", op, value))
    when = _get(where, "date", "date")
    if when is not None:
        for op, v in _operators(when, {"eq": "eq", **ORDER_OPS}):
            day = _date(v, f"date.{op}")
            if op == "eq":
                found += [Compare("dateFrom", "lte", day), Compare("dateTo", "gte", day)]
            else:
                found.append(Compare("dateFrom", op, day))
    kind = _get(where, "meetingType", "meeting_type")
    if kind is not None:
        for op, v in _operators(kind, MEETING_TYPE_OPS):
            if op == "in":
                found.append(
                    Compare("meetingType", op, [_enum_value(x, MeetingType, "meetingType.in")
                                                for x in _listed(v, "meetingType.in")])
                )  # fmt: skip
            else:
                found.append(
                    Compare("meetingType", op, _enum_value(v, MeetingType, "meetingType.eq"))
                )
    quantity = _get(where, "quantity", "quantity")
    if quantity is not None:
        for op, v in _operators(quantity, NUMBER_OPS):
            number: Any = (
                [_number(x, "quantity.in") for x in _listed(v, "quantity.in")]
                if op == "in"
                else _number(v, f"quantity.{op}")
            )
            found.append(Compare("quantity", op, number))
    return found


# Filters that walk relationships (`relationships`, `participantWhere`) nest at most this
# deep: each level multiplies the paths Neo4j walks (three levels of `relationships` over
# the historian's data ran into the query timeout every time; four of `participantWhere`,
# counted as none before, took over 10 s of Neo4j's CPU).
MAX_RELATION_DEPTH = 2
RELATIONSHIPS = "relationships"
PARTICIPANT_WHERE = "participantWhere"


def relation_chain(where: Filter | None) -> tuple[str, ...]:
    """The deepest nesting of filters that walk relationships in `where`, as the fields'
    names, outermost first (empty: none). `AND`, `OR` and `NOT` walk nothing themselves."""
    if where is None:
        return ()
    chains = [(RELATIONSHIPS, *relation_chain(r.where)) for r in where.relations]
    if where.participant_where is not None:
        chains.append((PARTICIPANT_WHERE, *relation_chain(where.participant_where)))
    chains += [relation_chain(f) for f in (*where.all_of, *(where.any_of or []), where.none_of)]
    return max(chains, key=len, default=())


def _relation(value: Any) -> RelationFilter:
    given = [q for q in QUANTIFIERS if _get(value, q, q) is not None]
    if len(given) != 1:
        raise BadUserInput(
            f"'relationships' needs exactly one of {list(QUANTIFIERS)} per item, not {given}"
        )
    quantifier = given[0]
    types = enum_names(_get(value, "types", "types"), RelationshipType, "relationships.types")
    direction = _get(value, "direction", "direction") or Direction.BOTH
    direction = _enum_value(direction, Direction, "relationships.direction")
    where = _filter(_get(value, quantifier, quantifier))
    return RelationFilter(
        quantifier=quantifier,
        types=types,
        direction=direction,
        where=where,
        edge=to_edge_filter(_get(value, "edge", "edge")),
    )


def to_edge_filter(where: Any) -> EdgeFilter | None:
    """A relationship filter from an `EdgeWhere` or its raw argument form."""
    if where is None:
        return None
    date_from, date_to = _window(where)
    return EdgeFilter(
        date_from=date_from,
        date_to=date_to,
        during=_slug(_get(where, "during", "during")),
    )
