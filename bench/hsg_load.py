"""Benchmark: loading the historian's datasets, our loader against a plain baseline.

    .venv/bin/python -m bench.hsg_load [PATH]

PATH is the folder holding pocom/, travels/, visits/ (default ../shared/datasets/hsg).
Uses NEO4J_URI when set (its database is wiped!), otherwise starts a throwaway local
Neo4j on free ports and stops it afterwards.

Each round measures, in this order:

1. our loader on an empty database: parse, then `graph.bulk.write_rows` per dataset;
2. our loader again (a reload: everything unchanged);
3. the database wiped, and the same rows (same parse, same properties and provenance)
   written by the plainest batched Cypher: `UNWIND $rows AS row MERGE (n:Entity {id: row.id})
   SET n:<Kind>, n += row.props` and `MATCH (a) MATCH (b) MERGE (a)-[r:<TYPE> {key}]->(b)
   SET r += row.props`, in batches of the same size, a transaction per batch.

A first round warms the server up (query plans, caches, JIT) and is not reported; the
table shows the best time of each cell over `--rounds` measured rounds (default 2), which
keeps the noise of a shared machine out of the comparison as far as it can be.
Records are XML records (a person, a chief of mission, a trip, a visit ...).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction
from rich.console import Console
from rich.table import Table

from diplograph.settings import Settings
from graph.bulk import BATCH_SIZE, Row, Rows, dataset_rows, write_rows
from graph.driver import connect
from graph.migrations import migrate
from graph.repository import count_by_label, count_relationships
from graph.server import LocalNeo4j, free_port
from loaders.hsg import DATASETS, HsgData, read_hsg

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "hsg"
console = Console() if sys.stdout.isatty() else Console(width=130)


@contextmanager
def neo4j() -> Iterator[Settings]:
    """NEO4J_URI's server, or a throwaway local one on free ports."""
    if os.environ.get("NEO4J_URI"):
        yield Settings()
        return
    with tempfile.TemporaryDirectory(prefix="hsg-bench-") as data_dir:
        settings = Settings(
            DIPLOGRAPH_BOLT_PORT=free_port(),
            DIPLOGRAPH_HTTP_PORT=free_port(),
            DIPLOGRAPH_NEO4J_DATA=Path(data_dir),
            DIPLOGRAPH_NEO4J_HEAP="1g",
            DIPLOGRAPH_NEO4J_PAGECACHE="512m",
        )
        server = LocalNeo4j(settings)
        console.print(f"Starting a throwaway Neo4j on {server.bolt_uri} ...")
        server.start()
        try:
            yield settings
        finally:
            server.stop()


def wipe(driver: Driver, database: str) -> None:
    with driver.session(database=database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


# -- the baseline: the plainest batched UNWIND ... MERGE ------------------------------------


def _plain(row: Row) -> dict[str, Any]:
    props = {**row["props"], **row.get("core", {})}
    if "sources" in row:
        props["sources"] = row["sources"]
        props["quotes"] = row["quotes"]
    return {
        "id": row.get("id"),
        "from": row.get("from"),
        "to": row.get("to"),
        "key": row.get("key"),
        "props": props,
    }


def baseline_write(driver: Driver, database: str, rows: Rows) -> None:
    def run(query: str, batch: list[dict[str, Any]]) -> None:
        def work(tx: ManagedTransaction) -> None:
            tx.run(query, rows=batch).consume()

        session.execute_write(work)

    with driver.session(database=database) as session:
        docs = [_plain(r) for r in rows.documents]
        for start in range(0, len(docs), BATCH_SIZE):
            run(
                "UNWIND $rows AS row MERGE (d:Document {id: row.id}) SET d += row.props",
                docs[start : start + BATCH_SIZE],
            )
        for kind, node_rows in rows.nodes.items():
            plain = [_plain(r) for r in node_rows]
            for start in range(0, len(plain), BATCH_SIZE):
                run(
                    f"UNWIND $rows AS row MERGE (n:Entity {{id: row.id}}) "
                    f"SET n:{kind.value} SET n += row.props",
                    plain[start : start + BATCH_SIZE],
                )
        for rel_type, edge_rows in rows.edges.items():
            plain = [_plain(r) for r in edge_rows]
            for start in range(0, len(plain), BATCH_SIZE):
                run(
                    f"UNWIND $rows AS row MATCH (a:Entity {{id: row.from}}) "
                    f"MATCH (b:Entity {{id: row.to}}) "
                    f"MERGE (a)-[r:{rel_type.value} {{key: row.key}}]->(b) SET r += row.props",
                    plain[start : start + BATCH_SIZE],
                )


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Timing:
    records: int
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def records_of(data: HsgData, dataset: str) -> int:
    parsed = data.datasets[next(d for d in DATASETS if d.value == dataset)]
    return sum(n for kind, n in parsed.records.items() if kind != "other-nominee")


def timed_parse(path: Path) -> tuple[HsgData, float]:
    start = time.perf_counter()
    data = read_hsg(path)
    return data, time.perf_counter() - start


def run_ours(driver: Driver, database: str, path: Path) -> tuple[dict[str, Timing], float]:
    data, parse = timed_parse(path)
    timings: dict[str, Timing] = {}
    for dataset in DATASETS:
        start = time.perf_counter()
        rows = dataset_rows(data.datasets[dataset])
        write_rows(driver, database, rows)
        timings[dataset.value] = Timing(
            records_of(data, dataset.value), rows.total, time.perf_counter() - start
        )
    return timings, parse


def run_baseline(driver: Driver, database: str, path: Path) -> tuple[dict[str, Timing], float]:
    data, parse = timed_parse(path)
    timings: dict[str, Timing] = {}
    for dataset in DATASETS:
        start = time.perf_counter()
        rows = dataset_rows(data.datasets[dataset])
        baseline_write(driver, database, rows)
        timings[dataset.value] = Timing(
            records_of(data, dataset.value), rows.total, time.perf_counter() - start
        )
    return timings, parse


def total(timings: dict[str, Timing], parse: float) -> Timing:
    return Timing(
        sum(t.records for t in timings.values()),
        sum(t.rows for t in timings.values()),
        sum(t.seconds for t in timings.values()) + parse,
    )


Run = tuple[dict[str, Timing], float]  # per-dataset write timings, parse seconds


def best(runs: list[Run]) -> Run:
    """The best (least) time of each cell over the measured rounds."""
    timings = {
        name: min((r[0][name] for r in runs), key=lambda t: t.seconds) for name in runs[0][0]
    }
    return timings, min(r[1] for r in runs)


def counts(driver: Driver, db: str) -> tuple[dict[str, int], dict[str, int]]:
    return count_by_label(driver, db), count_relationships(driver, db)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--rounds", type=int, default=2, help="measured rounds (best of)")
    args = parser.parse_args(argv)
    path: Path = args.path
    if not (path / "pocom").is_dir():
        console.print(
            f"[red]No historian datasets at {path}[/] (expected pocom/, travels/, visits/)"
        )
        return 2
    ours_runs: list[Run] = []
    reload_runs: list[Run] = []
    base_runs: list[Run] = []
    reload_same = same_graph = True
    with neo4j() as settings:
        driver = connect(settings)
        db = settings.neo4j_database
        try:
            migrate(driver, db)
            # Round 0 warms the server up (plans, caches, JIT) and is not reported.
            for round_ in range(args.rounds + 1):
                label = f"round {round_}" if round_ else "warm-up"
                wipe(driver, db)
                console.print(f"{label}: our loader, empty database ...")
                ours_run = run_ours(driver, db, path)
                loaded = counts(driver, db)
                console.print(f"{label}: our loader again (reload) ...")
                reload_run = run_ours(driver, db, path)
                reload_same = reload_same and counts(driver, db) == loaded
                wipe(driver, db)
                console.print(f"{label}: baseline (plain UNWIND ... MERGE), empty database ...")
                base_run = run_baseline(driver, db, path)
                same_graph = same_graph and counts(driver, db) == loaded
                if round_:
                    ours_runs.append(ours_run)
                    reload_runs.append(reload_run)
                    base_runs.append(base_run)
        finally:
            driver.close()
    ours, _ = best(ours_runs)
    reload, _ = best(reload_runs)
    base, _ = best(base_runs)
    # Both sides parse with the same code (read_hsg); its best time counts for both.
    parse = min(run[1] for run in ours_runs + reload_runs + base_runs)

    table = Table(
        title=f"Loading {path}: records per second, best of {args.rounds} rounds after a "
        "warm-up; ratio = ours / baseline"
    )
    for column in (
        "",
        "records",
        "graph rows",
        "ours s",
        "ours rec/s",
        "baseline s",
        "baseline rec/s",
        "ratio",
    ):
        table.add_column(column, justify="left" if not column else "right")

    def add(label: str, mine: Timing, theirs: Timing | None) -> None:
        cells = [
            label,
            f"{mine.records:,}",
            f"{mine.rows:,}",
            f"{mine.seconds:.2f}",
            f"{mine.rate:,.0f}",
        ]
        if theirs is None:
            cells += ["", "", ""]
        else:
            cells += [
                f"{theirs.seconds:.2f}",
                f"{theirs.rate:,.0f}",
                f"{mine.rate / theirs.rate:.2f}x" if theirs.rate else "-",
            ]
        table.add_row(*cells)

    for dataset in DATASETS:
        add(f"{dataset.value} (write)", ours[dataset.value], base[dataset.value])
    add(
        "parse (same for both)",
        Timing(total(ours, 0).records, 0, parse),
        Timing(total(base, 0).records, 0, parse),
    )
    add("whole corpus, end to end", total(ours, parse), total(base, parse))
    add("reload (nothing changed)", total(reload, parse), None)
    console.print(table)
    console.print(
        f"Reload left the counts {'unchanged' if reload_same else '[red]CHANGED[/]'}; "
        f"baseline wrote the same graph: {'yes' if same_graph else '[red]no[/]'}."
    )
    whole = total(ours, parse)
    ratio = whole.rate / total(base, parse).rate
    ok = ratio >= 0.7 and whole.seconds < 60 and reload_same
    console.print(
        f"Targets (>= 0.7x baseline, whole corpus < 60 s): "
        f"{'met' if ok else '[red]not met[/]'} ({ratio:.2f}x, {whole.seconds:.1f} s)."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
