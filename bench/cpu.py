"""CPU per request of our API in-process, against the raw Cypher of each bench operation.

`python -m bench.cpu` starts a throwaway Neo4j (or uses DIPLOGRAPH_BENCH_NEO4J_URI's, as
`python -m bench.api` does; `--reuse-data` keeps a synthetic graph it already holds), loads
the bench's data, picks the bench's cases, then per operation answers each case in turn
as the HTTP layer does (`bench.api.profiling.answer_ours`: the compiled path and orjson),
then the whole application as uvicorn calls it (`asgi`: the request's JSON body in, the
response's bytes out, through Starlette's middleware and the GraphQL view; no socket, no
HTTP parsing), and, separately, sends the operation's raw statement through the same
async driver. It prints the CPU time of this process per request (`time.process_time`:
our Python and the driver's, not Neo4j's) and the wall time, the least of `--rounds`
measurements. `--replayed` adds the application's own Python per request: each statement's
first answer replayed, no driver and no Neo4j; in CPU time and in Python function calls
(which do not move with the machine's load). Nothing runs concurrently, so the figures
depend on the machine's load less than the closed-loop run's latencies do.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from neo4j import Driver, RoutingControl
from starlette.types import ASGIApp, Message

from bench.api import run
from bench.api.operations import BY_NAME, OPERATIONS, Operation
from bench.api.profiling import answer_ours
from diplograph.settings import Settings
from graph.driver import connect_async
from graph.reads import Reader, Statement
from schema import compiled
from schema.app import GraphQLApp, create_app
from schema.compiled import Compiler
from schema.context import Context

# The layers of a request on the compiled path, in the order a request crosses them
# (`--layers`). Each is the CPU inside the functions that `LayerClock` times, less the
# timed functions they call.
LAYERS = ("http", "compiled", "convert_arguments", "resolver", "driver", "shaping", "orjson")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    run.data_arguments(p)
    p.add_argument("--iterations", type=int, default=60, help="requests measured per operation")
    p.add_argument("--warmup", type=int, default=10, help="requests before measuring")
    p.add_argument("--rounds", type=int, default=3, help="measurements per operation; the least")
    p.add_argument("--operations", default=",".join(op.name for op in OPERATIONS))
    p.add_argument("--profile", type=Path, default=None, help="write a cProfile per operation")
    p.add_argument(
        "--replayed",
        action="store_true",
        help="also the whole application's CPU per request with each statement's answer "
        "replayed from a first run: our Python alone, no driver, no Neo4j",
    )
    p.add_argument(
        "--layers",
        action="store_true",
        help="also split the whole application's CPU per request into layers (LAYERS)",
    )
    return run.as_bench_api_arguments(p.parse_args(argv))


async def asgi_post(app: ASGIApp, body: bytes) -> bytes:
    """The response body of `POST /graphql` with `body`, as uvicorn would hand the request
    to the application (headers as the bench's load client sends them)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
            (b"accept", b"application/json"), (b"content-length", str(len(body)).encode()),
        ],
    }  # fmt: skip
    pending = [{"type": "http.request", "body": body, "more_body": False}]
    status, chunks = 0, []

    async def receive() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    answer = b"".join(chunks)
    if status != 200 or b'"errors"' in answer:
        raise RuntimeError(f"{status}: {answer[:500]!r}")
    return answer


class LayerClock:
    """CPU seconds of this process spent inside some functions of the request path, summed
    per function, by wrapping them for the time of a measurement (`restore` puts them back).

    `time.process_time` around an `await` counts whatever else the loop ran meanwhile:
    requests are sent one at a time, so that is only the readiness check (once a second).
    A plan's root fields run concurrently: their resolvers' times overlap when a document
    has several (no bench operation has)."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._originals: list[tuple[object, str, Any]] = []

    def wrap(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)
        seconds = self.seconds

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[label] += time.process_time() - started

        self._install(owner, name, original, timed)

    def wrap_async(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)
        seconds = self.seconds

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return await original(*args, **kwargs)
            finally:
                seconds[label] += time.process_time() - started

        self._install(owner, name, original, timed)

    def _install(self, owner: object, name: str, original: Any, timed: Callable[..., Any]) -> None:
        self._originals.append((owner, name, original))
        setattr(owner, name, timed)

    def restore(self) -> None:
        while self._originals:
            owner, name, original = self._originals.pop()
            setattr(owner, name, original)

    def layers(self, total: float, requests: int) -> dict[str, float]:
        """CPU ms per request of each of LAYERS, from `total` seconds for `requests`."""
        s = self.seconds
        split = {
            "http": total - s["answer"] - s["orjson"],
            "compiled": s["answer"] - s["resolve"] - s["shaping"],
            "convert_arguments": s["convert_arguments"],
            "resolver": s["resolve"] - s["convert_arguments"] - s["driver"],
            "driver": s["driver"],
            "shaping": s["shaping"],
            "orjson": s["orjson"],
        }
        return {name: seconds * 1000 / requests for name, seconds in split.items()}


def layer_clock() -> LayerClock:
    """A clock on the compiled path's functions: the whole compiled answer, its root
    resolvers (`Compiler._resolve`, which convert the arguments, build and run the
    statement and build the objects the shaping reads), the driver's round trip and
    decoding (`Reader._records`), the shaping and the response's serialisation."""
    clock = LayerClock()
    clock.wrap_async(Compiler, "answer", "answer")
    clock.wrap_async(Compiler, "_resolve", "resolve")
    clock.wrap(compiled, "convert_arguments", "convert_arguments")
    clock.wrap_async(Reader, "_records", "driver")
    clock.wrap(compiled, "_shape_all", "shaping")
    clock.wrap(GraphQLApp, "encode_json", "orjson")
    return clock


@contextmanager
def replayed_answers() -> Iterator[None]:
    """Statements answered from their first answer: `Context.run` runs each statement text
    once and replays that record afterwards (the bench's cases of one operation share a
    text; their answers differ little in size). What remains is the application's own
    Python: HTTP, the compiled path, the resolvers, the shaping, the serialisation."""
    original = Context.run
    answers: dict[str, dict[str, Any]] = {}

    async def replay(self: Context, statement: Statement) -> dict[str, Any]:
        if statement.cypher not in answers:
            answers[statement.cypher] = await original(self, statement)
        self.statements += 1
        return dict(answers[statement.cypher])

    Context.run = replay  # type: ignore[method-assign]
    try:
        yield
    finally:
        Context.run = original  # type: ignore[method-assign]


async def calls_per_request(request: Callable[[int], Awaitable[None]], iterations: int) -> float:
    """Python function calls per request (cProfile's count: the same on every run of the
    same code, whatever else the machine does, where CPU time moves by a tenth or more)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(iterations):
        await request(i)
    profiler.disable()
    return float(pstats.Stats(profiler).total_calls) / iterations  # type: ignore[attr-defined]


async def per_request(
    settings: Settings,
    sync_driver: Driver,
    op: Operation,
    cases: list[dict[str, Any]],
    args: argparse.Namespace,
) -> dict[str, float]:
    driver = connect_async(settings)
    database = settings.neo4j_database
    # As the bench serves it: GraphiQL off (bench/api/servers.py).
    app = create_app(settings.model_copy(update={"graphiql": False}))
    try:

        async def ours(i: int) -> None:
            reader = Reader(driver, database, settings.query_timeout)
            context = Context(reader=reader, settings=settings, sync_driver=sync_driver)
            await answer_ours(op.ours, op.ours_vars(cases[i % len(cases)]), context)

        async def asgi(i: int) -> None:
            case = cases[i % len(cases)]
            body = {"query": op.ours, "variables": op.ours_vars(case)}
            await asgi_post(app, json.dumps(body).encode())

        async def raw(i: int) -> None:
            case = cases[i % len(cases)]
            await driver.execute_query(
                op.raw, op.raw_params(case), database_=database, routing_=RoutingControl.READ
            )

        out: dict[str, float] = {}
        async with app.router.lifespan_context(app):
            for name, request in (("ours", ours), ("asgi", asgi), ("raw", raw)):
                for i in range(args.warmup):
                    await request(i)
                cpu, wall = time.process_time(), time.perf_counter()
                for i in range(args.iterations):
                    await request(i)
                out[f"{name}_cpu"] = (time.process_time() - cpu) * 1000 / args.iterations
                out[f"{name}_wall"] = (time.perf_counter() - wall) * 1000 / args.iterations
            if args.layers:
                clock = layer_clock()
                try:
                    cpu = time.process_time()
                    for i in range(args.iterations):
                        await asgi(i)
                    total = time.process_time() - cpu
                finally:
                    clock.restore()
                out |= {f"layer_{k}": v for k, v in clock.layers(total, args.iterations).items()}
            if args.replayed:
                with replayed_answers():
                    for i in range(args.warmup):
                        await asgi(i)
                    cpu = time.process_time()
                    for i in range(args.iterations):
                        await asgi(i)
                    out["replayed_cpu"] = (time.process_time() - cpu) * 1000 / args.iterations
                    out["replayed_calls"] = await calls_per_request(asgi, args.iterations)
            if args.profile:
                # Apart from the measured requests: the profiler slows small calls several
                # fold. The whole application's path, which includes the compiled one.
                profiler = cProfile.Profile()
                profiler.enable()
                for i in range(args.iterations):
                    await asgi(i)
                profiler.disable()
                args.profile.mkdir(parents=True, exist_ok=True)
                with (args.profile / f"{op.name}.txt").open("w") as handle:
                    stats = pstats.Stats(profiler, stream=handle)
                    stats.sort_stats("tottime").print_stats(40)
                    stats.sort_stats("cumulative").print_stats(60)
        return out
    finally:
        await driver.close()


def table(rows: dict[str, dict[str, float]]) -> str:
    replayed = all("replayed_cpu" in r for r in rows.values())
    lines = [
        "| operation | ours CPU ms/req | asgi CPU ms/req | raw CPU ms/req | CPU asgi ÷ raw "
        "| ours wall ms | asgi wall ms | raw wall ms |"
        + (" asgi replayed CPU ms/req | replayed calls/req |" if replayed else ""),
        "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if replayed else ""),
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['ours_cpu']:.2f} | {r['asgi_cpu']:.2f} | {r['raw_cpu']:.2f} | "
            f"{r['asgi_cpu'] / r['raw_cpu']:.2f} | {r['ours_wall']:.2f} | "
            f"{r['asgi_wall']:.2f} | {r['raw_wall']:.2f} |"
            + (f" {r['replayed_cpu']:.3f} | {r['replayed_calls']:.0f} |" if replayed else "")
        )
    return "\n".join(lines)


def layer_table(rows: dict[str, dict[str, float]]) -> str:
    """CPU ms per request of each layer, per operation and weighted by the mix's shares."""
    lines = [
        "| operation | " + " | ".join(LAYERS) + " | sum |",
        "|---|" + "---:|" * (len(LAYERS) + 1),
    ]
    weights = {name: BY_NAME[name].weight for name in rows}
    for name, r in rows.items():
        values = [r[f"layer_{k}"] for k in LAYERS]
        lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in values) +
                     f" | {sum(values):.2f} |")  # fmt: skip
    share = sum(weights.values())
    if share:
        mix = [sum(rows[n][f"layer_{k}"] * w for n, w in weights.items()) / share for k in LAYERS]
        lines.append("| mix-weighted | " + " | ".join(f"{v:.2f}" for v in mix) +
                     f" | {sum(mix):.2f} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ops = [BY_NAME[name] for name in args.operations.split(",") if name]
    settings, local, _ = run.start_neo4j(args)
    try:
        with run.loaded_cases(args, settings) as (_, sync_driver, cases):
            rows: dict[str, dict[str, float]] = {}
            for _ in range(args.rounds):
                for op in ops:
                    got = asyncio.run(per_request(settings, sync_driver, op, cases[op.name], args))
                    # The least of the rounds: other work on the machine only ever adds.
                    kept = rows.setdefault(op.name, got)
                    rows[op.name] = {k: min(v, kept[k]) for k, v in got.items()}
    finally:
        if local is not None:
            local.stop()
    print(f"python -m bench.cpu {' '.join(sys.argv[1:])}: {args.iterations} requests per "
          f"operation, the least of {args.rounds} rounds; CPU of this process (Python and "
          "driver, not Neo4j's)")  # fmt: skip
    print(table(rows))
    if args.layers:
        print()
        print("CPU ms per request by layer (`--layers`: the whole application, timed apart)")
        print(layer_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
