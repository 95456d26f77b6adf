"""A counted root list sorted by name, filtered on the name: the window read in name order
from the range index (many matches) is the window the top-k over the matches gives (few),
and costs Neo4j less (issue 13f, `graph/reads.py` `name_ordered`).

The graph is synthetic: meetings named "Zq NNN" (three share a name, so the id breaks the
tie), and people named among them, which the name index also yields."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from neo4j import Driver

from diplograph.settings import Settings
from graph import reads
from graph.projection import Compare, Filter, NodeProjection, Page, Prop
from graph.reads import Order, Statement
from tests.conftest import wipe

START = date(2000, 1, 1)


def meetings() -> list[dict[str, Any]]:
    rows = [
        {"id": f"zq-{i:03d}", "name": f"Zq {i:03d}", "dateFrom": START + timedelta(days=i)}
        for i in range(150)
    ]
    # Three meetings share one name and come out in id order.
    rows += [
        {"id": f"zq-010-{tie}", "name": "Zq 010", "dateFrom": START + timedelta(days=10)}
        for tie in "cab"
    ]
    return rows


@pytest.fixture(scope="module")
def zq_graph(driver: Driver, settings: Settings) -> Driver:
    wipe(driver, settings)
    driver.execute_query(
        "UNWIND $rows AS r CREATE (:Meeting:Entity {id: r.id, name: r.name, dateFrom: r.dateFrom})",
        rows=meetings(),
        database_=settings.neo4j_database,
    )
    driver.execute_query(
        "UNWIND range(0, 59) AS i CREATE (:Person:Entity {id: 'zq-person-' + i, "
        "name: 'Zq ' + right('00' + toString(2 * i + 1), 3) + ' person'})",
        database_=settings.neo4j_database,
    )
    return driver


def run(driver: Driver, settings: Settings, statement: Statement) -> tuple[dict[str, Any], int]:
    """The statement's record and its db hits."""
    records, summary, _ = driver.execute_query(
        "PROFILE " + statement.cypher, statement.bound(None), database_=settings.neo4j_database
    )

    def hits(plan: dict[str, Any]) -> int:
        return int(plan.get("dbHits", 0)) + sum(hits(c) for c in plan.get("children", []))

    return records[0].data(), hits(summary.profile or {})


def window(since: date, offset: int, descending: bool) -> Statement:
    prefix, dated = Compare("name", "startsWith", "Zq"), Compare("dateFrom", "gte", since)
    where = Filter(compares=[prefix, dated])
    return reads.list_entities(
        ("Meeting",), where, [Order("NAME", descending)], Page(offset=offset, limit=20),
        NodeProjection([("name", Prop("name"))]), True,
    )  # fmt: skip


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("offset", [0, 7])
@pytest.mark.parametrize("matched", [153, 30])
def test_name_ordered_window_is_the_top_k(
    zq_graph: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch,
    matched: int, offset: int, descending: bool,
) -> None:  # fmt: skip
    since = START + timedelta(days=150 - matched) if matched < 150 else START
    expected = sorted(
        (m for m in meetings() if m["dateFrom"] >= since),
        key=lambda m: (m["name"], m["id"]), reverse=descending,
    )[offset : offset + 20]  # fmt: skip
    got, hits = run(zq_graph, settings, window(since, offset, descending))
    assert got["total"] == matched
    assert [(i["node"]["id"], i["node"]["name"]) for i in got["items"]] == [
        (m["id"], m["name"]) for m in expected
    ]
    many = matched > reads.NAME_ORDERED_MATCHES * (offset + 20)
    # The same request always answered by the top-k over the matches.
    monkeypatch.setattr(reads, "NAME_ORDERED_MATCHES", 10**6)
    top_k, top_k_hits = run(zq_graph, settings, window(since, offset, descending))
    assert top_k["items"] == got["items"] and top_k["total"] == got["total"]
    if many:
        assert hits < top_k_hits  # the read in name order stopped early
    else:
        assert hits == top_k_hits  # too few matches: the top-k it is


def test_a_name_under_or_keeps_the_top_k(
    zq_graph: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `OR` the planner unions index seeks, out of name order: read in name order
    the window cost about twice the top-k's db hits."""
    either = [Filter(compares=[Compare("dateFrom", "gte", START)]),
              Filter(compares=[Compare("name", "contains", "9")])]  # fmt: skip
    where = Filter(compares=[Compare("name", "startsWith", "Zq")], any_of=either)

    def statement() -> Statement:
        return reads.list_entities(
            ("Meeting",), where, [Order("NAME")], Page(limit=20),
            NodeProjection([("name", Prop("name"))]), True,
        )  # fmt: skip

    got, hits = run(zq_graph, settings, statement())
    monkeypatch.setattr(reads, "NAME_ORDERED_MATCHES", 10**6)
    top_k, top_k_hits = run(zq_graph, settings, statement())
    assert got == top_k and got["total"] == 153
    assert hits <= top_k_hits
