"""How the bench prepares our run: a fresh database and report files, the pages kept."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.farm import Farm, FarmSpec
from bench.inputs import Limits, write_inputs
from bench.site import links as site_links
from bench.tools import Ours


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
