"""The link-format / Link header parser and TimeMap reading."""

from __future__ import annotations

from datetime import UTC, datetime

from checks.archive.linkformat import parse_links
from checks.archive.memento import format_http_date, mementos_from_links, parse_timemap

RFC_TIMEMAP = """<http://a.example.org>;rel="original",
<http://arxiv.example.net/timemap/http://a.example.org>;rel="self";type="application/link-format"
   ;from="Tue, 20 Jun 2000 18:02:59 GMT";until="Wed, 09 Apr 2008 20:30:51 GMT",
<http://arxiv.example.net/timegate/http://a.example.org>;rel="timegate",
<http://arxiv.example.net/web/20000620180259/http://a.example.org>;rel="first memento"
  ;datetime="Tue, 20 Jun 2000 18:02:59 GMT",
<http://arxiv.example.net/web/20000621011731/http://a.example.org>;rel="memento"
  ;datetime="Wed, 21 Jun 2000 01:17:31 GMT",
<http://arxiv.example.net/web/20091027204954/http://a.example.org>;rel="last memento"
  ;datetime="Tue, 27 Oct 2009 20:49:54 GMT"
"""


def test_rfc_example_timemap() -> None:
    mementos = parse_timemap(RFC_TIMEMAP)

    assert [m.datetime for m in mementos] == [
        datetime(2000, 6, 20, 18, 2, 59, tzinfo=UTC),
        datetime(2000, 6, 21, 1, 17, 31, tzinfo=UTC),
        datetime(2009, 10, 27, 20, 49, 54, tzinfo=UTC),
    ]
    assert mementos[0].uri == "http://arxiv.example.net/web/20000620180259/http://a.example.org"
    assert mementos[0].rels == frozenset({"first", "memento"})


def test_self_link_parameters_spread_over_lines() -> None:
    links = parse_links(RFC_TIMEMAP)

    self_link = next(link for link in links if "self" in link.rels)
    assert self_link.get("from") == "Tue, 20 Jun 2000 18:02:59 GMT"
    assert self_link.get("until") == "Wed, 09 Apr 2008 20:30:51 GMT"
    assert self_link.get("type") == "application/link-format"
    assert len(links) == 6


def test_commas_and_semicolons_inside_quotes_and_uris() -> None:
    text = (
        '<http://x.example/a,b;c>; rel="memento"; title="one, two; three"; '
        'datetime="Sun, 13 Mar 2016 13:58:37 GMT", <http://x.example/d>; rel=original'
    )

    first, second = parse_links(text)

    assert first.uri == "http://x.example/a,b;c"
    assert first.get("title") == "one, two; three"
    assert first.get("datetime") == "Sun, 13 Mar 2016 13:58:37 GMT"
    assert second.uri == "http://x.example/d"
    assert second.rels == frozenset({"original"})


def test_multiple_rels_in_either_order_and_case() -> None:
    text = (
        '<http://m/1>;rel="memento first";datetime="Mon, 01 Jan 2001 00:00:00 GMT",'
        '<http://m/2>;REL="Last Memento";datetime="Tue, 02 Jan 2001 00:00:00 GMT"'
    )

    mementos = mementos_from_links(parse_links(text))

    assert [m.rels for m in mementos] == [
        frozenset({"memento", "first"}),
        frozenset({"memento", "last"}),
    ]


def test_escaped_quote_and_repeated_parameter() -> None:
    (link,) = parse_links('<u>; title="say \\"hi\\""; rel="a"; rel="b"')

    assert link.get("title") == 'say "hi"'
    # RFC 8288: a repeated parameter after the first is ignored.
    assert link.rels == frozenset({"a"})


def test_relative_uris_resolve_against_the_base() -> None:
    (link,) = parse_links('</web/2001/http://x/>; rel="memento"', base="http://arch.example/tm/x")

    assert link.uri == "http://arch.example/web/2001/http://x/"


def test_junk_and_missing_commas_do_not_hide_other_links() -> None:
    text = (
        'garbage <http://m/1>; rel="memento"; datetime="Mon, 01 Jan 2001 00:00:00 GMT" '
        'junk "a,b" <http://m/2>; rel="memento"; datetime="bad date",, '
        '<http://m/3>; rel="memento"'
    )

    mementos = mementos_from_links(parse_links(text))

    assert [m.uri for m in mementos] == ["http://m/1", "http://m/2", "http://m/3"]
    assert mementos[0].datetime == datetime(2001, 1, 1, tzinfo=UTC)
    assert mementos[1].datetime is None


def test_valueless_parameter_and_unterminated_input() -> None:
    assert parse_links('<http://m/1>; anchor; rel="x"')[0].get("anchor") == ""
    assert parse_links("<http://m/1") == []
    assert parse_links("") == []


def test_duplicate_memento_keeps_one_entry_with_all_rels() -> None:
    text = (
        '<http://m/1>; rel="first memento"; datetime="Mon, 01 Jan 2001 00:00:00 GMT", '
        '<http://m/1>; rel="last memento"; datetime="Mon, 01 Jan 2001 00:00:00 GMT"'
    )

    (memento,) = mementos_from_links(parse_links(text))

    assert memento.rels == frozenset({"first", "last", "memento"})


def test_accept_datetime_is_rfc_1123_gmt() -> None:
    assert (
        format_http_date(datetime(2007, 5, 31, 20, 35, tzinfo=UTC))
        == "Thu, 31 May 2007 20:35:00 GMT"
    )
