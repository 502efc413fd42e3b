"""Catch-all hosts: a random path in the same directory answers like the cited page."""

from __future__ import annotations

import random
from urllib.parse import urlsplit

import pytest

from checks.soft404 import PageSummary, catch_all_reason, random_sibling_url

NAV = (
    "Home\nAbout us\nPrograms\nFoster care\nYouth employment\nNews\nPublications\nContact\n"
    "Language assistance\nAccessibility\nPrivacy policy\n"
)


def not_found_template(path: str, request_id: str) -> str:
    """A site's 200 "not found" page that echoes the path and a request id."""
    return (
        f"{NAV}We looked everywhere for {path} but it is not here.\n"
        f"Perhaps you were looking for one of our popular pages.\nRequest ID: {request_id}\n"
        f"Generated in 0.{request_id[:3]} seconds\nCopyright County of Example"
    )


PAGE_URL = "https://www.example.gov/reports/2019/annual-report.pdf"


def probe_url() -> str:
    return random_sibling_url(PAGE_URL, random.Random(7))


def test_page_echoing_its_path_matches_the_probe() -> None:
    page = PageSummary.of(
        200,
        PAGE_URL,
        "Not here",
        not_found_template("/reports/2019/annual-report.pdf", "a81f3c2e9b7d"),
    )
    probe_path = urlsplit(probe_url()).path
    probe = PageSummary.of(
        200, probe_url(), "Not here", not_found_template(probe_path, "f02c77e1aa93")
    )
    assert page.text_fingerprint == probe.text_fingerprint
    reason = catch_all_reason(page, probe)
    assert reason is not None
    assert reason.startswith("the host answers every path the same way (catch-all)")


def test_page_echoing_only_its_file_name_matches_the_probe() -> None:
    def template(name: str) -> str:
        return f"{NAV}Sorry, {name} is not available on this server."

    page = PageSummary.of(200, PAGE_URL, "Example", template("annual-report.pdf"))
    probe_name = urlsplit(probe_url()).path.rsplit("/", 1)[1]
    probe = PageSummary.of(200, probe_url(), "Example", template(probe_name))
    assert catch_all_reason(page, probe) is not None


def test_random_tokens_do_not_hide_a_catch_all() -> None:
    def template(token: str) -> str:
        return f"{NAV}The page you asked for is not here.\ncsrf {token}"

    page = PageSummary.of(200, PAGE_URL, "Example", template("qZ8vXk3LmN0pRt7YwB2c"))
    probe = PageSummary.of(200, probe_url(), "Example", template("Hh5TgVbQ1wErTyUiOpAs"))
    assert catch_all_reason(page, probe) is not None


def test_real_page_differs_from_the_catch_all_probe() -> None:
    real = (
        f"{NAV}Annual report 2019\nIn 2019 the department served 12,400 children and "
        "families. Outreach teams identified 325 young people at risk of exploitation."
    )
    page = PageSummary.of(200, PAGE_URL, "Annual report 2019", real)
    probe = PageSummary.of(200, probe_url(), "Not here", not_found_template("/x", "0123"))
    assert catch_all_reason(page, probe) is None


def test_pages_sharing_a_template_but_not_content_differ() -> None:
    def article(body: str) -> str:
        return NAV * 5 + body

    page = PageSummary.of(200, PAGE_URL, "Example", article("Outreach teams met 325 youth."))
    probe = PageSummary.of(200, probe_url(), "Example", article("Nothing to see at this path."))
    assert catch_all_reason(page, probe) is None


@pytest.mark.parametrize("status", [404, 410, 400, 403, 500, 301])
def test_probe_that_fails_clears_the_page(status: int) -> None:
    text = not_found_template("/x", "1")
    page = PageSummary.of(200, PAGE_URL, "Example", text)
    probe = PageSummary.of(status, probe_url(), "Example", text)
    assert catch_all_reason(page, probe) is None


def test_only_a_2xx_page_is_judged() -> None:
    text = not_found_template("/x", "1")
    page = PageSummary.of(404, PAGE_URL, "Example", text)
    probe = PageSummary.of(200, probe_url(), "Example", text)
    assert catch_all_reason(page, probe) is None


def test_both_redirected_to_the_same_place_is_a_catch_all() -> None:
    landing = "https://www.example.gov/reports/"
    page = PageSummary.of(200, landing, "Reports", f"{NAV}Reports\nLatest: 2024 annual report")
    probe = PageSummary.of(200, landing, "Reports", f"{NAV}Reports\nLatest: 2025 annual report")
    reason = catch_all_reason(page, probe)
    assert reason is not None and "both end at example.gov/reports/" in reason


def test_probe_sent_to_the_cited_page_itself_does_not_blame_it() -> None:
    cited = "https://www.example.gov/reports/"
    page = PageSummary.of(200, cited, "Reports", f"{NAV}Reports")
    probe = PageSummary.of(200, cited, "Reports", f"{NAV}Reports")
    assert catch_all_reason(page, probe, requested_url=cited) is None
    assert catch_all_reason(page, probe, requested_url=PAGE_URL) is not None


def test_home_page_is_never_a_catch_all_victim() -> None:
    home = "https://www.example.gov/"
    page = PageSummary.of(200, home, "Example", f"{NAV}Welcome")
    probe = PageSummary.of(200, home, "Example", f"{NAV}Welcome")
    assert catch_all_reason(page, probe) is None


def test_summary_fields() -> None:
    summary = PageSummary.of(203, PAGE_URL, "  Annual\n report ", "Served 12,400 children.")
    assert summary.status == 203
    assert summary.final_url == PAGE_URL
    assert summary.title == "Annual report"
    assert summary.length == len("served children")
    assert PageSummary.of(200, PAGE_URL, "   ", "").title is None


@pytest.mark.parametrize(
    ("url", "directory", "suffix"),
    [
        ("https://www.example.gov/reports/2019/annual.pdf?x=1#p4", "/reports/2019/", ".pdf"),
        ("https://www.example.gov/reports/2019/annual", "/reports/2019/", ""),
        ("https://www.example.gov/news/story.aspx?id=4", "/news/", ".aspx"),
        ("https://www.example.gov/reports/2019/", "/reports/", "/"),
        ("https://www.example.gov/", "/", ""),
        ("https://www.example.gov", "/", ""),
        ("http://www.example.gov:8080/a/b.html", "/a/", ".html"),
    ],
)
def test_random_sibling_url_shape(url: str, directory: str, suffix: str) -> None:
    sibling = random_sibling_url(url, random.Random(1))
    original, parts = urlsplit(url), urlsplit(sibling)
    assert (parts.scheme, parts.netloc) == (original.scheme, original.netloc)
    assert parts.query == "" and parts.fragment == ""
    assert parts.path.startswith(directory) and parts.path.endswith(suffix)
    name = parts.path[len(directory) :].removesuffix(suffix)
    assert len(name) == 24 and name.isalnum() and name.islower()
    assert any(c.isdigit() for c in name) and sibling != url


def test_random_sibling_url_is_reproducible_and_varies() -> None:
    first = random_sibling_url(PAGE_URL, random.Random(42))
    assert first == random_sibling_url(PAGE_URL, random.Random(42))
    rng = random.Random(42)
    assert len({random_sibling_url(PAGE_URL, rng) for _ in range(20)}) == 20
