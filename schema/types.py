"""GraphQL object types."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.type(description="A source text the graph's facts are drawn from.")
class Document:
    id: strawberry.ID
    title: str
    text: str
    file: str | None = None
    url: str | None = None
    date: str | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Document:
        return cls(
            id=strawberry.ID(record["id"]),
            title=record["title"],
            text=record["text"],
            file=record.get("file"),
            url=record.get("url"),
            date=record.get("date"),
        )
