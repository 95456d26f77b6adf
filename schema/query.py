"""The root Query: typed lists, lookups, search and relationship questions.

Each root field compiles its whole selection into one Cypher statement
(`graph.reads`) and runs it once; nested fields read from that result.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from graph import reads
from graph.projection import Filter, TypeOf
from schema.candidates import CandidateQuery
from schema.context import Info
from schema.errors import BadUserInput, NotFound
from schema.ids import from_global_id
from schema.inputs import (
    DocumentWhere,
    EntityWhere,
    RelationshipType,
    SearchMatch,
    SortDirection,
    capped,
    check_window,
    enum_names,
    slug_of,
    to_document_filter,
    to_filter,
)
from schema.selection import (
    FACT_EDGE,
    MAX_NEIGHBORHOOD,
    MAX_PAGE_SIZE,
    MAX_PATHS,
    PageArgs,
    aggregate_spec,
    child,
    counted,
    current_field,
    date_parts,
    edge_sources,
    encode_cursor,
    project,
    response_key,
    stable_order,
)
from schema.specs import ACTOR_KINDS, ALL_KINDS
from schema.types import (
    Actor,
    Agreement,
    Connection,
    Country,
    Delegation,
    Document,
    Entity,
    Event,
    Fact,
    Issue,
    Meeting,
    Node,
    Organization,
    Path,
    Person,
    Place,
    SearchConnection,
    SearchHit,
    Subgraph,
    TimelineConnection,
    TimelineEntry,
    check_kinds,
    connection,
    graph_object,
    page_info,
)


@strawberry.enum
class OrderField(Enum):
    NAME = "NAME"
    DATE = "DATE"
    ID = "ID"


@strawberry.input
class EntityOrder:
    field: OrderField
    direction: SortDirection = SortDirection.ASC


def node_selections(field: SelectedField, path: tuple[str, ...] = ("edges", "node")) -> list[Any]:
    """The selections under `edges { node { ... } }` (or another path) of a field."""
    level = [field]
    for name in path:
        level = [sub for f in level for sub in child(f, name)]
    return [s for f in level for s in f.selections]


def fact_fields(
    selections: list[Selection], computed: frozenset[str] = frozenset()
) -> list[tuple[str, Any]]:
    """The selected fields of `Fact`-like objects, as specs for a relationship variable.

    `computed` names fields the statement fills itself (a timeline entry's date).
    """
    fields: list[tuple[str, Any]] = [("type", TypeOf())]
    names = {"type": "type"}
    sources = edge_sources(selections)
    for sub in selections:
        skip = {"node", "cursor", "__typename", *computed}
        if not isinstance(sub, SelectedField) or sub.name in skip:
            continue
        key = response_key(sub)
        if key in names:
            continue  # a copy of a field asked already (`edges { role } edges { role }`)
        if sub.name == "sources":
            fields.append((key, sources[key]))
        elif sub.name in FACT_EDGE and sub.name != "outgoing" and key != "type":
            fields.append((key, FACT_EDGE[sub.name]))
        else:
            continue
        names[key] = sub.name
    return stable_order(fields, lambda entry: names[entry[0]])


def entry_date_parts(field: SelectedField) -> tuple[str, ...] | None:
    """The date parts a timeline's entries ask (every part when they differ or none asks)."""
    asked = {date_parts(d) for edges in child(field, "edges") for d in child(edges, "date")}
    return asked.pop() if len(asked) == 1 else None


async def run(info: Info, statement: reads.Statement) -> dict[str, Any]:
    """Run a root field's statement; ids its filters named that do not exist are an error."""
    record = await info.context.run(statement)
    unknown = record.get("unknownIds")
    if unknown:
        raise NotFound(f"unknown id(s) in a filter: {', '.join(map(repr, unknown))}")
    return record


async def nodes_by_ids(info: Info, ids: list[strawberry.ID]) -> list[Any]:
    if not ids:
        return []
    wanted = [from_global_id(i) for i in ids]
    projection = project(current_field(info).selections, "Node")
    record = await run(info, reads.nodes_by_id(wanted, projection))
    found = []
    for (type_name, _), row in zip(wanted, record["items"], strict=True):
        item = row["node"]
        # A global id names a type; a node of another type is not the one asked for.
        ok = item is not None and type_name in (None, item["__typename"])
        found.append(graph_object(item) if ok else None)
    return found


async def list_of(
    info: Info,
    labels: tuple[str, ...],
    type_name: str,
    where: EntityWhere | None,
    order_by: list[EntityOrder] | None,
    page_args: PageArgs,
    also: Filter | None = None,
) -> Any:
    """`also`: a graph filter ANDed to `where` (one the schema's input cannot express)."""
    field = current_field(info)
    page, with_total = counted(field, page_args.page())
    chosen = to_filter(where)
    if chosen.candidate is None and "Person" in labels:
        # Candidates are listed only when asked for. Only people are candidates (the
        # historian's unresolved names): for other kinds the check would only read a
        # property of every node the list scans.
        chosen.candidate = False
    statement = reads.list_entities(
        labels,
        chosen if also is None else Filter(all_of=[also, chosen]),
        [reads.Order(o.field.value, o.direction == SortDirection.DESC) for o in order_by or []],
        page,
        project(node_selections(field), type_name),
        with_total=with_total,
        aggregate=aggregate_spec(field),
        # Counts alone project no node: cheap when only totals and groupings are asked.
        with_items=bool(child(field, "edges") or child(field, "pageInfo")) or page.from_end,
    )
    record = await run(info, statement)
    return connection(record, page)


def _typed_list(labels: tuple[str, ...], type_name: str, description: str) -> Any:
    async def resolver(
        info: Info,
        where: EntityWhere | None = None,
        order_by: list[EntityOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Any:
        return await list_of(
            info, labels, type_name, where, order_by, PageArgs(first, after, last, before)
        )

    return strawberry.field(resolver=resolver, description=description)


# The walk arguments `paths` and `neighborhood` share (see `walk`).
OnlyTypes = Annotated[
    list[RelationshipType] | None,
    strawberry.argument(description="Only through relationships of these types."),
]
ExcludedTypes = Annotated[
    list[RelationshipType] | None,
    strawberry.argument(description="Never through relationships of these types."),
]
StepsFrom = Annotated[
    date | None, strawberry.argument(description="Every dated step overlaps from this day...")
]
StepsTo = Annotated[date | None, strawberry.argument(description="...to this day.")]


@strawberry.type
class Query(CandidateQuery):
    people: Connection[Person] = _typed_list(("Person",), "Person", "People, filtered and ordered.")
    organizations: Connection[Organization] = _typed_list(
        ("Organization",), "Organization", "Governments, ministries, bureaus, missions."
    )
    delegations: Connection[Delegation] = _typed_list(("Delegation",), "Delegation", "Delegations.")
    countries: Connection[Country] = _typed_list(("Country",), "Country", "Countries.")
    actors: Connection[Actor] = _typed_list(ACTOR_KINDS, "Actor", "People, bodies and countries.")
    meetings: Connection[Meeting] = _typed_list(
        ("Meeting",), "Meeting", "Rounds of talks, trips and visits."
    )
    agreements: Connection[Agreement] = _typed_list(("Agreement",), "Agreement", "Agreements.")
    events: Connection[Event] = _typed_list(("Event",), "Event", "Events.")
    issues: Connection[Issue] = _typed_list(("Issue",), "Issue", "Issues: topics and cases.")
    places: Connection[Place] = _typed_list(("Place",), "Place", "Places.")
    entities: Connection[Entity] = _typed_list(ALL_KINDS, "Entity", "Every entity.")

    @strawberry.field(description="Meetings that all the given actors attended (slugs or ids).")
    async def meetings_between(
        self,
        info: Info,
        actors: list[strawberry.ID],
        where: EntityWhere | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Meeting]:
        if not actors:
            raise BadUserInput("'actors' must name at least one actor")
        together = Filter(
            participants=list(dict.fromkeys(slug_of(str(a)) for a in capped(actors, "actors")))
        )
        order = [EntityOrder(field=OrderField.DATE)]
        result: Connection[Meeting] = await list_of(
            info, ("Meeting",), "Meeting", where, order, PageArgs(first, after), together
        )
        return result

    @strawberry.field(description="An entity or document by global id (or slug).")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        nodes = await nodes_by_ids(info, [id])
        found: Node | None = nodes[0]
        return found

    @strawberry.field(description="Entities or documents by global ids (or slugs), in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise BadUserInput(f"at most {MAX_PAGE_SIZE} ids at once")
        return await nodes_by_ids(info, ids)

    @strawberry.field(description="The source documents, by slug, filtered.")
    async def documents(
        self,
        info: Info,
        where: DocumentWhere | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Document]:
        field = current_field(info)
        page, with_total = counted(field, PageArgs(first, after, last, before).page())
        statement = reads.list_entities(
            ("Document",), to_document_filter(where), [reads.Order("ID")], page,
            project(node_selections(field), "Document"), with_total=with_total,
        )  # fmt: skip
        record = await run(info, statement)
        return connection(record, page)  # type: ignore[no-any-return]

    @strawberry.field(description="Full-text search over names, aliases and descriptions.")
    async def search(
        self,
        info: Info,
        query: str,
        kinds: list[str] | None = None,
        first: int | None = None,
        after: str | None = None,
        match: SearchMatch = SearchMatch.EXACT,
    ) -> SearchConnection:
        if len(query) > 200:
            raise BadUserInput("'query' must be at most 200 characters")
        if not any(sum(c.isalnum() for c in word) >= reads.PREFIX_FROM for word in query.split()):
            # A single letter is in nearly every name or description: it would list the graph.
            raise BadUserInput(
                f"'query' needs a word of at least {reads.PREFIX_FROM} letters or digits"
            )
        labels = check_kinds(kinds, ALL_KINDS)
        field = current_field(info)
        page, with_total = counted(field, PageArgs(first, after).page())
        projection = project(node_selections(field), "Entity")
        statement = reads.search(
            query, labels, page, projection, with_total, aggregate_spec(field),
            reads.Matching[match.name],
        )  # fmt: skip
        record = await run(info, statement)
        items = record["items"]
        # One row beyond the page is there only when it was probed (`counted`).
        more = page.limit is not None and len(items) > page.limit
        hits = [
            SearchHit(cursor=encode_cursor(page.offset + i), score=item["score"],
                      node=graph_object(item["node"]))
            for i, item in enumerate(items[: page.limit])
        ]  # fmt: skip
        total = record["total"]
        return SearchConnection(
            edges=hits,
            page_info=page_info(page.offset, len(hits), total, more),
            total_count=total if total is not None else page.offset + len(hits),
            measures=record.get("aggregate"),
        )

    @strawberry.field(description="An entity's dated facts in order, optionally within dates.")
    async def timeline(
        self,
        info: Info,
        of: strawberry.ID,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> TimelineConnection:
        page = PageArgs(first, after).page()
        check_window(from_, to, ("from", "to"))
        field = current_field(info)
        statement = reads.timeline(
            slug_of(of), from_, to, page,
            project(node_selections(field), "Entity"),
            fact_fields(node_selections(field, ("edges",)), computed=frozenset({"date"})),
            entry_date_parts(field),
        )  # fmt: skip
        record = await run(info, statement)
        if not record["found"]:
            raise NotFound(f"no entity with id {of!r}")
        entries = [
            TimelineEntry(
                cursor=encode_cursor(page.offset + i),
                data=item,
                node=graph_object(item["node"]),
            )
            for i, item in enumerate(record["items"])
        ]
        return TimelineConnection(
            edges=entries,
            page_info=page_info(page.offset, len(entries), record["total"]),
            total_count=record["total"],
        )

    @strawberry.field(description="The shortest connections between two entities.")
    async def paths(
        self,
        info: Info,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_hops: int = 4,
        first: int = 5,
        types: OnlyTypes = None,
        exclude_types: ExcludedTypes = None,
        date_from: StepsFrom = None,
        date_to: StepsTo = None,
        distinct_nodes: Annotated[
            bool,
            strawberry.argument(description="Paths through the same set of nodes count once."),
        ] = True,
    ) -> list[Path]:
        if not 1 <= max_hops <= 6:
            raise BadUserInput("'maxHops' must be between 1 and 6")
        if not 1 <= first <= MAX_PATHS:
            raise BadUserInput(f"'first' must be between 1 and {MAX_PATHS}")
        field = current_field(info)
        statement = reads.paths(
            slug_of(from_), slug_of(to), max_hops, first,
            project(node_selections(field, ("nodes",)), "Entity"),
            fact_fields(node_selections(field, ("segments",))),
            walk(types, exclude_types, date_from, date_to),
            distinct_nodes,
        )  # fmt: skip
        record = await run(info, statement)
        missing = [
            repr(given)
            for given, found in ((from_, record["sourceFound"]), (to, record["targetFound"]))
            if not found
        ]
        if missing:
            # Only the ids that are unknown: the client knows which end to fix.
            raise NotFound(f"no entity with id {' nor '.join(missing)}")
        return [
            Path(
                nodes=[graph_object(n) for n in item["nodes"]],
                segments=[Fact(data=s) for s in item["segments"]],
            )
            for item in record["items"]
        ]

    @strawberry.field(description="The entities within `depth` hops of one, and their edges.")
    async def neighborhood(
        self,
        info: Info,
        id: strawberry.ID,
        depth: int = 1,
        limit: int = 50,
        kinds: Annotated[
            list[str] | None, strawberry.argument(description="Only nodes of these kinds.")
        ] = None,
        types: OnlyTypes = None,
        exclude_types: ExcludedTypes = None,
        date_from: StepsFrom = None,
        date_to: StepsTo = None,
    ) -> Subgraph:
        if not 1 <= depth <= 3:
            raise BadUserInput("'depth' must be between 1 and 3")
        if not 1 <= limit <= MAX_NEIGHBORHOOD:
            raise BadUserInput(f"'limit' must be between 1 and {MAX_NEIGHBORHOOD}")
        field = current_field(info)
        statement = reads.neighborhood(
            slug_of(id), depth, limit,
            project(node_selections(field, ("nodes",)), "Entity"),
            fact_fields(node_selections(field, ("edges",))),
            walk(types, exclude_types, date_from, date_to),
            check_kinds(kinds, ALL_KINDS),
            # Counting everything in reach costs a sort of it all: only when asked.
            with_total=bool(child(field, "totalNodes")),
        )  # fmt: skip
        record = await run(info, statement)
        if not record["found"]:
            raise NotFound(f"no entity with id {id!r}")
        return Subgraph(
            nodes=[graph_object(n) for n in record["nodes"]],
            edges=[Fact(data=e) for e in record["edges"]],
            # Null only when `totalNodes` is not selected, so never read.
            total_nodes=record["total"],
            truncated=record["truncated"],
        )


def walk(
    types: list[RelationshipType] | None,
    exclude: list[RelationshipType] | None,
    date_from: date | None,
    date_to: date | None,
) -> reads.Walk:
    check_window(date_from, date_to)
    return reads.Walk(
        types=enum_names(types, RelationshipType, "types"),
        exclude=enum_names(exclude, RelationshipType, "excludeTypes", only=False),
        date_from=date_from,
        date_to=date_to,
    )
