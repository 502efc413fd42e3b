"""A dead source gets a verified archived copy in check, check-url, status.json and status.md."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.archive.fake_archive import FakeArchive, fake_archive  # noqa: F401  (fixture)
from tests.cli.conftest import Invoke, write_project

CLAIMED = (
    b"<html><title>Study</title><body>"
    b"<p>An estimated 100,000 children are affected.</p></body></html>"
)


def dead_source(httpserver: HTTPServer) -> str:
    httpserver.expect_request("/study").respond_with_data("gone", status=404)
    return httpserver.url_for("/study")


def add_claim(registry: Path, evidence: str) -> None:
    text = registry.read_text()
    registry.write_text(
        text.replace(
            "    url: ",
            "    accessed: 2014-01-15\n"
            "    claims:\n"
            f"      - {{id: figure, statement: 'a figure', evidence: '{evidence}'}}\n"
            "    url: ",
        )
    )


def test_check_finds_a_verified_copy_and_reports_it(
    invoke: Invoke,
    tmp_path: Path,
    httpserver: HTTPServer,
    fake_archive: FakeArchive,  # noqa: F811
) -> None:
    url = dead_source(httpserver)
    fake_archive.add(url, "20131201000000", body=CLAIMED)
    fake_archive.add(url, "20140110000000", status=404, body=b"not found")
    registry = write_project(
        tmp_path, {"study": url}, archives=f"{{wayback: '{fake_archive.base_url}'}}"
    )
    add_claim(registry, "100,000")
    result = invoke("check", "--registry", str(registry))
    assert result.exit_code == 2, result.output
    status = json.loads((tmp_path / "reports" / "status.json").read_text())
    archive = status["sources"][0]["archive"]
    assert archive["status"] == "verified"
    assert "20131201000000" in archive["url"] and "id_" not in archive["url"]
    assert archive["claims_found"] == ["figure"]
    rejected = [c for c in archive["candidates"] if not c["accepted"]]
    assert rejected and "20140110000000" in rejected[0]["url"]
    assert archive["url"] in (tmp_path / "reports" / "status.md").read_text()


def test_check_url_shows_unverified_copy_without_the_claim(
    invoke: Invoke,
    tmp_path: Path,
    httpserver: HTTPServer,
    fake_archive: FakeArchive,  # noqa: F811
) -> None:
    url = dead_source(httpserver)
    fake_archive.add(url, "20131201000000", body=b"<html><p>Other numbers: 5,000.</p></html>")
    result = invoke(
        "check-url",
        url,
        "--allow-private",
        "--format",
        "json",
        "--evidence",
        "100,000",
        "--accessed",
        "2014-01-15",
        "--archive",
        f"wayback={fake_archive.base_url}",
        "--registry",
        str(tmp_path / "none.yaml"),
    )
    entry = json.loads(result.output)[0]
    assert entry["verdict"] == "broken"
    assert entry["archive"]["status"] == "unverified"


def test_archive_outage_is_unknown_not_none(
    invoke: Invoke,
    tmp_path: Path,
    httpserver: HTTPServer,
    fake_archive: FakeArchive,  # noqa: F811
) -> None:
    url = dead_source(httpserver)
    fake_archive.down("/", status=503)
    result = invoke(
        "check-url",
        url,
        "--allow-private",
        "--format",
        "json",
        "--archive",
        f"wayback={fake_archive.base_url}",
        "--registry",
        str(tmp_path / "none.yaml"),
    )
    assert json.loads(result.output)[0]["archive"]["status"] == "unknown"


def test_check_url_table_shows_the_archived_copy(
    invoke: Invoke,
    tmp_path: Path,
    httpserver: HTTPServer,
    fake_archive: FakeArchive,  # noqa: F811
) -> None:
    url = dead_source(httpserver)
    fake_archive.add(url, "20131201000000", body=CLAIMED)
    result = invoke(
        "check-url",
        url,
        "--allow-private",
        "--evidence",
        "100,000",
        "--archive",
        f"wayback={fake_archive.base_url}",
        "--registry",
        str(tmp_path / "none.yaml"),
    )
    assert "Archived" in result.output  # the column appears once a result has a fallback
    assert "verified" in result.output
