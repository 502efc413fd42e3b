"""Fixtures: the project of :mod:`tests.dashboard.project`, shared or private."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.workspace import Workspace
from tests.dashboard.project import build_project, serve


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """One project per test module; tests must not change it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MONITOR_DATABASE_URL", raising=False)
        workspace = build_project(tmp_path_factory.mktemp("project"))
        yield workspace
        workspace.close()


@pytest.fixture
def fresh_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    """A project of the test's own, to change."""
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    workspace = build_project(tmp_path)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def base(project: Workspace) -> Iterator[str]:
    """The shared project served on loopback."""
    yield from serve(lambda: project)
