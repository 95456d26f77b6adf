"""What a cluster user relies on, against the test server through a `neo4j://` routing URI.

A single Neo4j answers the routing protocol too, so the driver takes the same path it
takes against a cluster: routing table, read and write members, bookmarks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
from neo4j import Driver

from diplograph.settings import Settings
from graph.migrations import migrate
from tests.conftest import API_TOKEN, LiveServer, graphql

READ = "query($id: ID!) { node(id: $id) { ... on Person { name } } }"
UPSERT = """mutation($facts: JSON!) { upsertKnowledge(facts: $facts) {
  created { label count } } }"""


def facts(person: str) -> dict[str, Any]:
    return {
        "entities": [{
            "id": person, "kind": "Person", "name": "Routing Test Person",
            "sources": [{"document": "committed-to-safe-and-legal-cuban-migration",
                         "quote": "Vice Foreign Minister Dagoberto Rodriguez Barrera"}],
        }],
    }  # fmt: skip


def routed(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "neo4j_uri": f"neo4j://{settings.neo4j_host}:{settings.bolt_port}",
            "api_token": API_TOKEN,
        }
    )


def test_a_read_right_after_a_mutation_sees_it_through_routing(
    knowledge_graph: Driver, settings: Settings
) -> None:
    with LiveServer(routed(settings)) as live, httpx.Client(base_url=live.url) as client:
        app: Any = live.server.config.app
        auth = {"authorization": f"Bearer {API_TOKEN}"}
        try:
            for n in range(5):
                person = f"routing-test-{n}"
                before = set(app.state.bookmarks.get_bookmarks())
                created = graphql(client, UPSERT, headers=auth, facts=facts(person))
                assert {"label": "Person", "count": 1} in (
                    created["data"]["upsertKnowledge"]["created"]
                ), created
                # The write's bookmark reached the manager the reads use ...
                after = set(app.state.bookmarks.get_bookmarks())
                assert after and after != before
                # ... and the read, routed to a reader, sees the write at once.
                read = graphql(client, READ, id=person)
                assert read["data"]["node"] == {"name": "Routing Test Person"}, read
        finally:
            knowledge_graph.execute_query(
                "MATCH (p:Person) WHERE p.id STARTS WITH 'routing-test-' DETACH DELETE p"
            )


def test_cli_loads_through_a_routing_uri(knowledge_graph: Driver, settings: Settings) -> None:
    env = {
        **os.environ,
        "NEO4J_URI": routed(settings).neo4j_uri or "",
        "NEO4J_PASSWORD": settings.neo4j_password,
        "NEO4J_DATABASE": settings.neo4j_database,
    }
    result = subprocess.run(
        [sys.executable, "-m", "diplograph", "load"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    records, _, _ = knowledge_graph.execute_query(
        "MATCH (p:Person {id: 'craig-kelly'}) RETURN p.name AS name"
    )
    assert records[0]["name"] == "Craig Kelly"


def test_skipped_migrations_create_nothing(knowledge_graph: Driver, settings: Settings) -> None:
    """DIPLOGRAPH_SKIP_MIGRATIONS: a user without schema privileges runs no schema command."""
    database = settings.neo4j_database
    knowledge_graph.execute_query("DROP INDEX entity_name IF EXISTS", database_=database)
    try:
        migrate(knowledge_graph, database, skip=True)
        records, _, _ = knowledge_graph.execute_query(
            "SHOW INDEXES YIELD name WHERE name = 'entity_name' RETURN name", database_=database
        )
        assert records == []
    finally:
        migrate(knowledge_graph, database)
    records, _, _ = knowledge_graph.execute_query(
        "SHOW INDEXES YIELD name WHERE name = 'entity_name' RETURN name", database_=database
    )
    assert [r["name"] for r in records] == ["entity_name"]
