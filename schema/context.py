"""What every resolver can reach: the Neo4j driver and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import AsyncDriver
from strawberry.types import Info as StrawberryInfo

from diplograph.settings import Settings


@dataclass
class Context:
    driver: AsyncDriver
    settings: Settings

    @property
    def database(self) -> str:
        return self.settings.neo4j_database


Info = StrawberryInfo[Context, None]
