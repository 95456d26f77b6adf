"""The API's read queries: each root request is compiled to one Cypher statement.

`Reader` runs them in read transactions with a timeout and counts them (the
count is exported as a metric, and tests use it to prove there is no N+1).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from neo4j import READ_ACCESS, AsyncDriver, Query, Record, RoutingControl
from neo4j.api import AsyncBookmarkManager, BookmarkManager
from neo4j.exceptions import DriverError, Neo4jError

from graph.driver import API_RETRY_DELAY
from graph.migrations import FULLTEXT_INDEX
from graph.projection import (
    DATE_PARTS,
    Aggregate,
    CypherBuilder,
    Filter,
    NodeProjection,
    Page,
    compile_aggregate,
    compile_fields,
    compile_filter,
    compile_node,
    date_part,
    fields_size,
    flat_measures,
    list_size,
    measure_size,
    merged_into,
    node_size,
    restore_keys,
    size_sum,
    slice_bounds,
    text_candidates,
)
from graph.warmup import HotStatements, PlanGate

# Paths, neighbourhoods and timelines run through entities only: a Document's
# MENTIONS edges are bookkeeping of where a name occurs, not facts between entities.


ORDER_PROPERTIES = {"NAME": "name", "DATE": "dateFrom", "ID": "id"}


@dataclass(frozen=True)
class Order:
    field: str  # a key of ORDER_PROPERTIES
    descending: bool = False


# The parameter that carries a statement's response budget, in bytes (`Reader.one`).
BUDGET = "responseBudget"
UNBOUNDED = 2**62


@dataclass
class Statement:
    """A compiled query and how to turn its single record into a result."""

    cypher: str
    params: dict[str, Any]
    # Response keys of the aggregate's measures, by the column that holds each.
    measures: dict[str, str] | None = None
    # The client's aliases, by the stand-in map key the statement uses for each.
    client_keys: dict[str, str] = field(default_factory=dict)

    def bound(self, budget: int | None) -> dict[str, Any]:
        """The parameters it runs with: a bounded statement's with the response budget."""
        return self.params if budget is None else {**self.params, BUDGET: budget}

    def shape(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with the client's keys back and the measures' columns gathered
        under `aggregate`."""
        if self.client_keys:
            record = restore_keys(record, self.client_keys)
        if self.measures is not None:
            measures = {key: record.pop(col) for col, key in self.measures.items()}
            record["aggregate"] = flat_measures(measures)
        return record


def _measure_columns(
    match: str, aggregate: Aggregate | None, b: CypherBuilder
) -> tuple[str, dict[str, str] | None]:
    """`, expr AS col` for each measure asked, and which response key each column holds."""
    if aggregate is None:
        return "", None
    columns = {
        b.fresh("measure"): (key, expr) for key, expr in compile_aggregate(match, "n", aggregate, b)
    }
    text = "".join(f", {expr} AS {col}" for col, (_, expr) in columns.items())
    return text, {col: key for col, (key, _) in columns.items()}


def bounded(
    b: CypherBuilder,
    inner: str,
    kept: list[str],
    heavy: dict[str, str],
    measures: dict[str, str] | None = None,
) -> Statement:
    """`inner`, returning also `bytes`: about how large its `heavy` columns and its measures
    are as JSON (each column's size expression). Over the budget they come back null, so
    Neo4j never sends (and the API never holds) a response it would refuse.

    The statement also reports as `unknownIds` the entity ids its filters referred to that
    do not exist: the check rides in the same statement (one query per root field), and only
    when a filter named ids.
    """
    if b.refs:
        inner += f", {b.unknown_ids()} AS unknownIds"
        kept = [*kept, "unknownIds"]
    heavy = {**heavy, **{col: measure_size(col, key, b) for col, key in (measures or {}).items()}}
    size = " + ".join(f"({expr})" for expr in heavy.values())
    columns = [*kept, *(
        f"CASE WHEN bytes > ${BUDGET} THEN null ELSE {c} END AS {c}" for c in heavy
    )]  # fmt: skip
    cypher = (
        f"CALL () {{ {b.prelude()}{inner} }} "
        f"WITH *, {size} AS bytes RETURN {', '.join(columns)}, bytes"
    )
    return Statement(cypher, {**b.params, BUDGET: UNBOUNDED}, measures, b.client_keys)


def items_size(b: CypherBuilder, column: str, per_item: Callable[[str], str]) -> str:
    return f"2 + {list_size(column, '12', per_item, b)}"


def _segment_size(expr: str, edge_fields: list[tuple[str, Any]], b: CypherBuilder) -> str:
    """About how many bytes an edge between two nodes (`from`, `to`, its fields) takes."""
    return size_sum("80", b.section(fields_size, expr, edge_fields))


def ordered_window(
    var: str, keys: list[tuple[str, bool]], page: Page, b: CypherBuilder
) -> tuple[str, str]:
    """A root list's `ORDER BY` keys (the properties of `var`, descending or not; the id
    last keeps pages stable) and its window (`SKIP`/`LIMIT`), reversed to read from the
    end (`last`)."""
    keys = [*keys, ("id", False)]
    if page.from_end and not page.sliced:
        keys = [(prop, not desc) for prop, desc in keys]
    order_by = ", ".join(f"{var}.{prop}{' DESC' if desc else ''}" for prop, desc in keys)
    window = "" if page.from_end or not page.offset else f" SKIP {b.param(page.offset)}"
    if page.fetch is not None:
        window += f" LIMIT {b.param(page.fetch)}"
    return order_by, window


def index_ordered(keys: list[tuple[str, bool]], where: Filter) -> bool:
    """Whether the matches of `where` come out of an index already in the order of `keys`:
    sorted by date, and the filter bounds the date, so Neo4j seeks the date range index
    and only orders ties (a partial sort, cheaper than a top-k over the matches)."""
    if not keys or keys[0][0] != "dateFrom":
        return False
    leaves = [where, *where.all_of]
    return any(
        f.date_from is not None or f.date_to is not None
        or any(c.prop == "dateFrom" for c in f.compares)
        for f in leaves
    )  # fmt: skip


# Name comparisons the `entity_name` range index seeks, in the order of the names.
NAME_SEEKS = frozenset({"eq", "startsWith", "gt", "gte", "lt", "lte"})
# A counted window is read in name order from the index (`name_ordered`) only when the
# matches outnumber its rows by this much: that read stops once the window is full, after
# about rows / matches of the name's candidates; with fewer matches it would read most of
# them again, and a top-k over the matches already collected costs less.
NAME_ORDERED_MATCHES = 3


def name_ordered(keys: list[tuple[str, bool]], where: Filter, page: Page) -> bool:
    """Whether a window sorted by name can be read from the `entity_name` range index in
    order, stopping once it is full (`PartialTop`): the filter seeks the name (a prefix, a
    range), has no `OR`/`NOT` (under `OR` the planner unions seeks, out of order, and read
    twice as many db hits as the top-k) and the window has an end."""
    if not keys or keys[0][0] != "name" or page.fetch is None:
        return False
    leaves = [where, *where.all_of]
    if any(f.any_of is not None or f.none_of is not None for f in leaves) or any(
        f.all_of for f in where.all_of
    ):
        return False
    return any(c.prop == "name" and c.op in NAME_SEEKS for f in leaves for c in f.compares)


def list_entities(
    labels: tuple[str, ...],
    where: Filter,
    order: list[Order],
    page: Page,
    projection: NodeProjection,
    with_total: bool,
    aggregate: Aggregate | None = None,
    with_items: bool = True,
) -> Statement:
    """One window of the entities with any of `labels` that match `where`.

    `aggregate` measures every match, not just the window; without `with_items` (only
    counts asked) no node is projected at all.
    """
    b = CypherBuilder()
    label_expr = "|".join(labels)
    predicate = compile_filter("n", where, b)
    keys = [(ORDER_PROPERTIES[o.field], o.descending) for o in order] or [("name", False)]
    order_by, window = ordered_window("n", keys, page, b)
    node = b.section(compile_node, "n", projection)
    candidates = text_candidates(where, b)
    # A `text` filter reads its candidates from the full-text index, not every node.
    source = f"UNWIND {candidates} AS n MATCH (n:{label_expr})" if candidates else ""
    match = f"{source or f'MATCH (n:{label_expr})'} WHERE {predicate}"
    columns, measures = _measure_columns(match, aggregate, b)

    def windowed(rows: str) -> str:
        return f"COLLECT {{ {rows} WITH n ORDER BY {order_by}{window} RETURN {{node: {node}}} }}"

    if page.sliced:
        # `last` bounded by a cursor: sliced from the counted matches (`slice_bounds`).
        start, end = slice_bounds(page, "size(matched)", b)
        cypher = (
            f"CALL ({b.scope()}) {{ {match} WITH n ORDER BY {order_by} "
            "RETURN collect(n) AS matched } "
            f"RETURN size(matched) AS total, {start} AS offset, "
            f"[n IN matched[{start}..{end}] | {{node: {node}}}] AS items{columns}"
        )
        size = items_size(b, "items", lambda i: b.section(node_size, f"{i}.node", projection))
        return bounded(b, cypher, ["total", "offset"], {"items": size}, measures)
    if with_total and with_items and predicate != "true" and not page.from_end:
        # A filtered list that wants its total: one pass finds and counts the matches (a
        # second pass only to count cost as much again). Unfiltered totals come from the
        # count store instead.
        if index_ordered(keys, where):
            # The date index the filter seeks yields the matches in order already (ties
            # aside): ordered as they come, the window is sliced from them.
            first = b.param(page.offset)
            last = b.param(page.offset + page.limit) if page.limit is not None else ""
            cypher = (
                f"CALL ({b.scope()}) {{ {match} WITH n ORDER BY {order_by} "
                "RETURN collect(n) AS matched } "
                f"RETURN size(matched) AS total, "
                f"[n IN matched[{first}..{last}] | {{node: {node}}}] AS items{columns}"
            )
        else:
            # Otherwise the window is a top-k over them: sorting every match to slice a
            # page cost Neo4j up to 1.5 times the CPU at equal db hits (bench/README.md,
            # issue 13e).
            items = windowed("UNWIND matched AS n")
            if not source and name_ordered(keys, where, page):
                # Many matches: the window read again, in name order from the range index,
                # costs less than the top-k over them (issue 13f). The planner seeks a
                # prefix with the text index, which has no order, unless told; CASE
                # evaluates only the branch it takes.
                many = b.param(NAME_ORDERED_MATCHES * (page.offset + (page.fetch or 0)))
                ordered = windowed(
                    f"MATCH (n:{label_expr}) USING RANGE INDEX n:Entity(name) WHERE {predicate}"
                )
                items = f"CASE WHEN size(matched) > {many} THEN {ordered} ELSE {items} END"
            cypher = (
                f"CALL ({b.scope()}) {{ {match} RETURN collect(n) AS matched }} "
                f"RETURN size(matched) AS total, {items} AS items{columns}"
            )
        size = items_size(b, "items", lambda i: b.section(node_size, f"{i}.node", projection))
        return bounded(b, cypher, ["total"], {"items": size}, measures)
    total = f"COUNT {{ {match} }}" if with_total else "null"
    items = windowed(match) if with_items else "[]"
    cypher = f"RETURN {total} AS total, {items} AS items{columns}"
    size = items_size(b, "items", lambda i: b.section(node_size, f"{i}.node", projection))
    return bounded(b, cypher, ["total"], {"items": size}, measures)


def nodes_by_id(wanted: list[tuple[str | None, str]], projection: NodeProjection) -> Statement:
    """Entities or documents by (type name or None, slug), in the order asked (missing ones
    as null). The id of a node absorbed by a merge answers with the node it was merged into
    (its `:Merged` record's `MERGED_INTO`, followed through later merges), unless an entity
    holds that id again. One node per id, even if an entity and a document share it (the
    uniqueness constraints are per label): the one the type names, else the entity."""
    b = CypherBuilder()
    node = b.section(compile_node, "n", projection)
    asked = [{"id": slug, "document": kind == "Document", "entity": kind not in (None, "Document")}
             for kind, slug in wanted]  # fmt: skip
    cypher = (
        f"UNWIND {b.param(asked)} AS w "
        # `WITH *` keeps the statement's hoisted values (a nested filter's) in scope.
        "WITH *, COLLECT { MATCH (n:Entity {id: w.id}) WHERE NOT w.document RETURN n } "
        f"+ COLLECT {{ MATCH {merged_into('w.id', 'n')} WHERE NOT w.document RETURN n }} "
        "+ COLLECT { MATCH (n:Document {id: w.id}) WHERE NOT w.entity RETURN n } AS found "
        "WITH *, head(found) AS n "
        f"RETURN collect({{node: CASE WHEN n IS NULL THEN null ELSE {node} END}}) AS items"
    )
    size = items_size(b, "items", lambda i: b.section(node_size, f"{i}.node", projection))
    return bounded(b, cypher, [], {"items": size})


def escape_lucene(text: str) -> str:
    """Treat every character of a user's search text as data, not Lucene syntax."""
    special = set('+-&|!(){}[]^"~*?:\\/')
    escaped = "".join(f"\\{c}" if c in special else c for c in text)
    # AND/OR/NOT are operators only in upper case.
    return " ".join(w.lower() if w in {"AND", "OR", "NOT"} else w for w in escaped.split())


class Matching(StrEnum):
    """How search terms match the indexed words."""

    EXACT = "exact"
    PREFIX = "prefix"
    FUZZY = "fuzzy"


# Shorter terms are matched exactly only: a one-letter prefix or a fuzzy "ab~" (two edits)
# matches nearly every indexed word, so the whole graph.
PREFIX_FROM = 2
FUZZY_FROM = 4
# Lucene rewrites a fuzzy term into up to 50 clauses for each of the index's three fields,
# and refuses a query of more than 1,024 clauses in all (TooManyClauses): seven fuzzy words
# were enough. The first four long enough words are matched fuzzily, the others as prefixes.
MAX_FUZZY_TERMS = 4


def lucene_query(text: str, matching: Matching) -> str:
    """The Lucene query for a user's search text: each word as data; with `PREFIX` also as
    a prefix, with `FUZZY` also a prefix and (the first `MAX_FUZZY_TERMS` words) a
    misspelling (exact matches score higher)."""
    variants = []
    fuzzy = 0
    for term in escape_lucene(text).split():
        variants.append(term)
        if matching is not Matching.EXACT and len(term) >= PREFIX_FROM:
            variants.append(f"{term}*")
        if matching is Matching.FUZZY and len(term) >= FUZZY_FROM and fuzzy < MAX_FUZZY_TERMS:
            variants.append(f"{term}~")
            fuzzy += 1
    return " ".join(variants) or '""'


def search(
    text: str,
    labels: tuple[str, ...] | None,
    page: Page,
    projection: NodeProjection,
    with_total: bool,
    aggregate: Aggregate | None = None,
    matching: Matching = Matching.EXACT,
) -> Statement:
    """Full-text search over names, aliases and descriptions, best first.

    The index is asked once. Counted, its hits are collected as they come (no property
    read) and the window is a top-k over them; a full sort of every hit by score and id,
    or a second index pass to count, cost more (a 413,802-hit query at a million nodes:
    1.4 s against 4.1 s and 1.6 s under the same load, bench/README.md)."""
    b = CypherBuilder()
    node = b.section(compile_node, "n", projection)
    kinds = "true" if not labels else f"any(l IN labels(n) WHERE l IN {b.param(list(labels))})"
    q = b.param(lucene_query(text, matching))
    hits = (
        f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', {q}) YIELD node AS n, score "
        f"WHERE {kinds}"
    )
    window = f" SKIP {b.param(page.offset)}" if page.offset else ""
    window += f" LIMIT {b.param(page.fetch)}" if page.fetch is not None else ""
    top = f"WITH n, score ORDER BY score DESC, n.id{window} RETURN {{score: score, node: {node}}}"
    columns, measures = _measure_columns(hits, aggregate, b)
    if with_total:
        cypher = (
            f"CALL ({b.scope()}) {{ {hits} "
            "RETURN collect(n) AS matched, collect(score) AS scores } "
            "RETURN size(matched) AS total, COLLECT { UNWIND range(0, size(matched) - 1) AS i "
            f"WITH matched[i] AS n, scores[i] AS score {top} }} AS items{columns}"
        )
    else:
        cypher = f"RETURN null AS total, COLLECT {{ {hits} {top} }} AS items{columns}"
    size = items_size(
        b, "items", lambda i: size_sum("30", b.section(node_size, f"{i}.node", projection))
    )
    return bounded(b, cypher, ["total"], {"items": size}, measures)


def timeline(
    entity_id: str,
    start: date | None,
    end: date | None,
    page: Page,
    projection: NodeProjection,
    edge_fields: list[tuple[str, Any]],
    date_parts: tuple[str, ...] | None = None,
) -> Statement:
    """The dated facts of one entity in order: its own date, and every dated relation.

    `date_parts`: the parts of each entry's date to read (all when None)."""
    b = CypherBuilder()
    node = b.section(compile_node, "m", projection)
    own = b.section(compile_node, "e", projection)
    rel_fields = b.section(compile_fields, "r", edge_fields)
    start_p = b.param(start or date.min)
    end_p = b.param(end or date.max)
    # One pass over the entries gives both the total and the window (counting them in a
    # second subquery doubled the statement's work).
    first = b.param(page.offset)
    last = b.param(page.offset + page.limit) if page.limit is not None else ""
    own_date = _date("e", "date", date_parts)
    entries = (
        f"CALL ({b.scope('e')}) {{ "
        "MATCH (e)-[r]-(m:Entity) "
        "WITH e, r, m, CASE WHEN r.dateFrom IS NOT NULL THEN 'date' "
        "WHEN r.startFrom IS NOT NULL THEN 'start' WHEN m.dateFrom IS NOT NULL THEN 'node' "
        "END AS via WHERE via IS NOT NULL "
        "WITH e, r, m, via, CASE via WHEN 'date' THEN r.dateFrom WHEN 'start' THEN r.startFrom "
        "ELSE m.dateFrom END AS at "
        "RETURN at, {outgoing: startNode(r) = e, "
        f"date: CASE via WHEN 'date' THEN {_date('r', 'date', date_parts)} WHEN 'start' THEN "
        f"{_date('r', 'start', date_parts)} ELSE {_date('m', 'date', date_parts)} END, "
        f"node: {node}, {rel_fields}}} AS entry "
        "UNION "
        f"WITH e WHERE e.dateFrom IS NOT NULL RETURN e.dateFrom AS at, "
        f"{{outgoing: true, date: {own_date}, node: {own}}} AS entry }}"
    )
    cypher = (
        f"{b.match_entity('e', entity_id)}"
        f"WITH e, COLLECT {{ {entries} WITH at, entry WHERE {start_p} <= at <= {end_p} "
        f"ORDER BY at, entry.node.name RETURN entry }} AS entries "
        f"RETURN e IS NOT NULL AS found, size(entries) AS total, entries[{first}..{last}] AS items"
    )
    size = items_size(
        b, "items",
        lambda i: size_sum(
            "300", b.section(node_size, f"{i}.node", projection),
            b.section(fields_size, i, edge_fields),
        ),
    )  # fmt: skip
    return bounded(b, cypher, ["found", "total"], {"items": size})


def _date(var: str, prefix: str, parts: tuple[str, ...] | None) -> str:
    # Only the parts asked (and the value, which says whether there is a date): each is a
    # property read per entry.
    asked = dict.fromkeys(("value", *(parts if parts is not None else DATE_PARTS)))
    return "{" + ", ".join(f"{p}: {date_part(var, prefix, p)}" for p in asked) + "}"


@dataclass(frozen=True)
class Walk:
    """What a path or a neighbourhood may go through.

    `types` are the relationship types allowed (all when empty) and `exclude` those
    forbidden; with a window, every dated relationship and node on the way must overlap
    [date_from, date_to] (an undated one passes: its time is unknown, not elsewhere).
    Type names come from the schema's enum, never from free text, each once and sorted
    (`schema.inputs.enum_names`): `rel_types` writes them into the pattern, so the
    statement's text depends only on the set of types, one of a bounded number.
    """

    types: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def rel_types(self) -> str:
        return ":" + "|".join(self.types) if self.types else ""

    def _window(self, b: CypherBuilder) -> tuple[str, str] | None:
        if self.date_from is None and self.date_to is None:
            return None
        return b.param(self.date_from or date.min), b.param(self.date_to or date.max)

    def rel_ok(self, r: str, b: CypherBuilder) -> str:
        """A relationship may be walked: not excluded, and in the window."""
        parts = []
        if self.types:
            parts.append(f"type({r}) IN {b.param(list(self.types))}")
        if self.exclude:
            parts.append(f"NOT type({r}) IN {b.param(list(self.exclude))}")
        window = self._window(b)
        if window is not None:
            low, high = window
            parts.append(
                f"coalesce({r}.dateTo, {r}.endTo, {high}) >= {low} AND "
                f"coalesce({r}.dateFrom, {r}.startFrom, {low}) <= {high}"
            )
        return " AND ".join(parts) or "true"

    def predicate(self, path: str, b: CypherBuilder) -> str:
        parts = [f"all(x IN nodes({path}) WHERE x:Entity)"]
        rel_ok = self.rel_ok("r", b)
        if rel_ok != "true":
            parts.append(f"all(r IN relationships({path}) WHERE {rel_ok})")
        window = self._window(b)
        if window is not None:
            low, high = window
            parts.append(
                f"all(x IN nodes({path}) WHERE coalesce(x.dateTo, {high}) >= {low} AND "
                f"coalesce(x.dateFrom, {low}) <= {high})"
            )
        return " AND ".join(parts)


def paths(
    source: str,
    target: str,
    max_hops: int,
    limit: int,
    projection: NodeProjection,
    edge_fields: list[tuple[str, Any]],
    walk: Walk = Walk(),
    distinct_nodes: bool = True,
) -> Statement:
    """The shortest connections between two entities, as nodes and typed segments.

    With `distinct_nodes`, paths through the same set of nodes (the same people and
    meetings, by other relationships) count once.
    """
    if not 1 <= max_hops <= 10:
        raise ValueError("max_hops must be between 1 and 10")
    b = CypherBuilder()
    node = b.section(compile_node, "x", projection)
    rel_fields = b.section(compile_fields, "r", edge_fields)
    distinct = (
        # Element ids, not a property: telling node sets apart reads nothing from the store.
        "WITH p, COLLECT { UNWIND nodes(p) AS x WITH elementId(x) AS i ORDER BY i RETURN i } "
        "AS members "
        "WITH members, head(collect(p)) AS p ORDER BY members "
        if distinct_nodes
        else ""
    )
    cypher = (
        f"{b.match_entity('a', source)}"
        f"{b.match_entity('z', target)}"
        "RETURN a IS NOT NULL AS sourceFound, z IS NOT NULL AS targetFound, COLLECT { "
        f"MATCH p = allShortestPaths((a)-[{walk.rel_types()}*..{max_hops}]-(z)) WHERE a <> z AND "
        f"{walk.predicate('p', b)} {distinct}"
        f"WITH p LIMIT {b.param(limit)} "
        f"RETURN {{nodes: [x IN nodes(p) | {node}], "
        f"segments: [r IN relationships(p) | {{from: startNode(r).id, to: endNode(r).id, "
        f"{rel_fields}}}]}} }} AS items"
    )
    size = items_size(
        b, "items",
        lambda i: items_size(b, f"{i}.nodes", lambda n: b.section(node_size, n, projection))
        + " + " + items_size(b, f"{i}.segments", lambda g: _segment_size(g, edge_fields, b)),
    )  # fmt: skip
    return bounded(b, cypher, ["sourceFound", "targetFound"], {"items": size})


def neighborhood(
    center: str,
    depth: int,
    limit: int,
    projection: NodeProjection,
    edge_fields: list[tuple[str, Any]],
    walk: Walk = Walk(),
    kinds: tuple[str, ...] | None = None,
    with_total: bool = True,
) -> Statement:
    """The entities within `depth` hops (at most `limit`) and their edges, best first.

    Nearest first; at equal distance, nodes reached through fewer and smaller hubs first
    (the summed degree of the nodes in between), so the center's own facts come before
    whatever a country or an office with thousands of ties leads to. `total` counts every
    node in reach, so a client can tell what the limit cut; without `with_total` it is
    null, and only the nearest `limit` + 1 are ordered (a top-k, not a sort of everything
    in reach: Neo4j's CPU, bench/README.md, issue 13e), which still tells `truncated`.
    """
    if not 1 <= depth <= 3:
        raise ValueError("depth must be between 1 and 3")
    b = CypherBuilder()
    node = b.section(compile_node, "x", projection)
    rel_fields = b.section(compile_fields, "r", edge_fields)
    kind = f" AND any(l IN labels(m) WHERE l IN {b.param(list(kinds))})" if kinds else ""
    top = "" if with_total else f" LIMIT {b.param(limit + 1)}"
    cypher = (
        f"{b.match_entity('c', center)}"
        "CALL (c) { "
        f"MATCH p = (c)-[{walk.rel_types()}*1..{depth}]-(m:Entity) "
        f"WHERE m <> c AND {walk.predicate('p', b)}{kind} "
        "WITH m, min([length(p), reduce(s = 0, x IN nodes(p)[1..-1] | s + COUNT { (x)--() })]) "
        f"AS rank ORDER BY rank, m.id{top} "
        "RETURN collect(m) AS reached } "
        f"WITH c, reached, {b.param(limit)} AS cap "
        f"WITH c, reached[..cap] AS near, {'size(reached)' if with_total else 'null'} AS total, "
        "size(reached) > cap AS truncated "
        "WITH c, total, truncated, CASE WHEN c IS NULL THEN [] ELSE [c] + near END AS members "
        "RETURN c IS NOT NULL AS found, total, truncated, "
        f"[x IN members | {node}] AS nodes, "
        "COLLECT { UNWIND members AS s MATCH (s)-[r]->(t) "
        f"WHERE t IN members AND {walk.rel_ok('r', b)} "
        f"RETURN {{from: s.id, to: t.id, {rel_fields}}} }} AS edges"
    )
    return bounded(b, cypher, ["found", "total", "truncated"], {
        "nodes": items_size(b, "nodes", lambda n: b.section(node_size, n, projection)),
        "edges": items_size(b, "edges", lambda g: _segment_size(g, edge_fields, b)),
    })  # fmt: skip


@dataclass
class QueryLog:
    """Counts and times the Cypher statements a request ran."""

    count: int = 0
    seconds: float = 0.0
    # Their texts: Neo4j plans each new text anew, so a request's shape, not its values,
    # must decide the text (tests compare them).
    texts: list[str] = field(default_factory=list)


class Reader:
    """Runs compiled statements in read transactions with a timeout."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        timeout: float,
        bookmarks: BookmarkManager | AsyncBookmarkManager | None = None,
        hot: HotStatements | None = None,
        gate: PlanGate | None = None,
    ) -> None:
        self.driver = driver
        # The worker's statements Neo4j has plans for: a new one waits its turn to be
        # planned (`PlanGate`: raises `ColdStatementsBusy` when it waited too long).
        self.gate = gate
        # The process's recent statements, which Neo4j is asked to plan again after a
        # restart (graph/warmup.py).
        self.hot = hot
        # The API passes the bookmarks its mutations write with (graph/driver.py), so on
        # a cluster a read waits for every write this process made before it.
        self.bookmarks = bookmarks or driver.execute_query_bookmark_manager
        self.database = database
        self.timeout = timeout
        self.log = QueryLog()

    async def one(self, statement: Statement, budget: int | None = None) -> dict[str, Any]:
        """Run a statement that returns exactly one record; return it as a dict.

        `budget` bounds the bytes of a bounded statement's values (none: unbounded).
        """
        started = time.perf_counter()
        self.log.count += 1
        self.log.texts.append(statement.cypher)
        params = statement.bound(budget)
        try:
            if self.gate is None:
                records = await self._sent(statement.cypher, params)
            else:
                async with self.gate.admit(statement.cypher):
                    records = await self._sent(statement.cypher, params)
                self.gate.learn(statement.cypher)
        finally:
            self.log.seconds += time.perf_counter() - started
        return statement.shape(dict(records[0])) if records else {}

    async def _sent(self, cypher: str, params: dict[str, Any]) -> list[Record]:
        """The statement's records, counted as run for the warm-up (one the gate refused
        was not sent, and is not)."""
        if self.hot is not None:
            self.hot.add(cypher, params)
        return await self._records(Query(cypher, timeout=self.timeout), params)

    async def _records(self, query: Query, params: dict[str, Any]) -> list[Record]:
        """The records of one auto-commit read, retried once as `execute_query` would.

        Auto-commit, not a managed transaction (`execute_query`): RUN and PULL, one round
        trip, where BEGIN, RUN, PULL and then COMMIT took two. A read statement has nothing
        to commit; the second round trip cost our process and Neo4j about a third of the
        CPU of a small statement such as the bench's shortest_path (bench/README.md, issue
        13s). The session carries the same bookmarks, access mode and timeout. A refused or
        lost connection (a retryable error) is tried once more about a second later, as
        the driver's retry with `API_RETRY_SECONDS` did; then it is the caller's to report.
        """
        for attempt in range(2):
            try:
                async with self.driver.session(
                    database=self.database,
                    default_access_mode=READ_ACCESS,
                    bookmark_manager=self.bookmarks,
                ) as session:
                    result = await session.run(query, params)
                    return (await result.to_eager_result()).records
            except (DriverError, Neo4jError) as error:
                if attempt or not error.is_retryable():
                    raise
                await asyncio.sleep(API_RETRY_DELAY * random.uniform(0.8, 1.2))
        raise AssertionError("unreachable")


DOCUMENTS = """
MATCH (d:Document)
RETURN d {.id, .title, .text, .file, .url, .date, .datePrecision} AS document
ORDER BY d.id
"""


async def list_documents(driver: AsyncDriver, database: str) -> list[dict[str, Any]]:
    records, _, _ = await driver.execute_query(
        DOCUMENTS, database_=database, routing_=RoutingControl.READ
    )
    return [record["document"] for record in records]


async def ping(driver: AsyncDriver, database: str, timeout: float = 2.0) -> None:
    """Raise unless Neo4j answers a trivial query within `timeout` seconds.

    No retries (a probe answers at once), and a client-side deadline, so a
    frozen server fails the probe too (TimeoutError).
    """
    async with (
        asyncio.timeout(timeout),
        driver.session(database=database, default_access_mode=READ_ACCESS) as session,
    ):
        result = await session.run("RETURN 1")
        await result.consume()
