"""Identity across sources: what the resolution step reads of an entity, and what it decides.

`graph/resolution.py` reads these facts and writes the decisions; `services/identity.py`
holds the rules that turn facts into decisions (docs/graph-model.md, "One identity per
real thing").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Rule(StrEnum):
    """Why two nodes are one thing (or one belongs to the other)."""

    PERSON_NAME_CAREER = "person-name-career"
    PLACE_NAME_COUNTRY = "place-name-country"
    POST_BUREAU = "post-bureau"
    ANALYST = "analyst"


@dataclass(frozen=True)
class Period:
    """A dated stretch of someone's career: a post, a meeting, a trip."""

    what: str
    start: date
    end: date
    org: str | None = None  # the organization of a post (HOLDS_POSITION), else None


@dataclass
class EntityFacts:
    """An entity as the rules see it: names, the documents citing it, and (for people and
    places) what dates or places it is tied to."""

    id: str
    kind: str
    name: str
    aliases: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    birth: date | None = None
    death: date | None = None
    periods: list[Period] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)  # what it is PART_OF already

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass(frozen=True)
class Merge:
    """`absorbed` is the same thing as `survivor`: its relationships, names and sources move
    to `survivor`, and it is kept as a `:Merged` record that `undo` restores."""

    survivor: str
    absorbed: str
    rule: Rule
    evidence: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """`part` belongs to `whole` (a post to its bureau): a PART_OF relationship."""

    part: str
    whole: str
    rule: Rule
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    """A pair the rules would not decide: left apart, for the analyst."""

    a: str
    b: str
    rule: Rule
    reason: str


@dataclass
class Plan:
    """What one resolution run does and leaves for review."""

    merges: list[Merge] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


def pair_id(a: str, b: str) -> str:
    """The id of an unordered pair, for the analyst's decisions on it."""
    return "|".join(sorted((a, b)))
