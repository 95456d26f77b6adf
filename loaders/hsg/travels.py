"""travels: the presidents (terms, for resolving "President X"), and the trips of
presidents and secretaries of state as meetings with their places and people named."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from diplograph.model import Kind, RelType, Source, slugify
from diplograph.records import (
    BadKind,
    Dataset,
    DatasetRecords,
    Edge,
    Node,
    Value,
)
from loaders.hsg.people import PersonInfo, Term
from loaders.hsg.reader import Reader
from loaders.hsg.territories import US_PRESIDENT
from loaders.hsg.xml import (
    Reject,
    check_numeric_id,
    check_span,
    parse_field_date,
    quote_id,
    read_dates,
    record_id,
    text_at,
)
from loaders.names import INITIAL


class TravelsReader(Reader):
    """Reads travels: presidencies (into the reference too), then the trips."""

    def read_presidents(self, out: DatasetRecords) -> None:
        path = self.root / "travels" / "presidents" / "presidents.xml"
        if not path.is_file():
            return
        element = self.parse(path, out)
        if element is None:
            return
        doc = self.file_document(
            Dataset.TRAVELS,
            path,
            "Presidents of the United States",
            f"travels, {len(element.findall('president'))} presidencies",
            out,
        )
        org_source = Source(document=doc, quote="<presidents>")
        office: Node | None = None
        for index, president in enumerate(element.iterfind("president"), start=1):
            out.records["president"] += 1
            raw_id = text_at(president, "id")
            number = president.get("n") or str(index)
            try:
                pid = record_id(raw_id, "president", f"president n={number}")
                birth = parse_field_date(text_at(president, "birth-year"), "birth-year")
                death = parse_field_date(text_at(president, "death-year"), "death-year")
                took = parse_field_date(text_at(president, "took-office-date"), "took-office-date")
                left = parse_field_date(text_at(president, "left-office-date"), "left-office-date")
                check_span(birth, death, "birth-year..death-year")
                check_span(took, left, "took-office-date..left-office-date")
            except Reject as error:
                self.reject(out, path, f"president {raw_id or 'n=' + number}", error)
                continue
            name = text_at(president, "name") or pid
            known = self.reference.people.get(pid)
            if known is None:
                surname = name.replace(",", " ").split()
                surname = [w for w in surname if w not in {"Jr.", "Sr."}]
                self.reference.add_person(
                    PersonInfo(pid, name, surname[-1] if surname else pid, tuple(surname[:-1]))
                )
            self.reference.presidents.append(Term.of(pid, took, left))
            source = Source(document=doc, quote=quote_id(pid))
            props: dict[str, Value] = {"hsgId": pid}
            if birth:
                props["birth"] = birth
            if death:
                props["death"] = death
            node = self.person_stub(pid, source)
            node.props.update(props)
            out.add_node(node)
            if office is None:
                office = Node(
                    US_PRESIDENT,
                    Kind.ORGANIZATION,
                    "President of the United States",
                    [org_source],
                    description="The office of President of the United States.",
                    props={"hsgId": "presidents"},
                )
                out.add_node(office)
                self.acts_for_united_states(out, US_PRESIDENT, org_source)
            tenure: dict[str, Value] = {
                "title": "President of the United States",
                "presidentNumber": int(number) if number.isdigit() else 0,
            }
            if took:
                tenure["start"] = took
            if left:
                tenure["end"] = left
            out.add_edge(
                Edge(
                    RelType.HOLDS_POSITION,
                    pid,
                    US_PRESIDENT,
                    f"president-{number}",
                    [source],
                    tenure,
                )
            )

    def read_trips(self, out: DatasetRecords) -> None:
        seen: set[str] = set()
        for folder in ("president-travels", "secretary-travels"):
            for path in sorted((self.root / "travels" / folder).glob("*.xml")):
                element = self.parse(path, out)
                if element is None:
                    continue
                trips = element.findall("trip")
                first = trips[0] if trips else None
                traveller = (first.get("who") if first is not None else None) or path.stem
                info = self.reference.people.get(traveller)
                role = "President" if folder.startswith("president") else "Secretary of State"
                title = f"Travels of {role} {info.name if info else traveller}"
                doc = self.file_document(
                    Dataset.TRAVELS, path, title, f"travels, {len(trips)} trips", out
                )
                for index, trip in enumerate(trips, start=1):
                    out.records["trip"] += 1
                    self._trip(trip, out, path, index, doc, seen)

    def _trip(
        self,
        trip: etree._Element,
        out: DatasetRecords,
        path: Path,
        index: int,
        doc: str,
        seen: set[str],
    ) -> None:
        raw_id = text_at(trip, "id")
        label = f"trip {raw_id}" if raw_id else f"trip #{index}"
        try:
            check_numeric_id(raw_id, "trip", seen)
            who = trip.get("who") or ""
            who = self.old_ids.get(who, who)
            if not who:
                raise Reject(BadKind.MISSING_ID, "trip has no who (traveller id)")
            if who not in self.reference.people:
                raise Reject(
                    BadKind.UNKNOWN_PERSON, f"who={who!r} is neither a pocom person nor a president"
                )
            start, end = read_dates(trip)
            country_el = trip.find("country")
            raw_country = country_el.get("id", "") if country_el is not None else ""
            territory = self.territories.require(raw_country, "country id")
        except Reject as error:
            self.reject(out, path, label, error)
            return
        seen.add(raw_id)
        role = trip.get("role") or text_at(trip, "role")
        meeting = f"hsg-trip-{raw_id}"
        quote = quote_id(raw_id)
        source = Source(document=doc, quote=quote)
        traveller = self.reference.people[who]
        locale = text_at(trip, "locale")
        remarks = text_at(trip, "remarks")
        country_name = self.territories.name(territory)
        where = f"{locale}, {country_name}" if locale else country_name
        props: dict[str, Value] = {
            "meetingType": "trip",
            "hsgId": raw_id,
            "travellerRole": role,
            "country": territory,
        }
        if locale:
            props["locale"] = locale
        self._span(props, start, end)
        out.add_node(
            Node(
                meeting,
                Kind.MEETING,
                f"{traveller.name} in {where}",
                [source],
                description=remarks or None,
                props=props,
            )
        )
        out.add_node(self.person_stub(who, Source(document=doc, quote=f'who="{who}"')))
        out.add_edge(
            Edge(
                RelType.ATTENDED,
                who,
                meeting,
                "",
                [source],
                {
                    "role": "President"
                    if role == "president"
                    else "Secretary of State"
                    if role == "secretary"
                    else role,
                    "as": "traveller",
                },
            )
        )
        self.country(out, territory, Source(document=doc, quote=f'id="{raw_country}"'))
        out.add_edge(Edge(RelType.HELD_IN, meeting, territory, "", [source]))
        for place in split_locale(locale):
            place_id = f"{slugify(place_key(place)) or 'place'}-{territory}"
            place_source = Source(document=doc, quote=locale if len(locale) >= 3 else quote)
            out.add_node(
                Node(place_id, Kind.PLACE, place, [place_source], props={"country": territory})
            )
            out.add_edge(Edge(RelType.LOCATED_IN, place_id, territory, "", [place_source]))
            out.add_edge(Edge(RelType.HELD_IN, meeting, place_id, "", [source]))
        self._mentions(out, meeting, remarks, "remarks", start, territory, doc, exclude={who})


_PAREN = re.compile(r"\s*\([^)]*\)\s*")


def place_key(place: str) -> str:
    """The part of a locale that names the place: 'Havana (Cuba)' -> 'Havana'."""
    return _PAREN.sub(" ", place).strip() or place


def split_locale(locale: str) -> list[str]:
    """'Tel Aviv, Jerusalem' -> two places; 'Mexico, D.F.' stays one."""
    if not locale:
        return []
    parts = [p.strip() for p in re.split(r"\s*[;,]\s*|\s+and\s+", locale) if p.strip()]
    places: list[str] = []
    for part in parts:
        if places and (INITIAL.match(part) or part in {"D.F.", "West Indies"}):
            places[-1] = f"{places[-1]}, {part}"
        else:
            places.append(part)
    seen: dict[str, str] = {}
    for place in places:
        seen.setdefault(slugify(place_key(place)), place)
    return [p for k, p in seen.items() if k]
