"""Records: what the loaders hand to the graph, with no Neo4j and no parsing in them.

The loaders turn sources into these; `graph/` writes them (and reads `KnownEntity`
back for linking); the pipeline (`services/pipeline.py`) moves them between the two.

* the historian's datasets: `Node`, `Edge`, `DatasetRecords` per dataset, `HsgData` for
  a checkout, and a `BadRecord` for every record left out;
* documents: a `Mention` of a known entity (offsets into `Document.text`), an
  `Ambiguity` not linked, a `Candidate` for the analyst, all of one document in an
  `Analysis`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TypeAlias

from diplograph.model import Document, FuzzyDate, Kind, RelType, Source

# -- the historian's datasets --------------------------------------------------------------


class Dataset(StrEnum):
    POCOM = "pocom"
    TRAVELS = "travels"
    VISITS = "visits"


DATASETS: tuple[Dataset, ...] = tuple(Dataset)


def dataset_document_id(dataset: Dataset) -> str:
    """The id of a dataset's own Document (its README), which carries its load state."""
    return f"hsg-{dataset.value}"


Value: TypeAlias = str | int | float | bool | date | FuzzyDate | list[str]


class BadKind(StrEnum):
    MALFORMED_XML = "malformed XML"
    MISSING_ID = "missing id"
    INVALID_ID = "invalid id"
    DUPLICATE_ID = "duplicate id"
    BAD_DATE = "unparseable date"
    END_BEFORE_START = "end before start"
    UNSAFE_XML = "DOCTYPE refused"
    UNKNOWN_COUNTRY = "unknown country id"
    UNKNOWN_PERSON = "unknown person id"
    MISSING_DATASET = "missing dataset"


@dataclass(frozen=True)
class BadRecord:
    """One record left out, and why: the file (relative to the checkout) and record id."""

    file: str
    record: str
    kind: BadKind
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.kind.value}: {self.reason}"


@dataclass(slots=True)
class Node:
    """An entity of the knowledge model, as one dataset states it."""

    id: str
    kind: Kind
    name: str
    sources: list[Source]
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    props: dict[str, Value] = field(default_factory=dict)


EdgeKey = tuple[RelType, str, str, str]


@dataclass(slots=True)
class Edge:
    """A relationship of the knowledge model; (type, source, target, key) identifies it."""

    type: RelType
    source: str
    target: str
    key: str
    sources: list[Source]
    props: dict[str, Value] = field(default_factory=dict)

    @property
    def ident(self) -> EdgeKey:
        return (self.type, self.source, self.target, self.key)


def _add_sources(existing: list[Source], new: Iterable[Source]) -> None:
    """Add sources from documents not yet cited (one quote per document is enough)."""
    cited = {s.document for s in existing}
    for source in new:
        if source.document not in cited:
            existing.append(source)
            cited.add(source.document)


@dataclass
class DatasetRecords:
    """Everything one dataset contributes, self-contained: every edge's ends are among its nodes."""

    dataset: Dataset
    documents: dict[str, Document] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[EdgeKey, Edge] = field(default_factory=dict)
    records: Counter[str] = field(default_factory=Counter)
    bad: list[BadRecord] = field(default_factory=list)

    def add_node(self, node: Node) -> Node:
        """Add a node; a second statement of the same id adds its sources and new facts."""
        known = self.nodes.get(node.id)
        if known is None:
            self.nodes[node.id] = node
            return node
        _add_sources(known.sources, node.sources)
        for key, value in node.props.items():
            known.props.setdefault(key, value)
        for alias in node.aliases:
            if alias not in known.aliases and alias != known.name:
                known.aliases.append(alias)
        if known.description is None:
            known.description = node.description
        return known

    def add_edge(self, edge: Edge) -> None:
        known = self.edges.get(edge.ident)
        if known is None:
            self.edges[edge.ident] = edge
        else:
            _add_sources(known.sources, edge.sources)

    @property
    def row_count(self) -> int:
        return len(self.documents) + len(self.nodes) + len(self.edges)


@dataclass
class HsgData:
    """The parsed checkout: the selected datasets' records and every bad record found."""

    root: Path
    datasets: dict[Dataset, DatasetRecords]

    @property
    def bad(self) -> list[BadRecord]:
        return [b for records in self.datasets.values() for b in records.bad]

    def bad_counts(self) -> Counter[str]:
        return Counter(b.kind.value for b in self.bad)


# -- documents: mentions, ambiguities, candidates ------------------------------------------


@dataclass(frozen=True)
class KnownEntity:
    """An entity as read from the graph: its id, kind (None if unlabelled), name, aliases;
    for a person, the periods of the posts held (an open end as `date.max`) and the day
    by which they had died, which a document's date is weighed against, and the titles
    known for them; for a meeting, its days, places, attendees and the documents it
    cites, so a text's dated meeting there, with one of them (or in the document it was
    accepted from), is a mention of it."""

    id: str
    kind: Kind | None
    name: str
    aliases: tuple[str, ...] = ()
    posts: tuple[tuple[date, date], ...] = ()
    died: date | None = None
    titles: tuple[str, ...] = ()  # its description's clauses and its posts' titles
    held: tuple[date, date] | None = None  # a meeting's first and last day
    places: tuple[str, ...] = ()  # the ids of the places a meeting was held in
    attendees: tuple[str, ...] = ()  # the ids of those who attended a meeting
    documents: tuple[str, ...] = ()  # the documents a meeting's sources cite


class Method(StrEnum):
    """How a mention was linked."""

    NAME = "name"
    ALIAS = "alias"
    VARIANT = "variant"
    SURNAME = "surname"
    HELD = "held"  # a dated meeting the graph holds, by its day and place


@dataclass(frozen=True)
class Mention:
    """One occurrence of a known entity: `text == document.text[start:end]`."""

    entity_id: str
    start: int
    end: int
    text: str
    matched: str  # the known name or alias it matched
    method: Method
    score: float = 100.0  # rapidfuzz ratio for variants, 100 otherwise
    title: str | None = None  # a title just before the name: "Vice Foreign Minister"


@dataclass(frozen=True)
class Ambiguity:
    """Text that could name more than one entity (or an unknown one too): not linked."""

    start: int
    end: int
    text: str
    entity_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Occurrence:
    start: int
    end: int
    text: str
    quote: str  # the sentence it stands in


@dataclass
class Candidate:
    """Something the analyst may turn into knowledge: shaped like an `Entity`."""

    id: str
    kind: Kind
    name: str
    reason: str
    description: str | None = None
    title: str | None = None
    date: FuzzyDate | None = None
    date_text: str | None = None
    properties: dict[str, str | int | float] = field(default_factory=dict)
    occurrences: list[Occurrence] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other forms in the text (acronyms)
    # A meeting's place and participants: entity ids when linked, else names as written.
    place: str | None = None
    participants: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Ref:
    """What a candidate names (a meeting's place or participant, a delegation's leader or
    country): an entity the graph holds, or another candidate of the same document
    (`candidate`), by id, with its name; `id` is None for a name that is neither."""

    id: str | None
    name: str
    candidate: bool = False


@dataclass(frozen=True)
class CandidateLinks:
    """The entities and candidates a candidate names, which `review accept` writes as the
    relationships every loaded one has: a meeting HELD_IN its place and ATTENDED by its
    participants, a delegation LED by its leader and REPRESENTS its country, a person
    CITIZEN_OF the country a nationality before their title names."""

    place: Ref | None = None
    participants: tuple[Ref, ...] = ()
    leader: Ref | None = None
    country: Ref | None = None


@dataclass
class Analysis:
    """Everything the pipeline found in one document; `names` and `kinds`, the name and
    kind of each linked entity (the pipeline gives them; a mention's matched form stands in
    for a name otherwise)."""

    document: Document
    mentions: list[Mention]
    ambiguities: list[Ambiguity]
    candidates: list[Candidate]
    names: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, Kind] = field(default_factory=dict)

    def ref(self, value: str) -> Ref:
        """An entity id linked in the document, else a candidate of it by name or id (the
        rules name a proposed place, participant or leader by its name)."""
        matched = next((m.matched for m in self.mentions if m.entity_id == value), None)
        if matched is not None:
            return Ref(value, self.names.get(value, matched))
        candidate = next((c for c in self.candidates if c.name == value), None) or next(
            (c for c in self.candidates if c.id == value), None
        )
        if candidate is not None:
            return Ref(candidate.id, candidate.name, candidate=True)
        return Ref(None, value)

    def links(self, candidate: Candidate) -> CandidateLinks:
        """What the candidate names, resolved by `ref`."""
        leader = candidate.properties.get("leader") if candidate.kind == Kind.DELEGATION else None
        country = (
            candidate.properties.get("country")
            if candidate.kind in (Kind.DELEGATION, Kind.PERSON)
            else None
        )
        return CandidateLinks(
            place=self.ref(candidate.place) if candidate.place else None,
            participants=tuple(self.ref(p) for p in candidate.participants),
            leader=self.ref(leader) if isinstance(leader, str) else None,
            country=self.ref(country) if isinstance(country, str) else None,
        )
