"""Where the web archives live and how hard we may lean on them.

Every endpoint is derived from a base URL so that tests (and mirrors) can point the
whole client at another host.

Memento archives are configured as one string each. The first token is the archive's
TimeGate base (the TimeGate for a URL is ``<base><url>``). Optional tokens follow:

- ``timemap=<base>``: the TimeMap base (TimeMap for a URL is ``<base><url>``). Without it
  the pywb/OpenWayback convention is assumed: ``<timegate base>timemap/link/`` (true for
  the Internet Archive, the Library of Congress, Arquivo.pt, the UK Web Archive and
  Archive-It). A TimeGate base ending in ``timegate/`` instead gets that segment
  replaced by ``timemap/link/`` (Perma.cc's layout). Archives that fit neither
  (archive.today, the UK National Archives) need an explicit ``timemap=``.
- ``name=<label>``: how candidates from this archive are labelled; defaults to the host.

Example: ``"https://perma.cc/timegate/ name=perma"`` or
``"https://archive.today/timegate/ timemap=https://archive.today/timemap/"``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote, urlsplit

ACCESS_KEY_ENV = "WAYBACK_ACCESS_KEY"
SECRET_KEY_ENV = "WAYBACK_SECRET_KEY"


@dataclass(frozen=True)
class MementoEndpoint:
    """One Memento-compliant archive: its TimeGate and TimeMap bases and a label."""

    name: str
    timegate: str
    timemap: str

    @classmethod
    def parse(cls, spec: str) -> MementoEndpoint:
        """Read one ``memento`` entry (see the module documentation for the syntax)."""
        tokens = spec.split()
        if not tokens:
            raise ValueError("empty Memento archive entry")
        timegate = tokens[0]
        if "=" in timegate.split("://", 1)[0]:
            raise ValueError(f"Memento entry must start with the TimeGate base: {spec!r}")
        options: dict[str, str] = {}
        for token in tokens[1:]:
            key, sep, value = token.partition("=")
            if not sep or key not in ("timemap", "name") or not value:
                raise ValueError(f"unknown option {token!r} in Memento entry {spec!r}")
            options[key] = value
        if not timegate.endswith("/"):
            timegate += "/"
        timemap = options.get("timemap") or _conventional_timemap(timegate)
        name = options.get("name") or urlsplit(timegate).hostname or timegate
        return cls(name=name, timegate=timegate, timemap=timemap)

    def timegate_url(self, url: str) -> str:
        """The TimeGate URI-G for an original URL."""
        return self.timegate + url

    def timemap_url(self, url: str) -> str:
        """The link-format TimeMap URI-T for an original URL."""
        return self.timemap + url


# The ports of plain and secure HTTP: one archive reached either way, as when it
# redirects http to https, is one origin here.
_WEB_PORTS = frozenset({80, 443})


def _origin(url: str) -> tuple[str, int | None] | None:
    # Host and port decide, the scheme does not: an archive redirecting http to https
    # (or back) stays itself; another port on its host is another server.
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    return (host, None if port is None or port in _WEB_PORTS else port)


def _conventional_timemap(timegate: str) -> str:
    if timegate.endswith("/timegate/"):
        return timegate[: -len("timegate/")] + "timemap/link/"
    return timegate + "timemap/link/"


@dataclass(frozen=True)
class ArchiveConfig:
    """Endpoints, limits and credentials for archive lookups and captures."""

    wayback: str | None = "https://web.archive.org"
    memento: tuple[str, ...] = ()
    user_agent: str = "citation-monitor/1.0 (+https://example.org/contact)"
    timeout_s: float = 20.0
    # A verified copy further than this from the reference date (the access date, else
    # the last healthy check) does not end the search: the other archives are asked,
    # and the closest verified copy wins.
    verified_near: timedelta = timedelta(days=31)
    # Replays tried per archive before settling for "unverified" or "none".
    max_candidates: int = 6
    # Lookups (CDX, TimeMap, TimeGate, Availability) share one pool per archive host;
    # the Internet Archive allows about 30/min, so stay well under it.
    requests_per_minute: float = 15.0
    # Playback of captures is limited far more loosely by the archives.
    replay_requests_per_minute: float = 120.0
    # Save Page Now: 7 captures/min authenticated; keep headroom.
    save_requests_per_minute: float = 5.0
    save_status_requests_per_minute: float = 30.0
    # Every request to any archive in one run, retries included.
    run_budget: int = 200
    # 429 handling: bounded retries, Retry-After honoured, never wait longer than this.
    max_retries: int = 1
    default_retry_after_s: float = 60.0
    max_wait_s: float = 120.0
    # Rows asked of the CDX server per URL variant (distinct content versions); enough
    # for a cited document, which rarely changes that often.
    cdx_limit: int = 1000
    # Without a bound the index answers with the oldest rows, so a lookup asks for the
    # newest rows up to this long after the access date: the captures just before it
    # and the first ones after it, in one request.
    cdx_after_horizon: timedelta = timedelta(days=3 * 365)
    # Replays kept for the captures nearest after the access date, so that a page
    # updated just before it was cited is not crowded out by its older versions.
    reserved_after: int = 2
    # Archived redirects are replayed (after every other capture) to reach the copy
    # they lead to; off by default, as each one costs a replay.
    replay_archived_redirects: bool = False
    # With no claim to check, a capture this far from the access date may be another
    # page at the same URL (a previous owner's site): captures nearer than this, after
    # it too, are tried first.
    unchecked_window: timedelta = timedelta(days=365)
    # URL variants (as cited, no scheme, other scheme, other www.) asked in turn while
    # the index answers empty.
    cdx_variants: int = 5
    # Wall time for reading one replay, against archives that drip bytes.
    replay_deadline_s: float = 90.0
    max_replay_redirects: int = 5
    # Lookup answers (CDX, TimeMap, Availability) are read under a cap on decoded bytes
    # and a wall-time deadline: an archive may send a decompression bomb or drip.
    max_lookup_bytes: int = 8 * 1024 * 1024
    lookup_deadline_s: float = 60.0
    max_bytes_pdf: int = 50 * 1024 * 1024
    max_bytes_other: int = 5 * 1024 * 1024
    cache_ttl: timedelta = timedelta(days=1)
    # "Nothing archived" is re-asked sooner: new captures appear.
    empty_cache_ttl: timedelta = timedelta(hours=6)
    spn_access_key: str | None = None
    spn_secret_key: str | None = None
    spn_min_age_days: int = 30
    # The network policy for hosts other than the configured archives, which an
    # archive's answers can name (a TimeMap lists mementos on any host): loopback and
    # private addresses are refused unless true, as for the sources themselves. The
    # configured archives are reached wherever they are: they are settings.
    allow_private: bool = False
    # Save Page Now (freshness lookups, submissions and polls) spends from a budget of
    # its own, so that healthy sources never starve the fallbacks of dead ones.
    save_budget: int = 50

    def with_env_keys(self, environ: Mapping[str, str]) -> ArchiveConfig:
        """A copy carrying Save Page Now keys from ``WAYBACK_ACCESS_KEY`` and
        ``WAYBACK_SECRET_KEY`` in ``environ``; unset or blank variables change nothing."""
        access = environ.get(ACCESS_KEY_ENV, "").strip() or self.spn_access_key
        secret = environ.get(SECRET_KEY_ENV, "").strip() or self.spn_secret_key
        return dataclasses.replace(self, spn_access_key=access, spn_secret_key=secret)

    @property
    def has_spn_keys(self) -> bool:
        """True when both Save Page Now keys are present."""
        return bool(self.spn_access_key and self.spn_secret_key)

    def is_configured_archive(self, url: str) -> bool:
        """Whether ``url`` is on the host (and port) of a configured archive endpoint."""
        origin = _origin(url)
        if origin is None:
            return False
        bases = [self.wayback] if self.wayback else []
        for spec in self.memento:
            try:
                endpoint = MementoEndpoint.parse(spec)
            except ValueError:
                continue
            bases += [endpoint.timegate, endpoint.timemap]
        return any(_origin(base) == origin for base in bases)

    @property
    def memento_endpoints(self) -> tuple[MementoEndpoint, ...]:
        """The parsed ``memento`` entries."""
        return tuple(MementoEndpoint.parse(spec) for spec in self.memento)

    def _wayback_base(self) -> str:
        if not self.wayback:
            raise ValueError("no Wayback base URL configured")
        return self.wayback.rstrip("/")

    @property
    def cdx_url(self) -> str:
        """The CDX search endpoint."""
        return self._wayback_base() + "/cdx/search/cdx"

    @property
    def availability_url(self) -> str:
        """The Availability API endpoint."""
        return self._wayback_base() + "/wayback/available"

    def replay_url(self, timestamp: str, original: str, *, raw: bool = True) -> str:
        """A capture's playback URL; ``raw`` adds the ``id_`` modifier (original bytes)."""
        modifier = "id_" if raw else ""
        return f"{self._wayback_base()}/web/{timestamp}{modifier}/{original}"

    @property
    def save_url(self) -> str:
        """The Save Page Now 2 submission endpoint."""
        return self._wayback_base() + "/save"

    def save_status_url(self, job_id: str) -> str:
        """The Save Page Now 2 status endpoint for one job."""
        return f"{self._wayback_base()}/save/status/{quote(job_id, safe='')}"
