"""Every block the README and docs/*.md mark runnable runs, so the docs cannot drift.

The convention: an HTML comment `<!-- runnable -->` on the line before a fenced block;
`<!-- runnable expect="TEXT" -->` also requires TEXT in the block's output.

- `sh`: run with bash from the repository root, against the test Neo4j (NEO4J_URI)
  and the API under test: `127.0.0.1:8000` in the block stands for the API's address.
  It must exit 0.
- `graphql`: POSTed to the API; the answer must have data and no errors.
- `cypher`: run on the test Neo4j, holding the articles and curated knowledge.

The guide Neo4j Browser plays (graph/browser-guide.html) is checked the same way: each
of its queries runs, and each returns rows once the historian's sample is loaded.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from neo4j import Driver

from diplograph.settings import Settings
from graph.browser import GUIDE_FILE
from graph.repository import write_knowledge
from loaders.knowledge import read_knowledge
from tests.conftest import graphql, wipe

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r'^<!-- runnable(?: expect="([^"]*)")? -->\n```(\w+)\n(.*?)^```',
    flags=re.MULTILINE | re.DOTALL,
)
HSG_SAMPLE = ROOT / "tests" / "data" / "hsg"


@dataclass(frozen=True)
class Block:
    file: str
    line: int
    language: str
    text: str
    expect: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} ({self.language})"


def neo4j_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password,
        "NEO4J_DATABASE": settings.neo4j_database,
    }


def runnable_blocks() -> list[Block]:
    blocks = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            name = str(path.relative_to(ROOT))
            expect = html.unescape(match.group(1) or "")
            blocks.append(Block(name, line, match.group(2), match.group(3), expect))
    return blocks


BLOCKS = runnable_blocks()


def test_the_docs_mark_blocks_of_every_kind_runnable() -> None:
    kinds = {block.language for block in BLOCKS}
    assert {"sh", "graphql", "cypher"} <= kinds, kinds
    assert any(block.file == "README.md" for block in BLOCKS)
    unknown = [str(b) for b in BLOCKS if b.language not in {"sh", "graphql", "cypher"}]
    assert not unknown, f"runnable blocks in a language the test cannot run: {unknown}"


@pytest.mark.parametrize("block", BLOCKS, ids=str)
def test_runnable_block(
    block: Block, knowledge_graph: Driver, settings: Settings, api: httpx.Client
) -> None:
    if block.language == "graphql":
        body = graphql(api, block.text)
        assert "errors" not in body and body.get("data"), f"{block}: {body}"
        assert block.expect in json.dumps(body, ensure_ascii=False), f"{block}: {body}"
    elif block.language == "cypher":
        records, _, _ = knowledge_graph.execute_query(block.text, database_=settings.neo4j_database)
        assert block.expect in repr([r.data() for r in records]), block
    else:
        api_address = str(api.base_url).removeprefix("http://").rstrip("/")
        env = neo4j_env(settings)
        script = "set -euo pipefail\n" + block.text.replace("127.0.0.1:8000", api_address)
        result = subprocess.run(
            ["bash", "-c", script], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert result.returncode == 0, f"{block}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        assert block.expect in result.stdout, f"{block}: {result.stdout[-2000:]}"


def guide_queries() -> list[str]:
    text = GUIDE_FILE.read_text(encoding="utf-8")
    found = re.findall(r'<pre class="[^"]*\brunnable\b[^"]*">(.*?)</pre>', text, re.DOTALL)
    return [html.unescape(q) for q in found]


def test_every_guide_query_returns_rows(knowledge_graph: Driver, settings: Settings) -> None:
    queries = guide_queries()
    assert len(queries) == 7
    loaded = subprocess.run(
        [sys.executable, "-m", "diplograph", "load", "hsg", str(HSG_SAMPLE)],
        cwd=ROOT, env=neo4j_env(settings), capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip
    try:
        assert loaded.returncode == 0, loaded.stderr
        for query in queries:
            records, _, _ = knowledge_graph.execute_query(query, database_=settings.neo4j_database)
            assert records, f"no rows from the guide's query:\n{query}"
    finally:
        # Back to the articles and curated knowledge only, for the module's other tests.
        wipe(knowledge_graph, settings)
        write_knowledge(knowledge_graph, settings.neo4j_database, read_knowledge())
