"""Neo4j Browser's side of the graph: the style and the guide files, and how Browser gets them.

The API serves both files (schema/browser.py); the local server's configuration
(graph/server.py) and docker-compose.yml tell Browser to fetch them on connect.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
STYLE_FILE = HERE / "browser-style.grass"
GUIDE_FILE = HERE / "browser-guide.html"
STYLE_PATH = "/neo4j-browser.grass"
GUIDE_PATH = "/neo4j-browser-guide.html"


def post_connect_commands(api_url: str) -> str:
    """Browser's `browser.post_connect_cmd`: apply the style, then open the guide."""
    return f"style {api_url}{STYLE_PATH}; play {api_url}{GUIDE_PATH}"
