"""The ASGI application: GraphQL at /graphql, probes, metrics, CORS."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import orjson
from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError
from neo4j import AsyncDriver
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from diplograph.settings import PROJECT_ROOT, Settings, get_settings
from graph import reads
from graph.driver import connect, connect_async, shared_bookmarks
from graph.reads import Reader
from graph.warmup import OFF, RUNNING, HotStatements, Params, PlanGate, Warmup, warm
from schema import metrics
from schema.api import schema
from schema.auth import PrivateReads
from schema.browser import BrowserFiles
from schema.compiled import Compiler, Fallback
from schema.context import Context
from schema.errors import ResponseTooLarge, clipped, error_code
from schema.http import HTTP_CODES, JSON, GraphQLOverHTTP, accepts_html, error_body, prefers_html
from services.workers import IngestProcesses

logger = logging.getLogger(__name__)

INTERNAL_ERROR = "internal error; it has been logged"
# GraphiQL's browser assets, installed by `make install` (npm ci in schema/graphiql).
GRAPHIQL_ASSETS = Path(__file__).resolve().parent / "graphiql" / "node_modules"
UNPKG = re.compile(r"https://unpkg\.com/((?:@[^/@]+/)?[^/@]+)@[^/]+/")
# A link to /graphql?query=...&variables=...&operationName=... opens GraphiQL with them in
# its editors. Strawberry's page reads only its own `q` (which it writes back to the URL as
# the query is edited, so `q` wins over a stale `query`) and `variables`: these edits of
# its script add `query` and `operationName` (GraphiQL's props), and read a `+` as a space
# (form encoding: Python's urlencode, httpx, HTML forms), as the server does. Each must match.
GRAPHIQL_PREFILL = (
    (
        "decodeURIComponent(entry.slice(eq + 1))",
        'decodeURIComponent(entry.slice(eq + 1).replaceAll("+", " "))',
    ),
    ("parameters.q || EXAMPLE_QUERY", "parameters.q || parameters.query || EXAMPLE_QUERY"),
    (
        "variables: variables,",
        "variables: variables,\n          operationName: parameters.operationName,",
    ),
)


# The assets the page loads (with local assets): all that /graphiql-assets serves.
ASSET_PATH = re.compile(r"""/graphiql-assets/([^"'?#\s]+)""")


class GraphiQLAssets(StaticFiles):
    """The files GraphiQL's page loads, from its node_modules, and no other: the rest of it
    (`.package-lock.json`, every dependency's version; `.installed`) is a 404."""

    def __init__(self, directory: Path, page: str) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.served = frozenset(os.path.normpath(path) for path in ASSET_PATH.findall(page))

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        # (`path` is normalised by StaticFiles.get_path: no `..` or `.` left in it.)
        return super().lookup_path(path) if path in self.served else ("", None)


def graphiql_page(html: str, local_assets: bool) -> str:
    """Strawberry's GraphiQL page, filled from the URL, its assets served from this server
    when installed (it works offline)."""
    for old, new in GRAPHIQL_PREFILL:
        if html.count(old) != 1:
            raise RuntimeError(f"Strawberry's GraphiQL page changed: {old!r} not found once")
        html = html.replace(old, new)
    return UNPKG.sub(r"/graphiql-assets/\1/", html) if local_assets else html


def format_error(error: GraphQLError) -> dict[str, Any]:
    """A client-facing error: its message and code; never a stack trace."""
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(error.extensions or {})
    code = extensions.get("code") or error_code(error)
    if code == "INTERNAL_SERVER_ERROR":
        formatted["message"] = INTERNAL_ERROR
    else:
        formatted["message"] = clipped(formatted["message"])
    extensions["code"] = code
    formatted["extensions"] = extensions
    return formatted


@dataclass
class CompiledAttempt:
    """A request the compiled path gave up on, for the execution that answers it instead."""

    fallback: Fallback
    context: Context


class GraphQLApp(GraphQLOverHTTP):
    """Strawberry's ASGI app with our context, error codes, metrics (and schema/http.py)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
        )
        self.settings = settings
        self.graphiql_html = graphiql_page(self.graphql_ide_html, GRAPHIQL_ASSETS.is_dir())
        # Read queries answered without per-field execution (schema/compiled.py).
        self.compiler = Compiler(schema) if settings.compiled_queries else None

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """The compiled path when it covers the request; else Strawberry's execution, on a
        fresh context (nothing of the abandoned attempt counts but a database failure)."""
        attempt: CompiledAttempt | None = getattr(request.state, "compiled_attempt", None)
        if (
            attempt is None
            and self.compiler is not None
            and request_data.query is not None
            and isinstance(request_data.variables, dict | None)
        ):
            result = await self.attempt_compiled(request, request_data, context)
            if result is not None:
                return result
            attempt = request.state.compiled_attempt
            context = await self.get_context(request, sub_response)
        if attempt is not None:
            context.replay = attempt.fallback.failure
            context.reuse = attempt.context.answered
        # graphql-core parses, validates and completes a result in Python, all of it in one
        # go (a large answer: a second or more): on an event loop of its own in a worker
        # thread, the server's loop keeps answering other requests meanwhile. Statements
        # still run on the server's loop (Context.run goes back to it).
        return await anyio.to_thread.run_sync(
            asyncio.run,
            super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            ),
        )

    async def execute_directly(
        self, request: Request, data: GraphQLRequestData
    ) -> ExecutionResult | None:
        """A plain POST's result on the compiled path, without Strawberry's view; when the
        path does not cover it, the view's execution follows with what the attempt left."""
        if self.compiler is None or data.query is None:
            return None
        return await self.attempt_compiled(request, data, await self.get_context(request, None))

    async def attempt_compiled(
        self, request: Request, data: GraphQLRequestData, context: Context
    ) -> ExecutionResult | None:
        """The compiled path's result; None: what the attempt left is kept on the request for
        Strawberry's execution (a database failure replayed, statements answered reused)."""
        assert self.compiler is not None and data.query is not None
        fallback = Fallback()
        result = await self.compiler.answer(
            data.query, data.variables, data.operation_name, context, fallback
        )
        if result is None:
            request.state.compiled_attempt = CompiledAttempt(fallback, context)
        return result

    def one_operation(self, query: str) -> bool:
        # Parsing a document to count its operations took a bench request's largest share
        # of Python outside the compiled path (0.5-1.5 ms): a document with a plan has one.
        return self.compiler is not None and self.compiler.one_operation(query)

    def encode_json(self, data: object) -> bytes:
        """The response body; over the budget (Neo4j's estimate was low) one error instead."""
        try:
            body = orjson.dumps(data)
        except TypeError:  # an integer beyond 64 bits (a JSON scalar): the standard library's
            body = json.dumps(data, separators=(",", ":")).encode()
        limit = self.settings.max_response_bytes
        if len(body) > limit:
            error = format_error(ResponseTooLarge(limit, len(body)))
            return json.dumps({"data": None, "errors": [error]}).encode()
        return body

    def should_render_graphql_ide(self, request: Any) -> bool:
        """GraphiQL for a browser's GET, also one with a `query` (a shared link: the page
        fills it in). A client that ranks JSON at least as high as HTML (curl, fetch,
        GraphQL clients, `application/json, text/html;q=0.5`) gets the GET query's answer,
        as GraphQL over HTTP says; a GET without a query, which has no answer in JSON but
        an error, gets the page whenever HTML is acceptable at all (`*/*` too)."""
        accept = request.headers.get("accept")
        wanted = prefers_html(accept) or (
            request.query_params.get("query") is None and accepts_html(accept)
        )
        return bool(self.graphql_ide) and request.method == "GET" and wanted

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self.graphiql_html)

    async def get_context(self, request: Any, response: Any) -> Context:
        reader = Reader(request.app.state.driver, self.settings.neo4j_database,
                        self.settings.query_timeout, request.app.state.bookmarks,
                        request.app.state.readiness.hot,
                        request.app.state.readiness.gate)  # fmt: skip
        request.state.reader = reader
        context = Context(
            reader=reader,
            settings=self.settings,
            sync_driver=request.app.state.sync_driver,
            authorization=request.headers.get("authorization"),
            ingest_processes=request.app.state.ingest_processes,
        )
        request.state.context = context
        return context

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        too_large = getattr(request.state, "context", None)
        if too_large is not None and too_large.too_large is not None:
            # Nothing of a response over budget is returned, not even the parts that fit.
            return {"data": None, "errors": [format_error(too_large.too_large)]}
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            response["errors"] = [format_error(e) for e in result.errors]
        if result.extensions:
            response["extensions"] = result.extensions
        return response


ENDPOINTS = {
    "graphql": "/graphql (POST application/json; GraphiQL in a browser)",
    "healthz": "/healthz",
    "readyz": "/readyz",
    "metrics": "/metrics",
}


async def index(request: Request) -> Response:
    """What a person or a script finds at the root: browsers go to GraphiQL, the others
    get the list of endpoints."""
    if prefers_html(request.headers.get("accept")):
        return RedirectResponse("/graphql", status_code=307)
    return JSONResponse({"service": "diplograph", "endpoints": ENDPOINTS})


async def refused(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (an unknown path; a method a route does not serve: POST
    /healthz) answer JSON with a code, like every other refusal, not plain text; their
    headers (`Allow`) kept."""
    assert isinstance(exc, StarletteHTTPException)
    path = request.url.path[:200]
    headers = dict(exc.headers or {})
    if "Allow" in headers:  # (Starlette's route joins a set: "HEAD, GET" or "GET, HEAD")
        headers["Allow"] = ", ".join(sorted(m.strip() for m in headers["Allow"].split(",")))
    if exc.status_code == 404:
        message = f"no such path: {path}; the API is at /graphql"
    elif exc.status_code == 405:
        message = f"method {request.method} not allowed on {path}: use {headers.get('Allow')}"
    else:
        message = exc.detail
    code = HTTP_CODES.get(exc.status_code, "BAD_REQUEST")
    return Response(error_body(message, code), exc.status_code, headers, media_type=JSON)


class CodedCORS(CORSMiddleware):
    """Starlette's CORS; a preflight it refuses (an origin, method or header not allowed)
    answers JSON with a code, like every other refusal, not plain text."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        what = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        origin = request_headers["origin"][:100]
        message = f"CORS preflight from {origin!r} refused: {what} not allowed"
        headers = {k: v for k, v in response.headers.items()
                   if k not in ("content-length", "content-type")}  # fmt: skip
        return Response(error_body(message, "BAD_REQUEST"), 400, headers, media_type=JSON)


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


# /readyz answers from a check run in the background, never from a round trip of its own:
# under a heavy request Neo4j (or the driver's pool) may take longer than a probe should.
# Neo4j is pinged every READY_INTERVAL seconds with READY_TIMEOUT; an outage shows within
# their sum (2 s), and an answer older than READY_STALE (the checker itself stuck) is a 503.
READY_INTERVAL = 1.0
READY_TIMEOUT = 1.0
READY_STALE = READY_INTERVAL + READY_TIMEOUT + 1.0
# Young collections after this many allocations (the default is 700), older ones as usual.
GC_THRESHOLDS = (50_000, 10, 10)
# Seconds a thread may hold the interpreter while another waits for it (see the lifespan).
SWITCH_INTERVAL = 0.001
# The documents whose statements warm Neo4j's plans before any request came.
EXAMPLES = PROJECT_ROOT / "docs" / "examples"

Seed = Callable[[], Awaitable[list[tuple[str, Params]]]]


@dataclass
class Readiness:
    """The last background check of Neo4j: the error it raised (None: it answered), and
    the warm-up of Neo4j's plans that follows each time Neo4j answers after it did not
    (graph/warmup.py): ready once the first is done or out of time. A later one (Neo4j
    restarted, or only too busy to answer a check: a flood of new query shapes did that)
    re-plans while the worker stays ready: it serves as it did before the outage."""

    error: str | None = "NotCheckedYet"
    checked: float = field(default_factory=time.monotonic)
    hot: HotStatements = field(default_factory=HotStatements)
    # The statements Neo4j has plans for; a new one waits its turn (graph/warmup.py).
    gate: PlanGate = field(default_factory=PlanGate)
    # A warm-up ended once: the worker has been ready.
    warmed_once: bool = False
    warmup: Warmup = field(default_factory=Warmup)
    warmup_seconds: float = 0.0
    # Statements to warm on the first warm-up, before any request ran one (the examples).
    seed: Seed | None = None
    warming: asyncio.Task[None] | None = None

    async def check(self, driver: AsyncDriver, database: str) -> None:
        was_down = self.error is not None
        try:
            await reads.ping(driver, database, timeout=READY_TIMEOUT)
            self.error = None
        except (ServiceUnavailable, SessionExpired, Neo4jError, DriverError, OSError) as error:
            self.error = type(error).__name__
        except Exception as error:  # a bug must not end the checks: /readyz would go stale
            logger.exception("readiness check failed")
            self.error = type(error).__name__
        self.checked = time.monotonic()
        if was_down and self.error is None:
            self.start_warmup(driver, database)

    def start_warmup(self, driver: AsyncDriver, database: str) -> None:
        """Neo4j (re)started with no plan cached: plan the hot statements in the background."""
        if self.warmup_seconds <= 0:
            self.warmup.state = OFF
            return
        self.stop_warmup()
        self.warmup.state = RUNNING
        self.warming = asyncio.create_task(self._warm(driver, database))

    def stop_warmup(self) -> None:
        if self.warming is not None:
            self.warming.cancel()
            self.warming = None

    async def _warm(self, driver: AsyncDriver, database: str) -> None:
        ends = time.monotonic() + self.warmup_seconds
        statements = self.hot.hottest()  # what requests ran, the most run first
        seed, self.seed = self.seed, None
        if seed is not None:
            # Only the first time (no request yet): after a restart, what requests ran is
            # what they will run again; the examples were a guess.
            try:
                async with asyncio.timeout(self.warmup_seconds):
                    seeded = await seed()
                statements += [(c, p) for c, p in seeded if c not in self.hot]
            except TimeoutError:
                pass
            except Exception:  # a bug must not leave /readyz warming for ever
                logger.exception("reading the example statements failed")
        await warm(driver, database, statements, ends, self.warmup, self.gate)
        self.warmed_once = True

    async def watch(self, driver: AsyncDriver, database: str) -> None:
        while True:
            await asyncio.sleep(READY_INTERVAL)
            await self.check(driver, database)


async def readyz(request: Request) -> Response:
    """Neo4j answered the last background check (at most READY_STALE seconds ago) and the
    worker's first warm-up of its plans is over (done or out of time); else 503. A later
    warm-up shows in the body only."""
    readiness: Readiness = request.app.state.readiness
    age = round(time.monotonic() - readiness.checked, 3)
    warmup = readiness.warmup.report()
    if readiness.error is None and age <= READY_STALE:
        if readiness.warmup.state == RUNNING and not readiness.warmed_once:
            return JSONResponse(
                {"status": "warming", "checkedSecondsAgo": age, "warmup": warmup},
                status_code=503,
            )
        return JSONResponse({"status": "ready", "checkedSecondsAgo": age, "warmup": warmup})
    return JSONResponse(
        {"status": "unavailable", "neo4j": readiness.error or "CheckOverdue",
         "checkedSecondsAgo": age, "warmup": warmup},
        status_code=503,
    )  # fmt: skip


def example_statements(app: Starlette, graphql: GraphQLApp) -> Seed:
    """The statements of the example documents (docs/examples, when present), found on
    the compiled path without running them."""

    async def seed() -> list[tuple[str, Params]]:
        compiler = graphql.compiler
        if compiler is None or not EXAMPLES.is_dir():
            return []
        settings, sync_driver = graphql.settings, app.state.sync_driver

        def context(reader: Reader) -> Context:
            return Context(reader=reader, settings=settings, sync_driver=sync_driver)

        found: list[tuple[str, Params]] = []
        for path in sorted(EXAMPLES.glob("*.graphql")):
            found += await compiler.statements(path.read_text(encoding="utf-8"), context)
        return found

    return seed


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    graphql = GraphQLApp(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        # Mutations reuse the synchronous loader code, run in a thread pool; reads use
        # the asynchronous driver. Shared bookmarks: a read sees every earlier mutation.
        app.state.bookmarks = shared_bookmarks()
        app.state.driver = connect_async(settings, app.state.bookmarks)
        app.state.sync_driver = connect(settings, app.state.bookmarks)
        # ingestDocument's analysis is seconds of Python: in child processes, started on
        # first use, so that this process's interpreter keeps answering (services.workers).
        # Several workers share the metrics directory: admission counts all their ingests.
        shared = os.environ.get(metrics.MULTIPROC_DIR)
        app.state.ingest_processes = IngestProcesses(
            settings, app.state.bookmarks, shared=Path(shared) if shared else None
        )
        app.state.readiness = Readiness(
            warmup_seconds=settings.warmup_seconds,
            seed=example_statements(app, graphql),
            gate=PlanGate(settings.cold_statements, settings.cold_statement_wait),
        )
        await app.state.readiness.check(app.state.driver, settings.neo4j_database)
        checker = asyncio.create_task(
            app.state.readiness.watch(app.state.driver, settings.neo4j_database)
        )
        # What exists now (modules, the schema: about 110,000 objects) lives as long as the
        # process: out of the collector's way. Else every full collection, which a large
        # response's allocations set off, walks it all while holding the interpreter, on
        # the event loop or in a worker thread alike (0.03 s idle, 0.3 s on a busy machine).
        gc.collect()
        gc.freeze()
        # A request allocates thousands of short-lived objects (the driver's decoded record,
        # the shaped response), each 700 of which set off a young collection by default:
        # a tenth of a request's Python time (bench/README.md, issue 13). Collected less
        # often; what a request leaves dies with it, so the young generation stays small.
        thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        # A worker thread completing a large result (Strawberry's execution, shaping) holds
        # the interpreter; the event loop's thread takes it back only after the switch
        # interval, at each of the several waits of one request: 5 ms by default, so a probe
        # took tens of milliseconds beside such a request on a busy machine. 1 ms here.
        switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            yield
        finally:
            gc.unfreeze()  # (a test process serves many apps in turn)
            gc.set_threshold(*thresholds)
            sys.setswitchinterval(switch_interval)
            checker.cancel()
            with suppress(asyncio.CancelledError):
                await checker
            app.state.readiness.stop_warmup()
            await app.state.driver.close()
            app.state.sync_driver.close()
            app.state.ingest_processes.close()

    app = Starlette(
        routes=[
            # Every method reaches the GraphQL view, which refuses the others with a JSON 405.
            Route("/", index),
            Route("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint),
            Mount(
                "/graphiql-assets",
                GraphiQLAssets(GRAPHIQL_ASSETS, graphql.graphiql_html),
                name="graphiql-assets",
            ),
        ],
        middleware=[
            Middleware(BrowserFiles, origins=settings.browser_origins),
            *(
                [Middleware(PrivateReads, token=settings.api_token)]
                if settings.private_reads
                else []
            ),
            Middleware(metrics.BodyLimit, max_bytes=settings.max_body_bytes),
            Middleware(
                CodedCORS,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type"],
            ),
        ],
        exception_handlers={StarletteHTTPException: refused},
        lifespan=lifespan,
    )
    # No redirect from `/graphql/` to `/graphql`: Starlette builds its absolute URL from the
    # request's Host header (`Host: evil` was sent to `http://evil/graphql`). A path with a
    # slash added is a 404 like any unknown path (hostile review 13, item 4).
    app.router.redirect_slashes = False
    return app
