"""Bad knowledge input, through the real CLI against the test Neo4j: each problem is named
with its file, its record and the reason, the exit status is non-zero, and the database is
left exactly as it was.

Each case copies the curated YAML to a temporary folder and breaks one thing in it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j import Driver

from diplograph.settings import PROJECT_ROOT, Settings
from graph.repository import count_by_label, count_relationships
from loaders.knowledge import KNOWLEDGE_DIR


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A private copy of data/knowledge/*.yaml, free to break."""
    target = tmp_path / "knowledge"
    target.mkdir()
    for path in KNOWLEDGE_DIR.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


def run_load(
    settings: Settings, knowledge: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    """`python -m diplograph load --knowledge <folder>` against the test server."""
    env = {
        **os.environ,
        "NEO4J_URI": settings.bolt_uri,
        "NEO4J_USER": settings.neo4j_user,
        "NEO4J_PASSWORD": settings.neo4j_password,
        "NEO4J_DATABASE": settings.neo4j_database,
        "COLUMNS": "250",
    }
    return subprocess.run(
        [sys.executable, "-m", "diplograph", "load", "--knowledge", str(knowledge), *options],
        capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=180, check=False,
    )  # fmt: skip


def graph_state(driver: Driver, settings: Settings) -> tuple[Any, ...]:
    """Counts per label and type, plus every node id and edge, to compare before and after."""
    database = settings.neo4j_database
    ids, _, _ = driver.execute_query("MATCH (n) RETURN n.id AS id ORDER BY id", database_=database)
    edges, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id + ' ' + type(r) + ' ' + b.id AS edge ORDER BY edge",
        database_=database,
    )
    return (
        count_by_label(driver, database),
        count_relationships(driver, database),
        [r["id"] for r in ids],
        [r["edge"] for r in edges],
    )


def read(path: Path) -> dict[str, Any]:
    content: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return content


def write(path: Path, content: dict[str, Any]) -> None:
    path.write_text(
        yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
    )


def find(records: list[dict[str, Any]], **match: str) -> int:
    """The index of the one record whose fields equal `match`."""
    [index] = [i for i, r in enumerate(records) if all(r.get(k) == v for k, v in match.items())]
    return index


@dataclass(frozen=True)
class Broken:
    """What a mutation broke, and how the CLI must name it."""

    file: str
    record: str
    reason: str


# -- the mutations -------------------------------------------------------------------------


def unknown_reference(folder: Path) -> Broken:
    path = folder / "meetings.yaml"
    content = read(path)
    rels = content["relationships"]
    index = find(rels, type="HELD_IN", to="havana")
    rels[index]["to"] = "atlantis"
    write(path, content)
    return Broken(
        "meetings.yaml",
        f"relationships[{index}] (migration-talks-havana-2010 -HELD_IN-> atlantis)",
        "'to' refers to unknown id 'atlantis'",
    )


def duplicate_id(folder: Path) -> Broken:
    cuba = read(folder / "actors.yaml")["entities"][0]
    assert cuba["id"] == "cuba"
    path = folder / "places.yaml"
    content = read(path)
    content["entities"].append({**cuba, "kind": "Place", "name": "Cuba (the island)"})
    write(path, content)
    index = len(content["entities"]) - 1
    return Broken(
        "places.yaml",
        f"entities[{index}] (id cuba)",
        "duplicate id 'cuba' (first defined in",
    )


def bad_date(folder: Path) -> Broken:
    path = folder / "meetings.yaml"
    content = read(path)
    index = find(content["entities"], id="migration-talks-havana-2010")
    content["entities"][index]["date"]["value"] = "2010-13"
    write(path, content)
    return Broken(
        "meetings.yaml",
        f"entities[{index}] (id migration-talks-havana-2010)",
        "field 'date.value': Value error, '2010-13' is not a real date",
    )


def wrong_quote(folder: Path, quote: str) -> Broken:
    path = folder / "actors.yaml"
    content = read(path)
    index = find(content["entities"], id="craig-kelly")
    content["entities"][index]["sources"][0]["quote"] = quote
    write(path, content)
    return Broken(
        "actors.yaml",
        f"entities[{index}] (id craig-kelly)",
        f"sources[0]: quote {quote!r} does not occur verbatim "
        "in document 'advancing-the-dialogue-with-cuba'",
    )


def quote_not_verbatim(folder: Path) -> Broken:
    return wrong_quote(folder, "Craig Kelley, Deputy Secretary of State")


def invalid_yaml(folder: Path) -> Broken:
    path = folder / "events.yaml"
    with path.open("a", encoding="utf-8") as file:
        file.write("  - type: INVOLVES\n    from: [alan-gross-arrest\n")
    lines = path.read_text(encoding="utf-8").count("\n")
    return Broken("events.yaml", f"line {lines + 1}", "not valid YAML")


def kinds_break_the_rules(folder: Path) -> Broken:
    path = folder / "actors.yaml"
    content = read(path)
    rels = content["relationships"]
    index = find(rels, type="LED", to="us-delegation-havana-2010")
    rels[index]["from"] = "cuba"
    write(path, content)
    return Broken(
        "actors.yaml",
        f"relationships[{index}] (cuba -LED-> us-delegation-havana-2010)",
        "'from' is cuba (Country), but LED from must be Person",
    )


def unknown_kind(folder: Path) -> Broken:
    path = folder / "issues.yaml"
    content = read(path)
    index = find(content["entities"], id="human-rights-in-cuba")
    content["entities"][index]["kind"] = "Topic"
    write(path, content)
    return Broken(
        "issues.yaml",
        f"entities[{index}] (id human-rights-in-cuba)",
        "field 'kind': Input should be",
    )


def written_by_hand(folder: Path, field: str, lines: Callable[[str], list[str]]) -> tuple[int, int]:
    """Write the Havana 2010 meeting's `field: ...` line as `lines(indent)` (text YAML would
    not write for us); return the record's index and the line number of the field."""
    path = folder / "meetings.yaml"
    content = read(path)
    index = find(content["entities"], id="migration-talks-havana-2010")
    content["entities"][index][field] = "PLACEHOLDER"
    write(path, content)
    text = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(text) if line.endswith(f"{field}: PLACEHOLDER"))
    indent = " " * (len(text[at]) - len(text[at].lstrip(" -")))
    text[at : at + 1] = [text[at][: len(indent)] + lines(indent)[0], *lines(indent)[1:]]
    path.write_text("\n".join(text), encoding="utf-8")
    return index, at + 1


def unquoted_impossible_date(folder: Path) -> Broken:
    """`date: 2010-02-30` unquoted: YAML would make it a date and fail outside any record."""
    index, _ = written_by_hand(folder, "date", lambda indent: ["date: 2010-02-30"])
    return Broken(
        "meetings.yaml",
        f"entities[{index}] (id migration-talks-havana-2010)",
        "field 'date.value': Value error, '2010-02-30' is not a real date",
    )


def key_given_twice(folder: Path) -> Broken:
    """A key written twice in a record: YAML would keep the second silently."""
    _, line = written_by_hand(folder, "name", lambda indent: ["name: Talks", f"{indent}name: Talk"])
    return Broken(
        "meetings.yaml", f"line {line + 1}", "not valid YAML (the key 'name' is given twice)"
    )


def end_before_start(folder: Path) -> Broken:
    path = folder / "actors.yaml"
    content = read(path)
    rels = content["relationships"]
    index = find(rels, type="LED", to="us-delegation-havana-2010")
    rels[index] |= {"start": "2010-05", "end": 2009}
    write(path, content)
    return Broken(
        "actors.yaml",
        f"relationships[{index}] ({rels[index]['from']} -LED-> us-delegation-havana-2010)",
        "field 'end': Value error, end 2009 is before start 2010-05",
    )


def markup_in_a_quote(folder: Path) -> Broken:
    """Rich markup in the data is printed as it is, not interpreted (`[/x]` used to crash)."""
    return wrong_quote(folder, "[/x] Craig Kelly [bold]")


def id_not_a_slug(folder: Path) -> Broken:
    """The slug pattern's `[a-z0-9]` is printed, not swallowed as a markup tag."""
    path = folder / "issues.yaml"
    content = read(path)
    index = find(content["entities"], id="human-rights-in-cuba")
    content["entities"][index]["id"] = "Human-Rights"
    write(path, content)
    return Broken(
        "issues.yaml",
        f"entities[{index}] (id Human-Rights)",
        "field 'id': String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'",
    )


MUTATIONS: dict[str, Callable[[Path], Broken]] = {
    "unquoted impossible date": unquoted_impossible_date,
    "end before start": end_before_start,
    "markup in a quote": markup_in_a_quote,
    "id not a slug": id_not_a_slug,
    "unknown reference": unknown_reference,
    "duplicate id": duplicate_id,
    "bad date": bad_date,
    "quote not verbatim": quote_not_verbatim,
    "invalid YAML": invalid_yaml,
    "key given twice": key_given_twice,
    "kinds break RELATIONSHIP_RULES": kinds_break_the_rules,
    "unknown kind": unknown_kind,
}


# -- the tests -----------------------------------------------------------------------------


@pytest.fixture
def good_state(empty_db: Driver, settings: Settings, knowledge_copy: Path) -> tuple[Any, ...]:
    """Load the unbroken copy through the CLI first, and return the database state it leaves.

    This is also the control: the copy itself is good, so each failure is its mutation's.
    """
    result = run_load(settings, knowledge_copy)
    assert result.returncode == 0, result.stderr
    assert "Loaded 2 documents" in result.stdout
    state = graph_state(empty_db, settings)
    assert state[0]["Entity"] > 0
    return state


@pytest.mark.parametrize("mutation", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_bad_input_is_named_and_nothing_is_written(
    mutation: Callable[[Path], Broken],
    good_state: tuple[Any, ...],
    empty_db: Driver,
    settings: Settings,
    knowledge_copy: Path,
) -> None:
    broken = mutation(knowledge_copy)

    result = run_load(settings, knowledge_copy)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected = f"{knowledge_copy / broken.file}: {broken.record}: {broken.reason}"
    assert expected in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert graph_state(empty_db, settings) == good_state


def test_every_problem_is_reported_at_once(
    good_state: tuple[Any, ...], empty_db: Driver, settings: Settings, knowledge_copy: Path
) -> None:
    broken = [unknown_reference(knowledge_copy), quote_not_verbatim(knowledge_copy)]

    result = run_load(settings, knowledge_copy)

    assert result.returncode != 0
    for problem in broken:
        assert f"{knowledge_copy / problem.file}: {problem.record}: " in result.stderr
    assert "2 problem(s) found; nothing was written." in result.stderr
    assert graph_state(empty_db, settings) == good_state


# -- hostile YAML, checked without a database (--dry-run writes nothing) -------------------

HOSTILE_YAML = {
    "keys of mixed types": ("1: a\nx: b\n", "file: unknown top-level keys [1, 'x']"),
    "a date and time": (
        "entities:\n  - {id: a, kind: Person, name: A, date: 2010-02-03 10:00:00,"
        " sources: [{document: x, quote: abc}]}\n",
        "entities[0] (id a): field 'date.value': Value error, '2010-02-03 10:00:00' is not "
        "a date of the form YYYY, YYYY-MM or YYYY-MM-DD",
    ),
    "an unhashable key": ("entities:\n  - {? [1, 2] : 3}\n", "line 2: not valid YAML"),
    "a python tag": (
        "entities: !!python/object:os.system x\n",
        "line 1: not valid YAML (could not determine a constructor",
    ),
    "markup and a date in properties": (
        "entities:\n  - {id: a, kind: Person, name: '[/x] [bold]', properties: {when: "
        "2010-02-30}, sources: [{document: x, quote: '[/x]'}]}\n",
        "entities[0] (id a): sources[0]: unknown document 'x'",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_YAML))
def test_hostile_yaml_is_reported_without_a_traceback(
    case: str, settings: Settings, tmp_path: Path
) -> None:
    body, expected = HOSTILE_YAML[case]
    (tmp_path / "hostile.yaml").write_text(body, encoding="utf-8")

    result = run_load(settings, tmp_path, "--dry-run")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{tmp_path / 'hostile.yaml'}: {expected}" in result.stderr, result.stderr


def test_one_bad_field_is_one_problem_not_one_per_relationship(
    settings: Settings, knowledge_copy: Path
) -> None:
    """An entity refused for one field is not reported again by every relationship that
    refers to it (newcomer review: one bad `kind` came back as eight problems)."""
    broken = unknown_kind(knowledge_copy)
    result = run_load(settings, knowledge_copy, "--dry-run")
    assert result.returncode == 1
    assert f"{knowledge_copy / broken.file}: {broken.record}: {broken.reason}" in result.stderr
    assert "refers to unknown id 'human-rights-in-cuba'" not in result.stderr, result.stderr
    assert "1 problem(s) found" in result.stderr, result.stderr
