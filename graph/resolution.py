"""Identity across sources in Neo4j: the facts the rules read, and merges and links written
reversibly. Every function runs in the caller's transaction.

A merge is physical: the absorbed node's relationships move to the survivor (each keeps
its properties, plus `mergedFrom`/`mergedKey`, and its `key` gets `@<absorbed id>`), the
survivor gains its names, sources and the properties it lacked, and the absorbed node
stays as a `:Merged` record (no longer `:Entity`, so no read sees it) with the rule, the
evidence, what the survivor gained, and a `MERGED_INTO` edge to the survivor, readable in
Neo4j Browser. `undo_merge` puts everything back. A post linked to its bureau is a
`PART_OF {key: 'resolution'}` with the rule and evidence. An analyst's decision on a pair
is an `:IdentityDecision` node that later runs obey.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from diplograph.identity import EntityFacts, Link, Merge, Period, pair_id
from diplograph.model import Kind, RelType

LINK_KEY = "resolution"
# Properties that are the node's identity or provenance, combined by hand on a merge.
_COMBINED = frozenset({"id", "name", "aliases", "aliasText", "sources", "quotes", "hsgHashes"})
_RECORD_PROPS = (
    "mergedInto", "mergedKind", "rule", "evidence", "resolutionSources", "addedAliases",
    "addedSources", "addedProps", "addedHashes", "resolvedAt",
)  # fmt: skip
_KINDS = frozenset(kind.value for kind in Kind)
_TYPES = frozenset(rel.value for rel in RelType)


class ResolutionError(ValueError):
    """A merge or undo that cannot be done as asked; nothing was written."""


def _facts(record: Any, kind: str) -> EntityFacts:
    return EntityFacts(
        id=record["id"],
        kind=kind,
        name=record["name"],
        aliases=list(record["aliases"] or []),
        sources=list(record["sources"] or []),
    )


def read_people(tx: ManagedTransaction) -> list[EntityFacts]:
    """Every resolved person (not the historian's unresolved `candidate`s) with birth, death
    and dated facts: posts (with their organization), meetings, trips, delegations led."""
    result = tx.run(
        "MATCH (p:Person) WHERE coalesce(p.candidate, false) = false "
        "RETURN p.id AS id, p.name AS name, p.aliases AS aliases, p.sources AS sources, "
        "p.birthFrom AS birth, p.deathTo AS death, "
        "COLLECT { MATCH (p)-[r]-(m:Entity) "
        "  WITH r, m, coalesce(r.startFrom, r.dateFrom, m.dateFrom) AS start "
        "  WHERE start IS NOT NULL "
        "  RETURN {what: toLower(type(r)) + ' ' + coalesce(r.title, m.name), start: start, "
        "    end: coalesce(r.endTo, r.dateTo, m.dateTo, start), "
        "    org: CASE type(r) WHEN 'HOLDS_POSITION' THEN m.id END} } AS periods"
    )
    people = []
    for record in result:
        facts = _facts(record, Kind.PERSON.value)
        facts.birth = record["birth"].to_native() if record["birth"] else None
        facts.death = record["death"].to_native() if record["death"] else None
        facts.periods = [
            Period(p["what"], p["start"].to_native(), p["end"].to_native(), p["org"])
            for p in record["periods"]
        ]
        people.append(facts)
    return people


def read_places(tx: ManagedTransaction) -> list[EntityFacts]:
    """Every place with the countries it lies in (LOCATED_IN/PART_OF, or its `country`)."""
    result = tx.run(
        "MATCH (p:Place) RETURN p.id AS id, p.name AS name, p.aliases AS aliases, "
        "p.sources AS sources, "
        "COLLECT { MATCH (p)-[:LOCATED_IN|PART_OF*1..3]->(c:Country) RETURN DISTINCT c.id } "
        "+ CASE WHEN p.country IS NULL THEN [] ELSE [p.country] END AS countries"
    )
    places = []
    for record in result:
        facts = _facts(record, Kind.PLACE.value)
        facts.countries = sorted(set(record["countries"]))
        places.append(facts)
    return places


def read_organizations(tx: ManagedTransaction) -> list[EntityFacts]:
    result = tx.run(
        "MATCH (o:Organization) RETURN o.id AS id, o.name AS name, o.aliases AS aliases, "
        "o.sources AS sources, COLLECT { MATCH (o)-[:PART_OF]->(x) RETURN x.id } AS parents"
    )
    orgs = []
    for record in result:
        facts = _facts(record, Kind.ORGANIZATION.value)
        facts.parents = list(record["parents"])
        orgs.append(facts)
    return orgs


def read_decisions(tx: ManagedTransaction) -> dict[str, str]:
    """The analyst's decisions: pair id -> 'same' or 'distinct'."""
    result = tx.run("MATCH (d:IdentityDecision) RETURN d.id AS id, d.decision AS decision")
    return {r["id"]: r["decision"] for r in result}


def decide(tx: ManagedTransaction, a: str, b: str, decision: str, note: str) -> None:
    tx.run(
        "MERGE (d:IdentityDecision {id: $id}) SET d.decision = $decision, d.ids = $ids, "
        "d.note = $note, d.decidedAt = datetime()",
        id=pair_id(a, b), ids=sorted((a, b)), decision=decision, note=note,
    ).consume()  # fmt: skip


def _types(tx: ManagedTransaction, query: str, **params: Any) -> list[str]:
    types = [r["t"] for r in tx.run(query, **params)]
    unknown = set(types) - _TYPES
    if unknown:
        raise ResolutionError(f"relationship types {sorted(unknown)} are not of the model")
    return types


def _kind(labels: list[str]) -> str:
    kinds = sorted(set(labels) & _KINDS)
    if len(kinds) != 1:
        raise ResolutionError(f"a node with labels {labels} has no single kind")
    return kinds[0]


# What a relationship says beyond where it comes from: two relationships of one type between
# the same nodes that agree on everything but these are the same fact, told twice.
_PROVENANCE = ["key", "sources", "quotes", "note", "mergedFrom", "mergedKey", "collapsedFrom"]


def _collapse(
    tx: ManagedTransaction, rel_type: str, absorbed: str, survivor: str, params: dict[str, Any]
) -> None:
    """Before a merge moves the absorbed node's relationships: one that the survivor already
    has (same type, same other end, same facts: `_PROVENANCE` aside) is not moved, which
    would leave two parallel edges (the curated Havana and the historian's, each LOCATED_IN
    Cuba). It stays on the `:Merged` record, where no read sees it and `undo_merge` finds
    it again, and the survivor's edge names the absorbed id in `collapsedFrom`."""
    tx.run(
        f"MATCH (a:Entity {{id: $a}}){absorbed.format(t=rel_type)} "
        f"MATCH (s:Entity {{id: $s}}){survivor.format(t=rel_type)} "
        f"WHERE m <> s AND m <> a AND r.collapsedInto IS NULL "
        f"AND all(k IN keys(r) + keys(e) WHERE k IN $provenance OR r[k] = e[k]) "
        f"WITH r, collect(e)[0] AS e "
        f"SET r.collapsedInto = $s, "
        f"e.collapsedFrom = [x IN coalesce(e.collapsedFrom, []) WHERE x <> $a] + $a",
        provenance=_PROVENANCE, **params,
    ).consume()  # fmt: skip


def merge_entities(tx: ManagedTransaction, merge: Merge) -> bool:
    """Fold `merge.absorbed` into `merge.survivor`; False when either is gone."""
    record = tx.run(
        "MATCH (s:Entity {id: $s}) MATCH (a:Entity {id: $a}) "
        "RETURN properties(s) AS s, properties(a) AS a, labels(s) AS ls, labels(a) AS la",
        s=merge.survivor, a=merge.absorbed,
    ).single()  # fmt: skip
    if record is None:
        return False
    kind = _kind(record["la"])
    if _kind(record["ls"]) != kind:
        raise ResolutionError(f"{merge.absorbed} ({kind}) and {merge.survivor} differ in kind")
    params: dict[str, Any] = {"s": merge.survivor, "a": merge.absorbed}
    # Types come from the model's RelType (checked), never from input.
    for rel_type in _types(tx, "MATCH (:Entity {id: $a})-[r]->() RETURN DISTINCT type(r) AS t",
                           **params):  # fmt: skip
        _collapse(tx, rel_type, "-[r:{t}]->(m)", "-[e:{t}]->(m)", params)
        tx.run(
            f"MATCH (a:Entity {{id: $a}})-[r:{rel_type}]->(m) MATCH (s:Entity {{id: $s}}) "
            f"WHERE m <> s AND m <> a AND r.collapsedInto IS NULL "
            f"MERGE (s)-[n:{rel_type} {{mergedFrom: $a, mergedKey: coalesce(r.key, '')}}]->(m) "
            f"SET n += properties(r), n.key = coalesce(r.key, '') + '@' + $a, n.mergedFrom = $a, "
            f"n.mergedKey = coalesce(r.key, '') DELETE r",
            **params,
        ).consume()
    for rel_type in _types(tx, "MATCH (:Entity {id: $a})<-[r]-() RETURN DISTINCT type(r) AS t",
                           **params):  # fmt: skip
        _collapse(tx, rel_type, "<-[r:{t}]-(m)", "<-[e:{t}]-(m)", params)
        tx.run(
            f"MATCH (a:Entity {{id: $a}})<-[r:{rel_type}]-(m) MATCH (s:Entity {{id: $s}}) "
            f"WHERE m <> s AND m <> a AND r.collapsedInto IS NULL "
            f"MERGE (s)<-[n:{rel_type} {{mergedFrom: $a, mergedKey: coalesce(r.key, '')}}]-(m) "
            f"SET n += properties(r), n.key = coalesce(r.key, '') + '@' + $a, n.mergedFrom = $a, "
            f"n.mergedKey = coalesce(r.key, '') DELETE r",
            **params,
        ).consume()
    survivor, absorbed = record["s"], record["a"]
    aliases = list(survivor.get("aliases") or [])
    added_aliases = [
        n for n in dict.fromkeys([absorbed["name"], *(absorbed.get("aliases") or [])])
        if n not in aliases and n != survivor["name"]
    ]  # fmt: skip
    sources, quotes = list(survivor.get("sources") or []), list(survivor.get("quotes") or [])
    added_sources = []
    for doc, quote in zip(
        absorbed.get("sources") or [], absorbed.get("quotes") or [], strict=False
    ):
        if doc not in sources:
            sources.append(doc)
            quotes.append(quote)
            added_sources.append(doc)
    hashes = list(survivor.get("hsgHashes") or [])
    added_hashes = [h for h in absorbed.get("hsgHashes") or [] if h not in hashes]
    added_props = {k: v for k, v in absorbed.items() if k not in survivor and k not in _COMBINED}
    update: dict[str, Any] = {
        **added_props,
        "aliases": aliases + added_aliases,
        "aliasText": " | ".join(aliases + added_aliases),
        "sources": sources,
        "quotes": quotes,
    }
    if added_hashes:
        update["hsgHashes"] = hashes + added_hashes
    tx.run("MATCH (s:Entity {id: $s}) SET s += $update", s=merge.survivor, update=update).consume()
    # A reload may have brought the absorbed node back: its earlier record is superseded.
    tx.run("MATCH (old:Merged {id: $a}) DETACH DELETE old", a=merge.absorbed).consume()
    tx.run(
        f"MATCH (a:Entity {{id: $a}}) MATCH (s:Entity {{id: $s}}) "
        f"REMOVE a:Entity:{kind} SET a:Merged "
        f"SET a.mergedInto = $s, a.mergedKind = $kind, a.rule = $rule, a.evidence = $evidence, "
        f"a.resolutionSources = $sources, a.addedAliases = $aliases, "
        f"a.addedSources = $added_sources, a.addedProps = $props, a.addedHashes = $hashes, "
        f"a.resolvedAt = datetime() "
        f"MERGE (a)-[m:MERGED_INTO]->(s) SET m.rule = $rule, m.evidence = $evidence",
        s=merge.survivor, a=merge.absorbed, kind=kind, rule=merge.rule.value,
        evidence=list(merge.evidence), sources=list(merge.sources), aliases=added_aliases,
        added_sources=added_sources, props=sorted(added_props), hashes=added_hashes,
    ).consume()  # fmt: skip
    return True


@dataclass(frozen=True)
class MergeRecord:
    """A merge as stored: what `--report` lists and `reapply_merges` re-checks."""

    absorbed: str
    survivor: str
    kind: str
    name: str
    rule: str
    evidence: list[str]
    sources: list[str]
    reloaded: bool  # the absorbed id is an :Entity again (a reload wrote it back)


def read_merges(tx: ManagedTransaction) -> list[MergeRecord]:
    result = tx.run(
        "MATCH (m:Merged) RETURN m.id AS id, m.mergedInto AS survivor, m.mergedKind AS kind, "
        "m.name AS name, m.rule AS rule, m.evidence AS evidence, "
        "m.resolutionSources AS sources, EXISTS { MATCH (:Entity {id: m.id}) } AS reloaded "
        "ORDER BY m.mergedInto, m.id"
    )
    return [
        MergeRecord(r["id"], r["survivor"], r["kind"], r["name"], r["rule"],
                    list(r["evidence"] or []), list(r["sources"] or []), r["reloaded"])
        for r in result
    ]  # fmt: skip


def restore_aliases(tx: ManagedTransaction) -> int:
    """Give survivors back the names their merges added, which reloading a curated file (it
    sets `aliases` to the file's) takes away; returns how many survivors changed."""
    summary = tx.run(
        "MATCH (m:Merged) MATCH (s:Entity {id: m.mergedInto}) "
        "WITH s, [x IN coalesce(m.addedAliases, []) "
        "  WHERE NOT x IN coalesce(s.aliases, []) AND x <> s.name] AS missing "
        "WHERE size(missing) > 0 "
        "SET s.aliases = coalesce(s.aliases, []) + missing "
        "SET s.aliasText = reduce(t = '', x IN s.aliases | "
        "  CASE t WHEN '' THEN x ELSE t + ' | ' + x END)"
    ).consume()
    return summary.counters.properties_set // 2


def undo_merge(tx: ManagedTransaction, absorbed: str) -> MergeRecord:
    """Restore a merged node as it was, its relationships and the survivor's names, sources
    and properties; the pair is then kept apart."""
    record = tx.run(
        "MATCH (m:Merged {id: $a}) OPTIONAL MATCH (s:Entity {id: m.mergedInto}) "
        "RETURN properties(m) AS m, properties(s) AS s, EXISTS { MATCH (:Entity {id: $a}) } "
        "AS reloaded",
        a=absorbed,
    ).single()
    if record is None:
        raise ResolutionError(f"no merge of {absorbed!r} is recorded")
    merged, survivor = record["m"], record["s"]
    if record["reloaded"]:
        raise ResolutionError(
            f"{absorbed!r} was loaded again after it was merged; run `diplograph resolve` "
            "first, then undo"
        )
    if survivor is None:
        raise ResolutionError(f"{absorbed!r} was merged into {merged['mergedInto']!r}, gone")
    params: dict[str, Any] = {"s": survivor["id"], "a": absorbed}
    for rel_type in _types(
        tx, "MATCH (:Entity {id: $s})-[r {mergedFrom: $a}]->() RETURN DISTINCT type(r) AS t",
        **params,
    ):  # fmt: skip
        tx.run(
            f"MATCH (s:Entity {{id: $s}})-[r:{rel_type} {{mergedFrom: $a}}]->(x) "
            f"MATCH (m:Merged {{id: $a}}) CREATE (m)-[n:{rel_type}]->(x) SET n = properties(r) "
            f"SET n.key = r.mergedKey REMOVE n.mergedFrom, n.mergedKey DELETE r",
            **params,
        ).consume()
    for rel_type in _types(
        tx, "MATCH (:Entity {id: $s})<-[r {mergedFrom: $a}]-() RETURN DISTINCT type(r) AS t",
        **params,
    ):  # fmt: skip
        tx.run(
            f"MATCH (s:Entity {{id: $s}})<-[r:{rel_type} {{mergedFrom: $a}}]-(x) "
            f"MATCH (m:Merged {{id: $a}}) CREATE (m)<-[n:{rel_type}]-(x) SET n = properties(r) "
            f"SET n.key = r.mergedKey REMOVE n.mergedFrom, n.mergedKey DELETE r",
            **params,
        ).consume()
    # The relationships the merge collapsed into the survivor's own stayed on the record.
    tx.run(
        "MATCH (:Merged {id: $a})-[r]-() WHERE r.collapsedInto = $s REMOVE r.collapsedInto",
        **params,
    ).consume()
    tx.run(
        "MATCH (:Entity {id: $s})-[e]-() WHERE $a IN coalesce(e.collapsedFrom, []) "
        "WITH e, [x IN e.collapsedFrom WHERE x <> $a] AS rest "
        "SET e.collapsedFrom = CASE WHEN size(rest) = 0 THEN null ELSE rest END",
        **params,
    ).consume()
    added_aliases = set(merged.get("addedAliases") or [])
    aliases = [a for a in survivor.get("aliases") or [] if a not in added_aliases]
    added_sources = set(merged.get("addedSources") or [])
    kept = [
        (doc, quote)
        for doc, quote in zip(
            survivor.get("sources") or [], survivor.get("quotes") or [], strict=False
        )
        if doc not in added_sources
    ]
    update: dict[str, Any] = {k: None for k in merged.get("addedProps") or []}
    update.update(
        aliases=aliases,
        aliasText=" | ".join(aliases),
        sources=[doc for doc, _ in kept],
        quotes=[quote for _, quote in kept],
    )
    if merged.get("addedHashes"):
        added_hashes = set(merged["addedHashes"])
        update["hsgHashes"] = [h for h in survivor.get("hsgHashes") or [] if h not in added_hashes]
    tx.run("MATCH (s:Entity {id: $s}) SET s += $update", s=survivor["id"], update=update).consume()
    kind = merged["mergedKind"]
    if kind not in _KINDS:
        raise ResolutionError(f"the merge record of {absorbed!r} has no known kind")
    tx.run(
        f"MATCH (m:Merged {{id: $a}}) OPTIONAL MATCH (m)-[e:MERGED_INTO]->() DELETE e "
        f"WITH DISTINCT m REMOVE m:Merged SET m:Entity:{kind} "
        f"SET m += $cleared",
        a=absorbed, cleared=dict.fromkeys(_RECORD_PROPS),
    ).consume()  # fmt: skip
    decide(tx, absorbed, survivor["id"], "distinct", "undone merge")
    return MergeRecord(absorbed, survivor["id"], kind, merged["name"], merged.get("rule", ""),
                       list(merged.get("evidence") or []), [], False)  # fmt: skip


def write_link(tx: ManagedTransaction, link: Link) -> bool:
    """PART_OF from the post to its bureau, citing both; False when either is gone."""
    summary = tx.run(
        "MATCH (p:Entity {id: $p}) MATCH (b:Entity {id: $b}) "
        "MERGE (p)-[r:PART_OF {key: $key}]->(b) "
        "SET r.rule = $rule, r.evidence = $evidence, r.resolution = true, "
        "r.sources = coalesce(p.sources[0..1], []) + coalesce(b.sources[0..1], []), "
        "r.quotes = coalesce(p.quotes[0..1], []) + coalesce(b.quotes[0..1], []), "
        "r.resolvedAt = datetime() RETURN count(r) AS n",
        p=link.part, b=link.whole, key=LINK_KEY, rule=link.rule.value,
        evidence=list(link.evidence),
    ).single()  # fmt: skip
    return bool(summary and summary["n"])


@dataclass(frozen=True)
class LinkRecord:
    part: str
    whole: str
    rule: str
    evidence: list[str]


def read_links(tx: ManagedTransaction) -> list[LinkRecord]:
    result = tx.run(
        "MATCH (p:Entity)-[r:PART_OF {key: $key}]->(b:Entity) "
        "RETURN p.id AS part, b.id AS whole, r.rule AS rule, r.evidence AS evidence "
        "ORDER BY part, whole",
        key=LINK_KEY,
    )
    return [LinkRecord(r["part"], r["whole"], r["rule"], list(r["evidence"])) for r in result]


def undo_link(tx: ManagedTransaction, part: str) -> list[LinkRecord]:
    """Remove the post's resolved PART_OF links; the pairs are then kept apart."""
    links = [link for link in read_links(tx) if link.part == part]
    for link in links:
        tx.run(
            "MATCH (:Entity {id: $p})-[r:PART_OF {key: $key}]->(:Entity {id: $b}) DELETE r",
            p=link.part, b=link.whole, key=LINK_KEY,
        ).consume()  # fmt: skip
        decide(tx, link.part, link.whole, "distinct", "undone link")
    return links
