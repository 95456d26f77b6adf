"""The suite, the benchmarks and the soak never touch a database they did not create
(graph/scratch.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from neo4j import Driver

from diplograph.settings import Settings
from graph import scratch
from tests import dbsafety
from tests.dbsafety import MARKER, ForeignDatabase, claim, suite_settings

REAL = "bolt://db.example.org:7687"


def test_neo4j_uri_and_env_files_do_not_redirect_the_suite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(f"NEO4J_URI={REAL}\nNEO4J_PASSWORD=production\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEO4J_URI", REAL)
    monkeypatch.delenv(dbsafety.TEST_URI, raising=False)
    assert Settings().bolt_uri == REAL  # what the application itself would use
    settings = suite_settings(DIPLOGRAPH_BOLT_PORT=17999)
    assert settings.bolt_uri == "bolt://127.0.0.1:17999"
    assert settings.neo4j_password != "production"


def test_an_external_server_needs_the_test_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(dbsafety.TEST_URI, "bolt://127.0.0.1:7999")
    monkeypatch.setenv(dbsafety.TEST_PASSWORD, "for-tests")
    settings = suite_settings()
    assert settings.bolt_uri == "bolt://127.0.0.1:7999"
    assert settings.neo4j_password == "for-tests"
    # A suite-owned server (test_faults) stays local even then.
    assert suite_settings(local=True, DIPLOGRAPH_BOLT_PORT=17998).bolt_uri.endswith(":17998")


@contextmanager
def someone_elses_data(driver: Driver, database: str) -> Iterator[None]:
    """The suite's database made to look like someone else's (no marker, a node in it);
    the node must still be there afterwards. The marker comes back whatever happens."""
    driver.execute_query(f"DROP INDEX {MARKER}", database_=database)
    try:
        driver.execute_query("CREATE (:Precious {id: 'keep-me'})", database_=database)
        yield
        records, _, _ = driver.execute_query(
            "MATCH (n:Precious {id: 'keep-me'}) RETURN count(n) AS n", database_=database
        )
        assert records[0]["n"] == 1
    finally:
        driver.execute_query("MATCH (n:Precious) DELETE n", database_=database)
        dbsafety.mark(driver, database)


def test_a_database_the_suite_did_not_create_is_refused_and_kept(
    driver: Driver, settings: Settings
) -> None:
    database = settings.neo4j_database
    with someone_elses_data(driver, database):
        with pytest.raises(ForeignDatabase, match="refusing to use"):
            claim(driver, database, settings.bolt_uri)
        with pytest.raises(ForeignDatabase, match="refusing to empty"):
            dbsafety.wipe(driver, database)
    claim(driver, database, settings.bolt_uri)  # marked: claimed whatever it holds


def test_benchmarks_follow_their_own_variable_and_refuse_a_foreign_database(
    driver: Driver, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEO4J_URI", REAL)
    monkeypatch.delenv("DIPLOGRAPH_BENCH_NEO4J_URI", raising=False)
    local = scratch.scratch_settings(scratch.BENCH, DIPLOGRAPH_BOLT_PORT=17997)
    assert local.bolt_uri == "bolt://127.0.0.1:17997"  # NEO4J_URI is not followed
    monkeypatch.setenv("DIPLOGRAPH_BENCH_NEO4J_URI", settings.bolt_uri)
    monkeypatch.setenv("DIPLOGRAPH_BENCH_NEO4J_PASSWORD", settings.neo4j_password)
    monkeypatch.setenv("DIPLOGRAPH_BENCH_NEO4J_DATABASE", settings.neo4j_database)
    with (
        someone_elses_data(driver, settings.neo4j_database),
        pytest.raises(ForeignDatabase, match="DIPLOGRAPH_BENCH_NEO4J_URI"),
        scratch.scratch_neo4j(scratch.BENCH),
    ):
        pytest.fail("a benchmark ran on a database it did not create")
