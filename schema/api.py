"""The GraphQL schema: root types, graph types and the execution limits."""

from __future__ import annotations

import logging
from datetime import date

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.errors import error_code, is_client_error
from schema.limits import extensions
from schema.metrics import Metrics
from schema.mutation import Mutation
from schema.query import Query
from schema.types import DATE, GRAPH_TYPES

logger = logging.getLogger("diplograph.graphql")
# A client's message may quote its input: the log line keeps this much of it, on one line.
MAX_LOGGED = 300


class Schema(strawberry.Schema):
    """Strawberry's schema, logging a client's mistake in one line, a bug with its traceback."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        internal = [e for e in errors if not is_client_error(e)]
        for error in errors:
            if is_client_error(error):
                code = (error.extensions or {}).get("code") or error_code(error)
                message = " ".join(error.message.split())[:MAX_LOGGED]
                logger.warning("%s: %s", code, message)
        if internal:
            super().process_errors(internal, execution_context)


schema = Schema(
    query=Query,
    mutation=Mutation,
    types=list(GRAPH_TYPES.values()),
    extensions=[*extensions(), Metrics],
    scalar_overrides={date: DATE},
)
