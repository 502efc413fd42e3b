"""Benchmark: PDF claim extraction, pages per second.

The PDF is made with fpdf2 (a development dependency): ``--pages`` A4 pages in
Helvetica 10 pt, each about 520 words drawn from a fixed vocabulary by a random
generator seeded with ``--seed``, with a figure such as ``473,363`` in about 3% of the
places and ``page-N`` as its eleventh word. Its creation date is fixed, so one seed
always gives the same bytes (their SHA-256 is reported).

After one unrecorded round (imports, first-use caches), each row runs ``--repeat``
times, the three in turn:

- *ours extract_text*: ``checks.content.extract_text``, the text of every page;
- *ours analyse*: ``checks.content.analyse`` with three claims: a figure printed on the
  last page, a quote from the middle page, and a quote printed nowhere (every page is
  searched for it, fuzzily); extraction, claims and fingerprint;
- *pypdf alone*: ``PdfReader`` and ``page.extract_text()`` over every page, nothing
  else: the library our extraction stands on, as a floor.

Prints pages per second (of the median time), the best and median times, the PDF, the
machine and the peak memory of the process; ``--json`` prints the same as one JSON
object, which ``python -m bench.run --scenario pdf-extract-50`` reads.

    python bench/pdf_extract.py [--pages 50] [--repeat 3] [--seed 1] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fpdf import FPDF
from pypdf import PdfReader

from checks.content import analyse, extract_text
from checks.model import ClaimSpec

EXTRACT = "ours extract_text"
ANALYSE = "ours analyse"
PYPDF_ALONE = "pypdf alone"
SEED = 1
WORDS_PER_PAGE = 520
# fpdf2 dates a document when it is written: a fixed date keeps the bytes the same.
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
URL = "https://example.org/report.pdf"
PDF = "application/pdf"

_VOCABULARY = (
    "children exploitation trafficking county services report federal estimate victims "
    "program youth court support protocol agency statistics percent annual survey data "
    "the of and to in for with on by at from that is are was were be as an"
)
_WORDS = _VOCABULARY.split()


def page_texts(pages: int, seed: int = SEED) -> list[str]:
    """The text written on each page: pseudo-prose with figures."""
    rng = random.Random(seed)
    texts = []
    for page in range(pages):
        words: list[str] = []
        while len(words) < WORDS_PER_PAGE:
            words.append(rng.choice(_WORDS))
            if rng.random() < 0.03:
                words.append(f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}")
        words[10] = f"page-{page + 1}"
        texts.append(" ".join(words) + ".")
    return texts


def render(texts: Sequence[str]) -> bytes:
    """A text-only PDF with one page per text."""
    pdf = FPDF()
    pdf.set_creation_date(CREATED)
    pdf.set_font("Helvetica", size=10)
    for text in texts:
        pdf.add_page()
        pdf.multi_cell(0, 5, text)
    return bytes(pdf.output())


def make_pdf(pages: int, seed: int = SEED) -> bytes:
    return render(page_texts(pages, seed))


def claims_for(texts: Sequence[str]) -> tuple[ClaimSpec, ...]:
    """A figure on the last page, a quote from the middle one, and one found nowhere."""
    last = texts[-1].split()
    figure = next((w for w in reversed(last) if w[0].isdigit()), "1,000")
    middle = texts[len(texts) // 2].split()
    return (
        ClaimSpec("figure", figure),
        ClaimSpec("quote", " ".join(middle[200:212])),
        ClaimSpec("absent", "an estimated twelve thousand children were never counted"),
    )


def pypdf_alone(body: bytes) -> int:
    """Every page's text by pypdf and nothing else; the number of pages."""
    reader = PdfReader(io.BytesIO(body))
    for page in reader.pages:
        page.extract_text()
    return len(reader.pages)


@dataclass(frozen=True)
class Timing:
    """The repetitions of one row, in seconds."""

    label: str
    seconds: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass(frozen=True)
class Measurement:
    pages: int
    pdf_bytes: int
    sha256: str
    characters: int
    seed: int
    claims: int
    claims_found: int
    timings: tuple[Timing, ...]
    peak_rss_mb: float

    def as_json(self) -> dict[str, Any]:
        """The measurement as the pdf part of a scenario record (see bench.report):
        one run per row and repetition."""
        return {
            "pdf": {
                "pages": self.pages,
                "bytes": self.pdf_bytes,
                "sha256": self.sha256,
                "characters": self.characters,
                "seed": self.seed,
                "words_per_page": WORDS_PER_PAGE,
                "claims": self.claims,
                "claims_found": self.claims_found,
            },
            "runs": [
                {"label": t.label, "rep": rep, "seconds": seconds}
                for t in self.timings
                for rep, seconds in enumerate(t.seconds, start=1)
            ],
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "python": platform.python_version(),
            "versions": {"pypdf": version("pypdf"), "fpdf2": version("fpdf2")},
        }


def _timed(steps: dict[str, Callable[[], object]], repeat: int) -> tuple[Timing, ...]:
    seconds: dict[str, list[float]] = {label: [] for label in steps}
    # In turn within each repetition, so that a slow moment of the machine is shared.
    for _ in range(repeat):
        for label, step in steps.items():
            began = time.perf_counter()
            step()
            seconds[label].append(round(time.perf_counter() - began, 6))
    return tuple(Timing(label, tuple(s)) for label, s in seconds.items())


def measure(pages: int, repeat: int, seed: int = SEED) -> Measurement:
    """Make the PDF and time the three rows on it."""
    texts = page_texts(pages, seed)
    body = render(texts)
    claims = claims_for(texts)
    # The unrecorded round: it also pays for the imports (pypdf is imported on the
    # first PDF) and first-use caches.
    extracted = extract_text(body, PDF)
    # A text read in part or not at all would be timed on fewer pages than claimed.
    if extracted.pages != pages or extracted.unreadable or extracted.partial:
        raise RuntimeError(
            f"the PDF read as {extracted.pages} of {pages} pages "
            f"({extracted.unreadable or extracted.partial or 'whole'})"
        )
    read_alone = pypdf_alone(body)
    if read_alone != pages:
        raise RuntimeError(f"pypdf alone read {read_alone} of {pages} pages")
    analysis = analyse(body, PDF, URL, claims)
    timings = _timed(
        {
            EXTRACT: lambda: extract_text(body, PDF),
            ANALYSE: lambda: analyse(body, PDF, URL, claims),
            PYPDF_ALONE: lambda: pypdf_alone(body),
        },
        repeat,
    )
    return Measurement(
        pages=pages,
        pdf_bytes=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        characters=len(extracted.text),
        seed=seed,
        claims=len(claims),
        claims_found=sum(f.found for f in analysis.findings),
        timings=timings,
        peak_rss_mb=peak_rss_mib(),
    )


def peak_rss_mib() -> float:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def human(measured: Measurement, repeat: int) -> list[str]:
    floor = next(t for t in measured.timings if t.label == PYPDF_ALONE).median
    lines = [
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}",
        f"python: {platform.python_version()}, cpus: {os.cpu_count()}",
        f"pdf: {measured.pages} pages, {measured.pdf_bytes / 1024:.0f} KiB, "
        f"{measured.characters} chars, seed {measured.seed}; "
        f"{measured.claims_found} of {measured.claims} claims found",
    ]
    lines += [
        f"{t.label}: best {t.best:.3f} s, median {t.median:.3f} s of {repeat} = "
        f"{measured.pages / t.median:.1f} pages/s ({t.median / floor:.2f}x pypdf alone)"
        for t in measured.timings
    ]
    lines.append(f"peak memory: {measured.peak_rss_mb:.1f} MiB")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", action="store_true", help="one JSON object, for bench.run")
    args = parser.parse_args(argv)
    measured = measure(args.pages, args.repeat, args.seed)
    if args.json:
        print(json.dumps(measured.as_json()))
    else:
        print("\n".join(human(measured, args.repeat)))


if __name__ == "__main__":
    main()
