"""The local Neo4j server diplograph can run for itself.

Neo4j 5.26 LTS Community is assembled from Maven Central (the server and Neo4j
Browser jars with their dependencies) into a cache outside the repository, and
started with `org.neo4j.server.CommunityEntryPoint`, as the distribution's own
`bin/neo4j` does. Nothing here runs when `NEO4J_URI` points at another server.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from diplograph.settings import NEO4J_BROWSER_VERSION, NEO4J_VERSION, Settings
from graph.browser import post_connect_commands

ASSEMBLY_POM = Path(__file__).with_name("assembly") / "pom.xml"
SUPPORTED_JAVA = (17, 21)
INITIAL_PASSWORD = "neo4j"

# The flags bin/neo4j passes to the JVM (Neo4j 5.26 conf/neo4j.conf defaults).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
]


class Neo4jServerError(RuntimeError):
    """A local Neo4j server could not be assembled, started or stopped."""


@dataclass(frozen=True)
class JavaRuntime:
    path: Path
    major: int


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    bolt_uri: str
    browser_url: str
    data_dir: Path

    def describe(self) -> str:
        if not self.running:
            return f"Neo4j {NEO4J_VERSION} is not running (data in {self.data_dir})."
        return (
            f"Neo4j {NEO4J_VERSION} is running (pid {self.pid}): Bolt {self.bolt_uri}, "
            f"Browser {self.browser_url}, data in {self.data_dir}."
        )


def java_major_version(java: Path) -> int | None:
    """The major version `java -version` reports, or None when it does not run."""
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    # Java 8 and older report "1.8".
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> JavaRuntime:
    """A Java runtime Neo4j 5.26 supports: JAVA_HOME if set, else PATH, else /usr/lib/jvm."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates = [Path(java_home) / "bin" / "java"]
    else:
        on_path = shutil.which("java")
        candidates = [Path(on_path)] if on_path else []
        candidates += sorted(Path("/usr/lib/jvm").glob("*/bin/java"))
    seen: list[str] = []
    for candidate in candidates:
        major = java_major_version(candidate)
        if major in SUPPORTED_JAVA:
            return JavaRuntime(candidate, major)
        seen.append(f"{candidate} (Java {major})" if major else f"{candidate} (not runnable)")
    where = f"JAVA_HOME={java_home}" if java_home else "PATH and /usr/lib/jvm"
    found = f"; found only {', '.join(seen)}" if seen else ""
    raise Neo4jServerError(
        f"Neo4j {NEO4J_VERSION} needs Java 17 or 21, and none was found in {where}{found}: "
        "install one (e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME to it."
    )


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (for test servers)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LocalNeo4j:
    """Assemble, configure, start, stop and inspect a local Neo4j server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.neo4j_cache_dir / f"neo4j-{NEO4J_VERSION}"
        self.lib = self.home / "lib"
        self.data_dir = settings.neo4j_data_dir
        self.conf_dir = self.data_dir / "conf"
        self.logs_dir = self.data_dir / "logs"
        self.pid_file = self.data_dir / "neo4j.pid"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{self.settings.neo4j_host}:{self.settings.bolt_port}"

    # -- assembly ---------------------------------------------------------------

    def assemble(self) -> None:
        """Download the server and Browser jars once into the cache."""
        marker = self.lib / ".complete"
        if marker.exists():
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jServerError(
                "Maven (`mvn`) is not on PATH; it is needed once to fetch Neo4j "
                f"{NEO4J_VERSION} from Maven Central (e.g. `apt-get install maven`)."
            )
        self.home.mkdir(parents=True, exist_ok=True)
        staging = self.home / "lib.partial"
        shutil.rmtree(staging, ignore_errors=True)
        result = subprocess.run(
            [
                mvn, "-B", "-q", "-f", str(ASSEMBLY_POM),
                "dependency:copy-dependencies",
                f"-Dneo4j.version={NEO4J_VERSION}",
                f"-Dbrowser.version={NEO4J_BROWSER_VERSION}",
                f"-DoutputDirectory={staging}",
                "-DincludeScope=runtime",
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-5:])
            raise Neo4jServerError(
                f"Could not fetch Neo4j {NEO4J_VERSION} from Maven Central "
                f"(mvn exited {result.returncode}); is Maven Central reachable?\n{tail}"
            )
        shutil.rmtree(self.lib, ignore_errors=True)
        staging.rename(self.lib)
        marker.touch()

    # -- configuration ------------------------------------------------------------

    def write_config(self) -> None:
        s = self.settings
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        lines = {
            "server.default_listen_address": s.neo4j_host,
            "server.default_advertised_address": s.neo4j_host,
            "server.bolt.listen_address": f"{s.neo4j_host}:{s.bolt_port}",
            "server.bolt.advertised_address": f"{s.neo4j_host}:{s.bolt_port}",
            "server.http.listen_address": f"{s.neo4j_host}:{s.http_port}",
            "server.http.advertised_address": f"{s.neo4j_host}:{s.http_port}",
            "server.https.enabled": "false",
            "server.directories.data": str(self.data_dir / "data"),
            "server.directories.logs": str(self.logs_dir),
            "server.directories.run": str(self.data_dir / "run"),
            "server.directories.import": str(self.data_dir / "import"),
            "server.memory.heap.initial_size": s.neo4j_heap,
            "server.memory.heap.max_size": s.neo4j_heap,
            "server.memory.pagecache.size": s.neo4j_pagecache,
            "dbms.security.auth_enabled": "true",
            # Neo4j Browser styles the graph with diplograph's GRASS file and opens the
            # analyst's guide, both served by the API (the only remote host it may read).
            "browser.post_connect_cmd": post_connect_commands(s.api_url),
            "browser.remote_content_hostname_whitelist": s.api_host,
            # No product analytics once connected. (Browser also reads
            # browser.allow_outgoing_connections, but Neo4j 5.26 refuses it as unknown.)
            "client.allow_telemetry": "false",
            "db.transaction.timeout": "60s",
        }
        text = "# Written by `diplograph neo4j start`; edits are overwritten.\n"
        text += "".join(f"{key}={value}\n" for key, value in lines.items())
        (self.conf_dir / "neo4j.conf").write_text(text)

    # -- lifecycle ------------------------------------------------------------------

    def pid(self) -> int | None:
        """The pid of our running server, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if b"CommunityEntryPoint" in cmdline else None

    def status(self) -> ServerStatus:
        pid = self.pid()
        return ServerStatus(
            running=pid is not None,
            pid=pid,
            bolt_uri=self.bolt_uri,
            browser_url=self.settings.neo4j_browser_url,
            data_dir=self.data_dir,
        )

    def start(self) -> bool:
        """Start the server and wait until it answers; False when it was already running."""
        if self.pid() is not None:
            return False
        s = self.settings
        java = find_java()
        for name, port in (("Bolt", s.bolt_port), ("HTTP", s.http_port)):
            if port_in_use(s.neo4j_host, port):
                raise Neo4jServerError(
                    f"Port {port} ({name}) on {s.neo4j_host} is already in use; stop what "
                    f"listens there or choose another port with "
                    f"DIPLOGRAPH_{name.upper()}_PORT."
                )
        self.assemble()
        self.write_config()
        console = open(self.logs_dir / "console.log", "ab")  # noqa: SIM115 - owned by the child
        command = [
            str(java.path),
            f"-Xms{s.neo4j_heap}",
            f"-Xmx{s.neo4j_heap}",
            *JVM_FLAGS,
            "-cp",
            f"{self.lib}/*",
            "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.data_dir}",
            f"--config-dir={self.conf_dir}",
        ]
        process = subprocess.Popen(
            command,
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.data_dir,
            start_new_session=True,
        )
        console.close()
        self.pid_file.write_text(str(process.pid))
        try:
            self._wait_until_ready(process)
            self._ensure_password()
            self._wait_for_database()
        except BaseException:
            self.stop()
            raise
        return True

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + self.settings.neo4j_start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise Neo4jServerError(
                    f"Neo4j exited with code {process.returncode} while starting:\n"
                    + self._log_tail()
                )
            try:
                with socket.create_connection(
                    (self.settings.neo4j_host, self.settings.bolt_port), timeout=1
                ):
                    return
            except OSError:
                time.sleep(0.5)
        raise Neo4jServerError(
            f"Neo4j did not answer on {self.bolt_uri} within "
            f"{self.settings.neo4j_start_timeout:.0f}s:\n" + self._log_tail()
        )

    def _wait_for_database(self) -> None:
        """Bolt listens before the default database is online; wait for it to answer."""
        s = self.settings
        deadline = time.monotonic() + s.neo4j_start_timeout
        with GraphDatabase.driver(self.bolt_uri, auth=(s.neo4j_user, s.neo4j_password)) as d:
            while True:
                try:
                    d.execute_query("RETURN 1", database_=s.neo4j_database)
                    return
                except (ServiceUnavailable, Neo4jError):
                    if time.monotonic() > deadline:
                        raise Neo4jServerError(
                            f"Neo4j's database '{s.neo4j_database}' did not come online:\n"
                            + self._log_tail()
                        ) from None
                    time.sleep(0.5)

    def _ensure_password(self) -> None:
        """Replace the initial password with NEO4J_PASSWORD on a new database."""
        s = self.settings
        deadline = time.monotonic() + 60
        while True:
            try:
                with GraphDatabase.driver(
                    self.bolt_uri, auth=(s.neo4j_user, s.neo4j_password)
                ) as d:
                    d.verify_connectivity()
                return
            except AuthError:
                break
            except ServiceUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        try:
            with GraphDatabase.driver(self.bolt_uri, auth=(s.neo4j_user, INITIAL_PASSWORD)) as d:
                d.execute_query(
                    "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
                    old=INITIAL_PASSWORD,
                    new=s.neo4j_password,
                    database_="system",
                )
        except AuthError as error:
            raise Neo4jServerError(
                f"Neo4j in {self.data_dir} rejects NEO4J_PASSWORD and its password is no "
                "longer the initial one: set NEO4J_PASSWORD to the password it was "
                "created with, or remove the data directory to start afresh."
            ) from error

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL); False when it was not running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._alive(pid):
            time.sleep(0.2)
        if self._alive(pid):
            os.kill(pid, signal.SIGKILL)
            while self._alive(pid):
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL the server, as a crash would (for fault tests)."""
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while self._alive(pid):
                time.sleep(0.05)

    @staticmethod
    def _alive(pid: int) -> bool:
        try:
            waited, _ = os.waitpid(pid, os.WNOHANG)
            if waited == pid:
                return False
        except ChildProcessError:
            pass
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.split(")")[-1].split()[0] != "Z"

    def _log_tail(self, lines: int = 15) -> str:
        text = ""
        for name in ("console.log", "neo4j.log"):
            path = self.logs_dir / name
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.strip().splitlines()[-lines:])
