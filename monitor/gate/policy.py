"""The CI gate's policy: which citations fail a build, which only warn.

Pure decisions over the status document (:mod:`monitor.reports.status`); nothing here
reads files or the store. The gate fails closed: a verdict the policy does not name, or
a source never checked, fails unless the policy says otherwise.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from checks.model import FAILING_VERDICTS, ErrorKind, Verdict

KNOWN_VERDICTS = frozenset(v.value for v in Verdict)
_FAILING = frozenset(v.value for v in FAILING_VERDICTS)

DEFAULT_FAIL_ON = frozenset({"broken", "soft_404", "claim_missing", "type_mismatch"})
DEFAULT_WARN_ON = frozenset({"moved", "blocked", "transient", "anchor_missing"})
DEFAULT_PASS_ON = frozenset({"ok"})

# Rule names for findings that do not come from a verdict.
RULE_UNREGISTERED = "unregistered"
RULE_TLS_EXPIRING = "tls_expiring"
RULE_UNCHECKED = "unchecked"
RULE_UNKNOWN_VERDICT = "unknown_verdict"
# The monitor's own check of the source failed (error kind ``internal``): the citation
# was not judged, so the gate fails closed, as for a source never checked.
RULE_CHECK_FAILED = "check_failed"

TITLES: Mapping[str, str] = MappingProxyType(
    {
        "ok": "Citation ok",
        "moved": "Citation moved",
        "broken": "Broken citation",
        "soft_404": "Cited page gone (soft 404)",
        "blocked": "Citation blocked",
        "transient": "Citation failing for now",
        "claim_missing": "Cited evidence missing",
        "anchor_missing": "Cited anchor missing",
        "type_mismatch": "Cited document type changed",
        "tls_error": "Citation TLS error",
        "invalid": "Invalid citation URL",
        RULE_UNREGISTERED: "Citation not in the registry",
        RULE_TLS_EXPIRING: "TLS certificate expiring",
        RULE_UNCHECKED: "Citation not checked",
        RULE_UNKNOWN_VERDICT: "Unknown verdict",
        RULE_CHECK_FAILED: "Citation not judged (the check failed)",
    }
)

POLICY_KEYS = (
    "fail_on",
    "warn_on",
    "pass_on",
    "archive_excuses",
    "fail_on_unregistered",
    "tls_warn",
    "tls_warn_days",
    "fail_on_unknown_verdict",
)


class Severity(enum.StrEnum):
    """How a finding weighs on the gate."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        """0 for the worst; findings sort by it."""
        return _RANK[self]


_RANK = {Severity.FAIL: 0, Severity.WARN: 1, Severity.PASS: 2}


@dataclass(frozen=True)
class GatePolicy:
    """What fails the gate.

    A verdict in ``fail_on`` fails, one in ``warn_on`` warns, one in ``pass_on`` (and
    ``ok``) passes; any other verdict, and a source never checked, fails when
    ``fail_on_unknown_verdict`` and warns otherwise. With ``archive_excuses`` a failing
    citation whose source has a verified archived copy only warns: the copy can be cited.
    """

    fail_on: frozenset[str] = DEFAULT_FAIL_ON
    warn_on: frozenset[str] = DEFAULT_WARN_ON
    archive_excuses: bool = True
    fail_on_unregistered: bool = True
    tls_warn: bool = True
    tls_warn_days: int = 30
    fail_on_unknown_verdict: bool = True
    pass_on: frozenset[str] = DEFAULT_PASS_ON

    def __post_init__(self) -> None:
        for key in ("fail_on", "warn_on", "pass_on"):
            _check_names(key, getattr(self, key))
        if self.tls_warn_days < 0:
            raise ValueError(f"policy.tls_warn_days must be 0 or more, got {self.tls_warn_days}")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> GatePolicy:
        """The policy described by the registry's ``settings.policy`` mapping.

        Keys are optional: ``fail_on``, ``warn_on``, ``pass_on`` (lists of verdict
        names), ``archive_excuses``, ``fail_on_unregistered``, ``tls_warn``,
        ``fail_on_unknown_verdict`` (booleans) and ``tls_warn_days`` (an integer). A
        verdict listed explicitly leaves the default lists it was in, so
        ``fail_on: [moved]`` alone is enough to make moved citations fail.

        Raises ValueError naming the key for an unknown key, an unknown verdict name, a
        verdict listed twice, or a value of the wrong type.
        """
        if settings is None:
            return cls()
        if not isinstance(settings, Mapping):
            raise ValueError(f"policy must be a mapping, got {type(settings).__name__}")
        unknown = sorted(str(k) for k in settings if k not in POLICY_KEYS)
        if unknown:
            raise ValueError(
                f"unknown policy key(s) {', '.join(unknown)}; known keys: {', '.join(POLICY_KEYS)}"
            )
        explicit = {
            key: _verdict_list(key, settings[key])
            for key in ("fail_on", "warn_on", "pass_on")
            if key in settings
        }
        seen: dict[str, str] = {}
        for key, names in explicit.items():
            for name in sorted(names):
                if name in seen:
                    raise ValueError(
                        f"verdict {name!r} is listed in both policy.{seen[name]} and policy.{key}"
                    )
                seen[name] = key
        defaults = {
            "fail_on": DEFAULT_FAIL_ON,
            "warn_on": DEFAULT_WARN_ON,
            "pass_on": DEFAULT_PASS_ON,
        }
        lists = {key: explicit.get(key, defaults[key] - frozenset(seen)) for key in defaults}
        flags = {
            key: _flag(key, settings[key])
            for key in (
                "archive_excuses",
                "fail_on_unregistered",
                "tls_warn",
                "fail_on_unknown_verdict",
            )
            if key in settings
        }
        days = settings.get("tls_warn_days", 30)
        if isinstance(days, bool) or not isinstance(days, int):
            raise ValueError(f"policy.tls_warn_days must be a whole number of days, got {days!r}")
        return cls(
            fail_on=lists["fail_on"],
            warn_on=lists["warn_on"],
            pass_on=lists["pass_on"],
            tls_warn_days=days,
            **flags,
        )

    def classify(self, verdict: str | None) -> Severity:
        """The severity of one verdict before archive and TLS adjustments."""
        if verdict in self.fail_on:
            return Severity.FAIL
        if verdict in self.warn_on:
            return Severity.WARN
        if verdict in self.pass_on or verdict == Verdict.OK.value:
            return Severity.PASS
        return Severity.FAIL if self.fail_on_unknown_verdict else Severity.WARN


def _check_names(key: str, names: Iterable[str]) -> None:
    unknown = sorted(str(n) for n in names if n not in KNOWN_VERDICTS)
    if unknown:
        raise ValueError(
            f"unknown verdict name(s) {', '.join(map(repr, unknown))} in policy.{key}; "
            f"known verdicts: {', '.join(v.value for v in Verdict)}"
        )


def _verdict_list(key: str, value: Any) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Sequence | frozenset | set):
        raise ValueError(f"policy.{key} must be a list of verdict names, got {value!r}")
    if not all(isinstance(v, str) for v in value):
        raise ValueError(f"policy.{key} must hold verdict names (strings), got {list(value)!r}")
    _check_names(key, value)
    return frozenset(value)


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"policy.{key} must be true or false, got {value!r}")
    return value


@dataclass(frozen=True)
class GateFinding:
    """One citation (or one uncited source, or one unregistered link) as the gate sees it.

    ``document`` is the document id and ``path`` its repo-relative file; both are None
    for a registered source that no document cites. ``rule`` names what was found: a
    verdict, or one of ``unregistered``, ``tls_expiring``, ``unchecked``,
    ``unknown_verdict``. ``archive_url`` is the verified archived copy to cite instead.
    """

    severity: Severity
    source_id: str | None
    url: str
    verdict: str | None
    reason: str
    document: str | None
    line: int | None
    title: str
    message: str
    path: str | None = None
    rule: str = ""
    archive_url: str | None = None


@dataclass(frozen=True)
class GateOutcome:
    """Every finding, worst first, and whether the gate fails."""

    findings: tuple[GateFinding, ...]
    failed: bool
    counts: Mapping[Severity, int]

    def at(self, severity: Severity) -> tuple[GateFinding, ...]:
        """The findings of one severity, in outcome order."""
        return tuple(f for f in self.findings if f.severity is severity)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 timestamp from the status document, as an aware datetime (UTC if naive)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def generated_at(status: Mapping[str, Any]) -> datetime:
    """When the status document was made: the gate's "now" when reports judge it."""
    moment = parse_time(status.get("generated_at"))
    if moment is None:
        raise ValueError("the status document has no generated_at")
    return moment


def evaluate(
    status: Mapping[str, Any],
    policy: GatePolicy,
    *,
    unregistered: Sequence[tuple[str, int, str]] = (),
    documents: Sequence[str] | None = None,
    now: datetime,
) -> GateOutcome:
    """Judge every citation in ``status`` under ``policy``.

    One finding per citation (a source cited twice gives two), one per registered source
    that no document cites (only when ``documents`` is None), and one per
    ``unregistered`` link, given as (document id, line, url), besides those the status
    document lists under ``unregistered``. ``documents`` limits the
    findings to citations in those documents, named by id or by path. ``now`` is the
    moment TLS expiry is measured from.

    When the status's run was inconclusive (the monitor's own network looked down), a
    source whose check in that run failed at the network level with no answer is judged
    as never checked, not as broken: the run says nothing about it.
    """
    paths = {d["id"]: d["path"] for d in status.get("documents", ())}
    wanted = _wanted(documents, paths)
    offline_since = _offline_since(status)
    findings: list[GateFinding] = []
    for source in status.get("sources", ()):
        if offline_since is not None and _failed_offline(source, offline_since):
            # Judged as never checked, as the run changed no health: the gate still fails
            # (unless the policy lets unchecked sources pass), but calls nothing broken.
            source = {**source, "verdict": None, "reason": _offline_reason(source)}
        citations = source.get("citations") or []
        if not citations and wanted is None:
            findings.append(_judge(source, policy, None, None, None, now))
        for citation in citations:
            doc = citation["document"]
            if wanted is not None and doc not in wanted:
                continue
            findings.append(_judge(source, policy, doc, citation["line"], paths.get(doc, doc), now))
    listed = [(u["document"], u["line"], u["url"]) for u in status.get("unregistered", ())]
    for doc, line, url in dict.fromkeys([*listed, *unregistered]):
        if wanted is not None and doc not in wanted:
            continue
        findings.append(_unregistered(policy, doc, line, url, paths.get(doc, doc)))
    findings.sort(key=_order)
    counts = Counter(f.severity for f in findings)
    return GateOutcome(
        findings=tuple(findings),
        failed=counts[Severity.FAIL] > 0,
        counts=MappingProxyType({s: counts[s] for s in Severity}),
    )


def _offline_since(status: Mapping[str, Any]) -> datetime | None:
    """When the status's run began, if that run was inconclusive (our network looked down)."""
    run = status.get("run") or {}
    return parse_time(run.get("started_at")) if run.get("inconclusive") else None


def _failed_offline(source: Mapping[str, Any], since: datetime) -> bool:
    """Whether the source's newest check failed at the network level, with no answer from
    its host, during the inconclusive run that began at ``since``: a check that tells
    about our own network, not about the source."""
    checked_at = parse_time(source.get("checked_at"))
    if checked_at is None or checked_at < since or source.get("status") is not None:
        return False
    try:
        kind = ErrorKind(str(source.get("error_kind")))
    except ValueError:  # no error, or one a newer monitor names
        return False
    return kind.is_network_level


def _offline_reason(source: Mapping[str, Any]) -> str:
    said = str(source.get("reason") or "").rstrip(".")
    why = "its check ran while the monitor's own network looked down"
    return f"{why}, and failed: {said}" if said else why


def _wanted(documents: Sequence[str] | None, paths: Mapping[str, str]) -> frozenset[str] | None:
    if documents is None:
        return None
    by_path = {path: doc for doc, path in paths.items()}
    return frozenset(by_path.get(d, d) for d in documents)


def _order(f: GateFinding) -> tuple[int, bool, str, int, str]:
    # Uncited sources (no document) come after the citations of the same severity.
    return (f.severity.rank, f.document is None, f.document or "", f.line or 0, f.url)


def _judge(
    source: Mapping[str, Any],
    policy: GatePolicy,
    document: str | None,
    line: int | None,
    path: str | None,
    now: datetime,
) -> GateFinding:
    verdict: str | None = source.get("verdict")
    url: str = source["url"]
    reason = str(source.get("reason") or "")
    severity = policy.classify(verdict)
    if source.get("error_kind") == ErrorKind.INTERNAL.value:
        rule, severity = RULE_CHECK_FAILED, Severity.FAIL
    elif verdict is None:
        rule = RULE_UNCHECKED
    elif verdict not in KNOWN_VERDICTS:
        rule = RULE_UNKNOWN_VERDICT
    else:
        rule = verdict
    title = TITLES[rule] if rule != RULE_UNKNOWN_VERDICT else f"Unknown verdict {verdict!r}"

    where = f"{url} ({source['id']})" if source.get("id") else url
    if document is None:
        where += ", cited by no document,"
    text = f"{where} is {_describe(rule, verdict)}"
    text += f": {reason.rstrip('.')}." if reason else "."

    archive = source.get("archive") or {}
    archive_url = archive.get("url") if archive.get("status") == "verified" else None
    # Blocked or transient sources may well be alive, and one whose check counted for
    # nothing may be too: no reason yet to cite a copy. Nor for one never judged.
    judged = verdict is not None and rule != RULE_CHECK_FAILED
    replaceable = judged and (severity is Severity.FAIL or verdict in _FAILING)
    if archive_url and replaceable:
        if severity is Severity.FAIL and policy.archive_excuses:
            severity = Severity.WARN
            title += " (archived copy verified)"
        text += f" Cite the verified archived copy instead: {archive_url}"
    else:
        archive_url = None
    if rule == "moved":
        target = source.get("suggested_url") or source.get("final_url")
        if target:
            text += f" Update the citation to {target}"

    expires = parse_time(source.get("tls_expires_at"))
    if policy.tls_warn and expires is not None:
        days_left = (expires - now).total_seconds() / 86400
        if days_left <= policy.tls_warn_days:
            when = "expired" if days_left < 0 else f"expires in {int(days_left)} day(s)"
            tls = f"TLS certificate {when} ({expires.date().isoformat()})"
            text += f" Its {tls}."
            if severity is Severity.PASS:
                severity, rule, title = Severity.WARN, RULE_TLS_EXPIRING, TITLES[RULE_TLS_EXPIRING]
                reason = tls
    return GateFinding(
        severity=severity,
        source_id=source.get("id"),
        url=url,
        verdict=verdict,
        reason=reason,
        document=document,
        line=line,
        title=title,
        message=text.strip(),
        path=path,
        rule=rule,
        archive_url=archive_url,
    )


_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "ok": "ok",
        "moved": "moved",
        "broken": "broken",
        "soft_404": "gone (soft 404)",
        "blocked": "refusing the check",
        "transient": "failing for now",
        "claim_missing": "missing the cited evidence",
        "anchor_missing": "missing the cited anchor",
        "type_mismatch": "not the kind of document cited",
        "tls_error": "failing TLS verification",
        "invalid": "not a URL that can be checked",
        RULE_UNCHECKED: "not checked yet",
        RULE_CHECK_FAILED: "not judged: the monitor's own check of it failed",
    }
)


def _describe(rule: str, verdict: str | None) -> str:
    if rule == RULE_UNKNOWN_VERDICT:
        return f"judged {verdict!r}, a verdict this gate does not know"
    return _DESCRIPTIONS[rule]


def _unregistered(policy: GatePolicy, document: str, line: int, url: str, path: str) -> GateFinding:
    return GateFinding(
        severity=Severity.FAIL if policy.fail_on_unregistered else Severity.WARN,
        source_id=None,
        url=url,
        verdict=None,
        reason="cited in the document but not in the registry",
        document=document,
        line=line,
        title=TITLES[RULE_UNREGISTERED],
        message=f"{url} is cited here but not in the registry, so it is never checked. "
        "Add it to the registry's sources.",
        path=path,
        rule=RULE_UNREGISTERED,
    )
