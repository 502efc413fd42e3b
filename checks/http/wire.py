"""Response heads parsed without the email package.

``http.client`` hands every response's header block to the email parser, a general
MIME machine that costs more than the rest of a small response put together.
:func:`parse_header_lines` parses the plain ``Name: value`` lines that servers send
into the same :class:`http.client.HTTPMessage` the email parser would build, and
gives anything else (folded lines, stray text, multipart or message types) to the
email parser itself. :class:`HeadResponse` is ``http.client``'s response with that
parser (and which, as browsers do, passes over every interim 1xx answer before the
real one, not only ``100 Continue``); the guarded connections of
:mod:`checks.netpolicy` use it.
"""

from __future__ import annotations

import email.parser
import http.client
import re
from typing import Any

# One complete header line whose meaning the email parser could not read differently:
# a field name of visible ASCII (no colon), a value without any character the parser
# or a line splitter could take for a line break, and the line's own end.
_PLAIN_LINE = re.compile(rb"([\x21-\x39\x3b-\x7e]+):([^\r\n\x0b\x0c\x1c\x1d\x1e\x85]*)\r?\n")
_BLANK = (b"\r\n", b"\n")
# Content types under which the email parser reads the (here empty) body as parts.
_COMPOUND = re.compile(r"\s*(?:multipart|message)\s*/", re.I)


def parse_header_lines(lines: list[bytes]) -> http.client.HTTPMessage:
    """The :class:`~http.client.HTTPMessage` for a header block as read by
    ``http.client`` (every line with its line end, then the blank line or ``b""``).

    The same message ``http.client.parse_headers`` builds from the same lines.
    """
    if not lines or lines[-1] not in _BLANK:
        return _email_parse(lines)
    fields: list[tuple[str, str]] = []
    for line in lines[:-1]:
        match = _PLAIN_LINE.fullmatch(line)
        if match is None:
            return _email_parse(lines)
        name = match.group(1).decode("ascii")
        value = match.group(2).decode("iso-8859-1").lstrip(" \t")
        if name.lower() == "content-type" and _COMPOUND.match(value):
            return _email_parse(lines)
        fields.append((name, value))
    message = http.client.HTTPMessage()
    for name, value in fields:
        message.set_raw(name, value)
    message.set_payload("")  # the email parser's empty body
    return message


def _email_parse(lines: list[bytes]) -> http.client.HTTPMessage:
    # What http.client.parse_headers does with the lines it read.
    text = b"".join(lines).decode("iso-8859-1")
    message: http.client.HTTPMessage = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(
        text
    )
    return message


class HeadResponse(http.client.HTTPResponse):
    """``http.client.HTTPResponse`` whose header block goes through
    :func:`parse_header_lines` and which skips every interim (1xx but 101) answer.
    Everything else is http.client's own."""

    def begin(self) -> None:
        """Read the status line and headers (``http.client``'s ``begin``, with the
        header parsing replaced)."""
        if self.headers is not None:
            return  # already started reading the response
        stdlib: Any = http.client
        this: Any = self
        while True:
            version, status, reason = this._read_status()
            # Every interim answer (100 Continue, 103 Early Hints...) comes before the
            # real one, which follows on the same connection; http.client skips only
            # 100. 101 Switching Protocols is final: the connection speaks another
            # protocol after it.
            if not (100 <= status < 200) or status == http.client.SWITCHING_PROTOCOLS:
                break
            stdlib._read_headers(self.fp)  # an interim answer's headers are skipped
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10  # "0.9" is treated as 1.0, as http.client does
        elif version.startswith("HTTP/1."):
            self.version = 11  # HTTP/1.x where x >= 1
        else:
            raise http.client.UnknownProtocol(version)
        self.headers = self.msg = parse_header_lines(stdlib._read_headers(self.fp))
        transfer_encoding = self.headers.get("transfer-encoding")
        if transfer_encoding and transfer_encoding.lower() == "chunked":
            this.chunked = True
            this.chunk_left = None
        else:
            this.chunked = False
        this.will_close = this._check_close()
        # Content-Length counts only without chunking (RFC 9112, section 6.3).
        this.length = None
        length = self.headers.get("content-length")
        if length and not this.chunked:
            try:
                this.length = int(length)
            except ValueError:
                this.length = None
            else:
                if this.length < 0:  # nonsensical negative lengths are ignored
                    this.length = None
        if (
            status in (http.client.NO_CONTENT, http.client.NOT_MODIFIED)
            or 100 <= status < 200
            or this._method == "HEAD"
        ):
            this.length = 0  # no body by protocol
        if not this.will_close and not this.chunked and this.length is None:
            # Neither chunked nor a length: the body ends when the connection does.
            this.will_close = True
