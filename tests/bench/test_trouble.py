"""Real-world trouble on the link farm: pages that answer while the cited page is gone
(or only looks gone to a program), their truth and scores, and the report per kind."""

from __future__ import annotations

import http.client
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bench.farm import Farm, FarmSpec, running
from bench.inputs import Limits, write_inputs
from bench.report import has_trouble, record_from_markdown, scenario_markdown, targets
from bench.score import score, truth_record
from bench.site import Kind, Link, Mix

REPO = Path(__file__).resolve().parents[2]
TROUBLE = tuple(kind for kind in Kind if not kind.plain)
EVERY_KIND = Mix.parse(",".join(f"{kind.value}=1" for kind in Kind))


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    # Two URLs of each kind, one at an even index and one at an odd one (which this
    # seed gives): both designs of the soft 404, of the script redirect stub and of the
    # consent wall, a 301 and a 302 home.
    spec = FarmSpec(urls=2 * len(Kind), hosts=2, mix=EVERY_KIND, seed=22)
    with running(spec) as f:
        yield f


def _get(link: Link, path: str | None = None) -> tuple[int, dict[str, str], str]:
    parts = urlsplit(link.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request("GET", path or parts.path)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read().decode()
    finally:
        connection.close()


def _of(farm: Farm, kind: Kind) -> list[Link]:
    found = [link for link in farm.links if link.kind is kind]
    assert len(found) == 2
    return found


def test_a_soft_404_is_the_sites_own_not_found_page_with_a_200(farm: Farm) -> None:
    titles = set()
    for link in _of(farm, Kind.SOFT_404):
        status, headers, body = _get(link)
        assert status == 200 and headers["content-type"].startswith("text/html")
        titles.add(body.split("<title>")[1].split("</title>")[0])
        # Dressed as the site: navigation, a search box, popular pages.
        assert "<nav" in body and "role='search'" in body and "href='/services/'" in body
    assert titles == {
        "Page not found | County Services Department",
        "Sorry, we couldn't find that page - County Services Department",
    }
    assert "/publications/" in _of(farm, Kind.SOFT_404)[0].url  # the path says nothing


def test_a_deep_link_redirected_to_the_home_page_which_works(farm: Farm) -> None:
    statuses = set()
    for link in _of(farm, Kind.TO_HOME):
        status, headers, _ = _get(link)
        statuses.add(status)
        assert headers["location"] == "/"
    assert statuses == {301, 302}
    status, _, body = _get(farm.links[0], "/")
    assert status == 200 and "<title>Home | County Services Department</title>" in body


def test_a_refresh_stub_leads_to_a_page_that_is_gone(farm: Farm) -> None:
    for link in _of(farm, Kind.REFRESH_GONE):
        status, _, body = _get(link)
        index = link.url.rsplit("/", 1)[1]
        target = f"/documents/{index}"
        assert status == 200
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in body
        assert _get(link, target)[0] == 404


def test_a_script_redirect_stub_leads_to_a_page_that_is_gone(farm: Farm) -> None:
    designs = set()
    for link in _of(farm, Kind.SCRIPT_GONE):
        status, headers, body = _get(link)
        index = link.url.rsplit("/", 1)[1]
        target = f"/resources/{index}"
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert "<h1>This page has moved</h1>" in body and "http-equiv" not in body
        if 'window.location.href = "' in body:
            assert f'window.location.href = "{target}";' in body
            designs.add("assigned")
        else:
            assert f"setTimeout(function () {{\n    window.location.replace('{target}');" in body
            assert "}, 5000);" in body and "<nav" in body  # in the site's dress
            designs.add("replaced after a delay")
        assert _get(link, target)[0] == 404
    assert designs == {"assigned", "replaced after a delay"}
    assert "/guidance/" in _of(farm, Kind.SCRIPT_GONE)[0].url


def test_a_consent_wall_is_the_dialog_alone_with_a_200(farm: Farm) -> None:
    walls = set()
    for link in _of(farm, Kind.CONSENT):
        status, headers, body = _get(link)
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert headers["cache-control"] == "private, no-store" and headers["vary"] == "Cookie"
        assert 'role="dialog" aria-modal="true"' in body
        assert "Report" not in body and "<main" not in body  # nothing of the page behind
        if "We value your privacy" in body:
            for label in ("Manage options", "Reject all", "Accept all"):
                assert f'title="{label}">{label}</button>' in body
            assert "cookies, and process personal data" in body
            walls.add("dialog")
        else:
            assert "indem Sie der Nutzung aller Cookies zustimmen" in body
            assert "Zustimmen und weiter</button>" in body and ">Zu NWR pur</a>" in body
            walls.add("consent or pay")
    assert walls == {"dialog", "consent or pay"}
    assert "/news/" in _of(farm, Kind.CONSENT)[0].url


def test_a_parked_domain_answers_with_a_for_sale_lander(farm: Farm) -> None:
    for link in _of(farm, Kind.PARKED):
        status, _, body = _get(link)
        assert status == 200
        assert "This domain may be for sale" in body and "Related Searches" in body
        assert "Sponsored Listings" in body


def test_a_cited_pdf_answers_with_a_sign_in_page(farm: Farm) -> None:
    for link in _of(farm, Kind.LOGIN_PDF):
        assert link.url.endswith(".pdf") and link.expect_content_type == "application/pdf"
        status, headers, body = _get(link)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert "type='password'" in body and "<form method='post'" in body
        assert _get(link, urlsplit(link.url).path.removesuffix(".pdf"))[0] == 404
    assert all(link.expect_content_type is None for link in farm.links if link.kind.plain)


def test_a_bot_challenge_is_cloudflares_interstitial_with_its_headers(farm: Farm) -> None:
    for link in _of(farm, Kind.CHALLENGE):
        status, headers, body = _get(link)
        assert status == 403
        assert headers["server"] == "cloudflare" and headers["cf-mitigated"] == "challenge"
        assert len(headers["cf-ray"].split("-")[0]) == 16
        assert "<title>Just a moment...</title>" in body and "window._cf_chl_opt" in body


def test_a_rate_limited_url_refuses_the_first_request_of_each_run(farm: Farm) -> None:
    link = _of(farm, Kind.RATE_LIMITED)[0]
    farm.reset()
    first = _get(link)
    assert (first[0], first[1]["retry-after"]) == (429, "1")
    again = _get(link)
    assert again[0] == 200 and "<title>Report" in again[2]
    assert farm.traffic().by_status == {429: 1, 200: 1}
    farm.reset()  # as before every tool run: the next one gets the same answers
    assert _get(link)[0] == 429


def test_the_inputs_cite_the_pdfs_as_pdfs_and_mark_the_wall_as_unknown(
    farm: Farm, tmp_path: Path
) -> None:
    inputs = write_inputs(tmp_path, farm.links, Limits(concurrency=4, per_host=2))
    registry = inputs.registry.read_text(encoding="utf-8").splitlines()
    pdfs = [line for line in registry if ".pdf" in line]
    assert len(pdfs) == 2
    assert all(line.endswith(", expect: {content_type: application/pdf}}") for line in pdfs)
    assert sum("expect:" in line for line in registry) == 2
    rows = [row.split("\t") for row in inputs.truth.read_text().splitlines()[1:]]
    walls = [row[1:] for row in rows if "/research/" in row[0] or "/news/" in row[0]]
    assert walls == [["blocked", "-"]] * 4


def test_the_truth_of_each_kind() -> None:
    assert {kind.value: (kind.expected, kind.passes) for kind in TROUBLE} == {
        "soft404": ("soft_404", False),
        "to_home": ("soft_404", False),
        "refresh_gone": ("broken", False),
        "script_gone": ("broken", False),  # a reader lands on a gone page
        "parked": ("soft_404", False),
        "login_pdf": ("type_mismatch", False),
        "challenge": ("blocked", None),  # people get the page, checkers the wall
        "consent": ("blocked", None),  # people click through and read
        "rate_limited": ("ok", True),
    }


def _one_of_each() -> list[Link]:
    return [Link(f"http://f{kind.path(i)}", kind) for i, kind in enumerate(Kind)]


def test_a_checker_that_sees_only_statuses_is_wrong_where_the_page_answers() -> None:
    truth = _one_of_each()
    statuses = {
        Kind.OK: "ok",
        Kind.MOVED: "moved",
        Kind.GONE: "broken",
        Kind.ERROR: "transient",
        Kind.TO_HOME: "moved",
        Kind.CHALLENGE: "blocked",
        Kind.RATE_LIMITED: "ok",
    }
    said = {link.url: statuses.get(link.kind, "ok") for link in truth}
    got = score(truth, said)
    wrong = {kind for kind, part in got.by_kind.items() if part.right == 0}
    assert wrong == {"soft404", "to_home", "refresh_gone", "script_gone", "parked", "login_pdf"}
    # The consent wall's 200 is a fair answer, though not the expected verdict.
    assert (got.total, got.answered, got.right, got.exact) == (13, 13, 7, 6)
    assert got.by_kind["to_home"].said == (("moved", 1),)
    assert (got.by_kind["consent"].right, got.by_kind["consent"].exact) == (1, 0)


@pytest.mark.parametrize(
    "wall",
    [Link("http://f/research/0", Kind.CHALLENGE), Link("http://f/news/0", Kind.CONSENT)],
    ids=["challenge", "consent"],
)
@pytest.mark.parametrize(
    ("said", "right"),
    [
        ("ok", True),
        ("blocked", True),
        ("transient", True),
        ("error", True),
        ("broken", False),
        ("soft_404", False),
        ("type_mismatch", False),
        (None, False),
    ],
)
def test_a_wall_is_right_unless_called_gone(wall: Link, said: str | None, right: bool) -> None:
    got = score([wall], {} if said is None else {wall.url: said})
    assert got.right == int(right)
    assert got.exact == int(said == "blocked")
    assert got.by_kind[wall.kind.value].said == ((said or "(no answer)", 1),)


def test_the_truth_per_kind_for_the_record() -> None:
    truth = [Link("http://f/ok/0", Kind.OK), Link("http://f/research/1", Kind.CHALLENGE)]
    truth.append(Link("http://f/research/2", Kind.CHALLENGE))
    assert truth_record(truth) == {
        "ok": {"urls": 1, "about": "200 page", "expected": "ok", "passes": True},
        "challenge": {
            "urls": 2,
            "about": '403 Cloudflare "Just a moment..." challenge',
            "expected": "blocked",
            "passes": None,
        },
    }


# --- the mix: results written before the trouble kinds read as they did ---


def _kinds_as_before(mix: Mix, count: int, seed: int) -> list[Kind]:
    """Mix.kinds as written when only the four plain kinds existed."""
    weights = {Kind.OK: mix.ok, Kind.MOVED: mix.moved, Kind.GONE: mix.gone}
    weights[Kind.ERROR] = mix.error
    total = sum(weights.values())
    result: list[Kind] = []
    for kind, weight in weights.items():
        result.extend([kind] * (count * weight // total))
    result.extend([max(weights, key=lambda k: weights[k])] * (count - len(result)))
    random.Random(seed).shuffle(result)
    return result


def test_the_mix_reads_and_prints_as_before() -> None:
    assert Mix() == Mix(ok=90, moved=4, gone=5, error=1) == Mix.parse(str(Mix()))
    assert str(Mix()) == "ok=90,moved=4,gone=5,error=1"
    assert str(Mix.parse("ok=90,moved=4,gone=6")) == "ok=90,moved=4,gone=6,error=0"
    assert not Mix().trouble
    for mix in (Mix(), Mix.parse("ok=90,moved=4,gone=6"), Mix(ok=50, moved=20, gone=20)):
        assert mix.kinds(2000, 1) == _kinds_as_before(mix, 2000, 1)


def test_trouble_kinds_are_named_in_a_mix_only_when_weighted() -> None:
    text = "ok=41,moved=5,gone=5,error=0,soft404=7,challenge=7,rate_limited=7"
    mix = Mix.parse(text)
    assert (mix.soft404, mix.challenge, mix.to_home) == (7, 7, 0) and mix.trouble
    assert str(mix) == text and Mix.parse(str(mix)) == mix
    kinds = mix.kinds(100, 1)
    assert kinds.count(Kind.SOFT_404) == 9 and Kind.PARKED not in kinds
    walls = Mix.parse("ok=27,moved=5,gone=5,error=0,script_gone=7,consent=7")
    assert (walls.script_gone, walls.consent) == (7, 7)
    assert str(walls) == "ok=27,moved=5,gone=5,error=0,script_gone=7,consent=7"
    with pytest.raises(ValueError, match="KIND=WEIGHT"):
        Mix.parse("ok=1,sofft404=1")


def test_the_plain_kinds_keep_their_urls() -> None:
    assert [kind.path(7) for kind in Kind if kind.plain] == [
        "/ok/7",
        "/moved/7",
        "/gone/7",
        "/error/7",
    ]
    assert Kind.LOGIN_PDF.path(7) == "/files/7.pdf"


def test_every_result_file_renders_as_it_is() -> None:
    files = sorted((REPO / "bench" / "results").glob("*.md"))
    rendered = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        record = record_from_markdown(text)
        if record is not None:
            assert scenario_markdown(record) == text, path.name
            rendered += 1
    assert rendered >= 10


# --- the report per kind ---


def _kind_part(total: int, right: int, exact: int, said: dict[str, int]) -> dict[str, Any]:
    return {"total": total, "right": right, "exact": exact, "said": said}


def _run(label: str, right: int, by_kind: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": label,
        "tool": label,
        "rep": 1,
        "wall_s": 3.0,
        "timed_out": False,
        "peak_rss_mb": 100.0,
        "peak_pss_mb": 90.0,
        "cpu_s": 1.0,
        "exit_code": 2,
        "requests": 60,
        "not_modified": 0,
        "bytes_sent": 50_000,
        "total": 60,
        "answered": 60,
        "right": right,
        "exact": right,
        "wrong": [],
        "by_kind": by_kind,
    }


def trouble_record(*, lychee_right: int = 30) -> dict[str, Any]:
    truth = {
        "ok": {"urls": 30, "about": "200 page", "expected": "ok", "passes": True},
        "soft404": {
            "urls": 20,
            "about": '200 "page not found" page of the site',
            "expected": "soft_404",
            "passes": False,
        },
        "challenge": {
            "urls": 10,
            "about": '403 Cloudflare "Just a moment..." challenge',
            "expected": "blocked",
            "passes": None,
        },
    }
    ours = {
        "ok": _kind_part(30, 30, 30, {"ok": 30}),
        "soft404": _kind_part(20, 18, 18, {"soft_404": 18, "ok": 2}),
        "challenge": _kind_part(10, 10, 10, {"blocked": 10}),
    }
    lychee = {
        "ok": _kind_part(30, 30, 30, {"ok": 30}),
        "soft404": _kind_part(20, 0, 0, {"ok": 20}),
        "challenge": _kind_part(10, 10, 10, {"blocked": 10}),
    }
    return {
        "scenario": "correctness-trouble",
        "kind": "compare",
        "title": "Real-world trouble",
        "measured_at": "2026-11-30 00:00 UTC",
        "machine": {"cpu": "x", "cores": 2, "memory_gb": 1.0, "python": "3.11", "system": "L"},
        "versions": {"ours": "abc1234", "lychee": "0.24.2"},
        "farm": {
            "urls": 60,
            "hosts": 8,
            "latency_ms": 0.0,
            "jitter_ms": 0.0,
            "mix": "ok=50,moved=0,gone=0,error=0,soft404=33,challenge=17",
            "page_bytes": 0,
            "seed": 1,
        },
        "limits": {"concurrency": 32, "per_host": 8, "timeout_s": 20.0, "max_redirects": 10},
        "truth": truth,
        "reps": 1,
        "runs": [_run("ours", 58, ours), _run("lychee", lychee_right, lychee)],
        "notes": [],
    }


def test_the_breakdown_shows_each_tools_score_and_answers_per_kind() -> None:
    record = trouble_record()
    text = scenario_markdown(record)
    assert (
        "| kind | URLs | the farm answers | working | expected | ours | lychee |\n"
        "|---|---:|---|---|---|---|---|\n"
        "| ok | 30 | 200 page | yes | `ok` | 30/30 right, 30/30 same (ok 30) | "
        "30/30 right, 30/30 same (ok 30) |\n"
        '| soft404 | 20 | 200 "page not found" page of the site | no | `soft_404` | '
        "18/20 right, 18/20 same (soft_404 18, ok 2) | 0/20 right, 0/20 same (ok 20) |\n"
        '| challenge | 10 | 403 Cloudflare "Just a moment..." challenge | '
        "can't tell (a wall) | `blocked` | 10/10 right, 10/10 same (blocked 10) | "
        "10/10 right, 10/10 same (blocked 10) |\n"
    ) in text
    assert '(ok = 200 page, soft404 = 200 "page not found" page of the site, ' in text
    assert "any answer there is right but one that calls the page gone" in text
    assert "a refresh or a script redirect to a gone page" in text
    assert "past a cookie consent dialog people click through and read the page" in text
    assert record_from_markdown(text) == record


def test_the_correctness_target_is_ours_against_each_peer() -> None:
    [target] = targets(trouble_record())
    assert target.text == "correctness: working/not right, ours vs each peer"
    assert (target.measured, target.met) == ("ours 58/60, lychee 30/60", True)
    [beaten] = targets(trouble_record(lychee_right=59))
    assert beaten.met is False
    alone = trouble_record()
    alone["runs"] = alone["runs"][:1]
    assert targets(alone)[0].met is None  # no peer to judge against
    assert "## Targets\n" in scenario_markdown(trouble_record())


def test_a_plain_farm_has_no_breakdown() -> None:
    record = trouble_record()
    record["truth"] = {"ok": record["truth"]["ok"]}
    assert not has_trouble(record)
    text = scenario_markdown(record)
    assert "## By kind of URL" not in text and "correctness:" not in text
    assert "(ok = 200 page, moved = 301 to a page, gone = 404, error = 500)" in text
