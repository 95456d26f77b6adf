"""Closed-loop load: a fixed number of clients, each sending its next request as soon as
the last one answered, for a fixed time after a warm-up. Bounded in time (warm-up +
duration, each request at most its timeout) and in count (`max_requests`)."""

from __future__ import annotations

import asyncio
import random
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.api.client import Connection
from bench.api.servers import Server, process_cpu_seconds, system_cpu_seconds

Request = tuple[str, str, bytes]  # operation name, path, body


@dataclass
class CpuWindow:
    """CPU seconds spent during the measured window, by whom."""

    server: float = 0.0
    neo4j: float | None = None
    client: float = 0.0
    machine: float = 0.0

    @property
    def others(self) -> float | None:
        """What the rest of the machine used meanwhile (other people's work, the OS)."""
        if self.neo4j is None:
            return None
        return max(0.0, self.machine - self.server - self.neo4j - self.client)


@dataclass
class RunResult:
    server: str
    label: str
    duration: float
    concurrency: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    cpu: CpuWindow = field(default_factory=CpuWindow)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def throughput(self) -> float:
        return self.requests / self.duration if self.duration else 0.0

    def all_latencies(self) -> list[float]:
        return sorted(x for v in self.latencies.values() for x in v)


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def closed_loop(
    server: Server,
    label: str,
    chooser: Callable[[random.Random, int], Request],
    *,
    concurrency: int,
    warmup: float,
    duration: float,
    max_requests: int,
    neo4j_pid: int | None,
    seed: int = 1,
    timeout: float = 30.0,
) -> RunResult:
    """Run `concurrency` clients against `server`; only requests that start after the
    warm-up and finish before the end are measured."""
    result = RunResult(server.name, label, duration, concurrency)
    loop_start = time.perf_counter()
    measure_from = loop_start + warmup
    stop_at = measure_from + duration
    sent = 0
    snapshots: dict[str, tuple[float, float | None, float, float]] = {}

    def snapshot() -> tuple[float, float | None, float, float]:
        neo = process_cpu_seconds(neo4j_pid) if neo4j_pid else None
        return (server.cpu_seconds(), neo, _client_cpu(), system_cpu_seconds())

    async def clock() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        snapshots["start"] = snapshot()
        await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
        snapshots["end"] = snapshot()

    async def client(index: int) -> None:
        nonlocal sent
        rng = random.Random(seed * 1000 + index)
        connection = Connection("127.0.0.1", server.port, timeout=timeout)
        turn = index
        try:
            while time.perf_counter() < stop_at and sent < max_requests:
                sent += 1
                op, path, body = chooser(rng, turn)
                turn += 1
                started = time.perf_counter()
                ok = False
                detail = ""
                try:
                    response = await connection.post(path, body)
                    ok = response.status == 200 and b'"errors"' not in response.body
                    if not ok:
                        detail = f"{response.status} {response.body[:300]!r}"
                except (OSError, TimeoutError, RuntimeError, ValueError) as error:
                    detail = f"{type(error).__name__}: {error}"
                finished = time.perf_counter()
                if started >= measure_from and finished <= stop_at:
                    if ok:
                        result.latencies.setdefault(op, []).append(finished - started)
                    else:
                        result.errors[op] = result.errors.get(op, 0) + 1
                        if len(result.error_samples) < 5:
                            result.error_samples.append(f"{op}: {detail}")
                elif not ok and started < measure_from and len(result.error_samples) < 5:
                    result.error_samples.append(f"(warm-up) {op}: {detail}")
        finally:
            await connection.close()

    await asyncio.gather(clock(), *(client(i) for i in range(concurrency)))
    start, end = snapshots["start"], snapshots["end"]
    result.cpu = CpuWindow(
        server=end[0] - start[0],
        neo4j=(end[1] - start[1]) if end[1] is not None and start[1] is not None else None,
        client=end[2] - start[2],
        machine=end[3] - start[3],
    )
    return result


def fixed_operation(requests: list[Request]) -> Callable[[random.Random, int], Request]:
    """Always the same operation, its cases in turn."""
    return lambda _rng, turn: requests[turn % len(requests)]


def weighted_mix(
    by_operation: dict[str, list[Request]], weights: dict[str, float]
) -> Callable[[random.Random, int], Request]:
    """Each request an operation drawn by weight (seeded per client), its cases in turn."""
    names = [name for name in by_operation if weights.get(name, 0) > 0]
    cumulative = [weights[name] for name in names]
    turns: dict[str, int] = dict.fromkeys(names, 0)

    def choose(rng: random.Random, _turn: int) -> Request:
        name = rng.choices(names, cum_weights=_accumulate(cumulative))[0]
        requests = by_operation[name]
        turns[name] += 1
        return requests[turns[name] % len(requests)]

    return choose


def _accumulate(values: list[float]) -> list[float]:
    total, out = 0.0, []
    for value in values:
        total += value
        out.append(total)
    return out


def summary(result: RunResult) -> dict[str, Any]:
    """Throughput and latency (ms) of a run, over all its requests and per operation."""

    def stats(values: list[float], seconds: float) -> dict[str, Any]:
        ordered = sorted(values)
        ms = [v * 1000 for v in ordered]
        return {
            "requests": len(ms),
            "rps": round(len(ms) / seconds, 2) if seconds else None,
            "p50_ms": _round(percentile(ms, 50)),
            "p95_ms": _round(percentile(ms, 95)),
            "p99_ms": _round(percentile(ms, 99)),
            "mean_ms": _round(sum(ms) / len(ms)) if ms else None,
        }

    total = stats([x for v in result.latencies.values() for x in v], result.duration)
    requests = max(1, result.requests)
    cpu = result.cpu
    return {
        **total,
        "errors": sum(result.errors.values()),
        "error_samples": result.error_samples,
        "per_operation": {op: stats(v, result.duration) for op, v in result.latencies.items()},
        "cpu_ms_per_request": {
            "server": _round(cpu.server * 1000 / requests),
            "neo4j": _round(cpu.neo4j * 1000 / requests) if cpu.neo4j is not None else None,
            "client": _round(cpu.client * 1000 / requests),
        },
        "cpu_busy_cores": {
            "server": _round(cpu.server / result.duration),
            "neo4j": _round(cpu.neo4j / result.duration) if cpu.neo4j is not None else None,
            "client": _round(cpu.client / result.duration),
            "others": _round(cpu.others / result.duration) if cpu.others is not None else None,
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
