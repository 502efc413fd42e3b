"""A hop's request is the one requests would prepare: same URL, headers and cookies."""

from __future__ import annotations

import random

import pytest
import requests
from requests.cookies import RequestsCookieJar

from checks.http.request import prepare

HEADERS = {"User-Agent": "citation-monitor/1.0", "Accept": "text/html", "If-None-Match": '"v1"'}


def reference(method: str, url: str, jar: RequestsCookieJar) -> requests.PreparedRequest:
    return requests.Request(method, url, headers=HEADERS, cookies=jar).prepare()


def same(a: requests.PreparedRequest, b: requests.PreparedRequest) -> None:
    assert (a.method, a.url, a.body) == (b.method, b.url, b.body)
    assert list(a.headers.items()) == list(b.headers.items())
    assert a._cookies is b._cookies  # type: ignore[attr-defined]
    assert a.hooks == b.hooks


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/report",
        "https://example.org:8443/a/b.pdf?x=1&y=two",
        "http://example.org",  # no path: "/" added
        "http://example.org?q=1",  # no path before a query
        "http://127.0.0.1:8080/",
        "http://example.org/a/./b/../c",  # dot segments are removed
        "http://example.org/..",
        "http://Example.ORG/Path",  # host lower-cased
        "HTTP://example.org/",  # scheme lower-cased
        "http://example.org/%7euser/%41",  # unreserved escapes decoded
        "http://example.org/a%2fb",  # escapes upper-cased
        "http://example.org/caf\u00e9",  # non-ASCII path quoted
        "http://b\u00fccher.example/",  # IDN host encoded
        "http://example.org:080/",  # port without its leading zero
        "http://example.org/?",  # empty query dropped
        "http://example.org/a?b=/../c",  # a query is left alone
        "http://[::1]:8080/x",
        "http://example.org/{braces}|pipe^`",
        "http://example.org/a b",
        "http://example.org/semi;colon:at@/!$&'()*+,=~",
    ],
)
def test_same_request_as_requests_prepares(url: str) -> None:
    jar = RequestsCookieJar()
    for method in ("GET", "HEAD"):
        same(prepare(method, url, HEADERS, jar), reference(method, url, jar))


def test_generated_urls_prepare_as_requests_does() -> None:
    rng = random.Random(20240611)
    plain = list("abcXYZ019-._~!$&'()*+,;=:@/?")
    tricky = [*'%#[] \u00e9{}|^`\\"<>', "/./", "/../", "/..", "%41", "%2f", "//"]
    hosts = ["example.org", "EXAMPLE.org", "a-b.example", "127.0.0.1", "x.example:81", "x:0080"]
    checked = unchanged = 0
    for _ in range(3000):
        tail = rng.choice(["/", "/", "/", "?", ""]) + "".join(
            rng.choice(plain if rng.random() < 0.9 else tricky) for _ in range(rng.randint(0, 12))
        )
        url = f"{rng.choice(['http', 'https'])}://{rng.choice(hosts)}{tail}".partition("#")[0]
        jar = RequestsCookieJar()
        try:
            expected = reference("GET", url, jar)
        except requests.exceptions.RequestException as exc:
            with pytest.raises(type(exc)):
                prepare("GET", url, HEADERS, jar)
            continue
        same(prepare("GET", url, HEADERS, jar), expected)
        checked += 1
        unchanged += expected.url == url
    # Both kinds were compared: URLs already in final form and URLs that change.
    assert checked > 1000
    assert 200 < unchanged < checked - 200


def test_cookies_of_the_check_are_sent_as_requests_sends_them() -> None:
    jar = RequestsCookieJar()
    jar.set("session", "1", domain="example.org", path="/")
    jar.set("other", "2", domain="elsewhere.example", path="/")
    prepared = prepare("GET", "http://example.org/report", HEADERS, jar)
    same(prepared, reference("GET", "http://example.org/report", jar))
    assert prepared.headers["Cookie"] == "session=1"


def test_no_cookie_header_from_an_empty_jar() -> None:
    prepared = prepare("GET", "http://example.org/", HEADERS, RequestsCookieJar())
    assert "Cookie" not in prepared.headers


def test_other_methods_take_the_general_path() -> None:
    jar = RequestsCookieJar()
    prepared = prepare("POST", "http://example.org/form", HEADERS, jar)
    same(prepared, reference("POST", "http://example.org/form", jar))
    assert prepared.headers["Content-Length"] == "0"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://*.example/", requests.exceptions.InvalidURL),
        ("http://.example/", requests.exceptions.InvalidURL),
    ],
)
def test_urls_requests_refuses_are_refused(url: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        prepare("GET", url, HEADERS, RequestsCookieJar())


def test_invalid_header_values_are_refused_as_requests_refuses_them() -> None:
    with pytest.raises(requests.exceptions.InvalidHeader):
        prepare("GET", "http://example.org/", {"X-Bad": "a\r\nInjected: 1"}, RequestsCookieJar())
