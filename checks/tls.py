"""Certificates: why verification failed, and when the certificate expires.

Both are read from what the request itself saw (the verification error, the peer
certificate of the connection), so no extra handshake is needed.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

# OpenSSL X509_V_ERR_* codes, as carried by ssl.SSLCertVerificationError.verify_code.
_VERIFY_REASONS = {
    9: "certificate is not yet valid",
    10: "certificate has expired",
    18: "self-signed certificate",
    19: "self-signed certificate in the chain",
    20: "certificate issuer is not trusted (unknown or private CA)",
    21: "certificate chain is incomplete (cannot verify the first certificate)",
    23: "certificate has been revoked",
    62: "certificate is for another host name",
    64: "certificate is for another IP address",
}

# Fallbacks by message text, for errors that arrive without a verify code.
_MESSAGE_REASONS = (
    ("has expired", _VERIFY_REASONS[10]),
    ("not yet valid", _VERIFY_REASONS[9]),
    ("self-signed certificate in certificate chain", _VERIFY_REASONS[19]),
    ("self signed certificate in certificate chain", _VERIFY_REASONS[19]),
    ("self-signed certificate", _VERIFY_REASONS[18]),
    ("self signed certificate", _VERIFY_REASONS[18]),
    ("unable to get local issuer", _VERIFY_REASONS[20]),
    ("unable to verify the first certificate", _VERIFY_REASONS[21]),
    ("hostname mismatch", _VERIFY_REASONS[62]),
    ("doesn't match", _VERIFY_REASONS[62]),
    ("ip address mismatch", _VERIFY_REASONS[64]),
    ("wrong version number", "handshake failed (is the server speaking plain HTTP?)"),
)


def describe_tls_error(exc: BaseException) -> str:
    """A reason such as ``TLS: certificate has expired`` for a TLS failure."""
    for inner in exception_chain(exc):
        if isinstance(inner, ssl.SSLCertVerificationError):
            code = getattr(inner, "verify_code", None)
            if code in _VERIFY_REASONS:
                return f"TLS: {_VERIFY_REASONS[code]}"
            message = getattr(inner, "verify_message", None) or str(inner)
            return f"TLS: certificate verify failed ({message})"
    text = " ".join(str(inner) for inner in exception_chain(exc)).lower()
    for needle, reason in _MESSAGE_REASONS:
        if needle in text:
            return f"TLS: {reason}"
    return f"TLS: handshake failed ({_short(exc)})"


def is_closed_during_handshake(exc: BaseException) -> bool:
    """Whether the server hung up in the middle of the TLS handshake (an EOF or a
    close alert, no certificate verdict): an overloaded server or a firewall dropping
    the connection, the same as a reset at that point, not a certificate problem."""
    chain = list(exception_chain(exc))
    if any(isinstance(inner, ssl.SSLCertVerificationError) for inner in chain):
        return False
    return any(isinstance(inner, ssl.SSLEOFError | ssl.SSLZeroReturnError) for inner in chain)


def is_tls_error(exc: BaseException) -> bool:
    """Whether a TLS/certificate problem is anywhere in the exception's causes."""
    return any(isinstance(inner, ssl.SSLError) for inner in exception_chain(exc)) or any(
        type(inner).__name__ in ("SSLError", "CertificateError") for inner in exception_chain(exc)
    )


def peer_not_after(raw_response: Any) -> datetime | None:
    """The expiry of the certificate the response's connection verified, if any.

    Only verified connections expose the decoded certificate; anything unusual (a
    plain connection, a mocked response, a released connection) gives None.
    """
    conn = getattr(raw_response, "connection", None)
    sock = getattr(conn, "sock", None)
    getpeercert = getattr(sock, "getpeercert", None)
    if getpeercert is None:
        return None
    try:
        cert = getpeercert()
    except (OSError, ValueError):
        return None
    not_after = cert.get("notAfter") if isinstance(cert, dict) else None
    if not isinstance(not_after, str):
        return None
    try:
        return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), tz=UTC)
    except ValueError:
        return None


def expiry_warning(host: str, expires_at: datetime, now: datetime, warn_days: int) -> str | None:
    """A warning when the certificate expires within ``warn_days`` of ``now``."""
    left = expires_at - now
    if left.total_seconds() > warn_days * 86400:
        return None
    days = int(left.total_seconds() // 86400)
    when = expires_at.date().isoformat()
    if left.total_seconds() <= 0:
        return f"TLS certificate for {host} expired on {when}"
    return f"TLS certificate for {host} expires in {days} day{'s' if days != 1 else ''} ({when})"


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (causes, contexts, args, ``reason``)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked.extend(current.args)
        todo.extend(item for item in linked if isinstance(item, BaseException))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
