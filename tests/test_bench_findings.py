"""Two API bugs the benchmark's agreement check found (bench/README.md), kept fixed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import graphql

pytestmark = pytest.mark.usefixtures("knowledge_graph")


def data(body: dict[str, Any]) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_fragments_on_connections_and_edges_are_fetched(api: httpx.Client) -> None:
    spread = """{ node(id: "craig-kelly") { ... on Person { led(first: 5) { ...Led } } } }
      fragment Led on ActorConnection { totalCount edges { ...LedEdge } }
      fragment LedEdge on ActorEdge { role node { slug name } }"""
    inline = """{ node(id: "craig-kelly") { ... on Person { led(first: 5) {
      totalCount edges { role node { slug name } } } } } }"""
    assert data(graphql(api, spread)) == data(graphql(api, inline))
    assert data(graphql(api, inline))["node"]["led"]["totalCount"] == 2


def test_timeline_entries_say_which_way_the_fact_points(api: httpx.Client) -> None:
    query = """{ timeline(of: "craig-kelly") { edges { type outgoing node { slug } } } }"""
    edges = data(graphql(api, query))["timeline"]["edges"]
    assert edges and all(isinstance(e["outgoing"], bool) for e in edges)


def test_total_count_counts_the_edges_a_connection_lists(api: httpx.Client) -> None:
    # Craig Kelly both LED and was a MEMBER_OF each U.S. delegation: two edges to one node.
    query = """{ node(id: "craig-kelly") { ... on Person {
      relationships(first: 50) { totalCount edges { type node { slug } } } } } }"""
    relationships = data(graphql(api, query))["node"]["relationships"]
    targets = [e["node"]["slug"] for e in relationships["edges"]]
    assert len(set(targets)) < len(targets)
    assert relationships["totalCount"] == len(targets)
