"""Run the ingest pipeline over the held-apart texts and score it (`make eval-ingest`).

For each mode a throwaway Neo4j is started on free ports with an empty data directory
(never a database someone else uses), the curated knowledge loaded as `diplograph load`
does, and in the second mode the historian's datasets too (`diplograph load hsg`). Each
text is ingested through `services.pipeline.ingest_documents`, the path of the CLI and of
the `ingestDocument` mutation, with its gold title, publisher and date; every linked
mention becomes a `links` row, every candidate a `proposals` row. Identities are resolved
after the loads as `diplograph load` and `diplograph load hsg` do, and every merge of the
resolution step (and any `SAME_AS`) becomes a `merges` row (see README.md); a gold id that
a merge absorbed is answered by its survivor, as the API answers it. Only the aggregate
figures are printed, so the rules cannot be tuned on the per-item listings; `--details`
prints those too, for the set's owner.

    .venv/bin/python -m eval.ingest.run [--hsg ../shared/datasets/hsg] [--only curated|hsg]
        [--set a|b|c|d|e|f|g|h|i|j|all]

`--set a` is the first held-apart set (`texts/`, `gold.yaml`), `--set b` the second,
written after the rules of issue 12c changed (`texts-b/`, `gold-b.yaml`), `--set c` the
third, written while they were being changed again (`texts-c/`, `gold-c.yaml`), `--set d`
the fourth, written blind while the rules of issue 12d were being tuned on a-c (`texts-d/`,
`gold-d.yaml`), `--set e` the fifth, written blind while the rules of issue 12g were being
tuned on a-d (`texts-e/`, `gold-e.yaml`), `--set f` the sixth, written blind while the
rules were being tuned on a-e (`texts-f/`, `gold-f.yaml`), `--set g` the seventh, written
blind while the rules were being tuned on a-f (`texts-g/`, `gold-g.yaml`), `--set h` the
eighth, written blind while the rules were being tuned on a-g (`texts-h/`, `gold-h.yaml`),
`--set i` the ninth, written blind while the rules were being tuned on a-h (`texts-i/`,
`gold-i.yaml`), `--set j` the tenth, written blind while the rules were being tuned on a-i
(`texts-j/`, `gold-j.yaml`); by default all, ingested into the same throwaway Neo4j of each
mode and scored apart.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from neo4j import Driver

from diplograph.settings import Settings
from eval.ingest import score as sc
from graph.driver import connect
from graph.migrations import migrate
from graph.server import LocalNeo4j, free_port
from loaders.ingest.documents import prepare_text
from loaders.knowledge import read_knowledge
from services.pipeline import (
    IngestResult,
    ingest_documents,
    load_hsg,
    resolve_identities,
    write_knowledge_and_mentions,
)

HERE = Path(__file__).resolve().parent
DEFAULT_HSG = HERE.parents[2] / "shared" / "datasets" / "hsg"
SETS = {
    "a": (HERE / "gold.yaml", HERE / "texts"),
    "b": (HERE / "gold-b.yaml", HERE / "texts-b"),
    "c": (HERE / "gold-c.yaml", HERE / "texts-c"),
    "d": (HERE / "gold-d.yaml", HERE / "texts-d"),
    "e": (HERE / "gold-e.yaml", HERE / "texts-e"),
    "f": (HERE / "gold-f.yaml", HERE / "texts-f"),
    "g": (HERE / "gold-g.yaml", HERE / "texts-g"),
    "h": (HERE / "gold-h.yaml", HERE / "texts-h"),
    "i": (HERE / "gold-i.yaml", HERE / "texts-i"),
    "j": (HERE / "gold-j.yaml", HERE / "texts-j"),
}


@contextmanager
def throwaway_neo4j() -> Iterator[tuple[Driver, Settings]]:
    """A Neo4j of its own, on free loopback ports, deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="diplograph-eval-") as data:
        settings = Settings(
            DIPLOGRAPH_BOLT_PORT=free_port(),
            DIPLOGRAPH_HTTP_PORT=free_port(),
            DIPLOGRAPH_NEO4J_DATA=Path(data),
            DIPLOGRAPH_NEO4J_HEAP="768m",
            DIPLOGRAPH_NEO4J_PAGECACHE="256m",
        )
        server = LocalNeo4j(settings)
        server.start()
        try:
            driver = connect(settings)
            try:
                migrate(driver, settings.neo4j_database)
                yield driver, settings
            finally:
                driver.close()
        finally:
            server.stop()


def proposal_row(file: str, result: IngestResult) -> list[dict[str, Any]]:
    rows = []
    for candidate in result.analysis.candidates:
        row: dict[str, Any] = {"doc": file, "kind": candidate.kind.value, "name": candidate.name}
        if candidate.title:
            row["title"] = candidate.title
        if candidate.date is not None:
            row["date"] = candidate.date.value
            row["precision"] = candidate.date.precision.value
        if candidate.aliases:
            row["aliases"] = list(candidate.aliases)
        if candidate.place:
            row["place"] = candidate.place
        if candidate.participants:
            row["participants"] = list(candidate.participants)
        rows.append(row)
    return rows


def predict(
    driver: Driver, database: str, gold: sc.Gold, texts: Path
) -> dict[str, list[dict[str, Any]]]:
    links: list[dict[str, Any]] = []
    proposals: list[dict[str, Any]] = []
    for file, meta in gold.docs.items():
        raw = (texts / file).read_text(encoding="utf-8")
        date = str(meta["date"]) if meta.get("date") else None
        doc = prepare_text(raw, date=date, where=file, name=file)
        doc = doc.model_copy(update={"publisher": meta.get("publisher")})
        (result,) = ingest_documents(driver, database, [doc])
        mentions = result.analysis.mentions
        links += [{"doc": file, "surface": m.text, "entity": m.entity_id} for m in mentions]
        proposals += proposal_row(file, result)
    records, _, _ = driver.execute_query(
        "MATCH (a:Entity)-[:SAME_AS]-(b:Entity) WHERE a.id < b.id RETURN a.id AS a, b.id AS b",
        database_=database,
    )
    merges = [{"a": r["a"], "b": r["b"]} for r in records]
    records, _, _ = driver.execute_query(
        "MATCH (m:Merged) RETURN m.id AS a, m.mergedInto AS b", database_=database
    )
    merges += [{"a": r["a"], "b": r["b"]} for r in records]
    return {"links": links, "proposals": proposals, "merges": merges}


def survivors(merges: list[dict[str, Any]]) -> dict[str, str]:
    """Absorbed id -> the id of the node that answers for it now (chains followed)."""
    into = {m["a"]: m["b"] for m in merges}
    out = {}
    for absorbed in into:
        seen, current = {absorbed}, into[absorbed]
        while current in into and current not in seen:
            seen.add(current)
            current = into[current]
        out[absorbed] = current
    return out


def answered_by_survivors(gold: sc.Gold, merged: dict[str, str]) -> sc.Gold:
    """The gold set with each id a merge absorbed also answered by its survivor: the graph
    holds one node for both, and a mention of it links to the survivor."""

    def ids(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*values, *(merged[v] for v in values if v in merged)]))

    links = [dataclasses.replace(lk, also=ids((lk.entity, *lk.also))[1:]) for lk in gold.links]
    proposals = [
        dataclasses.replace(p, may_link=ids(p.may_link), place_ids=ids(p.place_ids),
                            participants=ids(p.participants))
        for p in gold.proposals
    ]  # fmt: skip
    return dataclasses.replace(gold, links=links, proposals=proposals)


def report_set(
    name: str, gold: sc.Gold, texts: Path, predictions: dict[str, Any], hsg: bool, details: bool
) -> bool:
    scored = answered_by_survivors(gold, survivors(predictions["merges"]))
    report = sc.score(scored, predictions, with_hsg=hsg, texts=sc.load_texts(gold, texts))
    print(f"-- set {name}: {len(gold.docs)} texts in {texts.name}/")
    if details:
        print(sc.render(report))
    else:
        for key, value in report.figures.items():
            print(f"{key:30} {'n/a' if value is None else value}")
        print()
        for key, ok in report.passes().items():
            op, limit = sc.TARGETS[key]
            figure = report.figures[key]
            print(f"target {key} {op} {limit}: {'PASS' if ok else 'FAIL'} ({figure})")
    print()
    return all(report.passes().values())


def run_mode(
    hsg: Path | None, sets: list[tuple[str, sc.Gold, Path]], details: bool, out: Path | None
) -> bool:
    """One throwaway Neo4j for the mode; each set's texts ingested into it and scored."""
    label = "with the historian's datasets" if hsg else "curated knowledge only"
    started = time.monotonic()
    phases: list[str] = []

    def phase(name: str, since: float) -> float:
        now = time.monotonic()
        phases.append(f"{name} {now - since:.0f} s")
        return now

    results: list[tuple[str, sc.Gold, Path, dict[str, Any]]] = []
    with throwaway_neo4j() as (driver, settings):
        database = settings.neo4j_database
        mark = phase("neo4j start", started)
        write_knowledge_and_mentions(driver, database, read_knowledge())
        mark = phase("curated load", mark)
        if hsg is not None:
            load_hsg(driver, database, hsg)
            mark = phase("hsg load", mark)
        resolve_identities(driver, database)
        mark = phase("resolve", mark)
        for name, gold, texts in sets:
            results.append((name, gold, texts, predict(driver, database, gold, texts)))
            mark = phase(f"set {name}: {len(gold.docs)} ingests", mark)
    print(f"== ingest evaluation, {label} ({time.monotonic() - started:.0f} s: "
          f"{', '.join(phases)}) ==")  # fmt: skip
    passed = True
    for name, gold, texts, predictions in results:
        if out is not None:
            file = f"predictions-{name}-{'hsg' if hsg else 'curated'}.json"
            out.mkdir(parents=True, exist_ok=True)
            (out / file).write_text(json.dumps(predictions, indent=1), encoding="utf-8")
        passed = report_set(name, gold, texts, predictions, hsg is not None, details) and passed
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hsg", type=Path, default=DEFAULT_HSG, help="historian datasets")
    parser.add_argument("--only", choices=["curated", "hsg"], help="run one mode")
    parser.add_argument("--details", action="store_true", help="per-item listings (owner only)")
    parser.add_argument("--out", type=Path, help="folder to write the predictions JSON to")
    parser.add_argument(
        "--set", choices=[*sorted(SETS), "all"], default="all", help="which held-apart set"
    )
    args = parser.parse_args(argv)
    names = sorted(SETS) if args.set == "all" else [args.set]
    sets = [(n, sc.load_gold(SETS[n][0]), SETS[n][1]) for n in names]
    modes: list[Path | None] = []
    if args.only != "hsg":
        modes.append(None)
    if args.only != "curated":
        if not args.hsg.is_dir():
            print(f"error: {args.hsg}: no historian datasets there (--hsg)", file=sys.stderr)
            return 2
        modes.append(args.hsg)
    passed = [run_mode(mode, sets, args.details, args.out) for mode in modes]
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
