"""The test suite never empties a database it did not create.

The suite runs on its own throwaway Neo4j. It uses another server only when
`DIPLOGRAPH_TEST_NEO4J_URI` names it (a variable meant for tests alone: `NEO4J_URI`
and `.env` files are ignored), and even then it claims the database first: an empty
database gets a marker index; a database without the marker that holds anything is
refused. Every wipe checks the marker first.
"""

from __future__ import annotations

import os
from typing import Any

from neo4j import Driver

from diplograph.settings import Settings

TEST_URI = "DIPLOGRAPH_TEST_NEO4J_URI"
TEST_USER = "DIPLOGRAPH_TEST_NEO4J_USER"
TEST_PASSWORD = "DIPLOGRAPH_TEST_NEO4J_PASSWORD"
TEST_DATABASE = "DIPLOGRAPH_TEST_NEO4J_DATABASE"
# An index on a label nothing else uses: it changes no count of nodes or relationships.
MARKER = "diplograph_test_suite_marker"
MARKER_LABEL = "DiplographTestSuiteMarker"


class ForeignDatabase(RuntimeError):
    """The database holds data this test suite did not create."""


def external_uri() -> str | None:
    return os.environ.get(TEST_URI) or None


def suite_settings(local: bool = False, **overrides: Any) -> Settings:
    """Settings for the suite: never from `.env`, never from NEO4J_URI.

    With `DIPLOGRAPH_TEST_NEO4J_URI` set they point there (user, password and
    database from the matching DIPLOGRAPH_TEST_NEO4J_* variables); otherwise (or with
    `local`) at a local server, whose ports and data directory the caller passes.
    """
    uri = None if local else external_uri()
    values: dict[str, Any] = {"NEO4J_URI": uri}
    if uri:
        values |= {
            "NEO4J_USER": os.environ.get(TEST_USER, "neo4j"),
            "NEO4J_PASSWORD": os.environ.get(TEST_PASSWORD, "diplograph-dev"),
            "NEO4J_DATABASE": os.environ.get(TEST_DATABASE, "neo4j"),
        }
    return Settings(_env_file=None, **values, **overrides)  # type: ignore[call-arg]


def _marked(driver: Driver, database: str) -> bool:
    records, _, _ = driver.execute_query(
        "SHOW INDEXES YIELD name WHERE name = $name RETURN count(*) AS n",
        name=MARKER,
        database_=database,
    )
    return bool(records[0]["n"])


def _node_count(driver: Driver, database: str) -> int:
    records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=database)
    return int(records[0]["n"])


def claim(driver: Driver, database: str, where: str) -> None:
    """Mark an empty database as the suite's; refuse one that holds anything else."""
    if _marked(driver, database):
        return
    nodes = _node_count(driver, database)
    if nodes:
        raise ForeignDatabase(
            f"refusing to use database {database!r} at {where}: it holds {nodes} nodes this "
            f"test suite did not create (no {MARKER!r} index). Point {TEST_URI} at an empty "
            "database, or unset it to let the suite start its own Neo4j."
        )
    mark(driver, database)


def mark(driver: Driver, database: str) -> None:
    """Put the marker on a database the suite owns."""
    driver.execute_query(
        f"CREATE INDEX {MARKER} IF NOT EXISTS FOR (n:{MARKER_LABEL}) ON (n.id)",
        database_=database,
    )


def wipe(driver: Driver, database: str) -> None:
    """Delete every node and relationship of a database the suite claimed."""
    if not _marked(driver, database):
        raise ForeignDatabase(
            f"refusing to empty database {database!r}: it has no {MARKER!r} index, so this "
            "test suite did not create it"
        )
    with driver.session(database=database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()
