"""Candidates through the API: what ingest proposed for review, with its status.

They are not entities (`people`, `entities`, search and paths never list them); this
root field lists them, and `ingestDocument` returns the ones it proposed.
"""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool

from graph.candidates import STATUSES, list_candidates
from schema.context import Info
from schema.errors import BadUserInput
from schema.selection import MAX_PAGE_SIZE


@strawberry.type(description="Something ingest proposed as new knowledge, for the analyst.")
class Candidate:
    slug: str = strawberry.field(description="The id it would have as an entity.")
    document: str = strawberry.field(description="The slug of the document it was found in.")
    kind: str
    name: str
    status: str = strawberry.field(description="proposed, or accepted (now knowledge).")
    reason: str | None = None
    title: str | None = strawberry.field(default=None, description="A title found with it.")
    date: str | None = None
    quotes: list[str] = strawberry.field(description="The sentences it was found in.")
    entity: str | None = strawberry.field(
        default=None, description="The slug of the entity it became, once accepted."
    )
    planned: bool = strawberry.field(
        default=False,
        description='A meeting the text announces for later ("will meet again in '
        "September\"): planned, not held as of the document's date.",
    )


def candidate_of(row: dict[str, Any]) -> Candidate:
    return Candidate(
        slug=row.get("candidateId", ""), document=row.get("document", ""),
        kind=row.get("kind", ""), name=row.get("name", ""), status=row.get("status", ""),
        reason=row.get("reason"), title=row.get("title"), date=row.get("date"),
        quotes=list(row.get("quotes") or []), entity=row.get("entity"),
        planned=bool(row.get("planned")),
    )  # fmt: skip


@strawberry.type
class CandidateQuery:
    @strawberry.field(
        description="Candidates ingest proposed (not entities), of one document and status."
    )
    async def candidates(
        self,
        info: Info,
        document: str | None = None,
        status: str | None = None,
        first: int = MAX_PAGE_SIZE,
    ) -> list[Candidate]:
        if status is not None and status not in STATUSES:
            raise BadUserInput(f"'status' must be one of {', '.join(STATUSES)}")
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise BadUserInput(f"'first' must be between 1 and {MAX_PAGE_SIZE}")
        context = info.context
        rows = await run_in_threadpool(
            list_candidates, context.sync_driver, context.settings.neo4j_database,
            document, status, first,
        )  # fmt: skip
        return [candidate_of(row) for row in rows]
