"""The newest results as plain data, read without building each result, are the same
data a result gives (:meth:`CheckResult.to_dict`), old rows included."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from checks.model import (
    ArchiveCandidate,
    ArchiveFallback,
    ArchiveStatus,
    CheckResult,
    ClaimFinding,
    ErrorKind,
    RedirectHop,
    Verdict,
)
from monitor.reports.status import source_entry
from monitor.store import Store
from monitor.store.codec import result_data, result_from_dict

T = datetime(2026, 2, 1, 12, tzinfo=UTC)

PLAIN = CheckResult(
    url="https://a.example/",
    verdict=Verdict.OK,
    reason="200 OK",
    checked_at=T,
    source_id="a",
    status=200,
    elapsed_ms=12.5,
    bytes_read=512,
    content_type="text/html",
    fingerprint="v1:abc",
)
RESULTS = [
    PLAIN,
    PLAIN.replace(
        verdict=Verdict.TRANSIENT,
        status=None,
        error_kind=ErrorKind.READ_TIMEOUT,
        error="read timed out",
        attempts=3,
        warnings=("slow", "retried"),
        tls_expires_at=T + timedelta(days=20),
        etag='"v1"',
        last_modified="Sun, 01 Feb 2026 12:00:00 GMT",
        not_modified=True,
        extra={"drift": {"similarity": 0.5, "shingles": [1, 2]}, "saved_capture": None},
    ),
    PLAIN.replace(
        verdict=Verdict.MOVED,
        hops=(RedirectHop("https://a.example/", 301, "https://b.example/", 3.0),),
        final_url="https://b.example/",
        claims=(ClaimFinding("c1", True, "It is 42.", "exact", 1.0),),
        archive=ArchiveFallback(
            ArchiveStatus.VERIFIED,
            url="https://web.archive.org/web/1/https://a.example/",
            captured_at=T - timedelta(days=3),
            candidates=(ArchiveCandidate("https://w/1", T, "wayback", True, "ok"),),
        ),
    ),
]


@pytest.mark.parametrize("stored", [r.to_dict() for r in RESULTS[:2]])
def test_plain_data_is_what_the_result_gives(stored: dict[str, Any]) -> None:
    # Results without redirects, claims or an archived copy: made without the result.
    assert result_data(stored) == result_from_dict(stored).to_dict()


def test_rows_written_before_fields_were_added_get_their_defaults() -> None:
    old = {
        "url": "https://a.example/",
        "verdict": "broken",
        "reason": "404",
        "checked_at": T.isoformat(),
        "status": 404,
        "error_kind": "",
        "bytes_read": None,
    }
    data = result_data(old)
    assert data == result_from_dict(old).to_dict()
    assert (data["attempts"], data["bytes_read"], data["error_kind"]) == (1, 0, None)
    assert (data["hops"], data["warnings"], data["extra"]) == ([], [], {})


def test_the_store_reads_the_newest_result_of_each_source_as_plain_data(store: Store) -> None:
    store.sync_sources(((s, f"https://{s}.example/", None, None) for s in "abc"), T)
    for day, result in enumerate(RESULTS):
        when = T + timedelta(days=day)
        store.save_result(store.start_run(when, planned=1), result.replace(checked_at=when))
    when = T + timedelta(days=5)
    store.save_result(store.start_run(when, planned=1), PLAIN.replace(source_id="b"))
    expected = {k: v.result.to_dict() for k, v in store.latest_results().items()}
    assert store.latest_result_data() == expected
    assert set(expected) == {"a", "b"}
    assert expected["a"]["verdict"] == "moved"  # the newest of a's three
    assert store.latest_result_data(["b", "z"]) == {"b": expected["b"]}


@pytest.mark.parametrize("result", RESULTS)
def test_a_status_entry_from_plain_data_is_the_entry_from_the_result(result: CheckResult) -> None:
    data = result_data(result.to_dict())
    given = copy.deepcopy(data)
    assert source_entry(data) == source_entry(result)
    assert data == given  # the data given is left as it was
