"""Ingests in child processes, for the API: its own interpreter, so the server's is free.

Analysing a text is seconds of Python (10-24 s for the worst accepted texts). In a worker
thread of the API process it held that process's interpreter lock: the event loop got it
back only between the analysis's steps, and a long step in C (a regular expression over
the whole text, a sort of thousands of spans) held it for tens of milliseconds, so
`/readyz` beside such an ingest took 108-114 ms (up to 430 ms on a loaded machine). Here
the whole `ingest_documents` (read the known entities, analyse, write, in one transaction
as in the CLI) runs in a child process with a driver of its own; the API's thread only
waits for the answer, holding nothing. Only the document goes there and its results come
back: the 13,000 known entities are read in the child (pickling them is 0.4 s of one C
call, which would hold the API's interpreter again).

The child enforces the budget itself (`loaders.ingest.budget`, the transaction's timeout);
if it has not answered `GRACE_SECONDS` after its budget (stuck in one long step), it is
killed, which a thread cannot be: its connection closes, Neo4j rolls the transaction back,
nothing is written, and the next ingest gets a fresh process.

Bounded: at most `processes` children per API worker (started on first use, then kept;
about 120 MB resident each after an ingest of the 95 KB texts). An ingest beyond them
waits for one to be free, and its budget runs meanwhile. Admission keeps that wait
short: at most MAX_WAITING ingests wait, and one that would not finish within its budget
(its time estimated from its text's size, `estimate`, times the ingests running beside
it) is refused at once with `IngestBusy` and when to try again. Hostile review 4: 8 x a
95 KB text at once all waited, all answered TIMEOUT, and kept the server busy for nothing.
"""

from __future__ import annotations

import fcntl
import gc
import heapq
import math
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from neo4j import Driver
from neo4j.api import BookmarkManager

from diplograph.model import Document
from diplograph.settings import Settings
from graph.driver import connect, shared_bookmarks
from services.pipeline import IngestResult, IngestTimeout, ingest_documents

# Seconds past its budget a child may take to answer before it is killed: the budget is
# checked between steps, and the transaction's rollback takes a moment too. Over its
# budget an ingest answers TIMEOUT either way; killed, its process is started again.
GRACE_SECONDS = 2.0
# Children per API worker: two ingests at once each get one (two API workers: four).
PROCESSES = 2
# Ingests that may wait for a free child; one more is refused (IngestBusy).
MAX_WAITING = 2
# An ingest's expected seconds: a fixed part and a part per 1,000 characters. Measured:
# names-heavy texts (ops/hostile.py) of 24 KB 3.5-4.1 s, 48 KB 5.7-6.9 s, 95 KB 9.6-24 s
# on a loaded machine; the estimate is near the slow end, so that a burst is refused
# rather than admitted to time out.
ESTIMATE_BASE = 1.0
ESTIMATE_PER_KCHAR = 0.2
# A running ingest past its estimate is expected to end within this many seconds more.
OVERRUN = 2.0

# The child's driver and bookmarks, made once by `_start` in each child process.
_child: tuple[Driver, BookmarkManager] | None = None


class IngestProcessDied(RuntimeError):
    """The child process ended without answering (killed from outside, out of memory)."""


class IngestBusy(RuntimeError):
    """Refused before it started: it would wait too long for a child (or too many wait)."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(f"{reason}; try again in {retry_after} s")
        self.retry_after = retry_after


def estimate(documents: Sequence[Document]) -> float:
    """Seconds ingesting `documents` is expected to take (see ESTIMATE_PER_KCHAR)."""
    return sum(ESTIMATE_BASE + ESTIMATE_PER_KCHAR * len(d.text) / 1000 for d in documents)


@dataclass
class Ticket:
    """An admitted ingest: its estimate, since when it runs (None: it waits), and the
    slot it holds among the server's workers (`Slots`)."""

    seconds: float
    started: float | None = None
    slot: int | None = None


class Slots:
    """The ingests admitted by all API workers of one server, counted with `flock` on
    files of a directory they share (the multiprocess metrics directory): each admitted
    ingest holds one file's lock, which the kernel releases if its process dies.

    The workers share the machine's cores: an estimate made in one worker that does not
    count the other's ingests admitted two 95 KB texts at once on two cores, both of which
    passed their budget under load."""

    FILES = 64

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.paths = [directory / f"ingest-slot-{i}" for i in range(self.FILES)]
        self.admission = directory / "ingest-admission"

    @contextmanager
    def admitting(self) -> Iterator[None]:
        """One admission at a time across the workers (between counting and taking)."""
        fd = os.open(self.admission, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def held(self) -> int:
        """How many ingests hold a slot now (this worker's included)."""
        count = 0
        for path in self.paths:
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                count += 1
            finally:
                os.close(fd)
        return count

    def take(self) -> int | None:
        """A slot's open, locked file (its descriptor), or None if all are held."""
        for path in self.paths:
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return fd
        return None


def _start(settings: Settings) -> None:
    global _child
    bookmarks = shared_bookmarks()
    _child = (connect(settings, bookmarks), bookmarks)
    # What is imported now lives as long as the process: out of the collector's way, as
    # in the API's workers (schema/app.py), else every full collection the analysis's
    # allocations set off walks it all again.
    gc.collect()
    gc.freeze()


def _ingest(
    database: str, documents: list[Document], budget: float, since: float, seen: list[str]
) -> tuple[list[IngestResult], list[str]]:
    """In the child: the ingest, after every write the API has seen (its bookmarks); its
    own bookmarks come back so the API's next reads see this write too. The budget counts
    from `since`, when the API asked (a child starting up spends of it)."""
    assert _child is not None, "_start runs first in every child"
    driver, bookmarks = _child
    bookmarks.update_bookmarks((), seen)
    results = ingest_documents(driver, database, documents, budget, since)
    return results, list(bookmarks.get_bookmarks())


class IngestProcesses:
    """Child processes that ingest for one API worker; `close` ends them."""

    def __init__(
        self,
        settings: Settings,
        bookmarks: BookmarkManager,
        processes: int = PROCESSES,
        shared: Path | None = None,
    ) -> None:
        """`shared`: a directory all API workers of the server share (`Slots`); None: this
        worker's ingests are the only ones counted."""
        self.slots = Slots(shared) if shared is not None else None
        self.settings = settings
        self.bookmarks = bookmarks
        # A slot holds a one-process pool, or None until it is first used. One process per
        # pool, so that killing a stuck one ends no other ingest.
        self.free: queue.SimpleQueue[ProcessPoolExecutor | None] = queue.SimpleQueue()
        for _ in range(processes):
            self.free.put(None)
        self.processes = processes
        self.started: list[ProcessPoolExecutor] = []
        self.lock = threading.Lock()
        self.closed = False
        self.tickets: list[Ticket] = []  # admitted and not ended, in arrival order

    def _new(self) -> ProcessPoolExecutor:
        # spawn: a fresh interpreter, not a fork of a process with threads and sockets.
        executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(self.settings,),
        )
        with self.lock:
            self.started.append(executor)
        return executor

    def _end(self, executor: ProcessPoolExecutor) -> None:
        # `_processes`: ProcessPoolExecutor can shut down, not kill (Python 3.14 can).
        for process in list((executor._processes or {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)
        with self.lock:
            if executor in self.started:
                self.started.remove(executor)

    def ingest(
        self, database: str, documents: Sequence[Document], budget: float
    ) -> list[IngestResult]:
        """`services.pipeline.ingest_documents` in a child; blocks the calling thread (not
        the event loop's: call it from a worker thread) without holding the interpreter."""
        since = time.monotonic()
        ticket = self.admit(documents, budget, since)
        try:
            executor = self.free.get()
            ticket.started = time.monotonic()
            return self._run(executor, database, documents, budget, since)
        finally:
            self.release(ticket)

    def release(self, ticket: Ticket) -> None:
        """The ingest of `ticket` ended (or never started)."""
        with self.lock:
            self.tickets.remove(ticket)
        if ticket.slot is not None:
            os.close(ticket.slot)  # its lock goes with it

    def admit(self, documents: Sequence[Document], budget: float, now: float) -> Ticket:
        """A ticket for this ingest, or IngestBusy: when MAX_WAITING wait already, or when
        it would not finish within `budget`, after waiting for a child and beside the
        ingests still running then (they share the machine's cores: with k of them beside
        it, an ingest is expected to take k + 1 times its estimate)."""
        alone = estimate(documents)
        with self.lock, self.slots.admitting() if self.slots else nullcontext():
            # Other workers' admitted ingests run (or will run) beside this one too.
            others = self.slots.held() - len(self.tickets) if self.slots else 0
            waiting = [t for t in self.tickets if t.started is None]
            # When each admitted ingest is expected to end: the running ones from what is
            # left of their estimate, the waiting ones taking the children in turn.
            ends = [max(t.seconds - (now - t.started), OVERRUN) for t in self.tickets
                    if t.started is not None]  # fmt: skip
            free_at = ends + [0.0] * (self.processes - len(ends))
            heapq.heapify(free_at)
            for t in waiting:
                ends.append(heapq.heappop(free_at) + t.seconds)
                heapq.heappush(free_at, ends[-1])
            start = free_at[0]
            beside = sorted(e for e in ends if e > start)
            seconds = alone * (1 + len(beside) + max(others, 0))
            # Then one of those before or beside it will have ended.
            # Then one of those before or beside it will have ended (another worker's:
            # its time is not known here; about this one's is a guess).
            ends_next = beside[0] if beside else (alone if others > 0 else start)
            retry_after = max(1, math.ceil(ends_next))
            if len(waiting) >= MAX_WAITING:
                raise IngestBusy(f"{len(waiting)} ingests wait already", retry_after)
            if start + seconds > budget * len(documents) and (start > 0 or beside or others):
                raise IngestBusy(
                    f"the ingest processes are busy: this text would start in about "
                    f"{start:.0f} s and take about {seconds:.0f} s beside "
                    f"{len(beside) + max(others, 0)} other(s), past its budget of {budget:g} s",
                    retry_after,
                )
            ticket = Ticket(seconds, slot=self.slots.take() if self.slots else None)
            self.tickets.append(ticket)
            return ticket

    def _run(
        self,
        executor: ProcessPoolExecutor | None,
        database: str,
        documents: Sequence[Document],
        budget: float,
        since: float,
    ) -> list[IngestResult]:
        executor = executor or self._new()
        if not all(p.is_alive() for p in (executor._processes or {}).values()):
            self._end(executor)  # its process ended while idle (killed from outside)
            executor = self._new()
        keep: ProcessPoolExecutor | None = executor
        try:
            seen = list(self.bookmarks.get_bookmarks())
            work = partial(_ingest, database, list(documents), budget, since, seen)
            try:
                future = executor.submit(work)
            except BrokenProcessPool:  # its process ended while idle: nothing was running
                self._end(executor)
                keep = executor = self._new()
                future = executor.submit(work)
            wait = since + budget * len(documents) + GRACE_SECONDS - time.monotonic()
            try:
                results, written = future.result(timeout=max(wait, 0.0))
            except FutureTimeout:
                keep = None
                self._end(executor)
                raise IngestTimeout(documents[0], budget) from None
            except BrokenProcessPool as error:
                keep = None
                self._end(executor)
                raise IngestProcessDied("the ingest process ended without answering") from error
            self.bookmarks.update_bookmarks((), written)
            return results
        finally:
            if self.closed and keep is not None:
                self._end(keep)
            self.free.put(None if self.closed else keep)

    def pids(self) -> list[int]:
        """The process ids of the children running now."""
        with self.lock:
            started = list(self.started)
        return [pid for e in started for pid, p in (e._processes or {}).items() if p.is_alive()]

    def close(self) -> None:
        """Kill the children (an ingest still running is rolled back by Neo4j)."""
        self.closed = True
        with self.lock:
            started = list(self.started)
        for executor in started:
            self._end(executor)
