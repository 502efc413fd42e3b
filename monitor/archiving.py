"""Archive lookups for failing sources during a run, cached in the database."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests

from checks.archive import ArchiveConfig, ArchiveLimiter, LookupCache, find_fallback
from checks.archive.cache import InMemoryLookupCache
from checks.archive.config import MementoEndpoint
from checks.archive.savepagenow import needs_capture, poll_capture, request_capture
from checks.archive.wayback import newest_capture
from checks.model import ArchiveFallback, ArchiveStatus, CheckResult, CheckTarget, Verdict
from monitor.clock import Clock, utc_now
from monitor.registry.model import ArchiveEndpoints, Settings
from monitor.store import Store

# Only a source that no longer serves what was cited needs a replacement; a blocked or
# transient one is probably alive, and archives are a shared, rate-limited resource.
NEEDS_ARCHIVE = frozenset(
    {Verdict.BROKEN, Verdict.SOFT_404, Verdict.CLAIM_MISSING, Verdict.TYPE_MISMATCH}
)


class StoreLookupCache:
    """The archive client's lookup cache, kept in the database between runs."""

    def __init__(self, store: Store, now: Clock = utc_now) -> None:
        self.store = store
        self.now = now

    def get(self, key: str) -> str | None:
        return self.store.cache_get(key, self.now())

    def put(self, key: str, value: str, ttl: timedelta) -> None:
        self.store.cache_put(key, value, self.now() + ttl)


def archive_config(settings: Settings, environ: Mapping[str, str] | None = None) -> ArchiveConfig:
    archives = settings.archives
    config = ArchiveConfig(
        wayback=archives.wayback,
        memento=tuple(archives.memento),
        user_agent=settings.user_agent,
        timeout_s=settings.timeout_s,
        # Mementos an archive lists on other hosts obey the checks' network policy.
        allow_private=settings.allow_private,
    )
    return config.with_env_keys(os.environ if environ is None else environ)


def with_overrides(endpoints: ArchiveEndpoints, overrides: tuple[str, ...]) -> ArchiveEndpoints:
    """Apply ``--archive wayback=URL`` / ``--archive memento=URL`` options.

    Any ``memento=`` option replaces the registry's Memento list; ``wayback=none``
    turns the Wayback Machine off.
    """
    wayback = endpoints.wayback
    memento: list[str] = []
    for option in overrides:
        name, sep, url = option.partition("=")
        if not sep or name not in ("wayback", "memento") or not url:
            raise ValueError(f"--archive expects wayback=URL or memento=URL, got {option!r}")
        if name == "wayback":
            wayback = None if url.lower() == "none" else _http_url(url, option)
        else:
            # Checked now, so that a typo fails the command, not every lookup of the run.
            _http_url(MementoEndpoint.parse(url).timegate, option)
            memento.append(url)
    return ArchiveEndpoints(wayback=wayback, memento=tuple(memento) or endpoints.memento)


def _http_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"--archive {option!r}: expected an http(s) URL")
    return url


# When a source was last seen healthy, by source id; None when never or unknown.
LastHealthy = Callable[[str], datetime | None]


class ArchiveLookups:
    """The run's after-check step: a verified archived copy for each failing source."""

    def __init__(
        self,
        config: ArchiveConfig,
        cache: LookupCache | None = None,
        *,
        now: Clock = utc_now,
        spn_wait_s: float = 120.0,
        last_healthy: LastHealthy | None = None,
    ) -> None:
        self.config = config
        self.now = now
        self.spn_wait_s = spn_wait_s
        self.limiter = ArchiveLimiter.from_config(config)
        # Same rates and outages as the fallbacks (the archive sees one client), but a
        # budget of its own: saving healthy sources must not starve dead ones.
        self.save_limiter = self.limiter.with_budget(config.save_budget)
        self.cache: LookupCache = cache if cache is not None else InMemoryLookupCache()
        if last_healthy is None and isinstance(cache, StoreLookupCache):
            last_healthy = cache.store.last_success_at
        self.last_healthy = last_healthy
        self._local = threading.local()

    @property
    def enabled(self) -> bool:
        return bool(self.config.wayback or self.config.memento)

    @property
    def active(self) -> bool:
        """Whether a run needs this step at all: archives to ask, or captures to save."""
        return self.enabled or bool(self.config.has_spn_keys and self.config.wayback)

    def _session(self) -> requests.Session:
        # Archives are configured, trusted endpoints: a plain session of their own, so
        # the checker's network policy and per-check cookies don't apply to them.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.config.user_agent
            self._local.session = session
        return session

    def __call__(
        self, target: CheckTarget, result: CheckResult, _session: requests.Session
    ) -> CheckResult:
        if result.verdict is Verdict.OK and self.config.has_spn_keys and self.config.wayback:
            return self._capture_if_stale(target, result)
        if not self.enabled or result.verdict not in NEEDS_ARCHIVE:
            return result
        try:
            fallback = find_fallback(
                target,
                self.config,
                session=self._session(),
                limiter=self.limiter,
                cache=self.cache,
                last_healthy=self._last_healthy(target),
            )
        except Exception as exc:  # an archive bug must not lose the source's own result
            fallback = ArchiveFallback(
                ArchiveStatus.UNKNOWN, reason=f"archive lookup failed: {exc}"
            )
        return result.replace(archive=fallback)

    def _last_healthy(self, target: CheckTarget) -> datetime | None:
        """When the monitor last saw the source work: without an access date, the
        captures before then are the ones most likely to show what was cited."""
        if target.accessed is not None or self.last_healthy is None or not target.source_id:
            return None
        try:
            return self.last_healthy(target.source_id)
        except Exception:  # a history that cannot be read only costs the preference
            return None

    def _capture_if_stale(self, target: CheckTarget, result: CheckResult) -> CheckResult:
        """Save Page Now (opt-in, keys from the environment): a live source with no
        capture in the last ``spn_min_age_days`` gets one, so that a copy exists
        before the source dies. The outcome is recorded with the result; a failure
        of any kind is recorded too, never raised: it must not abort the run."""
        session = self._session()
        limiter = self.save_limiter
        saved: dict[str, object]
        try:
            newest = newest_capture(
                target.url, self.config, session=session, limiter=limiter, cache=self.cache
            )
            if not needs_capture(newest, self.now(), self.config.spn_min_age_days):
                return result
            pdf = (target.expect_content_type or "").endswith("pdf")
            job = request_capture(
                target.url,
                self.config,
                session,
                limiter,
                options={"force_get": "1"} if pdf else None,
            )
            done = poll_capture(job, self.config, session, limiter, max_wait=self.spn_wait_s)
            saved = {
                "job_id": done.job_id,
                "status": done.status.value,
                "captured_at": done.timestamp,
                "url": done.capture_url,
                "message": done.message,
                "previous_capture": newest.isoformat() if newest else None,
            }
        except Exception as exc:
            saved = {"status": "error", "message": str(exc) or type(exc).__name__}
        return result.replace(extra={**result.extra, "saved_capture": saved})
