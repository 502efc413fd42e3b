"""A run's plan: each URL once, failing sources' URLs first."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.registry.model import Claim, Source
from monitor.run import plan
from monitor.state import Health, SourceHealth

T = datetime(2026, 3, 1, tzinfo=UTC)


def test_each_url_is_fetched_once_with_every_claim_of_its_sources() -> None:
    sources = [
        Source("a", "https://a.org/r", claims=(Claim("c1", "Many children", "100,000"),)),
        Source("b", "https://a.org/r", claims=(Claim("c2", "Most were runaways", "95%"),)),
        Source("c", "https://c.org/"),
    ]
    run_plan = plan(sources)
    assert [t.url for t in run_plan.targets] == ["https://a.org/r", "https://c.org/"]
    assert [c.id for c in run_plan.targets[0].claims] == ["c1", "c2"]
    assert run_plan.sources_by_url["https://a.org/r"] == ("a", "b")
    assert run_plan.source_count == 3


def test_urls_of_failing_sources_come_first_the_rest_in_registry_order() -> None:
    sources = [Source(sid, f"https://{sid}.org/") for sid in "abcdef"]
    sources.append(Source("g", "https://e.org/"))  # shares e's URL
    healths = {
        "a": SourceHealth("a", Health.HEALTHY, since=T),
        "b": SourceHealth("b", Health.SUSPECT, since=T),
        "d": SourceHealth("d", Health.RECOVERED, since=T),
        "g": SourceHealth("g", Health.DEAD, since=T),
    }
    order = [t.url for t in plan(sources, healths=healths).targets]
    assert order == [
        "https://b.org/",
        "https://e.org/",
        "https://a.org/",
        "https://c.org/",
        "https://d.org/",
        "https://f.org/",
    ]
    assert [t.url for t in plan(sources).targets][:2] == ["https://a.org/", "https://b.org/"]
