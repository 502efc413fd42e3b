"""From digests to outbox rows: which channels reach each owner, and what each carries."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from monitor.notify import render, signing
from monitor.notify.config import NotifySettings, Route
from monitor.notify.digest import Composition, Digest
from monitor.notify.webhook import display, is_slack
from monitor.store import NewNotification

if TYPE_CHECKING:
    from monitor.registry.model import Owner, Registry


class Channel(enum.StrEnum):
    EMAIL = "email"
    SLACK = "slack"  # a Slack incoming webhook: Slack's format, unsigned
    WEBHOOK = "webhook"  # any other webhook: generic JSON, signed

    @property
    def redeliver(self) -> bool:
        """Whether the receiver drops a repeat, so a send cut short may be sent again.

        Generic webhooks carry the outbox key as ``webhook-id``, which Standard Webhooks
        receivers de-duplicate by; a mailbox or a Slack channel shows a repeat twice.
        """
        return self is Channel.WEBHOOK


def outbox_key(run_id: int, owner_id: str, channel: Channel) -> str:
    """One message per owner, channel and run: the same key however often it is composed."""
    return f"run{run_id}:{owner_id}:{channel.value}"


def recipient_shown(channel: str, recipient: str) -> str:
    """A recipient fit to print (webhook URLs shortened to their host)."""
    return recipient if channel == Channel.EMAIL.value else display(recipient)


@dataclass(frozen=True)
class Preview:
    """A composed message as a person reads it (dry runs print these)."""

    key: str
    channel: str
    recipient: str
    subject: str
    text: str


@dataclass(frozen=True)
class Outgoing:
    """The messages composed for a run and what kept others from being made."""

    notifications: tuple[NewNotification, ...]
    previews: tuple[Preview, ...]
    warnings: tuple[str, ...]


def outgoing(
    composition: Composition,
    registry: Registry,
    settings: NotifySettings,
    *,
    environ: Mapping[str, str],
    email_off: str | None,
) -> Outgoing:
    """One row per digest and usable channel of its owner.

    An owner's email is used unless email is off (``email_off`` says why); a webhook
    when it is Slack's, or when a signing secret is set for it.
    """
    owners = {o.id: o for o in registry.owners}
    notifications: list[NewNotification] = []
    previews: list[Preview] = []
    warnings: list[str] = []
    for digest in composition.digests:
        owner = owners[digest.owner_id]
        routes = settings.routes_for(owner.id)
        subject = render.subject(digest)
        body = render.text(digest)
        made = 0
        for channel, recipient, payload in _channels(digest, owner, routes, body, environ):
            if channel is Channel.EMAIL and email_off is not None:
                warnings.append(f"email to {owner.id} not sent: {email_off}")
                continue
            if isinstance(payload, str):
                warnings.append(payload)
                continue
            key = outbox_key(digest.run_id, owner.id, channel)
            notifications.append(
                NewNotification(
                    key=key,
                    run_id=digest.run_id,
                    owner=owner.id,
                    channel=channel.value,
                    recipient=recipient,
                    subject=subject,
                    payload=payload,
                    sources=digest.source_ids,
                    redeliver=channel.redeliver,
                )
            )
            previews.append(
                Preview(key, channel.value, recipient_shown(channel, recipient), subject, body)
            )
            made += 1
        if not made and not (owner.email or owner.webhook):
            warnings.append(f"owner {owner.id} has no email or webhook: {subject}")
    return Outgoing(tuple(notifications), tuple(previews), tuple(warnings))


def _channels(
    digest: Digest,
    owner: Owner,
    routes: tuple[Route, ...],
    body: str,
    environ: Mapping[str, str],
) -> list[tuple[Channel, str, dict[str, object] | str]]:
    """(channel, recipient, payload or the reason it cannot be used) per route."""
    found: list[tuple[Channel, str, dict[str, object] | str]] = []
    if Route.EMAIL in routes and owner.email:
        found.append((Channel.EMAIL, owner.email, {"text": body, "html": render.html(digest)}))
    if Route.WEBHOOK in routes and owner.webhook:
        url = owner.webhook
        if is_slack(url):
            found.append((Channel.SLACK, url, render.slack_payload(digest)))
        else:
            key = outbox_key(digest.run_id, owner.id, Channel.WEBHOOK)
            found.append((Channel.WEBHOOK, url, _signed_or_why(digest, owner, key, environ)))
    return found


def _signed_or_why(
    digest: Digest, owner: Owner, key: str, environ: Mapping[str, str]
) -> dict[str, object] | str:
    secret = signing.secret_for(owner.id, environ)
    env = signing.secret_env_name(owner.id)
    if secret is None:
        return f"webhook of {owner.id} not used: set {env} or {signing.SECRET_ENV} to sign it"
    try:
        signing.decode_secret(secret)
    except ValueError as exc:
        return f"webhook of {owner.id} not used: {exc}"
    return dict(render.webhook_payload(digest, key))
