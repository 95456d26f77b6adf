"""People named in free text: the one place that knows titles, name particles and the
shape of a person's name, for the historian's records and for ingested articles.

* `find_titled_people`: names that follow a title ("Foreign Minister Nakasone",
  "President Rene Preval of Haiti"), with the country the text states, for free text
  with no list of known people (trip remarks, visit records);
* the vocabulary that article linking (`loaders/ingest/`) reads names with too: title
  words (derived in part from the whole titles, so one list feeds both readers), name
  particles, months.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class CountryNames(Protocol):
    """Countries by name, normalized (`normalize_name`): "haiti" -> "haiti"."""

    @property
    def by_name(self) -> Mapping[str, str]: ...


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def normalize_name(name: str) -> str:
    """'Hillary Rodham  Clinton,' -> 'hillary rodham clinton' (for exact name comparison)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", ascii_text.lower()).split())


# Whole titles a name follows in free text with no list of known people (the historian's
# remarks), longest first. Article linking reads titles word by word instead (below), and
# learns every word of these titles too, so a title added here reaches both readers.
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
INITIAL = re.compile(r"^(?:[A-Z]\.)+$")
_LOWER_PREFIXED = re.compile(r"^(?:al|el|ad|as|ash|ar|at|az|an|ibn|bin|abu)[-\u2011\u2013]\w")
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "3rd", "2nd"})
# One vocabulary of person names for every reader of free text.


def words(text: str) -> frozenset[str]:
    """A vocabulary written as a block of words."""
    return frozenset(text.split())


# Words that make up titles before (or after) a name. A title needs at least one head.
# The whole titles above add theirs: the last word before any "of" is a head
# ("Taoiseach", "Sultan"), the words before it modifiers ("Crown", "Grand"), the words
# after "of" complements ("Secretary of State").
TITLE_HEADS = words(
    """president minister secretary ambassador senator representative congressman
    congresswoman governor mayor king queen prince princess pope cardinal archbishop
    bishop father rev. dr. mr. mrs. ms. miss gen. general lt. col. colonel admiral adm.
    commander chairman chairwoman chair spokesman spokeswoman spokesperson envoy counselor
    councilor councillor chairperson sir dame
    consul attorney justice judge premier chancellor commissioner coordinator director
    undersecretary under-secretary charge chargé d'affaires sen. rep. gov. amb. prof.
    professor officer negotiator director-general secretary-general ambassador-at-large
    under-secretary-general representative-designate advisor adviser
    editor correspondent reporter columnist chief speaker lady administrator sayyid"""
) | {title.split(" of ")[0].split()[-1].lower() for title in _TITLES}
# "President-elect Ana Berg", "Ambassador-designate": the office not yet taken is a title.
TITLE_HEADS |= {f"{head}-{when}" for head in TITLE_HEADS for when in ("elect", "designate")}
TITLE_MODIFIERS = (
    words(
        """vice deputy assistant principal foreign chief head special senior acting interim
    former under first second executive associate permanent rear major lieutenant
    brigadier diplomatic contributing managing responsible"""
    )
    | {w.lower() for title in _TITLES for w in title.split(" of ")[0].split()[:-1]} - TITLE_HEADS
)
# Words that follow "of"/"for" inside a title: "Secretary of State for Western Hemisphere Affairs".
TITLE_COMPLEMENTS = words(
    """state foreign affairs defense defence justice homeland security western hemisphere
    interior commerce treasury labor energy education health agriculture transportation
    international political economic consular european asian african american north south
    latin caribbean cuban cuba migration immigration trade relations exterior east west
    eastern near middle central asia pacific africa europe oceans environmental scientific
    science arms control nonproliferation counterterrorism democracy human rights labor
    population refugees narcotics law enforcement public diplomacy management legislative
    intelligence research fisheries maritime climate change environment cooperation multilateral
    regional arctic americas business resources global health women's issues development
    finance planning policy civilian protocol operations national growth natural eurasian
    mission staff"""
) | {w.lower() for title in _TITLES if " of " in title for w in title.split(" of ", 1)[1].split()}
# The given names English nicknames stand for: "Ted Osborne" may be pocom's "Theodore R.
# Osborne". A nickname is a weaker fit, like a name without its middle name.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "al": ("albert", "alan", "alfred"), "andy": ("andrew",), "ben": ("benjamin",),
    "bill": ("william",), "billy": ("william",), "will": ("william",), "bob": ("robert",),
    "bobby": ("robert",), "rob": ("robert",), "chris": ("christopher",),
    "chuck": ("charles",), "charlie": ("charles",), "dan": ("daniel",), "danny": ("daniel",),
    "dave": ("david",), "dick": ("richard",), "rick": ("richard",), "don": ("donald",),
    "doug": ("douglas",), "ed": ("edward",), "eddie": ("edward",), "frank": ("francis",
    "franklin"), "fred": ("frederick",), "gene": ("eugene",), "greg": ("gregory",),
    "hank": ("henry",), "harry": ("henry", "harold"), "jack": ("john",), "jeff": ("jeffrey",),
    "jerry": ("gerald", "jerome"), "jim": ("james",), "jimmy": ("james",),
    "joe": ("joseph",), "ken": ("kenneth",), "larry": ("lawrence",), "liz": ("elizabeth",),
    "beth": ("elizabeth",), "kate": ("katherine", "catherine", "kathleen"),
    "kathy": ("katherine", "kathleen"), "matt": ("matthew",), "mike": ("michael",),
    "nick": ("nicholas",), "pat": ("patrick", "patricia"), "pete": ("peter",),
    "phil": ("philip", "phillip"), "ray": ("raymond",), "ron": ("ronald",),
    "sam": ("samuel",), "stan": ("stanley",), "steve": ("stephen", "steven"),
    "sue": ("susan",), "ted": ("theodore", "edward"), "teddy": ("theodore", "edward"),
    "tim": ("timothy",), "tom": ("thomas",), "tommy": ("thomas",), "tony": ("anthony",),
    "vince": ("vincent",), "walt": ("walter",), "wes": ("wesley",),
}  # fmt: skip
# Titles that people are known by together with a single given name: "Pope Francis",
# "King Philippe", "Sheikh Tamim" (a name alone would say too little).
KNOWN_BY_TITLE = words(
    """pope king queen prince princess emperor empress sultan emir amir sheikh shaikh shah
    patriarch ayatollah"""
)
# Lowercase words inside a name: "Charles de Gaulle", "Ursula von der Leyen".
PARTICLES = words(
    """al el bin ibn bint abu de da del della di du van von der den la las los le dos das do
    y ben es"""
)
# The other names a country usually goes by in English texts, keyed by the name the graph
# gives it (curated or the historian's gazetteer, normalized): ingest links these forms
# where the graph's country states none of them (`loaders/ingest/linking.derived_forms`).
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "united states": ("United States of America", "U.S.", "US", "U.S.A.", "USA", "America"),
    "united kingdom": ("UK", "U.K.", "Britain", "Great Britain"),
    "south korea": ("Republic of Korea", "ROK", "Korea"),
    "korea": ("Republic of Korea", "ROK", "South Korea"),
    "north korea": ("Democratic People's Republic of Korea", "DPRK"),
    "china": ("People's Republic of China", "PRC", "P.R.C."),
    "taiwan": ("Republic of China",),
    "russia": ("Russian Federation",),
    "vietnam": ("Socialist Republic of Vietnam", "Viet Nam"),
    "burma": ("Myanmar", "Republic of the Union of Myanmar"),
    "iran": ("Islamic Republic of Iran",),
    "syria": ("Syrian Arab Republic",),
    "laos": ("Lao People's Democratic Republic", "Lao PDR"),
    "netherlands": ("Kingdom of the Netherlands", "Holland"),
    "germany": ("Federal Republic of Germany",),
    "france": ("French Republic",),
    "mexico": ("United Mexican States",),
    "brazil": ("Federative Republic of Brazil",),
    "venezuela": ("Bolivarian Republic of Venezuela",),
    "bolivia": ("Plurinational State of Bolivia",),
    "philippines": ("Republic of the Philippines",),
    "indonesia": ("Republic of Indonesia",),
    "india": ("Republic of India",),
    "japan": ("State of Japan",),
    "czech republic": ("Czechia",),
    "cote d ivoire": ("Ivory Coast", "Cote d'Ivoire"),
    "holy see": ("Vatican", "Vatican City"),
    "cuba": ("Republic of Cuba",),
    "colombia": ("Republic of Colombia",),
    "chile": ("Republic of Chile",),
    "argentina": ("Argentine Republic",),
}


# The short English names of the world's states (UN members and observers, and a few
# others usually named as countries): a proper name that is one of these, unlinked, is
# proposed as a Country, never as a Place or a Person.
def _listed(text: str) -> frozenset[str]:
    """A vocabulary of names that hold spaces, written as a block separated by "|"."""
    return frozenset(" ".join(name.split()).lower() for name in text.split("|"))


COUNTRY_NAMES = _listed(
    """Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|
    Armenia|Australia|Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|
    Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|Botswana|Brazil|Brunei|Bulgaria|
    Burkina Faso|Burma|Burundi|Cabo Verde|Cape Verde|Cambodia|Cameroon|Canada|
    Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|Costa Rica|
    Cote d'Ivoire|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominica|
    Dominican Republic|Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|
    Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|
    Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq|
    Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|
    Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|
    Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Marshall Islands|Mauritania|Mauritius|
    Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|
    Nauru|Nepal|Netherlands|New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|
    Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Panama|Papua New Guinea|Paraguay|Peru|
    Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|Saint Kitts and Nevis|
    Saint Lucia|Saint Vincent and the Grenadines|Samoa|San Marino|Sao Tome and Principe|
    Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|
    Solomon Islands|Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|
    Suriname|Swaziland|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|
    Timor-Leste|East Timor|Togo|Tonga|Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|Tuvalu|
    Uganda|Ukraine|United Arab Emirates|United Kingdom|United States|Uruguay|Uzbekistan|
    Vanuatu|Holy See|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe"""
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan."),
            ("february", "feb."),
            ("march", "mar."),
            ("april", "apr."),
            ("may",),
            ("june", "jun."),
            ("july", "jul."),
            ("august", "aug."),
            ("september", "sept.", "sep."),
            ("october", "oct."),
            ("november", "nov."),
            ("december", "dec."),
        ],
        start=1,
    )
    for name in names
}
_MONTHS = frozenset(name.capitalize() for name in MONTHS if not name.endswith("."))

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
    "American": "united-states",
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
class TitledName:
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
        if word.endswith(".") and not INITIAL.match(word) and word not in _SUFFIXES:
            word, stop = word[:-1], True
        if not word:
            break
        if word in _MONTHS and tokens:
            following = _TOKEN.match(text, match.end())
            if stop or following is None or following.group(1)[:1].isdigit():
                break  # "President Nixon April 1", but "Prime Minister Theresa May"
        if word in PARTICLES and not stop:
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


def find_titled_people(text: str, territories: CountryNames) -> list[TitledName]:
    """People named with a title in free text (a deliberately plain, explainable rule)."""
    mentions: list[TitledName] = []
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
            stated = territories.by_name.get(normalize_name(of_match.group(1)))
            country, of_other = (stated, False) if stated else (None, True)
        if country is None and not of_other:
            before = text[: match.start()].split()
            for width in (2, 1):
                demonym = " ".join(before[-width:]) if len(before) >= width else ""
                if demonym in DEMONYMS:
                    country = DEMONYMS[demonym]
                    break
        mentions.append(
            TitledName(
                text=squash(text[match.start("title") : end]),
                title=title,
                name=name,
                former=bool(match.group("former")),
                country=country,
                of_other=of_other,
            )
        )
    return mentions
