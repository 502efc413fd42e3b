"""What a valid registry loads into: defaults, resolved paths, immutable records."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from monitor.registry import (
    ArchiveEndpoints,
    RegistryInvalid,
    RegistryProblem,
    Settings,
    load_registry,
)

Write = Callable[[str], Path]


def test_sources_claims_and_lines(write_registry: Write, valid_text: str) -> None:
    registry = load_registry(write_registry(valid_text))
    report = registry.source("report")
    assert report.url == "https://example.org/report.pdf"
    assert report.accessed == date(2014, 1, 15)
    assert report.interval == timedelta(hours=12)
    assert report.expect_content_type == "application/pdf"
    lines = valid_text.splitlines()
    assert lines[report.line - 1 if report.line else 0] == "  - id: report"
    (claim,) = report.claims
    assert (claim.id, claim.evidence, claim.cited_as, claim.document) == (
        "children",
        "100,000",
        "footnote i",
        "sheet",
    )
    assert claim.lenient is False
    assert report.target().claims[0].evidence == "100,000"
    page = registry.source("page")
    assert (page.claims, page.accessed, page.interval, page.owner) == ((), None, None, None)
    assert registry.owner_of(report) == registry.owners[0]


def test_document_paths_resolve_against_the_registry_folder(
    write_registry: Write, valid_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_registry(valid_text)
    monkeypatch.chdir(tmp_path / "content")  # a relative registry path, read from elsewhere
    registry = load_registry(Path("..") / path.name)
    assert registry.documents[0].path == (tmp_path / "content" / "sheet.md").resolve()
    assert registry.path == path.resolve()


def test_settings_not_given_keep_the_defaults(write_registry: Write, valid_text: str) -> None:
    registry = load_registry(write_registry(valid_text))
    assert registry.settings == dataclasses.replace(Settings(), timeout_s=5.0)


def test_every_setting_can_be_given(write_registry: Write, valid_text: str, tmp_path: Path) -> None:
    settings = """\
settings:
  user_agent: "probe/2 (+https://example.org/about)"
  timeout_s: 2.5
  concurrency: 4
  per_host: 1
  processes: 3
  interval: 1d12h
  database: sqlite:///monitor.db
  allow_private: true
  ca_bundle: certs/ca.pem
  reports_dir: out
  archives:
    wayback: null
    memento: [http://127.0.0.1:8080/timegate/]
"""
    text = valid_text.replace("settings:\n  timeout_s: 5\n", settings)
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "ca.pem").write_text("", encoding="utf-8")
    registry = load_registry(write_registry(text))
    assert registry.settings == Settings(
        user_agent="probe/2 (+https://example.org/about)",
        timeout_s=2.5,
        concurrency=4,
        per_host=1,
        processes=3,
        interval=timedelta(days=1, hours=12),
        database="sqlite:///monitor.db",
        allow_private=True,
        ca_bundle=str((tmp_path / "certs" / "ca.pem").resolve()),
        reports_dir="out",
        archives=ArchiveEndpoints(wayback=None, memento=("http://127.0.0.1:8080/timegate/",)),
    )


def test_empty_sections_and_a_minimal_registry(write_registry: Write) -> None:
    text = "version: 1\nsettings:\nowners:\ndocuments:\nsources:\nreferences:\n"
    registry = load_registry(write_registry(text))
    assert (registry.owners, registry.documents, registry.sources, registry.references) == (
        (),
        (),
        (),
        (),
    )
    assert registry.settings == Settings()


def test_scalars_are_kept_as_written(write_registry: Write, valid_text: str) -> None:
    # Unquoted numbers and YAML 1.1 words ("no") are text where text is expected.
    text = valid_text.replace('evidence: "100,000"', "evidence: 100000").replace(
        "text: TAY webpage", "text: no"
    )
    registry = load_registry(write_registry(text))
    assert registry.sources[0].claims[0].evidence == "100000"
    assert registry.references[0].text == "no"


def test_yaml_merge_keys_are_supported(write_registry: Write) -> None:
    text = """\
version: 1
sources:
  - &pdf {id: a, url: "https://example.org/a.pdf", expect: {content_type: application/pdf}}
  - <<: *pdf
    id: b
    url: https://example.org/b.pdf
"""
    registry = load_registry(write_registry(text))
    assert [(s.id, s.url, s.expect_content_type) for s in registry.sources] == [
        ("a", "https://example.org/a.pdf", "application/pdf"),
        ("b", "https://example.org/b.pdf", "application/pdf"),
    ]


def test_owner_name_defaults_to_its_id(write_registry: Write) -> None:
    text = "version: 1\nowners:\n  web: {webhook: 'https://hooks.example.org/x'}\n"
    (owner,) = load_registry(write_registry(text)).owners
    assert (owner.id, owner.name, owner.email, owner.webhook) == (
        "web",
        "web",
        None,
        "https://hooks.example.org/x",
    )


def test_registry_is_immutable(write_registry: Write, valid_text: str) -> None:
    registry = load_registry(write_registry(valid_text))
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.sources = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.sources[0].url = "https://elsewhere.example/"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.sources[0].claims[0].evidence = "1"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        registry.settings.archives.wayback = None  # type: ignore[misc]
    collections = (registry.sources, registry.sources[0].claims, registry.owners)
    assert all(isinstance(c, tuple) for c in collections)
    assert isinstance(registry.settings.archives.memento, tuple)


def test_problem_text_with_and_without_line_and_field() -> None:
    assert str(RegistryProblem("registry.yaml", 14, "sources[2].url", "bad")) == (
        "registry.yaml:14: sources[2].url: bad"
    )
    assert str(RegistryProblem("registry.yaml", None, "", "file not found")) == (
        "registry.yaml: file not found"
    )
    assert (
        str(RegistryProblem("r.yaml", 3, "", "malformed YAML: x")) == "r.yaml:3: malformed YAML: x"
    )


def test_invalid_lists_one_problem_per_line_and_survives_pickling() -> None:
    problems = (
        RegistryProblem("registry.yaml", 1, "version", "expected 1"),
        RegistryProblem("registry.yaml", 9, "sources[0].url", "expected an http(s) URL"),
    )
    error = RegistryInvalid(problems)
    assert error.problems == problems
    assert str(error) == (
        "registry.yaml:1: version: expected 1\n"
        "registry.yaml:9: sources[0].url: expected an http(s) URL"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.problems, str(copy)) == (problems, str(error))


def test_the_ca_bundle_is_found_beside_the_registry(
    write_registry: Write, valid_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ca.pem").write_text("", encoding="utf-8")
    path = write_registry(valid_text.replace("  timeout_s: 5", "  ca_bundle: ca.pem"))
    monkeypatch.chdir(tmp_path / "content")  # not where the bundle is
    assert load_registry(Path("..") / path.name).settings.ca_bundle == str(
        (tmp_path / "ca.pem").resolve()
    )


def test_a_missing_ca_bundle_is_a_located_problem(
    write_registry: Write, valid_text: str, tmp_path: Path
) -> None:
    path = write_registry(valid_text.replace("  timeout_s: 5", "  ca_bundle: certs/none.pem"))
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    assert str(caught.value) == (
        f"{path}:3: settings.ca_bundle: 'certs/none.pem' does not exist"
        " (paths are relative to the registry's folder)"
    )
