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
