"""Benchmark the monitor side by side with lychee and LinkChecker, in one invocation.

Each scenario starts the link farm (:mod:`bench.farm`), writes every tool's input for
the same URLs and limits, runs the tools in turn (ours, lychee, LinkChecker, ours, ...)
for the given repetitions, and writes ``bench/results/<scenario>.md`` with wall time,
throughput, peak memory, the farm's request and byte counts, and how many answers
match the farm's truth (the numbers are also embedded in the file as one JSON line).
``bench/results/summary.md`` collects the targets of DESIGN.md section 10 from every
scenario file present.

The ``pdf`` scenario needs no farm and no peers (lychee and LinkChecker do not read
PDFs): it runs ``bench/pdf_extract.py --json`` in the monitor's own interpreter and
records the pages per second of our PDF extraction and of pypdf alone.

    python -m bench.run                 # the standard set
    python -m bench.run --quick         # a small comparison, to try the set-up
    python -m bench.run --scenario compare-10000-50ms --scenario memory-100000
    python -m bench.run --list
"""

from __future__ import annotations

import argparse
import dataclasses
import fcntl
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.farm import Farm, FarmSpec, running
from bench.inputs import Inputs, Limits, write_inputs
from bench.measure import rss_profile, run_measured
from bench.profile import summarise
from bench.score import score, truth_record
from bench.site import Kind, Mix
from bench.tools import REPO, LinkChecker, Lychee, Ours, Tool, tool_path

RESULTS = REPO / "bench" / "results"
PROFILE_RATE = 250


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: str  # compare | second-run | memory | profile | pdf
    urls: int
    latency_ms: float
    reps: int
    title: str
    mix: str | None = None  # the default mix when None; --mix overrides either
    page_bytes: int = 0  # size of the 200 pages; 0: about 550 bytes
    pdf_pages: int = 0  # pages of the generated PDF (kind pdf)


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("quick", "compare", 500, 0, 1, "Quick comparison: 500 URLs, 0 ms"),
        Scenario("compare-2000-0ms", "compare", 2000, 0, 3, "2,000 URLs at 0 ms latency"),
        Scenario("compare-2000-50ms", "compare", 2000, 50, 3, "2,000 URLs at 50 ms latency"),
        Scenario(
            "compare-2000-50ms-no-5xx",
            "compare",
            2000,
            50,
            1,
            "2,000 URLs at 50 ms latency, no 5xx answers",
            "ok=90,moved=4,gone=6",
        ),
        Scenario("compare-10000-0ms", "compare", 10_000, 0, 1, "10,000 URLs at 0 ms latency"),
        Scenario("compare-10000-50ms", "compare", 10_000, 50, 1, "10,000 URLs at 50 ms latency"),
        Scenario(
            "correctness-trouble",
            "compare",
            400,
            0,
            1,
            "Real-world trouble: soft 404s, redirects home, refreshes and script redirects "
            "to gone pages, parked domains, login pages for PDFs, bot challenges, consent "
            "walls, rate limits",
            "ok=27,moved=5,gone=5,error=0,soft404=7,to_home=7,refresh_gone=7,script_gone=7,"
            "parked=7,login_pdf=7,challenge=7,consent=7,rate_limited=7",
        ),
        Scenario(
            "second-run-2000",
            "second-run",
            2000,
            0,
            1,
            "Second run over the same sources (conditional requests), 2,000 URLs",
            page_bytes=32 * 1024,
        ),
        Scenario("memory-10000", "memory", 10_000, 0, 1, "Memory of ours: 10,000 sources"),
        Scenario(
            "memory-100000",
            "memory",
            100_000,
            0,
            1,
            "Memory of ours: 100,000 sources (no 5xx, to keep the run short)",
            "ok=90,moved=4,gone=6",
        ),
        Scenario("profile-2000-0ms", "profile", 2000, 0, 1, "Profile of ours: 2,000 URLs, 0 ms"),
        Scenario(
            "profile-2000-0ms-32k",
            "profile",
            2000,
            0,
            1,
            "Profile of ours: 2,000 URLs of 32 KB pages, 0 ms",
            page_bytes=32 * 1024,
        ),
        Scenario(
            "pdf-extract-50", "pdf", 0, 0, 5, "PDF claim extraction: a 50-page report", pdf_pages=50
        ),
    )
}
STANDARD = (
    "compare-2000-0ms",
    "compare-2000-50ms",
    "compare-2000-50ms-no-5xx",
    "correctness-trouble",
    "second-run-2000",
    "memory-10000",
    "profile-2000-0ms",
    "pdf-extract-50",
)
PDF_EXTRACT = REPO / "bench" / "pdf_extract.py"


@dataclass(frozen=True)
class Options:
    hosts: int
    jitter_ms: float
    mix: Mix | None  # None: each scenario's own
    seed: int
    limits: Limits
    ours_python: Path
    run_timeout_s: float
    reps: int | None  # overrides the scenario's
    page_bytes: int | None  # overrides the scenario's
    results: Path
    keep: bool


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        pages = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": pages / 1024**3,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _run_once(
    tool: Tool,
    label: str,
    rep: int,
    inputs: Inputs,
    farm: Farm,
    options: Options,
    logs: Path,
    *,
    fresh: bool = True,
    wrap: Sequence[str] = (),
) -> dict[str, Any]:
    out = inputs.folder / f"{tool.name}-output"
    tool.prepare(inputs, out, fresh=fresh)
    # What removing the previous run's files left for the disk to do is not this run's
    # work: on a disk that discards freed blocks, it would slow this run's writes.
    os.sync()
    farm.reset()
    stem = logs / f"{label.replace(' ', '_').replace(',', '')}-{rep}"
    measured = run_measured(
        [*wrap, *tool.argv(inputs, out)],
        cwd=inputs.folder,
        env=tool.env(inputs),
        timeout_s=options.run_timeout_s,
        log_stem=stem,
    )
    traffic = farm.traffic()
    verdicts = tool.verdicts(inputs, out)
    result = score(farm.links, verdicts)
    record = {
        "label": label,
        "tool": tool.name,
        "rep": rep,
        "wall_s": round(measured.wall_s, 3),
        "peak_rss_mb": round(measured.peak_rss_mb, 1),
        "peak_pss_mb": round(measured.peak_pss_mb, 1),
        "cpu_s": round(measured.cpu_s, 2),
        "exit_code": measured.exit_code,
        "timed_out": measured.timed_out,
        "requests": traffic.requests,
        "not_modified": traffic.not_modified,
        "bytes_sent": traffic.bytes_sent,
        "body_bytes": traffic.body_bytes,
        "connections": traffic.connections,
        "by_status": {str(k): v for k, v in sorted(traffic.by_status.items())},
        "total": result.total,
        "answered": result.answered,
        "right": result.right,
        "exact": result.exact,
        "wrong": list(result.wrong),
        "by_kind": result.by_kind_record(),
        "argv": scrub(" ".join(measured.argv)),
        "rss_profile": rss_profile(measured),
    }
    print(
        f"  {label:<24} run {rep}: {measured.wall_s:7.2f} s  "
        f"{measured.peak_rss_mb:6.0f} MB ({measured.peak_pss_mb:.0f} PSS)  "
        f"{traffic.requests:>7} requests  "
        f"right {result.right}/{result.total}  exact {result.exact}/{result.total}"
        f"  exit {measured.exit_code}",
        flush=True,
    )
    return record


def _unrecorded(tool: Tool, inputs: Inputs, options: Options, log_stem: Path) -> None:
    """Run ``tool`` once on ``inputs`` from a fresh start, measuring nothing."""
    out = inputs.folder / f"{tool.name}-output"
    tool.prepare(inputs, out, fresh=True)
    run_measured(
        tool.argv(inputs, out),
        cwd=inputs.folder,
        env=tool.env(inputs),
        timeout_s=options.run_timeout_s,
        log_stem=log_stem,
    )


def _warm_up(tools: Sequence[Tool], farm: Farm, options: Options, folder: Path) -> None:
    """One unrecorded run of each tool on a few URLs: disk caches, first imports."""
    inputs = write_inputs(folder / "warm-up", farm.links[:16], options.limits)
    for tool in tools:
        _unrecorded(tool, inputs, options, inputs.folder / tool.name)


def _prime(tool: Tool, inputs: Inputs, options: Options, logs: Path) -> None:
    """One unrecorded run of ``tool`` on the scenario's own URLs, so that what it keeps
    from one run to the next (our dashboard's pages) is there for every recorded run,
    as for a monitor that has run before: none of them pays for creating thousands of
    files, which on some file systems costs more than writing them (see README)."""
    _unrecorded(tool, inputs, options, logs / f"{tool.name}-prime")


def run_scenario(scenario: Scenario, options: Options) -> dict[str, Any]:
    """Run one scenario and return its record (also written under ``options.results``)."""
    if scenario.kind == "pdf":
        return _save(run_pdf(scenario, options), options)
    spec = FarmSpec(
        urls=scenario.urls,
        hosts=options.hosts,
        latency_ms=scenario.latency_ms,
        jitter_ms=options.jitter_ms,
        mix=options.mix or (Mix.parse(scenario.mix) if scenario.mix else Mix()),
        seed=options.seed,
        page_bytes=scenario.page_bytes if options.page_bytes is None else options.page_bytes,
    )
    ours = Ours(python=options.ours_python)
    lychee = Lychee(limits=options.limits)
    linkchecker = LinkChecker(limits=options.limits)
    reps = options.reps or scenario.reps
    logs = options.results / "raw" / scenario.name
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{scenario.name}-"))
    folder.chmod(0o755)  # LinkChecker run as root reads its inputs as "nobody"
    runs: list[dict[str, Any]] = []
    notes: list[str] = []
    profile: dict[str, Any] | None = None
    truth: dict[str, Any] = {}
    print(f"{scenario.name}: {scenario.title}", flush=True)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    try:
        with running(spec) as farm:
            inputs = write_inputs(folder / "inputs", farm.links, options.limits)
            truth = truth_record(farm.links)
            notes += _trouble_notes(farm)
            if scenario.kind == "compare":
                tools: list[Tool] = [ours, lychee, linkchecker]
                _warm_up(tools, farm, options, folder)
                _prime(ours, inputs, options, logs)
                for rep in range(1, reps + 1):
                    for tool in tools:
                        runs.append(_run_once(tool, tool.name, rep, inputs, farm, options, logs))
            elif scenario.kind == "second-run":
                _warm_up([ours, lychee], farm, options, folder)
                cached = dataclasses.replace(lychee, cache=True)
                for rep in range(1, reps + 1):
                    for tool, name in ((ours, "ours"), (cached, "lychee --cache")):
                        for nth, fresh in (("1st", True), ("2nd", False)):
                            label = f"{name}, {nth} run"
                            runs.append(
                                _run_once(
                                    tool, label, rep, inputs, farm, options, logs, fresh=fresh
                                )
                            )
                notes.append(
                    "The 2nd run uses the 1st run's state: our database (ETag and "
                    "Last-Modified sent back, 304 answers reuse the stored verdict), "
                    "lychee's `.lycheecache` (successes are not requested again for a day)."
                )
            elif scenario.kind == "memory":
                _warm_up([ours], farm, options, folder)
                for rep in range(1, reps + 1):
                    runs.append(_run_once(ours, "ours", rep, inputs, farm, options, logs))
            elif scenario.kind == "profile":
                _warm_up([ours], farm, options, folder)
                raw = folder / "profile.txt"
                wrap = [
                    tool_path("py-spy"),
                    "record",
                    "--format",
                    "raw",
                    "--rate",
                    str(PROFILE_RATE),
                    "--gil",
                    # The checks run in forked worker processes from 200 URLs on.
                    "--subprocesses",
                    "--output",
                    str(raw),
                    "--",
                ]
                runs.append(
                    _run_once(ours, "ours under py-spy", 1, inputs, farm, options, logs, wrap=wrap)
                )
                notes.append("Under py-spy the exit code is the profiler's, not the monitor's.")
                if raw.exists():
                    shutil.copy(raw, logs / "profile.txt")
                    with raw.open(encoding="utf-8") as lines:
                        summary = summarise(lines)
                    profile = {
                        "rate": PROFILE_RATE,
                        "samples": summary.samples,
                        "wall_s": runs[-1]["wall_s"],
                        "by_phase": summary.by_phase.most_common(12),
                        "by_our_caller": summary.by_our_caller.most_common(15),
                        "by_package": summary.self_by_package.most_common(10),
                        "by_function": summary.self_by_function.most_common(15),
                    }
                else:
                    notes.append("py-spy wrote no profile (see raw logs).")
    finally:
        if options.keep:
            print(f"  inputs and outputs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if any(r["timed_out"] for r in runs):
        notes.append(
            f"A run marked *timed out* was stopped at the {options.run_timeout_s:g} s limit "
            "(`--run-timeout`); its memory is the peak until then, its verdicts those of "
            "the reports it had written."
        )
    record: dict[str, Any] = {
        "scenario": scenario.name,
        "kind": scenario.kind,
        "title": scenario.title,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": _versions(scenario.kind, ours, lychee, linkchecker),
        "farm": {
            "urls": spec.urls,
            "hosts": spec.hosts,
            "latency_ms": spec.latency_ms,
            "jitter_ms": spec.jitter_ms,
            "mix": str(spec.mix),
            "page_bytes": spec.page_bytes,
            "seed": spec.seed,
        },
        "limits": dataclasses.asdict(options.limits),
        "truth": truth,
        "reps": reps,
        "runs": runs,
        "notes": notes,
        "elapsed_s": round(time.perf_counter() - started, 1),
        "load_before": round(load_before, 2),
    }
    if profile is not None:
        record["profile"] = profile
    return _save(record, options)


def _trouble_notes(farm: Farm) -> list[str]:
    """What a farm with real-world trouble does differently for one tool than another."""
    notes = []
    if any(link.expect_content_type for link in farm.links):
        notes.append(
            "Ours reads the cited type of the `.pdf` sources from its registry "
            "(`expect: {content_type: application/pdf}`), as a registry records a cited "
            "PDF; lychee and LinkChecker have no such setting."
        )
    if any(link.kind is Kind.RATE_LIMITED for link in farm.links):
        notes.append(
            "The farm forgets which URLs were asked for before each recorded run: every "
            "run gets the 429 (Retry-After: 1) first for each rate-limited URL."
        )
    return notes


def run_pdf(scenario: Scenario, options: Options) -> dict[str, Any]:
    """PDF extraction in the monitor's interpreter, one process for every repetition;
    its record has a ``pdf`` part instead of a farm, and one run per row and repetition
    (as ``bench/pdf_extract.py --json`` writes them)."""
    reps = options.reps or scenario.reps
    logs = options.results / "raw" / scenario.name
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    print(f"{scenario.name}: {scenario.title}", flush=True)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    argv = [str(options.ours_python), str(PDF_EXTRACT), "--json"]
    argv += ["--pages", str(scenario.pdf_pages), "--repeat", str(reps)]
    argv += ["--seed", str(options.seed)]
    measured = run_measured(
        argv, cwd=REPO, timeout_s=options.run_timeout_s, log_stem=logs / "pdf_extract"
    )
    if measured.exit_code != 0 or measured.timed_out:
        raise RuntimeError(
            f"{scenario.name}: the measurement failed (exit {measured.exit_code}"
            f"{', timed out' if measured.timed_out else ''}); see {measured.stderr}"
        )
    # The pdf part of the record: "pdf", "runs", "peak_rss_mb", "python", "versions".
    output = json.loads(measured.stdout.read_text(encoding="utf-8"))
    record = {
        "scenario": scenario.name,
        "kind": scenario.kind,
        "title": scenario.title,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        # The Python that measured is the monitor's, not this one.
        "machine": machine() | {"python": output.pop("python")},
        "versions": {"ours": Ours(python=options.ours_python).version(), **output.pop("versions")},
        "reps": reps,
        **output,
        "argv": scrub(" ".join(argv)),
        "notes": [],
        "elapsed_s": round(time.perf_counter() - started, 1),
        "load_before": round(load_before, 2),
    }
    for row in report.pdf_rows(record):
        print(f"  {row.label:<24} {row.pages_per_s:8.1f} pages/s", flush=True)
    return record


def _save(record: dict[str, Any], options: Options) -> dict[str, Any]:
    """Write the record's scenario file under ``options.results``; the record."""
    options.results.mkdir(parents=True, exist_ok=True)
    name = record["scenario"]
    (options.results / f"{name}.md").write_text(report.scenario_markdown(record), encoding="utf-8")
    print(f"  -> {options.results / name}.md ({record['elapsed_s']} s)", flush=True)
    return record


def _versions(kind: str, ours: Ours, lychee: Lychee, linkchecker: LinkChecker) -> dict[str, str]:
    found = {"ours": ours.version()}
    if kind in ("compare", "second-run"):
        found["lychee"] = lychee.version().removeprefix("lychee ").strip()
    if kind == "compare":
        found["LinkChecker"] = linkchecker.version().removeprefix("LinkChecker ").split()[0]
    return found


_TEMP_FOLDER = re.compile(re.escape(tempfile.gettempdir()) + r"/bench-[\w.-]+?-[a-z0-9_]{8}/")


def scrub(command: str) -> str:
    """A command line without this machine's folders: paths inside the repository
    become relative, the run's temporary folder becomes ``WORK/``."""
    return _TEMP_FOLDER.sub("WORK/", command.replace(f"{REPO}/", ""))


def load_records(results: Path) -> list[dict[str, Any]]:
    """Every scenario's record in ``results``, from the record embedded in its Markdown
    file (or a ``.json`` file beside it), in the order of :data:`SCENARIOS`."""
    order = list(SCENARIOS)
    records = []
    for path in results.glob("*.md"):
        record = report.record_from_markdown(path.read_text(encoding="utf-8"))
        sibling = path.with_suffix(".json")
        if record is None and sibling.exists():
            record = json.loads(sibling.read_text(encoding="utf-8"))
        if record is not None:
            for run in record["runs"]:
                if "argv" in run:  # a pdf record's runs are timings within one process
                    run["argv"] = scrub(run["argv"])
            records.append(record)
    return sorted(
        records, key=lambda r: order.index(r["scenario"]) if r["scenario"] in order else 99
    )


def write_summary(results: Path) -> Path:
    """``summary.md`` from every scenario file in ``results``."""
    target = results / "summary.md"
    target.write_text(report.summary_markdown(load_records(results)), encoding="utf-8")
    return target


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="only the small comparison")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="repeatable")
    parser.add_argument("--all", action="store_true", help="every scenario but the quick one")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument(
        "--render", action="store_true", help="rewrite the Markdown from the JSON files only"
    )
    parser.add_argument("--reps", type=int, help="repetitions (default: per scenario)")
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=8)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument(
        "--mix", type=Mix.parse, help=f"KIND=WEIGHT,... (default {Mix()} or the scenario's)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--page-bytes", type=int, help="size of the 200 pages (default: the scenario's)"
    )
    parser.add_argument(
        "--ours-python",
        type=Path,
        default=REPO / ".venv" / "bin" / "python",
        help="the interpreter with the monitor's requirements (default .venv/bin/python)",
    )
    parser.add_argument("--run-timeout", type=float, default=600.0, help="seconds per tool run")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the work folders")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if args.list:
        for s in SCENARIOS.values():
            mark = "*" if s.name in STANDARD else " "
            print(f"{mark} {s.name:<20} {s.title}")
        print("* = run by default")
        return 0
    if args.render:
        for record in load_records(args.results):
            path = args.results / f"{record['scenario']}.md"
            path.write_text(report.scenario_markdown(record), encoding="utf-8")
        print(f"summary: {write_summary(args.results)}")
        return 0
    if args.quick:
        names: Sequence[str] = ["quick"]
    elif args.scenario:
        names = args.scenario
    elif args.all:
        names = [n for n in SCENARIOS if n != "quick"]
    else:
        names = STANDARD
    if not args.ours_python.exists():
        print(
            f"{args.ours_python} not found: run `make run` or pass --ours-python", file=sys.stderr
        )
        return 1
    options = Options(
        hosts=args.hosts,
        jitter_ms=args.jitter_ms,
        mix=args.mix,
        seed=args.seed,
        limits=Limits(concurrency=args.concurrency, per_host=args.per_host),
        ours_python=args.ours_python,
        run_timeout_s=args.run_timeout,
        reps=args.reps,
        page_bytes=args.page_bytes,
        results=args.results,
        keep=args.keep,
    )
    (options.results / "raw").mkdir(parents=True, exist_ok=True)
    with (options.results / "raw" / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            # Two benchmarks on one machine measure each other: refuse.
            print("another benchmark is running on this machine; try again later", file=sys.stderr)
            return 1
        for name in names:
            run_scenario(SCENARIOS[name], options)
    summary = write_summary(options.results)
    print(f"summary: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
