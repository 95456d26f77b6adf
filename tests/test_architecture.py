"""The import graph: records flow one way (docs/architecture.md).

The contracts live in pyproject.toml ([tool.importlinter]); import-linter (on grimp)
builds the real import graph of the packages, including imports inside functions. The
first test checks the project as it is; the others copy the packages, add one forbidden
import back, and check that the contracts catch it, naming the edge.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from diplograph.settings import PROJECT_ROOT

PACKAGES = ("diplograph", "entrypoints", "graph", "loaders", "schema", "services")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the packages under `root`, with the project's contracts."""
    env = {**os.environ, "PYTHONPATH": str(root)}  # ahead of the editable install
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(PROJECT_ROOT / "pyproject.toml")],
        capture_output=True, text=True, cwd=root, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_the_project_keeps_every_import_contract() -> None:
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("graph/bulk.py", "loaders.hsg", "graph/ writes records"),
        ("graph/mentions.py", "schema.errors", "graph/ writes records"),
        ("loaders/hsg/reader.py", "graph.repository", "loaders/ turn sources into records"),
        ("loaders/ingest/linking.py", "schema.ids", "loaders/ turn sources into records"),
        ("diplograph/model.py", "graph.driver", "The domain package"),
        ("diplograph/records.py", "loaders.names", "The domain package"),
        ("diplograph/settings.py", "services.pipeline", "The domain package"),
    ],
)
def test_a_forbidden_import_breaks_a_contract(
    tmp_path: Path, module: str, forbidden: str, contract: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("node_modules", "__pycache__", "graphiql", "assembly"),
        )
    path = tmp_path / module
    path.write_text(path.read_text(encoding="utf-8") + f"\nimport {forbidden}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert f"{contract}" in broken
    assert f"{module.removesuffix('.py').replace('/', '.')} -> {forbidden}" in broken
