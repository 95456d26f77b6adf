"""`python -m bench.api`: load the data, start the three servers, check that they agree,
profile their Cypher, put them under closed-loop load, and report (bench/README.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import uvloop
from neo4j import AsyncDriver, Driver, RoutingControl

from bench import synthetic
from bench.api import report
from bench.api.cases import Cases, choose_cases
from bench.api.client import Connection
from bench.api.load import Request, closed_loop, fixed_operation, summary, weighted_mix
from bench.api.operations import BY_NAME, OPERATIONS, Operation
from bench.api.profiling import (
    ours_statements,
    peer_capture,
    profile_statement,
    python_share,
)
from bench.api.servers import (
    OURS,
    PEER,
    RAW,
    ROOT,
    VENV_BIN,
    Server,
    make_servers,
    neo4j_env,
    npm_ci,
    peer_versions,
)
from diplograph.settings import Settings
from graph import scratch
from graph.driver import connect, connect_async
from graph.migrations import migrate
from graph.server import LocalNeo4j, free_port

HSG_DIR = ROOT.parent / "shared" / "datasets" / "hsg"
RESULTS_DIR = ROOT / "bench" / "results"


def data_arguments(p: argparse.ArgumentParser) -> None:
    """The data flags of the in-process tools (`bench.cpu`, `bench.neo4j_cpu`): the same
    graph as `python -m bench.api` builds, or reuses."""
    p.add_argument("--scale", type=int, default=20_000, help="synthetic actors (0: none)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--hsg", choices=("auto", "skip"), default="auto")
    p.add_argument("--reuse-data", action="store_true", help="as for `python -m bench.api`")


def as_bench_api_arguments(args: argparse.Namespace) -> argparse.Namespace:
    """`args` with what bench.api's helpers read of its own arguments, at their defaults."""
    args.neo4j_heap = args.neo4j_pagecache = None
    args.only_data = False
    return args


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__)
    p.add_argument(
        "--scale",
        type=int,
        default=20_000,
        help="synthetic actors to add (0: none); ~1.2 nodes per actor",
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--hsg",
        choices=("auto", "skip"),
        default="auto",
        help="load ../shared/datasets/hsg when it and `diplograph load hsg` exist",
    )
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--duration", type=float, default=10.0, help="seconds measured per operation")
    p.add_argument("--mix-duration", type=float, default=30.0, help="seconds measured for the mix")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring, per run")
    p.add_argument("--workers", type=int, default=2, help="worker processes of each server")
    p.add_argument("--max-requests", type=int, default=500_000, help="cap per run")
    p.add_argument(
        "--operations",
        default=",".join(op.name for op in OPERATIONS),
        help="comma-separated subset of the mix",
    )
    p.add_argument("--no-peer", action="store_true", help="leave @neo4j/graphql out")
    p.add_argument("--profile-iterations", type=int, default=30)
    p.add_argument(
        "--neo4j-heap", default=None, help="heap of a throwaway Neo4j (default by scale)"
    )
    p.add_argument("--neo4j-pagecache", default=None)
    p.add_argument("--out", type=Path, default=RESULTS_DIR)
    p.add_argument("--label", default=None, help="name of the result files")
    p.add_argument(
        "--neo4j-pid",
        type=int,
        default=None,
        help="with DIPLOGRAPH_BENCH_NEO4J_URI on this machine: its Neo4j's process id, so that "
        "Neo4j's CPU per request is read too (`diplograph neo4j status` prints it)",
    )
    p.add_argument(
        "--only-data", action="store_true", help="load the data, report its size and time, stop"
    )
    p.add_argument(
        "--reuse-data",
        action="store_true",
        help="with DIPLOGRAPH_BENCH_NEO4J_URI: keep the synthetic graph of this --scale and "
        "--seed that the database already holds (load it when it holds none)",
    )
    p.add_argument(
        "--single-duration",
        type=float,
        default=3.0,
        help="seconds measured per operation with one client (the latency table)",
    )
    args = p.parse_args(argv)
    if args.reuse_data and not scratch.external_uri(scratch.BENCH):
        p.error(
            "--reuse-data needs DIPLOGRAPH_BENCH_NEO4J_URI: a throwaway Neo4j starts empty, "
            "there is nothing to reuse"
        )
    if args.neo4j_pid is not None:
        if not scratch.external_uri(scratch.BENCH):
            p.error(
                "--neo4j-pid is for DIPLOGRAPH_BENCH_NEO4J_URI's server (a throwaway one is read)"
            )
        try:
            cmdline = Path(f"/proc/{args.neo4j_pid}/cmdline").read_bytes()
        except OSError:
            cmdline = b""
        if b"neo4j" not in cmdline.lower():
            p.error(f"--neo4j-pid {args.neo4j_pid}: no Neo4j process has that id on this machine")
    return args


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- Neo4j and data ------------------------------------------------------------------------------


def start_neo4j(args: argparse.Namespace) -> tuple[Settings, LocalNeo4j | None, Path | None]:
    """A throwaway Neo4j, or DIPLOGRAPH_BENCH_NEO4J_URI's database once claimed (never
    NEO4J_URI's: graph/scratch.py)."""
    if scratch.external_uri(scratch.BENCH):
        settings = scratch.scratch_settings(scratch.BENCH)
        with connect(settings) as driver:
            scratch.claim(driver, settings.neo4j_database, settings.bolt_uri, scratch.BENCH)
        log(f"using {settings.bolt_uri} (DIPLOGRAPH_BENCH_NEO4J_URI; not started or stopped here)")
        return settings, None, None
    big = args.scale >= 200_000
    heap = args.neo4j_heap or ("4g" if big else "1g")
    pagecache = args.neo4j_pagecache or ("4g" if big else "1g")
    data_dir = Path(tempfile.mkdtemp(prefix="diplograph-bench-neo4j-"))
    settings = scratch.scratch_settings(
        scratch.BENCH,
        local=True,
        DIPLOGRAPH_BOLT_PORT=free_port(),
        DIPLOGRAPH_HTTP_PORT=free_port(),
        DIPLOGRAPH_NEO4J_DATA=data_dir,
        DIPLOGRAPH_NEO4J_HEAP=heap,
        DIPLOGRAPH_NEO4J_PAGECACHE=pagecache,
    )
    server = LocalNeo4j(settings)
    started = time.perf_counter()
    server.start()
    log(
        f"throwaway Neo4j on {server.bolt_uri} (heap {heap}, page cache {pagecache}), "
        f"{time.perf_counter() - started:.0f}s"
    )
    return settings, server, data_dir


def cli(env: dict[str, str], *args: str, timeout: float = 3600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "diplograph"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class DataMismatch(RuntimeError):
    """The database holds another synthetic graph than the one asked for."""


def reused_data(
    args: argparse.Namespace, driver: Driver, settings: Settings
) -> dict[str, Any] | None:
    """With `--reuse-data`: what the database holds, when it is the synthetic graph of this
    scale and seed (None when it holds none: it is loaded then)."""
    held = synthetic.marker(driver, settings.neo4j_database)
    if held is None:
        log("--reuse-data: the database holds no complete synthetic graph; loading one")
        return None
    if (held.get("actors"), held.get("seed")) != (args.scale, args.seed):
        raise DataMismatch(
            f"--reuse-data: {settings.bolt_uri} holds the synthetic graph of --scale "
            f"{held.get('actors')} --seed {held.get('seed')}, not --scale {args.scale} --seed "
            f"{args.seed}. Ask for those, or run without --reuse-data to replace it."
        )
    log(f"--reuse-data: the database holds --scale {args.scale:,} --seed {args.seed}; not loading")
    data: dict[str, Any] = {
        "steps": [],
        "notes": ["data reused (--reuse-data): loaded before this run, kept as is"],
        "reused": True,
        "hsg": bool(held.get("hsg")),
        "synthetic": {
            "actors": held["actors"],
            "seed": held["seed"],
            "nodes": held.get("nodes"),
            "relationships": held.get("relationships"),
            "seconds": held.get("seconds"),
        },
        "graph": graph_counts(driver, settings.neo4j_database),
    }
    return data


@contextmanager
def loaded_cases(
    args: argparse.Namespace, settings: Settings
) -> Iterator[tuple[dict[str, str], Driver, Cases]]:
    """For the in-process tools: the bench's data in `settings`' Neo4j (loaded, or reused
    with `--reuse-data`), the servers' environment for it, a driver, and the cases."""
    env = neo4j_env(
        settings.bolt_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
    )
    with connect(settings) as driver:
        load_data(args, env, driver, settings)
        yield env, driver, choose_cases(driver, settings.neo4j_database)


def load_data(
    args: argparse.Namespace, env: dict[str, str], driver: Driver, settings: Settings
) -> dict[str, Any]:
    if args.reuse_data:
        reused = reused_data(args, driver, settings)
        if reused is not None:
            return reused
    data: dict[str, Any] = {"steps": [], "notes": []}
    migrate(driver, settings.neo4j_database)
    started = time.perf_counter()
    done = cli(env, "load")
    if done.returncode != 0:
        raise RuntimeError(f"`diplograph load` failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    data["steps"].append(
        {
            "step": "diplograph load (articles + curated knowledge)",
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    log(f"loaded the articles and curated knowledge ({data['steps'][-1]['seconds']}s)")
    if args.hsg == "skip":
        data["notes"].append("historian's datasets: skipped (--hsg skip)")
    elif not HSG_DIR.is_dir():
        data["notes"].append(f"historian's datasets: skipped ({HSG_DIR} does not exist)")
    elif cli(env, "load", "hsg", "--help", timeout=120).returncode != 0:
        data["notes"].append(
            "historian's datasets: skipped (`diplograph load hsg` does not exist yet)"
        )
    else:
        started = time.perf_counter()
        done = cli(env, "load", "hsg", str(HSG_DIR))
        seconds = round(time.perf_counter() - started, 1)
        if done.returncode != 0:
            data["notes"].append(
                f"historian's datasets: `diplograph load hsg` failed "
                f"(exit {done.returncode}), benchmark goes on without: "
                f"{(done.stderr or done.stdout).strip()[-300:]}"
            )
        else:
            data["steps"].append({"step": f"diplograph load hsg {HSG_DIR}", "seconds": seconds})
            data["hsg"] = True
            log(f"loaded the historian's datasets from {HSG_DIR} ({seconds}s)")
    for note in data["notes"]:
        log(note)
    if args.scale > 0:
        if settings.uses_external_neo4j:
            removed = synthetic.delete_synthetic(driver, settings.neo4j_database)
            if removed:
                log(f"removed {removed:,} nodes of an earlier synthetic graph")
        log(f"writing the synthetic graph: --scale {args.scale:,} actors, seed {args.seed}")
        written = synthetic.write(driver, settings.neo4j_database, args.scale, args.seed)
        data["synthetic"] = {
            "actors": args.scale,
            "seed": args.seed,
            "nodes": written.nodes,
            "relationships": written.relationships,
            "seconds": round(written.seconds, 1),
            "nodes_per_second": round(written.nodes / written.seconds),
            "relationships_per_second": round(written.relationships / written.seconds),
        }
        data["steps"].append(
            {"step": f"synthetic --scale {args.scale}", "seconds": round(written.seconds, 1)}
        )
        log(
            f"synthetic: {written.nodes:,} nodes, {written.relationships:,} relationships in "
            f"{written.seconds:.0f}s"
        )
        # What `--reuse-data` reports of the data it keeps.
        synthetic.record(driver, settings.neo4j_database, hsg=bool(data.get("hsg")))
    records, _, _ = driver.execute_query(
        "CALL db.awaitIndexes(600) RETURN 1 AS ok", database_=settings.neo4j_database
    )
    del records
    data["graph"] = graph_counts(driver, settings.neo4j_database)
    return data


def graph_counts(driver: Driver, database: str) -> dict[str, Any]:
    def rows(cypher: str) -> dict[str, int]:
        records, _, _ = driver.execute_query(
            cypher, database_=database, routing_=RoutingControl.READ
        )
        return {r["k"]: r["n"] for r in records}

    # One statement per label and type, so that each count comes from the count store (a
    # `WHERE label IN labels(n)` scan per label took minutes at a million nodes). The names
    # are the database's own, quoted as identifiers.
    def quoted(name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def count(cypher: str) -> int:
        records, _, _ = driver.execute_query(
            cypher, database_=database, routing_=RoutingControl.READ
        )
        return int(records[0]["n"])

    label_names = rows("CALL db.labels() YIELD label RETURN label AS k, 0 AS n")
    labels = {name: count(f"MATCH (n:{quoted(name)}) RETURN count(n) AS n") for name in label_names}
    type_names = rows(
        "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType AS k, 0 AS n"
    )
    types = {
        name: count(f"MATCH ()-[r:{quoted(name)}]->() RETURN count(r) AS n") for name in type_names
    }
    totals = rows(
        "RETURN 'nodes' AS k, COUNT { MATCH (n) } AS n UNION "
        "RETURN 'relationships' AS k, COUNT { MATCH ()-[r]->() } AS n"
    )
    synthetic_nodes = rows("RETURN 'n' AS k, COUNT { MATCH (n) WHERE n.synthetic } AS n")["n"]
    return {
        "nodes": totals["nodes"],
        "relationships": totals["relationships"],
        "synthetic_nodes": synthetic_nodes,
        "labels": labels,
        "types": types,
    }


# -- agreement -----------------------------------------------------------------------------------


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = first_difference(a.get(key), b.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        if len(a) != len(b):
            return f"{path}: {len(a)} items vs {len(b)}"
        return None
    if a != b:
        return f"{path}: {json.dumps(a, default=str)[:160]} vs {json.dumps(b, default=str)[:160]}"
    return None


async def fetch(server: Server, op: Operation, case: dict[str, Any]) -> Any:
    path, body = server.request(op, case)
    connection = Connection("127.0.0.1", server.port, timeout=60)
    try:
        response = await connection.post(path, body)
    finally:
        await connection.close()
    payload = json.loads(response.body)
    if response.status != 200 or payload.get("errors"):
        raise RuntimeError(
            f"{server.name} {op.name}: HTTP {response.status} "
            f"{json.dumps(payload.get('errors'))[:400]}"
        )
    return payload["data"]


async def check_agreement(
    servers: list[Server], ops: list[Operation], cases: Cases
) -> dict[str, Any]:
    by_name = {s.name: s for s in servers}
    out: dict[str, Any] = {}
    for op in ops:
        checked, problems = 0, []
        for case in cases[op.name]:
            try:
                ours = op.canon_ours(await fetch(by_name[OURS], op, case))
                raw = op.canon_ours(await fetch(by_name[RAW], op, case))
                peer = (
                    op.canon_peer(await fetch(by_name[PEER], op, case)) if PEER in by_name else None
                )
            except (RuntimeError, KeyError, TypeError, ValueError) as error:
                problems.append({"case": case, "error": str(error)[:600]})
                continue
            checked += 1
            for other, value in ((RAW, raw), (PEER, peer)):
                if other not in by_name:
                    continue
                diff = first_difference(ours, value)
                if diff:
                    problems.append({"case": case, "vs": other, "difference": diff})
        out[op.name] = {"cases": len(cases[op.name]), "compared": checked, "problems": problems}
        status = "agree" if not problems else f"{len(problems)} problem(s)"
        log(f"agreement {op.name}: {checked}/{len(cases[op.name])} cases, {status}")
        for problem in problems[:3]:
            log(f"  {json.dumps(problem, default=str)[:400]}")
    return out


# -- db hits and profiles --------------------------------------------------------------------------


async def db_hits(
    ops: list[Operation],
    cases: Cases,
    driver: AsyncDriver,
    sync_driver: Driver,
    settings: Settings,
    env: dict[str, str],
    with_peer: bool,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    database = settings.neo4j_database
    for op in ops:
        case = cases[op.name][0]
        statements = await ours_statements(driver, sync_driver, settings, op, case)
        out[op.name] = {
            "case": case,
            OURS: sum(
                profile_statement(sync_driver, database, s.cypher, s.params) for s in statements
            ),
            f"{OURS}_statements": len(statements),
            f"{OURS}_cypher": [s.cypher for s in statements],
            RAW: profile_statement(sync_driver, database, op.raw, op.raw_params(case)),
        }
    if with_peer:
        jobs = [
            {"name": op.name, "query": op.peer, "variables": op.peer_vars(cases[op.name][0])}
            for op in ops
        ]
        captured = peer_capture(env, jobs)
        for op in ops:
            got = captured.get(op.name, {})
            out[op.name][PEER] = got.get("dbHits")
            out[op.name][f"{PEER}_statements"] = len(got.get("statements", []))
            out[op.name][f"{PEER}_cypher"] = [s["cypher"] for s in got.get("statements", [])]
            if got.get("errors"):
                out[op.name][f"{PEER}_errors"] = got["errors"]
    return out


async def profiles(
    ops: list[Operation],
    cases: Cases,
    driver: AsyncDriver,
    sync_driver: Driver,
    settings: Settings,
    iterations: int,
    out_dir: Path,
) -> dict[str, Any]:
    async def raw_timer(op: Operation, case: dict[str, Any]) -> float:
        started = time.perf_counter()
        await driver.execute_query(
            op.raw,
            op.raw_params(case),
            database_=settings.neo4j_database,
            routing_=RoutingControl.READ,
        )
        return time.perf_counter() - started

    result: dict[str, Any] = {}
    for op in ops:
        result[op.name] = await python_share(
            driver,
            sync_driver,
            settings,
            op,
            cases[op.name],
            iterations,
            raw_timer,
            profile_to=out_dir / f"cprofile-{op.name}.txt",
        )
    return result


# -- the run ---------------------------------------------------------------------------------------


def requests_for(server: Server, op: Operation, cases: Cases) -> list[Request]:
    return [(op.name, *server.request(op, case)) for case in cases[op.name]]


async def measure(
    args: argparse.Namespace,
    servers: list[Server],
    ops: list[Operation],
    cases: Cases,
    neo4j_pid: int | None,
) -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {s.name: {} for s in servers}
    labels = [op.name for op in ops] + ["mix"]
    weights = {op.name: op.weight for op in ops}
    for label in labels:
        for server in servers:  # interleaved, so drift in the machine's load is shared
            if label == "mix":
                chooser = weighted_mix(
                    {op.name: requests_for(server, op, cases) for op in ops}, weights
                )
                duration = args.mix_duration
            else:
                chooser = fixed_operation(requests_for(server, BY_NAME[label], cases))
                duration = args.duration
            run = await closed_loop(
                server,
                label,
                chooser,
                concurrency=args.concurrency,
                warmup=args.warmup,
                duration=duration,
                max_requests=args.max_requests,
                neo4j_pid=neo4j_pid,
                seed=args.seed,
            )
            results[server.name][label] = summary(run)
            s = results[server.name][label]
            log(
                f"{label:15} {server.name:14} {s['rps'] or 0:8.1f} req/s  p50 {s['p50_ms']} ms  "
                f"p99 {s['p99_ms']} ms  errors {s['errors']}"
            )
            await asyncio.sleep(1)
    return results


# Operations whose latency one client alone sees is reported (issue 13: at about a million
# nodes, an entity page's p99 under 50 ms).
SINGLE_CLIENT = ("entity_page", "timeline", "search")


async def single_client(
    args: argparse.Namespace,
    servers: list[Server],
    ops: list[Operation],
    cases: Cases,
    neo4j_pid: int | None,
) -> dict[str, dict[str, Any]]:
    """Latency with one client (concurrency 1), a few seconds per operation and server."""
    results: dict[str, dict[str, Any]] = {s.name: {} for s in servers}
    names = [name for name in SINGLE_CLIENT if name in {op.name for op in ops}]
    for name in names:
        for server in servers:
            run = await closed_loop(
                server,
                name,
                fixed_operation(requests_for(server, BY_NAME[name], cases)),
                concurrency=1,
                warmup=min(1.0, args.warmup),
                duration=args.single_duration,
                max_requests=args.max_requests,
                neo4j_pid=neo4j_pid,
                seed=args.seed,
            )
            s = results[server.name][name] = summary(run)
            log(
                f"one client {name:13} {server.name:14} p50 {s['p50_ms']} ms  "
                f"p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms  errors {s['errors']}"
            )
    return results


def environment(settings: Settings, sync_driver: Driver) -> dict[str, Any]:
    records, _, _ = sync_driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
        database_="system",
    )
    neo4j = {r["name"]: f"{r['versions'][0]} {r['edition']}" for r in records}
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    versions = {
        name: metadata.version(name)
        for name in ("strawberry-graphql", "graphql-core", "neo4j", "uvicorn", "starlette")
    }
    return {
        "machine": {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory_gib": round(int(memory) / 2**20, 1),
            "kernel": platform.release(),
            "load_average_at_start": os.getloadavg(),
        },
        "versions": {"python": platform.python_version(), **versions, **neo4j},
    }


async def main_async(args: argparse.Namespace) -> int:
    ops = [BY_NAME[name] for name in args.operations.split(",") if name]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    label = args.label or (f"scale-{args.scale}" if args.scale else "curated")
    logs = Path(tempfile.mkdtemp(prefix="diplograph-bench-logs-"))
    started_at = datetime.now(UTC)
    command = "python -m bench.api " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    settings, local, data_dir = start_neo4j(args)
    servers: list[Server] = []
    try:
        env = neo4j_env(
            settings.bolt_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
        )
        with connect(settings) as sync_driver:
            data = load_data(args, env, sync_driver, settings)
            if args.only_data:
                log("data: " + json.dumps(data, default=str))
                return 0
            info = environment(settings, sync_driver)
            cases = choose_cases(sync_driver, settings.neo4j_database)
            log("cases: " + json.dumps({k: len(v) for k, v in cases.items()}))
            if not args.no_peer:
                npm_ci()
                info["versions"].update(peer_versions())
            servers = make_servers(env, args.workers, logs, peer=not args.no_peer)
            for server in servers:
                server.start()
            for server in servers:
                await server.wait_ready()
            log("servers: " + ", ".join(f"{s.name} {s.base}" for s in servers))
            agreement = await check_agreement(servers, ops, cases)
            driver = connect_async(settings)
            try:
                hits = await db_hits(
                    ops, cases, driver, sync_driver, settings, env, with_peer=not args.no_peer
                )
                python = await profiles(
                    ops, cases, driver, sync_driver, settings, args.profile_iterations, logs
                )
            finally:
                await driver.close()
            log(
                "db hits: "
                + json.dumps({k: {s: v.get(s) for s in (OURS, PEER, RAW)} for k, v in hits.items()})
            )
            neo4j_pid = local.pid() if local else args.neo4j_pid
            results = await measure(args, servers, ops, cases, neo4j_pid)
            alone = await single_client(args, servers, ops, cases, neo4j_pid)
        doc = {
            "label": label,
            "synthetic": bool(args.scale),
            "data_label": report.data_label(data),
            "started": started_at.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command,
            **info,
            "load_average_at_end": os.getloadavg(),
            "settings": {
                "concurrency": args.concurrency,
                "duration_s": args.duration,
                "mix_duration_s": args.mix_duration,
                "warmup_s": args.warmup,
                "workers": args.workers,
                "scale": args.scale,
                "seed": args.seed,
                "single_client_duration_s": args.single_duration,
                "weights": {op.name: op.weight for op in ops},
                "neo4j": "DIPLOGRAPH_BENCH_NEO4J_URI"
                if local is None
                else f"throwaway, heap {local.settings.neo4j_heap}, "
                f"page cache {local.settings.neo4j_pagecache}",
            },
            "operations": {op.name: op.describe for op in ops},
            "data": data,
            "cases": cases,
            "agreement": agreement,
            "db_hits": hits,
            "python_share": python,
            "results": results,
            "single_client": alone,
        }
        doc["ratios"] = report.ratios(doc)
        doc["goal"] = report.goal(doc)
        markdown = report.markdown(doc)
        stamp = started_at.strftime("%Y%m%d-%H%M%S")
        args.out.mkdir(parents=True, exist_ok=True)
        base = args.out / f"api-{label}-{stamp}"
        base.with_suffix(".json").write_text(json.dumps(doc, indent=1, default=str) + "\n")
        base.with_suffix(".md").write_text(markdown)
        profiles_text = [
            f"## {name.removeprefix('cprofile-').removesuffix('.txt')}\n\n"
            + (logs / name).read_text()
            for name in sorted(os.listdir(logs))
            if name.startswith("cprofile-")
        ]
        if profiles_text:
            (args.out / f"api-{label}-{stamp}-cprofile.txt").write_text("\n".join(profiles_text))
        print()
        print(markdown)
        log(f"results: {base.with_suffix('.md')} and .json")
        return 0
    finally:
        for server in servers:
            server.stop()
        if local is not None:
            local.stop()
            if data_dir is not None:
                shutil.rmtree(data_dir, ignore_errors=True)
        if sys.exc_info()[0] is None:
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"server logs kept in {logs}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return uvloop.run(main_async(args))
