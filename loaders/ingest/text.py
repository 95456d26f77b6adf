"""Text machinery for documents: folding for comparison, tokens, sentences, and the
proper-name runs and titles `linking` and `candidates` work on; offsets always index the
text as stored."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from loaders.ingest.spans import Spans
from loaders.names import (
    COUNTRY_NAMES,
    MONTHS,
    PARTICLES,
    TITLE_COMPLEMENTS,
    TITLE_HEADS,
    TITLE_MODIFIERS,
    words,
)


def _words_in_order(text: str) -> list[str]:
    return text.split()


ORGANIZATION_WORDS = words(
    """ministry department embassy section office agency council commission committee
    administration government service services bureau guard navy army party congress
    parliament assembly senate court union nations organization organisation bank fund
    institute foundation church company corporation association mission alliance
    initiative community system university secretariat authority forum force forces
    board corps airlines airways college centre center group chamber academy school league
    federation movement coalition"""
)
# The head words of a geographic name: a run holding one is a place wherever it stands
# ("the Senkaku Islands", "Camp Aguinaldo", "Ho Chi Minh City", "the Mekong Delta").
PLACE_WORDS = words(
    """island islands archipelago peninsula delta river lake sea gulf bay strait straits
    coast valley mountains mountain province region city camp fort base"""
)
# What ministries and treaties are "of": the words an "and" may add to such a name
# ("Ministry of Trade and Industry", "Treaty of Friendship and Cooperation", "Department of
# Foreign Affairs and Trade"); never a country or a people.
FIELD_WORDS = words(
    """trade energy oceans justice defense defence finance economy education health labor
    labour science commerce interior immigration citizenship emigration worship
    cooperation friendship commerce navigation industry industries mines mining
    technology tourism culture sports youth investment fisheries agriculture fishing
    transport communications infrastructure works housing water environment forests
    amity peace security reconciliation integration development welfare planning forestry"""
)
AGREEMENT_WORDS = words(
    """accord accords agreement agreements treaty convention protocol pact memorandum
    partnership plan declaration charter"""
)
# Capitalised words that do not continue a proper name (title case, sentence starts).
FUNCTION_WORDS = words(
    """a an and as at but by for from in into of on or the to with its our their his her this
    that these those it we they he she i after before since while when if during"""
)
WEEKDAYS = words("monday tuesday wednesday thursday friday saturday sunday")
# Days named by their distance from the document's own date: never part of a name.
DAYS_FROM_DOCUMENT = {"yesterday": -1, "today": 0, "tomorrow": 1}
ABBREVIATIONS = words(
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
SEASON_END_MONTH = {"spring": 5, "summer": 8, "fall": 11, "autumn": 11}

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
        # Letters with a stroke, which Unicode does not decompose: "Łask" is "Lask"
        # (Polish, Danish and Norwegian, Croatian and Vietnamese names; Turkish dotless i).
        "\u0141": "L",
        "\u0142": "l",
        "\u00d8": "O",
        "\u00f8": "o",
        "\u0110": "D",
        "\u0111": "d",
        "\u0131": "i",
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


# A family name joined to its particle, written in lower case: "al-Sisi", "bin-Zayed".
_PARTICLE_JOINED = re.compile(r"(?:al|el|ad|ar|as|ash|at|az|bin|ibn|abu|bint)-[A-Z]")
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
            # The word before the period, read backwards from it: searching the sentence
            # so far each time was quadratic in a long run of abbreviations.
            word_start = end = match.start()
            while word_start > start and not text[word_start - 1].isspace():
                word_start -= 1
            word = text[word_start:end].rstrip(".").lower()
            if word in ABBREVIATIONS or "." in word or len(word) == 1:
                continue
            spans.append((start, match.start()))
            start = match.end()
        if start < p_end:
            spans.append((start, p_end))
    return spans


def sentence_at(text: str, sentences: Sequence[tuple[int, int]], offset: int) -> str:
    """The sentence holding `offset` (`sentences` in order, apart: only the last one that
    starts at or before it can), or the whole text."""
    index = bisect_right(sentences, (offset, len(text) + 1)) - 1
    if index >= 0 and sentences[index][0] <= offset < sentences[index][1]:
        start, end = sentences[index]
        return text[start:end].strip()
    return text.strip()


def is_title_case(text: str) -> bool:
    """A headline in title case: every word of four letters or more is capitalised."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) >= 4]
    return bool(words) and all(w[0].isupper() for w in words) and len(words) <= 20


def _byline(paragraph: str) -> bool:
    """A title-case line that names someone with a title ("Anna Berg, Deputy Minister of
    Trade"; "Ambassador Anna Berg"): read as text, not skipped as a headline. A headline
    with a comma ("After the Long Years, Berg Resets Ties") names nobody before it."""
    name = re.fullmatch(r"(?:By\s+)?[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*){1,3}", paragraph.split(",")[0])
    return ("," in paragraph and name is not None) or bool(
        {w.lower() for w in re.findall(r"[\w.]+", paragraph)} & TITLE_HEADS
    )


def _name_over_title(text: str, paragraphs: Sequence[tuple[int, int]], n: int) -> bool:
    """A byline on two lines: paragraph n only a name of two to four capitalised words,
    the next a short title line ("Anna Berg" over "Deputy Minister of Trade")."""
    start, end = paragraphs[n]
    words = text[start:end].split()
    if not 2 <= len(words) <= 4 or not all(re.fullmatch(r"[A-Z][\w.'-]*", w) for w in words):
        return False
    if n + 1 >= len(paragraphs):
        return False
    line = text[slice(*paragraphs[n + 1])]
    # "Secretary of State", "Department Spokesperson, Office of the Spokesperson"
    head = [w.lower().strip(",") for w in line.split()[:3]]
    return (
        len(line.split()) <= 12
        and not line.rstrip().endswith(".")
        and ((head[:1] and head[0] in TITLE_MODIFIERS) or bool(set(head) & TITLE_HEADS))
    )


# Nationality and language adjectives: never a place ("in Spanish", "to Norwegian
# officials"). A generic vocabulary, not a list of any one text's words.
DEMONYMS = words(
    """american americans british english french german germans spanish portuguese italian
    russian russians chinese japanese korean vietnamese thai filipino indonesian malaysian
    indian pakistani afghan iranian iraqi syrian israeli palestinian lebanese jordanian
    saudi egyptian libyan turkish greek polish ukrainian swedish norwegian danish finnish
    dutch belgian swiss austrian irish scottish welsh canadian mexican cuban cubans
    venezuelan colombian colombians brazilian argentine argentinian chilean peruvian
    bolivian ecuadorian uruguayan paraguayan haitian dominican jamaican nicaraguan
    honduran guatemalan salvadoran panamanian costa rican african nigerian kenyan
    ethiopian south sudanese somali australian european asian latin arab arabic hispanic
    catalan basque"""
)
# Nouns that name what happened at a date: an event is proposed only around one of them.
EVENT_NOUNS = words(
    """arrest detention release election elections inauguration visit signing ceasefire
    cease-fire attack attacks coup invasion referendum summit funeral death assassination
    earthquake hurricane bombing withdrawal opening reopening closure announcement launch
    resumption suspension expulsion ratification"""
)
# What happens rather than is held or attended: a date next to one of these is its date,
# never a meeting's ("discussed the elections of October 10").
HAPPENINGS = words(
    """election elections vote runoff referendum earthquake hurricane typhoon cyclone flood
    floods attack attacks bombing bombings killing killings death assassination coup invasion
    arrest detention ceasefire cease-fire withdrawal expulsion"""
)
# Verbs and nouns of a meeting: a dated sentence holding one proposes a Meeting.
MEETING_WORDS = words(
    """met meet meets meeting meetings talks talked consultations hosted host hosts convened
    convene gathered negotiations round dialogue summit received welcomed visit visits
    visited traveled travelled trip briefed plenary ministerial"""
)

# Title words an envoy's "to <country or body>" follows.
_ENVOYS = words("ambassador ambassadors envoy representative delegate observer emissary")
# Words that close the field of an office after "for"/"of": "for Consular Affairs".
_FIELD_ENDS = words("affairs issues")
# Before an office's name: "U.S. Trade Representative".
_QUALIFIERS_BEFORE = words("u.s. us")
# The body an office is named after, in front of its title word: "Department Spokesperson",
# "Cabinet Secretary", "Foreign Ministry Spokesperson". Words of the office, kept in it.
_OFFICE_BODIES = ORGANIZATION_WORDS | words("cabinet")
# What a body's members are: "... of Latin American and Caribbean States".
# Posts and missions named after where they are: "U.S. Embassy in Lima", "United Nations
# Mission in Liberia", "U.S. Interests Section in Havana".
_POSTS_IN = words("mission embassy section")
_GROUP_NOUNS = words("states nations countries republics peoples")
# Titles that are also common family names: "Julie Bishop", "Angus King".
_SURNAME_TITLES = words("bishop king judge chancellor marshal")
# Title words that are also a middle part of some names: "Hassan Sheikh Mohamud".
_NAME_PART_TITLES = words("sheikh shaikh")
# Title words an adviser's "to <whom>" follows: "Senior Advisor to the Secretary".
_ADVISERS = words("advisor adviser advisors advisers")


class TextIndex:
    """A document's text with its tokens, proper-name runs, titles and sentences."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.starts = [t.start for t in self.tokens]
        self.sentences = sentence_spans(text)
        paragraphs = paragraph_spans(text)
        self.headlines = Spans(
            (s, e)
            for n, (s, e) in enumerate(paragraphs)
            if is_title_case(text[s:e])
            and (n == 0 or not (_byline(text[s:e]) or _name_over_title(text, paragraphs, n)))
        )
        self.title_tokens = self._titles()
        self.runs = self._runs()
        # Runs with organizations' "of" complements joined ("Ministry of Foreign Affairs of
        # Peru"): names for candidates; the plain runs decide what is embedded, so "Peru"
        # there is still a mention of Peru.
        self.long_runs = self._runs(join_of=True)
        self.run_by_token = {i: run for run in self.runs for i in range(run[0], run[1] + 1)}

    def gap(self, left: Token, right: Token) -> str:
        return self.text[left.end : right.start]

    def in_headline(self, offset: int) -> bool:
        return self.headlines.contains(offset)

    @staticmethod
    def _is_title_word(token: Token) -> bool:
        return token.capitalised and (token.lower in TITLE_HEADS or token.lower in TITLE_MODIFIERS)

    def _surname_at(self, i: int) -> bool:
        """A title word that is a family name here ("Julie Bishop", "Foreign Minister
        Bishop", "Senator King said"): one of the titles that are also common surnames,
        after a given name or a title, with no further name after it."""
        tokens = self.tokens
        if tokens[i].lower not in _SURNAME_TITLES or i == 0:
            return False
        before = tokens[i - 1]
        if self.gap(before, tokens[i]) != " " or before.possessive or not before.capitalised:
            return False
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and self.gap(tokens[i], nxt) in (" ", "-") and nxt.capitalised:
            return False  # "Bishop Desmond Tutu", "King Abdullah": the title of a name
        if before.lower in TITLE_HEADS:
            return True
        return not (
            self._is_title_word(before)
            or before.lower in FUNCTION_WORDS | TITLE_COMPLEMENTS | ORGANIZATION_WORDS | DEMONYMS
            or before.lower in COUNTRY_NAMES
        )

    def _inside_a_name(self, i: int) -> bool:
        """ "Sheikh" between two words of a name ("President Ali Sheikh Omar"): a part of
        the name, as Somali names have it, not the title of the words after it."""
        tokens = self.tokens
        if tokens[i].lower not in _NAME_PART_TITLES or not 1 < i < len(tokens) - 1:
            return False
        before, after = tokens[i - 1], tokens[i + 1]
        # a word of the name or its title before the given name: not a sentence's start
        return (
            tokens[i - 2].capitalised and self.gap(tokens[i - 2], before) == " "
            and self.gap(before, tokens[i]) == " " == self.gap(tokens[i], after)
            and before.capitalised and after.capitalised and not before.possessive
            and not self._is_title_word(before) and not self._is_title_word(after)
            and before.lower not in FUNCTION_WORDS | TITLE_COMPLEMENTS | ORGANIZATION_WORDS
            and before.lower not in DEMONYMS and before.lower not in COUNTRY_NAMES
        )  # fmt: skip

    def _closed(self, index: int, by_lower_case: bool = False) -> bool:
        """Whether a phrase ending before token `index` is closed there: by punctuation, the
        text's end or the next title word ("... Ambassador"); `by_lower_case`, by a word in
        lower case too (after "to": "Ambassador to South Africa said")."""
        tokens = self.tokens
        return (
            index >= len(tokens)
            or self.gap(tokens[index - 1], tokens[index]) != " "
            or (by_lower_case and not tokens[index].capitalised)
            or self._is_title_word(tokens[index])
        )

    def _after_preposition(self, j: int, prepositions: tuple[str, ...]) -> int | None:
        """After title token j, one of `prepositions` and an optional "the": the index of
        the word that follows them, or None."""
        tokens = self.tokens
        k = j + 1
        if k >= len(tokens) or tokens[k].lower not in prepositions:
            return None
        if tokens[j].possessive or self.gap(tokens[j], tokens[k]) != " ":
            return None
        k += 1
        if k < len(tokens) and tokens[k].lower == "the":
            k += 1
        return k

    def _to_complement(self, j: int) -> int | None:
        """After an envoy's title word: 'to Kenya', 'to the Organization of American
        States'. Closed by punctuation or a word in lower case it is taken whole; followed
        directly by a name ("Ambassador to Kenya Peter Quill") the last two words are left
        to the name."""
        tokens = self.tokens
        if tokens[j].lower not in _ENVOYS:
            return None
        k = self._after_preposition(j, ("to",))
        if k is None:
            return None
        words: list[int] = []
        end = k
        while end < len(tokens) and self.gap(tokens[end - 1], tokens[end]) in (" ", "-"):
            if tokens[end].capitalised and not self._is_title_word(tokens[end]):
                words.append(end)
            elif not (tokens[end].lower in ("of", "for", "and") and words):
                break
            elif tokens[end].lower == "and" and len(words) >= 3:
                break  # "to Kenya Peter Quill and ...": a name came, the "and" is not its
            end += 1
        if not words:
            return None
        named = [w for w in words if not tokens[w].initial]
        # "to the United States Pham Quang Vinh": a country's name ends the complement.
        for size in (3, 2, 1):
            if len(named) > size + 1 and named[size - 1] == named[0] + size - 1:
                country = " ".join(tokens[w].lower for w in named[:size])
                if country in COUNTRY_NAMES:
                    return named[size - 1]
        # Two words left for a name need a capitalised word, not "of", just before them.
        if len(named) >= 3 and named[-3] == named[-2] - 1 - sum(
            tokens[w].initial for w in range(named[-3] + 1, named[-2])
        ):
            return named[-3]
        return words[-1] if self._closed(words[-1] + 1, by_lower_case=True) else None

    def _adviser_to(self, j: int) -> int | None:
        """After an adviser's title word, "to" and the office advised: "Senior Advisor to the
        Secretary", "Adviser to the Prime Minister"; the index of the office's last word."""
        tokens = self.tokens
        if tokens[j].lower not in _ADVISERS:
            return None
        k = self._after_preposition(j, ("to",))
        if k is None or k >= len(tokens) or not self._is_title_word(tokens[k]):
            return None
        last = k
        while (
            last + 1 < len(tokens)
            and self._is_title_word(tokens[last + 1])
            and self.gap(tokens[last], tokens[last + 1]) in (" ", "-")
        ):
            last += 1
        return self._complements(last) or last

    def country_at(self, i: int) -> int | None:
        """The last token of a country's name of one to three words starting at token i."""
        tokens = self.tokens
        for size in (3, 2, 1):
            last = i + size - 1
            if last >= len(tokens) or not all(t.capitalised for t in tokens[i : last + 1]):
                continue
            if any(self.gap(tokens[k], tokens[k + 1]) != " " for k in range(i, last)):
                continue
            if " ".join(t.lower for t in tokens[i : last + 1]) in COUNTRY_NAMES:
                return last
        return None

    def _field_with_and(self, end: int) -> int | None:
        """From token `end`, capitalised words and "and" up to an office's field end
        ("and Eurasian Affairs"): the index of "Affairs"/"Issues", or None."""
        tokens = self.tokens
        for i in range(end, min(end + 6, len(tokens))):
            if i > 0 and self.gap(tokens[i - 1], tokens[i]) != " ":
                return None
            if tokens[i].lower in _FIELD_ENDS and tokens[i].capitalised and i > end:
                return i
            if not (tokens[i].capitalised or tokens[i].lower == "and") or self._is_title_word(
                tokens[i]
            ):
                return None
        return None

    def _names_a_body(self, country: int) -> bool:
        """Whether the country's name ending at token `country` starts a longer name
        holding an organization word ("Bangladesh Nationalist Party")."""
        tokens = self.tokens
        k = country + 1
        while (
            k < len(tokens)
            and self._chunkable(tokens[k])
            and self.gap(tokens[k - 1], tokens[k]) == " "
            and not tokens[k - 1].possessive
        ):
            if tokens[k].lower in ORGANIZATION_WORDS:
                return True
            k += 1
        return False

    def _complements(self, j: int) -> int | None:
        """After title token j: 'of State', 'for Western Hemisphere Affairs', 'of the
        Interior', 'to Kenya'; the index of the last complement word, or None."""
        tokens = self.tokens
        to = self._to_complement(j) or self._adviser_to(j)
        if to is not None:
            return to
        k = self._after_preposition(j, ("of", "for"))
        if k is None:
            # "Adviser on National Security and Foreign Affairs": "on" and an office's field
            k = self._after_preposition(j, ("on",))
            if k is None or k >= len(tokens) or tokens[k].lower not in TITLE_COMPLEMENTS:
                return None
            if not tokens[k].capitalised:
                return None
        end = k
        while end < len(tokens) and self.gap(tokens[end - 1], tokens[end]) == " ":
            country = self.country_at(end)
            # "of the Bangladesh Nationalist Party": a country that names a body is no field.
            if country is not None and self._names_a_body(country):
                break
            if country is not None and (end == k or tokens[end - 1].lower == "and"):
                end = country + 1  # "for Afghanistan and Pakistan"
            elif (
                tokens[end].capitalised
                and (
                    tokens[end].lower in TITLE_COMPLEMENTS
                    # "of Industry", "for Trade and Industry": a ministry's field
                    or tokens[end].lower in FIELD_WORDS
                )
            ) or (  # "for East Asian and Pacific Affairs"
                tokens[end].lower == "and"
                and end > k
                and end + 1 < len(tokens)
                and tokens[end + 1].capitalised
                and (
                    tokens[end + 1].lower in TITLE_COMPLEMENTS | FIELD_WORDS
                    or self.country_at(end + 1) is not None
                )
            ):
                end += 1
            else:
                break
        if (
            k < end < len(tokens)
            and tokens[k - 1].lower == "the"
            and tokens[end].capitalised
            and tokens[end].lower in ORGANIZATION_WORDS
            and self.gap(tokens[end - 1], tokens[end]) == " "
        ):
            end += 1  # "Minister for the Arctic Council": the body the post is for
        # Words outside the title vocabulary ("of Peru", "for Andean Affairs") only when
        # punctuation, the paragraph's end or the next title word closes them: "Minister of
        # Peru, Ana Ruiz", "Under Secretary for Arms Control Ambassador ...", not "Minister
        # of Peru Ana Ruiz" (where the name would be taken for the title); and never after a
        # complement of the vocabulary: in "Secretary of State Tom Reyes, ..." the name
        # follows "of State".
        longer = k
        while (
            longer < len(tokens)
            and tokens[longer].capitalised
            and tokens[longer].lower not in TITLE_HEADS
            and not self._is_title_word(tokens[longer])
            and (longer == k or self.gap(tokens[longer - 1], tokens[longer]) == " ")
            and not tokens[longer - 1].possessive
        ):
            longer += 1
        if (
            longer > end
            and self._closed(longer)
            and (end == k or tokens[longer - 1].lower in ORGANIZATION_WORDS)
            # "for Gulf Affairs Ana Ruiz.": the field ends at "Affairs" (below), the name
            # after it is no part of the title
            and not any(tokens[i].lower in _FIELD_ENDS for i in range(end, longer - 1))
        ):
            # ... or past a complement of the vocabulary when a body's name ends there:
            # "Chairperson of the African Union Commission, ..." (no name ends so).
            end = longer
        # A list of fields: "for Verification, Compliance, and Implementation".
        if k < end < len(tokens) and self.gap(tokens[end - 1], tokens[end]) == ", ":
            listed = end
            while (
                listed + 1 < len(tokens)
                and self.gap(tokens[listed - 1], tokens[listed]) == ", "
                and tokens[listed].capitalised
                and not self._is_title_word(tokens[listed])
            ):
                if tokens[listed].lower == "and":
                    break
                listed += 1
            # The last field after "and", with the serial comma or without it: "for
            # Trade, Industry and Fisheries" as "for Trade, Industry, and Fisheries".
            fields = FIELD_WORDS | TITLE_COMPLEMENTS
            # "..., Energy, and the Environment": "the" before the last field.
            the = int(
                listed + 2 < len(tokens)
                and tokens[listed].lower == "and"
                and tokens[listed + 1].lower == "the"
                and tokens[listed + 2].lower in fields
            )
            listed_words = [*tokens[end:listed], tokens[min(listed + 1, len(tokens) - 1)]]
            serial = listed < len(tokens) and self.gap(tokens[listed - 1], tokens[listed]) == ", "
            if (
                listed + 1 < len(tokens)
                and tokens[listed].lower == "and"
                # A field listed before "and": in "for the Six-Party Talks, and Robert King"
                # the name follows the title, no list.
                and listed > end
                and (
                    serial
                    or (
                        self.gap(tokens[listed - 1], tokens[listed]) == " "
                        and all(w.lower in fields for w in listed_words)
                    )
                )
                and tokens[listed + 1 + the].capitalised
                and self.gap(tokens[listed + the], tokens[listed + 1 + the]) == " "
            ):
                end = listed + 2 + the
                # The last field may be of several words: "and International Cooperation".
                while (
                    end < len(tokens)
                    and tokens[end].capitalised
                    and tokens[end].lower in fields
                    and self.gap(tokens[end - 1], tokens[end]) == " "
                ):
                    end += 1
        # An office's field ends with "Affairs" or "Issues", whatever words come before it:
        # "Director-General for International Cooperation Affairs Lee Jae-hoon".
        fields_end = [i for i in range(end, longer) if tokens[i].lower in _FIELD_ENDS]
        if fields_end:
            end = fields_end[-1] + 1
        elif (field_end := self._field_with_and(end)) is not None:
            end = field_end + 1  # "for European and Eurasian Affairs"
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
            if not self._is_title_word(tokens[i]) or self._surname_at(i) or self._inside_a_name(i):
                i += 1
                continue
            j = i
            while True:
                nxt = j + 1
                if (
                    nxt < len(tokens)
                    and self._is_title_word(tokens[nxt])
                    and not self._surname_at(nxt)
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
                # What qualifies the office before it: "Deputy U.S. Trade Representative".
                first = i
                while (
                    first > 0
                    and (first - 1) not in runs
                    and self.gap(tokens[first - 1], tokens[first]) == " "
                    and not tokens[first - 1].possessive
                    and (
                        tokens[first - 1].lower in _QUALIFIERS_BEFORE
                        or (
                            tokens[first - 1].capitalised
                            and tokens[first - 1].lower
                            in TITLE_COMPLEMENTS | TITLE_MODIFIERS | _OFFICE_BODIES | FIELD_WORDS
                            # a nationality or country is the person's, not the office's
                            and tokens[first - 1].lower not in DEMONYMS | {"cuba"}
                        )
                        or self._fields_joined_at(first - 1)
                    )
                ):
                    first -= 1
                for t in range(first, j + 1):
                    runs[t] = (first, j)
            i = j + 1
        return runs

    def _fields_joined_at(self, i: int) -> bool:
        """Token i is the "and" between two fields before an office's title word: "Trade
        and Industry Minister"."""
        tokens = self.tokens
        return (
            0 < i < len(tokens) - 1
            and tokens[i].lower == "and"
            and all(
                t.capitalised and t.lower in FIELD_WORDS | TITLE_COMPLEMENTS
                for t in (tokens[i - 1], tokens[i + 1])
            )
        )

    @staticmethod
    def _chunkable(token: Token) -> bool:
        return (
            (token.capitalised or _PARTICLE_JOINED.match(token.text) is not None)
            and token.lower not in FUNCTION_WORDS
            and token.lower not in MONTHS
            and token.lower not in WEEKDAYS
            and token.lower not in DAYS_FROM_DOCUMENT
        )

    def _runs(self, join_of: bool = False) -> list[tuple[int, int]]:
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
            joined = False
            while not tokens[j].possessive:
                k = j + 1
                while (
                    k < len(tokens)
                    and tokens[k].lower in PARTICLES
                    and not tokens[k].capitalised
                    and self.gap(tokens[k - 1], tokens[k]) == " "
                ):
                    k += 1
                # A title ends a name run: "Ambassador to Kenya | Peter Quill"; not a
                # body's name: "United Nations General Assembly".
                title = self.title_tokens.get(j)
                if (
                    title is not None
                    and title[1] == j
                    and k not in self.title_tokens
                    and not (k < len(tokens) and tokens[k].lower in ORGANIZATION_WORDS)
                ):
                    break
                if (
                    k < len(tokens)
                    and self._chunkable(tokens[k])
                    and self.gap(tokens[k - 1], tokens[k]) in (" ", "-")
                ):
                    j = k
                elif join_of and (of := self._of_complement(i, j)) is not None:
                    j = of  # "Ministry of Foreign Affairs", "Bureau of Consular Affairs"
                    joined = True
                    if tokens[j].lower in COUNTRY_NAMES:
                        break  # "Communist Party of Vietnam | Nguyen Phu Trong"
                elif join_of and joined and (last := self._and_complement(j)) is not None:
                    j = last  # "Treaty of Friendship and Cooperation"
                elif join_of and joined and (last := self._listed_fields(j)) is not None:
                    j = last  # "Ministry of Trade, Industry and Fisheries"
                else:
                    break
            runs.append((i, j))
            i = j + 1
        return runs

    def _of_complement(self, i: int, j: int) -> int | None:
        """In a run holding an organization word, "of"/"for" (and "the") then a
        capitalised word: the index of that word, which continues the organization's name."""
        tokens = self.tokens
        words = {t.lower for t in tokens[i : j + 1]}
        if tokens[j].possessive or not words & (ORGANIZATION_WORDS | AGREEMENT_WORDS):
            return None
        # "Intergovernmental Authority on Development", "Council on Foreign Relations"
        joins: tuple[str, ...] = ("of", "for", "on")
        if words & AGREEMENT_WORDS:
            joins = ("of", "for", "on", "between")  # "Protocol on the Southern Ice Fields"
        elif tokens[j].lower in _POSTS_IN and j > i:  # not "Chief of | Mission in Lima"
            joins = ("of", "for", "in")  # "United Nations Mission in Liberia"
        k = j + 1
        if k >= len(tokens) or tokens[k].lower not in joins:
            return None
        if self.gap(tokens[j], tokens[k]) != " ":
            return None
        k += 1
        if (
            k < len(tokens)
            and tokens[k].lower == "the"
            and self.gap(tokens[k - 1], tokens[k]) == " "
        ):
            k += 1
        if (
            k < len(tokens)
            and self._chunkable(tokens[k])
            and self.gap(tokens[k - 1], tokens[k]) == " "
        ):
            return k
        return None

    def _listed_fields(self, j: int) -> int | None:
        """After an organization's "of" complement, a list of further fields, "and" before
        the last, with the serial comma or without: ", Industry and Fisheries", ", Housing,
        and Urban Development". Each field is one or two capitalised words ending with a
        field word, so a list of bodies or people ("..., Ana Phiri and Ivo Horvat") stays
        apart. The index of the last field's last word."""
        tokens = self.tokens

        def field(k: int, gap: tuple[str, ...]) -> int | None:
            # One field from token k: the index of its last word.
            if k >= len(tokens) or self.gap(tokens[k - 1], tokens[k]) not in gap:
                return None
            for end in (k, k + 1):
                if end >= len(tokens) or not self._chunkable(tokens[end]):
                    return None
                if end > k and self.gap(tokens[end - 1], tokens[end]) != " ":
                    return None
                if tokens[end].lower.replace("-", "") in FIELD_WORDS and not tokens[end].possessive:
                    return end
            return None

        if tokens[j].possessive or (last := field(j + 1, (", ",))) is None:
            return None
        while True:
            k = last + 1
            if k < len(tokens) and tokens[k].lower == "and":
                if self.gap(tokens[last], tokens[k]) not in (" ", ", "):
                    return None
                end = field(k + 1, (" ",))
                # "..., Health and Fisheries Minister Ana Phiri": the list ends on a title.
                if end is None or (
                    end + 1 < len(tokens)
                    and self._chunkable(tokens[end + 1])
                    and self.gap(tokens[end], tokens[end + 1]) == " "
                ):
                    return None
                return end
            nxt = field(k, (", ",))
            if nxt is None:
                return None
            last = nxt

    def _and_complement(self, j: int) -> int | None:
        """After an organization's or agreement's "of" complement, "and" then one last
        capitalised word ("Ministry of Trade and Industry"): the index of that word. Not a
        title, a nationality, or the first word of a further name ("... and Cuba", "...
        and Foreign Minister Ruiz")."""
        tokens = self.tokens
        k = j + 2
        if k >= len(tokens) or tokens[j + 1].lower != "and" or tokens[j].possessive:
            return None
        if self.gap(tokens[j], tokens[j + 1]) != " " or self.gap(tokens[j + 1], tokens[k]) != " ":
            return None
        word = tokens[k]
        # "Community of Latin American and Caribbean States": "and", then words that end
        # with the plural the body is of.
        end = k
        while end < len(tokens) and self._chunkable(tokens[end]) and end - k < 3:
            if tokens[end].lower in _GROUP_NOUNS:
                return end
            if end + 1 < len(tokens) and self.gap(tokens[end], tokens[end + 1]) != " ":
                break
            end += 1
        # "Bureau of South | and Central Asian Affairs": "and", then words up to the
        # "Affairs" that ends a bureau's or an office's field.
        for end in range(k, min(k + 3, len(tokens))):
            if not self._chunkable(tokens[end]) or self._is_title_word(tokens[end]):
                break
            if end > k and self.gap(tokens[end - 1], tokens[end]) != " ":
                break
            if tokens[end].lower in _FIELD_ENDS:
                return end
        if (
            not self._chunkable(word)
            or self._is_title_word(word)
            or word.lower in DEMONYMS
            or word.lower.replace("-", "") not in FIELD_WORDS  # "Co-operation"
        ):
            return None
        # "... Security and Co-operation in Europe": a region closes such a name.
        if (
            k + 2 < len(tokens)
            and tokens[k + 1].lower == "in"
            and self._chunkable(tokens[k + 2])
            and self.gap(word, tokens[k + 1]) == " "
            and self.gap(tokens[k + 1], tokens[k + 2]) == " "
            and not (k + 3 < len(tokens) and self._chunkable(tokens[k + 3]))
        ):
            return k + 2
        followed = k + 1 < len(tokens) and self._chunkable(tokens[k + 1])
        return None if followed and self.gap(word, tokens[k + 1]) == " " else k

    def tokens_in(self, start: int, end: int) -> list[Token]:
        """The tokens overlapping [start, end)."""
        first = max(0, bisect_right(self.starts, start) - 1)
        out: list[Token] = []
        tokens = self.tokens
        for index in range(first, len(tokens)):  # not a slice: a copy of the rest each call
            token = tokens[index]
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
        for first, last in self.long_runs:
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
