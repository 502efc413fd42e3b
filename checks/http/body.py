"""Response bodies, read as a stream under byte, decompression and time caps."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from checks.http.mediatype import HTML_TYPES, PDF_TYPES, SNIFF_BYTES
from checks.model import CheckSettings

CHUNK = 64 * 1024


def body_cap(mime: str | None, settings: CheckSettings) -> int:
    """How many decoded bytes to read for a body of this type."""
    if mime in PDF_TYPES:
        cap = settings.max_bytes_pdf
    elif mime in HTML_TYPES or mime is None or mime.startswith("text/"):
        cap = settings.max_bytes_html
    else:
        cap = settings.max_bytes_other
    return min(cap, settings.max_decompressed_bytes)


class Decoder:
    """Content-Encoding decoder that never produces more than it is asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._raw_deflate = False
        self._obj: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)
        elif encoding == "deflate":
            self._obj = zlib.decompressobj()

    def decode(self, data: bytes, limit: int) -> bytes:
        """Up to ``limit + 1`` decoded bytes of ``data`` (more means "over the cap")."""
        if self._obj is None:
            return data[: limit + 1]
        out = bytearray()
        while data and len(out) <= limit:
            try:
                out += self._obj.decompress(data, limit + 1 - len(out))
            except zlib.error:
                if self.encoding == "deflate" and not self._raw_deflate and not out:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._raw_deflate = True
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise
            if self._obj.unconsumed_tail:
                break  # output limit reached
            if self._obj.eof and self._obj.unused_data and self.encoding != "deflate":
                # Another gzip member follows.
                data = self._obj.unused_data
                self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)
            else:
                data = b""
        return bytes(out)


@dataclass(frozen=True)
class BodyRead:
    """What was read of one body."""

    data: bytes
    truncated_at: int | None = None  # the body hit this cap and was cut there
    problem: str | None = None  # the body could not be decoded
    # Reading failed with this (the ``fail`` of the read); ``data`` is what arrived.
    error: Exception | None = None


def read_body(
    response: requests.Response,
    headers: Mapping[str, str],
    cap: int,
    remaining: Callable[[], float],
    read_timeout: float,
    fail: Callable[[BaseException], Exception],
) -> tuple[bytes, int | None, str | None]:
    """Read at most ``cap`` decoded bytes; return (body, truncated_at, problem).

    As :func:`read_stream`, but a read error raises what ``fail`` made of it.
    """
    read = read_stream(response, headers, cap, remaining, read_timeout, fail)
    if read.error is not None:
        raise read.error
    return read.data, read.truncated_at, read.problem


def read_stream(
    response: requests.Response,
    headers: Mapping[str, str],
    cap: int | Callable[[bytes], int],
    remaining: Callable[[], float],
    read_timeout: float,
    fail: Callable[[BaseException], Exception],
) -> BodyRead:
    """Read at most ``cap`` decoded bytes.

    Reads raw bytes with ``read1`` (returns as soon as any data arrives, so a slow
    drip cannot hold a read past the deadline) and decodes them here under the cap,
    so neither the wire size nor a decompression bomb can grow memory past ``cap``.
    ``cap`` may depend on the body's first bytes (a PDF served under a generic type
    gets the PDF cap): it is called with ``b""`` for the cap until they arrive, then
    with the first :data:`~checks.http.mediatype.SNIFF_BYTES`. ``remaining`` says how
    much of the deadline is left; ``fail`` turns a read error into the
    :attr:`BodyRead.error` returned with what arrived, and the deadline (as a
    ``TimeoutError``) into the exception to raise.
    """
    encodings = [
        e.strip().lower()
        for e in headers.get("content-encoding", "").split(",")
        if e.strip() and e.strip().lower() != "identity"
    ]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
        return BodyRead(
            b"", problem=f"content encoding {headers.get('content-encoding')!r} not supported"
        )
    decoder = Decoder(encodings[0] if encodings else "identity")
    raw = response.raw
    sniff = None if isinstance(cap, int) else cap
    limit = cap if isinstance(cap, int) else cap(b"")
    out = bytearray()
    wire = 0
    while True:
        left = remaining()
        if left <= 0:
            raise fail(TimeoutError("deadline"))
        _set_read_timeout(raw, min(read_timeout, left))
        try:
            chunk = raw.read1(CHUNK, decode_content=False)
        except Exception as exc:
            failure = fail(exc)
            failure.__cause__ = exc
            return _settled(out, sniff, error=failure)
        if not chunk:
            return _settled(out, sniff)
        wire += len(chunk)
        room = limit - len(out)
        try:
            data = decoder.decode(chunk, room)
        except zlib.error as exc:
            problem = f"{decoder.encoding} data could not be decoded ({exc})"
            return BodyRead(bytes(out), problem=problem)
        out += data[:room]
        if len(data) > room or wire > limit:
            # Past the cap the label allows (or the sniffed one): whatever the bytes
            # say now, what lies beyond was not decoded.
            settled = _settled(out, sniff)
            return BodyRead(settled.data, settled.truncated_at or limit)
        if sniff is not None and len(out) >= SNIFF_BYTES:
            limit = sniff(bytes(out[:SNIFF_BYTES]))
            sniff = None
            if len(out) > limit:
                return BodyRead(bytes(out[:limit]), limit)


def _settled(
    out: bytearray, sniff: Callable[[bytes], int] | None, error: Exception | None = None
) -> BodyRead:
    """The body read so far, cut to the cap its first bytes call for."""
    limit = sniff(bytes(out[:SNIFF_BYTES])) if sniff is not None else None
    if limit is not None and len(out) > limit:
        return BodyRead(bytes(out[:limit]), limit, error=error)
    return BodyRead(bytes(out), error=error)


def _set_read_timeout(raw: Any, seconds: float) -> None:
    # Each read waits at most until the deadline even if the server stops sending.
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        return
    wanted = max(0.001, seconds)
    # Far from the deadline the timeout is the read timeout the socket already has;
    # setting it again is a system call that lets every other thread run first.
    if sock.gettimeout() != wanted:
        with contextlib.suppress(OSError):
            sock.settimeout(wanted)
