"""Docker files, checked without a Docker engine: what a build sends, what compose says.

The build context is listed with docker-py's own .dockerignore matcher (the one
`docker build` through the SDK uses); docker-compose.yml is validated against the
Compose specification's JSON schema as vendored by check-jsonschema.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from docker.utils.build import exclude_paths

ROOT = Path(__file__).resolve().parent.parent
MAX_CONTEXT_BYTES = 5 * 1024 * 1024


def build_context() -> dict[str, int]:
    """Every file `docker build .` would send, with its size."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sent = exclude_paths(str(ROOT), patterns)
    return {path: (ROOT / path).stat().st_size for path in sent if (ROOT / path).is_file()}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_build_context_is_small_and_holds_what_the_dockerfile_copies() -> None:
    context = build_context()
    total = sum(context.values())
    assert total < MAX_CONTEXT_BYTES, f"{total} bytes: {sorted(context, key=context.get)[-5:]}"
    for unwanted in (".data/", ".venv/", ".tools/", "node_modules/", "tests/", "bench/", ".git/"):
        assert not [p for p in context if unwanted in f"/{p}"], unwanted
    dockerfile = (ROOT / "Dockerfile").read_text()
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, flags=re.MULTILINE):
        for path in source.split():
            assert any(p == path or p.startswith(f"{path.rstrip('/')}/") for p in context), path


def test_the_image_builds_graphiql_assets_and_runs_as_its_own_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM node:\S+ AS graphiql$", dockerfile, flags=re.MULTILINE)
    assert "npm ci" in dockerfile
    assert (
        "COPY --from=graphiql /graphiql/node_modules ./schema/graphiql/node_modules" in dockerfile
    )
    assert "chown diplograph /app/data/review" in dockerfile
    assert "USER diplograph" in dockerfile


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    schema_text = (
        resources.files("check_jsonschema")
        .joinpath("builtin_schemas/vendor/compose-spec.json")
        .read_text()
    )
    schema = json.loads(schema_text)
    jsonschema.validate(compose(), schema)


def test_an_invalid_compose_file_is_caught() -> None:
    """The schema check can fail: a misspelt key is rejected."""
    schema = json.loads(
        resources.files("check_jsonschema")
        .joinpath("builtin_schemas/vendor/compose-spec.json")
        .read_text()
    )
    broken = compose()
    broken["services"]["api"]["helthcheck"] = broken["services"]["api"].pop("healthcheck")
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError as error:
        assert "helthcheck" in error.message
    else:
        raise AssertionError("a misspelt key passed the schema")


def test_compose_serves_browser_loads_historian_data_and_checks_health_over_http() -> None:
    services = compose()["services"]
    neo4j = services["neo4j"]
    command = neo4j["environment"]["NEO4J_browser_post__connect__cmd"]
    assert "style http://127.0.0.1:8000/neo4j-browser.grass" in command
    assert "play http://127.0.0.1:8000/neo4j-browser-guide.html" in command
    assert neo4j["environment"]["NEO4J_client_allow__telemetry"] == "false"
    assert "/dev/tcp/127.0.0.1/7474" in " ".join(neo4j["healthcheck"]["test"])
    assert "cypher-shell" not in json.dumps(services)
    loader = services["loader"]
    assert "${DIPLOGRAPH_HSG:-./docker/no-hsg}:/hsg:ro" in loader["volumes"]
    assert (ROOT / "docker" / "no-hsg").is_dir()
    script = " ".join(loader["command"])
    assert "diplograph load hsg /hsg" in script and "loaded the articles only" in script
    assert "review:/app/data/review" in services["api"]["volumes"]
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
