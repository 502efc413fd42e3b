"""Answers without a body give their connection back: unchanged sources cost a 304 each,
not a new connection each."""

from __future__ import annotations

from bench.farm import FarmSpec, running
from bench.site import Kind, Mix
from checks.check import check_url, new_session
from checks.hosts import HostPolicy
from checks.model import CheckSettings, CheckTarget


def test_conditional_requests_reuse_one_connection() -> None:
    settings = CheckSettings(allow_private=True, retries=0)
    with running(FarmSpec(urls=6, hosts=1, mix=Mix(ok=100, moved=0, gone=0, error=0))) as farm:
        pages = [link for link in farm.links if link.kind is Kind.OK]
        session = new_session(settings)
        hosts = HostPolicy(per_host=1)
        first = [
            check_url(CheckTarget(url=p.url), settings, session=session, hosts=hosts) for p in pages
        ]
        farm.reset()
        for page, before in zip(pages, first, strict=True):
            again = CheckTarget(url=page.url, etag=before.etag, last_modified=before.last_modified)
            result = check_url(again, settings, session=session, hosts=hosts)
            assert result.not_modified
        traffic = farm.traffic()
        assert traffic.not_modified == len(pages)
        assert traffic.connections <= 1
