"""pocom: people, their chief-of-mission and principal-officer tenures, country and
organization missions, principal positions; the reference every other dataset uses."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from diplograph.model import FuzzyDate, Kind, RelType, Source, slugify
from diplograph.records import (
    BadKind,
    BadRecord,
    Dataset,
    DatasetRecords,
    Edge,
    Node,
    Value,
)
from loaders.hsg.people import PersonInfo, Term, person_name
from loaders.hsg.reader import PRINCIPAL_OFFICER, Reader
from loaders.hsg.territories import HISTORICAL_TERRITORIES, INTERESTS_SECTION_CITIES, Territories
from loaders.hsg.xml import (
    Reject,
    UnsafeXml,
    check_span,
    child_text,
    children_by_tag,
    parse_field_date,
    parse_xml,
    quote_id,
    record_id,
    text_at,
)
from loaders.names import squash


class PocomReader(Reader):
    """Reads pocom into its records, and fills the reference (people, presidents, secretaries)."""

    def read_people(self, out: DatasetRecords) -> None:
        folder = self.root / "pocom" / "people"
        for path in sorted(folder.glob("*/*.xml")):
            element = self.parse(path, out)
            if element is None:
                continue
            out.records["person"] += 1
            raw_id = text_at(element, "id")
            title = (
                person_name(
                    text_at(element, "persName/forename"),
                    text_at(element, "persName/surname"),
                    text_at(element, "persName/genName"),
                )
                or raw_id
                or path.stem
            )
            doc_id = self.file_document(Dataset.POCOM, path, title, "pocom person record", out)
            try:
                pid = record_id(raw_id, "person", f"person in {path.name}")
                if pid in self.people_ok:
                    raise Reject(BadKind.DUPLICATE_ID, f"person {pid} is defined twice")
                surname = text_at(element, "persName/surname")
                forename = text_at(element, "persName/forename")
                gen_name = text_at(element, "persName/genName")
                birth = parse_field_date(text_at(element, "birth"), "birth")
                death = parse_field_date(text_at(element, "death"), "death")
                check_span(birth, death, "birth..death")
            except Reject as error:
                self.reject(out, path, f"person {raw_id}", error)
                continue
            name = person_name(forename, surname, gen_name) or pid
            aliases = [
                a
                for a in (squash(x.text) for x in element.iterfind("persName/altname"))
                if a and a != name
            ]
            self.reference.add_person(
                PersonInfo(pid, name, surname, tuple(forename.split()), aliases)
            )
            self.people_ok.add(pid)
            for old_id in element.iterfind("old-ids/old-id"):
                if old_id.text and old_id.text.strip():
                    self.old_ids.setdefault(old_id.text.strip(), pid)
            props: dict[str, Value] = {"hsgId": pid}
            if birth:
                props["birth"] = birth
            if death:
                props["death"] = death
            career = text_at(element, "career-type")
            if career:
                props["careerType"] = career
            states = [
                s for s in (squash(x.text) for x in element.iterfind("residence/state-id")) if s
            ]
            if states:
                props["residence"] = states
            old_ids = [o for o in (squash(x.text) for x in element.iterfind("old-ids/old-id")) if o]
            if old_ids:
                props["oldIds"] = old_ids
            out.add_node(
                Node(
                    pid,
                    Kind.PERSON,
                    name,
                    [Source(document=doc_id, quote=quote_id(pid))],
                    aliases=aliases,
                    props=props,
                )
            )

    def read_roles(self, out: DatasetRecords) -> None:
        for path in sorted((self.root / "pocom" / "roles-country-chiefs").glob("*.xml")):
            try:
                element = parse_xml(path.read_bytes())
            except UnsafeXml as error:  # refused like a dataset file; titles fall back
                out.bad.append(self.refused(path, error))
                continue
            except (etree.XMLSyntaxError, OSError):
                continue  # a code table; titles fall back to the role id
            self.roles[text_at(element, "id")] = text_at(element, "names/singular")

    def _tenure(
        self,
        element: etree._Element,
        out: DatasetRecords,
        path: Path,
        index: int,
        org: str,
        title_of: dict[str, str],
        source_doc: str,
        *,
        with_territory: bool = False,
    ) -> tuple[str, str, Edge] | None:
        """A chief's or principal's tenure as HOLDS_POSITION, or None (reported) when bad."""
        fields = children_by_tag(element)
        raw_id = child_text(fields, "id")
        label = f"{element.tag} {raw_id}" if raw_id else f"{element.tag} #{index}"
        try:
            if not raw_id:
                raise Reject(BadKind.MISSING_ID, f"{element.tag} has no id")
            raw_person = child_text(fields, "person-id")
            if not raw_person:
                raise Reject(BadKind.MISSING_ID, f"{element.tag} has no person-id")
            person = self.old_ids.get(raw_person, raw_person)
            if person not in self.people_ok:
                raise Reject(
                    BadKind.UNKNOWN_PERSON,
                    f"person-id {raw_person!r} is not a (good) pocom person record",
                )
            role = child_text(fields, "role-title-id")
            props: dict[str, Value] = {
                "roleTitleId": role,
                "title": title_of.get(role) or self.roles.get(role) or role.replace("-", " "),
            }
            if person != raw_person:
                props["personIdAsGiven"] = raw_person
            for event, prop in (
                ("started", "start"),
                ("ended", "end"),
                ("appointed", "appointed"),
                ("arrived", "arrived"),
            ):
                when = parse_field_date(child_text(fields, event, "date"), f"{event} date")
                if when is not None:
                    props[prop] = when
                note = child_text(fields, event, "note")
                if note:
                    props[f"{prop}Note"] = note
            start, end = props.get("start"), props.get("end")
            if isinstance(start, FuzzyDate) and isinstance(end, FuzzyDate):
                check_span(start, end, "started..ended")
            note = child_text(fields, "note")
            if note:
                props["note"] = note
            if with_territory:
                contemporary = child_text(fields, "contemporary-territory-id")
                if contemporary in HISTORICAL_TERRITORIES:
                    props["contemporaryTerritory"] = contemporary
                    props["contemporaryTerritoryName"] = HISTORICAL_TERRITORIES[contemporary]
                elif contemporary:
                    territory = self.territories.require(contemporary, "contemporary-territory-id")
                    props["contemporaryTerritory"] = territory
                    props["contemporaryTerritoryName"] = self.territories.name(territory)
        except Reject as error:
            self.reject(out, path, label, error)
            return None
        source = Source(document=source_doc, quote=quote_id(raw_id))
        props["recordId"] = raw_id
        return person, role, Edge(RelType.HOLDS_POSITION, person, org, raw_id, [source], props)

    def read_country_missions(self, out: DatasetRecords) -> None:
        folder = self.root / "pocom" / "missions-countries"
        for path in sorted(folder.glob("*.xml")):
            element = self.parse(path, out)
            if element is None:
                continue
            territory_raw = text_at(element, "territory-id")
            chiefs = element.find("chiefs")
            n_chiefs = len(chiefs.findall("chief")) if chiefs is not None else 0
            out.records["chief"] += n_chiefs
            out.records["other-nominee"] += len(element.findall("other-nominees/chief"))
            try:
                if not territory_raw:
                    raise Reject(BadKind.MISSING_ID, "country mission has no territory-id")
                territory = self.territories.require(territory_raw, "territory-id")
            except Reject as error:
                self.reject(out, path, "country-mission", error)
                out.bad.extend(
                    BadRecord(
                        self.rel(path),
                        f"chief {text_at(c, 'id')}",
                        BadKind.UNKNOWN_COUNTRY,
                        "its mission file has no known territory-id",
                    )
                    for c in (chiefs.findall("chief") if chiefs is not None else [])
                )
                continue
            country_name = self.territories.name(territory)
            doc = self.file_document(
                Dataset.POCOM,
                path,
                f"Chiefs of Mission to {country_name}",
                f"pocom, {n_chiefs} chiefs of mission",
                out,
            )
            territory_quote = f"<territory-id>{territory_raw}</territory-id>"
            source = Source(document=doc, quote=territory_quote)
            self.country(out, territory, source)
            mission = f"us-mission-{territory}"
            notes = [text_at(n, "text") for n in element.iterfind("chiefs/mission-note")]
            mission_node = Node(
                mission,
                Kind.ORGANIZATION,
                f"U.S. Mission to {country_name}",
                [source],
                description=f"The U.S. legation or embassy accredited to {country_name}: "
                "its chiefs of mission, as the Office of the Historian lists them.",
                props={"hsgId": territory, "missionType": "country mission"},
            )
            if notes:
                mission_node.props["missionNotes"] = notes
            out.add_node(mission_node)
            out.add_edge(Edge(RelType.LOCATED_IN, mission, territory, "", [source]))
            self.acts_for_united_states(out, mission, source)
            last_note = ""
            for index, child in enumerate(chiefs if chiefs is not None else [], start=1):
                if child.tag == "mission-note":
                    last_note = text_at(child, "text")
                    continue
                if child.tag != "chief":
                    continue
                role = text_at(child, "role-title-id")
                org = mission
                if role == PRINCIPAL_OFFICER:
                    org = self._interests_section(out, territory, last_note, doc)
                tenure = self._tenure(child, out, path, index, org, {}, doc, with_territory=True)
                if tenure is not None:
                    add_tenure(out, tenure[2])

    def _interests_section(self, out: DatasetRecords, territory: str, note: str, doc: str) -> str:
        city = INTERESTS_SECTION_CITIES.get(territory)
        country_name = self.territories.name(territory)
        ident = f"us-interests-section-{slugify(city or territory)}"
        if ident in out.nodes:
            return ident
        quote = note if len(note) >= 3 else f"<role-title-id>{PRINCIPAL_OFFICER}</role-title-id>"
        source = Source(document=doc, quote=quote)
        name = f"U.S. Interests Section in {city or country_name}"
        out.add_node(
            Node(
                ident,
                Kind.ORGANIZATION,
                name,
                [source],
                description=f"The U.S. mission in {country_name} while the two countries had no "
                "diplomatic relations; pocom lists its heads as principal officers.",
                props={
                    "hsgId": territory,
                    "missionType": "interests section",
                    **({"missionNote": note} if note else {}),
                },
            )
        )
        out.add_edge(Edge(RelType.LOCATED_IN, ident, territory, "", [source]))
        self.acts_for_united_states(out, ident, source)
        return ident

    def read_org_missions(self, out: DatasetRecords) -> None:
        for path in sorted((self.root / "pocom" / "missions-orgs").glob("*.xml")):
            element = self.parse(path, out)
            if element is None:
                continue
            chiefs = element.findall("chiefs/chief")
            out.records["org-chief"] += len(chiefs)
            out.records["other-nominee"] += len(element.findall("other-appointees/chief"))
            raw_id = text_at(element, "id")
            try:
                org_id = record_id(raw_id, "org-mission", "org-mission")
            except Reject as error:
                self.reject(out, path, "org-mission", error)
                continue
            singular = text_at(element, "names/singular") or raw_id
            short = org_id.removeprefix("representative-to-").removeprefix("representative-")
            ident = f"us-mission-{short}"
            name = singular
            for prefix in (
                "Representative of the U.S.A. to ",
                "U.S. Representative to ",
                "Representative to ",
                "U.S. Ambassador to ",
            ):
                if singular.startswith(prefix):
                    name = "U.S. Mission to " + singular.removeprefix(prefix)
                    break
            doc = self.file_document(
                Dataset.POCOM,
                path,
                text_at(element, "names/plural") or name,
                f"pocom, {len(chiefs)} chiefs of mission",
                out,
            )
            source = Source(document=doc, quote=quote_id(raw_id))
            out.add_node(
                Node(
                    ident,
                    Kind.ORGANIZATION,
                    name,
                    [source],
                    description=text_at(element, "description") or None,
                    props={
                        "hsgId": org_id,
                        "missionType": "organization mission",
                        "category": text_at(element, "category"),
                    },
                )
            )
            self.acts_for_united_states(out, ident, source)
            titles = {org_id: singular}
            for index, chief in enumerate(chiefs, start=1):
                tenure = self._tenure(chief, out, path, index, ident, titles, doc)
                if tenure is not None:
                    add_tenure(out, tenure[2])

    def read_positions(self, out: DatasetRecords) -> None:
        paths = sorted((self.root / "pocom" / "positions-principals").glob("*.xml"))
        elements: list[tuple[Path, etree._Element]] = []
        for path in paths:
            element = self.parse(path, out)
            if element is not None:
                elements.append((path, element))
                self.position_names[text_at(element, "id")] = text_at(element, "names/singular")
        for path, element in elements:
            principals = element.findall("principals/principal")
            out.records["principal"] += len(principals)
            out.records["other-nominee"] += len(element.findall("other-appointees/principal"))
            raw_id = text_at(element, "id")
            try:
                position = record_id(raw_id, "principal-position", "principal-position")
                start = parse_field_date(text_at(element, "start"), "start")
                end = parse_field_date(text_at(element, "end"), "end")
                check_span(start, end, "start..end")
            except Reject as error:
                self.reject(out, path, f"principal-position {raw_id}", error)
                out.bad.extend(
                    BadRecord(
                        self.rel(path),
                        f"principal {text_at(p, 'id')}",
                        error.kind,
                        "its principal-position record is bad",
                    )
                    for p in principals
                )
                continue
            singular = self.position_names.get(position) or position
            ident = f"state-{position}"
            doc = self.file_document(
                Dataset.POCOM,
                path,
                text_at(element, "names/plural") or singular,
                f"pocom, {len(principals)} principal officers",
                out,
            )
            source = Source(document=doc, quote=quote_id(raw_id))
            props: dict[str, Value] = {
                "hsgId": position,
                "positionClass": text_at(element, "class"),
                "category": text_at(element, "category"),
                "ongoing": text_at(element, "ongoing") == "true",
            }
            if start:
                props["established"] = start
            if end:
                props["abolished"] = end
            out.add_node(
                Node(
                    ident,
                    Kind.ORGANIZATION,
                    singular,
                    [source],
                    description=text_at(element, "description") or None,
                    props=props,
                )
            )
            # Every principal position is a post of the U.S. Department of State.
            self.acts_for_united_states(out, ident, source)
            for index, principal in enumerate(principals, start=1):
                tenure = self._tenure(principal, out, path, index, ident, self.position_names, doc)
                if tenure is None:
                    continue
                add_tenure(out, tenure[2])
                if position == "secretary":
                    props_ = tenure[2].props
                    self.reference.secretaries.append(
                        Term.of(tenure[0], props_.get("start"), props_.get("end"))
                    )

    def read_pocom(self, out: DatasetRecords) -> None:
        self.dataset_document(Dataset.POCOM, out)
        missions = self.root / "pocom" / "missions-countries"
        self.territories = Territories(p.stem for p in missions.glob("*.xml"))
        self.read_people(out)
        self.read_roles(out)
        self.read_positions(out)
        self.read_country_missions(out)
        self.read_org_missions(out)


def add_tenure(out: DatasetRecords, edge: Edge) -> None:
    """A tenure keyed by its record id; pocom reuses a few ids for different tenures of the
    same person in the same post (Belize, bz-1983-barn-01: charge 1981, ambassador 1983), so
    a repeat becomes `<id>~2` (in file order), its `recordId` still the id as written."""
    n = 1
    while edge.ident in out.edges:
        n += 1
        edge.key = f"{edge.props['recordId']}~{n}"
    out.edges[edge.ident] = edge
