"""``status.sarif``: failing and warning citations as SARIF 2.1.0, for code scanning.

One run; one rule per verdict (and per gate-only finding: unregistered, TLS expiring,
not checked, unknown verdict); one result per failing or warning citation, located at
the document line that cites it. Passing citations are left out: code scanning would
show each one as an alert.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from checks.model import Verdict
from monitor.gate.policy import (
    RULE_CHECK_FAILED,
    RULE_TLS_EXPIRING,
    RULE_UNCHECKED,
    RULE_UNKNOWN_VERDICT,
    RULE_UNREGISTERED,
    TITLES,
    GateFinding,
    GatePolicy,
    Severity,
    evaluate,
    generated_at,
)
from monitor.reports.formats.base import RenderedFormat, without_surrogates

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "citation-monitor"
TOOL_VERSION = "0.1.0"
INFORMATION_URI = "https://example.org/citation-monitor"

# Code scanning rejects a run with more results; findings come worst first.
MAX_RESULTS = 25_000

_LEVELS = {Severity.FAIL: "error", Severity.WARN: "warning", Severity.PASS: "none"}

# (full description, help) per rule; GitHub shows both on the alert page.
_RULE_TEXT: Mapping[str, tuple[str, str]] = {
    "ok": ("The cited source is reachable and holds what is cited.", "Nothing to do."),
    "moved": (
        "The cited URL still works but redirects permanently elsewhere.",
        "Update the citation to the new address.",
    ),
    "broken": (
        "The cited URL is gone: 404 or 410, DNS failure, refused connection or a redirect loop.",
        "Cite the verified archived copy, or find where the source moved.",
    ),
    "soft_404": (
        "The cited URL answers, but with a not-found page, a redirect to the site root or "
        "a parked domain.",
        "Cite the verified archived copy, or find where the source moved.",
    ),
    "blocked": (
        "The site refused the check or rate-limited it; the source may be fine.",
        "Check the source by hand; configure headers for the host if it keeps refusing.",
    ),
    "transient": (
        "The check failed in a way that may pass later: a timeout, a 5xx or a reset.",
        "Wait for the next check; act if it persists.",
    ),
    "claim_missing": (
        "The cited source is reachable but no longer holds the cited evidence.",
        "Cite the verified archived copy that holds the evidence, or revise the claim.",
    ),
    "anchor_missing": (
        "The page is reachable but the cited #fragment is not in it.",
        "Update the fragment, or cite the page without it.",
    ),
    "type_mismatch": (
        "The URL serves another kind of document than the one cited, e.g. a login page "
        "instead of a PDF.",
        "Cite the verified archived copy, or find where the document moved.",
    ),
    "tls_error": (
        "The site's certificate is expired, self-signed or for another host.",
        "Check the site by hand; cite an archived copy if it stays broken.",
    ),
    "invalid": (
        "The cited URL cannot be checked: malformed, an unsupported scheme, or refused "
        "by the network policy.",
        "Correct the URL in the document and the registry.",
    ),
    RULE_UNREGISTERED: (
        "The document cites a URL the registry does not list, so it is never checked.",
        "Add the URL to the registry's sources.",
    ),
    RULE_TLS_EXPIRING: (
        "The cited site's TLS certificate expires soon.",
        "Nothing to change in the document yet; the site may stop working when it expires.",
    ),
    RULE_UNCHECKED: (
        "The cited source has not been checked yet.",
        "Run the monitor before publishing.",
    ),
    RULE_CHECK_FAILED: (
        "The monitor's own check of the cited source failed, so it was not judged.",
        "Report the error in the check's reason to the monitor's maintainers, then check again.",
    ),
    RULE_UNKNOWN_VERDICT: (
        "The status holds a verdict this gate does not know.",
        "Update the monitor, or name the verdict in the gate policy.",
    ),
}

RULE_IDS: tuple[str, ...] = (
    *(v.value for v in Verdict),
    RULE_UNREGISTERED,
    RULE_TLS_EXPIRING,
    RULE_UNCHECKED,
    RULE_UNKNOWN_VERDICT,
    RULE_CHECK_FAILED,
)


def _camel(rule: str) -> str:
    return "".join(part.capitalize() for part in rule.split("_"))


def _default_level(rule: str, policy: GatePolicy) -> str:
    if rule == RULE_UNREGISTERED:
        return "error" if policy.fail_on_unregistered else "warning"
    if rule == RULE_TLS_EXPIRING:
        return "warning"
    if rule == RULE_CHECK_FAILED:
        return "error"
    if rule in (RULE_UNCHECKED, RULE_UNKNOWN_VERDICT):
        return "error" if policy.fail_on_unknown_verdict else "warning"
    return _LEVELS[policy.classify(rule)]


def rules(policy: GatePolicy) -> list[dict[str, Any]]:
    """The SARIF rules, one per verdict and gate-only finding, levels from ``policy``."""
    return [
        {
            "id": rule,
            "name": _camel(rule),
            "shortDescription": {"text": TITLES[rule]},
            "fullDescription": {"text": _RULE_TEXT[rule][0]},
            "help": {"text": _RULE_TEXT[rule][1]},
            "defaultConfiguration": {"level": _default_level(rule, policy)},
        }
        for rule in RULE_IDS
    ]


# What a URI path keeps as it is (RFC 3986 ``pchar`` and ``/``); a space, ``#``, ``?``,
# ``%`` or anything beyond ASCII in a file name is percent-encoded.
_PATH_SAFE = "/!$&'()*+,;=:@~"


def artifact_uri(path: str) -> str:
    """A document's path as the URI reference SARIF requires: upload-sarif rejects a file
    whose ``artifactLocation.uri`` holds a space, and a ``#`` would start a fragment."""
    if path.startswith("/"):
        return PurePosixPath(path).as_uri()
    uri = quote(path, safe=_PATH_SAFE, errors="replace")
    # A colon in the first segment would read as a scheme ("c:notes.md").
    if ":" in uri.split("/", 1)[0]:
        uri = "./" + uri
    return uri


def fingerprint(location: str, url: str, occurrence: int) -> str:
    """A line hash that survives edits above the citation: it depends on file and URL only."""
    digest = hashlib.sha256(f"{location}\0{url}".encode()).hexdigest()[:16]
    return f"{digest}:{occurrence}"


class SarifFormat(RenderedFormat):
    """SARIF 2.1.0 under a gate policy (the default policy unless one is given)."""

    name = "sarif"
    filename = "status.sarif"

    def __init__(
        self,
        policy: GatePolicy | None = None,
        documents: Sequence[str] | None = None,
        root: str = "",
    ) -> None:
        self.policy = policy or GatePolicy()
        # The documents whose citations are judged (by id or path), or None for all.
        self.documents = documents
        # The registry's folder from the top of the repository ("" at the top).
        self.root = root

    def render(self, status: Mapping[str, Any]) -> str:
        outcome = evaluate(status, self.policy, documents=self.documents, now=generated_at(status))
        registry_name = str(status.get("registry") or "registry.yaml")
        index = {rule: i for i, rule in enumerate(RULE_IDS)}
        # Number repeated citations of a URL in a file in line order, over every finding,
        # so that a fingerprint does not shift when another citation changes severity.
        seen: Counter[tuple[str, str]] = Counter()
        occurrence: dict[int, int] = {}
        ordered = sorted(
            range(len(outcome.findings)),
            key=lambda i: (outcome.findings[i].path or "", outcome.findings[i].line or 0),
        )
        for i in ordered:
            key = (outcome.findings[i].path or registry_name, outcome.findings[i].url)
            seen[key] += 1
            occurrence[i] = seen[key]
        results = [
            _result(f, f.path or registry_name, index, occurrence[i], self.root)
            for i, f in enumerate(outcome.findings)
            if f.severity is not Severity.PASS
        ][:MAX_RESULTS]
        sarif = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": TOOL_NAME,
                            "informationUri": INFORMATION_URI,
                            "version": TOOL_VERSION,
                            "semanticVersion": TOOL_VERSION,
                            "rules": rules(self.policy),
                        }
                    },
                    "results": results,
                }
            ],
        }
        return without_surrogates(json.dumps(sarif, indent=2, ensure_ascii=False)) + "\n"


def _result(
    finding: GateFinding, location: str, index: Mapping[str, int], occurrence: int, root: str
) -> dict[str, Any]:
    # Code scanning reads locations from the repository's top; the fingerprint keeps
    # the path as the registry writes it, so alerts keep their identity.
    shown = posixpath.join(root, location) if root and not location.startswith("/") else location
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(shown)}}
    if finding.line:
        physical["region"] = {"startLine": finding.line, "endLine": finding.line}
    properties = {
        key: value
        for key, value in (
            ("url", finding.url),
            ("verdict", finding.verdict),
            ("sourceId", finding.source_id),
            ("archiveUrl", finding.archive_url),
        )
        if value
    }
    return {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _LEVELS[finding.severity],
        # GitHub takes the first sentence as the alert's title.
        "message": {"text": f"{finding.title}. {finding.message}"},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {
            "primaryLocationLineHash": fingerprint(location, finding.url, occurrence)
        },
        "properties": properties,
    }
