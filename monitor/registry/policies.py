"""The settings sections other parts of the monitor own: ``policy`` (the CI gate),
``health`` (the health rules) and ``notify`` (owner notifications).

Each is kept as plain values for its owner, but read here value by value, so that a
wrong type, a number that is not finite or out of range, or a YAML value with no plain
reading (a custom tag, a date, a list as a key) is reported at its own line and field.
The owner's validation then runs on the values read, and what it refuses (an unknown
verdict, a threshold below its minimum) is reported at the section.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from yaml.nodes import Node, SequenceNode

from monitor.gate.policy import GatePolicy
from monitor.notify.config import NotifySettings
from monitor.registry.errors import MESSAGE_LIMIT, clip
from monitor.registry.nodes import Reader, child, describe, is_null
from monitor.state import HealthPolicy

# Upper limits that no one means to exceed and that keep durations made from these
# numbers (timedelta(days=...), a retry delay doubled up to 30 times) in range.
_DAYS = 3650
_HOURS = 24 * _DAYS
_COUNT = 10_000


@dataclass(frozen=True)
class Value:
    """How one key of a section is read: returns None for a wrong value (reported)."""

    read: Callable[[Reader, Node, str], object]
    nullable: bool = False  # null is a value of its own (none, never), passed on as None


def _number(maximum: float) -> Value:
    return Value(lambda r, node, field: r.number(node, field, whole=False, maximum=maximum))


def _whole(maximum: int) -> Value:
    return Value(lambda r, node, field: r.number(node, field, whole=True, maximum=maximum))


def _flag() -> Value:
    return Value(lambda r, node, field: r.boolean(node, field))


def _names(r: Reader, node: Node, field: str) -> list[str] | None:
    """A list of names (verdicts, channels), each as written."""
    if not isinstance(node, SequenceNode):
        r.problem(node, field, f"expected a list, got {describe(node)}")
        return None
    items = r.sequence(node, field)
    names = [r.text(item, child(field, i), required=True) for i, item in enumerate(items)]
    if any(name is None for name in names):
        return None
    return [name for name in names if name is not None]


def _routes(r: Reader, node: Node, field: str) -> dict[str, list[str] | None] | None:
    """Owner id -> channels."""
    entries = r.entries(node, field)
    if entries is None:
        return None
    routes: dict[str, list[str] | None] = {}
    ok = True
    for owner, key_node, value_node in entries:
        where = child(field, owner)
        if r.linked("owner", key_node, where) is None:
            ok = False
        elif is_null(value_node):
            routes[owner] = None
        else:
            names = _names(r, value_node, where)
            ok = ok and names is not None
            routes[owner] = names
    return routes if ok else None


POLICY: Mapping[str, Value] = MappingProxyType(
    {
        "fail_on": Value(_names),
        "warn_on": Value(_names),
        "pass_on": Value(_names),
        "archive_excuses": _flag(),
        "fail_on_unregistered": _flag(),
        "tls_warn": _flag(),
        "tls_warn_days": _whole(_DAYS),
        "fail_on_unknown_verdict": _flag(),
    }
)
HEALTH: Mapping[str, Value] = MappingProxyType(
    {
        "dead_after_checks": _whole(_COUNT),
        "dead_after_days": _number(_DAYS),
        "hard_dead_after_checks": _whole(_COUNT),
        "hard_dead_after_days": _number(_DAYS),
        "recover_after_checks": _whole(_COUNT),
        "healthy_after_checks": _whole(_COUNT),
        "healthy_after_days": _number(_DAYS),
        "suspect_after_uncertain": _whole(_COUNT),
        "span_slack_hours": _number(_HOURS),
    }
)
NOTIFY: Mapping[str, Value] = MappingProxyType(
    {
        "reminder_days": _number(_DAYS),
        "fallback_owner": Value(
            lambda r, node, field: r.linked("owner", node, field), nullable=True
        ),
        "channels": Value(_names, nullable=True),
        "routes": Value(_routes, nullable=True),
        "max_attempts": _whole(1000),
        # The first retry delay doubles up to 30 times: 720 minutes so is 1.5 million years,
        # still a date; a day would not be.
        "retry_minutes": _number(720),
        "retry_max_hours": _number(_HOURS),
        "timeout_s": _number(3600),
        "stale_minutes": _number(60 * _HOURS),
    }
)


def read_policy(r: Reader, node: Node) -> Mapping[str, Any]:
    """The CI gate's policy (monitor.gate.policy)."""
    return _section(r, node, "settings.policy", POLICY, GatePolicy.from_settings)


def read_health(r: Reader, node: Node) -> Mapping[str, Any]:
    """The health rules' thresholds (monitor.state.HealthPolicy)."""
    return _section(r, node, "settings.health", HEALTH, lambda values: HealthPolicy(**values))


def read_notify(r: Reader, node: Node) -> Mapping[str, Any]:
    """Owner notification settings (monitor.notify)."""
    return _section(r, node, "settings.notify", NOTIFY, NotifySettings.from_mapping)


def _section(
    r: Reader,
    node: Node,
    field: str,
    keys: Mapping[str, Value],
    check: Callable[[dict[str, Any]], object],
) -> Mapping[str, Any]:
    if is_null(node):
        return MappingProxyType({})
    before = len(r.problems)
    written = r.mapping(node, field, tuple(keys))
    values: dict[str, Any] = {}
    for key, value_node in (written or {}).items():
        how = keys[key]
        if how.nullable and is_null(value_node):
            values[key] = None
            continue
        value = how.read(r, value_node, child(field, key))
        if value is not None:
            values[key] = value
    if len(r.problems) == before:
        # Only on values that are all readable: the owner's checks assume their types.
        try:
            check(values)
        except (TypeError, ValueError, OverflowError) as exc:
            r.problem(node, field, clip(str(exc), MESSAGE_LIMIT))
    return MappingProxyType(values)
