"""A loopback link farm: N generated URLs served over H loopback addresses on one port.

A minimal HTTP/1.1 server on asyncio streams (keep-alive, GET and HEAD, conditional
requests answered with 304), with a configurable latency and jitter per response, and
a count of requests and bytes sent per path. The content and the truth about every
URL come from :mod:`bench.site`.

Run it on its own (it writes the tools' inputs and prints the expected verdict of
every URL, then serves until interrupted)::

    python -m bench.farm --urls 2000 --hosts 8 --latency-ms 50 --out /some/folder

or import :class:`Farm` and use it as a context manager (it serves from a thread).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import signal
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.inputs import Limits, write_inputs
from bench.site import Kind, Link, Mix, Reply, host_addresses, links, reply

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
}
_MAX_HEAD = 16 * 1024


@dataclass(frozen=True)
class FarmSpec:
    """What to serve and how slowly."""

    urls: int
    hosts: int = 8
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    mix: Mix = field(default_factory=Mix)
    seed: int = 1
    port: int = 0  # 0: pick a free one
    page_bytes: int = 0  # size of the 200 pages; 0: about 550 bytes
    # LinkChecker spaces requests to a host by at least 0.1-0.6 s unless the server sends
    # a "LinkChecker" header; the farm sends it so that its rate setting applies.
    lift_linkchecker_floor: bool = True


@dataclass(frozen=True)
class Traffic:
    """What the farm served since the last reset."""

    requests: int
    bytes_sent: int  # status lines, headers and bodies
    body_bytes: int  # bodies only
    connections: int
    by_status: dict[int, int]
    per_path: dict[str, tuple[int, int]]  # path -> (requests, bytes sent)

    @property
    def not_modified(self) -> int:
        return self.by_status.get(304, 0)


class _Tally:
    """Counters shared between the serving thread and readers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.requests = 0
        self.bytes_sent = 0
        self.body_bytes = 0
        self.connections = 0
        self.by_status: Counter[int] = Counter()
        self.per_path: dict[str, list[int]] = {}

    def add(self, path: str, status: int, sent: int, body: int) -> None:
        with self.lock:
            self.requests += 1
            self.bytes_sent += sent
            self.body_bytes += body
            self.by_status[status] += 1
            entry = self.per_path.get(path)
            if entry is None:
                self.per_path[path] = [1, sent]
            else:
                entry[0] += 1
                entry[1] += sent

    def asked_before(self, path: str) -> bool:
        """Whether ``path`` was requested since the last clear."""
        with self.lock:
            return path in self.per_path

    def connected(self) -> None:
        with self.lock:
            self.connections += 1

    def snapshot(self) -> Traffic:
        with self.lock:
            return Traffic(
                requests=self.requests,
                bytes_sent=self.bytes_sent,
                body_bytes=self.body_bytes,
                connections=self.connections,
                by_status=dict(self.by_status),
                per_path={p: (e[0], e[1]) for p, e in self.per_path.items()},
            )


def encode(answer: Reply, *, head: bool, keep_alive: bool, extra: str = "") -> bytes:
    """The bytes of an HTTP/1.1 response (``extra``: more header lines, CRLF-ended)."""
    lines = [f"HTTP/1.1 {answer.status} {_REASONS.get(answer.status, 'Unknown')}\r\n"]
    lines.extend(f"{name}: {value}\r\n" for name, value in answer.headers)
    if answer.status != 304:
        lines.append(f"Content-Length: {len(answer.body)}\r\n")
    if not keep_alive:
        lines.append("Connection: close\r\n")
    lines.append(extra)
    lines.append("\r\n")
    data = "".join(lines).encode("latin-1")
    return data if head or answer.status == 304 else data + answer.body


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    keep_alive: bool
    length: int
    if_none_match: str | None
    if_modified_since: str | None


def parse_head(head: bytes) -> _Request | None:
    """The request line and the headers the farm cares about, or None if malformed."""
    try:
        text = head.decode("latin-1")
        request_line, *header_lines = text.split("\r\n")
        method, target, version = request_line.split(" ")
    except ValueError:
        return None
    headers: dict[str, str] = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    length = headers.get("content-length", "0")
    if "://" in target:  # absolute form
        target = "/" + target.split("://", 1)[1].partition("/")[2]
    return _Request(
        method=method,
        path=target,
        keep_alive=keep_alive,
        length=int(length) if length.isdigit() else 0,
        if_none_match=headers.get("if-none-match"),
        if_modified_since=headers.get("if-modified-since"),
    )


class Farm:
    """The farm's server. ``with Farm(spec) as farm:`` serves from a background thread."""

    def __init__(self, spec: FarmSpec) -> None:
        self.spec = spec
        self.kinds: list[Kind] = spec.mix.kinds(spec.urls, spec.seed)
        self.hosts = host_addresses(spec.hosts)
        self.port = spec.port
        self._tally = _Tally()
        self._rng = random.Random(spec.seed)
        self._extra = "LinkChecker: unlimited\r\n" if spec.lift_linkchecker_floor else ""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    # --- what it serves ---

    @property
    def links(self) -> list[Link]:
        """Every URL with its truth (the port is known once serving)."""
        if not self.port:
            raise RuntimeError("the farm has no port until it serves")
        return links(self.kinds, self.hosts, self.port)

    def traffic(self) -> Traffic:
        """Requests and bytes since the last :meth:`reset`."""
        return self._tally.snapshot()

    def reset(self) -> None:
        """Forget what was served: the counts, and with them which URLs were asked for
        already (a rate-limited URL refuses the first request after a reset, so every
        tool run gets the same answers)."""
        with self._tally.lock:
            self._tally.clear()

    # --- serving ---

    async def serve(self) -> None:
        """Serve until :meth:`stop` (or cancellation); the port is set once listening."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        servers = await self._listen()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            for server in servers:
                server.close()
            for server in servers:
                await server.wait_closed()

    async def _listen(self) -> list[asyncio.Server]:
        for _ in range(20):
            first = await asyncio.start_server(
                self._connection, self.hosts[0], self.port, backlog=1024
            )
            self.port = first.sockets[0].getsockname()[1]
            try:
                rest = [
                    await asyncio.start_server(self._connection, host, self.port, backlog=1024)
                    for host in self.hosts[1:]
                ]
            except OSError:
                first.close()
                if self.spec.port:
                    raise
                self.port = 0  # taken on another address: try another port
                continue
            return [first, *rest]
        raise OSError("no free port on all the farm's addresses")

    def start(self) -> Farm:
        """Serve from a background thread; returns once listening."""

        def main() -> None:
            try:
                asyncio.run(self.serve())
            except BaseException as exc:
                self._failure = exc
                self._ready.set()

        self._thread = threading.Thread(target=main, name="link-farm", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise RuntimeError(f"the farm did not start: {self._failure}") from self._failure
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Farm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _delay_s(self) -> float:
        spec = self.spec
        if spec.latency_ms <= 0 and spec.jitter_ms <= 0:
            return 0.0
        jitter = self._rng.uniform(-spec.jitter_ms, spec.jitter_ms) if spec.jitter_ms else 0.0
        return max(0.0, spec.latency_ms + jitter) / 1000.0

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tally.connected()
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    writer.write(encode(Reply(431, ()), head=False, keep_alive=False))
                    return
                if len(head) > _MAX_HEAD:
                    return
                request = parse_head(head)
                if request is None:
                    writer.write(encode(Reply(400, ()), head=False, keep_alive=False))
                    return
                if request.length:
                    await reader.readexactly(request.length)
                delay = self._delay_s()
                if delay:
                    await asyncio.sleep(delay)
                if request.method in ("GET", "HEAD"):
                    answer = reply(
                        self.kinds,
                        request.path,
                        request.if_none_match,
                        request.if_modified_since,
                        self.spec.page_bytes,
                        # No await between this and the tally below: two requests for
                        # one path cannot both be the first.
                        first_request=not self._tally.asked_before(request.path),
                    )
                else:
                    answer = Reply(405, (("Allow", "GET, HEAD"),))
                data = encode(
                    answer,
                    head=request.method == "HEAD",
                    keep_alive=request.keep_alive,
                    extra=self._extra,
                )
                body = 0 if request.method == "HEAD" or answer.status == 304 else len(answer.body)
                # Counted before sending: a client that reads the tally right after its
                # answer arrives must find the request in it.
                self._tally.add(request.path, answer.status, len(data), body)
                writer.write(data)
                await writer.drain()
                if not request.keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


@contextlib.contextmanager
def running(spec: FarmSpec) -> Iterator[Farm]:
    """A started farm, stopped on exit."""
    farm = Farm(spec).start()
    try:
        yield farm
    finally:
        farm.stop()


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.farm", description=__doc__)
    parser.add_argument("--urls", type=int, default=2000, help="number of URLs (default 2000)")
    parser.add_argument("--hosts", type=int, default=8, help="loopback hosts (default 8)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay per response")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="+/- random delay")
    parser.add_argument("--mix", type=Mix.parse, default=Mix(), help=f"default {Mix()}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--page-bytes", type=int, default=0, help="size of the 200 pages")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--concurrency", type=int, default=32, help="for the tools' inputs")
    parser.add_argument("--per-host", type=int, default=8, help="for the tools' inputs")
    parser.add_argument("--out", type=Path, help="folder for the tools' inputs (default: temp)")
    parser.add_argument("--serve-seconds", type=float, help="stop after this long")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve the farm, write the tools' inputs, print ``URL<TAB>expected verdict`` lines."""
    args = _arguments(argv)
    spec = FarmSpec(
        urls=args.urls,
        hosts=args.hosts,
        latency_ms=args.latency_ms,
        jitter_ms=args.jitter_ms,
        mix=args.mix,
        seed=args.seed,
        port=args.port,
        page_bytes=args.page_bytes,
    )
    farm = Farm(spec)

    async def serve() -> None:
        task = asyncio.create_task(farm.serve())
        while not farm.port and not task.done():
            await asyncio.sleep(0.01)
        if task.done():
            await task  # raises the reason it could not listen
        out = args.out or Path(tempfile.mkdtemp(prefix="link-farm-"))
        written = write_inputs(
            out, farm.links, Limits(concurrency=args.concurrency, per_host=args.per_host)
        )
        for link in farm.links:
            print(f"{link.url}\t{link.expected}")
        sys.stdout.flush()
        print(
            f"serving {spec.urls} URLs on {', '.join(farm.hosts)} port {farm.port}; "
            f"inputs in {written.folder}",
            file=sys.stderr,
        )
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            if args.serve_seconds is not None:
                await asyncio.wait_for(asyncio.shield(task), args.serve_seconds)
            else:
                await task

    with contextlib.suppress(TimeoutError):
        asyncio.run(serve())
    traffic = farm.traffic()
    print(f"served {traffic.requests} requests, {traffic.bytes_sent} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
