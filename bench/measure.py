"""Run one command and measure it: wall time and peak memory of its whole process tree."""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

# How often the process tree's memory is sampled. A peak shorter than this can be
# missed; the checkers' peaks last seconds (a run's whole working set), not milliseconds.
SAMPLE_S = 0.02


@dataclass(frozen=True)
class Measured:
    """One run of a command."""

    argv: tuple[str, ...]
    exit_code: int
    wall_s: float
    peak_rss_bytes: int
    # Proportional set size: a page shared by several processes of the tree (a forked
    # worker's copy of its parent's memory) counts once in the sum, not once each.
    peak_pss_bytes: int
    cpu_s: float  # user + system time of the process and the children it waited for
    timed_out: bool
    stdout: Path
    stderr: Path
    # (seconds since start, tree RSS in bytes) per sample: where in the run memory grew.
    timeline: tuple[tuple[float, int], ...] = ()

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / (1024 * 1024)

    @property
    def peak_pss_mb(self) -> float:
        return self.peak_pss_bytes / (1024 * 1024)


class _TreeSampler:
    """Samples the summed RSS (and PSS) of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_pss = 0
        self.timeline: list[tuple[float, int]] = []
        self.started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_S)

    def sample(self) -> None:
        try:
            processes = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        total = shared_once = 0
        for process in processes:
            try:
                rss, pss = _memory(process)
            except psutil.Error:
                continue  # exited between listing and reading
            total += rss
            shared_once += pss
        self.peak = max(self.peak, total)
        self.peak_pss = max(self.peak_pss, shared_once)
        if total:
            self.timeline.append((time.perf_counter() - self.started, total))


def _memory(process: psutil.Process) -> tuple[int, int]:
    """RSS and PSS of one process; PSS is RSS where the system does not report it."""
    if PSS_AVAILABLE:
        info = process.memory_full_info()
        return info.rss, info.pss
    rss = process.memory_info().rss
    return rss, rss


PSS_AVAILABLE = hasattr(psutil.Process().memory_full_info(), "pss")


def run_measured(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 600.0,
    log_stem: Path,
) -> Measured:
    """Run ``argv`` in ``cwd``; stdout and stderr go to ``log_stem``.out/.err."""
    stdout = log_stem.with_suffix(".out")
    stderr = log_stem.with_suffix(".err")
    merged_env = {**os.environ, **(env or {})}
    before = _children_cpu_s()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=merged_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        sampler = _TreeSampler(process.pid)
        sampler.start()
        timed_out = False
        try:
            exit_code = process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            process.kill()
            exit_code = process.wait()
        wall = time.perf_counter() - started
        sampler.stop()
    return Measured(
        argv=tuple(argv),
        exit_code=exit_code,
        wall_s=wall,
        peak_rss_bytes=sampler.peak,
        peak_pss_bytes=sampler.peak_pss,
        cpu_s=_children_cpu_s() - before,
        timed_out=timed_out,
        stdout=stdout,
        stderr=stderr,
        timeline=tuple(sampler.timeline),
    )


def rss_profile(measured: Measured, points: int = 10) -> list[tuple[float, float]]:
    """The tree's RSS (MB) at ``points`` evenly spaced moments of the run, as
    (share of the wall time, MB), the highest sample within each slice."""
    if not measured.timeline or measured.wall_s <= 0:
        return []
    slices: list[float] = [0.0] * points
    for at, rss in measured.timeline:
        index = min(points - 1, int(at / measured.wall_s * points))
        slices[index] = max(slices[index], rss / (1024 * 1024))
    return [((i + 1) / points, round(mb, 1)) for i, mb in enumerate(slices)]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
