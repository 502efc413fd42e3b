"""settings.notify: parsing, defaults, retry delays, and reading it from the registry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor.notify import NotifySettings, Route
from monitor.registry import RegistryInvalid, load_registry
from tests.notify.project import T0


def test_defaults_remind_weekly_on_every_channel() -> None:
    settings = NotifySettings.from_mapping({})
    assert settings.reminder_interval == timedelta(days=7)
    assert settings.routes_for("anyone") == (Route.EMAIL, Route.WEBHOOK)
    assert settings.max_attempts == 5


def test_routes_override_the_channels_per_owner() -> None:
    settings = NotifySettings.from_mapping(
        {"channels": ["email"], "routes": {"web": ["webhook"], "quiet": []}}
    )
    assert settings.routes_for("web") == (Route.WEBHOOK,)
    assert settings.routes_for("quiet") == ()
    assert settings.routes_for("other") == (Route.EMAIL,)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reminder_days": -1}, "reminder_days"),
        ({"reminder_days": "weekly"}, "reminder_days must be a number"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": 2.5}, "whole number"),
        ({"channels": ["pager"]}, "unknown channel 'pager'"),
        ({"routes": {"web": "email"}}, "routes.web must be a list"),
        ({"retry_minutes": 0}, "retry_minutes must be positive"),
        ({"reminder": 7}, "unknown key(s) reminder"),
    ],
)
def test_mistakes_are_refused_with_the_key_named(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        NotifySettings.from_mapping(data)
    assert message in str(caught.value)


def test_retry_delays_double_up_to_the_cap_and_stop_after_max_attempts() -> None:
    settings = NotifySettings(max_attempts=6, retry_minutes=10, retry_max_hours=1)
    delays = [settings.retry_at(n, T0) for n in range(1, 7)]
    assert [d - T0 if d else None for d in delays] == [
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(minutes=40),
        timedelta(hours=1),
        timedelta(hours=1),
        None,
    ]


def _registry(tmp_path: Path, notify: str) -> Path:
    (tmp_path / "sheet.md").write_text("# Sheet\n", encoding="utf-8")
    path = tmp_path / "registry.yaml"
    path.write_text(
        "version: 1\n"
        "settings:\n"
        f"  notify:\n{notify}"
        "owners:\n  web: {name: Web team, email: web@example.org}\n"
        "documents:\n  - {id: sheet, path: sheet.md, owner: web}\n"
        "sources:\n  - {id: s1, url: 'https://example.org/a'}\n",
        encoding="utf-8",
    )
    return path


def test_the_registry_reads_settings_notify(tmp_path: Path) -> None:
    path = _registry(tmp_path, "    reminder_days: 14\n    fallback_owner: web\n")
    settings = NotifySettings.from_mapping(load_registry(path).settings.notify)
    assert settings.reminder_interval == timedelta(days=14)
    assert settings.fallback_owner == "web"


def test_a_mistake_in_settings_notify_is_reported_with_its_line(tmp_path: Path) -> None:
    path = _registry(tmp_path, "    reminder_days: 7\n    max_attempts: 0\n")
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    [problem] = caught.value.problems
    assert "max_attempts" in str(problem) and ":4" in str(problem)
    unknown = _registry(tmp_path, "    remind_days: 7\n")
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(unknown)
    assert "remind_days" in str(caught.value.problems[0])
