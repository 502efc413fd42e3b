"""Human-written durations: ``30m``, ``12h``, ``1d``, ``2w``, ``1d12h`` or plain seconds."""

from __future__ import annotations

import re
from datetime import timedelta

from monitor.registry.errors import clip, quote

_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
# Units largest first, each at most once, so "1d12h" reads one way only.
_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
EXPECTED = "a duration such as 30m, 12h, 1d, 2w or 1d12h"
# Schedules add durations to dates; beyond this a check would never come round (and
# far beyond it, dates overflow).
_MAX_SECONDS = 3650 * 86400
_MAX_LENGTH = 40


def parse_duration(text: str | int) -> timedelta:
    """Return the positive duration that *text* names.

    Accepts an integer number of seconds (``3600`` or ``"3600"``) or a string of
    number-unit parts, largest unit first: ``w`` weeks, ``d`` days, ``h`` hours,
    ``m`` minutes, ``s`` seconds, e.g. ``"1d12h"``. Raises :class:`ValueError`,
    with a message fit for a user, for zero, negative, unreadable or overlong (more
    than ten years) durations.
    """
    # bool is an int subclass; "interval: yes" is a mistake, not one second.
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise ValueError(f"expected {EXPECTED}, got {text!r}")
    if isinstance(text, int):
        seconds = text
    else:
        cleaned = text.strip().lower()
        if len(cleaned) > _MAX_LENGTH:  # int() of thousands of digits is refused, or slow
            raise ValueError(f"expected {EXPECTED}, got {quote(text)}")
        if re.fullmatch(r"[+-]?\d+", cleaned):
            seconds = int(cleaned)
        else:
            match = _DURATION.fullmatch(cleaned)
            if not cleaned or match is None:
                raise ValueError(f"expected {EXPECTED}, got {quote(text)}")
            seconds = sum(
                int(amount) * _UNIT_SECONDS[unit]
                for amount, unit in zip(match.groups(), "wdhms", strict=True)
                if amount is not None
            )
    if seconds <= 0:
        raise ValueError(f"expected a duration greater than zero, got {_shown(text)}")
    if seconds > _MAX_SECONDS:
        raise ValueError(f"expected a duration of at most ten years, got {_shown(text)}")
    return timedelta(seconds=seconds)


def _shown(text: str | int) -> str:
    return quote(text) if isinstance(text, str) else clip(str(text))
