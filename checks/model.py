"""Records and closed sets shared by every check.

Every record is a frozen dataclass so that a result, once made, cannot change on its
way to storage and reports.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class Verdict(enum.StrEnum):
    """What one check saw. The closed set of DESIGN section 4."""

    OK = "ok"
    MOVED = "moved"
    BROKEN = "broken"
    SOFT_404 = "soft_404"
    BLOCKED = "blocked"
    TRANSIENT = "transient"
    CLAIM_MISSING = "claim_missing"
    ANCHOR_MISSING = "anchor_missing"
    TYPE_MISMATCH = "type_mismatch"
    TLS_ERROR = "tls_error"
    INVALID = "invalid"

    @property
    def is_failure(self) -> bool:
        """True when the citation cannot be relied on as it stands."""
        return self in FAILING_VERDICTS

    @property
    def is_inconclusive(self) -> bool:
        """True when the check could not tell whether the source is alive."""
        return self in (Verdict.BLOCKED, Verdict.TRANSIENT)


FAILING_VERDICTS = frozenset(
    {
        Verdict.BROKEN,
        Verdict.SOFT_404,
        Verdict.CLAIM_MISSING,
        Verdict.ANCHOR_MISSING,
        Verdict.TYPE_MISMATCH,
        Verdict.TLS_ERROR,
        Verdict.INVALID,
    }
)


class ErrorKind(enum.StrEnum):
    """Network and protocol failures, classified once at the HTTP edge."""

    DNS = "dns"
    REFUSED = "connection_refused"
    RESET = "connection_reset"
    CONNECT_TIMEOUT = "connect_timeout"
    READ_TIMEOUT = "read_timeout"
    DEADLINE = "deadline_exceeded"
    TLS = "tls"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    REDIRECT_LOOP = "redirect_loop"
    MISSING_LOCATION = "missing_location"
    TOO_LARGE = "too_large"
    DECOMPRESSION = "decompression"
    POLICY = "network_policy"
    INVALID_URL = "invalid_url"
    PROTOCOL = "protocol"
    OTHER = "other"
    # The check itself failed (a fault of the monitor's own): nothing is known of the
    # source, nor of the network.
    INTERNAL = "internal"

    @property
    def is_network_level(self) -> bool:
        """Failures that say more about our own network than about the source."""
        return self in (
            ErrorKind.DNS,
            ErrorKind.REFUSED,
            ErrorKind.RESET,
            ErrorKind.CONNECT_TIMEOUT,
            ErrorKind.OTHER,
        )


class ArchiveStatus(enum.StrEnum):
    """Whether an archived copy can replace a failing source."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    NONE = "none"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ClaimSpec:
    """What a check needs to know about one claim: the evidence to look for."""

    id: str
    evidence: str
    lenient: bool = False
    # The statement the evidence backs: of the places a figure is printed, the one
    # among the statement's words is the one shown as where it was found.
    statement: str = ""


class ExpectOrigin(enum.StrEnum):
    """Where a target's expected content type comes from."""

    CITED = "cited"  # the registry's ``expect``, or the check command's option
    LEARNED = "learned"  # the monitor's own earlier checks of the URL were served it


@dataclass(frozen=True)
class CheckTarget:
    """One URL to check, with what the registry expects of it."""

    url: str
    source_id: str | None = None
    expect_content_type: str | None = None
    expect_origin: ExpectOrigin = ExpectOrigin.CITED
    # For a learned type: when a check was last served it, for the reason that names it.
    expect_seen_at: datetime | None = None
    claims: tuple[ClaimSpec, ...] = ()
    accessed: date | None = None
    # Validators from the previous result, for conditional requests.
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RedirectHop:
    """One response in a redirect chain."""

    url: str
    status: int
    location: str | None
    elapsed_ms: float


@dataclass(frozen=True)
class ClaimFinding:
    """Whether one claim's evidence was found in the source, and where."""

    claim_id: str
    found: bool
    sentence: str | None = None
    method: str | None = None  # exact, number, normalised, fuzzy, regex
    score: float | None = None
    lenient: bool = False


@dataclass(frozen=True)
class ArchiveCandidate:
    """A capture that was considered, and why it was taken or rejected."""

    url: str
    captured_at: datetime | None
    archive: str
    accepted: bool
    reason: str


@dataclass(frozen=True)
class ArchiveFallback:
    """The archived copy offered in place of a failing source."""

    status: ArchiveStatus
    url: str | None = None
    captured_at: datetime | None = None
    claims_found: tuple[str, ...] = ()
    candidates: tuple[ArchiveCandidate, ...] = ()
    reason: str | None = None


@dataclass(frozen=True)
class CheckResult:
    """One check of one URL: the verdict and all the evidence behind it."""

    url: str
    verdict: Verdict
    reason: str
    checked_at: datetime
    source_id: str | None = None
    status: int | None = None
    final_url: str | None = None
    suggested_url: str | None = None
    hops: tuple[RedirectHop, ...] = ()
    elapsed_ms: float | None = None
    bytes_read: int = 0
    content_type: str | None = None
    # The media type the body was read as: its first bytes outrank the label (an HTML
    # page labelled application/pdf is text/html). None when no body was read.
    document_type: str | None = None
    fingerprint: str | None = None
    claims: tuple[ClaimFinding, ...] = ()
    error_kind: ErrorKind | None = None
    error: str | None = None
    attempts: int = 1
    tls_expires_at: datetime | None = None
    warnings: tuple[str, ...] = ()
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    archive: ArchiveFallback | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def replace(self, **changes: Any) -> CheckResult:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (enums as values, datetimes as ISO 8601)."""
        plain: dict[str, Any] = _plain(self)
        return plain


@dataclass(frozen=True)
class CheckSettings:
    """Limits and identity for one check. Defaults follow DESIGN section 6."""

    user_agent: str = "citation-monitor/1.0 (+https://example.org/contact)"
    timeout_s: float = 20.0
    # Total wall time for one request including the body, against slow drips.
    deadline_s: float = 60.0
    max_redirects: int = 10
    max_bytes_html: int = 2 * 1024 * 1024
    max_bytes_pdf: int = 50 * 1024 * 1024
    max_bytes_other: int = 2 * 1024 * 1024
    max_decompressed_bytes: int = 64 * 1024 * 1024
    retries: int = 2
    backoff_base_s: float = 0.5
    retry_after_cap_s: float = 30.0
    allow_private: bool = False
    ca_bundle: str | None = None
    verify_tls: bool = True
    tls_warn_days: int = 30
    # HEAD instead of GET when nothing needs the body (no claims, fragment or expected
    # type). Cheaper, but skips soft-404 detection, so off by default.
    head_first: bool = False
    # Per-host extra headers, e.g. {"example.org": {"User-Agent": "Mozilla/5.0 ..."}}.
    host_headers: dict[str, dict[str, str]] = field(default_factory=dict, compare=False)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    # What dataclasses.asdict followed by this conversion gives, in one pass and without
    # asdict's deep copies: every run converts each of its results more than once.
    if type(value) in _LEAVES:
        return value
    names = _FIELD_NAMES.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
