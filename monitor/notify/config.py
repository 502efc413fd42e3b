"""``settings.notify``: reminders, routing and delivery limits for owner notifications.

Every key is optional::

    settings:
      notify:
        reminder_days: 7           # remind owners of sources still dead; 0 = never
        fallback_owner: web-team   # who hears about sources nobody owns
        channels: [email, webhook] # channels used by default
        routes:                    # per owner: the channels used for that owner
          dmh-web: [webhook]
        max_attempts: 5            # tries before a message is given up
        retry_minutes: 5           # first retry delay; doubles each time
        retry_max_hours: 6         # longest retry delay
        timeout_s: 10              # per SMTP conversation or webhook request
        stale_minutes: 10          # a send taking longer counts as interrupted

SMTP servers and webhook secrets come from the environment only, never from here.
This module reads no environment and imports nothing heavy: the registry loader uses
it to report mistakes with their line.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any


class Route(enum.StrEnum):
    """The kinds of channel an owner can be reached by."""

    EMAIL = "email"
    WEBHOOK = "webhook"  # a Slack incoming webhook or a signed generic one


ALL_ROUTES = (Route.EMAIL, Route.WEBHOOK)


@dataclass(frozen=True)
class NotifySettings:
    """Reminders, routing and retry limits (module docstring)."""

    reminder_days: float = 7.0
    fallback_owner: str | None = None
    channels: tuple[Route, ...] = ALL_ROUTES
    routes: Mapping[str, tuple[Route, ...]] = field(default_factory=dict)
    max_attempts: int = 5
    retry_minutes: float = 5.0
    retry_max_hours: float = 6.0
    timeout_s: float = 10.0
    stale_minutes: float = 10.0

    def __post_init__(self) -> None:
        if self.reminder_days < 0:
            raise ValueError(f"reminder_days must not be negative, not {self.reminder_days}")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        for name in ("retry_minutes", "retry_max_hours", "timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.stale_minutes < 0:
            raise ValueError(f"stale_minutes must not be negative, not {self.stale_minutes}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> NotifySettings:
        """Settings as written in the registry; ``ValueError`` says what is wrong."""
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)}; known: {sorted(known)}")
        values: dict[str, Any] = {}
        for name in ("reminder_days", "retry_minutes", "retry_max_hours", "timeout_s"):
            if name in data:
                values[name] = _number(data[name], name)
        if "stale_minutes" in data:
            values["stale_minutes"] = _number(data["stale_minutes"], "stale_minutes")
        if "max_attempts" in data:
            attempts = data["max_attempts"]
            if not isinstance(attempts, int) or isinstance(attempts, bool):
                raise ValueError(f"max_attempts must be a whole number, not {attempts!r}")
            values["max_attempts"] = attempts
        if "fallback_owner" in data:
            owner = data["fallback_owner"]
            if owner is not None and not isinstance(owner, str):
                raise ValueError(f"fallback_owner must be an owner id, not {owner!r}")
            values["fallback_owner"] = owner
        if "channels" in data:
            values["channels"] = _routes(data["channels"], "channels")
        if "routes" in data:
            routes = data["routes"] or {}
            if not isinstance(routes, Mapping):
                raise ValueError("routes must map owner ids to lists of channels")
            values["routes"] = {
                str(owner): _routes(given, f"routes.{owner}") for owner, given in routes.items()
            }
        return cls(**values)

    @property
    def reminder_interval(self) -> timedelta | None:
        """How long before a still-dead source is mentioned again; None for never."""
        return timedelta(days=self.reminder_days) if self.reminder_days > 0 else None

    @property
    def retry_max(self) -> timedelta:
        """The longest delay before another try."""
        return timedelta(hours=self.retry_max_hours)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(minutes=self.stale_minutes)

    def routes_for(self, owner_id: str) -> tuple[Route, ...]:
        """The channels to use for an owner."""
        return self.routes.get(owner_id, self.channels)

    def retry_at(self, attempts: int, now: datetime) -> datetime | None:
        """When to try again after ``attempts`` failed tries; None once they are used up.

        The delay doubles with each attempt, from ``retry_minutes`` up to
        ``retry_max_hours``.
        """
        if attempts >= self.max_attempts:
            return None
        # The shift is bounded: the cap is reached long before 2**30 anyway.
        delay = timedelta(minutes=self.retry_minutes) * (1 << min(max(attempts - 1, 0), 30))
        return now + min(delay, self.retry_max)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, not {value!r}")
    return float(value)


def _routes(value: Any, name: str) -> tuple[Route, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{name} must be a list of channels (email, webhook), not {value!r}")
    routes: list[Route] = []
    for item in value:
        try:
            routes.append(Route(item))
        except ValueError:
            raise ValueError(
                f"{name}: unknown channel {item!r}; use {', '.join(r.value for r in Route)}"
            ) from None
    return tuple(dict.fromkeys(routes))
