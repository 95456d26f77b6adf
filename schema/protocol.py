"""uvicorn's HTTP protocol, with its own refusals answered in JSON like the app's.

httptools (the parser `diplograph serve` runs) refuses a request it cannot parse before
any ASGI app sees it, with a plain-text 400 "Invalid HTTP request received.". One such
request a client can send by mistake: a GET whose request target (path and query string)
is 65,536 bytes or more, which the URL parser cannot hold (its offsets are 16 bits). A
GET of up to 65,535 bytes reaches the app, and its query is parsed (and refused) there.
Here the refusals of the protocol layer get a coded JSON body like every other request
error (schema/http.py): 414 `BAD_REQUEST` for a target too long, saying what to do
instead, and 400 `BAD_REQUEST` for anything else it cannot parse.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# The longest request target httptools parses (http_parser_url keeps 16-bit offsets).
MAX_TARGET_BYTES = 65_535


class JsonErrorsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol; its 400 answer (the request did not parse) is JSON and coded."""

    def send_400_response(self, msg: str) -> None:
        if len(self.url) > MAX_TARGET_BYTES:
            status = b"HTTP/1.1 414 URI Too Long\r\n"
            message = (
                f"the request target is {len(self.url):,} bytes or more; at most "
                f"{MAX_TARGET_BYTES:,}: send a long query in a POST body"
            )
        else:
            status = b"HTTP/1.1 400 Bad Request\r\n"
            message = "the request is not valid HTTP/1.1"
        body = json.dumps({"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]})
        content = [status]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n",
            b"\r\n",
            body.encode("ascii"),
        ]
        self.transport.write(b"".join(content))
        self.transport.close()
