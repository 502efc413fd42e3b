"""Terminal output: the summary table and the progress bar (rich)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from checks.model import CheckResult

STYLES = {
    "ok": "green",
    "moved": "cyan",
    "blocked": "yellow",
    "transient": "yellow",
    None: "dim",
}


def verdict_text(verdict: str | None) -> Text:
    return Text(verdict or "not checked", style=STYLES.get(verdict, "bold red"))


ALL_ROWS_UP_TO = 50


def run_table(entries: Sequence[Mapping[str, Any]], title: str) -> Table:
    """Every source when there are few; otherwise only those that are not ok, since a
    terminal table of thousands of fine sources hides the few that matter."""
    if len(entries) <= ALL_ROWS_UP_TO:
        return sources_table(entries, title)
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["verdict"] or "not checked"] = counts.get(e["verdict"] or "not checked", 0) + 1
    shown = [e for e in entries if e["verdict"] != "ok"][:ALL_ROWS_UP_TO]
    summary = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    caption = f"{len(entries)} sources: {summary}. Showing {len(shown)} not ok."
    table = sources_table(shown, title)
    table.caption = caption
    return table


def sources_table(entries: Sequence[Mapping[str, Any]], title: str = "Sources") -> Table:
    table = Table(title=title, expand=False, show_lines=False)
    table.add_column("Source", overflow="fold")
    table.add_column("Verdict")
    table.add_column("HTTP", justify="right")
    table.add_column("Why", overflow="fold")
    table.add_column("ms", justify="right")
    archived = any(e.get("archive") for e in entries)
    if archived:
        table.add_column("Archived copy", overflow="fold")
    for e in entries:
        row: list[Text | str] = [
            Text(str(e["id"] or e["url"])),
            verdict_text(e["verdict"]),
            str(e["status"] or ""),
            Text(str(e["reason"] or "")),
            f"{e['elapsed_ms']:.0f}" if e["elapsed_ms"] is not None else "",
        ]
        if archived:
            row.append(archive_text(e.get("archive")))
        table.add_row(*row)
    return table


def archive_text(archive: Mapping[str, Any] | None) -> Text:
    """The archive fallback in a cell: its status, and the copy to cite when there is one."""
    if not archive:
        return Text("")
    text = Text(str(archive["status"]), style="green" if archive["status"] == "verified" else "")
    if archive.get("url"):
        text.append(f" {archive['url']}")
    return text


@contextmanager
def progress(console: Console, total: int) -> Iterator[Any]:
    """A progress bar on an interactive terminal; a silent stand-in elsewhere."""
    if not console.is_terminal or total == 0:
        yield lambda _result: None
        return
    columns = (
        TextColumn("Checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=total)

        def advance(result: CheckResult) -> None:
            bar.update(task, advance=1, description=result.url[:60])

        yield advance
