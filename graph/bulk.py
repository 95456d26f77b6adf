"""Bulk writes of dataset records (diplograph.records) to Neo4j: batched UNWIND, change-aware.

`services.pipeline.load_hsg` is a whole load. A dataset the graph holds exactly as this
checkout would write it (same input digest, same counts, its provenance intact; see
`unchanged_datasets`, `mark_loaded`) is skipped without parsing; the others are parsed,
checked, and written on their own (`write_dataset`): documents, then nodes per kind,
then relationships per type, in batches of `UNWIND $rows` statements, a transaction each.

* One statement per batch creates the rows that are not in the graph yet and compares the
  others by fingerprint on the server, answering with the ids unchanged and changed; the
  changed are then updated in place, the unchanged left alone. A relationship with an end
  this load created cannot exist yet and is simply created.
* Every node and relationship keeps, per dataset, a fingerprint of what that dataset last
  wrote (`hsgHashes`, e.g. `["pocom:9f2c..."]`), so a node several datasets state is
  updated by each without undoing the others; a reload never changes counts.
* Nodes shared with other sources (the curated article knowledge: `cuba`,
  `obama-barack`, `us-interests-section-havana`) keep their name, aliases and
  description; the dataset adds its properties, and its `sources`/`quotes` entries
  replace only that dataset's earlier ones (document ids `hsg-<dataset>...`).
* A batch is a transaction: an interrupted load leaves whole batches (and no digest), and
  running it again completes it (nothing is duplicated).

Just over 600 lines, kept whole: it is one thing, the change-aware writer of dataset rows
with the load state that lets the next load skip them.
"""

from __future__ import annotations

import fcntl
import hashlib
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction, Session

from diplograph.model import Document, FuzzyDate, Kind, RelType
from diplograph.records import (
    DATASETS,
    Dataset,
    DatasetRecords,
    Edge,
    HsgData,
    Node,
    Value,
    dataset_document_id,
)
from graph.repository import date_properties, document_row

BATCH_SIZE = 5_000
KIND_LABELS = frozenset(kind.value for kind in Kind)
REL_TYPES = frozenset(rel.value for rel in RelType)

Row = dict[str, Any]
Progress = Callable[[int], None]


@dataclass
class BulkSummary:
    """What a load did, per label / relationship type."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    # Rows not written: a node whose id exists with another kind, or an edge whose end is
    # missing or such a node.
    skipped: Counter[str] = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)

    def merge(self, other: BulkSummary) -> None:
        self.created.update(other.created)
        self.updated.update(other.updated)
        self.unchanged.update(other.unchanged)
        self.skipped.update(other.skipped)
        self.conflicts.extend(other.conflicts)

    @property
    def names(self) -> list[str]:
        return sorted(
            set(self.created) | set(self.updated) | set(self.unchanged) | set(self.skipped)
        )


# -- rows --------------------------------------------------------------------------------


_DATE_PROPS: dict[tuple[str, FuzzyDate], dict[str, Any]] = {}


def expand(props: dict[str, Value]) -> dict[str, Any]:
    """Record properties as Neo4j properties: a FuzzyDate becomes its text, precision and
    the days it spans (`start`, `startPrecision`, `startFrom`, `startTo`); plain values
    are set after, so a record may override one of those (a meeting's `dateTo`)."""
    out: dict[str, Any] = {}
    plain: dict[str, Any] = {}
    for key, value in props.items():
        if isinstance(value, FuzzyDate):
            cached = _DATE_PROPS.get((key, value))
            if cached is None:
                cached = _DATE_PROPS[(key, value)] = date_properties(key, value)
            out.update(cached)
        else:
            plain[key] = value
    out.update(plain)
    return out


def _fingerprint(dataset: str, payload: dict[str, Any]) -> str:
    """A digest of what a dataset writes for a row (its repr: the parse fixes the order)."""
    digest = hashlib.blake2b(repr(payload).encode(), digest_size=12).hexdigest()
    return f"{dataset}:{digest}"


def node_row(dataset: str, node: Node) -> Row:
    props = expand(node.props)
    props["id"] = node.id
    core: dict[str, Any] = {
        "name": node.name,
        "aliases": node.aliases,
        "aliasText": " | ".join(node.aliases),
    }
    if node.description is not None:
        core["description"] = node.description
    row: Row = {
        "id": node.id,
        "props": props,
        "core": core,
        "sources": [s.document for s in node.sources],
        "quotes": [s.quote for s in node.sources],
    }
    row["hash"] = _fingerprint(dataset, {"kind": node.kind.value, **row})
    return row


def edge_row(dataset: str, edge: Edge) -> Row:
    props = expand(edge.props)
    props["key"] = edge.key
    row: Row = {
        "from": edge.source,
        "to": edge.target,
        "key": edge.key,
        "props": props,
        "sources": [s.document for s in edge.sources],
        "quotes": [s.quote for s in edge.sources],
    }
    row["hash"] = _fingerprint(dataset, {"type": edge.type.value, **row})
    return row


def hsg_document_row(dataset: str, doc: Document) -> Row:
    row = document_row(doc)
    # A dataset's page is no text ingest meets again: no hash, and its fingerprint (what
    # tells a changed record) stays as it was.
    del row["props"]["textHash"]
    row["props"]["id"] = doc.id
    row["hash"] = _fingerprint(dataset, row)
    return row


@dataclass
class Rows:
    """One dataset's records as Cypher parameters."""

    dataset: str
    documents: list[Row]
    nodes: dict[Kind, list[Row]]
    edges: dict[RelType, list[Row]]

    @property
    def total(self) -> int:
        return (
            len(self.documents)
            + sum(len(r) for r in self.nodes.values())
            + sum(len(r) for r in self.edges.values())
        )


def dataset_rows(records: DatasetRecords) -> Rows:
    dataset = records.dataset.value
    nodes: dict[Kind, list[Row]] = defaultdict(list)
    for node in records.nodes.values():
        nodes[node.kind].append(node_row(dataset, node))
    edges: dict[RelType, list[Row]] = defaultdict(list)
    for edge in records.edges.values():
        edges[edge.type].append(edge_row(dataset, edge))
    documents = [hsg_document_row(dataset, d) for d in records.documents.values()]
    return Rows(dataset, documents, dict(nodes), dict(edges))


def _batches(rows: list[Row], size: int) -> Iterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


# -- Cypher (labels and types come from the Kind / RelType enums, never from input) --------

# Each batch is one statement that creates the rows not in the graph yet (one index seek
# per row, as a MERGE, but no lock and no second pass) and compares the others on the
# server, answering with one record: the rows that exist unchanged and those that exist
# changed. A first load gets two empty lists back.
_DOC_UPSERT = """
UNWIND $rows AS row
OPTIONAL MATCH (d:Document {id: row.id})
FOREACH (_ IN CASE WHEN d IS NULL THEN [1] ELSE [] END | CREATE (x:Document) SET x = row.all)
WITH row, d WHERE d IS NOT NULL
WITH row, coalesce(d.hsgHash = row.hash, false) AS same
RETURN collect(CASE WHEN same THEN row.id END) AS same,
       collect(CASE WHEN NOT same THEN row.id END) AS changed
"""
_DOC_UPDATE = (
    "UNWIND $rows AS row MATCH (d:Document {id: row.id}) SET d += row.props, d.hsgHash = row.hash"
)
# Unchanged: this dataset's fingerprint is on the node and its sources are still there.
_NODE_UPSERT = """
UNWIND $rows AS row
OPTIONAL MATCH (n:Entity {{id: row.id}})
FOREACH (_ IN CASE WHEN n IS NULL THEN [1] ELSE [] END |
  CREATE (x:Entity:{label}) SET x = row.all)
WITH row, n WHERE n IS NOT NULL
WITH row, n,
     coalesce(row.hash IN n.hsgHashes, false)
     AND [s IN coalesce(n.sources, []) WHERE s STARTS WITH $prefix] = row.sources AS same
RETURN collect(CASE WHEN same THEN row.id END) AS same,
       collect(CASE WHEN NOT same THEN {{id: row.id, labels: labels(n)}} END) AS changed
"""
# Provenance entries of other sources, and of other datasets, are kept; this dataset's
# are replaced. Name, aliases and description stay as the curated knowledge has them.
_NODE_UPDATE = """
UNWIND $rows AS row
MATCH (n:Entity {{id: row.id}})
WITH n, row, coalesce(n.sources, []) AS sources, coalesce(n.quotes, []) AS quotes
WITH n, row, sources, quotes,
     any(s IN sources WHERE NOT s STARTS WITH 'hsg-') AS shared,
     [i IN range(0, size(sources) - 1) WHERE NOT sources[i] STARTS WITH $prefix] AS keep
SET n:{label}, n += row.props, n += CASE WHEN shared THEN {{}} ELSE row.core END,
    n.sources = [i IN keep | sources[i]] + row.sources,
    n.quotes = [i IN keep | coalesce(quotes[i], '')] + row.quotes,
    n.hsgHashes = [h IN coalesce(n.hsgHashes, []) WHERE NOT h STARTS WITH $tag] + row.hash
"""
_EDGE_UPSERT = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.from}})
MATCH (b:Entity {{id: row.to}})
OPTIONAL MATCH (a)-[r:{type} {{key: row.key}}]->(b)
FOREACH (_ IN CASE WHEN r IS NULL THEN [1] ELSE [] END |
  CREATE (a)-[x:{type}]->(b) SET x = row.all)
WITH row, r WHERE r IS NOT NULL
WITH row,
     coalesce(row.hash IN r.hsgHashes, false)
     AND [s IN coalesce(r.sources, []) WHERE s STARTS WITH $prefix] = row.sources AS same
RETURN collect(CASE WHEN same THEN row.i END) AS same,
       collect(CASE WHEN NOT same THEN row.i END) AS changed
"""
_EDGE_CREATE = """
UNWIND $rows AS row
MATCH (a:Entity {{id: row.from}})
MATCH (b:Entity {{id: row.to}})
CREATE (a)-[r:{type}]->(b)
SET r = row.all
"""
_EDGE_UPDATE = """
UNWIND $rows AS row
MATCH (:Entity {{id: row.from}})-[r:{type} {{key: row.key}}]->(:Entity {{id: row.to}})
WITH r, row, coalesce(r.sources, []) AS sources, coalesce(r.quotes, []) AS quotes
WITH r, row, sources, quotes,
     [i IN range(0, size(sources) - 1) WHERE NOT sources[i] STARTS WITH $prefix] AS keep
SET r += row.props,
    r.sources = [i IN keep | sources[i]] + row.sources,
    r.quotes = [i IN keep | coalesce(quotes[i], '')] + row.quotes,
    r.hsgHashes = [h IN coalesce(r.hsgHashes, []) WHERE NOT h STARTS WITH $tag] + row.hash
"""


def _read(session: Session, query: str, **params: Any) -> list[dict[str, Any]]:
    def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
        return [record.data() for record in tx.run(query, **params)]

    return session.execute_read(work)


def _write(session: Session, query: str, **params: Any) -> int:
    """Run a write; return the relationships it created."""

    def work(tx: ManagedTransaction) -> int:
        return tx.run(query, **params).consume().counters.relationships_created

    return session.execute_write(work)


def _upsert(session: Session, query: str, **params: Any) -> tuple[list[Any], list[Any], int]:
    """Run a create-or-compare batch: (existing unchanged, existing changed, created)."""

    def work(tx: ManagedTransaction) -> tuple[list[Any], list[Any], int]:
        result = tx.run(query, **params)
        record = result.single(strict=True)
        counters = result.consume().counters
        return (
            record["same"],
            record["changed"],
            counters.nodes_created + (counters.relationships_created),
        )

    return session.execute_write(work)


def _create_map(row: Row) -> dict[str, Any]:
    """Every property of a new node or relationship, as one map (`SET n = row.all`)."""
    return {
        **row["props"],
        **row.get("core", {}),
        "sources": row["sources"],
        "quotes": row["quotes"],
        "hsgHashes": [row["hash"]],
    }


# -- the writer ------------------------------------------------------------------------------


class _DatasetWriter:
    def __init__(self, session: Session, rows: Rows, progress: Progress | None, batch_size: int):
        self.session = session
        self.rows = rows
        self.progress = progress or (lambda _n: None)
        self.batch_size = batch_size
        self.prefix = f"hsg-{rows.dataset}"
        self.tag = f"{rows.dataset}:"
        self.summary = BulkSummary()
        self.created_ids: set[str] = set()
        self.blocked_ids: set[str] = set()

    def _send(self, query: str, rows: list[Row], **params: Any) -> int:
        """Write rows in batches; return the relationships created."""
        created = 0
        for batch in _batches(rows, self.batch_size):
            created += _write(self.session, query, rows=batch, **params)
            self.progress(len(batch))
        return created

    def _upsert(self, query: str, rows: list[Row]) -> tuple[list[Any], list[Any], int]:
        """Create what is new, batch by batch; return (unchanged, changed, created)."""
        same: list[Any] = []
        changed: list[Any] = []
        created = 0
        for batch in _batches(rows, self.batch_size):
            s, c, n = _upsert(self.session, query, rows=batch, prefix=self.prefix)
            same += s
            changed += c
            created += n
            self.progress(len(batch) - len(c))
        return same, changed, created

    def documents(self) -> None:
        rows = self.rows.documents
        upserts = [
            {"id": r["id"], "hash": r["hash"], "all": {**r["props"], "hsgHash": r["hash"]}}
            for r in rows
        ]
        same_ids, changed_ids, created = self._upsert(_DOC_UPSERT, upserts)
        changed = [r for r in rows if r["id"] in set(changed_ids)]
        self._send(_DOC_UPDATE, changed)
        self.summary.created["Document"] += created
        self.summary.updated["Document"] += len(changed)
        self.summary.unchanged["Document"] += len(same_ids)

    def nodes(self) -> None:
        for kind, rows in self.rows.nodes.items():
            label = kind.value
            upserts = [
                {"id": r["id"], "hash": r["hash"], "sources": r["sources"], "all": _create_map(r)}
                for r in rows
            ]
            same_ids, changed_found, created = self._upsert(
                _NODE_UPSERT.format(label=label), upserts
            )
            existing: dict[str, list[str] | None] = {c["id"]: c["labels"] for c in changed_found}
            existing.update((i, None) for i in same_ids)
            changed: list[Row] = []
            for row in rows:
                if row["id"] not in existing:
                    self.created_ids.add(row["id"])
                    continue
                labels = existing[row["id"]]
                if labels is None:
                    continue  # unchanged
                other_kinds = (set(labels) & KIND_LABELS) - {label}
                if other_kinds:
                    self.blocked_ids.add(row["id"])
                    self.summary.skipped[label] += 1
                    self.summary.conflicts.append(
                        f"{row['id']}: exists as {'/'.join(sorted(other_kinds))}, "
                        f"the {self.rows.dataset} dataset has it as {label}; not written"
                    )
                    self.progress(1)
                else:
                    changed.append(row)
            self._send(_NODE_UPDATE.format(label=label), changed, prefix=self.prefix, tag=self.tag)
            self.summary.created[label] += created
            self.summary.updated[label] += len(changed)
            self.summary.unchanged[label] += len(same_ids)

    def edges(self) -> None:
        for rel_type, rows in self.rows.edges.items():
            name = rel_type.value
            fresh: list[Row] = []  # an end was created by this load: cannot exist yet
            check: list[Row] = []
            blocked = 0
            for row in rows:
                if row["from"] in self.blocked_ids or row["to"] in self.blocked_ids:
                    blocked += 1
                elif row["from"] in self.created_ids or row["to"] in self.created_ids:
                    fresh.append(row)
                else:
                    check.append(row)
            created = self._send(
                _EDGE_CREATE.format(type=name),
                [{"from": r["from"], "to": r["to"], "all": _create_map(r)} for r in fresh],
            )
            upserts = [
                {
                    "i": i,
                    "from": r["from"],
                    "to": r["to"],
                    "key": r["key"],
                    "hash": r["hash"],
                    "sources": r["sources"],
                    "all": _create_map(r),
                }
                for i, r in enumerate(check)
            ]
            same_i, changed_i, created_here = self._upsert(_EDGE_UPSERT.format(type=name), upserts)
            created += created_here
            changed = [check[i] for i in sorted(set(changed_i))]
            same = len(set(same_i))
            missing = len(check) - same - len(changed) - created_here
            self.progress(blocked)
            self._send(_EDGE_UPDATE.format(type=name), changed, prefix=self.prefix, tag=self.tag)
            self.summary.created[name] += created
            self.summary.skipped[name] += blocked + missing + len(fresh) - (created - created_here)
            self.summary.updated[name] += len(changed)
            self.summary.unchanged[name] += same


def write_rows(
    driver: Driver,
    database: str,
    rows: Rows,
    *,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> BulkSummary:
    """Write one dataset's rows (documents, nodes, then relationships)."""
    with driver.session(database=database) as session:
        writer = _DatasetWriter(session, rows, progress, batch_size)
        writer.documents()
        writer.nodes()
        writer.edges()
        return writer.summary


def write_hsg(
    driver: Driver,
    database: str,
    data: HsgData,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> BulkSummary:
    """Write every parsed dataset, row by row. `progress(dataset, done, total)` as it goes."""
    summary = BulkSummary()
    for dataset in DATASETS:
        if dataset in data.datasets:
            summary.merge(
                write_dataset(driver, database, data.datasets[dataset], progress, batch_size)
            )
    return summary


def write_dataset(
    driver: Driver,
    database: str,
    records: DatasetRecords,
    progress: Callable[[str, int, int], None] | None,
    batch_size: int,
) -> BulkSummary:
    name = records.dataset.value
    total = records.row_count
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(name, done, total)

    advance(0)  # before the rows are built: building them is part of writing
    rows = dataset_rows(records)
    return write_rows(driver, database, rows, progress=advance, batch_size=batch_size)


# -- a whole load, skipping datasets that have not changed since they were last loaded -------

# Stored on each dataset's Document after it is written: the input digest it was written
# from, how many nodes and relationships carry its fingerprint, and its bad records.
_STATE = """
MATCH (d:Document {id: $id})
CALL (d) {
  MATCH (n:Entity) WHERE any(h IN coalesce(n.hsgHashes, []) WHERE h STARTS WITH $tag)
  RETURN count(n) AS nodes,
         count(CASE WHEN NOT any(s IN coalesce(n.sources, []) WHERE s STARTS WITH $prefix)
                    THEN 1 END) AS lostNodes
}
CALL (d) {
  MATCH ()-[r]->() WHERE any(h IN coalesce(r.hsgHashes, []) WHERE h STARTS WITH $tag)
  RETURN count(r) AS rels,
         count(CASE WHEN NOT any(s IN coalesce(r.sources, []) WHERE s STARTS WITH $prefix)
                    THEN 1 END) AS lostRels
}
RETURN d.hsgInputDigest AS digest, d.hsgNodes AS storedNodes, d.hsgRels AS storedRels,
       coalesce(d.hsgBadRecords, []) AS bad, nodes, rels, lostNodes, lostRels
"""
_MARK = """
MATCH (d:Document {id: $id})
SET d.hsgInputDigest = $digest, d.hsgNodes = $nodes, d.hsgRels = $rels, d.hsgBadRecords = $bad
"""
_UNMARK = "MATCH (d:Document {id: $id}) REMOVE d.hsgInputDigest"


def code_files() -> tuple[Path, ...]:
    """The writer's own code: a change to it makes every dataset load again."""
    here = Path(__file__).resolve()
    return here, here.with_name("repository.py")


def unchanged_datasets(
    driver: Driver, database: str, digest: str, selected: Iterable[Dataset]
) -> dict[Dataset, list[str]]:
    """The datasets the graph holds exactly as `digest` would write them, with the bad
    records reported when they were written. A dataset counts as unchanged only when its
    stored digest matches, the nodes and relationships carrying its fingerprint are as
    many as it left, and each still cites one of its documents (the curated loader
    replaces `sources` on the nodes it shares)."""
    unchanged: dict[Dataset, list[str]] = {}
    for dataset in selected:
        records, _, _ = driver.execute_query(
            _STATE,
            id=dataset_document_id(dataset),
            tag=f"{dataset.value}:",
            prefix=f"hsg-{dataset.value}",
            database_=database,
        )
        if not records:
            continue
        state = records[0]
        if (
            state["digest"] == digest
            and (state["nodes"], state["rels"]) == (state["storedNodes"], state["storedRels"])
            and state["lostNodes"] == 0
            and state["lostRels"] == 0
        ):
            unchanged[dataset] = list(state["bad"])
    return unchanged


class LoadBusyError(RuntimeError):
    """Another load of the datasets into the same database did not finish in time."""


@contextmanager
def exclusive_load(
    name: str, *, wait: float = 600.0, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """One load at a time into a database (`name`) from this machine: an OS file lock,
    which the kernel releases when the process ends, however it ends. Two loads at once
    could both create a relationship whose ends already existed; the second one waits,
    then finds the datasets unchanged. (Loads from other machines are not covered.)"""
    digest = hashlib.blake2b(name.encode(), digest_size=8).hexdigest()
    path = Path(tempfile.gettempdir()) / f"diplograph-hsg-{digest}.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait
        waiting = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting and on_wait is not None:
                    on_wait()
                waiting = True
                if time.monotonic() > deadline:
                    raise LoadBusyError(
                        f"another load into {name} has held {path} for over {wait:g}s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def unmark_loaded(driver: Driver, database: str, dataset: Dataset) -> None:
    """Forget a dataset's load state before writing it: not unchanged until written."""
    with driver.session(database=database) as session:
        session.run(_UNMARK, id=dataset_document_id(dataset)).consume()


def mark_loaded(
    driver: Driver, database: str, records: DatasetRecords, written: BulkSummary, digest: str
) -> None:
    """Record on the dataset's Document that the graph holds it as `digest` writes it: every
    row written or found unchanged now carries the dataset's fingerprint."""
    doc = dataset_document_id(records.dataset)
    if doc not in records.documents:
        return
    nodes = sum(written.created[k] + written.updated[k] + written.unchanged[k] for k in KIND_LABELS)
    rels = sum(written.created[t] + written.updated[t] + written.unchanged[t] for t in REL_TYPES)
    with driver.session(database=database) as session:
        session.run(
            _MARK, id=doc, digest=digest, nodes=nodes, rels=rels, bad=[str(b) for b in records.bad]
        ).consume()
