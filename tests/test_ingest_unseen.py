"""Ingest rules for texts the curated knowledge was not written from (pure logic).

The texts are invented for these tests, on other countries and people than any
evaluation text: Peru and Ecuador, Norway and Iceland.
"""

from __future__ import annotations

from diplograph.model import Kind
from diplograph.records import Candidate, KnownEntity
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


# -- issue 12c: offices, envoys, delegations, middle names, dates and nearby context --------
# Invented texts on Kenya and Somalia, Spain and Venezuela, Brazil and Angola.

import dataclasses  # noqa: E402
from datetime import date  # noqa: E402

from loaders.ingest.text import TextIndex  # noqa: E402


def _titles(text: str) -> dict[str, str]:
    """Person candidate name -> title, in a text with nothing known."""
    doc = prepare_text("Talks in Nairobi\n\n" + text, date="2019-05-06")
    return {c.name: c.title or "" for c in analyse(doc, []).candidates if c.kind == Kind.PERSON}


def test_offices_before_a_name_are_kept_whole() -> None:
    assert _titles(
        "Deputy U.S. Trade Representative Ambassador Laura Binns opened the session."
    ) == {"Laura Binns": "Deputy U.S. Trade Representative Ambassador"}
    assert _titles("Acting Under Secretary for Arms Control Ambassador Rosa Lind spoke first.") == {
        "Rosa Lind": "Acting Under Secretary for Arms Control Ambassador"
    }
    # An envoy's "to <country or body>", with the name right after it.
    assert _titles("U.S. Ambassador to Kenya Peter Quill spoke on Tuesday.") == {
        "Peter Quill": "U.S. Ambassador to Kenya"
    }
    assert _titles("U.S. Ambassador to the Organization of American States Peter Quill spoke.") == {
        "Peter Quill": "U.S. Ambassador to the Organization of American States"
    }
    # "of State" is the complement; the name after it is not swallowed by the title.
    assert _titles("It was led by Assistant Secretary of State Tom Reyes, who spoke.") == {
        "Tom Reyes": "Assistant Secretary of State"
    }
    # Still: a complement outside the vocabulary closed by a comma.
    assert _titles("Deputy Minister of Somalia, Hodan Warsame, arrived.") == {
        "Hodan Warsame": "Deputy Minister of Somalia"
    }


def test_a_country_after_an_envoys_title_links() -> None:
    kenya = KnownEntity("kenya", Kind.COUNTRY, "Kenya")
    mentions, _ = find_mentions("U.S. Ambassador to Kenya Peter Quill spoke.", [kenya])
    assert [(m.text, m.entity_id) for m in mentions] == [("Kenya", "kenya")]
    assert TextIndex("Ambassador to Kenya Peter Quill").runs[-1] == (3, 4)


KENYA = KnownEntity("kenya", Kind.COUNTRY, "Kenya")
SOMALIA = KnownEntity("somalia", Kind.COUNTRY, "Somalia")
US = KnownEntity("united-states", Kind.COUNTRY, "United States", ("U.S.",))
NAIROBI = KnownEntity("nairobi", Kind.PLACE, "Nairobi")

TALKS = "\n\n".join(
    [
        "Kenya and Somalia Resume Maritime Talks",
        "Media Note",
        (
            "The U.S. delegation, led by Assistant Secretary of State Tom Reyes, joined the "
            "Kenyan delegation, headed by Deputy Foreign Minister Amina Odhiambo, and the "
            "Somali delegation led by Ambassador Hodan Warsame for talks in Nairobi on May 3."
        ),
        "A delegation of observers led the way; a delegation then left for the coast.",
    ]
)


def test_a_delegation_led_by_someone_is_proposed_with_its_leader_and_country() -> None:
    doc = prepare_text(TALKS, date="2019-05-06")
    found = {c.name: c for c in analyse(doc, [KENYA, SOMALIA, US, NAIROBI]).candidates}
    delegations = {n: c.properties for n, c in found.items() if c.kind == Kind.DELEGATION}
    assert delegations == {
        "U.S. delegation led by Tom Reyes": {"leader": "Tom Reyes", "country": "united-states"},
        "Kenyan delegation led by Amina Odhiambo": {"leader": "Amina Odhiambo", "country": "kenya"},
        "Somali delegation led by Hodan Warsame": {"leader": "Hodan Warsame", "country": "somalia"},
    }
    assert found["U.S. delegation led by Tom Reyes"].aliases == ["U.S. delegation"]
    # The meeting of that sentence has the delegations among its participants.
    (meeting,) = [c for c in found.values() if c.kind == Kind.MEETING]
    assert meeting.date is not None and meeting.date.value == "2019-05-03"
    assert meeting.place == "nairobi"
    assert {"U.S. delegation led by Tom Reyes", "Tom Reyes"} <= set(meeting.participants)


def _person(ident: str, name: str, posts: list[tuple[str, str | None]], died: str | None = None):
    return KnownEntity(
        ident, Kind.PERSON, name, (),
        tuple((date.fromisoformat(a), date.fromisoformat(b) if b else date.max) for a, b in posts),
        date.fromisoformat(died) if died else None,
    )  # fmt: skip


def test_a_name_without_its_middle_name_links_only_to_someone_in_post_on_the_date() -> None:
    ferreira = _person("ferreira-ana-lucia", "Ana Lucia Ferreira", [("2010-02-01", "2014-06-30")])
    mendes = _person("mendes-jorge-luis", "Jorge Luis Mendes", [("1970-01-05", "1975-03-01")])
    text = "Ambassador Ana Ferreira welcomed President Jorge Mendes of Angola in Luanda."
    linked = {
        m.text: m.entity_id for m in find_mentions(text, [ferreira, mendes], date(2012, 5, 2))[0]
    }
    # Ferreira was ambassador on the document's date; the Jorge Luis Mendes whose posts ended
    # in 1975 is not the president named in 2012.
    assert linked == {"Ana Ferreira": "ferreira-ana-lucia"}
    # Undated, the shorter form is no evidence at all.
    assert find_mentions(text, [ferreira, mendes])[0] == []
    # Going by the middle name: "Lucia Ferreira".
    assert [
        m.entity_id for m in find_mentions("Lucia Ferreira spoke.", [ferreira], date(2012, 5, 2))[0]
    ] == ["ferreira-ana-lucia"]


def test_the_documents_date_decides_between_namesakes() -> None:
    old = _person("okafor-paul-1", "Paul Okafor", [("1981-01-01", "1989-12-31")])
    new = _person("okafor-paul-2", "Paul Okafor", [("2015-03-01", None)])
    dead = _person("okafor-paul-3", "Paul Okafor", [], died="2001-04-04")
    text = "Paul Okafor arrived in Brasilia."
    mentions, ambiguities = find_mentions(text, [old, new, dead], date(2017, 8, 1))
    assert [m.entity_id for m in mentions] == ["okafor-paul-2"] and not ambiguities
    # Without a date nothing tells them apart.
    mentions, ambiguities = find_mentions(text, [old, new, dead])
    assert not mentions and len(ambiguities) == 1


def test_a_qualifier_in_the_same_sentence_outweighs_one_elsewhere() -> None:
    places = [
        KnownEntity("valencia-spain", Kind.PLACE, "Valencia"),
        KnownEntity("valencia-venezuela", Kind.PLACE, "Valencia"),
        KnownEntity("spain", Kind.COUNTRY, "Spain"),
        KnownEntity("venezuela", Kind.COUNTRY, "Venezuela"),
    ]
    text = (
        "Spain sent an observer to the talks. The ministers met in Valencia, the industrial "
        "capital of Venezuela's Carabobo state, on Monday."
    )
    (valencia,) = [m for m in find_mentions(text, places)[0] if m.text == "Valencia"]
    assert valencia.entity_id == "valencia-venezuela"


def test_a_misspelling_is_no_evidence_against_the_dates() -> None:
    kerr = _person("kerr-peter-bozman", "Peter Bozman Kerr", [("1880-01-01", "1885-01-01")])
    kerry = _person("kerry-peter-forbes", "Peter Forbes Kerry", [("2013-02-01", "2017-01-20")])
    text = "Minister Peter Kerry welcomed the delegation."
    mentions, _ = find_mentions(text, [kerr, kerry], date(2015, 6, 1))
    assert [m.entity_id for m in mentions] == ["kerry-peter-forbes"]
    # Kerry unknown: Kerr's spelling is close, but he left his post 130 years before.
    assert find_mentions(text, [kerr], date(2015, 6, 1))[0] == []


def test_a_titled_surname_links_to_the_one_person_the_date_allows() -> None:
    old = _person("okafor-paul-1", "Paul Okafor", [("1981-01-01", "1989-12-31")])
    new = _person("okafor-paul-2", "Paul Okafor", [("2015-03-01", None)])
    nwosu = dataclasses.replace(
        _person("nwosu-ada", "Ada Nwosu", []), titles=("Minister of Health",)
    )
    text = "President Okafor received Minister Nwosu in Abuja."
    linked = {
        m.text: m.entity_id for m in find_mentions(text, [old, new, nwosu], date(2017, 8, 1))[0]
    }
    # The mention is the surname with its title, as the text names the person.
    assert linked == {"President Okafor": "okafor-paul-2", "Minister Nwosu": "nwosu-ada"}
    (okafor, _) = find_mentions(text, [old, new, nwosu], date(2017, 8, 1))[0]
    assert (okafor.start, okafor.title) == (0, "President")
    # Two namesakes the dates say nothing about: nothing decides, nothing is linked.
    twins = [_person("okafor-1", "Paul Okafor", []), _person("okafor-2", "John Okafor", [])]
    assert find_mentions(text, twins, date(2017, 8, 1))[0] == []
    # In 1995 the one whose posts had ended by then is ruled out.
    linked = {m.text: m.entity_id for m in find_mentions(text, [old], date(1995, 1, 1))[0]}
    assert linked == {}
    # Undated, a title known for someone else: "Foreign Minister Varela" is not the Vice
    # Foreign Minister Luis Varela the graph holds.
    varela = dataclasses.replace(
        _person("varela-luis", "Luis Varela", []), titles=("Nigerian Vice Foreign Minister; envoy",)
    )
    assert find_mentions("Foreign Minister Varela spoke.", [varela], date(2017, 8, 1))[0] == []
    assert [
        m.entity_id for m in find_mentions("Vice Foreign Minister Varela spoke.", [varela])[0]
    ] == ["varela-luis"]
    # Untitled, a lone surname still needs the full name earlier in the text.
    assert find_mentions("Okafor arrived in Abuja.", [new], date(2017, 8, 1))[0] == []


def test_agreements_named_with_on_or_of_acronyms_and_their_signing() -> None:
    text = "\n\n".join(
        [
            "Chile and Argentina Sign Border Protocol",
            (
                "Chile and Argentina celebrated the signing on November 3 of the Protocol on the "
                "Southern Ice Fields. The Protocol ends a dispute that began more than 100 years "
                "ago. The Union of South American Nations (UNASUR) welcomed it; UNASUR will "
                "observe the demarcation."
            ),
        ]
    )
    doc = prepare_text(text, date="2015-11-05")
    found = {c.name: c for c in analyse(doc, []).candidates}
    assert "Protocol on the Southern Ice Fields" in found
    assert "Protocol" not in found  # a later "the Protocol" is a reference, not a name
    union = found["Union of South American Nations"]
    assert union.aliases == ["UNASUR"] and [o.text for o in union.occurrences] == [
        "Union of South American Nations", "UNASUR"
    ]  # fmt: skip
    events = {n: c.date.value if c.date else None for n, c in found.items() if c.kind == Kind.EVENT}
    # The signing is named after what was signed; a clause with "100 years ago" is no event.
    assert events == {"Signing of Protocol on the Southern Ice Fields": "2015-11-03"}


def test_a_place_named_like_a_person_of_the_text_is_that_person() -> None:
    places = [
        KnownEntity("mendoza-argentina", Kind.PLACE, "Mendoza"),
        KnownEntity("lima", Kind.PLACE, "Lima"),
    ]
    text = (
        "Foreign Minister Elena Mendoza arrived in Lima on Monday. Mendoza said the talks in "
        "Lima had gone well."
    )
    linked = [(m.text, m.entity_id) for m in find_mentions(text, places)[0]]
    assert linked == [("Lima", "lima"), ("Lima", "lima")]


# -- issue 12d: a newcomer's findings --------------------------------------------------------

GERMANY = KnownEntity("germany", Kind.COUNTRY, "Germany")
POLAND = KnownEntity("poland", Kind.COUNTRY, "Poland")
WARSAW = KnownEntity("warsaw", Kind.PLACE, "Warsaw")
BERLIN = KnownEntity("berlin", Kind.PLACE, "Berlin")
FRANKFURT = KnownEntity("frankfurt-germany", Kind.PLACE, "Frankfurt")
SAN_JOSE = KnownEntity("san-jose", Kind.PLACE, "San Jose")
COSTA_RICA = KnownEntity("costa-rica", Kind.COUNTRY, "Costa Rica")
BORDER = [GERMANY, POLAND, WARSAW, BERLIN, FRANKFURT, SAN_JOSE, COSTA_RICA]


def _analysed(
    paragraph: str, on: str = "2012-05-05"
) -> tuple[dict[str, str], dict[str, Candidate]]:
    doc = prepare_text(f"Border Talks\n\n{paragraph}", date=on)
    analysis = analyse(doc, BORDER)
    mentions = {m.text + f"@{m.start}": m.entity_id for m in analysis.mentions}
    return mentions, {c.name: c for c in analysis.candidates}


def test_a_delegation_led_by_someone_without_a_title_is_proposed() -> None:
    _, found = _analysed(
        "The German delegation, led by Klaus Weber, met Polish officials in Warsaw on May 3. "
        "Weber said the talks were useful. A delegation headed by Anna Maria Nowak joined."
    )
    german = found["German delegation led by Klaus Weber"]
    assert german.kind == Kind.DELEGATION
    assert german.properties == {"leader": "Klaus Weber", "country": "germany"}
    assert found["Klaus Weber"].kind == Kind.PERSON
    assert [o.text for o in found["Klaus Weber"].occurrences] == ["Klaus Weber", "Weber"]
    assert found["Delegation led by Anna Maria Nowak"].properties == {"leader": "Anna Maria Nowak"}
    meeting = found["Meeting in Warsaw, 2012-05-03"]
    assert "German delegation led by Klaus Weber" in meeting.participants
    # "led by" a country or an organization names no person.
    _, other = _analysed("The delegation, led by Poland, met in Warsaw on May 3.")
    assert not [c for c in other.values() if c.kind in (Kind.DELEGATION, Kind.PERSON)]


def test_a_parenthesised_qualifier_that_differs_does_not_link() -> None:
    paragraph = (
        "A Polish delegation arrived in Frankfurt (Oder) on May 3 for talks, and later went "
        "on to Frankfurt (Germany) and to Frankfurt. The Organization met in San Jose (Costa "
        "Rica)."
    )
    mentions, found = _analysed(paragraph)
    oder = len("Border Talks\n\n") + paragraph.index("Frankfurt (Oder)")
    frankfurts = [k for k, v in mentions.items() if v == "frankfurt-germany"]
    assert len(frankfurts) == 2 and f"Frankfurt@{oder}" not in frankfurts
    assert found["Frankfurt (Oder)"].kind == Kind.PLACE
    assert found["Meeting in Frankfurt (Oder), 2012-05-03"].place == "Frankfurt (Oder)"
    # A qualifier that is a known country fits a place named without one.
    assert "san-jose" in mentions.values()


def test_planned_meetings_are_proposed_as_planned_with_a_date_to_come() -> None:
    _, found = _analysed(
        "Germany and Poland met in Warsaw on May 3 and will meet again in September in "
        "Berlin. The next round of talks is planned for October 12. The ministers said the "
        "commission would convene on Friday."
    )
    held = found["Meeting in Warsaw, 2012-05-03"]
    assert held.properties == {}
    september = found["Planned meeting in Berlin, 2012-09"]  # not September 2011
    assert september.properties == {"status": "planned"}
    assert september.date is not None and september.date.value == "2012-09"
    assert found["Planned meeting in Berlin, 2012-10-12"].properties == {"status": "planned"}
    friday = found["Planned meeting in Berlin, 2012-05-11"]  # the Friday after the document's date
    assert friday.properties == {"status": "planned"}
    # Past tense next to the date: held, even with a future verb later in the sentence.
    _, past = _analysed("The talks, which began on Monday in Berlin, will resume later.")
    assert [c.name for c in past.values() if c.kind == Kind.MEETING] == [
        "Meeting in Berlin, 2012-04-30"
    ]


def test_initials_that_fit_a_full_name_link_without_the_dates() -> None:
    okoro = _person("okoro-ada-n", "Ada Nkechi Okoro", [("1990-01-01", "1995-01-01")])
    bello = _person("bello-tunde", "Tunde Bayo Bello", [])
    nwosu = _person("nwosu-emeka", "Emeka Obi Nwosu", [], died="2000-01-01")
    text = (
        "Talks\n\nThe finance minister, Ada N. Okoro, later met T. Bayo Bello, Emeka O. Nwosu "
        "and Ada K. Okoro in the capital."
    )
    mentions, _ = find_mentions(text, [okoro, bello, nwosu], date(2014, 1, 1))
    # Okoro's known posts ended long before; her middle initial still names her. The dead
    # namesake and a wrong initial link to nobody.
    assert {m.text: m.entity_id for m in mentions} == {
        "Ada N. Okoro": "okoro-ada-n",
        "T. Bayo Bello": "bello-tunde",
    }


def test_countries_bodies_and_names_are_proposed_whole() -> None:
    doc = prepare_text(
        "Regional Talks\n\n"
        "Kenya and Tanzania met in Nairobi with observers from South Africa and the "
        "Philippines. State Department Spokesperson Ned Carter said President Mohamed bin "
        "Zayed al-Nahyan and Special Envoy for Climate Change Ann Lowe attended, as did the "
        "Organization for Security and Co-operation in Europe and the United Nations General "
        "Assembly.",
        date="2012-05-05",
    )
    found = {c.name: c for c in analyse(doc, [KENYA, NAIROBI]).candidates}
    assert {n for n, c in found.items() if c.kind == Kind.COUNTRY} == {
        "Tanzania",
        "South Africa",
        "Philippines",
    }
    people = {n: c.title for n, c in found.items() if c.kind == Kind.PERSON}
    assert people == {
        "Ned Carter": "State Department Spokesperson",  # every word of the office
        "Mohamed bin Zayed al-Nahyan": "President",
        "Ann Lowe": "Special Envoy for Climate Change",
    }
    organizations = {n for n, c in found.items() if c.kind == Kind.ORGANIZATION}
    assert organizations == {
        "Organization for Security and Co-operation in Europe",
        "United Nations General Assembly",
    }  # and no "State Department Spokesperson"


def test_dates_that_are_not_the_meetings_own_propose_no_meeting() -> None:
    cases = {
        # a reference point
        "The ministers met today in Nairobi, the first visit by a Kenyan minister since 1958.": [
            "Meeting in Nairobi, 2012-05-05"
        ],
        # a clause of its own about something else
        "They reviewed the Trade Partnership, which the two presidents launched in July 2009, "
        "and met in Nairobi.": [],
        # a year long past, far from the meeting word
        "The meeting marked the twentieth anniversary of the normalization of diplomatic "
        "relations between the two countries in July 1995.": [],
        # the meeting's own clause, and a past year next to the meeting word
        "The talks, which began in March in Nairobi, continue.": ["Meeting in Nairobi, 2012-03"],
        "The talks began in 2009 in Nairobi.": ["Meeting in Nairobi, 2009"],
    }
    for sentence, meetings in cases.items():
        doc = prepare_text(f"Border Talks\n\n{sentence}", date="2012-05-05")
        found = analyse(doc, [KENYA, NAIROBI]).candidates
        assert [c.name for c in found if c.kind == Kind.MEETING] == meetings, sentence


def test_titles_belong_to_the_name_they_stand_before() -> None:
    doc = prepare_text(
        "Envoys Meet\n\n"
        "Today in Mombasa, Foreign Minister Ann Obi and I signed the treaty. Ambassador to "
        "Kenya Peter Quill and Kenyan Ambassador Tom Ede also took part. On July 11, Rosa "
        "Lind presented her credentials in Nairobi. Ambassador Lind, who served in Lima, met "
        "officials the next day. Lind's task is hard. Trade rose 20 percent after the "
        "ceasefire on Thursday.",
        date="2012-07-14",
    )
    found = {c.name: c for c in analyse(doc, [KENYA, NAIROBI]).candidates}
    people = {n: c.title for n, c in found.items() if c.kind == Kind.PERSON}
    assert people == {
        "Ann Obi": "Foreign Minister",  # not the title of "Mombasa"
        "Peter Quill": "Ambassador to Kenya",
        "Tom Ede": "Ambassador",
        "Rosa Lind": "Ambassador",  # "Ambassador Lind" is the Rosa Lind named before
    }
    assert [o.text for o in found["Rosa Lind"].occurrences] == ["Rosa Lind", "Lind", "Lind"]
    assert found["Mombasa"].kind == Kind.PLACE
    # A country's name ends an envoy's complement, and an organization's "of" complement.
    doc = prepare_text(
        "Envoys Meet\n\nKenyan Ambassador to the United States Pham Quang Vinh took part, "
        "as did Secretary of the Workers Party of Kenya Li Wen Bo Chen.",
        date="2012-07-14",
    )
    more = {c.name: c for c in analyse(doc, [KENYA]).candidates}
    assert more["Pham Quang Vinh"].title == "Ambassador to the United States"
    assert more["Workers Party of Kenya"].kind == Kind.ORGANIZATION
    # A share is no term; a noun and a date name no event.
    assert not [c for c in found.values() if c.kind in (Kind.TERM, Kind.EVENT)]


def test_a_shorter_name_links_to_the_only_person_it_fits_when_the_dates_allow() -> None:
    ferreira = _person("ferreira-ana-lucia", "Ana Lucia Ferreira", [])
    text = "Talks\n\nForeign Minister Ana Ferreira welcomed the delegation in Luanda."
    on = date(2012, 5, 2)
    assert [m.entity_id for m in find_mentions(text, [ferreira], on)[0]] == ["ferreira-ana-lucia"]
    # Undated, or with a namesake the shorter form also fits, nothing is linked.
    assert find_mentions(text, [ferreira])[0] == []
    other = _person("ferreira-ana-maria", "Ana Maria Ferreira", [])
    assert find_mentions(text, [ferreira, other], on)[0] == []


def test_a_meeting_the_graph_holds_is_found_by_its_day_and_an_attendee() -> None:
    """A visit the graph holds in Nairobi, named in the text at "the State House" (a place
    the graph does not hold): the one meeting that day attended by someone the text names
    is a mention of it, not a new candidate."""
    ruto = _person("ruto-william", "William Ruto", [])
    visit = dataclasses.replace(
        KnownEntity("visit-1", Kind.MEETING, "Visit of William Ruto"),
        held=(date(2019, 5, 3), date(2019, 5, 4)),
        places=("nairobi",),
        attendees=("ruto-william",),
    )
    doc = prepare_text(
        "Talks\n\nPresident William Ruto met the delegation at the State House on May 3.",
        date="2019-05-06",
    )
    analysis = analyse(doc, [ruto, visit, NAIROBI])
    assert [m.entity_id for m in analysis.mentions] == ["ruto-william", "visit-1"]
    assert not [c for c in analysis.candidates if c.kind == Kind.MEETING]


def test_geographic_names_and_plans_partnerships_and_alliances_are_proposed() -> None:
    doc = prepare_text(
        "Regional Talks\n\nThe ministers discussed the Lamu Islands, the Tana Delta and the "
        "Trans-Sahel Partnership. Troops at Camp Simba heard of the Marshall Plan and the "
        "Ocean Alliance. The Protocol was signed, and President Odhiambo spoke of his plan.",
        date="2012-05-05",
    )
    found = {c.name: c.kind for c in analyse(doc, [KENYA]).candidates}
    assert found == {
        "Lamu Islands": Kind.PLACE,
        "Tana Delta": Kind.PLACE,
        "Trans-Sahel Partnership": Kind.AGREEMENT,
        "Camp Simba": Kind.PLACE,
        "Marshall Plan": Kind.AGREEMENT,
        "Ocean Alliance": Kind.ORGANIZATION,
        "Odhiambo": Kind.PERSON,
    }


def test_two_surnames_of_a_proposed_person_are_that_person() -> None:
    doc = prepare_text(
        "Envoys Meet\n\nDeputy Minister of Trade Rosa Lind Ortega met officials in Nairobi on "
        "May 3. Ms. Lind Ortega said the talks were useful.",
        date="2012-05-05",
    )
    people = [c for c in analyse(doc, [KENYA, NAIROBI]).candidates if c.kind == Kind.PERSON]
    assert [(c.name, [o.text for o in c.occurrences]) for c in people] == [
        ("Rosa Lind Ortega", ["Rosa Lind Ortega", "Lind Ortega"])
    ]
