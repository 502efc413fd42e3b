"""Webhooks: a signed generic JSON post to a loopback receiver, and Slack's format."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import responses

from monitor.notify import DeliveryError, deliver_due, notify_run
from monitor.notify.webhook import post, retry_after
from monitor.store import OutboxStatus, Store
from tests.notify.project import ARCHIVE_URL, T0, first_run, registry, status
from tests.notify.servers import Hook, WebhookServer

SECRET = "whsec_" + base64.b64encode(b"a test secret of 32 bytes length").decode()
SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"


def verify(hook: Hook, secret: str) -> bool:
    """A receiver's check, written from the Standard Webhooks spec, not from our code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    msg_id, stamp = hook.headers["webhook-id"], hook.headers["webhook-timestamp"]
    expected = hmac.new(key, f"{msg_id}.{stamp}.".encode() + hook.body, hashlib.sha256)
    wanted = base64.b64encode(expected.digest()).decode()
    offered = [s.split(",", 1)[1] for s in hook.headers["webhook-signature"].split()]
    return any(hmac.compare_digest(wanted, sig) for sig in offered)


def test_a_generic_webhook_is_signed_per_standard_webhooks(
    tmp_path: Path, sqlite_store: Store, hooks: WebhookServer
) -> None:
    reg = registry(tmp_path, web_webhook=hooks.url)
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ={"MONITOR_WEBHOOK_SECRET_WEB": SECRET},
        send_email=lambda message: None,
    )
    assert report.ok
    [hook] = hooks.received
    assert hook.path == "/hooks/citations"
    assert hook.headers["content-type"] == "application/json"
    assert hook.headers["webhook-id"] == f"run{run_id}:web:webhook"
    assert hook.headers["webhook-timestamp"] == str(int(T0.timestamp()))
    assert verify(hook, SECRET)
    assert not verify(Hook(hook.path, hook.headers, hook.body + b" "), SECRET)
    payload = json.loads(hook.body)
    assert payload["type"] == "citation_monitor.digest"
    items = {i["source_id"]: i for i in payload["data"]["items"]}
    assert set(items) == {"fbi-stats", "oag-page"}
    assert items["fbi-stats"]["archive"]["url"] == ARCHIVE_URL
    # The receiver's URL is a secret too: reports show only its host.
    assert all(hooks.url not in line for line in report.lines())


def test_without_a_secret_a_generic_webhook_is_not_used(
    tmp_path: Path, sqlite_store: Store, hooks: WebhookServer
) -> None:
    reg = registry(tmp_path, web_webhook=hooks.url)
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ={},
        send_email=lambda message: None,
    )
    assert hooks.received == []
    assert any("MONITOR_WEBHOOK_SECRET_WEB" in w for w in report.warnings)


def test_a_webhook_to_a_private_address_is_refused_unless_allowed(
    tmp_path: Path, sqlite_store: Store, hooks: WebhookServer
) -> None:
    run_id = first_run(sqlite_store)
    environ = {"MONITOR_WEBHOOK_SECRET": SECRET}
    refused = registry(tmp_path, web_webhook=hooks.url, allow_private=False)
    doc = status(refused, sqlite_store, run_id, T0)
    report = notify_run(sqlite_store, refused, doc, run_id, now=T0, environ=environ)
    [failed] = report.failed
    assert failed.attempts == 1 and "loopback" in (failed.error or "")
    assert hooks.received == []
    # The same URL in a registry that allows private targets (tests, intranets).
    allowed = registry(tmp_path, web_webhook=hooks.url.replace("127.0.0.1", "localhost"))
    fresh = first_run(sqlite_store, T0 + timedelta(days=1))
    doc = status(allowed, sqlite_store, fresh, T0)
    sent = notify_run(sqlite_store, allowed, doc, fresh, now=T0, environ=environ)
    assert [o.channel for o in sent.sent] == ["webhook"] and len(hooks.received) == 1


def test_failures_are_retried_with_growing_delays_then_given_up(
    tmp_path: Path, sqlite_store: Store, hooks: WebhookServer
) -> None:
    reg = registry(tmp_path, web_webhook=hooks.url, notify={"max_attempts": 3, "retry_minutes": 5})
    hooks.statuses = [503, 500, 502]
    environ = {"MONITOR_WEBHOOK_SECRET": SECRET}
    run_id = first_run(sqlite_store)
    doc = status(reg, sqlite_store, run_id, T0)
    first = notify_run(sqlite_store, reg, doc, run_id, now=T0, environ=environ)
    [retry] = first.retrying
    assert retry.next_attempt_at == T0 + timedelta(minutes=5)
    assert "503" in (retry.error or "") and "temporarily unavailable" in (retry.error or "")
    early = deliver_due(sqlite_store, reg, now=T0 + timedelta(minutes=4), environ=environ)
    assert early.sent == early.retrying == () and len(hooks.received) == 1
    second = deliver_due(sqlite_store, reg, now=T0 + timedelta(minutes=5), environ=environ)
    assert second.retrying[0].next_attempt_at == T0 + timedelta(minutes=15)
    third = deliver_due(sqlite_store, reg, now=T0 + timedelta(minutes=15), environ=environ)
    [given_up] = third.failed
    assert given_up.attempts == 3 and "502" in (given_up.error or "")
    assert len(hooks.received) == 3 and len(set(hooks.ids())) == 1
    [row] = sqlite_store.outbox_rows(status=OutboxStatus.FAILED)
    assert row.channel == "webhook" and row.attempts == 3


def test_a_receiver_that_says_when_to_come_back_is_not_asked_sooner(
    tmp_path: Path, sqlite_store: Store, hooks: WebhookServer
) -> None:
    reg = registry(
        tmp_path,
        web_webhook=hooks.url,
        notify={"channels": ["webhook"], "retry_minutes": 5, "retry_max_hours": 6},
    )
    environ = {"MONITOR_WEBHOOK_SECRET": SECRET}
    hooks.statuses, hooks.retry_after = [429, 503, 429], "3600"
    run_id = first_run(sqlite_store)
    doc = status(reg, sqlite_store, run_id, T0)
    first = notify_run(sqlite_store, reg, doc, run_id, now=T0, environ=environ)
    [retry] = first.retrying
    assert "429" in (retry.error or "") and retry.next_attempt_at == T0 + timedelta(hours=1)
    early = deliver_due(sqlite_store, reg, now=T0 + timedelta(minutes=30), environ=environ)
    assert early.retrying == () and len(hooks.received) == 1
    second = deliver_due(sqlite_store, reg, now=T0 + timedelta(hours=1), environ=environ)
    assert second.retrying[0].next_attempt_at == T0 + timedelta(hours=2)
    # A wait longer than the longest retry delay is cut to it.
    hooks.retry_after = "86400"
    third = deliver_due(sqlite_store, reg, now=T0 + timedelta(hours=2), environ=environ)
    assert third.retrying[0].next_attempt_at == T0 + timedelta(hours=8)
    last = deliver_due(sqlite_store, reg, now=T0 + timedelta(hours=8), environ=environ)
    assert len(last.sent) == 1 and len(hooks.received) == 4 and len(set(hooks.ids())) == 1


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    assert retry_after("120", now) == timedelta(seconds=120)
    assert retry_after("Mon, 02 Mar 2026 07:30:00 GMT", now) == timedelta(minutes=90)
    assert retry_after("Sun, 01 Mar 2026 07:30:00 GMT", now) == timedelta(0)
    assert retry_after("soon", now) is None and retry_after(None, now) is None
    assert retry_after("9" * 30, now) == timedelta(days=1)


def test_a_client_error_is_not_retried(
    tmp_path: Path, sqlite_store: Store, hooks: WebhookServer
) -> None:
    reg = registry(tmp_path, web_webhook=hooks.url)
    hooks.statuses = [410]
    run_id = first_run(sqlite_store)
    doc = status(reg, sqlite_store, run_id, T0)
    report = notify_run(
        sqlite_store, reg, doc, run_id, now=T0, environ={"MONITOR_WEBHOOK_SECRET": SECRET}
    )
    assert [o.attempts for o in report.failed] == [1] and report.retrying == ()


@pytest.fixture
def slack() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def test_a_slack_webhook_gets_slacks_format_unsigned(
    tmp_path: Path, sqlite_store: Store, slack: responses.RequestsMock
) -> None:
    slack.post(SLACK_URL, body="ok")
    reg = registry(tmp_path, research_webhook=SLACK_URL)
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ={"MONITOR_WEBHOOK_SECRET": SECRET},
        send_email=lambda message: None,
        http=requests.Session(),
    )
    assert sorted(o.channel for o in report.sent) == ["email", "email", "slack"]
    [call] = slack.calls
    assert call.request.body is not None
    assert "webhook-signature" not in call.request.headers
    payload = json.loads(call.request.body)
    assert set(payload) == {"text", "blocks"}
    assert payload["text"].startswith("[citation monitor] 2 sources need attention")
    texts = [block["text"]["text"] for block in payload["blocks"]]
    assert all(block["type"] == "section" for block in payload["blocks"])
    assert any("Human Trafficking Facts" in t for t in texts)
    assert all(len(t) <= 3000 for t in texts)
    [line] = [x for x in report.lines() if "slack to" in x]
    assert "https://hooks.slack.com/…" in line and "XXXXXXXX" not in line


def test_a_slack_error_answer_is_reported(
    tmp_path: Path, sqlite_store: Store, slack: responses.RequestsMock
) -> None:
    slack.post(SLACK_URL, status=400, body="invalid_payload")
    reg = registry(tmp_path, research_webhook=SLACK_URL, notify={"channels": ["webhook"]})
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ={},
        http=requests.Session(),
    )
    [failed] = report.failed
    assert failed.error == "webhook answered 400: invalid_payload"


@pytest.fixture
def hang_up() -> Iterator[str]:
    """A receiver that reads the request and closes the connection without answering."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        listener.close()
        thread.join(timeout=5)


def test_a_refused_connection_is_safe_to_retry() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(DeliveryError) as caught:
        post(
            requests.Session(),
            f"http://127.0.0.1:{port}/",
            b"{}",
            {},
            timeout_s=2,
            allow_private=True,
        )
    assert not caught.value.ambiguous and not caught.value.permanent


def test_a_connection_lost_after_sending_leaves_the_outcome_open(hang_up: str) -> None:
    with pytest.raises(DeliveryError) as caught:
        post(requests.Session(), hang_up, b"{}", {}, timeout_s=2, allow_private=True)
    assert caught.value.ambiguous


def test_a_message_in_doubt_is_resent_only_to_a_deduplicating_receiver(
    tmp_path: Path, sqlite_store: Store, hang_up: str
) -> None:
    reg = registry(tmp_path, web_webhook=hang_up, notify={"channels": ["webhook"]})
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ={"MONITOR_WEBHOOK_SECRET": SECRET},
    )
    # A generic webhook carries its webhook-id: tried again later.
    [retry] = report.retrying
    assert retry.channel == "webhook" and report.unconfirmed == ()


def test_a_slack_message_in_doubt_is_not_sent_again(
    tmp_path: Path, sqlite_store: Store, slack: responses.RequestsMock
) -> None:
    slack.post(SLACK_URL, body=requests.ConnectionError("connection reset by peer"))
    reg = registry(tmp_path, research_webhook=SLACK_URL, notify={"channels": ["webhook"]})
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ={},
        http=requests.Session(),
    )
    [doubt] = report.unconfirmed
    assert doubt.channel == "slack" and report.retrying == ()
    later = deliver_due(sqlite_store, reg, now=T0 + timedelta(days=1), environ={})
    assert later.sent == later.retrying == () and len(slack.calls) == 1
