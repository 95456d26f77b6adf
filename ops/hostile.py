"""Issue 11's hostile reproductions against a running API, with /readyz polled meanwhile.

    .venv/bin/python -m ops.hostile URL [--pid PID] [--only NAME ...] [--fanout 6]
        [--copies N] [--token TOKEN]

For each reproduction it prints the HTTP status, the error codes, the response size,
the time taken, the slowest `/readyz` answer seen while it ran (polled every 20 ms
from another thread) and, with --pid, the server's peak resident memory. `--copies N`
sends N of each at once. The `raw: ...` cases speak HTTP over a socket of their own
(endless or slow heads, stalled or huge chunked bodies, an upgrade, pipelining) and
print the statuses each connection got, how many the server closed, and, with --pid,
the server's memory before and after.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import random
import re
import select
import socket
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import httpx
from graphql import get_introspection_query


def _cursor(offset: int) -> str:
    return base64.b64encode(f"cursor:{offset}".encode()).decode()


def fragment_fanout(levels: int = 8, spreads: int = 10, base: str = "name") -> str:
    """Named fragments, each spreading the previous one `spreads` times (issue 11, item 1)."""
    fragments = [f"fragment F1 on Person {{ {base} }}"]
    for level in range(2, levels + 1):
        inner = " ".join(f"...F{level - 1}" for _ in range(spreads))
        fragments.append(f"fragment F{level} on Person {{ {inner} }}")
    operation = "{ people(first: 1) { edges { node { ...F" + str(levels) + " } } } }"
    return operation + " " + " ".join(fragments)


# Invented names, bodies and places, split once (a list per line would be longer to read).
_WORDS = {
    "given": """Amara Bruno Chen Dmitri Elena Farid Greta Hiroshi Ingrid Jamal Katarina Luis
        Mei Nikolai Olga Pedro Quentin Rania Sven Tariq Ursula Viktor Wen Ximena Yusuf Zofia""",
    "family": """Abara Bergstrom Castellanos Dumont Eriksen Fontaine Galdos Hakimi Ivanova
        Jensen Kowalski Lindqvist Moreau Nakamura Okonkwo Petrov Quispe Rossi Santos Tanaka
        Uribe Vasquez Weber Xu Yilmaz Zielinski""",
    "title": """Foreign_Minister Ambassador Deputy_Secretary Special_Envoy Trade_Minister
        Prime_Minister Undersecretary Director_General""",
    "place": "Lisbon Oslo Nairobi Jakarta Warsaw Hanoi Accra Montevideo Tbilisi Manila",
    "body": """Northern_Fisheries_Council Regional_Water_Commission Coastal_Shipping_Board
        Andean_Trade_Forum Baltic_Energy_Council""",
    "month": "January February March April May June July August September October",
}
_GIVEN, _FAMILY, _TITLES, _PLACES, _BODIES, _MONTHS = (
    [w.replace("_", " ") for w in words.split()] for words in _WORDS.values()
)


def names_heavy_text(chars: int = 95_000, seed: int = 11) -> str:
    """An invented article of about `chars` characters that is mostly titled names, bodies,
    places and dates (issue-11c: such a text of 95 KB held an API worker 68 s)."""
    pick = random.Random(seed).choice

    def person() -> str:
        return f"{pick(_TITLES)} {pick(_GIVEN)} {pick(_FAMILY)}"

    paragraphs = ["Regional Envoys Meet In Lisbon On Fisheries And Water"]
    size = len(paragraphs[0])
    while size < chars:
        sentences = [
            f"{person()} met {person()} of the {pick(_BODIES)} in {pick(_PLACES)} on "
            f"{pick(_MONTHS)} {random.Random(size).randint(1, 28)}, 2013.",
            f"{pick(_GIVEN)} {pick(_FAMILY)} said the {pick(_BODIES)} would meet "
            f"{person()} in {pick(_PLACES)} again.",
            f"The delegation, led by {person()}, included {pick(_GIVEN)} {pick(_FAMILY)} "
            f"and {pick(_GIVEN)} {pick(_FAMILY)}.",
        ]
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:chars].rsplit(".", 1)[0] + "."


TEXTS = 'meetings(first:100, where:{dateFrom:"2015-01-01"}){edges{node{sources{document{text}}}}}'
# 100 countries x 100 meetings held: about 550 KB of many small values.
BIG = (
    "countries(first: 100) {DIRECTIVE} {{ edges {{ node {{ name slug meetingsHeld(first: 100) "
    "{{ edges {{ node {{ id name slug kind date {{ value }} }} }} }} }} }} }}"
)
# A root that fails on its cursor before any statement runs.
BAD_CURSOR = 'bad: node(id: "cuba") { ... on Country { meetings(after: "x") { totalCount } } }'
# A root Neo4j takes long over (99 text filters; planned anew the first time).
SLOW = "slow: people(where: {OR: [" + ", ".join(f'{{text: "zq{i}"}}' for i in range(99)) + "]})"
ORS = ", ".join(f'{{text: "zz{i}"}}' for i in range(1000))

# 24 words, 183 characters (a search text is at most 200).
FUZZY_WORDS = (
    "talks meets visit state foreign minister secretary ambassador united nations council "
    "office affairs agreement trade security border migration refugee visas embassy consul "
    "envoy summit"
)


def _upsert(entity: dict[str, Any]) -> dict[str, Any]:
    """An `upsertKnowledge` of one entity, sourced by a real quote of a seed article."""
    source = {
        "document": "committed-to-safe-and-legal-cuban-migration",
        "quote": "has headed the delegation on the Cuban side",
    }
    return {
        "query": "mutation($f: JSON!) { upsertKnowledge(facts: $f) { updated { label count } } }",
        "variables": {"f": {"entities": [entity | {"sources": [source]}]}},
    }


CASES: dict[str, Callable[[argparse.Namespace], Any]] = {
    "fragment fan-out": lambda a: {"query": fragment_fanout(a.fanout)},
    "fragment fan-out 10^7": lambda a: {"query": fragment_fanout(8)},
    # Under the cost limit (4,916) but 4,916 fields to expand: it held the event loop 5 s.
    "fragment fan-out 4x17": lambda a: {"query": fragment_fanout(4, 17)},
    "30 __schema aliases": lambda a: {
        "query": "{"
        + " ".join(
            f"a{i}: __schema {{ types {{ name fields {{ name type {{ name "
            "ofType { name } } } } }"
            for i in range(30)
        )
        + "}"
    },
    "110-byte text query": lambda a: {"query": "{" + TEXTS + "}"},
    "30 aliases of it": lambda a: {
        "query": "{" + " ".join(f"a{i}: {TEXTS}" for i in range(30)) + "}"
    },
    # Under the cost limit (30 x 3 meetings' documents), over the response budget: ~15 MB.
    "30 aliases, small pages": lambda a: {
        "query": "{"
        + " ".join(f"a{i}: {TEXTS.replace('first:100', 'first:3')}" for i in range(30))
        + "}"
    },
    # The heaviest requests the limits accept (docs/operations.md).
    "worst: texts near the response budget": lambda a: {
        "query": "{" + TEXTS.replace("first:100", "first:23") + "}"
    },
    "worst: cost near the budget, small fields": lambda a: {
        "query": "{ people(first: 100) { edges { node { name slug aliases description "
        "positions(first: 40) { edges { title node { name slug } } } "
        "meetings(first: 40) { edges { node { name } } } } } } }"
    },
    "worst: many small values": lambda a: {
        "query": "{ countries(first: 100) { edges { node { name slug "
        "meetingsHeld(first: 100) { edges { node { id name slug kind "
        "date { value } } } } } } } }"
    },
    "worst: neighborhood depth 3": lambda a: {
        "query": '{ neighborhood(id: "cuba", depth: 3, limit: 500) { nodes { name slug aliases } '
        "edges { from to type } } }"
    },
    # Directives and coded errors once made the big read fall back to graphql-core's
    # completion (the event loop held 1.2 s); `__typename` at the root still does.
    "worst: big read with @include": lambda a: {
        "query": "{ " + BIG.format(DIRECTIVE="@include(if: true)") + " }"
    },
    "worst: big read beside a bad cursor": lambda a: {
        "query": "{ " + BIG.format(DIRECTIVE="") + " " + BAD_CURSOR + " }"
    },
    "worst: big read, ordinary execution": lambda a: {
        "query": "{ __typename " + BIG.format(DIRECTIVE="") + " }"
    },
    "slow root, then a bad cursor": lambda a: {
        "query": "{ " + SLOW + ' { totalCount } bad: people(after: "x") { totalCount } }'
    },
    "worst: widest fragment fan-out": lambda a: {"query": fragment_fanout(3, 31)},
    "worst: GraphiQL's introspection": lambda a: {"query": get_introspection_query(True)},
    # The same, never answered from the cache (a comment makes the document new).
    "worst: GraphiQL's introspection, uncached": lambda a: {
        "query": get_introspection_query(True) + f"\n# {time.time_ns()}"
    },
    "worst: 30 aliased pages": lambda a: {
        "query": "{"
        + " ".join(
            f'a{i}: people(first: 100, after: "{_cursor(i * 100)}") '
            "{ edges { node { name aliases } } }"
            for i in range(30)
        )
        + "}"
    },
    # A mutation: needs --token (or DIPLOGRAPH_API_TOKEN); refused with TIMEOUT after
    # DIPLOGRAPH_INGEST_TIMEOUT, nothing written.
    "ingest: 95 KB names-heavy text": lambda a: {
        "query": "mutation($t: String!) { ingestDocument(text: $t) { slug status candidates } }",
        "variables": {"t": names_heavy_text()},
    },
    # Hostile review 3: any quote of the document renamed an entity (now BAD_USER_INPUT:
    # the quote must contain the new name). Nothing is written either way on a refusal.
    "upsertKnowledge: rename by an unrelated quote": lambda a: {
        "query": "mutation($f: JSON!) { upsertKnowledge(facts: $f) { updated { label count } } }",
        "variables": {
            "f": {
                "entities": [
                    {
                        "id": "craig-kelly",
                        "kind": "Person",
                        "name": "Renamed By A Stranger",
                        "sources": [
                            {
                                "document": "committed-to-safe-and-legal-cuban-migration",
                                "quote": "has headed the delegation on the Cuban side",
                            }
                        ],
                    }
                ]
            }
        },
    },
    # Issue 11, item 4: a new text under a cited document's headline replaced its text
    # (2,348 -> 91 characters, 103 quotes broken). Now a new document, another slug.
    "ingest: a cited document's headline over another text": lambda a: {
        "query": "mutation($t: String!) { ingestDocument(text: $t) { slug created status } }",
        "variables": {
            "t": "Committed To Safe And Legal Cuban Migration\n\n"
            "A ninety-character text that only borrows the headline of a document the graph cites."
        },
    },
    # Issue 11, item 5: a kind change left Cuba both Country and Person; an `id` in
    # `properties` rewrote a node's id. Both refused with BAD_USER_INPUT, nothing written.
    "upsertKnowledge: kind change": lambda a: _upsert(
        {"id": "cuba", "kind": "Person", "name": "Cuba"}
    ),
    "upsertKnowledge: id in properties": lambda a: _upsert(
        {"id": "cuba", "kind": "Country", "name": "Cuba", "properties": {"id": "hijacked"}}
    ),
    # Hostile review 2: each definition searched the whole text for its acronym (153 s).
    "ingest: 3,500 acronym definitions": lambda a: {
        "query": "mutation($t: String!) { ingestDocument(text: $t) { slug candidates } }",
        "variables": {
            "t": "Fisheries Talks\n\n" + " ".join(["Fisheries Council (FC) met."] * 3500)
        },
    },
    # Hostile review 2: seven fuzzy words passed Lucene's 1,024 clauses (TooManyClauses).
    "fuzzy search of 24 words": lambda a: {
        "query": "query($q: String!) { search(query: $q, match: FUZZY, first: 5) { totalCount } }",
        "variables": {"q": FUZZY_WORDS},
    },
    "1,000-OR where": lambda a: {"query": "{ people(where: {OR: [" + ORS + "]}) { totalCount } }"},
    "1,000-OR where (variables)": lambda a: {
        "query": "query($w: EntityWhere) { people(where: $w) { totalCount } }",
        "variables": {"w": {"OR": [{"text": f"zz{i}"} for i in range(1000)]}},
    },
    'Int "abc"': lambda a: {
        "query": "query($n: Int) { people(first: $n) { totalCount } }",
        "variables": {"n": "abc"},
    },
    "Int 1e308": lambda a: {
        "query": "query($n: Int) { people(first: $n) { totalCount } }",
        "variables": {"n": 1e308},
    },
    "Date 2010-02-30": lambda a: {
        "query": "query($d: Date) { meetings(where: {dateFrom: $d}) { totalCount } }",
        "variables": {"d": "2010-02-30"},
    },
    "unknown enum": lambda a: {
        "query": "query($o: [EntityOrder!]) { people(orderBy: $o) { totalCount } }",
        "variables": {"o": [{"field": "NOPE"}]},
    },
    "5,001-digit Int": lambda a: {"query": "{ people(first: " + "9" * 5001 + ") { totalCount } }"},
    "lone surrogate": lambda a: (
        b'{"query": "query($s: String!) { search(query: $s) '
        b'{ totalCount } }", "variables": {"s": "\\ud800"}}'
    ),
    # Hostile review 3: graphql-core's check that fields of one name merge compares each
    # pair (n² of a budget of 500,000): "Validation aborted.", uncoded; now MAX_REPEATS.
    "800 __typename siblings": lambda a: {"query": "{ " + "__typename " * 800 + "}"},
    "8 KB name": lambda a: {"query": "{ " + "a" * 8200 + ": people { totalCount } }"},
    'JSON "hello"': lambda a: b'"hello"',
    "JSON null": lambda a: b"null",
    "invalid UTF-8": lambda a: b'{"query": "{ people { totalCount } }\xff\xfe"}',
}


# Raw-socket cases (hostile review 4): each sends its bytes on a connection of its own
# (some slowly or without end) and reads the replies until the server closes it.
KB = 1024
HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
POST = b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
# How long a raw case may send (an endless one stops when the server answers or closes).
RAW_SECONDS = 40.0


def _endless(sock: socket.socket, start: bytes, block: bytes) -> None:
    """`start`, then `block` again and again until the server answers or closes."""
    sock.sendall(start)
    deadline = time.monotonic() + RAW_SECONDS
    while time.monotonic() < deadline and not select.select([sock], [], [], 0)[0]:
        sock.sendall(block)


def _slowly(sock: socket.socket, data: bytes, every: float = 1.0) -> None:
    """A byte of `data` every `every` seconds until the server answers or closes."""
    for byte in data:
        sock.sendall(bytes([byte]))
        if select.select([sock], [], [], every)[0]:
            return


RAW: dict[str, Callable[[socket.socket], None]] = {
    "raw: endless header line": lambda s: _endless(s, HEAD + b"X-Endless: ", b"a" * 64 * KB),
    "raw: endless headers": lambda s: _endless(s, HEAD, b"X-Many: " + b"m" * 1000 + b"\r\n"),
    "raw: 2 MB header line": lambda s: s.sendall(
        HEAD + b"X-Big: " + b"b" * 2_000_000 + b"\r\n\r\n"
    ),
    "raw: slow head": lambda s: _slowly(s, HEAD + b"X-Slow: 1\r\n" * 50 + b"\r\n"),
    "raw: stalled body": lambda s: s.sendall(POST + b'Content-Length: 100\r\n\r\n{"query"'),
    "raw: huge chunk size": lambda s: s.sendall(
        POST + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n"
    ),
    "raw: bad chunk": lambda s: s.sendall(POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"),
    "raw: websocket upgrade": lambda s: s.sendall(
        b"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
        b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    ),
    "raw: pipelined before a 414": lambda s: s.sendall(
        HEAD + b"\r\n" + b"GET /graphql?query=" + b"+" * 90_000 + b" HTTP/1.1\r\n\r\n"
    ),
}


def raw_exchange(url: str, case: Callable[[socket.socket], None]) -> dict[str, Any]:
    """One connection: the statuses and codes of the replies, whether the server closed
    it, and the seconds until then."""
    address = httpx.URL(url)
    started = time.monotonic()
    reply = b""
    with socket.create_connection((address.host, address.port or 80), timeout=60) as sock:
        with suppress(OSError):  # the server closed the connection while the case sent
            case(sock)
        closed = True
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except TimeoutError:
            closed = False
        except OSError:  # reset: closed too
            pass
    return {
        "statuses": [int(m) for m in re.findall(rb"HTTP/1\.1 (\d{3}) ", reply)],
        "codes": sorted({c.decode() for c in re.findall(rb'"code": ?"([A-Z_]+)"', reply)}),
        "closed": closed,
        "seconds": time.monotonic() - started,
    }


def run_raw(url: str, name: str, pid: int | None, copies: int = 1) -> dict[str, Any]:
    """`copies` connections of a raw case at once, with /readyz and memory watched."""
    before = rss_kb(pid) / 1024 if pid else None
    with watch(url, pid) as seen, ThreadPoolExecutor(copies) as pool:
        results = list(pool.map(lambda _: raw_exchange(url, RAW[name]), range(copies)))
    statuses = Counter(",".join(map(str, r["statuses"])) or "none" for r in results)
    return {
        "case": name + (f" x{copies}" if copies > 1 else ""),
        "statuses": dict(statuses),
        "codes": sorted({c for r in results for c in r["codes"]}),
        "closed": sum(r["closed"] for r in results),
        "seconds_max": round(max(r["seconds"] for r in results), 2),
        **{k: round(v, 3) for k, v in seen.items()},
        **(
            {"rss_before_mb": round(before, 1), "rss_after_mb": round(rss_kb(pid) / 1024, 1)}
            if pid and before is not None
            else {}
        ),
    }


def rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (uvicorn workers), in kB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(c) for c in children.read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def poll(
    url: str, pid: int | None, stop: Event, ready: Event, out: Queue[dict[str, float]]
) -> None:
    """Asks /readyz then /healthz every 20 ms until `stop`; puts the worst figures seen
    (and /readyz's median and 99th percentile)."""
    seen = {"readyz_max_s": 0.0, "healthz_max_s": 0.0, "readyz_failures": 0.0, "rss_peak_mb": 0.0}
    probes: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get("/healthz")  # the connection itself is not what is measured
        ready.set()
        while not stop.is_set():
            started = time.monotonic()
            try:
                ok = client.get("/readyz").status_code == 200
            except httpx.HTTPError:
                ok = False
            probes.append(time.monotonic() - started)
            seen["readyz_max_s"] = max(seen["readyz_max_s"], probes[-1])
            seen["readyz_failures"] += 0 if ok else 1
            started = time.monotonic()
            client.get("/healthz")
            seen["healthz_max_s"] = max(seen["healthz_max_s"], time.monotonic() - started)
            if pid:
                seen["rss_peak_mb"] = max(seen["rss_peak_mb"], rss_kb(pid) / 1024)
            stop.wait(0.02)
    if len(probes) >= 2:
        cuts = statistics.quantiles(probes, n=100, method="inclusive")
        seen |= {"readyz_p50_s": cuts[49], "readyz_p99_s": cuts[98], "readyz_probes": len(probes)}
    out.put(seen)


@contextmanager
def watch(url: str, pid: int | None) -> Iterator[dict[str, float]]:
    """Polls /readyz (and RSS) until the block ends; the worst figures seen are in the
    yielded dict afterwards. The poller is a process of its own: in this one, reading a
    large response would hold the interpreter and delay the probes' own timing."""
    context = multiprocessing.get_context("spawn")
    stop, ready, out = context.Event(), context.Event(), context.Queue()
    poller = context.Process(target=poll, args=(url, pid, stop, ready, out), daemon=True)
    poller.start()
    ready.wait(60)
    seen: dict[str, float] = {}
    try:
        yield seen
    finally:
        stop.set()
        seen.update(out.get(timeout=60))
        poller.join()


def send(client: httpx.Client, body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        return client.post("/graphql", content=body, headers={"content-type": "application/json"})
    return client.post("/graphql", json=body)


def codes_of(response: httpx.Response) -> list[str]:
    try:
        return sorted({e.get("extensions", {}).get("code") for e in response.json()["errors"]})
    except (ValueError, KeyError, TypeError, AttributeError):
        return []


def outcome(response: httpx.Response) -> str:
    """An error code (BUSY with its retryAfter), an ingest's status, or the HTTP status."""
    try:
        body = response.json()
        if body.get("errors"):
            error = body["errors"][0]["extensions"]
            retry = f" retryAfter={error['retryAfter']}" if "retryAfter" in error else ""
            return f"{error['code']}{retry}"
        return str(body["data"]["ingestDocument"]["status"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return str(response.status_code)


def run(
    url: str, name: str, body: Any, pid: int | None, copies: int = 1, token: str | None = None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    with (
        watch(url, pid) as seen,
        httpx.Client(base_url=url, timeout=600, headers=headers) as client,
    ):
        started = time.monotonic()
        with ThreadPoolExecutor(copies) as pool:
            responses = list(pool.map(lambda _: send(client, body), range(copies)))
        seconds = time.monotonic() - started
    response = responses[0]
    codes = codes_of(response)
    return {
        "case": name + (f" x{copies}" if copies > 1 else ""),
        # With copies: what each answered (an error code, or an ingest's status).
        **({"outcomes": dict(Counter(map(outcome, responses)))} if copies > 1 else {}),
        "status": response.status_code,
        "codes": codes,
        "bytes": len(response.content),
        "seconds": round(seconds, 2),
        **{k: round(v, 3) for k, v in seen.items()},
        # Short answers are shown whole enough to read (an ingest's slug and status).
        "message": (
            response.text[:160]
            if codes or response.status_code != 200 or len(response.content) < 400
            else ""
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--fanout", type=int, default=6, help="levels of the fan-out case")
    parser.add_argument("--copies", type=int, default=1, help="send each request N at once")
    parser.add_argument(
        "--token", default=os.environ.get("DIPLOGRAPH_API_TOKEN"), help="for the mutation cases"
    )
    args = parser.parse_args()
    for name in [*CASES, *RAW]:
        if args.only and name not in args.only:
            continue
        if name in RAW:
            result = run_raw(args.url, name, args.pid, args.copies)
        else:
            body = CASES[name](args)
            result = run(args.url, name, body, args.pid, args.copies, args.token)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
