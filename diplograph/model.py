"""The domain model: what the knowledge graph holds, independent of Neo4j.

Entities (actors, meetings, agreements, events, issues, places) and the
relationships between them are *facts*; every fact carries the sources that
state it: a document id and a quote that occurs verbatim in that document.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)]


def slugify(text: str) -> str:
    """A stable, readable id: 'Vice Foreign Minister' -> 'vice-foreign-minister'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class Kind(StrEnum):
    """Node labels. The first four are actors."""

    PERSON = "Person"
    ORGANIZATION = "Organization"
    DELEGATION = "Delegation"
    COUNTRY = "Country"
    MEETING = "Meeting"
    AGREEMENT = "Agreement"
    TERM = "Term"
    EVENT = "Event"
    ISSUE = "Issue"
    PLACE = "Place"


ACTOR_KINDS = frozenset({Kind.PERSON, Kind.ORGANIZATION, Kind.DELEGATION, Kind.COUNTRY})

# Every loaded meeting has a `meetingType` (the curated `series`/`round`, the historian's
# `trip`/`visit`), which `meetingType` filters and `byMeetingType` groups read: a meeting an
# ingested text reports is a round of talks unless the analyst says otherwise in review.
DEFAULT_MEETING_TYPE = "round"


class Precision(StrEnum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


_DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class FuzzyDate(BaseModel):
    """A date known to a year, a month or a day, as a source gives it.

    `basis` says how a relative expression ("sixteen years ago", "last summer")
    was resolved; it is empty when the source states the date outright.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str
    basis: str | None = None

    @field_validator("value")
    @classmethod
    def _valid(cls, value: str) -> str:
        match = _DATE_PATTERN.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g is not None else 1 for g in match.groups())
        try:
            date(year, month, day)
        except ValueError as error:
            raise ValueError(f"{value!r} is not a real date ({error})") from None
        return value

    @property
    def precision(self) -> Precision:
        return [Precision.YEAR, Precision.MONTH, Precision.DAY][self.value.count("-")]

    @property
    def start(self) -> date:
        """The first day the date may mean."""
        parts = [int(p) for p in self.value.split("-")] + [1, 1]
        return date(parts[0], parts[1], parts[2])

    @property
    def end(self) -> date:
        """The last day the date may mean."""
        parts = [int(p) for p in self.value.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31)
        if len(parts) == 2:
            return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        return date(parts[0], parts[1], parts[2])


def span_problem(start: FuzzyDate | None, end: FuzzyDate | None) -> str | None:
    """What is wrong with a span whose every possible end day is before every possible
    start day (2010 to 2010-03 may be right; 2010-03 to 2009 cannot be), else None."""
    if start is not None and end is not None and end.end < start.start:
        return f"end {end.value} is before start {start.value}"
    return None


def _coerce_date(value: Any) -> Any:
    """Let YAML say `date: 2009-07` as well as `date: {value: 2009-07, basis: ...}`."""
    if isinstance(value, int | date):
        return {"value": str(value)}
    if isinstance(value, str):
        return {"value": value}
    return value


class Source(BaseModel):
    """A document and the exact words in it that state a fact."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: Slug
    quote: str = Field(min_length=3)


class Fact(BaseModel):
    """Anything the graph asserts; it must name at least one source."""

    model_config = ConfigDict(extra="forbid")

    sources: list[Source] = Field(min_length=1)


PROPERTY_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
INT64 = (-(2**63), 2**63 - 1)
# Properties the GraphQL API reads as typed fields (schema/specs.py): a value of another type
# would be stored, then break every read of the entity that asks for it.
PROPERTY_TYPES: dict[str, tuple[str, tuple[type, ...]]] = {
    "quantity": ("a number", (int, float)),
    "unit": ("a string", (str,)),
    "period": ("a string", (str,)),
    "meetingType": ("a string", (str,)),
    "candidate": ("true or false", (bool,)),
}


# Node properties that diplograph manages itself: `properties` may not set them, nor any
# date* name (the date's own: dateStart ... would shadow it in reads), nor a look-alike in
# another case (`ID`, `Name` would read as the managed ones in Browser).
RESERVED_PROPERTIES = frozenset(
    {"id", "name", "aliases", "aliasText", "description", "note", "sources", "quotes", "key"}
    | {"kind", "slug", "hsgHashes", "mergedFrom", "mergedInto", "mergedKey", "mergedKind"}
    | {f"date{suffix}" for suffix in ("", "Precision", "From", "To", "Basis")}
)
_RESERVED_LOWER = frozenset(name.lower() for name in RESERVED_PROPERTIES)


class Entity(Fact):
    """A node of the knowledge graph."""

    id: Slug
    kind: Kind
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    date: FuzzyDate | None = None
    # Why a record looks as it does: a spelling discrepancy, a resolution.
    note: str | None = None
    # Kind-specific scalar facts (a term's quantity, a person's nationality ...).
    properties: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _coerce_date(value)

    @field_validator("properties")
    @classmethod
    def _property_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Keys become Neo4j property names that analysts type in Cypher: plain identifiers.
        bad = sorted(key for key in value if not PROPERTY_NAME.fullmatch(key))
        if bad:
            raise ValueError(f"property names must match {PROPERTY_NAME.pattern}: {bad}")
        reserved = sorted(
            key for key in value if key.lower() in _RESERVED_LOWER or key.lower().startswith("date")
        )
        if reserved:
            raise ValueError(f"properties may not set {reserved} (managed by diplograph)")
        # Neo4j stores 64-bit integers; a larger one would fail inside the driver.
        huge = sorted(
            key for key, v in value.items() if isinstance(v, int) and not INT64[0] <= v <= INT64[1]
        )
        if huge:
            raise ValueError(f"integer properties must fit in 64 bits: {huge}")
        # JSON's 1e400 reads as infinity: nothing a client could read back as a number.
        odd = sorted(k for k, v in value.items() if isinstance(v, float) and not math.isfinite(v))
        if odd:
            raise ValueError(f"number properties must be finite: {odd}")
        mistyped = [
            f"'{key}' must be {PROPERTY_TYPES[key][0]}, not {v!r}"
            for key, v in value.items()
            if key in PROPERTY_TYPES
            and (
                not isinstance(v, PROPERTY_TYPES[key][1])
                or (isinstance(v, bool) and bool not in PROPERTY_TYPES[key][1])
            )
        ]
        if mistyped:
            raise ValueError("; ".join(mistyped))
        return value

    @field_validator("name", "aliases")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        # Names are read on screens and matched in text: no NUL or other control characters,
        # and something to read.
        for text in [value] if isinstance(value, str) else value:
            if any(unicodedata.category(ch) == "Cc" for ch in text):
                raise ValueError(f"{text!r} holds a control character")
            if not text.strip():
                raise ValueError("a name or alias must not be blank")
        return value

    @field_validator("description", "note")
    @classmethod
    def _readable(cls, value: str | None) -> str | None:
        # Line breaks and tabs are text; NUL and the other control characters are not.
        if value is not None and any(
            unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value
        ):
            raise ValueError(f"{value[:40]!r}... holds a control character")
        return value


class RelType(StrEnum):
    """Relationship types, in Neo4j's UPPER_SNAKE verb style."""

    LED = "LED"
    MEMBER_OF = "MEMBER_OF"
    REPRESENTS = "REPRESENTS"
    ATTENDED = "ATTENDED"
    HELD_IN = "HELD_IN"
    DISCUSSED = "DISCUSSED"
    RAISED = "RAISED"
    PARTY_TO = "PARTY_TO"
    DETAINED = "DETAINED"
    HOLDS_POSITION = "HOLDS_POSITION"
    PART_OF = "PART_OF"
    LOCATED_IN = "LOCATED_IN"
    HAS_TERM = "HAS_TERM"
    IMPLEMENTS = "IMPLEMENTS"
    SUSPENDED = "SUSPENDED"
    RESUMED = "RESUMED"
    INVOLVES = "INVOLVES"
    AFFECTS = "AFFECTS"
    TOOK_STEP = "TOOK_STEP"
    HOPES_FOR = "HOPES_FOR"
    FOLLOWS = "FOLLOWS"
    CITIZEN_OF = "CITIZEN_OF"
    VISITED = "VISITED"
    MENTIONS = "MENTIONS"


_ACTORS = frozenset(ACTOR_KINDS)
_ANY = frozenset(Kind)

# Which kinds each relationship type may connect: (from kinds, to kinds).
RELATIONSHIP_RULES: dict[RelType, tuple[frozenset[Kind], frozenset[Kind]]] = {
    RelType.LED: (frozenset({Kind.PERSON}), frozenset({Kind.DELEGATION, Kind.ORGANIZATION})),
    RelType.MEMBER_OF: (_ACTORS, frozenset({Kind.DELEGATION, Kind.ORGANIZATION})),
    RelType.REPRESENTS: (
        frozenset({Kind.DELEGATION, Kind.PERSON, Kind.ORGANIZATION}),
        frozenset({Kind.COUNTRY, Kind.ORGANIZATION}),
    ),
    RelType.ATTENDED: (_ACTORS, frozenset({Kind.MEETING, Kind.EVENT})),
    RelType.HELD_IN: (frozenset({Kind.MEETING, Kind.EVENT}), frozenset({Kind.PLACE, Kind.COUNTRY})),
    RelType.DISCUSSED: (frozenset({Kind.MEETING}), frozenset({Kind.ISSUE, Kind.AGREEMENT})),
    RelType.RAISED: (_ACTORS, frozenset({Kind.ISSUE})),
    RelType.PARTY_TO: (frozenset({Kind.COUNTRY, Kind.ORGANIZATION}), frozenset({Kind.AGREEMENT})),
    RelType.DETAINED: (
        frozenset({Kind.ORGANIZATION, Kind.COUNTRY}),
        frozenset({Kind.PERSON}),
    ),
    RelType.HOLDS_POSITION: (frozenset({Kind.PERSON}), frozenset({Kind.ORGANIZATION})),
    RelType.PART_OF: (
        frozenset({Kind.ORGANIZATION, Kind.PLACE, Kind.MEETING, Kind.EVENT, Kind.ISSUE}),
        frozenset({Kind.ORGANIZATION, Kind.COUNTRY, Kind.PLACE, Kind.MEETING, Kind.ISSUE}),
    ),
    RelType.LOCATED_IN: (
        frozenset({Kind.ORGANIZATION, Kind.PLACE}),
        frozenset({Kind.PLACE, Kind.COUNTRY}),
    ),
    RelType.HAS_TERM: (frozenset({Kind.AGREEMENT}), frozenset({Kind.TERM})),
    RelType.IMPLEMENTS: (frozenset({Kind.MEETING, Kind.EVENT}), frozenset({Kind.AGREEMENT})),
    RelType.SUSPENDED: (frozenset({Kind.EVENT}), frozenset({Kind.MEETING, Kind.ISSUE})),
    RelType.RESUMED: (_ACTORS | {Kind.EVENT}, frozenset({Kind.MEETING, Kind.ISSUE})),
    RelType.INVOLVES: (frozenset({Kind.ISSUE, Kind.EVENT}), _ANY),
    RelType.AFFECTS: (frozenset({Kind.ISSUE, Kind.EVENT}), _ANY),
    RelType.TOOK_STEP: (_ACTORS, frozenset({Kind.EVENT, Kind.ISSUE})),
    RelType.HOPES_FOR: (_ACTORS, _ANY),
    RelType.FOLLOWS: (frozenset({Kind.MEETING, Kind.EVENT}), frozenset({Kind.MEETING, Kind.EVENT})),
    RelType.CITIZEN_OF: (frozenset({Kind.PERSON}), frozenset({Kind.COUNTRY})),
    RelType.VISITED: (_ACTORS, frozenset({Kind.COUNTRY, Kind.PLACE})),
    # A meeting's or event's record names an actor (e.g. "Met with Foreign Minister Nakasone").
    RelType.MENTIONS: (frozenset({Kind.MEETING, Kind.EVENT}), _ACTORS),
}


class Relationship(Fact):
    """A typed, directed, sourced edge between two entities."""

    type: RelType
    source: Slug = Field(alias="from")
    target: Slug = Field(alias="to")
    # Tells apart two edges of one type between the same two entities.
    key: str = ""
    role: str | None = None
    title: str | None = None
    date: FuzzyDate | None = None
    start: FuzzyDate | None = None
    end: FuzzyDate | None = None
    note: str | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("date", "start", "end", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return _coerce_date(value)

    @field_validator("end")
    @classmethod
    def _end_not_before_start(cls, end: FuzzyDate | None, info: ValidationInfo) -> Any:
        problem = span_problem(info.data.get("start"), end)  # `start` is checked first
        if problem:
            raise ValueError(problem)
        return end


class Document(BaseModel):
    """A source text: an article, a dataset record's page."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    title: str
    text: str
    file: str | None = None
    url: str | None = None
    date: FuzzyDate | None = None
    publisher: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _coerce_date(value)


class Knowledge(BaseModel):
    """Everything one load writes: documents, entities and relationships."""

    documents: list[Document] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    relationships: list[Relationship] = Field(default_factory=list)
