"""The historian's datasets (pocom, travels, visits): parsing, loading, bad records.

Samples in tests/data/hsg/ are real records of the upstream datasets, a few per file,
in the same layout (one year-precision date added by hand). The last test loads the full
datasets from ../shared when they are there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from neo4j import Driver

from diplograph.records import BadKind, Dataset, HsgData
from diplograph.settings import PROJECT_ROOT, Settings
from graph.bulk import LoadBusyError, exclusive_load, write_hsg
from graph.repository import count_by_label, count_relationships, write_knowledge
from loaders.hsg import read_hsg
from loaders.hsg.territories import TERRITORY_ALIASES, Territories
from loaders.knowledge import read_knowledge
from loaders.names import find_titled_people as find_mentions
from services.pipeline import StrictLoadError, load_hsg
from tests.test_load_errors import graph_state

SAMPLE = Path(__file__).resolve().parent / "data" / "hsg"
FULL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "hsg"


def load(driver: Driver, settings: Settings, path: Path = SAMPLE, **kw: Any) -> HsgData:
    data = read_hsg(path, **kw)
    write_hsg(driver, settings.neo4j_database, data)
    return data


def query(driver: Driver, settings: Settings, cypher: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(cypher, params, database_=settings.neo4j_database)
    return [r.data() for r in records]


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password,
        "NEO4J_DATABASE": settings.neo4j_database,
        "COLUMNS": "250",
    }
    return subprocess.run(
        [sys.executable, "-m", "diplograph", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=300,
        check=False,
    )


# -- parsing (no Neo4j) ----------------------------------------------------------------------


def test_sample_parses_cleanly() -> None:
    data = read_hsg(SAMPLE)
    assert data.bad == []
    pocom, travels, visits = (data.datasets[d] for d in Dataset)
    assert pocom.records == {
        "person": 13,
        "chief": 5,
        "org-chief": 1,
        "principal": 6,
        "other-nominee": 0,
    }
    assert travels.records == {"president": 3, "trip": 6}
    assert visits.records == {"visit": 3}


def test_a_person_id_given_as_an_old_id_is_resolved() -> None:
    data = read_hsg(SAMPLE, only=["pocom"])
    edges = data.datasets[Dataset.POCOM].edges.values()
    tenure = next(e for e in edges if e.key == "secr-1906-wils")
    assert tenure.source == "wilson-francis-mairs-huntington"
    assert tenure.props["personIdAsGiven"] == "wilson-huntington-francis-mairs-huntington-wilson"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Met with Foreign Minister Nakasone.", [("Foreign Minister", "Nakasone", None)]),
        ("President Rene Preval", [("President", "Rene Preval", None)]),
        (
            "Met with Prime Minister Theresa May and Foreign Secretary Jeremy Hunt.",
            [("Prime Minister", "Theresa May", None), ("Foreign Secretary", "Jeremy Hunt", None)],
        ),
        ("Met with President Nixon April 1.", [("President", "Nixon", None)]),
        ("Met with President Hu of China, July 16.", [("President", "Hu", "china")]),
        (
            "Met with British Prime Minister Churchill.",
            [("Prime Minister", "Churchill", "united-kingdom")],
        ),
        ("Met with President Dr. Mohamed Irfaan Ali.", [("President", "Mohamed Irfaan Ali", None)]),
        (
            "Amir Sabah al-Ahmed al-Jabir al-Sabah",
            [("Amir", "Sabah al-Ahmed al-Jabir al-Sabah", None)],
        ),
        ("Attended the UN General Assembly.", []),
        ("Met with the Foreign Ministers of Egypt and Jordan.", []),
    ],
)
def test_people_named_in_free_text(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = [(m.title, m.name, m.country) for m in find_mentions(text, Territories())]
    assert found == expected


def test_one_load_at_a_time_per_database() -> None:
    waited: list[bool] = []
    with exclusive_load("test-hsg-lock"):
        with (
            pytest.raises(LoadBusyError),
            exclusive_load("test-hsg-lock", wait=0.3, on_wait=lambda: waited.append(True)),
        ):
            pass  # pragma: no cover - never entered
        with exclusive_load("another-database", wait=0.3):
            pass
    assert waited == [True]
    with exclusive_load("test-hsg-lock", wait=0.3):
        pass


# -- bad records -----------------------------------------------------------------------------


def broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the sample with one edit in one file."""
    root = tmp_path / "hsg"
    shutil.copytree(SAMPLE, root)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


BAD_CASES = {
    "missing id": (
        "travels/secretary-travels/clinton-hillary-rodham.xml",
        "<id>2986</id>",
        "<id/>",
        "trip #2",
        BadKind.MISSING_ID,
        "hsg-trip-2986",
    ),
    "unparseable date": (
        "pocom/missions-countries/cuba.xml",
        "<date>2008-09</date>",
        "<date>2008-13</date>",
        "chief cu-2008-farr-01",
        BadKind.BAD_DATE,
        None,
    ),
    "unknown country id": (
        "visits/data/2010.xml",
        '<from id="haiti">',
        '<from id="atlantis">',
        "visit 2079",
        BadKind.UNKNOWN_COUNTRY,
        "hsg-visit-2079",
    ),
    "unknown person id": (
        "travels/secretary-travels/hull-cordell.xml",
        'who="hull-cordell"',
        'who="hull-cordelia"',
        "trip 964",
        BadKind.UNKNOWN_PERSON,
        "hsg-trip-964",
    ),
    "malformed XML": (
        "visits/data/1990.xml",
        "</visits>",
        "</visit>",
        "line 15",
        BadKind.MALFORMED_XML,
        "hsg-visit-1037",
    ),
    "end before start": (
        "visits/data/2010.xml",
        "<end-date>2010-03-10</end-date>",
        "<end-date>2010-03-01</end-date>",
        "visit 2079",
        BadKind.END_BEFORE_START,
        "hsg-visit-2079",
    ),
    # An external entity is not expanded: the text after it used to vanish from the
    # element ("President " alone), which read as a new person. The file is refused.
    "DOCTYPE with an external entity": (
        "visits/data/2010.xml",
        "<?xml version='1.0' encoding='UTF-8'?>\n<visits>",
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<!DOCTYPE visits [<!ENTITY ext SYSTEM "file:///etc/hostname">]>\n<visits>',
        "line 2",
        BadKind.UNSAFE_XML,
        "hsg-visit-2079",
    ),
    "DOCTYPE in a code table": (
        "pocom/roles-country-chiefs/ambassador-e-p.xml",
        "<role mode=",
        '<!DOCTYPE role [<!ENTITY t "Ambassador">]>\n<role mode=',
        "line 2",
        BadKind.UNSAFE_XML,
        None,
    ),
    "entity reference without a DOCTYPE": (
        "visits/data/2010.xml",
        "<visitor>President Rene Preval</visitor>",
        "<visitor>President &ext; Rene Preval</visitor>",
        "line 19",
        BadKind.MALFORMED_XML,
        "hsg-visit-2079",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_each_bad_record_is_reported_with_file_and_record(tmp_path: Path, case: str) -> None:
    file, old, new, record, kind, node = BAD_CASES[case]
    data = read_hsg(broken_copy(tmp_path, file, old, new))
    assert [(b.file, b.record, b.kind) for b in data.bad] == [(file, record, kind)]
    assert data.bad_counts() == {kind.value: 1}
    nodes = {n for records in data.datasets.values() for n in records.nodes}
    edges = {e.key for records in data.datasets.values() for e in records.edges.values()}
    assert node is None or node not in nodes
    assert "cu-2008-farr-01" in edges or case == "unparseable date"
    assert "hsg-trip-2985" in nodes  # the rest is read


def test_doctype_and_entities_are_refused_by_name(tmp_path: Path) -> None:
    _, old, new, *_ = BAD_CASES["DOCTYPE with an external entity"]
    root = broken_copy(tmp_path, "visits/data/2010.xml", old, new)
    path = root / "visits/data/2010.xml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("President Rene", "President &ext; Rene"),
        encoding="utf-8",
    )
    [bad] = read_hsg(root).bad
    assert bad.reason.startswith("declares a DOCTYPE (<!DOCTYPE visits); DTDs are refused")

    _, old, new, *_ = BAD_CASES["entity reference without a DOCTYPE"]
    [bad] = read_hsg(broken_copy(tmp_path / "2", "visits/data/2010.xml", old, new)).bad
    assert "Entity 'ext' not defined" in bad.reason


# -- loading into Neo4j ------------------------------------------------------------------------


def test_load_counts(empty_db: Driver, settings: Settings) -> None:
    load(empty_db, settings)
    labels = count_by_label(empty_db, settings.neo4j_database)
    assert {
        k: labels.get(k, 0)
        for k in ("Person", "Organization", "Country", "Meeting", "Place", "Document")
    } == {"Person": 23, "Organization": 7, "Country": 7, "Meeting": 9, "Place": 3, "Document": 28}
    rels = count_relationships(empty_db, settings.neo4j_database)
    assert rels["HOLDS_POSITION"] == 15  # 12 pocom tenures, 3 presidencies
    assert rels["ATTENDED"] == 9  # 6 travellers, 3 visitors
    # The presidency, the State Department's posts and the missions act for the U.S.
    offices = query(
        empty_db,
        settings,
        """MATCH (o:Organization)
           OPTIONAL MATCH (o)-[r:REPRESENTS]->(:Country {id: 'united-states'})
           RETURN count(o) AS orgs, count(r) AS acting""",
    )
    assert offices == [{"orgs": 7, "acting": 7}]
    candidates = query(
        empty_db, settings, "MATCH (p:Person {candidate: true}) RETURN count(p) AS n"
    )
    assert candidates[0]["n"] == 8
    meeting_types = query(
        empty_db, settings, "MATCH (m:Meeting) RETURN m.meetingType AS t, count(*) AS n ORDER BY t"
    )
    assert meeting_types == [{"t": "trip", "n": 6}, {"t": "visit", "n": 3}]


def test_dates_keep_their_precision(empty_db: Driver, settings: Settings) -> None:
    load(empty_db, settings)
    [farrar] = query(
        empty_db,
        settings,
        """
        MATCH (:Person {id: 'farrar-jonathan-d'})-[r:HOLDS_POSITION]->
              (o:Organization {id: 'us-interests-section-havana'})
        RETURN r.start AS start, r.startPrecision AS sp, r.startFrom AS sf, r.end AS end,
               r.endPrecision AS ep, r.endTo AS et, r.title AS title, r.key AS key""",
    )
    assert farrar == {
        "start": "2008-09", "sp": "month", "sf": date(2008, 9, 1),
        "end": "2011-07", "ep": "month", "et": date(2011, 7, 31),
        "title": "Principal Officer", "key": "cu-2008-farr-01",
    }  # fmt: skip
    [squiers] = query(
        empty_db,
        settings,
        """
        MATCH (p:Person {id: 'squiers-herbert-goldsmith'})-[r:HOLDS_POSITION]->
              (:Organization {id: 'us-mission-cuba'})
        RETURN r.appointed AS a, r.appointedPrecision AS ap, r.appointedTo AS at,
               r.start AS s, r.startPrecision AS sp, r.endNote AS note,
               p.birth AS birth, p.birthPrecision AS bp""",
    )
    assert squiers == {
        "a": "1902", "ap": "year", "at": date(1902, 12, 31), "s": "1902-05-27", "sp": "day",
        "note": "Left post on", "birth": "1859", "bp": "year",
    }  # fmt: skip
    [trip] = query(
        empty_db,
        settings,
        """
        MATCH (m:Meeting {id: 'hsg-trip-3616'})
        RETURN m.date AS d, m.datePrecision AS p, m.dateFrom AS f, m.dateTo AS t, m.endDate AS e""",
    )
    assert trip == {
        "d": "2016-03-20", "p": "day", "f": date(2016, 3, 20), "t": date(2016, 3, 22),
        "e": "2016-03-22",
    }  # fmt: skip


def test_holds_position_answers_who_held_what_when(empty_db: Driver, settings: Settings) -> None:
    load(empty_db, settings)
    rows = query(
        empty_db,
        settings,
        """
        MATCH (p:Person)-[r:HOLDS_POSITION]->(o:Organization)
        WHERE o.id IN ['us-interests-section-havana',
                       'state-assistant-secretary-for-western-hemisphere', 'state-secretary']
          AND r.startFrom <= date('2010-02-28') AND coalesce(r.endTo, date()) >= date('2010-02-01')
        RETURN o.id AS office, p.id AS person ORDER BY office""",
    )
    assert rows == [
        {"office": "state-assistant-secretary-for-western-hemisphere",
         "person": "valenzuela-arturo"},
        {"office": "state-secretary", "person": "clinton-hillary-rodham"},
        {"office": "us-interests-section-havana", "person": "farrar-jonathan-d"},
    ]  # fmt: skip


def test_a_mention_is_linked_only_when_one_person_fits(
    empty_db: Driver, settings: Settings
) -> None:
    load(empty_db, settings)
    [linked] = query(
        empty_db,
        settings,
        """
        MATCH (:Person {id: 'kerry-john-forbes'})-[:ATTENDED]->(m:Meeting {id: 'hsg-trip-3651'})
              -[r:MENTIONS]->(p:Person)
        RETURN p.id AS id, p.candidate AS candidate, r.linked AS linked, r.text AS text,
               r.resolution AS why, r.quotes AS quotes""",
    )
    assert linked == {
        "id": "obama-barack", "candidate": None, "linked": True, "text": "President Obama",
        "quotes": ["President Obama"],
        "why": "the U.S. President in office on 2016-03-21 is named Obama",
    }  # fmt: skip
    [candidate] = query(
        empty_db,
        settings,
        """
        MATCH (:Meeting {id: 'hsg-trip-2985'})-[r:MENTIONS]->(p:Person)
        RETURN p.name AS name, p.candidate AS candidate, p.title AS title, p.country AS country,
               p.countryBasis AS basis, r.linked AS linked""",
    )
    assert candidate == {
        "name": "Nakasone", "candidate": True, "title": "Foreign Minister", "country": "japan",
        "basis": "inferred: the country of the trip", "linked": False,
    }  # fmt: skip
    [visitor] = query(
        empty_db,
        settings,
        """
        MATCH (c:Country)<-[:REPRESENTS]-(p:Person)-[:ATTENDED]->(m:Meeting {id: 'hsg-visit-2079'})
              -[:HELD_IN]->(us:Country)
        RETURN p.name AS name, p.candidate AS candidate, p.title AS title, c.id AS country,
               us.id AS held_in""",
    )
    assert visitor == {
        "name": "Rene Preval", "candidate": True, "title": "President", "country": "haiti",
        "held_in": "united-states",
    }  # fmt: skip
    # "President Clinton" in a 1994 visit: the President then, so linked, never a candidate.
    [clinton] = query(
        empty_db,
        settings,
        "MATCH (:Meeting {id: 'hsg-visit-1037'})-[:MENTIONS {field: 'description'}]->(p) "
        "RETURN p.id AS id",
    )
    assert clinton == {"id": "clinton-william-j"}


def counts(driver: Driver, settings: Settings) -> tuple[dict[str, int], dict[str, int]]:
    db = settings.neo4j_database
    return count_by_label(driver, db), count_relationships(driver, db)


def test_reload_changes_nothing(empty_db: Driver, settings: Settings) -> None:
    data = load(empty_db, settings)
    before = counts(empty_db, settings)
    summary = write_hsg(empty_db, settings.neo4j_database, data)
    assert counts(empty_db, settings) == before
    assert sum(summary.created.values()) == 0
    assert sum(summary.updated.values()) == 0
    assert sum(summary.unchanged.values()) > 100


def test_an_unchanged_checkout_is_not_loaded_again(empty_db: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    first = load_hsg(empty_db, db, SAMPLE)
    assert first.parsed is not None and first.unchanged == {}
    before = counts(empty_db, settings)
    second = load_hsg(empty_db, db, SAMPLE)
    assert second.parsed is None
    assert second.unchanged == {Dataset.POCOM: [], Dataset.TRAVELS: [], Dataset.VISITS: []}
    assert counts(empty_db, settings) == before
    # The curated loader keeps the provenance other loads recorded on the nodes it shares
    # (cuba, obama-barack, united-states ...), so the datasets are still as loaded.
    write_knowledge(empty_db, db, read_knowledge())
    with_articles = counts(empty_db, settings)
    third = load_hsg(empty_db, db, SAMPLE)
    assert third.parsed is None
    assert counts(empty_db, settings) == with_articles


def test_strict_fails_on_bad_records_of_an_unchanged_checkout(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    db = settings.neo4j_database
    root = broken_copy(
        tmp_path, "visits/data/2010.xml", '<from id="haiti">', '<from id="atlantis">'
    )
    load_hsg(empty_db, db, root)
    before = counts(empty_db, settings)
    with pytest.raises(StrictLoadError) as error:
        load_hsg(empty_db, db, root, strict=True)
    assert error.value.bad == [
        "visits/data/2010.xml: visit 2079: unknown country id: from id 'atlantis' is not a "
        "known territory"
    ]
    assert counts(empty_db, settings) == before


def test_a_changed_record_is_updated_in_place(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    load(empty_db, settings)
    before = count_by_label(empty_db, settings.neo4j_database)
    changed = broken_copy(
        tmp_path,
        "visits/data/2010.xml",
        "<description>Working visit.",
        "<description>Working visit; met with President Obama.",
    )
    summary = write_hsg(empty_db, settings.neo4j_database, read_hsg(changed, only=["visits"]))
    assert summary.updated["Meeting"] >= 1
    assert count_by_label(empty_db, settings.neo4j_database) == before
    [row] = query(
        empty_db,
        settings,
        "MATCH (m:Meeting {id: 'hsg-visit-2076'})-[:MENTIONS]->(:Person {id: 'obama-barack'}) "
        "RETURN m.description AS d",
    )
    assert row["d"] == "Working visit; met with President Obama."


def test_the_articles_knowledge_joins_the_datasets(empty_db: Driver, settings: Settings) -> None:
    db = settings.neo4j_database
    write_knowledge(empty_db, db, read_knowledge())
    load(empty_db, settings)
    rows = query(
        empty_db,
        settings,
        """
        MATCH (n:Entity) WHERE n.id IN ['obama-barack', 'cuba', 'us-interests-section-havana']
        RETURN n.id AS id, n.name AS name,
               [s IN n.sources WHERE NOT s STARTS WITH 'hsg-'] <> [] AS curated,
               [s IN n.sources WHERE s STARTS WITH 'hsg-'] <> [] AS hsg ORDER BY id""",
    )
    assert [(r["id"], r["curated"], r["hsg"]) for r in rows] == [
        ("cuba", True, True),
        ("obama-barack", True, True),
        ("us-interests-section-havana", True, True),
    ]
    [farrar] = query(
        empty_db,
        settings,
        "MATCH (:Person {id: 'farrar-jonathan-d'})-[r:HOLDS_POSITION]->"
        "(:Organization {id: 'us-interests-section-havana'}) RETURN count(r) AS n",
    )
    assert farrar["n"] == 1
    # Reloading the curated knowledge keeps the datasets' provenance on the shared nodes,
    # so a reload of the datasets finds nothing to write.
    write_knowledge(empty_db, db, read_knowledge())
    summary = write_hsg(empty_db, db, read_hsg(SAMPLE))
    assert sum(summary.created.values()) == 0
    assert summary.updated["Country"] + summary.updated["Person"] == 0
    [obama] = query(
        empty_db,
        settings,
        "MATCH (n {id: 'obama-barack'}) RETURN n.name AS name, "
        "size([s IN n.sources WHERE s STARTS WITH 'hsg-']) AS hsg",
    )
    assert obama["hsg"] >= 2 and obama["name"] == "Barack Obama"


def test_cli_loads_with_bad_records_reported(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    root = broken_copy(
        tmp_path, "visits/data/2010.xml", '<from id="haiti">', '<from id="atlantis">'
    )
    result = run_cli(settings, "load", "hsg", str(root))
    assert result.returncode == 0, result.stderr
    assert "visits/data/2010.xml: visit 2079: unknown country id" in result.stderr
    assert "1 unknown country id" in result.stdout
    labels = count_by_label(empty_db, settings.neo4j_database)
    assert labels["Meeting"] == 8


def test_cli_strict_writes_nothing(empty_db: Driver, settings: Settings, tmp_path: Path) -> None:
    root = broken_copy(
        tmp_path,
        "pocom/missions-countries/cuba.xml",
        "<date>2008-09</date>",
        "<date>Sept. 2008</date>",
    )
    result = run_cli(settings, "load", "hsg", str(root), "--strict")
    assert result.returncode == 1
    assert "pocom/missions-countries/cuba.xml: chief cu-2008-farr-01: unparseable date" in (
        result.stderr
    )
    assert "nothing was written" in result.stderr
    assert count_by_label(empty_db, settings.neo4j_database) == {}


def test_cli_strict_dry_run_fails_on_bad_records(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    root = broken_copy(
        tmp_path, "visits/data/2010.xml", '<from id="haiti">', '<from id="atlantis">'
    )
    result = run_cli(settings, "load", "hsg", str(root), "--strict", "--dry-run")
    assert result.returncode == 1, result.stdout
    assert "visits/data/2010.xml: visit 2079: unknown country id" in result.stderr
    assert "1 bad record(s) (--strict); nothing was written (--dry-run)." in result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli(settings, "load", "hsg", str(root), "--dry-run").returncode == 0
    assert run_cli(settings, "load", "hsg", str(SAMPLE), "--strict", "--dry-run").returncode == 0
    assert count_by_label(empty_db, settings.neo4j_database) == {}


def test_cli_prints_markup_in_records_as_text_after_a_load(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    """`[/x]` in a record once crashed the report after the commit: exit 1, a traceback,
    no summary, the data written. It is text: printed as it is, and the load reported."""
    root = broken_copy(
        tmp_path, "visits/data/2010.xml", '<from id="haiti">', '<from id="[/x] [bold]">'
    )
    result = run_cli(settings, "load", "hsg", str(root))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "visit 2079: unknown country id: from id '[/x] [bold]' is not a known" in (result.stderr)
    assert "Written" in result.stdout and "Meeting" in result.stdout
    assert count_by_label(empty_db, settings.neo4j_database)["Meeting"] == 8


def test_cli_a_reader_gone_after_the_commit_does_not_fail_the_load(
    empty_db: Driver, settings: Settings
) -> None:
    """`load hsg | head -1`: stdout closed while the report is printed. The load has
    committed; it exits 0, says so on stderr, and the graph holds the data."""
    env = {**os.environ, "NEO4J_URI": settings.bolt_uri, "NEO4J_USER": settings.neo4j_user,
           "NEO4J_PASSWORD": settings.neo4j_password,
           "NEO4J_DATABASE": settings.neo4j_database}  # fmt: skip
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: every write to stdout fails with EPIPE
    with open(write_end, "wb") as stdout:
        result = subprocess.run(
            [sys.executable, "-m", "diplograph", "load", "hsg", str(SAMPLE)],
            stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT,
            timeout=300, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Written; the report could not be printed" in result.stderr
    assert count_by_label(empty_db, settings.neo4j_database)["Meeting"] == 9


def test_cli_a_refused_file_loses_nothing_already_loaded(
    empty_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    assert run_cli(settings, "load", "hsg", str(SAMPLE)).returncode == 0
    before = graph_state(empty_db, settings)
    _, old, new, *_ = BAD_CASES["DOCTYPE with an external entity"]
    root = broken_copy(tmp_path, "visits/data/2010.xml", old, new)

    strict = run_cli(settings, "load", "hsg", str(root), "--strict")
    assert strict.returncode == 1
    assert "visits/data/2010.xml: line 2: DOCTYPE refused: declares a DOCTYPE" in strict.stderr
    assert graph_state(empty_db, settings) == before

    result = run_cli(settings, "load", "hsg", str(root))
    assert result.returncode == 0, result.stderr
    assert "visits/data/2010.xml: line 2: DOCTYPE refused" in result.stderr
    assert graph_state(empty_db, settings) == before


def test_cli_reload_of_an_unchanged_checkout(empty_db: Driver, settings: Settings) -> None:
    assert run_cli(settings, "load", "hsg", str(SAMPLE)).returncode == 0
    result = run_cli(settings, "load", "hsg", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert "travels: unchanged since it was last loaded, nothing to write." in result.stdout


def test_cli_only_one_dataset(empty_db: Driver, settings: Settings) -> None:
    result = run_cli(settings, "load", "hsg", str(SAMPLE), "--only", "travels")
    assert result.returncode == 0, result.stderr
    rels = count_relationships(empty_db, settings.neo4j_database)
    assert rels["HOLDS_POSITION"] == 3  # the presidencies; no pocom tenures
    traveller = query(
        empty_db,
        settings,
        "MATCH (p:Person {id: 'kerry-john-forbes'}) RETURN p.name AS name, p.sources AS s",
    )
    assert traveller == [
        {"name": "John Forbes Kerry", "s": ["hsg-travels-secretary-travels-kerry-john-forbes"]}
    ]


# -- the full datasets ---------------------------------------------------------------------------


def xml_counts(root: Path) -> dict[str, int]:
    """Record counts straight from the XML, independently of the loader."""

    def count(pattern: str, path: str) -> int:
        return sum(len(etree.parse(str(p)).getroot().findall(path)) for p in root.glob(pattern))

    return {
        "person": len(list(root.glob("pocom/people/*/*.xml"))),
        "chief": count("pocom/missions-countries/*.xml", "chiefs/chief")
        + count("pocom/missions-orgs/*.xml", "chiefs/chief"),
        "principal": count("pocom/positions-principals/*.xml", "principals/principal"),
        "president": count("travels/presidents/presidents.xml", "president"),
        "trip": count("travels/*-travels/*.xml", "trip"),
        "visit": count("visits/data/*.xml", "visit"),
        "files": sum(
            len(list(root.glob(pattern)))
            for pattern in (
                "pocom/people/*/*.xml",
                "pocom/missions-*/*.xml",
                "pocom/positions-principals/*.xml",
                "travels/presidents/*.xml",
                "travels/*-travels/*.xml",
                "visits/data/*.xml",
            )
        ),
    }


@pytest.mark.shared
def test_full_datasets_load_with_counts_matching_the_xml(
    empty_db: Driver, settings: Settings
) -> None:
    if not (FULL / "pocom").is_dir():
        pytest.skip(f"the historian's datasets are not at {FULL}")
    data = load(empty_db, settings, FULL)
    expected = xml_counts(FULL)
    bad = data.bad
    for record in bad:  # every bad record names its file and record
        assert (FULL / record.file).exists() and record.record
    bad_meetings = sum(1 for b in bad if b.record.startswith(("trip", "visit")))
    bad_tenures = sum(1 for b in bad if b.record.startswith(("chief", "principal", "president")))
    bad_people = sum(1 for b in bad if b.record.startswith("person"))

    labels = count_by_label(empty_db, settings.neo4j_database)
    rels = count_relationships(empty_db, settings.neo4j_database)
    meetings = query(
        empty_db, settings, "MATCH (m:Meeting) RETURN m.meetingType AS t, count(*) AS n ORDER BY t"
    )
    assert labels["Meeting"] == expected["trip"] + expected["visit"] - bad_meetings
    # A Document per dataset file (its text the XML) and one per dataset.
    assert labels["Document"] == expected["files"] + 3
    assert {r["t"] for r in meetings} == {"trip", "visit"}
    presidents = {
        e.findtext("id")
        for e in etree.parse(str(FULL / "travels/presidents/presidents.xml")).iter("president")
    }
    people = {p.stem for p in FULL.glob("pocom/people/*/*.xml")}
    [known] = query(
        empty_db, settings, "MATCH (p:Person) WHERE p.candidate IS NULL RETURN count(p) AS n"
    )
    assert known["n"] == len(people | presidents) - bad_people
    assert rels["HOLDS_POSITION"] == (
        expected["chief"] + expected["principal"] + expected["president"] - bad_tenures
    )
    missions = list(FULL.glob("pocom/missions-countries/*.xml"))
    interests = [p for p in missions if "<role-title-id>principal-officer<" in p.read_text()]
    assert labels["Organization"] == (
        len(missions)
        + len(interests)
        + len(list(FULL.glob("pocom/missions-orgs/*.xml")))
        + len(list(FULL.glob("pocom/positions-principals/*.xml")))
        + 1
    )
    [offices] = query(
        empty_db,
        settings,
        """MATCH (o:Organization)-[:REPRESENTS]->(:Country {id: 'united-states'})
           RETURN count(o) AS n""",
    )
    assert offices["n"] == labels["Organization"]  # every office and mission acts for the U.S.
    territories = {p.stem for p in missions} | {"united-states"}
    for pattern, tag in (("travels/*-travels/*.xml", "country"), ("visits/data/*.xml", "from")):
        for path in FULL.glob(pattern):
            ids = (e.get("id", "") for e in etree.parse(str(path)).iter(tag))
            territories |= {TERRITORY_ALIASES.get(i, i) for i in ids}
    unknown = {b.reason.split("'")[1] for b in bad if b.kind is BadKind.UNKNOWN_COUNTRY}
    assert labels["Country"] == len(territories - unknown)
    # The joins with the articles' knowledge.
    [joins] = query(
        empty_db,
        settings,
        """
        MATCH (o:Person {id: 'obama-barack'})-[:ATTENDED]->(:Meeting)
              -[:HELD_IN]->(:Country {id: 'cuba'})
        MATCH (p:Person)-[:HOLDS_POSITION]->(:Organization {id: 'us-interests-section-havana'})
        RETURN count(DISTINCT o) AS obama, count(DISTINCT p) AS officers""",
    )
    assert joins == {"obama": 1, "officers": 14}
