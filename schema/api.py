"""The GraphQL schema: root types, graph types and the execution limits."""

from __future__ import annotations

import strawberry

from schema import fastpath
from schema.limits import extensions
from schema.metrics import Metrics
from schema.mutation import Mutation
from schema.query import Query
from schema.types import GRAPH_TYPES

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=list(GRAPH_TYPES.values()),
    extensions=[*extensions(), Metrics],
)
# Projected fields resolve without Strawberry's per-field wrapper (schema/fastpath.py).
fastpath.install(schema)
