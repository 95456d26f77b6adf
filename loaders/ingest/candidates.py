"""Candidates: what could not be linked, for the analyst; `analyse` runs linking and this.

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
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from diplograph.model import Document, FuzzyDate, Kind, Precision, slugify
from diplograph.records import Ambiguity, Analysis, Candidate, Mention, Method, Occurrence
from loaders.ingest.budget import check
from loaders.ingest.documents import (
    MONTH_NAMES,
    dateline_place_spans,
    dateline_spans,
    parse_date_text,
    reads_as_sentence,
)
from loaders.ingest.given_names import given_names
from loaders.ingest.linking import HONORIFICS, Named, find_mentions
from loaders.ingest.spans import Spans
from loaders.ingest.text import (
    AGREEMENT_WORDS,
    DAYS_FROM_DOCUMENT,
    DEMONYMS,
    EVENT_NOUNS,
    FIELD_WORDS,
    FUNCTION_WORDS,
    HAPPENINGS,
    MEETING_WORDS,
    NUMBER_WORDS,
    ORGANIZATION_WORDS,
    PLACE_WORDS,
    SEASON_END_MONTH,
    WEEKDAYS,
    TextIndex,
    Token,
    folded,
    paragraph_spans,
    sentence_at,
)
from loaders.names import (
    COUNTRY_NAMES,
    KNOWN_BY_TITLE,
    MONTHS,
    NICKNAMES,
    TITLE_COMPLEMENTS,
    TITLE_HEADS,
    TITLE_MODIFIERS,
)
from loaders.names import words as vocabulary


def _slug(name: str) -> str:
    return slugify(name)[:100].strip("-")


_YEAR = re.compile(r"(?:1[89]|20)\d\d")
# What ends a clause: the tense of one clause says nothing of a date in the next.
_CLAUSE_END = re.compile(r"[,;:()\u2013\u2014]|\s-\s")
_WORD = re.compile(r"[A-Za-z][\w'-]*")
# Where a clause of its own begins: punctuation, or a relative pronoun ("..., which the two
# presidents launched in 2013").
_RELATIVE_CLAUSE = re.compile(r"[,;:()\u2013\u2014]|\b(?P<pronoun>which|who)\b")
# The future, and a press statement's present of travel to come ("She continues to Muscat
# on Wednesday"); not "later", which is as often the same day ("Later on Thursday ... met").
_FUTURE_WORDS = vocabulary(
    """will would shall 'll next upcoming planned plan plans scheduled expected intend
    intends continues travels departs heads proceeds"""
)
_PAST_WORDS = vocabulary(
    """met held began begun was were had took gave spoke led said went came saw told made
    sent did ago last earlier previously left flew"""
)
# Verbs of a meeting after "to": "agreed to meet", "invited him to visit", "plan to hold".
_TO_COME = vocabulary("meet hold visit convene reconvene resume host continue travel return")
# Offices editorials write in lower case before a name: "opposition leader Ana Ruiz".
_LOWER_CASE_HEADS = vocabulary(
    """leader leaders activist activists organizer organiser laureate journalist dissident
    blogger critic diplomat writer poet lawyer economist scholar historian novelist"""
)
# Verbs whose subject, named in full, is a person: "Ana Ruiz said", "... met in Lima".
_SPEAKER_VERBS = vocabulary(
    """said says told met meets added announced visited welcomed spoke stated noted urged
    praised thanked"""
)
# Verbs of leaving a place: "departs Lima for Quito" names two places.
_DEPARTS = vocabulary("departs departed depart departing leaves leave left leaving")
# What a party stands for, joined by "and" in its name: "Freedom and Justice Party".
_PARTY_VALUES = FIELD_WORDS | vocabulary(
    "freedom democracy progress unity solidarity prosperity liberty reform renewal"
)
# Ranks and forms of address: a title of these words alone names no post.
_RANKS = vocabulary(
    """ambassador amb. admiral adm. general gen. colonel col. captain commander lieutenant
    lt. major brigadier rear vice mr. mrs. ms. miss dr. sir dame professor prof. sayyid"""
)
# Words of names that are no person's: "the White House said".
_NOT_NAMES = vocabulary(
    """house palace hall building street avenue square times post news museum memorial
    library park stadium airport hotel"""
)
# What a place's name follows with "of": "the city of Aleppo", "the regions of Donetsk".
_PLACES_OF = vocabulary(
    """city cities town towns region regions province provinces district districts port
    village villages island islands capital people"""
)
# Words before a "to" that leads to someone or something, not somewhere: "loyal to X".
_TO_SOMEONE = vocabulary(
    """loyal close according due similar thanks opposed committed related respect
    regard addition contrast letter message tribute condolences congratulations"""
)
# Words in -ed that are no past verb.
_NOT_PAST = vocabulary("need indeed proceed exceed speed seed feed breed succeed")


def _tense(word: str) -> bool | None:
    """True for a word of the future, False for a past verb, None for neither. A word in
    capitals is a name ("United"), not a verb."""
    lower = word.lower()
    if lower in _FUTURE_WORDS:
        return True
    if word[0].isupper():
        return None
    if lower in _PAST_WORDS or (lower.endswith("ed") and len(lower) > 4 and lower not in _NOT_PAST):
        return False
    return None


# A courtesy call: "the Secretary called on President Ana Ruiz".
_CALLED_ON = re.compile(r"\bcall(?:ed|s)?\s+on\s+(?:[A-Z])")
# A day named by the one before it: "earlier that day", "later the same day".
_SAME_DAY = re.compile(
    r"(?i:\b(?P<d>(?:earlier|later)\s+(?:that|the\s+same|in\s+the)\s+day|(?:that|the\s+same)\s+day))\b"
)
_SUFFIX = re.compile(r",?\s+(?:Jr\.?|Sr\.?|[IVX]+)$")
_QUALIFIER = re.compile(r" \((?P<q>[A-Z][\w .'-]{1,30})\)")
REGNAL_NUMBER = re.compile(r"[IVX]+")
# Someone in a place on a day, a visit: "Secretary Kerry was in Hanoi on August 7".
_PRESENT_IN = re.compile(
    rf"\b(?:was|were|arrived|landed|stopped)\s+in\s+(?!(?i:{MONTH_NAMES})\b)[A-Z]"
)
# "Meet" and "welcome" said of a thing, not of someone: "to help meet the needs of the
# refugees", "welcomed the delivery of aircraft", "welcomed Jordan's economic program".
_NOT_MET = re.compile(
    r"\b(?:meets?|welcom(?:ed|es|e))\s+(?:(?:the|a|an|its|their|his|her|our)\s+"
    r"|(?:the\s+)?[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*'s\s+)"
    r"(?!(?:two|three|both|all|other|visiting|foreign|new|prime|vice|deputy|delegation|"
    r"delegations|leaders?|ministers?|president|king|queen|officials|participants|guests|"
    r"visitors|secretary|ambassador)\b)[a-z]"
)
# A sentence about a meeting that names its participants only as a pair.
_BOTH_SIDES = re.compile(r"\b(?:the\s+(?:two\s+)?delegations|(?:the\s+two|both)\s+sides)\b", re.I)


# The last words of countries' names, which a formal name ends with ("Republic of Korea").
_LAST_WORDS = frozenset(name.split()[-1] for name in COUNTRY_NAMES if " " in name) - {
    "and", "the", "islands", "republic", "states", "kingdom", "emirates"}  # fmt: skip


def _country_name(name: str) -> bool:
    """A state's usual English name ("Japan", "South Africa", "the Philippines")."""
    return folded(name).replace("saint ", "st ") in COUNTRY_NAMES or folded(name) in COUNTRY_NAMES


def _surnames(name: str) -> list[str]:
    """The words of a person's name a later mention may use alone: all but the first, and
    the first too when a hyphenated given name follows it, family name first ("Lee
    Jae-hoon", "Kim Sung-han")."""
    parts = name.split()
    family_first = len(parts) == 2 and "-" in parts[1] and parts[1][0].isupper()
    return parts if family_first else parts[1:]


class _Candidates:
    def __init__(
        self,
        doc: Document,
        t: TextIndex,
        taken: Sequence[tuple[int, int]],
        known_ids: Iterable[str],
        mentions: Sequence[Mention] = (),
        entities: Sequence[Named] = (),
        names: frozenset[str] | None = None,
    ) -> None:
        self.doc = doc
        self.t = t
        self.taken = Spans(taken)
        self.known_ids = set(known_ids)
        self.found: dict[str, Candidate] = {}
        # People proposed, by the words a later mention may use alone (`_surnames`) and by
        # every ending of their names after a space: a run asks its bucket, not every
        # candidate (a text of thousands of names was quadratic).
        self.by_surname: dict[str, list[Candidate]] = {}
        self.by_ending: dict[str, list[Candidate]] = {}
        self.mentions = list(mentions)
        self.kinds = {e.id: e.kind for e in entities}
        self.entity_names = {e.id: e.name for e in entities}
        # Meetings the graph holds with their days and places; those the text names by
        # date and place become mentions (`held`), not candidates.
        self.meetings = [
            (e.id, days, set(getattr(e, "places", ())), set(getattr(e, "attendees", ())),
             set(getattr(e, "documents", ())))
            for e in entities if (days := getattr(e, "held", None)) is not None
        ]  # fmt: skip
        self.held: list[Mention] = []
        # Folded names and aliases of what the graph holds: never proposed again.
        self.known_names = known_names(entities) if names is None else names
        # People of the graph by their first and last words ("princeton", "lyman" of
        # "Princeton N. Lyman"): an untitled name with those words is no new person.
        # A suffix after the surname is set aside ("James B. Warlick, Jr.").
        self.person_ends = {
            (words[0], words[-1])
            for e in entities if e.kind == Kind.PERSON
            for form in (e.name, *e.aliases)
            if len(words := _SUFFIX.sub("", form).lower().split()) > 1
        }  # fmt: skip

    def _publisher_line(self, name: str, offset: int) -> bool:
        """Whether `name` at `offset` is (part of) the document's publisher, "U.S.
        Department of State, Office of the Spokesperson", named in a header line of the
        text (not a sentence): who published it, not what it reports."""
        publisher = self.doc.publisher
        if not publisher or reads_as_sentence(self.t.text[slice(*self._paragraph_of(offset))]):
            return False
        parts = {folded(p).removeprefix("the ") for p in re.split(r"[,;|]", publisher)}
        name = folded(name).removeprefix("the ")
        return any(name == p or p.endswith(" " + name) for p in parts if p)

    def free(self, start: int, end: int) -> bool:
        return not self.taken.overlaps(start, end)

    def add(self, candidate: Candidate, start: int, end: int, around: bool = False) -> None:
        """Record a candidate's occurrence; `around`: it may hold linked mentions
        (`_organization_around` said so)."""
        if not candidate.id or candidate.id in self.known_ids:
            return
        if not around and not self.free(start, end):
            return
        if candidate.kind != Kind.MEETING and folded(candidate.name) in self.known_names:
            return  # a node the graph holds, in a form linking did not take
        if candidate.kind == Kind.ORGANIZATION and self._publisher_line(candidate.name, start):
            return  # who published the text ("Office of the Spokesperson"), not its news
        self.taken.add(start, end)
        existing = self.found.setdefault(candidate.id, candidate)
        if existing is candidate and not candidate.occurrences and candidate.kind == Kind.PERSON:
            self._index_person(candidate)
        text = self.t.text
        existing.occurrences.append(
            Occurrence(start, end, text[start:end], sentence_at(text, self.t.sentences, start))
        )

    def dateline_places(self) -> None:
        """The city of a "City, Date" header line ("Oslo, March 3, 2014"), unless linked:
        a place, where the text was written."""
        for start, end in dateline_place_spans(self.t.text):
            name = self.t.text[start:end]
            self.add(Candidate(_slug(name), Kind.PLACE, name, "the city of the text's dateline"),
                     start, end)  # fmt: skip

    def names(self) -> None:
        """Titled people, organizations, agreements and places among the proper names."""
        t = self.t
        tokens = t.tokens
        for first, last in t.name_runs():
            check()
            last = self._before_parties(first, last)
            start, end = t.span(first, last)
            if first == last and self._surname_of_candidate(first):
                continue
            if self._titled_tail(first, last):
                continue
            if last == first + 1 and self._surnames_of_candidate(first, last):
                continue
            around = not self.free(start, end) and self._organization_around(first, last)
            if not self.free(start, end) and not around:
                continue
            name = t.text[start:end]
            words = {tok.lower for tok in tokens[first : last + 1]}
            title = t.title_before(first) or self._title_then_comma(first, last)
            title_text = (
                t.text[tokens[title[0]].start : tokens[title[1]].end]
                if title is not None
                else self._appositive_title(last, first) or self._lower_case_title(first, last)
            )
            if title is not None and self._rank_only(title):
                # "Ambassador Ana Ruiz, the Deputy Chief of Mission": the rank is how she is
                # addressed, the appositive is the post she holds.
                title_text = self._appositive_title(last, first) or title_text
            if words & AGREEMENT_WORDS and last == first:
                continue  # "the Protocol", "the Agreement": a reference, not a name
            if title is None and _country_name(name):
                self.add(
                    Candidate(_slug(name), Kind.COUNTRY, name, "a country named in the text"),
                    start,
                    end,
                )
                continue
            # "New START Treaty", or "Protocol on the Southern Ice Fields"
            # "Malawi-Zambia Charter on Border Trade": the agreement word heads a complement.
            headed = not words & ORGANIZATION_WORDS and any(
                tokens[i].lower in AGREEMENT_WORDS and tokens[i + 1].lower in ("on", "of")
                for i in range(first, last)
            )
            if (
                tokens[last].lower in AGREEMENT_WORDS
                or tokens[first].lower in AGREEMENT_WORDS
                or headed
            ):
                about = next(
                    (
                        i
                        for i in range(first + 2, last + 1)
                        if t.country_at(i) == last and tokens[i - 1].lower == "on"
                    ),
                    None,
                )
                if headed and about is not None:
                    # "Plan of Action | on Iran": what the agreement is about, not its name.
                    end = tokens[about - 2].end
                    name = t.text[start:end]
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
            elif (
                last > first
                and title is None
                and {tokens[first].lower, tokens[last].lower} & PLACE_WORDS
                and not words & ORGANIZATION_WORDS
            ):
                self.add(Candidate(_slug(name), Kind.PLACE, name, "a geographic name"), start, end)
            elif words & ORGANIZATION_WORDS:
                # "State Department Spokesperson": a title named after its body, no body;
                # "Office of the Legal Adviser" is a body named after its head.
                of = any(tok.lower in ("of", "for") for tok in tokens[first : last + 1])
                value = first - 2
                if (
                    value >= 0
                    and tokens[first - 1].lower == "and"
                    and tokens[value].capitalised
                    and tokens[value].lower in _PARTY_VALUES
                    and t.gap(tokens[value], tokens[first - 1]) == " "
                    and t.gap(tokens[first - 1], tokens[first]) == " "
                ):
                    # "Freedom and Justice Party": the value before "and" is the name's
                    start = tokens[value].start
                    name = t.text[start:end]
                if last > first and (tokens[last].lower not in TITLE_HEADS or of):
                    self.add(
                        Candidate(
                            _slug(name),
                            Kind.ORGANIZATION,
                            name,
                            "an organization named in the text",
                        ),
                        start,
                        end,
                        around,
                    )
            elif title_text is not None:
                aliases = []
                if title is not None and self._known_by_title(title, first, last):
                    # "Pope Francis", "King Abdullah II": the title is part of the name.
                    aliases = [name]
                    start = tokens[title[1]].start
                    name = t.text[start:end]
                full = self._full_name_before(first) if first == last and not aliases else None
                if full is not None:
                    # "Derek Quill presented his credentials ... Ambassador Quill met": the
                    # titled surname is the person the text named in full before.
                    name = t.text[full[0] : full[1]]
                if last - first < 5:
                    candidate = Candidate(
                        _slug(name),
                        Kind.PERSON,
                        name,
                        "a titled person who is not in the graph",
                        description=title_text,
                        title=title_text,
                        aliases=aliases,
                    )
                    country = self._nationality_before(title[0]) if title is not None else None
                    if country is not None:
                        candidate.properties["country"] = country
                    if full is not None:
                        self.add(candidate, *full)
                    self.add(candidate, start, end)
            elif (listed := self._beside_a_person(first, last)) is not None or self._speaker(
                first, last
            ):
                self.add(
                    Candidate(_slug(name), Kind.PERSON, name,
                              "a name listed with a titled person, or who met or spoke: "
                              "check who it is",
                              description=listed or None, title=listed or None),
                    start, end,
                )  # fmt: skip
            elif (byline := self._byline_title(first, last)) is not None:
                self.add(
                    Candidate(_slug(name), Kind.PERSON, name, "the author a byline names",
                              description=byline or None, title=byline or None),
                    start, end,
                )  # fmt: skip
            elif self._given_name_first(first, last):
                self.add(
                    Candidate(_slug(name), Kind.PERSON, name,
                              "a name that starts with a given name: check who it is"),
                    start, end,
                )  # fmt: skip
            elif (
                self._after_place_preposition(first, last)
                and last - first < 3
                # "to Cubans", "from Americans", "in Spanish": people and languages
                and not (first == last and re.search(r"(?:ans|ese)$", tokens[first].text))
                and not (first == last and tokens[first].lower in DEMONYMS)
                and not self._adjective(first, last)
            ):
                # "in Frankfurt (Oder)": the qualifier is part of the place's name.
                qualified = _QUALIFIER.match(t.text, end)
                if qualified is not None and re.search(r"[a-z]", qualified["q"]):
                    end = qualified.end()
                    name = t.text[start:end]
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

    # Words a delegation's noun may carry before it: "the Croatian trade delegation", "a
    # five-member delegation".
    _DELEGATION_WORDS = (
        r"(?:(?:trade|business|high-level|senior|official|government|parliamentary|"
        r"negotiating|technical|military|interagency|inter-agency|joint|large|small|"
        r"ministerial|congressional|\w+-member|\w+-strong)\s+){0,2}"
    )
    _DELEGATION = re.compile(
        r"(?:(?:[Tt]he\s+|[Aa]\s+)?(?P<side>U\.S\.|(?!The\s|A\s)[A-Z][\w.'-]*"
        r"(?:\s[A-Z][\w.'-]*)?)\s+)?" + _DELEGATION_WORDS + r"(?P<noun>delegations?)"
        # "a delegation from Croatia, headed by": whose it is, after the noun
        r"(?:\s+(?:from|of)\s+(?P<from>U\.S\.|[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*){0,2}))?"
        r"(?P<by>,?\s+(?:(?:which|that)\s+)?(?:(?:is|was|were|are|will\s+be|would\s+be|"
        r"has\s+been|had\s+been|to\s+be|being)\s+)?(?:led|headed|chaired)\s+by\s+)"
    )

    def delegations(self) -> None:
        """ "the U.S. delegation, led by Assistant Secretary Tom Reyes": a Delegation with its
        leader (the person linked or proposed just after "led by") and its country (the
        country linked in front, or the one a nationality adjective names)."""
        text = self.t.text
        for match in self._DELEGATION.finditer(text):
            if self.t.in_headline(match.start()):
                continue
            after = match.end("by")
            leader = self._person_at(after) or self._untitled_leader(after)
            if leader is not None:
                self._delegation(match, leader)
        # The active voice: "Tom Reyes led the Norwegian delegation", "..., who headed the
        # U.S. delegation".
        for match in self._LED_DELEGATION.finditer(text):
            if self.t.in_headline(match.start()):
                continue
            leader = self._person_before(match.start("verb")) or self._untitled_subject(
                match.start("verb")
            )
            if leader is not None:
                self._delegation(match, leader)

    _LED_DELEGATION = re.compile(
        r"\b(?P<verb>led|headed|leads|heads|chaired|chairs|will\s+lead|will\s+head)\s+"
        r"(?:the\s+|an?\s+|its\s+|his\s+|her\s+|their\s+)?(?:country's\s+)?"
        r"(?:(?P<side>U\.S\.|[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*)?)(?:'s)?\s+)?"
        + _DELEGATION_WORDS
        + r"(?P<noun>delegations?)\b"
    )

    def _delegation(self, match: re.Match[str], leader: tuple[str, str]) -> None:
        """Propose the delegation `match` names (its side, if any, and its noun), led by
        `leader` (an id, or the name of a person proposed, and a name)."""
        leader_id, leader_name = leader
        side = match["side"] if match["side"] and match["side"] != "The" else None
        if side and re.search(r"[.!?]\s", side):
            side = None  # "Bolivia. A delegation": the sentence before is no side
        if side:
            side = side.removesuffix("'s").removesuffix("\u2019s")  # "Croatia's delegation"
        start = match.start("side") if side else match.start("noun")
        country = self._country_of(match.start("side"), side) if side else None
        whose = match.groupdict().get("from")
        if side is None and whose:
            # "A delegation from Croatia": the country named after the noun
            side, country = whose, self._country_of(match.start("from"), whose)
        named = self._country_before(match.start("noun"))
        if named is not None:  # "a Republic of Korea delegation": the whole name
            country, start = named.entity_id, named.start
            side = named.text
        label = f"{side} delegation" if side else "Delegation"
        name = f"{label} led by {leader_name}"
        properties: dict[str, str | int | float] = {"leader": leader_id}
        if country:
            properties["country"] = country
        self.add(
            Candidate(_slug(name), Kind.DELEGATION, name,
                      "a delegation and who led it: check the meeting it attended",
                      description=f"{label} led by {leader_name}",
                      aliases=[label] if side else [], properties=properties),
            start, match.end("noun"), around=True,
        )  # fmt: skip

    def _untitled_leader(self, offset: int) -> tuple[str, str] | None:
        """ "The German delegation, led by Klaus Weber, ...": a name of two to four words
        right after "led by", with no title to make it a person otherwise, is the person
        who led it, proposed as such."""
        t = self.t
        run = next(((f, la) for f, la in t.name_runs() if t.tokens[f].start == offset), None)
        return self._untitled_person(run) if run is not None else None

    def _untitled_subject(self, offset: int) -> tuple[str, str] | None:
        """ "Klaus Weber led the German delegation": the name of two to four words just
        before the verb (", who" may come between), the person who led it."""
        t = self.t
        run = next(
            (
                (f, la)
                for f, la in t.name_runs()
                if t.tokens[la].end <= offset
                and re.fullmatch(r"\s*(?:,\s*who\s+|who\s+)?", t.text[t.tokens[la].end : offset])
            ),
            None,
        )
        return self._untitled_person(run) if run is not None else None

    def _untitled_person(self, run: tuple[int, int]) -> tuple[str, str] | None:
        """The name run `run`, proposed as a person who led a delegation; None when it is
        no person's name (one word, or more than four, or a body's)."""
        t = self.t
        first, last = run
        start, end = t.span(first, last)
        names = {tok.lower for tok in t.tokens[first : last + 1]}
        if not 1 <= last - first <= 3 or names & (ORGANIZATION_WORDS | AGREEMENT_WORDS):
            return None
        if not self.free(start, end) or any(
            tok.lower in DEMONYMS for tok in t.tokens[first : last + 1]
        ):
            return None
        name = t.text[start:end]
        self.add(
            Candidate(_slug(name), Kind.PERSON, name,
                      "the person who led a delegation, named without a title"),
            start, end,
        )  # fmt: skip
        if _slug(name) not in self.found:
            return None
        for f, la in t.name_runs():  # "Weber said": further occurrences
            if f == la and t.tokens[f].start > end and self.free(*t.span(f, la)):
                self._surname_of_candidate(f)
        return name, name

    def _people(self) -> list[tuple[int, int, str, str]]:
        """Every person linked or proposed: (start, end, id or name, name), in text order."""
        people = [
            (m.start, m.end, m.entity_id, self.entity_names.get(m.entity_id, m.text))
            for m in self.mentions
            if self.kinds.get(m.entity_id) == Kind.PERSON
        ]
        people += [(o.start, o.end, c.name, c.name) for c in self.found.values()
                   if c.kind == Kind.PERSON for o in c.occurrences]  # fmt: skip
        return sorted(people)

    # What may stand between a person and "led the delegation": nothing, "who", or an
    # appositive title between commas ("Tom Reyes, the Assistant Secretary, headed").
    _BEFORE_LED = re.compile(r"\s*(?:,[^,.;:()]{1,100},\s*|,\s*)?(?:who\s+)?(?:also\s+)?$")

    def _person_before(self, offset: int) -> tuple[str, str] | None:
        """The person linked or proposed last before `offset` in the same clause, the subject
        of "led the Norwegian delegation"."""
        before = [p for p in self._people() if p[1] <= offset]
        if not before:
            return None
        _, end, ident, name = before[-1]
        return (ident, name) if self._BEFORE_LED.match(self.t.text[end:offset]) else None

    def _person_at(self, offset: int) -> tuple[str, str] | None:
        """The person linked or proposed first after `offset` in the same clause (a title
        may come between: "led by Assistant Secretary of State Tom Reyes")."""
        text = self.t.text
        for start, _, ident, name in self._people():
            if start < offset:
                continue
            if not text[offset:start].strip():
                return ident, name
            # Only the person's title may stand between "led by" and the name.
            tokens = self.t.tokens_in(start, start + 1)
            title = self.t.title_before(tokens[0].index) if tokens else None
            if title is not None and self.t.tokens[title[0]].start == offset:
                return ident, name
            return None
        return None

    def _country_before(self, offset: int) -> Mention | None:
        """The country linked just before `offset`, only spaces between."""
        text = self.t.text
        return next(
            (m for m in self.mentions if self.kinds.get(m.entity_id) == Kind.COUNTRY
             and m.end <= offset and not text[m.end : offset].strip()),
            None,
        )  # fmt: skip

    def _country_of(self, start: int, side: str) -> str | None:
        """The country a delegation's qualifier names: a linked country ("U.S."), or the
        one whose name a nationality adjective starts with ("Kenyan": Kenya)."""
        for m in self.mentions:
            if m.start == start and self.kinds.get(m.entity_id) == Kind.COUNTRY:
                return m.entity_id
        stem = folded(side)[:4]
        countries = [i for i, k in self.kinds.items() if k == Kind.COUNTRY
                     and folded(self.entity_names[i]).startswith(stem)]  # fmt: skip
        if len(stem) == 4 and len(countries) == 1:
            return countries[0]
        return None

    def _nationality_before(self, index: int) -> str | None:
        """The country a nationality adjective or a country's possessive just before a title
        names ("Kenyan Cabinet Secretary ...", "Kenya's Foreign Minister ..."): the person's,
        not the office's; the country's id when the graph holds one country it fits."""
        tokens = self.t.tokens
        if index == 0:
            return None
        word = tokens[index - 1]
        gap = self.t.gap(word, tokens[index])
        if not word.capitalised or gap.strip() not in ("", "'s", "'"):
            return None
        for m in self.mentions:
            if m.start <= word.start < m.end and self.kinds.get(m.entity_id) == Kind.COUNTRY:
                return m.entity_id if m.end == word.end else None
        if word.lower in DEMONYMS or re.search(r"(?:an|ese|ish|i)$", word.text):
            return self._country_of(word.start, word.text)
        return None

    _ACRONYM = re.compile(r"\s*\((?P<acronym>[A-Z][A-Z.&-]{1,9}(?: [A-Z]{2,5})?)\)")
    # What may stand between two words of a name.
    _NAME_GAPS = (" ", "'s ", "\u2019s ")
    # An acronym of capitals only, in brackets after a name: "(TTIP)", "(LRA)".
    _DEFINED_ACRONYM = re.compile(r" \((?P<acronym>[A-Z]{2,8})\)")
    # Small words a name's acronym skips: "Conference on the Great Lakes Region (ICGLR)".
    _SKIPPED = vocabulary("of for and in on the to")

    def spelled_acronyms(self) -> None:
        """ "the Transatlantic Trade and Investment Partnership (TTIP)", "the Lord's
        Resistance Army (LRA)": the name an acronym in brackets spells, found by its
        letters (one for each capitalised word, back from the bracket; small words
        skipped), is one name, not the runs that its small words cut it into. A body, or
        an agreement when an agreement's word is in it; linked countries and places may sit
        inside ("Courts of Cambodia")."""
        t = self.t
        for match in self._DEFINED_ACRONYM.finditer(t.text):
            check()
            letters = match["acronym"]
            before = t.tokens_in(max(0, match.start() - 160), match.start())
            first = self._spelled_from(before, letters)
            if first is None:
                continue
            start, end = before[first].start, before[-1].end
            words = {tok.lower for tok in before[first:]}
            name = t.text[start:end]
            if _country_name(name) or self.kinds_at(start) == Kind.PERSON:
                continue
            inside = list(self.taken.overlapping(start, end))
            if any(
                not (start < s and e <= end)
                or not any(m.start == s and self.kinds.get(m.entity_id) in (Kind.COUNTRY,
                           Kind.PLACE) for m in self.mentions)
                for s, e in inside
            ):  # fmt: skip
                continue
            # "African Growth and Opportunity Act (AGOA)": a law, proposed as agreements are
            kind = Kind.AGREEMENT if words & (AGREEMENT_WORDS | {"act"}) else Kind.ORGANIZATION
            self.add(
                Candidate(_slug(name), kind, name, "a name the text spells out as an acronym"),
                start, end, around=True,
            )  # fmt: skip

    def _spelled_from(self, before: Sequence[Token], letters: str) -> int | None:
        """The index in `before` (the tokens up to an acronym's bracket) of the first word
        of the name whose capitalised words' initials are `letters`, if they are."""
        t = self.t
        n = len(letters)
        for index in range(len(before) - 1, -1, -1):
            token = before[index]
            # "Lord's Resistance Army": a possessive inside the name is part of it
            if index < len(before) - 1 and t.gap(token, before[index + 1]) not in self._NAME_GAPS:
                return None
            if token.capitalised and token.text[0] == letters[n - 1]:
                n -= 1
                if n == 0:
                    return index if index < len(before) - 1 else None
            elif token.capitalised or token.lower not in self._SKIPPED:
                return None
        return None

    def acronyms(self) -> None:
        """An acronym the text defines after a proposed name, "Union of South American
        Nations (UNASUR)", is one of its aliases, and its later uses are occurrences."""
        text = self.t.text
        for candidate in list(self.found.values()):
            if candidate.kind not in (Kind.ORGANIZATION, Kind.AGREEMENT):
                continue
            searched: set[str] = set()
            for occurrence in list(candidate.occurrences):
                check()
                match = self._ACRONYM.match(text, occurrence.end)
                if match is None:
                    continue
                acronym = match["acronym"]
                self._name_from_acronym(candidate, occurrence, acronym)
                if acronym not in candidate.aliases:
                    candidate.aliases.append(acronym)
                self.taken.add(*match.span("acronym"))
                if acronym in searched:
                    continue  # its later uses are occurrences already: one pass each
                searched.add(acronym)
                pattern = rf"(?<![\w.]){re.escape(acronym)}(?![\w])"
                for found in re.compile(pattern).finditer(text, match.end()):
                    check()
                    if self.free(*found.span()):
                        self.add(candidate, *found.span())

    _LONE_ACRONYM = re.compile(r"(?<![\w.&'-])[A-Z]{3,6}(?![\w&'-]|\.\w)")

    def lone_acronyms(self) -> None:
        """ "... within the European Union and NATO": an acronym of three to six capitals,
        alone in a sentence, that the text never spells out and the graph does not hold,
        is an organization's name. Not one of a longer name ("NATO Summit"), of an
        all-capitals line or dateline ("ADDIS ABABA"), nor a country's ("USA")."""
        t = self.t
        text = t.text
        for match in self._LONE_ACRONYM.finditer(text):
            check()
            start, end = match.span()
            word = match.group()
            if not self.free(start, end) or t.in_headline(start) or f"({word})" in text:
                continue
            if REGNAL_NUMBER.fullmatch(word) or word.lower() in COUNTRY_NAMES:
                continue
            if not reads_as_sentence(text[slice(*self._paragraph_of(start))]):
                continue
            tokens = t.tokens_in(start, end)
            if len(tokens) != 1:
                continue  # never expected; an odd spelling must not end the ingest
            token = tokens[0]
            run = t.run_by_token.get(token.index)
            if run is None or run[0] != run[1]:
                continue
            neighbours = t.tokens[max(token.index - 1, 0) : token.index + 2]
            if any(n is not token and n.text.isupper() and len(n.text) > 1 for n in neighbours):
                continue
            self.add(
                Candidate(_slug(word), Kind.ORGANIZATION, word,
                          "an acronym the text does not spell out: probably an organization"),
                start, end,
            )  # fmt: skip

    # Capitalised words, then "of (the)", just before a proposed name.
    _HEAD_OF = re.compile(r"(?:[A-Z][\w.'-]*\s+){1,4}of\s+(?:the\s+)?$")

    def _name_from_acronym(
        self, candidate: Candidate, occurrence: Occurrence, acronym: str
    ) -> None:
        """The acronym tells where a name starts: "Young Leaders of the | Americas Initiative
        (YLAI)", "EU Rule of | Law Mission in Kosovo (EULEX)". When the name proposed
        starts with no word of the acronym's initial, the capitalised words before its "of"
        from the last that has that initial are the name's head (never a title's words)."""
        if acronym[0] in {w[0].upper() for w in re.findall(r"\w+", candidate.name)}:
            return
        text = self.t.text
        head = self._HEAD_OF.search(text, max(0, occurrence.start - 80), occurrence.start)
        if head is None:
            return
        words = list(re.finditer(r"[A-Z][\w.'-]*", text[head.start() : occurrence.start]))
        starts = [head.start() + w.start() for w in words if w[0][0] == acronym[0]]
        if not starts or not self.free(starts[-1], occurrence.start):
            return
        start = starts[-1]
        if any(self.t.title_before(tok.index) is not None or tok.index in self.t.title_tokens
               for tok in self.t.tokens_in(start, head.end())):  # fmt: skip
            return
        name = text[start : occurrence.end]
        del self.found[candidate.id]
        candidate.id, candidate.name = _slug(name), name
        self.found.setdefault(candidate.id, candidate)
        index = candidate.occurrences.index(occurrence)
        candidate.occurrences[index] = Occurrence(
            start, occurrence.end, name, sentence_at(text, self.t.sentences, start)
        )
        self.taken.add(start, occurrence.start)

    def _person_like(self, first: int, last: int) -> bool:
        """A run of two to four capitalised words (particles between) that could be a
        person's name: no word of a body, agreement, place, office or nationality, not a
        country's name, not initials last."""
        t = self.t
        names = t.tokens[first : last + 1]
        # Particles inside do not count: "Yusuf bin Ali bin Omar" is a name of three words.
        if not 2 <= sum(tok.capitalised for tok in names) <= 4 or len(names) > 7:
            return False
        lowers = {tok.lower for tok in names}
        if lowers & (
            ORGANIZATION_WORDS | AGREEMENT_WORDS | PLACE_WORDS | TITLE_COMPLEMENTS | _NOT_NAMES
        ):
            return False
        # Capitals only: an acronym's ("CIA"), not a middle initial's or a regnal number's
        # ("James T. Lamb III").
        if any(
            tok.lower in DEMONYMS
            or (tok.text.isupper() and not tok.initial and not REGNAL_NUMBER.fullmatch(tok.text))
            for tok in names
        ):
            return False
        if names[-1].initial or any(tok.lower in COUNTRY_NAMES for tok in names):
            return False
        return t.country_at(first) != last

    def _titled_tail(self, first: int, last: int) -> bool:
        """A run that ends with a given name and a surname after the rest of a title: the
        complement of a title before the run ("Minister of | Overseas Trade Marta Lindqvist",
        "Envoy for the | Baltic Region Tomas Berg") or a title's head word in it ("Agency
        Administrator Marta Lindqvist"). The person, titled, is proposed; True when the run
        was read so (the words before the name are the title's, no name of their own)."""
        t = self.t
        tokens = t.tokens
        for k in range(max(first + 1, last - 2), last):
            if folded(tokens[k].text) not in given_names() or not self._person_like(k, last):
                continue
            j = first - 1
            if j >= 0 and tokens[j].lower == "the":
                j -= 1
            complement = j >= 1 and tokens[j].lower in ("of", "for")
            title = t.title_tokens.get(j - 1) if complement else None
            if title is not None and title[1] == j - 1:
                begin = title[0]
            elif tokens[k - 1].lower in TITLE_HEADS:
                begin = first
            else:
                continue
            start, end = t.span(k, last)
            title_text = t.text[tokens[begin].start : tokens[k - 1].end]
            self.add(
                Candidate(_slug(t.text[start:end]), Kind.PERSON, t.text[start:end],
                          "a titled person who is not in the graph",
                          description=title_text, title=title_text),
                start, end,
            )  # fmt: skip
            return True
        return False

    def _byline_title(self, first: int, last: int) -> str | None:
        """A byline's author: a name of two to four words that a line starts with "By"
        ("By Ana Ruiz, Lima Bureau Chief") or that a slash and a title follow to the line's
        end ("Ana Ruiz / Andes Correspondent"). The title after the comma or slash when it
        ends with a title's head word, else ""; None when the run is no byline's name."""
        t = self.t
        if not self._person_like(first, last):
            return None
        start, end = t.span(first, last)
        p_start, p_end = self._paragraph_of(start)
        before, after = t.text[p_start:start], t.text[end:p_end].strip()
        if before == "By ":
            after = after.removeprefix(",").strip() if after.startswith(",") else ""
        elif before or not after.startswith("/"):
            return None
        title = after.removeprefix("/").strip()
        words = title.split()
        return title if 0 < len(words) <= 6 and words[-1].lower() in TITLE_HEADS else ""

    def _given_name_first(self, first: int, last: int) -> bool:
        """A name of two to four words that starts with a given name the historian's records
        know ("Marta Lindqvist", "Tomas Berg-Olsen"): a person, though the text gives no
        title and no verb of speech; not when the graph holds a person of that given name
        (or the one its nickname stands for) and surname ("Princeton N. Lyman")."""
        tokens = self.t.tokens
        given = tokens[first].lower
        if any(
            (g, tokens[last].lower) in self.person_ends for g in (given, *NICKNAMES.get(given, ()))
        ):
            return False  # a person the graph holds under a longer name, no new one
        return self._person_like(first, last) and folded(tokens[first].text) in given_names()

    def _speaker(self, first: int, last: int) -> bool:
        """A name of two to four words that meets or speaks, "Juan Perez said", "Ana Ruiz
        and Luis Campos met in Lima": a person, though untitled."""
        t = self.t
        tokens = t.tokens
        if not self._person_like(first, last):
            return False
        k = last + 1
        if k < len(tokens) and tokens[k].lower == "and" and t.gap(tokens[last], tokens[k]) == " ":
            run = t.run_by_token.get(k + 1)  # "Ana Ruiz and Luis Campos met"
            if run is None or run[0] != k + 1 or not self._person_like(*run):
                return False
            k = run[1] + 1
            last = run[1]
        if k < len(tokens) and tokens[k].lower == "who" and t.gap(tokens[last], tokens[k]) == ", ":
            return True  # "Ana Ruiz, who led the delegation, ..."
        return (
            k < len(tokens)
            and t.gap(tokens[last], tokens[k]) == " "
            and tokens[k].lower in _SPEAKER_VERBS
        )

    def _beside_a_person(self, first: int, last: int) -> str | None:
        """A name of two to four words, after "and" that follows a titled person the text
        names ("Justice Minister Ana Ruiz and Luis Campos will represent Peru"; "Peru's
        President, Ana Ruiz, and Chile's Luis Campos"): another person, of the same standing.
        None if it is not; else the title they share ("Peru's President, …, and Chile's";
        "their foreign ministers, Ana Ruiz and Luis Campos"), or "" when none is said."""
        t = self.t
        tokens = t.tokens
        if first < 2 or not self._person_like(first, last):
            return None
        before = first - 1
        country = tokens[before]
        parallel = False
        if country.possessive and self.kinds_at(country.start) in (Kind.COUNTRY, None):
            # "and El Salvador's Luis Campos": the country's name, then "and"
            while (
                before > 0
                and tokens[before - 1].capitalised
                and t.gap(tokens[before - 1], tokens[before]) == " "
            ):
                before -= 1
            if not _country_name(t.text[tokens[before].start : country.end]):
                return None
            before -= 1
            parallel = True
        if before < 1 or tokens[before].lower != "and":
            return None
        previous = tokens[before - 1]
        titled = [
            (o.start, c.title) for c in self.found.values() if c.kind == Kind.PERSON
            for o in c.occurrences if c.title and o.end == previous.end
        ] + [
            (m.start, m.title) for m in self.mentions
            if m.end == previous.end and m.title and self.kinds.get(m.entity_id) == Kind.PERSON
        ]  # fmt: skip
        if not titled:
            return None
        start, title = titled[0]
        plural = re.search(r"\b(\w+)s,\s*$", t.text[max(0, start - 40) : start])
        if parallel or (plural and folded(plural[1]).endswith(folded(title).split()[-1])):
            return title
        return ""

    def kinds_at(self, offset: int) -> Kind | None:
        """The kind of what is linked at `offset`, if anything is."""
        return next(
            (self.kinds.get(m.entity_id) for m in self.mentions if m.start <= offset < m.end),
            None,
        )

    # A state's formal name: "Republic of Korea", "Democratic People's Republic of Korea",
    # "Kingdom of Saudi Arabia", "Democratic Republic of the Congo".
    _FORMAL_COUNTRY = re.compile(
        r"\b(?:(?:Democratic|People's|Islamic|Federal|Federative|Socialist|Arab|United|"
        r"Bolivarian|Plurinational|Cooperative|Hashemite|Oriental)\s+)*"
        r"(?:Republic|Kingdom|Federation|Sultanate|Principality|Commonwealth)\s+of\s+"
        r"(?:the\s+)?(?P<tail>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})"
    )

    def formal_countries(self) -> None:
        """Countries by their formal names, when the name after "of" is a country's (or
        the last word of one: "Korea" of "North Korea"); the whole name is the candidate,
        not the "Congo" inside it."""
        text = self.t.text
        for match in self._FORMAL_COUNTRY.finditer(text):
            words = match["tail"].split()
            size = next(
                (n for n in range(len(words), 0, -1)
                 if _country_name(" ".join(words[:n])) or words[n - 1].lower() in _LAST_WORDS),
                0,
            )  # fmt: skip
            if size == 0 or (
                size < len(words) and words[size].lower() not in TITLE_HEADS | TITLE_MODIFIERS
            ):
                continue  # "Republic of Korea Navy": a body's name, not the state's
            end = match.start("tail") + len(" ".join(words[:size]))
            if not re.fullmatch(r"\S+(?: \S+)*", text[match.start("tail") : end]):
                continue  # the tail's words are not separated by single spaces
            name = text[match.start() : end]
            short = text[match.start("tail") : end]
            candidate = Candidate(_slug(name), Kind.COUNTRY, name, "a country named in the text")
            if _country_name(short) and self._plain_formal(match):
                # "Republic of the Philippines": the Philippines, by its formal name.
                candidate = Candidate(_slug(short), Kind.COUNTRY, short,
                                      "a country named in the text", aliases=[name])  # fmt: skip
            self.add(candidate, match.start(), end)

    @staticmethod
    def _plain_formal(match: re.Match[str]) -> bool:
        """A formal name without a qualifier before it ("Republic of Korea", not
        "Democratic Republic of the Congo", another state than the Republic of the Congo)."""
        return match.group().split()[0] in ("Republic", "Kingdom", "Federation", "Sultanate",
                                            "Principality", "Commonwealth")  # fmt: skip

    def countries(self) -> None:
        """Countries the graph does not hold, wherever the text names them on their own:
        in the headline ("Travel to Laos, Cambodia, and China"), in a title's complement
        ("Special Representative for Afghanistan and Pakistan") or in a list; never inside a
        longer name ("South China Sea")."""
        t = self.t
        i = 0
        while i < len(t.tokens):
            last = t.country_at(i)
            if last is None:
                i += 1
                continue
            start, end = t.span(i, last)
            name = t.text[start:end]
            if self.free(start, end) and (
                not t.embedded(start, end) or i in t.title_tokens or t.in_headline(start)
            ):
                self.add(
                    Candidate(_slug(name), Kind.COUNTRY, name, "a country named in the text"),
                    start,
                    end,
                )
            i = last + 1

    def lone_surnames(self) -> None:
        """A person proposed by a surname alone ("Foreign Minister Lavrov" in a headline
        or byline) whom the same document names in full, before or after: that person, not
        a second one. The full name is a person proposed (the surname's occurrences join
        it) or one linked (they become mentions of it); two owners of the surname, none."""
        for lone in list(self.found.values()):
            if lone.kind != Kind.PERSON or " " in lone.name or lone.aliases:
                continue
            owners: list[Candidate | str] = [
                c for c in self.found.values()
                if c.kind == Kind.PERSON and c is not lone and lone.name in _surnames(c.name)
            ]  # fmt: skip
            owners += sorted({
                m.entity_id for m in self.mentions
                if self.kinds.get(m.entity_id) == Kind.PERSON and " " in m.text
                and m.text.split()[-1] == lone.name
            })  # fmt: skip
            if len(owners) > 1:
                owners = self._same_title(lone, owners)
            if len(owners) != 1:
                continue
            owner = owners[0]
            del self.found[lone.id]
            if isinstance(owner, Candidate):
                owner.occurrences.extend(lone.occurrences)
                owner.occurrences.sort(key=lambda o: o.start)
                owner.title = owner.title or lone.title
                owner.description = owner.description or lone.description
                for key, value in lone.properties.items():
                    owner.properties.setdefault(key, value)
                continue
            for o in lone.occurrences:
                mention = Mention(owner, o.start, o.end, o.text, self.entity_names[owner],
                                  Method.SURNAME)  # fmt: skip
                self.mentions.append(mention)
                self.held.append(mention)

    @staticmethod
    def _same_title(lone: Candidate, owners: list[Candidate | str]) -> list[Candidate | str]:
        """Of namesakes in one text (a son and his father, "Ambassador Ana Berg" and
        "Senator Ivo Berg"), the ones whose title holds the lone surname's title words
        ("Ambassador Berg"): the text addresses each by the post it gave them. A person
        linked has no title here and stays; one proposed with another title does not."""
        words = {w.lower().rstrip(".") for w in (lone.title or "").split()}
        if not words:
            return []
        return [
            o for o in owners
            if not isinstance(o, Candidate)
            or words <= {w.lower().rstrip(".") for w in (o.title or "").split()}
        ]  # fmt: skip

    def _index_person(self, person: Candidate) -> None:
        for surname in dict.fromkeys(_surnames(person.name)):
            self.by_surname.setdefault(surname, []).append(person)
        if len(person.name.split()) >= 3:
            for space in (i for i, ch in enumerate(person.name) if ch == " "):
                self.by_ending.setdefault(person.name[space + 1 :], []).append(person)

    def _one_owner(self, bucket: list[Candidate], start: int, end: int) -> bool:
        """The one person of `bucket` still proposed and named before `start` takes the
        occurrence at `start`-`end`; none or two (stops at the second), nothing."""
        owners: list[Candidate] = []
        for c in bucket:
            if self.found.get(c.id) is c and c.occurrences and c.occurrences[0].end <= start:
                owners.append(c)
                if len(owners) > 1:
                    return False
        if not owners:
            return False
        self.add(owners[0], start, end)
        return True

    def _surnames_of_candidate(self, first: int, last: int) -> bool:
        """Two surnames ("Ms. Delgado Fuentes" of "Maria Delgado Fuentes") that end the name
        of one person proposed earlier: one more occurrence of that person."""
        start, end = self.t.span(first, last)
        return self._one_owner(self.by_ending.get(self.t.text[start:end], []), start, end)

    def _surname_of_candidate(self, index: int) -> bool:
        """A lone surname ("Campos said"; "Lee" of "Lee Jae-hoon") of a new person proposed
        earlier in the text: one more occurrence of that person, unless two of them share
        it."""
        token = self.t.tokens[index]
        return self._one_owner(self.by_surname.get(token.text, []), token.start, token.end)

    def _organization_around(self, first: int, last: int) -> bool:
        """An organization's full name whose "of" complement names a linked country or
        place ("Ministry of Foreign Affairs of Peru"): still a candidate, as a whole."""
        t = self.t
        words = {tok.lower for tok in t.tokens[first : last + 1]}
        if not words & ORGANIZATION_WORDS or t.tokens[first].lower in ("of", "for"):
            return False
        start, end = t.span(first, last)
        inside = list(self.taken.overlapping(start, end))
        return all(
            start < s and e <= end
            and any(m.start == s and self.kinds.get(m.entity_id) in (Kind.COUNTRY, Kind.PLACE)
                    for m in self.mentions)
            for s, e in inside
        )  # fmt: skip

    def _before_parties(self, first: int, last: int) -> int:
        """An agreement's name ends before the parties it is "between": "the Agreement on
        Fisheries | between the United States and the Republic of Korea"."""
        tokens = self.t.tokens
        for i in range(first + 1, last + 1):
            if (
                tokens[i].lower == "between"
                and tokens[i - 1].lower not in FUNCTION_WORDS
                and {tok.lower for tok in tokens[first:i]} & AGREEMENT_WORDS
            ):
                return i - 1
        return last

    def _after_place_preposition(self, first: int, last: int) -> bool:
        """A name after "in", "to", "from", "near" or "at the" ("at the Vatican")."""
        t = self.t
        tokens = t.tokens
        before = first - 1
        if before > 0 and tokens[before].lower == "the" and tokens[before - 1].lower == "at":
            before -= 1
        elif before >= 0 and tokens[before].lower in ("visited", "toured"):
            pass  # "the President visited Bariloche"
        elif before >= 0 and tokens[before].lower in _DEPARTS:
            pass  # "departs Lilongwe for ..."
        elif before > 0 and tokens[before].lower == "for" and self._departed(before):
            pass  # "... departs Lilongwe for Blantyre"
        elif before > 0 and tokens[before].lower == "of" and tokens[before - 1].lower in _PLACES_OF:
            before -= 1  # "the regions of Donetsk and Luhansk", "the city of Aleppo"
        elif before > 0 and tokens[before].lower == "and" and self._place_ends(before - 1):
            # "around Sirte and Bani Walid,", "to Bogota and Caracas and to ...": a list of
            # places, closed by punctuation or a small word; "in Lima and Ana Ruiz came": no.
            closed = (
                last + 1 >= len(tokens)
                or t.gap(tokens[last], tokens[last + 1]) != " "
                or tokens[last + 1].lower in FUNCTION_WORDS
            )
            return closed and t.gap(tokens[before], tokens[first]) == " "
        elif (
            before > 0 and tokens[before].lower == "to" and tokens[before - 1].lower in _TO_SOMEONE
        ):
            return False  # "loyal to Muammar Qadhafi": a person
        elif before >= 0 and tokens[before].lower in ("around", "through"):
            if tokens[first].text.isupper() or any(
                tok.lower in COUNTRY_NAMES for tok in tokens[first : last + 1]
            ):
                return False  # "through USAID", "through Peace Colombia": a body, a program
        elif before >= 0 and tokens[before].lower == "at":
            if tokens[first].text.isupper():
                return False  # "at NATO", "at ASEAN": a body
        elif before < 0 or tokens[before].lower not in ("in", "to", "from", "near"):
            return False
        elif before > 0 and tokens[before].lower == "to" and self._inside_a_name(before - 1):
            # "Pathways to Prosperity in the Americas": words of a name ("the Embassy in
            # Rabat", "the NATO Summit in Newport" are places)
            return False
        return all(t.gap(tokens[i], tokens[i + 1]) == " " for i in range(before, first))

    def _inside_a_name(self, k: int) -> bool:
        """Whether token k, before "to", is a capitalised word of a longer name
        nothing else took: not the first of a sentence, a day, a month or a title, nor a
        name linked or proposed ("Ana Ruiz | to Lima")."""
        token = self.t.tokens[k]
        return (
            token.capitalised
            and not token.text.isupper()  # "the TNC in Benghazi": an acronym, then a place
            and token.lower not in TITLE_HEADS  # "welcomed the President to Brussels"
            and not any(a == token.start for a, _ in self.t.sentences)
            and token.lower.rstrip(".") not in WEEKDAYS | MONTHS.keys()
            and self.free(token.start, token.end)
        )

    def _departed(self, k: int) -> bool:
        """Whether the "for" at token k follows a place left: "departs Lilongwe | for"."""
        tokens = self.t.tokens
        j = k - 1
        if j > 0 and tokens[j].lower in DAYS_FROM_DOCUMENT:
            j -= 1  # "leaves Dakar today for Pretoria"
        top = j
        while j >= 0 and tokens[j].capitalised and self.t.gap(tokens[j], tokens[j + 1]) == " ":
            j -= 1
        return 0 <= j < top and tokens[j].lower in _DEPARTS

    def _place_ends(self, index: int) -> bool:
        """Whether token `index` ends a place linked or proposed."""
        end = self.t.tokens[index].end
        return any(
            c.kind == Kind.PLACE and o.end == end
            for c in self.found.values() for o in c.occurrences
        ) or any(
            m.end == end and self.kinds.get(m.entity_id) == Kind.PLACE for m in self.mentions
        )  # fmt: skip

    def _known_by_title(self, title: tuple[int, int], first: int, last: int) -> bool:
        """A sovereign's or prelate's title just before a single given name (a regnal
        number may follow): "Pope Francis", "King Abdullah II", "Sheikh Tamim"."""
        tokens = self.t.tokens
        given = [tok for tok in tokens[first : last + 1] if not REGNAL_NUMBER.fullmatch(tok.text)]
        return (
            tokens[title[1]].lower in KNOWN_BY_TITLE
            and len(given) == 1
            and self.t.title_before(first) == title
        )

    def _lower_case_title(self, first: int, last: int) -> str | None:
        """A title in lower case, as editorials write them, around a name of two words or
        more: before it ("India's foreign secretary Arvind Mehra", "the UK envoy, Sally
        Axworthy") or after it ("Sally Axworthy, the British ambassador,"); the office's
        head word is needed ("envoy", "minister"), with its modifiers ("deputy foreign")."""
        t = self.t
        tokens = t.tokens
        if last == first:
            return None

        def office(head: int) -> str | None:
            if not (0 <= head < len(tokens)) or tokens[head].capitalised:
                return None
            word = tokens[head].lower
            # "their foreign ministers, Ana Ruiz and Luis Campos": each one's office
            heads = TITLE_HEADS | _LOWER_CASE_HEADS
            plural = word.endswith("s") and word[:-1] in heads and word not in heads
            if (word not in heads and not plural) or word in HONORIFICS:
                return None
            begin = head
            while (
                begin > 0
                and t.gap(tokens[begin - 1], tokens[begin]) == " "
                and not tokens[begin - 1].capitalised
                and tokens[begin - 1].lower in TITLE_MODIFIERS | TITLE_HEADS
            ):
                begin -= 1
            return t.text[tokens[begin].start : tokens[head].end - plural]

        if first > 0 and t.gap(tokens[first - 1], tokens[first]).strip() in ("", ","):
            before = office(first - 1)
            if before is not None:
                return before
        k = last + 1
        if k >= len(tokens) or t.gap(tokens[last], tokens[k]).strip() != ",":
            return None
        if tokens[k].lower in ("the", "a", "an"):
            k += 1
        for _ in range(2):  # "the British ambassador", "India's foreign secretary"
            if k < len(tokens) and tokens[k].capitalised and tokens[k].lower not in TITLE_HEADS:
                k += 1
        while k < len(tokens) and not tokens[k].capitalised and tokens[k].lower in TITLE_MODIFIERS:
            k += 1
        closed = k + 1 >= len(tokens) or t.gap(tokens[k], tokens[k + 1]) != " "
        return office(k) if closed else None

    def _full_name_before(self, index: int) -> tuple[int, int] | None:
        """The span of the one untitled name of two to four words, earlier in the text and
        not linked, that ends with the word at `index` (a surname), if there is one."""
        t = self.t
        word = t.tokens[index].text
        spans = {
            t.span(f, la) for f, la in t.name_runs()
            if t.tokens[la].index < index and 1 <= la - f <= 3 and t.tokens[la].text == word
            and not {tok.lower for tok in t.tokens[f : la + 1]} & ORGANIZATION_WORDS
            and self.free(*t.span(f, la))
        }  # fmt: skip
        return spans.pop() if len(spans) == 1 else None

    def _title_then_comma(self, first: int, last: int) -> tuple[int, int] | None:
        """ "Minister of Trade, Anna Berg": a title, a comma, then a name of two words or
        more (a single word after a title and comma is too often not a name)."""
        t = self.t
        if first == 0 or last == first:
            return None
        before = t.title_tokens.get(first - 1)
        if before is None or before[1] != first - 1:
            return None
        if t.gap(t.tokens[first - 1], t.tokens[first]).strip() != ",":
            return None
        return before

    def _adjective(self, first: int, last: int) -> bool:
        """A one-word name directly followed by a lower-case noun is an adjective there
        ("to Peruvian officials"), not a place."""
        tokens = self.t.tokens
        nxt = last + 1
        return (
            first == last
            and nxt < len(tokens)
            and self.t.gap(tokens[last], tokens[nxt]) == " "
            and tokens[nxt].text.islower()
            and tokens[nxt].lower not in FUNCTION_WORDS
            and bool(re.search(r"(?:an|ian|ese|ish|ic|i)$", tokens[first].text))
        )

    def _appositive_title(self, last: int, first: int | None = None) -> str | None:
        """', Assistant Secretary of State' just after a name; after a full name (`first`
        to `last`, two words or more) also with the country's possessive, a nationality
        or "the" before the title (", Norway's Minister of Trade,", ", the Foreign
        Minister of Malawi."), when a comma or the sentence's end closes the title."""
        t = self.t
        tokens = t.tokens
        nxt = last + 1
        if nxt >= len(tokens):
            return None
        gap = t.gap(tokens[last], tokens[nxt])
        # A byline on two lines: the name alone in its paragraph, the title below it.
        alone = (
            "\n" in gap
            and first is not None
            and self._paragraph_of(tokens[first].start) == (tokens[first].start, tokens[last].end)
        )
        if gap.strip() != "," and not alone:
            return None
        starts = self._title_starts(nxt) if first is not None and last > first else [nxt]
        run = next(
            (r for k in starts if (r := t.title_tokens.get(k)) is not None and r[0] == k), None
        )
        if run is None:
            return None
        after = run[1] + 1
        if (
            after < len(tokens)
            and t.gap(tokens[run[1]], tokens[after]) == " "
            and t._chunkable(tokens[after])
        ):
            return None  # "Today in Mombasa, Foreign Minister Ann Obi": Obi's title
        if run[0] != nxt:
            closing = t.gap(tokens[run[1]], tokens[after])[:1] if after < len(tokens) else "."
            if (
                first is None
                or closing not in (",", ".", ";", ")")
                or self._after_place_preposition(first, last)
            ):
                return None  # "In Mombasa, the Foreign Minister said": no appositive
        return t.text[tokens[run[0]].start : tokens[run[1]].end]

    def _rank_only(self, title: tuple[int, int]) -> bool:
        """A title that is only a rank or a form of address ("Ambassador", "Rear Admiral",
        "Dr."), no post: a post given after the name says more."""
        return all(tok.lower in _RANKS for tok in self.t.tokens[title[0] : title[1] + 1])

    def _title_starts(self, k: int) -> list[int]:
        """Where an appositive's title may start after its comma at token k: there, or
        after "the", a nationality or a country's possessive ("Norway's")."""
        t = self.t
        tokens = t.tokens
        starts = [k]
        step = k
        # "the Foreign Minister", "its Minister of Environment" (the country named before)
        if tokens[step].lower in ("the", "its", "their") and step + 1 < len(tokens):
            step += 1
            starts.append(step)
        country = t.country_at(step)
        # "the Croatian Ambassador": a nationality, listed or shaped like one.
        word = tokens[step]
        nationality = word.capitalised and re.search(r"(?:an|ese|ish|i)$", word.text) is not None
        if tokens[step].lower in DEMONYMS or tokens[step].lower == "u.s." or nationality:
            starts.append(step + 1)
        elif country is not None and tokens[country].possessive:
            starts.append(country + 1)
        return starts

    def _date_spans(self) -> list[tuple[int, int]]:
        months = MONTH_NAMES
        numbers = "|".join(NUMBER_WORDS)
        weekdays = "|".join(sorted(WEEKDAY_NUMBERS))
        patterns = [
            rf"\b(?P<d>(?:{months})\s+\d{{1,2}},?\s+\d{{4}})\b",
            rf"\b(?P<d>\d{{1,2}}\s+(?:{months})\s+\d{{4}})\b",
            rf"\b(?P<d>(?:{months})\s+(?:of\s+)?\d{{4}})\b",
            rf"\b(?P<d>(?:\d+|{numbers})\s+(?:years?|months?)\s+ago)\b",
            rf"\b(?P<d>(?:last|this|next)\s+(?:year|month|spring|summer|fall|autumn|{months}))\b",
            rf"\b(?:in|since|until|by|from)\s+(?P<d>{months})\b",
            r"(?<![\d,.$-])\b(?P<d>(?:1[89]|20)\d\d)\b(?![\d,]|-\d)",
            # year-less: "Thursday, January 9", "November 30", "on Tuesday"; before a range
            # of days the weekday is the range's last day's ("Thursday and Friday,
            # September 4-5"), not the first's: the first day alone
            rf"\b(?P<d>(?:(?:{weekdays}),?\s+(?=(?:{months})\s+\d{{1,2}}\b(?![-\u2013]\d)))?"
            rf"(?:{months})\s+\d{{1,2}})\b(?!,?\s+\d{{4}})",
            rf"\b(?:on|last|this|next)\s+(?P<d>{weekdays})\b",
            rf"\b(?P<d>{'|'.join(DAYS_FROM_DOCUMENT)})\b",
            _SAME_DAY.pattern,
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
        # The dateline's date dates the document, not what the text reports.
        datelines = Spans(dateline_spans(self.t.text))
        chosen: list[tuple[int, int]] = []
        for start, end in spans:
            if datelines.overlaps(start, end):
                continue
            if not chosen or start >= chosen[-1][1]:
                chosen.append((start, end))
        return chosen

    def dates(self) -> None:
        """Dates in a sentence about a meeting propose a Meeting (place, participants,
        date); dates next to an event noun ("the release of ...") an Event named after
        it; other dates propose nothing (a clause is no event's name)."""
        text = self.t.text
        spans = self._date_spans()
        previous: tuple[str | None, str | None] | None = None
        for start, end in spans:
            if self.t.in_headline(start) or not self.free(start, end):
                continue
            s_start, s_end = next(
                ((s, e) for s, e in self.t.sentences if s <= start < e), (0, len(text))
            )
            sentence = text[s_start:s_end]
            if self._dated_happening(start, end, s_start, s_end, text[start:end]):
                continue
            if not self._nearest_a_meeting_word((start, end), s_start, s_end, spans):
                continue
            words = {w.lower() for w in re.findall(r"[\w-]+", _NOT_MET.sub(" ", sentence))}
            expression = text[start:end]
            future = self._future(start, end, s_start, s_end)
            if _SAME_DAY.fullmatch(expression):
                # "Earlier that day": the day the text last named.
                if previous is None:
                    continue
                value, basis = previous
            else:
                value, basis = self._resolve(expression, future)
            if value is not None and len(value) == 10:
                previous = (value, basis)
            date = FuzzyDate(value=value, basis=basis) if value else None
            if date is not None and self.doc.date is not None:
                future = future or date.start > self.doc.date.end  # not held yet, whatever
            if words & MEETING_WORDS or _PRESENT_IN.search(sentence) or _CALLED_ON.search(sentence):
                if self._background(start, end, s_start, s_end, date):
                    continue
                self._meeting(s_start, s_end, start, end, expression, date, planned=future)
            elif words & EVENT_NOUNS:
                self._event(s_start, s_end, start, end, expression, date)

    # "the parliamentary elections of October 10", "elections held in January", "yesterday's
    # earthquake": the date of something that happened, next to its noun.
    _HAPPENED_BEFORE = re.compile(
        r"(?P<np>(?:(?:[a-z][\w-]*|[A-Z][a-z]+(?:an|ese|ish|i))\s+){0,2}(?P<noun>[a-z][\w-]*))\s+"
        r"(?:(?:held|due|scheduled|set|planned|expected)\s+)?(?:of|on|in|for)\s+$"
    )
    _HAPPENED_AFTER = re.compile(r"(?:[\u2019']s?)?(?P<np>(?:\s+[a-z][\w-]*){1,3})")

    def _dated_happening(
        self, start: int, end: int, s_start: int, s_end: int, expression: str
    ) -> bool:
        """A date that is an event's, not a meeting's, though the sentence tells of a
        meeting ("discussed the parliamentary elections of October 10"): an Event named
        after its noun phrase (with the country the sentence names before it, for a bare
        noun: "Earthquake in Chile"). True when the date was the event's."""
        text = self.t.text
        before = self._HAPPENED_BEFORE.search(text, max(s_start, start - 60), start)
        after = self._HAPPENED_AFTER.match(text, end, s_end)
        if before is not None and before["noun"].lower() in HAPPENINGS:
            lead = text[max(s_start, before.start("noun") - 30) : before.start("noun")]
            if re.search(r"\bfrom\s+(?:\S+\s+)?$", lead):
                return False  # "released from house arrest in November": the release's
            words = before["np"].split()
        elif after is not None and set(after["np"].lower().split()) & HAPPENINGS:
            words = after["np"].split()
            words = words[: 1 + next(i for i, w in enumerate(words) if w.lower() in HAPPENINGS)]
            if {w.lower() for w in words} & FUNCTION_WORDS:
                return False  # "met on Monday after the attack": the meeting's day
        else:
            return False
        while words[0].lower() in FUNCTION_WORDS | {"last", "this", "next", "recent"}:
            words = words[1:]
        name = " ".join(words)
        if len(words) == 1:
            # The country the sentence named before it: "help Chile recover from yesterday's
            # earthquake"; a bare "the May 4 election" names no event.
            countries = [(start - m.start, self.entity_names.get(m.entity_id, m.text))
                         for m in self._in_sentence(s_start, start)
                         if self.kinds.get(m.entity_id) == Kind.COUNTRY]  # fmt: skip
            if not countries:
                return True
            name = f"{name} in {min(countries)[1]}"
        due = before is not None and re.search(r"\b(?:due|scheduled|set|planned|expected)\b",
                                               before.group())  # fmt: skip
        value, basis = self._resolve(expression, future=bool(due))
        date = FuzzyDate(value=value, basis=basis) if value else None
        if date is None or date.precision == Precision.YEAR:
            return True  # "the election due in 2016": too loose a date to name an event by
        name = name[0].upper() + name[1:]
        self.add(
            Candidate(_slug(name), Kind.EVENT, name, "an event with a date: check its name "
                      "and date", date=date, date_text=expression),
            start, end,
        )  # fmt: skip
        return True

    def _background(
        self, start: int, end: int, s_start: int, s_end: int, date: FuzzyDate | None
    ) -> bool:
        """A date in a sentence about a meeting that is not the meeting's: a reference
        point ("the first visit since 1958"); a date in a clause of its own that names no
        meeting ("the Partnership, which the presidents launched in July 2013"); a year or
        month long past, written out, far from the meeting word ("The meeting marked the
        anniversary of the normalization of relations in July 1995")."""
        text = self.t.text
        # "since 1958", "since the revolution began in February": a point of reference,
        # unless what began then is a meeting ("since the talks resumed in July 2009").
        since = re.search(r"\bsince\b(?P<rest>[^,;:()]*)$", text[s_start:start], re.I)
        if since and not {w.lower() for w in _WORD.findall(since["rest"])} & MEETING_WORDS:
            return True
        relative = list(_RELATIVE_CLAUSE.finditer(text, s_start, start))
        antecedent = _WORD.findall(text, s_start, relative[-1].start()) if relative else []
        # "The talks, which began on Monday": the clause is the meeting's own.
        if (
            relative
            and relative[-1]["pronoun"]
            and antecedent[-1:] != []
            and (antecedent[-1].lower() not in MEETING_WORDS)
        ):
            after = _CLAUSE_END.search(text, end, s_end)
            clause = text[relative[-1].end() : after.start() if after else s_end]
            if not {w.lower() for w in _WORD.findall(clause)} & MEETING_WORDS:
                return True
        if date is None or date.basis is not None or date.precision == Precision.DAY:
            return False
        if self.doc.date is None or (self.doc.date.start - date.end).days < 365:
            return False
        before = _WORD.findall(text, max(s_start, start - 80), start)[-8:]
        after_words = _WORD.findall(text, end, min(s_end, end + 80))[:8]
        return not {w.lower() for w in before + after_words} & MEETING_WORDS

    def _future(self, start: int, end: int, s_start: int, s_end: int) -> bool:
        """Whether the date at [start, end) is spoken of in the future ("will meet again in
        September", "the next round is planned for May 4", "said the talks would resume on
        Friday"): the tense word nearest before the date in its clause decides, else the
        first one after it, else the first of the sentence; a past verb ("met", "began",
        "hosted") before it makes it past. "The talks, which began on Monday, will continue
        on Friday": Monday past, Friday future."""
        text = self.t.text
        bounds = [m.end() for m in _CLAUSE_END.finditer(text, s_start, start)]
        c_start = max(bounds, default=s_start)
        after = _CLAUSE_END.search(text, end, s_end)
        c_end = after.start() if after else s_end
        before = _WORD.findall(text, c_start, start)
        # "agreed to meet again in Hanoi in March": a meeting agreed on, still to come,
        # whatever the tense of the verb that agreed it.
        for i in range(len(before) - 1, 0, -1):
            if _tense(before[i]) is False:
                break
            if before[i].lower() in _TO_COME and before[i - 1].lower() == "to":
                return True
        for words in (
            reversed(before),
            _WORD.findall(text, end, c_end),
            _WORD.findall(text, s_start, s_end),
        ):
            for word in words:
                tense = _tense(word)
                if tense is not None:
                    return tense
        return False

    def _nearest_a_meeting_word(
        self, span: tuple[int, int], s_start: int, s_end: int, spans: Sequence[tuple[int, int]]
    ) -> bool:
        """In a sentence with several dates, only the one nearest a meeting word is the
        meeting's: "told reporters yesterday that the sides would meet on March 10". True
        when the sentence has one date, or no meeting word."""
        others = [o for o in spans if s_start <= o[0] < s_end and o != span]
        if not others:
            return True
        words = [m.span() for m in re.finditer(r"[\w-]+", self.t.text[s_start:s_end])
                 if m.group().lower() in MEETING_WORDS]  # fmt: skip
        if not words:
            return True
        # "..., and in Guatemala City she will meet the President on Friday": a clause of its
        # own with a meeting word and no other date.
        bounds = [m.end() for m in _CLAUSE_END.finditer(self.t.text, s_start, span[0])]
        after = _CLAUSE_END.search(self.t.text, span[1], s_end)
        c_start, c_end = max(bounds, default=s_start), after.start() if after else s_end
        if not any(c_start <= o[0] < c_end for o in others) and any(
            c_start <= s_start + a and s_start + b <= c_end for a, b in words
        ):
            return True

        def distance(date: tuple[int, int], word: tuple[int, int]) -> int:
            a, b = date[0] - s_start, date[1] - s_start
            return max(word[0] - b, a - word[1], 0)

        return any(all(distance(span, w) <= distance(o, w) for o in others) for w in words)

    def _in_sentence(self, s_start: int, s_end: int) -> list[Mention]:
        return [m for m in self.mentions if s_start <= m.start < s_end]

    def _meeting(
        self, s_start: int, s_end: int, start: int, end: int, expression: str,
        date: FuzzyDate | None, planned: bool = False,
    ) -> None:  # fmt: skip
        """A Meeting candidate; `planned`, one the text announces for later: proposed as a
        planned meeting (`status: planned`), never as one held, nor as a mention of one the
        graph holds."""
        place = (
            self._country_visited(s_start, start, dated=True)
            or self._place_in(s_start, s_end, near=start)
            or self._country_visited(s_start, s_end)
            or self._place_before(s_start)
        )
        participants = self._participants_in(s_start, s_end)
        if not participants and _BOTH_SIDES.search(self.t.text, s_start, s_end):
            # "the delegations met": the delegations the paragraph (else the text) names
            p_start, p_end = self._paragraph_of(s_start)
            participants = self._delegations_in(p_start, p_end) or self._delegations_in(
                0, len(self.t.text)
            )
        # "Earlier that day the Secretary met ...": a side meeting of a day the text dated
        # before; its day and place are no evidence that it is the meeting the graph holds.
        same_day = _SAME_DAY.fullmatch(expression) is not None
        # Stops of a trip announced ahead, nearest the date first: "travels to Djibouti to
        # meet the President and to visit Camp Lemonnier, and then to Riyadh".
        stops = [m.entity_id for m in sorted(self._in_sentence(s_start, s_end),
                                             key=lambda m: abs(m.start - start))
                 if self.kinds.get(m.entity_id) in (Kind.PLACE, Kind.COUNTRY)]  # fmt: skip
        # "Later that day she will travel to Buenos Aires": a stop of its own, named there.
        if same_day and planned and place in stops:
            same_day = False
        known = None if same_day else self._meeting_held(date, place, planned, participants, stops)
        if known is not None and self.free(start, end):
            self.taken.add(start, end)
            text = self.t.text[start:end]
            self.held.append(
                Mention(known, start, end, text, self.entity_names[known], Method.HELD)
            )
            return
        when = date.value if date is not None else expression
        label = self.entity_names.get(place, place) if place else None
        noun = "Planned meeting" if planned else "Meeting"
        name = f"{noun} in {label}, {when}" if label else f"{noun}, {when}"
        # Per document: two texts' meetings of one day are two candidates, and accepting
        # one never takes the other's id ("meeting-2016-10-13-<document id>").
        key = f"{noun}-{when}"
        existing = self.found.get(self._meeting_id(key))
        if existing is not None and self._other_meeting(existing, participants, s_start):
            # "... met in Tunis on Friday. Earlier that day the Secretary called on President
            # Ana Ruiz": each side has someone the other has not: another meeting that day.
            key = f"{key}-{participants[0]}"
            name = (
                f"{noun} with {participants[0]}" + (f" in {label}" if label else "") + f", {when}"
            )
            existing = self.found.get(self._meeting_id(key))
        if existing is not None:
            for p in participants:
                if p not in existing.participants:
                    existing.participants.append(p)
            existing.place = existing.place or place
        reason = "a meeting in a dated sentence: check its place and participants"
        if planned:
            reason = "a meeting the text announces for later (planned, not held): check it"
        self.add(
            Candidate(self._meeting_id(key), Kind.MEETING, name, reason,
                      date=date, date_text=expression, place=place,
                      participants=list(dict.fromkeys(participants)),
                      properties={"status": "planned"} if planned else {}),
            start, end,
        )  # fmt: skip

    def _meeting_id(self, key: str) -> str:
        return _slug(f"{_slug(key)}-{self.doc.id}")

    def _other_meeting(self, existing: Candidate, participants: list[str], s_start: int) -> bool:
        """Whether a dated meeting sentence at `s_start` tells of another meeting than
        `existing` on the same day: told in another sentence, and each names a participant
        the other does not."""
        if not participants or not existing.participants:
            return False
        if any(o.start >= s_start and o.start < s_start + 1 for o in existing.occurrences):
            return False
        sentence = next(((a, b) for a, b in self.t.sentences if a <= s_start < b), None)
        if sentence is not None and any(sentence[0] <= o.start < sentence[1]
                                        for o in existing.occurrences):  # fmt: skip
            return False
        ours, theirs = set(participants), set(existing.participants)
        return bool(ours - theirs) and bool(theirs - ours)

    def _meeting_held(
        self,
        date: FuzzyDate | None,
        place: str | None,
        planned: bool = False,
        participants: Sequence[str] = (),
        stops: Sequence[str] = (),
    ) -> str | None:
        """The one meeting the graph holds on that day in that place (a linked place) that
        someone the text names attended: a capital hosts several meetings a day. A meeting
        the text announces (`planned`) is one the graph holds only in the place it names,
        or, when that is no place the graph holds, in the stop its sentence names nearest
        the date (`stops`)."""
        if date is not None and date.precision == Precision.MONTH and not planned:
            return self._held_that_month(date, place, participants)
        if date is None or date.precision != Precision.DAY:
            return None
        day = date.start
        named = {m.entity_id for m in self.mentions}
        where = {m.entity_id for m in self.mentions
                 if self.kinds.get(m.entity_id) in (Kind.PLACE, Kind.COUNTRY)}  # fmt: skip
        on_day = [(i, places, attendees, documents)
                  for i, (first, last), places, attendees, documents in self.meetings
                  if first <= day <= last]  # fmt: skip
        if planned:
            ahead = [i for i, places, attendees, _ in on_day
                     if place in places and attendees & named]  # fmt: skip
            for stop in stops if place not in self.kinds else ():
                if ahead:
                    break
                ahead = [i for i, places, attendees, _ in on_day
                         if stop in places and attendees & named]  # fmt: skip
            return ahead[0] if len(ahead) == 1 else None
        # A place the graph does not hold ("the White House", a palace) or none: a meeting
        # that someone the sentence names attended, or somewhere the text names at all; a
        # meeting the graph holds with no place (one accepted from a review file, where the
        # analyst kept who attended) fits any.
        present = set(participants)
        held = [i for i, places, attendees, _ in on_day if attendees & named
                and (place in places or not places
                     or (place not in self.kinds
                         and (attendees & present or places & where)))]  # fmt: skip
        if len(held) == 1:
            return held[0]
        if held:
            return self._one_occasion(held, on_day, participants)
        # A foreign leader's visit the historian records, whose visitor the text names (a
        # person proposed here: the visitor is no resolved person in the graph).
        visitors = {"-" + _slug(c.name) for c in self.found.values() if c.kind == Kind.PERSON}
        visits = [i for i, _, attendees, _ in on_day
                  if any(a.endswith(v) for a in attendees for v in visitors)]  # fmt: skip
        if len(visits) == 1:
            return visits[0]
        # A meeting accepted from this very document, on that day: the one it reports.
        cited = [i for i, places, _, documents in on_day if self.doc.id in documents
                 and (place in places or not places or place not in self.kinds)]  # fmt: skip
        return cited[0] if not visits and len(cited) == 1 else None

    def _held_that_month(
        self, date: FuzzyDate, place: str | None, participants: Sequence[str]
    ) -> str | None:
        """A meeting the text dates only by its month ("visited Toluca last February", "at
        the White House late last month"): the one record of that month that is certainly
        it. Someone the sentence names attended it in the place the sentence names, or a
        visitor the sentence names (a person proposed here) made it to a place the sentence
        does not contradict. A month holds many trips of one traveller, so a traveller
        alone, without the place, links nothing."""
        first, last = date.start, date.end
        in_month = [(i, places, attendees) for i, (a, b), places, attendees, _ in self.meetings
                    if a <= last and b >= first]  # fmt: skip
        present = set(participants)
        there = [i for i, places, attendees in in_month if place in places and attendees & present]
        if there:
            return there[0] if len(there) == 1 else None
        if place in self.kinds and not any(place in places for _, places, _ in in_month):
            return None  # a place the graph holds that no record of the month has
        visitors = {"-" + _slug(c.name) for c in self.found.values()
                    if c.kind == Kind.PERSON and c.name in present}  # fmt: skip
        visits = [i for i, places, attendees in in_month
                  if (place is None or place not in self.kinds or place in places)
                  and any(a.endswith(v) for a in attendees for v in visitors)]  # fmt: skip
        return visits[0] if len(visits) == 1 else None

    def _one_occasion(
        self,
        held: list[str],
        on_day: list[tuple[str, set[str], set[str], set[str]]],
        participants: Sequence[str],
    ) -> str | None:
        """Records of one place that day, each of another traveller the text names (the
        President's and the Secretary's who went with him): one occasion, seen by each.
        The record of someone the meeting's sentence names stands for it, else the one
        of whoever the text names first; records sharing an attendee are two meetings."""
        records = [(places, attendees) for i, places, attendees, _ in on_day if i in held]
        first_places = records[0][0]
        everyone = [a for _, attendees in records for a in attendees]
        if (
            not first_places
            or len(everyone) != len(set(everyone))
            or any(places != first_places for places, _ in records)
        ):
            return None
        order = {m.entity_id: m.start for m in sorted(self.mentions, key=lambda m: -m.start)}
        ranked = sorted(
            held,
            key=lambda i: min(
                (0 if a in participants else 1, order.get(a, len(self.t.text)))
                for a in next(att for j, _, att, _ in on_day if j == i)
            ),
        )
        return ranked[0]

    def _paragraph_of(self, offset: int) -> tuple[int, int]:
        return next(
            ((a, b) for a, b in paragraph_spans(self.t.text) if a <= offset <= b),
            (0, len(self.t.text)),
        )

    def _place_in(self, start: int, end: int, near: int | None = None) -> str | None:
        """The place linked, else proposed, first in [start, end); with `near`, the one
        nearest that offset ("in New Delhi ... meet again in Washington on March 10")."""
        linked = [(m.start, m.entity_id) for m in self.mentions if start <= m.start < end
                  and self.kinds.get(m.entity_id) == Kind.PLACE]  # fmt: skip
        proposed = [(o.start, c.name) for c in self.found.values() if c.kind == Kind.PLACE
                    for o in c.occurrences if start <= o.start < end]  # fmt: skip
        if near is not None and linked + proposed:
            # "left Lusaka on Saturday for Dar es Salaam": not the place left; "In San José
            # ... on Thursday, and in Guatemala City ... on Friday": the date's own clause.
            places = [p for p in linked + proposed if not self._left(p[0])] or linked + proposed
            bounds = [m.end() for m in _CLAUSE_END.finditer(self.t.text, start, near)]
            after = _CLAUSE_END.search(self.t.text, near, end)
            c_start, c_end = max(bounds, default=start), after.start() if after else end
            clause = [p for p in places if c_start <= p[0] < c_end]
            return min(clause or places, key=lambda p: abs(p[0] - near))[1]
        return min(linked)[1] if linked else min(proposed)[1] if proposed else None

    def _left(self, offset: int) -> bool:
        """Whether the place at `offset` is one the sentence says someone left."""
        words = _WORD.findall(self.t.text, max(0, offset - 12), offset)
        return bool(words) and words[-1].lower() in _DEPARTS

    _VISITED = re.compile(r"\b(?:visit(?:ed|s|ing)?|arrived\s+in|was\s+in|visit\s+to)\s+$")

    _DATED_NEXT = re.compile(r"\s*,?\s*(?:on\s+|this\s+|early\s+|late\s+)?")

    def _country_visited(self, start: int, end: int, dated: bool = False) -> str | None:
        """A sentence that names no city: the country someone visited or arrived in
        ("visited Singapore today"), its place. `dated`: only one the date expression
        at `end` follows ("visited Malawi on Monday, after stops in Lusaka"): that day's
        place, before any city the sentence names."""
        text = self.t.text
        return next(
            (m.entity_id for m in self.mentions if start <= m.start < end
             and self.kinds.get(m.entity_id) == Kind.COUNTRY
             and self._VISITED.search(text, max(start, m.start - 20), m.start)
             and (not dated or self._DATED_NEXT.fullmatch(text, m.end, end) is not None)),
            None,
        )  # fmt: skip

    def _place_before(self, offset: int) -> str | None:
        """A meeting's place its own sentence does not give: the last place linked earlier
        in the paragraph ("talks in Hanoi. On Tuesday the delegations met"), else the one
        the headline names ("... Hold Talks in Hanoi")."""
        p_start, _ = self._paragraph_of(offset)
        linked = [m for m in self.mentions if p_start <= m.start < offset
                  and self.kinds.get(m.entity_id) == Kind.PLACE]  # fmt: skip
        if linked:
            return linked[-1].entity_id
        proposed = [(o.start, c.name) for c in self.found.values() if c.kind == Kind.PLACE
                    for o in c.occurrences if p_start <= o.start < offset]  # fmt: skip
        if proposed:
            return max(proposed)[1]
        headline = next(((a, b) for a, b in self.t.headlines if a == 0), None)
        return self._place_in(*headline) if headline else None

    def _participants_in(self, start: int, end: int) -> list[str]:
        """People, delegations and organizations linked or proposed in [start, end)."""
        linked = [
            m.entity_id for m in self.mentions if start <= m.start < end
            and self.kinds.get(m.entity_id) in (Kind.PERSON, Kind.DELEGATION, Kind.ORGANIZATION)
        ]  # fmt: skip
        proposed = [
            c.name for c in self.found.values() if c.kind in (Kind.PERSON, Kind.DELEGATION)
            and any(start <= o.start < end for o in c.occurrences)
        ]  # fmt: skip
        return linked + proposed

    def _delegations_in(self, start: int, end: int) -> list[str]:
        return [
            c.name for c in self.found.values() if c.kind == Kind.DELEGATION
            and any(start <= o.start < end for o in c.occurrences)
        ]  # fmt: skip

    _EVENT = re.compile(
        r"\b(?P<noun>[\w-]+)(?:\s+(?:on|in)\s+[A-Z][a-z]+(?:\s+\d{1,2})?(?:,\s+\d{4})?)?"
        r"(?:\s+of\s+(?:the\s+)?(?P<what>(?:[A-Z][\w.'-]*\s?){1,5}))?"
    )

    def _named_at(self, offset: int) -> str | None:
        """The full name of what is linked or proposed at `offset` ("the Protocol on the
        Southern Ice Fields", not "Protocol")."""
        for m in self.mentions:
            if m.start == offset:
                return self.entity_names.get(m.entity_id, m.text)
        for c in self.found.values():
            if any(o.start == offset for o in c.occurrences):
                return c.name
        return None

    def _event(
        self, s_start: int, s_end: int, start: int, end: int, expression: str,
        date: FuzzyDate | None,
    ) -> None:  # fmt: skip
        if any(
            self.kinds.get(m.entity_id) == Kind.EVENT for m in self._in_sentence(s_start, s_end)
        ):
            return  # the sentence names an event the graph holds
        text = self.t.text
        for match in self._EVENT.finditer(text, s_start, s_end):
            if match["noun"].lower() not in EVENT_NOUNS:
                continue
            noun = match["noun"].lower()
            what = (match["what"] or "").strip()
            if what:
                what = self._named_at(match.start("what")) or what
            if not what:
                # "the ceasefire on Thursday": an event is named after what it is of; a noun
                # and a date name none ("Ceasefire, Thursday").
                return
            name = f"{noun.capitalize()} of {what}"
            self.add(
                Candidate(_slug(name), Kind.EVENT, name,
                          "an event with a date: check its name and date",
                          date=date, date_text=expression),
                start, end,
            )  # fmt: skip
            return

    def _resolve(self, expression: str, future: bool = False) -> tuple[str | None, str | None]:
        """An expression as a date value, with the basis when it was relative."""
        absolute = parse_date_text(re.sub(r"\bof\s+", "", expression, flags=re.IGNORECASE))
        if absolute is not None:
            return absolute.value, None
        doc_date = self.doc.date
        if doc_date is None:
            return None, None
        day = resolve_day(expression, doc_date, future)
        if day is not None:
            return day
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
        if step == 1 or (step == 0 and words[0] != "this" and future):
            # "next May", or "will meet again in September": the next one to come
            if step == 0 and named >= month:
                return f"{year:04d}-{named:02d}", basis
            return f"{year if named > month else year + 1:04d}-{named:02d}", basis
        return f"{year if named <= month else year - 1:04d}-{named:02d}", basis


WEEKDAY_NUMBERS = {
    name: number
    for number, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}


def resolve_day(
    expression: str, doc_date: FuzzyDate, future: bool = False
) -> tuple[str, str] | None:
    """A day named without its year ("Thursday, January 9", "November 30"), by its weekday
    alone ("Tuesday") or by its distance ("yesterday") as a date, counted from the
    document's date: the year that
    puts the day nearest the document (matching the weekday when one is given); a lone
    weekday is the last such day on or before the document's date (the next one after
    it when the sentence speaks of the future). None if it is neither."""
    words = re.findall(r"[a-z]+|\d+", expression.lower())
    weekday = WEEKDAY_NUMBERS.get(words[0]) if words else None
    rest = words[1:] if weekday is not None else words
    basis = f"{expression!r}, counted from the document's date {doc_date.value}"
    anchor = doc_date.start
    if words and words[0] in DAYS_FROM_DOCUMENT:
        if doc_date.precision != Precision.DAY:
            return None
        return (anchor + timedelta(days=DAYS_FROM_DOCUMENT[words[0]])).isoformat(), basis
    if not rest and weekday is not None:
        if doc_date.precision != Precision.DAY:
            return None
        if future:
            delta = (weekday - anchor.weekday()) % 7 or 7
            return (anchor + timedelta(days=delta)).isoformat(), basis
        delta = (anchor.weekday() - weekday) % 7
        return (anchor - timedelta(days=delta)).isoformat(), basis
    if len(rest) != 2 or rest[0] not in MONTHS or not rest[1].isdigit():
        return None
    if doc_date.precision == Precision.YEAR:
        return None
    month, day_of_month = MONTHS[rest[0]], int(rest[1])
    options: list[date] = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            options.append(date(year, month, day_of_month))
        except ValueError:
            continue
    if weekday is not None and any(o.weekday() == weekday for o in options):
        options = [o for o in options if o.weekday() == weekday]
    if not options:
        return None
    best = min(options, key=lambda o: abs((o - anchor).days))
    return best.isoformat(), basis


def _month_value(year: int, month: int, offset: int) -> str:
    total = year * 12 + (month - 1) + offset
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def known_names(entities: Iterable[Named]) -> frozenset[str]:
    """The folded names and aliases of `entities`: what is never proposed again. Folding
    some 13,000 names takes a while; a run over several documents against the same
    entities computes it once and passes it to `analyse`."""
    return frozenset(folded(form) for e in entities for form in (e.name, *e.aliases))


def _found(
    doc: Document,
    mentions: Sequence[Mention],
    ambiguities: Sequence[Ambiguity],
    entities: Sequence[Named],
    names: frozenset[str] | None = None,
) -> _Candidates:
    taken = [(m.start, m.end) for m in mentions] + [(a.start, a.end) for a in ambiguities]
    finder = _Candidates(doc, TextIndex(doc.text), taken, (e.id for e in entities),
                         mentions, entities, names)  # fmt: skip
    finder.formal_countries()
    finder.dateline_places()
    finder.spelled_acronyms()
    finder.names()
    finder.countries()
    finder.lone_surnames()
    finder.acronyms()
    finder.lone_acronyms()
    check()
    finder.delegations()
    check()
    finder.dates()
    return finder


def find_candidates(
    doc: Document,
    mentions: Sequence[Mention],
    ambiguities: Sequence[Ambiguity] = (),
    entities: Sequence[Named] = (),
) -> list[Candidate]:
    """What the text names that no mention covers, as candidates for the analyst."""
    finder = _found(doc, mentions, ambiguities, entities)
    return sorted(finder.found.values(), key=lambda c: c.occurrences[0].start)


def analyse(
    doc: Document, entities: Sequence[Named], names: frozenset[str] | None = None
) -> Analysis:
    """Link a document's mentions of `entities` and collect candidates for the rest; a
    dated meeting the graph already holds is a mention of it, not a candidate. `names`:
    `known_names(entities)`, when the caller analyses several documents against them."""
    on = doc.date.start if doc.date is not None else None
    mentions, ambiguities = find_mentions(doc.text, entities, on)
    finder = _found(doc, mentions, ambiguities, entities, names)
    candidates = sorted(finder.found.values(), key=lambda c: c.occurrences[0].start)
    held = sorted([*mentions, *finder.held], key=lambda m: m.start)
    return Analysis(doc, held, ambiguities, candidates)
