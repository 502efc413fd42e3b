"""Response bodies, read as a stream under byte, decompression and time caps."""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import requests

from checks.model import CheckSettings

CHUNK = 64 * 1024
PDF_TYPES = frozenset(
    {"application/pdf", "application/x-pdf", "application/acrobat", "text/pdf", "text/x-pdf"}
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def media_type(content_type: str | None) -> str | None:
    """``text/html`` from ``text/html; charset=utf-8``."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


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


def read_body(
    response: requests.Response,
    headers: Mapping[str, str],
    cap: int,
    remaining: Callable[[], float],
    read_timeout: float,
    fail: Callable[[BaseException], Exception],
) -> tuple[bytes, int | None, str | None]:
    """Read at most ``cap`` decoded bytes; return (body, truncated_at, problem).

    Reads raw bytes with ``read1`` (returns as soon as any data arrives, so a slow
    drip cannot hold a read past the deadline) and decodes them here under the cap,
    so neither the wire size nor a decompression bomb can grow memory past ``cap``.
    ``remaining`` says how much of the deadline is left; ``fail`` turns a read error
    (or the deadline, as a ``TimeoutError``) into the exception to raise.
    """
    encodings = [
        e.strip().lower()
        for e in headers.get("content-encoding", "").split(",")
        if e.strip() and e.strip().lower() != "identity"
    ]
    if len(encodings) > 1 or (encodings and encodings[0] not in ("gzip", "x-gzip", "deflate")):
        return b"", None, f"content encoding {headers.get('content-encoding')!r} not supported"
    decoder = Decoder(encodings[0] if encodings else "identity")
    raw = response.raw
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
            raise fail(exc) from exc
        if not chunk:
            return bytes(out), None, None
        wire += len(chunk)
        room = cap - len(out)
        try:
            data = decoder.decode(chunk, room)
        except zlib.error as exc:
            return bytes(out), None, f"{decoder.encoding} data could not be decoded ({exc})"
        out += data[:room]
        if len(data) > room or wire > cap:
            return bytes(out), cap, None


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
