"""Values that look fine in the file but would fail every run: caught when loading."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.registry import load_registry

Problems = Callable[[str], list[str]]
Where = Callable[[str, str, str], str]
Write = Callable[[str], Path]


def broken(valid: str, old: str, new: str) -> str:
    assert old in valid, f"{old!r} is not in the valid registry"
    return valid.replace(old, new, 1)


@pytest.mark.parametrize(
    ("agent", "where_"),
    [
        ("citation-monitor/1.0 — DMH web team", "U+2014 (EM DASH) at character 22"),
        ("moniteur café/1.0", "U+00E9 (LATIN SMALL LETTER E WITH ACUTE) at character 13"),
        ("monitor\u00a0/1.0", "U+00A0 (NO-BREAK SPACE) at character 8"),
    ],
)
def test_the_user_agent_must_be_printable_ascii(
    problems: Problems, where: Where, valid_text: str, agent: str, where_: str
) -> None:
    # HTTP clients encode header values as Latin-1 at best; an em dash fails every request.
    text = broken(valid_text, "  timeout_s: 5", f'  user_agent: "{agent}"')
    expected = f"expected printable ASCII text (for an HTTP header), got {agent!r}: {where_}"
    assert problems(text) == [f"{where(text, 'user_agent', 'settings.user_agent')}{expected}"]


@pytest.mark.parametrize(
    ("evidence", "error"),
    [
        ('"/100,000 (children/"', "missing ), unterminated subpattern at position 8"),
        ('"re:[0-9"', "unterminated character set at position 0"),
    ],
)
def test_a_regular_expression_that_does_not_compile_is_reported(
    problems: Problems, where: Where, valid_text: str, evidence: str, error: str
) -> None:
    text = broken(valid_text, 'evidence: "100,000"', f"evidence: {evidence}")
    field = "sources[0].claims[0].evidence"
    assert problems(text) == [f"{where(text, 'evidence:', field)}bad regular expression: {error}"]


def test_a_regular_expression_that_compiles_is_kept(write_registry: Write, valid_text: str) -> None:
    text = broken(valid_text, 'evidence: "100,000"', 'evidence: "/100,000 (children|kids)/i"')
    (claim,) = load_registry(write_registry(text)).sources[0].claims
    assert claim.evidence == "/100,000 (children|kids)/i"


@pytest.mark.parametrize(
    "again",
    [
        "https://example.org/report.pdf",
        "https://EXAMPLE.org/report.pdf",
        "HTTPS://example.org/report.pdf",
        "https://example.org:443/report.pdf",
    ],
)
def test_a_source_url_registered_twice_is_reported(
    problems: Problems, tmp_path: Path, valid_text: str, again: str
) -> None:
    text = broken(valid_text, "url: http://example.org/page", f"url: {again}")
    lines = text.splitlines()
    first = lines.index("    url: https://example.org/report.pdf") + 1
    second = lines.index("  - id: page") + 2
    spelt = (
        ""
        if again == "https://example.org/report.pdf"
        else (", written there as 'https://example.org/report.pdf'")
    )
    expected = f"duplicate source URL {again!r} (first on line {first}{spelt})"
    assert problems(text) == [f"{tmp_path / 'registry.yaml'}:{second}: sources[1].url: {expected}"]


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("https://example.org", "https://example.org/"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://example.org/%7euser", "https://example.org/~user"),
        ("https://example.org/caf%c3%a9", "https://example.org/café"),
    ],
)
def test_spellings_of_one_url_are_duplicates(
    problems: Problems, tmp_path: Path, first: str, again: str
) -> None:
    text = f"version: 1\nsources:\n  - {{id: a, url: '{first}'}}\n  - {{id: b, url: '{again}'}}\n"
    [problem] = problems(text)
    assert problem.startswith(f"{tmp_path / 'registry.yaml'}:4: sources[1].url: duplicate")
    assert "(first on line 3" in problem


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("https://example.org/Report.pdf", "https://example.org/report.pdf"),
        ("https://example.org/a?x=1", "https://example.org/a?x=2"),
        ("https://example.org/a#part-1", "https://example.org/a#part-2"),
        ("https://example.org/a", "https://example.org/a/"),
        ("http://example.org/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org/a"),
        ("https://example.org/a%2Fb", "https://example.org/a/b"),
    ],
)
def test_urls_a_server_may_tell_apart_are_not_duplicates(
    write_registry: Write, first: str, again: str
) -> None:
    text = f"version: 1\nsources:\n  - {{id: a, url: '{first}'}}\n  - {{id: b, url: '{again}'}}\n"
    assert [s.url for s in load_registry(write_registry(text)).sources] == [first, again]


@pytest.mark.parametrize(
    ("path", "shown", "why"),
    [
        ('"content/a\\0b.md"', "'content/a\\x00b.md'", "contains a NUL character"),
        ("content/" + "a" * 300 + ".md", None, "is too long a name for the file system"),
        ("loop/sheet.md", "'loop/sheet.md'", "is a loop of symbolic links"),
    ],
)
def test_a_document_path_no_file_system_can_open_is_reported(
    problems: Problems,
    where: Where,
    valid_text: str,
    tmp_path: Path,
    path: str,
    shown: str | None,
    why: str,
) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    text = broken(valid_text, "path: content/sheet.md", f"path: {path}")
    [problem] = problems(text)
    assert problem.startswith(where(text, "path:", "documents[0].path"))
    assert why in problem and "(paths are relative to the registry's folder)" in problem
    if shown is not None:
        assert f": {shown} " in problem
    assert len(problem) < 400


@pytest.mark.parametrize("value", ["1:30", "012", "0x10", "1_000", "0o17", "99999999999999999999"])
def test_durations_yaml_would_read_as_other_numbers_are_refused(
    problems: Problems, where: Where, valid_text: str, value: str
) -> None:
    # YAML 1.1 reads 1:30 as 90 (base 60) and 012 as 10 (octal): refuse, do not guess.
    text = broken(valid_text, "interval: 12h", f"interval: {value}")
    [problem] = problems(text)
    assert problem.startswith(where(text, "interval:", "sources[0].interval"))
    assert repr(value) in problem or "at most ten years" in problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90", timedelta(seconds=90)),
        ("+90", timedelta(seconds=90)),
        ("'012'", timedelta(seconds=12)),
        ("1h30m", timedelta(minutes=90)),
    ],
)
def test_plain_seconds_and_written_durations_still_read(
    write_registry: Write, valid_text: str, value: str, expected: timedelta
) -> None:
    text = broken(valid_text, "interval: 12h", f"interval: {value}")
    assert load_registry(write_registry(text)).sources[0].interval == expected


@pytest.mark.parametrize(
    ("setting", "field", "message"),
    [
        ("timeout_s: 1:30", "settings.timeout_s", "expected a number greater than 0 in plain"),
        ("concurrency: 012", "settings.concurrency", "expected a whole number >= 1 in plain"),
        ("retention_days: 99999999", "settings.retention_days", "from 1 to 36500, got 99999999"),
    ],
)
def test_numbers_are_read_as_written(
    problems: Problems, where: Where, valid_text: str, setting: str, field: str, message: str
) -> None:
    text = broken(valid_text, "  timeout_s: 5", f"  {setting}")
    [problem] = problems(text)
    assert problem.startswith(where(text, setting[:8], field)) and message in problem


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "https://example.org\u200b/report.pdf",
            "the invisible character U+200B (ZERO WIDTH SPACE)",
        ),
        ("https://example.org/re\u00adport.pdf", "the invisible character U+00AD (SOFT HYPHEN)"),
        (
            "https://example.org/\ufeffreport.pdf",
            "the invisible character U+FEFF (ZERO WIDTH NO-BREAK SPACE)",
        ),
        (
            "https://example.org/\u202ereport.pdf",
            "the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)",
        ),
        ("https://example.org/a|b", "U+007C (VERTICAL LINE); write it as %7C"),
        ("https://example.org/{id}", "U+007B (LEFT CURLY BRACKET); write it as %7B"),
        ("https://example.org/a^b", "U+005E (CIRCUMFLEX ACCENT); write it as %5E"),
    ],
)
def test_url_characters_are_named(
    problems: Problems, where: Where, valid_text: str, url: str, reason: str
) -> None:
    text = broken(valid_text, "url: https://example.org/report.pdf", f'url: "{url}"')
    expected = f"expected an http(s) URL, got {url!r}: it contains {reason}"
    assert problems(text) == [f"{where(text, 'url: ', 'sources[0].url')}{expected}"]


def test_the_quick_reading_of_plain_urls_agrees_with_the_full_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # comparable() takes a URL already in its form (but for a default port) as it is;
    # over random URLs, that shortcut must give what the full reading gives.
    from monitor.registry import urls

    rng = random.Random(3)
    chars = "ABCXYZabcxyz0189-._~!$&'()*+,;=:@/?#%[] é"
    hosts = ["example.org", "127.0.0.1", "xn--bcher-kva.de", "a-b.c", "Example.ORG"]
    checked = []
    for _ in range(4000):
        port = rng.choice(["", ":80", ":443", ":8080", ":0", ":65535"])
        tail = "".join(rng.choice(chars) for _ in range(rng.randint(0, 25)))
        url = f"{rng.choice(['http', 'https', 'HTTP'])}://{rng.choice(hosts)}{port}/{tail}"
        if urls.url_problem(url) is None:
            checked.append((url, urls.comparable(url)))
    assert sum(1 for url, _ in checked if urls._PLAIN_URL.fullmatch(url)) > 300
    monkeypatch.setattr(urls, "_PLAIN_URL", re.compile(r"(?!)"))
    assert [(url, urls.comparable(url)) for url, _ in checked] == checked


def test_a_memento_archive_may_name_its_timemap(tmp_path: Path) -> None:
    # archive.today's TimeMaps do not sit beside its TimeGate, so the entry says where.
    from checks.archive.config import MementoEndpoint
    from monitor.archiving import archive_config

    path = tmp_path / "registry.yaml"
    path.write_text(
        "version: 1\n"
        "settings:\n"
        "  archives:\n"
        "    memento:\n"
        "      - https://timegate.example/tg/\n"
        "      - timegate: https://archive.example/timegate/\n"
        "        timemap: https://archive.example/timemap/link/\n"
        "        name: archive-example\n"
        "sources: []\n"
    )
    registry = load_registry(path)
    endpoints = archive_config(registry.settings, environ={}).memento_endpoints
    assert endpoints == (
        MementoEndpoint.parse("https://timegate.example/tg/"),
        MementoEndpoint(
            "archive-example",
            "https://archive.example/timegate/",
            "https://archive.example/timemap/link/",
        ),
    )


def test_a_document_says_the_language_it_is_written_in(
    write_registry: Write, problems: Problems, where: Where, valid_text: str
) -> None:
    spanish = broken(
        valid_text, "    owner: web\nsources:", "    owner: web\n    lang: es-US\nsources:"
    )
    assert load_registry(write_registry(spanish)).documents[0].lang == "es-US"
    assert load_registry(write_registry(valid_text)).documents[0].lang is None
    wrong = broken(
        valid_text, "    owner: web\nsources:", "    owner: web\n    lang: Spanish\nsources:"
    )
    expected = "'Spanish' is not a language tag such as en, es or es-US"
    assert problems(wrong) == [f"{where(wrong, 'lang:', 'documents[0].lang')}{expected}"]


def test_an_id_longer_than_the_store_keeps_is_refused(
    write_registry: Write, problems: Problems, where: Where, valid_text: str
) -> None:
    long_id = "r" * 201
    text = broken(valid_text, "  - id: report\n", f"  - id: {long_id}\n")
    expected = "an id holds at most 200 characters, this one 201"
    assert problems(text) == [f"{where(text, long_id, 'sources[0].id')}{expected}"]
    at_most = broken(valid_text, "  - id: report\n", f"  - id: {'r' * 200}\n")
    assert load_registry(write_registry(at_most)).sources[0].id == "r" * 200
