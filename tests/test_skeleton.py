"""The walking skeleton, end to end on a real Neo4j."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from neo4j import Driver

from diplograph.settings import Settings
from graph.migrations import constraint_names
from graph.repository import count_by_label, write_knowledge
from graph.server import LocalNeo4j
from graph.warmup import RUNNING, TIMED_OUT, HotStatements, Warmup
from loaders.articles import clean_text
from loaders.knowledge import SOURCES_DIR, read_knowledge
from schema.app import READY_INTERVAL, READY_TIMEOUT, Readiness, readyz
from tests.conftest import graphql


def test_driver_runs_cypher(driver: Driver, settings: Settings) -> None:
    records, _, _ = driver.execute_query("RETURN 40 + 2 AS answer",
                                         database_=settings.neo4j_database)  # fmt: skip
    assert records[0]["answer"] == 42


def test_server_is_neo4j_526_community(driver: Driver, settings: Settings) -> None:
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition"
    )
    assert records[0]["v"].startswith("5.26.")
    assert records[0]["edition"] == "community"


def test_constraints_exist(driver: Driver, settings: Settings) -> None:
    names = constraint_names(driver, settings.neo4j_database)
    assert {"entity_id", "document_id", "candidate_id", "person_id", "meeting_id"} <= names


def test_page_chrome_is_stripped() -> None:
    raw = (SOURCES_DIR / "001_71d39a9fa7f03c23.txt").read_text()
    text = clean_text(raw)
    assert text.startswith("Committed To Safe And Legal Cuban Migration")
    assert "Accessibility links" not in text
    assert "Breaking News" not in text
    assert not text.rstrip().endswith("LG")
    assert text.count("Little Havana, a neighborhood of Miami") == 1


def test_loading_twice_leaves_one_node_per_document(empty_db: Driver, settings: Settings) -> None:
    knowledge = read_knowledge()
    write_knowledge(empty_db, settings.neo4j_database, knowledge)
    first = count_by_label(empty_db, settings.neo4j_database)
    summary = write_knowledge(empty_db, settings.neo4j_database, knowledge)
    assert count_by_label(empty_db, settings.neo4j_database) == first
    assert first["Document"] == 2
    assert sum(summary.created.values()) == 0


def test_documents_query_over_http(loaded_db: Driver, api: httpx.Client) -> None:
    body = graphql(api, "{ documents { edges { node { id slug title text } } } }")
    assert "errors" not in body, body
    docs = [e["node"] for e in body["data"]["documents"]["edges"]]  # type: ignore[index]
    assert {d["slug"] for d in docs} == {
        "advancing-the-dialogue-with-cuba",
        "committed-to-safe-and-legal-cuban-migration",
    }
    for doc in docs:
        assert "Breaking News" not in doc["text"]
        assert doc["text"].startswith(doc["title"])


def test_graphiql_is_served_to_browsers_with_local_assets(api: httpx.Client) -> None:
    response = api.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    # Offline machines have no CDN: every asset comes from this server.
    assert "unpkg.com" not in response.text
    script = api.get("/graphiql-assets/graphiql/graphiql.min.js")
    assert script.status_code == 200 and len(script.content) > 100_000


def test_graphiql_assets_are_the_files_its_page_loads_and_no_other(api: httpx.Client) -> None:
    # All of node_modules was served: `.package-lock.json` (every dependency's version),
    # `.installed` (hostile review 13h, item 9).
    page = api.get("/graphql", headers={"accept": "text/html"}).text
    loaded = re.findall(r'"(/graphiql-assets/[^"]+)"', page)
    assert len(loaded) == 7, loaded
    for path in loaded:
        assert api.head(path).status_code == 200, path
    for path in ("/.package-lock.json", "/.installed", "/graphiql/package.json", "/",
                 "/graphiql", "/graphiql/graphiql.min.js.map", "/%2e%2e/package.json"):  # fmt: skip
        response = api.get("/graphiql-assets" + path)
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_healthz(api: httpx.Client) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}


def test_readyz_follows_neo4j(
    neo4j_server: LocalNeo4j | None, api: httpx.Client, driver: Driver
) -> None:
    if neo4j_server is None:
        pytest.skip("NEO4J_URI points at an external server this suite must not stop")
    assert api.get("/readyz").status_code == 200
    for _ in range(2):  # run more than once: a statement the API now knows as hot
        assert "errors" not in graphql(api, HOT)
    neo4j_server.stop()
    stopped = time.monotonic()
    try:
        # /readyz answers from a background check: an outage shows within its bound.
        while (response := api.get("/readyz")).status_code == 200:
            assert time.monotonic() - stopped < READY_INTERVAL + READY_TIMEOUT + 0.5
            time.sleep(0.05)
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        # Answered from the last check, not by waiting on the database.
        started = time.monotonic()
        assert api.get("/readyz").status_code == 503
        assert time.monotonic() - started < 0.5
    finally:
        neo4j_server.start()
    deadline = time.monotonic() + 30
    while (response := api.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "API did not become ready after Neo4j restarted"
        time.sleep(0.2)
    # Ready as soon as Neo4j answers: the worker was ready before the outage. Neo4j,
    # restarted with no plan cached, plans the API's hot statements again meanwhile
    # (EXPLAIN, graph/warmup.py), the most run first: HOT's among them; or runs out of
    # time (a freshly started JVM on a busy machine plans slowly), as it says.
    while (warmup := api.get("/readyz").json()["warmup"])["state"] == RUNNING:
        assert time.monotonic() < deadline + 60, warmup
        time.sleep(0.2)
    assert warmup["state"] in ("done", "timedOut") and warmup["warmed"] >= 1, warmup
    assert "errors" not in graphql(api, HOT)


HOT = "{ people(first: 2) { totalCount edges { node { name } } } }"


def test_readyz_is_503_while_neo4j_plans_are_first_warmed() -> None:
    """Hostile review: a flood of new query shapes made Neo4j miss a check, and the warm-up
    that followed kept /readyz at 503 for 35 s. Only a worker's first warm-up does."""
    readiness = Readiness(error=None)
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(readiness=readiness)))
    readiness.warmup.state = RUNNING
    response = asyncio.run(readyz(request))  # type: ignore[arg-type]
    assert response.status_code == 503
    assert json.loads(response.body)["status"] == "warming"
    readiness.warmup.state = TIMED_OUT  # out of time: ready all the same, and says so
    response = asyncio.run(readyz(request))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert json.loads(response.body)["warmup"]["state"] == "timedOut"
    readiness.warmed_once, readiness.warmup.state = True, RUNNING  # after an outage
    response = asyncio.run(readyz(request))  # type: ignore[arg-type]
    assert response.status_code == 200
    assert json.loads(response.body)["warmup"]["state"] == "running"


def test_the_warm_up_plans_only_statements_run_again_the_most_run_first() -> None:
    """Hostile review: after a restart the warm-up ran out of time on one-off statements
    (51 to warm, 17 warmed, most of them an attacker's new shapes), leaving the everyday
    ones unplanned."""
    hot = HotStatements(size=3)
    for cypher in ("everyday", "one-off", "everyday", "other", "everyday", "other"):
        hot.add(cypher, {"cypher": cypher})
    assert [c for c, _ in hot.hottest()] == ["everyday", "other"]
    hot.add("newest", {})  # a one-off is forgotten first, however recent
    hot.add("newer", {})
    assert "one-off" not in hot and "newest" not in hot and "newer" in hot
    assert [c for c, _ in hot.hottest()] == ["everyday", "other"]
    assert hot.hottest()[0][1] == {"cypher": "everyday"}
    hot.add("newer", {})  # run again: hot; with no one-off left, the least recently run goes
    hot.add("newest", {})
    assert [c for c, _ in hot.hottest()] == ["newer", "other"] and "everyday" not in hot


def test_a_running_warm_up_reports_its_time_so_far() -> None:
    progress = Warmup(state=RUNNING, started=time.monotonic() - 2.0)
    assert progress.report()["seconds"] >= 2.0
    progress.state, progress.seconds = TIMED_OUT, 3.5  # over: the time it took
    assert progress.report()["seconds"] == 3.5


def test_start_without_java_17_says_so(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "JAVA_HOME": "/usr/lib/jvm/no-such-jdk",
        "DIPLOGRAPH_NEO4J_DATA": str(tmp_path),
    }
    env.pop("NEO4J_URI", None)
    result = subprocess.run(
        [sys.executable, "-m", "diplograph", "neo4j", "start"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "needs Java 17 or 21" in result.stderr
    assert "JAVA_HOME=/usr/lib/jvm/no-such-jdk" in result.stderr


def test_neo4j_browser_gets_the_style(neo4j_server: LocalNeo4j | None, api: httpx.Client) -> None:
    style = api.get("/neo4j-browser.grass")
    assert style.status_code == 200
    assert "node.Person" in style.text and 'caption: "{name}"' in style.text
    if neo4j_server is not None:
        conf = (neo4j_server.conf_dir / "neo4j.conf").read_text()
        api_url = neo4j_server.settings.api_url
        assert (
            f"browser.post_connect_cmd=style {api_url}/neo4j-browser.grass; "
            f"play {api_url}/neo4j-browser-guide.html\n" in conf
        )
        assert "client.allow_telemetry=false\n" in conf


ROOT = Path(__file__).resolve().parent.parent


def test_starting_and_stopping_neo4j_needs_no_npm() -> None:
    """`make neo4j-start` / `neo4j-stop` need the Python environment only: with the npm
    lock files newer than their installs (`-W`), make would still run no `npm ci`."""
    stale = ["-W", "schema/graphiql/package-lock.json", "-W", "tests/conformance/package-lock.json"]
    for target in ("neo4j-start", "neo4j-stop"):
        plan = subprocess.run(["make", "-n", *stale, target], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        assert f"diplograph neo4j {target.removeprefix('neo4j-')}" in plan
        assert "npm" not in plan, plan
    # `install` does run it, so the check above could fail.
    plan = subprocess.run(["make", "-n", *stale, "install"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "npm ci" in plan
