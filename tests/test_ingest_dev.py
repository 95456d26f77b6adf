"""Ingest rules checked on the development texts of tests/data/ingest-dev (pure logic).

Each test names the pattern of unseen text it covers; the texts are invented for the rules
(see the folder's README) and are no evaluation set.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from diplograph.model import FuzzyDate, Kind
from diplograph.records import Analysis, Candidate, KnownEntity
from loaders.ingest.candidates import analyse, resolve_day
from loaders.ingest.documents import prepare_text
from loaders.ingest.linking import find_mentions

DEV = Path(__file__).parent / "data" / "ingest-dev"

US = KnownEntity("united-states", Kind.COUNTRY, "United States", ("U.S.",))
KOREA = KnownEntity("korea", Kind.COUNTRY, "South Korea")
CHINA = KnownEntity("china", Kind.COUNTRY, "China")
RUSSIA = KnownEntity("russia", Kind.COUNTRY, "Russia")
UK = KnownEntity("united-kingdom", Kind.COUNTRY, "United Kingdom")
SEOUL = KnownEntity("seoul-korea", Kind.PLACE, "Seoul")
WASHINGTON = KnownEntity("washington", Kind.PLACE, "Washington")
KNOWN = [US, KOREA, CHINA, RUSSIA, UK, SEOUL, WASHINGTON]


def _analysed(name: str) -> Analysis:
    (path,) = DEV.glob(f"{name}*.txt")
    return analyse(prepare_text(path.read_text(encoding="utf-8")), KNOWN)


def _by_name(analysis: Analysis) -> dict[str, Candidate]:
    return {c.name: c for c in analysis.candidates}


def test_countries_link_under_the_other_names_they_go_by() -> None:
    text = "\n\n".join(
        (DEV / name).read_text(encoding="utf-8")
        for name in ("06_korea-fisheries-talks.txt", "07_vatican-visit-editorial.txt")
    )
    mentions, ambiguities = find_mentions(text, KNOWN)
    found = {(m.text, m.entity_id) for m in mentions}
    assert {
        ("Republic of Korea", "korea"),
        ("ROK", "korea"),
        ("South Korea", "korea"),
        ("People's Republic of China", "china"),
        ("PRC", "china"),
        ("Russian Federation", "russia"),
        ("Britain", "united-kingdom"),
        ("UK", "united-kingdom"),
        ("America", "united-states"),
    } <= found
    assert not ambiguities
    # A name inside a longer one is not the country: "North Pacific", "Latin America".
    latin, _ = find_mentions("Trade with Latin America grew.", KNOWN)
    assert latin == []


def test_a_field_ending_in_affairs_closes_the_title_before_a_name() -> None:
    found = _by_name(_analysed("06_"))
    lee = found["Lee Jae-hoon"]
    assert lee.kind == Kind.PERSON
    assert lee.title == "Director-General for International Cooperation Affairs"
    whitfield = found["Elena Whitfield"]
    assert whitfield.title == "Deputy Assistant Secretary of State for Oceans and Fisheries"
    assert [o.text for o in lee.occurrences] == ["Lee Jae-hoon", "Lee"]


def test_a_delegation_takes_the_full_name_of_its_country() -> None:
    found = _by_name(_analysed("06_"))
    korean = found["Republic of Korea delegation led by Lee Jae-hoon"]
    assert korean.kind == Kind.DELEGATION
    assert korean.properties == {"leader": "Lee Jae-hoon", "country": "korea"}
    assert found["U.S. delegation led by Elena Whitfield"].properties["country"] == "united-states"


def test_meetings_carry_place_participants_and_dates_resolved_from_the_document() -> None:
    found = _analysed("06_").candidates
    meetings = {c.date.value: c for c in found if c.kind == Kind.MEETING and c.date}
    seoul = meetings["2019-03-14"]  # "On Thursday, March 14" in a text of March 15, 2019
    assert seoul.place == "seoul-korea"
    assert {
        "Elena Whitfield",
        "Lee Jae-hoon",
        "U.S. delegation led by Elena Whitfield",
        "Republic of Korea delegation led by Lee Jae-hoon",
    } == set(seoul.participants)
    busan = meetings["2018-11-30"]  # "November 30": the one before the document
    assert busan.place == "Busan" and busan.date is not None
    assert busan.date.precision.value == "day"


def test_yesterday_today_and_tomorrow_count_from_the_documents_day() -> None:
    day = FuzzyDate(value="2017-05-25")
    assert resolve_day("yesterday", day) is not None
    assert [resolve_day(w, day)[0] for w in ("yesterday", "today", "tomorrow")] == [  # type: ignore[index]
        "2017-05-24",
        "2017-05-25",
        "2017-05-26",
    ]
    assert resolve_day("yesterday", FuzzyDate(value="2017-05")) is None  # no day to count from
    found = _by_name(_analysed("07_"))
    # "On the same day, King Philippe ... welcomed the President to Brussels": another
    # meeting that day, with other people elsewhere.
    meeting, brussels = [c for c in found.values() if c.kind == Kind.MEETING]
    assert brussels.place == "Brussels" and brussels.participants == ["King Philippe"]
    assert brussels.date is not None and brussels.date.value == "2017-05-24"
    assert meeting.date is not None and meeting.date.value == "2017-05-24"
    assert meeting.place == "Vatican"  # "at the Vatican"
    assert set(meeting.participants) == {"Pope Francis", "Donald Trump"}
    assert "Yesterday" not in found  # a sentence's first word, not a name


def test_a_single_name_after_a_sovereigns_title_keeps_the_title() -> None:
    found = _by_name(_analysed("07_"))
    pope = found["Pope Francis"]
    assert pope.kind == Kind.PERSON and pope.aliases == ["Francis"]
    assert [o.text for o in pope.occurrences] == ["Pope Francis", "Francis"]
    assert found["King Philippe"].kind == Kind.PERSON
    # A full name keeps its own: the title stays a title.
    assert "Tamim bin Hamad Al Thani" in found
    assert "Francis" not in found and "Philippe" not in found


def test_an_agreement_is_named_without_the_parties_it_is_between() -> None:
    found = _by_name(_analysed("06_"))
    agreements = {n for n, c in found.items() if c.kind == Kind.AGREEMENT}
    assert agreements == {"Agreement on Fisheries", "Agreement on Port State Measures"}


SANTIAGO_CHILE = KnownEntity("santiago-chile", Kind.PLACE, "Santiago")
SANTIAGO_SPAIN = KnownEntity("santiago-spain", Kind.PLACE, "Santiago")
BOLIVIA = KnownEntity("bolivia", Kind.COUNTRY, "Bolivia")


def _undated(name: str, known: list[KnownEntity]) -> Analysis:
    (path,) = DEV.glob(f"{name}*.txt")
    doc = prepare_text(path.read_text(encoding="utf-8"))
    assert doc.date is None  # nothing but the text decides
    return analyse(doc, known)


def test_a_nationality_adjective_tells_same_named_places_apart() -> None:
    analysis = _undated("08_", [SANTIAGO_CHILE, SANTIAGO_SPAIN, BOLIVIA])
    assert [(m.text, m.entity_id) for m in analysis.mentions if m.text == "Santiago"] == [
        ("Santiago", "santiago-chile")  # "Chilean and Bolivian negotiators met in Santiago"
    ]
    # Nothing in a text says which: still left for the analyst.
    _, ambiguities = find_mentions("Talks resumed in Santiago.", [SANTIAGO_CHILE, SANTIAGO_SPAIN])
    assert [a.text for a in ambiguities] == ["Santiago"]


def test_names_of_ministries_and_treaties_go_on_after_and() -> None:
    found = _by_name(_undated("08_", [BOLIVIA]))
    assert {
        "Ministry of Environment and Water of Bolivia": Kind.ORGANIZATION,
        "Ministry of Trade and Industry": Kind.ORGANIZATION,
        "Treaty of Peace and Friendship": Kind.AGREEMENT,
    }.items() <= {n: c.kind for n, c in found.items()}.items()
    # "and" before a name of another kind ends the name.
    text = "Talks\n\nThe Ministry of Foreign Affairs and Foreign Minister Ana Ruiz spoke."
    names = {c.name for c in analyse(prepare_text(text), []).candidates}
    assert {"Ministry of Foreign Affairs", "Ana Ruiz"} <= names


def test_a_delegation_headed_by_someone_and_one_without_a_side() -> None:
    found = _by_name(_undated("08_", [BOLIVIA]))
    delegations = {n: c.properties for n, c in found.items() if c.kind == Kind.DELEGATION}
    assert delegations == {
        "Bolivian delegation led by Diego Pary": {"leader": "Diego Pary", "country": "bolivia"},
        # "... of Bolivia. A delegation headed by": the sentence before is not its side
        "Delegation led by Ximena Fuentes": {"leader": "Ximena Fuentes"},
    }
    assert [o.text for o in found["Diego Pary"].occurrences] == ["Diego Pary", "Pary"]


def test_a_meeting_takes_its_place_and_the_delegations_from_around_its_sentence() -> None:
    known = [
        KnownEntity("hanoi-vietnam", Kind.PLACE, "Hanoi"),
        KnownEntity("vietnam", Kind.COUNTRY, "Vietnam"),
        US,
    ]
    (path,) = DEV.glob("09_*.txt")
    candidates = analyse(prepare_text(path.read_text(encoding="utf-8")), known).candidates
    (meeting,) = [c for c in candidates if c.kind == Kind.MEETING]
    # "On Tuesday, May 12, the delegations met": the place only the headline names, the
    # delegations the paragraph before.
    assert meeting.date is not None and meeting.date.value == "2015-05-12"
    assert meeting.place == "hanoi-vietnam"
    assert meeting.participants == [
        "U.S. delegation led by Mark Pollard",
        "Vietnamese delegation led by Tran Van Binh",
    ]
    titles = {c.name: c.title for c in candidates if c.kind == Kind.PERSON}
    assert titles == {
        "Mark Pollard": "Deputy Assistant Secretary of State for Democracy and Human Rights",
        "Tran Van Binh": "Director-General for International Organizations Affairs",
    }


def test_a_dated_meeting_the_graph_holds_is_a_mention_of_it_not_a_candidate() -> None:
    whitfield = KnownEntity("whitfield-elena", Kind.PERSON, "Elena Whitfield")
    held = KnownEntity(
        "fisheries-talks-3", Kind.MEETING, "Third round of fisheries talks",
        held=(date(2019, 3, 13), date(2019, 3, 14)), places=("seoul-korea", "korea"),
        attendees=("whitfield-elena",),
    )  # fmt: skip
    (path,) = DEV.glob("06_*.txt")
    text = path.read_text(encoding="utf-8")
    # Nobody the text names attended it: the same day in the same city is not enough.
    analysis = analyse(prepare_text(text), [*KNOWN, held])
    assert "fisheries-talks-3" not in {m.entity_id for m in analysis.mentions}
    analysis = analyse(prepare_text(text), [*KNOWN, held, whitfield])
    (mention,) = [m for m in analysis.mentions if m.entity_id == "fisheries-talks-3"]
    assert mention.text == "Thursday, March 14" and mention.method.value == "held"
    meetings = [c.date.value for c in analysis.candidates if c.kind == Kind.MEETING and c.date]
    assert meetings == ["2018-11-30"]  # Busan: not the meeting the graph holds
    # Another day, or another place, is another meeting.
    elsewhere = KnownEntity(
        "talks-busan", Kind.MEETING, "Talks", held=held.held, places=("busan",),
        attendees=held.attendees,
    )  # fmt: skip
    analysis = analyse(prepare_text(text), [*KNOWN, elsewhere, whitfield])
    assert "2019-03-14" in {c.date.value for c in analysis.candidates if c.date}


def test_an_administration_in_lower_case_and_us_without_periods_link() -> None:
    administration = KnownEntity("obama-administration", Kind.ORGANIZATION, "Obama Administration")
    (path,) = DEV.glob("10_*.txt")
    analysis = analyse(prepare_text(path.read_text(encoding="utf-8")), [*KNOWN, administration])
    found = {(m.text, m.entity_id) for m in analysis.mentions}
    assert {("Obama administration", "obama-administration"), ("US", "united-states")} <= found
    # Only the generic last word may be in lower case.
    mentions, _ = find_mentions("The obama Administration spoke.", [administration])
    assert mentions == []
    by_name = _by_name(analysis)
    assert by_name["Arvind Mehra"].title == "Foreign Secretary"
    (meeting,) = [c for c in analysis.candidates if c.kind == Kind.MEETING]
    assert meeting.date is not None and meeting.date.value == "2016-03-10"
    assert meeting.place == "washington"


def test_titles_in_lower_case_before_or_after_a_name() -> None:
    titles = {c.name: c.title for c in _analysed("07_").candidates if c.kind == Kind.PERSON}
    assert titles["Sally Axworthy"] == "envoy"  # "The UK envoy, Sally Axworthy, said"
    (path,) = DEV.glob("10_*.txt")
    found = _by_name(analyse(prepare_text(path.read_text(encoding="utf-8")), KNOWN))
    assert found["Kenneth Ward"].title == "chief negotiator"  # "Kenneth Ward, the U.S. ..."
    # A clause after the name is no title (though "who" makes her a person); an honorific
    # in lower case is none either (her given name makes "Ann Lee" a person, untitled).
    text = "Talks\n\nSally Axworthy, who met the minister, said so. Ask the dr. Ann Lee now."
    found = analyse(prepare_text(text), []).candidates
    assert [(c.name, c.title) for c in found] == [("Sally Axworthy", None), ("Ann Lee", None)]


def test_a_nickname_links_to_the_one_person_in_post_on_the_date() -> None:
    harlow = KnownEntity(
        "harlow-william-j", Kind.PERSON, "William J. Harlow",
        posts=((date(2012, 1, 1), date(2014, 12, 31)),),
    )  # fmt: skip
    brennan = KnownEntity(
        "brennan-thomas",
        Kind.PERSON,
        "Thomas Brennan",
        posts=((date(1990, 1, 1), date(1993, 1, 1)),),
    )
    (path,) = DEV.glob("11_*.txt")
    analysis = analyse(prepare_text(path.read_text(encoding="utf-8")), [harlow, brennan])
    linked = {(m.text, m.entity_id) for m in analysis.mentions}
    assert {("Bill Harlow", "harlow-william-j"), ("Harlow", "harlow-william-j")} <= linked
    # Out of post on the document's date: a nickname is too weak a fit to link.
    assert "brennan-thomas" not in {m.entity_id for m in analysis.mentions}
    # A nickname is no spelling of another given name: "Bill" is never "Benjamin".
    benjamin = KnownEntity("harlow-benjamin", Kind.PERSON, "Benjamin Harlow", posts=harlow.posts)
    mentions, _ = find_mentions("Talks\n\nBill Harlow spoke.", [benjamin], date(2013, 9, 18))
    assert mentions == []
