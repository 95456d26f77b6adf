"""Constraints and indexes, applied idempotently before any load."""

from __future__ import annotations

from neo4j import Driver

from diplograph.model import Kind
from diplograph.settings import get_settings

FULLTEXT_INDEX = "entity_search"
SEARCHABLE_LABELS = [kind.value for kind in Kind]

_STATEMENTS: list[str] = [
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT document_id IF NOT EXISTS FOR (n:Document) REQUIRE n.id IS UNIQUE",
    # Ingest writes candidates with MERGE on their id: unique, and found by index.
    "CREATE CONSTRAINT candidate_id IF NOT EXISTS FOR (n:Candidate) REQUIRE n.id IS UNIQUE",
    # A uniqueness constraint per label lets `MATCH (p:Person {id: $id})` use an index too.
    *(
        f"CREATE CONSTRAINT {kind.value.lower()}_id IF NOT EXISTS "
        f"FOR (n:{kind.value}) REQUIRE n.id IS UNIQUE"
        for kind in Kind
    ),
    *(
        f"CREATE RANGE INDEX {kind.value.lower()}_date IF NOT EXISTS "
        f"FOR (n:{kind.value}) ON (n.dateFrom)"
        for kind in (Kind.MEETING, Kind.EVENT, Kind.AGREEMENT)
    ),
    "CREATE RANGE INDEX entity_name IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    # Absorbed ids answer with their survivor (graph/projection.py `_current_id`).
    "CREATE RANGE INDEX merged_id IF NOT EXISTS FOR (n:Merged) ON (n.id)",
    # Ingest finds a text already stored by its hash, and earlier versions by their URL.
    "CREATE RANGE INDEX document_text_hash IF NOT EXISTS FOR (n:Document) ON (n.textHash)",
    "CREATE RANGE INDEX document_url IF NOT EXISTS FOR (n:Document) ON (n.url)",
    # `name: {contains: ...}` (the range index serves eq, in and startsWith).
    "CREATE TEXT INDEX entity_name_text IF NOT EXISTS FOR (n:Entity) ON (n.name)",
    f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
    f"FOR (n:{'|'.join(SEARCHABLE_LABELS)}) ON EACH [n.name, n.aliasText, n.description]",
]


def migrate(driver: Driver, database: str, *, skip: bool | None = None) -> None:
    """Create every constraint and index that is missing, then wait until they are online.

    Creating them needs schema privileges. Where the loading user lacks them, an
    administrator runs `diplograph migrate-schema` once and loads set
    DIPLOGRAPH_SKIP_MIGRATIONS=true (`skip` overrides the setting).
    """
    if skip if skip is not None else get_settings().skip_migrations:
        return
    for statement in _STATEMENTS:
        driver.execute_query(statement, database_=database)
    driver.execute_query("CALL db.awaitIndexes(300)", database_=database)


def constraint_names(driver: Driver, database: str) -> set[str]:
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name", database_=database)
    return {record["name"] for record in records}
