"""Every report is written as UTF-8, whatever the text extracted from a PDF holds.

A PDF whose font maps a glyph to half of a UTF-16 pair (common for mathematical
letters such as 𝐓, U+1D413) gives text with surrogates no UTF-8 file can hold.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from monitor.gate.annotations import annotations
from monitor.gate.command import findings_table
from monitor.gate.policy import GatePolicy, evaluate
from monitor.reports.formats import FORMATS
from monitor.reports.formats.base import without_surrogates
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import T, source

# What pypdf gives for "𝐓able 3 shows 100,000 children" set in a font whose ToUnicode map
# sends the letter's two halves apart, then a half with no partner.
SPLIT = "\ud835\udc13able 3 shows 100,000 children \udc00 here"
JOINED = "\U0001d413able 3 shows 100,000 children \ufffd here"


@pytest.fixture
def status(make_status: MakeStatus) -> dict[str, object]:
    doc = make_status(
        source("pdf", "https://a.example/report.pdf", "ok"),
        source(
            "title",
            "https://b.example/gone.pdf",
            "soft_404",
            reason=f'page reads as "not found" (title: "{SPLIT}")',
        ),
    )
    doc["sources"][0]["claims"] = [
        {
            "id": "sold-per-year",
            "evidence": "100,000",
            "cited_as": "footnote i",
            "found": True,
            "sentence": SPLIT,
        }
    ]
    return doc


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_writes_a_utf8_file(
    status: dict[str, object], name: str, tmp_path: Path
) -> None:
    path = tmp_path / FORMATS[name].filename
    with path.open("w", encoding="utf-8") as out:
        FORMATS[name].write(status, out)
    written = path.read_bytes().decode("utf-8")
    assert "\ufffd here" in written
    assert written == FORMATS[name].render(status)


def test_json_keeps_the_joined_character(status: dict[str, object]) -> None:
    data = json.loads(FORMATS["json"].render(status))
    assert data["sources"][0]["claims"][0]["sentence"] == JOINED
    assert data["sources"][1]["reason"] == f'page reads as "not found" (title: "{JOINED}")'


def test_gate_output_can_be_printed(status: dict[str, object], tmp_path: Path) -> None:
    outcome = evaluate(status, GatePolicy(), now=T)
    stream = (tmp_path / "stdout").open("w", encoding="utf-8")
    with stream:
        for line in annotations(outcome):
            print(line, file=stream)
        Console(file=stream, width=1000).print(findings_table(outcome))
    printed = (tmp_path / "stdout").read_text(encoding="utf-8")
    assert "\U0001d413able 3" in printed and "\ufffd here" in printed


def test_without_surrogates() -> None:
    assert without_surrogates(SPLIT) == JOINED
    assert without_surrogates("plain é ✓ \U0001d413") == "plain é ✓ \U0001d413"
    assert without_surrogates("\ud800") == "\ufffd"
