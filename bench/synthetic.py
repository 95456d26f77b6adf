"""Synthetic diplomatic data at scale, in diplograph's graph model, for benchmarks only.

`--scale N` makes N actors (people, organizations, delegations, countries) and what they
do over time: meetings between the delegations of two or more countries, held in a city,
on issues the delegations raise; posts people hold in their country's ministries, with
start and end dates; events attended by people. Everything is drawn from one seeded
random generator, so a scale and a seed always give the same graph.

The graph model is the curated one (docs/graph-model.md): `(:Entity:<Kind> {id, name,
aliases, aliasText, description, date, datePrecision, dateFrom, dateTo, sources, quotes})`
and typed relationships with `sources`/`quotes` lists and fuzzy dates. Every node also has
`synthetic: true`, its id starts with `syn-`, and every source document is a
`(:Document {synthetic: true})` titled "Synthetic record ..." so nothing can pass for a
real fact. Writes are batched `UNWIND ... CREATE` statements, nodes first.

Sizes (per N actors): 55% people, 34% delegations, 6% organizations, the rest countries;
about 0.14 N meetings, 0.02 N issues and events, 3 places per country, 0.005 N documents:
about 1.19 N nodes and 4.46 N relationships in all. A million nodes is `--scale 850000`
(830,000 gave 985,488 nodes and 3,701,557 relationships in 17 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import calendar
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from neo4j import Driver

ID_PREFIX = "syn-"
BATCH = 10_000
FIRST_YEAR, LAST_YEAR = 1950, 2024

TOPICS = (
    "migration",
    "trade tariffs",
    "nuclear non-proliferation",
    "fisheries",
    "human rights",
    "climate finance",
    "border demarcation",
    "extradition",
    "energy security",
    "maritime security",
    "refugees",
    "visa policy",
    "debt relief",
    "arms control",
    "cultural exchange",
    "public health",
    "telecommunications",
    "civil aviation",
    "agriculture",
    "water rights",
    "consular access",
    "sanctions",
    "peacekeeping",
    "narcotics control",
    "space cooperation",
)
FIRST_NAMES = (
    "Ana",
    "Boris",
    "Carmen",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jamal",
    "Kofi",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Stefan",
    "Tariq",
    "Ursula",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Amadou",
    "Beatriz",
    "Chen",
    "Dalia",
)
SYLLABLES = (
    "al",
    "bar",
    "cor",
    "dan",
    "el",
    "fer",
    "gal",
    "hol",
    "ir",
    "jas",
    "kel",
    "lor",
    "mar",
    "nor",
    "ost",
    "pel",
    "quin",
    "ros",
    "sal",
    "tor",
    "ul",
    "ven",
    "wal",
    "xan",
    "yor",
    "zel",
)
TITLES = (
    "Ambassador",
    "Deputy Foreign Minister",
    "Director of Treaty Affairs",
    "Special Envoy",
    "Chief Negotiator",
    "Consul General",
    "Political Counselor",
    "Minister of Foreign Affairs",
)
ORG_KINDS = ("Ministry of Foreign Affairs", "Embassy", "Bureau of {topic}", "Mission to the Union")
EVENT_KINDS = (
    "Signing of the {topic} accord",
    "Summit statement on {topic}",
    "Suspension of talks on {topic}",
    "Joint commission on {topic}",
)


@dataclass(frozen=True)
class Shape:
    """How many of each kind a scale makes."""

    actors: int
    countries: int
    organizations: int
    delegations: int
    people: int
    places: int
    issues: int
    events: int
    documents: int

    @classmethod
    def of(cls, actors: int) -> Shape:
        if actors < 100:
            raise ValueError("--scale must be at least 100 actors")
        countries = max(8, min(200, actors // 400))
        organizations = max(countries * 2, actors * 6 // 100)
        delegations = actors * 34 // 100
        people = actors - countries - organizations - delegations
        return cls(
            actors=actors,
            countries=countries,
            organizations=organizations,
            delegations=delegations,
            people=people,
            places=countries * 3,
            issues=max(30, actors // 50),
            events=max(10, actors // 50),
            documents=max(10, actors // 200),
        )


@dataclass
class Rows:
    """Rows of one label or relationship type, written when a batch is full."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def fuzzy(rng: random.Random, year: int, prefix: str = "date") -> dict[str, Any]:
    """A date at year, month or day precision, as the graph stores it."""
    roll = rng.random()
    month = rng.randint(1, 12)
    if roll < 0.1:
        value, start, end = str(year), date(year, 1, 1), date(year, 12, 31)
        precision = "year"
    elif roll < 0.4:
        last = calendar.monthrange(year, month)[1]
        value, start, end = f"{year}-{month:02d}", date(year, month, 1), date(year, month, last)
        precision = "month"
    else:
        day = date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))
        value, start, end, precision = day.isoformat(), day, day, "day"
    return {
        prefix: value,
        f"{prefix}Precision": precision,
        f"{prefix}From": start,
        f"{prefix}To": end,
    }


class Generator:
    """Draws the graph for one shape from one seed; yields batches of rows by label/type."""

    def __init__(self, shape: Shape, seed: int) -> None:
        self.shape = shape
        self.rng = random.Random(seed)
        self.country_names: list[str] = []
        self.people_by_country: list[list[int]] = [[] for _ in range(shape.countries)]
        self.orgs_by_country: list[list[int]] = [[] for _ in range(shape.countries)]
        self.person_title: dict[int, str] = {}
        self.doc = 0

    # -- naming -----------------------------------------------------------------------

    def word(self, parts: int) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(parts)).capitalize()

    def sources(self, quote: str) -> dict[str, Any]:
        self.doc = (self.doc + 1) % self.shape.documents
        return {"sources": [f"{ID_PREFIX}doc-{self.doc}"], "quotes": [quote]}

    def node(self, kind: str, index: int, name: str, **props: Any) -> dict[str, Any]:
        aliases: list[str] = props.pop("aliases", [])
        return {
            "id": f"{ID_PREFIX}{kind.lower()}-{index}",
            "name": name,
            "aliases": aliases,
            "aliasText": " | ".join(aliases),
            "synthetic": True,
            **self.sources(f"synthetic record of {name}"),
            **props,
        }

    def rel(self, source: str, target: str, **props: Any) -> dict[str, Any]:
        return {
            "from": source,
            "to": target,
            "props": {"key": "", **self.sources("synthetic fact"), **props},
        }

    # -- the graph ----------------------------------------------------------------------

    def nodes(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """(label, rows) batches of every node; fixes who belongs to which country."""
        s, rng = self.shape, self.rng
        yield (
            "Document",
            [
                {
                    "id": f"{ID_PREFIX}doc-{i}",
                    "title": f"Synthetic record {i}",
                    "synthetic": True,
                    "text": f"Synthetic record {i}: benchmark data, not a real source.",
                }
                for i in range(s.documents)
            ],
        )
        seen: set[str] = set()
        for _ in range(s.countries):
            name = self.word(2) + "ia"
            while name in seen:
                name = self.word(3) + "ia"
            seen.add(name)
            self.country_names.append(name)
        yield (
            "Country",
            [
                self.node("Country", i, n, aliases=[f"Republic of {n}"])
                for i, n in enumerate(self.country_names)
            ],
        )
        yield (
            "Place",
            [
                self.node(
                    "Place",
                    i,
                    f"{self.word(2)} City" if i % 3 else f"Capital of {c}",
                    placeType="city",
                )
                for i, c in ((i, self.country_names[i // 3]) for i in range(s.places))
            ],
        )
        orgs = []
        for i in range(s.organizations):
            country = i % s.countries
            self.orgs_by_country[country].append(i)
            kind = ORG_KINDS[(i // s.countries) % len(ORG_KINDS)]
            topic = rng.choice(TOPICS)
            label = kind.format(topic=topic.title())
            suffix = "" if i < s.countries * len(ORG_KINDS) else f" {i // s.countries}"
            orgs.append(
                self.node(
                    "Organization",
                    i,
                    f"{label} of {self.country_names[country]}{suffix}",
                    description=f"{label}, {topic}",
                )
            )
        yield from _chunks("Organization", orgs)
        people = []
        for i in range(s.people):
            country = rng.randrange(s.countries)
            self.people_by_country[country].append(i)
            first, last = rng.choice(FIRST_NAMES), self.word(2) + self.word(1).lower()
            self.person_title[i] = rng.choice(TITLES)
            born = rng.randint(FIRST_YEAR - 60, LAST_YEAR - 30)
            people.append(
                self.node(
                    "Person",
                    i,
                    f"{first} {last}",
                    aliases=[f"{first[0]}. {last}"],
                    description=f"{self.person_title[i]} of {self.country_names[country]}",
                    **fuzzy(rng, born),
                )
            )
            if len(people) == BATCH:
                yield "Person", people
                people = []
        yield "Person", people
        yield (
            "Issue",
            [
                self.node(
                    "Issue",
                    i,
                    f"{TOPICS[i % len(TOPICS)].capitalize()} "
                    f"({self.country_names[i % s.countries]}, file {i})",
                    description=f"Negotiations on {TOPICS[i % len(TOPICS)]}",
                )
                for i in range(s.issues)
            ],
        )
        yield (
            "Event",
            [
                self.node(
                    "Event",
                    i,
                    rng.choice(EVENT_KINDS).format(topic=rng.choice(TOPICS)) + f" ({i})",
                    **fuzzy(rng, rng.randint(FIRST_YEAR, LAST_YEAR)),
                )
                for i in range(s.events)
            ],
        )

    def person(self, country: int) -> int:
        """Someone of a country; senior people are drawn far more often (a few lead a lot)."""
        pool = self.people_by_country[country]
        if not pool:
            return self.rng.randrange(self.shape.people)
        return pool[int(len(pool) * self.rng.random() ** 2.5)]

    def meetings(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Meetings and their delegations (nodes), then every relationship, in batches."""
        s, rng = self.shape, self.rng
        out = Rows()
        meeting = delegation = 0
        while delegation < s.delegations:
            size = 2 if rng.random() < 0.8 else rng.randint(3, 5)
            size = min(size, s.delegations - delegation, s.countries)
            if size < 2:
                break
            sides = rng.sample(range(s.countries), size)
            host = sides[0]
            year = rng.randint(FIRST_YEAR, LAST_YEAR)
            when = fuzzy(rng, year)
            topic = rng.choice(TOPICS)
            place = host * 3 + rng.randrange(3)
            names = " and ".join(self.country_names[c] for c in sides[:2])
            mid = f"{ID_PREFIX}meeting-{meeting}"
            yield from _add(
                out.nodes,
                "Meeting",
                self.node(
                    "Meeting",
                    meeting,
                    f"Talks between {names} on {topic}, {year}",
                    description=f"{'Bilateral' if size == 2 else 'Multilateral'} talks on {topic}",
                    meetingType="bilateral" if size == 2 else "multilateral",
                    **when,
                ),
            )
            yield from _add_rel(out, "HELD_IN", self.rel(mid, f"{ID_PREFIX}place-{place}"))
            issues = rng.sample(range(s.issues), rng.randint(1, 4))
            for issue in issues:
                yield from _add_rel(
                    out,
                    "DISCUSSED",
                    self.rel(mid, f"{ID_PREFIX}issue-{issue}", note=f"agenda item on {topic}"),
                )
            for side in sides:
                did = f"{ID_PREFIX}delegation-{delegation}"
                yield from _add(
                    out.nodes,
                    "Delegation",
                    self.node(
                        "Delegation",
                        delegation,
                        f"Delegation of {self.country_names[side]} ({mid[len(ID_PREFIX) :]})",
                        **when,
                    ),
                )
                role = "host delegation" if side == host else "visiting delegation"
                yield from _add_rel(out, "ATTENDED", self.rel(did, mid, role=role))
                yield from _add_rel(out, "REPRESENTS", self.rel(did, f"{ID_PREFIX}country-{side}"))
                leader = self.person(side)
                yield from _add_rel(
                    out,
                    "LED",
                    self.rel(
                        f"{ID_PREFIX}person-{leader}",
                        did,
                        role="head of delegation",
                        title=self.person_title.get(leader),
                    ),
                )
                members = {self.person(side) for _ in range(rng.randint(1, 3))} - {leader}
                for member in sorted(members):
                    yield from _add_rel(
                        out,
                        "MEMBER_OF",
                        self.rel(f"{ID_PREFIX}person-{member}", did, role="member"),
                    )
                for issue in rng.sample(issues, rng.randint(0, min(2, len(issues)))):
                    yield from _add_rel(
                        out, "RAISED", self.rel(did, f"{ID_PREFIX}issue-{issue}", **when)
                    )
                delegation += 1
            meeting += 1
        for person in range(s.people):
            yield from self._career(out, person)
        for org in range(s.organizations):
            country = org % s.countries
            yield from _add_rel(
                out,
                "REPRESENTS",
                self.rel(f"{ID_PREFIX}organization-{org}", f"{ID_PREFIX}country-{country}"),
            )
            yield from _add_rel(
                out,
                "LOCATED_IN",
                self.rel(f"{ID_PREFIX}organization-{org}", f"{ID_PREFIX}place-{country * 3}"),
            )
        for place in range(s.places):
            yield from _add_rel(
                out,
                "LOCATED_IN",
                self.rel(f"{ID_PREFIX}place-{place}", f"{ID_PREFIX}country-{place // 3}"),
            )
        for event in range(s.events):
            eid = f"{ID_PREFIX}event-{event}"
            country = rng.randrange(s.countries)
            yield from _add_rel(out, "HELD_IN", self.rel(eid, f"{ID_PREFIX}place-{country * 3}"))
            for _ in range(rng.randint(1, 3)):
                yield from _add_rel(
                    out,
                    "ATTENDED",
                    self.rel(f"{ID_PREFIX}person-{self.person(country)}", eid, role="participant"),
                )
            yield from _add_rel(
                out, "INVOLVES", self.rel(eid, f"{ID_PREFIX}issue-{rng.randrange(s.issues)}")
            )
        for label, rows in out.nodes.items():
            if rows:
                yield label, rows
        for rel_type, rows in out.rels.items():
            if rows:
                yield rel_type, rows

    def _career(self, out: Rows, person: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """1-3 posts in the person's country's bodies, one after another."""
        rng = self.rng
        pid = f"{ID_PREFIX}person-{person}"
        year = rng.randint(FIRST_YEAR, LAST_YEAR - 4)
        home = self._home_country(person)
        orgs = self.orgs_by_country[home] or [0]
        for _ in range(rng.randint(1, 3)):
            if year > LAST_YEAR:
                break
            length = rng.randint(2, 6)
            props = {"title": rng.choice(TITLES), **fuzzy(rng, year, "start")}
            if year + length <= LAST_YEAR:
                props.update(fuzzy(rng, year + length, "end"))
            org = rng.choice(orgs)
            yield from _add_rel(
                out, "HOLDS_POSITION", self.rel(pid, f"{ID_PREFIX}organization-{org}", **props)
            )
            year += length + rng.randint(0, 3)
        yield from _add_rel(out, "CITIZEN_OF", self.rel(pid, f"{ID_PREFIX}country-{home}"))

    def _home_country(self, person: int) -> int:
        if not hasattr(self, "_home"):
            self._home: dict[int, int] = {
                p: c for c, pool in enumerate(self.people_by_country) for p in pool
            }
        return self._home[person]


def _add(
    buckets: dict[str, list[dict[str, Any]]], key: str, row: dict[str, Any]
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    rows = buckets.setdefault(key, [])
    rows.append(row)
    if len(rows) >= BATCH:
        buckets[key] = []
        yield key, rows


def _add_rel(
    out: Rows, key: str, row: dict[str, Any]
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Add a relationship row; before a full batch goes out, the nodes drawn so far go out
    (a relationship batch may name meetings and delegations not yet written)."""
    rows = out.rels.setdefault(key, [])
    rows.append(row)
    if len(rows) >= BATCH:
        for label, pending in out.nodes.items():
            if pending:
                out.nodes[label] = []
                yield label, pending
        out.rels[key] = []
        yield key, rows


def _chunks(label: str, rows: list[dict[str, Any]]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for start in range(0, len(rows), BATCH):
        yield label, rows[start : start + BATCH]


NODE_LABELS = {
    "Country",
    "Place",
    "Organization",
    "Person",
    "Issue",
    "Event",
    "Meeting",
    "Delegation",
}


@dataclass
class Written:
    nodes: int = 0
    relationships: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)


def delete_synthetic(driver: Driver, database: str) -> int:
    """Remove an earlier synthetic graph (only nodes marked `synthetic: true`)."""
    deleted = 0
    while True:
        records, _, _ = driver.execute_query(
            "MATCH (n) WHERE n.synthetic = true WITH n LIMIT 10000 DETACH DELETE n "
            "RETURN count(*) AS n",
            database_=database,
        )
        count = int(records[0]["n"])
        deleted += count
        if count == 0:
            return deleted


# One node records what synthetic graph the database holds, so that a benchmark can reuse
# it (`--reuse-data`) rather than write it again. It is no Entity (the API never sees it),
# and `synthetic: true` makes `delete_synthetic` remove it with the graph.
MARKER_LABEL = "DiplographSyntheticGraph"


def marker(driver: Driver, database: str) -> dict[str, Any] | None:
    """What the last complete `write` recorded (actors, seed, nodes, ...), or None."""
    records, _, _ = driver.execute_query(
        f"MATCH (m:{MARKER_LABEL}) RETURN properties(m) AS m LIMIT 1", database_=database
    )
    return dict(records[0]["m"]) if records else None


def record(driver: Driver, database: str, **facts: Any) -> None:
    """Add facts (scalars) to the marker of the synthetic graph."""
    driver.execute_query(
        f"MERGE (m:{MARKER_LABEL} {{synthetic: true}}) SET m += $facts",
        facts=facts,
        database_=database,
    )


def write(driver: Driver, database: str, actors: int, seed: int = 7, echo: bool = True) -> Written:
    """Generate and write the synthetic graph for `actors` actors; returns what was written."""
    shape = Shape.of(actors)
    generator = Generator(shape, seed)
    written = Written()
    started = time.perf_counter()
    last_echo = started

    def run(key: str, rows: list[dict[str, Any]]) -> None:
        nonlocal last_echo
        if key == "Document":
            cypher = "UNWIND $rows AS row CREATE (n:Document) SET n = row"
        elif key in NODE_LABELS:
            # Labels come from NODE_LABELS, never from input.
            cypher = f"UNWIND $rows AS row CREATE (n:Entity:{key}) SET n = row"
        else:
            cypher = (
                "UNWIND $rows AS row MATCH (a:Entity {id: row.from}) MATCH (b:Entity {id: row.to}) "
                f"CREATE (a)-[r:{key}]->(b) SET r = row.props"
            )
        driver.execute_query(cypher, rows=rows, database_=database)
        written.by_kind[key] = written.by_kind.get(key, 0) + len(rows)
        if key == "Document" or key in NODE_LABELS:
            written.nodes += len(rows)
        else:
            written.relationships += len(rows)
        now = time.perf_counter()
        if echo and now - last_echo > 10:
            last_echo = now
            print(
                f"  synthetic: {written.nodes:,} nodes, {written.relationships:,} "
                f"relationships, {now - started:.0f}s",
                flush=True,
            )

    for key, rows in generator.nodes():
        if rows:
            run(key, rows)
    for key, rows in generator.meetings():
        run(key, rows)
    written.seconds = time.perf_counter() - started
    # Last: a marker exists only for a graph written to the end.
    record(
        driver, database, actors=actors, seed=seed, nodes=written.nodes,
        relationships=written.relationships, seconds=round(written.seconds, 1),
    )  # fmt: skip
    return written


def main(argv: list[str] | None = None) -> int:
    from diplograph.settings import get_settings
    from graph.driver import connect
    from graph.migrations import migrate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, required=True, help="number of actors")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--replace", action="store_true", help="delete earlier synthetic data")
    args = parser.parse_args(argv)
    settings = get_settings()
    with connect(settings) as driver:
        migrate(driver, settings.neo4j_database)
        if args.replace:
            print(f"deleted {delete_synthetic(driver, settings.neo4j_database):,} nodes")
        done = write(driver, settings.neo4j_database, args.scale, args.seed)
    print(
        f"SYNTHETIC: {done.nodes:,} nodes and {done.relationships:,} relationships "
        f"in {done.seconds:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
