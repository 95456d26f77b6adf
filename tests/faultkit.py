"""Helpers for the fault, hostile-input and soak runs: traffic, counts, CLI runs, data.

Every loop here is bounded in count and in time, and all traffic goes to loopback.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx
from neo4j import Driver

from diplograph.settings import Settings
from graph.repository import count_by_label, count_relationships
from tests import dbsafety

ROOT = Path(__file__).resolve().parent.parent
DIPLOGRAPH = Path(sys.executable).with_name("diplograph")

# Queries a reader might send; each answers from the curated knowledge in one Cypher statement.
NORMAL_QUERIES: tuple[str, ...] = (
    "{ people(first: 5) { totalCount edges { node { slug name } } } }",
    '{ search(query: "Havana") { totalCount edges { score node { slug } } } }',
    '{ node(id: "cuba") { id ... on Country { name } } }',
    '{ timeline(of: "united-states", first: 5) { totalCount edges { node { slug } } } }',
    '{ neighborhood(id: "alan-gross", depth: 2, limit: 20) { nodes { slug } edges { type } } }',
    '{ meetings(where: {country: "cuba"}) { edges { node { slug date { value } } } } }',
)


# -- the database ------------------------------------------------------------------------------


def wipe(driver: Driver, database: str) -> None:
    """Delete every node and relationship of a database the suite claimed (indexes stay)."""
    dbsafety.wipe(driver, database)


@dataclass(frozen=True)
class Counts:
    """Nodes per label and relationships per type."""

    labels: dict[str, int]
    types: dict[str, int]

    @classmethod
    def of(cls, driver: Driver, database: str) -> Counts:
        return cls(count_by_label(driver, database), count_relationships(driver, database))

    @property
    def total(self) -> int:
        return self.labels.get("Entity", 0) + sum(self.types.values())

    def __str__(self) -> str:
        nodes = ", ".join(f"{k} {v}" for k, v in sorted(self.labels.items()))
        rels = ", ".join(f"{k} {v}" for k, v in sorted(self.types.items()))
        return f"nodes: {nodes}; relationships: {rels}"


# -- the command line --------------------------------------------------------------------------


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment that points `diplograph` at `settings`' Neo4j."""
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    if settings.neo4j_uri:
        env["NEO4J_URI"] = settings.neo4j_uri
    env.update(
        {
            "DIPLOGRAPH_NEO4J_HOST": settings.neo4j_host,
            "DIPLOGRAPH_BOLT_PORT": str(settings.bolt_port),
            "NEO4J_USER": settings.neo4j_user,
            "NEO4J_PASSWORD": settings.neo4j_password,
            "NEO4J_DATABASE": settings.neo4j_database,
            "COLUMNS": "120",
            "NO_COLOR": "1",
        }
    )
    return env


def diplograph(settings: Settings, *args: str) -> subprocess.Popen[str]:
    """Start `diplograph ARGS` against `settings`' Neo4j; stdout and stderr captured."""
    return subprocess.Popen(
        [str(DIPLOGRAPH), *args],
        cwd=ROOT,
        env=cli_env(settings),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def finish(process: subprocess.Popen[str], timeout: float = 300) -> Finished:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(
            f"`diplograph` did not finish within {timeout:g}s:\n{stderr}"
        ) from None
    return Finished(process.returncode, stdout, stderr)


# -- a generated historian dataset --------------------------------------------------------------

COUNTRIES = ("spain", "france", "mexico", "japan", "kenya", "brazil", "india", "egypt", "peru")
TITLES = ("President", "Prime Minister", "King", "Foreign Minister")


def generate_visits(root: Path, visits: int, per_file: int = 2_000, seed: int = 7) -> Path:
    """A `visits/` dataset in the historian's XML format with `visits` records.

    Each visit becomes a Meeting held in the U.S. and in the visitor's country, and a
    visitor Person who attended it and represents that country: about six rows a visit.
    """
    rng = random.Random(seed)
    folder = root / "visits" / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for first in range(1, visits + 1, per_file):
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<visits>\n']
        for i in range(first, min(first + per_file, visits + 1)):
            day = f"{1950 + i % 70}-{1 + i % 12:02d}-{1 + rng.randrange(28):02d}"
            country = COUNTRIES[i % len(COUNTRIES)]
            visitor = escape(f"{TITLES[i % len(TITLES)]} Visitor{i} Surname{i % 997}")
            parts.append(
                f"  <visit><id>{i}</id><start-date>{day}</start-date><end-date>{day}</end-date>"
                f'<visitor>{visitor}</visitor><from id="{country}">{country.title()}</from>'
                f"<description>Working visit number {i}.</description></visit>\n"
            )
        parts.append("</visits>\n")
        (folder / f"{1000 + first // per_file}.xml").write_text("".join(parts), encoding="utf-8")
    return root


# -- traffic -----------------------------------------------------------------------------------


@dataclass
class Answer:
    """One HTTP exchange as a client saw it."""

    started: float
    seconds: float
    status: int  # 0: no HTTP answer at all
    codes: list[str]
    data: bool  # a `data` entry with a non-null field
    error: str = ""


def codes_of(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return []
    return [str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or [] if e]


def exchange(
    client: httpx.Client,
    body: Mapping[str, Any] | None = None,
    *,
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Answer:
    """POST to /graphql and describe the answer (never raises for HTTP trouble)."""
    started = time.monotonic()
    try:
        if content is not None:
            hdrs = {"content-type": "application/json", **(headers or {})}
            response = client.post("/graphql", content=content, headers=hdrs)
        else:
            response = client.post("/graphql", json=body, headers=headers)
    except httpx.HTTPError as error:
        return Answer(started, time.monotonic() - started, 0, [], False, repr(error))
    seconds = time.monotonic() - started
    try:
        parsed = response.json()
    except ValueError:
        return Answer(started, seconds, response.status_code, [], False, response.text[:200])
    data = parsed.get("data") if isinstance(parsed, dict) else None
    has_data = isinstance(data, dict) and any(v is not None for v in data.values())
    return Answer(started, seconds, response.status_code, codes_of(parsed), has_data)


@dataclass
class Traffic:
    """Background clients sending `make()` requests until stopped (or the bounds are hit)."""

    base_url: str
    make: Callable[[int], Mapping[str, Any]]
    workers: int = 2
    max_requests: int = 5_000
    max_seconds: float = 300.0
    pause: float = 0.02
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._run, daemon=True) for _ in range(self.workers)
        ]

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            while not self._stop.is_set() and time.monotonic() < deadline:
                with self._lock:
                    if len(self.answers) >= self.max_requests:
                        return
                    n = len(self.answers)
                answer = exchange(client, self.make(n))
                with self._lock:
                    self.answers.append(answer)
                self._stop.wait(self.pause)

    def __enter__(self) -> Traffic:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
