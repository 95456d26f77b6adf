"""The reader's plumbing, shared by the datasets: one checkout, its reference data, how
to cite a file, and the people named in free text as MENTIONS or candidates."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from diplograph.model import Document, FuzzyDate, Kind, RelType, Source
from diplograph.records import (
    BadKind,
    BadRecord,
    Dataset,
    DatasetRecords,
    Edge,
    Node,
    Value,
    dataset_document_id,
)
from loaders.hsg.people import Reference, Resolver, candidate_id, candidate_key
from loaders.hsg.territories import UNITED_STATES, Territories
from loaders.hsg.xml import Reject, UnsafeXml, document_id, parse_xml, read_snapshots
from loaders.names import TitledName, find_titled_people

PUBLISHER = "U.S. Department of State, Office of the Historian"
UPSTREAM = {d: f"https://github.com/HistoryAtState/{d.value}" for d in Dataset}
DATASET_TITLES = {
    Dataset.POCOM: "Principal Officers & Chiefs of Mission",
    Dataset.TRAVELS: "Foreign Travels of the President and Secretary of State",
    Dataset.VISITS: "Visits by Foreign Leaders and Heads of State",
}


PRINCIPAL_OFFICER = "principal-officer"


class Reader:
    """Reads one checkout; knows the reference data and how to cite a file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snapshots = read_snapshots(root)
        self.reference = Reference()
        self.territories = Territories()
        self.resolver = Resolver(self.reference)
        self.people_ok: set[str] = set()  # pocom people whose records are good
        self.old_ids: dict[str, str] = {}  # a person's former pocom id -> its id now
        self.texts: dict[Path, str] = {}  # parsed files' text, until their Document takes it
        self.roles: dict[str, str] = {}
        self.position_names: dict[str, str] = {}

    # -- plumbing --

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def parse(self, path: Path, out: DatasetRecords) -> etree._Element | None:
        """The file's root element (its text kept for its Document), or None, reported."""
        try:
            content = path.read_bytes()
            root = parse_xml(content)
            self.texts[path] = content.decode("utf-8")
            return root
        except UnsafeXml as error:
            out.bad.append(self.refused(path, error))
            return None
        except (etree.XMLSyntaxError, UnicodeDecodeError) as error:
            if isinstance(error, UnicodeDecodeError):
                out.bad.append(
                    BadRecord(self.rel(path), "file", BadKind.MALFORMED_XML, f"not UTF-8: {error}")
                )
                return None
            out.bad.append(
                BadRecord(
                    self.rel(path),
                    f"line {error.lineno or '?'}",
                    BadKind.MALFORMED_XML,
                    str(error.msg),
                )
            )
            return None
        except OSError as error:
            out.bad.append(BadRecord(self.rel(path), "file", BadKind.MALFORMED_XML, str(error)))
            return None

    def refused(self, path: Path, error: UnsafeXml) -> BadRecord:
        return BadRecord(self.rel(path), f"line {error.line}", BadKind.UNSAFE_XML, error.reason)

    def url(self, dataset: Dataset, relative: str) -> str:
        commit = self.snapshots.get(dataset.value, "master")
        return f"{UPSTREAM[dataset]}/blob/{commit}/{relative.split('/', 1)[1]}"

    def file_document(
        self, dataset: Dataset, path: Path, title: str, what: str, out: DatasetRecords
    ) -> str:
        """A Document for a dataset file: its text is the XML as published, so every quote
        (`<id>2985</id>`, `who="obama-barack"`, "Foreign Minister Nakasone") is in it."""
        relative = self.rel(path)
        doc_id = document_id(dataset, relative)
        out.documents[doc_id] = Document(
            id=doc_id,
            title=f"{title} ({what})",
            text=self.texts.pop(path, ""),
            file=relative,
            url=self.url(dataset, relative),
            publisher=PUBLISHER,
        )
        return doc_id

    def dataset_document(self, dataset: Dataset, out: DatasetRecords) -> str:
        doc_id = dataset_document_id(dataset)
        readme = self.root / dataset.value / "README.md"
        text = readme.read_text(encoding="utf-8") if readme.is_file() else DATASET_TITLES[dataset]
        commit = self.snapshots.get(dataset.value, "master")
        out.documents[doc_id] = Document(
            id=doc_id,
            title=f"{DATASET_TITLES[dataset]} (Office of the Historian)",
            text=text,
            file=dataset.value,
            url=f"{UPSTREAM[dataset]}/tree/{commit}",
            publisher=PUBLISHER,
        )
        return doc_id

    def reject(self, out: DatasetRecords, path: Path, record: str, error: Reject) -> None:
        out.bad.append(BadRecord(self.rel(path), error.record or record, error.kind, error.reason))

    def person_stub(self, person: str, source: Source) -> Node:
        info = self.reference.people[person]
        return Node(person, Kind.PERSON, info.name, [source], aliases=list(info.aliases))

    def country(self, out: DatasetRecords, territory: str, source: Source) -> None:
        out.add_node(self.territories.node(territory, source))

    def acts_for_united_states(self, out: DatasetRecords, office: str, source: Source) -> None:
        """`office` (the presidency, a State Department post, a U.S. mission) REPRESENTS the
        United States, as the curated knowledge has the Havana Interests Section do: its
        holders' trips are then U.S. participation (`graph/projection.py` PARTICIPATION)."""
        self.country(out, UNITED_STATES, source)
        note = "A U.S. government office or mission: it acts for the United States."
        out.add_edge(Edge(RelType.REPRESENTS, office, UNITED_STATES, "", [source], {"note": note}))

    @staticmethod
    def _span(props: dict[str, Value], start: FuzzyDate | None, end: FuzzyDate | None) -> None:
        if start is not None:
            props["date"] = start
        if end is not None:
            props["endDate"] = end
            if start is not None and end.end >= start.start:
                props["dateTo"] = end.end  # the meeting spans dateFrom..dateTo

    def _mentions(
        self,
        out: DatasetRecords,
        meeting: str,
        text: str,
        field_name: str,
        start: FuzzyDate | None,
        default_country: str | None,
        doc: str,
        *,
        exclude: set[str] | None = None,
        mentions: list[TitledName] | None = None,
        country_basis: str = "inferred: the country of the trip",
        attended: bool = False,
    ) -> None:
        """MENTIONS from the meeting to each person named; candidates for the unmatched.

        A candidate REPRESENTS its country only when the text states it, or when the
        record does (a visit's `from`); a trip's country is only a guess, kept as a property.
        """
        when = start.start if start is not None else None
        for mention in (
            mentions if mentions is not None else find_titled_people(text, self.territories)
        ):
            resolution = self.resolver.resolve(mention, when)
            quote = mention.text if len(mention.text) >= 3 else text
            source = Source(document=doc, quote=quote)
            props: dict[str, Value] = {
                "text": mention.text,
                "field": field_name,
                "resolution": resolution.basis,
            }
            if mention.title:
                props["title"] = mention.title
            person = resolution.person
            if person is not None:
                if exclude and person in exclude:
                    continue
                out.add_node(self.person_stub(person, source))
                props["linked"] = True
            else:
                country = mention.country
                basis = "stated in the text"
                if country is None and not mention.of_other:
                    country, basis = default_country, country_basis
                person = candidate_id(meeting, mention)
                cprops: dict[str, Value] = {
                    "candidate": True,
                    "candidateKey": candidate_key(mention, country),
                }
                if mention.title:
                    cprops["title"] = mention.title
                if country:
                    cprops["country"] = country
                    cprops["countryBasis"] = basis
                out.add_node(
                    Node(
                        person,
                        Kind.PERSON,
                        mention.name,
                        [source],
                        aliases=[mention.text] if mention.text != mention.name else [],
                        description=f"Candidate: named {mention.text!r} in the historian's "
                        "datasets; not matched to a known person.",
                        props=cprops,
                    )
                )
                if country and (basis == "stated in the text" or attended):
                    self.country(out, country, source)
                    out.add_edge(Edge(RelType.REPRESENTS, person, country, "", [source]))
                props["linked"] = False
            out.add_edge(Edge(RelType.MENTIONS, meeting, person, "", [source], props))
            if attended:
                out.add_edge(
                    Edge(
                        RelType.ATTENDED,
                        person,
                        meeting,
                        "",
                        [source],
                        {"role": mention.title or "visitor", "as": "visitor"},
                    )
                )
