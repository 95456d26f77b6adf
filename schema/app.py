"""The ASGI application: GraphQL at /graphql, health and readiness probes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from diplograph.settings import Settings, get_settings
from graph import reads
from graph.driver import connect_async
from schema.context import Context
from schema.query import schema


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.settings = settings

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(driver=request.app.state.driver, settings=self.settings)


async def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Neo4j answers; 503 otherwise."""
    settings: Settings = request.app.state.settings
    try:
        await reads.ping(request.app.state.driver, settings.neo4j_database)
    except (ServiceUnavailable, SessionExpired, Neo4jError, OSError) as error:
        return JSONResponse(
            {"status": "unavailable", "neo4j": type(error).__name__}, status_code=503
        )
    return JSONResponse({"status": "ready"})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.driver = connect_async(settings)
        try:
            yield
        finally:
            await app.state.driver.close()

    graphql = GraphQLApp(settings)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
