"""GitHub Actions workflow commands: escaping, and only the worst few."""

# No ``from __future__ import annotations``: the function under test has that name.
import re

import pytest

from monitor.gate.annotations import (
    annotation_commands,
    annotations,
    escape_data,
    escape_property,
)
from monitor.gate.policy import GatePolicy, evaluate
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import T, source

_COMMAND = re.compile(r"^::(error|warning) ([^:]*)::(.*)$", re.DOTALL)


def _unescape(text: str) -> str:
    for code, char in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(command: str) -> tuple[str, dict[str, str], str]:
    """Read a command back as the Actions runner does."""
    match = _COMMAND.match(command)
    assert match, command
    kind, props, data = match.groups()
    pairs = dict(p.split("=", 1) for p in props.split(","))
    return kind, {k: _unescape(v) for k, v in pairs.items()}, _unescape(data)


def test_escaping_follows_the_toolkit() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_annotation_escapes_message_and_properties(make_status: MakeStatus) -> None:
    url = "https://a.example/q?x=1,2&t=10:30"
    reason = "503 at 100%\nthen reset"
    status = make_status(
        source("s", url, "broken", reason=reason, cited=[("odd", 7)]),
        documents=(("odd", "content/a,b:c.md"),),
    )
    outcome = evaluate(status, GatePolicy(), now=T)
    [command] = annotations(outcome)
    assert "\n" not in command and "\r" not in command
    assert "content/a%2Cb%3Ac.md" in command
    assert "100%25%0Athen reset" in command
    kind, props, message = parse(command)
    assert kind == "error"
    assert props == {"file": "content/a,b:c.md", "line": "7", "title": "Broken citation"}
    assert url in message
    assert "503 at 100%\nthen reset" in message


def test_warning_and_uncited_source(make_status: MakeStatus) -> None:
    status = make_status(
        source("m", "https://m.example/", "moved", cited=[("sheet", 3)]),
        source("u", "https://u.example/", "transient", cited=[]),
    )
    commands = annotations(evaluate(status, GatePolicy(), now=T))
    parsed = [parse(c) for c in commands]
    assert [p[0] for p in parsed] == ["warning", "warning"]
    assert parsed[0][1] == {"file": "content/sheet.md", "line": "3", "title": "Citation moved"}
    # A source no document cites has no file to point at.
    assert parsed[1][1] == {"title": "Citation failing for now"}


def test_only_the_worst_ten(make_status: MakeStatus) -> None:
    status = make_status(
        source("ok", "https://ok.example/", "ok", cited=[("sheet", n) for n in range(1, 4)]),
        source("m", "https://m.example/", "moved", cited=[("sheet", n) for n in range(10, 15)]),
        source("g", "https://g.example/", "broken", cited=[("other", n) for n in range(20, 32)]),
    )
    outcome = evaluate(status, GatePolicy(), now=T)
    ten = [parse(c) for c in annotations(outcome)]
    assert len(ten) == 10
    assert {p[0] for p in ten} == {"error"}
    assert [p[1]["line"] for p in ten] == [str(n) for n in range(20, 30)]

    more = [parse(c) for c in annotations(outcome, limit=15)]
    assert [p[0] for p in more] == ["error"] * 12 + ["warning"] * 3
    everything = annotations(outcome, limit=100)
    assert len(everything) == 17  # passing citations are never annotated
    assert annotations(outcome, limit=0) == []
    assert annotation_commands(outcome) == annotations(outcome)
    with pytest.raises(ValueError):
        annotations(outcome, limit=-1)
