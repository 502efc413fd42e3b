"""Fixtures for registry tests: a small valid registry written to a temp folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.registry import RegistryInvalid, load_registry

# A registry using every section, valid as written; tests break one thing at a time.
VALID = """\
version: 1
settings:
  timeout_s: 5
owners:
  web: {name: Web team, email: web@example.org}
documents:
  - id: sheet
    path: content/sheet.md
    owner: web
sources:
  - id: report
    url: https://example.org/report.pdf
    owner: web
    accessed: 2014-01-15
    interval: 12h
    expect: {content_type: application/pdf}
    claims:
      - id: children
        statement: 100,000 children are sold each year
        evidence: "100,000"
        cited_as: footnote i
        document: sheet
  - id: page
    url: http://example.org/page
references:
  - id: tay
    document: sheet
    text: TAY webpage
"""


@pytest.fixture
def valid_text() -> str:
    return VALID


@pytest.fixture
def write_registry(tmp_path: Path) -> Callable[[str], Path]:
    """Write *text* as registry.yaml beside an existing content/sheet.md."""

    def write(text: str) -> Path:
        (tmp_path / "content").mkdir(exist_ok=True)
        (tmp_path / "content" / "sheet.md").write_text("# Sheet\n", encoding="utf-8")
        path = tmp_path / "registry.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def problems(write_registry: Callable[[str], Path]) -> Callable[[str], list[str]]:
    """Every problem reported for a registry *text*, as printed, in order."""

    def load(text: str) -> list[str]:
        path = write_registry(text)
        with pytest.raises(RegistryInvalid) as caught:
            load_registry(path)
        return [str(p) for p in caught.value.problems]

    return load


@pytest.fixture
def where(tmp_path: Path) -> Callable[[str, str, str], str]:
    """The ``file:line: field: `` prefix expected for *field* on the line holding *needle*."""

    def prefix(text: str, needle: str, field: str) -> str:
        lines = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
        assert lines, f"{needle!r} is not in the registry text"
        return f"{tmp_path / 'registry.yaml'}:{lines[0]}: {field}: "

    return prefix
