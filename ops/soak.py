"""Soak: the API under mixed load for minutes; reports RSS growth and p99 drift.

    .venv/bin/python -m ops.soak [--minutes 10] [--workers 4] [--out FILE]   (make soak)

Starts a throwaway Neo4j on free ports (or, only when DIPLOGRAPH_BENCH_NEO4J_URI names
one, a database it claims: graph/scratch.py), loads the curated knowledge and a generated
historian sample into it, serves the API with
`diplograph serve` in a child process, and sends it a mix of requests from a few
threads: normal queries and searches (most), hostile requests, idempotent mutations
with the token, mutations without it. Every 30 s it samples the server's resident
memory and the latency of the normal queries. The run fails (exit 1) on any 5xx or
INTERNAL_SERVER_ERROR. Bounded: it stops after --minutes, or --max-requests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from diplograph.settings import Settings
from graph.bulk import write_hsg
from graph.driver import connect
from graph.migrations import migrate
from graph.repository import write_knowledge
from graph.scratch import BENCH, scratch_neo4j
from graph.server import free_port
from loaders.hsg import read_hsg
from loaders.knowledge import read_knowledge
from tests.faultkit import NORMAL_QUERIES, cli_env, exchange, generate_visits, percentile

TOKEN = "soak-token-not-a-secret"
SAMPLE_SECONDS = 30.0
WORDS = ("havana", "migration", "cuba", "kelly", "visitor12", "president", "talks", "x")
FACTS = {"entities": [{"id": "soak-probe", "kind": "Person", "name": "Soak Probe",
                       "sources": [{"document": "advancing-the-dialogue-with-cuba",
                                    "quote": "Cuba"}]}]}  # fmt: skip
UPSERT = "mutation($f: JSON!) { upsertKnowledge(facts: $f) { created { label count } } }"
HOSTILE: tuple[Any, ...] = (
    {"query": "{" + " ".join(f"a{i}: people {{ totalCount }}" for i in range(1000)) + "}"},
    [{"query": "{ __typename }"}] * 100,
    {"query": "{ people(first: 1000000000) { totalCount } }"},
    {"query": "{ people { ...A } } fragment A on PersonConnection { ...A }"},
    {"query": "{ nope }"},
)


@dataclass
class Window:
    """One sampling interval."""

    at: float  # seconds since the start
    rss_mb: float
    requests: int
    p50_ms: float
    p99_ms: float


@dataclass
class Report:
    minutes: float
    workers: int
    requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    unhandled: list[str] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        warm = self.windows[1:] or self.windows  # the first window warms caches up
        first, last = warm[0], warm[-1]
        return {
            "requests": self.requests,
            "rss_mb_first": round(first.rss_mb, 1),
            "rss_mb_last": round(last.rss_mb, 1),
            "rss_growth_mb": round(last.rss_mb - first.rss_mb, 1),
            "rss_growth_pct": round(100 * (last.rss_mb - first.rss_mb) / first.rss_mb, 1),
            "p99_ms_first": round(first.p99_ms, 1),
            "p99_ms_last": round(last.p99_ms, 1),
            "p99_drift_ms": round(last.p99_ms - first.p99_ms, 1),
            "p99_ms_max": round(max(w.p99_ms for w in warm), 1),
            "unhandled": len(self.unhandled),
        }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load(settings: Settings, visits: int) -> None:
    driver = connect(settings)
    try:
        migrate(driver, settings.neo4j_database)
        write_knowledge(driver, settings.neo4j_database, read_knowledge())
        with tempfile.TemporaryDirectory(prefix="diplograph-soak-hsg-") as folder:
            write_hsg(driver, settings.neo4j_database,
                      read_hsg(generate_visits(Path(folder), visits), ["visits"]))  # fmt: skip
    finally:
        driver.close()


@contextlib.contextmanager
def api(settings: Settings, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {**cli_env(settings), "DIPLOGRAPH_API_TOKEN": TOKEN}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("diplograph")), "serve", "--host", "127.0.0.1",
             "--port", str(port)], env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the API did not become ready within 60s")
            time.sleep(0.5)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def one_request(client: httpx.Client, rng: random.Random) -> tuple[str, Any]:
    """A request drawn from the mix: (kind, answer)."""
    roll = rng.random()
    if roll < 0.65:
        return "query", exchange(client, {"query": rng.choice(NORMAL_QUERIES)})
    if roll < 0.80:
        query = "query($s: String!) { search(query: $s) { totalCount edges { node { slug } } } }"
        return "query", exchange(client, {"query": query, "variables": {"s": rng.choice(WORDS)}})
    if roll < 0.92:
        return "hostile", exchange(client, rng.choice(HOSTILE))
    auth = {"authorization": f"Bearer {TOKEN}"} if roll < 0.96 else {}
    return "mutation", exchange(client, {"query": UPSERT, "variables": {"f": FACTS}}, headers=auth)


def soak(
    url: str, server: subprocess.Popen[bytes], minutes: float, workers: int, max_requests: int
) -> Report:
    report = Report(minutes=minutes, workers=workers)
    lock = threading.Lock()
    latencies: list[float] = []
    stop = threading.Event()
    started = time.monotonic()
    end = started + 60 * minutes

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=url, timeout=30) as client:
            while not stop.is_set() and time.monotonic() < end:
                kind, answer = one_request(client, rng)
                with lock:
                    report.requests += 1
                    if report.requests >= max_requests:
                        stop.set()
                    report.outcomes[f"{kind} {answer.status}"] += 1
                    report.outcomes.update(f"{kind} {c}" for c in answer.codes)
                    if (
                        answer.status >= 500
                        or answer.status == 0
                        or ("INTERNAL_SERVER_ERROR" in answer.codes)
                    ):
                        report.unhandled.append(f"{kind}: {answer}")
                    if kind == "query" and answer.status == 200 and not answer.codes:
                        latencies.append(answer.seconds)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    while not stop.is_set() and time.monotonic() < end:
        stop.wait(min(SAMPLE_SECONDS, max(0.0, end - time.monotonic())))
        if server.poll() is not None:
            report.unhandled.append(f"the API server exited with code {server.returncode}")
            print(report.unhandled[-1], flush=True)
            break
        with lock:
            window, latencies[:] = list(latencies), []
            requests = report.requests
        report.windows.append(Window(
            at=round(time.monotonic() - started, 1), rss_mb=rss_mb(server.pid), requests=requests,
            p50_ms=1000 * percentile(window, 0.5), p99_ms=1000 * percentile(window, 0.99),
        ))  # fmt: skip
        w = report.windows[-1]
        print(f"{w.at:7.1f}s  {w.requests:7d} requests  RSS {w.rss_mb:6.1f} MB  "
              f"p50 {w.p50_ms:6.1f} ms  p99 {w.p99_ms:7.1f} ms", flush=True)  # fmt: skip
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--visits", type=int, default=3_000, help="generated historian visits")
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    parser.add_argument("--out", type=Path, help="write the report as JSON here")
    default_log = Path(tempfile.gettempdir()) / "diplograph-soak-server.log"
    parser.add_argument("--server-log", type=Path, default=default_log)
    args = parser.parse_args(argv)
    with scratch_neo4j(BENCH, pagecache="256m") as settings:
        load(settings, args.visits)
        with api(settings, args.server_log) as (url, process):
            print(f"Soaking {url} for {args.minutes:g} min with {args.workers} clients "
                  f"(server log: {args.server_log}) ...")  # fmt: skip
            report = soak(url, process, args.minutes, args.workers, args.max_requests)
    summary = report.summary()
    print(json.dumps(summary, indent=1))
    print("outcomes:", dict(sorted(report.outcomes.items())))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "summary": summary,
            "outcomes": report.outcomes,
            "windows": [asdict(w) for w in report.windows],
            "unhandled": report.unhandled,
        }
        args.out.write_text(json.dumps(payload, indent=1) + "\n")
    if report.unhandled:
        print(f"{len(report.unhandled)} unhandled failures, e.g. {report.unhandled[:3]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
