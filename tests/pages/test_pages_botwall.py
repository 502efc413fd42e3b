"""Bot walls and challenges, and live pages that merely carry a vendor's script."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from requests.structures import CaseInsensitiveDict

from checks.botwall import challenge_reason
from tests.pages.conftest import FIXTURES


def stored(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("fixture", "status", "headers", "vendor"),
    [
        ("cloudflare-challenge.html", 403, {"Server": "cloudflare"}, "Cloudflare"),
        ("cloudflare-challenge.html", 503, {}, "Cloudflare"),
        ("cloudflare-1020.html", 403, {"Server": "cloudflare"}, "Cloudflare"),
        ("cloudflare-attention.html", 403, {"Server": "cloudflare"}, "Cloudflare"),
        ("datadome-captcha.html", 403, {"X-DataDome": "protected"}, "DataDome"),
        ("datadome-captcha.html", 200, {}, "DataDome"),
        ("akamai-denied.html", 403, {"Server": "AkamaiGHost"}, "Akamai"),
        ("perimeterx-block.html", 403, {}, "PerimeterX/HUMAN"),
        ("incapsula-challenge.html", 200, {"X-Iinfo": "10-1234-0 0NNN"}, "Imperva Incapsula"),
        ("incapsula-js-only.html", 200, {}, "Imperva Incapsula"),
        ("aws-waf-challenge.html", 202, {"x-amzn-waf-action": "challenge"}, "AWS WAF"),
        ("aws-waf-challenge.html", 405, {}, "AWS WAF"),
        ("sucuri-denied.html", 403, {"Server": "Sucuri/Cloudproxy"}, "Sucuri"),
        ("google-sorry.html", 429, {}, "human verification"),
        ("hcaptcha-wall.html", 200, {}, "CAPTCHA"),
    ],
)
def test_stored_challenges_are_recognised(
    fixture: str, status: int, headers: dict[str, str], vendor: str
) -> None:
    assert challenge_reason(status, headers, stored(fixture)) == f"bot challenge ({vendor})"


@pytest.mark.parametrize(
    ("fixture", "status", "headers"),
    [
        # Live pages that embed a vendor's sensor or bot-detection script.
        ("cloudflare-live-page.html", 200, {"Server": "cloudflare", "CF-RAY": "8a1b2c3d4e5f-LAX"}),
        ("perimeterx-live-page.html", 200, {}),
        ("cloudflare-live-page.html", 200, {"X-DataDome": "protected", "X-DD-B": "1"}),
        ("cloudflare-live-page.html", 200, {"x-sucuri-id": "11005", "Server": "Sucuri/Cloudproxy"}),
        # An origin outage behind Cloudflare is transient, not a challenge.
        ("cloudflare-522.html", 522, {"Server": "cloudflare"}),
        ("cloudflare-522.html", 503, {"Server": "cloudflare"}),
        # CAPTCHA on a form, and articles about bot checks.
        ("contact-form-recaptcha.html", 200, {}),
        ("article-about-captchas.html", 200, {}),
        ("article-about-captchas.html", 403, {"Server": "cloudflare"}),
        ("news-brief-outage.html", 200, {}),
        ("county-404.html", 200, {}),
    ],
)
def test_live_pages_are_not_challenges(fixture: str, status: int, headers: dict[str, str]) -> None:
    assert challenge_reason(status, headers, stored(fixture)) is None


def test_akamai_denial_needs_a_refusing_status() -> None:
    assert challenge_reason(200, {}, stored("akamai-denied.html")) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"cf-mitigated": "challenge"},
        {"CF-Mitigated": "challenge"},
        {"CF-MITIGATED": " Challenge "},
        CaseInsensitiveDict({"Cf-Mitigated": "challenge"}),
    ],
)
def test_cf_mitigated_header_in_any_case(headers: Mapping[str, str]) -> None:
    assert challenge_reason(403, headers, "") == "bot challenge (Cloudflare)"


@pytest.mark.parametrize(
    ("status", "headers", "vendor"),
    [
        (403, {"X-DataDome": "protected"}, "DataDome"),
        (405, CaseInsensitiveDict({"x-datadome": "protected"}), "DataDome"),
        (202, {"X-Amzn-Waf-Action": "challenge"}, "AWS WAF"),
        (405, {"x-amzn-waf-action": "captcha"}, "AWS WAF"),
        (403, {"X-Sucuri-Block": "BNP005"}, "Sucuri"),
    ],
)
def test_vendor_headers(status: int, headers: Mapping[str, str], vendor: str) -> None:
    assert challenge_reason(status, headers, "<html></html>") == f"bot challenge ({vendor})"


def test_datadome_header_on_a_live_page_is_not_a_challenge() -> None:
    assert (
        challenge_reason(200, {"X-DataDome": "protected"}, stored("cloudflare-live-page.html"))
        is None
    )


def test_status_999_is_a_bot_wall() -> None:
    reason = challenge_reason(999, {}, "")
    assert reason is not None and "999" in reason


@pytest.mark.parametrize(
    ("status", "html"),
    [
        (
            403,
            "<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1></body></html>",
        ),
        (429, "<html><body>Too Many Requests</body></html>"),
        (401, "<html><body>Unauthorized</body></html>"),
        (200, ""),
        (503, "<html><body><h1>Service Unavailable</h1><p>Back soon.</p></body></html>"),
    ],
)
def test_plain_refusals_are_not_challenges(status: int, html: str) -> None:
    assert challenge_reason(status, {"Server": "nginx"}, html) is None


def test_just_a_moment_title_alone_is_not_attributed_to_cloudflare() -> None:
    html = (
        "<html><head><title>Just a moment...</title></head>"
        "<body>Loading your dashboard</body></html>"
    )
    assert challenge_reason(200, {"Server": "nginx"}, html) is None
    assert challenge_reason(503, {"Server": "cloudflare"}, html) == "bot challenge (Cloudflare)"


def test_human_check_wording_on_a_short_page() -> None:
    html = "<html><body><h1>Checking your browser before accessing example.gov</h1></body></html>"
    assert challenge_reason(200, {}, html) == "bot challenge (human verification)"


def test_huge_page_is_not_read_as_a_challenge() -> None:
    html = "<html><body>" + "<p>Verify you are human.</p>" * 20000 + "</body></html>"
    assert challenge_reason(403, {}, html) is None
