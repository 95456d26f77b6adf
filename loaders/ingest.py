"""The document pipeline's pure logic: new articles, mentions of known entities, candidates.

No Neo4j here (`graph/mentions.py` holds the Cypher). Everything works on the
cleaned text, headline first, exactly as stored, so every offset indexes into
`Document.text`: `text[start:end]` is the mention as written.

Linking, in order, and never on an ambiguous match:

1. *Exact*: a known name or alias occurs in the text. Comparison ignores case,
   accents, curly quotes and dash variants, but every capital of the known
   form must be a capital in the text ("US" does not match "us"; "Cuba" does
   not match "cuba"), except the first letter of a sentence-case label of an
   issue, event or term ("Direct mail service" matches "direct mail service").
   Overlaps go to the leftmost, then the longest, match ("U.S. Interests
   Section in Havana" beats "U.S." and "Havana"), separately for names and for
   the labels of issues, events, terms and meetings: a label may contain names,
   and both are linked ("the arrest of Alan Gross" mentions the event and the
   person). A name embedded in a longer proper name is no mention of it:
   "Havana" in "Little Havana", "U.S." in "U.S. Coast Guard". A title before a
   name is fine ("Vice Foreign Minister Dagoberto Rodriguez Barrera") and is
   recorded on the mention; possessives ("Kelly's") end a name.
2. *Variant*: a run of capitalised words that names a person and matched
   nothing exactly is compared with every `Person` name and alias (titles and
   middle initials dropped) with rapidfuzz's `ratio`: it links when the score
   is at least `FUZZY_THRESHOLD`, the word counts agree, every word starts
   with the same letter, and only one person qualifies ("Craig Kelley" and
   "Craig Kelly"; "Alan P. Gross"; "Dagoberto Rodriguez" for a three-part
   Spanish name).
3. *Surname*: a lone surname ("Mr. Kelly", "Gross") links to a person already
   linked by full name earlier in the same document, unless another person in
   the document, known or not, shares that surname.

A surface that names several entities, or a variant that fits several people,
is reported as an `Ambiguity`, not linked.

What cannot be linked becomes a `Candidate` for the analyst: titled people
("Foreign Minister X", "X, Assistant Secretary of State"), organizations and
agreements (by keyword), places (after "in"/"to"/"from"), dates (as `Event`s,
relative ones resolved against the document's date when it is known) and
quantities (as `Term`s: "20,000 travel documents"). `review_data` shapes them
as the curated knowledge files (data/knowledge/README.md) plus a `review:`
block per candidate carrying its offsets.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol

import yaml
from pydantic import ValidationError
from rapidfuzz import fuzz

from diplograph.model import Document, FuzzyDate, Kind, Precision, slugify
from loaders.articles import ArticleError, article_from_text, read_article

FUZZY_THRESHOLD = 88.0
"""Minimum rapidfuzz `ratio` (0-100) for a spelling variant of a person's name.

"Craig Kelley"/"Craig Kelly" scores 95.7 and "Rodrigues"/"Rodriguez" in a full
name about 96; distinct people with the same initials, such as "Jon Doe" and
"Jan Doe", score below 88.
"""

REVIEW_DIR = Path(__file__).resolve().parent.parent / "data" / "review"


# -- vocabulary ----------------------------------------------------------------------------


def _words_in_order(text: str) -> list[str]:
    return text.split()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make up titles before (or after) a name. A title needs at least one head.
TITLE_HEADS = _words(
    """president minister secretary ambassador senator representative congressman
    congresswoman governor mayor king queen prince princess pope cardinal archbishop
    bishop father rev. dr. mr. mrs. ms. miss gen. general lt. col. colonel admiral adm.
    commander chairman chairwoman chair spokesman spokeswoman spokesperson envoy counselor
    consul attorney justice judge premier chancellor commissioner coordinator director
    undersecretary under-secretary charge chargé d'affaires sen. rep. gov. amb. prof.
    professor officer negotiator"""
)
TITLE_MODIFIERS = _words(
    """vice deputy assistant principal foreign chief head special senior acting interim
    former under first second executive associate permanent"""
)
# Words that follow "of"/"for" inside a title: "Secretary of State for Western Hemisphere Affairs".
TITLE_COMPLEMENTS = _words(
    """state foreign affairs defense defence justice homeland security western hemisphere
    interior commerce treasury labor energy education health agriculture transportation
    international political economic consular european asian african american north south
    latin caribbean cuban cuba migration immigration trade relations exterior"""
)
ORGANIZATION_WORDS = _words(
    """ministry department embassy section office agency council commission committee
    administration government service services bureau guard navy army party congress
    parliament assembly senate court union nations organization organisation bank fund
    institute foundation church company corporation association mission"""
)
AGREEMENT_WORDS = _words(
    """accord accords agreement agreements treaty convention protocol pact memorandum"""
)
# Capitalised words that do not continue a proper name (title case, sentence starts).
FUNCTION_WORDS = _words(
    """a an and as at but by for from in into of on or the to with its our their his her this
    that these those it we they he she i after before since while when if during"""
)
NAME_PARTICLES = _words("de del la las los da do dos das di van von der den bin ibn al y")
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
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
ABBREVIATIONS = _words(
    """mr mrs ms dr jr sr st gen sen rep amb gov lt col adm prof rev no jan feb mar apr jun
    jul aug sep sept oct nov dec"""
)
NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        _words_in_order(
            """zero one two three four five six seven eight nine ten eleven twelve thirteen
            fourteen fifteen sixteen seventeen eighteen nineteen twenty"""
        )
    )
} | {"thirty": 30, "forty": 40, "fifty": 50}
# Words that do not start a provisional event name taken from a clause.
CLAUSE_LEAD_WORDS = FUNCTION_WORDS | _words(
    """has have had is was were are been who which where whom so then also"""
)
SEASON_END_MONTH = {"spring": 5, "summer": 8, "fall": 11, "autumn": 11}
# Words that end the noun phrase of a quantity: "20,000 travel documents | to be issued".
QUANTITY_STOP = FUNCTION_WORDS | _words(
    """be is are was were been have has had each per every who which that will would"""
)


# -- public data -------------------------------------------------------------------------


class Named(Protocol):
    """What linking needs to know of an entity; `Entity` and `KnownEntity` both fit."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> Kind | None: ...
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class KnownEntity:
    """An entity as read from the graph: its id, kind (None if unlabelled), name, aliases."""

    id: str
    kind: Kind | None
    name: str
    aliases: tuple[str, ...] = ()


class Method(StrEnum):
    """How a mention was linked."""

    NAME = "name"
    ALIAS = "alias"
    VARIANT = "variant"
    SURNAME = "surname"


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


@dataclass
class Analysis:
    """Everything the pipeline found in one document."""

    document: Document
    mentions: list[Mention]
    ambiguities: list[Ambiguity]
    candidates: list[Candidate]


# -- reading articles --------------------------------------------------------------------

_URL_LINE = re.compile(r"^(?:(?:url|source|link)\s*:\s*)?(https?://\S+)$", re.IGNORECASE)
_DATE_PREFIX = r"(?:(?:published|posted|updated|last updated|date|dated)\s*:?\s*(?:on\s+)?)?"
_MONTH_NAMES = "|".join(re.escape(m) for m in sorted(MONTHS, key=len, reverse=True))
_DATE_LINE = re.compile(
    rf"^{_DATE_PREFIX}(?:(?:{'|'.join(sorted(WEEKDAYS))}),?\s+)?"
    rf"(?P<date>(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<md>(?:{_MONTH_NAMES})\s+\d{{1,2}},?\s+\d{{4}})"
    rf"|(?P<dm>\d{{1,2}}\s+(?:{_MONTH_NAMES})\s+\d{{4}})"
    rf"|(?P<m>(?:{_MONTH_NAMES})\s+\d{{4}}))"
    r"(?:\s*(?:-|,|at)?\s*\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?\.?$",
    re.IGNORECASE,
)


def parse_date_text(text: str) -> FuzzyDate | None:
    """'June 19, 2010' -> 2010-06-19, '19 June 2010', '2010-06-19', 'June 2010' -> 2010-06."""
    text = re.sub(r"\s+", " ", text.strip().rstrip(".")).lower()
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    parts: tuple[str, int | None, int | None]
    if iso:
        parts = (iso[1], int(iso[2]), int(iso[3]))
    elif m := re.fullmatch(rf"({_MONTH_NAMES}) (\d{{1,2}}),? (\d{{4}})", text):
        parts = (m[3], MONTHS[m[1]], int(m[2]))
    elif m := re.fullmatch(rf"(\d{{1,2}}) ({_MONTH_NAMES}),? (\d{{4}})", text):
        parts = (m[3], MONTHS[m[2]], int(m[1]))
    elif m := re.fullmatch(rf"({_MONTH_NAMES}),? (\d{{4}})", text):
        parts = (m[2], MONTHS[m[1]], None)
    elif m := re.fullmatch(r"(1[89]\d\d|20\d\d)", text):
        parts = (m[1], None, None)
    else:
        return None
    year, month, day = parts
    value = year + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    try:
        return FuzzyDate(value=value)
    except ValidationError:
        return None


def prepare_article(path: Path, *, date: str | None = None, url: str | None = None) -> Document:
    """Read a captured article for ingest (see `prepare_document`)."""
    return prepare_document(read_article(path), date=date, url=url, where=str(path))


def prepare_text(
    raw: str, *, date: str | None = None, url: str | None = None, where: str = "article"
) -> Document:
    """A captured article's text, as posted to the API, prepared for ingest."""
    return prepare_document(article_from_text(raw, where=where), date=date, url=url, where=where)


def prepare_document(
    doc: Document, *, date: str | None = None, url: str | None = None, where: str = "article"
) -> Document:
    """A cleaned article ready for ingest: date and URL picked up from the capture.

    A paragraph that is only a URL ("https://...", "URL: https://...") or only a date
    ("June 19, 2010", "Published: 2010-06-19 14:30") is capture metadata: it is taken
    out of the text and becomes the document's `url`/`date`, so the headline stays the
    first paragraph. `date`/`url` given here win over what the capture says. Raises
    `ArticleError` naming `where` when no text is left or the date is invalid.
    """
    found_url: str | None = None
    found_date: FuzzyDate | None = None
    body: list[str] = []
    for paragraph in doc.text.split("\n\n"):
        url_line = _URL_LINE.match(paragraph)
        date_line = _DATE_LINE.match(paragraph)
        if url_line:
            found_url = found_url or url_line[1]
        elif date_line and (parsed := parse_date_text(date_line["date"])):
            found_date = found_date or parsed
        else:
            body.append(paragraph)
    if not body:
        raise ArticleError(f"{where}: no text is left once page chrome is removed")
    text = "\n\n".join(body)
    title = body[0]
    doc_id = slugify(title)[:120].strip("-")
    if not doc_id:
        raise ArticleError(f"{where}: the headline {title!r} gives no usable id")
    if date is not None:
        try:
            found_date = FuzzyDate(value=date)
        except ValidationError as error:
            message = error.errors()[0]["msg"].removeprefix("Value error, ")
            raise ArticleError(f"{where}: --date {message}") from None
    return Document(
        id=doc_id,
        title=title,
        text=text,
        file=doc.file,
        url=url or found_url,
        date=found_date,
    )


# -- text machinery ----------------------------------------------------------------------

# Curly quotes, acute/grave accents as apostrophes, dashes, non-breaking space.
_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "`": "'",
        "\u00b4": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
    }
)


def fold(text: str) -> tuple[str, list[int]]:
    """Text for comparison (no accents, one kind of quote and dash, whitespace runs as
    one space, case kept) and, for each of its characters, the offset it came from."""
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text.translate(_QUOTES)):
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            out.append(part)
            index.append(i)
    return "".join(out), index


def lower_aligned(text: str) -> str:
    """Lower case, one character for one (so offsets into the input still hold)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def folded(text: str) -> str:
    return lower_aligned(fold(text)[0].strip())


_TOKEN = re.compile(r"\w+(?:['.\-]\w+)*")


@dataclass(frozen=True)
class Token:
    index: int
    start: int
    end: int  # without a possessive "'s"
    text: str  # without a possessive "'s"
    possessive: bool

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def capitalised(self) -> bool:
        return self.text[0].isupper()

    @property
    def initial(self) -> bool:
        """A middle initial: "P." or "P"."""
        return len(self.text.rstrip(".")) == 1 and self.capitalised


def tokenize(text: str) -> list[Token]:
    """Words with their offsets; "U.S." and "Mr." keep their final period, "Kelly's" its
    possessive stripped (and flagged)."""
    tokens: list[Token] = []
    source = text.translate(_QUOTES)
    for match in _TOKEN.finditer(source):
        start, end = match.span()
        word = match.group()
        possessive = False
        if word.lower().endswith("'s") and len(word) > 2:
            word, end, possessive = word[:-2], end - 2, True
        elif end < len(source) and source[end] == "'" and word.lower().endswith("s"):
            possessive = True  # "Gross' case"
        if (
            not possessive
            and end < len(source)
            and source[end] == "."
            and (
                "." in word or word.lower() in ABBREVIATIONS or (len(word) == 1 and word.isupper())
            )
        ):
            word, end = word + ".", end + 1
        tokens.append(Token(len(tokens), start, end, text[start:end], possessive))
    return tokens


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer(r"\n\s*\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


_SENTENCE_END = re.compile("(?<=[.!?])[\"'\u201d\u2019)]*\\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences within paragraphs; a period after an abbreviation, an initial or a dotted
    acronym ("U.S. Interests Section") ends none."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        start = p_start
        for match in _SENTENCE_END.finditer(text, p_start, p_end):
            before = re.search(r"(\S+)$", text[start : match.start()])
            last = before.group(1) if before else ""
            word = last.rstrip(".").lower()
            if word in ABBREVIATIONS or "." in word or len(word) == 1:
                continue
            spans.append((start, match.start()))
            start = match.end()
        if start < p_end:
            spans.append((start, p_end))
    return spans


def sentence_at(text: str, sentences: Sequence[tuple[int, int]], offset: int) -> str:
    for start, end in sentences:
        if start <= offset < end:
            return text[start:end].strip()
    return text.strip()


def _is_title_case(text: str) -> bool:
    """A headline in title case: every word of four letters or more is capitalised."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) >= 4]
    return bool(words) and all(w[0].isupper() for w in words) and len(words) <= 20


class _Text:
    """A document's text with its tokens, proper-name runs, titles and sentences."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.starts = [t.start for t in self.tokens]
        self.sentences = sentence_spans(text)
        self.headlines = [(s, e) for s, e in paragraph_spans(text) if _is_title_case(text[s:e])]
        self.title_tokens = self._titles()
        self.runs = self._runs()
        self.run_by_token = {i: run for run in self.runs for i in range(run[0], run[1] + 1)}

    def gap(self, left: Token, right: Token) -> str:
        return self.text[left.end : right.start]

    def in_headline(self, offset: int) -> bool:
        return any(s <= offset < e for s, e in self.headlines)

    @staticmethod
    def _is_title_word(token: Token) -> bool:
        return token.capitalised and (token.lower in TITLE_HEADS or token.lower in TITLE_MODIFIERS)

    def _complements(self, j: int) -> int | None:
        """After title token j: 'of State', 'for Western Hemisphere Affairs', 'of the
        Interior'; the index of the last complement word, or None."""
        tokens = self.tokens
        k = j + 1
        if k >= len(tokens) or tokens[k].lower not in ("of", "for"):
            return None
        if tokens[j].possessive or self.gap(tokens[j], tokens[k]) != " ":
            return None
        k += 1
        if k < len(tokens) and tokens[k].lower == "the":
            k += 1
        end = k
        while (
            end < len(tokens)
            and tokens[end].capitalised
            and tokens[end].lower in TITLE_COMPLEMENTS
            and self.gap(tokens[end - 1], tokens[end]) == " "
        ):
            end += 1
        return end - 1 if end > k else None

    def _titles(self) -> dict[int, tuple[int, int]]:
        """Token index -> (first, last) token index of the title it belongs to.

        A title is a run of capitalised title words, with "of ..."/"for ..."
        complements, holding at least one head word ("Minister", "Secretary", "Mr.").
        """
        runs: dict[int, tuple[int, int]] = {}
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            if not self._is_title_word(tokens[i]):
                i += 1
                continue
            j = i
            while True:
                nxt = j + 1
                if (
                    nxt < len(tokens)
                    and self._is_title_word(tokens[nxt])
                    and not tokens[j].possessive
                    and self.gap(tokens[j], tokens[nxt]) in (" ", "-")
                ):
                    j = nxt
                    continue
                complement = self._complements(j)
                if complement is None:
                    break
                j = complement
            if {t.lower for t in tokens[i : j + 1]} & TITLE_HEADS:
                for t in range(i, j + 1):
                    runs[t] = (i, j)
            i = j + 1
        return runs

    @staticmethod
    def _chunkable(token: Token) -> bool:
        return (
            token.capitalised
            and token.lower not in FUNCTION_WORDS
            and token.lower not in MONTHS
            and token.lower not in WEEKDAYS
        )

    def _runs(self) -> list[tuple[int, int]]:
        """Maximal runs of capitalised words joined by a space or a hyphen (particles such
        as "de la" inside), as (first, last) token indices; a possessive ends a run."""
        runs: list[tuple[int, int]] = []
        tokens = self.tokens
        i = 0
        while i < len(tokens):
            if not self._chunkable(tokens[i]):
                i += 1
                continue
            j = i
            while not tokens[j].possessive:
                k = j + 1
                while (
                    k < len(tokens)
                    and tokens[k].lower in NAME_PARTICLES
                    and not tokens[k].capitalised
                    and self.gap(tokens[k - 1], tokens[k]) == " "
                ):
                    k += 1
                if (
                    k < len(tokens)
                    and self._chunkable(tokens[k])
                    and self.gap(tokens[k - 1], tokens[k]) in (" ", "-")
                ):
                    j = k
                else:
                    break
            runs.append((i, j))
            i = j + 1
        return runs

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """The tokens overlapping [start, end)."""
        first = max(0, bisect_right(self.starts, start) - 1)
        out: list[Token] = []
        for token in self.tokens[first:]:
            if token.start >= end:
                break
            if token.end > start:
                out.append(token)
        return out

    def embedded(self, start: int, end: int) -> bool:
        """True when [start, end) sits inside a longer proper name ("Little Havana").

        Words of a title just before it ("President Barack Obama") do not count;
        nor does anything in a title-case headline.
        """
        if self.in_headline(start):
            return False
        inside = self.tokens_in(start, end)
        if not inside:
            return False
        first, last = inside[0].index, inside[-1].index
        right = self.run_by_token.get(last)
        if right is not None and right[1] > last:
            return True
        left = self.run_by_token.get(first)
        return left is not None and left[0] < first and (first - 1) not in self.title_tokens

    def title_before(self, token_index: int) -> tuple[int, int] | None:
        """The title that ends just before this token, if any."""
        before = self.title_tokens.get(token_index - 1)
        if before is None or token_index - 1 != before[1]:
            return None
        if self.gap(self.tokens[token_index - 1], self.tokens[token_index]) != " ":
            return None
        return before

    def name_runs(self) -> list[tuple[int, int]]:
        """Proper-name runs outside headlines, each without the title before its name
        ("Cuban Foreign Minister | Bruno Rodriguez Parrilla"). A run that holds an
        organization or agreement word is kept whole ("U.N. General Assembly")."""
        out: list[tuple[int, int]] = []
        for first, last in self.runs:
            if self.in_headline(self.tokens[first].start):
                continue
            words = {t.lower for t in self.tokens[first : last + 1]}
            if not words & (ORGANIZATION_WORDS | AGREEMENT_WORDS):
                titled = [i for i in range(first, last + 1) if i in self.title_tokens]
                if titled:
                    first = titled[-1] + 1
            if first <= last:
                out.append((first, last))
        return out

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.tokens[first].start, self.tokens[last].end


# -- linking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Surface:
    form: str  # as the entity gives it
    key: str  # folded, casefolded
    capitals: tuple[int, ...]  # positions (in the folded form) that must be capitals


# Kinds whose names are labels in sentence case rather than proper names.
SENTENCE_CASE_KINDS = frozenset({Kind.ISSUE, Kind.EVENT, Kind.TERM})
# Kinds whose names describe rather than name: a label may contain names, and those are
# linked too ("the arrest of Alan Gross" mentions the event and the person).
LABEL_KINDS = frozenset({Kind.ISSUE, Kind.EVENT, Kind.TERM, Kind.MEETING})


def _surface(form: str, sentence_case: bool = False) -> _Surface | None:
    text, _ = fold(form.strip())
    if not text:
        return None
    capitals = [i for i, c in enumerate(text) if c.isupper()]
    if sentence_case and capitals[:1] == [0] and text[1:2].islower():
        capitals.pop(0)  # "Direct mail service" is a label: "direct mail service" matches
    return _Surface(form, lower_aligned(text), tuple(capitals))


def _name_words(form: str) -> list[str]:
    """A person's name as comparable words: titles, initials and possessives dropped."""
    words = [t for t in tokenize(form) if not t.initial]
    while words and (words[0].lower in TITLE_HEADS or words[0].lower in TITLE_MODIFIERS):
        words.pop(0)
    return [folded(t.text) for t in words]


class _Linker:
    def __init__(self, text: str, entities: Sequence[Named]) -> None:
        self.t = _Text(text)
        self.folded, self.index = fold(text)
        self.lowered = lower_aligned(self.folded)
        self.entities = {e.id: e for e in entities}
        self.surfaces: dict[str, list[tuple[_Surface, str, Method]]] = defaultdict(list)
        for entity in entities:
            forms = [(entity.name, Method.NAME)] + [(a, Method.ALIAS) for a in entity.aliases]
            for form, method in forms:
                surface = _surface(form, entity.kind in SENTENCE_CASE_KINDS)
                if surface is not None:
                    self.surfaces[surface.key].append((surface, entity.id, method))
        self.mentions: list[Mention] = []
        self.ambiguities: list[Ambiguity] = []

    def _is_label(self, entity_id: str) -> bool:
        return self.entities[entity_id].kind in LABEL_KINDS

    def taken(self, start: int, end: int) -> bool:
        """Whether a name, or an ambiguity, already covers part of [start, end)."""
        return any(
            m.start < end and start < m.end and not self._is_label(m.entity_id)
            for m in self.mentions
        ) or any(a.start < end and start < a.end for a in self.ambiguities)

    def _title_of(self, start: int) -> str | None:
        inside = self.t.tokens_in(start, start + 1)
        if not inside or inside[0].start != start:
            return None
        title = self.t.title_before(inside[0].index)
        if title is None:
            return None
        return self.t.text[self.t.tokens[title[0]].start : self.t.tokens[title[1]].end]

    def exact(self) -> None:
        found: list[tuple[int, int, str]] = []  # (start, end, key) in original offsets
        text = self.lowered
        for key, forms in self.surfaces.items():
            position = text.find(key)
            while position >= 0:
                end = position + len(key)
                before_ok = position == 0 or not text[position - 1].isalnum()
                after_ok = end == len(text) or not text[end].isalnum()
                capitals_ok = any(
                    all(self.folded[position + i].isupper() for i in surface.capitals)
                    for surface, _, _ in forms
                )
                if before_ok and after_ok and capitals_ok:
                    start, stop = self.index[position], self.index[end - 1] + 1
                    if not self.t.embedded(start, stop):
                        found.append((start, stop, key))
                position = text.find(key, position + 1)
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        last_end = {True: -1, False: -1}  # per tier: labels, names
        for start, end, key in found:
            forms = self.surfaces[key]
            ids = sorted({entity_id for _, entity_id, _ in forms})
            label = all(self._is_label(i) for i in ids)
            if start < last_end[label]:
                continue
            last_end[label] = end
            written = self.t.text[start:end]
            if len(ids) > 1:
                self.ambiguities.append(
                    Ambiguity(
                        start,
                        end,
                        written,
                        tuple(ids),
                        "the same name or alias is given for several entities",
                    )
                )
                continue
            # Prefer reporting the entity's name over an alias when both fold the same.
            surface, entity_id, method = min(forms, key=lambda f: f[2] != Method.NAME)
            self.mentions.append(
                Mention(
                    entity_id,
                    start,
                    end,
                    written,
                    surface.form,
                    method,
                    title=self._title_of(start),
                )
            )

    def _persons(self) -> list[tuple[str, str, list[str]]]:
        """(entity id, form, comparable words) for every person's name and alias."""
        out: list[tuple[str, str, list[str]]] = []
        for entity in self.entities.values():
            if entity.kind != Kind.PERSON:
                continue
            for form in [entity.name, *entity.aliases]:
                words = _name_words(form)
                if words:
                    out.append((entity.id, form, words))
        return out

    def _run_words(self, first: int, last: int) -> list[str]:
        return [
            folded(t.text)
            for t in self.t.tokens[first : last + 1]
            if not t.initial and t.lower not in NAME_PARTICLES
        ]

    def variants(self) -> None:
        persons = self._persons()
        for first, last in self.t.name_runs():
            start, end = self.t.span(first, last)
            words = self._run_words(first, last)
            if len(words) < 2 or self.taken(start, end):
                continue
            best: dict[str, tuple[float, str]] = {}
            for entity_id, form, known in persons:
                known_words = [w for w in known if w not in NAME_PARTICLES]
                shapes = [known_words]
                if len(known_words) >= 3:
                    shapes.append(known_words[:-1])  # "Dagoberto Rodriguez" (Barrera)
                for shape in shapes:
                    if len(shape) != len(words):
                        continue
                    if any(a[0] != b[0] for a, b in zip(words, shape, strict=True)):
                        continue
                    score = float(fuzz.ratio(" ".join(words), " ".join(shape)))
                    if score >= FUZZY_THRESHOLD and score > best.get(entity_id, (0.0, ""))[0]:
                        best[entity_id] = (score, form)
            if not best:
                continue
            written = self.t.text[start:end]
            if len(best) > 1:
                self.ambiguities.append(
                    Ambiguity(
                        start,
                        end,
                        written,
                        tuple(sorted(best)),
                        "a spelling variant of several people's names",
                    )
                )
                continue
            ((entity_id, (score, form)),) = best.items()
            self.mentions.append(
                Mention(
                    entity_id,
                    start,
                    end,
                    written,
                    form,
                    Method.VARIANT,
                    round(score, 1),
                    self._title_of(start),
                )
            )

    def _surname_keys(self, entity: Named) -> dict[str, str]:
        """A person's surnames as comparable words -> the name or alias giving them:
        the last word, and for three-part names (Spanish: two surnames) the two last
        and the second to last ("Rodriguez Barrera", "Rodriguez")."""
        keys: dict[str, str] = {}
        for form in [entity.name, *entity.aliases]:
            name = [w for w in _name_words(form) if w not in NAME_PARTICLES]
            if len(name) < 2:
                continue
            keys.setdefault(name[-1], form)
            if len(name) >= 3:
                keys.setdefault(name[-2], form)
                keys.setdefault(" ".join(name[-2:]), form)
        return keys

    def surnames(self) -> None:
        # Every person linked so far: surname -> {entity id: (form, first offset)}.
        people: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
        for mention in self.mentions:
            entity = self.entities.get(mention.entity_id)
            if entity is None or entity.kind != Kind.PERSON:
                continue
            for key, form in self._surname_keys(entity).items():
                known = people[key].get(entity.id)
                if known is None or mention.start < known[1]:
                    people[key][entity.id] = (form, mention.start)
        runs = self.t.name_runs()
        # The words of every other unlinked multi-word name: perhaps people not in the graph.
        unknown_words: set[str] = set()
        for first, last in runs:
            start, end = self.t.span(first, last)
            words = self._run_words(first, last)
            if len(words) > 1 and " ".join(words) not in people and not self.taken(start, end):
                unknown_words.update(words)
        for first, last in runs:
            start, end = self.t.span(first, last)
            words = self._run_words(first, last)
            if not words or len(words) > 2 or self.taken(start, end):
                continue
            sharing = people.get(" ".join(words), {})
            earlier = {i: form for i, (form, offset) in sharing.items() if offset < start}
            if not earlier:
                continue
            written = self.t.text[start:end]
            if len(sharing) > 1 or set(words) & unknown_words:
                reason = "several people" if len(sharing) > 1 else "a person not in the graph"
                self.ambiguities.append(
                    Ambiguity(start, end, written, tuple(sorted(sharing)),
                              f"a surname shared by {reason}")
                )  # fmt: skip
                continue
            ((entity_id, form),) = earlier.items()
            self.mentions.append(
                Mention(entity_id, start, end, written, form, Method.SURNAME,
                        title=self._title_of(start))
            )  # fmt: skip


def find_mentions(text: str, entities: Sequence[Named]) -> tuple[list[Mention], list[Ambiguity]]:
    """Every mention of a known entity in `text`, and what was too ambiguous to link.

    Sorted by offset. Mentions of names never overlap one another, nor do those of
    labels; a label's mention may contain mentions of names.
    """
    linker = _Linker(text, entities)
    linker.exact()
    linker.variants()
    linker.surnames()
    return (
        sorted(linker.mentions, key=lambda m: m.start),
        sorted(linker.ambiguities, key=lambda a: a.start),
    )


# -- candidates --------------------------------------------------------------------------


def _slug(name: str) -> str:
    return slugify(name)[:100].strip("-")


_YEAR = re.compile(r"(?:1[89]|20)\d\d")


class _Candidates:
    def __init__(
        self, doc: Document, t: _Text, taken: Sequence[tuple[int, int]], known_ids: Iterable[str]
    ) -> None:
        self.doc = doc
        self.t = t
        self.taken = list(taken)
        self.known_ids = set(known_ids)
        self.found: dict[str, Candidate] = {}

    def free(self, start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in self.taken)

    def add(self, candidate: Candidate, start: int, end: int) -> None:
        if not candidate.id or candidate.id in self.known_ids or not self.free(start, end):
            return
        self.taken.append((start, end))
        existing = self.found.setdefault(candidate.id, candidate)
        text = self.t.text
        existing.occurrences.append(
            Occurrence(start, end, text[start:end], sentence_at(text, self.t.sentences, start))
        )

    def names(self) -> None:
        """Titled people, organizations, agreements and places among the proper names."""
        t = self.t
        tokens = t.tokens
        for first, last in t.name_runs():
            start, end = t.span(first, last)
            if not self.free(start, end):
                continue
            name = t.text[start:end]
            words = {tok.lower for tok in tokens[first : last + 1]}
            title = t.title_before(first)
            title_text = (
                t.text[tokens[title[0]].start : tokens[title[1]].end]
                if title is not None
                else self._appositive_title(last)
            )
            if tokens[last].lower in AGREEMENT_WORDS:
                # "the 1994 U.S.-Cuba Migration Accords": a year just before belongs to it.
                before = tokens[first - 1] if first > 0 else None
                if before and _YEAR.fullmatch(before.text) and t.gap(before, tokens[first]) == " ":
                    start = before.start
                    name = t.text[start:end]
                self.add(
                    Candidate(_slug(name), Kind.AGREEMENT, name, "an agreement named in the text"),
                    start,
                    end,
                )
            elif words & ORGANIZATION_WORDS:
                if last > first:
                    self.add(
                        Candidate(
                            _slug(name),
                            Kind.ORGANIZATION,
                            name,
                            "an organization named in the text",
                        ),
                        start,
                        end,
                    )
            elif title_text is not None:
                if last - first < 5:
                    self.add(
                        Candidate(
                            _slug(name),
                            Kind.PERSON,
                            name,
                            "a titled person who is not in the graph",
                            description=title_text,
                            title=title_text,
                        ),
                        start,
                        end,
                    )
            elif (
                first > 0
                and tokens[first - 1].lower in ("in", "to", "from", "near")
                and t.gap(tokens[first - 1], tokens[first]) == " "
                and last - first < 3
                # "to Cubans", "from Americans": people, not places
                and not (first == last and re.search(r"(?:ans|ese)$", tokens[first].text))
            ):
                self.add(
                    Candidate(
                        _slug(name),
                        Kind.PLACE,
                        name,
                        "a proper name after 'in', 'to' or 'from'; probably a place",
                    ),
                    start,
                    end,
                )

    def _appositive_title(self, last: int) -> str | None:
        """', Assistant Secretary of State' just after a name."""
        t = self.t
        tokens = t.tokens
        nxt = last + 1
        if nxt >= len(tokens) or t.gap(tokens[last], tokens[nxt]).strip() != ",":
            return None
        run = t.title_tokens.get(nxt)
        if run is None or run[0] != nxt:
            return None
        return t.text[tokens[run[0]].start : tokens[run[1]].end]

    _QUANTITY = re.compile(
        r"(?<![\w.,$])(?P<dollar>\$)?(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
        r"(?:\s+(?P<scale>hundred|thousand|million|billion))?(?P<rest>(?:\s+[a-z][\w-]*){1,3})"
    )
    _SCALES: ClassVar[dict[str, int]] = {
        "hundred": 100,
        "thousand": 1_000,
        "million": 1_000_000,
        "billion": 1_000_000_000,
    }

    def quantities(self) -> None:
        """'20,000 travel documents', '$5 million in aid' (counts under ten are left out)."""
        text = self.t.text
        for match in self._QUANTITY.finditer(text):
            if self.t.in_headline(match.start()):
                continue
            number_text = match["number"]
            if _YEAR.fullmatch(number_text):
                continue
            value = float(number_text.replace(",", ""))
            if match["scale"]:
                value *= self._SCALES[match["scale"]]
            if value < 10 and not match["dollar"] and not match["scale"]:
                continue  # "the 2 countries": a count, not a term
            words: list[re.Match[str]] = []
            for word in re.finditer(r"\S+", match["rest"]):
                # "422 migrants | intercepted at sea", "20,000 documents | to be issued"
                if word.group() in QUANTITY_STOP or (
                    len(word.group()) > 4 and word.group().endswith("ed")
                ):
                    break
                words.append(word)
            if not words:
                continue
            start = match.start()
            end = match.start("rest") + words[-1].end()
            name = text[start:end]
            unit = " ".join(w.group() for w in words)
            quantity: int | float = int(value) if value.is_integer() else value
            self.add(
                Candidate(
                    _slug(name),
                    Kind.TERM,
                    name,
                    "a quantity",
                    properties={"quantity": quantity, "unit": unit},
                ),
                start,
                end,
            )

    def _date_spans(self) -> list[tuple[int, int]]:
        months = _MONTH_NAMES
        numbers = "|".join(NUMBER_WORDS)
        patterns = [
            rf"\b(?P<d>(?:{months})\s+\d{{1,2}},?\s+\d{{4}})\b",
            rf"\b(?P<d>\d{{1,2}}\s+(?:{months})\s+\d{{4}})\b",
            rf"\b(?P<d>(?:{months})\s+(?:of\s+)?\d{{4}})\b",
            rf"\b(?P<d>(?:\d+|{numbers})\s+(?:years?|months?)\s+ago)\b",
            rf"\b(?P<d>(?:last|this|next)\s+(?:year|month|spring|summer|fall|autumn|{months}))\b",
            rf"\b(?:in|since|until|by|from)\s+(?P<d>{months})\b",
            r"(?<![\d,.$-])\b(?P<d>(?:1[89]|20)\d\d)\b(?![\d,]|-\d)",
        ]
        spans: list[tuple[int, int]] = []
        for pattern in patterns:
            for match in re.finditer(pattern, self.t.text, re.IGNORECASE):
                start, end = match.span("d")
                words = match["d"].lower().split()
                month_words = [w for w in words if w in MONTHS]
                if month_words and not any(
                    w[0].isupper() for w in match["d"].split() if w.lower() in MONTHS
                ):
                    continue  # "may" the verb, "march" the noun
                spans.append((start, end))
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        chosen: list[tuple[int, int]] = []
        for start, end in spans:
            if not chosen or start >= chosen[-1][1]:
                chosen.append((start, end))
        return chosen

    def dates(self) -> None:
        """Dates as provisional events, named after the clause they stand in."""
        text = self.t.text
        for start, end in self._date_spans():
            if self.t.in_headline(start) or not self.free(start, end):
                continue
            expression = text[start:end]
            value, basis = self._resolve(expression)
            name = self._clause(start, end) or expression
            reason = "a date: say what happened then, and name the event"
            if value is None:
                reason += "; resolving it needs the document's date (ingest --date)"
            candidate = Candidate(
                _slug(name),
                Kind.EVENT,
                name,
                reason,
                date=FuzzyDate(value=value, basis=basis) if value else None,
                date_text=expression,
            )
            self.add(candidate, start, end)

    def _resolve(self, expression: str) -> tuple[str | None, str | None]:
        """An expression as a date value, with the basis when it was relative."""
        absolute = parse_date_text(re.sub(r"\bof\s+", "", expression, flags=re.IGNORECASE))
        if absolute is not None:
            return absolute.value, None
        doc_date = self.doc.date
        if doc_date is None:
            return None, None
        words = expression.lower().split()
        year, month = doc_date.start.year, doc_date.start.month
        has_month = doc_date.precision != Precision.YEAR
        basis = f"{expression!r}, counted from the document's date {doc_date.value}"
        step = {"last": -1, "this": 0, "next": 1}.get(words[0], 0)
        if words[-1] == "ago":
            count = int(words[0]) if words[0].isdigit() else NUMBER_WORDS.get(words[0])
            if count is None:
                return None, None
            if words[1].startswith("year"):
                return str(year - count), basis
            return (_month_value(year, month, -count), basis) if has_month else (None, None)
        if words[-1] == "year":
            return str(year + step), basis
        if not has_month:
            return None, None
        if words[-1] == "month":
            return _month_value(year, month, step), basis
        if words[-1] in SEASON_END_MONTH:
            end_month = SEASON_END_MONTH[words[-1]]
            past = year if month > end_month else year - 1
            return str({"last": past, "this": year, "next": past + 1}[words[0]]), basis
        named = MONTHS.get(words[-1])
        if named is None:
            return None, None
        if step == 1:
            return f"{year if named > month else year + 1:04d}-{named:02d}", basis
        return f"{year if named <= month else year - 1:04d}-{named:02d}", basis

    def _clause(self, start: int, end: int) -> str:
        """The clause a date stands in, as a provisional event name (at most 12 words)."""
        text = self.t.text
        s_start, s_end = next(
            ((s, e) for s, e in self.t.sentences if s <= start < e), (0, len(text))
        )
        left = max(text.rfind(mark, s_start, start) for mark in ",;:")
        rights = [i for i in (text.find(mark, end, s_end) for mark in ",;:") if i >= 0]
        c_start = left + 1 if left >= s_start else s_start
        c_end = min(rights) if rights else s_end
        before = text[c_start:start].split()[-8:]
        # "as he has since the talks resumed in July 2009" -> "Talks resumed in July 2009"
        while before and before[0].lower() in CLAUSE_LEAD_WORDS:
            before.pop(0)
        after = text[end:c_end].rstrip(".!? ").split()[: max(0, 11 - len(before))]
        name = " ".join([*before, text[start:end], *after]).strip(" ,;:")
        return name[:1].upper() + name[1:]


def _month_value(year: int, month: int, offset: int) -> str:
    total = year * 12 + (month - 1) + offset
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def find_candidates(
    doc: Document,
    mentions: Sequence[Mention],
    ambiguities: Sequence[Ambiguity] = (),
    known_ids: Iterable[str] = (),
) -> list[Candidate]:
    """What the text names that no mention covers, as candidates for the analyst."""
    taken = [(m.start, m.end) for m in mentions] + [(a.start, a.end) for a in ambiguities]
    finder = _Candidates(doc, _Text(doc.text), taken, known_ids)
    finder.names()
    finder.quantities()
    finder.dates()
    return sorted(finder.found.values(), key=lambda c: c.occurrences[0].start)


def analyse(doc: Document, entities: Sequence[Named]) -> Analysis:
    """Link a document's mentions of `entities` and collect candidates for the rest."""
    mentions, ambiguities = find_mentions(doc.text, entities)
    candidates = find_candidates(doc, mentions, ambiguities, (e.id for e in entities))
    return Analysis(doc, mentions, ambiguities, candidates)


# -- the review file ---------------------------------------------------------------------

REVIEW_HEADER = """\
# Review: what `diplograph ingest` found in {file} but could not link.
# Document {id}: {mentions} mention(s) of known entities were linked.
#
# Each entry under `entities:` is a candidate in the shape of data/knowledge/*.yaml. To
# keep one: check its kind, id and name, copy it into a knowledge file, and delete its
# `review:` block (where and why it was found; not part of the knowledge model).
# `ambiguous:` lists text that could name several entities and was left unlinked.
"""


def _occurrence_row(occurrence: Occurrence) -> dict[str, Any]:
    return {"start": occurrence.start, "end": occurrence.end, "text": occurrence.text}


def review_data(analysis: Analysis) -> dict[str, Any]:
    """The review file's content: the document, candidates and ambiguities."""
    doc = analysis.document
    entities: list[dict[str, Any]] = []
    for candidate in analysis.candidates:
        row: dict[str, Any] = {
            "id": candidate.id,
            "kind": candidate.kind.value,
            "name": candidate.name,
        }
        if candidate.description:
            row["description"] = candidate.description
        if candidate.date is not None:
            row["date"] = candidate.date.model_dump(exclude_none=True)
        if candidate.properties:
            row["properties"] = dict(candidate.properties)
        quotes = list(dict.fromkeys(o.quote for o in candidate.occurrences))
        row["sources"] = [{"document": doc.id, "quote": quote} for quote in quotes]
        review: dict[str, Any] = {"reason": candidate.reason}
        if candidate.title:
            review["title"] = candidate.title
        if candidate.date_text:
            review["date_text"] = candidate.date_text
        review["mentions"] = [_occurrence_row(o) for o in candidate.occurrences]
        row["review"] = review
        entities.append(row)
    sentences = sentence_spans(doc.text)
    ambiguous = [
        {
            "text": a.text,
            "start": a.start,
            "end": a.end,
            "entities": list(a.entity_ids),
            "reason": a.reason,
            "quote": sentence_at(doc.text, sentences, a.start),
        }
        for a in analysis.ambiguities
    ]
    header: dict[str, Any] = {"id": doc.id, "title": doc.title}
    for optional in ("file", "url"):
        if getattr(doc, optional):
            header[optional] = getattr(doc, optional)
    if doc.date is not None:
        header["date"] = doc.date.value
    header["mentions"] = len(analysis.mentions)
    return {"document": header, "entities": entities, "ambiguous": ambiguous}


def review_path(doc: Document, review: Path | None = None, *, many: bool = False) -> Path:
    """Where a document's review file goes: `review` itself for one document (unless it is
    a folder), `<review or data/review>/<document-id>.yaml` otherwise."""
    if (
        review is not None
        and not many
        and not review.is_dir()
        and review.suffix in (".yaml", ".yml")
    ):
        return review
    return (review or REVIEW_DIR) / f"{doc.id}.yaml"


def write_review(path: Path, analysis: Analysis) -> Path:
    """Write the review YAML for one analysed document; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = REVIEW_HEADER.format(
        file=analysis.document.file or analysis.document.id,
        id=analysis.document.id,
        mentions=len(analysis.mentions),
    )
    body = yaml.safe_dump(review_data(analysis), sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")
    return path
