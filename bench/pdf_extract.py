"""Benchmark: PDF text extraction speed of ``checks.content.extract_text``.

Generates a text PDF (50 pages by default) with fpdf2, a development dependency,
extracts it a few times, and prints pages per second, the machine it ran on and the
peak memory of the process.

    python bench/pdf_extract.py [--pages 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fpdf import FPDF

from checks.content import analyse, extract_text
from checks.model import ClaimSpec

_VOCABULARY = (
    "children exploitation trafficking county services report federal estimate victims "
    "program youth court support protocol agency statistics percent annual survey data "
    "the of and to in for with on by at from that is are was were be as an"
)
_WORDS = _VOCABULARY.split()


def make_pdf(pages: int, seed: int = 7) -> bytes:
    """A text-only PDF of ``pages`` full pages of pseudo-prose with figures."""
    rng = random.Random(seed)
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for page in range(pages):
        pdf.add_page()
        words: list[str] = []
        while len(words) < 520:
            words.append(rng.choice(_WORDS))
            if rng.random() < 0.03:
                words.append(f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}")
        words[10] = f"page-{page + 1}"
        pdf.multi_cell(0, 5, " ".join(words) + ".")
    return bytes(pdf.output())


def peak_rss_mib() -> float:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    body = make_pdf(args.pages)
    claims = [ClaimSpec("figure", "100,000"), ClaimSpec("quote", "estimated victims program")]
    timings: list[float] = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        extracted = extract_text(body, "application/pdf")
        timings.append(time.perf_counter() - began)
    assert extracted.pages == args.pages and extracted.unreadable is None
    began = time.perf_counter()
    analyse(body, "application/pdf", "https://example.org/report.pdf", claims)
    analysed = time.perf_counter() - began

    best = min(timings)
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}")
    print(f"python: {platform.python_version()}, cpus: {os.cpu_count()}")
    print(f"pdf: {args.pages} pages, {len(body) / 1024:.0f} KiB, {len(extracted.text)} chars")
    print(f"extract_text: best {best:.3f} s of {args.repeat} = {args.pages / best:.1f} pages/s")
    print(f"analyse (extract + 2 claims + fingerprint): {analysed:.3f} s")
    print(f"peak memory: {peak_rss_mib():.1f} MiB")


if __name__ == "__main__":
    main()
