"""Neo4j faults: stopped, frozen or killed under traffic and loads; concurrent loaders.

These tests start a Neo4j of their own (free ports, a temporary data directory),
because they stop, freeze and kill it; the session's server, which the other tests
use, is never touched. `make chaos` runs them for more rounds
(DIPLOGRAPH_CHAOS_ROUNDS).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graph.bulk import BATCH_SIZE
from graph.driver import WRITE_RETRY_SECONDS, connect
from graph.migrations import migrate
from graph.repository import write_knowledge
from graph.server import LocalNeo4j, free_port
from loaders.knowledge import read_knowledge
from schema.context import CLIENT_GRACE_SECONDS
from tests.conftest import API_TOKEN, LiveServer
from tests.dbsafety import claim, external_uri, suite_settings
from tests.faultkit import (
    NORMAL_QUERIES,
    Answer,
    Counts,
    Traffic,
    diplograph,
    exchange,
    finish,
    generate_visits,
    wipe,
)

ROUNDS = int(os.environ.get("DIPLOGRAPH_CHAOS_ROUNDS", "1"))
QUERY_TIMEOUT = 3.0
# The longest a request may wait on Neo4j: its timeout plus the API's grace.
DEADLINE = QUERY_TIMEOUT + CLIENT_GRACE_SECONDS
SLACK = 1.5  # scheduling on a busy 2-core machine
RECOVERY_SECONDS = 10.0
WARMUP_SECONDS = 120.0  # the API's warm-up budget in these tests (a freshly started JVM)
MUTATIONS = (
    "mutation { upsertKnowledge(facts: {}) { created { label } } }",
    'mutation { ingestDocument(text: "A Title\\n\\nText about Cuba.") { slug } }',
)
VISITS = 6_000  # about 36,000 rows for the bulk loader: a dozen batches

pytestmark = pytest.mark.skipif(
    bool(external_uri()),
    reason="DIPLOGRAPH_TEST_NEO4J_URI is set: these tests stop and kill a Neo4j, so they "
    "need a local one",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    """A Neo4j only this module uses, so it may be stopped and killed."""
    settings = suite_settings(
        local=True,
        DIPLOGRAPH_BOLT_PORT=free_port(),
        DIPLOGRAPH_HTTP_PORT=free_port(),
        DIPLOGRAPH_NEO4J_DATA=tmp_path_factory.mktemp("faulty-neo4j"),
        DIPLOGRAPH_NEO4J_HEAP="512m",
        DIPLOGRAPH_NEO4J_PAGECACHE="128m",
        DIPLOGRAPH_QUERY_TIMEOUT=QUERY_TIMEOUT,
    )
    neo4j = LocalNeo4j(settings)
    start(neo4j)
    try:
        yield neo4j
    finally:
        resume(neo4j)
        neo4j.stop()


def resume(neo4j: LocalNeo4j) -> None:
    """Undo a SIGSTOP (a no-op for a running or absent server)."""
    pid = neo4j.pid()
    if pid is not None:
        os.kill(pid, signal.SIGCONT)


def start(neo4j: LocalNeo4j) -> None:
    """Start the server and wait until its database answers (LocalNeo4j.start returns as
    soon as Bolt listens, while the database itself may still be starting)."""
    neo4j.start()
    driver = connect(neo4j.settings)
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                driver.execute_query("RETURN 1", database_=neo4j.settings.neo4j_database)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        driver.close()


def running(neo4j: LocalNeo4j) -> LocalNeo4j:
    """The server, started again if an earlier test left it down."""
    resume(neo4j)
    if neo4j.pid() is None:
        start(neo4j)
    return neo4j


@pytest.fixture
def db(server: LocalNeo4j) -> Iterator[Driver]:
    driver = connect(running(server).settings)
    claim(driver, server.settings.neo4j_database, server.settings.bolt_uri)
    migrate(driver, server.settings.neo4j_database)
    try:
        yield driver
    finally:
        driver.close()


def query_body(n: int) -> dict[str, Any]:
    return {"query": NORMAL_QUERIES[n % len(NORMAL_QUERIES)]}


def ask(client: httpx.Client, query: str = NORMAL_QUERIES[0]) -> Answer:
    return exchange(client, {"query": query})


def readyz(client: httpx.Client) -> tuple[int, float]:
    started = time.monotonic()
    status = client.get("/readyz").status_code
    return status, time.monotonic() - started


def wait_until_served(client: httpx.Client, within: float) -> float:
    """Seconds until a query is answered with data (fails after `within`); counted from
    when Neo4j's database answers again."""
    started = time.monotonic()
    while time.monotonic() - started < within + DEADLINE:
        answer = ask(client)
        if answer.status == 200 and answer.data and not answer.codes:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"the API did not answer within {within:g}s of Neo4j's restart")


def assert_handled(answers: list[Answer], allowed: set[str]) -> None:
    """Every answer is a 200 with coded errors from `allowed`, within the deadline."""
    for a in answers:
        assert a.status == 200, a
        assert set(a.codes) <= allowed, a
        assert a.seconds <= DEADLINE + SLACK, a


# -- the API while Neo4j is stopped, frozen, restarted ---------------------------------------------


def test_api_fails_fast_while_neo4j_is_stopped_and_recovers_without_restart(
    server: LocalNeo4j, db: Driver
) -> None:
    settings = server.settings
    wipe(db, settings.neo4j_database)
    write_knowledge(db, settings.neo4j_database, read_knowledge())
    # Time for a freshly restarted Neo4j to plan the traffic's statements on a busy machine.
    with_token = settings.model_copy(
        update={"api_token": API_TOKEN, "warmup_seconds": WARMUP_SECONDS}
    )
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    with LiveServer(with_token) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        # Every statement of the traffic has run twice: the API knows them as hot.
        for _ in range(2):
            assert all(ask(client, q).data for q in NORMAL_QUERIES)
        assert readyz(client)[0] == 200
        for _ in range(ROUNDS):
            with Traffic(live.url, query_body, workers=2) as traffic:
                time.sleep(1.0)
                server.stop()
                down = [ask(client, q) for q in NORMAL_QUERIES]
                probes = [readyz(client) for _ in range(3)]
                mutations = [exchange(client, {"query": q}, headers=auth) for q in MUTATIONS]
                start(server)
                # Neo4j restarted with no plan cached: a query times out (3 s here) until
                # its statement is planned again, which the API's warm-up (EXPLAIN, before
                # /readyz says ready) starts at once; on a busy machine planning cold takes
                # seconds per statement.
                recovered = wait_until_served(client, RECOVERY_SECONDS + WARMUP_SECONDS)
                ready = live.wait_until_ready()
                ready_at = time.monotonic()
                first = [ask(client, q) for q in NORMAL_QUERIES]
                time.sleep(1.5)
            # Refused connections fail fast, as DATABASE_UNAVAILABLE.
            assert all(a.codes == ["DATABASE_UNAVAILABLE"] and not a.data for a in down), down
            assert max(a.seconds for a in down) < 3.0, down
            assert all(status == 503 and seconds < 3.0 for status, seconds in probes), probes
            warmup = ready["warmup"]
            # Reconnected without a restart; beyond the bound only the planner's time.
            assert recovered <= RECOVERY_SECONDS + warmup["seconds"], (recovered, ready)
            assert ready["status"] == "ready" and warmup["state"] == "done", ready
            assert warmup["warmed"] == warmup["statements"] >= len(NORMAL_QUERIES), ready
            assert all(a.data and not a.codes for a in first), first
            # Mutations (the synchronous driver, a longer retry budget) fail clearly too.
            for mutation in mutations:
                assert mutation.codes == ["DATABASE_UNAVAILABLE"], mutation
                # Bounded, not timed: the write retry window plus one connection timeout.
                assert mutation.seconds < WRITE_RETRY_SECONDS + 5.0 + 3.0, mutation
            print(f"stopped: {len(down)} queries refused in at most "
                  f"{max(a.seconds for a in down):.2f}s; served again {recovered:.1f}s after "
                  f"the restart; {warmup['warmed']} statements warmed in "
                  f"{warmup['seconds']:.2f}s; {len(traffic.answers)} background "
                  "requests")  # fmt: skip
            # The background clients: answered, coded, bounded, never a 500 or an internal error.
            assert len(traffic.answers) > 10
            assert_handled(traffic.answers, {"DATABASE_UNAVAILABLE", "TIMEOUT"})
            assert any(a.codes == ["DATABASE_UNAVAILABLE"] for a in traffic.answers)
            # Once ready (plans warm), every request is answered.
            after = [a for a in traffic.answers if a.started > ready_at]
            assert after and all(a.data and not a.codes for a in after), after
            assert readyz(client)[0] == 200


def test_api_times_out_on_a_frozen_neo4j_and_recovers(server: LocalNeo4j, db: Driver) -> None:
    settings = server.settings
    if not Counts.of(db, settings.neo4j_database).labels:
        write_knowledge(db, settings.neo4j_database, read_knowledge())
    with LiveServer(settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        assert ask(client).data
        pid = server.pid()
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # the process stays, answers nothing: a hung server
        try:
            frozen = [ask(client) for _ in range(2)]
            probe = readyz(client)
        finally:
            os.kill(pid, signal.SIGCONT)
        assert all(a.codes == ["TIMEOUT"] for a in frozen), frozen
        assert all(DEADLINE - 0.5 <= a.seconds <= DEADLINE + SLACK for a in frozen), frozen
        assert probe[0] == 503 and probe[1] < 2.0 + SLACK, probe
        recovered = wait_until_served(client, RECOVERY_SECONDS)
        assert recovered <= RECOVERY_SECONDS
        print(f"frozen: TIMEOUT after {max(a.seconds for a in frozen):.2f}s, /readyz 503 after "
              f"{probe[1]:.2f}s; served again {recovered:.1f}s after SIGCONT")  # fmt: skip


# -- the bulk loader killed mid-load, and two loaders at once ---------------------------------


@pytest.fixture(scope="module")
def visits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_visits(tmp_path_factory.mktemp("hsg"), VISITS)


def load_hsg(data: Path) -> list[str]:
    return ["load", "hsg", str(data), "--only", "visits"]


@pytest.fixture(scope="module")
def clean_load(server: LocalNeo4j, visits: Path) -> Counts:
    """The counts after one uninterrupted load of the generated visits into an empty graph."""
    settings = running(server).settings
    driver = connect(settings)
    try:
        claim(driver, settings.neo4j_database, settings.bolt_uri)
        migrate(driver, settings.neo4j_database)
        wipe(driver, settings.neo4j_database)
        done = finish(diplograph(settings, *load_hsg(visits)))
        assert done.code == 0, done.output
        counts = Counts.of(driver, settings.neo4j_database)
    finally:
        driver.close()
    assert counts.labels.get("Meeting") == VISITS, counts
    return counts


def entity_count(db: Driver, database: str) -> int:
    try:
        records, _, _ = db.execute_query(
            "MATCH (n:Entity) RETURN count(n) AS n", database_=database
        )
    except Exception:  # a failed poll just polls again
        return 0
    return int(records[0]["n"])


def test_neo4j_killed_during_a_bulk_load_then_the_same_command_completes(
    server: LocalNeo4j, db: Driver, visits: Path, clean_load: Counts
) -> None:
    settings = server.settings
    database = settings.neo4j_database
    for _ in range(ROUNDS):
        wipe(db, database)
        loader = diplograph(settings, *load_hsg(visits))
        deadline = time.monotonic() + 120
        while entity_count(db, database) == 0 and loader.poll() is None:
            assert time.monotonic() < deadline, "the loader wrote nothing within 120s"
            time.sleep(0.05)
        assert loader.poll() is None, "the loader finished before it could be interrupted"
        server.kill()
        killed = finish(loader, timeout=120)
        assert killed.code != 0, killed.output
        assert "Traceback" not in killed.output, killed.output
        assert "error:" in killed.stderr and "Neo4j" in killed.stderr, killed.stderr
        print(f"killed mid-load: exit {killed.code}: {killed.stderr.strip().splitlines()[-1]}")

        start(server)
        partial = Counts.of(db, database)
        # Whole batches only: each label or type has all its rows or whole batches of them.
        for name, n in {**partial.labels, **partial.types}.items():
            full = {**clean_load.labels, **clean_load.types}.get(name, 0)
            assert name == "Entity" or n == full or n % BATCH_SIZE == 0, (name, n, partial)
        assert partial.total < clean_load.total, "the kill came after the load had finished"
        print(f"after the kill: {partial.total} of {clean_load.total} nodes and relationships")

        rerun = finish(diplograph(settings, *load_hsg(visits)))
        assert rerun.code == 0, rerun.output
        assert Counts.of(db, database) == clean_load


def test_two_bulk_loaders_at_once_equal_one_load(
    server: LocalNeo4j, db: Driver, visits: Path, clean_load: Counts
) -> None:
    settings = server.settings
    for _ in range(ROUNDS):
        wipe(db, settings.neo4j_database)
        loaders = [diplograph(settings, *load_hsg(visits)) for _ in range(2)]
        results = [finish(p) for p in loaders]
        for result in results:
            # A loader that loses a race may fail, but clearly (and the other completes).
            assert result.code == 0 or (
                "error:" in result.stderr and "Traceback" not in result.output
            ), result.output
        assert any(r.code == 0 for r in results), [r.output for r in results]
        print("two bulk loaders at once: exit codes", [r.code for r in results])
        assert Counts.of(db, settings.neo4j_database) == clean_load


def test_two_curated_loaders_at_once_equal_one_load(server: LocalNeo4j, db: Driver) -> None:
    settings = server.settings
    wipe(db, settings.neo4j_database)
    single = finish(diplograph(settings, "load"))
    assert single.code == 0, single.output
    once = Counts.of(db, settings.neo4j_database)
    for _ in range(ROUNDS):
        wipe(db, settings.neo4j_database)
        results = [finish(p) for p in [diplograph(settings, "load") for _ in range(2)]]
        assert all(r.code == 0 for r in results), [r.output for r in results]
        assert Counts.of(db, settings.neo4j_database) == once
