"""Bearer-token checks: mutations always, queries when DIPLOGRAPH_PRIVATE_READS is set."""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send


def bearer_ok(header: str | None, expected: str | None) -> bool:
    """True when `header` is `Bearer <expected>`; compared in constant time."""
    scheme, _, given = (header or "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


class PrivateReads:
    """Refuses every /graphql request without the bearer token (HTTP 401)."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql" and scope["method"] != "OPTIONS":
            # Latin-1, as Starlette reads headers: any byte decodes (a non-UTF-8 byte in a
            # header was an unauthenticated 500, hostile review 6).
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in scope.get("headers") or []
            }
            if not bearer_ok(headers.get("authorization"), self.token):
                body = json.dumps({"errors": [{
                    "message": "this server requires 'Authorization: Bearer <token>' for reads",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }]}).encode()  # fmt: skip
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b"Bearer"),
                ]})  # fmt: skip
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
