"""The benchmark's report (bench/api/report.py) says what a run measured, table by table."""

from __future__ import annotations

from typing import Any

from bench.api.report import NAMES, OURS, RAW, mix_by_operation


def run_of(latencies: dict[str, tuple[int, float]], cpu: dict[str, tuple[float, float]]) -> Any:
    """A server's results: the mix's requests and p50 per operation, each operation's CPU."""
    per_operation = {op: {"requests": n, "p50_ms": p50} for op, (n, p50) in latencies.items()}
    result: dict[str, Any] = {"mix": {"per_operation": per_operation}}
    for op, (server, neo4j) in cpu.items():
        result[op] = {"cpu_ms_per_request": {"server": server, "neo4j": neo4j}}
    return result


def test_the_mix_by_operation_gives_each_operations_share_latency_and_work() -> None:
    results = {
        OURS: run_of({"search": (300, 22.0), "timeline": (100, 24.5)},
                     {"search": (2.8, 7.2), "timeline": (3.0, 4.2)}),
        RAW: run_of({"search": (310, 11.6), "timeline": (90, 14.3)},
                    {"search": (1.6, 4.4), "timeline": (1.7, 4.3)}),
    }  # fmt: skip
    lines = mix_by_operation(results, [OURS, RAW])
    header = next(line for line in lines if line.startswith("| operation"))
    assert NAMES[OURS] in header and NAMES[RAW] in header
    rows = [line for line in lines if line.startswith(("| search", "| timeline"))]
    assert rows == [
        "| search | 75% | 22.0 (2.8 + 7.2) | 11.6 (1.6 + 4.4) |",
        "| timeline | 25% | 24.5 (3.0 + 4.2) | 14.3 (1.7 + 4.3) |",
    ]


def test_a_run_without_a_mix_has_no_such_table() -> None:
    results = {OURS: {"search": {}}, RAW: {"search": {}}}
    assert mix_by_operation(results, [OURS, RAW]) == []
