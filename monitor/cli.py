"""The command line: parses options, calls the monitor, owns the exit codes."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from checks.model import CheckTarget
from monitor.console import progress, run_table, sources_table
from monitor.exitcodes import ExitCode
from monitor.registry.errors import RegistryInvalid
from monitor.registry.model import Claim
from monitor.reports.status import source_entry
from monitor.workspace import Workspace

if TYPE_CHECKING:
    from monitor.reports.formats import ReportFormat

F = TypeVar("F", bound=Callable[..., Any])

console = Console()
errors = Console(stderr=True)


def registry_options(func: F) -> F:
    """Options every registry-reading command shares."""
    options = [
        click.option(
            "--registry",
            "registry_path",
            type=click.Path(path_type=Path, dir_okay=False),
            default=Path("registry.yaml"),
            show_default=True,
            help="The registry file.",
        ),
        click.option(
            "--allow-private/--no-allow-private",
            default=None,
            help="Check loopback and private addresses (refused by default).",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help="CA certificates to trust instead of the system's.",
        ),
        click.option("--concurrency", type=click.IntRange(min=1), help="Worker threads."),
        click.option("--per-host", type=click.IntRange(min=1), help="Requests at once per host."),
        click.option(
            "--processes",
            type=click.IntRange(min=1),
            help="Worker processes a large run is split between, by site (default: one per "
            "core, at most 4).",
        ),
        click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds per request."),
        click.option("--database", help="Database URL (else MONITOR_DATABASE_URL or settings)."),
        click.option(
            "--archive",
            "archives",
            multiple=True,
            metavar="NAME=URL",
            help="Archive endpoint overriding settings.archives: wayback=URL (or wayback=none) "
            "or memento=TIMEGATE-URL; repeatable.",
        ),
        click.option("--no-archive", is_flag=True, help="Do not look up archived copies."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def load(
    params: dict[str, Any], *, required: bool = True, closed_by_caller: bool = False
) -> Workspace:
    """Load the registry named in ``params`` with command-line overrides, or exit 3.

    The workspace is closed when the command ends, unless ``closed_by_caller`` (a
    scheduler's tick, which loads one every time: each left for the command's end
    would be kept until then)."""
    path: Path = params.pop("registry_path")
    ca_bundle = params.pop("ca_bundle", None)
    archives: tuple[str, ...] = params.pop("archives", ())
    if params.pop("no_archive", False):
        archives = ("wayback=none",)
    try:
        workspace = Workspace.load(
            path,
            required=required,
            allow_private=params.pop("allow_private", None),
            ca_bundle=str(ca_bundle) if ca_bundle else None,
            concurrency=params.pop("concurrency", None),
            per_host=params.pop("per_host", None),
            processes=params.pop("processes", None),
            timeout_s=params.pop("timeout", None),
            database=params.pop("database", None),
        )
    except RegistryInvalid as invalid:
        for problem in invalid.problems:
            click.echo(str(problem), err=True)  # one line each, never wrapped
        errors.print(f"{len(invalid.problems)} problem(s) in the registry.", style="bold red")
        sys.exit(ExitCode.REGISTRY)
    if archives:
        from monitor.archiving import with_overrides

        try:
            endpoints = with_overrides(workspace.settings.archives, archives)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--archive") from exc
        if archives == ("wayback=none",):
            endpoints = dataclasses.replace(endpoints, memento=())
        workspace.override(archives=endpoints)
    context = click.get_current_context(silent=True)
    if context is not None and not closed_by_caller:
        # Closing the store when the command ends writes SQLite's log back into the
        # database file, whatever the interpreter collects on its way out.
        context.call_on_close(workspace.close)
    return workspace


def handles_errors(func: F) -> F:
    """Unexpected errors exit 1 with a message (a traceback with --debug)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            errors.print(f"error: {exc}", style="bold red", markup=False)
            errors.print("Run with --debug for the traceback.")
            sys.exit(ExitCode.ERROR)

    return wrapper  # type: ignore[return-value]


def output_options(func: F) -> F:
    """``--format`` and ``--output`` for commands that produce a status report."""
    from monitor.reports.formats import FORMATS

    func = click.option(
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write the --format report to this file instead of standard output.",
    )(func)
    return click.option(
        "--format",
        "report_format",
        type=click.Choice(sorted(FORMATS)),
        help="Also emit the status in this format (to --output or standard output).",
    )(func)


def emit(
    status: dict[str, Any],
    report_format: str | None,
    output: Path | None,
    formats: Mapping[str, ReportFormat],
) -> None:
    """The report in ``report_format`` (one of ``formats``) on standard output or into
    ``output``; nothing when no format was asked for."""
    if report_format is None:
        return
    text = formats[report_format].render(status)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


class Commands(click.Group):
    """The commands, run as click runs them but for one exit code: a wrong command line
    (an unknown command, option, document or source) exits with
    :attr:`ExitCode.USAGE`, not click's 2, which CI would read as a failing citation."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except WrongCommandLine:
            raise
        except click.UsageError as exc:
            raise WrongCommandLine(exc.format_message(), exc.ctx) from exc

    def invoke(self, ctx: click.Context) -> Any:
        # The commands' own arguments are read, and checked, in here.
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if isinstance(exc, WrongCommandLine):
                raise
            raise WrongCommandLine(exc.format_message(), exc.ctx) from exc
        except KeyboardInterrupt:
            # Click would say "Aborted!" and exit 1, which reads as a failure of the
            # command itself; the command's clean-up has run by now.
            raise Terminated(128 + signal.SIGINT) from None


class WrongCommandLine(click.UsageError):
    """A usage error as click shows it, with this program's exit code for it."""

    exit_code = ExitCode.USAGE


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
def cli(debug: bool) -> None:
    """Citation monitor: checks that the sources a fact sheet cites are alive and still
    say what the fact sheet says they say.

    \b
    Exit codes: 0 all fine, 1 runtime error, 2 a citation fails (or the documents
    and the registry disagree), 3 the registry is invalid, 4 the command line is wrong,
    130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
    """


@cli.command()
@registry_options
@handles_errors
def validate(**params: Any) -> None:
    """Validate the registry and print every problem with file:line (exit 3 on any)."""
    workspace = load(params)
    registry = workspace.registry
    console.print(
        f"{registry.path.name}: valid: {len(registry.sources)} sources, "
        f"{sum(len(s.claims) for s in registry.sources)} claims, "
        f"{len(registry.documents)} documents, {len(registry.references)} references.",
        markup=False,
    )


@cli.command()
@registry_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@handles_errors
def scan(fmt: str, **params: Any) -> None:
    """List every citation in the documents and compare them with the registry.

    Exit 2 when they disagree: links not in the registry, sources no document cites,
    footnote markers without a note, references without a URL, uncited statistics.
    """
    from monitor.scanview import render_scan

    workspace = load(params)
    report = workspace.scan_report
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        render_scan(console, workspace.scans, report)
    sys.exit(ExitCode.FAILING if report.has_disagreement else ExitCode.OK)


@cli.command()
@registry_options
@click.option("--all", "check_all", is_flag=True, help="Check every source, not only those due.")
@click.option("--source", "source_ids", multiple=True, help="Check only this source (repeatable).")
@click.option("--no-notify", is_flag=True, help="Send no owner notifications for this run.")
@output_options
@handles_errors
def check(
    check_all: bool,
    source_ids: tuple[str, ...],
    no_notify: bool,
    report_format: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Check the registry's sources that are due (all with --all), store the results and
    write reports/status.json and reports/status.md.

    Exit 2 when at least one source is failing.
    """
    from monitor.jobs import check_sources

    workspace = load(params)
    unknown = set(source_ids) - {s.id for s in workspace.registry.sources}
    if unknown:
        raise click.BadParameter(f"unknown source id(s): {', '.join(sorted(unknown))}")
    due_count = len(workspace.registry.sources) if check_all or not source_ids else len(source_ids)
    with leaving_cleanly_on_sigterm(), progress(console, due_count) as advance:
        job = check_sources(
            workspace,
            check_all=check_all,
            source_ids=source_ids,
            on_result=advance,
            notify=not no_notify,
        )
    outcome, status, written, sources = job.outcome, job.status, job.written, job.checked
    # With a machine format on standard output, everything for people goes to stderr.
    human = errors if report_format and output is None else console
    emit(status, report_format, output, workspace.report_formats())
    human.print(run_table(status["sources"], title=f"Run {outcome.run_id}"))
    if sources == 0:
        human.print("Nothing was due; the report shows the newest stored results. Use --all.")
    if outcome.note:
        errors.print(outcome.note, style="bold yellow", markup=False)
    human.print("Reports: " + ", ".join(str(p) for p in written), markup=False)
    for line in job.notices:
        human.print(line, markup=False)
    failing = status["totals"]["failing"]
    sys.exit(ExitCode.FAILING if failing and not outcome.inconclusive else ExitCode.OK)


@cli.command()
@registry_options
@click.argument("documents", nargs=-1)
@click.option(
    "--max-age",
    help="Reuse stored results younger than this (e.g. 12h, 1d) instead of checking again.",
)
@output_options
@handles_errors
def gate(
    documents: tuple[str, ...],
    max_age: str | None,
    report_format: str | None,
    output: Path | None,
    **params: Any,
) -> None:
    """Gate publication in CI: check the sources the given documents cite (all documents
    when none is named), apply settings.policy, exit 2 when the policy fails.

    \b
    Under GitHub Actions (GITHUB_ACTIONS set) it also prints ::error/::warning
    annotations for the worst ten citations and appends a job summary to
    $GITHUB_STEP_SUMMARY.
    """
    from monitor.gate.command import run_gate

    workspace = load(params)
    known = {d.id for d in workspace.registry.documents}
    unknown = set(documents) - known
    if unknown:
        raise click.BadParameter(f"unknown document id(s): {', '.join(sorted(unknown))}")
    human = errors if report_format and output is None else console
    result = run_gate(workspace, documents, max_age=max_age, out=human)
    # The gate's findings as the gate judged them: its policy, the documents named.
    emit(result.status, report_format, output, workspace.report_formats(documents or None))
    sys.exit(ExitCode.FAILING if result.outcome.failed else ExitCode.OK)


@cli.command("check-url")
@click.argument("urls", nargs=-1, required=True)
@click.option("--evidence", multiple=True, help="Text, number or /regex/ the page must hold.")
@click.option("--expect-type", help="Expected content type, e.g. application/pdf.")
@click.option(
    "--accessed",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date the URL was cited (YYYY-MM-DD), for archive lookups.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@registry_options
@handles_errors
def check_url(
    urls: tuple[str, ...],
    evidence: tuple[str, ...],
    expect_type: str | None,
    accessed: Any,
    fmt: str,
    **params: Any,
) -> None:
    """Check ad-hoc URLs with the same engine, without the registry's sources.

    Settings still come from the registry when it exists. Exit 2 when a URL fails.
    """
    from monitor.run import Checker

    workspace = load(params, required=False)
    settings = workspace.check_settings()
    concurrency, per_host = workspace.settings.concurrency, workspace.settings.per_host
    claims = tuple(Claim(f"evidence-{i}", "", e) for i, e in enumerate(evidence, 1))
    accessed_date: date | None = accessed.date() if accessed else None
    targets = [
        CheckTarget(
            url=u,
            expect_content_type=expect_type,
            claims=tuple(c.spec() for c in claims),
            accessed=accessed_date,
        )
        for u in urls
    ]
    checker = Checker(
        settings,
        concurrency=concurrency,
        per_host=per_host,
        after_check=workspace.archive_lookups(use_store=False),
    )
    by_url = {r.url: r for r in checker.check_all(targets)}
    entries = [source_entry(by_url[t.url], claims=claims) for t in targets]
    if fmt == "json":
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
    else:
        console.print(sources_table(entries, title="Checked URLs"))
        for entry in entries:
            for claim in entry["claims"]:
                state = {True: "found", False: "NOT FOUND"}.get(claim["found"], "not checked")
                where = f": {claim['sentence']}" if claim["sentence"] else ""
                console.print(
                    f"  {entry['url']}: evidence {claim['id']} {state}{where}", markup=False
                )
    sys.exit(ExitCode.FAILING if any(e["failing"] for e in entries) else ExitCode.OK)


@cli.command()
@registry_options
@click.argument("documents", nargs=-1)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the published pages (default reports/published).",
)
@click.option("--force", is_flag=True, help="Publish even when the gate's policy fails.")
@handles_errors
def publish(documents: tuple[str, ...], out: Path | None, force: bool, **params: Any) -> None:
    """Render each document to HTML with the latest status of its citations attached.

    The gate's policy (settings.policy) is applied first, on the stored results: a
    document whose citations fail it is not published unless --force. Exit 2 when a
    document was held back.
    """
    from monitor.gate.policy import GatePolicy, evaluate
    from monitor.publish import publish_documents

    workspace = load(params)
    known = {d.id for d in workspace.registry.documents}
    unknown = set(documents) - known
    if unknown:
        raise click.BadParameter(f"unknown document id(s): {', '.join(sorted(unknown))}")
    target = out or workspace.reports_dir / "published"
    status = workspace.status()
    policy = GatePolicy.from_settings(workspace.settings.policy)
    allowed: list[str] = []
    held = 0
    for document in documents or tuple(sorted(known)):
        outcome = evaluate(status, policy, documents=[document], now=workspace.now())
        if not outcome.failed or force:
            allowed.append(document)
            if outcome.failed:
                errors.print(f"{document}: the gate fails, published anyway (--force).")
            continue
        held += 1
        errors.print(f"{document}: not published; the gate's policy fails:", style="bold red")
        for finding in outcome.findings:
            if finding.severity.value == "fail":
                where = f"{finding.document}:{finding.line}" if finding.line else document
                errors.print(f"  {where}: {finding.message}", markup=False)
    if allowed:
        for path in publish_documents(workspace, status, target, only=tuple(allowed)):
            console.print(f"Published {path}", markup=False)
    sys.exit(ExitCode.FAILING if held else ExitCode.OK)


@cli.command()
@registry_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--tick",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds between looks for due sources.",
)
@click.option("--no-web", is_flag=True, help="Run the scheduler without the web server.")
@handles_errors
def serve(host: str, port: int, tick: float, no_web: bool, **params: Any) -> None:
    """Run the monitor: a scheduler that checks each source when it is due, and a
    read-only dashboard (/, /api/status.json, /api/badge/<document>.json, /metrics).

    Only one scheduler may run against a database; a second one exits with a message.
    The web server never runs checks. SIGTERM or Ctrl-C stops it at once, keeping every
    result the run under way has finished.
    """
    from monitor.jobs import check_sources
    from monitor.schedule import SchedulerLocked, run_scheduler, single_scheduler, sqlite_lock_dir
    from monitor.web.server import WorkspaceLoader, make_server, serve_in_background

    registry_path: Path = params["registry_path"]
    workspace = load(dict(params))
    store = workspace.store()
    lock_dir = sqlite_lock_dir(store.engine, workspace.base_dir / ".monitor")

    def dispatch() -> None:
        import os

        from monitor.notify import deliver_due

        try:
            # The registry may have been edited since the last tick.
            fresh = load(dict(params), closed_by_caller=True)
        except SystemExit as stop:
            if isinstance(stop, Terminated):
                raise
            # load() has said what is wrong; the scheduler keeps the dashboard up and
            # reads the registry again at the next tick.
            raise RuntimeError("the registry could not be loaded; nothing was checked") from None
        try:
            job = check_sources(fresh)
            if job.checked:
                console.print(
                    f"Run {job.outcome.run_id}: checked {job.checked}, "
                    f"{job.status['totals']['failing']} failing.",
                    markup=False,
                )
                for line in job.notices:
                    console.print(line, markup=False)
            # Deliveries that failed earlier are retried on their own schedule.
            retried = deliver_due(
                fresh.store(), fresh.registry, now=fresh.now(), environ=os.environ
            )
            if retried.sent or retried.failed:
                for line in retried.lines():
                    console.print(line, markup=False)
        finally:
            fresh.close()

    def report(exc: Exception) -> None:
        # The scheduler goes on: the next tick tries again (after an edit of the
        # registry that fixes it, say).
        if click.get_current_context().find_root().params.get("debug"):
            errors.print_exception()
        errors.print(f"error: this run failed: {exc}", style="bold red", markup=False)

    try:
        with leaving_cleanly_on_sigterm(), single_scheduler(store.engine, lock_dir):
            server = None
            if not no_web:
                server = make_server(WorkspaceLoader(registry_path), host, port)
                serve_in_background(server)
                console.print(f"Dashboard on http://{host}:{server.server_address[1]}/")
            console.print(f"Scheduler: looking for due sources every {tick:g} s (UTC).")
            try:
                run_scheduler(dispatch, tick_s=tick, on_error=report)
            except KeyboardInterrupt:
                console.print("Stopped.")  # Ctrl-C is how a person stops it: no error
            finally:
                if server is not None:
                    server.shutdown()
    except SchedulerLocked as locked:
        errors.print(f"error: {locked}", style="bold red", markup=False)
        sys.exit(ExitCode.ERROR)


@cli.command()
@registry_options
@click.argument("target")
@click.option(
    "--until",
    "until",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="End of the known outage (UTC), YYYY-MM-DD or YYYY-MM-DDTHH:MM.",
)
@click.option("--note", help="Why, for the dashboard.")
@handles_errors
def snooze(target: str, until: Any, note: str | None, **params: Any) -> None:
    """Hold a source's health during a known outage: TARGET is a source id or
    host:NAME (the host and its subdomains). Results are still recorded."""
    from datetime import UTC

    workspace = load(params)
    if not target.startswith("host:") and target not in {s.id for s in workspace.registry.sources}:
        raise click.BadParameter(f"no source {target!r}; use a source id or host:NAME")
    moment = until.replace(tzinfo=UTC)
    workspace.store().snooze(target, moment, note)
    console.print(f"Snoozed {target} until {moment.isoformat()}.", markup=False)


@cli.command()
@registry_options
@click.argument("target")
@handles_errors
def unsnooze(target: str, **params: Any) -> None:
    """End a snooze early (TARGET as given to snooze)."""
    workspace = load(params)
    if workspace.store().unsnooze(target):
        console.print(f"{target} is no longer snoozed.", markup=False)
    else:
        # Nothing to undo: not a wrong command line, but nothing done either.
        raise click.ClickException(f"{target!r} is not snoozed")


@cli.command()
@registry_options
@click.option("--run", "run_id", type=int, help="The run to notify about (default: the last).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--retry", is_flag=True, help="Only deliver what earlier runs left in the outbox.")
@handles_errors
def notify(run_id: int | None, dry_run: bool, retry: bool, **params: Any) -> None:
    """Tell owners about their sources: one digest per owner per run (new dead,
    recovered, claim missing, weekly reminders while dead), by email and webhooks.

    \b
    SMTP: MONITOR_SMTP_HOST, MONITOR_SMTP_PORT, MONITOR_SMTP_USER,
    MONITOR_SMTP_PASSWORD, MONITOR_SMTP_FROM, MONITOR_SMTP_STARTTLS, MONITOR_SMTP_SSL.
    Webhook signing secret: MONITOR_WEBHOOK_SECRET or MONITOR_WEBHOOK_SECRET_<OWNER>.
    `check` does this after every run; exit 1 when a delivery failed or is unconfirmed.
    """
    import os

    from monitor.notify import deliver_due, notify_run

    workspace = load(params)
    store = workspace.store()
    if retry:
        report = deliver_due(store, workspace.registry, now=workspace.now(), environ=os.environ)
    else:
        run = store.run(run_id) if run_id is not None else store.last_run(finished_only=True)
        if run is None:
            raise click.ClickException("no finished run to notify about; run `check` first")
        report = notify_run(
            store,
            workspace.registry,
            workspace.status(),
            run.id,
            now=workspace.now(),
            environ=os.environ,
            dry_run=dry_run,
        )
    for line in report.lines():
        console.print(line, markup=False)
    sys.exit(ExitCode.OK if report.ok else ExitCode.ERROR)


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@registry_options
@handles_errors
def db_upgrade(**params: Any) -> None:
    """Apply schema migrations up to the newest revision."""
    from monitor.store import db as database

    workspace = load(params)
    store = workspace.store()  # opening migrates
    console.print(f"Database at revision {database.current_revision(store.engine)}.")


class Terminated(SystemExit):
    """SIGTERM or Ctrl-C received: the command is on its way out, its code 128 plus the
    signal's number, as a shell reports a process that a signal ended."""


def _terminated(signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends it at once
    raise Terminated(128 + signum)


def _default_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def leaving_cleanly_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM (a service manager stopping a run, a cancelled CI job)
    leaves as an interrupt does, through the run's own clean-up, which writes every
    result it has finished; :func:`main` then exits at once, without waiting for the
    checks still under way. Forked helpers keep the default: their parent stops them
    with SIGTERM. Signals are the main thread's: elsewhere this changes nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _reset_sigterm_in_forks()
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@functools.cache
def _reset_sigterm_in_forks() -> None:
    os.register_at_fork(after_in_child=_default_sigterm)


def main() -> None:
    try:
        cli(prog_name="run_monitor.py")
    except Terminated as exc:
        # The command's clean-up is done (its store closed, its files written); the
        # checks left under way would only delay the exit the signal asked for.
        if exc.code == 128 + signal.SIGINT:
            errors.print("Interrupted.")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    finally:
        # By now the command's store is closed and its files are written (they are
        # opened with ``with``: anything left to a finaliser in a reference cycle would
        # not be flushed from here on). The objects still alive are left out of the
        # collection that ends the interpreter, which would otherwise visit every one
        # of them: a fifth of a second after a run of a few thousand sources.
        gc.freeze()
