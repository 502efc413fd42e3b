"""The PDF scenario: pages per second of our extraction against pypdf alone, as a table
of its own in its scenario file and in the summary, and a real measurement."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bench import pdf_extract
from bench.report import (
    pdf_rows,
    record_from_markdown,
    scenario_markdown,
    summary_markdown,
    targets,
)

ROWS = ("ours extract_text", "ours analyse", "pypdf alone")
REPO = Path(__file__).resolve().parents[2]


def pdf_record(part: dict[str, Any], reps: int) -> dict[str, Any]:
    """A pdf scenario's record around the part ``pdf_extract --json`` writes."""
    return {
        "scenario": "pdf-extract-50",
        "kind": "pdf",
        "title": "PDF claim extraction: a 50-page report",
        "measured_at": "2026-11-30 00:00 UTC",
        "machine": {"cpu": "x", "cores": 2, "memory_gb": 1.0, "python": "3.11", "system": "L"},
        "versions": {"ours": "abc1234", "pypdf": "7.1.0", "fpdf2": "2.8.9"},
        "reps": reps,
        **part,
        "argv": ".venv/bin/python bench/pdf_extract.py --json --pages 50",
        "notes": [],
    }


def made_up(seconds: dict[str, list[float]]) -> dict[str, Any]:
    part = {
        "pdf": {
            "pages": 50,
            "bytes": 84_000,
            "sha256": "0123456789abcdef" * 4,
            "characters": 157_000,
            "seed": 1,
            "words_per_page": 520,
            "claims": 3,
            "claims_found": 2,
        },
        "runs": [
            {"label": label, "rep": rep, "seconds": s}
            for label, times in seconds.items()
            for rep, s in enumerate(times, start=1)
        ],
        "peak_rss_mb": 81.8,
    }
    return pdf_record(part, reps=3)


TIMES = {
    "ours extract_text": [0.3, 0.1, 0.2],  # median 0.2 s: 250 pages/s
    "ours analyse": [0.4, 0.5, 0.3],  # median 0.4 s: 125 pages/s
    "pypdf alone": [0.1, 0.2, 0.05],  # median 0.1 s: 500 pages/s
}


def test_a_pdf_record_is_a_table_of_its_own_with_the_ratio_to_pypdf_alone() -> None:
    text = scenario_markdown(made_up(TIMES))
    assert (
        "| row | pages | best s | median s | pages/s | x pypdf alone |\n"
        "|---|---:|---:|---:|---:|---:|\n"
        "| ours extract_text | 50 | 0.100 | 0.200 | 250 | 2.00 |\n"
        "| ours analyse | 50 | 0.300 | 0.400 | 125 | 4.00 |\n"
        "| pypdf alone | 50 | 0.050 | 0.100 | 500 | 1.00 |\n"
    ) in text
    # Its set-up is the PDF and the process, not a farm and peers.
    assert "50-page PDF of 82 KiB" in text and "Peak memory of the process: 82 MB" in text
    assert "Farm:" not in text and "working/not right" not in text
    assert "- *x pypdf alone*: median time over pypdf alone's" in text


def test_the_pdf_target_reports_pages_per_s_and_the_ratio_without_judging() -> None:
    [target] = targets(made_up(TIMES))
    assert target.text == "PDF claim extraction pages/s, 50 pages (no number set)"
    assert target.measured == (
        "extract_text 250 pages/s (2.00x pypdf alone's time); "
        "analyse 125 pages/s (4.00x pypdf alone's time); pypdf alone 500 pages/s"
    )
    assert target.met is None and target.mark == "n/a"


def test_without_pypdf_alone_there_is_no_ratio() -> None:
    ours_only = {label: times for label, times in TIMES.items() if label != "pypdf alone"}
    rows = pdf_rows(made_up(ours_only))
    assert [(r.label, r.vs_floor) for r in rows] == [
        ("ours extract_text", None),
        ("ours analyse", None),
    ]
    assert "| ours extract_text | 50 | 0.100 | 0.200 | 250 | - |" in scenario_markdown(
        made_up(ours_only)
    )


def compare_record() -> dict[str, Any]:
    run = {
        "label": "ours",
        "wall_s": 2.0,
        "timed_out": False,
        "peak_rss_mb": 100.0,
        "peak_pss_mb": 90.0,
        "right": 500,
        "total": 500,
    }
    return {
        "scenario": "quick",
        "kind": "compare",
        "farm": {"urls": 500, "latency_ms": 0},
        "limits": {"concurrency": 32},
        "runs": [run],
    }


def test_the_summary_lists_the_pdf_rows_apart_from_the_urls_and_its_target() -> None:
    text = summary_markdown([compare_record(), made_up(TIMES)])
    assert "| quick | ours | 2.00 | 250 | 100 | 90 | 500/500 |" in text
    assert (
        "| scenario | row | pages | median s | pages/s | x pypdf alone |\n"
        "|---|---|---:|---:|---:|---:|\n"
        "| pdf-extract-50 | ours extract_text | 50 | 0.200 | 250 | 2.00 |\n"
        "| pdf-extract-50 | ours analyse | 50 | 0.400 | 125 | 4.00 |\n"
        "| pdf-extract-50 | pypdf alone | 50 | 0.100 | 500 | 1.00 |\n"
    ) in text
    assert (
        "| pdf-extract-50 | PDF claim extraction pages/s, 50 pages (no number set) | "
        "extract_text 250 pages/s (2.00x pypdf alone's time); "
        "analyse 125 pages/s (4.00x pypdf alone's time); pypdf alone 500 pages/s | n/a |"
    ) in text
    url_table = text.split("\n\n")[2]
    assert url_table.startswith("| scenario | tool | wall s | URLs/s |")
    assert "pdf-extract-50" not in url_table  # pages, not URLs
    assert "x pypdf alone" not in summary_markdown([compare_record()])


def test_a_pdf_scenario_file_carries_its_record_back() -> None:
    original = made_up(TIMES)
    assert record_from_markdown(scenario_markdown(original)) == original


def test_a_real_measurement_of_a_small_pdf_as_the_scenario_runs_it() -> None:
    argv = [sys.executable, "bench/pdf_extract.py", "--json", "--pages", "3", "--repeat", "1"]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, check=True, timeout=60)
    part = json.loads(done.stdout)
    assert part["pdf"]["pages"] == 3 and part["pdf"]["bytes"] > 0
    # The figure on the last page and the quote from the middle one, not the absent one.
    assert (part["pdf"]["claims"], part["pdf"]["claims_found"]) == (3, 2)
    assert part["peak_rss_mb"] > 0
    record = pdf_record(part, reps=1)
    rows = pdf_rows(record)
    assert [row.label for row in rows] == list(ROWS)
    assert all(row.pages == 3 and row.pages_per_s > 0 for row in rows)
    assert rows[-1].vs_floor == 1.0
    text = scenario_markdown(record)
    assert all(f"| {label} | 3 |" in text for label in ROWS)
    assert record_from_markdown(text) == record


def test_the_human_output_stays_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    pdf_extract.main(["--pages", "2", "--repeat", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("pdf: 2 pages,") and lines[-1].startswith("peak memory: ")
    timed = [line for line in lines if "pages/s" in line]
    assert [line.split(":")[0] for line in timed] == list(ROWS)
    assert all(" of 2 = " in line for line in timed)


def test_one_seed_makes_one_pdf() -> None:
    body = pdf_extract.make_pdf(2)
    # Dated at a fixed moment, not when it is written: the bytes do not change with it.
    metadata = PdfReader(io.BytesIO(body)).metadata
    assert metadata is not None and metadata.creation_date == pdf_extract.CREATED
    assert pdf_extract.make_pdf(2) == body
    assert pdf_extract.make_pdf(2, seed=2) != body
