"""The checkers under test: how each is started on the farm and how its answers are read.

Every tool gets the same URLs, concurrency, per-host limit, timeout and redirect limit
(see :class:`bench.inputs.Limits`). Where a tool cannot be given a setting, the
difference is written next to the results (:data:`SETTINGS_NOTES`).

Each tool's answer per URL is mapped onto the monitor's verdict names so that all three
are scored the same way: ``ok``, ``moved`` (worked after a redirect), ``broken``
(404/410), ``blocked`` (401, 403, 407, 429, 451, 999: refused or rate limited, which
says nothing about the page), ``transient`` (5xx or a timeout), or ``error`` (any other
failure).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench.inputs import Inputs, Limits

REPO = Path(__file__).resolve().parent.parent
BENCH_BIN = Path(sys.executable).parent  # bench/.venv/bin when run by `make bench`

SETTINGS_NOTES = (
    "All tools: GET requests, the same concurrency, timeout 20 s, at most 10 redirects, "
    "no cache (except where a row says so), loopback farm allowed.",
    "Ours: `run_monitor.py check --all` on a registry with one source per URL "
    "(`concurrency`, `per_host`, `allow_private: true`, archive look-ups off), a fresh "
    "SQLite database per run; it stores every result and writes its reports and "
    "dashboard (the previous run's report files are removed first; its dashboard pages "
    "are kept and rewritten, as from one run of a monitor to the next, and an unrecorded "
    "run on the same URLs makes them before the first). Up to 2 retries "
    "of 502/503/504 and timeouts, with exponential backoff (0.5 s base) for the failing "
    "URL, 1 of a 500, at once, and a short pause of its host after a burst of errors; "
    "one catch-all probe per host and folder.",
    "lychee: `--max-concurrency` = concurrency, `--host-concurrency` = per-host, "
    "`--host-request-interval 0ms`, `--max-retries 2`; it never retries a 5xx, and adds "
    "a 200 ms per-host backoff after one.",
    "LinkChecker: `threads` = concurrency, `maxrequestspersecond=1000000`, "
    "robots.txt off, `--check-extern`; the farm sends a `LinkChecker` header so that "
    "its 0.1-0.6 s per-host floor is lifted. It has no per-host concurrency limit and no "
    "retries.",
)


class Tool(Protocol):
    @property
    def name(self) -> str: ...

    def argv(self, inputs: Inputs, out: Path) -> list[str]: ...

    def env(self, inputs: Inputs) -> dict[str, str]: ...

    def prepare(self, inputs: Inputs, out: Path, *, fresh: bool) -> None: ...

    def verdicts(self, inputs: Inputs, out: Path) -> dict[str, str]: ...

    def version(self) -> str: ...


def tool_path(name: str) -> str:
    found = BENCH_BIN / name
    if found.exists():
        return str(found)
    return shutil.which(name) or name


@dataclass(frozen=True)
class Ours:
    """The monitor's ``check --all`` through its command line."""

    python: Path
    name: str = "ours"

    def argv(self, inputs: Inputs, out: Path) -> list[str]:
        return [
            str(self.python),
            str(REPO / "run_monitor.py"),
            "check",
            "--all",
            "--registry",
            str(inputs.registry),
            "--no-archive",
        ]

    def env(self, inputs: Inputs) -> dict[str, str]:
        # The registry names the database; an inherited override must not win.
        return {"MONITOR_DATABASE_URL": "", "PYTHONDONTWRITEBYTECODE": "1"}

    def prepare(self, inputs: Inputs, out: Path, *, fresh: bool) -> None:
        if fresh:
            for path in (inputs.database, *inputs.folder.glob("monitor.db-*")):
                path.unlink(missing_ok=True)
        # The report files go, so that a run that writes none cannot be scored on the
        # last one's. The dashboard's pages stay, as they do from one run of a monitor
        # to the next, and are rewritten in place: removing thousands of them just
        # before the run would charge it for the file system's clean-up (ext4 without
        # a journal looks past every recently deleted inode when it creates a file).
        reports = inputs.folder / "reports"
        if reports.is_dir():
            for path in reports.iterdir():
                if path.is_file():
                    path.unlink()
        # Bytecode as an installed program has it (pip compiles what it installs), also
        # where PYTHONDONTWRITEBYTECODE keeps Python from writing it on first import.
        # Does nothing once the files are compiled.
        subprocess.run(
            [
                str(self.python),
                "-m",
                "compileall",
                "-q",
                str(REPO / "checks"),
                str(REPO / "monitor"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def verdicts(self, inputs: Inputs, out: Path) -> dict[str, str]:
        status = inputs.folder / "reports" / "status.json"
        if not status.exists():
            return {}
        data = json.loads(status.read_text(encoding="utf-8"))
        return {s["url"]: s["verdict"] for s in data["sources"] if s.get("verdict")}

    def version(self) -> str:
        commit = _first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
        dirty = _first_line(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "checks", "monitor"]
        )
        return f"{commit}{' + local changes' if dirty else ''}"


@dataclass(frozen=True)
class Lychee:
    name: str = "lychee"
    limits: Limits = field(default_factory=Limits)
    cache: bool = False

    def argv(self, inputs: Inputs, out: Path) -> list[str]:
        lim = self.limits
        argv = [
            tool_path("lychee"),
            "--verbose",  # successes (with their redirect chains) in the JSON too
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(out),
            "--max-concurrency",
            str(lim.concurrency),
            "--host-concurrency",
            str(lim.per_host),
            "--host-request-interval",
            "0ms",
            "--max-retries",
            str(lim.retries),
            "--timeout",
            str(round(lim.timeout_s)),
            "--max-redirects",
            str(lim.max_redirects),
        ]
        if self.cache:
            argv.append("--cache")
        return [*argv, str(inputs.markdown)]

    def env(self, inputs: Inputs) -> dict[str, str]:
        return {}

    def prepare(self, inputs: Inputs, out: Path, *, fresh: bool) -> None:
        out.unlink(missing_ok=True)
        if fresh:
            (inputs.folder / ".lycheecache").unlink(missing_ok=True)

    def verdicts(self, inputs: Inputs, out: Path) -> dict[str, str]:
        if not out.exists():
            return {}
        data = json.loads(out.read_text(encoding="utf-8"))
        found: dict[str, str] = {}
        for entry in _entries(data.get("success_map")):
            moved = entry.get("redirects") and entry["redirects"].get("redirects")
            found[entry["url"]] = "moved" if moved else "ok"
        for entry in _entries(data.get("timeout_map")):
            found[entry["url"]] = "transient"
        for entry in _entries(data.get("error_map")):
            found[entry["url"]] = _from_status(entry.get("status", {}).get("code"))
        return found

    def version(self) -> str:
        return _first_line([tool_path("lychee"), "--version"])


def _entries(groups: Any) -> Iterator[dict[str, Any]]:
    for entries in (groups or {}).values():
        yield from entries


# Refused or throttled, as the monitor reads these statuses: the page may well be there.
_BLOCKED_STATUSES = frozenset({401, 403, 407, 429, 451, 999})


def _from_status(code: Any) -> str:
    """A failed answer's HTTP status as the monitor's verdict name (``error`` when there
    is none, or none of these fits)."""
    if code in (404, 410):
        return "broken"
    if code in _BLOCKED_STATUSES:
        return "blocked"
    if isinstance(code, int) and 500 <= code < 600:
        return "transient"
    return "error"


@dataclass(frozen=True)
class LinkChecker:
    name: str = "linkchecker"
    limits: Limits = field(default_factory=Limits)

    def argv(self, inputs: Inputs, out: Path) -> list[str]:
        return [
            tool_path("linkchecker"),
            "--config",
            str(inputs.linkcheckerrc),
            "--check-extern",
            "--no-robots",
            "--no-status",
            "--verbose",  # valid URLs in the output too
            "--threads",
            str(self.limits.concurrency),
            "--timeout",
            str(round(self.limits.timeout_s)),
            "--output",
            "none",
            "--file-output",
            f"csv/utf-8/{out}",
            inputs.html.resolve().as_uri(),
        ]

    def env(self, inputs: Inputs) -> dict[str, str]:
        # Run as root, LinkChecker becomes "nobody": give it a home it may write to.
        home = str(inputs.folder)
        return {"HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}

    def prepare(self, inputs: Inputs, out: Path, *, fresh: bool) -> None:
        out.unlink(missing_ok=True)
        if os.geteuid() == 0:
            inputs.folder.chmod(0o777)
            out.parent.chmod(0o777)

    def verdicts(self, inputs: Inputs, out: Path) -> dict[str, str]:
        if not out.exists():
            return {}
        lines = (line for line in out.open(encoding="utf-8") if not line.startswith("#"))
        found: dict[str, str] = {}
        for row in csv.DictReader(lines, delimiter=";"):
            url, result = row.get("urlname") or "", row.get("result") or ""
            if not url.startswith("http"):
                continue
            if row.get("valid") == "True":
                redirected = "Redirected to" in (row.get("warningstring") or "")
                found[url] = "moved" if redirected else "ok"
            else:
                code = result.split(" ", 1)[0]
                found[url] = _from_status(int(code) if code.isdigit() else None)
        return found

    def version(self) -> str:
        return _first_line([tool_path("linkchecker"), "--version"])


def _first_line(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError as exc:
        return f"unavailable ({exc})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""
