"""The dashboard's pages, byte for byte, for a project with every kind of source.

Markup is built both by the templates and by Python (``cells``, ``chart``); a change to
either that alters a page shows here. After a deliberate change, rewrite the snapshots
with ``UPDATE_GOLDEN=1 pytest tests/dashboard/test_dashboard_golden.py`` and read the
diff. The package's own stylesheet and script (and the policy hashing them) are left
out: they have their own tests.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from monitor.dashboard import write_dashboard
from tests.dashboard.project import NOW, build_project

GOLDEN = Path(__file__).with_name("golden")
PAGES = (
    "index.html",
    "sources/src-hostile.html",
    "sources/src-moved.html",
    "sources/src-claim.html",
    "sources/src-broken.html",
    "documents/sheet.html",
)


def _without_assets(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "<style>…</style>", page, flags=re.S)
    page = re.sub(r"<script>.*?</script>", "<script>…</script>", page, flags=re.S)
    return re.sub(r'(http-equiv="Content-Security-Policy" content=")[^"]*', r"\1…", page)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden")
    workspace = build_project(root)
    out = root / "dashboard"
    write_dashboard(workspace, workspace.status(at=NOW), out, NOW, processes=1)
    workspace.close()
    return out


@pytest.mark.parametrize("name", PAGES)
def test_a_page_is_the_bytes_it_was(pages: Path, name: str) -> None:
    page = _without_assets((pages / name).read_text(encoding="utf-8"))
    golden = GOLDEN / name.replace("/", "--")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(page, encoding="utf-8")
    assert page == golden.read_text(encoding="utf-8"), (
        f"{name} changed; if that was meant, rewrite the snapshots (module docstring)"
    )
