"""Compile what a request wants from the graph into one Cypher expression.

A `NodeProjection` says which fields of a node to return, including related
nodes (with their relationship's properties and sources, ordered and sliced),
to any depth. `compile_node` turns it into a Cypher map projection that uses
`COLLECT { }` subqueries for relations, so a whole nested request is one query.

Nothing here knows GraphQL; nothing here is built from user text: labels,
types and patterns come from constant specs, values travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

DOCUMENT_FIELDS = ("title", "text", "url", "file", "publisher")


@dataclass(frozen=True)
class Prop:
    """A node or relationship property, returned as is."""

    name: str


@dataclass(frozen=True)
class DateOf:
    """A fuzzy date stored under a prefix (`date`, `start`, `end`)."""

    prefix: str


@dataclass(frozen=True)
class Typename:
    """The node's kind: its label other than `Entity`."""


@dataclass(frozen=True)
class TypeOf:
    """A relationship's type."""


@dataclass(frozen=True)
class Labels:
    """All of the node's labels."""


@dataclass(frozen=True)
class Outgoing:
    """On an edge: whether the relationship points away from the node it was reached from."""


@dataclass
class ByLabel:
    """A field whose meaning depends on the node's label (an interface field)."""

    cases: dict[str, Any]


@dataclass
class SourcesOf:
    """The element's provenance: each source document (as projected) and quote."""

    document: NodeProjection


@dataclass
class Page:
    """A window of a list: `offset` rows skipped, at most `limit` returned."""

    offset: int = 0
    limit: int | None = None
    # Read from the end: the last `limit` rows (used by `last` without `before`).
    from_end: bool = False


@dataclass
class Filter:
    """A boolean filter over entities; leaves are ANDed, with AND/OR/NOT nesting."""

    all_of: list[Filter] = field(default_factory=list)
    any_of: list[Filter] | None = None
    none_of: Filter | None = None
    ids: list[str] | None = None
    text: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    country: str | None = None
    issue: str | None = None
    participant: str | None = None
    related_to: str | None = None
    # Attended by an actor (directly or in a delegation) that matches this filter.
    participant_where: Filter | None = None


@dataclass(frozen=True)
class EdgeFilter:
    """Keeps relationships whose date, or start-to-end period, overlaps [date_from, date_to].

    An unknown end is an open end: a post with no end date still runs.
    """

    date_from: date | None = None
    date_to: date | None = None


def compile_edge_filter(var: str, spec: EdgeFilter, b: CypherBuilder) -> str:
    parts: list[str] = []
    if spec.date_to is not None:
        parts.append(f"coalesce({var}.dateFrom, {var}.startFrom) <= {b.param(spec.date_to)}")
    if spec.date_from is not None:
        parts.append(
            f"coalesce({var}.dateTo, {var}.endTo, date('9999-12-31')) >= {b.param(spec.date_from)}"
        )
    return " AND ".join(parts) or "true"


def compile_filter(var: str, spec: Filter, b: CypherBuilder) -> str:
    """A Cypher predicate for `spec` over the node bound to `var` ('true' when empty)."""
    parts: list[str] = []
    if spec.ids is not None:
        parts.append(f"{var}.id IN {b.param(spec.ids)}")
    if spec.text:
        needle = b.param(spec.text.lower())
        parts.append(
            f"(toLower({var}.name) CONTAINS {needle} OR toLower(coalesce({var}.aliasText, '')) "
            f"CONTAINS {needle} OR toLower(coalesce({var}.description, '')) CONTAINS {needle})"
        )
    if spec.date_from is not None:
        parts.append(f"{var}.dateTo >= {b.param(spec.date_from)}")
    if spec.date_to is not None:
        parts.append(f"{var}.dateFrom <= {b.param(spec.date_to)}")
    if spec.country is not None:
        parts.append(
            f"EXISTS {{ MATCH ({var})-[:HELD_IN|LOCATED_IN|REPRESENTS|CITIZEN_OF|PARTY_TO|VISITED"
            f"|PART_OF*1..3]->(:Country {{id: {b.param(spec.country)}}}) }}"
        )
    if spec.issue is not None:
        parts.append(
            f"EXISTS {{ MATCH ({var})-[:DISCUSSED|RAISED|INVOLVES|AFFECTS]-"
            f"(:Issue {{id: {b.param(spec.issue)}}}) }}"
        )
    if spec.participant is not None:
        parts.append(
            f"EXISTS {{ MATCH ({var})<-[:ATTENDED]-()<-[:LED|MEMBER_OF*0..1]-"
            f"(:Entity {{id: {b.param(spec.participant)}}}) }}"
        )
    if spec.participant_where is not None:
        x = b.fresh("x")
        parts.append(
            f"EXISTS {{ MATCH ({var})<-[:ATTENDED]-()<-[:LED|MEMBER_OF*0..1]-({x}:Entity) "
            f"WHERE {compile_filter(x, spec.participant_where, b)} }}"
        )
    if spec.related_to is not None:
        parts.append(f"EXISTS {{ MATCH ({var})--(:Entity {{id: {b.param(spec.related_to)}}}) }}")
    parts += [f"({compile_filter(var, sub, b)})" for sub in spec.all_of]
    if spec.any_of is not None:
        alternatives = [f"({compile_filter(var, sub, b)})" for sub in spec.any_of]
        parts.append("(" + " OR ".join(alternatives or ["false"]) + ")")
    if spec.none_of is not None:
        parts.append(f"NOT ({compile_filter(var, spec.none_of, b)})")
    return " AND ".join(parts) or "true"


@dataclass
class Related:
    """Nodes reached through a constant pattern, as a list (or a single node).

    `pattern` uses `{n}` for this node, `{r}` for the relationship whose
    properties edges carry, and `{m}` for the related node, e.g.
    `({n})-[{r}:LED]->({m}:Delegation)`.
    """

    pattern: str
    node: NodeProjection
    edge: list[tuple[str, Any]] = field(default_factory=list)
    order: tuple[str, ...] = ("dateFrom", "name")
    page: Page = field(default_factory=Page)
    single: bool = False
    count: bool = False
    where: Filter | None = None
    edge_where: EdgeFilter | None = None


@dataclass
class NodeProjection:
    """Fields to return for one node, by response key."""

    fields: list[tuple[str, Any]] = field(default_factory=list)


class CypherBuilder:
    """Accumulates parameters and fresh variable names while compiling."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._counter = 0

    def fresh(self, stem: str) -> str:
        self._counter += 1
        return f"{stem}{self._counter}"

    def param(self, value: Any) -> str:
        name = self.fresh("p")
        self.params[name] = value
        return f"${name}"


def _key(name: str) -> str:
    """A response key as a Cypher map key (GraphQL names are [_A-Za-z][_0-9A-Za-z]*)."""
    if not name.replace("_", "a").isalnum():
        raise ValueError(f"invalid key {name!r}")
    return f"`{name}`"


def _date_map(var: str, prefix: str) -> str:
    return (
        f"CASE WHEN {var}.{prefix} IS NULL THEN null ELSE {{value: {var}.{prefix}, "
        f"precision: {var}.{prefix}Precision, start: {var}.{prefix}From, "
        f"end: {var}.{prefix}To, basis: {var}.{prefix}Basis}} END"
    )


def _sources(var: str, spec: SourcesOf, b: CypherBuilder) -> str:
    i = b.fresh("i")
    d = b.fresh("d")
    document = compile_node(d, spec.document, b)
    return (
        f"[{i} IN range(0, size(coalesce({var}.sources, [])) - 1) | "
        f"{{quote: {var}.quotes[{i}], document: head(COLLECT {{ "
        f"MATCH ({d}:Document {{id: {var}.sources[{i}]}}) RETURN {document} }})}}]"
    )


def compile_value(var: str, spec: Any, b: CypherBuilder) -> str:
    """The Cypher expression for one field of the element bound to `var`."""
    if isinstance(spec, Prop):
        return f"{var}.{spec.name}"
    if isinstance(spec, DateOf):
        return _date_map(var, spec.prefix)
    if isinstance(spec, Typename):
        return f"head([l IN labels({var}) WHERE l <> 'Entity'])"
    if isinstance(spec, TypeOf):
        return f"type({var})"
    if isinstance(spec, Labels):
        return f"labels({var})"
    if isinstance(spec, SourcesOf):
        return _sources(var, spec, b)
    if isinstance(spec, Related):
        return _related(var, spec, b)
    if isinstance(spec, ByLabel):
        whens = " ".join(
            f"WHEN {var}:{label} THEN {compile_value(var, case, b)}"
            for label, case in spec.cases.items()
        )
        return f"CASE {whens} ELSE null END"
    raise TypeError(f"unknown field spec {spec!r}")


def compile_node(var: str, projection: NodeProjection, b: CypherBuilder) -> str:
    """A map projection of the node bound to `var`."""
    entries = [f"__typename: {compile_value(var, Typename(), b)}", "id: " + f"{var}.id"]
    entries += [f"{_key(key)}: {compile_value(var, spec, b)}" for key, spec in projection.fields]
    return f"{var} {{{', '.join(entries)}}}"


def compile_fields(var: str, fields: list[tuple[str, Any]], b: CypherBuilder) -> str:
    """`key: expression` entries for the element bound to `var` (no braces)."""
    return ", ".join(f"{_key(key)}: {compile_value(var, spec, b)}" for key, spec in fields)


def compile_edge(origin: str, rel: str, node: str, spec: Related, b: CypherBuilder) -> str:
    entries = [f"node: {compile_node(node, spec.node, b)}"]
    for key, value in spec.edge:
        expr = (
            f"startNode({rel}) = {origin}"
            if isinstance(value, Outgoing)
            else (compile_value(rel, value, b))
        )
        entries.append(f"{_key(key)}: {expr}")
    return "{" + ", ".join(entries) + "}"


def _order(var: str, props: tuple[str, ...], descending: bool = False) -> str:
    direction = " DESC" if descending else ""
    return ", ".join(f"{var}.{prop}{direction}" for prop in props)


def _related(var: str, spec: Related, b: CypherBuilder) -> str:
    r, m = b.fresh("r"), b.fresh("m")
    pattern = spec.pattern.format(n=var, r=r, m=m)
    conditions = []
    if spec.where is not None:
        conditions.append(compile_filter(m, spec.where, b))
    if spec.edge_where is not None:
        conditions.append(compile_edge_filter(r, spec.edge_where, b))
    if conditions:
        pattern += " WHERE " + " AND ".join(conditions)
    has_rel = "{r}" in spec.pattern
    carried = f"{r}, {m}" if has_rel else m
    edge = compile_edge(var, r, m, spec, b)
    if spec.single:
        return (
            f"head(COLLECT {{ MATCH {pattern} WITH DISTINCT {carried} "
            f"ORDER BY {_order(m, spec.order)} LIMIT 1 RETURN {edge} }})"
        )
    order = _order(m, spec.order, descending=spec.page.from_end)
    window = ""
    if spec.page.offset and not spec.page.from_end:
        window += f" SKIP {b.param(spec.page.offset)}"
    if spec.page.limit is not None:
        window += f" LIMIT {b.param(spec.page.limit)}"
    items = (
        f"COLLECT {{ MATCH {pattern} WITH DISTINCT {carried} ORDER BY {order}{window} "
        f"RETURN {edge} }}"
    )
    if not spec.count:
        return f"{{items: {items}}}"
    # The total counts what the pages list: distinct (relationship, node) pairs.
    return f"{{items: {items}, total: COUNT {{ MATCH {pattern} RETURN DISTINCT {carried} }}}}"


# -- response size -----------------------------------------------------------------------------
#
# The API bounds each response's size before Neo4j sends it: every statement also computes
# about how many bytes its projected values take as JSON (`node_size`, `value_size`, mirrors
# of the compilers above over the projected maps), and returns null instead of the values
# when that exceeds the request's remaining budget. Strings count their length, other
# values and map keys a small constant.

KEY_OVERHEAD = 6  # quotes, colon and comma around a key


def _scalar_size(expr: str, b: CypherBuilder) -> str:
    v, acc = b.fresh("v"), b.fresh("a")
    return (
        f"CASE WHEN {expr} IS NULL THEN 4 WHEN {expr} IS :: STRING THEN size({expr}) + 2 "
        f"WHEN {expr} IS :: LIST<ANY> THEN reduce({acc} = 2, {v} IN {expr} | "
        f"{acc} + size(toString({v})) + 3) ELSE 24 END"
    )


def _fields_size(expr: str, fields: list[tuple[str, Any]], b: CypherBuilder) -> str:
    parts = [
        f"{len(key) + KEY_OVERHEAD} + {value_size(expr, f'{expr}.{_key(key)}', spec, b)}"
        for key, spec in fields
    ]
    return " + ".join(parts) or "0"


def node_size(expr: str, projection: NodeProjection, b: CypherBuilder) -> str:
    """About how many bytes the projected node map at `expr` takes as JSON."""
    fields = _fields_size(expr, projection.fields, b)
    return (
        f"(CASE WHEN {expr} IS NULL THEN 4 ELSE 40 + size(coalesce({expr}.id, '')) + {fields} END)"
    )


def edge_size(expr: str, spec: Related, b: CypherBuilder) -> str:
    return f"({node_size(f'{expr}.node', spec.node, b)} + {_fields_size(expr, spec.edge, b)})"


def fields_size(expr: str, fields: list[tuple[str, Any]], b: CypherBuilder) -> str:
    """About how many bytes the entries `compile_fields` made take, in the map at `expr`."""
    return f"({_fields_size(expr, fields, b)})"


def value_size(parent: str, expr: str, spec: Any, b: CypherBuilder) -> str:
    """About how many bytes the value at `expr` (a field of the map at `parent`) takes."""
    if isinstance(spec, Prop):
        return _scalar_size(expr, b)
    if isinstance(spec, DateOf):
        return f"(CASE WHEN {expr} IS NULL THEN 4 ELSE 160 + size(coalesce({expr}.basis, '')) END)"
    if isinstance(spec, Typename | TypeOf | Labels | Outgoing):
        return "40"
    if isinstance(spec, SourcesOf):
        s, acc = b.fresh("s"), b.fresh("a")
        return (
            f"reduce({acc} = 2, {s} IN coalesce({expr}, []) | {acc} + 40 + "
            f"size(coalesce({s}.quote, '')) + {node_size(f'{s}.document', spec.document, b)})"
        )
    if isinstance(spec, Related):
        if spec.single:
            return f"(CASE WHEN {expr} IS NULL THEN 4 ELSE {edge_size(expr, spec, b)} END)"
        e, acc = b.fresh("e"), b.fresh("a")
        return (
            f"reduce({acc} = 60, {e} IN coalesce({expr}.items, []) | "
            f"{acc} + 20 + {edge_size(e, spec, b)})"
        )
    if isinstance(spec, ByLabel):
        whens = " ".join(
            f"WHEN '{label}' THEN {value_size(parent, expr, case, b)}"
            for label, case in spec.cases.items()
        )
        return f"(CASE {parent}.__typename {whens} ELSE 4 END)"
    raise TypeError(f"unknown field spec {spec!r}")
