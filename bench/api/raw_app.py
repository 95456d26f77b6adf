"""The floor: each operation's hand-written Cypher over HTTP, with no GraphQL layer.

`POST /raw/<operation>` with the statement's parameters as a JSON object answers
`{"data": {<root field>: ...}}`, the very JSON diplograph's API gives for that
operation. Same transport as the API (uvicorn, the same workers), same async driver,
and the same way of sending a read: auto-commit (RUN and PULL in one round trip), as
diplograph's `Reader` does since issue 13s, so the floor is not raised by a protocol
difference.

    uvicorn bench.api.raw_app:create_app --factory
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from neo4j import READ_ACCESS, Query
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.api.operations import BY_NAME
from diplograph.settings import get_settings
from graph.driver import connect_async


def create_app() -> Starlette:
    settings = get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.driver = connect_async(settings)
        try:
            yield
        finally:
            await app.state.driver.close()

    async def run(request: Request) -> Response:
        op = BY_NAME.get(request.path_params["op"])
        if op is None:
            return Response(
                b'{"errors":[{"message":"unknown operation"}]}',
                status_code=404,
                media_type="application/json",
            )
        params = json.loads(await request.body() or b"{}")
        async with request.app.state.driver.session(
            database=settings.neo4j_database, default_access_mode=READ_ACCESS
        ) as session:
            result = await session.run(Query(op.raw, timeout=settings.query_timeout), params)
            records = (await result.to_eager_result()).records
        data = records[0]["data"] if records else None
        body = json.dumps({"data": {op.root: data}}, separators=(",", ":"))
        return Response(body.encode(), media_type="application/json")

    async def ready(request: Request) -> Response:
        return Response(b"{}", media_type="application/json")

    return Starlette(
        routes=[
            Route("/raw/{op}", run, methods=["POST"]),
            Route("/healthz", ready, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
