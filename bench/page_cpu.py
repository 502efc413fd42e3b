"""Benchmark: CPU time of the per-page checks on one fetched HTML page.

Times each function the monitor runs on an ordinary ``200`` HTML page (text
extraction, content analysis, fingerprint, bot-wall, soft-404 and parked-domain tests,
anchor lookup, catch-all summary) on the link farm's generated pages of about 550 bytes
and 32 KB, and prints milliseconds per page.

    .venv/bin/python -m bench.page_cpu [--repeat 5] [--min-seconds 0.2] [--json]

The monitor's modules are imported when measuring, not on import: the benchmark
runner's own interpreter may import this module without the monitor's requirements.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.site import page_body

CONTENT_TYPE = "text/html; charset=utf-8"
URL = "http://127.0.0.2:8000/ok/17"
# (label, size in bytes passed to the farm's page generator; 0 is its plain page)
SIZES: tuple[tuple[str, int], ...] = (("550 B", 0), ("32 KB", 32 * 1024))


@dataclass(frozen=True)
class Timing:
    """Milliseconds per call of one function on one page."""

    name: str
    page: str
    page_bytes: int
    ms: float


def page(size: int, index: int = 17) -> bytes:
    """The farm's HTML page number ``index``, padded to about ``size`` bytes."""
    return page_body(index, size)


def cases(body: bytes) -> list[tuple[str, Callable[[], object]]]:
    """The per-page functions, each bound to ``body`` as the monitor would call it."""
    from checks.anchors import anchor_present
    from checks.botwall import challenge_reason
    from checks.content import analyse, extract_text, fingerprint
    from checks.content.htmltext import page_text
    from checks.soft404 import PageSummary, parked_reason, soft404_reason

    html = body.decode("utf-8")
    extracted = extract_text(body, CONTENT_TYPE, URL)
    title = extracted.title
    text = extracted.full_text or extracted.text
    headers = {"Content-Type": CONTENT_TYPE, "Server": "farm"}

    def ordinary_page() -> object:
        # What every fetched 200 HTML page costs, in the order the check runs it.
        analyse(body, CONTENT_TYPE, URL, ())
        challenge_reason(200, headers, html)
        soft404_reason(URL, URL, 200, title, text, html=html)
        return parked_reason(text, html, headers, URL, requested_url=URL)

    return [
        ("page_text", lambda: page_text(html)),
        ("extract_text", lambda: extract_text(body, CONTENT_TYPE, URL)),
        ("fingerprint", lambda: fingerprint(extracted.text)),
        ("analyse (no claims)", lambda: analyse(body, CONTENT_TYPE, URL, ())),
        ("challenge_reason", lambda: challenge_reason(200, headers, html)),
        ("soft404_reason", lambda: soft404_reason(URL, URL, 200, title, text, html=html)),
        ("parked_reason", lambda: parked_reason(text, html, headers, URL, requested_url=URL)),
        ("anchor_present", lambda: anchor_present(html, "#no-such-place")),
        ("PageSummary.of", lambda: PageSummary.of(200, URL, title, text)),
        ("ordinary page, all", ordinary_page),
    ]


def time_call(call: Callable[[], object], *, repeat: int, min_seconds: float) -> float:
    """Best milliseconds per call over ``repeat`` rounds of at least ``min_seconds``."""
    call()  # warm caches (compiled patterns, lazy imports)
    best = float("inf")
    for _ in range(repeat):
        calls = 0
        began = time.perf_counter()
        elapsed = 0.0
        while elapsed < min_seconds or calls == 0:
            call()
            calls += 1
            elapsed = time.perf_counter() - began
        best = min(best, elapsed / calls)
    return best * 1000


def measure(
    sizes: Sequence[tuple[str, int]] = SIZES, *, repeat: int = 5, min_seconds: float = 0.2
) -> list[Timing]:
    """Time every per-page function on a page of each size."""
    timings: list[Timing] = []
    for label, size in sizes:
        body = page(size)
        for name, call in cases(body):
            ms = time_call(call, repeat=repeat, min_seconds=min_seconds)
            timings.append(Timing(name, label, len(body), ms))
    return timings


def render(timings: Sequence[Timing]) -> str:
    """A plain-text table: one row per function, one column per page."""
    pages: dict[str, int] = {}
    for timing in timings:
        pages.setdefault(timing.page, timing.page_bytes)
    names = list(dict.fromkeys(t.name for t in timings))
    by_key = {(t.name, t.page): t.ms for t in timings}
    width = max(len(n) for n in names)
    head = "".join(f"  {f'{label} ({size} B)':>18}" for label, size in pages.items())
    lines = [f"{'ms per page':<{width}}{head}"]
    for name in names:
        cells = "".join(f"  {by_key.get((name, label), float('nan')):>18.3f}" for label in pages)
        lines.append(f"{name:<{width}}{cells}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds per function (best kept)")
    parser.add_argument("--min-seconds", type=float, default=0.2, help="length of one round")
    parser.add_argument("--json", action="store_true", help="print the timings as JSON")
    args = parser.parse_args(argv)
    timings = measure(repeat=args.repeat, min_seconds=args.min_seconds)
    if args.json:
        print(json.dumps([dataclasses.asdict(timing) for timing in timings]))
        return
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(render(timings))


if __name__ == "__main__":
    main()
