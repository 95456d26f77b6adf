"""uvicorn's HTTP protocol, with limits on what a connection may hold and coded JSON refusals.

httptools (the parser `diplograph serve` runs) keeps a request's head in memory until it
is complete, with no limit: 200 connections sending endless 1 MB header lines grew the
workers to 1.8 GB, and a request with a 2 MB header was answered. It waits for ever for a
head or body that does not come (a slow client held a connection ~30 s with no answer),
and for a chunk announced as 2^64 bytes. Its own refusals were plain text.

Here the bytes of each request are followed as they arrive, before the parser gets them
(`Framing`): the request line, each header line and the head as a whole, the body by its
`Content-Length` or its chunks. Over a limit the request is refused at once, with nothing
more read, in JSON like every other request error (schema/http.py), and the connection
closes:

* 414: a request target (path and query) over 65,535 bytes (httptools' URL parser
  keeps 16-bit offsets);
* 431: a header line over 16 KiB, or header lines over 64 KiB in all;
* 408: a head not complete `DIPLOGRAPH_HEAD_TIMEOUT` seconds after its first byte (or
  after the connection opened; the empty lines a client may send before a request line
  count as its first bytes), no byte of a body for `DIPLOGRAPH_BODY_TIMEOUT`, or a body
  not complete within three times that;
* 413: a `Content-Length` over `DIPLOGRAPH_MAX_BODY_BYTES` (refused with the head, the
  body never read), a chunk announced larger than a body may be, or chunks adding up to
  more;
* 501: a `Transfer-Encoding` other than `chunked` alone (one header, one coding): the
  parser would not know where such a body ends;
* 400: anything that does not parse (a malformed chunk among them), over 64 KiB of
  empty lines before a request line, and a protocol upgrade (WebSocket).

Requests sent before the refused one on the same connection (pipelined) are answered
first, then the refusal. A response's head and body leave in one write (`HeldHead`).
`server_options` is how `diplograph serve` and the tests' server both run uvicorn.
"""

from __future__ import annotations

import asyncio
from asyncio.events import TimerHandle
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from diplograph.settings import Settings
from schema.http import error_body

# The longest request target httptools parses (http_parser_url keeps 16-bit offsets).
MAX_TARGET_BYTES = 65_535
# A request line is its target and at most this much more (method, version, spaces, CRLF).
REQUEST_LINE_EXTRA = 64
MAX_HEADER_LINE = 16 * 1024
MAX_HEAD = 64 * 1024

# Where in a request the bytes arriving are.
HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER = range(6)
HEX = frozenset(b"0123456789abcdefABCDEF")
# The status lines of the refusals, with RFC 9110's reason phrases (Python 3.11's
# http.HTTPStatus still has RFC 2616's "Request-URI Too Long").
STATUS_LINES = {
    400: b"HTTP/1.1 400 Bad Request\r\n",
    408: b"HTTP/1.1 408 Request Timeout\r\n",
    413: b"HTTP/1.1 413 Content Too Large\r\n",
    414: b"HTTP/1.1 414 URI Too Long\r\n",
    431: b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
    501: b"HTTP/1.1 501 Not Implemented\r\n",
}
# The app's own 413 (schema/metrics.py, BodyLimit) goes out with uvicorn's status line,
# Python's "Request Entity Too Large": the same status gets the same reason phrase.
httptools_impl.STATUS_LINE[413] = STATUS_LINES[413]
# A body, however slowly it arrives, is complete within this many times the silence allowed.
BODY_DEADLINE_FACTOR = 3


@dataclass(frozen=True)
class Limits:
    head_timeout: float = 10.0
    body_timeout: float = 10.0
    max_body_bytes: int = 100_000
    max_header_line: int = MAX_HEADER_LINE
    max_head: int = MAX_HEAD

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.head_timeout, settings.body_timeout, settings.max_body_bytes)

    @property
    def body_deadline(self) -> float:
        return self.body_timeout * BODY_DEADLINE_FACTOR


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options that `diplograph serve` runs with (and the tests' server).

    `ws="none"`: a WebSocket upgrade is an HTTP request, refused by the protocol; `http`
    is a partial (not a subclass made here) so that spawned workers can unpickle it."""
    return {
        "http": partial(JsonErrorsProtocol, limits=Limits.of(settings)),
        "ws": "none",
        "loop": "uvloop",
        "proxy_headers": False,
    }


class Refusal(Exception):
    """A request refused by the protocol layer: its status, message and code."""

    def __init__(self, status: int, message: str, code: str = "BAD_REQUEST") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code

    def response(self, default_headers: list[tuple[bytes, bytes]]) -> bytes:
        body = error_body(self.message, self.code)
        content = [STATUS_LINES[self.status]]
        for name, value in default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n",
            b"\r\n",
            body,
        ]
        return b"".join(content)


def too_large(limits: Limits, size: int, what: str) -> Refusal:
    return Refusal(
        413,
        f"{what} of {size:,} bytes: a request body may be at most {limits.max_body_bytes:,}",
        "PAYLOAD_TOO_LARGE",
    )


class Framing:
    """Where a connection's byte stream is (head, body by length, chunks), and the limits.

    It only finds boundaries and counts: httptools still parses every byte and decides
    what is valid; this refuses, early, what would be too big or never end."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.state = HEAD
        self.line = bytearray()  # the current line, kept only while in a chunk's framing
        self.line_bytes = 0  # bytes of the current head line so far
        self.head_bytes = 0  # bytes of the current head's header (or leading empty) lines
        self.request_line = False  # the current head's request line is complete
        self.cr = False  # the bytes before ended in a CR
        self.remaining = 0  # body or chunk bytes still to come
        self.body_bytes = 0  # chunk sizes announced so far

    @property
    def started(self) -> bool:
        """Bytes of a request have come that do not yet make it complete."""
        return self.state != HEAD or self.line_bytes > 0 or self.request_line or self.head_bytes > 0

    def scan(self, data: bytes, start: int) -> tuple[int, bool]:
        """The offset up to which `data` may go to the parser next, and whether a head
        ends there (the parser then tells the body's framing: `body`); `Refusal` if a
        limit is passed before it."""
        if self.state == HEAD:
            return self._head(data, start)
        end = len(data)
        pos = start
        while pos < end and self.state != HEAD:
            pos = self._body(data, pos)
        return pos, False

    def body(self, length: int | None, chunked: bool) -> None:
        """The head just parsed announces this body (none: the next head follows)."""
        self.line_bytes = self.head_bytes = 0
        self.request_line = False
        self.body_bytes = 0
        if chunked:
            self.state = CHUNK_SIZE
        elif length:
            self.state, self.remaining = LENGTH, length

    def _head(self, data: bytes, start: int) -> tuple[int, bool]:
        pos = start
        while True:
            newline = data.find(b"\n", pos)
            end = len(data) if newline == -1 else newline + 1
            self.line_bytes += end - pos
            if self.request_line:
                self.head_bytes += end - pos
            self._check_head_line()
            if newline == -1:
                self.cr = data.endswith(b"\r")
                return end, False
            # An empty line (CRLF; a bare LF the parser refuses) ends a head.
            before = data[newline - 1 : newline] == b"\r" if newline > pos else self.cr
            empty = self.line_bytes == 1 or (self.line_bytes == 2 and before)
            pos = end
            if empty and self.request_line:
                self.line_bytes = 0
                return end, True
            if empty:
                # The parser skips empty lines before a request line; they are bytes a
                # client sent all the same, and keep the head's time limit running.
                self.head_bytes += self.line_bytes
                if self.head_bytes > self.limits.max_head:
                    raise Refusal(
                        400,
                        f"over {self.limits.max_head:,} bytes of empty lines before a request line",
                    )
            self.line_bytes = 0
            if not self.request_line and not empty:
                self.request_line = True
                self.head_bytes = 0  # the header lines' limit counts from here

    def _check_head_line(self) -> None:
        if not self.request_line:
            limit = MAX_TARGET_BYTES + REQUEST_LINE_EXTRA
            if self.line_bytes > limit:
                raise Refusal(
                    414,
                    f"the request line is over {limit:,} bytes; its target may be at most "
                    f"{MAX_TARGET_BYTES:,}: send a long query in a POST body",
                )
            return
        limit = self.limits.max_header_line
        if self.line_bytes > limit:
            raise Refusal(431, f"a header line of over {limit:,} bytes: at most {limit:,} each")
        limit = self.limits.max_head
        if self.head_bytes > limit:
            raise Refusal(431, f"header lines of over {limit:,} bytes in all: at most {limit:,}")

    def _body(self, data: bytes, pos: int) -> int:
        if self.state in (LENGTH, CHUNK_DATA):
            take = min(self.remaining, len(data) - pos)
            self.remaining -= take
            if not self.remaining:
                self.state = HEAD if self.state == LENGTH else CHUNK_END
            return pos + take
        newline = data.find(b"\n", pos)
        end = len(data) if newline == -1 else newline + 1
        self.line += data[pos:end]
        if self.state == TRAILER:
            self._trailer_line(newline != -1)
        elif self.state == CHUNK_END:
            if len(self.line) > 2 or (newline != -1 and self.line != b"\r\n"):
                raise Refusal(400, "a chunk of the request body does not end where its size says")
            if newline != -1:
                self.line.clear()
                self.state = CHUNK_SIZE
        else:
            self._size_line(newline != -1)
        return end

    def _size_line(self, complete: bool) -> None:
        digits = bytes(self.line).split(b";", 1)[0].rstrip(b"\r\n")
        if (complete and not digits) or any(c not in HEX for c in digits):
            raise Refusal(400, "a chunk size of the request body is not a hexadecimal number")
        size = int(digits, 16) if digits else 0
        if size > self.limits.max_body_bytes:
            raise too_large(self.limits, size, "a chunk")
        if len(self.line) > self.limits.max_header_line:
            raise Refusal(400, "a chunk size line of the request body is too long")
        if not complete:
            return
        self.line.clear()
        self.body_bytes += size
        if self.body_bytes > self.limits.max_body_bytes:
            raise too_large(self.limits, self.body_bytes, "chunks")
        self.state, self.remaining = (CHUNK_DATA, size) if size else (TRAILER, 0)

    def _trailer_line(self, complete: bool) -> None:
        if len(self.line) > self.limits.max_header_line:
            raise Refusal(431, f"a trailer line of over {self.limits.max_header_line:,} bytes")
        if not complete:
            return
        self.head_bytes += len(self.line)
        if self.head_bytes > self.limits.max_head:
            raise Refusal(431, f"trailer lines of over {self.limits.max_head:,} bytes in all")
        empty = bytes(self.line) in (b"\r\n", b"\n")
        self.line.clear()
        if empty:
            self.state, self.head_bytes = HEAD, 0


class HeldHead:
    """A connection's transport as its responses see it: a response head is held until
    the body's first bytes follow, and both leave in one write.

    uvicorn writes a head as soon as the app starts its response, and the body apart: two
    writes for every response, each a system call that wakes the client and, on loopback,
    runs the receiving side's TCP work in this process. One write instead: a request's
    writes 3 -> 2 (strace, the Neo4j one included), 2-3 % less worker CPU per small
    request (bench/README.md, issue 13v). The body follows in the same turn of the event
    loop (Starlette's `Response` sends both without waiting); should nothing follow (a
    HEAD request), the head leaves at the loop's next turn. Every write and close of the
    connection (uvicorn's, the refusals') passes here, so nothing overtakes a held head.
    Anything else is the transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self.loop = loop
        self.held: bytes | None = None
        self.release: asyncio.Handle | None = None

    def write(self, data: bytes) -> None:
        if self.held is not None:
            data = self.held + data
            self._forget()
        elif data.endswith(b"\r\n\r\n"):  # a head (or a chunked body's end): hold it
            self.held = data
            self.release = self.loop.call_soon(self.flush)
            return
        self.transport.write(data)

    def flush(self) -> None:
        if self.held is not None:
            data = self.held
            self._forget()
            self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def discard(self) -> None:
        """The connection is gone: nothing held is sent."""
        self._forget()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)

    def _forget(self) -> None:
        if self.release is not None:
            self.release.cancel()
        self.held = self.release = None


def target_too_long(size: int) -> Refusal:
    return Refusal(
        414,
        f"the request target is {size:,} bytes or more; at most "
        f"{MAX_TARGET_BYTES:,}: send a long query in a POST body",
    )


class JsonErrorsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with `Framing`'s limits, time limits and coded JSON refusals."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        limits: Limits | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = limits or Limits()
        self.framing = Framing(self.limits)
        self.stopped = False  # a request was refused: nothing more is read
        self.refusal: bytes | None = None  # sent once earlier requests are answered
        self.timer: TimerHandle | None = None
        self.head_timing = False  # `timer` is the head's
        self.deadline: TimerHandle | None = None  # the current body's whole time

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # Everything on the connection writes and closes through it, in order.
        super().connection_made(cast(asyncio.Transport, HeldHead(transport, self.loop)))
        self._arm(self.limits.head_timeout, self._head_timeout, head=True)

    def connection_lost(self, exc: Exception | None) -> None:
        cast(HeldHead, self.transport).discard()
        self._disarm()
        self._end_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.stopped:
            return
        self._unset_keepalive_if_required()
        pos = 0
        while pos < len(data) and not self.stopped:
            try:
                end, head_complete = self.framing.scan(data, pos)
            except Refusal as refusal:
                self.refuse(refusal)
                return
            try:
                self.parser.feed_data(data[pos:end])
            except httptools.HttpParserUpgrade:  # refused in on_headers_complete
                return
            except httptools.HttpParserError as error:
                cause = error.__context__
                self.refuse(cause if isinstance(cause, Refusal) else self._unparsable())
                return
            if head_complete:
                self._disarm()  # the head's timer; the body's is armed below
                self._end_deadline()
                if self.framing.state != HEAD:
                    self.deadline = self.loop.call_later(
                        self.limits.body_deadline, self._body_deadline
                    )
            pos = end
        if self.stopped:
            return
        if self.framing.state != HEAD:
            self._arm(self.limits.body_timeout, self._body_timeout)  # from the last byte
            return
        self._end_deadline()  # the body, if there was one, is complete
        if not self.framing.started:
            self._disarm()  # between requests: uvicorn's keep-alive timeout applies
        elif not self.head_timing:
            # From the head's first byte (or the connection's opening: that timer runs on).
            self._arm(self.limits.head_timeout, self._head_timeout, head=True)

    def _unparsable(self) -> Refusal:
        url = getattr(self, "url", b"")  # set by the parser's first callback
        if len(url) > MAX_TARGET_BYTES:
            return target_too_long(len(url))
        if self.framing.state != HEAD:
            return Refusal(400, "the request body's chunked encoding is not valid")
        return Refusal(400, "the request is not valid HTTP/1.1")

    def on_headers_complete(self) -> None:
        if self.parser.should_upgrade():
            raise Refusal(
                400,
                "protocol upgrades (WebSocket) and CONNECT are not supported: "
                "send each GraphQL request as an HTTP POST to /graphql",
            )
        length: int | None = None
        codings = [value for name, value in self.headers if name == b"transfer-encoding"]
        for name, value in self.headers:
            if name == b"content-length":
                length = int(value)  # httptools has checked it is a number
        chunked = bool(codings)
        if codings and (len(codings) > 1 or codings[0].strip().lower() != b"chunked"):
            # httptools reads such a body to the connection's end (or not at all) while
            # the app has the request: no answer ever came. Only `chunked` says where it ends.
            given = b", ".join(codings).decode("latin-1")[:100]
            raise Refusal(
                501,
                f"Transfer-Encoding '{given}' is not supported: send the body with "
                "Content-Length, or with Transfer-Encoding: chunked alone",
            )
        if length is not None and length > self.limits.max_body_bytes:
            raise Refusal(
                413,
                f"the request body exceeds {self.limits.max_body_bytes:,} bytes: its "
                f"Content-Length is {length:,}",
                "PAYLOAD_TOO_LARGE",
            )
        super().on_headers_complete()
        self.framing.body(length, chunked)

    def refuse(self, refusal: Refusal) -> None:
        """Answer `refusal` and close: at once, or after the requests before it."""
        self.stopped = True
        self._disarm()
        self._end_deadline()
        response = refusal.response(self.server_state.default_headers)
        cycle = self.cycle
        if self.framing.state != HEAD and cycle is not None:
            # The body of the latest request failed: that request is the one refused.
            queued = [(c, a) for c, a in self.pipeline if c is cycle]
            if queued:
                self.pipeline.remove(queued[0])
            elif cycle.response_started:
                # Its app answered already (or is answering): nothing more to say.
                if cycle.response_complete:
                    self.transport.close()
                else:
                    cycle.keep_alive = False
                return
            cycle.disconnected = True  # its app, if running, sees the client gone
            cycle.message_event.set()
        self.refusal = response
        self._send_refusal_when_idle()

    def _send_refusal_when_idle(self) -> None:
        cycle = self.cycle
        busy = self.pipeline or (
            cycle is not None and not cycle.response_complete and not cycle.disconnected
        )
        if self.refusal is None or busy or self.transport.is_closing():
            return
        self.transport.write(self.refusal)
        self.refusal = None
        self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._send_refusal_when_idle()

    def _head_timeout(self) -> None:
        self.timer, self.head_timing = None, False
        if not self.stopped and self.framing.state == HEAD:
            seconds = self.limits.head_timeout
            self.refuse(Refusal(408, f"the request head was not complete within {seconds:g} s"))

    def _body_timeout(self) -> None:
        self.timer = None
        if self.stopped or self.framing.state == HEAD:
            return
        if self._app_behind():
            self._arm(self.limits.body_timeout, self._body_timeout)
            return
        seconds = self.limits.body_timeout
        self.refuse(Refusal(408, f"no byte of the request body came for {seconds:g} s"))

    def _body_deadline(self) -> None:
        self.deadline = None
        if self.stopped or self.framing.state == HEAD:
            return
        if self._app_behind():
            self.deadline = self.loop.call_later(self.limits.body_timeout, self._body_deadline)
            return
        seconds = self.limits.body_deadline
        self.refuse(Refusal(408, f"the request body was not complete within {seconds:g} s"))

    def _app_behind(self) -> bool:
        """The app reads no more yet, or has not asked for the body a client sending
        `Expect: 100-continue` holds back: the client is not the one to blame."""
        cycle = self.cycle
        return self.flow.read_paused or (cycle is not None and cycle.waiting_for_100_continue)

    def _end_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
        self.deadline = None

    def _arm(self, seconds: float, callback: Callable[[], None], head: bool = False) -> None:
        self._disarm()
        self.timer = self.loop.call_later(seconds, callback)
        self.head_timing = head

    def _disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer, self.head_timing = None, False
