"""The benchmark's judgement: scores against the farm's truth, the floor, the targets."""

from __future__ import annotations

from typing import Any

from bench.report import embed_record, floor_s, record_from_markdown, targets
from bench.score import score
from bench.site import Kind, Link


def run(label: str, wall_s: float, **extra: Any) -> dict[str, Any]:
    measured = {"peak_rss_mb": 100.0, "peak_pss_mb": 90.0, "bytes_sent": 1000}
    base = {"label": label, "tool": label.split(",")[0], "wall_s": wall_s, "timed_out": False}
    return base | measured | extra


def record(kind: str, urls: int, latency_ms: float, runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "scenario": f"{kind}-{urls}-{latency_ms:g}ms",
        "kind": kind,
        "title": "t",
        "measured_at": "2026-11-30 00:00 UTC",
        "machine": {"cpu": "x", "cores": 2, "memory_gb": 1.0, "python": "3.11", "system": "L"},
        "versions": {},
        "farm": {
            "urls": urls,
            "hosts": 8,
            "latency_ms": latency_ms,
            "jitter_ms": 0.0,
            "mix": "ok=100",
            "page_bytes": 0,
            "seed": 1,
        },
        "limits": {"concurrency": 32, "per_host": 8, "timeout_s": 20.0, "max_redirects": 10},
        "reps": 1,
        "runs": runs,
    }


def by_text(found: list[Any]) -> dict[str, Any]:
    return {t.text.split(" (")[0]: t for t in found}


def test_a_tool_is_right_when_it_tells_working_from_not_and_exact_on_the_verdict() -> None:
    truth = [Link(f"http://f/{k.value}", k) for k in Kind if k.plain]
    got = score(truth, {"http://f/ok": "ok", "http://f/moved": "ok", "http://f/gone": "ok"})
    # "moved" read as "ok" still works; "gone" read as working is wrong; "error" unanswered.
    assert (got.total, got.answered, got.right, got.exact) == (4, 3, 2, 1)
    assert len(got.wrong) == 2 and any("no answer" in line for line in got.wrong)


def test_the_floor_is_the_requests_alone() -> None:
    assert floor_s(record("compare", 10_000, 50, [])) == 10_000 * 0.05 / 32


def test_latency_targets_are_ratios_within_the_same_runs() -> None:
    floor = 2_000 * 0.05 / 32  # 3.125 s
    runs = [run("ours", 3.5), run("lychee", 3.6), run("ours", 3.9), run("lychee", 3.0)]
    found = by_text(targets(record("compare", 2_000, 50, runs)))
    lychee = found["50 ms: our wall time <= lychee's"]
    assert lychee.measured == f"{3.7 / 3.3:.2f}x lychee's" and lychee.met is False  # medians
    within = found["50 ms: wall time within 1.25x of the floor"]
    assert within.measured == f"{3.7 / floor:.2f}x the floor" and within.met is True


def test_throughput_targets_at_0_ms_and_a_missing_peer() -> None:
    runs = [run("ours", 2.0), run("lychee", 3.0)]
    found = by_text(targets(record("compare", 2_000, 0, runs)))
    assert found["0 ms: throughput >= 0.5x lychee's"].met is True
    assert found["0 ms: throughput >= 10x linkchecker's"].met is None  # cannot be judged
    slow = by_text(targets(record("compare", 2_000, 0, [run("ours", 2.0), run("lychee", 0.5)])))
    assert slow["0 ms: throughput >= 0.5x lychee's"].met is False


def test_second_run_bytes_and_memory_targets() -> None:
    second = targets(
        record(
            "second-run",
            2_000,
            0,
            [run("ours, 1st run", 6.0, bytes_sent=1000), run("ours, 2nd run", 2.0, bytes_sent=101)],
        )
    )
    assert [t.met for t in second] == [False]  # 10.1% of the bytes
    memory = by_text(targets(record("memory", 10_000, 0, [run("ours", 9.0, peak_pss_mb=201.0)])))
    assert memory["peak memory < 200 MB for 10,000 sources"].met is False
    bounded = targets(record("memory", 100_000, 0, [run("ours", 9.0)]))
    assert [t.met for t in bounded] == [None]  # no number set


def test_a_scenario_file_carries_its_record_back() -> None:
    original = record("compare", 2_000, 50, [run("ours", 3.5), run("lychee", 3.6)])
    text = "# A scenario\n\nSome table.\n\n" + embed_record(original)
    assert record_from_markdown(text) == original
