"""Fixtures: a real Neo4j for the whole session, and the API served over real HTTP.

The suite starts its own local Neo4j on free ports with a throwaway data directory,
and stops it at the end. It uses another server only when DIPLOGRAPH_TEST_NEO4J_URI
names it, and only a database it claimed (tests/dbsafety.py); NEO4J_URI and `.env`
never redirect it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from neo4j import Driver

from diplograph.settings import Settings
from graph.driver import connect
from graph.migrations import migrate
from graph.repository import write_knowledge
from graph.server import LocalNeo4j, free_port
from loaders.knowledge import read_knowledge
from schema.app import create_app
from schema.protocol import server_options
from tests import dbsafety
from tests.dbsafety import claim, external_uri, suite_settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
API_TOKEN = "test-token-not-a-secret"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j | None]:
    if external_uri():
        yield None
        return
    settings = suite_settings(
        local=True,
        DIPLOGRAPH_BOLT_PORT=free_port(),
        DIPLOGRAPH_HTTP_PORT=free_port(),
        # Browser on the test server fetches its style and guide from an API on this port.
        DIPLOGRAPH_API_PORT=free_port(),
        DIPLOGRAPH_NEO4J_DATA=tmp_path_factory.mktemp("neo4j"),
        DIPLOGRAPH_NEO4J_HEAP="768m",
        DIPLOGRAPH_NEO4J_PAGECACHE="256m",
    )
    server = LocalNeo4j(settings)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def settings(neo4j_server: LocalNeo4j | None) -> Settings:
    if neo4j_server is None:
        return suite_settings()
    return neo4j_server.settings


@pytest.fixture(scope="session")
def driver(settings: Settings) -> Iterator[Driver]:
    driver = connect(settings)
    claim(driver, settings.neo4j_database, settings.bolt_uri)
    migrate(driver, settings.neo4j_database)
    yield driver
    driver.close()


def wipe(driver: Driver, settings: Settings) -> None:
    dbsafety.wipe(driver, settings.neo4j_database)


@pytest.fixture
def empty_db(driver: Driver, settings: Settings) -> Driver:
    """The database, emptied (constraints and indexes stay)."""
    wipe(driver, settings)
    return driver


@pytest.fixture
def loaded_db(empty_db: Driver, settings: Settings) -> Driver:
    """The database holding exactly the articles and the curated knowledge."""
    write_knowledge(empty_db, settings.neo4j_database, read_knowledge())
    return empty_db


class LiveServer:
    """The ASGI app served by uvicorn in a thread, on a free loopback port."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning",
            **server_options(settings),  # as `diplograph serve` runs it
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        self.wait_until_warm()
        return self

    def wait_until_warm(self, within: float = 150.0) -> dict[str, Any]:
        """The body of /readyz once Neo4j's plans are warmed (done or out of time; or
        Neo4j unavailable: nothing to warm then), as a load balancer waits for it at
        start (a later warm-up leaves /readyz ready: this waits for it too)."""
        deadline = time.monotonic() + within
        while True:
            body: dict[str, Any] = httpx.get(f"{self.url}/readyz", timeout=10).json()
            warming = body["status"] == "warming" or body["warmup"]["state"] == "running"
            if not warming or time.monotonic() > deadline:
                return body
            time.sleep(0.05)

    def wait_until_ready(self, within: float = 30.0) -> dict[str, Any]:
        """The body of /readyz once it says ready (or the last one, after `within` s): a
        probe that timed out on a busy machine right after Neo4j came back reports
        unavailable until the next one answers (schema/app.py, every READY_INTERVAL)."""
        deadline = time.monotonic() + within
        while True:
            body = self.wait_until_warm(within)
            if body["status"] == "ready" or time.monotonic() > deadline:
                return body
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def api(settings: Settings, driver: Driver) -> Iterator[httpx.Client]:
    """An HTTP client bound to the running API (mutations need API_TOKEN)."""
    api_settings = settings.model_copy(update={"api_token": API_TOKEN})
    with LiveServer(api_settings) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def knowledge_graph(driver: Driver, settings: Settings) -> Driver:
    """The articles and curated knowledge, loaded once for a module that only reads."""
    wipe(driver, settings)
    write_knowledge(driver, settings.neo4j_database, read_knowledge())
    return driver


def graphql(
    client: httpx.Client, query: str, headers: dict[str, str] | None = None, **variables: object
) -> dict[str, Any]:
    """POST a GraphQL request; return the whole response body."""
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body
