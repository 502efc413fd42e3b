"""Save Page Now 2: ask the Wayback Machine to capture a live source (opt-in).

Credentials come from the environment (:meth:`ArchiveConfig.with_env_keys`), never
from the registry. Captures are asynchronous: :func:`request_capture` returns a job id
and :func:`poll_capture` waits for the job to finish.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests

from checks.archive.config import ArchiveConfig
from checks.archive.ratelimit import ArchiveLimiter, Family
from checks.archive.reading import read_capped

# status_ext codes after which the same capture may succeed later (InternetArchiveBot's
# list plus the quota and gateway errors); every other error is permanent for the URL.
RETRY_LATER = frozenset(
    {
        "error:user-session-limit",
        "error:soft-time-limit-exceeded",
        "error:proxy-error",
        "error:browsing-timeout",
        "error:no-browsers-available",
        "error:redis-error",
        "error:capture-location-error",
        "error:celery",
        "error:too-many-daily-captures",
        "error:bandwidth-limit-exceeded",
        "error:max-daily-bandwidth",
        "error:max-daily-bandwidth-from-ip",
        "error:service-unavailable",
        "error:gateway-timeout",
        "error:bad-gateway",
        "error:internal-server-error",
        "error:too-many-requests",
    }
)


class SaveStatus(enum.StrEnum):
    """State of a capture job."""

    PENDING = "pending"
    SUCCESS = "success"
    ERROR = "error"


@dataclass(frozen=True)
class SaveResult:
    """The state of one capture job as Save Page Now reported it."""

    job_id: str
    status: SaveStatus
    timestamp: str | None = None
    original_url: str | None = None
    status_ext: str | None = None
    message: str | None = None
    capture_url: str | None = None

    @property
    def retry_later(self) -> bool:
        """True when a failed job is worth submitting again another day."""
        return self.status is SaveStatus.ERROR and (self.status_ext or "") in RETRY_LATER


class SaveError(Exception):
    """Save Page Now refused a submission."""

    def __init__(self, message: str, status_ext: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_ext = status_ext

    @property
    def retry_later(self) -> bool:
        """True when the same submission may succeed later."""
        return self.status_ext is None or self.status_ext in RETRY_LATER


def needs_capture(last_capture: datetime | None, now: datetime, min_age_days: int) -> bool:
    """True when a live source has no capture, or none newer than ``min_age_days``."""
    if last_capture is None:
        return True
    return now - last_capture >= timedelta(days=min_age_days)


def request_capture(
    url: str,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    *,
    options: Mapping[str, str] | None = None,
) -> str:
    """Submit ``url`` to Save Page Now 2 and return the job id.

    By default only a 200 answer is captured (no ``capture_all``), the first-capture
    check is skipped, and nothing is captured when a capture newer than
    ``config.spn_min_age_days`` exists (``if_not_archived_within``). ``options`` adds or
    overrides form fields (e.g. ``{"force_get": "1"}`` for PDFs).

    Raises :class:`SaveError` when the keys are missing or the submission is refused,
    and :class:`checks.archive.ratelimit.ArchiveUnavailable` when the service cannot be
    reached.
    """
    form = {
        "url": url,
        "if_not_archived_within": f"{config.spn_min_age_days}d",
        "skip_first_archive": "1",
    }
    form.update(options or {})
    response = limiter.request(
        session,
        "POST",
        config.save_url,
        family=Family.SAVE,
        headers=_headers(config),
        data=form,
        timeout=(config.timeout_s, config.timeout_s),
        stream=True,
    )
    payload = _json(response, config)
    job_id = payload.get("job_id")
    if response.status_code == 200 and isinstance(job_id, str) and job_id:
        return job_id
    status_ext = payload.get("status_ext")
    message = str(payload.get("message") or f"Save Page Now answered HTTP {response.status_code}")
    if response.status_code in (401, 403) and not status_ext:
        raise SaveError(message, "error:unauthorized")
    raise SaveError(message, str(status_ext) if status_ext else None)


def poll_capture(
    job_id: str,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    *,
    sleep: Callable[[float], None] = time.sleep,
    max_wait: float = 120.0,
    interval: float = 5.0,
) -> SaveResult:
    """Poll a capture job until it succeeds or fails, or ``max_wait`` seconds of
    waiting have passed (then the last, pending, state is returned)."""
    waited = 0.0
    while True:
        result = capture_status(job_id, config, session, limiter)
        if result.status is not SaveStatus.PENDING or waited + interval > max_wait:
            return result
        sleep(interval)
        waited += interval


def capture_status(
    job_id: str, config: ArchiveConfig, session: requests.Session, limiter: ArchiveLimiter
) -> SaveResult:
    """One status request for a capture job."""
    response = limiter.request(
        session,
        "GET",
        config.save_status_url(job_id),
        family=Family.SAVE_STATUS,
        headers=_headers(config),
        timeout=(config.timeout_s, config.timeout_s),
        stream=True,
    )
    return parse_status(_json(response, config), job_id, config)


def parse_status(payload: Mapping[str, Any], job_id: str, config: ArchiveConfig) -> SaveResult:
    """A status answer as a :class:`SaveResult`; anything unexpected is an error."""
    raw = str(payload.get("status") or "")
    try:
        status = SaveStatus(raw)
    except ValueError:
        status = SaveStatus.ERROR
    timestamp = payload.get("timestamp")
    original = payload.get("original_url")
    capture_url = None
    if status is SaveStatus.SUCCESS and isinstance(timestamp, str) and isinstance(original, str):
        capture_url = config.replay_url(timestamp, original, raw=False)
    status_ext = payload.get("status_ext")
    message = payload.get("message") or payload.get("exception")
    if status is SaveStatus.ERROR and not raw:
        message = message or "unexpected Save Page Now status answer"
    return SaveResult(
        job_id=str(payload.get("job_id") or job_id),
        status=status,
        timestamp=timestamp if isinstance(timestamp, str) else None,
        original_url=original if isinstance(original, str) else None,
        status_ext=str(status_ext) if status_ext else None,
        message=str(message) if message else None,
        capture_url=capture_url,
    )


def _headers(config: ArchiveConfig) -> dict[str, str]:
    if not config.has_spn_keys:
        raise SaveError("Save Page Now keys are not configured", "error:unauthorized")
    return {
        "User-Agent": config.user_agent,
        "Accept": "application/json",
        "Authorization": f"LOW {config.spn_access_key}:{config.spn_secret_key}",
    }


def _json(response: requests.Response, config: ArchiveConfig) -> dict[str, Any]:
    with response:
        body = read_capped(
            response,
            cap=_MAX_ANSWER_BYTES,
            deadline_s=config.lookup_deadline_s,
            read_timeout=config.timeout_s,
            what="Save Page Now answer",
        )
    try:
        payload = json.loads(body.data)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


# A job or status answer is a few hundred bytes; a list of resources a few thousand.
_MAX_ANSWER_BYTES = 1024 * 1024
