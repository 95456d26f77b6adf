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
  `state-<position id>`; the presidency -> `us-president`.
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
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TypeAlias

from lxml import etree
from pydantic import ValidationError

from diplograph import model
from diplograph.model import RELATIONSHIP_RULES, Document, FuzzyDate, Kind, RelType, Source, slugify

# -- vocabulary ----------------------------------------------------------------------------


class Dataset(StrEnum):
    POCOM = "pocom"
    TRAVELS = "travels"
    VISITS = "visits"


DATASETS: tuple[Dataset, ...] = tuple(Dataset)
PUBLISHER = "U.S. Department of State, Office of the Historian"
UPSTREAM = {d: f"https://github.com/HistoryAtState/{d.value}" for d in Dataset}
DATASET_TITLES = {
    Dataset.POCOM: "Principal Officers & Chiefs of Mission",
    Dataset.TRAVELS: "Foreign Travels of the President and Secretary of State",
    Dataset.VISITS: "Visits by Foreign Leaders and Heads of State",
}

UNITED_STATES = "united-states"
US_PRESIDENT = "us-president"

# Territory ids (HistoryAtState's gazetteer ids, as pocom, travels and visits use them) and
# their names. Every pocom country-mission file adds its territory too; anything else is an
# unknown country id.
TERRITORY_NAMES: dict[str, str] = {
    "afghanistan": "Afghanistan",
    "albania": "Albania",
    "algeria": "Algeria",
    "andorra": "Andorra",
    "angola": "Angola",
    "antarctica": "Antarctica",
    "antigua-barbuda": "Antigua and Barbuda",
    "argentina": "Argentina",
    "armenia": "Armenia",
    "australia": "Australia",
    "austria": "Austria",
    "azerbaijan": "Azerbaijan",
    "bahamas": "Bahamas",
    "bahrain": "Bahrain",
    "bangladesh": "Bangladesh",
    "barbados": "Barbados",
    "belarus": "Belarus",
    "belgium": "Belgium",
    "belize": "Belize",
    "benin": "Benin",
    "bolivia": "Bolivia",
    "bosnia-herzegovina": "Bosnia and Herzegovina",
    "botswana": "Botswana",
    "brazil": "Brazil",
    "brunei": "Brunei",
    "bulgaria": "Bulgaria",
    "burkina-faso": "Burkina Faso",
    "burma": "Burma",
    "burundi": "Burundi",
    "cambodia": "Cambodia",
    "cameroon": "Cameroon",
    "canada": "Canada",
    "cape-verde": "Cape Verde",
    "central-african-republic": "Central African Republic",
    "chad": "Chad",
    "chile": "Chile",
    "china": "China",
    "colombia": "Colombia",
    "comoros": "Comoros",
    "congo-democratic-republic": "Democratic Republic of the Congo",
    "congo-republic": "Republic of the Congo",
    "cook-islands": "Cook Islands",
    "costa-rica": "Costa Rica",
    "cote-divoire": "Côte d'Ivoire",
    "croatia": "Croatia",
    "cuba": "Cuba",
    "cyprus": "Cyprus",
    "czech-republic": "Czech Republic",
    "czechoslovakia": "Czechoslovakia",
    "denmark": "Denmark",
    "djibouti": "Djibouti",
    "dominica": "Dominica",
    "dominican-republic": "Dominican Republic",
    "ecuador": "Ecuador",
    "egypt": "Egypt",
    "el-salvador": "El Salvador",
    "equatorial-guinea": "Equatorial Guinea",
    "eritrea": "Eritrea",
    "estonia": "Estonia",
    "ethiopia": "Ethiopia",
    "fiji": "Fiji",
    "finland": "Finland",
    "france": "France",
    "french-polynesia": "French Polynesia",
    "gabon": "Gabon",
    "gambia": "The Gambia",
    "georgia": "Georgia",
    "german-democratic-republic": "German Democratic Republic",
    "germany": "Germany",
    "ghana": "Ghana",
    "greece": "Greece",
    "grenada": "Grenada",
    "guatemala": "Guatemala",
    "guinea": "Guinea",
    "guinea-bissau": "Guinea-Bissau",
    "guyana": "Guyana",
    "haiti": "Haiti",
    "hawaii": "Hawaii (Kingdom of Hawaii)",
    "holy-see": "Holy See",
    "honduras": "Honduras",
    "hungary": "Hungary",
    "iceland": "Iceland",
    "india": "India",
    "indonesia": "Indonesia",
    "iran": "Iran",
    "iraq": "Iraq",
    "ireland": "Ireland",
    "israel": "Israel",
    "italy": "Italy",
    "jamaica": "Jamaica",
    "japan": "Japan",
    "jordan": "Jordan",
    "kazakhstan": "Kazakhstan",
    "kenya": "Kenya",
    "kiribati": "Kiribati",
    "korea": "South Korea",
    "korea-north": "North Korea",
    "kosovo": "Kosovo",
    "kuwait": "Kuwait",
    "kyrgyzstan": "Kyrgyzstan",
    "laos": "Laos",
    "latvia": "Latvia",
    "lebanon": "Lebanon",
    "lesotho": "Lesotho",
    "liberia": "Liberia",
    "libya": "Libya",
    "liechtenstein": "Liechtenstein",
    "lithuania": "Lithuania",
    "luxembourg": "Luxembourg",
    "macedonia": "North Macedonia",
    "madagascar": "Madagascar",
    "malawi": "Malawi",
    "malaysia": "Malaysia",
    "maldives": "Maldives",
    "mali": "Mali",
    "malta": "Malta",
    "marshall-islands": "Marshall Islands",
    "mauritania": "Mauritania",
    "mauritius": "Mauritius",
    "mexico": "Mexico",
    "micronesia": "Micronesia",
    "moldova": "Moldova",
    "monaco": "Monaco",
    "mongolia": "Mongolia",
    "montenegro": "Montenegro",
    "morocco": "Morocco",
    "mozambique": "Mozambique",
    "namibia": "Namibia",
    "nauru": "Nauru",
    "nepal": "Nepal",
    "netherlands": "Netherlands",
    "netherlands-antilles": "Netherlands Antilles",
    "new-caledonia": "New Caledonia",
    "new-zealand": "New Zealand",
    "nicaragua": "Nicaragua",
    "niger": "Niger",
    "nigeria": "Nigeria",
    "niue": "Niue",
    "norway": "Norway",
    "oman": "Oman",
    "pakistan": "Pakistan",
    "palau": "Palau",
    "palestinian-authority": "Palestinian Authority",
    "panama": "Panama",
    "papua-new-guinea": "Papua New Guinea",
    "paraguay": "Paraguay",
    "peru": "Peru",
    "philippines": "Philippines",
    "poland": "Poland",
    "portugal": "Portugal",
    "qatar": "Qatar",
    "romania": "Romania",
    "russia": "Russia",
    "rwanda": "Rwanda",
    "saint-kitts-nevis": "Saint Kitts and Nevis",
    "saint-lucia": "Saint Lucia",
    "saint-vincent-grenadines": "Saint Vincent and the Grenadines",
    "samoa": "Samoa",
    "san-marino": "San Marino",
    "sao-tome-and-principe": "Sao Tome and Principe",
    "saudi-arabia": "Saudi Arabia",
    "senegal": "Senegal",
    "serbia": "Serbia",
    "seychelles": "Seychelles",
    "sierra-leone": "Sierra Leone",
    "singapore": "Singapore",
    "slovakia": "Slovakia",
    "slovenia": "Slovenia",
    "solomon-islands": "Solomon Islands",
    "somalia": "Somalia",
    "south-africa": "South Africa",
    "south-sudan": "South Sudan",
    "spain": "Spain",
    "sri-lanka": "Sri Lanka",
    "sudan": "Sudan",
    "suriname": "Suriname",
    "swaziland": "Eswatini",
    "sweden": "Sweden",
    "switzerland": "Switzerland",
    "syria": "Syria",
    "taiwan": "Taiwan",
    "tajikistan": "Tajikistan",
    "tanzania": "Tanzania",
    "texas": "Texas (Republic of Texas)",
    "thailand": "Thailand",
    "timor-leste": "Timor-Leste",
    "togo": "Togo",
    "tonga": "Tonga",
    "trinidad-and-tobago": "Trinidad and Tobago",
    "tunisia": "Tunisia",
    "turkey": "Turkey",
    "turkmenistan": "Turkmenistan",
    "tuvalu": "Tuvalu",
    "two-sicilies": "Two Sicilies (Kingdom of the Two Sicilies)",
    "uganda": "Uganda",
    "ukraine": "Ukraine",
    "united-arab-emirates": "United Arab Emirates",
    "united-kingdom": "United Kingdom",
    "united-states": "United States",
    "uruguay": "Uruguay",
    "uzbekistan": "Uzbekistan",
    "vanuatu": "Vanuatu",
    "venezuela": "Venezuela",
    "vietnam": "Vietnam",
    "vietnam-south": "South Vietnam",
    "west-bank": "West Bank",
    "yemen": "Yemen",
    "yugoslavia": "Yugoslavia",
    "zambia": "Zambia",
    "zimbabwe": "Zimbabwe",
}

# Other spellings of a territory id found in the data; the node is the canonical id.
TERRITORY_ALIASES: dict[str, str] = {
    "antigua-and-barbuda": "antigua-barbuda",
    "congo-brazzaville": "congo-republic",
    "congo-kinshasa": "congo-democratic-republic",
    "czechia": "czech-republic",
    "eswatini": "swaziland",
    "korea-south": "korea",
    "micronesia-federated-states-of": "micronesia",
    "north-macedonia": "macedonia",
    "saint-kitts-and-nevis": "saint-kitts-nevis",
    "saint-vincent-and-grenadines": "saint-vincent-grenadines",
    "turkiye": "turkey",
}

# Former states pocom names as a chief's contemporary territory; kept on the tenure.
HISTORICAL_TERRITORIES: dict[str, str] = {
    "albania-1946": "Albania (to 1946)",
    "czechoslovakia-1993": "Czechoslovakia (to 1993)",
    "joseon-dynasty-1910": "Korea (Joseon dynasty, to 1910)",
    "kingdom-of-two-sicilies-1861": "Kingdom of the Two Sicilies (to 1861)",
    "socialist-federal-republic-of-yugoslavia-1992": "Socialist Federal Republic of Yugoslavia",
    "south-vietnam-1975": "South Vietnam (to 1975)",
    "state-of-vietnam-1955": "State of Vietnam (to 1955)",
    "yugoslavia-1946": "Yugoslavia (to 1946)",
}

# Where the U.S. Interests Section in a country without diplomatic relations sat.
INTERESTS_SECTION_CITIES: dict[str, str] = {
    "cuba": "Havana",
    "egypt": "Cairo",
    "iraq": "Baghdad",
    "libya": "Tripoli",
    "sudan": "Khartoum",
    "syria": "Damascus",
    "yemen": "Sanaa",
    "algeria": "Algiers",
}
PRINCIPAL_OFFICER = "principal-officer"

# -- records -----------------------------------------------------------------------------

Value: TypeAlias = str | int | float | bool | date | FuzzyDate | list[str]


class BadKind(StrEnum):
    MALFORMED_XML = "malformed XML"
    MISSING_ID = "missing id"
    INVALID_ID = "invalid id"
    DUPLICATE_ID = "duplicate id"
    BAD_DATE = "unparseable date"
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


# -- helpers -----------------------------------------------------------------------------

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(element: etree._Element, path: str) -> str:
    return squash(element.findtext(path))


def _normalize(name: str) -> str:
    """'Hillary Rodham  Clinton,' -> 'hillary rodham clinton' (for exact name comparison)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", ascii_text.lower()).split())


_DATE_CACHE: dict[str, FuzzyDate | None] = {}


def parse_date(raw: str) -> FuzzyDate | None:
    """A FuzzyDate, or None when the text is not one (raise nothing: the caller reports)."""
    if raw not in _DATE_CACHE:
        try:
            _DATE_CACHE[raw] = FuzzyDate(value=raw)
        except ValidationError:
            _DATE_CACHE[raw] = None
    return _DATE_CACHE[raw]


class _Reject(Exception):
    """A record is bad; carries what to report."""

    def __init__(self, kind: BadKind, reason: str, record: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.record = record


def _check_numeric_id(raw_id: str, what: str, seen: set[str]) -> None:
    """A trip's or visit's id: present, a number, and not seen before in its file set."""
    if not raw_id:
        raise _Reject(BadKind.MISSING_ID, f"{what} has no id")
    if not raw_id.isdigit():
        raise _Reject(BadKind.INVALID_ID, f"{what} id {raw_id!r} is not a number")
    if raw_id in seen:
        raise _Reject(BadKind.DUPLICATE_ID, f"{what} id {raw_id} occurs twice")


def _date(raw: str, what: str) -> FuzzyDate | None:
    if not raw:
        return None
    value = parse_date(raw)
    if value is None:
        raise _Reject(BadKind.BAD_DATE, f"{what} {raw!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _record_id(raw: str, what: str, label: str) -> str:
    if not raw:
        raise _Reject(BadKind.MISSING_ID, f"{what} has no id", record=label)
    if not _SLUG.match(raw):
        raise _Reject(BadKind.INVALID_ID, f"{what} id {raw!r} is not a lowercase slug")
    return raw


def _quote_id(value: str) -> str:
    return f"<id>{value}</id>"


def _children(element: etree._Element) -> dict[str, etree._Element]:
    """An element's children by tag (the first of each): one pass instead of many finds."""
    found: dict[str, etree._Element] = {}
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in found:
            found[tag] = child
    return found


def _child_text(children: dict[str, etree._Element], tag: str, sub: str | None = None) -> str:
    child = children.get(tag)
    if child is None:
        return ""
    if sub is not None:
        child = child.find(sub)
        if child is None:
            return ""
    text = child.text
    return " ".join(text.split()) if text else ""


# -- territories ---------------------------------------------------------------------------


class Territories:
    """Known territory ids: the static table plus every pocom country-mission file."""

    def __init__(self, mission_ids: Iterable[str] = ()) -> None:
        self.names = dict(TERRITORY_NAMES)
        for territory in mission_ids:
            self.names.setdefault(territory, territory.replace("-", " ").title())
        self.by_name = {_normalize(name): tid for tid, name in self.names.items()}
        self.by_name.update({_normalize(tid.replace("-", " ")): tid for tid in self.names})

    def canonical(self, raw: str) -> str | None:
        territory = TERRITORY_ALIASES.get(raw, raw)
        return territory if territory in self.names else None

    def require(self, raw: str, what: str) -> str:
        if not raw:
            raise _Reject(BadKind.UNKNOWN_COUNTRY, f"{what} has no country id")
        territory = self.canonical(raw)
        if territory is None:
            raise _Reject(BadKind.UNKNOWN_COUNTRY, f"{what} {raw!r} is not a known territory")
        return territory

    def name(self, territory: str) -> str:
        return self.names[territory]

    def node(self, territory: str, source: Source) -> Node:
        aliases = sorted(a for a, t in TERRITORY_ALIASES.items() if t == territory)
        props: dict[str, Value] = {"hsgIds": [territory, *aliases]}
        return Node(territory, Kind.COUNTRY, self.names[territory], [source], props=props)


# -- people and offices (reference data every dataset resolves against) ------------------


@dataclass(frozen=True)
class Term:
    """Someone in an office from the first day `start` may mean to the last `end` may."""

    person: str
    first_day: date | None
    last_day: date | None

    @classmethod
    def of(cls, person: str, start: Value | None, end: Value | None) -> Term:
        return cls(
            person,
            start.start if isinstance(start, FuzzyDate) else None,
            end.end if isinstance(end, FuzzyDate) else None,
        )

    def contains(self, when: date) -> bool:
        return (self.first_day is None or self.first_day <= when) and (
            self.last_day is None or when <= self.last_day
        )


@dataclass
class PersonInfo:
    id: str
    name: str
    surname: str
    forenames: tuple[str, ...]
    aliases: list[str] = field(default_factory=list)


@dataclass
class Reference:
    """Who is who: names of known people, and who was President or Secretary when."""

    people: dict[str, PersonInfo] = field(default_factory=dict)
    presidents: list[Term] = field(default_factory=list)
    secretaries: list[Term] = field(default_factory=list)
    by_name: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add_person(self, info: PersonInfo) -> None:
        if info.id not in self.people:
            self.people[info.id] = info
        for name in (info.name, *info.aliases):
            self.by_name[_normalize(name)].add(info.id)


def person_name(forename: str, surname: str, gen_name: str) -> str:
    name = " ".join(part for part in (forename, surname) if part)
    return f"{name}, {gen_name}" if gen_name else name


# -- mentions of people in free text -------------------------------------------------------

_TITLES = sorted(
    {
        "President",
        "Vice President",
        "Acting President",
        "Interim President",
        "Prime Minister",
        "Prime Minster",
        "Acting Prime Minister",
        "Deputy Prime Minister",
        "Premier",
        "Vice Premier",
        "Chancellor",
        "Federal Chancellor",
        "Foreign Minister",
        "Deputy Foreign Minister",
        "Defense Minister",
        "Finance Minister",
        "Foreign Secretary",
        "Minister",
        "Secretary of State",
        "Secretary",
        "Secretary-General",
        "Secretary General",
        "General Secretary",
        "King",
        "Queen",
        "Crown Prince",
        "Crown Princess",
        "Prince",
        "Princess",
        "Emperor",
        "Empress",
        "Grand Duke",
        "Grand Duchess",
        "Amir",
        "Emir",
        "Sultan",
        "Sheikh",
        "Shaikh",
        "Shah",
        "Pope",
        "Ayatollah",
        "Chairman",
        "General",
        "Generalissimo",
        "Marshal",
        "Field Marshal",
        "Admiral",
        "Governor General",
        "Governor-General",
        "Taoiseach",
        "Comandante",
        "Colonel",
        "Regent",
        "Archbishop",
        "Cardinal",
        "Patriarch",
        "Dalai Lama",
    },
    key=len,
    reverse=True,
)
_TITLE_RE = re.compile(
    r"(?<![\w\u2019'-])(?P<former>[Ff]ormer\s+)?(?P<title>"
    + "|".join(re.escape(t) for t in _TITLES)
    + r")(?P<suffix>-[Ee]lect|-[Dd]esignate)?(?=\s)"
)
_TOKEN = re.compile(r"\s+(\S+)")
_INITIAL = re.compile(r"^(?:[A-Z]\.)+$")
_LOWER_PREFIXED = re.compile(r"^(?:al|el|ad|as|ash|ar|at|az|an|ibn|bin|abu)[-\u2011\u2013]\w")
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "3rd", "2nd"})
_PARTICLES = frozenset(
    [
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "abu",
        "de",
        "da",
        "del",
        "della",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "dos",
        "das",
        "do",
        "y",
        "ben",
    ]
)
_MONTHS = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)
_HONORIFICS = frozenset({"Dr.", "Mr.", "Mrs.", "Ms.", "Sir", "Dame", "Gen.", "Col.", "Lt."})
_STOP = frozenset(
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "The",
        "U.S.",
        "U.N.",
        "UN",
        "US",
        "NATO",
        "EU",
        "OAS",
        "Prime",
        "Foreign",
        "Vice",
        "Defense",
        "Minister",
        "Ministers",
        "President",
        "Presidents",
        "Secretary",
        "Government",
        "Summit",
        "Conference",
        "Council",
        "Congress",
        "Parliament",
        "Embassy",
        "Assembly",
        "Staff",
        "Command",
        "Headquarters",
        "Forces",
        "Airport",
        "Center",
        "Centre",
        "Museum",
        "University",
        "Hospital",
    ]
)
_OF_PLACE = re.compile(
    r"\s+of\s+(?:the\s+)?((?:[A-Z][\w\u2019'.-]*)(?:\s+[A-Z][\w\u2019'.-]*){0,3})"
)
DEMONYMS: dict[str, str] = {
    "American": UNITED_STATES,
    "British": "united-kingdom",
    "French": "france",
    "German": "germany",
    "West German": "germany",
    "East German": "german-democratic-republic",
    "Soviet": "russia",
    "Russian": "russia",
    "Italian": "italy",
    "Spanish": "spain",
    "Japanese": "japan",
    "Chinese": "china",
    "Turkish": "turkey",
    "Greek": "greece",
    "Israeli": "israel",
    "Egyptian": "egypt",
    "Jordanian": "jordan",
    "Syrian": "syria",
    "Lebanese": "lebanon",
    "Saudi": "saudi-arabia",
    "Iraqi": "iraq",
    "Iranian": "iran",
    "Indian": "india",
    "Pakistani": "pakistan",
    "Afghan": "afghanistan",
    "Canadian": "canada",
    "Mexican": "mexico",
    "Brazilian": "brazil",
    "Argentine": "argentina",
    "Chilean": "chile",
    "Cuban": "cuba",
    "Polish": "poland",
    "Hungarian": "hungary",
    "Czech": "czech-republic",
    "Yugoslav": "yugoslavia",
    "Austrian": "austria",
    "Swiss": "switzerland",
    "Dutch": "netherlands",
    "Belgian": "belgium",
    "Danish": "denmark",
    "Norwegian": "norway",
    "Swedish": "sweden",
    "Finnish": "finland",
    "Irish": "ireland",
    "Portuguese": "portugal",
    "South Korean": "korea",
    "North Korean": "korea-north",
    "Vietnamese": "vietnam",
    "South Vietnamese": "vietnam-south",
    "Thai": "thailand",
    "Philippine": "philippines",
    "Filipino": "philippines",
    "Indonesian": "indonesia",
    "Australian": "australia",
    "Palestinian": "palestinian-authority",
    "Ukrainian": "ukraine",
    "Kenyan": "kenya",
    "Nigerian": "nigeria",
    "South African": "south-africa",
    "Moroccan": "morocco",
    "Algerian": "algeria",
    "Tunisian": "tunisia",
    "Libyan": "libya",
    "Ethiopian": "ethiopia",
    "Kuwaiti": "kuwait",
    "Qatari": "qatar",
    "Omani": "oman",
    "Bahraini": "bahrain",
    "Yemeni": "yemen",
    "Emirati": "united-arab-emirates",
    "Tanzanian": "tanzania",
    "Ugandan": "uganda",
    "Ghanaian": "ghana",
    "Senegalese": "senegal",
    "Venezuelan": "venezuela",
    "Colombian": "colombia",
    "Peruvian": "peru",
    "Bolivian": "bolivia",
    "Ecuadorian": "ecuador",
    "Uruguayan": "uruguay",
    "Paraguayan": "paraguay",
    "Haitian": "haiti",
    "Panamanian": "panama",
    "Nicaraguan": "nicaragua",
    "Salvadoran": "el-salvador",
    "Guatemalan": "guatemala",
    "Honduran": "honduras",
    "Costa Rican": "costa-rica",
    "Jamaican": "jamaica",
    "Bangladeshi": "bangladesh",
    "Sri Lankan": "sri-lanka",
    "Nepalese": "nepal",
    "Burmese": "burma",
    "Malaysian": "malaysia",
    "Singaporean": "singapore",
    "Cambodian": "cambodia",
    "Mongolian": "mongolia",
    "Armenian": "armenia",
    "Azerbaijani": "azerbaijan",
    "Romanian": "romania",
    "Bulgarian": "bulgaria",
    "Serbian": "serbia",
    "Croatian": "croatia",
    "Slovak": "slovakia",
    "Slovenian": "slovenia",
    "Estonian": "estonia",
    "Latvian": "latvia",
    "Lithuanian": "lithuania",
    "Icelandic": "iceland",
    "Maltese": "malta",
    "Cypriot": "cyprus",
    "Zimbabwean": "zimbabwe",
    "Zambian": "zambia",
    "Sudanese": "sudan",
    "Somali": "somalia",
    "Rwandan": "rwanda",
    "Angolan": "angola",
    "Mozambican": "mozambique",
    "Namibian": "namibia",
    "Liberian": "liberia",
    "Malian": "mali",
    "Cameroonian": "cameroon",
    "Kazakh": "kazakhstan",
    "Uzbek": "uzbekistan",
    "Belarusian": "belarus",
    "Moldovan": "moldova",
    "Bosnian": "bosnia-herzegovina",
    "Albanian": "albania",
    "Kosovar": "kosovo",
}


@dataclass(frozen=True)
class Mention:
    """A person named in free text: 'Foreign Minister Nakasone', 'President Rene Preval'."""

    text: str
    title: str | None
    name: str
    former: bool = False
    # A country the text itself states: "President Hu of China", "British Prime Minister".
    country: str | None = None
    # "of the European Commission": the text ties the person to something not a country.
    of_other: bool = False


def _is_name_word(word: str) -> bool:
    if word in _STOP or (any(ch.isdigit() for ch in word) and word not in _SUFFIXES):
        return False
    if _LOWER_PREFIXED.match(word):
        return True
    first = word[0]
    return unicodedata.category(first) == "Lu"


def _name_after(text: str, pos: int) -> tuple[list[str], int]:
    """The capitalized name that follows a title at `pos`, and where it ends."""
    tokens: list[str] = []
    pending: list[str] = []
    end = pos
    scan = pos
    while len(tokens) < 7:
        match = _TOKEN.match(text, scan)
        if match is None:
            break
        raw = match.group(1)
        word = raw.rstrip(',;:!?)”"')
        stop = word != raw
        if word.endswith(("\u2019s", "'s")):
            word, stop = word[:-2], True
        if raw in _HONORIFICS:
            scan = match.end()  # "President Dr. Mohamed Irfaan Ali": not part of the name
            continue
        if word.endswith(".") and not _INITIAL.match(word) and word not in _SUFFIXES:
            word, stop = word[:-1], True
        if not word:
            break
        if word in _MONTHS and tokens:
            following = _TOKEN.match(text, match.end())
            if stop or following is None or following.group(1)[:1].isdigit():
                break  # "President Nixon April 1", but "Prime Minister Theresa May"
        if word in _PARTICLES and not stop:
            pending.append(word)
            scan = match.end()
            continue
        if not _is_name_word(word):
            break
        tokens.extend(pending)
        pending = []
        tokens.append(word)
        end = match.start(1) + len(word)
        scan = match.end()
        if stop:
            following = _TOKEN.match(text, scan)
            if (
                raw.endswith(",")
                and following
                and following.group(1).rstrip(".,;") + "."
                in {"Jr.", "Sr.", "II.", "III.", "3rd.", "2nd."}
            ):
                suffix = following.group(1).rstrip(",;")
                tokens[-1] += ","
                tokens.append(suffix)
                end = following.start(1) + len(suffix)
            break
    return tokens, end


def find_mentions(text: str, territories: Territories) -> list[Mention]:
    """People named with a title in free text (a deliberately plain, explainable rule)."""
    mentions: list[Mention] = []
    last_end = 0
    for match in _TITLE_RE.finditer(text):
        if match.start() < last_end:
            continue
        tokens, end = _name_after(text, match.end())
        if not tokens:
            continue
        last_end = end
        title = match.group("title") + (match.group("suffix") or "").lower()
        name = " ".join(tokens)
        country: str | None = None
        of_other = False
        of_match = _OF_PLACE.match(text, end)
        if of_match:
            stated = territories.by_name.get(_normalize(of_match.group(1)))
            country, of_other = (stated, False) if stated else (None, True)
        if country is None and not of_other:
            before = text[: match.start()].split()
            for width in (2, 1):
                demonym = " ".join(before[-width:]) if len(before) >= width else ""
                if demonym in DEMONYMS:
                    country = DEMONYMS[demonym]
                    break
        mentions.append(
            Mention(
                text=squash(text[match.start("title") : end]),
                title=title,
                name=name,
                former=bool(match.group("former")),
                country=country,
                of_other=of_other,
            )
        )
    return mentions


@dataclass(frozen=True)
class Resolution:
    person: str | None
    basis: str


class Resolver:
    """Links a mention to a known person only when exactly one fits; says why."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    def _office(self, terms: Sequence[Term], mention: Mention, when: date) -> list[str]:
        wanted = [_normalize(t) for t in mention.name.replace(",", " ").split()]
        wanted = [w for w in wanted if w not in {"jr", "sr", "ii", "iii", "3rd"}]
        if not wanted:
            return []
        hits: set[str] = set()
        for term in terms:
            if mention.former:
                if term.last_day is None or term.last_day >= when:
                    continue
            elif not term.contains(when):
                continue
            info = self.reference.people.get(term.person)
            if info is None or _normalize(info.surname) != wanted[-1]:
                continue
            known_tokens = set(_normalize(info.name).split())
            if all(w in known_tokens or len(w) == 1 for w in wanted[:-1]):
                hits.add(term.person)
        return sorted(hits)

    def resolve(self, mention: Mention, when: date | None) -> Resolution:
        us_context = mention.country in (None, UNITED_STATES) and not mention.of_other
        offices = {
            "President": ("U.S. President", self.reference.presidents),
            "Secretary": ("Secretary of State", self.reference.secretaries),
            "Secretary of State": ("Secretary of State", self.reference.secretaries),
        }
        if us_context and when is not None and mention.title in offices:
            office, terms = offices[mention.title]
            hits = self._office(terms, mention, when)
            if len(hits) == 1:
                basis = (
                    f"the only former {office} named {mention.name} before {when}"
                    if mention.former
                    else f"the {office} in office on {when} is named {mention.name}"
                )
                return Resolution(hits[0], basis)
        key = _normalize(mention.name)
        if len(key.split()) >= 2:
            ids = sorted(self.reference.by_name.get(key, set()))
            if len(ids) == 1:
                return Resolution(ids[0], f"the only known person named {mention.name}")
            if len(ids) > 1:
                return Resolution(None, f"ambiguous: {', '.join(ids)} are all named {mention.name}")
        return Resolution(None, "no known person fits")


def candidate_id(meeting: str, mention: Mention) -> str:
    """One candidate per mention: the same words may name different people.

    "President Assad" is Hafez or Bashar, "Prime Minister Konstantinos Karamanlis" is the
    uncle (1978) or the nephew (2004): nothing in the record tells them apart, so no two
    mentions share a candidate. `candidate_key` gives the words to group them by.
    """
    ident = f"candidate-{meeting}-{slugify(mention.name) or 'unnamed'}"
    return ident[:120].rstrip("-")


def candidate_key(mention: Mention, country: str | None) -> str:
    """'president|rene-preval|haiti': what candidates with the same designation share."""
    return f"{slugify(mention.title or '')}|{slugify(mention.name)}|{country or ''}"


# -- documents ------------------------------------------------------------------------------


def document_id(dataset: Dataset, relative: str) -> str:
    """'travels/secretary-travels/kerry-john-forbes.xml'
    -> 'hsg-travels-secretary-travels-kerry-john-forbes'."""
    inner = relative.split("/", 1)[1].removesuffix(".xml")
    inner = {"presidents/presidents": "presidents"}.get(inner, inner)
    inner = inner.removeprefix("data/")
    inner = re.sub(r"^people/[^/]+/", "people/", inner)  # people/<initial>/<id>
    return f"hsg-{dataset.value}-{slugify(inner)}"


def dataset_document_id(dataset: Dataset) -> str:
    return f"hsg-{dataset.value}"


def read_snapshots(root: Path) -> dict[str, str]:
    """Upstream commit per dataset, from SNAPSHOTS.txt ('travels <sha>' per line)."""
    path = root / "SNAPSHOTS.txt"
    if not path.is_file():
        return {}
    pairs = (line.split() for line in path.read_text(encoding="utf-8").splitlines())
    return {parts[0]: parts[1] for parts in pairs if len(parts) == 2}


# -- the reader ------------------------------------------------------------------------------


class _Reader:
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
            root = etree.fromstring(content, _PARSER)
            self.texts[path] = content.decode("utf-8")
            return root
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

    def reject(self, out: DatasetRecords, path: Path, record: str, error: _Reject) -> None:
        out.bad.append(BadRecord(self.rel(path), error.record or record, error.kind, error.reason))

    def person_stub(self, person: str, source: Source) -> Node:
        info = self.reference.people[person]
        return Node(person, Kind.PERSON, info.name, [source], aliases=list(info.aliases))

    def country(self, out: DatasetRecords, territory: str, source: Source) -> None:
        out.add_node(self.territories.node(territory, source))

    # -- pocom --

    def read_people(self, out: DatasetRecords) -> None:
        folder = self.root / "pocom" / "people"
        for path in sorted(folder.glob("*/*.xml")):
            element = self.parse(path, out)
            if element is None:
                continue
            out.records["person"] += 1
            raw_id = _text(element, "id")
            title = (
                person_name(
                    _text(element, "persName/forename"),
                    _text(element, "persName/surname"),
                    _text(element, "persName/genName"),
                )
                or raw_id
                or path.stem
            )
            doc_id = self.file_document(Dataset.POCOM, path, title, "pocom person record", out)
            try:
                pid = _record_id(raw_id, "person", f"person in {path.name}")
                if pid in self.people_ok:
                    raise _Reject(BadKind.DUPLICATE_ID, f"person {pid} is defined twice")
                surname = _text(element, "persName/surname")
                forename = _text(element, "persName/forename")
                gen_name = _text(element, "persName/genName")
                birth = _date(_text(element, "birth"), "birth")
                death = _date(_text(element, "death"), "death")
            except _Reject as error:
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
            career = _text(element, "career-type")
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
                    [Source(document=doc_id, quote=_quote_id(pid))],
                    aliases=aliases,
                    props=props,
                )
            )

    def read_roles(self) -> None:
        for path in sorted((self.root / "pocom" / "roles-country-chiefs").glob("*.xml")):
            try:
                element = etree.parse(str(path), _PARSER).getroot()
            except (etree.XMLSyntaxError, OSError):
                continue  # a code table; titles fall back to the role id
            self.roles[_text(element, "id")] = _text(element, "names/singular")

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
        fields = _children(element)
        raw_id = _child_text(fields, "id")
        label = f"{element.tag} {raw_id}" if raw_id else f"{element.tag} #{index}"
        try:
            if not raw_id:
                raise _Reject(BadKind.MISSING_ID, f"{element.tag} has no id")
            raw_person = _child_text(fields, "person-id")
            if not raw_person:
                raise _Reject(BadKind.MISSING_ID, f"{element.tag} has no person-id")
            person = self.old_ids.get(raw_person, raw_person)
            if person not in self.people_ok:
                raise _Reject(
                    BadKind.UNKNOWN_PERSON,
                    f"person-id {raw_person!r} is not a (good) pocom person record",
                )
            role = _child_text(fields, "role-title-id")
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
                when = _date(_child_text(fields, event, "date"), f"{event} date")
                if when is not None:
                    props[prop] = when
                note = _child_text(fields, event, "note")
                if note:
                    props[f"{prop}Note"] = note
            note = _child_text(fields, "note")
            if note:
                props["note"] = note
            if with_territory:
                contemporary = _child_text(fields, "contemporary-territory-id")
                if contemporary in HISTORICAL_TERRITORIES:
                    props["contemporaryTerritory"] = contemporary
                    props["contemporaryTerritoryName"] = HISTORICAL_TERRITORIES[contemporary]
                elif contemporary:
                    territory = self.territories.require(contemporary, "contemporary-territory-id")
                    props["contemporaryTerritory"] = territory
                    props["contemporaryTerritoryName"] = self.territories.name(territory)
        except _Reject as error:
            self.reject(out, path, label, error)
            return None
        source = Source(document=source_doc, quote=_quote_id(raw_id))
        props["recordId"] = raw_id
        return person, role, Edge(RelType.HOLDS_POSITION, person, org, raw_id, [source], props)

    def read_country_missions(self, out: DatasetRecords) -> None:
        folder = self.root / "pocom" / "missions-countries"
        for path in sorted(folder.glob("*.xml")):
            element = self.parse(path, out)
            if element is None:
                continue
            territory_raw = _text(element, "territory-id")
            chiefs = element.find("chiefs")
            n_chiefs = len(chiefs.findall("chief")) if chiefs is not None else 0
            out.records["chief"] += n_chiefs
            out.records["other-nominee"] += len(element.findall("other-nominees/chief"))
            try:
                if not territory_raw:
                    raise _Reject(BadKind.MISSING_ID, "country mission has no territory-id")
                territory = self.territories.require(territory_raw, "territory-id")
            except _Reject as error:
                self.reject(out, path, "country-mission", error)
                out.bad.extend(
                    BadRecord(
                        self.rel(path),
                        f"chief {_text(c, 'id')}",
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
            notes = [_text(n, "text") for n in element.iterfind("chiefs/mission-note")]
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
            last_note = ""
            for index, child in enumerate(chiefs if chiefs is not None else [], start=1):
                if child.tag == "mission-note":
                    last_note = _text(child, "text")
                    continue
                if child.tag != "chief":
                    continue
                role = _text(child, "role-title-id")
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
        return ident

    def read_org_missions(self, out: DatasetRecords) -> None:
        for path in sorted((self.root / "pocom" / "missions-orgs").glob("*.xml")):
            element = self.parse(path, out)
            if element is None:
                continue
            chiefs = element.findall("chiefs/chief")
            out.records["org-chief"] += len(chiefs)
            out.records["other-nominee"] += len(element.findall("other-appointees/chief"))
            raw_id = _text(element, "id")
            try:
                org_id = _record_id(raw_id, "org-mission", "org-mission")
            except _Reject as error:
                self.reject(out, path, "org-mission", error)
                continue
            singular = _text(element, "names/singular") or raw_id
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
                _text(element, "names/plural") or name,
                f"pocom, {len(chiefs)} chiefs of mission",
                out,
            )
            source = Source(document=doc, quote=_quote_id(raw_id))
            out.add_node(
                Node(
                    ident,
                    Kind.ORGANIZATION,
                    name,
                    [source],
                    description=_text(element, "description") or None,
                    props={
                        "hsgId": org_id,
                        "missionType": "organization mission",
                        "category": _text(element, "category"),
                    },
                )
            )
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
                self.position_names[_text(element, "id")] = _text(element, "names/singular")
        for path, element in elements:
            principals = element.findall("principals/principal")
            out.records["principal"] += len(principals)
            out.records["other-nominee"] += len(element.findall("other-appointees/principal"))
            raw_id = _text(element, "id")
            try:
                position = _record_id(raw_id, "principal-position", "principal-position")
                start = _date(_text(element, "start"), "start")
                end = _date(_text(element, "end"), "end")
            except _Reject as error:
                self.reject(out, path, f"principal-position {raw_id}", error)
                out.bad.extend(
                    BadRecord(
                        self.rel(path),
                        f"principal {_text(p, 'id')}",
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
                _text(element, "names/plural") or singular,
                f"pocom, {len(principals)} principal officers",
                out,
            )
            source = Source(document=doc, quote=_quote_id(raw_id))
            props: dict[str, Value] = {
                "hsgId": position,
                "positionClass": _text(element, "class"),
                "category": _text(element, "category"),
                "ongoing": _text(element, "ongoing") == "true",
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
                    description=_text(element, "description") or None,
                    props=props,
                )
            )
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
        self.read_roles()
        self.read_positions(out)
        self.read_country_missions(out)
        self.read_org_missions(out)

    # -- travels --

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
            raw_id = _text(president, "id")
            number = president.get("n") or str(index)
            try:
                pid = _record_id(raw_id, "president", f"president n={number}")
                birth = _date(_text(president, "birth-year"), "birth-year")
                death = _date(_text(president, "death-year"), "death-year")
                took = _date(_text(president, "took-office-date"), "took-office-date")
                left = _date(_text(president, "left-office-date"), "left-office-date")
            except _Reject as error:
                self.reject(out, path, f"president {raw_id or 'n=' + number}", error)
                continue
            name = _text(president, "name") or pid
            known = self.reference.people.get(pid)
            if known is None:
                surname = name.replace(",", " ").split()
                surname = [w for w in surname if w not in {"Jr.", "Sr."}]
                self.reference.add_person(
                    PersonInfo(pid, name, surname[-1] if surname else pid, tuple(surname[:-1]))
                )
            self.reference.presidents.append(Term.of(pid, took, left))
            source = Source(document=doc, quote=_quote_id(pid))
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
        raw_id = _text(trip, "id")
        label = f"trip {raw_id}" if raw_id else f"trip #{index}"
        try:
            _check_numeric_id(raw_id, "trip", seen)
            who = trip.get("who") or ""
            who = self.old_ids.get(who, who)
            if not who:
                raise _Reject(BadKind.MISSING_ID, "trip has no who (traveller id)")
            if who not in self.reference.people:
                raise _Reject(
                    BadKind.UNKNOWN_PERSON, f"who={who!r} is neither a pocom person nor a president"
                )
            start = _date(_text(trip, "start-date"), "start-date")
            end = _date(_text(trip, "end-date"), "end-date")
            country_el = trip.find("country")
            raw_country = country_el.get("id", "") if country_el is not None else ""
            territory = self.territories.require(raw_country, "country id")
        except _Reject as error:
            self.reject(out, path, label, error)
            return
        seen.add(raw_id)
        role = trip.get("role") or _text(trip, "role")
        meeting = f"hsg-trip-{raw_id}"
        quote = _quote_id(raw_id)
        source = Source(document=doc, quote=quote)
        traveller = self.reference.people[who]
        locale = _text(trip, "locale")
        remarks = _text(trip, "remarks")
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
        mentions: list[Mention] | None = None,
        country_basis: str = "inferred: the country of the trip",
        attended: bool = False,
    ) -> None:
        """MENTIONS from the meeting to each person named; candidates for the unmatched.

        A candidate REPRESENTS its country only when the text states it, or when the
        record does (a visit's `from`); a trip's country is only a guess, kept as a property.
        """
        when = start.start if start is not None else None
        for mention in mentions if mentions is not None else find_mentions(text, self.territories):
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

    # -- visits --

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
        raw_id = _text(visit, "id")
        label = f"visit {raw_id}" if raw_id else f"visit #{index}"
        try:
            _check_numeric_id(raw_id, "visit", seen)
            start = _date(_text(visit, "start-date"), "start-date")
            end = _date(_text(visit, "end-date"), "end-date")
            from_el = visit.find("from")
            raw_country = from_el.get("id", "") if from_el is not None else ""
            territory = self.territories.require(raw_country, "from id")
        except _Reject as error:
            self.reject(out, path, label, error)
            return
        seen.add(raw_id)
        meeting = f"hsg-visit-{raw_id}"
        source = Source(document=doc, quote=_quote_id(raw_id))
        visitor = _text(visit, "visitor")
        description = _text(visit, "description")
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
            visitors = find_mentions(visitor, self.territories) or [
                Mention(text=visitor, title=None, name=visitor)
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

    # -- all --

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
        for records in results.values():
            check_rules(records)
        return HsgData(self.root, results)


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
        if places and (_INITIAL.match(part) or part in {"D.F.", "West Indies"}):
            places[-1] = f"{places[-1]}, {part}"
        else:
            places.append(part)
    seen: dict[str, str] = {}
    for place in places:
        seen.setdefault(slugify(place_key(place)), place)
    return [p for k, p in seen.items() if k]


def add_tenure(out: DatasetRecords, edge: Edge) -> None:
    """A tenure keyed by its record id; pocom reuses a few ids for different tenures of the
    same person in the same post (Belize, bz-1983-barn-01: charge 1981, ambassador 1983), so
    a repeat becomes `<id>~2` (in file order), its `recordId` still the id as written."""
    n = 1
    while edge.ident in out.edges:
        n += 1
        edge.key = f"{edge.props['recordId']}~{n}"
    out.edges[edge.ident] = edge


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
    """A digest of everything a load depends on: every input file (path and bytes), this
    module and the model, and the further `code` files given (the writer's)."""
    digest = hashlib.blake2b(digest_size=16)
    for pattern in INPUT_FILES:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    for source in (Path(__file__), Path(model.__file__), *code):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def read_hsg(root: Path, only: Iterable[Dataset | str] | None = None) -> HsgData:
    """Parse the datasets under `root` (the folder holding pocom/, travels/, visits/)."""
    selected = [Dataset(d) for d in only] if only else list(DATASETS)
    selected = [d for d in DATASETS if d in selected]
    return _Reader(root.resolve()).read(selected)
