"""The query mix: what a front end asks, for each of the three servers.

Every operation has a GraphQL document for diplograph's API (`ours`), an equivalent one
for the @neo4j/graphql peer (`peer`), and a raw Cypher statement (`raw`) that returns
exactly the JSON our API answers (so one normaliser serves both). `canon_ours` and
`canon_peer` turn a response into one canonical shape, so the three can be compared
value for value before anything is timed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graph.reads import Matching, lucene_query

Json = Any
Case = dict[str, Any]

PAGE = 10  # first-level and second-level page size on the entity page
MEETINGS_PAGE = 100
SEARCH_PAGE = 10
TIMELINE_PAGE = 20
PATHS = 5
NEIGHBOURS = 50


@dataclass(frozen=True)
class Operation:
    name: str
    weight: float  # share of the mix
    ours: str
    peer: str
    raw: str
    root: str  # the root field of our response, which raw Cypher returns as `data`
    ours_vars: Callable[[Case], dict[str, Any]]
    peer_vars: Callable[[Case], dict[str, Any]]
    raw_params: Callable[[Case], dict[str, Any]]
    canon_ours: Callable[[Json], Json]
    canon_peer: Callable[[Json], Json]
    describe: str


def _same(case: Case) -> dict[str, Any]:
    return dict(case)


# -- canonical shapes -----------------------------------------------------------------------


def _sorted(items: list[Json]) -> list[Json]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))


def _fd(value: Json) -> Json:
    """A fuzzy date of ours: (value, precision, start, end), or None."""
    if not value:
        return None
    precision = value.get("precision")
    return [
        value.get("value"),
        precision.lower() if precision else None,
        value.get("start"),
        value.get("end"),
    ]


def _fd_peer(item: Json, prefix: str) -> Json:
    if item.get(prefix) is None:
        return None
    return [
        item.get(prefix),
        item.get(f"{prefix}Precision"),
        item.get(f"{prefix}From"),
        item.get(f"{prefix}To"),
    ]


def _fd_value(value: Json) -> Json:
    return value.get("value") if value else None


def _src(items: Json) -> Json:
    return [[s["document"]["slug"], s["quote"]] for s in items or []]


def _src_peer(item: Json) -> Json:
    return [
        list(pair)
        for pair in zip(item.get("sources") or [], item.get("quotes") or [], strict=False)
    ]


def _conn(conn: Json, edge: Callable[[Json], Json]) -> Json:
    if conn is None:
        return None
    return {"total": conn["totalCount"], "edges": _sorted([edge(e) for e in conn["edges"]])}


def _ref(node: Json) -> Json:
    return [node.get("slug"), node.get("name"), node.get("kind")]


def _ref_peer(node: Json) -> Json:
    return [node.get("id"), node.get("name"), node.get("kind", node.get("__typename"))]


# -- 1. entity page: a person, two levels of relations, their sources -------------------------

ENTITY_PAGE_OURS = """
query EntityPage($id: ID!) {
  node(id: $id) {
    ... on Person {
      slug name aliases description
      date { value precision start end }
      sources { quote document { slug } }
      led(first: 10) { totalCount edges { ...BodyEdge } }
      memberOf(first: 10) { totalCount edges { ...BodyEdge } }
      positions(first: 10) {
        totalCount
        edges {
          title
          start { value precision start end }
          end { value precision start end }
          sources { quote document { slug } }
          node {
            slug name
            positionHolders(first: 10) {
              totalCount edges { title start { value } node { slug name } }
            }
          }
        }
      }
    }
  }
}
fragment BodyEdge on ActorEdge {
  role title
  sources { quote document { slug } }
  node {
    slug name kind
    ... on Delegation {
      meetings(first: 10) {
        totalCount
        edges { role node { slug name date { value precision start end } } }
      }
      members(first: 10) { totalCount edges { role node { slug name kind } } }
    }
    ... on Organization {
      positionHolders(first: 10) {
        totalCount edges { title start { value } node { slug name } }
      }
    }
  }
}
"""

_BY_NODE = "[{node: {dateFrom: ASC}}, {node: {name: ASC}}, {node: {id: ASC}}]"

ENTITY_PAGE_PEER = f"""
query EntityPage($id: ID!) {{
  people(where: {{id: {{eq: $id}}}}, limit: 1) {{
    id name aliases description date datePrecision dateFrom dateTo sources quotes
    ledConnection(first: 10) {{
      totalCount edges {{ properties {{ role title sources quotes }} node {{ ...BodyNode }} }}
    }}
    memberOfConnection(first: 10) {{
      totalCount edges {{ properties {{ role title sources quotes }} node {{ ...BodyNode }} }}
    }}
    positionsConnection(first: 10, sort: {_BY_NODE}) {{
      totalCount
      edges {{
        properties {{
          title start startPrecision startFrom startTo end endPrecision endFrom endTo
          sources quotes
        }}
        node {{
          id name
          positionHoldersConnection(first: 10, sort: {_BY_NODE}) {{
            totalCount edges {{ properties {{ title start }} node {{ id name }} }}
          }}
        }}
      }}
    }}
  }}
}}
fragment BodyNode on Body {{
  __typename
  ... on Delegation {{
    id name
    meetingsConnection(first: 10, sort: {_BY_NODE}) {{
      totalCount
      edges {{ properties {{ role }} node {{ id name date datePrecision dateFrom dateTo }} }}
    }}
    membersConnection(first: 10) {{
      totalCount edges {{ properties {{ role }} node {{ __typename ...ActorRef }} }}
    }}
  }}
  ... on Organization {{
    id name
    positionHoldersConnection(first: 10, sort: {_BY_NODE}) {{
      totalCount edges {{ properties {{ title start }} node {{ id name }} }}
    }}
  }}
}}
fragment ActorRef on Actor {{
  ... on Person {{ id name }}
  ... on Organization {{ id name }}
  ... on Delegation {{ id name }}
  ... on Country {{ id name }}
}}
"""


def _kind(var: str) -> str:
    return f"head([l IN labels({var}) WHERE l <> 'Entity'])"


def _fd_cypher(var: str, prefix: str = "date") -> str:
    return (
        f"CASE WHEN {var}.{prefix} IS NULL THEN null ELSE {{value: {var}.{prefix}, "
        f"precision: toUpper({var}.{prefix}Precision), start: toString({var}.{prefix}From), "
        f"end: toString({var}.{prefix}To)}} END"
    )


def _src_cypher(var: str) -> str:
    return (
        f"[i IN range(0, size(coalesce({var}.sources, [])) - 1) | "
        f"{{quote: {var}.quotes[i], document: {{slug: {var}.sources[i]}}}}]"
    )


def _window(pattern: str, rel: str, node: str, item: str, limit: int = PAGE) -> str:
    """A connection of ours: the total (distinct relationship and node pairs) and one page."""
    return (
        f"{{totalCount: COUNT {{ MATCH {pattern} RETURN DISTINCT {rel}, {node} }}, "
        f"edges: COLLECT {{ MATCH {pattern} WITH DISTINCT {rel}, {node} "
        f"ORDER BY {node}.dateFrom, {node}.name, {node}.id LIMIT {limit} RETURN {item} }}}}"
    )


_HOLDERS = _window(
    "(o)<-[h:HOLDS_POSITION]-(x:Person)",
    "h",
    "x",
    "{title: h.title, start: CASE WHEN h.start IS NULL THEN null ELSE {value: h.start} END, "
    "node: {slug: x.id, name: x.name}}",
)
_BODY = (
    "CASE WHEN b:Delegation THEN {slug: b.id, name: b.name, kind: 'Delegation', meetings: "
    + _window(
        "(b)-[a:ATTENDED]->(m:Meeting)",
        "a",
        "m",
        f"{{role: a.role, node: {{slug: m.id, name: m.name, date: {_fd_cypher('m')}}}}}",
    )
    + ", members: "
    + _window(
        "(b)<-[mo:MEMBER_OF]-(x:Entity)",
        "mo",
        "x",
        f"{{role: mo.role, node: {{slug: x.id, name: x.name, kind: {_kind('x')}}}}}",
    )
    + "} ELSE {slug: b.id, name: b.name, kind: 'Organization', positionHolders: "
    + _HOLDERS.replace("(o)", "(b)")
    + "} END"
)


def _body_edges(rel_type: str) -> str:
    return _window(
        f"(p)-[r:{rel_type}]->(b:Delegation|Organization)",
        "r",
        "b",
        f"{{role: r.role, title: r.title, sources: {_src_cypher('r')}, node: {_BODY}}}",
    )


ENTITY_PAGE_RAW = (
    "MATCH (p:Person {id: $id}) RETURN {slug: p.id, name: p.name, aliases: p.aliases, "
    f"description: p.description, date: {_fd_cypher('p')}, sources: {_src_cypher('p')}, "
    f"led: {_body_edges('LED')}, memberOf: {_body_edges('MEMBER_OF')}, positions: "
    + _window(
        "(p)-[r:HOLDS_POSITION]->(o:Organization)",
        "r",
        "o",
        f"{{title: r.title, start: {_fd_cypher('r', 'start')}, end: {_fd_cypher('r', 'end')}, "
        f"sources: {_src_cypher('r')}, node: {{slug: o.id, name: o.name, "
        f"positionHolders: {_HOLDERS}}}}}",
    )
    + "} AS data"
)


def _holders(conn: Json) -> Json:
    return _conn(
        conn, lambda e: [e["title"], _fd_value(e["start"]), e["node"]["slug"], e["node"]["name"]]
    )


def _holders_peer(conn: Json) -> Json:
    return _conn(
        conn,
        lambda e: [
            e["properties"]["title"],
            e["properties"]["start"],
            e["node"]["id"],
            e["node"]["name"],
        ],
    )


def _body(node: Json) -> Json:
    out: dict[str, Any] = {"ref": _ref(node)}
    if node.get("kind") == "Delegation":
        out["meetings"] = _conn(
            node["meetings"],
            lambda e: [e["role"], e["node"]["slug"], e["node"]["name"], _fd(e["node"]["date"])],
        )
        out["members"] = _conn(node["members"], lambda e: [e["role"], _ref(e["node"])])
    elif node.get("kind") == "Organization":
        out["holders"] = _holders(node["positionHolders"])
    return out


def _body_peer(node: Json) -> Json:
    kind = node["__typename"]
    out: dict[str, Any] = {"ref": [node["id"], node["name"], kind]}
    if kind == "Delegation":
        out["meetings"] = _conn(
            node["meetingsConnection"],
            lambda e: [
                e["properties"]["role"],
                e["node"]["id"],
                e["node"]["name"],
                _fd_peer(e["node"], "date"),
            ],
        )
        out["members"] = _conn(
            node["membersConnection"], lambda e: [e["properties"]["role"], _ref_peer(e["node"])]
        )
    elif kind == "Organization":
        out["holders"] = _holders_peer(node["positionHoldersConnection"])
    return out


def canon_entity_page(data: Json) -> Json:
    p = data["node"]
    if p is None:
        return None
    return {
        "id": p["slug"],
        "name": p["name"],
        "aliases": p["aliases"],
        "description": p["description"],
        "date": _fd(p["date"]),
        "sources": _src(p["sources"]),
        "led": _conn(
            p["led"], lambda e: [e["role"], e["title"], _src(e["sources"]), _body(e["node"])]
        ),
        "memberOf": _conn(
            p["memberOf"], lambda e: [e["role"], e["title"], _src(e["sources"]), _body(e["node"])]
        ),
        "positions": _conn(
            p["positions"],
            lambda e: [
                e["title"],
                _fd(e["start"]),
                _fd(e["end"]),
                _src(e["sources"]),
                e["node"]["slug"],
                e["node"]["name"],
                _holders(e["node"]["positionHolders"]),
            ],
        ),
    }


def canon_entity_page_peer(data: Json) -> Json:
    people = data["people"]
    if not people:
        return None
    p = people[0]

    def body_edge(e: Json) -> Json:
        props = e["properties"]
        return [props["role"], props["title"], _src_peer(props), _body_peer(e["node"])]

    return {
        "id": p["id"],
        "name": p["name"],
        "aliases": p["aliases"] or [],
        "description": p["description"],
        "date": _fd_peer(p, "date"),
        "sources": _src_peer(p),
        "led": _conn(p["ledConnection"], body_edge),
        "memberOf": _conn(p["memberOfConnection"], body_edge),
        "positions": _conn(
            p["positionsConnection"],
            lambda e: [
                e["properties"]["title"],
                _fd_peer(e["properties"], "start"),
                _fd_peer(e["properties"], "end"),
                _src_peer(e["properties"]),
                e["node"]["id"],
                e["node"]["name"],
                _holders_peer(e["node"]["positionHoldersConnection"]),
            ],
        ),
    }


# -- 2. search ----------------------------------------------------------------------------------

SEARCH_OURS = """
query Search($q: String!) {
  search(query: $q, first: 10) {
    totalCount
    edges { score node { slug name kind description } }
  }
}
"""

SEARCH_PEER = """
query Search($phrase: String!) {
  searchEntities(phrase: $phrase, first: 10, sort: [{score: DESC}, {node: {id: ASC}}]) {
    totalCount
    edges { score node { id name kind description } }
  }
}
"""


def lucene_phrase(text: str) -> str:
    """The Lucene query our API builds from search text (graph.reads.search, default
    matching)."""
    return lucene_query(text, Matching.EXACT)


SEARCH_RAW = (
    "RETURN {totalCount: COUNT { CALL db.index.fulltext.queryNodes('entity_search', $phrase) "
    "YIELD node RETURN node }, edges: COLLECT { "
    "CALL db.index.fulltext.queryNodes('entity_search', $phrase) YIELD node AS n, score "
    f"WITH n, score ORDER BY score DESC, n.id LIMIT {SEARCH_PAGE} "
    f"RETURN {{score: score, node: {{slug: n.id, name: n.name, kind: {_kind('n')}, "
    "description: n.description}} } } AS data"
)


def _hits(total: int, hits: list[tuple[float, list[Any]]]) -> Json:
    """Scores rounded; the ids of hits that tie with the last one may differ legitimately."""
    if not hits:
        return {"total": total, "hits": []}
    floor = round(min(score for score, _ in hits), 4)
    return {
        "total": total,
        "scores": [round(score, 4) for score, _ in hits],
        "hits": [ref for score, ref in hits if round(score, 4) > floor],
    }


def canon_search(data: Json) -> Json:
    s = data["search"]
    return _hits(
        s["totalCount"],
        [(e["score"], [*_ref(e["node"]), e["node"]["description"]]) for e in s["edges"]],
    )


def canon_search_peer(data: Json) -> Json:
    s = data["searchEntities"]
    return _hits(
        s["totalCount"],
        [(e["score"], [*_ref_peer(e["node"]), e["node"]["description"]]) for e in s["edges"]],
    )


# -- 3. meetings in a date range, with participants -------------------------------------------

MEETINGS_OURS = """
query MeetingsInRange($from: Date!, $to: Date!) {
  meetings(where: {dateFrom: $from, dateTo: $to}, orderBy: [{field: DATE}], first: 100) {
    totalCount
    edges {
      node {
        slug name
        date { value precision start end }
        participants(first: 10) { totalCount edges { role node { slug name kind } } }
      }
    }
  }
}
"""

MEETINGS_PEER = """
query MeetingsInRange($from: Date!, $to: Date!) {
  meetingsConnection(
    first: 100
    where: {dateTo: {gte: $from}, dateFrom: {lte: $to}}
    sort: [{dateFrom: ASC}, {id: ASC}]
  ) {
    totalCount
    edges {
      node {
        id name date datePrecision dateFrom dateTo
        participantsConnection(first: 10) {
          totalCount
          edges {
            properties { role }
            node {
              __typename
              ... on Person { id name }
              ... on Organization { id name }
              ... on Delegation { id name }
              ... on Country { id name }
            }
          }
        }
      }
    }
  }
}
"""

_IN_RANGE = "(n:Meeting) WHERE n.dateTo >= date($from) AND n.dateFrom <= date($to)"
MEETINGS_RAW = (
    f"RETURN {{totalCount: COUNT {{ MATCH {_IN_RANGE} }}, edges: COLLECT {{ MATCH {_IN_RANGE} "
    f"WITH n ORDER BY n.dateFrom, n.id LIMIT {MEETINGS_PAGE} RETURN {{node: {{slug: n.id, "
    f"name: n.name, date: {_fd_cypher('n')}, participants: "
    + _window(
        "(n)<-[r:ATTENDED]-(a:Entity)",
        "r",
        "a",
        f"{{role: r.role, node: {{slug: a.id, name: a.name, kind: {_kind('a')}}}}}",
    )
    + "}} }} AS data"
)


def canon_meetings(data: Json) -> Json:
    m = data["meetings"]
    return {
        "total": m["totalCount"],
        "meetings": [
            [
                e["node"]["slug"],
                e["node"]["name"],
                _fd(e["node"]["date"]),
                _conn(e["node"]["participants"], lambda p: [p["role"], _ref(p["node"])]),
            ]
            for e in m["edges"]
        ],
    }


def canon_meetings_peer(data: Json) -> Json:
    m = data["meetingsConnection"]
    return {
        "total": m["totalCount"],
        "meetings": [
            [
                e["node"]["id"],
                e["node"]["name"],
                _fd_peer(e["node"], "date"),
                _conn(
                    e["node"]["participantsConnection"],
                    lambda p: [p["properties"]["role"], _ref_peer(p["node"])],
                ),
            ]
            for e in m["edges"]
        ],
    }


# -- 4. timeline ------------------------------------------------------------------------------

TIMELINE_OURS = """
query Timeline($of: ID!) {
  timeline(of: $of, first: 20) {
    totalCount
    edges { date { value precision start end } type outgoing role title node { slug name kind } }
  }
}
"""

TIMELINE_PEER = """
query Timeline($of: ID!) {
  timeline(of: $of, first: 20) {
    totalCount
    entries { date { value precision start end } type outgoing role title node { id name kind } }
  }
}
"""

TIMELINE_RAW = f"""
OPTIONAL MATCH (e:Entity {{id: $of}})
CALL (e) {{
  MATCH (e)-[r]-(m:Entity) WHERE true
  WITH e, r, m, CASE WHEN r.dateFrom IS NOT NULL THEN 'date'
    WHEN r.startFrom IS NOT NULL THEN 'start' WHEN m.dateFrom IS NOT NULL THEN 'node' END AS via
  WHERE via IS NOT NULL
  WITH e, r, m, via, CASE via WHEN 'date' THEN r.dateFrom WHEN 'start' THEN r.startFrom
    ELSE m.dateFrom END AS at
  RETURN at, {{
    date: CASE via WHEN 'date' THEN {_fd_cypher("r")} WHEN 'start' THEN {_fd_cypher("r", "start")}
      ELSE {_fd_cypher("m")} END,
    type: type(r), outgoing: startNode(r) = e, role: r.role, title: r.title,
    node: {{slug: m.id, name: m.name, kind: {_kind("m")}}}
  }} AS entry
  UNION
  WITH e WHERE e.dateFrom IS NOT NULL
  RETURN e.dateFrom AS at, {{date: {_fd_cypher("e")}, type: null, outgoing: true, role: null,
    title: null, node: {{slug: e.id, name: e.name, kind: {_kind("e")}}}}} AS entry
}}
WITH e, at, entry ORDER BY at, entry.node.name
WITH e, collect(entry) AS entries
RETURN CASE WHEN e IS NULL THEN null
  ELSE {{totalCount: size(entries), edges: entries[0..{TIMELINE_PAGE}]}} END AS data
"""


def _entry(e: Json, node: Json) -> Json:
    return [_fd(e["date"]), e["type"], e["outgoing"], e["role"], e["title"], node]


def canon_timeline(data: Json) -> Json:
    t = data["timeline"]
    if t is None:
        return None
    return {
        "total": t["totalCount"],
        "entries": _sorted([_entry(e, _ref(e["node"])) for e in t["edges"]]),
    }


def canon_timeline_peer(data: Json) -> Json:
    t = data["timeline"]
    if t is None:
        return None
    return {
        "total": t["totalCount"],
        "entries": _sorted([_entry(e, _ref_peer(e["node"])) for e in t["entries"]]),
    }


# -- 5. shortest paths between two actors -------------------------------------------------------

PATHS_OURS = """
query Path($from: ID!, $to: ID!) {
  paths(from: $from, to: $to, maxHops: 4, first: 5, distinctNodes: false) {
    nodes { slug name kind }
    segments { from to type }
  }
}
"""

PATHS_PEER = """
query Path($from: ID!, $to: ID!) {
  paths(from: $from, to: $to, first: 5) {
    nodes { id name kind }
    segments { from to type }
  }
}
"""

PATHS_RAW = f"""
MATCH (a:Entity {{id: $from}}), (z:Entity {{id: $to}})
RETURN COLLECT {{
  MATCH p = allShortestPaths((a)-[*..4]-(z))
  WHERE a <> z AND all(x IN nodes(p) WHERE x:Entity)
  WITH p LIMIT {PATHS}
  RETURN {{
    nodes: [x IN nodes(p) | {{slug: x.id, name: x.name, kind: {_kind("x")}}}],
    segments: [r IN relationships(p) | {{from: startNode(r).id, to: endNode(r).id, type: type(r)}}]
  }}
}} AS data
"""


def _paths(paths: list[tuple[list[Any], list[Any]]]) -> Json:
    """All the paths when fewer than asked; else how many and how long (which of several
    equally short paths a plan finds first is not fixed)."""
    if len(paths) < PATHS:
        return {"paths": _sorted([[nodes, _sorted(segments)] for nodes, segments in paths])}
    return {"count": len(paths), "hops": sorted(len(nodes) - 1 for nodes, _ in paths)}


def canon_paths(data: Json) -> Json:
    return _paths(
        [
            (
                [_ref(n) for n in p["nodes"]],
                [[s["from"], s["to"], s["type"]] for s in p["segments"]],
            )
            for p in data["paths"]
        ]
    )


def canon_paths_peer(data: Json) -> Json:
    return _paths(
        [
            (
                [_ref_peer(n) for n in p["nodes"]],
                [[s["from"], s["to"], s["type"]] for s in p["segments"]],
            )
            for p in data["paths"]
        ]
    )


# -- 6. depth-2 neighbourhood -----------------------------------------------------------------

NEIGHBOURHOOD_OURS = """
query Neighbourhood($id: ID!) {
  neighborhood(id: $id, depth: 2, limit: 50) {
    nodes { slug name kind }
    edges { from to type }
  }
}
"""

NEIGHBOURHOOD_PEER = """
query Neighbourhood($id: ID!) {
  neighborhood(id: $id, limit: 50) {
    nodes { id name kind }
    edges { from to type }
  }
}
"""

NEIGHBOURHOOD_RAW = f"""
MATCH (c:Entity {{id: $id}})
CALL (c) {{
  MATCH p = (c)-[*1..2]-(m:Entity)
  WHERE m <> c AND all(x IN nodes(p) WHERE x:Entity)
  WITH m, min([length(p), reduce(s = 0, x IN nodes(p)[1..-1] | s + COUNT {{ (x)--() }})]) AS rank
  ORDER BY rank, m.id LIMIT {NEIGHBOURS}
  RETURN collect(m) AS near
}}
WITH [c] + near AS members
RETURN {{
  nodes: [x IN members | {{slug: x.id, name: x.name, kind: {_kind("x")}}}],
  edges: COLLECT {{
    UNWIND members AS s MATCH (s)-[r]->(t)
    WHERE t IN members
    RETURN {{from: s.id, to: t.id, type: type(r)}}
  }}
}} AS data
"""


def canon_neighbourhood(data: Json) -> Json:
    n = data["neighborhood"]
    return {
        "nodes": _sorted([_ref(x) for x in n["nodes"]]),
        "edges": _sorted([[e["from"], e["to"], e["type"]] for e in n["edges"]]),
    }


def canon_neighbourhood_peer(data: Json) -> Json:
    n = data["neighborhood"]
    if n is None:
        return None
    return {
        "nodes": _sorted([_ref_peer(x) for x in n["nodes"]]),
        "edges": _sorted([[e["from"], e["to"], e["type"]] for e in n["edges"]]),
    }


# -- 7. an aggregation: meetings held in a country, per year, with the first and last date ----
# @neo4j/graphql has no grouping: the peer asks one aliased count per year, the workaround
# analysts used (issue 14); the case names five consecutive years.

YEARS = 5

MEETINGS_BY_YEAR_OURS = """
query MeetingsByYear($country: ID!, $from: Date!, $to: Date!) {
  meetings(where: {relationships: [{types: [HELD_IN], direction: OUT, some: {ids: [$country]}}],
                   date: {gte: $from, lte: $to}}) {
    aggregate { count minDate maxDate byYear(first: 100) { key count } }
  }
}
"""

_HELD_IN_PEER = "places: {some: {Country: {id: {eq: $country}}}}"
MEETINGS_BY_YEAR_PEER = (
    "query MeetingsByYear($country: ID!, $from: Date!, $to: Date!, "
    + ", ".join(f"$y{i}from: Date!, $y{i}to: Date!" for i in range(YEARS))
    + ") {\n"
    # @neo4j/graphql aggregates no Date: the first and last dates are sorted reads.
    + f"  all: meetingsConnection(where: {{{_HELD_IN_PEER}, dateFrom: {{gte: $from, lte: $to}}}})"
    + " { aggregate { count { nodes } } }\n"
    + "  first: meetingsConnection(first: 1, sort: [{dateFrom: ASC}], "
    + f"where: {{{_HELD_IN_PEER}, dateFrom: {{gte: $from, lte: $to}}}}) "
    + "{ edges { node { dateFrom } } }\n"
    + "  last: meetingsConnection(first: 1, sort: [{dateTo: DESC}], "
    + f"where: {{{_HELD_IN_PEER}, dateFrom: {{gte: $from, lte: $to}}}}) "
    + "{ edges { node { dateTo } } }\n"
    + "".join(
        f"  y{i}: meetingsConnection(where: {{{_HELD_IN_PEER}, "
        f"dateFrom: {{gte: $y{i}from, lte: $y{i}to}}}}) {{ aggregate {{ count {{ nodes }} }} }}\n"
        for i in range(YEARS)
    )
    + "}\n"
)

_BY_YEAR_MATCH = (
    "MATCH (n:Meeting) WHERE EXISTS { (n)-[:HELD_IN]->(:Entity {id: $country}) } "
    "AND n.dateFrom >= date($from) AND n.dateFrom <= date($to)"
)
MEETINGS_BY_YEAR_RAW = f"""
CALL () {{ {_BY_YEAR_MATCH} RETURN count(n) AS count, min(n.dateFrom) AS minDate,
  max(n.dateTo) AS maxDate }}
CALL () {{ {_BY_YEAR_MATCH} WITH n.dateFrom.year AS year, count(*) AS c ORDER BY year
  RETURN collect({{key: toString(year), count: c}}) AS byYear }}
RETURN {{aggregate: {{count: count, minDate: toString(minDate), maxDate: toString(maxDate),
  byYear: byYear}}}} AS data
"""


def _years(case: Case) -> list[str]:
    first = int(case["from"][:4])
    return [str(first + i) for i in range(YEARS)]


def by_year_peer_vars(case: Case) -> dict[str, Any]:
    out = {"country": case["country"], "from": case["from"], "to": case["to"]}
    for i, year in enumerate(_years(case)):
        out[f"y{i}from"], out[f"y{i}to"] = f"{year}-01-01", f"{year}-12-31"
    return out


def canon_by_year(data: Json) -> Json:
    agg = data["meetings"]["aggregate"]
    counts = {g["key"]: g["count"] for g in agg["byYear"]}
    return [
        agg["count"],
        agg["minDate"],
        agg["maxDate"],
        [counts.get(y, 0) for y in sorted(counts)],
    ]


def canon_by_year_peer(data: Json) -> Json:
    years = [data[f"y{i}"]["aggregate"]["count"]["nodes"] for i in range(YEARS)]
    first, last = data["first"]["edges"], data["last"]["edges"]
    return [
        data["all"]["aggregate"]["count"]["nodes"],
        first[0]["node"]["dateFrom"] if first else None,
        last[0]["node"]["dateTo"] if last else None,
        [n for n in years if n],
    ]


# -- 8. a filtered list: meetings by name prefix (index-backed) and date, by name ------------

FILTERED_OURS = """
query Filtered($prefix: String!, $from: Date!) {
  meetings(where: {name: {startsWith: $prefix}, date: {gte: $from}},
           orderBy: [{field: NAME}], first: 20) {
    totalCount
    edges { node { slug name date { value } } }
  }
}
"""

FILTERED_PEER = """
query Filtered($prefix: String!, $from: Date!) {
  meetingsConnection(first: 20, where: {name: {startsWith: $prefix}, dateFrom: {gte: $from}},
                     sort: [{name: ASC}, {id: ASC}]) {
    totalCount
    edges { node { id name date } }
  }
}
"""

_FILTERED = "(n:Meeting) WHERE n.name STARTS WITH $prefix AND n.dateFrom >= date($from)"
FILTERED_RAW = (
    f"RETURN {{totalCount: COUNT {{ MATCH {_FILTERED} }}, edges: COLLECT {{ MATCH {_FILTERED} "
    "WITH n ORDER BY n.name, n.id LIMIT 20 "
    "RETURN {node: {slug: n.id, name: n.name, date: CASE WHEN n.date IS NULL THEN null "
    "ELSE {value: n.date} END}} }} AS data"
)


def canon_filtered(data: Json) -> Json:
    m = data["meetings"]
    return [m["totalCount"], [[e["node"]["slug"], e["node"]["name"], _fd_value(e["node"]["date"])]
                              for e in m["edges"]]]  # fmt: skip


def canon_filtered_peer(data: Json) -> Json:
    m = data["meetingsConnection"]
    return [m["totalCount"], [[e["node"]["id"], e["node"]["name"], e["node"]["date"]]
                              for e in m["edges"]]]  # fmt: skip


# -- 9. a text filter: meetings whose name, aliases or description contain a text ------------
#
# Ours is case-insensitive and reads its candidates from the `entity_search` full-text index;
# the peer's `contains` is case-sensitive and scans, so the cases are texts whose matches
# do not depend on case (`cases.py`).

TEXT_OURS = """
query Text($text: String!) {
  meetings(where: {text: $text}, orderBy: [{field: NAME}], first: 20) {
    totalCount
    edges { node { slug name } }
  }
}
"""

TEXT_PEER = """
query Text($text: String!) {
  meetingsConnection(first: 20, sort: [{name: ASC}, {id: ASC}],
                     where: {OR: [{name: {contains: $text}}, {aliasText: {contains: $text}},
                                  {description: {contains: $text}}]}) {
    totalCount
    edges { node { id name } }
  }
}
"""

_TEXT = (
    "(n:Meeting) WHERE toLower(n.name) CONTAINS $text "
    "OR toLower(coalesce(n.aliasText, '')) CONTAINS $text "
    "OR toLower(coalesce(n.description, '')) CONTAINS $text"
)
TEXT_RAW = (
    f"RETURN {{totalCount: COUNT {{ MATCH {_TEXT} }}, edges: COLLECT {{ MATCH {_TEXT} "
    "WITH n ORDER BY n.name, n.id LIMIT 20 "
    "RETURN {node: {slug: n.id, name: n.name}} }} AS data"
)


def canon_text(data: Json) -> Json:
    m = data["meetings"]
    return [m["totalCount"], [[e["node"]["slug"], e["node"]["name"]] for e in m["edges"]]]


def canon_text_peer(data: Json) -> Json:
    m = data["meetingsConnection"]
    return [m["totalCount"], [[e["node"]["id"], e["node"]["name"]] for e in m["edges"]]]


# -- the mix ------------------------------------------------------------------------------------

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "entity_page",
        0.30,
        ENTITY_PAGE_OURS,
        ENTITY_PAGE_PEER,
        ENTITY_PAGE_RAW,
        "node",
        _same,
        _same,
        _same,
        canon_entity_page,
        canon_entity_page_peer,
        "a person: delegations led / joined (meetings, members), posts (other holders), "
        "sources on every fact; pages of 10",
    ),
    Operation(
        "search",
        0.25,
        SEARCH_OURS,
        SEARCH_PEER,
        SEARCH_RAW,
        "search",
        lambda c: {"q": c["text"]},
        lambda c: {"phrase": lucene_phrase(c["text"])},
        lambda c: {"phrase": lucene_phrase(c["text"])},
        canon_search,
        canon_search_peer,
        "full-text search (entity_search index), 10 hits with total",
    ),
    Operation(
        "meetings_range",
        0.15,
        MEETINGS_OURS,
        MEETINGS_PEER,
        MEETINGS_RAW,
        "meetings",
        _same,
        _same,
        _same,
        canon_meetings,
        canon_meetings_peer,
        "meetings possibly in a date range, by date, 100 rows, 10 participants each, total",
    ),
    Operation(
        "timeline",
        0.15,
        TIMELINE_OURS,
        TIMELINE_PEER,
        TIMELINE_RAW,
        "timeline",
        _same,
        _same,
        _same,
        canon_timeline,
        canon_timeline_peer,
        "an actor's dated facts in order, first 20, with total",
    ),
    Operation(
        "shortest_path",
        0.05,
        PATHS_OURS,
        PATHS_PEER,
        PATHS_RAW,
        "paths",
        _same,
        _same,
        _same,
        canon_paths,
        canon_paths_peer,
        "all shortest paths (<= 4 hops, first 5) between two actors",
    ),
    Operation(
        "neighborhood",
        0.10,
        NEIGHBOURHOOD_OURS,
        NEIGHBOURHOOD_PEER,
        NEIGHBOURHOOD_RAW,
        "neighborhood",
        _same,
        _same,
        _same,
        canon_neighbourhood,
        canon_neighbourhood_peer,
        "entities within 2 hops (nearest 50, the center's own facts before hubs) and the "
        "edges among them",
    ),
    # Out of the mix (weight 0): measured alone, with db hits against the peer's.
    Operation(
        "meetings_by_year",
        0.0,
        MEETINGS_BY_YEAR_OURS,
        MEETINGS_BY_YEAR_PEER,
        MEETINGS_BY_YEAR_RAW,
        "meetings",
        _same,
        by_year_peer_vars,
        _same,
        canon_by_year,
        canon_by_year_peer,
        "meetings held in a country over five years: count, first and last date, per year",
    ),
    Operation(
        "meetings_filtered",
        0.0,
        FILTERED_OURS,
        FILTERED_PEER,
        FILTERED_RAW,
        "meetings",
        _same,
        _same,
        _same,
        canon_filtered,
        canon_filtered_peer,
        "meetings by name prefix and date, by name, 20 rows with total",
    ),
    Operation(
        "meetings_text",
        0.0,
        TEXT_OURS,
        TEXT_PEER,
        TEXT_RAW,
        "meetings",
        _same,
        _same,
        _same,
        canon_text,
        canon_text_peer,
        "meetings whose name, aliases or description contain a text, by name, 20 rows with total",
    ),
)

BY_NAME = {op.name: op for op in OPERATIONS}
