"""How a served page is read before it is judged: an empty body, bytes that are not in
the charset declared, and "not found" wording in Spanish."""

from __future__ import annotations

import pytest

from checks.http import repair_declared_utf8
from checks.model import ClaimSpec, Verdict
from tests.checks.conftest import Check
from tests.checks.server import LoopbackServer, Reply

# --- empty bodies ---


@pytest.mark.parametrize("body", [b"", b"  \r\n\r\n  "])
def test_empty_200_where_a_page_is_cited_is_a_type_mismatch(
    server: LoopbackServer, check: Check, body: bytes
) -> None:
    server.route("/reports/2019", Reply(body=body))
    result = check(server.url("/reports/2019"))
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == "served an empty body where a document is cited"


def test_empty_200_is_not_content_drift(server: LoopbackServer, check: Check) -> None:
    server.route("/reports/2019", Reply(body=b"\n"))
    claims = (ClaimSpec(id="rate", evidence="4.2 percent"),)
    result = check(server.url("/reports/2019"), claims=claims)
    assert result.verdict is Verdict.TYPE_MISMATCH


# --- Windows-1252 pages declared UTF-8 ---

LEGACY = (
    "<html><head><title>Labour market report</title></head><body>"
    "<p>The unemployment rate was 4.2\u00a0percent in the county \u2014 under the"
    " children\u2019s \u201csafe harbor\u201d law.</p></body></html>"
).encode("cp1252")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html; charset=UTF-8", LEGACY),
        ("text/html", LEGACY.replace(b"<head>", b"<head><meta charset='utf-8'>")),
    ],
)
def test_windows_1252_page_declared_utf8_still_holds_its_claims(
    server: LoopbackServer, check: Check, content_type: str, body: bytes
) -> None:
    server.route("/report", Reply(body=body, content_type=content_type))
    claims = (
        ClaimSpec(id="rate", evidence="4.2 percent"),
        ClaimSpec(id="law", evidence="children's \u201csafe harbor\u201d law"),
    )
    result = check(server.url("/report"), claims=claims)
    assert result.verdict is Verdict.OK
    assert all(finding.found for finding in result.claims)


def test_windows_1252_not_found_page_declared_utf8_is_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    page = (
        "<html><head><title>Condado</title></head><body><h1>P\u00e1gina no encontrada</h1>"
        "<p>Inicio</p></body></html>"
    ).encode("cp1252")
    server.route("/es/informe.html", Reply(body=page, content_type="text/html; charset=utf-8"))
    result = check(server.url("/es/informe.html"))
    assert result.verdict is Verdict.SOFT_404


def test_stray_bytes_are_repaired_and_valid_utf8_is_kept() -> None:
    mixed = "caf\u00e9 \u2013 ".encode() + b"\x93quoted\x94"
    body, content_type = repair_declared_utf8(mixed, "text/html; charset=utf-8; foo=bar")
    assert body.decode("utf-8") == "caf\u00e9 \u2013 \u201cquoted\u201d"
    assert content_type == "text/html; foo=bar; charset=utf-8"


def test_utf8_cut_mid_character_and_other_charsets_are_left_alone() -> None:
    cut = "caf\u00e9".encode()[:-1]
    assert repair_declared_utf8(cut, "text/html; charset=utf-8") == (
        cut,
        "text/html; charset=utf-8",
    )
    latin = b"P\xe1gina"
    assert repair_declared_utf8(latin, "text/html; charset=iso-8859-1")[0] == latin
    assert repair_declared_utf8(b"%PDF-1.4 \xe1", "application/pdf")[0] == b"%PDF-1.4 \xe1"


# --- Spanish "not found" pages ---


@pytest.mark.parametrize(
    "page",
    [
        "<title>DPSS</title><h1>\u00a1Ups! No se encontr\u00f3 la p\u00e1gina</h1>"
        "<p>Lo sentimos, la p\u00e1gina solicitada no se encuentra disponible.</p>",
        "<title>Condado</title><h1>Error</h1>"
        "<p>No se encuentra la p\u00e1gina que busca.</p><p>Inicio</p>",
        "<title>No se encontr\u00f3 la p\u00e1gina | Condado de Los \u00c1ngeles</title>"
        "<p>Inicio</p><p>Servicios</p>",
    ],
)
def test_spanish_not_found_pages_are_soft_404s(
    server: LoopbackServer, check: Check, page: str
) -> None:
    server.route("/es/informe.html", Reply(body=f"<html>{page}</html>".encode()))
    result = check(server.url("/es/informe.html"))
    assert result.verdict is Verdict.SOFT_404


def test_spanish_report_mentioning_a_page_not_found_elsewhere_is_ok(
    server: LoopbackServer, check: Check
) -> None:
    page = (
        "<html><title>Noticias del condado</title><p>La polic\u00eda no encontr\u00f3 la"
        " p\u00e1gina del diario del sospechoso en su casa, seg\u00fan el informe.</p></html>"
    )
    server.route("/noticias/1", Reply(body=page.encode()))
    assert check(server.url("/noticias/1")).verdict is Verdict.OK
