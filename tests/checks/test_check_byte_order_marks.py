"""A byte order mark says how a body is encoded, whatever charset its header declares
(as in browsers); and a binary body under a text label is no text to repair."""

from __future__ import annotations

import random
import zlib

import pytest

from checks.http import repair_declared_utf8
from checks.model import ClaimSpec, Verdict
from tests.checks.conftest import Check
from tests.checks.server import LoopbackServer, Reply

RATE = (ClaimSpec(id="rate", evidence="4.2 percent"),)
HTML = (
    "\ufeff<html><head><title>Rates</title></head><body><h1>Rates</h1>"
    "<h2 id='methods'>Methods</h2><p>The rate was 4.2 percent in 2019.</p></body></html>"
)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-8"])
def test_page_with_a_byte_order_mark_served_as_utf8_is_read_by_its_mark(
    server: LoopbackServer, check: Check, codec: str
) -> None:
    server.route(
        "/rates.html", Reply(body=HTML.encode(codec), content_type="text/html; charset=utf-8")
    )
    result = check(server.url("/rates.html#methods"), claims=RATE)
    assert result.verdict is Verdict.OK, result.reason


def test_utf16_text_file_served_as_utf8_holds_its_claims(
    server: LoopbackServer, check: Check
) -> None:
    table = "\ufeffCounty\tYear\tRate\nLos Angeles\t2019\t4.2 percent\n".encode("utf-16-le")
    server.route("/rates.txt", Reply(body=table, content_type="text/plain; charset=UTF-8"))
    assert check(server.url("/rates.txt"), claims=RATE).verdict is Verdict.OK


def test_byte_order_mark_outranks_the_declared_charset_in_the_repair() -> None:
    for codec in ("utf-16-le", "utf-16-be"):
        body = HTML.encode(codec)
        assert repair_declared_utf8(body, "text/html; charset=utf-8") == (
            body,
            "text/html; charset=utf-8",
        )


def test_binary_bodies_under_a_utf8_text_label_are_left_alone() -> None:
    rng = random.Random(7)
    noise = bytes(rng.getrandbits(8) for _ in range(200_000))
    archive = zlib.compress(noise)  # a spreadsheet or zip file: NUL bytes among the rest
    no_nul = noise.replace(b"\x00", b"\x01")
    for body in (archive, no_nul):
        assert repair_declared_utf8(body, "text/plain; charset=UTF-8") == (
            body,
            "text/plain; charset=UTF-8",
        )
