"""Ingest never loses a document, and refuses input it cannot read, writing nothing.

Two different texts never share an id; the same text again is the same document; a
changed text under a stored URL is a new version beside the old; all of it through the
pipeline, the CLI and the `ingestDocument` mutation, against the real Neo4j of the
session. Input limits (size, binary, empty, chrome only) and HTML pages are checked on
the pure functions and end to end. The texts are invented for these tests.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from diplograph.settings import Settings
from graph.mentions import DocumentStatus
from graph.repository import count_by_label, count_relationships
from loaders.articles import ArticleError
from loaders.ingest.documents import MAX_INPUT_BYTES, MAX_TEXT_CHARS, prepare_article, prepare_text
from loaders.ingest.html import html_to_text, looks_like_html
from services.pipeline import ingest_documents
from tests.conftest import API_TOKEN, graphql
from tests.test_hsg import run_cli

STATEMENT_A = """Press Statement

The Governments of Norway and Iceland met in Reykjavik on March 3, 2013 to review the
management of shared fish stocks. Both delegations agreed to meet again in the autumn."""

STATEMENT_B = """Press Statement

Foreign Minister Espen Barth Eide welcomed the Finnish delegation to Oslo. The ministers
discussed Arctic shipping routes and a joint search-and-rescue exercise."""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Envoys Meet In Lisbon | World Desk</title>
<meta property="article:published_time" content="2012-09-14T08:30:00+00:00">
<link rel="canonical" href="https://desk.example.org/2012/envoys-lisbon">
<script>window.dataLayer = [{"headline": "tracking"}]; alert("x");</script>
<style>.x { color: red }</style></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>Envoys Meet In Lisbon</h1>
<p class="byline">By a staff writer</p>
<p>Portugal's Foreign Minister Paulo Portas received the <em>Angolan</em> envoy in Lisbon
on Friday.<br>The two discussed trade credits.</p>
<aside>Most read: a story about something else</aside>
<div><p>Talks will resume in Luanda next month.</p></div></article>
<footer>Copyright 2012 World Desk. All rights reserved.</footer>
<script>document.write("injected text")</script></body></html>"""


def stored(driver: Driver, settings: Settings) -> dict[str, dict[str, Any]]:
    records, _, _ = driver.execute_query(
        "MATCH (d:Document) RETURN d.id AS id, d.text AS text, d.url AS url, "
        "d.version AS version, d.previousVersion AS previous",
        database_=settings.neo4j_database,
    )
    return {r["id"]: dict(r) for r in records}


def state(driver: Driver, settings: Settings) -> tuple[dict[str, int], dict[str, int]]:
    database = settings.neo4j_database
    return count_by_label(driver, database), count_relationships(driver, database)


# -- ids and versions --------------------------------------------------------------------------


def test_two_texts_with_one_headline_get_two_ids(loaded_db: Driver, settings: Settings) -> None:
    database = settings.neo4j_database
    a = prepare_text(STATEMENT_A, date="2013-03-04")
    b = prepare_text(STATEMENT_B, date="2013-03-04")
    c = prepare_text(STATEMENT_B.replace("Oslo", "Tromso"), date="2013-03-04")
    assert a.id == b.id == c.id == "press-statement"  # the headline alone would collide
    results = ingest_documents(loaded_db, database, [a, b])
    (third,) = ingest_documents(loaded_db, database, [c])
    ids = [r.stored.id for r in [*results, third]]
    assert ids == ["press-statement", "press-statement-2013-03-04", ids[2]]
    assert ids[2].startswith("press-statement-") and len(set(ids)) == 3
    assert all(r.stored.status == DocumentStatus.NEW for r in [*results, third])
    docs = stored(loaded_db, settings)
    for doc, result in zip([a, b, c], [*results, third], strict=True):
        assert docs[result.stored.id]["text"] == doc.text  # nothing overwritten
        assert result.analysis.document.id == result.stored.id


def test_the_same_text_again_is_the_same_document(loaded_db: Driver, settings: Settings) -> None:
    database = settings.neo4j_database
    doc = prepare_text(STATEMENT_B, url="https://mfa.example.no/statements/41")
    (first,) = ingest_documents(loaded_db, database, [doc])
    before = state(loaded_db, settings)
    (again,) = ingest_documents(loaded_db, database, [doc])
    # Under another headline date or none, the text is what identifies it.
    (dated,) = ingest_documents(loaded_db, database, [doc.model_copy(update={"date": None})])
    assert first.stored.status == DocumentStatus.NEW and first.document_created
    assert again.stored.status == dated.stored.status == DocumentStatus.UNCHANGED
    assert not again.document_created
    assert again.stored.id == dated.stored.id == first.stored.id
    assert state(loaded_db, settings) == before
    assert again.mentions.created == 0 and again.mentions.removed == 0


def test_a_changed_text_under_a_stored_url_is_a_new_version(
    loaded_db: Driver, settings: Settings
) -> None:
    database = settings.neo4j_database
    url = "https://mfa.example.no/statements/42"
    old = prepare_text(STATEMENT_A, url=url)
    (first,) = ingest_documents(loaded_db, database, [old])
    # A quote citing the first version, as a curated fact would.
    loaded_db.execute_query(
        "MATCH (e:Entity {id: 'cuba'}) SET e.sources = e.sources + [$doc], "
        "e.quotes = e.quotes + ['shared fish stocks']",
        doc=first.stored.id,
        database_=database,
    )
    changed = prepare_text(STATEMENT_A.replace("autumn", "spring"), url=url)
    (second,) = ingest_documents(loaded_db, database, [changed])
    (third,) = ingest_documents(
        loaded_db, database, [prepare_text(STATEMENT_A + " More follows.", url=url)]
    )
    assert second.stored.status == DocumentStatus.NEW_VERSION
    assert (second.stored.previous, second.stored.version) == (first.stored.id, 2)
    assert (third.stored.previous, third.stored.version) == (second.stored.id, 3)
    docs = stored(loaded_db, settings)
    assert docs[first.stored.id]["text"] == old.text  # the cited version is intact
    assert "shared fish stocks" in docs[first.stored.id]["text"]
    assert docs[second.stored.id]["text"] == changed.text
    assert docs[second.stored.id]["previous"] == first.stored.id
    assert len({first.stored.id, second.stored.id, third.stored.id}) == 3


def test_cli_reports_new_unchanged_and_versions(
    loaded_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(STATEMENT_A, encoding="utf-8")
    b.write_text(STATEMENT_B, encoding="utf-8")
    review = tmp_path / "review"
    first = run_cli(settings, "ingest", str(a), str(b), "--review", str(review))
    assert first.returncode == 0, first.stderr
    assert "press-statement (new)" in first.stdout
    assert "press-statement-" in first.stdout.replace("press-statement (new)", "")
    assert len(list(review.glob("*.yaml"))) == 2
    again = run_cli(settings, "ingest", str(a), "--review", str(review))
    assert again.returncode == 0 and "press-statement (unchanged)" in again.stdout
    assert len(stored(loaded_db, settings)) == 2 + 2  # the two curated articles, and these


STATEMENT_C = """Fisheries Statement

The delegations of Estonia and Latvia met in Riga on Tuesday to review the herring quota
in the Gulf of Riga."""


def document_date(driver: Driver, settings: Settings, ident: str) -> dict[str, Any]:
    records, _, _ = driver.execute_query(
        "MATCH (d:Document {id: $id}) RETURN d.date AS date, d.dateFrom AS start",
        id=ident,
        database_=settings.neo4j_database,
    )
    return dict(records[0])


def test_a_new_date_for_the_same_text_updates_the_document_everywhere(
    loaded_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    """The same text ingested undated, then with --date: the document takes that date (an
    update, reported as one), and its candidates count "Tuesday" from it; ingested again
    without a date, the stored date still rules."""
    text = tmp_path / "riga.txt"
    text.write_text(STATEMENT_C, encoding="utf-8")
    review = tmp_path / "review"
    first = run_cli(settings, "ingest", str(text), "--review", str(review))
    assert first.returncode == 0 and "fisheries-statement (new)" in first.stdout, first.stdout
    assert document_date(loaded_db, settings, "fisheries-statement")["date"] is None

    dated = run_cli(settings, "ingest", str(text), "--date", "2014-05-09", "--review", str(review))
    assert dated.returncode == 0, dated.stderr
    assert "fisheries-statement (date updated: no date -> 2014-05-09)" in dated.stdout
    assert document_date(loaded_db, settings, "fisheries-statement") == {
        "date": "2014-05-09",
        "start": date(2014, 5, 9),
    }
    meetings, _, _ = loaded_db.execute_query(
        "MATCH (c:Candidate {document: 'fisheries-statement', kind: 'Meeting'}) "
        "RETURN c.date AS date",
        database_=settings.neo4j_database,
    )
    assert [r["date"] for r in meetings] == ["2014-05-06"]  # the Tuesday before May 9

    (again,) = ingest_documents(loaded_db, settings.neo4j_database, [prepare_article(text)])
    assert again.stored.status == DocumentStatus.UNCHANGED
    assert again.analysis.document.date is not None
    assert again.analysis.document.date.value == "2014-05-09"
    assert [c.date.value for c in again.analysis.candidates if c.date] == ["2014-05-06"]
    same = run_cli(settings, "ingest", str(text), "--date", "2014-05-09", "--review", str(review))
    assert "fisheries-statement (unchanged)" in same.stdout


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("OSLO, March 3, 2015 \u2014 Norway and Iceland met", "2015-03-03"),
        ("NEW DELHI, Tuesday, 4 August 2015: The two ministers met", "2015-08-04"),
        ("HANOI (AFP), June 2, 2013 - Vietnam and Laos met", "2013-06-02"),
        ("NAIROBI, July 10, 2014 (Reuters) - Kenya and Uganda met", "2014-07-10"),
        ("Media Note Office of the Spokesperson Washington, DC March 3, 2015", "2015-03-03"),
        ("On March 3, 2015 - Norway and Iceland met", None),  # a sentence, not a dateline
        ("Eide, March 3, 2015 - in his last speech", None),  # a name, not a place in capitals
        ("The ministers met on March 3, 2015. They agreed.", None),
    ],
)
def test_a_dateline_dates_the_document_when_no_date_is_given(
    opening: str, expected: str | None
) -> None:
    text = f"Fisheries Talks\n\n{opening}\n\nThe delegations reviewed the shared fish stocks."
    doc = prepare_text(text)
    assert (doc.date.value if doc.date else None) == expected
    assert opening in doc.text  # the dateline stays in the text, quotes may cite it
    given = prepare_text(text, date="2016-01-02")
    assert given.date is not None and given.date.value == "2016-01-02"  # --date wins


# -- input limits ----------------------------------------------------------------------------


def test_html_pages_become_text_without_scripts_or_chrome() -> None:
    assert looks_like_html(PAGE) and looks_like_html("plain", "page.htm")
    assert not looks_like_html(STATEMENT_A)
    page = html_to_text(PAGE)
    assert page.title == "Envoys Meet In Lisbon"
    assert (page.date, page.url) == ("2012-09-14", "https://desk.example.org/2012/envoys-lisbon")
    doc = prepare_text(PAGE, where="page")
    assert doc.id == "envoys-meet-in-lisbon" and doc.title == "Envoys Meet In Lisbon"
    assert doc.date is not None and doc.date.value == "2012-09-14"
    assert doc.url == "https://desk.example.org/2012/envoys-lisbon"
    assert doc.text.split("\n\n") == [
        "Envoys Meet In Lisbon",
        "By a staff writer",
        "Portugal's Foreign Minister Paulo Portas received the Angolan envoy in Lisbon on Friday.",
        "The two discussed trade credits.",
        "Talks will resume in Luanda next month.",
    ]
    for junk in ("dataLayer", "alert", "color", "injected", "Home", "Most read", "Copyright"):
        assert junk not in doc.text
    # Deep nesting is walked without recursion.
    deep = "<html><body>" + "<div>" * 5000 + "<p>Deep inside a page, a sentence.</p>"
    assert "Deep inside a page" in prepare_text(deep + "</div>" * 5000).text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "the text is empty"),
        ("blank.html", b"<html><body><script>x()</script></body></html>", "no text is left"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Caf\u00e9 talks resumed.".encode("latin-1"), "not UTF-8"),
        (
            "chrome.txt",
            b"Skip to main content\n\nHome\n\nWorld News\n\nShare\n\nPrint\n\n"
            b"Follow us\n\nCopyright 2014 Example Media",
            "no article text",
        ),
        (
            "nav.html",
            b"<html><body><nav><a>Home</a></nav><h1>Latest</h1><ul><li><a>Politics</a></li>"
            b"<li><a>Business</a></li></ul></body></html>",
            "no article text",
        ),
        ("huge.txt", b"Talks went on. " * (MAX_INPUT_BYTES // 15 + 1), "over ingest's limit"),
    ],
)
def test_unreadable_input_is_refused_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArticleError, match=rf"{name}: .*{message}"):
        prepare_article(path)


def test_a_long_run_of_dotted_acronyms_is_one_sentence_read_in_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Hostile review: 90 KB of "U.S.A.U.K.E.U." in one sentence held the analysis 60 s
    past its budget: each period searched the whole sentence so far for the word before
    it. Counted: no regular-expression search per period any more."""
    from loaders.ingest import text as text_module

    searched = 0
    search = text_module.re.search

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal searched
        searched += 1
        return search(*args, **kwargs)

    monkeypatch.setattr(text_module.re, "search", counted)
    body = "The Minister met " + " ".join(["U.S.A.U.K.E.U."] * 2000) + " today. Talks ended."
    spans = text_module.sentence_spans(body)
    assert [body[s:e] for s, e in spans][-1] == "Talks ended."
    assert len(spans) == 2 and searched == 0


def test_a_stream_is_read_no_further_than_the_limit() -> None:
    """Hostile review: /dev/zero (size 0 to stat) was read to the end: 800 MB a second."""
    with pytest.raises(ArticleError, match=r"/dev/zero: .*over ingest's limit"):
        prepare_article(Path("/dev/zero"))


def test_long_text_under_the_byte_limit_is_still_refused() -> None:
    text = "Summit Report\n\n" + "A sentence about the summit. " * (MAX_TEXT_CHARS // 29 + 1)
    with pytest.raises(ArticleError, match=r"report: .* characters of text is over"):
        prepare_text(text[: MAX_INPUT_BYTES - 10], where="report")


def test_cli_refuses_bad_input_and_writes_nothing(
    loaded_db: Driver, settings: Settings, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text(STATEMENT_B, encoding="utf-8")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x00\x01\x02\x03 binary")
    chrome = tmp_path / "chrome.txt"
    chrome.write_text("Home\n\nMenu\n\nShare\n\nSubscribe", encoding="utf-8")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"x" * (MAX_INPUT_BYTES + 1))
    before = state(loaded_db, settings)
    result = run_cli(settings, "ingest", str(good), str(binary), str(chrome), str(huge))
    assert result.returncode == 1
    err = " ".join(result.stderr.split())
    assert "photo.txt: holds control characters; a binary file" in err
    assert "chrome.txt: no text is left once page chrome is removed" in err
    assert "huge.txt: 2,000,001 bytes is over ingest's limit" in err
    assert "nothing was written" in err
    assert state(loaded_db, settings) == before


# -- through the API -------------------------------------------------------------------------

INGEST = """mutation($text: String!, $url: String) { ingestDocument(text: $text, url: $url) {
  slug created status previousVersion } }"""


def test_ingest_document_mutation_never_replaces_a_text(api: httpx.Client, driver: Driver) -> None:
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    url = "https://mfa.example.is/news/7"
    text_a = STATEMENT_A.replace("Press Statement", "Fisheries Talks Statement")
    text_b = STATEMENT_B.replace("Press Statement", "Fisheries Talks Statement")

    def ingest(text: str, link: str | None = None) -> dict[str, Any]:
        body = graphql(api, INGEST, headers=auth, text=text, url=link)
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]["ingestDocument"]
        return result

    try:
        first = ingest(text_a, url)
        same = ingest(text_a, url)
        other = ingest(text_b)
        version = ingest(text_a.replace("autumn", "winter"), url)
        assert (first["status"], first["created"]) == ("new", True)
        assert (same["status"], same["created"], same["slug"]) == (
            "unchanged",
            False,
            first["slug"],
        )
        assert other["slug"] != first["slug"] and other["status"] == "new"
        assert version["status"] == "new version" and version["previousVersion"] == first["slug"]
        texts, _, _ = driver.execute_query(
            "MATCH (d:Document) WHERE d.id IN $ids RETURN d.id AS id, d.text AS text",
            ids=[first["slug"], other["slug"], version["slug"]],
        )
        by_id = {r["id"]: r["text"] for r in texts}
        assert "autumn" in by_id[first["slug"]] and "winter" in by_id[version["slug"]]
        assert "Espen Barth Eide" in by_id[other["slug"]]
        # (The API's own body limit refuses a text over ingest's limit before ingest sees it.)
        for bad, code, message in (
            ("Home\n\nShare\n\nPrint", "BAD_USER_INPUT", "no text is left"),
            ("Headline\n\nAnother Line", "BAD_USER_INPUT", "no article text"),
            ("Talks\n\n\x00\x01 binary", "BAD_USER_INPUT", "binary"),
            ("Talks\n\n" + "Word. " * (MAX_TEXT_CHARS // 6 + 1), "PAYLOAD_TOO_LARGE", "exceeds"),
        ):
            before = driver.execute_query("MATCH (d:Document) RETURN count(d) AS n").records
            refused = graphql(api, INGEST, headers=auth, text=bad)
            assert refused["errors"][0]["extensions"]["code"] == code, refused
            assert message in refused["errors"][0]["message"]
            after = driver.execute_query("MATCH (d:Document) RETURN count(d) AS n").records
            assert after == before
    finally:
        driver.execute_query(
            "MATCH (d:Document) WHERE d.title = 'Fisheries Talks Statement' DETACH DELETE d"
        )


# -- what a newcomer found, end to end ---------------------------------------------------------

BORDER_TEXT = """Border Commission Meets In Warsaw

The German delegation, led by Klaus Weber, met Polish officials in Warsaw on May 3. A second
group arrived in Frankfurt (Oder) the same week; the ministers had met in Frankfurt before.
Both delegations will meet again in September in Berlin."""

PLACES = [
    {"id": "warsaw-poland", "kind": "Place", "name": "Warsaw"},
    {"id": "frankfurt-germany", "kind": "Place", "name": "Frankfurt"},
    {"id": "berlin-germany", "kind": "Place", "name": "Berlin"},
]

CANDIDATE_QUERY = """query($doc: String) { candidates(document: $doc) { name kind planned } }"""


def test_delegations_qualified_places_and_planned_meetings_in_the_graph(
    empty_db: Driver, settings: Settings, api: httpx.Client
) -> None:
    """Through the pipeline into Neo4j and back out through the API: the untitled leader of
    a delegation is proposed with it, "Frankfurt (Oder)" is no mention of the Frankfurt the
    graph holds, and the meeting to come is stored and listed as planned."""
    database = settings.neo4j_database
    empty_db.execute_query(
        "UNWIND $rows AS row CREATE (p:Entity:Place) SET p = row",
        rows=[{k: v for k, v in p.items() if k != "kind"} for p in PLACES],
        database_=database,
    )
    doc = prepare_text(BORDER_TEXT, date="2012-05-05")
    (result,) = ingest_documents(empty_db, database, [doc])
    records, _, _ = empty_db.execute_query(
        "MATCH (:Document {id: $id})-[r:MENTIONS]->(e) RETURN e.id AS id, r.start AS start",
        id=result.stored.id,
        database_=database,
    )
    oder = doc.text.index("Frankfurt (Oder)")
    linked = {(r["id"], r["start"]) for r in records}
    assert ("frankfurt-germany", doc.text.index("in Frankfurt before") + 3) in linked
    assert all(start != oder for _, start in linked)
    listed = graphql(api, CANDIDATE_QUERY, doc=result.stored.id)["data"]["candidates"]
    by_name = {c["name"]: c for c in listed}
    assert by_name["German delegation led by Klaus Weber"]["kind"] == "Delegation"
    assert by_name["Klaus Weber"]["kind"] == "Person"
    assert by_name["Frankfurt (Oder)"]["kind"] == "Place"
    assert by_name["Meeting in Warsaw, 2012-05-03"]["planned"] is False
    assert by_name["Planned meeting in Berlin, 2012-09"] == {
        "name": "Planned meeting in Berlin, 2012-09",
        "kind": "Meeting",
        "planned": True,
    }


def test_one_long_word_is_refused_at_once_not_after_minutes_of_backtracking() -> None:
    """Hostile review: 95,000 letters held the server's loop until its worker was killed;
    7-letter 'cookie.' runs held it seconds (both regular expressions were quadratic)."""
    with pytest.raises(ArticleError, match="no article text"):
        prepare_text("Hx Oneline\n\n" + "a" * 95_000, url=None, date=None, where="t")
    stored = prepare_text("Hx Cookie\n\n" + "cookie." * 12_000, url=None, date=None, where="t")
    assert stored.text.endswith("cookie.")


WARNED = """mutation($text: String!, $date: String) {
  ingestDocument(text: $text, date: $date) { slug status warnings } }"""


def test_ingest_document_returns_the_warnings_the_cli_prints(
    empty_db: Driver, api: httpx.Client
) -> None:
    """An undated text, and a date given against the text's dateline: stored, with the
    warning the CLI prints on its '!' line (in the mutation's words: its `date` argument)."""
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    undated = "Herring Talks\n\nThe delegations of Estonia and Latvia met on Tuesday in Riga."
    body = graphql(api, WARNED, headers=auth, text=undated)
    assert "errors" not in body, body
    [warning] = body["data"]["ingestDocument"]["warnings"]
    assert warning.startswith("ingestDocument(text): no date found in the text")
    assert "pass the date argument YYYY-MM-DD" in warning and "--date" not in warning
    # Dated once, then sent again without a date: it keeps its date, and says that instead.
    body = graphql(api, WARNED, headers=auth, text=undated, date="2015-03-06")
    assert body["data"]["ingestDocument"]["status"] == "date updated", body
    body = graphql(api, WARNED, headers=auth, text=undated)
    assert body["data"]["ingestDocument"]["warnings"] == [
        "ingestDocument(text): no date in the text; it keeps the date it was stored with, "
        "2015-03-06"
    ]
    dated = (
        "Envoys Meet in Tallinn\n\nTALLINN, March 3, 2015 — The envoys of Estonia and "
        "Latvia met in Tallinn."
    )
    body = graphql(api, WARNED, headers=auth, text=dated, date="2015-03-05")
    assert body["data"]["ingestDocument"]["warnings"] == [
        "ingestDocument(text): the date given (2015-03-05) differs from the date in the text "
        "(2015-03-03); 2015-03-05 is used"
    ]
