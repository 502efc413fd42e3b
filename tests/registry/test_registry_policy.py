"""Settings the registry passes on: the gate's policy, the health rules, retention."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.gate.policy import GatePolicy
from monitor.registry import RegistryInvalid, load_registry

BASE = """version: 1
settings:
  policy:
{policy}
documents: []
sources: []
"""


def write(tmp_path: Path, policy: str) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(BASE.format(policy=policy))
    return path


def test_policy_is_kept_and_understood(tmp_path: Path) -> None:
    registry = load_registry(
        write(tmp_path, "    fail_on: [broken, moved]\n    archive_excuses: false")
    )
    policy = GatePolicy.from_settings(registry.settings.policy)
    assert "moved" in policy.fail_on and policy.archive_excuses is False


def test_unknown_verdict_in_policy_is_a_located_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "    fail_on: [broken, dead]")
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{path}:4: settings.policy:")
    assert "dead" in problem.message


def test_unknown_policy_key_is_a_located_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "    fail_onn: [broken]")
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    assert any("fail_onn" in str(p) for p in caught.value.problems)


def test_health_thresholds_are_read_and_checked(tmp_path: Path) -> None:
    from monitor.state import HealthPolicy

    path = tmp_path / "registry.yaml"
    path.write_text(
        "version: 1\nsettings:\n  retention_days: 30\n  health:\n    dead_after_checks: 5\n"
        "documents: []\nsources: []\n"
    )
    settings = load_registry(path).settings
    assert settings.retention_days == 30
    assert HealthPolicy(**settings.health).dead_after_checks == 5
    path.write_text(
        "version: 1\nsettings:\n  health:\n    dead_after_checks: 0\ndocuments: []\nsources: []\n"
    )
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    assert str(caught.value.problems[0]).startswith(f"{path}:4: settings.health:")
