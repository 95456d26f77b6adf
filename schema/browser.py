"""What Neo4j Browser fetches from the API: diplograph's style and the analyst's guide.

Browser runs on another origin (the Neo4j server's HTTP port) and fetches the guide
with a CORS preflight, so these two read-only files, and nothing else, answer the
Browser origins (DIPLOGRAPH_BROWSER_ORIGINS; by default the local server's) with
`Access-Control-Allow-Origin`, independently of the API's own CORS list.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.browser import GUIDE_FILE, GUIDE_PATH, STYLE_FILE, STYLE_PATH
from schema.http import JSON, error_body

FILES = {STYLE_PATH: (STYLE_FILE, "text/plain"), GUIDE_PATH: (GUIDE_FILE, "text/html")}


class BrowserFiles:
    """Serves `/neo4j-browser.grass` and `/neo4j-browser-guide.html` to Neo4j Browser."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.origins = set(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        served = FILES.get(scope["path"]) if scope["type"] == "http" else None
        if served is None or scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        origin = request_headers.get("origin")
        headers = {"Vary": "Origin"}
        if origin in self.origins:
            headers["Access-Control-Allow-Origin"] = origin
        if scope["method"] == "OPTIONS":
            if origin in self.origins:
                headers["Access-Control-Allow-Methods"] = "GET, HEAD"
                asked = request_headers.get("access-control-request-headers")
                if asked:
                    headers["Access-Control-Allow-Headers"] = asked
                headers["Access-Control-Max-Age"] = "600"
            if origin in self.origins:
                response = Response(status_code=204, headers=headers)
            else:  # refused in JSON with a code, like every other refusal
                message = f"CORS preflight from {str(origin)[:100]!r} refused: origin not allowed"
                response = Response(error_body(message, "BAD_REQUEST"), 400, headers,
                                    media_type=JSON)  # fmt: skip
        else:
            path, media_type = served
            response = Response(path.read_text(encoding="utf-8"), media_type=media_type,
                                headers=headers)  # fmt: skip
        await response(scope, receive, send)
