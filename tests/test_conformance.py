"""GraphQL over HTTP: the graphql-http audit, media types and status codes, and a fuzz run.

The audit is the `graphql-http` npm package's `auditServer`, run by node from
tests/conformance/ (installed by `make install`: `npm ci --prefix tests/conformance`).
The fuzz run is schemathesis generating operations from the committed schema.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from schema.http import GRAPHQL_RESPONSE, JSON, acceptable, negotiate, prefers_html
from tests.conftest import API_TOKEN

pytestmark = pytest.mark.usefixtures("knowledge_graph")

ROOT = Path(__file__).resolve().parent.parent
CONFORMANCE = Path(__file__).resolve().parent / "conformance"
FUZZ_EXAMPLES = int(os.environ.get("DIPLOGRAPH_FUZZ_EXAMPLES", "30"))  # per operation
FUZZ_MINIMUM = 500


# -- the graphql-http audit --------------------------------------------------------------------


def audit(url: str) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the graphql-http audit (Node.js 18 or later)")
    if not (CONFORMANCE / "node_modules" / "graphql-http").is_dir():
        pytest.fail("graphql-http is not installed: run `make install`")
    done = subprocess.run(
        [node, "audit.mjs", url], cwd=CONFORMANCE, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def test_graphql_over_http_audit_passes_every_must_and_should(api: httpx.Client) -> None:
    results = audit(str(api.base_url).rstrip("/") + "/graphql")
    tally = Counter((r["name"].split()[0], r["status"]) for r in results)
    print("graphql-http audit:", dict(sorted(tally.items())))
    failed = [
        r for r in results if r["name"].split()[0] in {"MUST", "SHOULD"} and r["status"] != "ok"
    ]
    assert not failed, json.dumps(failed, indent=1)
    assert tally["MUST", "ok"] >= 13 and tally["SHOULD", "ok"] >= 23, tally


# -- media types and status codes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("application/*", JSON),
        ("text/html", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE}", JSON),
        (f"application/json;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, application/json;q=0.8", JSON),
        (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON; charset=utf-8", GRAPHQL_RESPONSE),
        # A quality that is no number is ignored (q=1), not a refusal (hostile review 13m).
        (f"{GRAPHQL_RESPONSE};q=oops, application/json", GRAPHQL_RESPONSE),
        ("application/json;q=abc", JSON),
        (f"application/json;q=0.5, {GRAPHQL_RESPONSE};q=abc", GRAPHQL_RESPONSE),
        # A type refused by name is not chosen through a wildcard.
        ("application/json;q=0, */*", GRAPHQL_RESPONSE),
        (f"application/json;q=0, {GRAPHQL_RESPONSE};q=0.1", GRAPHQL_RESPONSE),
    ],
)
def test_negotiate(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen
    assert acceptable(accept)


# Every type served refused (q=0): 406 (schema/http.py `acceptable`).
REFUSING = [
    "application/json;q=0",
    "*/*;q=0",
    "application/*;q=0",
    f"application/json;q=0, {GRAPHQL_RESPONSE};q=0",
    f"{GRAPHQL_RESPONSE};q=0, application/json;q=0.0, text/html",
]


@pytest.mark.parametrize("accept", REFUSING)
def test_a_header_that_refuses_every_type_served_is_not_acceptable(accept: str) -> None:
    assert not acceptable(accept)


def post(client: httpx.Client, body: Any, accept: str | None) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return client.post("/graphql", json=body, headers=headers)


REQUEST_ERRORS = {
    "parse": {"query": "{ people {"},
    "validation": {"query": "{ nope }"},
    "cost": {"query": "{ people(first: 1000000000) { totalCount } }"},
    "coercion": {"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}},
}


@pytest.mark.parametrize("kind", REQUEST_ERRORS)
def test_request_errors_are_400_without_data_for_graphql_response_json(
    api: httpx.Client, kind: str
) -> None:
    response = post(api, REQUEST_ERRORS[kind], GRAPHQL_RESPONSE)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body and body["errors"]
    legacy = post(api, REQUEST_ERRORS[kind], "application/json")
    assert legacy.status_code == 200 and legacy.headers["content-type"] == JSON
    assert legacy.json()["data"] is None and legacy.json()["errors"]


def test_field_errors_and_results_are_200_for_both_media_types(api: httpx.Client) -> None:
    for accept in (GRAPHQL_RESPONSE, JSON, None):
        ok = post(api, {"query": "{ people { totalCount } }"}, accept)
        assert ok.status_code == 200 and ok.json()["data"]["people"]["totalCount"] > 0
        assert ok.headers["content-type"] == (accept or JSON)
        # A field error: the request ran, so the data entry is there.
        missing = post(api, {"query": '{ timeline(of: "nobody") { totalCount } }'}, accept)
        assert missing.status_code == 200
        assert "data" in missing.json()
        assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        refused = post(api, {"query": 'mutation { upsertKnowledge(facts: {}) { __typename } }'},
                       accept)  # fmt: skip
        assert refused.status_code == 200, refused.text
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_refused_requests_answer_json_with_a_code(api: httpx.Client) -> None:
    for accept in (GRAPHQL_RESPONSE, JSON):
        for content, content_type, status, code, says in [
            (b'{"query": "{', "application/json", 400, "BAD_REQUEST", "JSON"),
            (b'[{"query": "{ __typename }"}]', "application/json", 400, "BAD_REQUEST", "batched"),
            (b'{"query": "{ __typename }"}', "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE",
             "unsupported content type 'text/plain'"),
            (b'{"query": "{ __typename }"}', "", 415, "UNSUPPORTED_MEDIA_TYPE", "'none'"),
            (b'{"query": "{ __typename }"}', "application/jsonx", 415, "UNSUPPORTED_MEDIA_TYPE",
             "'application/jsonx'"),
            (b'{"query": "{ __typename }"}', "xapplication/json", 415, "UNSUPPORTED_MEDIA_TYPE",
             "'xapplication/json'"),
            (b"query=%7B__typename%7D", "application/x-www-form-urlencoded", 415,
             "UNSUPPORTED_MEDIA_TYPE", "send application/json"),
            (b"", "application/json", 400, "BAD_REQUEST", "JSON"),
        ]:  # fmt: skip
            headers = {"content-type": content_type, "accept": accept}
            response = api.post("/graphql", content=content, headers=headers)
            assert response.status_code == status, (content, response.text)
            assert response.headers["content-type"] == accept
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == code and says in error["message"]
    charset = {"content-type": "application/json; charset=utf-8"}
    typed = api.post("/graphql", content=b'{"query": "{ __typename }"}', headers=charset)
    assert typed.json() == {"data": {"__typename": "Query"}}
    mutation_by_get = api.get("/graphql", params={"query": "mutation { __typename }"})
    assert mutation_by_get.status_code in (400, 405)
    assert mutation_by_get.json()["errors"][0]["extensions"]["code"]


def test_a_body_not_in_utf8_is_refused_whatever_its_encoding(api: httpx.Client) -> None:
    """Hostile review 13m: Python's json.loads reads UTF-16 and UTF-32 bytes too, so such a
    body was answered (200) where the documentation says 400."""
    body = '{"query": "{ __typename }"}'
    for encoded in (body.encode("utf-16"), body.encode("utf-16-le"), body.encode("utf-32"),
                    "\ufeff".encode("utf-16-be") + body.encode("utf-16-be")):  # fmt: skip
        response = api.post("/graphql", content=encoded,
                            headers={"content-type": "application/json"})  # fmt: skip
        assert response.status_code == 400, (encoded[:6], response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    for charset in ("latin-1", "utf-16", '"iso-8859-1"', ""):
        headers = {"content-type": f"application/json; charset={charset}"}
        response = api.post("/graphql", content=body.encode(), headers=headers)
        assert response.status_code == 415, (charset, response.text)
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
        assert f"unsupported charset '{charset.strip(chr(34)) or '(empty)'}'" in error["message"]
    for charset in ("utf-8", "UTF-8", '"utf-8"', "utf8"):
        headers = {"content-type": f"application/json;charset={charset}"}
        response = api.post("/graphql", content=body.encode(), headers=headers)
        assert response.json() == {"data": {"__typename": "Query"}}, charset


def test_graphiql_is_still_served_to_browsers(api: httpx.Client) -> None:
    page = api.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (BROWSER, True),
        ("text/html", True),
        ("text/*, application/json;q=0.9", True),
        ("text/html, application/json", True),  # a tie: the earlier range
        # Hostile review 13m: any mention of HTML won; JSON ranked higher is JSON.
        ("application/json, text/html;q=0.5", False),
        ("text/html;q=0.1, application/json", False),
        ("application/json, text/html", False),
        (f"text/html;q=0.5, {GRAPHQL_RESPONSE}", False),
        ("text/html;q=0.5, */*", False),
        ("*/*", False),
        ("text/html;q=0", False),
        ("application/json", False),
        (None, False),
    ],
)
def test_graphiql_is_served_only_when_html_ranks_above_json(
    api: httpx.Client, accept: str | None, html: bool
) -> None:
    assert prefers_html(accept) is html
    headers = {"accept": accept} if accept is not None else {}
    response = api.get("/graphql", params={"query": "{__typename}"}, headers=headers)
    assert response.status_code == 200
    if html:
        assert response.headers["content-type"].startswith("text/html")
    else:
        assert response.json() == {"data": {"__typename": "Query"}}
    root = api.get("/", headers=headers)
    assert (root.status_code == 307) is html


def test_a_quality_that_is_no_number_is_ignored_not_refused(api: httpx.Client) -> None:
    for accept in ("application/json;q=abc", f"{GRAPHQL_RESPONSE};q=", "*/*;q=1.5"):
        response = api.get("/graphql", params={"query": "{__typename}"},
                           headers={"accept": accept})  # fmt: skip
        assert response.status_code == 200, (accept, response.text)
        assert response.json() == {"data": {"__typename": "Query"}}


def test_the_root_leads_somewhere_and_unknown_paths_answer_json(api: httpx.Client) -> None:
    """A newcomer opening http://127.0.0.1:8000/ got a plain-text 404."""
    browser = api.get("/", headers={"accept": "text/html"}, follow_redirects=True)
    assert browser.status_code == 200 and "graphiql" in browser.text.lower()
    script = api.get("/")
    assert script.status_code == 200 and script.json()["endpoints"]["graphql"].startswith(
        "/graphql"
    )
    missing = api.get("/nope", headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "/graphql" in missing.json()["errors"][0]["message"]


# -- fuzz ----------------------------------------------------------------------------------------


def test_fuzzed_operations_never_fail_unhandled(api: httpx.Client) -> None:
    """Schemathesis generates operations from schema.graphql: none may answer 5xx or
    INTERNAL_SERVER_ERROR. Mutations are sent with the token, so their validation runs."""
    schemathesis = pytest.importorskip(
        "schemathesis",
        reason="schemathesis is not installed (dev dependency: schemathesis>=4.32,<5)",
    )
    from hypothesis import HealthCheck, Phase, given, settings

    from tests.fuzzkit import register_scalars

    register_scalars()
    operations = schemathesis.graphql.from_path(ROOT / "schema.graphql")
    seen: Counter[str] = Counter()
    unhandled: list[tuple[str, int, str]] = []
    auth = {"authorization": f"Bearer {API_TOKEN}"}
    for result in operations.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=bool(os.environ.get("CI")),
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy())
        def run(case: Any) -> None:
            query = case.body["query"] if isinstance(case.body, dict) else str(case.body)
            response = api.post("/graphql", json={"query": query}, headers=auth)
            seen[f"status {response.status_code}"] += 1
            codes = []
            if response.headers.get("content-type", "").startswith("application/json"):
                codes = [e["extensions"]["code"] for e in response.json().get("errors", [])]
            seen.update(codes)
            if response.status_code >= 500 or "INTERNAL_SERVER_ERROR" in codes:
                unhandled.append((query, response.status_code, response.text[:500]))

        run()
    total = sum(n for k, n in seen.items() if k.startswith("status "))
    print(f"fuzz: {total} operations:", dict(seen.most_common()))
    assert not unhandled, unhandled[:3]
    assert total >= min(FUZZ_MINIMUM, 20 * FUZZ_EXAMPLES), seen
