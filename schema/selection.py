"""Turn a GraphQL selection into a graph `NodeProjection` (what to fetch, in one query).

The walk follows the request's fields, fragments and arguments; `schema.specs`
says what each field means in the graph. Arguments that shape Cypher (page
windows, relationship types) are checked here, so the compiler only ever sees
values that are safe.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graph.projection import (
    DATE_PARTS,
    GROUPINGS,
    MEASURES,
    Aggregate,
    ByLabel,
    ClientKey,
    DateOf,
    EdgeFilter,
    Filter,
    NodeProjection,
    Outgoing,
    Page,
    Prop,
    Related,
    Relation,
    SourcesOf,
    Typename,
    TypeOf,
)
from schema.context import Info
from schema.errors import BadUserInput, CodedError
from schema.inputs import (
    RelationshipType,
    enum_names,
    to_edge_filter,
    to_filter,
    to_relation_order,
)
from schema.specs import FIELDS, GlobalId, Slug, possible_types

# An entry of a list of fields: a response key first (`stable_order`).
E = TypeVar("E", bound=tuple[Any, ...])

MAX_PAGE_SIZE = 100
# The largest `paths(first:)` and `neighborhood(limit:)`: their resolvers refuse more, and
# the cost estimate counts a variable given for them as this many (`schema.limits`).
MAX_PATHS = 20
MAX_NEIGHBORHOOD = 500
DEFAULT_PAGE_SIZE = 20
CURSOR_PREFIX = "cursor:"
# Far beyond any list's length, and well inside the 64-bit integers Cypher takes.
MAX_CURSOR_OFFSET = 10**9

FACT_EDGE: dict[str, Any] = {
    "type": TypeOf(),
    "outgoing": Outgoing(),
    "role": Prop("role"),
    "title": Prop("title"),
    "note": Prop("note"),
    "date": DateOf("date"),
    "start": DateOf("start"),
    "end": DateOf("end"),
}
MENTION_EDGE: dict[str, Any] = {"start": Prop("start"), "end": Prop("end"), "text": Prop("text")}


# -- cursors and pages ---------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def encode_cursor(offset: int) -> str:
    # Cached: every edge of every page has one, and pages start at the same few offsets.
    return base64.b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        if not text.startswith(CURSOR_PREFIX):
            raise ValueError(text)
        digits = text.removeprefix(CURSOR_PREFIX)
        # Only the form encode_cursor writes: int() also takes " 3", "+3", "1_000", "٣".
        if not (digits.isascii() and digits.isdigit()) or digits != str(int(digits)):
            raise ValueError(text)
        offset = int(digits)
        if not 0 <= offset <= MAX_CURSOR_OFFSET:
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadUserInput(f"invalid cursor {cursor!r}") from None
    return offset


@dataclass(frozen=True)
class PageArgs:
    """Relay pagination arguments."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @classmethod
    def of(cls, arguments: Mapping[str, Any]) -> PageArgs:
        """From a selection's arguments (literals arrive as text, variables coerced)."""

        def integer(value: Any) -> int | None:
            return None if value is None else int(value)

        return cls(
            first=integer(arguments.get("first")),
            after=arguments.get("after"),
            last=integer(arguments.get("last")),
            before=arguments.get("before"),
        )

    def page(self) -> Page:
        """The window these arguments ask for (offsets into the ordered list)."""
        for name, size in (("first", self.first), ("last", self.last)):
            if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
                raise BadUserInput(f"'{name}' must be between 0 and {MAX_PAGE_SIZE}, not {size}")
        if self.first is not None and self.last is not None:
            raise BadUserInput("use either 'first' or 'last', not both")
        start = decode_cursor(self.after) + 1 if self.after is not None else 0
        stop = decode_cursor(self.before) if self.before is not None else None
        if self.last is not None:
            # Where it starts depends on the total: a `before` beyond the end means "before
            # the end" (the last rows), not a short or empty page (hostile review 13).
            return Page(offset=start, limit=self.last, from_end=True, stop=stop)
        if stop is not None:
            size = max(0, stop - start)
            if self.first is not None:
                size = min(size, self.first)
            return Page(offset=start, limit=size)
        return Page(offset=start, limit=self.first if self.first is not None else DEFAULT_PAGE_SIZE)


# -- the walk --------------------------------------------------------------------------------


def _fields_for(
    selections: Iterable[Selection], types: Sequence[str]
) -> list[tuple[SelectedField, tuple[str, ...]]]:
    """Flatten fragments: each selected field with the concrete types it applies to."""
    found: list[tuple[SelectedField, tuple[str, ...]]] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.append((selection, tuple(types)))
        elif isinstance(selection, FragmentSpread | InlineFragment):
            condition = selection.type_condition
            # "*" (an edge or a connection: no node type to narrow) takes every fragment.
            narrowed = (
                tuple(types)
                if condition is None or "*" in types
                else tuple(t for t in types if t in possible_types(condition))
            )
            if narrowed:
                found += _fields_for(selection.selections, narrowed)
    return found


class Kept(list[Selection]):
    """Selections `included` has already filtered: a compiled plan's fixed selections
    (schema/selected.py), built once and handed to every request of the plan, whose whole
    tree was otherwise walked again per request."""


def included(selections: list[Selection]) -> list[Selection]:
    """The selections `@skip`/`@include` keep, at every level (graphql-core's
    `should_include_node`: `@skip(if: true)` wins, `@include(if: false)` drops).

    Strawberry's `selected_fields` keeps skipped selections (with their directives
    evaluated): without this the statement would fetch what the response leaves out.
    The same list comes back when nothing is dropped.
    """
    if isinstance(selections, Kept):
        return selections
    kept: list[Selection] = []
    changed = False
    for selection in selections:
        directives = selection.directives
        if directives and (
            (directives.get("skip") or {}).get("if")
            or ("include" in directives and not (directives["include"] or {}).get("if"))
        ):
            changed = True
            continue
        inner = included(selection.selections)
        if inner is not selection.selections:
            selection = replace(selection, selections=inner)
            changed = True
        kept.append(selection)
    return kept if changed else selections


def response_key(field: SelectedField) -> str:
    """The field's key in the response: its alias (kept out of the Cypher text), or name."""
    if field.alias and field.alias != field.name:
        return ClientKey(field.alias)
    return field.name


def current_field(info: Info) -> SelectedField:
    """The root field's selection, without what `@skip`/`@include` leave out.

    A request may ask the field more than once under one response key (`{ people { a }
    people { b } }`, or a fragment on Query adding to it): Strawberry gives one entry per
    copy, and GraphQL's field collection answers them as one field asking all of it."""
    return merged(info.selected_fields)


def merged(copies: Sequence[Selection]) -> SelectedField:
    """Copies of one field (one response key; validation made their arguments the same)
    as one field with all their selections, without what `@skip`/`@include` leave out."""
    field = copies[0]
    assert isinstance(field, SelectedField)
    below = field.selections if len(copies) == 1 else [s for c in copies for s in c.selections]
    selections = included(below)
    return field if selections is field.selections else replace(field, selections=selections)


def child(field: SelectedField, name: str) -> list[SelectedField]:
    """The sub-fields named `name` (through fragments) of a selection."""
    return [f for f, _ in _fields_for(field.selections, ("*",)) if f.name == name]


# Projections by the identity of the selections they were made from. The compiled path
# hands the resolvers the same selection objects for every request of a plan
# (schema/selected.py), so a plan's projections are made once. Each entry keeps its
# selections alive: their ids are not reused while it is cached.
PROJECTIONS: OrderedDict[tuple[Any, ...], tuple[tuple[Selection, ...], NodeProjection]] = (
    OrderedDict()
)
PROJECTIONS_SIZE = 1024


def project(selections: Iterable[Selection], type_name: str) -> NodeProjection:
    """What to fetch for nodes of `type_name` (a type or an interface), cached."""
    chosen = tuple(selections)
    key = (type_name, *map(id, chosen))
    found = PROJECTIONS.get(key)
    if found is not None:
        PROJECTIONS.move_to_end(key)
        return found[1]
    projection = _project(chosen, type_name)
    PROJECTIONS[key] = (chosen, projection)
    while len(PROJECTIONS) > PROJECTIONS_SIZE:
        PROJECTIONS.popitem(last=False)
    return projection


def _project(selections: Iterable[Selection], type_name: str) -> NodeProjection:
    """What to fetch for nodes of `type_name` (a type or an interface)."""
    concrete = possible_types(type_name)
    projection = NodeProjection(typename=type_name if concrete == (type_name,) else None)
    # By response key, per concrete type, every copy of the field that applies to it: the
    # same key under fragments on different types is one field per type (each type gets
    # its `name`), and copies under one type are merged, as GraphQL's field collection does.
    collected: dict[str, dict[str, list[SelectedField]]] = {}
    for field, types in _fields_for(selections, concrete):
        by_type = collected.setdefault(response_key(field), {})
        for t in types:
            by_type.setdefault(t, []).append(field)
    names: dict[str, str] = {}
    for key, by_type in collected.items():
        cases: dict[str, Any] = {}
        # By type name: the order of the fragments does not change the statement.
        for t, copies in sorted(by_type.items()):
            field = merged(copies)
            try:
                if field.name == "relationships":
                    cases[t] = _relationships_spec(field)
                elif field.name != "__typename" and field.name in FIELDS[t]:
                    cases[t] = _field_spec(t, field)
            except CodedError:
                # Arguments refused: not fetched. The field's resolver refuses them again,
                # at its own path (`relation_arguments`, `group_limit`).
                continue
        cases = {t: spec for t, spec in cases.items() if spec is not None}
        if not cases:
            continue
        names[key] = next(iter(by_type.values()))[0].name
        specs = list(cases.values())
        # Against every kind the list may hold, not the fragment's: a field asked only
        # `... on Delegation` is fetched for delegations alone (it was fetched for every
        # node, and dropped when shaped: an Organization's meetings walked its people).
        if all(spec == specs[0] for spec in specs) and len(cases) == len(concrete):
            projection.fields.append((key, specs[0]))
        else:
            projection.fields.append((key, ByLabel(cases)))
    projection.fields = stable_order(projection.fields, lambda entry: names[entry[0]])
    return projection


def stable_order(entries: list[E], name: Callable[[E], str]) -> list[E]:
    """`entries` (a response key first) by the name of the field each asks, an aliased one
    after the field's own: Neo4j plans every new statement text anew (seconds of its CPU),
    so the order a client asks fields in must not change the text. Shapers read the
    statement's values by key and answer in the client's order. Aliased copies of one field
    keep their order among themselves (their alias names are kept out of the text)."""
    return sorted(entries, key=lambda entry: (name(entry), isinstance(entry[0], ClientKey)))


def _field_spec(type_name: str, field: SelectedField) -> Any:
    spec = FIELDS[type_name][field.name]
    if isinstance(spec, GlobalId | Slug | Typename):
        return None  # derived from id and __typename, always fetched
    if isinstance(spec, SourcesOf):
        return sources_spec(field)
    if isinstance(spec, Relation):
        return relation_spec(spec, field)
    if isinstance(spec, DateOf):
        parts = date_parts(field)
        if parts is not None:
            return DateOf(spec.prefix, parts)
    return spec


def date_parts(field: SelectedField) -> tuple[str, ...] | None:
    """The parts of a fuzzy date a selection asks (None: every part, e.g. `__typename`)."""
    asked = {f.name for f, _ in _fields_for(field.selections, ("*",))}
    # In one order whatever the client's (`stable_order`).
    return tuple(p for p in DATE_PARTS if p in asked) if asked.issubset(DATE_PARTS) else None


def sources_spec(field: SelectedField) -> SourcesOf:
    documents = child(field, "document")
    return SourcesOf(project([s for d in documents for s in d.selections], "Document"))


def edge_sources(fields: Iterable[Selection]) -> dict[str, SourcesOf]:
    """The `sources` an edge's fields ask, by response key: the copies of one key merged
    (`sources { quote } sources { document { title } }` is one field asking both), as
    GraphQL's field collection merges them (and `_project` does a node's)."""
    copies: dict[str, list[SelectedField]] = {}
    for sub in fields:
        if isinstance(sub, SelectedField) and sub.name == "sources":
            copies.setdefault(response_key(sub), []).append(sub)
    return {key: sources_spec(merged(found)) for key, found in copies.items()}


def relation_spec(relation: Relation, field: SelectedField) -> Related:
    """A relation field: a single node, or a connection with edges and a page."""
    target, mention = relation.target, relation.mention
    if relation.single:
        return Related(relation, project(field.selections, target))
    edge_fields = MENTION_EDGE if mention else FACT_EDGE
    node_selections: list[Selection] = []
    edge: list[tuple[str, Any]] = []
    subs = [s for edges in child(field, "edges") for s, _ in _fields_for(edges.selections, ("*",))]
    sources = {} if mention else edge_sources(subs)
    for sub in subs:
        key = response_key(sub)
        if sub.name == "node":
            node_selections += sub.selections
        elif key in dict(edge):
            continue  # a copy of a field asked already, merged
        elif key in sources and sub.name == "sources":
            edge.append((key, sources[key]))
        elif sub.name in edge_fields:
            edge.append((key, edge_fields[sub.name]))
    names = {response_key(sub): sub.name for sub in reversed(subs)}  # each key's first
    edge = stable_order(edge, lambda entry: names[entry[0]])
    aggregate = aggregate_spec(field)
    arguments = relation_arguments(field.arguments)
    page, wants_total = counted(field, arguments.page)
    default = ["start", "id"] if mention else ["dateFrom", "name", "id"]
    asked = arguments.order
    # The slug last keeps pages stable when the asked keys tie.
    order = tuple(
        [*asked, ("node", "id", False)] if asked else [("node", p, False) for p in default]
    )
    return Related(
        relation, project(node_selections, target), edge=edge, page=page,
        count=wants_total, order=order, where=arguments.where,
        edge_where=arguments.edge_where, aggregate=aggregate,
    )  # fmt: skip


@dataclass(frozen=True)
class RelationArguments:
    """A nested connection's arguments, checked and converted."""

    page: Page
    where: Filter | None
    edge_where: EdgeFilter | None
    order: list[tuple[str, str, bool]] | None
    # `relationships(types:)`: the relationship types' names, each once, sorted.
    types: tuple[str, ...]


def relation_arguments(arguments: Mapping[str, Any]) -> RelationArguments:
    """A nested connection's arguments by their GraphQL names, raw (a selection's, or
    graphql-core's coerced values) or typed (its resolver's): refused with a coded error.

    The root's projection (`_project`) and the field's own resolver
    (`types.projected_page`, `types.projected_relationships`) both read them here. A field
    whose arguments are refused is left out of the root's statement, and its resolver
    raises the same error: reported as graphql-core reports a field's error, at the
    field's path and location with null up to its nearest nullable parent, not as the
    root's (hostile review 13, item 1)."""
    types = enum_names(arguments.get("types"), RelationshipType, "relationships(types:)")
    where = arguments.get("where")
    return RelationArguments(
        page=PageArgs.of(arguments).page(),
        where=to_filter(where) if where is not None else None,
        edge_where=to_edge_filter(arguments.get("edgeWhere")),
        order=to_relation_order(arguments.get("orderBy")),
        types=types,
    )


def counted(field: SelectedField, page: Page) -> tuple[Page, bool]:
    """Whether a connection is counted (`totalCount` asked, or read from the end: its
    offset comes from the total), and its page: one row more than asked when only
    `pageInfo` wants to know whether there is a next page."""
    count = bool(child(field, "totalCount")) or page.from_end
    if not count and child(field, "pageInfo"):
        page = replace(page, probe=True)
    return page, count


def aggregate_spec(field: SelectedField) -> Aggregate | None:
    """The measures asked under a connection's `aggregate` (None when it is not selected)."""
    selected = child(field, "aggregate")
    if not selected:
        return None
    spec = Aggregate()
    seen: set[str] = set()
    for agg in selected:
        for sub, _ in _fields_for(agg.selections, ("*",)):
            key = response_key(sub)
            measure = sub.name
            if key in seen or (measure not in MEASURES and measure not in GROUPINGS):
                continue
            seen.add(key)
            try:
                limit = group_limit(measure, sub.arguments.get("first", DEFAULT_PAGE_SIZE))
            except BadUserInput:
                continue  # not measured: `types.group_measure` refuses it, at its path
            spec.fields.append((key, measure, limit))
    spec.fields = stable_order(spec.fields, lambda entry: entry[1])
    return spec


def group_limit(measure: str, first: Any) -> int:
    """How many groups a grouping (`byYear(first:)`, ...) lists, refused outside 1..100.
    The root's statement leaves a refused one out, and its resolver raises, so the error
    is the field's (`relation_arguments`)."""
    try:
        limit = int(first)
    except (TypeError, ValueError):
        limit = -1
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise BadUserInput(f"'{measure}(first:)' must be between 1 and {MAX_PAGE_SIZE}")
    return limit


def _relationships_spec(field: SelectedField) -> Related:
    """The generic `relationships(types:, direction:)` field, its types checked."""
    names = relation_arguments(field.arguments).types
    direction = str(field.arguments.get("direction") or "BOTH").upper()
    left, right = {"OUT": ("-", "->"), "IN": ("<-", "-")}.get(direction, ("-", "-"))
    pattern = f"({{n}}){left}[{{r}}]{right}({{m}}:Entity)"
    spec = relation_spec(Relation(pattern), field)
    return replace(spec, rel_types=tuple(names), own_edges=True)
