"""Delivering the outbox: at most once for email and Slack, at least once for webhooks.

Every message is a row of ``notification_outbox`` before anything is sent, and each
step of its delivery is its own committed transaction:

1. **compose**: rows are added as ``pending``. The key is owner + channel + run, so
   composing the same run again adds nothing.
2. **claim**: ``pending -> sending`` (and one more attempt counted), committed
   *before* the message leaves.
3. **send** the message.
4. **mark**: ``sending -> sent`` (with a notice per source, for reminders), committed.

A failed send goes back to ``pending`` with its next attempt put off exponentially
(``settings.notify.retry_minutes``, doubling, at most ``retry_max_hours``; later if a
webhook's ``Retry-After`` asks for it, up to that same bound), or to
``failed`` once ``max_attempts`` are used up or when the failure is permanent (a
refused address, a 4xx answer, a 5xx SMTP reply). A row ``failed`` with attempts to
spare was refused for good (:func:`refused_for_good`); one that used them all up most
likely met an outage, and its news is still owed to the owner.

**No duplicate after a crash.** If the process dies between 3 and 4, the row stays in
``sending``: the database cannot tell "sent" from "not sent yet". The next delivery
starts with recovery (rows in ``sending`` for longer than ``stale_minutes``):

* an **email** or **Slack** row becomes ``unconfirmed`` and is never sent again. It
  is reported so that a person can check with the recipient (its Message-ID is
  derived from the key). At most once: a message may be missing, never doubled.
* a **generic webhook** row goes back to ``pending`` and is sent again with the same
  ``webhook-id`` (the key). Standard Webhooks receivers de-duplicate by that id, so
  the receiver acts on it exactly once; a receiver that does not de-duplicate sees at
  most one repeat per crash.

The same rule applies to a failure that leaves the outcome open (a connection lost
after the request was written): it is retried only for webhooks; email and Slack rows
become ``unconfirmed``. Because a row is claimed before sending, two deliveries never
send the same row at once, and a crash before step 3 cannot lose a message silently
either: the row is recovered and reported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import requests

from monitor.notify import signing
from monitor.notify.config import NotifySettings
from monitor.notify.errors import DeliveryError
from monitor.notify.mail import SendEmail, build_email
from monitor.notify.messages import Channel, recipient_shown
from monitor.notify.webhook import post
from monitor.store import OutboxEntry, OutboxStatus, Store


@dataclass(frozen=True)
class Transport:
    """What sending needs: an email sender, an HTTP session and the environment."""

    send_email: SendEmail | None
    sender: str
    http: requests.Session
    environ: Mapping[str, str]
    allow_private: bool
    user_agent: str
    timeout_s: float = 10.0


@dataclass(frozen=True)
class Outcome:
    """What became of one message in a delivery."""

    key: str
    channel: str
    recipient: str  # as shown to people (webhook URLs shortened)
    subject: str
    status: OutboxStatus
    attempts: int
    error: str | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class Delivery:
    """The outcomes of one pass over the outbox."""

    sent: tuple[Outcome, ...] = ()
    retrying: tuple[Outcome, ...] = ()
    failed: tuple[Outcome, ...] = ()
    unconfirmed: tuple[Outcome, ...] = ()
    resent: tuple[Outcome, ...] = ()  # webhooks taken back from an interrupted delivery


def deliver(
    store: Store, transport: Transport, settings: NotifySettings, now: datetime
) -> Delivery:
    """Recover interrupted sends, then send every row due at ``now``, one at a time.

    Rows are claimed one by one so that a crash leaves at most one row in ``sending``.
    Errors of the store are not caught: they are the crash this design survives.
    """
    sent: list[Outcome] = []
    retrying: list[Outcome] = []
    failed: list[Outcome] = []
    unconfirmed: list[Outcome] = []
    resent: list[Outcome] = []
    for entry in store.outbox_recover(now, stale_after=settings.stale_after):
        (resent if entry.status is OutboxStatus.PENDING else unconfirmed).append(_outcome(entry))
    # Once the SMTP server cannot be reached, the other emails of this pass are put off
    # with the same error instead of each waiting out the connection timeout again.
    smtp_down: DeliveryError | None = None
    while True:
        claimed = store.outbox_claim_due(now, limit=1)
        if not claimed:
            break
        entry = claimed[0]
        email = entry.channel == Channel.EMAIL.value
        try:
            if email and smtp_down is not None:
                raise smtp_down
            send(entry, transport, now)
        except DeliveryError as exc:
            failure = exc
            if email and exc.unreachable:
                smtp_down = exc
        except Exception as exc:  # a sender's bug: the message may have left
            failure = DeliveryError(f"{type(exc).__name__}: {exc}", ambiguous=True)
        else:
            store.outbox_mark_sent(entry.key, now)
            sent.append(_outcome(entry, OutboxStatus.SENT))
            continue
        error = failure.reason
        if failure.ambiguous and not entry.redeliver:
            store.outbox_mark_unconfirmed(entry.key, error)
            unconfirmed.append(_outcome(entry, OutboxStatus.UNCONFIRMED, error))
            continue
        retry_at = None if failure.permanent else settings.retry_at(entry.attempts, now)
        if retry_at is not None and failure.retry_after is not None:
            # A receiver that says when to come back (429, 503) is not asked sooner;
            # it does not hold the message longer than the longest retry delay either.
            wait = min(failure.retry_after, settings.retry_max)
            retry_at = max(retry_at, now + wait)
        status = store.outbox_mark_failed(entry.key, error, retry_at=retry_at)
        if status is OutboxStatus.PENDING:
            retrying.append(_outcome(entry, status, error, retry_at))
        elif status is OutboxStatus.FAILED:
            failed.append(_outcome(entry, status, error))
    return Delivery(tuple(sent), tuple(retrying), tuple(failed), tuple(unconfirmed), tuple(resent))


def refused_for_good(entry: OutboxEntry, settings: NotifySettings) -> bool:
    """Whether a ``failed`` row was given up because its failure was permanent.

    Only a permanent failure ends delivery before ``max_attempts`` are used up, so the
    attempts tell the two apart without recording more. A permanent failure at the last
    attempt counts as the attempts used up: the owner is sent one more message, which
    the server then refuses at once.
    """
    return entry.status is OutboxStatus.FAILED and entry.attempts < settings.max_attempts


def send(entry: OutboxEntry, transport: Transport, now: datetime) -> None:
    """Send one outbox row over its channel; :class:`DeliveryError` when it fails."""
    channel = Channel(entry.channel)
    if channel is Channel.EMAIL:
        if transport.send_email is None:
            raise DeliveryError("email is not configured (MONITOR_SMTP_HOST)")
        transport.send_email(build_email(entry, transport.sender))
        return
    # The exact bytes sent are the bytes signed.
    body = json.dumps(entry.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"User-Agent": transport.user_agent}
    if channel is Channel.WEBHOOK:
        secret = signing.secret_for(entry.owner, transport.environ)
        if secret is None:
            raise DeliveryError(
                f"no signing secret: set {signing.secret_env_name(entry.owner)} "
                f"or {signing.SECRET_ENV}"
            )
        try:
            key = signing.decode_secret(secret)
        except ValueError as exc:
            raise DeliveryError(str(exc)) from exc
        headers.update(signing.headers(key, entry.key, int(now.timestamp()), body))
    post(
        transport.http,
        entry.recipient,
        body,
        headers,
        timeout_s=transport.timeout_s,
        allow_private=transport.allow_private,
    )


def _outcome(
    entry: OutboxEntry,
    status: OutboxStatus | None = None,
    error: str | None = None,
    next_attempt_at: datetime | None = None,
) -> Outcome:
    return Outcome(
        key=entry.key,
        channel=entry.channel,
        recipient=recipient_shown(entry.channel, entry.recipient),
        subject=entry.subject,
        status=status or entry.status,
        attempts=entry.attempts,
        error=error if error is not None else entry.last_error,
        next_attempt_at=next_attempt_at,
    )
