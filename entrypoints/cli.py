"""The `diplograph` command line: parses arguments, calls `services/pipeline.py` (or the
loaders, for a dry run), and reports; `python -m diplograph` runs it too."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from neo4j import Driver
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from diplograph.model import Knowledge
from diplograph.records import Dataset, HsgData
from diplograph.settings import get_settings
from graph.bulk import BulkSummary, LoadBusyError
from graph.driver import connect
from graph.mentions import DOCUMENT_MENTIONS, DocumentStatus
from graph.migrations import migrate
from graph.repository import WriteSummary, documents_by_id
from graph.server import LocalNeo4j, Neo4jServerError
from loaders.articles import ArticleError
from loaders.hsg import read_hsg
from loaders.ingest.documents import prepare_article
from loaders.ingest.review import review_path, write_review
from loaders.knowledge import KNOWLEDGE_DIR, SOURCES_DIR, LoadError, read_knowledge
from services.pipeline import (
    IngestTimeout,
    Resolution,
    ResolutionError,
    StrictLoadError,
    accept_review,
    decide_identity,
    ingest_documents,
    load_hsg,
    resolve_identities,
    undo_resolution,
    write_knowledge_and_mentions,
)

app = typer.Typer(help="diplograph: a knowledge graph of diplomacy, served over GraphQL.",
                  no_args_is_help=True, pretty_exceptions_enable=False)  # fmt: skip
neo4j_app = typer.Typer(help="Run the local Neo4j server.", no_args_is_help=True)
load_app = typer.Typer(help="Load data into Neo4j.")
review_app = typer.Typer(help="Turn reviewed candidates into knowledge.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(load_app, name="load")
app.add_typer(review_app, name="review")

# Messages carry data (names, quotes, file paths): never read as rich markup or
# highlighted, so `[/x]` in a record prints as it is. Style comes only from `say`.
console = Console(markup=False, highlight=False)
errors = Console(stderr=True, markup=False, highlight=False)


def say(message: str, mark: str = "", style: str = "", *, to: Console = errors) -> None:
    """Print one message as plain text, after an optional styled mark ("✗", "!", "error:")."""
    line = Text.assemble((mark, style), " ", message) if mark else Text(message)
    to.print(line, soft_wrap=True)


def fail(message: str) -> NoReturn:
    say(message, "error:", "bold red")
    raise typer.Exit(1)


def fail_with_problems(error: LoadError) -> NoReturn:
    """Every problem of a refused load, one per line, then the verdict."""
    for problem in error.problems:
        say(str(problem), "✗", "red")
    fail(f"{len(error.problems)} problem(s) found; nothing was written.")


@contextmanager
def committed() -> Iterator[None]:
    """Around the report of a write that has committed: a report that cannot be printed
    (a closed pipe, an encoding the terminal lacks) must not turn it into a failure."""
    try:
        yield
    # rich meets a closed stdout by pointing it at devnull and raising SystemExit(1).
    except (Exception, SystemExit) as error:
        if isinstance(error, BrokenPipeError):
            # Python's advice for a reader that went away: point stdout at devnull, so the
            # flush at exit does not fail the command after all (exit 120).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        with suppress(OSError, UnicodeError):
            sys.stderr.write(
                f"Written; the report could not be printed ({type(error).__name__}).\n"
            )


@contextmanager
def database() -> Iterator[Driver]:
    """A driver to the configured Neo4j, with its schema migrated."""
    settings = get_settings()
    driver = connect(settings)
    try:
        try:
            driver.verify_connectivity()
        except ServiceUnavailable:
            hint = "" if settings.uses_external_neo4j else " (start it: `diplograph neo4j start`)"
            fail(f"Neo4j is not reachable at {settings.bolt_uri}{hint}.")
        except AuthError:
            fail(f"Neo4j at {settings.bolt_uri} refused the credentials; check NEO4J_PASSWORD.")
        migrate(driver, settings.neo4j_database)
        yield driver
    except (ServiceUnavailable, Neo4jError) as error:
        fail(
            f"Neo4j failed during the operation ({error}); no transaction was left half "
            "done, and loads are idempotent: run the same command again to complete it."
        )
    finally:
        driver.close()


def print_summary(title: str, summary: WriteSummary) -> None:
    table = Table(title=title)
    table.add_column("label / type")
    table.add_column("created", justify="right")
    table.add_column("updated", justify="right")
    for name in sorted(set(summary.created) | set(summary.updated)):
        table.add_row(name, str(summary.created[name]), str(summary.updated[name]))
    console.print(table)


# -- neo4j -------------------------------------------------------------------------------


def local_server() -> LocalNeo4j:
    settings = get_settings()
    if settings.uses_external_neo4j:
        console.print(f"NEO4J_URI is set: using {settings.neo4j_uri}, nothing to manage here.")
        raise typer.Exit(0)
    return LocalNeo4j(settings)


@neo4j_app.command()
def start() -> None:
    """Assemble (once) and start the local Neo4j; a no-op when it already runs."""
    server = local_server()
    try:
        started = server.start()
    except Neo4jServerError as error:
        fail(str(error))
    status = server.status()
    console.print(status.describe() if started else f"Already running. {status.describe()}")


@neo4j_app.command()
def stop() -> None:
    """Stop the local Neo4j cleanly."""
    server = local_server()
    console.print("Stopped." if server.stop() else "Neo4j was not running.")


@neo4j_app.command()
def status() -> None:
    """Say whether the local Neo4j runs, and where."""
    server = local_server()
    state = server.status()
    console.print(state.describe())
    if not state.running:
        raise typer.Exit(3)


# -- load --------------------------------------------------------------------------------


def read_or_fail(sources: Path, knowledge: Path, driver: Driver | None) -> Knowledge:
    """The articles and knowledge files, checked; documents cited that are no article file
    are looked up among the ingested ones in the graph (when there is one)."""
    database_name = get_settings().neo4j_database
    try:
        return read_knowledge(sources, knowledge, stored=None if driver is None else (
            lambda ids: documents_by_id(driver, database_name, ids)))  # fmt: skip
    except LoadError as error:
        fail_with_problems(error)


def count_of(parsed: Knowledge) -> str:
    return (
        f"{len(parsed.documents)} documents, {len(parsed.entities)} entities, "
        f"{len(parsed.relationships)} relationships"
    )


@load_app.callback(invoke_without_command=True)
def load(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option(help="Validate only; write nothing.")] = False,
    sources: Annotated[Path, typer.Option(help="Folder of article .txt files.")] = SOURCES_DIR,
    knowledge: Annotated[Path, typer.Option(help="Folder of knowledge YAML.")] = KNOWLEDGE_DIR,
) -> None:
    """Load the articles and the curated knowledge (all-or-nothing, idempotent)."""
    if ctx.invoked_subcommand is not None:
        return
    settings = get_settings()
    if dry_run:
        driver = connect(settings)
        try:
            driver.verify_connectivity()
        except (ServiceUnavailable, AuthError):
            driver.close()
            parsed = read_or_fail(sources, knowledge, None)  # ingested documents unknown then
        else:
            with driver:
                parsed = read_or_fail(sources, knowledge, driver)
        console.print(f"Valid: {count_of(parsed)}. Nothing written (--dry-run).")
        return
    with database() as driver:
        parsed = read_or_fail(sources, knowledge, driver)
        counts = count_of(parsed)
        # Knowledge and the mentions in its documents, in one transaction.
        summary = write_knowledge_and_mentions(driver, settings.neo4j_database, parsed)
        resolution = resolve_identities(driver, settings.neo4j_database)
    mentions = summary.created[DOCUMENT_MENTIONS] + summary.updated[DOCUMENT_MENTIONS]
    with committed():
        print_summary(f"Loaded {counts}, {mentions} mentions", summary)
        print_resolution(resolution)


@load_app.command("hsg")
def load_hsg_datasets(
    path: Annotated[
        Path,
        typer.Argument(
            help="Folder holding pocom/, travels/, visits/.", file_okay=False, exists=True
        ),
    ],
    only: Annotated[
        list[Dataset] | None, typer.Option(help="Load only this dataset (repeatable).")
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Any bad record is fatal: nothing is written.")
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Parse and compare every row even if nothing changed.")
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Parse and report only; write nothing.")] = False,
) -> None:
    """Load the State Department historian's datasets (pocom, travels, visits); docs/hsg.md."""
    if dry_run:
        with console.status("Reading the XML ..."):
            data = read_hsg(path, only)
        print_bad_records([str(b) for b in data.bad])
        print_hsg_summary(data, None, {})
        if strict and data.bad:
            fail(f"{len(data.bad)} bad record(s) (--strict); nothing was written (--dry-run).")
        return
    settings = get_settings()
    columns = (TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    progress = Progress(*columns, console=console)
    tasks: dict[str, TaskID] = {}

    def advance(dataset: str, done: int, total: int) -> None:
        if dataset not in tasks:  # a bar per dataset, started when its writing starts
            tasks[dataset] = progress.add_task(dataset, total=total)
        progress.update(tasks[dataset], completed=done, total=total)

    def waiting() -> None:
        console.print("Another `load hsg` is writing to this database; waiting for it ...")

    with database() as driver:
        progress.start()
        try:
            result = load_hsg(driver, settings.neo4j_database, path, only, strict=strict,
                              force=force, progress=advance, on_wait=waiting,
                              lock=f"{settings.bolt_uri}/{settings.neo4j_database}")  # fmt: skip
        except StrictLoadError as error:
            progress.stop()
            print_bad_records(error.bad)
            fail(f"{len(error.bad)} bad record(s) (--strict); nothing was written.")
        except LoadBusyError as error:
            progress.stop()
            fail(f"{error}; nothing was written.")
        except BaseException:
            progress.stop()
            raise
        resolution = resolve_identities(driver, settings.neo4j_database)
    with committed():  # the bars' last frame too: it is printed when they stop
        progress.stop()
        print_bad_records(result.bad)
        print_hsg_summary(result.parsed, result.summary, result.unchanged)
        print_resolution(resolution)


def print_bad_records(bad: list[str]) -> None:
    for line in bad[:100]:
        say(line, "!", "yellow")
    if len(bad) > 100:
        say(f"... and {len(bad) - 100} more bad records")


def print_hsg_summary(
    data: HsgData | None, summary: BulkSummary | None, unchanged: dict[Dataset, list[str]]
) -> None:
    for dataset, bad in unchanged.items():
        console.print(f"{dataset.value}: unchanged since it was last loaded, nothing to write"
                      + (f" ({len(bad)} bad record(s) then)" if bad else "") + ".")  # fmt: skip
    if data is not None:
        records = Table(title="Records read")
        records.add_column("dataset")
        records.add_column("records")
        records.add_column("bad", justify="right")
        for dataset, parsed in data.datasets.items():
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(parsed.records.items()))
            records.add_row(dataset.value, counts, str(len(parsed.bad)))
        console.print(records)
        if data.bad:
            by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(data.bad_counts().items()))
            console.print(f"Bad records, left out: {by_kind}.")
    if summary is None:
        console.print("Nothing written (--dry-run).")
        return
    if not summary.names:
        return
    table = Table(title="Written")
    for column in ("label / type", "created", "updated", "unchanged", "skipped"):
        table.add_column(column, justify="left" if column == "label / type" else "right")
    for name in summary.names:
        table.add_row(name, str(summary.created[name]), str(summary.updated[name]),
                      str(summary.unchanged[name]), str(summary.skipped[name]))  # fmt: skip
    console.print(table)
    for conflict in summary.conflicts:
        say(str(conflict), "!", "yellow")


# -- ingest ------------------------------------------------------------------------------


@app.command()
def ingest(
    files: Annotated[
        list[Path],
        typer.Argument(help="Captured article .txt files or saved .html pages.", metavar="FILE"),
    ],
    review: Annotated[
        Path | None,
        typer.Option(
            help="Review YAML to write, a folder for several FILEs "
            "(default: data/review/<document-id>.yaml)."
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="Publication date YYYY[-MM[-DD]], over the capture's.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="The article's URL (one FILE only).")] = None,
) -> None:
    """Add new articles: store each, link mentions of known entities, write the rest for review."""
    if url is not None and len(files) > 1:
        fail("--url names one article; give it with one FILE.")
    documents, problems, warnings = [], [], list[list[str]]()
    for path in files:
        said: list[str] = []
        try:
            documents.append(prepare_article(path, date=date, url=url, warnings=said))
            warnings.append(said)
        except ArticleError as error:
            problems.append(str(error))
    if problems:
        for problem in problems:
            say(str(problem), "✗", "red")
        fail(f"{len(problems)} problem(s) found; nothing was written.")
    settings = get_settings()
    with database() as driver:
        try:
            results = ingest_documents(
                driver, settings.neo4j_database, documents, settings.ingest_timeout
            )
        except IngestTimeout as error:
            fail(str(error))
    for result, said in zip(results, warnings, strict=True):
        for warning in result.settle_warnings(said):
            say(warning, "!", "yellow")
        analysis = result.analysis
        path = write_review(review_path(analysis.document, review, many=len(files) > 1), analysis)
        linked = len({m.entity_id for m in analysis.mentions})
        stored = result.stored
        status = stored.status.value
        if stored.previous is not None:
            status += f" {stored.version} of {stored.previous}"
        if stored.status == DocumentStatus.DATE_UPDATED:
            new_date = stored.date.value if stored.date else "no date"
            status += f": {stored.previous_date or 'no date'} -> {new_date}"
        console.print(
            f"{analysis.document.id} ({status}): "
            f"{len(analysis.mentions)} mentions of {linked} entities; "
            f"{len(analysis.candidates)} candidates, {len(analysis.ambiguities)} ambiguous "
            f"-> {path}", highlight=False, soft_wrap=True,
        )  # fmt: skip


# -- resolve ---------------------------------------------------------------------------


def print_resolution(result: Resolution, report: bool = False) -> None:
    """One line after a load; with `report`, every merge, link and pair left for review."""
    plan = result.plan
    console.print(
        f"Identities: {result.merged} merged, {result.linked} linked now"
        + (f", {result.remerged} merged again after a reload" if result.remerged else "")
        + f"; {len(result.merges)} merges and {len(result.links)} links recorded; "
        f"{len(plan.reviews)} pair(s) left for review (`diplograph resolve --report`)."
    )
    if not report:
        return
    for merge in result.merges:
        console.print(
            f"merged   {merge.absorbed} ({merge.name}) -> {merge.survivor}  [{merge.rule}]"
        )
        for line in [*merge.evidence, "sources: " + ", ".join(merge.sources)]:
            console.print(f"           {line}")
    for link in result.links:
        console.print(f"linked   {link.part} -PART_OF-> {link.whole}  [{link.rule}]")
        for line in link.evidence:
            console.print(f"           {line}")
    if not result.written:
        for todo in plan.merges:
            console.print(f"to merge {todo.absorbed} -> {todo.survivor}  [{todo.rule.value}] "
                + "; ".join(todo.evidence))  # fmt: skip
        for new in plan.links:
            console.print(f"to link  {new.part} -PART_OF-> {new.whole}  [{new.rule.value}] "
                + "; ".join(new.evidence))  # fmt: skip
    for review in plan.reviews:
        console.print(f"review   {review.a} ? {review.b}  [{review.rule.value}] {review.reason}")


@app.command()
def resolve(
    report: Annotated[
        bool, typer.Option(help="List merges, links and pairs left for review; write nothing.")
    ] = False,
    undo: Annotated[
        str | None,
        typer.Option(
            help="Undo the merge of this id (or the bureau link of this post).", metavar="ID"
        ),
    ] = None,
    same: Annotated[
        tuple[str, str] | None,
        typer.Option(
            help="The analyst's word: these two ids are one thing; then resolve.", metavar="ID ID"
        ),
    ] = None,
    apart: Annotated[
        tuple[str, str] | None,
        typer.Option(help="The analyst's word: these two ids are two things.", metavar="ID ID"),
    ] = None,
) -> None:
    """One identity per real thing across sources (docs/graph-model.md); run by every load."""
    settings = get_settings()
    with database() as driver:
        try:
            if undo is not None:
                console.print(undo_resolution(driver, settings.neo4j_database, undo))
                return
        except ResolutionError as error:
            fail(f"{error}; nothing was written.")
        for pair, is_same in ((same, True), (apart, False)):
            if pair:
                decide_identity(driver, settings.neo4j_database, pair[0], pair[1], is_same)
        result = resolve_identities(driver, settings.neo4j_database, write=not report)
    print_resolution(result, report=True)


# -- review ----------------------------------------------------------------------------


@review_app.command("accept")
def review_accept(
    file: Annotated[
        Path,
        typer.Argument(
            help="A review file written by `diplograph ingest`.", exists=True, dir_okay=False
        ),
    ],
    only: Annotated[
        list[str] | None,
        typer.Option(help="Accept only this entity id of the file (repeatable)."),
    ] = None,
    knowledge: Annotated[
        Path, typer.Option(help="Folder of knowledge YAML to keep them in.")
    ] = KNOWLEDGE_DIR,
) -> None:
    """Write the file's candidates (and the relationships it carries) as knowledge citing
    the ingested document, checked like every knowledge file; docs/ingest.md."""
    settings = get_settings()
    with database() as driver:
        try:
            done = accept_review(driver, settings.neo4j_database, file, knowledge, only)
        except LoadError as error:
            fail_with_problems(error)
        created, linked = set(done.created), set(done.linked)
        added = f"; {len(done.added)} entity(ies) added by the analyst" if done.added else ""
        # A line of its own: as the table's title it would be wrapped to the table's width.
        console.print(
            f"Accepted {len(done.candidates)} candidate(s) of {done.document}: "
            f"{len(created & set(done.candidates))} created, "
            f"{len(linked & set(done.candidates))} already in the graph{added}"
        )
        print_summary("Written", done.summary)
        sources = "this document added to their sources, nothing created"
        by_hand = "Added by the analyst (not an ingest candidate)"
        for label, ids, within in (
            ("Created", done.candidates, created),
            (f"Already in the graph ({sources})", done.candidates, linked),
            (f"{by_hand}, created", done.added, created),
            (f"{by_hand}, already in the graph ({sources})", done.added, linked),
            (f"Recorded for the load (known: true; {sources})", done.known, created | linked),
        ):
            shown = [i for i in ids if i in within]
            if shown:
                console.print(f"{label}: {', '.join(shown)}")
        console.print(f"Kept in {done.file}: {', '.join(done.ids)}")
        print_resolution(resolve_identities(driver, settings.neo4j_database))


# -- serve -------------------------------------------------------------------------------


def default_workers() -> int:
    """The cores this process may run on."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counted is not None:
        return int(counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes  [default: the machine's cores]"),
    ] = None,
    access_log: Annotated[
        bool, typer.Option(help="Log a line per request (off: only warnings and errors).")
    ] = True,
) -> None:
    """Serve the GraphQL API with uvicorn (uvloop, httptools), one process per core."""
    import uvicorn

    from schema.metrics import worker_metrics
    from schema.protocol import server_options

    settings = get_settings()
    host = host or settings.api_host
    port = port or settings.api_port
    workers = workers or default_workers()
    console.print(f"GraphiQL:      http://{host}:{port}/graphql")
    if not settings.uses_external_neo4j:
        console.print(f"Neo4j Browser: {settings.neo4j_browser_url}")
    with worker_metrics(workers) as directory:
        if directory is not None:
            console.print(f"Metrics of {workers} worker(s) kept in {directory}")
        # A spawned worker imports this CLI before it answers the supervisor's health
        # check: on a busy machine that takes longer than uvicorn's 5 s, and a worker
        # killed for it is replaced by one that is killed again.
        uvicorn.run(
            "schema.app:create_app", factory=True, host=host, port=port, workers=workers,
            log_level="info", access_log=access_log, timeout_worker_healthcheck=60,
            **server_options(settings),
        )  # fmt: skip


@app.command("schema")
def print_schema() -> None:
    """Print the GraphQL schema (SDL); `schema.graphql` is this output."""
    from schema.api import schema as graphql_schema

    sys.stdout.write(graphql_schema.as_str() + "\n")


@app.command()
def migrate_schema() -> None:
    """Create the constraints and indexes (also done before every load)."""
    with database():
        console.print("Constraints and indexes are in place.")


def main() -> None:  # pragma: no cover - console script
    sys.exit(app())
