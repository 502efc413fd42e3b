"""Results as Markdown: one file per scenario, plus a summary of the targets.

Everything here reads the scenario's JSON record (what :mod:`bench.run` writes), so the
Markdown can be written again from the JSON without rerunning anything.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.site import Kind
from bench.tools import SETTINGS_NOTES

Record = dict[str, Any]
# The floor row of a pdf record, as bench/pdf_extract.py labels it.
PYPDF_ALONE = "pypdf alone"


@dataclass(frozen=True)
class Target:
    """One performance target of DESIGN.md section 10, measured within one scenario."""

    scenario: str
    text: str
    measured: str
    met: bool | None  # None: a peer's result is missing, so it cannot be judged

    @property
    def mark(self) -> str:
        return {True: "yes", False: "**no**", None: "n/a"}[self.met]


@dataclass(frozen=True)
class PdfRow:
    """One way of reading the PDF of a pdf record, over the repetitions."""

    label: str
    pages: int
    best_s: float
    median_s: float
    floor_s: float | None  # pypdf alone's median; None when it is missing

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.median_s

    @property
    def vs_floor(self) -> float | None:
        return self.median_s / self.floor_s if self.floor_s else None


def pdf_rows(record: Record) -> list[PdfRow]:
    """The rows of a pdf record, in the order measured."""
    pages = record["pdf"]["pages"]
    seconds = {label: [r["seconds"] for r in runs_of(record, label)] for label in labels(record)}
    floor = statistics.median(seconds[PYPDF_ALONE]) if PYPDF_ALONE in seconds else None
    return [
        PdfRow(label, pages, min(times), statistics.median(times), floor)
        for label, times in seconds.items()
    ]


def _ratio_cell(row: PdfRow) -> str:
    return f"{row.vs_floor:.2f}" if row.vs_floor is not None else "-"


def pdf_table(record: Record) -> list[str]:
    lines = [
        "| row | pages | best s | median s | pages/s | x pypdf alone |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row.label} | {row.pages} | {row.best_s:.3f} | {row.median_s:.3f} | "
        f"{row.pages_per_s:,.0f} | {_ratio_cell(row)} |"
        for row in pdf_rows(record)
    ]
    return lines


def floor_s(record: Record) -> float:
    """The latency floor ``N x latency / concurrency`` in seconds."""
    farm, limits = record["farm"], record["limits"]
    return float(farm["urls"] * farm["latency_ms"] / 1000.0 / limits["concurrency"])


def labels(record: Record) -> list[str]:
    """Run labels in order of first appearance."""
    return list(dict.fromkeys(r["label"] for r in record["runs"]))


def runs_of(record: Record, label: str) -> list[Record]:
    return [r for r in record["runs"] if r["label"] == label]


def median_wall(record: Record, label: str) -> float | None:
    walls = [r["wall_s"] for r in runs_of(record, label) if not r["timed_out"]]
    return statistics.median(walls) if walls else None


def throughput(record: Record, label: str) -> float | None:
    wall = median_wall(record, label)
    return record["farm"]["urls"] / wall if wall else None


def _median(values: Iterable[float]) -> float:
    items = list(values)
    return statistics.median(items) if items else 0.0


def _wall_cell(runs: Sequence[Record]) -> str:
    walls = [r["wall_s"] for r in runs]
    text = f"{statistics.median(walls):.2f}"
    if len(walls) > 1:
        text += f" ({min(walls):.2f}-{max(walls):.2f})"
    if any(r["timed_out"] for r in runs):
        text += " timed out"
    return text


def results_table(record: Record) -> list[str]:
    floor = floor_s(record)
    urls = record["farm"]["urls"]
    head = "| tool | runs | wall s, median (min-max) | URLs/s |"
    rule = "|---|---:|---:|---:|"
    if floor:
        head += " x floor |"
        rule += "---:|"
    head += (
        " peak RSS MB | peak PSS MB | CPU s | requests | 304s | MB sent | working/not right | "
        "same verdict | exit |"
    )
    rule += "---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    lines = [head, rule]
    for label in labels(record):
        runs = runs_of(record, label)
        wall = _median(r["wall_s"] for r in runs)
        finished = median_wall(record, label)
        rate = f"{urls / finished:,.0f}" if finished else "-"
        row = f"| {label} | {len(runs)} | {_wall_cell(runs)} | {rate} |"
        if floor:
            row += f" {wall / floor:.2f} |" if finished else " - |"
        total = runs[0]["total"]
        row += (
            f" {max(r['peak_rss_mb'] for r in runs):.0f} |"
            f" {_peak_pss(runs)} |"
            f" {_median(r['cpu_s'] for r in runs):.1f} |"
            f" {_median(r['requests'] for r in runs):,.0f} |"
            f" {_median(r['not_modified'] for r in runs):,.0f} |"
            f" {_median(r['bytes_sent'] for r in runs) / 1e6:.2f} |"
            f" {min(r['right'] for r in runs)}/{total} |"
            f" {min(r['exact'] for r in runs)}/{total} |"
            f" {', '.join(sorted({str(r['exit_code']) for r in runs}))} |"
        )
        lines.append(row)
    return lines


def targets(record: Record) -> list[Target]:
    """The section-10 targets this scenario can judge, as ratios within the same run."""
    kind, name = record["kind"], record["scenario"]
    if kind == "pdf":
        return _pdf_targets(record)
    if kind == "compare" and has_trouble(record):
        # Speed on such a farm is mostly the tools' waits on rate limits and retries:
        # the speed targets are judged on the plain farms.
        return [_correctness_target(record)]
    latency = record["farm"]["latency_ms"]
    found: list[Target] = []
    if kind == "compare":
        ours, lychee = median_wall(record, "ours"), median_wall(record, "lychee")
        if latency > 0:
            ratio = ours / lychee if ours and lychee else None
            found.append(
                Target(
                    name,
                    f"{latency:g} ms: our wall time <= lychee's",
                    f"{ratio:.2f}x lychee's" if ratio else "missing",
                    ratio <= 1.0 if ratio else None,
                )
            )
            floor = floor_s(record)
            vs_floor = ours / floor if ours else None
            found.append(
                Target(
                    name,
                    f"{latency:g} ms: wall time within 1.25x of the floor ({floor:.2f} s)",
                    f"{vs_floor:.2f}x the floor" if vs_floor else "missing",
                    vs_floor <= 1.25 if vs_floor else None,
                )
            )
        else:
            mine = throughput(record, "ours")
            for peer, need in (("lychee", 0.5), ("linkchecker", 10.0)):
                theirs = throughput(record, peer)
                ratio = mine / theirs if mine and theirs else None
                found.append(
                    Target(
                        name,
                        f"0 ms: throughput >= {need:g}x {peer}'s",
                        f"{ratio:.2f}x ({mine:,.0f} vs {theirs:,.0f} URLs/s)"
                        if ratio and mine and theirs
                        else "missing",
                        ratio >= need if ratio else None,
                    )
                )
    if kind == "second-run":
        first, second = runs_of(record, "ours, 1st run"), runs_of(record, "ours, 2nd run")
        if first and second:
            bytes_ratio = second[0]["bytes_sent"] / max(1, first[0]["bytes_sent"])
            body_ratio = second[0].get("body_bytes", 0) / max(1, first[0].get("body_bytes", 0))
            time_ratio = second[0]["wall_s"] / first[0]["wall_s"]
            found.append(
                Target(
                    name,
                    "second run: <= 10% of the first run's bytes",
                    f"{bytes_ratio:.1%} of the bytes ({body_ratio:.1%} of the body bytes), "
                    f"{time_ratio:.0%} of the time",
                    bytes_ratio <= 0.10,
                )
            )
    if kind in ("memory", "compare"):
        urls = record["farm"]["urls"]
        our_runs = runs_of(record, "ours")
        peak = max((r["peak_rss_mb"] for r in our_runs), default=None)
        pss = max(
            (r["peak_pss_mb"] if "peak_pss_mb" in r else r["peak_rss_mb"] for r in our_runs),
            default=None,
        )
        if peak is not None and pss is not None and urls >= 10_000:
            # Forked worker processes share their parent's pages: summed RSS counts a
            # shared page once per process, PSS once in all. The target is judged on PSS.
            found.append(
                Target(
                    name,
                    f"peak memory < 200 MB for {urls:,} sources (PSS of the process tree)"
                    if urls == 10_000
                    else f"peak memory for {urls:,} sources (no number set; should stay bounded)",
                    f"{pss:.0f} MB PSS ({peak:.0f} MB RSS summed over processes)",
                    pss < 200 if urls == 10_000 else None,
                )
            )
    return found


def _correctness_target(record: Record) -> Target:
    """Ours tells working from not at least as often as each peer (each tool's worst
    run); None when a tool's answers are missing."""
    right = {label: min(r["right"] for r in runs_of(record, label)) for label in labels(record)}
    total = record["farm"]["urls"]
    ours = right.get("ours")
    peers = {label: value for label, value in right.items() if label != "ours"}
    measured = ", ".join(f"{label} {value}/{total}" for label, value in right.items())
    met = None if ours is None or not peers else all(ours >= v for v in peers.values())
    return Target(
        record["scenario"],
        "correctness: working/not right, ours vs each peer",
        measured or "missing",
        met,
    )


def _pdf_targets(record: Record) -> list[Target]:
    """No number is set for PDF extraction: its pages/s and what it adds to pypdf's."""
    rows = pdf_rows(record)
    if not rows:
        return []
    parts = [
        f"{row.label.removeprefix('ours ')} {row.pages_per_s:,.0f} pages/s"
        + (f" ({row.vs_floor:.2f}x pypdf alone's time)" if row.vs_floor is not None else "")
        for row in rows
        if row.label != PYPDF_ALONE
    ]
    parts += [
        f"{row.label} {row.pages_per_s:,.0f} pages/s" for row in rows if row.label == PYPDF_ALONE
    ]
    return [
        Target(
            record["scenario"],
            f"PDF claim extraction pages/s, {rows[0].pages} pages (no number set)",
            "; ".join(parts),
            None,
        )
    ]


def targets_table(found: Sequence[Target], *, with_scenario: bool = False) -> list[str]:
    if with_scenario:
        lines = ["| scenario | target | measured | met |", "|---|---|---|---|"]
        lines += [f"| {t.scenario} | {t.text} | {t.measured} | {t.mark} |" for t in found]
    else:
        lines = ["| target | measured | met |", "|---|---|---|"]
        lines += [f"| {t.text} | {t.measured} | {t.mark} |" for t in found]
    return lines


def _machine(record: Record) -> str:
    machine = record["machine"]
    return (
        f"{machine['cpu']} ({machine['cores']} cores, {machine['memory_gb']:.0f} GB), "
        f"Python {machine['python']}"
    )


def _load(record: Record) -> str:
    return f" Load average before: {record['load_before']:.2f}." if "load_before" in record else ""


def describe(record: Record) -> str:
    if record["kind"] == "pdf":
        return describe_pdf(record)
    farm, limits, machine = record["farm"], record["limits"], record["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in record["versions"].items())
    jitter = f" ± {farm['jitter_ms']:g} ms" if farm["jitter_ms"] else ""
    pages = (
        f"pages of about {farm['page_bytes'] // 1024} KB"
        if farm.get("page_bytes")
        else "pages of about 550 bytes"
    )
    return (
        f"Measured {record['measured_at']} on {machine['cpu']} ({machine['cores']} cores, "
        f"{machine['memory_gb']:.0f} GB), Python {machine['python']}; {versions}. "
        f"Farm: {farm['urls']:,} URLs over {farm['hosts']} loopback hosts, "
        f"{farm['latency_ms']:g} ms{jitter} per response, mix {farm['mix']} "
        f"({_kinds_legend(record)}), {pages}. "
        f"Concurrency {limits['concurrency']}, {limits['per_host']} per host. "
        f"{record['reps']} repetition(s), tools alternating within each." + _load(record)
    )


_PLAIN_LEGEND = "ok = 200 page, moved = 301 to a page, gone = 404, error = 500"


def _kinds_legend(record: Record) -> str:
    if not has_trouble(record):
        return _PLAIN_LEGEND
    return ", ".join(f"{kind} = {truth['about']}" for kind, truth in record["truth"].items())


def describe_pdf(record: Record) -> str:
    """A pdf record's set-up: no farm and no peers, one process of the monitor's."""
    pdf = record["pdf"]
    versions = ", ".join(f"{k} {v}" for k, v in record["versions"].items())
    return (
        f"Measured {record['measured_at']} on {_machine(record)}; {versions}. "
        f"A {pdf['pages']}-page PDF of {pdf['bytes'] / 1024:.0f} KiB "
        f"({pdf['characters']:,} characters of text), read in one process of the "
        f"monitor's interpreter: {record['reps']} repetition(s) of each row, the rows "
        f"in turn, after one unrecorded round. Peak memory of the process: "
        f"{record['peak_rss_mb']:.0f} MB (RSS). No farm and no peers: lychee and "
        "LinkChecker do not read PDFs." + _load(record)
    )


def scenario_markdown(record: Record) -> str:
    if record["kind"] == "pdf":
        return pdf_markdown(record)
    lines = [f"# {record['title']}", "", describe(record), ""]
    lines += results_table(record)
    floor = floor_s(record)
    if floor:
        lines += ["", f"Floor `N x latency / concurrency` = {floor:.2f} s."]
    trouble = has_trouble(record)
    if trouble:
        lines += ["", *kinds_markdown(record)]
    found = targets(record)
    if found:
        heading = "## Targets" if trouble else "## Targets (DESIGN.md section 10)"
        lines += ["", heading, "", *targets_table(found)]
    if record["kind"] == "memory":
        lines += ["", *memory_markdown(record)]
    profile = record.get("profile")
    if profile:
        lines += ["", *profile_markdown(profile)]
    lines += ["", "## Columns", ""]
    lines += [
        "- *wall s*: from process start to exit, start-up included; *URLs/s* = URLs / "
        "median wall time.",
        "- *peak RSS*: the largest sum of resident memory over the tool's process tree, "
        "sampled every 20 ms; *peak PSS*: the same with each page shared between processes "
        "of the tree (a forked worker's copy of its parent) counted once, which is the "
        "memory the tool takes; *CPU s*: user + system time of the tool.",
        "- *requests*, *304s*, *MB sent*: counted by the farm (response headers and bodies).",
        "- *working/not right*: URLs whose working-or-not judgement matches the truth "
        "(a 301 to a page counts as working); *same verdict*: the tool's answer mapped to "
        f"the monitor's verdicts ({_VERDICTS[trouble]}) equals the expected one.",
        "- *exit*: exit codes seen; each tool exits non-zero when links fail "
        "(ours 2, lychee 2, LinkChecker 1).",
    ]
    if trouble:
        lines += [TROUBLE_SCORING]
    lines += ["", "## Settings", ""]
    lines += [f"- {note}" for note in SETTINGS_NOTES]
    lines += [f"- {note}" for note in record.get("notes", [])]
    mistakes = [
        f"- {r['label']} run {r['rep']}: {w}" for r in record["runs"] for w in r["wrong"][:3]
    ]
    if mistakes:
        lines += ["", "## Answers that differ from the truth (first few)", "", *mistakes]
    lines += ["", embed_record(record)]
    return "\n".join(lines) + "\n"


def pdf_markdown(record: Record) -> str:
    pdf = record["pdf"]
    lines = [f"# {record['title']}", "", describe_pdf(record), "", *pdf_table(record)]
    found = targets(record)
    if found:
        lines += ["", "## Targets", "", *targets_table(found)]
    lines += [
        "",
        "## Columns",
        "",
        "- *ours extract_text*: `checks.content.extract_text`, the text of every page; "
        f"*ours analyse*: `checks.content.analyse` with {pdf['claims']} claims (a figure "
        "printed on the last page, a quote from the middle page, a quote printed nowhere, "
        f"which every page is searched for; {pdf['claims_found']} found): extraction, "
        "claims and fingerprint; *pypdf alone*: `PdfReader` and `page.extract_text()` "
        "over every page, nothing else.",
        "- *pages*: pages of the PDF, every one read in every run; *best s*, *median s*: "
        "the fastest and the median of the repetitions; *pages/s* = pages / median s.",
        "- *x pypdf alone*: median time over pypdf alone's: what ours adds to the library "
        "it stands on (joining the pages, dropping running heads and feet, looking for "
        "scanned pages; for analyse also the claims and the fingerprint).",
        "",
        "## The PDF",
        "",
        f"- Made by `bench/pdf_extract.py` with fpdf2: {pdf['pages']} A4 pages of "
        f"Helvetica 10 pt, about {pdf['words_per_page']} words each drawn from a fixed "
        f"vocabulary by a random generator seeded with {pdf['seed']}, a figure such as "
        "`473,363` in about 3% of the places, a fixed creation date: the same seed gives "
        f"the same bytes (SHA-256 `{pdf['sha256'][:16]}...`).",
        f"- Command: `{record['argv']}`.",
    ]
    lines += [f"- {note}" for note in record.get("notes", [])]
    lines += ["", embed_record(record)]
    return "\n".join(lines) + "\n"


TROUBLE_SCORING = (
    "- *working* means that a reader following the citation gets the cited content: a "
    "soft 404, a redirect to the home page, a refresh or a script redirect to a gone page, "
    "a parked domain and a login page in place of a PDF are not working; a 429 that gives "
    "way to the page is. Behind a bot challenge people get the page and checkers get the "
    "wall, and past a cookie consent dialog people click through and read the page: "
    "neither can be judged from a program, so any answer there is right but one that "
    "calls the page gone (`broken`, `soft_404`, `type_mismatch`). Peers' answers are "
    "mapped to the monitor's names: 404/410 `broken`; 401, 403, 407, 429, 451, 999 "
    "`blocked`; 5xx and timeouts `transient`; other failures `error`."
)
_WORKING = {True: "yes", False: "no", None: "can't tell (a wall)"}
# The verdict names the peers' answers are mapped onto (see bench.tools).
_VERDICTS = {
    False: "ok, moved, broken, transient",
    True: "ok, moved, broken, soft_404, type_mismatch, blocked, transient, error",
}
_SAID_SHOWN = 3


def has_trouble(record: Record) -> bool:
    """Whether the record's farm served kinds of URL beyond the plain four (its runs
    then carry their scores per kind)."""
    plain = {kind.value for kind in Kind if kind.plain}
    return any(kind not in plain for kind in record.get("truth", {}))


def kinds_markdown(record: Record) -> list[str]:
    """Each tool's score per kind of URL, summed over its runs, and its commonest
    answers there: where each tool goes wrong."""
    tools = labels(record)
    runs = {label: runs_of(record, label) for label in tools}
    counts = {label: len(found) for label, found in runs.items()}
    lines = [
        "## By kind of URL",
        "",
        "Per tool: URLs judged right (working/not), URLs given the expected verdict, and "
        f"its commonest answers, over its run(s) ({_run_counts(counts)}).",
        "",
        "| kind | URLs | the farm answers | working | expected | " + " | ".join(tools) + " |",
        "|---|---:|---|---|---|" + "---|" * len(tools),
    ]
    for kind, truth in record["truth"].items():
        cells = [_kind_cell([r.get("by_kind", {}).get(kind) for r in runs[t]]) for t in tools]
        lines.append(
            f"| {kind} | {truth['urls']} | {truth['about']} | {_WORKING[truth['passes']]} | "
            f"`{truth['expected']}` | " + " | ".join(cells) + " |"
        )
    return lines


def _run_counts(counts: Mapping[str, int]) -> str:
    if len(set(counts.values())) == 1:
        return f"{next(iter(counts.values()), 0)} each"
    return ", ".join(f"{label} {n}" for label, n in counts.items())


def _kind_cell(parts: Sequence[Mapping[str, Any] | None]) -> str:
    found = [part for part in parts if part is not None]
    if not found:
        return "-"
    total = sum(part["total"] for part in found)
    right = sum(part["right"] for part in found)
    exact = sum(part["exact"] for part in found)
    said: dict[str, int] = {}
    for part in found:
        for answer, n in part["said"].items():
            said[answer] = said.get(answer, 0) + n
    common = sorted(said.items(), key=lambda item: (-item[1], item[0]))[:_SAID_SHOWN]
    answers = ", ".join(f"{answer} {n}" for answer, n in common)
    return f"{right}/{total} right, {exact}/{total} same ({answers})"


_RECORD_START = "<!-- bench record: "
_RECORD_END = " -->"


def embed_record(record: Record) -> str:
    """The record as one HTML comment line, so that the Markdown file alone is enough
    to write the summary again."""
    text = json.dumps(record, separators=(",", ":"), ensure_ascii=True)
    # "--" may not appear inside an HTML comment; in JSON it can only be inside a string.
    return _RECORD_START + text.replace("--", "-\\u002d") + _RECORD_END


def record_from_markdown(text: str) -> Record | None:
    """The record embedded by :func:`scenario_markdown`, or None."""
    for line in reversed(text.splitlines()):
        if line.startswith(_RECORD_START) and line.endswith(_RECORD_END):
            loaded: Record = json.loads(line[len(_RECORD_START) : -len(_RECORD_END)])
            return loaded
    return None


def memory_markdown(record: Record) -> list[str]:
    """Resident memory through each run: where in the run the peak comes."""
    lines = [
        "## Memory through the run",
        "",
        "Largest RSS (MB) within each tenth of the wall time:",
        "",
        "| run | " + " | ".join(f"{10 * i}%" for i in range(1, 11)) + " |",
        "|---|" + "---:|" * 10,
    ]
    for run in record["runs"]:
        cells = [f"{mb:.0f}" for _, mb in run.get("rss_profile", [])]
        if cells:
            lines.append(f"| {run['label']} {run['rep']} | " + " | ".join(cells) + " |")
    return lines


def profile_markdown(profile: Record) -> list[str]:
    samples = profile["samples"]
    lines = [
        "## Profile of ours",
        "",
        f"py-spy, {profile['rate']} samples/s of the thread holding the GIL "
        f"({samples:,} samples; wall time under the profiler {profile['wall_s']:.1f} s).",
        "",
        "By phase (the command's callee, or a worker thread's entry point):",
        "",
        "| phase | share |",
        "|---|---:|",
    ]
    lines += [
        f"| `{name}` | {count / samples:.1%} |" for name, count in profile.get("by_phase", [])
    ]
    lines += [
        "",
        "Charged to the deepest frame of our own code on the stack (library time counts "
        "against the call of ours that asked for it):",
        "",
        "| our function | share |",
        "|---|---:|",
    ]
    lines += [f"| `{name}` | {count / samples:.1%} |" for name, count in profile["by_our_caller"]]
    lines += ["", "Where the samples were (leaf frame's package):", ""]
    lines += ["| package | share |", "|---|---:|"]
    lines += [f"| {name} | {count / samples:.1%} |" for name, count in profile["by_package"]]
    lines += ["", "Hottest leaf functions:", "", "| function | share |", "|---|---:|"]
    lines += [f"| `{name}` | {count / samples:.1%} |" for name, count in profile["by_function"]]
    return lines


def _peak_pss(runs: Sequence[Mapping[str, Any]]) -> str:
    values = [r["peak_pss_mb"] for r in runs if "peak_pss_mb" in r]
    return f"{max(values):.0f}" if values else "-"


def summary_markdown(records: Sequence[Record]) -> str:
    """One table of every scenario's targets and headline numbers."""
    lines = [
        "# Benchmark summary",
        "",
        "Regenerated by `python -m bench.run` from the scenario files next to this one.",
        "",
        "| scenario | tool | wall s | URLs/s | peak RSS MB | peak PSS MB | working/not right |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for record in records:
        if record["kind"] == "pdf":
            continue  # pages, not URLs: their own table below
        urls = record["farm"]["urls"]
        for label in labels(record):
            runs = runs_of(record, label)
            wall = _median(r["wall_s"] for r in runs)
            finished = median_wall(record, label)
            rate = f"{urls / finished:,.0f}" if finished else "-"
            stopped = "" if finished else " (stopped)"
            lines.append(
                f"| {record['scenario']} | {label} | {wall:.2f}{stopped} | {rate} | "
                f"{max(r['peak_rss_mb'] for r in runs):.0f} | {_peak_pss(runs)} | "
                f"{min(r['right'] for r in runs)}/{runs[0]['total']} |"
            )
    pdfs = [record for record in records if record["kind"] == "pdf"]
    if pdfs:
        lines += [
            "",
            "| scenario | row | pages | median s | pages/s | x pypdf alone |",
            "|---|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {record['scenario']} | {row.label} | {row.pages} | {row.median_s:.3f} | "
            f"{row.pages_per_s:,.0f} | {_ratio_cell(row)} |"
            for record in pdfs
            for row in pdf_rows(record)
        ]
    found = [t for record in records for t in targets(record)]
    if found:
        lines += ["", *targets_table(found, with_scenario=True)]
    return "\n".join(lines) + "\n"
