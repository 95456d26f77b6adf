"""Read queries the API runs, each in a read transaction."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncDriver, RoutingControl

DOCUMENTS = """
MATCH (d:Document)
RETURN d {.id, .title, .text, .file, .url, .date, .datePrecision} AS document
ORDER BY d.id
"""


async def list_documents(driver: AsyncDriver, database: str) -> list[dict[str, Any]]:
    records, _, _ = await driver.execute_query(
        DOCUMENTS, database_=database, routing_=RoutingControl.READ
    )
    return [record["document"] for record in records]


async def ping(driver: AsyncDriver, database: str) -> None:
    """Raise unless Neo4j answers a trivial query."""
    await driver.execute_query("RETURN 1", database_=database, routing_=RoutingControl.READ)
