"""Compile what a request wants from the graph into one Cypher expression.

A `NodeProjection` says which fields of a node to return, including related
nodes (with their relationship's properties and sources, ordered and sliced),
to any depth. `compile_node` turns it into a Cypher map projection that uses
`COLLECT { }` subqueries for relations, so a whole nested request is one query.

Nothing here knows GraphQL; nothing here is built from user text: labels,
types and patterns come from constant specs, values travel as parameters.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.migrations import FULLTEXT_INDEX

DOCUMENT_FIELDS = ("title", "text", "url", "file", "publisher")


@dataclass(frozen=True)
class Prop:
    """A node or relationship property, returned as is."""

    name: str


@dataclass(frozen=True)
class DateOf:
    """A fuzzy date stored under a prefix (`date`, `start`, `end`).

    `parts` names the parts asked (value, precision, start, end, basis); all when None.
    """

    prefix: str
    parts: tuple[str, ...] | None = None


DATE_PARTS = {"value": "", "precision": "Precision", "start": "From", "end": "To", "basis": "Basis"}


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

    document: NodeProjection = field(default_factory=lambda: NodeProjection())


@dataclass(frozen=True)
class Relation:
    """A relation: a constant pattern from the node `{n}` through `{r}` to the related `{m}`.

    `target` names the related nodes' type for whoever reads the result; `single` relations
    yield one node, `mention` relations are a document's mentions (edges with offsets).
    """

    pattern: str | tuple[str, ...]  # several: the union of what each matches
    target: str = "Entity"
    single: bool = False
    mention: bool = False


@dataclass
class Page:
    """A window of a list: `offset` rows skipped, at most `limit` returned."""

    offset: int = 0
    limit: int | None = None
    # Read from the end: the last `limit` rows (used by `last` without `before`).
    from_end: bool = False
    # Read one row more than `limit`: whether there is a next page, without counting.
    probe: bool = False
    # `last` with `before`: the window ends before this row, or at the list's end if that
    # comes first (a cursor beyond the end means "before the end", as Relay has it).
    stop: int | None = None

    @property
    def fetch(self) -> int | None:
        """How many rows to read: `limit`, and one more when probing."""
        return self.limit + 1 if self.probe and self.limit is not None else self.limit

    @property
    def sliced(self) -> bool:
        """`last` bounded by a cursor (`after`, `before`): where the window starts depends on
        the total, so it is sliced from the counted, ordered matches (`slice_bounds`), not
        read from the reversed order (which knows no cursor)."""
        return self.from_end and (self.stop is not None or self.offset > 0)


def slice_bounds(page: Page, total: str, b: CypherBuilder) -> tuple[str, str]:
    """Cypher expressions of a sliced page's first row and the row after its last, among
    `total` ordered matches: the last `limit` rows after `offset` and before `stop` (or
    the end, if it comes first). A start past the end slices nothing."""
    assert page.limit is not None
    offset, limit = b.param(page.offset), b.param(page.limit)
    end = total
    if page.stop is not None:
        stop = b.param(page.stop)
        end = f"CASE WHEN {stop} < {total} THEN {stop} ELSE {total} END"
    start = f"CASE WHEN {end} - {limit} > {offset} THEN {end} - {limit} ELSE {offset} END"
    return start, end


# Constant sub-patterns that filters and groupings share, so that `country: X` and a
# grouping by country mean the same thing.
COUNTRY_PATH = "-[:HELD_IN|LOCATED_IN|REPRESENTS|CITIZEN_OF|PARTY_TO|VISITED|PART_OF*1..3]->"
ISSUE_PATH = "-[:DISCUSSED|RAISED|INVOLVES|AFFECTS]-"
PLACE_PATH = "-[:HELD_IN|LOCATED_IN*1..2]->"
# How an actor takes part in a meeting: something attended it that is the actor itself or
# one of its constituents (a delegation representing a country, a person in a delegation,
# an official holding a post of a body, a body part of another), or a delegation the actor
# led or belonged to. A delegation is one side at one round: its members' other meetings
# are not its own, and neither are those of a delegation it belongs to (which also spares
# a walk of every delegation's LED and MEMBER_OF edges: db hits). `Actor.meetings`,
# `participant` and `meetingsBetween` all read this.
CONSTITUENT_OF = "-[:REPRESENTS|HOLDS_POSITION|PART_OF|MEMBER_OF|LED*0..3]->"
PARTICIPATION = (
    "({n}:!Delegation)<" + CONSTITUENT_OF[:-1] + "()-[{r}:ATTENDED]->({m}:Meeting)",
    "({n}:Delegation)-[{r}:ATTENDED]->({m}:Meeting)",
    "({n}:!Delegation)-[:LED|MEMBER_OF]->(:Delegation)-[{r}:ATTENDED]->({m}:Meeting)",
)

# Comparison operators on properties, as @neo4j/graphql names them.
OPERATORS = {
    "eq": "=",
    "in": "IN",
    "contains": "CONTAINS",
    "startsWith": "STARTS WITH",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
}
QUANTIFIERS = ("some", "all", "none", "single")


@dataclass(frozen=True)
class Compare:
    """`prop op value`; `prop` and `op` come from constant tables, never from a request."""

    prop: str
    op: str
    value: Any


@dataclass
class RelationFilter:
    """Nodes related through relationships of `types` (any when empty), quantified."""

    quantifier: str  # one of QUANTIFIERS
    types: tuple[str, ...] = ()
    direction: str = "BOTH"
    where: Filter | None = None
    edge: EdgeFilter | None = None


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
    # Attended by every one of these actors (ids): one parameter, whatever their number.
    participants: list[str] | None = None
    related_to: str | None = None
    # Attended by an actor (directly or in a delegation) that matches this filter.
    participant_where: Filter | None = None
    compares: list[Compare] = field(default_factory=list)
    relations: list[RelationFilter] = field(default_factory=list)
    # Dated within the dates of this entity (a meeting, a post's organization...).
    during: str | None = None
    # The historian's unresolved people (`candidate: true`): only them, or none of them.
    candidate: bool | None = None


@dataclass(frozen=True)
class EdgeFilter:
    """Keeps relationships whose date, or start-to-end period, overlaps [date_from, date_to].

    An unknown end is an open end: a post with no end date still runs.
    """

    date_from: date | None = None
    date_to: date | None = None
    # Overlapping the dates of this entity (a meeting, an event).
    during: str | None = None


def compile_edge_filter(var: str, spec: EdgeFilter, b: CypherBuilder) -> str:
    parts: list[str] = []
    if spec.during is not None:
        span = b.fresh("span")
        parts.append(
            f"EXISTS {{ MATCH ({span}:Entity {{id: {b.ref(spec.during)}}}) "
            f"WHERE coalesce({var}.dateFrom, {var}.startFrom) <= {span}.dateTo AND "
            f"coalesce({var}.dateTo, {var}.endTo, date('9999-12-31')) >= {span}.dateFrom }}"
        )
    if spec.date_to is not None:
        parts.append(f"coalesce({var}.dateFrom, {var}.startFrom) <= {b.param(spec.date_to)}")
    if spec.date_from is not None:
        parts.append(
            f"coalesce({var}.dateTo, {var}.endTo, date('9999-12-31')) >= {b.param(spec.date_from)}"
        )
    return " AND ".join(parts) or "true"


def _relation_filter(var: str, spec: RelationFilter, b: CypherBuilder) -> str:
    r, x = b.fresh("r"), b.fresh("x")
    left, right = {"OUT": ("-", "->"), "IN": ("<-", "-")}.get(spec.direction, ("-", "-"))
    pattern = f"({var}){left}[{r}]{right}({x}:Entity)"
    edge = compile_edge_filter(r, spec.edge, b) if spec.edge is not None else "true"
    if spec.types:
        # A parameter, not `[r:A|B]`: the statement's text stays the same for any types.
        edge = f"type({r}) IN {b.param(list(dict.fromkeys(spec.types)))} AND {edge}"
    where = compile_filter(x, spec.where, b) if spec.where is not None else "true"
    if spec.quantifier == "all":
        return f"NOT EXISTS {{ MATCH {pattern} WHERE {edge} AND NOT ({where}) }}"
    matching = f"MATCH {pattern} WHERE {edge} AND {where}"
    if spec.quantifier == "none":
        return f"NOT EXISTS {{ {matching} }}"
    if spec.quantifier == "single":
        return f"COUNT {{ {matching} }} = 1"
    return f"EXISTS {{ {matching} }}"


# Needles the full-text index can find a superset for: ASCII words and single spaces.
# The index's analyzer (standard, lower case) never splits a run of ASCII letters and
# digits, so an occurrence of "w1 w2 ... wk" lies in a token ending in w1, tokens w2...,
# and a token starting with wk (one word: a token containing it).
_INDEXABLE_NEEDLE = re.compile(r"[a-z0-9]{1,100}(?: +[a-z0-9]{1,100}){0,9}")


def text_candidates(spec: Filter, b: CypherBuilder) -> str | None:
    """A hoisted list holding every node the filter's top-level `text` can match, found
    through the full-text index (the filter itself still decides), or None when there is
    no such `text` or the index cannot be trusted with it (punctuation, non-ASCII)."""
    needles = [spec.text, *(sub.text for sub in spec.all_of)]
    for needle in needles:
        words = (needle or "").strip().lower()
        if not words or not _INDEXABLE_NEEDLE.fullmatch(words):
            continue
        tokens = words.split()
        if len(tokens) == 1:
            query = f"*{tokens[0]}*"
        else:
            query = " ".join(
                [f"+*{tokens[0]}", *(f"+{t}" for t in tokens[1:-1]), f"+{tokens[-1]}*"]
            )
        hit = b.fresh("hit")
        return b.hoist(
            f"CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', {b.param(query)}) "
            f"YIELD node AS {hit} RETURN collect({hit})"
        )
    return None


def compile_filter(var: str, spec: Filter, b: CypherBuilder) -> str:
    """A Cypher predicate for `spec` over the node bound to `var` ('true' when empty)."""
    parts: list[str] = []
    if spec.ids is not None:
        parts.append(f"{var}.id IN {b.refs_list(spec.ids)}")
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
    if spec.candidate is not None:
        parts.append(f"coalesce({var}.candidate, false) = {b.param(spec.candidate)}")
    for compare in spec.compares:
        # Naming the label the name indexes are on lets the planner seek instead of scan.
        label = f"{var}:Entity AND " if compare.prop == "name" else ""
        value = b.param(compare.value)
        parts.append(f"{label}{var}.{compare.prop} {OPERATORS[compare.op]} {value}")
    if spec.during is not None:
        span = b.fresh("span")
        parts.append(
            f"EXISTS {{ MATCH ({span}:Entity {{id: {b.ref(spec.during)}}}) "
            f"WHERE {var}.dateFrom >= {span}.dateFrom AND {var}.dateTo <= {span}.dateTo }}"
        )
    if spec.country is not None:
        parts.append(
            f"EXISTS {{ MATCH ({var}){COUNTRY_PATH}(:Country {{id: {b.ref(spec.country)}}}) }}"
        )
    if spec.issue is not None:
        parts.append(f"EXISTS {{ MATCH ({var}){ISSUE_PATH}(:Issue {{id: {b.ref(spec.issue)}}}) }}")
    if spec.participant is not None:
        # The actor's meetings are few next to all meetings: found once, up front, from the
        # actor (a check from every meeting's side costs hundreds of thousands of db hits).
        actor, meeting = b.fresh("a"), b.fresh("m")
        union = " UNION ".join(
            f"MATCH {p.format(n=actor, r='', m=meeting)} RETURN {meeting}" for p in PARTICIPATION
        )
        attended = b.hoist(
            f"MATCH ({actor}:Entity {{id: {b.ref(spec.participant)}}}) "
            f"CALL ({actor}) {{ {union} }} RETURN collect(DISTINCT {meeting})"
        )
        parts.append(f"{var} IN {attended}")
    if spec.participants:
        # The same, for several actors at once: the meetings every one of them attended,
        # the list a parameter so that its length does not change the statement's text.
        actors = b.refs_list(spec.participants)
        wanted, actor, meeting, count = b.fresh("w"), b.fresh("a"), b.fresh("m"), b.fresh("c")
        union = " UNION ".join(
            f"MATCH {p.format(n=actor, r='', m=meeting)} RETURN {meeting}" for p in PARTICIPATION
        )
        attended = b.hoist(
            f"UNWIND {actors} AS {wanted} MATCH ({actor}:Entity {{id: {wanted}}}) "
            f"CALL ({actor}) {{ {union} }} WITH {meeting}, count(DISTINCT {actor}) AS {count} "
            f"WHERE {count} = size({actors}) RETURN collect({meeting})"
        )
        parts.append(f"{var} IN {attended}")
    if spec.participant_where is not None:
        # From the meeting to its few participants, then the filter: matching every entity
        # first and asking whether it took part ran each request into the timeout.
        x = b.fresh("x")
        matches = compile_filter(x, spec.participant_where, b)
        parts.append(
            "("
            + " OR ".join(
                f"EXISTS {{ MATCH {p.format(n=x, r='', m=var).replace(':Meeting', '')} "
                f"WHERE {matches} }}"
                for p in PARTICIPATION
            )
            + ")"
        )
    if spec.related_to is not None:
        parts.append(f"EXISTS {{ MATCH ({var})--(:Entity {{id: {b.ref(spec.related_to)}}}) }}")
    parts += [_relation_filter(var, relation, b) for relation in spec.relations]
    parts += [f"({compile_filter(var, sub, b)})" for sub in spec.all_of]
    if spec.any_of is not None:
        alternatives = [f"({compile_filter(var, sub, b)})" for sub in spec.any_of]
        parts.append("(" + " OR ".join(alternatives or ["false"]) + ")")
    if spec.none_of is not None:
        parts.append(f"NOT ({compile_filter(var, spec.none_of, b)})")
    return " AND ".join(parts) or "true"


@dataclass
class Related:
    """What a request wants of a `Relation`: a list (or a single node), its edges, its page."""

    relation: Relation
    node: NodeProjection
    edge: list[tuple[str, Any]] = field(default_factory=list)
    # Sort keys: (element, property, descending), the element "node" or "edge".
    order: tuple[tuple[str, str, bool], ...] = (
        ("node", "dateFrom", False),
        ("node", "name", False),
    )
    page: Page = field(default_factory=Page)
    count: bool = False
    where: Filter | None = None
    edge_where: EdgeFilter | None = None
    # Only relationships of these types (a parameter: the text is the same for any list).
    rel_types: tuple[str, ...] = ()
    aggregate: Aggregate | None = None
    # `byRelationshipType` groups the connection's own edges (a `relationships` connection:
    # its edges are what it lists) rather than how the listed nodes are tied to the rest.
    own_edges: bool = False


@dataclass
class NodeProjection:
    """Fields to return for one node, by response key.

    `typename` is the node's kind when every node of the list has the same one (a
    constant from the schema table), so no label is read to tell it.
    """

    fields: list[tuple[str, Any]] = field(default_factory=list)
    typename: str | None = None
    # Its `repr`, once asked (`_spec_key`): a projection is complete before it is compiled.
    text: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Section:
    """What compiling one section left in its builder (`CypherBuilder.section`)."""

    text: str
    params: dict[str, Any]
    refs: tuple[str, ...]
    hoisted: tuple[tuple[str, str], ...]
    client_keys: dict[str, str]


class SectionCache:
    """Compiled sections by key, the least recently used dropped beyond `size`.

    `enabled = False` compiles every section anew (the tests compare both ways)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.enabled = True
        self.hits = 0
        self._entries: OrderedDict[tuple[str, ...], Section] = OrderedDict()

    def get(self, key: tuple[str, ...]) -> Section | None:
        found = self._entries.get(key) if self.enabled else None
        if found is not None:
            self.hits += 1
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[str, ...], section: Section) -> None:
        if not self.enabled:
            return
        self._entries[key] = section
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


SECTIONS = SectionCache()


def _spec_key(spec: Any) -> str:
    """Everything a compilation reads of a spec (dataclasses and lists of them), as text."""
    if isinstance(spec, NodeProjection):
        if spec.text is None:
            spec.text = repr(spec)
        return spec.text
    return repr(spec)


class CypherBuilder:
    """Accumulates parameters and fresh variable names while compiling.

    `infix` goes between a name's stem and its number: a section's builder (`section`)
    names nothing the statement's own builder does.
    """

    def __init__(self, infix: str = "") -> None:
        self.params: dict[str, Any] = {}
        self.refs: list[str] = []
        self.hoisted: list[tuple[str, str]] = []
        # Stand-in map keys for the client's aliases, and the alias each stands for.
        self.client_keys: dict[str, str] = {}
        self._stand_ins: dict[str, str] = {}
        self._counter = 0
        self._infix = infix

    def fresh(self, stem: str) -> str:
        self._counter += 1
        return f"{stem}{self._infix}{self._counter}"

    def section(self, build: Callable[[str, Any, CypherBuilder], str], var: str, spec: Any) -> str:
        """`compile(var, spec, builder)` (a node's projection, its size...) in a builder of its
        own, cached: what it yields depends on nothing but its arguments and its own names.

        The statement around it changes with the request's values; a projection changes only
        with the document, whose requests rebuild the same text and parameters each time
        (most of a statement's Python). A cached section is the very text and parameters a
        fresh one would be: the key holds everything the compilation reads (`repr` of the
        specs, values included), and the section's names carry this builder's fresh infix.
        """
        infix = f"_{self.fresh('s')}_"
        key = (build.__name__, infix, var, _spec_key(spec))
        found = SECTIONS.get(key)
        if found is None:
            sub = CypherBuilder(infix)
            text = build(var, spec, sub)
            found = Section(text, sub.params, tuple(sub.refs), tuple(sub.hoisted), sub.client_keys)
            SECTIONS.put(key, found)
        self.params.update(found.params)
        self.refs.extend(found.refs)
        self.hoisted.extend(found.hoisted)
        self.client_keys.update(found.client_keys)
        return found.text

    def key(self, name: str) -> str:
        """`name` as a Cypher map key; an alias (`ClientKey`) as a stand-in by position."""
        if not isinstance(name, ClientKey):
            return _key(name)
        stand_in = self._stand_ins.get(name)
        if stand_in is None:
            stand_in = self._stand_ins[name] = f"__alias{self._infix}{len(self._stand_ins)}"
            self.client_keys[stand_in] = str(name)
        return _key(stand_in)

    def param(self, value: Any) -> str:
        name = self.fresh("p")
        self.params[name] = value
        return f"${name}"

    def match_entity(self, var: str, entity_id: str) -> str:
        """Clauses binding `var` to the entity `entity_id` names (null when none): itself, or
        the survivor of the merge that absorbed it, looked up only when no entity holds the
        id (the usual case costs nothing more than the plain match)."""
        found, merged, given = self.fresh("found"), self.fresh("merged"), self.param(entity_id)
        return (
            f"OPTIONAL MATCH ({found}:Entity {{id: {given}}}) "
            # Rows, not a predicate: the planner may seek before it filters.
            f"OPTIONAL CALL ({found}) {{ UNWIND CASE WHEN {found} IS NULL THEN [1] ELSE [] END "
            f"AS {found}_ MATCH {merged_into(given, merged)} "
            f"RETURN {merged} LIMIT 1 }} "
            f"WITH *, coalesce({found}, {merged}) AS {var} "
        )

    def ref(self, entity_id: str) -> str:
        """A variable: the id of the entity a filter's `entity_id` names now, itself or, once
        a merge absorbed it, the entity it was merged into (an old id keeps working, as in
        `node(id:)`); unknown ids stay as they are and match nothing.

        Remembered for `unknown_ids`: the statement reports the unknown ones, so the API
        can say which instead of answering as if nothing matched.
        """
        self.refs.append(entity_id)
        return self.hoist(f"RETURN {_current_id(self.param(entity_id))}")

    def refs_list(self, entity_ids: list[str]) -> str:
        """`ref` for a list of ids: one variable holding their current ids, distinct, the
        list one parameter whatever its length."""
        self.refs.extend(entity_ids)
        x = self.fresh("x")
        return self.hoist(
            f"UNWIND {self.param(entity_ids)} AS {x} RETURN collect(DISTINCT {_current_id(x)})"
        )

    def hoist(self, query: str) -> str:
        """A variable holding what `query` (uncorrelated, one value) returns, computed once.

        The statement runs the hoisted queries first (`prelude`); subqueries that open an
        explicit scope must import `hoisted_names`.
        """
        name = self.fresh("h")
        self.hoisted.append((name, query))
        return name

    def prelude(self) -> str:
        # Each hoisted query sees those before it (`participants` reads its resolved ids).
        names = [name for name, _ in self.hoisted]
        return "".join(
            f"CALL ({', '.join(names[:i])}) {{ {q} AS {name} }} "
            for i, (name, q) in enumerate(self.hoisted)
        )

    def scope(self, *names: str) -> str:
        """The variables an explicitly scoped `CALL (...)` must import."""
        return ", ".join([*names, *(name for name, _ in self.hoisted)])

    def unknown_ids(self) -> str:
        """A Cypher expression: the referred-to ids that name no entity, now or merged."""
        return (
            f"[x IN {self.param(sorted(set(self.refs)))} "
            f"WHERE NOT EXISTS {{ MATCH (e:Entity {{id: x}}) }} "
            f"AND NOT EXISTS {{ MATCH {merged_into('x', 'e')} }}]"
        )


def merged_into(id_expr: str, var: str) -> str:
    """The pattern from an id a merge absorbed (its `:Merged` record, which
    `graph/resolution.py` writes) to the entity `var` holding it now, through later merges."""
    return f"(:Merged {{id: {id_expr}}})-[:MERGED_INTO*1..10]->({var}:Entity)"


def _current_id(expr: str) -> str:
    """The id the entity named `expr` answers to now (see `CypherBuilder.ref`)."""
    return (
        f"coalesce(head(COLLECT {{ MATCH (e:Entity {{id: {expr}}}) RETURN e.id }}), "
        f"head(COLLECT {{ MATCH {merged_into(expr, 'e')} RETURN e.id }}), {expr})"
    )


def _quoted(name: str) -> str:
    """A type name as a Cypher string literal (names are [_A-Za-z][_0-9A-Za-z]*)."""
    if not name.replace("_", "a").isalnum():
        raise ValueError(f"invalid type name {name!r}")
    return f"'{name}'"


class ClientKey(str):
    """A response key the client chose (a GraphQL alias), not a field's own name.

    Neo4j plans every new statement text anew (seconds of CPU on a busy server), so the
    statement holds a stand-in (`CypherBuilder.key`) and the reader puts the client's
    key back (`restore_keys`): any alias names give the same text.
    """

    def __repr__(self) -> str:
        # Told apart from a field's own name in a section's key (`CypherBuilder.section`).
        return f"ClientKey({str.__repr__(self)})"


def _key(name: str) -> str:
    """A response key as a Cypher map key (GraphQL names are [_A-Za-z][_0-9A-Za-z]*)."""
    if not name.replace("_", "a").isalnum():
        raise ValueError(f"invalid key {name!r}")
    return f"`{name}`"


def _key_size(key: str, b: CypherBuilder) -> str:
    """A key's bytes as JSON, a parameter when its length is the client's choice."""
    size = len(key) + KEY_OVERHEAD
    return b.param(size) if isinstance(key, ClientKey) else str(size)


def restore_keys(value: Any, keys: dict[str, str]) -> Any:
    """`value` with every stand-in map key (`CypherBuilder.key`) back to the client's."""
    if isinstance(value, dict):
        return {keys.get(k, k): restore_keys(v, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_keys(v, keys) for v in value]
    return value


def date_part(var: str, prefix: str, part: str) -> str:
    """One part of the fuzzy date `prefix` stored on `var`. The first and last day come as
    ISO text (`toString`), which `schema.types.fuzzy_date` reads: the driver builds a
    `neo4j.time.Date` for a date value in Python, a tenth of the entity page's CPU in our
    process (bench/README.md, issue 13s)."""
    expr = f"{var}.{prefix}{DATE_PARTS[part]}"
    return f"toString({expr})" if part in ("start", "end") else expr


def _date_map(var: str, spec: DateOf) -> str:
    if spec.parts is not None:
        # Only the parts asked: each is a property read per row. A missing date is a null
        # `value`, which the API answers as a null date.
        parts = dict.fromkeys(("value", *spec.parts))
        entries = ", ".join(f"{p}: {date_part(var, spec.prefix, p)}" for p in parts)
        return f"{{{entries}}}"
    entries = ", ".join(f"{p}: {date_part(var, spec.prefix, p)}" for p in DATE_PARTS)
    return f"CASE WHEN {var}.{spec.prefix} IS NULL THEN null ELSE {{{entries}}} END"


def _sources(var: str, spec: SourcesOf, b: CypherBuilder) -> str:
    i = b.fresh("i")
    slug = f"{var}.sources[{i}]"
    if not spec.document.fields and spec.document.typename == "Document":
        # Only the slug (or nothing) of the document asked: the element stores it, and a
        # load checks that every cited document exists, so no lookup per source.
        document = f"{{__typename: 'Document', id: {slug}}}"
    else:
        d = b.fresh("d")
        document = (
            f"head(COLLECT {{ MATCH ({d}:Document {{id: {slug}}}) "
            f"RETURN {compile_node(d, spec.document, b)} }})"
        )
    return (
        f"[{i} IN range(0, size(coalesce({var}.sources, [])) - 1) | "
        f"{{quote: {var}.quotes[{i}], document: {document}}}]"
    )


def compile_value(var: str, spec: Any, b: CypherBuilder, kind: str | None = None) -> str:
    """The Cypher expression for one field of the element bound to `var`; `kind`: its
    label when known (a list of one type, or an interface field's branch for one type)."""
    if isinstance(spec, Prop):
        return f"{var}.{spec.name}"
    if isinstance(spec, DateOf):
        return _date_map(var, spec)
    if isinstance(spec, Typename):
        return f"head([l IN labels({var}) WHERE l <> 'Entity'])"
    if isinstance(spec, TypeOf):
        return f"type({var})"
    if isinstance(spec, Labels):
        return f"labels({var})"
    if isinstance(spec, SourcesOf):
        return _sources(var, spec, b)
    if isinstance(spec, Related):
        return _related(var, spec, b, kind)
    if isinstance(spec, ByLabel):
        # Kinds asking the same thing share one branch: Neo4j plans the subqueries of every
        # branch, and four equal branches (`... on Actor { meetings { aggregate } }`) cost
        # four times the work of one.
        groups: list[tuple[list[str], Any]] = []
        for label, case in spec.cases.items():
            same = next((g for g in groups if g[1] == case), None)
            if same is None:
                groups.append(([label], case))
            else:
                same[0].append(label)
        whens = " ".join(
            f"WHEN {' OR '.join(f'{var}:{label}' for label in labels)} "
            f"THEN {compile_value(var, case, b, labels[0] if len(labels) == 1 else None)}"
            for labels, case in groups
        )
        return f"CASE {whens} ELSE null END"
    raise TypeError(f"unknown field spec {spec!r}")


def compile_node(var: str, projection: NodeProjection, b: CypherBuilder) -> str:
    """A map projection of the node bound to `var`."""
    kind = (
        _quoted(projection.typename) if projection.typename else compile_value(var, Typename(), b)
    )
    entries = [f"__typename: {kind}", "id: " + f"{var}.id"]
    entries += [
        f"{b.key(key)}: {compile_value(var, spec, b, projection.typename)}"
        for key, spec in projection.fields
    ]
    return f"{var} {{{', '.join(entries)}}}"


def compile_fields(var: str, fields: list[tuple[str, Any]], b: CypherBuilder) -> str:
    """`key: expression` entries for the element bound to `var` (no braces)."""
    return ", ".join(f"{b.key(key)}: {compile_value(var, spec, b)}" for key, spec in fields)


def compile_edge(origin: str, rel: str, node: str, spec: Related, b: CypherBuilder) -> str:
    entries = [f"node: {compile_node(node, spec.node, b)}"]
    for key, value in spec.edge:
        expr = (
            f"startNode({rel}) = {origin}"
            if isinstance(value, Outgoing)
            else (compile_value(rel, value, b))
        )
        entries.append(f"{b.key(key)}: {expr}")
    return "{" + ", ".join(entries) + "}"


def _counted_window(
    match: str, carried: str, order: str, edge: str, page: Page, b: CypherBuilder
) -> tuple[str, str]:
    """A preamble binding the ordered matches of a nested connection, and its `items` and
    `total` entries read from them: one pass over the matches (a `COUNT` beside a `COLLECT`
    runs the match twice), and only the window is projected. The total counts what the
    pages list: distinct (relationship, node) pairs."""
    rows, part, k = b.fresh("rows"), b.fresh("part"), b.fresh("k")
    names = [name.strip() for name in carried.split(",")]
    unpack = ", ".join(f"{part}[{k}][{j}] AS {name}" for j, name in enumerate(names))
    offset, keep = "", ""
    if page.sliced:
        start, end = slice_bounds(page, f"size({rows})", b)
        # The row of the first item; the outer variables kept for an aggregate beside it.
        offset, keep = f", offset: {start}", "*, "
    else:
        first = 0 if page.from_end else page.offset
        end = b.param(first + page.limit) if page.limit is not None else ""
        start = b.param(first)
    preamble = (
        f"WITH {keep}COLLECT {{ {match} WITH DISTINCT {carried} ORDER BY {order} "
        f"RETURN [{carried}] }} AS {rows} WITH {keep or rows + ', '}{rows}[{start}..{end}] "
        f"AS {part}"
    )
    # Sorted again by position: the projection's subqueries need not keep the rows' order.
    items = (
        f"COLLECT {{ UNWIND range(0, size({part}) - 1) AS {k} WITH {k}, {unpack} "
        f"ORDER BY {k} RETURN {edge} }}"
    )
    return preamble, f"items: {items}, total: size({rows}){offset}"


def _order(node: str, rel: str, keys: tuple[tuple[str, str, bool], ...], flip: bool = False) -> str:
    return ", ".join(
        f"{rel if element == 'edge' else node}.{prop}{' DESC' if desc != flip else ''}"
        for element, prop, desc in keys
    )


# A union pattern's first node with a label test: `({n}:Delegation)` or `({n}:!Delegation)`.
_LABELLED_START = re.compile(r"\(\{n\}:(!?)(\w+)\)")


def could_match(pattern: str, kind: str | None) -> bool:
    """Whether `pattern` can match from a node of label `kind` (None: not known). A node
    has exactly one kind label (docs/graph-model.md), so a branch that tests the start
    node's label is decided when the kind is known, and left out of the statement: a
    delegation's meetings are one pattern, not a union of three of which two never match."""
    test = _LABELLED_START.match(pattern)
    if kind is None or test is None:
        return True
    negated, label = test.groups()
    return (label != kind) if negated else (label == kind)


def _related(var: str, spec: Related, b: CypherBuilder, kind: str | None = None) -> str:
    r, m = b.fresh("r"), b.fresh("m")
    raw = spec.relation.pattern
    templates = (raw,) if isinstance(raw, str) else raw
    # Never none: a kind no branch can match keeps them all (and matches nothing, as before).
    templates = tuple(t for t in templates if could_match(t, kind)) or templates
    patterns = [p.format(n=var, r=r, m=m) for p in templates]
    has_rel = "{r}" in (raw if isinstance(raw, str) else raw[0])
    carried = f"{r}, {m}" if has_rel else m
    conditions = []
    if spec.where is not None:
        conditions.append(compile_filter(m, spec.where, b))
    if spec.edge_where is not None:
        conditions.append(compile_edge_filter(r, spec.edge_where, b))
    if spec.rel_types:
        conditions.append(f"type({r}) IN {b.param(list(spec.rel_types))}")
    condition = " AND ".join(conditions) or "true"
    if len(patterns) == 1:
        match = f"MATCH {patterns[0]} WHERE {condition}"
    else:
        union = " UNION ".join(f"MATCH {p} RETURN {carried}" for p in patterns)
        match = f"CALL ({b.scope(var)}) {{ {union} }} WITH {carried} WHERE {condition}"
    edge = compile_edge(var, r, m, spec, b)
    if spec.relation.single:
        return (
            f"head(COLLECT {{ {match} WITH DISTINCT {carried} "
            f"ORDER BY {_order(m, r, spec.order)} LIMIT 1 RETURN {edge} }})"
        )
    order = _order(m, r, spec.order, flip=spec.page.from_end and not spec.page.sliced)
    if spec.count and (spec.aggregate is None or spec.page.sliced):
        preamble, counted = _counted_window(match, carried, order, edge, spec.page, b)
        if spec.aggregate is not None:
            edge_var = r if spec.own_edges and has_rel else None
            measures = compile_nested_aggregate(match, m, spec.aggregate, b, edge_var)
            counted += f", aggregate: {measures}"
        return f"head(COLLECT {{ {preamble} RETURN {{{counted}}} }})"
    window = ""
    if spec.page.offset and not spec.page.from_end:
        window += f" SKIP {b.param(spec.page.offset)}"
    if spec.page.fetch is not None:
        window += f" LIMIT {b.param(spec.page.fetch)}"
    items = f"COLLECT {{ {match} WITH DISTINCT {carried} ORDER BY {order}{window} RETURN {edge} }}"
    entries = [f"items: {items}"]
    if spec.count:
        # With an aggregate (its measures are subqueries over the matches of their own),
        # the total is counted beside it, as the aggregate's measures are.
        entries.append(f"total: COUNT {{ {match} RETURN DISTINCT {carried} }}")
    if spec.aggregate is not None:
        edge_var = r if spec.own_edges and has_rel else None
        entries.append(
            f"aggregate: {compile_nested_aggregate(match, m, spec.aggregate, b, edge_var)}"
        )
    return "{" + ", ".join(entries) + "}"


# -- aggregations -------------------------------------------------------------------------------

GROUPINGS = {
    "byCountry": f"{COUNTRY_PATH}({{g}}:Country)",
    "byPlace": f"{PLACE_PATH}({{g}}:Place)",
    "byIssue": f"{ISSUE_PATH}({{g}}:Issue)",
}
SCALARS = ("count", "minDate", "maxDate")
SCALAR_KEY = "_scalars"
MEASURES = (*SCALARS, "byYear", "byMeetingType", "byRelationshipType")


@dataclass
class Aggregate:
    """Measures over every node a list matches (not just its page), by response key.

    Each entry is (key, measure, limit): a measure of MEASURES or a grouping of GROUPINGS;
    groups come largest first (years in order), at most `limit` of them.
    """

    fields: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Grouping:
    """How a grouping measure reads its groups: after `WITH DISTINCT var`, the clauses `rows`
    leave one row per counted thing, `key` (and `name`) its group. Years come in order,
    other groups largest first (`by_size`), ties by name then key."""

    rows: str
    key: str
    name: str = "null"
    by_size: bool = True
    # What each counted thing is, when not the node `var`: (relationship, node) pairs.
    distinct: str | None = None


def _grouping(measure: str, var: str, b: CypherBuilder, edge: str | None) -> _Grouping:
    if measure == "byYear":
        return _Grouping("", f"{var}.dateFrom.year", by_size=False)
    if measure == "byMeetingType":
        return _Grouping("", f"{var}.meetingType")
    if measure == "byRelationshipType" and edge is not None:
        # The matched edges themselves, each once, as the connection's totalCount counts.
        return _Grouping("", f"type({edge})", distinct=f"{edge}, {var}")
    if measure == "byRelationshipType":
        # Relationships, not nodes: how the listed nodes are tied to the rest.
        rel = b.fresh("rel")
        return _Grouping(f" MATCH ({var})-[{rel}]-(:Entity)", f"type({rel})")
    g = b.fresh("g")
    rows = f" MATCH ({var}){GROUPINGS[measure].format(g=g)} WITH DISTINCT {var}, {g}"
    return _Grouping(rows, f"{g}.id", f"{g}.name")


def _group_map(key: str, name: str, count: str, year: bool) -> str:
    return f"{{key: {f'toString({key})' if year else key}, name: {name}, count: {count}}}"


def _scalars(match: str, var: str, scalars: list[tuple[str, str]], b: CypherBuilder) -> str:
    """One pass over the matches for the count and the dates, as a map by response key.

    No aggregating function: Neo4j 5.26 refuses one without a grouping key in a subquery
    that refers to a hoisted variable (a `participant` filter's meetings), or that sits in
    a map projection (a nested connection); the dates are read only when asked.
    """
    asked = {measure for _, measure in scalars}
    ds, d, acc = b.fresh("ds"), b.fresh("d"), b.fresh("a")
    dates = ", ".join(
        f"{var}.{prop}" if measure in asked else "null"
        for measure, prop in (("minDate", "dateFrom"), ("maxDate", "dateTo"))
    )

    def extreme(index: int, cmp: str) -> str:
        return (
            f"reduce({acc} = null, {d} IN {ds} | CASE WHEN {acc} IS NULL OR "
            f"{d}[{index}] {cmp} {acc} THEN {d}[{index}] ELSE {acc} END)"
        )

    expressions = {"count": f"size({ds})", "minDate": extreme(0, "<"), "maxDate": extreme(1, ">")}
    values = ", ".join(f"{b.key(key)}: {expressions[measure]}" for key, measure in scalars)
    return (
        f"head(COLLECT {{ WITH COLLECT {{ {match} WITH DISTINCT {var} RETURN [{dates}] }} "
        f"AS {ds} RETURN {{{values}}} }})"
    )


def _groups(
    match: str,
    var: str,
    measure: str,
    limit: int,
    b: CypherBuilder,
    nested: bool,
    edge: str | None,
) -> str:
    """The groups of one grouping measure: a list of {key, name, count}, at most `limit`."""
    grouping = _grouping(measure, var, b, edge)
    top = b.param(limit)
    k, nm, c = b.fresh("key"), b.fresh("name"), b.fresh("c")
    counted = grouping.distinct or var
    rows = f"{match} WITH DISTINCT {counted}{grouping.rows} WITH {grouping.key} AS {k}, "
    rows += f"{grouping.name} AS {nm}"
    order = f"{c} DESC, {nm}, {k}" if grouping.by_size else k
    out = _group_map(k, nm, c, year=not grouping.by_size)
    if not nested:
        return (
            f"COLLECT {{ {rows}, count(*) AS {c} WHERE {k} IS NOT NULL "
            f"WITH {k}, {nm}, {c} ORDER BY {order} LIMIT {top} RETURN {out} }}"
        )
    # The keys sorted, then counted by where each run of equal keys starts: linear in the
    # matches, with no aggregating function (see compile_aggregate).
    s, i, j, starts = b.fresh("s"), b.fresh("i"), b.fresh("j"), b.fresh("starts")
    return (
        f"COLLECT {{ WITH COLLECT {{ {rows} WHERE {k} IS NOT NULL WITH {k}, {nm} ORDER BY {k} "
        f"RETURN [{k}, {nm}] }} AS {s} "
        f"WITH {s}, [{i} IN range(0, size({s}) - 1) "
        f"WHERE {i} = 0 OR {s}[{i}][0] <> {s}[{i} - 1][0]] AS {starts} "
        f"UNWIND range(0, size({starts}) - 1) AS {j} "
        f"WITH {s}[{starts}[{j}]][0] AS {k}, {s}[{starts}[{j}]][1] AS {nm}, "
        f"coalesce({starts}[{j} + 1], size({s})) - {starts}[{j}] AS {c} "
        f"ORDER BY {order} LIMIT {top} RETURN {out} }}"
    )


def compile_aggregate(
    match: str,
    var: str,
    spec: Aggregate,
    b: CypherBuilder,
    nested: bool = False,
    edge: str | None = None,
) -> list[tuple[str, str]]:
    """(response key, expression) for each measure asked, over the rows `match` binds to `var`.

    With `edge` (the relationship `match` binds), `byRelationshipType` counts those matched
    relationships by type; without, the relationships of the matched nodes.

    `match` is a read clause sequence that ends in a filter (`MATCH ... WHERE ...`); each
    measure is its own subquery, so nothing that is not asked is computed.

    Neo4j 5.26 rejects any aggregating function (`count`, `min`, even inside a `CALL`)
    nested in a subquery that sits in a map projection and refers to an outer variable
    ("Aggregation column contains implicit grouping expressions"). At the root the
    expressions are columns of the statement's RETURN and use `count(*)`; `nested` ones
    (a nested connection's, inside its parent's map) read the keys with a plain COLLECT
    subquery and count them with list expressions instead, in the same statement.
    """
    entries = []
    scalars = [(key, measure) for key, measure, _ in spec.fields if measure in SCALARS]
    if scalars:
        entries.append((SCALAR_KEY, _scalars(match, var, scalars, b)))
    entries += [
        (key, _groups(match, var, measure, limit, b, nested, edge))
        for key, measure, limit in spec.fields
        if measure not in SCALARS
    ]
    return entries


def flat_measures(measures: dict[str, Any] | None) -> dict[str, Any] | None:
    """Measures by response key, the one-pass scalars (under SCALAR_KEY) among the others."""
    if measures is None:
        return None
    flat = {key: value for key, value in measures.items() if key != SCALAR_KEY}
    flat.update(measures.get(SCALAR_KEY) or {})
    return flat


def compile_nested_aggregate(
    match: str, var: str, spec: Aggregate, b: CypherBuilder, edge: str | None = None
) -> str:
    """A nested connection's aggregate, as a map of its measures (scalars under SCALAR_KEY)."""
    entries = compile_aggregate(match, var, spec, b, nested=True, edge=edge)
    return "{" + ", ".join(f"{b.key(key)}: {expr}" for key, expr in entries) + "}"


# -- response size -----------------------------------------------------------------------------
#
# The API bounds each response's size before Neo4j sends it: every statement also computes
# about how many bytes its projected values take as JSON (`node_size`, `value_size`, mirrors
# of the compilers above over the projected maps), and returns null instead of the values
# when that exceeds the request's remaining budget.
#
# Only what can be long is measured: free text (descriptions, quotes, a document's text,
# titles, notes...) and lists of any length. Ids, names, roles and the other short values
# count a fixed size, and a page of items whose size is fixed counts as its length
# times that size: measuring every name of an entity page was a sixth of the Neo4j CPU of
# the whole statement and doubled its planning time (bench/README.md, issue 13). A size is
# Cypher text; one that is a plain number is fixed, and sums of those are folded here.

KEY_OVERHEAD = 6  # quotes, colon and comma around a key
# Values counted at a fixed size: an id or a name is a few dozen characters.
SHORT_BYTES = 40
SHORT_PROPERTIES = frozenset({"name", "role", "meetingType", "unit", "period", "quantity",
                              "candidate", "start", "end", "offset"})  # fmt: skip


def _fixed(size: str) -> bool:
    return size.isdigit()


def size_sum(*sizes: str) -> str:
    """The sum of size expressions, their fixed parts added up (a sum made here ends with its
    fixed part, which is taken back out when it is summed again)."""
    fixed, measured = 0, []
    for size in sizes:
        head, _, tail = size.rpartition(" + ")
        if _fixed(size):
            fixed += int(size)
        elif head and _fixed(tail) and not size.endswith(")"):
            fixed += int(tail)
            measured.append(head)
        else:
            measured.append(size)
    return " + ".join([*measured, str(fixed)] if fixed or not measured else measured)


def _scalar_size(expr: str, name: str, b: CypherBuilder) -> str:
    if name in SHORT_PROPERTIES:
        return str(SHORT_BYTES)
    v, acc = b.fresh("v"), b.fresh("a")
    return (
        f"CASE WHEN {expr} IS NULL THEN 4 WHEN {expr} IS :: STRING THEN size({expr}) + 2 "
        f"WHEN {expr} IS :: LIST<ANY> THEN reduce({acc} = 2, {v} IN {expr} | "
        f"{acc} + size(toString({v})) + 3) ELSE 24 END"
    )


def _fields_size(expr: str, fields: list[tuple[str, Any]], b: CypherBuilder) -> str:
    return size_sum(
        "0",
        *(
            size_sum(_key_size(key, b), value_size(expr, f"{expr}.{b.key(key)}", spec, b))
            for key, spec in fields
        ),
    )


def list_size(expr: str, each: str, item: Callable[[str], str], b: CypherBuilder) -> str:
    """About how many bytes the list at `expr` takes: `each` more per item than `item`'s size
    (given the item's variable); its length times that when the item's size is fixed."""
    i, acc = b.fresh("i"), b.fresh("a")
    per_item = item(i)
    if _fixed(per_item):
        return f"size(coalesce({expr}, [])) * {int(per_item) + int(each)}"
    return f"reduce({acc} = 0, {i} IN coalesce({expr}, []) | {acc} + {size_sum(each, per_item)})"


def node_size(expr: str, projection: NodeProjection, b: CypherBuilder) -> str:
    """About how many bytes the projected node map at `expr` takes as JSON (a null one counts
    as a node: about, and never below)."""
    return size_sum("40", str(SHORT_BYTES), _fields_size(expr, projection.fields, b))


def measure_size(expr: str, key: str, b: CypherBuilder) -> str:
    """About how many bytes a measure takes: a map of scalars, or a list of groups."""
    if key == SCALAR_KEY:
        return f"CASE WHEN {expr} IS NULL THEN 4 ELSE 40 * size(keys({expr})) END"
    g, acc = b.fresh("g"), b.fresh("a")
    return (
        f"reduce({acc} = 2, {g} IN coalesce({expr}, []) | {acc} + 52 + "
        f"size(coalesce({g}.key, '')) + size(coalesce({g}.name, '')))"
    )


def _aggregate_size(expr: str, spec: Aggregate, b: CypherBuilder) -> str:
    keys = {SCALAR_KEY if measure in SCALARS else key for key, measure, _ in spec.fields}
    return " + ".join(measure_size(f"{expr}.{b.key(key)}", key, b) for key in sorted(keys)) or "0"


def edge_size(expr: str, spec: Related, b: CypherBuilder) -> str:
    return size_sum(node_size(f"{expr}.node", spec.node, b), _fields_size(expr, spec.edge, b))


def fields_size(expr: str, fields: list[tuple[str, Any]], b: CypherBuilder) -> str:
    """About how many bytes the entries `compile_fields` made take, in the map at `expr`."""
    return _fields_size(expr, fields, b)


def _parenthesised(size: str) -> str:
    return size if _fixed(size) else f"({size})"


def value_size(parent: str, expr: str, spec: Any, b: CypherBuilder) -> str:
    """About how many bytes the value at `expr` (a field of the map at `parent`) takes."""
    if isinstance(spec, Prop):
        return _parenthesised(_scalar_size(expr, spec.name, b))
    if isinstance(spec, DateOf):
        # Its parts are short; `basis` is a sentence at most, measured when asked.
        if spec.parts is not None and "basis" not in spec.parts:
            return "160"
        return f"(CASE WHEN {expr} IS NULL THEN 4 ELSE 160 + size(coalesce({expr}.basis, '')) END)"
    if isinstance(spec, Typename | TypeOf | Labels | Outgoing):
        return "40"
    if isinstance(spec, SourcesOf):
        return "(" + list_size(
            expr, "40", lambda s: size_sum(
                f"size(coalesce({s}.quote, ''))", node_size(f"{s}.document", spec.document, b)
            ), b,
        ) + ")"  # fmt: skip
    if isinstance(spec, Related):
        if spec.relation.single:
            return _parenthesised(edge_size(expr, spec, b))
        measures = (
            f" + {_aggregate_size(f'{expr}.aggregate', spec.aggregate, b)}"
            if spec.aggregate is not None
            else ""
        )
        items = list_size(f"{expr}.items", "20", lambda e: edge_size(e, spec, b), b)
        return f"({size_sum(items, '60')}{measures})"
    if isinstance(spec, ByLabel):
        sizes = {label: value_size(parent, expr, case, b) for label, case in spec.cases.items()}
        if all(_fixed(size) for size in sizes.values()):
            return str(max(int(size) for size in sizes.values()))
        whens = " ".join(f"WHEN '{label}' THEN {size}" for label, size in sizes.items())
        return f"(CASE {parent}.__typename {whens} ELSE 4 END)"
    raise TypeError(f"unknown field spec {spec!r}")
