"""Endpoints derived from the configured bases; keys from the environment."""

from __future__ import annotations

import pytest

from checks.archive.config import ArchiveConfig, MementoEndpoint


def test_wayback_endpoints_from_the_base() -> None:
    config = ArchiveConfig(wayback="https://web.archive.org/")

    assert config.cdx_url == "https://web.archive.org/cdx/search/cdx"
    assert config.availability_url == "https://web.archive.org/wayback/available"
    assert config.replay_url("20200101000000", "https://x.example/a?b=1") == (
        "https://web.archive.org/web/20200101000000id_/https://x.example/a?b=1"
    )
    assert config.replay_url("20200101000000", "https://x.example/", raw=False) == (
        "https://web.archive.org/web/20200101000000/https://x.example/"
    )
    assert config.save_url == "https://web.archive.org/save"
    assert config.save_status_url("a/b") == "https://web.archive.org/save/status/a%2Fb"


def test_no_wayback_base_means_no_wayback_endpoints() -> None:
    with pytest.raises(ValueError):
        _ = ArchiveConfig(wayback=None).cdx_url


@pytest.mark.parametrize(
    ("spec", "name", "timegate", "timemap"),
    [
        (
            "https://web.archive.org/web/",
            "web.archive.org",
            "https://web.archive.org/web/",
            "https://web.archive.org/web/timemap/link/",
        ),
        (
            "https://webarchive.loc.gov/all",
            "webarchive.loc.gov",
            "https://webarchive.loc.gov/all/",
            "https://webarchive.loc.gov/all/timemap/link/",
        ),
        (
            "https://perma.cc/timegate/ name=perma",
            "perma",
            "https://perma.cc/timegate/",
            "https://perma.cc/timemap/link/",
        ),
        (
            "https://archive.today/timegate/ timemap=https://archive.today/timemap/",
            "archive.today",
            "https://archive.today/timegate/",
            "https://archive.today/timemap/",
        ),
    ],
)
def test_memento_entries(spec: str, name: str, timegate: str, timemap: str) -> None:
    endpoint = MementoEndpoint.parse(spec)

    assert (endpoint.name, endpoint.timegate, endpoint.timemap) == (name, timegate, timemap)
    assert endpoint.timegate_url("http://a.example/") == timegate + "http://a.example/"
    assert endpoint.timemap_url("http://a.example/") == timemap + "http://a.example/"


@pytest.mark.parametrize(
    "spec", ["", "timemap=https://x/", "https://x/ colour=blue", "https://x/ name="]
)
def test_bad_memento_entries(spec: str) -> None:
    with pytest.raises(ValueError):
        MementoEndpoint.parse(spec)


def test_keys_come_from_the_environment() -> None:
    config = ArchiveConfig().with_env_keys(
        {"WAYBACK_ACCESS_KEY": " a ", "WAYBACK_SECRET_KEY": "s", "OTHER": "x"}
    )

    assert (config.spn_access_key, config.spn_secret_key) == ("a", "s")
    assert config.has_spn_keys


def test_blank_environment_keeps_existing_keys() -> None:
    config = ArchiveConfig(spn_access_key="a").with_env_keys({"WAYBACK_ACCESS_KEY": ""})

    assert config.spn_access_key == "a"
    assert not config.has_spn_keys
