"""A throwaway registry and document pointing at a real HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return run


def write_project(
    root: Path,
    urls: dict[str, str],
    *,
    extra_settings: str = "",
    archives: str = "{wayback: null}",
) -> Path:
    """A registry citing ``urls`` (id -> url) from one Markdown document."""
    (root / "content").mkdir(exist_ok=True)
    lines = ["# Sheet", ""]
    for i, url in enumerate(urls.values(), 1):
        lines.append(f"- Claim {i} is cited at <{url}>.")
    (root / "content" / "sheet.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sources = "".join(f"  - id: {source_id}\n    url: {url}\n" for source_id, url in urls.items())
    registry = root / "registry.yaml"
    registry.write_text(
        "version: 1\n"
        "settings:\n"
        "  allow_private: true\n"
        "  timeout_s: 2\n"
        "  concurrency: 4\n"
        f"  database: sqlite:///{root / 'monitor.db'}\n"
        f"  archives: {archives}\n"
        f"{extra_settings}"
        "owners:\n  web: {name: Web team, email: web@example.org}\n"
        "documents:\n  - {id: sheet, path: content/sheet.md, owner: web}\n"
        f"sources:\n{sources}",
        encoding="utf-8",
    )
    return registry
