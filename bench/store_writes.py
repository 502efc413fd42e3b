"""The store's per-run writes: a run's results in small batches, then health.

    python -m bench.store_writes                      # 2,000 results, temporary SQLite
    python -m bench.store_writes --results 5000 --batch 64 --database URL

Times ``Store.save_results`` (the run's path: ``--batch`` results per transaction) and
``Store.update_health`` twice: over a first run (every health row new: inserts) and
over a second run of the same sources (every row there: updates). Each figure is the
best of ``--reps`` repetitions on a fresh database (the default is SQLite in a
temporary folder, with the engine the monitor uses).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from checks.model import CheckResult, Verdict
from monitor.state import HealthPolicy
from monitor.store import Store

VERDICTS = [Verdict.OK] * 90 + [Verdict.BROKEN] * 5 + [Verdict.TRANSIENT] * 3 + [Verdict.MOVED] * 2
START = datetime(2026, 1, 1, tzinfo=UTC)


def result(source: int, day: int, rng: random.Random) -> CheckResult:
    verdict = rng.choice(VERDICTS)
    return CheckResult(
        url=f"https://host{source % 97}.example/page/{source}",
        verdict=verdict,
        reason="200 OK" if verdict is Verdict.OK else verdict.value,
        checked_at=START + timedelta(days=day, seconds=source),
        source_id=f"s{source:07d}",
        status=200 if verdict is Verdict.OK else 404,
        elapsed_ms=rng.uniform(20, 400),
        bytes_read=rng.randint(500, 50_000),
        etag=f'"{source:x}-{day}"',
        fingerprint=f"{rng.getrandbits(64):016x}",
    )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def save_in_batches(
    store: Store, run_id: int, items: list[tuple[CheckResult, datetime | None]], batch: int
) -> None:
    for start in range(0, len(items), batch):
        store.save_results(run_id, items[start : start + batch])


def one_round(url: str, count: int, batch: int) -> tuple[float, float, float]:
    """Seconds for saving the first run's results, folding it in, folding the second."""
    store = Store.open(url)
    try:
        rng = random.Random(1)
        ids = [f"s{i:07d}" for i in range(count)]
        store.sync_sources(((sid, f"https://x.example/{sid}", None, None) for sid in ids), START)
        figures: list[float] = []
        for day in range(2):
            run_id = store.start_run(START + timedelta(days=day), count)
            due = START + timedelta(days=day + 1)
            items: list[tuple[CheckResult, datetime | None]] = [
                (result(i, day, rng), due) for i in range(count)
            ]
            saving = timed(partial(save_in_batches, store, run_id, items, batch))
            store.finish_run(run_id, START + timedelta(days=day, hours=1))
            fold = partial(store.update_health, run_id, HealthPolicy(), inconclusive=False)
            figures += [saving, timed(fold)] if day == 0 else [timed(fold)]
        return figures[0], figures[1], figures[2]
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64, help="results per transaction")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--database", help="an empty database URL (default: temporary SQLite)")
    args = parser.parse_args()
    rounds = []
    for rep in range(1 if args.database else args.reps):
        url = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / f'writes{rep}.db'}"
        rounds.append(one_round(url, args.results, args.batch))
    save, first, second = (min(column) for column in zip(*rounds, strict=True))
    batches = -(-args.results // args.batch)
    print(f"save_results: {args.results:,} results in {batches} batches: {save * 1000:.0f} ms")
    print(f"update_health, new health rows: {first * 1000:.0f} ms")
    print(f"update_health, existing rows:   {second * 1000:.0f} ms")


if __name__ == "__main__":
    main()
