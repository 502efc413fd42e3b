"""Network and protocol failures, classified once into an :class:`ErrorKind`."""

from __future__ import annotations

import http.client
import socket

import requests
import urllib3.exceptions

from checks import netpolicy, tls
from checks.model import ErrorKind


class FetchFailure(Exception):
    """Ends a fetch with a classified failure and a reason a person can read.

    ``in_handshake``: the server hung up during the TLS handshake (a ``RESET`` that,
    repeated on every attempt, is a refusal to speak TLS with this client).
    """

    def __init__(self, kind: ErrorKind, message: str, *, in_handshake: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.in_handshake = in_handshake


def classify_exception(exc: BaseException, *, timeout_s: float) -> tuple[ErrorKind, str]:
    """The :class:`ErrorKind` and a readable reason for a failed request.

    Raises ``exc`` again when it is not a network or protocol failure (a bug).
    """
    chain = list(tls.exception_chain(exc))
    for inner in chain:
        if isinstance(inner, netpolicy.PolicyViolation):
            return ErrorKind.POLICY, inner.reason
        if isinstance(inner, netpolicy.InvalidURL):
            return ErrorKind.INVALID_URL, inner.reason
    if any(isinstance(inner, socket.gaierror) for inner in chain) or any(
        isinstance(inner, urllib3.exceptions.NameResolutionError) for inner in chain
    ):
        return _dns_failure(chain)
    if tls.is_closed_during_handshake(exc):
        return ErrorKind.RESET, "server closed the connection during the TLS handshake"
    if tls.is_tls_error(exc):
        return ErrorKind.TLS, tls.describe_tls_error(exc)
    if any(isinstance(inner, ConnectionRefusedError) for inner in chain):
        return ErrorKind.REFUSED, "connection refused"
    if any(_is_connect_timeout(inner) for inner in chain):
        return ErrorKind.CONNECT_TIMEOUT, f"connect timed out after {timeout_s:g} s"
    if any(
        isinstance(
            inner,
            requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError | TimeoutError,
        )
        for inner in chain
    ):
        return ErrorKind.READ_TIMEOUT, f"no response data for {timeout_s:g} s (read timeout)"
    if any(isinstance(inner, http.client.RemoteDisconnected) for inner in chain):
        return ErrorKind.RESET, "server closed the connection without answering"
    if any(isinstance(inner, ConnectionResetError | BrokenPipeError) for inner in chain):
        return ErrorKind.RESET, "connection reset by the server"
    if any(isinstance(inner, http.client.IncompleteRead) for inner in chain):
        return ErrorKind.PROTOCOL, "response ended before the announced length"
    if isinstance(
        exc,
        requests.exceptions.InvalidURL
        | requests.exceptions.InvalidSchema
        | requests.exceptions.MissingSchema
        | urllib3.exceptions.LocationParseError,
    ):
        return ErrorKind.INVALID_URL, f"malformed URL: {exc}"
    if any(
        isinstance(
            inner,
            requests.exceptions.ChunkedEncodingError
            | urllib3.exceptions.ProtocolError
            | http.client.HTTPException
            | requests.exceptions.InvalidHeader,
        )
        for inner in chain
    ):
        return ErrorKind.PROTOCOL, f"protocol error: {_short(exc)}"
    if any(isinstance(inner, urllib3.exceptions.NewConnectionError) for inner in chain):
        return ErrorKind.OTHER, f"could not connect: {_short(exc)}"
    if isinstance(exc, requests.RequestException | urllib3.exceptions.HTTPError | OSError):
        return ErrorKind.OTHER, f"request failed: {_short(exc)}"
    raise exc


def _is_connect_timeout(exc: BaseException) -> bool:
    # urllib3's NewConnectionError subclasses ConnectTimeoutError, for history's sake.
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(
        exc, requests.exceptions.ConnectTimeout | urllib3.exceptions.ConnectTimeoutError
    )


def _dns_failure(chain: list[BaseException]) -> tuple[ErrorKind, str]:
    for inner in chain:
        if isinstance(inner, socket.gaierror) and inner.errno in (
            socket.EAI_AGAIN,
            getattr(socket, "EAI_SYSTEM", object()),
        ):
            # The resolver did not answer: that says nothing about the name.
            return ErrorKind.OTHER, "DNS: lookup failed temporarily (resolver did not answer)"
    return ErrorKind.DNS, "DNS: name does not resolve"


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
