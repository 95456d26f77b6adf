"""Neo4j Browser and GraphiQL in a real headless Chromium, as an analyst meets them.

Browser logs into the test Neo4j, gets diplograph's style and guide from the API on
connect (`browser.post_connect_cmd`), runs a query and draws a Person in diplograph's
colour; GraphiQL runs a typed query. Screenshots go to a temporary folder, or to
$DIPLOGRAPH_SCREENSHOTS (`DIPLOGRAPH_SCREENSHOTS=docs` renews the ones in docs/).

Chromium and its driver come from Debian (`make install` installs them as root);
Selenium from uv.lock.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from neo4j import Driver
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from diplograph.settings import Settings
from graph.server import LocalNeo4j
from tests.conftest import LiveServer

GRASS = Path(__file__).resolve().parent.parent / "graph" / "browser-style.grass"
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
# Flags that work in a container without a display, a GPU or the network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
]


def person_colour() -> str:
    block = re.search(r"node\.Person \{([^}]*)\}", GRASS.read_text())
    assert block is not None
    colour = re.search(r"\bcolor: (#[0-9A-Fa-f]{6})", block.group(1))
    assert colour is not None
    return colour.group(1).lower()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("DIPLOGRAPH_SCREENSHOTS")
    return Path(configured) if configured else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def chromium() -> Iterator[WebDriver]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        message = "Chromium is not installed (`make install` as root on Debian installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="diplograph-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser_api(settings: Settings, knowledge_graph: Driver) -> Iterator[LiveServer]:
    """The API on the port the test Neo4j's Browser fetches its style and guide from."""
    with LiveServer(settings, port=settings.api_port) as live:
        yield live


def wait(browser: WebDriver, seconds: float = 120) -> WebDriverWait[WebDriver]:
    # Generous: on a loaded two-core machine Browser takes tens of seconds to connect.
    return WebDriverWait(browser, seconds)


def frames_text(browser: WebDriver) -> str:
    return " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, "article"))


def test_neo4j_browser_styles_the_graph_and_opens_the_guide(
    neo4j_server: LocalNeo4j | None,
    settings: Settings,
    browser_api: LiveServer,
    chromium: WebDriver,
    shots: Path,
) -> None:
    if neo4j_server is None:
        pytest.skip("NEO4J_URI is set: the Browser under test is the local server's")
    chromium.get(settings.neo4j_browser_url)
    form = wait(chromium).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, "[data-testid=username]"))
    )
    form.send_keys(settings.neo4j_user)
    chromium.find_element(By.CSS_SELECTOR, "[data-testid=password]").send_keys(
        settings.neo4j_password
    )
    chromium.find_element(By.CSS_SELECTOR, "[data-testid=connect]").click()

    # On connect: the style applies and the guide opens (post_connect_cmd) ...
    wait(chromium).until(lambda b: "diplograph: where to start" in frames_text(b))
    chromium.save_screenshot(str(shots / "neo4j-browser-guide.png"))
    frames = frames_text(chromium)
    assert f":style {settings.api_url}/neo4j-browser.grass" in frames
    assert "node.Person" in frames and "InvalidGrassError" not in frames
    assert "1 / 5" in frames  # the guide's five slides

    # ... and a query draws people in diplograph's colour.
    editor = chromium.find_element(By.CSS_SELECTOR, "[data-testid=activeEditor] textarea")
    editor.send_keys(":clear", Keys.CONTROL, Keys.ENTER)
    wait(chromium).until(lambda b: "diplograph: where to start" not in frames_text(b))
    editor = chromium.find_element(By.CSS_SELECTOR, "[data-testid=activeEditor] textarea")
    editor.send_keys(
        "MATCH (d:Delegation)-[:ATTENDED]->(m:Meeting {meetingType: 'round'}) "
        "WHERE m.date STARTS WITH '2010' OPTIONAL MATCH (p:Person)-[:LED]->(d) RETURN m, d, p"
    )
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    colour = person_colour()
    try:
        wait(chromium).until(
            lambda b: any(
                (c.get_attribute("fill") or "").lower() == colour
                for c in b.find_elements(By.CSS_SELECTOR, "svg g.node circle.b-outline")
            )
        )
    finally:
        chromium.save_screenshot(str(shots / "neo4j-browser.png"))
    captions = [t.text for t in chromium.find_elements(By.CSS_SELECTOR, "svg g.node text")]
    assert any("Craig" in caption for caption in captions), captions


def test_graphiql_runs_a_typed_query(
    browser_api: LiveServer, chromium: WebDriver, shots: Path
) -> None:
    chromium.get(f"{browser_api.url}/graphql")
    editor = wait(chromium).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".graphiql-query-editor textarea"))
    )
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys('{ people(where: {text: "kelly"}) { edges { node { name } } } }')
    chromium.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
    try:
        wait(chromium).until(
            lambda b: "Craig Kelly" in b.find_element(By.CSS_SELECTOR, ".result-window").text
        )
    except TimeoutException:
        chromium.save_screenshot(str(shots / "graphiql-failed.png"))
        raise
    chromium.save_screenshot(str(shots / "graphiql-browser.png"))


SHARED_QUERY = (
    "query Other { __typename }\n"
    "query People($text: String) { people(where: {text: $text}) { edges { node { name } } } }"
)
SHARED_VARIABLES = '{"text": "kelly"}'


def editors(browser: WebDriver) -> list[str]:
    """The text of GraphiQL's editors (CodeMirror 5): the query's first, then variables'."""
    values: list[str] = browser.execute_script(
        "return [...document.querySelectorAll('.graphiql-container .CodeMirror')]"
        ".map(e => e.CodeMirror.getValue())"
    )
    return values


def test_a_graphql_link_opens_graphiql_with_its_query_variables_and_operation(
    browser_api: LiveServer, chromium: WebDriver, shots: Path
) -> None:
    """/graphql?query=...&variables=...&operationName=... (a link to share a query) opens
    GraphiQL with both editors filled in, and running it runs the named operation."""
    shared = {"query": SHARED_QUERY, "variables": SHARED_VARIABLES, "operationName": "People"}
    link = httpx.URL(f"{browser_api.url}/graphql", params=shared)
    chromium.get(str(link))
    try:
        wait(chromium).until(lambda b: SHARED_QUERY in editors(b))
        assert SHARED_VARIABLES in editors(chromium)[1:]
        chromium.find_element(By.CSS_SELECTOR, ".graphiql-execute-button").click()
        wait(chromium).until(
            lambda b: "Craig Kelly" in b.find_element(By.CSS_SELECTOR, ".result-window").text
        )
    except TimeoutException:
        chromium.save_screenshot(str(shots / "graphiql-link-failed.png"))
        raise
    assert "__typename" not in chromium.find_element(By.CSS_SELECTOR, ".result-window").text
    # A client that asks for no HTML gets the answer to the same GET, not the page.
    answer = httpx.get(str(link), headers={"accept": "application/json"})
    names = [e["node"]["name"] for e in answer.json()["data"]["people"]["edges"]]
    assert "Craig Kelly" in names


def test_only_the_style_and_guide_are_shared_and_only_with_browser(
    api: httpx.Client, settings: Settings
) -> None:
    browser_origin = settings.browser_origins[0]
    for path in ("/neo4j-browser.grass", "/neo4j-browser-guide.html"):
        allowed = api.get(path, headers={"origin": browser_origin})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == browser_origin
        other = api.get(path, headers={"origin": "http://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers
        preflight = api.options(path, headers={
            "origin": browser_origin,
            "access-control-request-method": "GET",
            "access-control-request-headers": "x-requested-with",
        })  # fmt: skip
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == browser_origin
    graphql = api.post("/graphql", json={"query": "{ __typename }"},
                       headers={"origin": browser_origin})  # fmt: skip
    assert "access-control-allow-origin" not in graphql.headers
