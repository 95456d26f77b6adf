"""Check GraphiQL in headless Chromium: open it, run a query, save a screenshot.

    .venv/bin/python tools/graphiql_screenshot.py [URL] [OUT.png]

Needs Debian's `chromium` (apt-get install chromium) and a running API
(`make run`). Fails unless the result pane shows data from the graph.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

import websockets

# One person by id: the answer is the same with or without the historian's datasets.
QUERY = """{
  node(id: "craig-kelly") {
    ... on Person { name aliases
      led { edges { title node { name } } } }
  }
}"""
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,900"]  # fmt: skip


class Page:
    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.counter = 0

    async def call(self, method: str, **params: Any) -> Any:
        self.counter += 1
        await self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(await self.socket.recv())
            if message.get("id") == self.counter:
                return message.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


async def check(url: str, out: str, port: int = 9333) -> None:
    with tempfile.TemporaryDirectory() as profile:
        chromium = subprocess.Popen(
            ["chromium", *FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as response:
                        targets = json.load(response)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.3)
            ws_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            async with websockets.connect(ws_url, max_size=50_000_000) as socket:
                page = Page(socket)
                await page.call("Page.enable")
                await page.call("Page.navigate", url=url)
                await asyncio.sleep(3)
                await page.evaluate(
                    "document.querySelector('.graphiql-query-editor .CodeMirror')"
                    f".CodeMirror.setValue({json.dumps(QUERY)})"
                )
                await page.evaluate("document.querySelector('.graphiql-execute-button').click()")
                result = ""
                for _ in range(40):
                    await asyncio.sleep(0.25)
                    result = (
                        await page.evaluate(
                            "document.querySelector('.result-window')?.innerText || ''"
                        )
                        or ""
                    )
                    if "Craig Kelly" in result:
                        break
                shot = await page.call("Page.captureScreenshot", format="png")
                with open(out, "wb") as file:
                    file.write(base64.b64decode(shot["data"]))
                if "Craig Kelly" not in result:
                    raise SystemExit(f"GraphiQL showed no result from the graph: {result[:300]!r}")
                print(f"GraphiQL ran the query in Chromium; screenshot: {out}")
        finally:
            chromium.terminate()
            chromium.wait(timeout=10)


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/graphql"
    output = sys.argv[2] if len(sys.argv) > 2 else "docs/graphiql.png"
    asyncio.run(check(target, output))
