"""The `diplograph` command line: parses arguments, calls `services/pipeline.py` (or the
loaders, for a dry run), and reports; `python -m diplograph` runs it too."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

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

from diplograph.records import Dataset, HsgData
from diplograph.settings import get_settings
from graph.bulk import BulkSummary, LoadBusyError
from graph.driver import connect
from graph.mentions import DOCUMENT_MENTIONS
from graph.migrations import migrate
from graph.repository import WriteSummary
from graph.server import LocalNeo4j, Neo4jServerError
from loaders.articles import ArticleError
from loaders.hsg import read_hsg
from loaders.ingest.documents import prepare_article
from loaders.ingest.review import review_path, write_review
from loaders.knowledge import KNOWLEDGE_DIR, SOURCES_DIR, LoadError, read_knowledge
from services.pipeline import (
    StrictLoadError,
    ingest_documents,
    load_hsg,
    write_knowledge_and_mentions,
)

app = typer.Typer(help="diplograph: a knowledge graph of diplomacy, served over GraphQL.",
                  no_args_is_help=True, pretty_exceptions_enable=False)  # fmt: skip
neo4j_app = typer.Typer(help="Run the local Neo4j server.", no_args_is_help=True)
load_app = typer.Typer(help="Load data into Neo4j.")
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(load_app, name="load")

console = Console()
errors = Console(stderr=True)


def fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


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
    try:
        parsed = read_knowledge(sources, knowledge)
    except LoadError as error:
        for problem in error.problems:
            errors.print(f"[red]✗[/] {problem}", highlight=False, soft_wrap=True)
        fail(f"{len(error.problems)} problem(s) found; nothing was written.")
    counts = (
        f"{len(parsed.documents)} documents, {len(parsed.entities)} entities, "
        f"{len(parsed.relationships)} relationships"
    )
    if dry_run:
        console.print(f"Valid: {counts}. Nothing written (--dry-run).")
        return
    settings = get_settings()
    with database() as driver:
        # Knowledge and the mentions in its documents, in one transaction.
        summary = write_knowledge_and_mentions(driver, settings.neo4j_database, parsed)
    mentions = summary.created[DOCUMENT_MENTIONS] + summary.updated[DOCUMENT_MENTIONS]
    print_summary(f"Loaded {counts}, {mentions} mentions", summary)


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
        return
    settings = get_settings()
    columns = (TextColumn("{task.description:>8}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with database() as driver, Progress(*columns, console=console) as progress:
        tasks: dict[str, TaskID] = {}

        def advance(dataset: str, done: int, total: int) -> None:
            if dataset not in tasks:  # a bar per dataset, started when its writing starts
                tasks[dataset] = progress.add_task(dataset, total=total)
            progress.update(tasks[dataset], completed=done, total=total)

        def waiting() -> None:
            console.print("Another `load hsg` is writing to this database; waiting for it ...")

        try:
            result = load_hsg(driver, settings.neo4j_database, path, only, strict=strict,
                              force=force, progress=advance, on_wait=waiting,
                              lock=f"{settings.bolt_uri}/{settings.neo4j_database}")  # fmt: skip
        except StrictLoadError as error:
            progress.stop()
            print_bad_records(error.bad)
            fail(f"{len(error.bad)} bad record(s) (--strict); nothing was written.")
        except LoadBusyError as error:
            fail(f"{error}; nothing was written.")
    print_bad_records(result.bad)
    print_hsg_summary(result.parsed, result.summary, result.unchanged)


def print_bad_records(bad: list[str]) -> None:
    for line in bad[:100]:
        errors.print(f"[yellow]![/] {line}", highlight=False, soft_wrap=True)
    if len(bad) > 100:
        errors.print(f"... and {len(bad) - 100} more bad records", highlight=False)


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
        errors.print(f"[yellow]![/] {conflict}", highlight=False, soft_wrap=True)


# -- ingest ------------------------------------------------------------------------------


@app.command()
def ingest(
    files: Annotated[
        list[Path], typer.Argument(help="Captured article .txt files.", metavar="FILE")
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
    documents, problems = [], []
    for path in files:
        try:
            documents.append(prepare_article(path, date=date, url=url))
        except ArticleError as error:
            problems.append(str(error))
    ids = [doc.id for doc in documents]
    problems += [
        f"{doc.file}: document id {doc.id!r} is also another FILE's"
        for doc in documents
        if ids.count(doc.id) > 1
    ]
    if problems:
        for problem in problems:
            errors.print(f"[red]✗[/] {problem}", highlight=False, soft_wrap=True)
        fail(f"{len(problems)} problem(s) found; nothing was written.")
    settings = get_settings()
    with database() as driver:
        results = ingest_documents(driver, settings.neo4j_database, documents)
    for result in results:
        analysis = result.analysis
        path = write_review(review_path(analysis.document, review, many=len(files) > 1), analysis)
        linked = len({m.entity_id for m in analysis.mentions})
        console.print(
            f"{analysis.document.id} ({'new' if result.document_created else 'updated'}): "
            f"{len(analysis.mentions)} mentions of {linked} entities; "
            f"{len(analysis.candidates)} candidates, {len(analysis.ambiguities)} ambiguous "
            f"-> {path}", highlight=False, soft_wrap=True,
        )  # fmt: skip


# -- serve -------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the GraphQL API with uvicorn."""
    import uvicorn

    settings = get_settings()
    host = host or settings.api_host
    port = port or settings.api_port
    console.print(f"GraphiQL:      http://{host}:{port}/graphql")
    if not settings.uses_external_neo4j:
        console.print(f"Neo4j Browser: {settings.neo4j_browser_url}")
    uvicorn.run(
        "schema.app:create_app", factory=True, host=host, port=port, workers=workers,
        log_level="info", proxy_headers=False,
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
