"""Each kind of registry mistake is reported at its file, line and dotted field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.registry import RegistryInvalid, load_registry

Problems = Callable[[str], list[str]]
Where = Callable[[str, str, str], str]


def broken(valid: str, old: str, new: str) -> str:
    assert old in valid, f"{old!r} is not in the valid registry"
    return valid.replace(old, new, 1)


def test_the_valid_fixture_loads(write_registry: Callable[[str], Path], valid_text: str) -> None:
    registry = load_registry(write_registry(valid_text))
    assert [s.id for s in registry.sources] == ["report", "page"]


def test_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    assert str(caught.value) == f"{path}: file not found"


def test_text_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_bytes(b"version: 1\ntitle: caf\xe9\n")
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    assert str(caught.value) == f"{path}:2: not UTF-8 text (byte 21)"


def test_text_that_is_not_utf8_is_reported_at_its_line_after_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\r\nsettings:\r\n  user_agent: caf\xe9\r\n")
    with pytest.raises(RegistryInvalid) as caught:
        load_registry(path)
    assert str(caught.value) == f"{path}:3: not UTF-8 text (byte 40)"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            'version: 1\nsources:\n  - id: a\n    url: "unclosed\n',
            5,
            "found unexpected end of stream (while scanning a quoted scalar on line 4)",
        ),
        (
            "version: 1\nsources:\n  - id: a\n   url: x\n",
            4,
            "did not find expected '-' indicator (while parsing a block collection on line 3)",
        ),
        (
            "version: 1\nowners: [a, b\nsources: []\n",
            3,
            "did not find expected ',' or ']' (while parsing a flow sequence on line 2)",
        ),
    ],
)
def test_malformed_yaml_gives_the_parser_line(
    problems: Problems, tmp_path: Path, text: str, line: int, message: str
) -> None:
    assert problems(text) == [f"{tmp_path / 'registry.yaml'}:{line}: malformed YAML: {message}"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- version: 1\n", ":1: expected a mapping, got a list"),
        ("just words\n", ":1: expected a mapping, got 'just words'"),
        ("# only a comment\n", ": the file is empty; expected a mapping starting 'version: 1'"),
    ],
)
def test_top_level_must_be_a_mapping(
    problems: Problems, tmp_path: Path, text: str, message: str
) -> None:
    assert problems(text) == [f"{tmp_path / 'registry.yaml'}{message}"]


@pytest.mark.parametrize("value", ["2", '"1"', "1.0", "null"])
def test_wrong_version(problems: Problems, where: Where, valid_text: str, value: str) -> None:
    text = broken(valid_text, "version: 1", f"version: {value}")
    expected = "expected 1, the registry format this monitor reads, got"
    assert problems(text) == [
        f"{where(text, 'version:', 'version')}{expected} {value.strip(chr(34))!r}"
    ]


def test_missing_version(problems: Problems, tmp_path: Path, valid_text: str) -> None:
    text = broken(valid_text, "version: 1\n", "")
    assert problems(text) == [f"{tmp_path / 'registry.yaml'}:1: version: required key is missing"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "hint"),
    [
        ("version: 1", "version: 1\nsorces: []", "sorces", "sorces", "did you mean 'sources'?"),
        (
            "  timeout_s: 5",
            "  timeout: 5",
            "timeout:",
            "settings.timeout",
            "did you mean 'timeout_s'?",
        ),
        (
            "  timeout_s: 5",
            "  timeout_s: 5\n  archives: {waybak: null}",
            "waybak",
            "settings.archives.waybak",
            "did you mean 'wayback'?",
        ),
        ("{name: Web team,", "{nmae: Web team,", "nmae", "owners.web.nmae", "did you mean 'name'?"),
        (
            "    owner: web\nsources",
            "    ownr: web\nsources",
            "ownr",
            "documents[0].ownr",
            "did you mean 'owner'?",
        ),
        (
            "    accessed:",
            "    acessed:",
            "acessed",
            "sources[0].acessed",
            "did you mean 'accessed'?",
        ),
        (
            "{content_type: application/pdf}",
            "{content-type: application/pdf}",
            "content-type",
            "sources[0].expect.content-type",
            "did you mean 'content_type'?",
        ),
        (
            "        cited_as: footnote i",
            "        citedas: footnote i",
            "citedas",
            "sources[0].claims[0].citedas",
            "did you mean 'cited_as'?",
        ),
        (
            "    text: TAY webpage",
            "    text: TAY webpage\n    zzz: 1",
            "zzz",
            "references[0].zzz",
            "expected one of: id, document, text, note, source",
        ),
    ],
)
def test_unknown_keys_at_every_level_with_a_suggestion(
    problems: Problems,
    where: Where,
    valid_text: str,
    old: str,
    new: str,
    needle: str,
    field: str,
    hint: str,
) -> None:
    text = broken(valid_text, old, new)
    key = field.rsplit(".", 1)[-1]
    assert problems(text) == [f"{where(text, needle, field)}unknown key {key!r}; {hint}"]


@pytest.mark.parametrize(
    ("old", "new", "entry", "field"),
    [
        ("    url: http://example.org/page\n", "", "  - id: page", "sources[1].url"),
        ("  - id: page\n    url:", "  - url:", "  - url: http://example.org/page", "sources[1].id"),
        (
            '        evidence: "100,000"\n',
            "",
            "      - id: children",
            "sources[0].claims[0].evidence",
        ),
        (
            "        statement: 100,000 children are sold each year\n",
            "",
            "      - id: children",
            "sources[0].claims[0].statement",
        ),
        ("    path: content/sheet.md\n", "", "  - id: sheet", "documents[0].path"),
        ("    text: TAY webpage\n", "", "  - id: tay", "references[0].text"),
        ("    document: sheet\n    text:", "    text:", "  - id: tay", "references[0].document"),
    ],
)
def test_missing_required_keys_point_at_the_entry(
    problems: Problems, where: Where, valid_text: str, old: str, new: str, entry: str, field: str
) -> None:
    text = broken(valid_text, old, new)
    assert problems(text) == [f"{where(text, entry, field)}required key is missing"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "message"),
    [
        (
            '        evidence: "100,000"',
            "        evidence: [100, 000]",
            "evidence:",
            "sources[0].claims[0].evidence",
            "expected text, got a list",
        ),
        (
            "        document: sheet",
            '        document: sheet\n        lenient: "yes"',
            "lenient",
            "sources[0].claims[0].lenient",
            "expected true or false, got 'yes'",
        ),
        (
            "    expect: {content_type: application/pdf}",
            "    expect: application/pdf",
            "expect:",
            "sources[0].expect",
            "expected a mapping, got 'application/pdf'",
        ),
        (
            "    expect: {content_type: application/pdf}",
            "    expect: {content_type: pdf}",
            "expect:",
            "sources[0].expect.content_type",
            "expected a media type such as 'application/pdf', got 'pdf'",
        ),
        (
            "  - id: page",
            "  - id: my page",
            "my page",
            "sources[1].id",
            "expected an id (letters, digits, '.', '_', '-'), got 'my page'",
        ),
        (
            "  - id: page",
            "  - id: ~",
            "id: ~",
            "sources[1].id",
            "expected text, got nothing (null)",
        ),
        (
            "    url: http://example.org/page",
            "    url: http://example.org/page\n    claims: none",
            "claims: none",
            "sources[1].claims",
            "expected a list, got 'none'",
        ),
        (
            "    owner: web\n    accessed",
            "    owner: [web]\n    accessed",
            "owner: [web]",
            "sources[0].owner",
            "expected text, got a list",
        ),
        (
            "  web: {name: Web team, email: web@example.org}",
            "  web: Web team",
            "web:",
            "owners.web",
            "expected a mapping, got 'Web team'",
        ),
        (
            "  timeout_s: 5",
            "  timeout_s: !!python/object/apply:os.system [echo]",
            "timeout_s",
            "settings.timeout_s",
            "expected a number greater than 0,"
            " got a value tagged '!!python/object/apply:os.system'",
        ),
        (
            "    text: TAY webpage",
            "    text: !custom TAY webpage",
            "text:",
            "references[0].text",
            "unsupported YAML tag '!custom'",
        ),
    ],
)
def test_wrong_types(
    problems: Problems,
    where: Where,
    valid_text: str,
    old: str,
    new: str,
    needle: str,
    field: str,
    message: str,
) -> None:
    text = broken(valid_text, old, new)
    assert problems(text) == [f"{where(text, needle, field)}{message}"]


def test_a_section_of_the_wrong_kind(problems: Problems, tmp_path: Path) -> None:
    text = "version: 1\nsources: {id: a, url: http://example.org/}\nowners: [web]\n"
    file = tmp_path / "registry.yaml"
    assert problems(text) == [
        f"{file}:2: sources: expected a list, got a mapping",
        f"{file}:3: owners: expected a mapping, got a list",
    ]


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "message"),
    [
        (
            "  - id: page\n    url: http://example.org/page",
            "  - url: http://example.org/page\n    id: report",
            "    id: report",
            "sources[1].id",
            "duplicate source id 'report' (first on line 11)",
        ),
        (
            "  web: {name: Web team, email: web@example.org}",
            "  web: {name: Web team}\n  web: {name: Other}",
            "Other",
            "owners.web",
            "duplicate key 'web' (first on line 5)",
        ),
        (
            "    url: http://example.org/page",
            "    url: http://example.org/page\n"
            "    claims: [{id: children, statement: s, evidence: e}]",
            "claims: [",
            "sources[1].claims[0].id",
            "duplicate claim id 'children' (first on line 18)",
        ),
        (
            "    owner: web\nsources:",
            "    owner: web\n  - {id: sheet, path: content/sheet.md}\nsources:",
            "- {id: sheet",
            "documents[1].id",
            "duplicate document id 'sheet' (first on line 7)",
        ),
        (
            "    text: TAY webpage",
            "    text: TAY webpage\n  - {id: tay, document: sheet, text: again}",
            "again",
            "references[1].id",
            "duplicate reference id 'tay' (first on line 26)",
        ),
        (
            "    accessed: 2014-01-15",
            "    accessed: 2014-01-15\n    accessed: 2015-01-15",
            "2015-01-15",
            "sources[0].accessed",
            "duplicate key 'accessed' (first on line 14)",
        ),
    ],
)
def test_duplicates(
    problems: Problems,
    where: Where,
    valid_text: str,
    old: str,
    new: str,
    needle: str,
    field: str,
    message: str,
) -> None:
    text = broken(valid_text, old, new)
    assert problems(text) == [f"{where(text, needle, field)}{message}"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://x", ""),
        ("example.org/report.pdf", ""),
        ("mailto:web@example.org", ""),
        ("http://", ": it has no host"),
        ("https:///report.pdf", ": it has no host"),
        ('"http://example.org/a report.pdf"', ": it contains a space, quote or control character"),
        ("http://example.org:99999/", ": port out of range 0-65535"),
        ("http://exa_mple-.org/", ": 'exa_mple-.org' is not a valid host name"),
        ('"http://[::1/"', ": invalid IPv6 URL"),
    ],
)
def test_invalid_urls(
    problems: Problems, where: Where, valid_text: str, url: str, reason: str
) -> None:
    text = broken(valid_text, "url: https://example.org/report.pdf", f"url: {url}")
    shown = url.strip('"')
    expected = f"expected an http(s) URL, got {shown!r}{reason}"
    assert problems(text) == [f"{where(text, 'url: ' + url, 'sources[0].url')}{expected}"]


@pytest.mark.parametrize(
    "value", ["2014-13-01", "2014-02-30", "2014-1-5", "Jan 2014", "2014-01-15 10:00:00", "20140115"]
)
def test_bad_dates(problems: Problems, where: Where, valid_text: str, value: str) -> None:
    text = broken(valid_text, "accessed: 2014-01-15", f"accessed: {value}")
    expected = f"expected a date YYYY-MM-DD, got {value!r}"
    assert problems(text) == [f"{where(text, 'accessed:', 'sources[0].accessed')}{expected}"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "expected a duration greater than zero, got 0"),
        ("-30", "expected a duration greater than zero, got -30"),
        ("0h", "expected a duration greater than zero, got '0h'"),
        ("soon", "expected a duration such as 30m, 12h, 1d, 2w or 1d12h, got 'soon'"),
        ("12h1d", "expected a duration such as 30m, 12h, 1d, 2w or 1d12h, got '12h1d'"),
        ("1.5", "expected a duration such as 30m, 12h, 1d, 2w or 1d12h, got 1.5 (a number)"),
        ("true", "expected a duration such as 30m, 12h, 1d, 2w or 1d12h, got true (a boolean)"),
    ],
)
def test_bad_intervals(
    problems: Problems, where: Where, valid_text: str, value: str, message: str
) -> None:
    text = broken(valid_text, "interval: 12h", f"interval: {value}")
    assert problems(text) == [f"{where(text, 'interval:', 'sources[0].interval')}{message}"]


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "message"),
    [
        (
            "    owner: web\nsources:",
            "    owner: webb\nsources:",
            "owner: webb",
            "documents[0].owner",
            "unknown owner 'webb'; did you mean 'web'?",
        ),
        (
            "    owner: web\n    accessed",
            "    owner: nobody\n    accessed",
            "owner: nobody",
            "sources[0].owner",
            "unknown owner 'nobody'; known: web",
        ),
        (
            "        document: sheet",
            "        document: sheat",
            "document: sheat",
            "sources[0].claims[0].document",
            "unknown document 'sheat'; did you mean 'sheet'?",
        ),
        (
            "  - id: tay\n    document: sheet",
            "  - id: tay\n    document: other",
            "document: other",
            "references[0].document",
            "unknown document 'other'; known: sheet",
        ),
        (
            "    text: TAY webpage",
            "    text: TAY webpage\n    source: pages",
            "source: pages",
            "references[0].source",
            "unknown source 'pages'; did you mean 'page'?",
        ),
    ],
)
def test_references_to_unknown_entries(
    problems: Problems,
    where: Where,
    valid_text: str,
    old: str,
    new: str,
    needle: str,
    field: str,
    message: str,
) -> None:
    text = broken(valid_text, old, new)
    assert problems(text) == [f"{where(text, needle, field)}{message}"]


def test_reference_to_an_owner_when_none_are_defined(problems: Problems, tmp_path: Path) -> None:
    text = "version: 1\nsources:\n  - {id: a, url: http://example.org/, owner: web}\n"
    expected = "sources[0].owner: unknown owner 'web'; the registry defines no owners"
    assert problems(text) == [f"{tmp_path / 'registry.yaml'}:3: {expected}"]


@pytest.mark.parametrize(
    ("path", "why"),
    [("content/missing.md", "does not exist"), ("content", "is a folder, not a file")],
)
def test_document_path_must_exist(
    problems: Problems, where: Where, valid_text: str, path: str, why: str
) -> None:
    text = broken(valid_text, "path: content/sheet.md", f"path: {path}")
    expected = f"{path!r} {why} (paths are relative to the registry's folder)"
    assert problems(text) == [f"{where(text, 'path:', 'documents[0].path')}{expected}"]


@pytest.mark.parametrize(
    ("setting", "field", "message"),
    [
        ("concurrency: 0", "settings.concurrency", "expected a whole number >= 1, got 0"),
        ("per_host: -2", "settings.per_host", "expected a whole number >= 1, got -2"),
        ("processes: 0", "settings.processes", "expected a whole number >= 1, got 0"),
        ("per_host: '2'", "settings.per_host", "expected a whole number >= 1, got '2'"),
        (
            "concurrency: 1.5",
            "settings.concurrency",
            "expected a whole number >= 1, got 1.5 (a number)",
        ),
        ("timeout_s: 0", "settings.timeout_s", "expected a number greater than 0, got 0"),
        ("timeout_s: -1.5", "settings.timeout_s", "expected a number greater than 0, got -1.5"),
        ("timeout_s: .inf", "settings.timeout_s", "expected a number greater than 0, got .inf"),
        ("allow_private: 'no'", "settings.allow_private", "expected true or false, got 'no'"),
        ("interval: 0m", "settings.interval", "expected a duration greater than zero, got '0m'"),
        (
            'user_agent: "monitor\\r\\nX-Evil: 1"',
            "settings.user_agent",
            "expected one line of text, got 'monitor\\r\\nX-Evil: 1'",
        ),
        (
            "archives: {wayback: ftp://archive.example}",
            "settings.archives.wayback",
            "expected an http(s) URL, got 'ftp://archive.example'",
        ),
        (
            "archives: {memento: https://timegate.example}",
            "settings.archives.memento",
            "expected a list, got 'https://timegate.example'",
        ),
        (
            "archives: {memento: [https://ok.example, 'not a url']}",
            "settings.archives.memento[1]",
            "expected an http(s) URL, got 'not a url':"
            " it contains a space, quote or control character",
        ),
        ("archives: []", "settings.archives", "expected a mapping, got a list"),
        (
            "archives: {memento: [{timemap: https://a.example/timemap/link/}]}",
            "settings.archives.memento[0].timegate",
            "required key is missing",
        ),
        (
            "archives: {memento: [{timegate: https://a.example/, nmae: a}]}",
            "settings.archives.memento[0].nmae",
            "unknown key 'nmae'; did you mean 'name'?",
        ),
        (
            "archives: {memento: [{timegate: https://a.example/, name: 'two words'}]}",
            "settings.archives.memento[0].name",
            "expected one word (letters, digits, . _ -)",
        ),
    ],
)
def test_bad_settings(
    problems: Problems, where: Where, valid_text: str, setting: str, field: str, message: str
) -> None:
    text = broken(valid_text, "  timeout_s: 5", f"  {setting}")
    assert problems(text) == [f"{where(text, setting[:8], field)}{message}"]


def test_every_problem_is_reported_in_file_order(
    problems: Problems, tmp_path: Path, valid_text: str
) -> None:
    text = valid_text
    for old, new in [
        ("version: 1", "version: 3"),
        ("  timeout_s: 5", "  timeout_s: 5\n  per_host: 0"),
        ("path: content/sheet.md", "path: content/gone.md"),
        ("url: https://example.org/report.pdf", "url: ftp://example.org/report.pdf"),
        ("accessed: 2014-01-15", "accessed: 2014-01-32"),
        ('        evidence: "100,000"\n', ""),
        ("  - id: page", "  - id: report"),
        ("    text: TAY webpage", "    text: TAY webpage\n    sorce: page"),
    ]:
        text = broken(text, old, new)
    file = tmp_path / "registry.yaml"
    assert problems(text) == [
        f"{file}:1: version: expected 1, the registry format this monitor reads, got '3'",
        f"{file}:4: settings.per_host: expected a whole number >= 1, got 0",
        f"{file}:9: documents[0].path: 'content/gone.md' does not exist"
        " (paths are relative to the registry's folder)",
        f"{file}:13: sources[0].url: expected an http(s) URL, got 'ftp://example.org/report.pdf'",
        f"{file}:15: sources[0].accessed: expected a date YYYY-MM-DD, got '2014-01-32'",
        f"{file}:19: sources[0].claims[0].evidence: required key is missing",
        f"{file}:23: sources[1].id: duplicate source id 'report' (first on line 12)",
        f"{file}:29: references[0].sorce: unknown key 'sorce'; did you mean 'source'?",
    ]
