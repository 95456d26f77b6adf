"""Linking: mentions of known entities in a document's text.

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
   A name without the known middle name(s) ("Hillary Clinton" for "Hillary
   Rodham Clinton"; "Anthony Wayne" for "Earl Anthony Wayne", who goes by his
   middle name) is a weaker fit: it links only when the person held a post on
   the document's date, and only one person fits so. So is a nickname for the
   given name ("Bill Harlow" for "William J. Harlow"; `NICKNAMES`).
3. *Surname*: a lone surname ("Mr. Kelly", "Gross") links to a person already
   linked by full name earlier in the same document, unless another person in
   the document, known or not, shares that surname.

The document's date weighs people against each other (`_on_date`): a person who held
a post on that date counts for, one whose posts had all ended, or who had died, by then
counts against. Context words count more in the sentence of the mention than elsewhere
in the document ("Santiago" next to "Chile" in a text that also names Cuba).

A surface that names several entities, or a variant that fits several people,
is reported as an `Ambiguity`, not linked.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, SupportsIndex

from rapidfuzz import fuzz

from diplograph.model import Kind, slugify
from diplograph.records import Ambiguity, Mention, Method
from loaders.ingest.budget import check
from loaders.ingest.spans import Spans
from loaders.ingest.text import (
    DEMONYMS,
    ORGANIZATION_WORDS,
    TextIndex,
    Token,
    fold,
    folded,
    lower_aligned,
    tokenize,
)
from loaders.names import (
    COUNTRY_ALIASES,
    NICKNAMES,
    PARTICLES,
    TITLE_HEADS,
    TITLE_MODIFIERS,
    normalize_name,
    words,
)

# Titles that hold no office: a surname after them is no evidence of who is meant.
HONORIFICS = words("mr. mrs. ms. miss dr. sir dame prof. professor")

FUZZY_THRESHOLD = 88.0
"""Minimum rapidfuzz `ratio` (0-100) for a spelling variant of a person's name.

"Craig Kelley"/"Craig Kelly" scores 95.7 and "Rodrigues"/"Rodriguez" in a full
name about 96; distinct people with the same initials, such as "Jon Doe" and
"Jan Doe", score below 88.
"""


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
class _Surface:
    form: str  # as the entity gives it
    key: str  # folded, casefolded
    capitals: tuple[int, ...]  # positions (in the folded form) that must be capitals


# Kinds whose names are labels in sentence case rather than proper names.
SENTENCE_CASE_KINDS = frozenset({Kind.ISSUE, Kind.EVENT, Kind.TERM})
# Kinds whose names describe rather than name: a label may contain names, and those are
# linked too ("the arrest of Alan Gross" mentions the event and the person).
LABEL_KINDS = frozenset({Kind.ISSUE, Kind.EVENT, Kind.TERM, Kind.MEETING})


# An organization's name may end in one of these in lower case: "the Obama
# administration" is the "Obama Administration".
GENERIC_LAST_WORDS = words("administration government")


def _surface(form: str, sentence_case: bool = False, kind: Kind | None = None) -> _Surface | None:
    text, _ = fold(form.strip())
    if not text:
        return None
    capitals = [i for i, c in enumerate(text) if c.isupper()]
    if sentence_case and capitals[:1] == [0] and text[1:2].islower():
        capitals.pop(0)  # "Direct mail service" is a label: "direct mail service" matches
    last = text.rsplit(" ", 1)
    if kind == Kind.ORGANIZATION and len(last) == 2 and last[1].lower() in GENERIC_LAST_WORDS:
        capitals = [i for i in capitals if i != len(last[0]) + 1]
    return _Surface(form, lower_aligned(text), tuple(capitals))


def _particle_joined(words: list[str]) -> list[str]:
    """A name's comparable words with each particle after the given name written together
    with the word after it, as texts often spell it: "Jeffrey De Laurentis" -> "Jeffrey
    DeLaurentis"."""
    out: list[str] = []
    for word in words:
        if len(out) > 1 and out[-1].lower() in PARTICLES:
            out[-1] += word
        else:
            out.append(word)
    return out


# A father's or son's "Sr."/"Jr.": written or left out as the text pleases ("Dwight L.
# Bush, Sr." and "Dwight L. Bush" for pocom's "Dwight Lamar Bush, Sr."), so not compared.
_GENERATIONS = frozenset({"jr", "jr.", "sr", "sr."})


def _without_generation(tokens: list[Token]) -> list[Token]:
    return tokens[:-1] if len(tokens) > 2 and tokens[-1].lower in _GENERATIONS else tokens


def name_words(form: str) -> list[str]:
    """A person's name as comparable words: titles, initials, possessives and a Jr./Sr.
    dropped."""
    words = [t for t in _without_generation(tokenize(form)) if not t.initial]
    while words and (words[0].lower in TITLE_HEADS or words[0].lower in TITLE_MODIFIERS):
        words.pop(0)
    return [folded(t.text) for t in words]


_QUALIFIED = re.compile(r"^(?P<base>[^()]+?)\s*\((?P<parent>[^()]+)\)$")
_LEADING_YEAR = re.compile(r"^(?:1[89]|20)\d\d\s+")
# "U.S.-Cuba", "Japan-Korea", "US-China": a pair of parties before an agreement's name.
_PARTY_PAIR = re.compile(r"^[A-Z][\w.]*(?:\s[A-Z][\w.]*)??-[A-Z][\w.]*(?:\s[A-Z][\w.]*)??\s+")
_MINISTRY_OF = re.compile(r"^Ministry of (?P<field>[A-Z][\w ]+?) of (?P<country>[A-Z][\w .]+)$")
_MINISTRY_FIELD = {"Foreign Affairs": "Foreign", "Defence": "Defence", "Defense": "Defense",
                   "the Interior": "Interior", "Interior": "Interior"}  # fmt: skip


# A body named with the city it sits in: "U.S. Interests Section in Havana".
# What continues a name into a longer one: "Assistant Secretary of State | for African Affairs".
_LONGER_NAME = re.compile(r"\s+for\s+(?:the\s+)?[A-Z]")
_LOCATED_IN = re.compile(r"(?P<base>\S+(?: \S+)+?) in (?P<place>[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*)")


def derived_forms(entity: Named) -> list[str]:
    """The usual other forms of an organization's or agreement's name, by rule.

    * an office qualified by its parent, "X (U.S. Department of State)": "Bureau of X",
      "X Bureau", and X itself when it is a field ("... Affairs", "... Issues");
    * a body named with the city it sits in, "U.S. Interests Section in Havana": "U.S.
      Interests Section";
    * an agreement named with its year and parties, "1994 Japan-Korea Fisheries Accords":
      "Japan-Korea Fisheries Accords", "Fisheries Accords" (two words at least);
    * "Ministry of Foreign Affairs of Peru": "Peru's Foreign Ministry", "Foreign Ministry of
      Peru", "Peru's Ministry of Foreign Affairs";
    * a country: the other names it usually goes by ("Republic of Korea", "ROK" for South
      Korea; "Britain", "UK" for the United Kingdom), from `COUNTRY_ALIASES`;
    * the initials of a name of three capitalised words or more ("Organization of American
      States": "OAS") are not derived here: an acronym links when the text defines it
      next to the full name (`acronyms`).
    """
    forms: list[str] = []
    name = entity.name
    if entity.kind == Kind.ORGANIZATION:
        qualified = _QUALIFIED.match(name)
        if qualified:
            base = qualified["base"]
            forms += [f"Bureau of {base}", f"{base} Bureau"]
            if base.split()[-1] in ("Affairs", "Issues"):
                # the office's field, as a title names it: "Assistant Secretary of State for
                # Western Hemisphere Affairs"
                forms.append(base)
        located = _LOCATED_IN.fullmatch(name)
        if located:
            forms.append(located["base"])  # "the U.S. Interests Section" (in Havana)
        for form in [name, *entity.aliases]:
            ministry = _MINISTRY_OF.match(form)
            if ministry:
                field = ministry["field"]
                country = ministry["country"]
                forms += [f"{country}'s Ministry of {field}", f"Ministry of {field} of {country}"]
                if field in _MINISTRY_FIELD:
                    short = _MINISTRY_FIELD[field]
                    forms += [f"{country}'s {short} Ministry", f"{short} Ministry of {country}"]
    if entity.kind == Kind.COUNTRY:
        for form in [name, *entity.aliases]:
            forms += COUNTRY_ALIASES.get(normalize_name(form), ())
    if entity.kind == Kind.AGREEMENT:
        for form in [name, *entity.aliases]:
            rest = _LEADING_YEAR.sub("", form)
            if rest != form:
                forms.append(rest)
            short = _PARTY_PAIR.sub("", rest)
            if short != rest and len(short.split()) >= 2:
                forms.append(short)
    return [f for f in dict.fromkeys(forms) if f != name and f not in entity.aliases]


_ACRONYM = re.compile(r"\s*\((?P<acronym>[A-Z][A-Z.&-]{1,9})\)")


# Suffixes that stay with a surname when middle names are dropped ("Shannon, Jr.").
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def without_middle(words: list[str]) -> list[list[str]]:
    """The shorter forms of a name of three words or more that people go by: given name and
    surname ("hillary clinton" of "hillary rodham clinton"), and the middle name with the
    surname ("anthony wayne" of "earl anthony wayne"); a suffix stays at the end."""
    suffix = [w for w in words[-1:] if w.rstrip(",") in _SUFFIXES]
    core = words[: len(words) - len(suffix)]
    if len(core) < 3:
        return []
    return [[core[0], core[-1], *suffix], [*core[1:-1][:1], core[-1], *suffix]]


def _countries_of_demonyms(words: set[str]) -> set[str]:
    """The country a nationality adjective names, as the word a place's qualifier would use
    ("cuban": "cuba", "chilean": "chile", "korean": "korea"): the adjective starts with the
    country's name less its last letter. Only for the demonym vocabulary, so a qualifier
    compared with these is a country's name."""
    out: set[str] = set()
    for word in words & DEMONYMS:
        for cut in range(4, len(word)):
            out.add(word[:cut] + "a")  # cuba, korea, colombia, argentina
            out.add(word[:cut] + "e")  # chile
            out.add(word[:cut] + "o")  # mexico
            out.add(word[:cut])  # peru, japan, brazil, vietnam
    return out


class _Mentions(list[Mention]):
    """The mentions found so far, with the spans of those of names (not labels) kept beside:
    `taken` asks for every run of the text whether one overlaps it, which a scan of the
    whole list made quadratic in a names-heavy text. An append adds its span; any other
    change has the spans rebuilt at the next question."""

    def __init__(self, is_label: Callable[[str], bool]) -> None:
        super().__init__()
        self._is_label = is_label
        self._names: Spans | None = Spans()

    def append(self, mention: Mention) -> None:
        super().append(mention)
        if self._names is not None and not self._is_label(mention.entity_id):
            self._names.add(mention.start, mention.end)

    def _changed(self) -> None:
        self._names = None

    def remove(self, mention: Mention) -> None:
        super().remove(mention)
        self._changed()

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._changed()

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self._changed()

    def extend(self, mentions: Iterable[Mention]) -> None:
        super().extend(mentions)
        self._changed()

    def insert(self, index: SupportsIndex, mention: Mention) -> None:
        super().insert(index, mention)
        self._changed()

    def pop(self, index: SupportsIndex = -1) -> Mention:
        self._changed()
        return super().pop(index)

    def clear(self) -> None:
        super().clear()
        self._changed()

    def names_overlap(self, start: int, end: int) -> bool:
        """Whether a mention of a name shares a character with [start, end)."""
        if self._names is None:
            self._names = Spans((m.start, m.end) for m in self if not self._is_label(m.entity_id))
        return self._names.overlaps(start, end)


Person = tuple[str, str, list[str]]  # entity id, the name or alias, its comparable words


def _initials(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(w[:1] for w in words)


class _PersonIndex:
    """The people whose names a run of words can fit at all, found without comparing the
    run with every person: a spelling variant has the run's number of words and initials
    (the whole name's, or the name's less its last word), a shorter form or a nickname is
    one of the name's forms word for word. The rules (`variants`, `_initials_fit`) still
    decide among these, in the same order; only people they could never accept are left
    out. (Every run of a names-heavy text was compared with every person of the graph:
    13,000 names with the historian's datasets, minutes for a 95 KB text.)"""

    def __init__(self, persons: list[Person]) -> None:
        self.persons = persons
        self.by_initials: dict[tuple[str, ...], list[int]] = defaultdict(list)
        self.by_form: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for n, (_, _, known) in enumerate(persons):
            known_words = [w for w in known if w not in PARTICLES]
            shapes = [known_words, *([known_words[:-1]] if len(known_words) >= 3 else [])]
            shapes.append(_particle_joined(known))  # "DeLaurentis" for "De Laurentis"
            for key in {_initials(shape) for shape in shapes}:
                self.by_initials[key].append(n)
            for form in {tuple(f) for f in [known_words, *without_middle(known_words)]}:
                self.by_form[form].append(n)

    def fitting(
        self, initials: tuple[str, ...], forms: Sequence[Sequence[str]] = ()
    ) -> list[Person]:
        found = set(self.by_initials.get(initials, ()))
        for form in forms:
            found.update(self.by_form.get(tuple(form), ()))
        return [self.persons[n] for n in sorted(found)]


class _Linker:
    def __init__(self, text: str, entities: Sequence[Named], on: date | None = None) -> None:
        self.on = on  # the document's date
        self.t = TextIndex(text)
        self.folded, self.index = fold(text)
        self.lowered = lower_aligned(self.folded)
        self.entities = {e.id: e for e in entities}
        self.surfaces: dict[str, list[tuple[_Surface, str, Method]]] = defaultdict(list)
        for entity in entities:
            forms = [(entity.name, Method.NAME)] + [(a, Method.ALIAS) for a in entity.aliases]
            for form, method in forms:
                surface = _surface(form, entity.kind in SENTENCE_CASE_KINDS, entity.kind)
                if surface is not None:
                    self.surfaces[surface.key].append((surface, entity.id, method))
        # Derived forms only where no entity states that form, and only when one entity
        # derives it: a rule's guess never makes a stated name ambiguous.
        derived: dict[str, list[tuple[_Surface, str, Method]]] = defaultdict(list)
        for entity in entities:
            for form in derived_forms(entity):
                surface = _surface(form)
                if surface is not None and surface.key not in self.surfaces:
                    derived[surface.key].append((surface, entity.id, Method.ALIAS))
        for key, derivations in derived.items():
            if len({entity_id for _, entity_id, _ in derivations}) == 1:
                self.surfaces[key] = derivations[:1]
        self.mentions = _Mentions(self._is_label)
        self.ambiguities: list[Ambiguity] = []

    def _is_label(self, entity_id: str) -> bool:
        return self.entities[entity_id].kind in LABEL_KINDS

    def taken(self, start: int, end: int) -> bool:
        """Whether a name, or an ambiguity, already covers part of [start, end)."""
        return self.mentions.names_overlap(start, end) or any(
            a.start < end and start < a.end for a in self.ambiguities
        )

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
            check()
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
        pending: list[tuple[int, int, str]] = []  # several entities: decided by context
        for start, end, key in found:
            forms = self.surfaces[key]
            ids = sorted({entity_id for _, entity_id, _ in forms})
            label = all(self._is_label(i) for i in ids)
            if start < last_end[label]:
                continue
            last_end[label] = end
            written = self.t.text[start:end]
            qualifier = self._parenthesised(end)
            if qualifier is not None:
                # "Frankfurt (Oder)": only an entity the qualifier fits, never by context.
                ids = [i for i in ids if self._fits_qualifier(i, key, qualifier)]
                forms = [f for f in forms if f[1] in ids]
                if not ids:
                    continue
            if len(ids) > 1:
                pending.append((start, end, key))
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

        for start, end, key in pending:
            self._by_context(start, end, key)

    _PARENTHESISED = re.compile(r"[ \t]*\((?P<q>[^()\n]{1,40})\)")

    def _parenthesised(self, end: int) -> str | None:
        """A qualifier in parentheses right after a name, "Frankfurt (Oder)", "Havana
        (Cuba)"; not an acronym the text defines ("(OAS)") nor a number or year."""
        match = self._PARENTHESISED.match(self.t.text, end)
        if match is None:
            return None
        q = match["q"].strip()
        if _ACRONYM.fullmatch(f"({q})") or not re.search(r"[a-z]", q) or q[0].isdigit():
            return None
        return q

    def _fits_qualifier(self, entity_id: str, key: str, qualifier: str) -> bool:
        """Whether a parenthesised qualifier the text gives fits the entity: its words are
        among the entity's own qualifiers ("Havana (Cuba)" for `havana-cuba`), or, for an
        entity named with none, the qualifier is a known country's name (the curated
        "Havana" in "Havana (Cuba)"). A qualifier that differs ("Frankfurt (Oder)" and the
        Frankfurt on the Main, `frankfurt-germany`) names another place: no link."""
        words = {w for w in slugify(qualifier).split("-") if len(w) > 2}
        own = self._qualifiers(entity_id, key)
        if own:
            return bool(words) and words <= own
        named = [i for _, i, _ in self.surfaces.get(folded(qualifier), [])]
        return any(self.entities[i].kind == Kind.COUNTRY for i in named)

    def _qualifiers(self, entity_id: str, key: str) -> set[str]:
        """What tells same-named entities apart: the words of a qualifier in the name
        ("Havana (Cuba)", "Santiago, Chile") and the words its id adds to the name
        ("havana-cuba")."""
        entity = self.entities[entity_id]
        words: set[str] = set()
        qualified = re.search(r"\(([^()]+)\)|,\s*(.+)$", entity.name)
        if qualified:
            words |= set(slugify(qualified[1] or qualified[2]).split("-"))
        words |= set(entity_id.split("-")) - set(slugify(key).split("-"))
        return {w for w in words if len(w) > 2 and not w.isdigit()}

    def _on_date(self, entity_id: str) -> int:
        """+1 for a person who held a post on the document's date; -1 for one who had died,
        or whose every dated post had ended, by then; 0 when the dates say nothing."""
        entity = self.entities[entity_id]
        if self.on is None:
            return 0
        died = getattr(entity, "died", None)
        if died is not None and died < self.on:
            return -1
        posts: Sequence[tuple[date, date]] = getattr(entity, "posts", ())
        if any(start <= self.on <= end for start, end in posts):
            return 1
        if posts and all(end < self.on for _, end in posts):
            return -1
        return 0

    def _sentence_words(self, start: int) -> set[str]:
        s_start, s_end = next(
            ((a, b) for a, b in self.t.sentences if a <= start < b), (0, len(self.t.text))
        )
        words = set(re.findall(r"[a-z0-9]+", folded(self.t.text[s_start:s_end])))
        near = {m.entity_id for m in self.mentions if s_start <= m.start < s_end}
        return words | {part for i in near for part in i.split("-")}

    def _by_context(self, start: int, end: int, key: str) -> None:
        """A surface several entities share, decided by the rest of the document: each
        qualifier the text also names (a word of the document, or an entity linked in it)
        counts for an entity, twice in the mention's own sentence, and each it does not
        name against; the document's date counts for or against a person (`_on_date`).
        The single best entity is linked if the document speaks for it (a score above
        zero), else the surface is left as an ambiguity."""
        forms = self.surfaces[key]
        ids = sorted({entity_id for _, entity_id, _ in forms})
        # A place named as the country it is filed under ("Singapore, Singapore", a trip
        # record's "Liberia, Liberia"): the country, which the text names as such.
        countries = {i for i in ids if self.entities[i].kind == Kind.COUNTRY}
        namesakes = {
            i for i in ids
            if self.entities[i].kind == Kind.PLACE
            and any(i == f"{slugify(self.entities[i].name)}-{c}" for c in countries)
        }  # fmt: skip
        if namesakes:
            ids = [i for i in ids if i not in namesakes]
            forms = [f for f in forms if f[1] not in namesakes]
        linked = {m.entity_id for m in self.mentions}
        words = set(re.findall(r"[a-z0-9]+", self.lowered))
        words |= {part for i in linked for part in i.split("-")}
        near = self._sentence_words(start)
        words |= _countries_of_demonyms(words)
        near |= _countries_of_demonyms(near)
        scores = {}
        for entity_id in ids:
            qualifiers = self._qualifiers(entity_id, key)
            scores[entity_id] = sum(
                (2 if q in near else 1) if q in words else -1 for q in qualifiers
            ) + self._on_date(entity_id)
        best = max(scores.values())
        winners = [i for i, score in scores.items() if score == best]
        written = self.t.text[start:end]
        # No evidence for any: not a guess (unless only one is left, the country).
        if len(winners) > 1 or (best <= 0 and not namesakes):
            if _LONGER_NAME.match(self.t.text, end):
                # "Assistant Secretary of State | for Oceans and Fisheries": the shared
                # name heads a longer one the graph does not hold; not this name at all.
                return
            self.ambiguities.append(
                Ambiguity(start, end, written, tuple(ids),
                          "the same name or alias is given for several entities")
            )  # fmt: skip
            return
        surface, entity_id, method = min(
            (f for f in forms if f[1] == winners[0]), key=lambda f: f[2] != Method.NAME
        )
        self.mentions.append(
            Mention(entity_id, start, end, written, surface.form, method,
                    title=self._title_of(start))
        )  # fmt: skip

    def acronyms(self) -> None:
        """An acronym the text defines after a linked name, "Organization of American
        States (OAS)", links wherever it stands in the document."""
        text = self.t.text
        defined: dict[str, tuple[str, str]] = {}
        for mention in list(self.mentions):
            if self._is_label(mention.entity_id):
                continue
            match = _ACRONYM.match(text, mention.end)
            if match and match["acronym"].upper() == match["acronym"]:
                # "... Mission in Liberia (UNMIL)": an acronym starts with the initial of
                # one of its name's words; else it is a longer name's that ends here.
                initials = {w[0].upper() for w in re.findall(r"\w+", mention.text)}
                if match["acronym"][0] in initials:
                    defined.setdefault(match["acronym"], (mention.entity_id, mention.matched))
        for acronym, (entity_id, matched) in defined.items():
            for found in re.finditer(rf"(?<![\w.]){re.escape(acronym)}(?![\w])", text):
                start, end = found.span()
                if self.taken(start, end):
                    continue
                self.mentions.append(Mention(entity_id, start, end, acronym, matched, Method.ALIAS))

    def _persons(self) -> list[tuple[str, str, list[str]]]:
        """(entity id, form, comparable words) for every person's name and alias."""
        out: list[tuple[str, str, list[str]]] = []
        for entity in self.entities.values():
            if entity.kind != Kind.PERSON:
                continue
            for form in [entity.name, *entity.aliases]:
                words = name_words(form)
                if words:
                    out.append((entity.id, form, words))
        return out

    def _run_words(self, first: int, last: int) -> list[str]:
        return [
            folded(t.text)
            for t in _without_generation(self.t.tokens[first : last + 1])
            if not t.initial and t.lower not in PARTICLES
        ]

    def _initials_fit(self, first: int, last: int, persons: _PersonIndex) -> dict[str, str]:
        """People whose full name the run spells with one or more words as initials: each
        initial the first letter of the known word in its place, every other word the
        same, two full words at least ("R. Stephen Beecroft" for "Robert Stephen
        Beecroft")."""
        shaped = [(folded(t.text.rstrip(".")), t.initial)
                  for t in _without_generation(self.t.tokens[first : last + 1])
                  if t.lower not in PARTICLES]  # fmt: skip
        if not any(initial for _, initial in shaped) or sum(not i for _, i in shaped) < 2:
            return {}
        fits: dict[str, str] = {}
        for entity_id, form, known in persons.fitting(_initials([w for w, _ in shaped])):
            known_words = [w for w in known if w not in PARTICLES]
            if len(known_words) == len(shaped) and all(
                (k[0] == w if initial else k == w)
                for (w, initial), k in zip(shaped, known_words, strict=True)
            ):
                fits.setdefault(entity_id, form)
        return fits

    def _alive(self, entity_id: str) -> bool:
        died = getattr(self.entities[entity_id], "died", None)
        return self.on is None or died is None or died >= self.on

    def variants(self) -> None:
        persons = _PersonIndex(self._persons())
        for first, last in self.t.name_runs():
            check()
            start, end = self.t.span(first, last)
            words = self._run_words(first, last)
            if len(words) < 2 or self.taken(start, end):
                continue
            best: dict[str, tuple[float, str]] = {}
            shorter: dict[str, str] = {}  # without middle name(s), by nickname: needs the date
            # "Ted Osborne" for "Theodore R. Osborne": the given names a nickname stands for.
            nicknamed = [[given, *words[1:]] for given in NICKNAMES.get(words[0], ())]
            for entity_id, form, known in persons.fitting(_initials(words), [words, *nicknamed]):
                known_words = [w for w in known if w not in PARTICLES]
                shapes = [known_words]
                if len(known_words) >= 3:
                    shapes.append(known_words[:-1])  # "Dagoberto Rodriguez" (Barrera)
                joined = _particle_joined(known)
                if joined != known and len(joined) >= 2:
                    shapes.append(joined)  # "DeLaurentis" for "De Laurentis"
                for shape in shapes:
                    if len(shape) != len(words):
                        continue
                    if any(a[0] != b[0] for a, b in zip(words, shape, strict=True)):
                        continue
                    score = float(fuzz.ratio(" ".join(words), " ".join(shape)))
                    if score >= FUZZY_THRESHOLD and score > best.get(entity_id, (0.0, ""))[0]:
                        best[entity_id] = (score, form)
                shorter_forms = [known_words, *without_middle(known_words)]
                if entity_id not in best and (
                    words in shorter_forms[1:] or any(n in shorter_forms for n in nicknamed)
                ):
                    shorter[entity_id] = form
            # A misspelling is no evidence against the dates: "John Kerr", out of office a
            # century before the document, is not the "John Kerry" it names.
            # The name itself with a middle initial the text adds ("Ana K. Phiri" for "Ana
            # Phiri"), no misspelling: as good as the name, which needs no date either, only
            # alive. Not the other way round: "Raul Castro" is no "Raul H. Castro" of 1970.
            added = any(t.initial for t in self.t.tokens[first : last + 1])
            best = {i: fit for i, fit in best.items() if self._on_date(i) >= 0
                    or (added and fit[0] == 100.0 and self._alive(i)
                        and not re.search(r"\b[A-Z]\.", fit[1]))}  # fmt: skip
            # A middle (or first) initial that fits the full name ("Jacob J. Lew" for "Jacob
            # Joseph Lew") names the person as fully as the name itself: no date needed
            # (a career may go on outside the posts the graph knows), only alive.
            best |= {
                i: (100.0, form) for i, form in self._initials_fit(first, last, persons).items()
                if i not in best and self._alive(i)
            }  # fmt: skip
            fitting = {i: form for i, form in shorter.items() if self._on_date(i) > 0}
            if (
                not fitting
                and self.on is not None
                and len(shorter) == 1
                and all(self._on_date(i) == 0 for i in shorter)
            ):
                # The only person the shorter form can be, and the dates say nothing
                # against: "Douglas Lute" for the one Douglas Edward Lute the graph holds.
                fitting = dict(shorter)
            best |= {i: (100.0, form) for i, form in fitting.items() if i not in best}
            if not best:
                continue
            if len(best) > 1:
                # Several fit: the document's date may leave one.
                dated = [i for i in best if self._on_date(i) > 0]
                if len(dated) == 1:
                    best = {dated[0]: best[dated[0]]}
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
            name = [w for w in name_words(form) if w not in PARTICLES]
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
        # The title words each person linked is given in the text, for namesakes apart.
        titled: dict[str, list[set[str]]] = defaultdict(list)
        for mention in self.mentions:
            titled[mention.entity_id].append(_title_words(self._title_of(mention.start)))
        runs = self.t.name_runs()
        # The words of every other unlinked multi-word name: perhaps people not in the graph.
        unknown_words: set[str] = set()
        for first, last in runs:
            start, end = self.t.span(first, last)
            words = self._run_words(first, last)
            if len(words) > 1 and " ".join(words) not in people and not self.taken(start, end):
                unknown_words.update(words)
                titled[" ".join(words)].append(_title_words(self._title_of(start)))
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
            by_title = _one_with_title(
                _title_words(self._title_of(start)), list(earlier), " ".join(words), titled
            )
            if by_title is not None:
                earlier = {by_title: earlier[by_title]}
            elif len(sharing) > 1 or set(words) & unknown_words:
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


def _title_words(title: str | None) -> set[str]:
    return {w.rstrip(".") for w in folded(title or "").split()}


def _one_with_title(
    said: set[str], earlier: list[str], surname: str, titled: dict[str, list[set[str]]]
) -> str | None:
    """Of namesakes in one text ("U.S. Ambassador Ana Berg" linked, "Senator Ivo Berg"
    not), the one person linked whom the text gave the title of the lone surname
    ("Ambassador Berg"); none when another one, linked or not, had that title too."""
    if not said:
        return None
    holders = [i for i in earlier if any(said <= words for words in titled.get(i, []))]
    others = [
        name for name, titles in titled.items()
        if name not in earlier and name.split()[-1] == surname.split()[-1]
        and any(said <= words for words in titles)
    ]  # fmt: skip
    return holders[0] if len(holders) == 1 and not others else None


def _title_key(title: str) -> str:
    """A title as comparable words, without the nationality ("Cuban Foreign Minister")."""
    return " ".join(w for w in folded(title).split() if w not in DEMONYMS and w != "u.s.")


def _holds_title(entity: Named, said: str) -> bool:
    """Whether a title known for the person begins with the title the text gives: "President"
    fits "President; revived the talks", "Foreign Minister" does not fit "Vice Foreign
    Minister"."""
    known = [c for t in getattr(entity, "titles", ()) for c in t.split(";")]
    return bool(said) and any(
        _title_key(c) == said or _title_key(c).startswith(said + " ") for c in known
    )


def _titled_surnames(linker: _Linker) -> None:
    """A titled lone surname ("President Okafor", "Secretary Ruiz") that no full name
    introduced: the one known person with that surname who held a post on the document's
    date, or whom the dates do not rule out and who is known by that title; among several,
    the only one in post on that date."""
    t = linker.t
    owners: dict[str, set[str]] = defaultdict(set)
    for entity in linker.entities.values():
        if entity.kind == Kind.PERSON:
            for key in linker._surname_keys(entity):
                if " " not in key:
                    owners[key].add(entity.id)
    for first, last in t.name_runs():
        check()
        start, end = t.span(first, last)
        title = t.title_before(first)
        if first != last or title is None or linker.taken(start, end):
            continue
        if {tok.lower for tok in t.tokens[title[0] : title[1] + 1]} <= HONORIFICS:
            continue  # "Mr. Gross": no office; a surname then needs the full name first
        said = _title_key(t.text[t.tokens[title[0]].start : t.tokens[title[1]].end])
        fits = [
            i for i in owners.get(folded(t.tokens[first].text), ())
            if linker._on_date(i) > 0
            or (linker._on_date(i) == 0 and _holds_title(linker.entities[i], said))
        ]  # fmt: skip
        if len(fits) > 1:
            fits = [i for i in fits if linker._on_date(i) > 0]
        if len(fits) != 1:
            continue
        entity = linker.entities[fits[0]]
        linker.mentions.append(
            Mention(entity.id, start, end, t.text[start:end], entity.name, Method.SURNAME,
                    title=linker._title_of(start))
        )  # fmt: skip


def _drop_places_named_like_people(linker: _Linker) -> None:
    """A lone word linked as a place that is the surname of a person the document names in
    full ("Juan Manuel Santos ... Santos said") is that person, not the place (the
    Brazilian port): the place mention is dropped."""
    t = linker.t
    surnames = set()
    people = Spans((m.start, m.end) for m in linker.mentions
                   if linker.entities[m.entity_id].kind == Kind.PERSON)  # fmt: skip
    for first, last in t.name_runs():
        check()
        start, end = t.span(first, last)
        # A person by evidence: linked as one, or titled ("President Juan Manuel Santos");
        # "Little Havana" is no person named Havana.
        person = people.overlaps(start, end) or (
            t.title_before(first) is not None and not linker.taken(start, end)
        )
        words = linker._run_words(first, last)
        if len(words) >= 2 and person and not set(words) & ORGANIZATION_WORDS:
            surnames.add(words[-1])
    for mention in list(linker.mentions):
        kind = linker.entities[mention.entity_id].kind
        lone = " " not in mention.text.strip()
        if kind in (Kind.PLACE, Kind.COUNTRY) and lone and folded(mention.text) in surnames:
            linker.mentions.remove(mention)


def _with_titles(linker: _Linker) -> None:
    """A person named by a lone surname with a title before it is named by both: the
    mention is "President Okafor", "Mr. Gross", not "Okafor" (the title is still its
    `title`). A full name stands on its own: "Secretary of State Ana Ruiz" is a mention of
    "Ana Ruiz", titled."""
    t = linker.t
    for index, mention in enumerate(linker.mentions):
        entity = linker.entities.get(mention.entity_id)
        if entity is None or entity.kind != Kind.PERSON or " " in mention.text.strip():
            continue
        inside = t.tokens_in(mention.start, mention.start + 1)
        title = t.title_before(inside[0].index) if inside else None
        if title is None or inside[0].start != mention.start:
            continue
        start = t.tokens[title[0]].start
        linker.mentions[index] = dataclasses.replace(
            mention, start=start, text=t.text[start : mention.end]
        )


def find_mentions(
    text: str, entities: Sequence[Named], on: date | None = None
) -> tuple[list[Mention], list[Ambiguity]]:
    """Every mention of a known entity in `text`, and what was too ambiguous to link; `on`,
    the document's date, weighs people's dated posts.

    Sorted by offset. Mentions of names never overlap one another, nor do those of
    labels; a label's mention may contain mentions of names.
    """
    linker = _Linker(text, entities, on)
    linker.exact()
    check()
    linker.acronyms()
    linker.variants()
    check()
    linker.surnames()
    check()
    _titled_surnames(linker)
    _drop_places_named_like_people(linker)
    check()
    _with_titles(linker)
    return (
        sorted(linker.mentions, key=lambda m: m.start),
        sorted(linker.ambiguities, key=lambda a: a.start),
    )
