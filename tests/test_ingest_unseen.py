"""Ingest rules for texts the curated knowledge was not written from (pure logic).

The texts are invented for these tests, on other countries and people than any
evaluation text: Peru and Ecuador, Norway and Iceland.
"""

from __future__ import annotations

from diplograph.model import Kind
from diplograph.records import KnownEntity
from loaders.ingest.candidates import analyse, resolve_day
from loaders.ingest.documents import prepare_text
from loaders.ingest.linking import derived_forms, find_mentions

PERU = KnownEntity("peru", Kind.COUNTRY, "Peru")
ECUADOR = KnownEntity("ecuador", Kind.COUNTRY, "Ecuador")
LIMA = KnownEntity("lima", Kind.PLACE, "Lima")
QUITO = KnownEntity("quito", Kind.PLACE, "Quito")
BUREAU = KnownEntity("state-andean", Kind.ORGANIZATION, "Andean Affairs (U.S. Department of State)")
MINISTRY = KnownEntity("peru-mfa", Kind.ORGANIZATION, "Ministry of Foreign Affairs of Peru")
ACCORDS = KnownEntity("accords-1998", Kind.AGREEMENT, "1998 Peru-Ecuador Peace Accords")
OAS = KnownEntity("oas", Kind.ORGANIZATION, "Organization of American States")
KNOWN = [PERU, ECUADOR, LIMA, QUITO, BUREAU, MINISTRY, ACCORDS, OAS]

STATEMENT = "\n\n".join(
    [
        "Peru and Ecuador Hold Border Talks",
        "Maria Torres, Deputy Assistant Secretary of State for Andean Affairs",
        (
            "On Thursday, March 7, Deputy Foreign Minister of Peru, Luis Alberto Campos Diaz met "
            "Ecuadorian officials in Lima. The delegations will meet again on April 30 in Quito. "
            "Campos said the talks were useful. Torres welcomed the progress, speaking in "
            "Spanish."
        ),
        (
            "The release of Jorge Salinas on February 2 opened the way. The truce ended 15 years "
            "of dispute. The Ministry of Foreign Affairs of Ecuador issued a statement, and the "
            "Bureau of Andean Affairs and Peru's Foreign Ministry welcomed it. Both sides honour "
            "the Peace Accords. The Organization of American States (OAS) observed the talks; the"
            " OAS will report."
        ),
    ]
)


def test_usual_forms_of_known_names_are_derived() -> None:
    assert {"Bureau of Andean Affairs", "Andean Affairs Bureau"} <= set(derived_forms(BUREAU))
    assert {"Peru's Foreign Ministry", "Foreign Ministry of Peru"} <= set(derived_forms(MINISTRY))
    assert derived_forms(ACCORDS) == ["Peru-Ecuador Peace Accords", "Peace Accords"]


def test_known_entities_link_in_their_usual_forms() -> None:
    doc = prepare_text(STATEMENT, date="2013-03-08")
    mentions, ambiguities = find_mentions(doc.text, KNOWN)
    found = {(m.text, m.entity_id) for m in mentions}
    assert {
        ("Bureau of Andean Affairs", "state-andean"),
        ("Peru's Foreign Ministry", "peru-mfa"),
        ("Peace Accords", "accords-1998"),
        ("OAS", "oas"),  # defined in the text next to the full name
        ("Lima", "lima"),
        ("Peru", "peru"),  # inside "Minister of Peru"
    } <= found
    assert not ambiguities


def test_same_named_entities_are_told_apart_by_the_document() -> None:
    places = [
        KnownEntity("trujillo", Kind.PLACE, "Trujillo"),
        KnownEntity("trujillo-peru", Kind.PLACE, "Trujillo"),
        KnownEntity("trujillo-honduras", Kind.PLACE, "Trujillo"),
        PERU,
    ]
    text = "The envoy flew from Peru to Trujillo."
    (trujillo,) = [m for m in find_mentions(text, places)[0] if m.text == "Trujillo"]
    assert trujillo.entity_id == "trujillo-peru"
    # Nothing in the text decides between two qualified ones: left for the analyst.
    _, ambiguities = find_mentions("The envoy flew to Trujillo.", places[1:3])
    assert [a.entity_ids for a in ambiguities] == [("trujillo-honduras", "trujillo-peru")]


def test_new_people_meetings_and_events_are_proposed_without_noise() -> None:
    doc = prepare_text(STATEMENT, date="2013-03-08")
    candidates = analyse(doc, KNOWN).candidates
    by_name = {c.name: c for c in candidates}
    torres = by_name["Maria Torres"]  # a byline: "Name, Title"
    assert torres.kind == Kind.PERSON
    assert torres.title == "Deputy Assistant Secretary of State for Andean Affairs"
    assert len(torres.occurrences) == 2  # and "Torres welcomed" later
    campos = by_name["Luis Alberto Campos Diaz"]  # an appositive: "Title, Name"
    assert campos.title == "Deputy Foreign Minister of Peru"
    assert [o.text for o in campos.occurrences] == ["Luis Alberto Campos Diaz", "Campos"]
    meetings = {c.date.value: c for c in candidates if c.kind == Kind.MEETING and c.date}
    assert set(meetings) == {"2013-03-07", "2013-04-30"}
    lima = meetings["2013-03-07"]
    assert lima.place == "lima" and lima.participants == ["Luis Alberto Campos Diaz"]
    assert lima.date is not None and lima.date.precision.value == "day"
    assert meetings["2013-04-30"].place == "quito"
    (event,) = [c for c in candidates if c.kind == Kind.EVENT]
    assert event.name == "Release of Jorge Salinas" and event.date is not None
    assert event.date.value == "2013-02-02"
    organizations = {c.name for c in candidates if c.kind == Kind.ORGANIZATION}
    assert "Ministry of Foreign Affairs of Ecuador" in organizations  # not truncated
    names = {c.name for c in candidates}
    assert not names & {"Spanish", "Ecuadorian", "15 years", "Campos", "Torres"}
    assert not [c for c in candidates if c.kind == Kind.TERM]


def test_days_without_a_year_are_counted_from_the_document_date() -> None:
    from diplograph.model import FuzzyDate

    friday = FuzzyDate(value="2013-03-08")
    assert resolve_day("Thursday, March 7", friday) is not None
    assert resolve_day("Thursday, March 7", friday)[0] == "2013-03-07"  # type: ignore[index]
    assert resolve_day("December 30", FuzzyDate(value="2014-01-03"))[0] == "2013-12-30"  # type: ignore[index]
    assert resolve_day("Tuesday", friday)[0] == "2013-03-05"  # type: ignore[index]
    assert resolve_day("Tuesday", friday, future=True)[0] == "2013-03-12"  # type: ignore[index]
    assert resolve_day("Tuesday", FuzzyDate(value="2013-03")) is None  # no day to count from
    assert resolve_day("next year", friday) is None


def test_relative_dates_of_events_are_resolved_with_their_basis() -> None:
    doc = prepare_text(
        "Vote Count Ends\n\nLast year the election of Ana Ruiz was contested in Peru.",
        date="2011-01-14",
    )
    (event,) = [c for c in analyse(doc, [PERU]).candidates if c.kind == Kind.EVENT]
    assert event.name == "Election of Ana Ruiz"
    assert event.date is not None and event.date.value == "2010"
    assert event.date.basis and "2011-01-14" in event.date.basis
