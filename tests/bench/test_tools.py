"""How the bench prepares our run (a fresh database and report files, the pages kept)
and reads the peers' answers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.farm import Farm, FarmSpec
from bench.inputs import Limits, write_inputs
from bench.site import links as site_links
from bench.tools import LinkChecker, Lychee, Ours


def test_a_fresh_run_starts_without_the_last_ones_database_and_reports_but_its_pages(
    tmp_path: Path,
) -> None:
    farm = Farm(FarmSpec(urls=3, hosts=1))
    links = site_links(farm.kinds, farm.hosts, 8000)  # its URLs, without serving them
    inputs = write_inputs(tmp_path, links, Limits(concurrency=2, per_host=1))
    inputs.database.write_bytes(b"old run")
    reports = inputs.folder / "reports"
    (reports / "sources").mkdir(parents=True)
    (reports / "status.json").write_text('{"sources": []}', encoding="utf-8")
    (reports / "index.html").write_text("<html></html>", encoding="utf-8")
    page = reports / "sources" / "s0000000.html"
    page.write_text("<html></html>", encoding="utf-8")
    ours = Ours(Path(sys.executable))
    ours.prepare(inputs, inputs.folder / "ours-output", fresh=True)
    assert not inputs.database.exists()
    # A run that writes no status is never scored on the last one's.
    assert ours.verdicts(inputs, inputs.folder / "ours-output") == {}
    assert sorted(p.name for p in reports.iterdir()) == ["sources"]
    assert page.exists(), "pages stay, to be rewritten as from one run to the next"


def test_a_peer_refused_or_rate_limited_is_blocked_not_broken(tmp_path: Path) -> None:
    inputs = write_inputs(tmp_path, [], Limits())

    def lychee_error(url: str, code: int, text: str) -> dict[str, object]:
        return {"url": url, "status": {"text": text, "code": code}}

    # As lychee writes them with --format json.
    lychee_out = tmp_path / "lychee-output"
    lychee_out.write_text(
        json.dumps(
            {
                "success_map": {},
                "timeout_map": {},
                "error_map": {
                    "links.md": [
                        lychee_error("http://h/a", 403, "Rejected status code: 403 Forbidden"),
                        lychee_error("http://h/b", 429, "Rejected status code: 429 Too Many"),
                        lychee_error("http://h/c", 404, "Rejected status code: 404 Not Found"),
                        lychee_error("http://h/d", 503, "Rejected status code: 503"),
                        lychee_error("http://h/e", 400, "Rejected status code: 400"),
                    ]
                },
            }
        ),
        encoding="utf-8",
    )
    assert Lychee().verdicts(inputs, lychee_out) == {
        "http://h/a": "blocked",
        "http://h/b": "blocked",
        "http://h/c": "broken",
        "http://h/d": "transient",
        "http://h/e": "error",
    }
    # As LinkChecker writes its CSV: it lets a 429 pass with a warning, as valid.
    header = (
        "urlname;parentname;base;result;warningstring;infostring;valid;url;line;column;"
        "name;dltime;size;checktime;cached;level;modified"
    )
    rows = [
        "http://h/a;file:///links.html;;403 Forbidden;;;False;http://h/a;1;5;a;-1;9;0.1;0;1;",
        "http://h/b;file:///links.html;;429 Too Many Requests;Rate limited (Retry-After: 1);"
        ";True;http://h/b;2;5;b;-1;9;0.1;0;1;",
        "http://h/c;file:///links.html;;401 Unauthorized;;;False;http://h/c;3;5;c;-1;9;0.1;0;1;",
        "http://h/d;file:///links.html;;410 Gone;;;False;http://h/d;4;5;d;-1;9;0.1;0;1;",
    ]
    csv_out = tmp_path / "linkchecker-output"
    csv_out.write_text(
        "# created by LinkChecker\n" + "\n".join([header, *rows]) + "\n", encoding="utf-8"
    )
    assert LinkChecker().verdicts(inputs, csv_out) == {
        "http://h/a": "blocked",
        "http://h/b": "ok",
        "http://h/c": "blocked",
        "http://h/d": "broken",
    }
