"""The identity rules: which nodes from different sources are one real thing.

Pure functions over `diplograph.identity` facts; `services/pipeline.resolve_identities`
reads the facts from the graph, runs `plan`, and writes what it decides. The rules, with
the evidence each records, are documented in docs/graph-model.md ("One identity per real
thing"). Whatever a rule cannot decide on its own goes to review, never to a guess.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from itertools import combinations

from diplograph.identity import EntityFacts, Link, Merge, Period, Plan, Review, Rule, pair_id
from loaders.names import normalize_name

ADULT = timedelta(days=16 * 365)
"""No post or meeting before this age: a record dated earlier is someone else's."""

MAX_GAP_YEARS = 30
"""Two careers further apart than this are not taken for one without the analyst."""

OVERLAP_DAYS = 31
"""Posts at two different organizations that share more days than this contradict."""

_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_QUALIFIER = re.compile(r"\s*\(([^)]*)\)\s*$")
_POST = re.compile(
    r"^(?P<title>.*\b(?:Secretary|Director|Coordinator|Administrator)(?: of State)?) for "
    r"(?P<bureau>.+)$"
)


def family(document: str) -> str:
    """Which source a document belongs to: one of the historian's datasets, or documents
    (the curated articles and ingested texts, which cite each other's entities by id)."""
    for dataset in ("pocom", "travels", "visits"):
        if document == f"hsg-{dataset}" or document.startswith(f"hsg-{dataset}-"):
            return dataset
    return "documents"


def families(entity: EntityFacts) -> frozenset[str]:
    return frozenset(family(s) for s in entity.sources)


def rank(entity: EntityFacts) -> tuple[int, int, str]:
    """Which node of a cluster survives: one cited by documents (its id is the one the
    curated files and analysts write), then the one with most sources, then by id."""
    return (0 if "documents" in families(entity) else 1, -len(entity.sources), entity.id)


# -- people ------------------------------------------------------------------------------------


def name_parts(name: str) -> tuple[str, tuple[str, ...], str] | None:
    """(first, middles, last) of a person's name, normalized; None for a one-word name."""
    words = [w for w in normalize_name(name).split() if w not in _SUFFIXES]
    if len(words) < 2:
        return None
    return words[0], tuple(words[1:-1]), words[-1]


def _word_fits(a: str, b: str) -> bool:
    """Equal words, or an initial and a word it begins."""
    return a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))


def _middles_fit(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """Every middle name of the shorter form fits one of the longer's, in order."""
    rest = iter(long)
    return all(any(_word_fits(word, other) for other in rest) for word in short)


def names_fit(a: EntityFacts, b: EntityFacts) -> str | None:
    """Evidence that two people's names are one name (middle names and initials tolerated)."""
    for name_a in a.names:
        for name_b in b.names:
            pa, pb = name_parts(name_a), name_parts(name_b)
            if pa is None or pb is None or pa[2] != pb[2] or not _word_fits(pa[0], pb[0]):
                continue
            short, long = sorted((pa[1], pb[1]), key=len)
            if _middles_fit(short, long):
                how = "same name" if pa == pb else "middle names or initials tolerated"
                return f"names: {name_a!r} ~ {name_b!r} ({how})"
    return None


def _span(periods: Iterable[Period]) -> tuple[date, date] | None:
    periods = list(periods)
    if not periods:
        return None
    return min(p.start for p in periods), max(p.end for p in periods)


def _describe(entity: EntityFacts) -> str:
    span = _span(entity.periods)
    parts = [f"{entity.id}: {len(entity.periods)} dated fact(s)"]
    if span:
        parts.append(f"{span[0]}..{span[1]}")
    if entity.birth:
        parts.append(f"born {entity.birth.year}")
    if entity.death:
        parts.append(f"died {entity.death.year}")
    return ", ".join(parts)


def career_conflict(a: EntityFacts, b: EntityFacts) -> str | None:
    """Why two careers cannot be one person's, or None."""
    for what in ("birth", "death"):
        day_a, day_b = getattr(a, what), getattr(b, what)
        if day_a and day_b and abs(day_a.year - day_b.year) > 1:
            return f"{what} {day_a.year} ({a.id}) against {day_b.year} ({b.id})"
    for one, other in ((a, b), (b, a)):
        for period in one.periods:
            if other.birth and period.start < other.birth + ADULT:
                return f"{one.id}'s {period.what} ({period.start}) predates {other.id}'s adulthood"
            if other.death and period.start > other.death:
                return f"{one.id}'s {period.what} ({period.start}) is after {other.id}'s death"
    for pa in (p for p in a.periods if p.org):
        for pb in (p for p in b.periods if p.org):
            shared = (min(pa.end, pb.end) - max(pa.start, pb.start)).days
            if pa.org != pb.org and shared > OVERLAP_DAYS:
                return (
                    f"posts overlap {shared} days: {a.id} {pa.what} {pa.start}..{pa.end}, "
                    f"{b.id} {pb.what} {pb.start}..{pb.end}"
                )
    return None


def career_evidence(a: EntityFacts, b: EntityFacts) -> tuple[str | None, str | None]:
    """(evidence the careers are compatible, or None; the reason to review instead)."""
    conflict = career_conflict(a, b)
    if conflict:
        return None, f"careers contradict: {conflict}"
    span_a, span_b = _span(a.periods), _span(b.periods)
    if span_a is None or span_b is None:
        return None, f"no dated career to compare ({_describe(a)}; {_describe(b)})"
    gap = max(span_a[0].year - span_b[1].year, span_b[0].year - span_a[1].year, 0)
    if gap > MAX_GAP_YEARS:
        return None, f"careers {gap} years apart ({_describe(a)}; {_describe(b)})"
    return f"careers: no post overlaps another, {gap} years apart ({_describe(a)}; " \
        f"{_describe(b)})", None  # fmt: skip


def _person_key(name: str) -> tuple[str, str] | None:
    parts = name_parts(name)
    return (parts[2], parts[0][0]) if parts else None


# -- places ------------------------------------------------------------------------------------


def core_name(name: str) -> tuple[str, str | None]:
    """'Havana (Cuba)' -> ('havana', 'cuba'): the name and its parenthetical qualifier."""
    match = _QUALIFIER.search(name)
    qualifier = normalize_name(match.group(1)) if match else None
    return normalize_name(_QUALIFIER.sub("", name)), qualifier


def _place_fits(a: EntityFacts, b: EntityFacts) -> tuple[str | None, str | None]:
    """(evidence, reason to review): same name, same country, no qualifier naming another."""
    names = sorted({core_name(n)[0] for n in a.names} & {core_name(n)[0] for n in b.names})
    if not names:
        return None, None
    for entity in (a, b):
        for name in entity.names:
            qualifier = core_name(name)[1]
            if qualifier and qualifier.replace(" ", "-") not in entity.countries:
                return None, (
                    f"{entity.id} is named {name!r} but lies in {entity.countries or 'no country'}"
                )
    if not a.countries or not b.countries:
        return None, f"same name {names[0]!r}; country unknown for " + ", ".join(
            e.id for e in (a, b) if not e.countries
        )
    shared = sorted(set(a.countries) & set(b.countries))
    if not shared:
        return None, f"same name {names[0]!r} in different countries ({a.countries}, {b.countries})"
    return f"same name {names[0]!r} in the same country ({shared[0]})", None


# -- clustering --------------------------------------------------------------------------------


def _merges(
    pairs: list[tuple[EntityFacts, EntityFacts, Rule, list[str]]],
) -> list[Merge]:
    """Merges for accepted pairs: each cluster into its best-ranked node."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    entities: dict[str, EntityFacts] = {}
    for a, b, _, _ in pairs:
        entities[a.id], entities[b.id] = a, b
        ra, rb = root(a.id), root(b.id)
        if ra != rb:
            first, second = sorted((entities[ra], entities[rb]), key=rank)
            parent[second.id] = first.id
    merges = []
    for a, b, rule, evidence in pairs:
        survivor = entities[root(a.id)]
        for absorbed in (a, b):
            if absorbed.id == survivor.id:
                continue
            sources = tuple(dict.fromkeys([*survivor.sources, *absorbed.sources]))
            merges.append(Merge(survivor.id, absorbed.id, rule, tuple(evidence), sources))
    seen: set[str] = set()
    return [m for m in merges if not (m.absorbed in seen or seen.add(m.absorbed))]  # type: ignore[func-returns-value]


def _resolve_pairs(
    candidates: list[tuple[EntityFacts, EntityFacts, list[str] | None, str | None]],
    rule: Rule,
    decisions: Mapping[str, str],
    plan: Plan,
) -> None:
    """Accept the fitting pairs whose ends fit nothing else of the other's source; send the
    rest to review. An analyst's decision on a pair overrides the rules."""
    accepted: list[tuple[EntityFacts, EntityFacts, Rule, list[str]]] = []
    fits: dict[tuple[str, str], int] = defaultdict(int)
    for a, b, evidence, _ in candidates:
        if evidence is not None and decisions.get(pair_id(a.id, b.id)) != "distinct":
            for one, other in ((a, b), (b, a)):
                for fam in families(other):
                    fits[(one.id, fam)] += 1
    for a, b, evidence, reason in candidates:
        decision = decisions.get(pair_id(a.id, b.id))
        if decision == "distinct":
            continue
        if decision == "same":
            accepted.append((a, b, Rule.ANALYST, ["the analyst decided they are one"]))
            continue
        if evidence is None:
            if reason is not None:
                plan.reviews.append(Review(a.id, b.id, rule, reason))
            continue
        crowded = [
            one.id
            for one, other in ((a, b), (b, a))
            if any(fits[(one.id, fam)] > 1 for fam in families(other))
        ]
        if crowded:
            plan.reviews.append(
                Review(a.id, b.id, rule, f"{', '.join(crowded)} fits more than one record: "
                       + "; ".join(evidence))
            )  # fmt: skip
        else:
            accepted.append((a, b, rule, evidence))
    plan.merges.extend(_merges(accepted))


def _cross_source_pairs(
    groups: Mapping[object, list[EntityFacts]],
) -> Iterable[tuple[EntityFacts, EntityFacts]]:
    """Pairs of one group from different sources (a source's own records it keeps apart)."""
    seen: set[str] = set()
    for members in groups.values():
        for a, b in combinations(sorted(members, key=lambda e: e.id), 2):
            if a.id == b.id or families(a) & families(b) or pair_id(a.id, b.id) in seen:
                continue
            seen.add(pair_id(a.id, b.id))
            yield a, b


def plan_people(people: list[EntityFacts], decisions: Mapping[str, str], plan: Plan) -> None:
    groups: dict[object, list[EntityFacts]] = defaultdict(list)
    for person in people:
        for key in {k for n in person.names if (k := _person_key(n))}:
            groups[key].append(person)
    candidates = []
    for a, b in _cross_source_pairs(groups):
        names = names_fit(a, b)
        if names is None:
            continue
        careers, reason = career_evidence(a, b)
        evidence = [names, careers] if careers else None
        candidates.append((a, b, evidence, reason))
    _resolve_pairs(candidates, Rule.PERSON_NAME_CAREER, decisions, plan)


def plan_places(places: list[EntityFacts], decisions: Mapping[str, str], plan: Plan) -> None:
    groups: dict[object, list[EntityFacts]] = defaultdict(list)
    for place in places:
        for name in {core_name(n)[0] for n in place.names}:
            groups[name].append(place)
    candidates = []
    for a, b in _cross_source_pairs(groups):
        fit, reason = _place_fits(a, b)
        if fit or reason:
            candidates.append((a, b, [fit] if fit else None, reason))
    _resolve_pairs(candidates, Rule.PLACE_NAME_COUNTRY, decisions, plan)


def plan_posts(organizations: list[EntityFacts], decisions: Mapping[str, str], plan: Plan) -> None:
    """A post ("Assistant Secretary of State for X") belongs to the one bureau named X
    ("Bureau of X", "X", "X (U.S. Department of State)")."""
    bureaus: dict[str, list[EntityFacts]] = defaultdict(list)
    posts: list[tuple[EntityFacts, str, str]] = []
    for org in organizations:
        match = _POST.match(org.name)
        if match:
            posts.append((org, match.group("title"), match.group("bureau")))
            continue
        for name in org.names:
            core, _ = core_name(name)
            bureaus[core.removeprefix("bureau of ")].append(org)
    for post, title, bureau in posts:
        found = {b.id: b for b in bureaus.get(normalize_name(bureau), []) if b.id != post.id}
        choices = [b for b in found.values() if decisions.get(pair_id(post.id, b.id)) != "distinct"]
        if len(choices) > 1:
            plan.reviews.extend(
                Review(post.id, b.id, Rule.POST_BUREAU, f"{len(choices)} bureaus named {bureau!r}")
                for b in choices
            )
        elif choices and choices[0].id not in post.parents:
            whole = choices[0]
            evidence = (
                f"post {post.name!r} is {title!r} for {bureau!r}",
                f"bureau {whole.name!r} is the only organization named {bureau!r}",
            )
            plan.links.append(Link(post.id, whole.id, Rule.POST_BUREAU, evidence))


def plan(
    people: list[EntityFacts],
    places: list[EntityFacts],
    organizations: list[EntityFacts],
    decisions: Mapping[str, str],
) -> Plan:
    """Every merge, link and review the rules give for the entities as they stand."""
    result = Plan()
    plan_people(people, decisions, result)
    plan_places(places, decisions, result)
    plan_posts(organizations, decisions, result)
    return result
