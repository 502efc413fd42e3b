"""The job summary: counts and every failing or warning citation, with what to cite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.gate import summary
from monitor.gate.policy import GatePolicy, evaluate
from monitor.gate.summary import job_summary
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import ARCHIVE_URL, T, archive, source


def rows(markdown: str) -> list[list[str]]:
    """The cells of the findings table (rows after its header)."""
    lines = markdown.splitlines()
    start = lines.index("| Result | Where | Source | Verdict | Why | Cite instead |") + 2
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        # Split on unescaped pipes only.
        cells = [c.strip().replace("\\|", "|") for c in _split(line)]
        table.append(cells)
    return table


def _split(line: str) -> list[str]:
    cells, current, escaped = [], "", False
    for char in line.strip()[1:-1]:
        if char == "|" and not escaped:
            cells.append(current)
            current = ""
            continue
        escaped = char == "\\" and not escaped
        current += char
    return [*cells, current]


def test_failing_summary(make_status: MakeStatus) -> None:
    status = make_status(
        source(
            "gone",
            "http://gone.example/r.pdf",
            "broken",
            reason="404 | Not Found",
            cited=[("sheet", 12)],
        ),
        source(
            "arch",
            "http://gone.example/a (1).pdf",
            "soft_404",
            archive=archive(),
            cited=[("other", 4)],
        ),
        source(
            "moved",
            "http://m.example/",
            "moved",
            suggested_url="https://m.example/",
            cited=[("sheet", 2)],
        ),
        source("fine", "https://ok.example/", "ok", cited=[("sheet", 1)]),
    )
    outcome = evaluate(status, GatePolicy(), now=T)
    text = job_summary(outcome, status)
    assert text.startswith("## ❌ Citation gate failed\n")
    assert "from run 7 (finished): 4 sources, 4 checked, 2 failing." in text
    assert (
        "| Result | Citations |\n|---|---:|\n| ❌ fail | 1 |\n| ⚠️ warn | 2 |\n| ✅ pass | 1 |\n"
        in text
    )
    table = rows(text)
    assert [r[1] for r in table] == [
        "`content/sheet.md:12`",
        "`content/other.md:4`",
        "`content/sheet.md:2`",
    ]
    gone, arch, moved = table
    assert gone[0] == "❌ fail"
    assert gone[2] == "[gone](http://gone.example/r.pdf)"
    assert gone[3:] == ["broken", "404 | Not Found", ""]
    assert arch[0] == "⚠️ warn"
    # The space and parentheses would end the link; they are percent-encoded.
    assert arch[2] == "[arch](http://gone.example/a%20%281%29.pdf)"
    assert arch[5] == f"[archived copy]({ARCHIVE_URL})"
    assert moved[5] == "[new address](https://m.example/)"
    assert "ok.example" not in text


def test_passing_summary(make_status: MakeStatus) -> None:
    status = make_status(source("fine", "https://ok.example/", "ok"))
    text = job_summary(evaluate(status, GatePolicy(), now=T), status)
    assert text.startswith("## ✅ Citation gate passed\n")
    assert "Every citation passed." in text
    assert "| Result | Where |" not in text


def test_warnings_only_and_inconclusive_run(make_status: MakeStatus) -> None:
    status = make_status(
        source("t", "https://t.example/", "transient", cited=[]), inconclusive=True
    )
    text = job_summary(evaluate(status, GatePolicy(), now=T), status)
    assert text.startswith("## ⚠️ Citation gate passed with warnings\n")
    assert "**Inconclusive run:**" in text
    assert "most hosts failed at once" in text
    assert rows(text)[0][1] == "registry (cited nowhere)"


def test_long_lists_are_cut(make_status: MakeStatus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "MAX_ROWS", 3)
    status = make_status(
        source("g", "https://g.example/", "broken", cited=[("sheet", n) for n in range(1, 8)])
    )
    text = job_summary(evaluate(status, GatePolicy(), now=T), status)
    assert [r[1] for r in rows(text)] == [f"`content/sheet.md:{n}`" for n in (1, 2, 3)]
    assert "4 more not shown" in text


def test_tls_warning_row_names_the_certificate(make_status: MakeStatus) -> None:
    status = make_status(
        source("t", "https://t.example/", "ok", tls_expires_at=T + timedelta(days=2))
    )
    [row] = rows(job_summary(evaluate(status, GatePolicy(), now=T), status))
    assert row[3:5] == ["tls_expiring", "TLS certificate expires in 2 day(s) (2026-03-03)"]


def test_non_web_urls_are_not_links(make_status: MakeStatus) -> None:
    status = make_status(source("j", "javascript:alert(1)", "invalid"))
    text = job_summary(evaluate(status, GatePolicy(), now=T), status)
    assert "](javascript" not in text
    assert "`javascript:alert(1)`" in text
