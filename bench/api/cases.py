"""The parameters each operation is asked with, chosen from the loaded graph."""

from __future__ import annotations

import itertools
from typing import Any

from neo4j import Driver, RoutingControl

from bench.api.operations import PAGE, YEARS

Cases = dict[str, list[dict[str, Any]]]

SEARCH_TEXTS = (
    "migration",
    "Havana",
    "trade tariffs",
    "nuclear",
    "Kelley",
    "human rights",
    "delegation talks",
    "embassy",
)

# Candidates for the text filter (`meetings_text`), kept when case does not change their
# matches.
FILTER_TEXTS = ("avana", "summit", "ission", "trade talks", "in paris", "talks", "nuclear", "visit")


def _rows(driver: Driver, database: str, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(
        cypher, params, database_=database, routing_=RoutingControl.READ
    )
    return [dict(r) for r in records]


def choose_cases(driver: Driver, database: str, per_op: int = 8) -> Cases:
    # Entity pages: the busiest people whose first-level lists fit one page, so that the
    # peer's union lists (which @neo4j/graphql cannot sort) hold the same rows as ours.
    people = [
        r["id"]
        for r in _rows(
            driver,
            database,
            f"""
        MATCH (p:Person)
        WITH p, COUNT {{ (p)-[:LED]->(:Delegation|Organization) }} AS led,
             COUNT {{ (p)-[:MEMBER_OF]->(:Delegation|Organization) }} AS joined,
             COUNT {{ (p)-[:HOLDS_POSITION]->(:Organization) }} AS posts
        WHERE led <= {PAGE} AND joined <= {PAGE} AND posts <= {PAGE} AND led + joined + posts > 0
        RETURN p.id AS id ORDER BY led + joined + posts DESC, id LIMIT $n""",
            n=per_op,
        )
    ]
    hubs = [
        r["id"]
        for r in _rows(
            driver,
            database,
            """
        MATCH (p:Person) RETURN p.id AS id, COUNT { (p)-[r]-() WHERE NOT r:MENTIONS } AS degree
        ORDER BY degree DESC, id LIMIT 4""",
        )
    ]
    if not people:
        raise RuntimeError("the graph has no person with relationships to benchmark")
    dates = [
        r["d"]
        for r in _rows(
            driver,
            database,
            """
        MATCH (m:Meeting) WHERE m.dateFrom IS NOT NULL RETURN m.dateFrom AS d ORDER BY d""",
        )
    ]
    ranges = []
    if dates:
        span = 150  # a window holding more meetings than the page of 100
        for q in (0.2, 0.4, 0.6, 0.8):
            start = int(q * max(0, len(dates) - span))
            end = min(len(dates) - 1, start + span)
            ranges.append({"from": dates[start].iso_format(), "to": dates[end].iso_format()})
    else:
        ranges.append({"from": "1900-01-01", "to": "2100-12-31"})
    # Paths: pairs of those people (and the hubs) that are 2 to 4 hops apart, far first.
    candidates = list(dict.fromkeys(people + hubs))
    pairs = [list(p) for p in itertools.combinations(candidates, 2)]
    lengths = _rows(
        driver,
        database,
        """
        UNWIND $pairs AS pair
        MATCH (a:Entity {id: pair[0]}), (b:Entity {id: pair[1]})
        OPTIONAL MATCH p = shortestPath((a)-[*..4]-(b))
        RETURN pair, length(p) AS hops""",
        pairs=pairs,
    )
    connected = sorted(
        (r for r in lengths if r["hops"] and r["hops"] >= 2), key=lambda r: (-r["hops"], r["pair"])
    )
    paths = [{"from": r["pair"][0], "to": r["pair"][1]} for r in connected[:6]]
    if not paths:
        paths = [{"from": people[0], "to": people[-1]}]
    # Aggregation: the countries most meetings were held in, over their five busiest
    # consecutive years.
    by_year = [
        {
            "country": r["country"],
            "from": f"{r['year']}-01-01",
            "to": f"{r['year'] + YEARS - 1}-12-31",
        }
        for r in _rows(
            driver,
            database,
            """
        MATCH (m:Meeting)-[:HELD_IN]->(c:Country) WHERE m.dateFrom IS NOT NULL
        WITH c, m.dateFrom.year AS year, count(*) AS n
        WITH c, collect([year, n]) AS counts
        UNWIND counts AS start
        WITH c, start[0] AS year,
             reduce(t = 0, x IN counts | t + CASE WHEN start[0] <= x[0] < start[0] + $years
                                                  THEN x[1] ELSE 0 END) AS total
        ORDER BY total DESC, c.id, year
        WITH c, head(collect([year, total])) AS best
        RETURN c.id AS country, best[0] AS year ORDER BY best[1] DESC, country LIMIT 4""",
            years=YEARS,
        )
    ]
    # Filtered list: the commonest four-letter name prefixes of meetings, from a median date.
    filtered = [
        {"prefix": r["prefix"], "from": r["from"].iso_format()}
        for r in _rows(
            driver,
            database,
            """
        MATCH (m:Meeting) WHERE m.dateFrom IS NOT NULL
        WITH left(m.name, 4) AS prefix, collect(m.dateFrom) AS dates
        WHERE size(dates) >= 20
        WITH prefix, dates ORDER BY size(dates) DESC, prefix LIMIT 4
        UNWIND dates AS d WITH prefix, d ORDER BY d
        WITH prefix, collect(d) AS sorted
        RETURN prefix, sorted[size(sorted) / 2] AS from ORDER BY prefix""",
        )
    ]
    # Text filter: lower-case texts whose meetings are the same whatever the case (the
    # peer's `contains` is case-sensitive, ours not).
    texts = [
        {"text": r["text"]}
        for r in _rows(
            driver,
            database,
            """
        UNWIND $texts AS text
        CALL (text) {
          MATCH (m:Meeting)
          WHERE toLower(m.name) CONTAINS text OR toLower(coalesce(m.aliasText, '')) CONTAINS text
             OR toLower(coalesce(m.description, '')) CONTAINS text
          RETURN count(m) AS folded,
                 count(CASE WHEN m.name CONTAINS text OR m.aliasText CONTAINS text
                            OR m.description CONTAINS text THEN 1 END) AS exact
        }
        WITH text, folded WHERE folded > 0 AND folded = exact
        RETURN text LIMIT 4""",
            texts=list(FILTER_TEXTS),
        )
    ]
    return {
        "meetings_text": texts,
        "meetings_by_year": by_year,
        "meetings_filtered": filtered,
        "entity_page": [{"id": p} for p in people],
        "search": [{"text": t} for t in SEARCH_TEXTS],
        "meetings_range": ranges,
        "timeline": [{"of": p} for p in list(dict.fromkeys(hubs + people))[:per_op]],
        "shortest_path": paths,
        "neighborhood": [{"id": p} for p in people[: max(1, per_op // 2)]],
    }
