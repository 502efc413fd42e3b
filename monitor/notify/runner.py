"""Notifying owners after a run: compose, add to the outbox, deliver."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from checks.model import Verdict
from monitor.notify.config import NotifySettings
from monitor.notify.digest import LastNotice, compose
from monitor.notify.mail import (
    FALLBACK_DOMAIN,
    SendEmail,
    SmtpConfig,
    sender_address,
    smtp_sender,
)
from monitor.notify.messages import outgoing
from monitor.notify.outbox import Delivery, Transport, deliver, refused_for_good
from monitor.notify.report import NotifyReport
from monitor.store import OutboxStatus, Store

if TYPE_CHECKING:
    from monitor.registry.model import Registry

DEFAULT_SENDER = f"citation-monitor@{FALLBACK_DOMAIN}"
# Messages that count as telling their owner, though not (yet) recorded as sent; of
# the failed ones, only those refused for good (see _last_told).
_TOLD = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.UNCONFIRMED, OutboxStatus.FAILED)


def notify_run(
    store: Store,
    registry: Registry,
    status: Mapping[str, Any],
    run_id: int,
    *,
    now: datetime,
    environ: Mapping[str, str],
    dry_run: bool = False,
    send_email: SendEmail | None = None,
    http: requests.Session | None = None,
) -> NotifyReport:
    """Tell owners what run ``run_id`` changed, and deliver whatever else is due.

    Call it once the run is finished and its health folded in (the events of the run
    are read from the store) with the status document of that run. Nothing is
    composed or sent for an inconclusive run. Composing a run again adds nothing to
    the outbox, so a repeated call only delivers what is still due.

    ``dry_run`` composes and returns the messages without touching the outbox or
    sending anything. ``send_email`` replaces SMTP (which is configured by
    ``MONITOR_SMTP_*`` in ``environ``); ``http`` is the session for webhooks (one is
    made, and closed, when not given).
    """
    settings = NotifySettings.from_mapping(registry.settings.notify)
    run = store.run(run_id)
    if run is None:
        raise ValueError(f"there is no run {run_id}")
    if run.inconclusive:
        return NotifyReport(run_id, skipped_inconclusive=True, dry_run=dry_run)
    warnings = _setting_warnings(registry, settings)
    email, sender, email_off = _email(environ, send_email, settings)
    if email is None and environ.get("MONITOR_SMTP_HOST", "").strip():
        warnings.append(str(email_off))  # set up, but wrongly: said even if no one has email
    composition = compose(
        store.events(run_id=run_id, first_sights=False),  # recorded, not news
        status,
        registry,
        run_id=run_id,
        now=now,
        settings=settings,
        last_notice=_last_told(store, settings),
        changed=_claims_newly_missing(store, status, run_id),
    )
    made = outgoing(composition, registry, settings, environ=environ, email_off=email_off)
    warnings.extend(made.warnings)
    unrouted = tuple(dict.fromkeys(item.source_id for item in composition.unrouted))
    if dry_run:
        return NotifyReport(
            run_id,
            dry_run=True,
            composed=made.previews,
            unrouted=unrouted,
            warnings=tuple(warnings),
        )
    added = set(store.outbox_add(made.notifications, now))
    delivery = _deliver(store, registry, settings, now, environ, email, sender, http)
    return NotifyReport(
        run_id,
        composed=tuple(p for p in made.previews if p.key in added),
        sent=delivery.sent,
        retrying=delivery.retrying,
        failed=delivery.failed,
        unconfirmed=delivery.unconfirmed,
        resent=delivery.resent,
        unrouted=unrouted,
        warnings=tuple(warnings),
    )


def deliver_due(
    store: Store,
    registry: Registry,
    *,
    now: datetime,
    environ: Mapping[str, str],
    send_email: SendEmail | None = None,
    http: requests.Session | None = None,
) -> NotifyReport:
    """Deliver what is due in the outbox without composing anything (retries).

    Worth calling between runs (a scheduler tick) so that retries do not wait for the
    next run.
    """
    settings = NotifySettings.from_mapping(registry.settings.notify)
    email, sender, email_warning = _email(environ, send_email, settings)
    delivery = _deliver(store, registry, settings, now, environ, email, sender, http)
    return NotifyReport(
        None,
        sent=delivery.sent,
        retrying=delivery.retrying,
        failed=delivery.failed,
        unconfirmed=delivery.unconfirmed,
        resent=delivery.resent,
        warnings=(email_warning,) if email_warning else (),
    )


def _deliver(
    store: Store,
    registry: Registry,
    settings: NotifySettings,
    now: datetime,
    environ: Mapping[str, str],
    email: SendEmail | None,
    sender: str,
    http: requests.Session | None,
) -> Delivery:
    session = http or requests.Session()
    if http is None:
        # Webhook requests carry no ambient credentials or proxies.
        session.trust_env = False
    try:
        transport = Transport(
            send_email=email,
            sender=sender,
            http=session,
            environ=environ,
            allow_private=registry.settings.allow_private,
            user_agent=registry.settings.user_agent,
            timeout_s=settings.timeout_s,
        )
        return deliver(store, transport, settings, now)
    finally:
        if http is None:
            session.close()


def _email(
    environ: Mapping[str, str], send_email: SendEmail | None, settings: NotifySettings
) -> tuple[SendEmail | None, str, str | None]:
    """The email sender, the From address, and why email is off (if it is)."""
    sender = sender_address(environ.get("MONITOR_SMTP_FROM", "")) or DEFAULT_SENDER
    if send_email is not None:
        return send_email, sender, None
    try:
        config = SmtpConfig.from_environ(environ, settings.timeout_s)
    except ValueError as exc:
        return None, sender, f"email is off: {exc}"
    if config is None:
        return None, sender, "email is not configured (MONITOR_SMTP_HOST)"
    return smtp_sender(config), config.sender, None


def _setting_warnings(registry: Registry, settings: NotifySettings) -> list[str]:
    known = {o.id for o in registry.owners}
    warnings = []
    if settings.fallback_owner is not None and settings.fallback_owner not in known:
        warnings.append(
            f"settings.notify.fallback_owner {settings.fallback_owner!r} is not an owner"
        )
    warnings += [
        f"settings.notify.routes names {owner!r}, which is not an owner"
        for owner in settings.routes
        if owner not in known
    ]
    return warnings


def _last_told(store: Store, settings: NotifySettings) -> LastNotice:
    """When an owner was last told about a source, for the reminders.

    Besides the messages sent, this counts those still on their way (waiting out a
    retry), in doubt, and refused for good: a run during an SMTP outage must not queue
    one more reminder behind the first message, nor a refused address be tried at every
    run; the next reminder waits ``reminder_days`` from the message composed last. A
    message given up after using all its attempts (an outage longer than its retries,
    a login the server refuses) told no one: the next run tells the owner again.
    """
    composed: dict[str, dict[str, datetime]] = {}

    def last(owner: str, source_id: str) -> datetime | None:
        if owner not in composed:
            latest: dict[str, datetime] = {}
            for status in _TOLD:
                for row in store.outbox_rows(owner=owner, status=status):
                    if status is OutboxStatus.FAILED and not refused_for_good(row, settings):
                        continue
                    for told in row.sources:
                        latest[told] = max(latest.get(told, row.created_at), row.created_at)
            composed[owner] = latest
        sent = store.last_notice(owner, source_id)
        found = [t for t in (sent, composed[owner].get(source_id)) if t is not None]
        return max(found) if found else None

    return last


def _claims_newly_missing(store: Store, status: Mapping[str, Any], run_id: int) -> set[str]:
    """Sources whose claim went missing in this run (their previous check was different)."""
    missing = [
        e["id"]
        for e in status.get("sources", ())
        if e.get("id") and e.get("verdict") == Verdict.CLAIM_MISSING.value
    ]
    if not missing:
        return set()
    changed = set()
    for source_id, stored in store.latest_results(missing).items():
        if stored.run_id != run_id:
            continue
        before = store.previous_result(source_id, before_id=stored.id)
        if before is None or before.result.verdict is not Verdict.CLAIM_MISSING:
            changed.add(source_id)
    return changed
