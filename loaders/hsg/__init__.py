"""The State Department historian's datasets (HistoryAtState pocom, travels, visits) as records.

Pure: reads a checkout of the XML datasets and returns domain records (nodes and edges of
the knowledge model, with their sources) plus a report of every bad record, each with
its file and record id. Nothing here knows Neo4j; graph/bulk.py writes the records.

What becomes what (docs/hsg.md has the long form):

* pocom people, and travels' presidents -> `Person` (id = the pocom person id, which
  travels' `who` repeats); birth/death as year-precision dates.
* pocom country missions -> `Country` (territory id) and an `Organization` per mission
  (`us-mission-<territory>`); principal officers of an Interests Section belong to
  `us-interests-section-<capital>` (`us-interests-section-havana` for Cuba).
  Missions to organizations -> `us-mission-<org>`; principal positions ->
  `state-<position id>`; the presidency -> `us-president`. Each of these offices and
  missions REPRESENTS `united-states` (so its holders' trips are U.S. participation).
  Every tenure -> `HOLDS_POSITION` {title, start, end, appointed, notes}, keyed by its
  chief/principal id, dates kept at their precision.
* trips (presidents, secretaries) and visits (foreign leaders to the U.S.) -> `Meeting`
  {meetingType: trip|visit}, `HELD_IN` the country (and the trip's places), the
  traveller or visitor `ATTENDED` it, and people named in the free text are `MENTIONS`,
  linked to a known person only when exactly one fits, else a candidate `Person`.

Provenance: a `Document` per dataset file, its text the XML as published, and one per
dataset (its README); every node and edge names those documents in `sources`, with the
record's key text (`<id>2985</id>`, `who="obama-barack"`, "President Rene Preval") as the
quote, which occurs in the document's text.

A bad record (missing id, unparseable date, unknown country or person id, duplicate id,
malformed file) is reported and left out, with nothing of it loaded.

One module per dataset (`pocom.py`, `travels.py`, `visits.py`), each a part of the one
reader (`reader.py`: the checkout, citing files, people named in free text); shared XML
helpers (`xml.py`), territories (`territories.py`), who is who (`people.py`); people
named with a title in free text are found by `loaders/names.py`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from diplograph import model, records
from diplograph.model import RELATIONSHIP_RULES
from diplograph.records import DATASETS, BadKind, BadRecord, Dataset, DatasetRecords, HsgData
from loaders import names
from loaders.hsg.pocom import PocomReader
from loaders.hsg.travels import TravelsReader
from loaders.hsg.visits import VisitsReader


class HsgReader(PocomReader, TravelsReader, VisitsReader):
    """Reads one checkout: pocom first (the reference), then travels and visits."""

    def read(self, selected: Sequence[Dataset]) -> HsgData:
        results: dict[Dataset, DatasetRecords] = {}
        # pocom is the reference for people and offices; read it even when not written.
        pocom = DatasetRecords(Dataset.POCOM)
        if (self.root / "pocom").is_dir():
            self.read_pocom(pocom)
        elif Dataset.POCOM in selected:
            pocom.bad.append(
                BadRecord(
                    "pocom", "folder", BadKind.MISSING_DATASET, f"no pocom/ folder in {self.root}"
                )
            )
        if Dataset.POCOM in selected:
            results[Dataset.POCOM] = pocom
        travels = DatasetRecords(Dataset.TRAVELS)
        if (self.root / "travels").is_dir():
            self.dataset_document(Dataset.TRAVELS, travels)
            self.read_presidents(travels)
            if Dataset.TRAVELS in selected:
                self.read_trips(travels)
        elif Dataset.TRAVELS in selected:
            travels.bad.append(
                BadRecord(
                    "travels",
                    "folder",
                    BadKind.MISSING_DATASET,
                    f"no travels/ folder in {self.root}",
                )
            )
        if Dataset.TRAVELS in selected:
            results[Dataset.TRAVELS] = travels
        if Dataset.VISITS in selected:
            visits = DatasetRecords(Dataset.VISITS)
            if (self.root / "visits").is_dir():
                self.dataset_document(Dataset.VISITS, visits)
                self.read_visits(visits)
            else:
                visits.bad.append(
                    BadRecord(
                        "visits",
                        "folder",
                        BadKind.MISSING_DATASET,
                        f"no visits/ folder in {self.root}",
                    )
                )
            results[Dataset.VISITS] = visits
        for parsed in results.values():
            check_rules(parsed)
        return HsgData(self.root, results)


def check_rules(records: DatasetRecords) -> None:
    """Every edge must join nodes of this dataset of kinds its type allows (a loader bug if not)."""
    for edge in records.edges.values():
        allowed_from, allowed_to = RELATIONSHIP_RULES.get(edge.type, (frozenset(), frozenset()))
        source = records.nodes.get(edge.source)
        target = records.nodes.get(edge.target)
        if source is None or target is None:
            raise AssertionError(f"{edge.ident}: an end is not among the dataset's nodes")
        if source.kind not in allowed_from or target.kind not in allowed_to:
            raise AssertionError(f"{edge.ident}: {source.kind} -> {target.kind} not allowed")


# Every file the reader reads (code tables, schemas and concurrent appointments are not).
INPUT_FILES = (
    "SNAPSHOTS.txt",
    "*/README.md",
    "pocom/people/*/*.xml",
    "pocom/roles-country-chiefs/*.xml",
    "pocom/positions-principals/*.xml",
    "pocom/missions-countries/*.xml",
    "pocom/missions-orgs/*.xml",
    "travels/presidents/*.xml",
    "travels/president-travels/*.xml",
    "travels/secretary-travels/*.xml",
    "visits/data/*.xml",
)


def input_digest(root: Path, *code: Path) -> str:
    """A digest of everything a load depends on: every input file (path and bytes), the
    reader's code (this package, the name finder, the model and records), and the further
    `code` files given (the writer's)."""
    digest = hashlib.blake2b(digest_size=16)
    for pattern in INPUT_FILES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    reader = sorted(Path(__file__).parent.glob("*.py"))
    for source in (
        *reader,
        Path(names.__file__),
        Path(model.__file__),
        Path(records.__file__),
        *code,
    ):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def read_hsg(root: Path, only: Iterable[Dataset | str] | None = None) -> HsgData:
    """Parse the datasets under `root` (the folder holding pocom/, travels/, visits/)."""
    selected = [Dataset(d) for d in only] if only else list(DATASETS)
    selected = [d for d in DATASETS if d in selected]
    return HsgReader(root.resolve()).read(selected)
