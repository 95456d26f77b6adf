"""What every resolver can reach: a per-request reader over Neo4j, and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver
from neo4j.exceptions import (
    ClientError,
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
)
from strawberry.types import Info as StrawberryInfo

from diplograph.settings import Settings
from graph.reads import Reader, Statement
from schema import errors


@dataclass
class Context:
    reader: Reader
    settings: Settings
    sync_driver: Driver
    authorization: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    async def run(self, statement: Statement) -> dict[str, Any]:
        """Run one compiled statement; Neo4j failures become coded GraphQL errors."""
        try:
            return await self.reader.one(statement)
        except (
            ServiceUnavailable,
            SessionExpired,
            DatabaseUnavailable,
            ConnectionAcquisitionTimeoutError,
            OSError,
        ) as error:
            raise errors.DatabaseUnavailable(
                "the graph database is unavailable; try again shortly"
            ) from error
        except ClientError as error:
            if "Timeout" in (error.code or "") or "TimedOut" in (error.code or ""):
                raise errors.Timeout(
                    f"the query took longer than {self.settings.query_timeout:g}s"
                ) from error
            raise


Info = StrawberryInfo[Context, None]
