"""Ratios, the goal's verdict, and the Markdown report of one run."""

from __future__ import annotations

from typing import Any

OURS, PEER, RAW = "diplograph", "neo4j-graphql", "raw-cypher"
NAMES = {OURS: "diplograph", PEER: "@neo4j/graphql", RAW: "raw Cypher"}


def data_label(data: dict[str, Any]) -> str:
    graph = data.get("graph", {})
    parts = ["articles + curated knowledge"]
    if data.get("hsg"):
        parts.append("historian's datasets")
    if data.get("synthetic"):
        s = data["synthetic"]
        parts.append(f"SYNTHETIC --scale {s['actors']:,} (seed {s['seed']})")
    total = f"{graph.get('nodes', 0):,} nodes, {graph.get('relationships', 0):,} relationships"
    synthetic = graph.get("synthetic_nodes", 0)
    share = f", {synthetic:,} of the nodes SYNTHETIC" if synthetic else ""
    return f"{' + '.join(parts)}: {total}{share}"


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


def _cpu(result: dict[str, Any]) -> float | None:
    cpu = result.get("cpu_ms_per_request") or {}
    if cpu.get("server") is None or cpu.get("neo4j") is None:
        return None
    return float(cpu["server"]) + float(cpu["neo4j"])


def ratios(doc: dict[str, Any]) -> dict[str, Any]:
    results = doc["results"]
    out: dict[str, Any] = {}
    for label, ours in results.get(OURS, {}).items():
        peer = results.get(PEER, {}).get(label, {})
        raw = results.get(RAW, {}).get(label, {})
        out[label] = {
            "rps_vs_peer": _ratio(ours.get("rps"), peer.get("rps")),
            "p50_vs_peer": _ratio(ours.get("p50_ms"), peer.get("p50_ms")),
            "p99_vs_peer": _ratio(ours.get("p99_ms"), peer.get("p99_ms")),
            "rps_vs_raw": _ratio(ours.get("rps"), raw.get("rps")),
            "p50_vs_raw": _ratio(ours.get("p50_ms"), raw.get("p50_ms")),
            "p99_vs_raw": _ratio(ours.get("p99_ms"), raw.get("p99_ms")),
            # Server + Neo4j CPU per request: what the two cores can sustain, whatever else
            # ran on the machine meanwhile (below 1 is cheaper than the other).
            "cpu_vs_peer": _ratio(_cpu(ours), _cpu(peer)),
            "cpu_vs_raw": _ratio(_cpu(ours), _cpu(raw)),
        }
    return out


# Issue 13's goals, from one run: (key, what, how the figure compares, target).
GOALS = (
    ("mix_cpu", "mix CPU per request ÷ @neo4j/graphql", "≤", 0.75),
    ("mix_rps", "mix req/s ÷ @neo4j/graphql", "≥", 1.3),
    ("mix_p99", "mix p99 ÷ @neo4j/graphql", "≤", 1.0),
    ("every_rps", "lowest req/s ÷ @neo4j/graphql of any operation", "≥", 1.0),
    ("mix_p50_raw", "mix p50 ÷ raw Cypher", "≤", 1.3),
    ("db_hits", "highest db hits ÷ @neo4j/graphql's of any operation", "≤", 1.0),
    ("single_p99", "entity_page p99 with one client (ms), at scale ≥ 800,000", "<", 50.0),
)
BIG_SCALE = 800_000


def _holds(figure: float, cmp: str, target: float) -> bool:
    return {"≤": figure <= target, "≥": figure >= target, "<": figure < target}[cmp]


def goal(doc: dict[str, Any]) -> dict[str, Any]:
    """Each of issue 13's goals: its figure in this run, and whether it is met (None: not
    measured, or not applicable at this scale)."""
    r = doc["ratios"]
    mix = r.get("mix", {})
    operations = {label: v for label, v in r.items() if label != "mix"}
    per_op = {label: v.get("rps_vs_peer") for label, v in operations.items()}
    hits = {
        label: _ratio(v.get(OURS), v.get(PEER))
        for label, v in doc.get("db_hits", {}).items()
        if v.get(PEER) is not None
    }
    alone = doc.get("single_client", {}).get(OURS, {}).get("entity_page", {})
    figures = {
        "mix_cpu": mix.get("cpu_vs_peer"),
        "mix_rps": mix.get("rps_vs_peer"),
        "mix_p99": mix.get("p99_vs_peer"),
        "every_rps": min((v for v in per_op.values() if v is not None), default=None),
        "mix_p50_raw": mix.get("p50_vs_raw"),
        "db_hits": max((v for v in hits.values() if v is not None), default=None),
        "single_p99": alone.get("p99_ms"),
    }
    scale = doc.get("settings", {}).get("scale") or 0
    verdict: dict[str, Any] = {}
    for key, what, cmp, target in GOALS:
        figure = figures[key]
        applies = key != "single_p99" or scale >= BIG_SCALE
        met = _holds(figure, cmp, target) if figure is not None and applies else None
        verdict[key] = {"goal": what, "target": f"{cmp} {target:g}", "figure": figure,
                        "applies": applies, "met": met}  # fmt: skip
    verdict["every_rps"]["short"] = {
        label: v for label, v in per_op.items() if v is not None and v < 1.0
    }
    verdict["db_hits"]["short"] = {label: v for label, v in hits.items() if v and v > 1.0}
    return verdict


def verdict_lines(g: dict[str, Any]) -> list[str]:
    """The verdict as Markdown bullets: each goal met or NOT met, with its figure."""
    lines = []
    for key, what, _, _ in GOALS:
        v = g[key]
        figure = _fmt(v["figure"], 1 if key == "single_p99" else 2)
        if v["figure"] is None:
            state = "not measured"
        elif not v["applies"]:
            state = "not applicable below scale 800,000"
        else:
            state = "met" if v["met"] else "NOT met"
        short = v.get("short")
        detail = (
            " — " + ", ".join(f"{label} {_fmt(x, 2)}" for label, x in short.items())
            if short
            else ""
        )
        lines.append(f"* {what}: {figure} ({state}; goal {v['target']}){detail}.")
    return lines


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def mix_by_operation(results: dict[str, Any], servers: list[str]) -> list[str]:
    """The mix's latencies split by operation: which requests its median falls among, and
    how each server's latency grows with the work of a request (its CPU per request alone,
    in the operation's own run)."""
    if not all("mix" in results[x] for x in servers):
        return []
    operations = list(results[OURS]["mix"].get("per_operation", {}))
    lines = [
        "",
        "## The mix by operation (ms)",
        "",
        "p50 of each operation's requests within the mix, and in parentheses the CPU ms per "
        "request (server + Neo4j) of the operation's own run. The mix's median falls among "
        "the operations most of its requests are.",
        "",
        "| operation | share of requests | " + " | ".join(NAMES[x] for x in servers) + " |",
        "|---|---:|" + "---:|" * len(servers),
    ]
    mix = results[OURS]["mix"]
    total = sum(v["requests"] for v in mix["per_operation"].values()) or 1
    for op in sorted(operations):
        cells = []
        for server in servers:
            within = results[server]["mix"].get("per_operation", {}).get(op, {})
            cpu = results[server].get(op, {}).get("cpu_ms_per_request", {})
            work = f"{_fmt(cpu.get('server'), 1)} + {_fmt(cpu.get('neo4j'), 1)}"
            cells.append(f"{_fmt(within.get('p50_ms'))} ({work})")
        share = mix["per_operation"][op]["requests"] / total
        lines.append(f"| {op} | {share:.0%} | " + " | ".join(cells) + " |")
    return lines


def markdown(doc: dict[str, Any]) -> str:
    results, r = doc["results"], doc["ratios"]
    servers = [s for s in (OURS, PEER, RAW) if s in results]
    labels = list(results[OURS])
    s = doc["settings"]
    lines = [
        f"# API benchmark: {doc['label']}",
        "",
        f"**Data:** {doc['data_label']}.",
        "",
        f"{doc['started']} · `{doc['command']}` · concurrency {s['concurrency']} (closed loop), "
        f"{s['warmup_s']:g} s warm-up, {s['duration_s']:g} s per operation, "
        f"{s['mix_duration_s']:g} s for the mix · {s['workers']} worker(s) per server · "
        f"Neo4j: {s['neo4j']}",
        "",
        f"Machine: {doc['machine']['cpu']}, {doc['machine']['cores']} cores, "
        f"{doc['machine']['memory_gib']} GiB, load average at start "
        f"{', '.join(f'{x:.2f}' for x in doc['machine']['load_average_at_start'])}, at end "
        f"{', '.join(f'{x:.2f}' for x in doc['load_average_at_end'])}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in doc["versions"].items()) + ".",
        "",
        "## Throughput and latency (ms)",
        "",
        "| operation | "
        + " | ".join(f"{NAMES[x]} req/s | p50 | p95 | p99" for x in servers)
        + " |",
        "|---|" + "---:|" * (4 * len(servers)),
    ]
    for label in labels:
        cells = []
        for server in servers:
            v = results[server].get(label, {})
            errors = f" ({v['errors']} err)" if v.get("errors") else ""
            cells += [
                _fmt(v.get("rps")) + errors,
                _fmt(v.get("p50_ms")),
                _fmt(v.get("p95_ms")),
                _fmt(v.get("p99_ms")),
            ]
        name = f"**{label}**" if label == "mix" else label
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Ratios, db hits, CPU per request",
        "",
        "Ratios are diplograph ÷ the other. Db hits: PROFILE of the Cypher each server runs "
        "for the operation's first case. CPU ms per request (server + Neo4j) during the "
        "measured window, from /proc; CPU/req ratios do not depend on what else ran on the "
        "machine (req/s and latency do: see `cpu_busy_cores.others` in the JSON).",
        "",
        "| operation | req/s ÷ @neo4j/graphql | p99 ÷ @neo4j/graphql | req/s ÷ raw | "
        "p50 ÷ raw | CPU/req ÷ @neo4j/graphql | CPU/req ÷ raw | "
        "db hits diplograph / @neo4j/graphql / raw | CPU ms/req "
        + " / ".join(NAMES[x] for x in servers)
        + " (server + Neo4j) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in labels:
        ratio = r.get(label, {})
        hits = doc["db_hits"].get(label, {})
        hit_text = " / ".join(_fmt(hits.get(x)) for x in (OURS, PEER, RAW)) if hits else "-"
        cpu = []
        for server in servers:
            c = results[server].get(label, {}).get("cpu_ms_per_request", {})
            cpu.append(f"{_fmt(c.get('server'), 2)} + {_fmt(c.get('neo4j'), 2)}")
        name = f"**{label}**" if label == "mix" else label
        lines.append(
            f"| {name} | {_fmt(ratio.get('rps_vs_peer'), 2)} | {_fmt(ratio.get('p99_vs_peer'), 2)} "
            f"| {_fmt(ratio.get('rps_vs_raw'), 2)} | {_fmt(ratio.get('p50_vs_raw'), 2)} | "
            f"{_fmt(ratio.get('cpu_vs_peer'), 2)} | {_fmt(ratio.get('cpu_vs_raw'), 2)} | "
            f"{hit_text} | {' / '.join(cpu)} |"
        )
    lines += mix_by_operation(results, servers)
    py = doc.get("python_share", {})
    if py:
        lines += [
            "",
            "## diplograph in-process, one request at a time (ms per request)",
            "",
            "`execute` = the whole GraphQL execution (parse, validate, compile, resolve); "
            "`driver` = inside the Neo4j driver call (Neo4j, loopback, decoding); "
            "`python` = the difference; `raw` = the raw statement through the same driver.",
            "",
            "| operation | execute | driver | python | raw |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, v in py.items():
            lines.append(
                f"| {label} | {_fmt(v['execute_ms'], 2)} | {_fmt(v['driver_ms'], 2)} | "
                f"{_fmt(v['python_ms'], 2)} | {_fmt(v['raw_driver_ms'], 2)} |"
            )
    problems = {k: v for k, v in doc["agreement"].items() if v["problems"]}
    lines += ["", "## Agreement", ""]
    if not problems:
        total = sum(v["compared"] for v in doc["agreement"].values())
        lines.append(
            f"All three servers returned the same values for all {total} cases "
            "(after normalising shape)."
        )
    else:
        for label, v in doc["agreement"].items():
            if not v["problems"]:
                lines.append(f"* {label}: {v['compared']} cases agree.")
                continue
            lines.append(f"* {label}: {len(v['problems'])} problem(s) in {v['cases']} cases, e.g.")
            for problem in v["problems"][:3]:
                detail = problem.get("difference") or problem.get("error")
                vs = f" vs {NAMES.get(problem.get('vs', ''), '')}" if problem.get("vs") else ""
                lines.append(f"  * `{problem['case']}`{vs}: {detail}")
    alone = doc.get("single_client", {})
    if any(alone.values()):
        lines += [
            "",
            "## One client (concurrency 1), latency in ms",
            "",
            f"{s.get('single_client_duration_s', '-')} s per operation and server, after a "
            "short warm-up, the operation's cases in turn.",
            "",
            "| operation | " + " | ".join(f"{NAMES[x]} p50 | p95 | p99" for x in servers) + " |",
            "|---|" + "---:|" * (3 * len(servers)),
        ]
        for label in next(iter(alone.values())):
            cells = []
            for server in servers:
                v = alone.get(server, {}).get(label, {})
                cells += [_fmt(v.get("p50_ms")), _fmt(v.get("p95_ms")), _fmt(v.get("p99_ms"))]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Verdict against issue 13's goals",
        "",
        f"Scale {s.get('scale', 0):,}; ratios are diplograph ÷ the other, from this run.",
        "",
        *verdict_lines(doc["goal"]),
    ]
    if doc["data"].get("notes"):
        lines += ["", "Notes: " + "; ".join(doc["data"]["notes"]) + "."]
    return "\n".join(lines) + "\n"
