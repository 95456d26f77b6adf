"""The HTTP protocol layer's limits (schema/protocol.py), over raw sockets.

Against the suite's real server (uvicorn with `server_options`, as `diplograph serve`
runs it): each refusal is a status line, a coded JSON body and a closed connection,
sent without waiting for the rest of what the client sends; requests pipelined before a
refused one are answered first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from diplograph.settings import Settings
from schema.protocol import HeldHead
from tests.conftest import LiveServer

pytestmark = pytest.mark.usefixtures("knowledge_graph")

QUERY = b'{"query": "{ people(first: 1) { totalCount } }"}'
KB = 1024


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def code(self) -> str:
        [error] = self.body["errors"]
        code: str = error["extensions"]["code"]
        return code


def port_of(api: httpx.Client) -> int:
    port = api.base_url.port
    assert port is not None
    return port


def connect(port: int, timeout: float = 10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def send(sock: socket.socket, data: bytes) -> None:
    """Sends what the server takes; it may close the connection before all of it."""
    with suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def replies(sock: socket.socket) -> Iterator[Reply]:
    """The responses on the connection until the server closes it (each has a length)."""
    buffer = b""

    def more() -> bool:
        nonlocal buffer
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return False
        buffer += chunk
        return bool(chunk)

    while True:
        while b"\r\n\r\n" not in buffer:
            if not more():
                assert not buffer, buffer[:200]
                return
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        length = int(headers["content-length"])
        while len(buffer) < length:
            assert more(), "closed inside a body"
        body, buffer = buffer[:length], buffer[length:]
        yield Reply(int(status_line.split()[1]), headers, json.loads(body))


def exchange(port: int, data: bytes, timeout: float = 10) -> tuple[list[Reply], float]:
    """Sends `data` without closing its side, reads every reply until the server closes."""
    started = time.monotonic()
    with connect(port, timeout) as sock:
        send(sock, data)
        answers = list(replies(sock))
    return answers, time.monotonic() - started


def refused(answers: list[Reply], status: int, code: str = "BAD_REQUEST") -> Reply:
    """The last reply is the refusal, JSON, coded, closing the connection."""
    reply = answers[-1]
    assert reply.status == status, reply
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["connection"] == "close"
    assert reply.code == code, reply.body
    return reply


def get(path: str = "/healthz", extra: bytes = b"") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + extra + b"\r\n"


def post_chunked(*chunks: bytes) -> bytes:
    return (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(chunks)
    )


def test_an_endless_header_line_is_refused_431_without_waiting_for_its_end(
    api: httpx.Client,
) -> None:
    """Hostile review 4: endless 1 MB header lines were buffered whole (200 connections:
    1.8 GB). The line is refused once it passes 16 KiB, while the client still sends."""
    with connect(port_of(api)) as sock:
        send(sock, get(extra=b"X-Endless: " + b"a" * (17 * KB))[:-4])  # no line end
        answers = list(replies(sock))
    reply = refused(answers, 431)
    assert "16,384" in reply.body["errors"][0]["message"]


def test_a_complete_request_with_a_2_mb_header_is_refused(api: httpx.Client) -> None:
    answers, seconds = exchange(port_of(api), get(extra=b"X-Big: " + b"b" * 2_000_000 + b"\r\n"))
    refused(answers, 431)
    assert len(answers) == 1 and seconds < 5


def test_header_lines_over_64_kib_in_all_are_refused(api: httpx.Client) -> None:
    lines = b"".join(b"X-H%d: " % i + b"c" * (15 * KB) + b"\r\n" for i in range(5))
    answers, _ = exchange(port_of(api), get(extra=lines))
    reply = refused(answers, 431)
    assert "65,536" in reply.body["errors"][0]["message"]


def test_headers_under_the_limits_are_answered(api: httpx.Client) -> None:
    lines = b"".join(b"X-H%d: " % i + b"d" * (15 * KB) + b"\r\n" for i in range(3))
    answers, _ = exchange(port_of(api), get(extra=lines + b"Connection: close\r\n"))
    assert [a.status for a in answers] == [200]
    assert answers[0].body == {"status": "ok"}


def test_a_valid_request_pipelined_before_a_414_is_answered_first(api: httpx.Client) -> None:
    """Hostile review 4: the valid request before a refused one got no answer."""
    long_target = "/graphql?query=" + "+" * 90_000
    answers, _ = exchange(port_of(api), get() + get(long_target))
    assert [a.status for a in answers] == [200, 414]
    assert answers[0].body == {"status": "ok"}
    refused(answers, 414)


def test_valid_requests_pipelined_before_a_431_and_a_bad_one_are_answered_first(
    api: httpx.Client,
) -> None:
    port = port_of(api)
    query = (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(QUERY) + QUERY
    )
    answers, _ = exchange(port, query + get() + get(extra=b"X-Big: " + b"e" * (20 * KB)))
    assert [a.status for a in answers] == [200, 200, 431], answers
    assert answers[0].body["data"]["people"]["totalCount"] > 0
    answers, _ = exchange(port, get() + b"GET / HTTP/9\r\n\r\n")
    assert [a.status for a in answers] == [200, 400]
    refused(answers, 400)


def test_a_chunk_announced_beyond_the_body_limit_is_413_at_once(api: httpx.Client) -> None:
    """Hostile review 4: a chunk size of FFFFFFFFFFFFFFFF hung the connection."""
    answers, seconds = exchange(port_of(api), post_chunked(b"FFFFFFFFFFFFFFFF\r\n"))
    reply = refused(answers, 413, "PAYLOAD_TOO_LARGE")
    assert "100,000" in reply.body["errors"][0]["message"]
    assert seconds < 2
    # Chunks adding up to more than the limit: refused at the chunk that passes it.
    chunk = b"c350\r\n" + b" " * 50_000 + b"\r\n"
    answers, _ = exchange(port_of(api), post_chunked(chunk, chunk, b"10\r\n"))
    refused(answers, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    "chunks",
    [b"zz\r\n", b"5\r\n{}{}{}{}\r\n", b"5 \r\n{}{}{\r\n", b"3\r\n{}{XX0\r\n\r\n"],
    ids=["not hex", "longer than its size", "space after size", "no CRLF after data"],
)
def test_a_malformed_chunk_is_a_coded_400(api: httpx.Client, chunks: bytes) -> None:
    answers, seconds = exchange(port_of(api), post_chunked(chunks))
    reply = refused(answers, 400)
    assert "chunk" in reply.body["errors"][0]["message"]
    assert seconds < 2


def test_a_chunked_request_is_answered(api: httpx.Client) -> None:
    """The framing follows chunks (an extension, several chunks, a trailer) as the parser
    does: a valid chunked body reaches GraphQL, and the next request on the connection too."""
    body = b"%x;ext=1\r\n%s\r\n%x\r\n%s\r\n0\r\nX-Trailer: 1\r\n\r\n" % (
        10,
        QUERY[:10],
        len(QUERY) - 10,
        QUERY[10:],
    )
    answers, _ = exchange(port_of(api), post_chunked(body) + get(extra=b"Connection: close\r\n"))
    assert [a.status for a in answers] == [200, 200], answers
    assert answers[0].body["data"]["people"]["totalCount"] > 0


def test_a_request_arriving_a_byte_at_a_time_is_answered(api: httpx.Client) -> None:
    """Every line and chunk size split across reads (CR and LF apart too) is followed."""
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(QUERY), QUERY)
    request = post_chunked(body) + get(extra=b"Connection: close\r\n")
    with connect(port_of(api)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in request:
            sock.sendall(bytes([byte]))
            time.sleep(0.001)
        answers = list(replies(sock))
    assert [a.status for a in answers] == [200, 200], answers
    assert answers[0].body["data"]["people"]["totalCount"] > 0


def test_a_websocket_upgrade_is_a_coded_400(api: httpx.Client) -> None:
    """Hostile review 4: it answered 403 in plain text (uvicorn's websocket refusal)."""
    upgrade = (
        b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: graphql-ws\r\n"
    )
    answers, _ = exchange(port_of(api), get("/graphql", upgrade))
    reply = refused(answers, 400)
    assert "WebSocket" in reply.body["errors"][0]["message"]


@pytest.fixture(scope="module")
def impatient(settings: Settings, driver: object) -> Iterator[int]:
    """The same server with head and body time limits of 1 s; its port."""
    quick = settings.model_copy(
        update={"head_timeout": 1.0, "body_timeout": 1.0, "warmup_seconds": 0.0}
    )
    with LiveServer(quick) as live:
        yield live.port


def test_a_head_not_complete_in_time_is_a_408(impatient: int) -> None:
    """Hostile review 4: a slow head was held ~30 s with no answer. A byte every 0.3 s
    does not extend the time: it counts from the head's first byte."""
    with connect(impatient) as sock:
        started = time.monotonic()
        for byte in get()[:8]:
            send(sock, bytes([byte]))
            time.sleep(0.3)
        answers = list(replies(sock))
    seconds = time.monotonic() - started
    reply = refused(answers, 408)
    assert "head" in reply.body["errors"][0]["message"]
    assert 0.9 < seconds < 3


def test_a_connection_that_sends_nothing_gets_a_408(impatient: int) -> None:
    answers, seconds = exchange(impatient, b"")
    refused(answers, 408)
    assert 0.9 < seconds < 3


def test_a_stalled_body_is_a_408_and_a_slow_one_is_answered(impatient: int) -> None:
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(QUERY)
    )
    answers, seconds = exchange(impatient, head + QUERY[:10])
    reply = refused(answers, 408)
    assert "body" in reply.body["errors"][0]["message"] and 0.9 < seconds < 3
    # A piece every 0.4 s keeps a body alive: the silence limit is on a stall (and the
    # whole body has 3 s).
    with connect(impatient) as sock:
        send(sock, head.replace(b"Host", b"Connection: close\r\nHost"))
        for i in range(0, len(QUERY), 12):
            time.sleep(0.4)
            send(sock, QUERY[i : i + 12])
        answers = list(replies(sock))
    assert [a.status for a in answers] == [200]
    assert answers[0].body["data"]["people"]["totalCount"] > 0


def test_an_idle_keep_alive_connection_gets_no_408(impatient: int) -> None:
    """After an answer, an idle connection is uvicorn's keep-alive's to close (silently):
    the head time limit starts with the next request's first byte."""
    with connect(impatient) as sock:
        send(sock, get())
        answers = replies(sock)
        assert next(answers).status == 200
        assert list(answers) == []


def post_head(extra: bytes = b"") -> bytes:
    return (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + extra
        + b"\r\n"
    )


@pytest.mark.parametrize(
    "codings",
    [
        b"Transfer-Encoding: xchunked\r\n",
        b"Transfer-Encoding: gzip\r\n",
        b"Transfer-Encoding: chunked;q=1\r\n",
        b'Transfer-Encoding: "chunked"\r\n',
        b"Transfer-Encoding: gzip, chunked\r\n",
        b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n",
    ],
    ids=["xchunked", "gzip", "chunked;q=1", "quoted", "gzip, chunked", "two headers"],
)
def test_a_transfer_encoding_other_than_chunked_alone_is_refused_at_once(
    api: httpx.Client, codings: bytes
) -> None:
    """Hostile review 5: such a body had no end the framing knew: no answer ever came, one
    connection took 3.1 GB. It is refused with its head, before the app, the body unread."""
    answers, seconds = exchange(port_of(api), post_head(codings) + b"a" * 100_000)
    assert len(answers) == 1, answers
    reply = refused(answers, 501)
    assert "Transfer-Encoding" in reply.body["errors"][0]["message"]
    assert seconds < 2
    # `chunked` twice the parser refuses itself, as soon as it reads the second.
    twice = b"Transfer-Encoding: chunked\r\n" * 2
    answers, seconds = exchange(port_of(api), post_head(twice) + b"a" * 100_000)
    assert [a.status for a in answers] == [400] and seconds < 2
    refused(answers, 400)


def test_a_get_with_an_unknown_transfer_encoding_gets_one_refusal(api: httpx.Client) -> None:
    """Hostile review 5: `GET /readyz` with `Transfer-Encoding: foo` got two responses,
    the app's 200 and then the parser's 400."""
    answers, _ = exchange(port_of(api), get("/readyz", b"Transfer-Encoding: foo\r\n"))
    assert [a.status for a in answers] == [501]
    refused(answers, 501)


def test_a_content_length_over_the_limit_is_413_without_reading_the_body(
    api: httpx.Client,
) -> None:
    """Hostile review 5: the app answered 413 but the connection stayed open and read
    5.2 GB. The head alone is refused; the request before it is answered first."""
    port = port_of(api)
    with connect(port) as sock:
        send(sock, get() + post_head(b"Content-Length: 100000000000\r\n"))
        answers = list(replies(sock))  # the server closes without waiting for a body
    assert [a.status for a in answers] == [200, 413]
    reply = refused(answers, 413, "PAYLOAD_TOO_LARGE")
    assert "100,000,000,000" in reply.body["errors"][0]["message"]
    # The app's own 413 and the protocol's say the same reason phrase.
    with connect(port) as sock:
        send(sock, post_head(b"Content-Length: 100001\r\n"))
        status_line = sock.recv(100).split(b"\r\n")[0]
    assert status_line == b"HTTP/1.1 413 Content Too Large"


def test_a_70_kb_method_is_refused_as_a_request_line(api: httpx.Client) -> None:
    answers, _ = exchange(port_of(api), b"A" * 70_000 + b" / HTTP/1.1\r\n\r\n")
    reply = refused(answers, 414)
    assert "request line" in reply.body["errors"][0]["message"]


def test_a_lone_crlf_keeps_the_head_time_limit_running(impatient: int) -> None:
    """Hostile review 5: a lone CRLF disarmed every timer (a connection open 300 s+),
    and one after an answer held the connection beyond keep-alive."""
    answers, seconds = exchange(impatient, b"\r\n")
    refused(answers, 408)
    assert 0.9 < seconds < 3
    with connect(impatient) as sock:
        send(sock, get())
        answers_after = replies(sock)
        assert next(answers_after).status == 200
        started = time.monotonic()
        send(sock, b"\r\n")
        rest = list(answers_after)
    assert [a.status for a in rest] == [408] and time.monotonic() - started < 3


def test_a_megabyte_of_leading_empty_lines_is_refused(api: httpx.Client) -> None:
    answers, seconds = exchange(port_of(api), b"\r\n" * 500_000 + get())
    reply = refused(answers, 400)
    assert "empty lines" in reply.body["errors"][0]["message"] and seconds < 2
    # A few before a request are skipped, as HTTP allows.
    answers, _ = exchange(port_of(api), b"\r\n\r\n" + get(extra=b"Connection: close\r\n"))
    assert [a.status for a in answers] == [200]


def test_a_body_trickling_in_is_a_408_at_its_deadline(impatient: int) -> None:
    """Hostile review 5: a byte every 9 s (under the silence limit) held a 99 KB body for
    days. The whole body has three times the silence limit: 3 s here."""
    with connect(impatient) as sock:
        started = time.monotonic()
        send(sock, post_head(b"Content-Length: 1000\r\n"))
        answers: list[Reply] = []
        for _ in range(20):
            time.sleep(0.3)
            try:
                sock.sendall(b" ")
            except OSError:
                break
        answers = list(replies(sock))
    reply = refused(answers, 408)
    assert "not complete within 3 s" in reply.body["errors"][0]["message"]
    assert 2.9 < time.monotonic() - started < 6.5


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_client_leaving_mid_body_logs_no_traceback(api: httpx.Client) -> None:
    """Hostile review 5: each drop logged `Exception in ASGI application` and a 48-line
    ClientDisconnect traceback (40 drops: 1,941 lines, no token needed)."""
    records = Records()
    watched = [logging.getLogger(name) for name in ("uvicorn.error", "uvicorn", "")]
    for logger in watched:
        logger.addHandler(records)
    try:
        for _ in range(3):
            with connect(port_of(api)) as sock:
                send(sock, post_head(b"Content-Length: %d\r\n" % len(QUERY)) + QUERY[:10])
                time.sleep(0.2)  # the app is waiting for the rest of the body
        time.sleep(0.5)
        answers, _ = exchange(port_of(api), get(extra=b"Connection: close\r\n"))
    finally:
        for logger in watched:
            logger.removeHandler(records)
    assert [a.status for a in answers] == [200]
    loud = [r for r in records.records if r.levelno >= logging.WARNING]
    assert loud == [], [r.getMessage() for r in loud]


class RecordingTransport(asyncio.Transport):
    """What reaches the socket: each write, and whether the connection was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


HEAD_BYTES = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_a_response_head_and_its_body_leave_in_one_write() -> None:
    async def respond() -> list[bytes]:
        sent = RecordingTransport()
        held = HeldHead(sent, asyncio.get_running_loop())
        held.write(HEAD_BYTES)
        assert sent.writes == []  # held for the body
        held.write(b"{}")
        await asyncio.sleep(0)
        return sent.writes

    assert asyncio.run(respond()) == [HEAD_BYTES + b"{}"]


def test_a_head_with_nothing_after_it_leaves_at_the_next_turn_and_before_a_close() -> None:
    async def respond() -> tuple[list[bytes], list[bytes], bool]:
        loop = asyncio.get_running_loop()
        alone, closing = RecordingTransport(), RecordingTransport()
        HeldHead(alone, loop).write(HEAD_BYTES)  # a HEAD request's answer
        held = HeldHead(closing, loop)
        held.write(HEAD_BYTES)
        held.close()
        await asyncio.sleep(0)
        return alone.writes, closing.writes, closing.closed

    assert asyncio.run(respond()) == ([HEAD_BYTES], [HEAD_BYTES], True)


def test_nothing_held_is_written_after_the_connection_is_lost() -> None:
    async def respond() -> list[bytes]:
        sent = RecordingTransport()
        held = HeldHead(sent, asyncio.get_running_loop())
        held.write(HEAD_BYTES)
        held.discard()
        await asyncio.sleep(0)
        return sent.writes

    assert asyncio.run(respond()) == []


def test_a_head_request_on_a_kept_alive_connection_is_answered(api: httpx.Client) -> None:
    """A HEAD response has no body to carry its held head out: it leaves on its own, and
    the connection serves the next request."""
    with connect(port_of(api)) as sock:
        send(sock, get().replace(b"GET", b"HEAD", 1))
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)  # (times out, an error, if the head stays held)
            assert chunk, received
            received += chunk
        assert received.startswith(b"HTTP/1.1 200"), received[:200]
        assert received.endswith(b"\r\n\r\n")
        send(sock, get(extra=b"Connection: close\r\n"))
        [reply] = replies(sock)
    assert reply.body == {"status": "ok"}
