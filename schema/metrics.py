"""Prometheus metrics (`/metrics`) and the request body limit.

The operation label is bounded: a client chooses operation names, so a name gets its
own label only if it looks like a GraphQL name of at most `MAX_NAME_LENGTH` characters
and fewer than `MAX_OPERATIONS` names have been admitted so far (names listed in
`DIPLOGRAPH_METRICS_OPERATIONS` always are); every other request counts under `other`.

One process keeps its metrics in prometheus_client's registry. Several (`diplograph serve
--workers N`) keep them in files under `PROMETHEUS_MULTIPROC_DIR` (`worker_metrics` makes a
private one when it is not set), and `/metrics`, whichever worker answers, sums them all.
prometheus_client reads that variable when it is imported: it must be set before the
workers start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

REQUESTS = Counter(
    "diplograph_graphql_requests_total", "GraphQL operations executed.", ["operation", "outcome"]
)
LATENCY = Histogram(
    "diplograph_graphql_request_seconds", "Time to execute a GraphQL operation.", ["operation"]
)
NEO4J_TIME = Histogram(
    "diplograph_neo4j_seconds", "Time spent in Neo4j per GraphQL operation.", ["operation"]
)
CYPHER_QUERIES = Counter(
    "diplograph_cypher_queries_total", "Cypher statements run for GraphQL operations.",
    ["operation"],
)  # fmt: skip

COMPILED = Counter(
    "diplograph_graphql_compiled_total",
    "Read operations answered on the compiled path (schema/compiled.py), and attempts "
    "abandoned to Strawberry's execution (an error, which that execution reports).",
    ["outcome"],
)  # fmt: skip


MAX_OPERATIONS = 100
MAX_NAME_LENGTH = 64
OTHER = "other"
ANONYMOUS = "anonymous"
NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


# Set by `worker_metrics` for the workers it serves: the label budget is shared among them.
WORKERS = "DIPLOGRAPH_METRICS_WORKERS"


class OperationLabels:
    """The bounded set of operation names that get their own label.

    Each worker admits names on its own; with N workers each admits at most `limit / N`, so
    that `/metrics`, which sums them all, still holds at most `limit` admitted names.
    """

    def __init__(self, limit: int = MAX_OPERATIONS) -> None:
        self.limit = limit // max(1, int(os.environ.get(WORKERS) or 1))
        self.known = {
            n.strip()
            for n in os.environ.get("DIPLOGRAPH_METRICS_OPERATIONS", "").split(",")
            if n.strip()
        }
        self.admitted: set[str] = set()
        self.lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self.known or name in self.admitted:
            return name
        if len(name) > MAX_NAME_LENGTH or not NAME.fullmatch(name):
            return OTHER
        with self.lock:
            if len(self.admitted) < self.limit:
                self.admitted.add(name)
                return name
        return OTHER


LABELS = OperationLabels()


class Metrics(SchemaExtension):
    """Records each operation's outcome, latency, Neo4j time and Cypher statement count."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        errors = context.result.errors if context.result else None
        reader = getattr(context.context, "reader", None)
        record(context.operation_name, bool(errors), started, reader)


# Each operation label's series (`labels()` checks and locks on every call: a fifth of the
# recording's cost). Bounded as the labels are: MAX_OPERATIONS names, `other`, `anonymous`.
_SERIES: dict[tuple[str, bool], tuple[Any, Any, Any, Any]] = {}


def _series(operation: str, failed: bool) -> tuple[Any, Any, Any, Any]:
    found = _SERIES.get((operation, failed))
    if found is None:
        found = _SERIES[(operation, failed)] = (
            REQUESTS.labels(operation, "error" if failed else "ok"),
            LATENCY.labels(operation),
            NEO4J_TIME.labels(operation),
            CYPHER_QUERIES.labels(operation),
        )
    return found


def record(name: str | None, failed: bool, started: float, reader: Any) -> None:
    """Count one operation: its outcome, latency (since `started`), and from the request's
    `graph.reads.Reader` (None: no database) its Neo4j time and statements. Both the
    ordinary and the compiled execution (schema/compiled.py) record here."""
    requests, latency, neo4j_time, queries = _series(LABELS.label(name), failed)
    requests.inc()
    latency.observe(time.perf_counter() - started)
    if reader is not None:
        neo4j_time.observe(reader.log.seconds)
        queries.inc(reader.log.count)


MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def worker_metrics(workers: int) -> Iterator[Path | None]:
    """While serving with `workers` processes: the directory their metrics are kept in.

    With several workers and no `PROMETHEUS_MULTIPROC_DIR`, a private directory is made
    (and removed at the end); a directory named in the variable is emptied of earlier
    runs' files first, as prometheus_client requires (else old counts would be added in).
    One worker and no variable: None, the ordinary in-process registry.
    """
    os.environ[WORKERS] = str(workers)
    named = os.environ.get(MULTIPROC_DIR)
    try:
        if named:
            directory = Path(named)
            directory.mkdir(parents=True, exist_ok=True)
            for stale in directory.glob("*.db"):
                stale.unlink()
            yield directory
        elif workers <= 1:
            yield None
        else:
            private = Path(tempfile.mkdtemp(prefix="diplograph-metrics-"))
            os.environ[MULTIPROC_DIR] = str(private)
            try:
                yield private
            finally:
                os.environ.pop(MULTIPROC_DIR, None)
                shutil.rmtree(private, ignore_errors=True)
    finally:
        os.environ.pop(WORKERS, None)


async def endpoint(request: Request) -> Response:
    if os.environ.get(MULTIPROC_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class BodyLimit:
    """Refuses request bodies over `max_bytes` with 413, before they are parsed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        too_large = False

        async def limited() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps({"errors": [{
            "message": f"request body exceeds {self.max_bytes} bytes",
            "extensions": {"code": "PAYLOAD_TOO_LARGE"},
        }]}).encode()  # fmt: skip
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
