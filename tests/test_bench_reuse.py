"""`python -m bench.api --reuse-data`: a database that holds the synthetic graph of the
scale and seed asked is reused, one of another scale or seed refused (real Neo4j)."""

from __future__ import annotations

import argparse

import pytest
from neo4j import Driver

from bench import synthetic
from bench.api import run
from diplograph.settings import Settings


def test_reuse_keeps_the_same_graph_and_refuses_another(
    empty_db: Driver, settings: Settings
) -> None:
    database = settings.neo4j_database
    assert synthetic.marker(empty_db, database) is None
    written = synthetic.write(empty_db, database, actors=100, seed=3, echo=False)
    synthetic.record(empty_db, database, hsg=False)
    held = synthetic.marker(empty_db, database)
    assert held is not None
    assert (held["actors"], held["seed"], held["nodes"]) == (100, 3, written.nodes)

    same = argparse.Namespace(scale=100, seed=3, reuse_data=True)
    data = run.reused_data(same, empty_db, settings)
    assert data is not None and data["reused"] and data["steps"] == []
    assert data["synthetic"]["actors"] == 100
    assert data["graph"]["synthetic_nodes"] >= written.nodes

    for scale, seed in ((101, 3), (100, 4)):
        other = argparse.Namespace(scale=scale, seed=seed, reuse_data=True)
        with pytest.raises(run.DataMismatch, match=f"--scale 100 --seed 3, not --scale {scale}"):
            run.reused_data(other, empty_db, settings)

    # Deleting the synthetic graph deletes its marker: nothing left to reuse.
    synthetic.delete_synthetic(empty_db, database)
    assert synthetic.marker(empty_db, database) is None
    assert run.reused_data(same, empty_db, settings) is None


def test_reuse_needs_the_benchmarks_own_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIPLOGRAPH_BENCH_NEO4J_URI", raising=False)
    with pytest.raises(SystemExit):
        run.parse_args(["--reuse-data"])
    monkeypatch.setenv("DIPLOGRAPH_BENCH_NEO4J_URI", "bolt://127.0.0.1:7687")
    assert run.parse_args(["--reuse-data"]).reuse_data
