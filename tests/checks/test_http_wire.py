"""Response heads parsed without the email package are the heads http.client parses."""

from __future__ import annotations

import http.client
import io
import random
from typing import Any

import pytest
from urllib3.util.response import assert_header_parsing

from checks.http import wire
from checks.http.wire import HeadResponse, parse_header_lines

BLOCKS = [
    b"Content-Type: text/html; charset=utf-8\r\nContent-Length: 12\r\n\r\n",
    b"Server:   padded value  \r\nX-Tab:\tvalue\t\r\n\r\n",
    b"X-Empty:\r\nX-Space: \r\n\r\n",
    b"Location: /next\nSet-Cookie: a=1\nSet-Cookie: b=2\n\n",
    b"\r\n",
    b"X-Folded: first\r\n second\r\n\tthird\r\n\r\n",
    b" X-Leading: continuation first\r\n\r\n",
    b"no colon here\r\nX-After: 1\r\n\r\n",
    b"From nobody\r\nX-After: 1\r\n\r\n",
    b"X-A: 1\r\nFrom nobody\r\nX-B: 2\r\n\r\n",
    b"Name : spaced\r\n\r\n",
    b": empty name\r\n\r\n",
    b"X-Latin: caf\xe9\r\n\r\n",
    b"X-Nel: a\x85b\r\n\r\n",
    b"X-Cr: a\rb\r\n\r\n",
    b"X-Vt: a\x0bb\r\nX-Ff: a\x0cb\r\nX-Fs: a\x1cb\r\n\r\n",
    b"Content-Type: multipart/mixed; boundary=x\r\n\r\n",
    b"Content-Type: Multipart/Related\r\n\r\n",
    b"Content-Type: message/rfc822\r\n\r\n",
    b"Content-Type: message/delivery-status\r\n\r\n",
    b"content-type:  text/plain\r\n\r\n",
    b"X(odd)[name]: 1\r\n\r\n",
    b"X-Eof: 1\r\n",
    b"X-Partial: 1",
    b"X-Long: " + b"v" * 60_000 + b"\r\n\r\n",
]


def read_lines(block: bytes) -> list[bytes]:
    lines: list[bytes] = http.client._read_headers(io.BytesIO(block))  # type: ignore[attr-defined]
    return lines


def stdlib_message(block: bytes) -> http.client.HTTPMessage:
    return http.client.parse_headers(io.BytesIO(block))


def described(message: Any) -> Any:
    """Everything a parsed message holds, as comparable values (parts described too)."""
    if isinstance(message, list):
        return [described(part) for part in message]
    if not isinstance(message, http.client.HTTPMessage):
        return message
    state = dict(vars(message))
    state["defects"] = [type(d) for d in state["defects"]]
    state["policy"] = id(state["policy"])
    state["_payload"] = described(state["_payload"])
    return state


def same_message(ours: http.client.HTTPMessage, theirs: http.client.HTTPMessage) -> None:
    assert described(ours) == described(theirs)
    assert ours.items() == theirs.items()


@pytest.mark.parametrize("block", BLOCKS)
def test_header_block_parses_as_http_client_parses_it(block: bytes) -> None:
    same_message(parse_header_lines(read_lines(block)), stdlib_message(block))


def test_generated_header_blocks_parse_as_http_client_parses_them() -> None:
    rng = random.Random(7)
    names = ["Content-Type", "X-A", "set-cookie", "Location", "From", "x", "A b", ""]
    values = ["text/html", "multipart/x", "message/y", " a ", "\tb", "", "caf\xe9", "a\rb", "\x85"]
    for _ in range(2000):
        lines = []
        for _ in range(rng.randint(0, 6)):
            roll = rng.random()
            if roll < 0.05:
                lines.append(" folded")
            elif roll < 0.08:
                lines.append("no colon")
            else:
                lines.append(f"{rng.choice(names)}:{rng.choice(values)}")
        end = rng.choice(["\r\n", "\n"])
        block = "".join(line + end for line in lines).encode("latin-1") + end.encode()
        same_message(parse_header_lines(read_lines(block)), stdlib_message(block))


@pytest.mark.parametrize("block", BLOCKS[:5])
def test_plain_header_lines_never_reach_the_email_parser(
    block: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = stdlib_message(block)

    def refuse(lines: list[bytes]) -> http.client.HTTPMessage:
        raise AssertionError("email parser used")

    monkeypatch.setattr(wire, "_email_parse", refuse)
    same_message(parse_header_lines(read_lines(block)), expected)


def test_plain_headers_pass_urllib3s_check() -> None:
    message = parse_header_lines(read_lines(BLOCKS[0]))
    assert_header_parsing(message)  # raises on defects or unparsed text
    assert message["content-length"] == "12"


RESPONSES = [
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\n\r\nuntil the end",
    b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 200 OK\r\n\r\nno length",
    b"HTTP/1.1 100 Continue\r\nX-Skipped: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
    b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n',
    b"HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\nbody",
    b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nbody",
    b"HTTP/0.9 200 OK\r\n\r\nold",
    b"HTTP/1.1 301\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
    b"HTTP/2.0 200 OK\r\n\r\n",
    b"SPDY 200 OK\r\n\r\n",
    b"HTTP/1.1 abc OK\r\n\r\n",
    b"",
    b"HTTP/1.1 200 OK\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n",
    b"HTTP/1.1 200 OK\r\nX-Huge: " + b"v" * 70_000 + b"\r\n\r\n",
]


class FakeSocket:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))


def outcome(cls: type[http.client.HTTPResponse], raw: bytes, method: str) -> dict[str, Any]:
    response = cls(FakeSocket(raw), method=method)  # type: ignore[arg-type]
    try:
        response.begin()
    except Exception as exc:
        return {"error": type(exc), "message": str(exc)}
    fields = ("status", "reason", "version", "chunked", "chunk_left", "length", "will_close")
    seen: dict[str, Any] = {name: getattr(response, name) for name in fields}
    seen["headers"] = response.getheaders()
    seen["body"] = response.read()
    return seen


@pytest.mark.parametrize("raw", RESPONSES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_response_head_is_read_as_http_client_reads_it(raw: bytes, method: str) -> None:
    assert outcome(HeadResponse, raw, method) == outcome(http.client.HTTPResponse, raw, method)
