"""Which URLs are on a configured archive: its host, reached over http or https (an
archive redirecting one to the other stays itself), but not another port or host."""

from __future__ import annotations

import pytest

from checks.archive.config import ArchiveConfig

CONFIG = ArchiveConfig(
    wayback="https://web.archive.org",
    memento=["http://archive.intranet.example/timegate/"],
)


@pytest.mark.parametrize(
    ("url", "configured"),
    [
        ("https://web.archive.org/web/2019id_/http://x.org/", True),
        ("http://web.archive.org/web/2019id_/http://x.org/", True),
        ("https://web.archive.org:443/web/", True),
        ("http://web.archive.org:80/web/", True),
        ("https://WEB.archive.org./web/", True),
        ("http://archive.intranet.example/2019/http://x.org/", True),
        ("https://archive.intranet.example/2019/http://x.org/", True),
        ("http://web.archive.org:8080/web/", False),
        ("https://archive.intranet.example:8443/2019/http://x.org/", False),
        ("https://archive.example/web/", False),
    ],
)
def test_configured_archive_is_its_host_over_either_scheme(url: str, configured: bool) -> None:
    assert CONFIG.is_configured_archive(url) is configured


def test_archive_on_its_own_port_keeps_it() -> None:
    config = ArchiveConfig(wayback="http://127.0.0.1:8080")
    assert config.is_configured_archive("http://127.0.0.1:8080/web/2019id_/http://x.org/")
    assert not config.is_configured_archive("http://127.0.0.1/web/2019id_/http://x.org/")
