"""visits: foreign leaders' visits to the U.S. as meetings, the visitor attending."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from diplograph.model import Kind, RelType, Source
from diplograph.records import (
    Dataset,
    DatasetRecords,
    Edge,
    Node,
    Value,
    dataset_document_id,
)
from loaders.hsg.reader import DATASET_TITLES, Reader
from loaders.hsg.territories import UNITED_STATES
from loaders.hsg.xml import (
    Reject,
    check_numeric_id,
    quote_id,
    read_dates,
    text_at,
)
from loaders.names import TitledName, find_titled_people


class VisitsReader(Reader):
    """Reads visits: each visit a meeting in the U.S., its visitor attending."""

    def read_visits(self, out: DatasetRecords) -> None:
        seen: set[str] = set()
        dataset_doc = dataset_document_id(Dataset.VISITS)
        us_source = Source(document=dataset_doc, quote=DATASET_TITLES[Dataset.VISITS])
        for path in sorted((self.root / "visits" / "data").glob("*.xml")):
            element = self.parse(path, out)
            if element is None:
                continue
            visits = element.findall("visit")
            doc = self.file_document(
                Dataset.VISITS,
                path,
                f"Visits by Foreign Leaders: {path.stem}s",
                f"visits, {len(visits)} visits",
                out,
            )
            for index, visit in enumerate(visits, start=1):
                out.records["visit"] += 1
                self._visit(visit, out, path, index, doc, seen, us_source)

    def _visit(
        self,
        visit: etree._Element,
        out: DatasetRecords,
        path: Path,
        index: int,
        doc: str,
        seen: set[str],
        us_source: Source,
    ) -> None:
        raw_id = text_at(visit, "id")
        label = f"visit {raw_id}" if raw_id else f"visit #{index}"
        try:
            check_numeric_id(raw_id, "visit", seen)
            start, end = read_dates(visit)
            from_el = visit.find("from")
            raw_country = from_el.get("id", "") if from_el is not None else ""
            territory = self.territories.require(raw_country, "from id")
        except Reject as error:
            self.reject(out, path, label, error)
            return
        seen.add(raw_id)
        meeting = f"hsg-visit-{raw_id}"
        source = Source(document=doc, quote=quote_id(raw_id))
        visitor = text_at(visit, "visitor")
        description = text_at(visit, "description")
        country_name = self.territories.name(territory)
        props: dict[str, Value] = {
            "meetingType": "visit",
            "hsgId": raw_id,
            "visitorCountry": territory,
        }
        if visitor:
            props["visitor"] = visitor
        self._span(props, start, end)
        out.add_node(
            Node(
                meeting,
                Kind.MEETING,
                f"Visit of {visitor or 'a foreign leader'} ({country_name})",
                [source],
                description=description or None,
                props=props,
            )
        )
        self.country(out, UNITED_STATES, us_source)
        out.add_edge(Edge(RelType.HELD_IN, meeting, UNITED_STATES, "", [source]))
        self.country(out, territory, Source(document=doc, quote=f'id="{raw_country}"'))
        if visitor:
            visitors = find_titled_people(visitor, self.territories) or [
                TitledName(text=visitor, title=None, name=visitor)
            ]
            self._mentions(
                out,
                meeting,
                visitor,
                "visitor",
                start,
                territory,
                doc,
                mentions=visitors,
                country_basis="the visit record (from id)",
                attended=True,
            )
        self._mentions(out, meeting, description, "description", start, None, doc)
