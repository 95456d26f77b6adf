"""Neo4j's CPU per statement: ours against @neo4j/graphql's, for the same cases.

`python -m bench.neo4j_cpu` starts a throwaway Neo4j (or uses DIPLOGRAPH_BENCH_NEO4J_URI's
with `--neo4j-pid`, as `python -m bench.api` does; `--reuse-data` keeps a synthetic graph it
already holds), loads the bench's data and picks its cases. Per operation it takes the
statement our API compiles for each case (`bench.api.profiling.ours_statements`) and the
one @neo4j/graphql sends (`capture.mjs`), and runs each statement `--iterations` times in
turn through the same driver, one at a time, reading the Neo4j process's CPU from /proc
before and after. Per statement it prints Neo4j's CPU ms per run, the least of `--rounds`
measurements (other work on the machine only ever adds).

Each statement runs as its server sends it: ours auto-commit (RUN and PULL, as the API's
`Reader` does since issue 13s), the peer's in a managed read transaction (BEGIN, RUN, PULL,
COMMIT: the JavaScript driver's `executeRead`); `--managed` runs ours that way too (as
before 13s), to tell the statement's cost from the protocol's.

Db hits do not count everything Neo4j does for a statement (sorting, list and map work,
the response-size estimate, the bytes sent over Bolt); this figure does, and it is steady on
a shared machine where req/s is not.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from typing import Any

from neo4j import READ_ACCESS, Driver, RoutingControl

from bench.api import run
from bench.api.operations import BY_NAME, OPERATIONS
from bench.api.profiling import ours_statements, peer_capture
from bench.api.servers import process_cpu_seconds
from diplograph.settings import Settings
from graph.driver import connect_async

# (operation, server, cypher, parameters) of every statement measured.
Job = tuple[str, str, str, dict[str, Any]]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.neo4j_cpu", description=__doc__)
    run.data_arguments(p)
    p.add_argument("--iterations", type=int, default=100, help="runs of each case per round")
    p.add_argument("--rounds", type=int, default=3, help="measurements per statement; the least")
    p.add_argument("--operations", default="neighborhood,meetings_filtered,shortest_path")
    p.add_argument("--no-peer", action="store_true", help="leave @neo4j/graphql out")
    p.add_argument(
        "--raw", action="store_true", help="the raw Cypher floor too (auto-commit, as raw_app)"
    )
    p.add_argument(
        "--managed", action="store_true", help="ours in managed transactions too (before 13s)"
    )
    p.add_argument(
        "--neo4j-pid", type=int, default=None, help="DIPLOGRAPH_BENCH_NEO4J_URI's server process"
    )
    return run.as_bench_api_arguments(p.parse_args(argv))


def _plain(value: Any) -> Any:
    """A parameter as capture.mjs prints it, back to a value: the JavaScript driver's
    integers come out as {low, high}, its dates as {year, month, day}."""
    if isinstance(value, dict):
        if set(value) == {"low", "high"}:
            return int(value["high"]) * 2**32 + (int(value["low"]) & 0xFFFFFFFF)
        plain = {k: _plain(v) for k, v in value.items()}
        if set(plain) == {"year", "month", "day"}:
            return date(plain["year"], plain["month"], plain["day"])
        return plain
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def statements(
    settings: Settings,
    sync_driver: Driver,
    env: dict[str, str],
    cases: dict[str, list[dict[str, Any]]],
    names: list[str],
    with_peer: bool,
    with_raw: bool,
) -> list[Job]:
    """Every case's statements: ours, the peer's, the raw floor's."""
    jobs: list[Job] = []

    async def ours() -> None:
        driver = connect_async(settings)
        try:
            for name in names:
                for case in cases[name]:
                    for s in await ours_statements(
                        driver, sync_driver, settings, BY_NAME[name], case
                    ):
                        jobs.append((name, "diplograph", s.cypher, s.params))
        finally:
            await driver.close()

    asyncio.run(ours())
    if with_peer:
        asked = [
            {"name": f"{name}/{i}", "query": BY_NAME[name].peer,
             "variables": BY_NAME[name].peer_vars(case)}
            for name in names for i, case in enumerate(cases[name])
        ]  # fmt: skip
        for key, got in peer_capture(env, asked).items():
            for s in got.get("statements", []):
                name = key.split("/")[0]
                jobs.append((name, "neo4j-graphql", s["cypher"], _plain(s["parameters"])))
    if with_raw:
        for name in names:
            op = BY_NAME[name]
            jobs.extend((name, "raw", op.raw, op.raw_params(case)) for case in cases[name])
    return jobs


def measure(
    driver: Driver, database: str, pid: int, jobs: list[Job], iterations: int, managed: bool
) -> list[float]:
    """Neo4j CPU ms per run of each job, over one round."""
    out = []
    for _, server, cypher, params in jobs:
        if server == "neo4j-graphql" or (managed and server == "diplograph"):

            def once(cypher: str = cypher, params: dict[str, Any] = params) -> None:
                driver.execute_query(
                    cypher, params, database_=database, routing_=RoutingControl.READ
                )

        else:

            def once(cypher: str = cypher, params: dict[str, Any] = params) -> None:
                with driver.session(database=database, default_access_mode=READ_ACCESS) as s:
                    s.run(cypher, params).consume()

        for _ in range(3):  # planned and warm
            once()
        before = process_cpu_seconds(pid)
        for _ in range(iterations):
            once()
        out.append((process_cpu_seconds(pid) - before) * 1000 / iterations)
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = [n for n in args.operations.split(",") if n]
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown operation(s) {unknown}; known: {[o.name for o in OPERATIONS]}")
    settings, local, _ = run.start_neo4j(args)
    pid = local.pid() if local is not None else args.neo4j_pid
    if pid is None:
        raise SystemExit("an external Neo4j needs --neo4j-pid: its CPU is what is measured")
    try:
        with run.loaded_cases(args, settings) as (env, driver, cases):
            jobs = statements(settings, driver, env, cases, names, not args.no_peer, args.raw)
            least: list[float] | None = None
            for _ in range(args.rounds):
                got = measure(
                    driver, settings.neo4j_database, pid, jobs, args.iterations, args.managed
                )
                # The least of the rounds: other work on the machine only ever adds.
                least = got if least is None else list(map(min, least, got))
    finally:
        if local is not None:
            local.stop()
    assert least is not None
    per: dict[tuple[str, str], list[float]] = {}
    for (name, server, _, _), ms in zip(jobs, least, strict=True):
        per.setdefault((name, server), []).append(ms)
    print(f"python -m bench.neo4j_cpu {' '.join(sys.argv[1:])}: Neo4j CPU ms per statement, "
          f"mean over each operation's cases, the least of {args.rounds} rounds of "
          f"{args.iterations} runs per case")  # fmt: skip
    print("| operation | diplograph | @neo4j/graphql | ÷ | raw Cypher | ÷ |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        o, q, r = (_mean(per.get((name, s), [])) for s in ("diplograph", "neo4j-graphql", "raw"))
        print(f"| {name} | {o:.2f} | {q:.2f} | {o / q:.2f} | {r:.2f} | {o / r:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
