"""What a notification pass did, in lines a person (or a CI log) can read."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.notify.messages import Preview
from monitor.notify.outbox import Outcome
from monitor.notify.render import when


@dataclass(frozen=True)
class NotifyReport:
    """The result of :func:`monitor.notify.notify_run` (or of a retry pass).

    ``composed`` holds the messages added to the outbox by this call (in a dry run:
    the messages that would be). ``sent``, ``retrying``, ``failed`` and ``unconfirmed``
    are what delivery did to each row it touched, this run's and older ones due now.
    """

    run_id: int | None
    skipped_inconclusive: bool = False
    dry_run: bool = False
    composed: tuple[Preview, ...] = ()
    sent: tuple[Outcome, ...] = ()
    retrying: tuple[Outcome, ...] = ()
    failed: tuple[Outcome, ...] = ()
    unconfirmed: tuple[Outcome, ...] = ()
    resent: tuple[Outcome, ...] = ()
    unrouted: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Nothing given up and nothing in doubt."""
        return not self.failed and not self.unconfirmed

    def lines(self) -> list[str]:
        """The report as lines to print."""
        run = f"run {self.run_id}" if self.run_id is not None else "the outbox"
        if self.skipped_inconclusive:
            return [f"Notifications: {run} was inconclusive; nothing composed or sent."]
        if self.dry_run:
            return self._dry_lines(run)
        out = [
            f"Notifications for {run}: {len(self.composed)} composed, {len(self.sent)} sent, "
            f"{len(self.retrying)} to retry, {len(self.failed)} failed, "
            f"{len(self.unconfirmed)} unconfirmed."
        ]
        out += [f"  sent {_line(o)}" for o in self.sent]
        out += [
            f"  resending {_line(o)} (interrupted earlier; same webhook-id)" for o in self.resent
        ]
        out += [
            f"  retry {_line(o)}: attempt {o.attempts} failed: {o.error}; next attempt "
            f"{when(o.next_attempt_at) if o.next_attempt_at else 'soon'}"
            for o in self.retrying
        ]
        out += [
            f"  FAILED {_line(o)} after {o.attempts} attempt(s): {o.error}" for o in self.failed
        ]
        out += [f"  UNCONFIRMED {_line(o)}: {o.error} (key {o.key})" for o in self.unconfirmed]
        out += self._warning_lines()
        return out

    def _dry_lines(self, run: str) -> list[str]:
        out = [f"Dry run for {run}: {len(self.composed)} message(s) would be sent."]
        for preview in self.composed:
            out.append("")
            out.append(f"--- {preview.channel} to {preview.recipient} ({preview.key})")
            out.append(f"Subject: {preview.subject}")
            out.append("")
            out.extend(preview.text.rstrip("\n").split("\n"))
        if self.composed:
            out.append("")
        out += self._warning_lines()
        return out

    def _warning_lines(self) -> list[str]:
        out = [
            f"  unrouted: no owner for source {source_id} "
            "(give it an owner, or set settings.notify.fallback_owner)"
            for source_id in self.unrouted
        ]
        out += [f"  warning: {w}" for w in self.warnings]
        return out


def _line(outcome: Outcome) -> str:
    return f"{outcome.channel} to {outcome.recipient}: {outcome.subject}"
