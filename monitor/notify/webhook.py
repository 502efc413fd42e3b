"""Posting a notification to a webhook URL, under the checks' network policy.

Webhook URLs come from the registry, so they are treated like cited URLs: http(s)
only, no credentials in the URL, and no loopback, private, link-local or metadata
address (checked on the address actually connected to) unless ``allow_private`` is
set. Redirects are not followed: a webhook that redirects is misconfigured.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError

from checks.http.retryafter import retry_after_s
from checks.netpolicy import (
    AddressGuard,
    InvalidURL,
    PolicyViolation,
    ensure_guarded,
    response_deadline,
    vet_url,
)
from monitor.notify.errors import DeliveryError

SLACK_HOST = "hooks.slack.com"
# Statuses worth another try later; any other non-2xx answer will not change.
RETRY_STATUSES = frozenset({408, 425, 429})
_ERROR_BODY_LIMIT = 300


def is_slack(url: str) -> bool:
    """A Slack incoming webhook (which takes Slack's own message format)."""
    parts = urlsplit(url)
    return parts.scheme.lower() == "https" and (parts.hostname or "").lower() == SLACK_HOST


def display(url: str) -> str:
    """A webhook URL fit to print: its path is often the secret, so only the host shows."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


def post(
    session: requests.Session,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout_s: float,
    allow_private: bool,
) -> None:
    """POST ``body`` as JSON; return on a 2xx answer, else raise :class:`DeliveryError`."""
    try:
        vet_url(url, allow_private=allow_private)
    except (InvalidURL, PolicyViolation) as exc:
        raise DeliveryError(f"webhook URL refused: {exc.reason}", permanent=True) from exc
    ensure_guarded(session, AddressGuard(allow_private=allow_private))
    sent_headers = {"Content-Type": "application/json", **headers}
    try:
        # The timeouts bound each wait; the deadline bounds a receiver that drips.
        with response_deadline(time.monotonic() + 2 * timeout_s):
            response = session.post(
                url,
                data=body,
                headers=sent_headers,
                timeout=(timeout_s, timeout_s),
                allow_redirects=False,
                stream=True,
            )
    except PolicyViolation as exc:
        raise DeliveryError(f"webhook URL refused: {exc.reason}", permanent=True) from exc
    except requests.RequestException as exc:
        refused = _policy_refusal(exc)
        if refused is not None:
            raise DeliveryError(f"webhook URL refused: {refused}", permanent=True) from exc
        if _not_connected(exc):
            raise DeliveryError(f"cannot reach the webhook: {exc}") from exc
        raise DeliveryError(f"webhook request failed: {exc}", ambiguous=True) from exc
    try:
        if 200 <= response.status_code < 300:
            return
        answer = _snippet(response)
        reason = f"webhook answered {response.status_code}{': ' + answer if answer else ''}"
        temporary = response.status_code >= 500 or response.status_code in RETRY_STATUSES
        raise DeliveryError(
            reason,
            permanent=not temporary,
            retry_after=retry_after(response.headers.get("Retry-After")) if temporary else None,
        )
    finally:
        response.close()


def retry_after(value: str | None, now: datetime | None = None) -> timedelta | None:
    """The wait a ``Retry-After`` header asks for (:func:`checks.http.retry_after_s`),
    at most a day: an absurd figure must not overflow (the caller caps it lower)."""
    seconds = retry_after_s(value, now or datetime.now(UTC))
    return None if seconds is None else timedelta(seconds=min(seconds, 86400.0))


def _snippet(response: requests.Response) -> str:
    try:
        raw = response.raw.read(_ERROR_BODY_LIMIT, decode_content=True) or b""
    except Exception:  # the answer's body only decorates the error message
        return ""
    return " ".join(raw.decode("utf-8", "replace").split())


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        nested = current.args[0] if current.args else None
        if isinstance(current, MaxRetryError) and current.reason is not None:
            current = current.reason
        elif isinstance(nested, BaseException):
            current = nested
        else:
            current = current.__cause__ or current.__context__
    return seen


def _policy_refusal(exc: BaseException) -> str | None:
    for cause in _causes(exc):
        if isinstance(cause, PolicyViolation):
            return cause.reason
    return None


def _not_connected(exc: BaseException) -> bool:
    """The request never reached the receiver (so sending again cannot duplicate it)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    return any(isinstance(c, NewConnectionError | NameResolutionError) for c in _causes(exc))
