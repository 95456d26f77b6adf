"""Scratch databases: the only ones the test suite, the benchmarks and the soak may empty.

They run on their own throwaway Neo4j (free ports, a temporary data directory, stopped
afterwards). Another server is used only when a variable meant for that tool alone names
it (`DIPLOGRAPH_TEST_NEO4J_URI` for the suite, `DIPLOGRAPH_BENCH_NEO4J_URI` for the
benchmarks and the soak); `NEO4J_URI` and `.env` never redirect them. Even then the
database is claimed first: an empty one gets a marker index, one without the marker that
holds anything is refused, and every wipe checks the marker.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from neo4j import Driver

from diplograph.settings import Settings
from graph.driver import connect
from graph.server import LocalNeo4j, free_port

# An index on a label nothing else uses: it changes no count of nodes or relationships.
MARKER = "diplograph_scratch_marker"
MARKER_LABEL = "DiplographScratchMarker"
TESTS = "DIPLOGRAPH_TEST"
BENCH = "DIPLOGRAPH_BENCH"


class ForeignDatabase(RuntimeError):
    """The database holds data that no scratch user created."""


def external_uri(prefix: str) -> str | None:
    """The server `<prefix>_NEO4J_URI` names, if any."""
    return os.environ.get(f"{prefix}_NEO4J_URI") or None


def scratch_settings(prefix: str, local: bool = False, **overrides: Any) -> Settings:
    """Settings never read from `.env` nor from NEO4J_URI.

    With `<prefix>_NEO4J_URI` set they point there (user, password and database from the
    matching `<prefix>_NEO4J_*` variables); otherwise (or with `local`) at a local server
    whose ports and data directory the caller passes.
    """
    uri = None if local else external_uri(prefix)
    values: dict[str, Any] = {"NEO4J_URI": uri}
    if uri:
        values |= {
            "NEO4J_USER": os.environ.get(f"{prefix}_NEO4J_USER", "neo4j"),
            "NEO4J_PASSWORD": os.environ.get(f"{prefix}_NEO4J_PASSWORD", "diplograph-dev"),
            "NEO4J_DATABASE": os.environ.get(f"{prefix}_NEO4J_DATABASE", "neo4j"),
        }
    return Settings(_env_file=None, **values, **overrides)


@contextmanager
def scratch_neo4j(
    prefix: str, heap: str = "1g", pagecache: str = "512m", announce: bool = True
) -> Iterator[Settings]:
    """A claimed database: on `<prefix>_NEO4J_URI`'s server, or on a throwaway local one."""
    if external_uri(prefix):
        settings = scratch_settings(prefix)
        with connect(settings) as driver:
            claim(driver, settings.neo4j_database, settings.bolt_uri, prefix)
        yield settings
        return
    with tempfile.TemporaryDirectory(prefix="diplograph-scratch-") as data_dir:
        settings = scratch_settings(
            prefix,
            local=True,
            DIPLOGRAPH_BOLT_PORT=free_port(),
            DIPLOGRAPH_HTTP_PORT=free_port(),
            DIPLOGRAPH_NEO4J_DATA=Path(data_dir),
            DIPLOGRAPH_NEO4J_HEAP=heap,
            DIPLOGRAPH_NEO4J_PAGECACHE=pagecache,
        )
        server = LocalNeo4j(settings)
        if announce:
            print(f"Starting a throwaway Neo4j on {server.bolt_uri} ...", flush=True)
        server.start()
        try:
            with connect(settings) as driver:
                claim(driver, settings.neo4j_database, settings.bolt_uri, prefix)
            yield settings
        finally:
            server.stop()


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


def claim(driver: Driver, database: str, where: str, prefix: str) -> None:
    """Mark an empty database as scratch; refuse one that holds anything else."""
    if _marked(driver, database):
        return
    nodes = _node_count(driver, database)
    if nodes:
        raise ForeignDatabase(
            f"refusing to use database {database!r} at {where}: it holds {nodes} nodes that "
            f"no diplograph test or benchmark created (no {MARKER!r} index). Point "
            f"{prefix}_NEO4J_URI at an empty database, or unset it to start a throwaway Neo4j."
        )
    mark(driver, database)


def mark(driver: Driver, database: str) -> None:
    """Put the marker on a scratch database."""
    driver.execute_query(
        f"CREATE INDEX {MARKER} IF NOT EXISTS FOR (n:{MARKER_LABEL}) ON (n.id)",
        database_=database,
    )


def wipe(driver: Driver, database: str) -> None:
    """Delete every node and relationship of a claimed database (indexes stay)."""
    if not _marked(driver, database):
        raise ForeignDatabase(
            f"refusing to empty database {database!r}: it has no {MARKER!r} index, so no "
            "diplograph test or benchmark created it"
        )
    with driver.session(database=database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS").consume()
