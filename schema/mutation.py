"""Mutations for integration scripts; each needs the bearer token (DIPLOGRAPH_API_TOKEN)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry
from neo4j import Driver
from neo4j.exceptions import ConstraintError
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from graph.candidates import PROPOSED, candidate_row
from graph.repository import KindConflict, WriteSummary
from loaders.articles import ArticleError
from loaders.ingest.documents import prepare_text
from loaders.knowledge import LoadError
from schema.auth import bearer_ok
from schema.candidates import Candidate, candidate_of
from schema.context import Context, Info, coded_neo4j_errors
from schema.errors import BadUserInput, Busy, IngestInterrupted, Timeout, Unauthenticated
from services.pipeline import IngestResult as PipelineResult
from services.pipeline import IngestTimeout, ingest_documents, upsert_facts
from services.workers import IngestBusy, IngestProcessDied, IngestProcesses

PAYLOAD = "upsertKnowledge(facts)"
# Maximum sizes, in characters, of what upsertKnowledge stores (docs/api.md). A name is
# indexed: Neo4j refuses index keys over about 8 KB, so names stay well below.
MAX_SIZES = {"name": 1_000, "alias": 1_000, "quote": 2_000, "text": 10_000}
TEXT_FIELDS = ("description", "note", "role", "title")
# Identifying strings: an entity's name, the key telling two edges of one type apart.
KEY_FIELDS = ("name", "key")
DATE_FIELDS = ("date", "start", "end")
MAX_RECORDS = 1_000


def require_token(context: Context) -> None:
    if not context.settings.api_token:
        raise Unauthenticated("mutations are disabled: the server has no DIPLOGRAPH_API_TOKEN")
    if not bearer_ok(context.authorization, context.settings.api_token):
        raise Unauthenticated("a valid 'Authorization: Bearer <token>' header is required")


@strawberry.type(description="How many nodes or relationships of one label or type.")
class LabelCount:
    label: str
    count: int


@strawberry.type(description="What an upsert wrote.")
class UpsertResult:
    created: list[LabelCount]
    updated: list[LabelCount]

    @classmethod
    def of(cls, summary: WriteSummary) -> UpsertResult:
        return cls(
            created=[LabelCount(label=k, count=v) for k, v in sorted(summary.created.items())],
            updated=[LabelCount(label=k, count=v) for k, v in sorted(summary.updated.items())],
        )


def _too_long(where: str, field: str, value: Any, limit: int) -> str | None:
    if isinstance(value, str) and len(value) > limit:
        return f"{where}: '{field}' has {len(value)} characters; at most {limit}"
    return None


def size_problems(facts: Mapping[str, Any]) -> list[str]:
    """Records, names, aliases, texts and quotes over their documented maximum sizes."""
    problems: list[str] = []
    for section in ("entities", "relationships"):
        records = facts.get(section) or []
        if isinstance(records, list) and len(records) > MAX_RECORDS:
            problems.append(f"{PAYLOAD}: {len(records)} {section}; at most {MAX_RECORDS}")
            continue
        for index, record in enumerate(records if isinstance(records, list) else []):
            if not isinstance(record, Mapping):
                continue
            where = f"{section}[{index}]"
            found = [_too_long(where, f, record.get(f), MAX_SIZES["name"]) for f in KEY_FIELDS]
            found += [_too_long(where, f, record.get(f), MAX_SIZES["text"]) for f in TEXT_FIELDS]
            aliases = record.get("aliases")
            for i, alias in enumerate(aliases if isinstance(aliases, list) else []):
                found.append(_too_long(where, f"aliases[{i}]", alias, MAX_SIZES["alias"]))
            for date_field in DATE_FIELDS:
                date = record.get(date_field)
                if isinstance(date, Mapping):
                    basis = date.get("basis")
                    found.append(_too_long(where, f"{date_field}.basis", basis, MAX_SIZES["text"]))
            properties = record.get("properties")
            for key, value in (properties if isinstance(properties, Mapping) else {}).items():
                found.append(_too_long(where, f"properties.{key}", value, MAX_SIZES["name"]))
            sources = record.get("sources")
            for i, source in enumerate(sources if isinstance(sources, list) else []):
                if isinstance(source, Mapping):
                    quote = source.get("quote")
                    found.append(_too_long(where, f"sources[{i}].quote", quote, MAX_SIZES["quote"]))
            problems += [p for p in found if p]
    return problems


def upsert(driver: Driver, database: str, facts: Any) -> WriteSummary:
    """Validate facts exactly as `diplograph load` does, then write them in one transaction.

    Merge semantics: an existing entity keeps every field its record does not name
    (aliases included); its kind never changes, and `properties` cannot set its id.
    """
    if not isinstance(facts, Mapping):
        raise BadUserInput(f"{PAYLOAD}: must be an object with 'entities' and 'relationships'")
    unknown = set(facts) - {"entities", "relationships"}
    if unknown:
        raise BadUserInput(f"{PAYLOAD}: unknown keys {sorted(unknown)}")
    problems = size_problems(facts)
    if problems:
        raise BadUserInput("\n".join(problems))
    try:
        return upsert_facts(driver, database, facts, PAYLOAD)
    except LoadError as error:
        raise BadUserInput("\n".join(str(p) for p in error.problems)) from None
    except KindConflict as error:
        raise BadUserInput(f"{PAYLOAD}: {error}") from None


@strawberry.type(description="A known entity found in an ingested document.")
class LinkedMention:
    entity: str = strawberry.field(description="The entity's slug.")
    start: int
    end: int
    text: str
    method: str


@strawberry.type(description="What ingesting a document stored and found.")
class IngestResult:
    slug: str
    title: str
    created: bool = strawberry.field(
        description="False when the same text was stored already (nothing was written)."
    )
    status: str = strawberry.field(
        description="new, unchanged (the same text again), date updated (the same text "
        "with another date: the document's date changed), or new version (a changed text "
        "under a stored URL: stored beside the older version, which is kept)."
    )
    previous_version: str | None = strawberry.field(
        description="The slug of the version this text follows, for a new version."
    )
    mentions: list[LinkedMention]
    candidates: int = strawberry.field(description="Unlinked names, dates and quantities found.")
    proposals: list[Candidate] = strawberry.field(
        description="The candidates, as stored for review (also listed by `candidates`)."
    )
    warnings: list[str] = strawberry.field(
        description="What the text left in doubt, as the CLI prints it on its warning lines: "
        "no date found (relative and year-less dates then stay undated; pass `date`), or a "
        "`date` given that differs from the text's dateline (the given one is used)."
    )


def ingest(
    driver: Driver,
    database: str,
    text: str,
    url: str | None,
    date: str | None,
    budget: float,
    processes: IngestProcesses | None = None,
) -> IngestResult:
    """`processes`: the app's child processes (services.workers), else in this thread."""
    warnings: list[str] = []
    try:
        document = prepare_text(
            text, url=url, date=date, where="ingestDocument(text)", warnings=warnings,
            date_option="the date argument",
        )  # fmt: skip
    except ArticleError as error:
        raise BadUserInput(str(error)) from None

    def run() -> PipelineResult:
        if processes is not None:
            (result,) = processes.ingest(database, [document], budget)
        else:
            (result,) = ingest_documents(driver, database, [document], budget)
        return result

    try:
        try:
            result = run()
        except ConstraintError:
            # The same text stored by another request meanwhile (hostile review 4: two at
            # once, one INTERNAL_SERVER_ERROR): found now, it is reported unchanged.
            result = run()
    except IngestBusy as error:
        raise Busy(f"ingestDocument: {error}; nothing was written", error.retry_after) from None
    except IngestTimeout as error:
        raise Timeout(
            f"ingestDocument: ingesting '{document.id}' took longer than {budget:g}s; "
            "nothing was written"
        ) from error
    except IngestProcessDied as error:
        # Its transaction is rolled back by Neo4j unless it had committed just before: a
        # second ingest of the same text is idempotent either way.
        raise IngestInterrupted(
            f"ingestDocument: the process ingesting '{document.id}' ended without answering "
            "(killed or out of memory); send the same text again"
        ) from error
    return IngestResult(
        slug=result.stored.id,
        title=document.title,
        created=result.document_created,
        status=result.stored.status.value,
        previous_version=result.stored.previous,
        mentions=[
            LinkedMention(
                entity=m.entity_id, start=m.start, end=m.end, text=m.text, method=m.method.value
            )
            for m in result.analysis.mentions
        ],
        candidates=len(result.analysis.candidates),
        proposals=[
            candidate_of(
                candidate_row(result.stored.id, c, result.analysis.links(c))["props"]
                | {"status": PROPOSED}
            )
            for c in result.analysis.candidates
        ],
        warnings=result.settle_warnings(warnings),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Add or update entities and relationships, in the shape of the knowledge "
        "YAML files (data/knowledge/README.md). All-or-nothing; needs the bearer token."
    )
    async def upsert_knowledge(self, info: Info, facts: JSON) -> UpsertResult:
        context = info.context
        require_token(context)
        with coded_neo4j_errors(context.settings.query_timeout):
            summary = await run_in_threadpool(
                upsert, context.sync_driver, context.settings.neo4j_database, facts
            )
        return UpsertResult.of(summary)

    @strawberry.mutation(
        description="Store a new article (plain text or an HTML page; page chrome stripped) and "
        "link its mentions of known entities; needs the bearer token. A stored text is never "
        "replaced: the same text is reported unchanged, a different one gets its own slug."
    )
    async def ingest_document(
        self, info: Info, text: str, url: str | None = None, date: str | None = None
    ) -> IngestResult:
        context = info.context
        require_token(context)
        with coded_neo4j_errors(context.settings.query_timeout):
            return await run_in_threadpool(
                ingest, context.sync_driver, context.settings.neo4j_database, text, url, date,
                context.settings.ingest_timeout, context.ingest_processes,
            )  # fmt: skip
