"""Candidates through the API: what ingest proposed for review, with its status.

They are not entities (`people`, `entities`, search and paths never list them):
`candidatesConnection` lists them as a connection like the API's other lists,
`candidates` is its short form (a plain list, as before), and `ingestDocument` returns
the ones it proposed. Both run one statement of `graph/candidates.py`; they are answered
by Strawberry's execution, not the compiled path (schema/compiled.py compiles the
fields of `schema.query` only).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from diplograph.model import Kind
from graph.candidates import (
    DEFAULT_ORDER,
    ORDER_PROPERTIES,
    STATUSES,
    CandidateFilter,
    list_candidates,
)
from graph.projection import Page
from schema.context import Info
from schema.errors import BadUserInput
from schema.inputs import SortDirection
from schema.selection import MAX_PAGE_SIZE, PageArgs, counted, current_field, encode_cursor
from schema.types import PageInfo, page_info, window


@strawberry.type(
    description="What a candidate names: an entity the graph holds, or another candidate "
    "of the same document."
)
class CandidateRef:
    slug: str | None = strawberry.field(
        description="The entity's slug, or the other candidate's; null for a name that is "
        "neither (as the text writes it)."
    )
    name: str
    candidate: bool = strawberry.field(
        description="True when `slug` is a candidate of the document, not an entity."
    )


def _refs(row: dict[str, Any], prefix: str) -> list[CandidateRef]:
    ids, names, flags = (row.get(f"{prefix}{s}") or [] for s in ("Ids", "Names", "Candidates"))
    return [
        CandidateRef(slug=i or None, name=n, candidate=bool(f))
        for i, n, f in zip(ids, names, flags, strict=False)
    ]


@strawberry.type(description="Something ingest proposed as new knowledge, for the analyst.")
class Candidate:
    slug: str = strawberry.field(description="The id it would have as an entity.")
    document: str = strawberry.field(description="The slug of the document it was found in.")
    kind: str = strawberry.field(description="Its kind; once accepted, the kind accepted as.")
    name: str = strawberry.field(
        description="Its name; once accepted, the name it was accepted under (the analyst "
        "may have corrected it in the review file)."
    )
    proposed_name: str = strawberry.field(description="The name ingest proposed.")
    proposed_kind: str = strawberry.field(description="The kind ingest proposed.")
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
    place: CandidateRef | None = strawberry.field(
        default=None,
        description="A meeting's place; `review accept` writes it as HELD_IN.",
    )
    participants: list[CandidateRef] = strawberry.field(
        default_factory=list,
        description="A meeting's participants (people, delegations, organizations); "
        "`review accept` writes each as ATTENDED.",
    )


def candidate_of(row: dict[str, Any]) -> Candidate:
    name, kind = row.get("name", ""), row.get("kind", "")
    return Candidate(
        slug=row.get("candidateId", ""), document=row.get("document", ""),
        kind=kind, name=name, status=row.get("status", ""),
        # Stored before the proposed ones were kept: nothing was renamed then.
        proposed_name=row.get("proposedName") or name,
        proposed_kind=row.get("proposedKind") or kind,
        reason=row.get("reason"), title=row.get("title"), date=row.get("date"),
        quotes=list(row.get("quotes") or []), entity=row.get("entity"),
        planned=bool(row.get("planned")),
        place=next(iter(_refs(row, "place")), None), participants=_refs(row, "participant"),
    )  # fmt: skip


@strawberry.input(description="Which candidates: every condition given holds.")
class CandidateWhere:
    document: str | None = strawberry.field(
        default=None, description="The slug of the document they were found in."
    )
    status: str | None = strawberry.field(default=None, description="proposed or accepted.")
    kind: str | None = strawberry.field(default=None, description="Person, Meeting, ...")
    text: str | None = strawberry.field(
        default=None,
        description="A case-insensitive substring of the name, the proposed name, the "
        "title or the description.",
    )


@strawberry.enum(description="What a list of candidates can be ordered by.")
class CandidateOrderField(Enum):
    DOCUMENT = "DOCUMENT"
    NAME = "NAME"
    KIND = "KIND"
    STATUS = "STATUS"


@strawberry.input
class CandidateOrder:
    field: CandidateOrderField
    direction: SortDirection = SortDirection.ASC


@strawberry.type
class CandidateEdge:
    cursor: str
    node: Candidate


@strawberry.type(description="A page of candidates.")
class CandidateConnection:
    edges: list[CandidateEdge]
    page_info: PageInfo
    total_count: int


def _checked(where: CandidateWhere | None) -> CandidateFilter:
    if where is None:
        return CandidateFilter()
    if where.status is not None and where.status not in STATUSES:
        raise BadUserInput(f"'status' must be one of {', '.join(STATUSES)}")
    kinds = [k.value for k in Kind]
    if where.kind is not None and where.kind not in kinds:
        raise BadUserInput(f"unknown kind {where.kind!r}; known: {kinds}")
    return CandidateFilter(where.document, where.status, where.kind, where.text)


async def _read(
    info: Info, where: CandidateFilter, order: list[tuple[str, bool]], page: Page, total: bool
) -> dict[str, Any]:
    return await info.context.run(list_candidates(where, order, page, total))


@strawberry.type
class CandidateQuery:
    @strawberry.field(
        description="Candidates ingest proposed (not entities), filtered, ordered (by "
        "document, then name, by default) and paged like the API's other lists."
    )
    async def candidates_connection(
        self,
        info: Info,
        where: CandidateWhere | None = None,
        order_by: list[CandidateOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CandidateConnection:
        chosen = _checked(where)
        order = [
            (ORDER_PROPERTIES[o.field.value], o.direction == SortDirection.DESC)
            for o in order_by or []
        ]
        page, with_total = counted(current_field(info), PageArgs(first, after, last, before).page())
        record = await _read(info, chosen, order, page, with_total)
        items, offset, total, more = window(record, page)
        edges = [
            CandidateEdge(cursor=encode_cursor(offset + i), node=candidate_of(item["node"]))
            for i, item in enumerate(items)
        ]
        return CandidateConnection(
            edges=edges,
            page_info=page_info(offset, len(edges), total, more),
            total_count=total if total is not None else offset + len(edges),
        )

    @strawberry.field(
        description="The short form of `candidatesConnection`: a plain list of the "
        "candidates of one document and status, by document then name."
    )
    async def candidates(
        self,
        info: Info,
        document: str | None = None,
        status: str | None = None,
        first: int = MAX_PAGE_SIZE,
    ) -> list[Candidate]:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise BadUserInput(f"'first' must be between 1 and {MAX_PAGE_SIZE}")
        chosen = _checked(CandidateWhere(document=document, status=status))
        record = await _read(info, chosen, list(DEFAULT_ORDER), Page(limit=first), False)
        return [candidate_of(item["node"]) for item in record.get("items") or []]
