"""settings.policy, settings.health and settings.notify: read value by value, each
mistake reported at its line and field, never as a traceback or a huge message."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.gate.policy import POLICY_KEYS
from monitor.notify.config import NotifySettings
from monitor.registry import RegistryInvalid, load_registry
from monitor.state import HealthPolicy

Problems = Callable[[str], list[str]]
Where = Callable[[str, str, str], str]


def alias_bomb(levels: int) -> str:
    """A flow list in which each level holds a list and eight aliases of it."""
    value = "&a0 [x, x, x, x, x, x, x, x, x]"
    for i in range(1, levels + 1):
        value = f"&a{i} [{value}, {', '.join([f'*a{i - 1}'] * 8)}]"
    return value


def with_settings(valid: str, settings: str) -> str:
    old = "  timeout_s: 5\n"
    assert old in valid
    return valid.replace(old, old + settings, 1)


@pytest.mark.parametrize(
    ("settings", "needle", "field", "message"),
    [
        (
            "  policy:\n    fail_on: !custom x\n",
            "fail_on",
            "settings.policy.fail_on",
            "expected a list, got a value tagged '!custom'",
        ),
        (
            "  policy:\n    tls_warn_days: 2014-13-45\n",
            "tls_warn_days",
            "settings.policy.tls_warn_days",
            "expected a whole number, got 2014-13-45 (a date)",
        ),
        (
            "  policy:\n    ? [a, b]\n    : x\n",
            "? [a, b]",
            "settings.policy",
            "expected a name as key, got a list",
        ),
        (
            "  policy:\n    fail_on: [broken, [moved]]\n",
            "fail_on",
            "settings.policy.fail_on[1]",
            "expected text, got a list",
        ),
        (
            "  policy:\n    archive_excuses: 'no'\n",
            "archive_excuses",
            "settings.policy.archive_excuses",
            "expected true or false, got 'no'",
        ),
        (
            "  health:\n    dead_after_days: .nan\n",
            "dead_after_days",
            "settings.health.dead_after_days",
            "expected a finite number, got .nan",
        ),
        (
            "  health:\n    span_slack_hours: .inf\n",
            "span_slack_hours",
            "settings.health.span_slack_hours",
            "expected a finite number, got .inf",
        ),
        (
            '  health:\n    dead_after_checks: "3"\n',
            "dead_after_checks",
            "settings.health.dead_after_checks",
            "expected a whole number, got '3'",
        ),
        (
            "  health:\n    dead_after_checks: 2.5\n",
            "dead_after_checks",
            "settings.health.dead_after_checks",
            "expected a whole number, got 2.5 (a number)",
        ),
        (
            "  health:\n    healthy_after_days: 100000.0\n",
            "healthy_after_days",
            "settings.health.healthy_after_days",
            "expected a finite number up to 3650, got 100000.0",
        ),
        (
            "  health:\n    dead_after_checks: 0x10\n",
            "dead_after_checks",
            "settings.health.dead_after_checks",
            "expected a whole number in plain decimal, got 0x10",
        ),
        (
            "  notify:\n    reminder_days: .inf\n",
            "reminder_days",
            "settings.notify.reminder_days",
            "expected a finite number, got .inf",
        ),
        (
            "  notify:\n    retry_minutes: 100000\n",
            "retry_minutes",
            "settings.notify.retry_minutes",
            "expected a finite number up to 720, got 100000",
        ),
        (
            "  notify:\n    routes: {web: email}\n",
            "routes",
            "settings.notify.routes.web",
            "expected a list, got 'email'",
        ),
        (
            "  notify:\n    fallback_owner: [web]\n",
            "fallback_owner",
            "settings.notify.fallback_owner",
            "expected text, got a list",
        ),
    ],
)
def test_a_wrong_value_is_reported_at_its_field(
    problems: Problems,
    where: Where,
    valid_text: str,
    settings: str,
    needle: str,
    field: str,
    message: str,
) -> None:
    text = with_settings(valid_text, settings)
    assert problems(text) == [f"{where(text, needle, field)}{message}"]


@pytest.mark.parametrize(
    "settings",
    [
        # An alias inside the value it names never ends.
        "  notify: &n\n    routes: *n\n",
        "  policy: &p\n    fail_on: [broken]\n    <<: *p\n",
        # Deeper than any registry, deeper than a recursive reader can go.
        "  policy:\n    fail_on: " + "[" * 3000 + "]" * 3000 + "\n",
        # Aliases of aliases: one line that stands for 9**7 values.
        "  policy:\n    fail_on: " + alias_bomb(6) + "\n",
    ],
    ids=["recursive-alias", "recursive-merge", "deep", "alias-bomb"],
)
def test_hostile_yaml_in_a_section_is_a_short_located_problem(
    problems: Problems, tmp_path: Path, valid_text: str, settings: str
) -> None:
    found = problems(with_settings(valid_text, settings))
    assert found
    for problem in found:
        assert re.match(rf"{re.escape(str(tmp_path / 'registry.yaml'))}:\d+: ", problem)
        assert len(problem) < 400


def test_the_owner_check_still_runs_and_its_message_is_short(
    problems: Problems, tmp_path: Path, valid_text: str
) -> None:
    names = ", ".join(f"verdict{i}" for i in range(2000))
    text = with_settings(valid_text, f"  policy:\n    fail_on: [{names}]\n")
    [problem] = problems(text)
    assert problem.startswith(f"{tmp_path / 'registry.yaml'}:5: settings.policy: unknown verdict")
    assert len(problem) < 500


def test_values_are_kept_as_plain_data_for_their_owners(
    write_registry: Callable[[str], Path], valid_text: str
) -> None:
    text = with_settings(
        valid_text,
        "  policy: {fail_on: [broken, moved], tls_warn_days: 10, archive_excuses: false}\n"
        "  health: {dead_after_checks: 5, dead_after_days: 2.5}\n"
        "  notify:\n"
        "    fallback_owner: web\n"
        "    channels: [email]\n"
        "    routes: {web: [webhook]}\n"
        "    retry_minutes: 1.5\n",
    )
    settings = load_registry(write_registry(text)).settings
    assert dict(settings.policy) == {
        "fail_on": ["broken", "moved"],
        "tls_warn_days": 10,
        "archive_excuses": False,
    }
    assert HealthPolicy(**settings.health) == HealthPolicy(dead_after_checks=5, dead_after_days=2.5)
    notify = NotifySettings.from_mapping(settings.notify)
    assert (notify.fallback_owner, notify.retry_minutes) == ("web", 1.5)
    assert [r.value for r in notify.channels] == ["email"]
    assert {k: [r.value for r in v] for k, v in notify.routes.items()} == {"web": ["webhook"]}


def test_a_null_route_sends_nothing(write_registry: Callable[[str], Path], valid_text: str) -> None:
    text = with_settings(valid_text, "  notify:\n    routes: {web: null}\n")
    notify = NotifySettings.from_mapping(load_registry(write_registry(text)).settings.notify)
    assert dict(notify.routes) == {"web": ()}


def test_notify_names_only_owners_the_registry_defines(
    write_registry: Callable[[str], Path], valid_text: str
) -> None:
    text = with_settings(
        valid_text, "  notify:\n    fallback_owner: wbe\n    routes: {other: [email]}\n"
    )
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(write_registry(text))
    messages = [f"{p.field}: {p.message}" for p in caught.value.problems]
    assert messages == [
        "settings.notify.fallback_owner: unknown owner 'wbe'; did you mean 'web'?",
        "settings.notify.routes.other: unknown owner 'other'; known: web",
    ]


def test_every_key_of_the_owners_is_read() -> None:
    from monitor.registry.policies import HEALTH, NOTIFY, POLICY

    assert tuple(POLICY) == POLICY_KEYS
    assert set(HEALTH) == {f.name for f in dataclasses.fields(HealthPolicy)}
    assert set(NOTIFY) == {f.name for f in dataclasses.fields(NotifySettings)}
