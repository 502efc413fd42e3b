"""Human-written durations: ``30m``, ``12h``, ``1d``, ``2w``, ``1d12h`` or plain seconds."""

from __future__ import annotations

import re
from datetime import timedelta

_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
# Units largest first, each at most once, so "1d12h" reads one way only.
_DURATION = re.compile(r"(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(text: str | int) -> timedelta:
    """Return the positive duration that *text* names.

    Accepts an integer number of seconds (``3600`` or ``"3600"``) or a string of
    number-unit parts, largest unit first: ``w`` weeks, ``d`` days, ``h`` hours,
    ``m`` minutes, ``s`` seconds, e.g. ``"1d12h"``. Raises :class:`ValueError`,
    with a message fit for a user, for zero, negative or unreadable durations.
    """
    # bool is an int subclass; "interval: yes" is a mistake, not one second.
    if isinstance(text, bool) or not isinstance(text, int | str):
        raise ValueError(f"expected a duration such as 30m, 12h, 1d, 2w or 1d12h, got {text!r}")
    if isinstance(text, int):
        seconds = text
    else:
        cleaned = text.strip().lower()
        if re.fullmatch(r"[+-]?\d+", cleaned):
            seconds = int(cleaned)
        else:
            match = _DURATION.fullmatch(cleaned)
            if not cleaned or match is None:
                raise ValueError(
                    f"expected a duration such as 30m, 12h, 1d, 2w or 1d12h, got {text!r}"
                )
            seconds = sum(
                int(amount) * _UNIT_SECONDS[unit]
                for amount, unit in zip(match.groups(), "wdhms", strict=True)
                if amount is not None
            )
    if seconds <= 0:
        raise ValueError(f"expected a duration greater than zero, got {text!r}")
    return timedelta(seconds=seconds)
