"""Storing 1,000,000 results and computing the dashboard's per-source summaries.

    python -m bench.store_scale                      # 10,000 sources x 100 results
    python -m bench.store_scale --sources 1000 --per-source 100 --database URL

Two numbers for writing: the run's own path (``Store.save_result``, one committed
transaction per result, as a run writes them) on a sample, and a bulk load of the rest
(the same rows, many per transaction) to reach the full size quickly. Then the
summaries are streamed (``Store.summaries``) and timed, with peak RSS, to show that
the dashboard's per-source queries do not load every result.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from checks.model import CheckResult, Verdict
from monitor.store import Store
from monitor.store.schema import ResultRow

VERDICTS = [Verdict.OK] * 90 + [Verdict.BROKEN] * 5 + [Verdict.TRANSIENT] * 3 + [Verdict.MOVED] * 2
START = datetime(2026, 1, 1, tzinfo=UTC)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def result(source: int, n: int, rng: random.Random) -> CheckResult:
    verdict = rng.choice(VERDICTS)
    return CheckResult(
        url=f"https://host{source % 97}.example/page/{source}",
        verdict=verdict,
        reason="200 OK" if verdict is Verdict.OK else verdict.value,
        checked_at=START + timedelta(hours=8 * n, seconds=source % 3600),
        source_id=f"s{source:07d}",
        status=200 if verdict is Verdict.OK else 404,
        elapsed_ms=rng.uniform(20, 400),
        bytes_read=rng.randint(500, 50_000),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--per-source", type=int, default=100)
    parser.add_argument("--sample", type=int, default=5_000, help="results written one by one")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    store = Store.open(args.database or f"sqlite:///{folder / 'scale.db'}")
    rng = random.Random(1)
    ids = [f"s{i:07d}" for i in range(args.sources)]
    store.sync_sources(((sid, f"https://x.example/{sid}", None, None) for sid in ids), START)
    # One run per round of checks, as a daily schedule would make them.
    runs = [
        store.start_run(START + timedelta(hours=8 * n), args.sources)
        for n in range(args.per_source)
    ]

    started = time.monotonic()
    for i in range(args.sample):
        store.save_result(runs[i // args.sources], result(i % args.sources, i // args.sources, rng))
    per_result = (time.monotonic() - started) / args.sample

    total = args.sources * args.per_source
    started = time.monotonic()
    batch: list[dict[str, object]] = []
    with store.engine.begin() as connection:
        for n in range(args.per_source):
            for source in range(args.sources):
                if n * args.sources + source < args.sample:
                    continue
                r = result(source, n, rng)
                batch.append(
                    {
                        "run_id": runs[n],
                        "source_id": r.source_id,
                        "url": r.url,
                        "checked_at": r.checked_at,
                        "verdict": r.verdict.value,
                        "reason": r.reason,
                        "status": r.status,
                        "final_url": r.url,
                        "elapsed_ms": r.elapsed_ms,
                        "bytes_read": r.bytes_read,
                        "data": r.to_dict(),
                    }
                )
                if len(batch) == 10_000:
                    connection.execute(insert(ResultRow), batch)
                    batch.clear()
        if batch:
            connection.execute(insert(ResultRow), batch)
    bulk = time.monotonic() - started
    rss_after_write = peak_rss_mb()

    now = START + timedelta(hours=8 * args.per_source)
    started = time.monotonic()
    count = 0
    for _summary in store.summaries(now, now - timedelta(days=30)):
        count += 1
    summaries_s = time.monotonic() - started
    print(f"results stored: {store.count_results():,} for {args.sources:,} sources")
    print(
        f"one by one (a run's path): {per_result * 1000:.2f} ms per result "
        f"({1 / per_result:,.0f} results/s) over {args.sample:,}"
    )
    print(f"bulk load of the rest: {bulk:.1f} s ({(total - args.sample) / bulk:,.0f} results/s)")
    print(f"summaries of {count:,} sources (30-day uptime, latest verdict): {summaries_s:.1f} s")
    print(
        f"peak RSS: {rss_after_write:.0f} MB after writing, {peak_rss_mb():.0f} MB after summaries"
    )


if __name__ == "__main__":
    main()
