"""Benchmark: loading the historian's datasets, our loader against a plain baseline.

    .venv/bin/python -m bench.hsg_load [PATH]

PATH is the folder holding pocom/, travels/, visits/ (default ../shared/datasets/hsg).
Starts a throwaway local Neo4j on free ports and stops it afterwards; another server only
when DIPLOGRAPH_BENCH_NEO4J_URI names it, and only a database the benchmarks claimed
(graph/scratch.py): NEO4J_URI and `.env` never redirect it.

Each round measures, in this order:

1. our loader on an empty database: `services.pipeline.load_hsg`, what `diplograph load hsg`
   runs (digest and checks, parse, the datasets' rows written);
2. a reload of the unchanged checkout (each dataset found unchanged by its digest);
3. a reload row by row (`--force`: parse, and every row compared on the server);
4. the database wiped, and the same rows (same parse, same properties and provenance)
   written by the plainest batched Cypher: `UNWIND $rows AS row MERGE (n:Entity {id: row.id})
   SET n:<Kind>, n += row.props` and `MATCH (a) MATCH (b) MERGE (a)-[r:<TYPE> {key}]->(b)
   SET r += row.props`, in batches of the same size, a transaction per batch.

A first round warms the server up (query plans, caches, JIT) and is not reported; which
side goes first alternates from round to round, and the table shows the best time of each
cell over `--rounds` measured rounds (default 3), which keeps the noise of a shared machine
out of the comparison as far as it can be.
Records are XML records (a person, a chief of mission, a trip, a visit ...).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction
from rich.console import Console
from rich.table import Table

from diplograph.records import DATASETS, Dataset, HsgData
from graph.bulk import BATCH_SIZE, Row, Rows, dataset_rows
from graph.driver import connect
from graph.migrations import migrate
from graph.repository import count_by_label, count_relationships
from graph.scratch import BENCH, scratch_neo4j, wipe
from loaders.hsg import read_hsg
from services.pipeline import load_hsg

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "hsg"
console = Console() if sys.stdout.isatty() else Console(width=130)


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


@dataclass
class Run:
    """One load: write time per dataset, time before the first write, and the total."""

    writes: dict[str, Timing]
    before: float
    total: float

    @property
    def records(self) -> int:
        return sum(t.records for t in self.writes.values())

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.writes.values())


def records_of(data: HsgData, dataset: str) -> int:
    parsed = data.datasets[Dataset(dataset)]
    return sum(n for kind, n in parsed.records.items() if kind != "other-nominee")


def run_ours(driver: Driver, database: str, path: Path, *, force: bool = False) -> Run:
    """`services.pipeline.load_hsg`, what `diplograph load hsg` runs; the progress callbacks time
    each dataset's writing (first to last event)."""
    marks: dict[str, list[float]] = {}
    totals: dict[str, int] = {}

    def progress(dataset: str, done: int, total: int) -> None:
        marks.setdefault(dataset, []).append(time.perf_counter())
        totals[dataset] = total

    start = time.perf_counter()
    result = load_hsg(driver, database, path, force=force, progress=progress)
    end = time.perf_counter()
    writes = {
        name: Timing(
            records_of(result.parsed, name) if result.parsed else 0,
            totals[name],
            marks[name][-1] - marks[name][0],
        )
        for name in marks
    }
    first_write = min((m[0] for m in marks.values()), default=end)
    return Run(writes, first_write - start, end - start)


def run_baseline(driver: Driver, database: str, path: Path) -> Run:
    start = time.perf_counter()
    data = read_hsg(path)
    parsed = time.perf_counter()
    writes: dict[str, Timing] = {}
    for dataset in DATASETS:
        t = time.perf_counter()
        rows = dataset_rows(data.datasets[dataset])
        baseline_write(driver, database, rows)
        writes[dataset.value] = Timing(
            records_of(data, dataset.value), rows.total, time.perf_counter() - t
        )
    return Run(writes, parsed - start, time.perf_counter() - start)


def best(runs: list[Run]) -> Run:
    """The best (least) time of each cell over the measured rounds."""
    writes = {
        name: min((r.writes[name] for r in runs), key=lambda t: t.seconds)
        for name in runs[0].writes
    }
    return Run(writes, min(r.before for r in runs), min(r.total for r in runs))


def counts(driver: Driver, db: str) -> tuple[dict[str, int], dict[str, int]]:
    return count_by_label(driver, db), count_relationships(driver, db)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (best of)")
    args = parser.parse_args(argv)
    path: Path = args.path
    if not (path / "pocom").is_dir():
        console.print(
            f"[red]No historian datasets at {path}[/] (expected pocom/, travels/, visits/)"
        )
        return 2
    runs: dict[str, list[Run]] = {"ours": [], "reload": [], "rowwise": [], "base": []}
    reload_same = True
    graphs: list[tuple[dict[str, int], dict[str, int]]] = []
    with scratch_neo4j(BENCH) as settings:
        driver = connect(settings)
        db = settings.neo4j_database
        try:
            migrate(driver, db)
            # Round 0 warms the server up (plans, caches, JIT) and is not reported.
            for round_ in range(args.rounds + 1):
                label = f"round {round_}" if round_ else "warm-up"
                measured: dict[str, Run] = {}

                def ours_and_reloads(
                    label: str = label, measured: dict[str, Run] = measured
                ) -> None:
                    nonlocal reload_same
                    wipe(driver, db)
                    console.print(f"{label}: our loader, empty database ...")
                    measured["ours"] = run_ours(driver, db, path)
                    loaded = counts(driver, db)
                    console.print(f"{label}: reload, checkout unchanged ...")
                    measured["reload"] = run_ours(driver, db, path)
                    console.print(f"{label}: reload row by row (--force) ...")
                    measured["rowwise"] = run_ours(driver, db, path, force=True)
                    reload_same = reload_same and counts(driver, db) == loaded
                    graphs.append(loaded)

                def baseline(label: str = label, measured: dict[str, Run] = measured) -> None:
                    wipe(driver, db)
                    console.print(f"{label}: baseline (plain UNWIND ... MERGE), empty database ...")
                    measured["base"] = run_baseline(driver, db, path)
                    graphs.append(counts(driver, db))

                # Which side goes first alternates from round to round.
                for step in (ours_and_reloads, baseline)[:: 1 if round_ % 2 else -1]:
                    step()
                if round_:
                    for name, run in measured.items():
                        runs[name].append(run)
        finally:
            driver.close()
    same_graph = all(graph == graphs[0] for graph in graphs)
    ours, base = best(runs["ours"]), best(runs["base"])
    reload, rowwise = best(runs["reload"]), best(runs["rowwise"])

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
            f"{mine.rows:,}" if mine.rows else "",
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
        add(f"{dataset.value}: write", ours.writes[dataset.value], base.writes[dataset.value])
    add(
        "read the XML (ours: + digest, checks)",
        Timing(ours.records, 0, ours.before),
        Timing(base.records, 0, base.before),
    )
    whole = Timing(ours.records, ours.rows, ours.total)
    add("whole corpus, end to end", whole, Timing(base.records, base.rows, base.total))
    add("reload, checkout unchanged", Timing(ours.records, ours.rows, reload.total), None)
    add("reload, row by row (--force)", Timing(ours.records, ours.rows, rowwise.total), None)
    console.print(table)
    console.print(
        f"Reloads left the counts {'unchanged' if reload_same else '[red]CHANGED[/]'}; "
        f"baseline wrote the same graph: {'yes' if same_graph else '[red]no[/]'}."
    )
    ratio = whole.rate / (base.records / base.total)
    ok = ratio >= 0.7 and whole.seconds < 60 and reload_same and same_graph
    console.print(
        f"Targets (>= 0.7x baseline, whole corpus < 60 s): "
        f"{'met' if ok else '[red]not met[/]'} ({ratio:.2f}x, {whole.seconds:.1f} s)."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
