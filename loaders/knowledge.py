"""Curated knowledge: YAML files of entities and relationships, checked before any write.

Every problem is collected (not just the first) and reported with the file,
the record and the field it concerns; nothing is written while any remains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from diplograph.model import (
    RELATIONSHIP_RULES,
    Document,
    Entity,
    Kind,
    Knowledge,
    Relationship,
    Source,
)
from loaders.articles import ArticleError, read_article

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SOURCES_DIR = DATA_DIR / "sources"
KNOWLEDGE_DIR = DATA_DIR / "knowledge"
# Copies of the ingested documents that accepted knowledge cites (`review accept` keeps
# them): a fresh database has no ingested document, and the accepted facts must load.
KEPT_DOCUMENTS = "documents"


@dataclass(frozen=True)
class Problem:
    """One reason a load cannot go ahead."""

    file: str
    record: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.reason}"


class LoadError(ValueError):
    """Input that must not be written; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quote_occurs(quote: str, text: str) -> bool:
    """True when the quote stands verbatim in the text (line breaks may differ)."""
    return _squash(quote) in _squash(text)


def _pydantic_problems(error: ValidationError, file: str, record: str) -> list[Problem]:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "record"
        problems.append(Problem(file, record, f"field '{where}': {item['msg']}"))
    return problems


def _record_name(section: str, index: int, raw: Any) -> str:
    if isinstance(raw, Mapping):
        if "id" in raw:
            return f"{section}[{index}] (id {raw['id']})"
        if {"type", "from", "to"} <= raw.keys():
            return f"{section}[{index}] ({raw['from']} -{raw['type']}-> {raw['to']})"
    return f"{section}[{index}]"


M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def _parse(model: type[M], raw: Any, file: str, record: str, problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        problems.extend(_pydantic_problems(error, file, record))
        return None


@dataclass
class _Located(Generic[T]):
    value: T
    file: str
    record: str


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as the text written: PyYAML would build a `date` from
    an unquoted `2010-02-30` and raise outside any record; as text, the record's date field
    is validated like any other and the problem names the file, the record and the field.
    A key given twice in one mapping is refused: PyYAML keeps the last silently, so an
    edited record would lose the value its author saw first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # refused by SafeLoader itself, with its own message
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"the key {key!r} is given twice", key_node.start_mark,
                )  # fmt: skip
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str) -> Any:
    """The YAML document `text` as the knowledge files read it (dates as text, no key
    twice); raises yaml.YAMLError."""
    return yaml.load(text, Loader=_Loader)


def yaml_problem(path: Path, error: yaml.YAMLError) -> Problem:
    """What is wrong with a file YAML cannot read, at the line where it is."""
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}" if mark is not None else "file"
    return Problem(str(path), where, f"not valid YAML ({getattr(error, 'problem', None) or error})")


def read_yaml(path: Path, problems: list[Problem], knowledge: bool = True) -> Mapping[str, Any]:
    """A YAML mapping (`knowledge`: of entities and relationships, nothing else)."""
    try:
        content = parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(yaml_problem(path, error))
        return {}
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(str(path), "file", f"cannot read ({error})"))
        return {}
    if content is None:
        return {}
    if not isinstance(content, Mapping):
        shape = "with entities/relationships" if knowledge else "of a document's fields"
        problems.append(Problem(str(path), "file", f"must be a mapping {shape}"))
        return {}
    unknown = set(content) - {"entities", "relationships"}
    if knowledge and unknown:
        problems.append(
            Problem(str(path), "file", f"unknown top-level keys {sorted(unknown, key=str)}; "
                    "expected 'entities' and 'relationships'")
        )  # fmt: skip
    return content


def _section(content: Mapping[str, Any], key: str, file: str, problems: list[Problem]) -> list[Any]:
    items = content.get(key) or []
    if not isinstance(items, list):
        problems.append(Problem(file, key, "must be a list"))
        return []
    return items


def read_documents(paths: Iterable[Path], problems: list[Problem]) -> list[Document]:
    documents: dict[str, Document] = {}
    for path in sorted(paths):
        try:
            doc = read_article(path)
        except ArticleError as error:
            problems.append(Problem(str(path), "document", str(error).split(": ", 1)[-1]))
            continue
        if doc.id in documents:
            problems.append(
                Problem(str(path), f"document {doc.id}",
                        f"duplicate document id; {documents[doc.id].file} has the same headline")
            )  # fmt: skip
            continue
        documents[doc.id] = doc
    return list(documents.values())


def read_kept_documents(folder: Path, problems: list[Problem]) -> dict[str, Document]:
    """The documents kept in `folder` (one YAML file each: id, title, text, and url, date,
    publisher when known), by id."""
    kept: dict[str, Document] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        content = read_yaml(path, problems, knowledge=False)
        try:
            doc = Document.model_validate(content)
        except ValidationError as error:
            for e in error.errors():
                where = ".".join(str(x) for x in e["loc"]) or "document"
                problems.append(Problem(str(path), where, e["msg"]))
            continue
        if path.stem != doc.id:
            problems.append(Problem(str(path), "id", f"{doc.id!r} is not the file's name"))
            continue
        kept[doc.id] = doc
    return kept


def _check_sources(
    sources: list[Source],
    documents: Mapping[str, Document],
    file: str,
    record: str,
    problems: list[Problem],
) -> None:
    for index, source in enumerate(sources):
        doc = documents.get(source.document)
        if doc is None:
            problems.append(
                Problem(file, record, f"sources[{index}]: unknown document '{source.document}'")
            )
        elif not quote_occurs(source.quote, doc.text):
            problems.append(
                Problem(file, record, f"sources[{index}]: quote {source.quote!r} does not "
                        f"occur verbatim in document '{source.document}'")
            )  # fmt: skip


def validate(
    documents: list[Document],
    files: Iterable[tuple[str, Mapping[str, Any]]],
    known_kinds: Mapping[str, Kind] | None = None,
    absorbed: Mapping[str, str] | None = None,
) -> Knowledge:
    """Parse and cross-check knowledge records; raise LoadError listing every problem.

    `known_kinds` maps ids already in the graph to their kind, so that a partial
    upsert may refer to them. `absorbed` maps ids a merge absorbed to the entity they
    were merged into: no record may define a new entity under one.
    """
    problems: list[Problem] = []
    docs_by_id = {d.id: d for d in documents}
    entities: dict[str, _Located[Entity]] = {}
    relationships: list[_Located[Relationship]] = []
    seen_edges: dict[tuple[str, str, str, str], str] = {}
    # Ids of entity records refused above: an edge to one is not a second problem (one bad
    # field would otherwise come back once per relationship of the entity).
    invalid: set[str] = set()

    for file, content in files:
        for index, raw in enumerate(_section(content, "entities", file, problems)):
            record = _record_name("entities", index, raw)
            entity = _parse(Entity, raw, file, record, problems)
            if entity is None:
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    invalid.add(raw["id"])
                continue
            if entity.id in entities:
                first = entities[entity.id]
                problems.append(
                    Problem(file, record, f"duplicate id '{entity.id}' "
                            f"(first defined in {first.file}: {first.record})")
                )  # fmt: skip
                continue
            if entity.id in docs_by_id:
                # Node lookups by id span entities and documents: one id must name one node.
                problems.append(Problem(file, record, f"id '{entity.id}' is a document's id"))
                continue
            if entity.id in (absorbed or {}):
                # That id answers with the survivor: a new entity would silently take it over.
                survivor = (absorbed or {})[entity.id]
                problems.append(Problem(file, record, f"id '{entity.id}' was merged into "
                                        f"'{survivor}': update '{survivor}' instead"))  # fmt: skip
                continue
            entities[entity.id] = _Located(entity, file, record)
            _check_sources(entity.sources, docs_by_id, file, record, problems)
        for index, raw in enumerate(_section(content, "relationships", file, problems)):
            record = _record_name("relationships", index, raw)
            rel = _parse(Relationship, raw, file, record, problems)
            if rel is None:
                continue
            relationships.append(_Located(rel, file, record))
            _check_sources(rel.sources, docs_by_id, file, record, problems)
            edge = (rel.source, rel.type.value, rel.target, rel.key)
            if edge in seen_edges:
                problems.append(
                    Problem(file, record, f"duplicate relationship (first in {seen_edges[edge]}); "
                            "give one a distinct 'key' if both are meant")
                )  # fmt: skip
            seen_edges[edge] = f"{file}: {record}"

    kinds: dict[str, Kind] = dict(known_kinds or {})
    kinds.update({id_: located.value.kind for id_, located in entities.items()})
    for located in relationships:
        # An id a merge absorbed answers with the entity it was merged into: so does an edge.
        rel = located.value = _redirected(located.value, kinds, absorbed or {})
        allowed_from, allowed_to = RELATIONSHIP_RULES.get(rel.type, (frozenset(), frozenset()))
        for end, id_, allowed in (
            ("from", rel.source, allowed_from),
            ("to", rel.target, allowed_to),
        ):
            kind = kinds.get(id_)
            if kind is None and id_ in invalid:
                continue
            if kind is None:
                problems.append(
                    Problem(located.file, located.record, f"'{end}' refers to unknown id '{id_}'")
                )
            elif kind not in allowed:
                names = "|".join(sorted(k.value for k in allowed))
                problems.append(
                    Problem(located.file, located.record, f"'{end}' is {id_} ({kind.value}), "
                            f"but {rel.type.value} {end} must be {names}")
                )  # fmt: skip

    if problems:
        raise LoadError(problems)
    return Knowledge(
        documents=documents,
        entities=[located.value for located in entities.values()],
        relationships=[located.value for located in relationships],
    )


def _redirected(rel: Relationship, kinds: Mapping[str, Kind], absorbed: Mapping[str, str]
                ) -> Relationship:  # fmt: skip
    ends = {"source": rel.source, "target": rel.target}
    moved = {
        end: absorbed[id_] for end, id_ in ends.items() if id_ not in kinds and id_ in absorbed
    }
    return rel.model_copy(update=moved) if moved else rel


def cited_documents(files: Iterable[tuple[str, Mapping[str, Any]]]) -> set[str]:
    """The document ids the records of these files cite."""
    cited: set[str] = set()
    for _, content in files:
        for section in ("entities", "relationships"):
            records = content.get(section) if isinstance(content, Mapping) else None
            for record in records if isinstance(records, list) else []:
                sources = record.get("sources") if isinstance(record, Mapping) else None
                for source in sources if isinstance(sources, list) else []:
                    if isinstance(source, Mapping) and isinstance(source.get("document"), str):
                        cited.add(source["document"])
    return cited


def defined_in(knowledge_dir: Path = KNOWLEDGE_DIR) -> dict[str, Path]:
    """The entity ids the knowledge files define (what `diplograph load` can relate to
    without any other source loaded), each with the file that defines it."""
    problems: list[Problem] = []  # a broken file is reported by the load itself
    paths = sorted(knowledge_dir.glob("*.y*ml"))
    return {i: path for path in paths for i in entity_ids(read_yaml(path, problems))}


def entity_ids(content: Mapping[str, Any]) -> set[str]:
    """The entity ids the records of one knowledge file (or payload) define."""
    records = content.get("entities")
    return {
        record["id"]
        for record in (records if isinstance(records, list) else [])
        if isinstance(record, Mapping) and isinstance(record.get("id"), str)
    }


def read_knowledge(
    sources_dir: Path = SOURCES_DIR,
    knowledge_dir: Path = KNOWLEDGE_DIR,
    stored: Callable[[list[str]], list[Document]] | None = None,
) -> Knowledge:
    """Read every article and knowledge file, and validate them together.

    `stored` looks up documents that are not article files (ingested ones, in the graph)
    by id, so accepted knowledge may cite them; they are checked against, not rewritten.
    A cited document the graph does not hold (a fresh database) is restored from its copy
    in `knowledge_dir/documents/` (`KEPT_DOCUMENTS`) and written like an article.
    """
    problems: list[Problem] = []
    if not sources_dir.is_dir():
        problems.append(Problem(str(sources_dir), "directory", "does not exist"))
    if not knowledge_dir.is_dir():
        problems.append(Problem(str(knowledge_dir), "directory", "does not exist"))
    if problems:
        raise LoadError(problems)
    documents = read_documents(sources_dir.glob("*.txt"), problems)
    files = [
        (str(path), read_yaml(path, problems)) for path in sorted(knowledge_dir.glob("*.y*ml"))
    ]
    on_disk = {d.id for d in documents}
    # Stored documents under an id an entity here takes are looked up too, to refuse it.
    named = cited_documents(files) | {i for _, c in files for i in entity_ids(c)}
    elsewhere = sorted(named - on_disk)
    extra = stored(elsewhere) if stored is not None and elsewhere else []
    kept = read_kept_documents(knowledge_dir / KEPT_DOCUMENTS, problems)
    held = {d.id for d in extra}
    restored = [kept[i] for i in elsewhere if i in kept and i not in held]
    try:
        knowledge = validate(documents + extra + restored, files)
    except LoadError as error:
        raise LoadError(problems + error.problems) from None
    if problems:
        raise LoadError(problems)
    written = on_disk | {d.id for d in restored}
    knowledge.documents = [d for d in knowledge.documents if d.id in written]
    return knowledge
