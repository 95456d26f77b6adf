"""The test suite never empties a database it did not create (graph/scratch.py).

The suite runs on its own throwaway Neo4j. It uses another server only when
`DIPLOGRAPH_TEST_NEO4J_URI` names it (a variable meant for tests alone: `NEO4J_URI`
and `.env` files are ignored), and even then it claims the database first.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from diplograph.settings import Settings
from graph import scratch
from graph.scratch import MARKER, ForeignDatabase, mark, wipe

TEST_URI = f"{scratch.TESTS}_NEO4J_URI"
TEST_PASSWORD = f"{scratch.TESTS}_NEO4J_PASSWORD"

__all__ = ["MARKER", "ForeignDatabase", "claim", "external_uri", "mark", "suite_settings", "wipe"]


def external_uri() -> str | None:
    return scratch.external_uri(scratch.TESTS)


def suite_settings(local: bool = False, **overrides: Any) -> Settings:
    """Settings for the suite: never from `.env`, never from NEO4J_URI."""
    return scratch.scratch_settings(scratch.TESTS, local, **overrides)


def claim(driver: Driver, database: str, where: str) -> None:
    scratch.claim(driver, database, where, scratch.TESTS)
