"""Where the time goes: the Cypher each server runs, its db hits, and our Python's share.

* Our API: the GraphQL document runs in-process through `schema.api.schema` with a reader
  that records the compiled statement; the statement is then run with PROFILE.
* The peer: bench/peers/neo4j-graphql/capture.mjs does the same inside @neo4j/graphql.
* Raw: the operation's own statement, with PROFILE.

`python_share` times our schema in-process, sequentially, as the HTTP layer runs it: the
compiled path (schema/compiled.py; Strawberry's execution when it falls back) and the
JSON serialisation, against the time spent inside the driver call (Neo4j, the network
and result decoding), and can write a cProfile of it.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from neo4j import AsyncDriver, Driver, RoutingControl

from bench.api.operations import Operation
from bench.api.servers import PEER_DIR
from diplograph.settings import Settings
from graph.reads import Reader, Statement
from schema.api import schema
from schema.compiled import Compiler, Fallback
from schema.context import Context


class RecordingReader(Reader):
    """A reader that keeps every statement it runs."""

    def __init__(self, driver: AsyncDriver, database: str, timeout: float) -> None:
        super().__init__(driver, database, timeout)
        self.statements: list[Statement] = []

    async def one(self, statement: Statement, budget: int | None = None) -> dict[str, Any]:
        self.statements.append(statement)
        return await super().one(statement, budget)


def plan_db_hits(plan: Any) -> int:
    if not plan:
        return 0
    hits = int(plan.get("dbHits", 0) or 0)
    return hits + sum(plan_db_hits(child) for child in plan.get("children", []) or [])


def profile_statement(driver: Driver, database: str, cypher: str, params: dict[str, Any]) -> int:
    records, summary, _ = driver.execute_query(
        "PROFILE " + cypher, params, database_=database, routing_=RoutingControl.READ
    )
    del records
    return plan_db_hits(summary.profile)


async def execute_ours(
    driver: AsyncDriver,
    sync_driver: Driver,
    settings: Settings,
    op: Operation,
    case: dict[str, Any],
) -> tuple[RecordingReader, Any]:
    reader = RecordingReader(driver, settings.neo4j_database, settings.query_timeout)
    context = Context(reader=reader, settings=settings, sync_driver=sync_driver)
    result = await schema.execute(
        op.ours, variable_values=op.ours_vars(case), context_value=context
    )
    if result.errors:
        raise RuntimeError(f"{op.name}: {result.errors[0].message}")
    return reader, result.data


COMPILER = Compiler(schema)


async def answer_ours(document: str, variables: dict[str, Any], context: Context) -> bytes:
    """The response body, as the HTTP layer produces it (schema/app.py)."""
    compiled = await COMPILER.answer(document, variables, None, context, Fallback())
    if compiled is None:
        result = await schema.execute(document, variable_values=variables, context_value=context)
        return orjson.dumps({"data": result.data})
    return orjson.dumps({"data": compiled.data})


async def ours_statements(
    driver: AsyncDriver,
    sync_driver: Driver,
    settings: Settings,
    op: Operation,
    case: dict[str, Any],
) -> list[Statement]:
    reader, _ = await execute_ours(driver, sync_driver, settings, op, case)
    return reader.statements


def peer_capture(
    env: dict[str, str], jobs: list[dict[str, Any]], timeout: float = 300
) -> dict[str, Any]:
    """Run capture.mjs over GraphQL jobs ({name, query, variables}); its JSON answer."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(jobs, handle)
        path = handle.name
    try:
        done = subprocess.run(
            ["node", "capture.mjs", path],
            cwd=PEER_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    finally:
        Path(path).unlink(missing_ok=True)
    if done.returncode != 0:
        raise RuntimeError(f"capture.mjs failed: {done.stderr[-2000:]}")
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


async def python_share(
    driver: AsyncDriver,
    sync_driver: Driver,
    settings: Settings,
    op: Operation,
    cases: list[dict[str, Any]],
    iterations: int,
    raw_cypher_timer: Any,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    """Sequential in-process timing of our schema for one operation (ms per request)."""
    await execute_ours(driver, sync_driver, settings, op, cases[0])  # warm
    profiler = cProfile.Profile() if profile_to else None
    total = driver_time = 0.0
    for i in range(iterations):
        case = cases[i % len(cases)]
        reader = RecordingReader(driver, settings.neo4j_database, settings.query_timeout)
        context = Context(reader=reader, settings=settings, sync_driver=sync_driver)
        if profiler:
            profiler.enable()
        started = time.perf_counter()
        await answer_ours(op.ours, op.ours_vars(case), context)
        total += time.perf_counter() - started
        if profiler:
            profiler.disable()
        driver_time += reader.log.seconds
    raw_time = 0.0
    for i in range(iterations):
        raw_time += await raw_cypher_timer(op, cases[i % len(cases)])
    if profiler and profile_to:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
        profile_to.write_text(out.getvalue())
    ms = 1000 / iterations
    return {
        "iterations": iterations,
        "execute_ms": round(total * ms, 3),
        "driver_ms": round(driver_time * ms, 3),
        "python_ms": round((total - driver_time) * ms, 3),
        "raw_driver_ms": round(raw_time * ms, 3),
    }
