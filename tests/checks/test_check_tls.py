"""Certificates: verified against a private CA on loopback HTTPS servers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from checks.model import CheckSettings, ErrorKind, Verdict
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply

StartHttps = Callable[[bytes, bytes], LoopbackServer]
NAMES = ("127.0.0.1", "docs.example")


def pems(leaf: trustme.LeafCert) -> tuple[bytes, bytes]:
    chain = b"".join(blob.bytes() for blob in leaf.cert_chain_pems)
    return chain, leaf.private_key_pem.bytes()


def expired_leaf(ca: trustme.CA) -> trustme.LeafCert:
    now = datetime.now(UTC)
    return ca.issue_cert(
        *NAMES, not_before=now - timedelta(days=60), not_after=now - timedelta(days=1)
    )


def test_valid_certificate_is_ok_and_its_expiry_recorded(
    ca: trustme.CA, https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    not_after = datetime(2031, 5, 1, tzinfo=UTC)
    srv = https_server(*pems(ca.issue_cert(*NAMES, not_after=not_after)))
    srv.route("/report", Reply(body=REPORT))
    result = check(srv.url("/report", host="docs.example"), settings=tls_settings)
    assert (result.verdict, result.reason) == (Verdict.OK, "200 OK")
    assert result.tls_expires_at == not_after
    assert not any(w.startswith("TLS certificate") for w in result.warnings)


def test_certificate_expiring_soon_gives_a_warning(
    ca: trustme.CA, https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10, hours=1)
    srv = https_server(*pems(ca.issue_cert(*NAMES, not_after=soon)))
    srv.route("/report", Reply(body=REPORT))
    result = check(srv.url("/report"), settings=tls_settings)
    assert result.verdict is Verdict.OK
    assert result.tls_expires_at == soon
    assert f"TLS certificate for 127.0.0.1 expires in 10 days ({soon.date()})" in result.warnings


def test_expired_certificate_is_a_tls_error(
    ca: trustme.CA, https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    now = datetime.now(UTC)
    leaf = ca.issue_cert(
        *NAMES, not_before=now - timedelta(days=60), not_after=now - timedelta(days=1)
    )
    srv = https_server(*pems(leaf))
    srv.route("/report", Reply(body=REPORT))
    result = check(srv.url("/report"), settings=tls_settings)
    assert result.verdict is Verdict.TLS_ERROR
    assert result.error_kind is ErrorKind.TLS
    assert result.reason == "TLS: certificate has expired"


def test_self_signed_certificate_is_a_tls_error(
    https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    lone = trustme.CA()  # not in the bundle; its own certificate is self-signed
    srv = https_server(lone.cert_pem.bytes(), lone.private_key_pem.bytes())
    srv.route("/report", Reply(body=REPORT))
    result = check(srv.url("/report"), settings=tls_settings)
    assert result.verdict is Verdict.TLS_ERROR
    assert result.reason == "TLS: self-signed certificate"


def test_untrusted_issuer_is_a_tls_error(
    https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    stranger = trustme.CA()
    srv = https_server(*pems(stranger.issue_cert(*NAMES)))
    srv.route("/report", Reply(body=REPORT))
    result = check(srv.url("/report"), settings=tls_settings)
    assert result.verdict is Verdict.TLS_ERROR
    assert result.reason.startswith("TLS: certificate issuer is not trusted")


def test_certificate_for_another_host_is_a_tls_error(
    ca: trustme.CA, https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    srv = https_server(*pems(ca.issue_cert("wrong.example")))
    srv.route("/report", Reply(body=REPORT))
    result = check(srv.url("/report", host="docs.example"), settings=tls_settings)
    assert result.verdict is Verdict.TLS_ERROR
    assert result.reason == "TLS: certificate is for another host name"


def test_three_tls_failures_have_distinct_reasons(
    ca: trustme.CA, https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    now = datetime.now(UTC)
    expired = ca.issue_cert(
        *NAMES, not_before=now - timedelta(days=9), not_after=now - timedelta(days=1)
    )
    lone = trustme.CA()
    servers = [
        https_server(*pems(expired)),
        https_server(lone.cert_pem.bytes(), lone.private_key_pem.bytes()),
        https_server(*pems(ca.issue_cert("wrong.example"))),
    ]
    reasons = {
        check(s.url("/", host="docs.example"), settings=tls_settings).reason for s in servers
    }
    assert len(reasons) == 3


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verification_can_be_turned_off(
    https_server: StartHttps, check: Check, tls_settings: CheckSettings
) -> None:
    lone = trustme.CA()
    srv = https_server(lone.cert_pem.bytes(), lone.private_key_pem.bytes())
    srv.route("/report", Reply(body=REPORT))
    insecure = replace(tls_settings, ca_bundle=None, verify_tls=False)
    result = check(srv.url("/report"), settings=insecure)
    assert result.verdict is Verdict.OK
    assert result.tls_expires_at is None  # an unverified certificate tells us nothing


def test_http_to_https_upgrade_is_moved(
    ca: trustme.CA,
    https_server: StartHttps,
    server: LoopbackServer,
    check: Check,
    tls_settings: CheckSettings,
) -> None:
    secure = https_server(*pems(ca.issue_cert(*NAMES)))
    secure.route("/report", Reply(body=REPORT))
    target = secure.url("/report", host="docs.example")
    server.route("/report", Reply(301, headers={"Location": target}, content_type=None))
    result = check(server.url("/report", host="docs.example"), settings=tls_settings)
    assert result.verdict is Verdict.MOVED
    assert result.suggested_url == target
    assert result.tls_expires_at is not None
