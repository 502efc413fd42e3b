"""Durations as people write them in the registry and on the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.registry import parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("1d", timedelta(days=1)),
        ("2w", timedelta(weeks=2)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1w2d3h4m5s", timedelta(weeks=1, days=2, hours=3, minutes=4, seconds=5)),
        ("90s", timedelta(seconds=90)),
        ("90m", timedelta(minutes=90)),
        (" 6H ", timedelta(hours=6)),
        (3600, timedelta(hours=1)),
        ("3600", timedelta(hours=1)),
        (1, timedelta(seconds=1)),
    ],
)
def test_accepted_durations(text: str | int, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", [0, "0", "0d", "0h0m", -5, "-5"])
def test_zero_and_negative_durations_are_refused(text: str | int) -> None:
    with pytest.raises(ValueError, match=r"^expected a duration greater than zero, got "):
        parse_duration(text)


@pytest.mark.parametrize(
    "text", ["", " ", "d", "soon", "1x", "12h1d", "1d 12h", "1.5h", "-5m", "1dd", "h12"]
)
def test_unreadable_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert (
        str(caught.value) == f"expected a duration such as 30m, 12h, 1d, 2w or 1d12h, got {text!r}"
    )


@pytest.mark.parametrize("value", [True, False, 1.5, None])
def test_values_of_other_types_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="expected a duration such as"):
        parse_duration(value)  # type: ignore[arg-type]
