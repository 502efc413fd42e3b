"""Archive work during a run: fallbacks for failing sources, Save Page Now for live ones."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from checks.archive import ArchiveConfig
from checks.model import CheckResult, CheckTarget, Verdict
from monitor.archiving import ArchiveLookups, archive_config, with_overrides
from monitor.registry.model import ArchiveEndpoints, Settings
from tests.archive.fake_archive import FakeArchive, fake_archive  # noqa: F401  (fixture)

NOW = datetime(2026, 11, 1, tzinfo=UTC)
KEYS = {"WAYBACK_ACCESS_KEY": "access", "WAYBACK_SECRET_KEY": "secret"}


def live(url: str) -> CheckResult:
    return CheckResult(url=url, verdict=Verdict.OK, reason="200 OK", checked_at=NOW, status=200)


def lookups(archive: FakeArchive, environ: dict[str, str]) -> ArchiveLookups:
    settings = Settings(archives=ArchiveEndpoints(wayback=archive.base_url))
    config = archive_config(settings, environ)
    # Fast polling: the fake answers "pending" once, then "success".
    config = ArchiveConfig(**{**config.__dict__, "requests_per_minute": 6000})
    return ArchiveLookups(config, now=lambda: NOW, spn_wait_s=30)


def test_live_source_without_a_recent_capture_is_captured(
    fake_archive: FakeArchive,  # noqa: F811
) -> None:
    url = "http://site.example/report"
    fake_archive.add(url, "20240101000000", body=b"<p>old</p>")
    result = lookups(fake_archive, KEYS)(CheckTarget(url=url), live(url), requests.Session())
    saved = result.extra["saved_capture"]
    assert saved["status"] == "success" and saved["captured_at"] == "20260301120000"
    assert saved["previous_capture"].startswith("2024-01-01")
    [job] = fake_archive.spn_jobs.values()
    assert job["form"]["url"] == url


def test_recently_captured_or_keyless_sources_are_left_alone(
    fake_archive: FakeArchive,  # noqa: F811
) -> None:
    url = "http://site.example/fresh"
    fake_archive.add(url, "20261020000000", body=b"<p>new</p>")
    session = requests.Session()
    assert (
        "saved_capture"
        not in lookups(fake_archive, KEYS)(CheckTarget(url=url), live(url), session).extra
    )
    assert (
        "saved_capture"
        not in lookups(fake_archive, {})(
            CheckTarget(url="http://x.example/"), live("http://x.example/"), session
        ).extra
    )
    assert fake_archive.spn_jobs == {}


def test_archive_options_override_the_registry() -> None:
    endpoints = ArchiveEndpoints(
        wayback="https://web.archive.org", memento=("https://a.example/tg/",)
    )
    assert (
        with_overrides(endpoints, ("wayback=http://127.0.0.1:1",)).wayback == "http://127.0.0.1:1"
    )
    assert with_overrides(endpoints, ("wayback=none",)).wayback is None
    replaced = with_overrides(endpoints, ("memento=http://127.0.0.1:2/tg/",))
    assert replaced.memento == ("http://127.0.0.1:2/tg/",)


def test_a_run_without_archives_or_capture_keys_skips_the_step() -> None:
    off = ArchiveLookups(archive_config(Settings(archives=ArchiveEndpoints(wayback=None))))
    assert not off.active
    on = ArchiveLookups(archive_config(Settings()))
    assert on.active


def test_the_registry_s_network_policy_reaches_the_archive_look_ups() -> None:
    """Mementos an archive lists on other hosts obey ``allow_private`` as checks do."""
    assert archive_config(Settings(), {}).allow_private is False
    assert archive_config(Settings(allow_private=True), {}).allow_private is True
