"""What each GraphQL field means in the graph: the table the query compiler reads.

A field is a node property (`Prop`), a fuzzy date (`DateOf`), the node's
provenance (`SOURCES`), or a relation (`Rel`): a constant Cypher pattern from
the node `{n}` through the relationship `{r}` to the related node `{m}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.projection import DateOf, Prop

ALL_KINDS = (
    "Person", "Organization", "Delegation", "Country", "Meeting", "Agreement", "Term",
    "Event", "Issue", "Place",
)  # fmt: skip
ACTOR_KINDS = ("Person", "Organization", "Delegation", "Country")
INTERFACES: dict[str, tuple[str, ...]] = {
    "Node": (*ALL_KINDS, "Document"),
    "Entity": ALL_KINDS,
    "Actor": ACTOR_KINDS,
}


@dataclass(frozen=True)
class GlobalId:
    """The Relay global id, made from the type name and the slug."""


@dataclass(frozen=True)
class Slug:
    """The readable id stored on the node."""


@dataclass(frozen=True)
class KindOf:
    """The node's kind (its label)."""


@dataclass(frozen=True)
class Sources:
    """The documents and quotes that state the node's facts."""


@dataclass(frozen=True)
class Rel:
    """A relation; `target` is the GraphQL type of the related node."""

    pattern: str
    target: str
    single: bool = False
    mention: bool = False


SOURCES = Sources()

# Sub-patterns shared by several fields.
_VIA_DELEGATION = "({n})-[:LED|MEMBER_OF*0..1]->()"


def _entity_fields() -> dict[str, Any]:
    return {
        "id": GlobalId(),
        "slug": Slug(),
        "kind": KindOf(),
        "name": Prop("name"),
        "aliases": Prop("aliases"),
        "description": Prop("description"),
        "note": Prop("note"),
        "date": DateOf("date"),
        "sources": SOURCES,
        "mentionedIn": Rel("({n})<-[{r}:MENTIONS]-({m}:Document)", "Document", mention=True),
    }


def _actor_fields(kind: str) -> dict[str, Any]:
    meetings = {
        "Country": "({n})<-[:REPRESENTS*0..1]-()-[{r}:ATTENDED]->({m}:Meeting)",
        "Delegation": "({n})-[{r}:ATTENDED]->({m}:Meeting)",
    }.get(kind, _VIA_DELEGATION + "-[{r}:ATTENDED]->({m}:Meeting)")
    raised = {
        "Country": "({n})<-[:REPRESENTS*0..1]-()-[{r}:RAISED]->({m}:Issue)",
        "Delegation": "({n})-[{r}:RAISED]->({m}:Issue)",
    }.get(kind, _VIA_DELEGATION + "-[{r}:RAISED]->({m}:Issue)")
    return {
        **_entity_fields(),
        "meetings": Rel(meetings, "Meeting"),
        "raised": Rel(raised, "Issue"),
        "memberOf": Rel("({n})-[{r}:MEMBER_OF]->({m}:Delegation|Organization)", "Actor"),
    }


FIELDS: dict[str, dict[str, Any]] = {
    "Person": {
        **_actor_fields("Person"),
        "led": Rel("({n})-[{r}:LED]->({m}:Delegation|Organization)", "Actor"),
        "positions": Rel("({n})-[{r}:HOLDS_POSITION]->({m}:Organization)", "Organization"),
        "detainedBy": Rel("({n})<-[{r}:DETAINED]-({m}:Entity)", "Actor"),
        "citizenOf": Rel("({n})-[{r}:CITIZEN_OF]->({m}:Country)", "Country", single=True),
        "candidate": Prop("candidate"),
    },
    "Organization": {
        **_actor_fields("Organization"),
        "members": Rel("({n})<-[{r}:MEMBER_OF]-({m}:Entity)", "Actor"),
        "leaders": Rel("({n})<-[{r}:LED]-({m}:Person)", "Person"),
        "positionHolders": Rel("({n})<-[{r}:HOLDS_POSITION]-({m}:Person)", "Person"),
        "partOf": Rel("({n})-[{r}:PART_OF]->({m}:Organization)", "Organization", single=True),
        "country": Rel(
            "({n})-[{r}:REPRESENTS|LOCATED_IN|PART_OF]->({m}:Country)", "Country", single=True
        ),
    },
    "Delegation": {
        **_actor_fields("Delegation"),
        "leaders": Rel("({n})<-[{r}:LED]-({m}:Person)", "Person"),
        "members": Rel("({n})<-[{r}:MEMBER_OF]-({m}:Entity)", "Actor"),
        "represents": Rel(
            "({n})-[{r}:REPRESENTS]->({m}:Country|Organization)", "Actor", single=True
        ),
    },
    "Country": {
        **_actor_fields("Country"),
        "delegations": Rel("({n})<-[{r}:REPRESENTS]-({m}:Delegation)", "Delegation"),
        "agreements": Rel("({n})-[{r}:PARTY_TO]->({m}:Agreement)", "Agreement"),
        "meetingsHeld": Rel("({n})<-[:LOCATED_IN*0..2]-()<-[{r}:HELD_IN]-({m}:Meeting)", "Meeting"),
    },
    "Meeting": {
        **_entity_fields(),
        "meetingType": Prop("meetingType"),
        "places": Rel("({n})-[{r}:HELD_IN]->({m}:Place|Country)", "Entity"),
        "participants": Rel("({n})<-[{r}:ATTENDED]-({m}:Entity)", "Actor"),
        "issues": Rel("({n})-[{r}:DISCUSSED]->({m}:Issue)", "Issue"),
        "agreements": Rel("({n})-[{r}:DISCUSSED|IMPLEMENTS]->({m}:Agreement)", "Agreement"),
    },
    "Agreement": {
        **_entity_fields(),
        "parties": Rel("({n})<-[{r}:PARTY_TO]-({m}:Entity)", "Actor"),
        "terms": Rel("({n})-[{r}:HAS_TERM]->({m}:Term)", "Term"),
        "meetings": Rel("({n})<-[{r}:DISCUSSED|IMPLEMENTS]-({m}:Meeting)", "Meeting"),
    },
    "Term": {
        **_entity_fields(),
        "quantity": Prop("quantity"),
        "unit": Prop("unit"),
        "period": Prop("period"),
        "agreement": Rel("({n})<-[{r}:HAS_TERM]-({m}:Agreement)", "Agreement", single=True),
    },
    "Event": {
        **_entity_fields(),
        "involves": Rel(
            "({n})-[{r}:INVOLVES|AFFECTS|SUSPENDED|IMPLEMENTS]->({m}:Entity)", "Entity"
        ),
        "actors": Rel(
            "({n})<-[{r}:TOOK_STEP|SUSPENDED|RESUMED|DETAINED|ATTENDED]-({m}:Entity)", "Actor"
        ),
    },
    "Issue": {
        **_entity_fields(),
        "raisedBy": Rel("({n})<-[{r}:RAISED]-({m}:Entity)", "Actor"),
        "discussedIn": Rel("({n})<-[{r}:DISCUSSED]-({m}:Meeting)", "Meeting"),
        "involves": Rel("({n})-[{r}:INVOLVES|AFFECTS]->({m}:Entity)", "Entity"),
        "involvement": Rel("({n})-[{r}]-({m}:Entity)", "Entity"),
    },
    "Place": {
        **_entity_fields(),
        "meetings": Rel("({n})<-[{r}:HELD_IN]-({m}:Meeting)", "Meeting"),
        "locatedIn": Rel(
            "({n})-[{r}:LOCATED_IN|PART_OF]->({m}:Place|Country)", "Entity", single=True
        ),
    },
    "Document": {
        "id": GlobalId(),
        "slug": Slug(),
        "title": Prop("title"),
        "text": Prop("text"),
        "url": Prop("url"),
        "file": Prop("file"),
        "publisher": Prop("publisher"),
        "date": DateOf("date"),
        "mentions": Rel("({n})-[{r}:MENTIONS]->({m}:Entity)", "Entity", mention=True),
    },
}


def possible_types(type_name: str) -> tuple[str, ...]:
    """The concrete types a (possibly abstract) GraphQL type stands for."""
    return INTERFACES.get(type_name, (type_name,))
