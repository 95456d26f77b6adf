"""What each GraphQL field means in the graph: the table the query compiler reads.

A field is a node property (`Prop`), a fuzzy date (`DateOf`), the node's kind
(`Typename`), its provenance (`SOURCES`), or a relation (`Relation`): a constant
Cypher pattern from the node `{n}` through the relationship `{r}` to the related
node `{m}`. These are the compiler's own shapes (graph.projection), so the table
and the compiler share one definition; only the id fields are GraphQL's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.projection import PARTICIPATION, DateOf, Prop, Relation, SourcesOf, Typename

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


KIND = Typename()
SOURCES = SourcesOf()

# Sub-patterns shared by several fields.
_VIA_DELEGATION = "({n})-[:LED|MEMBER_OF*0..1]->()"


def _entity_fields() -> dict[str, Any]:
    return {
        "id": GlobalId(),
        "slug": Slug(),
        "kind": KIND,
        "name": Prop("name"),
        "aliases": Prop("aliases"),
        "description": Prop("description"),
        "note": Prop("note"),
        "date": DateOf("date"),
        "sources": SOURCES,
        "mentionedIn": Relation("({n})<-[{r}:MENTIONS]-({m}:Document)", "Document", mention=True),
    }


def _actor_fields(kind: str) -> dict[str, Any]:
    raised = {
        "Country": "({n})<-[:REPRESENTS*0..1]-()-[{r}:RAISED]->({m}:Issue)",
        "Delegation": "({n})-[{r}:RAISED]->({m}:Issue)",
    }.get(kind, _VIA_DELEGATION + "-[{r}:RAISED]->({m}:Issue)")
    return {
        **_entity_fields(),
        # The same participation as the `participant` filter and `meetingsBetween`.
        "meetings": Relation(PARTICIPATION, "Meeting"),
        "raised": Relation(raised, "Issue"),
        "memberOf": Relation("({n})-[{r}:MEMBER_OF]->({m}:Delegation|Organization)", "Actor"),
    }


FIELDS: dict[str, dict[str, Any]] = {
    "Person": {
        **_actor_fields("Person"),
        "led": Relation("({n})-[{r}:LED]->({m}:Delegation|Organization)", "Actor"),
        "positions": Relation("({n})-[{r}:HOLDS_POSITION]->({m}:Organization)", "Organization"),
        "detainedBy": Relation("({n})<-[{r}:DETAINED]-({m}:Entity)", "Actor"),
        "citizenOf": Relation("({n})-[{r}:CITIZEN_OF]->({m}:Country)", "Country", single=True),
        "candidate": Prop("candidate"),
    },
    "Organization": {
        **_actor_fields("Organization"),
        "members": Relation("({n})<-[{r}:MEMBER_OF]-({m}:Entity)", "Actor"),
        "leaders": Relation("({n})<-[{r}:LED]-({m}:Person)", "Person"),
        "positionHolders": Relation("({n})<-[{r}:HOLDS_POSITION]-({m}:Person)", "Person"),
        "partOf": Relation("({n})-[{r}:PART_OF]->({m}:Organization)", "Organization", single=True),
        "country": Relation(
            "({n})-[{r}:REPRESENTS|LOCATED_IN|PART_OF]->({m}:Country)", "Country", single=True
        ),
    },
    "Delegation": {
        **_actor_fields("Delegation"),
        "leaders": Relation("({n})<-[{r}:LED]-({m}:Person)", "Person"),
        "members": Relation("({n})<-[{r}:MEMBER_OF]-({m}:Entity)", "Actor"),
        "represents": Relation(
            "({n})-[{r}:REPRESENTS]->({m}:Country|Organization)", "Actor", single=True
        ),
    },
    "Country": {
        **_actor_fields("Country"),
        "delegations": Relation("({n})<-[{r}:REPRESENTS]-({m}:Delegation)", "Delegation"),
        "agreements": Relation("({n})-[{r}:PARTY_TO]->({m}:Agreement)", "Agreement"),
        "meetingsHeld": Relation(
            "({n})<-[:LOCATED_IN*0..2]-()<-[{r}:HELD_IN]-({m}:Meeting)", "Meeting"
        ),
    },
    "Meeting": {
        **_entity_fields(),
        "meetingType": Prop("meetingType"),
        "places": Relation("({n})-[{r}:HELD_IN]->({m}:Place|Country)", "Entity"),
        "participants": Relation("({n})<-[{r}:ATTENDED]-({m}:Entity)", "Actor"),
        "issues": Relation("({n})-[{r}:DISCUSSED]->({m}:Issue)", "Issue"),
        "agreements": Relation("({n})-[{r}:DISCUSSED|IMPLEMENTS]->({m}:Agreement)", "Agreement"),
    },
    "Agreement": {
        **_entity_fields(),
        "parties": Relation("({n})<-[{r}:PARTY_TO]-({m}:Entity)", "Actor"),
        "terms": Relation("({n})-[{r}:HAS_TERM]->({m}:Term)", "Term"),
        "meetings": Relation("({n})<-[{r}:DISCUSSED|IMPLEMENTS]-({m}:Meeting)", "Meeting"),
    },
    "Term": {
        **_entity_fields(),
        "quantity": Prop("quantity"),
        "unit": Prop("unit"),
        "period": Prop("period"),
        "agreement": Relation("({n})<-[{r}:HAS_TERM]-({m}:Agreement)", "Agreement", single=True),
    },
    "Event": {
        **_entity_fields(),
        "involves": Relation(
            "({n})-[{r}:INVOLVES|AFFECTS|SUSPENDED|IMPLEMENTS]->({m}:Entity)", "Entity"
        ),
        "actors": Relation(
            "({n})<-[{r}:TOOK_STEP|SUSPENDED|RESUMED|DETAINED|ATTENDED]-({m}:Entity)", "Actor"
        ),
    },
    "Issue": {
        **_entity_fields(),
        "raisedBy": Relation("({n})<-[{r}:RAISED]-({m}:Entity)", "Actor"),
        "discussedIn": Relation("({n})<-[{r}:DISCUSSED]-({m}:Meeting)", "Meeting"),
        "involves": Relation("({n})-[{r}:INVOLVES|AFFECTS]->({m}:Entity)", "Entity"),
        "involvement": Relation("({n})-[{r}]-({m}:Entity)", "Entity"),
    },
    "Place": {
        **_entity_fields(),
        "meetings": Relation("({n})<-[{r}:HELD_IN]-({m}:Meeting)", "Meeting"),
        "locatedIn": Relation(
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
        "mentions": Relation("({n})-[{r}:MENTIONS]->({m}:Entity)", "Entity", mention=True),
    },
}


def possible_types(type_name: str) -> tuple[str, ...]:
    """The concrete types a (possibly abstract) GraphQL type stands for."""
    return INTERFACES.get(type_name, (type_name,))
