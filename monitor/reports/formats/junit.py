"""``junit.xml``: one test case per citation, for CI test-report views.

The cases are the gate's findings (:func:`monitor.gate.policy.evaluate`), so the report
and the gate agree. A failing citation holds a ``<failure>`` whose ``type`` is the
verdict; a warning passes, with its message in ``<system-out>`` (GitLab and Jenkins show
it) and ``severity=warn`` among the case's properties. Test names carry the line because
GitLab keeps only the first of two cases with the same name.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from monitor.gate.policy import GateFinding, GatePolicy, Severity, evaluate, generated_at

SUITES_NAME = "citation-monitor"

# Characters XML 1.0 forbids anywhere, even escaped.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(text))


def _seconds(source: Mapping[str, Any] | None) -> float:
    elapsed = source.get("elapsed_ms") if source else None
    return float(elapsed) / 1000 if isinstance(elapsed, int | float) else 0.0


class JUnitFormat:
    """JUnit XML under a gate policy (the default policy unless one is given)."""

    name = "junit"
    filename = "junit.xml"

    def __init__(self, policy: GatePolicy | None = None) -> None:
        self.policy = policy or GatePolicy()

    def render(self, status: Mapping[str, Any]) -> str:
        outcome = evaluate(status, self.policy, now=generated_at(status))
        registry_name = str(status.get("registry") or "registry")
        paths = {d["id"]: d["path"] for d in status.get("documents", ())}
        sources = {s.get("id") or s["url"]: s for s in status.get("sources", ())}

        # Suites in the registry's document order, then any other, then uncited sources.
        suites: dict[str, list[GateFinding]] = {d: [] for d in paths}
        for finding in sorted(outcome.findings, key=lambda f: (f.document is None, f.line or 0)):
            suites.setdefault(finding.document or registry_name, []).append(finding)

        root = ET.Element("testsuites", name=SUITES_NAME, timestamp=status["generated_at"])
        total = {"tests": 0, "failures": 0, "time": 0.0}
        for suite_name, findings in suites.items():
            if not findings:
                continue
            suite = ET.SubElement(root, "testsuite", name=_xml(suite_name))
            file = paths.get(suite_name, findings[0].path or registry_name)
            suite.set("file", _xml(file))
            suite.set("timestamp", status["generated_at"])
            names: set[str] = set()
            failures, time = 0, 0.0
            for finding in findings:
                source = sources.get(finding.source_id or finding.url)
                seconds = _seconds(source)
                case = ET.SubElement(
                    suite,
                    "testcase",
                    name=_xml(_unique(_case_name(finding), names)),
                    classname=_xml(suite_name),
                    file=_xml(finding.path or registry_name),
                    time=f"{seconds:.3f}",
                )
                if finding.line:
                    case.set("line", str(finding.line))
                _add_properties(case, finding)
                if finding.severity is Severity.FAIL:
                    failures += 1
                    failure = ET.SubElement(
                        case,
                        "failure",
                        type=_xml(finding.verdict or finding.rule),
                        message=_xml(finding.reason or finding.title),
                    )
                    failure.text = _xml(finding.message)
                elif finding.severity is Severity.WARN:
                    ET.SubElement(case, "system-out").text = _xml(
                        f"warning: {finding.title}. {finding.message}"
                    )
                time += seconds
            _counts(suite, len(findings), failures, time)
            total["tests"] += len(findings)
            total["failures"] += failures
            total["time"] += time
        _counts(root, int(total["tests"]), int(total["failures"]), total["time"])
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _case_name(finding: GateFinding) -> str:
    if finding.document is None:
        return f"uncited: {finding.url}"
    return f"line {finding.line}: {finding.url}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate)
    return candidate


def _add_properties(case: ET.Element, finding: GateFinding) -> None:
    props = ET.SubElement(case, "properties")
    for key, value in (
        ("severity", finding.severity.value),
        ("verdict", finding.verdict),
        ("rule", finding.rule),
        ("source", finding.source_id),
        ("url", finding.url),
        ("archive_url", finding.archive_url),
    ):
        if value:
            ET.SubElement(props, "property", name=key, value=_xml(value))


def _counts(element: ET.Element, tests: int, failures: int, time: float) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")
    element.set("time", f"{time:.3f}")
