"""The root Query type."""

from __future__ import annotations

import strawberry

from graph import reads
from schema.context import Info
from schema.types import Document


@strawberry.type
class Query:
    @strawberry.field(description="Every source document, by id.")
    async def documents(self, info: Info) -> list[Document]:
        ctx = info.context
        records = await reads.list_documents(ctx.driver, ctx.database)
        return [Document.from_record(record) for record in records]


schema = strawberry.Schema(query=Query)
