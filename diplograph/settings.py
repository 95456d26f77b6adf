"""Configuration, read from the environment (and an optional `.env` file).

Every setting has a safe local default; secrets (the Neo4j password, the API
token) come only from the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NEO4J_VERSION = "5.26.30"
NEO4J_BROWSER_VERSION = "5.24.0"
DEFAULT_NEO4J_PASSWORD = "diplograph-dev"


class Settings(BaseSettings):
    """All runtime settings of diplograph."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # An external Neo4j (Docker, Aura, a cluster). When set, nothing is started locally.
    neo4j_uri: str | None = Field(default=None, alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", alias="NEO4J_USER")
    neo4j_password: str = Field(default=DEFAULT_NEO4J_PASSWORD, alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", alias="NEO4J_DATABASE")

    # The local Neo4j server diplograph can run for itself.
    neo4j_host: str = Field(default="127.0.0.1", alias="DIPLOGRAPH_NEO4J_HOST")
    bolt_port: int = Field(default=7687, alias="DIPLOGRAPH_BOLT_PORT")
    http_port: int = Field(default=7474, alias="DIPLOGRAPH_HTTP_PORT")
    neo4j_data_dir: Path = Field(
        default=PROJECT_ROOT / ".data" / "neo4j", alias="DIPLOGRAPH_NEO4J_DATA"
    )
    neo4j_cache_dir: Path = Field(
        default=Path.home() / ".cache" / "diplograph", alias="DIPLOGRAPH_CACHE"
    )
    neo4j_heap: str = Field(default="1g", alias="DIPLOGRAPH_NEO4J_HEAP")
    neo4j_pagecache: str = Field(default="512m", alias="DIPLOGRAPH_NEO4J_PAGECACHE")
    neo4j_start_timeout: float = Field(default=120.0, alias="DIPLOGRAPH_NEO4J_START_TIMEOUT")
    # Schema privileges may be missing on a managed server: an administrator runs
    # `diplograph migrate-schema` once, and loads with this set create nothing.
    skip_migrations: bool = Field(default=False, alias="DIPLOGRAPH_SKIP_MIGRATIONS")

    # The GraphQL API.
    api_host: str = Field(default="127.0.0.1", alias="DIPLOGRAPH_API_HOST")
    api_port: int = Field(default=8000, alias="DIPLOGRAPH_API_PORT")
    query_timeout: float = Field(default=10.0, alias="DIPLOGRAPH_QUERY_TIMEOUT")
    # Seconds the API gives Neo4j to plan its recent statements (those run more than once)
    # again after Neo4j (re)starts (graph/warmup.py); /readyz answers 503 meanwhile at the
    # worker's start only. 0: no warm-up.
    warmup_seconds: float = Field(default=20.0, ge=0, alias="DIPLOGRAPH_WARMUP_SECONDS")
    # Statements new to a worker (Neo4j plans them: seconds of its CPU for a large one) that
    # the worker sends at once; the others wait up to DIPLOGRAPH_COLD_STATEMENT_WAIT seconds
    # for their turn, then are refused with BUSY. Statements it ran before never wait.
    # 0: no limit.
    cold_statements: int = Field(default=1, ge=0, alias="DIPLOGRAPH_COLD_STATEMENTS")
    cold_statement_wait: float = Field(default=5.0, gt=0, alias="DIPLOGRAPH_COLD_STATEMENT_WAIT")
    # Seconds one document's ingest may take (analysis and its transaction), API and CLI.
    ingest_timeout: float = Field(default=30.0, gt=0, alias="DIPLOGRAPH_INGEST_TIMEOUT")
    graphiql: bool = Field(default=True, alias="DIPLOGRAPH_GRAPHIQL")
    # Read queries answered without per-field execution (schema/compiled.py); off, every
    # request goes through Strawberry's execution (the differential test compares both).
    compiled_queries: bool = Field(default=True, alias="DIPLOGRAPH_COMPILED_QUERIES")
    cors_origins_text: str = Field(default="", alias="DIPLOGRAPH_CORS_ORIGINS")
    # Where Neo4j Browser is served from; only these may read the style and the guide.
    # Empty: the local server's Browser (http://127.0.0.1:7474 and http://localhost:7474).
    browser_origins_text: str = Field(default="", alias="DIPLOGRAPH_BROWSER_ORIGINS")
    max_body_bytes: int = Field(default=100_000, alias="DIPLOGRAPH_MAX_BODY_BYTES")
    # Seconds a request's head may take from its first byte (or from the connection's
    # opening), and a body may go without a byte; then 408 (schema/protocol.py).
    head_timeout: float = Field(default=10.0, gt=0, alias="DIPLOGRAPH_HEAD_TIMEOUT")
    body_timeout: float = Field(default=10.0, gt=0, alias="DIPLOGRAPH_BODY_TIMEOUT")
    # A response larger than this is refused (RESPONSE_TOO_LARGE) before Neo4j sends it.
    max_response_bytes: int = Field(default=4_000_000, alias="DIPLOGRAPH_MAX_RESPONSE_BYTES")
    # Bearer token for mutations; mutations are refused while it is unset.
    api_token: str | None = Field(default=None, alias="DIPLOGRAPH_API_TOKEN")
    # When true, queries need the token too.
    private_reads: bool = Field(default=False, alias="DIPLOGRAPH_PRIVATE_READS")

    @property
    def cors_origins(self) -> list[str]:
        """Origins allowed to call the API from a browser (comma-separated setting)."""
        return [o.strip() for o in self.cors_origins_text.split(",") if o.strip()]

    @property
    def browser_origins(self) -> list[str]:
        """Origins of Neo4j Browser pages allowed to read the style and the guide."""
        configured = [o.strip() for o in self.browser_origins_text.split(",") if o.strip()]
        if configured:
            return configured
        return [f"http://{host}:{self.http_port}" for host in (self.neo4j_host, "localhost")]

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    @property
    def bolt_uri(self) -> str:
        """The Bolt URI to connect to: the external one, or the local server's."""
        return self.neo4j_uri or f"bolt://{self.neo4j_host}:{self.bolt_port}"

    @property
    def uses_external_neo4j(self) -> bool:
        return self.neo4j_uri is not None

    @property
    def neo4j_browser_url(self) -> str:
        return f"http://{self.neo4j_host}:{self.http_port}/browser/"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
