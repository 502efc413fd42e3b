"""Summarise a py-spy profile (``--format raw``: collapsed stacks with sample counts).

Recorded with ``--gil``, every sample is the thread holding the interpreter lock, so
the shares below are shares of the Python CPU time, which is what limits a threaded
checker at zero latency.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")
_SITE = re.compile(r"(?:site|dist)-packages/(?P<pkg>[A-Za-z0-9_]+)")
_OURS = ("checks", "monitor", "run_monitor.py")


@dataclass(frozen=True)
class Profile:
    samples: int
    self_by_function: Counter[str]  # leaf frames
    total_by_function: Counter[str]  # every frame on the stack, once per stack
    self_by_package: Counter[str]  # leaf frames grouped by top-level package
    # Each sample charged to the deepest frame of our own code on its stack, so that the
    # time spent in libraries counts against the call of ours that asked for it.
    by_our_caller: Counter[str]
    # Each sample charged to the phase of the run it belongs to: the shallowest frame of
    # ours below the command itself (worker threads start at their own entry point), or
    # "importing modules" when an import is on the stack.
    by_phase: Counter[str]

    def top(self, counter: Counter[str], n: int = 15) -> list[tuple[str, int, float]]:
        return [
            (name, c, c / self.samples if self.samples else 0.0)
            for name, c in counter.most_common(n)
        ]


def parse_frame(frame: str) -> tuple[str, str]:
    """``func (path/file.py:12)`` -> ("func", "path/file.py")."""
    match = _FRAME.match(frame.strip())
    if match is None:
        return frame.strip(), ""
    return match.group("func"), match.group("file")


def package_of(path: str) -> str:
    """The top-level package a file belongs to: ours, a third-party one, or the stdlib.

    py-spy shows paths relative to the ``sys.path`` entry they were found under
    (``sqlalchemy/orm/session.py``, ``re/_parser.py``, ``monitor/run.py``).
    """
    site = _SITE.search(path)
    if site:
        return site.group("pkg")
    for ours in _OURS:
        if path == ours or path.startswith(f"{ours}/") or f"/{ours}/" in path:
            return ours.removesuffix(".py")
    if not path or path.startswith("<frozen") or "/lib/python3" in path:
        return "stdlib"
    top = path.split("/", 1)[0].removesuffix(".py")
    return "stdlib" if top in sys.stdlib_module_names else top


def short_path(path: str) -> str:
    site = _SITE.search(path)
    if site:
        return path[site.start("pkg") :]
    for ours in ("checks/", "monitor/"):
        where = path.find(ours)
        if where >= 0 and (where == 0 or path[where - 1] == "/"):
            return path[where:]
    if "/lib/python3" in path:
        return path.split("/lib/python3", 1)[1].split("/", 1)[-1]
    return path


def summarise(lines: Iterable[str]) -> Profile:
    samples = 0
    self_fn: Counter[str] = Counter()
    total_fn: Counter[str] = Counter()
    self_pkg: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    phases: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        frames = [parse_frame(f) for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        names = [f"{func} ({short_path(path)})" for func, path in frames]
        self_fn[names[-1]] += count
        self_pkg[package_of(frames[-1][1])] += count
        for name in set(names):
            total_fn[name] += count
        mine = [n for n, (_, path) in zip(names, frames, strict=True) if _is_ours(path)]
        ours[mine[-1] if mine else "(outside our code)"] += count
        phases[_phase(names, mine)] += count
    return Profile(samples, self_fn, total_fn, self_pkg, ours, phases)


# Frames that only dispatch (the command line and its job wrapper), above the phase.
_DISPATCH = ("(run_monitor.py)", "(monitor/cli.py)", "(monitor/jobs.py)")
# Phases worth splitting one level further: the run loop and its per-result work.
_SPLIT = ("run_sources (monitor/run.py)",)


def _phase(names: list[str], mine: list[str]) -> str:
    if any(name.startswith("_find_and_load ") for name in names):
        return "importing modules"
    below = [n for n in mine if not n.endswith(_DISPATCH)]
    if not below:
        return mine[-1] if mine else "(outside our code)"
    if below[0] in _SPLIT and len(below) > 1:
        return f"{below[0]} > {below[1]}"
    return below[0]


def _is_ours(path: str) -> bool:
    return package_of(path) in ("checks", "monitor", "run_monitor")
