"""A small fictional graph where one meeting is reached by several paths of participation.

Ada Quill attended the first harbour round herself and led the delegation that attended
it; a second delegation she belonged to attended the second round; she alone attended the
third. Both delegations represent Northland, whose people and delegations are its own
participants (graph/projection.py PARTICIPATION). She raised the harbour dues herself, and
so did the first delegation: one issue she raised, reached two ways.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from diplograph.model import Knowledge
from graph.repository import write_knowledge

DOCUMENT = "northland-harbour-rounds"
TEXT = (
    "Ada Quill attended the first harbour round in person, and led the Northland delegation "
    "that attended it. A second Northland delegation, with Ada Quill as a member, attended "
    "the second harbour round. Ada Quill alone attended the third harbour round."
)
ISSUE = "harbour-dues"
PERSON, COUNTRY = "ada-quill", "northland"
FIRST, SECOND = "northland-delegation-round-1", "northland-delegation-round-2"
ROUNDS = ("harbour-round-1", "harbour-round-2", "harbour-round-3")


def _fact(**fields: Any) -> dict[str, Any]:
    return {**fields, "sources": [{"document": DOCUMENT, "quote": "Ada Quill"}]}


def knowledge() -> Knowledge:
    entities = [
        _fact(id=PERSON, kind="Person", name="Ada Quill"),
        _fact(id=COUNTRY, kind="Country", name="Northland"),
        _fact(id=FIRST, kind="Delegation", name="Northland delegation, round 1"),
        _fact(id=SECOND, kind="Delegation", name="Northland delegation, round 2"),
        *(
            _fact(id=slug, kind="Meeting", name=f"Harbour round {i}", date=f"1981-0{i + 2}-02")
            for i, slug in enumerate(ROUNDS, start=1)
        ),
        _fact(id=ISSUE, kind="Issue", name="Harbour dues"),
    ]
    relationships = [
        _fact(type="ATTENDED", **{"from": PERSON, "to": ROUNDS[0]}, role="in person"),
        _fact(type="LED", **{"from": PERSON, "to": FIRST}, role="head"),
        _fact(type="MEMBER_OF", **{"from": PERSON, "to": FIRST}),
        _fact(type="MEMBER_OF", **{"from": PERSON, "to": SECOND}),
        # Dated, where her own is not: an edge filter on dates keeps the delegation's.
        _fact(
            type="ATTENDED",
            **{"from": FIRST, "to": ROUNDS[0]},
            role="delegation, round 1",
            date="1981-03-02",
        ),
        _fact(type="ATTENDED", **{"from": SECOND, "to": ROUNDS[1]}, role="delegation, round 2"),
        _fact(type="ATTENDED", **{"from": PERSON, "to": ROUNDS[2]}, role="alone"),
        _fact(type="REPRESENTS", **{"from": FIRST, "to": COUNTRY}),
        _fact(type="REPRESENTS", **{"from": SECOND, "to": COUNTRY}),
        _fact(type="RAISED", **{"from": PERSON, "to": ISSUE}, role="herself"),
        _fact(type="RAISED", **{"from": FIRST, "to": ISSUE}, role="delegation"),
    ]
    document = {"id": DOCUMENT, "title": "Northland at the harbour rounds", "text": TEXT}
    return Knowledge.model_validate(
        {"documents": [document], "entities": entities, "relationships": relationships}
    )


def write_rounds(driver: Driver, database: str) -> None:
    """Add the fictional rounds to whatever the database holds."""
    write_knowledge(driver, database, knowledge())
