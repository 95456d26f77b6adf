"""The pipeline: sources read by `loaders/`, resolved against the graph, written by `graph/`.

The CLI (`entrypoints/cli.py`) and the GraphQL mutations (`schema/mutation.py`) call
these and only report what they return. Each call is one unit of work: what it writes
commits together (one transaction, or one per dataset batch for the historian's
datasets, which a rerun completes), and bad input raises before anything is written.

* `write_knowledge_and_mentions`: curated knowledge and the mentions in its documents;
* `upsert_facts`: facts in the knowledge files' shape, checked against the graph;
* `ingest_documents`: new articles stored, their mentions of known entities linked;
* `load_hsg`: the historian's datasets, skipping those unchanged since their last load.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction, unit_of_work
from neo4j.exceptions import ClientError

from diplograph.identity import Merge, Plan, Rule
from diplograph.model import Document, Knowledge
from diplograph.records import DATASETS, Analysis, Dataset, HsgData
from graph.bulk import (
    BATCH_SIZE,
    BulkSummary,
    code_files,
    exclusive_load,
    mark_loaded,
    unchanged_datasets,
    unmark_loaded,
    write_dataset,
)
from graph.candidates import candidate_entities, mark_accepted, replace_candidates
from graph.mentions import (
    DOCUMENT_MENTIONS,
    DocumentStatus,
    MentionCounts,
    StoredDocument,
    read_known_entities,
    replace_mentions,
    store_document,
)
from graph.repository import (
    WriteSummary,
    absorbed_by_id,
    documents_by_id,
    kinds_by_id,
    names_by_id,
    write_knowledge,
    write_knowledge_in,
)
from graph.resolution import (
    LinkRecord,
    MergeRecord,
    decide,
    merge_entities,
    read_decisions,
    read_links,
    read_merges,
    read_organizations,
    read_people,
    read_places,
    restore_aliases,
    undo_link,
    undo_merge,
    write_link,
)
from graph.resolution import (
    ResolutionError as ResolutionError,
)
from loaders.accepted import (
    accepted_facts,
    accepted_path,
    kept_document_path,
    write_accepted,
    write_kept_document,
)
from loaders.hsg import input_digest, read_hsg
from loaders.ingest.budget import OverBudget, check, deadline
from loaders.ingest.candidates import analyse, known_names
from loaders.ingest.documents import NO_DATE
from loaders.ingest.linking import find_mentions
from loaders.knowledge import LoadError, Problem, defined_in, entity_ids, validate
from services import identity

# -- documents and their mentions ---------------------------------------------------------


@dataclass(frozen=True)
class IngestResult:
    """One ingested document: what was found in it, and what was written."""

    analysis: Analysis
    stored: StoredDocument
    mentions: MentionCounts

    @property
    def document_created(self) -> bool:
        return self.stored.status in (DocumentStatus.NEW, DocumentStatus.NEW_VERSION)

    def settle_warnings(self, warnings: list[str]) -> list[str]:
        """The warnings of preparing the text, once it is stored: "no date found" is moot
        for a text stored before with a date, which it keeps (newcomer review)."""
        if self.stored.date is None:
            return warnings
        kept = (
            f"no date in the text; it keeps the date it was stored with, {self.stored.date.value}"
        )
        return [w.split(NO_DATE)[0] + kept if NO_DATE in w else w for w in warnings]


class IngestTimeout(Exception):
    """Ingesting took longer than its budget; nothing of it was written."""

    def __init__(self, document: Document, seconds: float) -> None:
        self.document = document
        self.seconds = seconds
        where = document.file or document.id
        super().__init__(
            f"{where}: ingesting took longer than {seconds:g}s (DIPLOGRAPH_INGEST_TIMEOUT); "
            "nothing was written"
        )

    def __reduce__(self) -> tuple[type[IngestTimeout], tuple[Document, float]]:
        # Raised in an ingest's child process (services.workers) and pickled back.
        return (IngestTimeout, (self.document, self.seconds))


def ingest_documents(
    driver: Driver,
    database: str,
    documents: Sequence[Document],
    budget: float | None = None,
    since: float | None = None,
) -> list[IngestResult]:
    """Store new documents and link their mentions, in one transaction.

    A stored document is never replaced (`graph.mentions.store_document`): the same text
    again is that document (its mentions relinked), a different text gets an id of its
    own, a changed text under a stored URL is a new version beside the old. The known
    entities are read in the same transaction, so the links match the graph as it is
    committed with them.

    `budget`: seconds per document. The whole call gets the budget of all its documents:
    the analysis checks its deadline as it goes (`loaders.ingest.budget`) and the
    transaction has it as its timeout, so a text that takes longer raises IngestTimeout
    within about a second of it, nothing written. `since`: when the budget started
    (`time.monotonic()`, a clock all processes share), if before this call: a request's
    budget counts from the request, not from when a child process took it up.
    """
    total = budget * len(documents) if budget is not None else None
    begun = time.monotonic() if since is None else since
    ends = begun + total if total is not None else None
    current: list[Document] = list(documents[:1])

    def work(tx: ManagedTransaction) -> list[IngestResult]:
        bounded = deadline(ends - time.monotonic()) if ends is not None else nullcontext()
        with bounded:
            known = read_known_entities(tx)
            names = known_names(known)  # once for the batch, not per document
            entity_names = {k.id: k.name for k in known}
            entity_kinds = {k.id: k.kind for k in known if k.kind is not None}
            results: list[IngestResult] = []
            for given in documents:
                current[:] = [given]
                check()
                stored = store_document(tx, given)
                # One date, the document's as stored: a text ingested again without a date
                # counts from the date it was stored with.
                doc = given.model_copy(update={"id": stored.id, "date": stored.date})
                analysis = analyse(doc, known, names)
                # What the candidates name is shown with the linked entities' own names.
                linked = {m.entity_id for m in analysis.mentions}
                analysis.names = {i: entity_names[i] for i in linked if i in entity_names}
                analysis.kinds = {i: entity_kinds[i] for i in linked if i in entity_kinds}
                check()
                counts = replace_mentions(tx, doc.id, analysis.mentions)
                replace_candidates(tx, doc.id, analysis)
                results.append(IngestResult(analysis, stored, counts))
            return results

    try:
        with driver.session(database=database) as session:
            if ends is None:
                return session.execute_write(work)
            # What is left of the budget; spent already, the deadline's first check ends it.
            left = max(ends - time.monotonic(), 0.1)
            return session.execute_write(unit_of_work(timeout=left)(work))
    except OverBudget:
        raise IngestTimeout(current[0], budget or 0.0) from None
    except ClientError as error:
        if budget is not None and "TimedOut" in (error.code or ""):
            raise IngestTimeout(current[0], budget) from error
        raise


def link_mentions(tx: ManagedTransaction, documents: Sequence[Document]) -> MentionCounts:
    """Relink the mentions of documents already in the graph, in the caller's transaction."""
    known = read_known_entities(tx)
    created = updated = removed = 0
    for doc in documents:
        on = doc.date.start if doc.date is not None else None
        mentions, _ = find_mentions(doc.text, known, on)
        counts = replace_mentions(tx, doc.id, mentions)
        created, updated = created + counts.created, updated + counts.updated
        removed += counts.removed
    return MentionCounts(created, updated, removed)


def write_knowledge_and_mentions(
    driver: Driver, database: str, knowledge: Knowledge
) -> WriteSummary:
    """`graph.repository.write_knowledge`, then link the mentions of its documents, all in
    one transaction: a load commits its knowledge and their mentions together, or nothing.

    The summary counts document mentions under `DOCUMENT_MENTIONS`.
    """

    def work(tx: ManagedTransaction) -> WriteSummary:
        summary = write_knowledge_in(tx, knowledge)
        counts = link_mentions(tx, knowledge.documents)
        summary.created[DOCUMENT_MENTIONS] += counts.created
        summary.updated[DOCUMENT_MENTIONS] += counts.updated
        return summary

    with driver.session(database=database) as session:
        return session.execute_write(work)


# -- facts from integration scripts --------------------------------------------------------


def _referenced(facts: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Document ids cited and entity ids referred to by the payload."""
    documents: set[str] = set()
    entities: set[str] = set()
    for section in ("entities", "relationships"):
        for record in facts.get(section) or []:
            if not isinstance(record, Mapping):
                continue
            for source in record.get("sources") or []:
                if isinstance(source, Mapping) and isinstance(source.get("document"), str):
                    documents.add(source["document"])
            for end in ("from", "to"):
                if isinstance(record.get(end), str):
                    entities.add(record[end])
    return sorted(documents), sorted(entities)


def upsert_facts(
    driver: Driver, database: str, facts: Mapping[str, Any], where: str
) -> WriteSummary:
    """Validate facts exactly as `diplograph load` does (quotes against the stored
    documents, kinds against the stored entities), then write them in one transaction.
    Raises `loaders.knowledge.LoadError` naming `where` and every problem."""
    knowledge = checked_facts(driver, database, facts, where)
    stored = names_by_id(driver, database, sorted(entity_ids(facts)))
    problems = rename_problems(knowledge, stored, where)
    if problems:
        raise LoadError(problems)
    return write_knowledge(driver, database, knowledge, named=_named_fields(facts))


def _spaced(text: str) -> str:
    return " ".join(text.split()).casefold()


def rename_problems(knowledge: Knowledge, stored: Mapping[str, str], where: str) -> list[Problem]:
    """A new name for a stored entity must be supported by the record's own quotes: one of
    them contains the new name as whole words (ignoring case and spacing), and the name has
    a letter. Else any quote of any document could rename any entity; an alias the record
    gives does not count (a throwaway alias "U" occurs in most quotes: hostile review 4)."""
    problems: list[Problem] = []
    for index, entity in enumerate(knowledge.entities):
        old = stored.get(entity.id)
        if old is None or old == entity.name:
            continue
        name = _spaced(entity.name)
        words = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
        if any(c.isalpha() for c in name) and any(
            words.search(_spaced(source.quote)) for source in entity.sources
        ):
            continue
        problems.append(Problem(where, f"entities[{index}] (id {entity.id})", (
            f"name: renaming {old!r} to {entity.name!r} needs a source whose quote contains "
            "the new name as whole words; none of its quotes does"
        )))  # fmt: skip
    return problems


def checked_facts(driver: Driver, database: str, facts: Mapping[str, Any], where: str) -> Knowledge:
    """Facts validated against the stored documents and entities, ready to write."""
    cited, referred = _referenced(facts)
    # A stored document under an id the payload defines is looked up too, to refuse it.
    defined = sorted(entity_ids(facts))
    documents = documents_by_id(driver, database, sorted({*cited, *defined}))
    absorbed = absorbed_by_id(driver, database, sorted({*defined, *referred}))
    known = kinds_by_id(driver, database, sorted({*referred, *absorbed.values()}))
    knowledge = validate(documents, [(where, facts)], known_kinds=known, absorbed=absorbed)
    knowledge.documents = []  # cited, not rewritten
    return knowledge


def _named_fields(facts: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Entity id → the fields its record names (a partial record changes only those)."""
    return {
        record["id"]: frozenset(record)
        for record in facts.get("entities") or []
        if isinstance(record, Mapping) and isinstance(record.get("id"), str)
    }


# -- the historian's datasets --------------------------------------------------------------


@dataclass
class HsgLoad:
    """What `load_hsg` did: the datasets it parsed (None if none), what it wrote, and the
    datasets it left alone as unchanged, each with its bad records of the time."""

    parsed: HsgData | None
    summary: BulkSummary
    unchanged: dict[Dataset, list[str]]

    @property
    def bad(self) -> list[str]:
        lines = [str(b) for b in self.parsed.bad] if self.parsed else []
        return lines + [line for bad in self.unchanged.values() for line in bad]


class StrictLoadError(ValueError):
    """`--strict` and bad records: nothing was written."""

    def __init__(self, bad: list[str]) -> None:
        self.bad = bad
        super().__init__(f"{len(bad)} bad record(s); nothing was written")


def load_hsg(
    driver: Driver,
    database: str,
    root: Path,
    only: Iterable[Dataset | str] | None = None,
    *,
    strict: bool = False,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    lock: str | None = None,
    on_wait: Callable[[], None] | None = None,
) -> HsgLoad:
    """Load the datasets under `root`: a dataset unchanged since it was last loaded is not
    parsed again (unless `force`); the others are parsed, checked (every bad record, before
    anything is written: `strict` raises StrictLoadError on any) and written row by row.
    One load at a time per database (`lock` names it; the database name by default)."""
    with exclusive_load(lock or database, on_wait=on_wait):
        return _load_hsg(driver, database, root, only, strict, force, progress, batch_size)


def _load_hsg(
    driver: Driver,
    database: str,
    root: Path,
    only: Iterable[Dataset | str] | None,
    strict: bool,
    force: bool,
    progress: Callable[[str, int, int], None] | None,
    batch_size: int,
) -> HsgLoad:
    selected = [d for d in DATASETS if d in {Dataset(x) for x in only}] if only else DATASETS
    digest = input_digest(root, *code_files(), Path(__file__))
    unchanged = {} if force else unchanged_datasets(driver, database, digest, selected)
    if strict and any(unchanged.values()):
        raise StrictLoadError([line for bad in unchanged.values() for line in bad])
    todo = [d for d in selected if d not in unchanged]
    if not todo:
        return HsgLoad(None, BulkSummary(), unchanged)
    data = read_hsg(root, todo)
    if strict and data.bad:
        raise StrictLoadError([str(b) for b in data.bad])
    summary = BulkSummary()
    for dataset in todo:
        records = data.datasets[dataset]
        unmark_loaded(driver, database, dataset)  # not unchanged until written
        written = write_dataset(driver, database, records, progress, batch_size)
        summary.merge(written)
        if not written.conflicts:
            mark_loaded(driver, database, records, written, digest)
    return HsgLoad(data, summary, unchanged)


# -- identity across sources -----------------------------------------------------------------


# Rounds of rules and writes one resolution runs at most (`resolve_identities`): a bound, in
# case a merge could not be written and the rules kept asking for it.
RESOLUTION_ROUNDS = 5


@dataclass
class Resolution:
    """What `resolve_identities` decided (`plan`: the merges and links it made or, not
    writing, would make, and the pairs left for review on the graph as it then stands),
    and the merges and links now stored."""

    plan: Plan
    merged: int
    linked: int
    remerged: int
    merges: list[MergeRecord]
    links: list[LinkRecord]
    written: bool


def resolve_identities(driver: Driver, database: str, *, write: bool = True) -> Resolution:
    """One identity per real thing (docs/graph-model.md): re-fold nodes a reload brought
    back into their survivors, then apply the rules of `services/identity.py` and write
    their merges and links, all in one transaction. `write=False` only plans and reports."""

    def work(tx: ManagedTransaction) -> Resolution:
        remerged = 0
        for record in read_merges(tx):
            if record.reloaded and write:
                again = Merge(record.survivor, record.absorbed, Rule(record.rule),
                              tuple(record.evidence), tuple(record.sources))  # fmt: skip
                remerged += merge_entities(tx, again)
        if write:
            restore_aliases(tx)
        decisions = read_decisions(tx)

        def plan() -> Plan:
            people, places = read_people(tx), read_places(tx)
            return identity.plan(people, places, read_organizations(tx), decisions)

        result = plan()
        merged = linked = 0
        if write:
            done = Plan()
            for _ in range(RESOLUTION_ROUNDS):
                if not (result.merges or result.links):
                    break
                merged += sum(merge_entities(tx, m) for m in result.merges)
                linked += sum(write_link(tx, link) for link in result.links)
                done.merges += result.merges
                done.links += result.links
                # The pairs left for review are those of the graph as written, which
                # `resolve --report` reads: a merge settles some (an end absorbed; a
                # survivor now holding a record of the other end's source, which keeps its
                # own records apart) and its names may fit more. So plan again, until
                # nothing is left to write.
                result = plan()
            result = Plan(done.merges, done.links, result.reviews)
        return Resolution(result, merged, linked, remerged, read_merges(tx), read_links(tx), write)

    with driver.session(database=database) as session:
        if write:
            return session.execute_write(work)
        return session.execute_read(work)


def undo_resolution(driver: Driver, database: str, ident: str) -> str:
    """Undo the merge of `ident` into another node, or the bureau links of the post `ident`;
    the pair is kept apart from then on. Returns what was undone."""

    def work(tx: ManagedTransaction) -> str:
        if any(m.absorbed == ident for m in read_merges(tx)):
            record = undo_merge(tx, ident)
            return f"{ident} restored, no longer merged into {record.survivor}"
        links = undo_link(tx, ident)
        if links:
            return f"{ident} no longer PART_OF " + ", ".join(link.whole for link in links)
        raise ResolutionError(f"no merge of {ident!r} and no resolved link from it is recorded")

    with driver.session(database=database) as session:
        return session.execute_write(work)


def decide_identity(driver: Driver, database: str, a: str, b: str, same: bool) -> None:
    """The analyst's word on a pair left for review: one thing (`same`), or two."""

    def work(tx: ManagedTransaction) -> None:
        decide(tx, a, b, "same" if same else "distinct", "analyst")

    with driver.session(database=database) as session:
        session.execute_write(work)


# -- review accept ---------------------------------------------------------------------------


@dataclass
class Acceptance:
    """What `accept_review` wrote: the document, the entities kept (`ids`: `candidates`,
    the ones ingest proposed, `added`, the ones the analyst added by hand, and `known`,
    the records ingest wrote for ends the graph held but no knowledge file defined), which
    of them are new (`created`) or were in the graph already (`linked`: they gained this
    document as a source), the summary."""

    document: str
    ids: list[str]
    summary: WriteSummary
    file: Path
    created: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)


def _check_loadable(
    review: Path, facts: Mapping[str, list[dict[str, Any]]], knowledge_dir: Path, target: Path
) -> None:
    """The accepted file (`target`) is loaded again by `diplograph load`, which on a fresh
    machine runs before any other source: a relationship may only end at an entity that the
    knowledge files or the accepted file itself define, not at one only the historian's
    datasets or another ingest hold; and an entity another knowledge file defines may not
    be defined again (the load refuses an id defined twice)."""
    every = defined_in(knowledge_dir)
    elsewhere = {i: path for i, path in every.items() if path != target}
    # The target file keeps what it held (`write_accepted` adds to it): ends it defines too.
    defined = set(every) | {e["id"] for e in facts["entities"]}
    problems = [
        Problem(str(review), f"entities[{index}] (id {entity['id']})",
                f"{entity.get('kind')} {entity.get('name')!r}: the id {entity['id']!r} is "
                f"defined in {elsewhere[entity['id']]} already: `diplograph load` would find "
                "it twice. If it is the same thing, delete this record and relate to "
                f"{entity['id']!r} under relationships; if it is another, give this record "
                "a new id (keep its `review: candidate:` line, so its relationships follow "
                "it); then accept again")
        for index, entity in enumerate(facts["entities"])
        if entity["id"] in elsewhere
    ] + [
        Problem(str(review), f"relationships[{index}] ({rel.get('from')} -{rel.get('type')}-> "
                f"{rel.get('to')})", f"'{end}' is {rel.get(end)!r}, which is in the graph but "
                f"not in {knowledge_dir}: `diplograph load` could not relate to it before the "
                "historian's datasets are loaded. Add a record for it (id, kind, name and a "
                "quote of this document) to the review file's entities, then accept again")
        for index, rel in enumerate(facts["relationships"])
        for end in ("from", "to")
        if rel.get(end) not in defined
    ]  # fmt: skip
    if problems:
        raise LoadError(problems)


def accept_review(
    driver: Driver, database: str, review: Path, knowledge_dir: Path, only: list[str] | None
) -> Acceptance:
    """Write the kept candidates of a review file, and the relationships it carries, as
    knowledge citing the ingested document: checked like every knowledge file (quotes
    against the stored document, kinds against the graph), written in one transaction,
    then kept in `knowledge_dir` so `diplograph load` loads them again. Only the kept
    entities that were candidates are marked accepted (`graph/candidates.py`); one the
    analyst added by hand is knowledge like the others, but no candidate. Raises LoadError
    naming the file, record and field of every problem; nothing is written then."""
    # The candidates the graph holds for the file's document decide which relationships
    # wait for a candidate not accepted yet.
    stored_for: dict[str, str | None] = {}

    def candidates_of(document: str) -> dict[str, str | None]:
        stored_for.update(candidate_entities(driver, database, document))
        return stored_for

    accepted = accepted_facts(review, only, candidates_of)
    if not accepted.ids:
        raise LoadError([Problem(str(review), "entities", "no candidate to accept")])
    cited = documents_by_id(driver, database, [accepted.document])
    if not cited:
        problem = f"{accepted.document!r} is not in the graph; ingest it first"
        raise LoadError([Problem(str(review), "document", problem)])
    knowledge = checked_facts(driver, database, accepted.facts, str(review))
    target = accepted_path(knowledge_dir, accepted.document)
    held = kinds_by_id(driver, database, accepted.ids)
    ghosts = [
        Problem(str(review), f"entities (id {ident})", "field 'review.known': true, but the graph "
                "holds no entity of this id: delete the line if the entity is new, else the record")
        for ident in accepted.known if ident not in held
    ]  # fmt: skip
    if ghosts:
        raise LoadError(ghosts)
    _check_loadable(review, accepted.facts, knowledge_dir, target)
    stored = set(stored_for)

    def work(tx: ManagedTransaction) -> WriteSummary:
        summary = write_knowledge_in(tx, knowledge)
        mark_accepted(tx, accepted.document, accepted.accepted_candidates(stored))
        return summary

    with driver.session(database=database) as session:
        summary = session.execute_write(work)
    write_accepted(target, accepted.document, accepted.facts)
    write_kept_document(kept_document_path(knowledge_dir, accepted.document), cited[0])
    return Acceptance(
        accepted.document, accepted.ids, summary, target,
        created=[i for i in accepted.ids if i not in held],
        linked=[i for i in accepted.ids if i in held],
        candidates=[i for i in accepted.ids if accepted.was_candidate(i, stored)],
        added=[
            i
            for i in accepted.ids
            if not accepted.was_candidate(i, stored) and i not in accepted.known
        ],
        known=list(accepted.known),
    )  # fmt: skip
