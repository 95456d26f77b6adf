"""Hypothesis strategies for the schema's custom scalars (JSON, Date), for schemathesis.

JSON values are either arbitrary JSON or shaped like `upsertKnowledge` facts (with
ids that carry Cypher syntax), so the mutation's validation is what gets fuzzed.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from graphql.language import ast
from hypothesis import strategies as st


def to_ast(value: Any) -> ast.ValueNode:
    """A Python JSON value as a GraphQL literal."""
    if value is None:
        return ast.NullValueNode()
    if isinstance(value, bool):
        return ast.BooleanValueNode(value=value)
    if isinstance(value, int):
        return ast.IntValueNode(value=str(value))
    if isinstance(value, float):
        return ast.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return ast.StringValueNode(value=value)
    if isinstance(value, list):
        return ast.ListValueNode(values=tuple(to_ast(v) for v in value))
    fields = tuple(
        ast.ObjectFieldNode(name=ast.NameNode(value=k), value=to_ast(v)) for k, v in value.items()
    )
    return ast.ObjectValueNode(fields=fields)


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=12,
)
IDS = st.sampled_from(
    ["cuba", "craig-kelly", "united-states", "", "' OR 1=1 //", "a}) DETACH DELETE n //"]
) | st.text(max_size=15)
SOURCES = st.fixed_dictionaries({"document": IDS, "quote": st.text(max_size=20)})
ENTITY = st.fixed_dictionaries(
    {"id": IDS, "kind": st.sampled_from(["Person", "Country", "Meeting", "Nope"]),
     "name": st.text(max_size=20)},
    optional={"sources": st.lists(SOURCES, max_size=2),
              "aliases": st.lists(st.text(max_size=10), max_size=2)},
)  # fmt: skip
RELATIONSHIP = st.fixed_dictionaries(
    {"type": st.sampled_from(["MEMBER_OF", "LED", "ATTENDED", "NOPE"]), "from": IDS, "to": IDS},
    optional={"sources": st.lists(SOURCES, max_size=2)},
)
FACTS = st.fixed_dictionaries(
    {},
    optional={
        "entities": st.lists(ENTITY, max_size=3),
        "relationships": st.lists(RELATIONSHIP, max_size=3),
    },
)
DATES = st.dates().map(lambda d: d.isoformat()) | st.text(max_size=12)


def register_scalars() -> None:
    schemathesis.graphql.scalar("JSON", (FACTS | JSON_VALUES).map(to_ast))
    schemathesis.graphql.scalar("Date", DATES.map(to_ast))
