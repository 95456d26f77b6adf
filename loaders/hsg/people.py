"""Who is who: known people and offices (from pocom and travels), and the resolver that
links a titled name in the text to a known person only when exactly one fits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from diplograph.model import FuzzyDate, slugify
from diplograph.records import (
    Value,
)
from loaders.hsg.territories import UNITED_STATES
from loaders.names import TitledName, normalize_name


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
            self.by_name[normalize_name(name)].add(info.id)


def person_name(forename: str, surname: str, gen_name: str) -> str:
    name = " ".join(part for part in (forename, surname) if part)
    return f"{name}, {gen_name}" if gen_name else name


@dataclass(frozen=True)
class Resolution:
    person: str | None
    basis: str


class Resolver:
    """Links a mention to a known person only when exactly one fits; says why."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    def _office(self, terms: Sequence[Term], mention: TitledName, when: date) -> list[str]:
        wanted = [normalize_name(t) for t in mention.name.replace(",", " ").split()]
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
            if info is None or normalize_name(info.surname) != wanted[-1]:
                continue
            known_tokens = set(normalize_name(info.name).split())
            if all(w in known_tokens or len(w) == 1 for w in wanted[:-1]):
                hits.add(term.person)
        return sorted(hits)

    def resolve(self, mention: TitledName, when: date | None) -> Resolution:
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
        key = normalize_name(mention.name)
        if len(key.split()) >= 2:
            ids = sorted(self.reference.by_name.get(key, set()))
            if len(ids) == 1:
                return Resolution(ids[0], f"the only known person named {mention.name}")
            if len(ids) > 1:
                return Resolution(None, f"ambiguous: {', '.join(ids)} are all named {mention.name}")
        return Resolution(None, "no known person fits")


def candidate_id(meeting: str, mention: TitledName) -> str:
    """One candidate per mention: the same words may name different people.

    "President Assad" is Hafez or Bashar, "Prime Minister Konstantinos Karamanlis" is the
    uncle (1978) or the nephew (2004): nothing in the record tells them apart, so no two
    mentions share a candidate. `candidate_key` gives the words to group them by.
    """
    ident = f"candidate-{meeting}-{slugify(mention.name) or 'unnamed'}"
    return ident[:120].rstrip("-")


def candidate_key(mention: TitledName, country: str | None) -> str:
    """'president|rene-preval|haiti': what candidates with the same designation share."""
    return f"{slugify(mention.title or '')}|{slugify(mention.name)}|{country or ''}"
