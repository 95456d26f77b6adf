"""A small integration script: read with a query, write with a mutation.

DIPLOGRAPH_URL=http://127.0.0.1:8000 DIPLOGRAPH_API_TOKEN=... \
    .venv/bin/python docs/examples/client.py
"""

from __future__ import annotations

import os
from typing import Any

import httpx


class DiplographClient:
    """GraphQL over HTTP with httpx; raises on GraphQL errors, with their codes."""

    def __init__(self, url: str, token: str | None = None) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=url, headers=headers, timeout=30)

    def execute(self, query: str, **variables: Any) -> Any:
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        body = response.json()
        if body.get("errors"):
            details = "; ".join(
                f"{e['extensions'].get('code')}: {e['message']}" for e in body["errors"]
            )
            raise RuntimeError(details)
        return body["data"]

    def leaders(self, delegation: str) -> list[tuple[str, str | None, str]]:
        """(person, title, quote) for everyone who led a delegation."""
        data = self.execute(
            """query($id: ID!) { node(id: $id) { ... on Delegation {
                 leaders { edges { title node { name } sources { quote } } } } } }""",
            id=delegation,
        )
        return [
            (e["node"]["name"], e["title"], e["sources"][0]["quote"])
            for e in data["node"]["leaders"]["edges"]
        ]

    def add_person(self, slug: str, name: str, document: str, quote: str) -> Any:
        facts = {"entities": [{"id": slug, "kind": "Person", "name": name,
                               "sources": [{"document": document, "quote": quote}]}]}  # fmt: skip
        return self.execute(
            "mutation($facts: JSON!) { upsertKnowledge(facts: $facts) "
            "{ created { label count } updated { label count } } }",
            facts=facts,
        )["upsertKnowledge"]


if __name__ == "__main__":
    client = DiplographClient(
        os.environ.get("DIPLOGRAPH_URL", "http://127.0.0.1:8000"),
        os.environ.get("DIPLOGRAPH_API_TOKEN"),
    )
    for person, title, quote in client.leaders("us-delegation-washington-2010"):
        print(f"{person} ({title}): “{quote}”")
