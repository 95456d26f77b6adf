"""The three servers under test, started on free loopback ports and stopped by their pids.

* `diplograph`: this API as `diplograph serve` runs it (its HTTP protocol, metrics shared
  by the workers, `--workers`), without the access log, GraphiQL off.
* `neo4j-graphql`: @neo4j/graphql 7 on GraphQL Yoga (bench/peers/neo4j-graphql), as many
  node:cluster workers.
* `raw-cypher`: the operations' hand-written Cypher behind Starlette (bench/api/raw_app.py),
  as many uvicorn workers: the floor.

Each runs in its own session (process group), so its CPU time can be read from /proc for
the whole group and it can be stopped without touching anything else.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.api.client import Connection
from bench.api.operations import Operation
from graph.server import free_port

ROOT = Path(__file__).resolve().parents[2]
PEER_DIR = ROOT / "bench" / "peers" / "neo4j-graphql"
VENV_BIN = ROOT / ".venv" / "bin"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

OURS, PEER, RAW = "diplograph", "neo4j-graphql", "raw-cypher"


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds of every live process in a process group (children included once they
    have been reaped into their parent's cutime are counted through the parent)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / CLOCK_TICKS


def system_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / CLOCK_TICKS


@dataclass
class Server:
    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, op: Operation, case: dict[str, Any]) -> tuple[str, bytes]:
        """The path and body that ask this server for `op` with `case`."""
        if self.name == RAW:
            return f"/raw/{op.name}", json.dumps(op.raw_params(case)).encode()
        query, variables = (
            (op.ours, op.ours_vars(case)) if self.name == OURS else (op.peer, op.peer_vars(case))
        )
        return "/graphql", json.dumps({"query": query, "variables": variables}).encode()

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    async def wait_ready(self, timeout: float = 90.0) -> None:
        path, body = (
            ("/healthz", b"{}") if self.name == RAW else ("/graphql", b'{"query":"{ __typename }"}')
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}; see "
                    f"{self.log}:\n{self.log.read_text()[-2000:]}"
                )
            connection = Connection("127.0.0.1", self.port, timeout=5)
            try:
                response = await connection.post(path, body)
                if response.status == 200:
                    return
            except (OSError, TimeoutError, RuntimeError):
                pass
            finally:
                await connection.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {timeout:.0f}s")
            await asyncio.sleep(0.25)

    def cpu_seconds(self) -> float:
        return group_cpu_seconds(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        """SIGTERM to this server's own process group, then SIGKILL after 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


def neo4j_env(bolt_uri: str, user: str, password: str, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIPLOGRAPH_", "NEO4J_"))}
    env.update(
        NEO4J_URI=bolt_uri, NEO4J_USER=user, NEO4J_PASSWORD=password, NEO4J_DATABASE=database
    )
    return env


def listening(port: int, workers: int) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


def uvicorn_command(app: str, port: int, workers: int) -> list[str]:
    return [
        str(VENV_BIN / "uvicorn"), app, "--factory", *listening(port, workers),
        "--log-level", "warning", "--no-access-log", "--loop", "uvloop", "--http", "httptools",
        # A busy machine can take longer than the default 5 s to start a worker.
        "--timeout-worker-healthcheck", "60",
    ]  # fmt: skip


def serve_command(port: int, workers: int) -> list[str]:
    """This API as a user serves it (the raw floor runs plain uvicorn: `uvicorn_command`)."""
    return [str(VENV_BIN / "diplograph"), "serve", *listening(port, workers), "--no-access-log"]


def make_servers(env: dict[str, str], workers: int, logs: Path, peer: bool = True) -> list[Server]:
    ours_port, peer_port, raw_port = free_port(), free_port(), free_port()
    ours_env = {**env, "DIPLOGRAPH_GRAPHIQL": "false"}
    servers = [
        Server(
            OURS,
            ours_port,
            serve_command(ours_port, workers),
            ours_env,
            ROOT,
            logs / "diplograph.log",
        ),
        Server(
            RAW,
            raw_port,
            uvicorn_command("bench.api.raw_app:create_app", raw_port, workers),
            env,
            ROOT,
            logs / "raw-cypher.log",
        ),
    ]
    if peer:
        peer_env = {
            **env,
            "PORT": str(peer_port),
            "HOST": "127.0.0.1",
            "WORKERS": str(workers),
            "NODE_ENV": "production",
        }
        servers.insert(
            1,
            Server(
                PEER,
                peer_port,
                ["node", "server.mjs"],
                peer_env,
                PEER_DIR,
                logs / "neo4j-graphql.log",
            ),
        )
    return servers


def npm_ci() -> None:
    """Install the peer from its lock file (skipped when node_modules matches it)."""
    lock = PEER_DIR / "package-lock.json"
    stamp = PEER_DIR / "node_modules" / ".package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PEER_DIR,
        check=True,
        timeout=600,
    )


def peer_versions() -> dict[str, str]:
    versions = {}
    for package in ("@neo4j/graphql", "graphql-yoga", "graphql", "neo4j-driver"):
        manifest = PEER_DIR / "node_modules" / package / "package.json"
        if manifest.exists():
            versions[package] = json.loads(manifest.read_text())["version"]
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    versions["node"] = node.stdout.strip()
    return versions
