"""Territories: the ids pocom gives countries and places, their names, and the aliases
and historical ids the datasets also use (a table, most of this module)."""

from __future__ import annotations

from collections.abc import Iterable

from diplograph.model import Kind, Source
from diplograph.records import (
    BadKind,
    Node,
    Value,
)
from loaders.hsg.xml import Reject
from loaders.names import normalize_name

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


class Territories:
    """Known territory ids: the static table plus every pocom country-mission file."""

    def __init__(self, mission_ids: Iterable[str] = ()) -> None:
        self.names = dict(TERRITORY_NAMES)
        for territory in mission_ids:
            self.names.setdefault(territory, territory.replace("-", " ").title())
        self.by_name = {normalize_name(name): tid for tid, name in self.names.items()}
        self.by_name.update({normalize_name(tid.replace("-", " ")): tid for tid in self.names})

    def canonical(self, raw: str) -> str | None:
        territory = TERRITORY_ALIASES.get(raw, raw)
        return territory if territory in self.names else None

    def require(self, raw: str, what: str) -> str:
        if not raw:
            raise Reject(BadKind.UNKNOWN_COUNTRY, f"{what} has no country id")
        territory = self.canonical(raw)
        if territory is None:
            raise Reject(BadKind.UNKNOWN_COUNTRY, f"{what} {raw!r} is not a known territory")
        return territory

    def name(self, territory: str) -> str:
        return self.names[territory]

    def node(self, territory: str, source: Source) -> Node:
        aliases = sorted(a for a, t in TERRITORY_ALIASES.items() if t == territory)
        props: dict[str, Value] = {"hsgIds": [territory, *aliases]}
        return Node(territory, Kind.COUNTRY, self.names[territory], [source], props=props)
