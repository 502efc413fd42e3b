"""A fake web archive on loopback, speaking the Wayback Machine's and Memento's dialects.

It serves, from captures a test adds:

- CDX search ``/cdx/search/cdx`` (``output=json`` with the header row, ``fl``,
  ``filter``, ``collapse``, ``limit``);
- the Availability API ``/wayback/available``;
- replay ``/web/<timestamp>[id_]/<url>`` with the archived status, ``Memento-Datetime``,
  ``Link``, archived redirects rewritten into the archive, and a redirect to the nearest
  capture when the timestamp is not an exact one;
- a Memento TimeGate ``/web/<url>`` (``Accept-Datetime``, 302 style) and TimeMap
  ``/web/timemap/link/<url>`` (``application/link-format``);
- Save Page Now 2 ``POST /save`` and ``GET /save/status/<job_id>``.

Tests script failures per path prefix (``script`` for a sequence of canned answers,
``down`` for an outage) and read every request the archive saw in ``requests``.

Use the ``fake_archive`` fixture (import it into a ``conftest.py``), or
``FakeArchive()`` as a context manager.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

_REPLAY = re.compile(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$")
CDX_ALL_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


@dataclass
class FakeCapture:
    """One archived response."""

    url: str
    timestamp: str
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None  # where an archived redirect pointed (an original URL)
    cdx_status: str | None = None  # what the index says, when it differs ("-" = revisit)
    in_cdx: bool = True  # False: only the Availability API knows it
    digest: str | None = None

    @property
    def moment(self) -> datetime:
        return datetime.strptime(self.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


@dataclass(frozen=True)
class SeenRequest:
    """One request the fake archive answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Canned:
    """A scripted answer."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Seconds between bytes: an archive that drips its answer.
    drip_s: float = 0.0
    # A Content-Length larger than the body, then the connection is closed: a cut reply.
    declared_length: int | None = None


def url_key(url: str, *, fold_case: bool = False) -> str:
    """Like the Wayback index key: no scheme, no ``www.``, no default port, lower host;
    with ``fold_case``, lower path and query too, as the real index does."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = "?" + parts.query if parts.query else ""
    rest = (parts.path or "/") + query
    return host + (rest.lower() if fold_case else rest)


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


class FakeArchive:
    """The archive's state and a loopback server answering from it."""

    def __init__(self, *, cdx_match: str = "key") -> None:
        # "key": the index ignores scheme and www. like the real one; "folded": letter
        # case too, as the real one does; "exact": the queried string must equal the
        # stored URL (to exercise scheme variants).
        self.cdx_match = cdx_match
        self.captures: list[FakeCapture] = []
        self.requests: list[SeenRequest] = []
        self.availability_empty = False
        self.timemap_enabled = True
        self.spn_keys = ("access", "secret")
        self.spn_pending_polls = 1
        self.spn_error: tuple[str, str] | None = None  # (status_ext, message)
        self.spn_jobs: dict[str, dict[str, Any]] = {}
        self._scripts: list[tuple[str, list[Canned]]] = []
        self._down: dict[str, Canned] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeArchive:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeArchive:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test set-up -------------------------------------------------------------------

    def add(self, url: str, timestamp: str, **kwargs: Any) -> FakeCapture:
        """Archive one response for ``url`` at ``timestamp`` (14 digits)."""
        capture = FakeCapture(url, timestamp, **kwargs)
        if capture.digest is None:
            capture.digest = f"D{len(self.captures):031d}"
        self.captures.append(capture)
        return capture

    def script(self, path_prefix: str, *answers: Canned) -> None:
        """Answer the next requests under ``path_prefix`` with ``answers``, in order."""
        with self._lock:
            self._scripts.append((path_prefix, list(answers)))

    def down(self, path_prefix: str = "/", status: int = 503) -> None:
        """Answer every request under ``path_prefix`` with ``status``."""
        self._down[path_prefix] = Canned(status, {"Content-Type": "text/plain"}, b"down")

    def seen(self, path_prefix: str) -> list[SeenRequest]:
        """Requests whose path starts with ``path_prefix``."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    def replay_url(self, timestamp: str, url: str, modifier: str = "") -> str:
        return f"{self.base_url}/web/{timestamp}{modifier}/{url}"

    # -- lookups -----------------------------------------------------------------------

    def captures_of(
        self, url: str, *, exact: bool = False, fold_case: bool = False
    ) -> list[FakeCapture]:
        if exact:
            found = [c for c in self.captures if c.url == url]
        else:
            key = url_key(url, fold_case=fold_case)
            found = [c for c in self.captures if url_key(c.url, fold_case=fold_case) == key]
        return sorted(found, key=lambda c: c.timestamp)

    def _canned(self, path: str) -> Canned | None:
        with self._lock:
            for prefix, answers in self._scripts:
                if path.startswith(prefix) and answers:
                    return answers.pop(0)
        for prefix, canned in self._down.items():
            if path.startswith(prefix):
                return canned
        return None

    def _record(self, seen: SeenRequest) -> None:
        with self._lock:
            self.requests.append(seen)


Reply = tuple[int, dict[str, str], bytes] | Canned


def _json_reply(payload: Any, status: int = 200) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _answer(
    archive: FakeArchive, method: str, target: str, headers: dict[str, str], body: bytes
) -> Reply:
    parts = urlsplit(target)
    path = parts.path
    query = parse_qs(parts.query, keep_blank_values=True)
    canned = archive._canned(path)
    if canned is not None:
        return canned
    if path == "/cdx/search/cdx":
        return _cdx(archive, query)
    if path == "/wayback/available":
        return _available(archive, query)
    if path == "/save" and method == "POST":
        return _save(archive, headers, body)
    if path.startswith("/save/status/"):
        return _save_status(archive, headers, path[len("/save/status/") :])
    if path.startswith("/web/timemap/link/"):
        return _timemap(archive, _rest(target, "/web/timemap/link/"))
    match = _REPLAY.match(path)
    if match:
        return _replay(
            archive,
            match.group(1),
            match.group(2) or "",
            _rest(target, f"/web/{match.group(1)}{match.group(2) or ''}/"),
        )
    if path.startswith("/web/"):
        return _timegate(archive, _rest(target, "/web/"), headers.get("accept-datetime"))
    return 404, {"Content-Type": "text/plain"}, b"no such endpoint"


def _rest(target: str, prefix: str) -> str:
    """Everything after ``prefix`` in the raw request target, query included."""
    return target[target.index(prefix) + len(prefix) :]


def _cdx(archive: FakeArchive, query: dict[str, list[str]]) -> Reply:
    url = query.get("url", [""])[0]
    found = archive.captures_of(
        url, exact=archive.cdx_match == "exact", fold_case=archive.cdx_match == "folded"
    )
    rows = [c for c in found if c.in_cdx]
    # Bounds are inclusive and padded: from=2015 is 20150101000000, to=2015 20151231...
    if "from" in query:
        rows = [r for r in rows if r.timestamp >= query["from"][0].ljust(14, "0")]
    if "to" in query:
        rows = [r for r in rows if r.timestamp <= query["to"][0].ljust(14, "9")]
    for spec in query.get("filter", []):
        negate = spec.startswith("!")
        name, _, pattern = spec.lstrip("!").partition(":")
        rows = [r for r in rows if bool(re.fullmatch(pattern, str(_cdx_field(r, name)))) != negate]
    if "digest" in query.get("collapse", []):
        collapsed: list[FakeCapture] = []
        for row in rows:
            if not collapsed or collapsed[-1].digest != row.digest:
                collapsed.append(row)
        rows = collapsed
    if "limit" in query:
        limit = int(query["limit"][0])
        rows = rows[:limit] if limit >= 0 else rows[limit:]
    fields = query.get("fl", [",".join(CDX_ALL_FIELDS)])[0].split(",")
    if not rows:
        return _json_reply([])
    table = [fields] + [[str(_cdx_field(r, f)) for f in fields] for r in rows]
    return _json_reply(table)


def _cdx_field(capture: FakeCapture, name: str) -> str:
    values = {
        "urlkey": url_key(capture.url),
        "timestamp": capture.timestamp,
        "original": capture.url,
        "mimetype": capture.content_type.split(";")[0],
        "statuscode": capture.cdx_status or str(capture.status),
        "digest": capture.digest or "-",
        "length": str(len(capture.body)),
    }
    return values[name]


def _available(archive: FakeArchive, query: dict[str, list[str]]) -> Reply:
    url = query.get("url", [""])[0]
    stamp = query.get("timestamp", [""])[0]
    good = [c for c in archive.captures_of(url) if c.status == 200]
    if archive.availability_empty or not good:
        return _json_reply({"url": url, "archived_snapshots": {}})
    wanted = int((stamp or "99991231235959").ljust(14, "0"))
    closest = min(good, key=lambda c: abs(int(c.timestamp) - wanted))
    snapshot = {
        "available": True,
        "url": archive.replay_url(closest.timestamp, closest.url),
        "timestamp": closest.timestamp,
        "status": str(closest.status),
    }
    return _json_reply({"url": url, "archived_snapshots": {"closest": snapshot}})


def _links(archive: FakeArchive, url: str, captures: list[FakeCapture]) -> str:
    parts = [
        f'<{url}>; rel="original"',
        f'<{archive.base_url}/web/timemap/link/{url}>; rel="timemap"; '
        'type="application/link-format"',
        f'<{archive.base_url}/web/{url}>; rel="timegate"',
        *_memento_links(archive, captures),
    ]
    return ", ".join(parts)


def _memento_links(archive: FakeArchive, captures: list[FakeCapture]) -> list[str]:
    parts = []
    for index, capture in enumerate(captures):
        rel = "memento"
        if index == 0:
            rel = "first memento"
        if index == len(captures) - 1:
            rel = "last memento" if index else "first last memento"
        parts.append(
            f'<{archive.replay_url(capture.timestamp, capture.url)}>; rel="{rel}"; '
            f'datetime="{http_date(capture.moment)}"'
        )
    return parts


def _replay(archive: FakeArchive, stamp: str, modifier: str, url: str) -> Reply:
    captures = archive.captures_of(url)
    if not captures:
        return (
            404,
            {"Content-Type": "text/html", "X-Ts": "404"},
            b"<title>Wayback Machine</title>not archived",
        )
    exact = [c for c in captures if c.timestamp == stamp and c.url == url]
    if not exact:
        wanted = int(stamp.ljust(14, "0"))
        nearest = min(captures, key=lambda c: abs(int(c.timestamp) - wanted))
        location = archive.replay_url(nearest.timestamp, nearest.url, modifier)
        return 302, {"Location": location, "Content-Type": "text/plain"}, b""
    capture = exact[0]
    headers = {
        "Content-Type": capture.content_type,
        "Memento-Datetime": http_date(capture.moment),
        "Link": _links(archive, capture.url, [capture]),
        "X-Ts": str(capture.status),
    }
    if capture.location:
        headers["Location"] = archive.replay_url(capture.timestamp, capture.location, modifier)
    return capture.status, headers, capture.body


def _timemap(archive: FakeArchive, url: str) -> Reply:
    captures = archive.captures_of(url)
    if not archive.timemap_enabled or not captures:
        return 404, {"Content-Type": "text/plain"}, b"no timemap"
    lines = [
        f'<{url}>;rel="original",',
        f'<{archive.base_url}/web/timemap/link/{url}>;rel="self";type="application/link-format"'
        f';from="{http_date(captures[0].moment)}";until="{http_date(captures[-1].moment)}",',
        f'<{archive.base_url}/web/{url}>;rel="timegate",',
    ]
    lines.append(",\n".join(_memento_links(archive, captures)))
    return 200, {"Content-Type": "application/link-format"}, "\n".join(lines).encode()


def _timegate(archive: FakeArchive, url: str, accept_datetime: str | None) -> Reply:
    captures = archive.captures_of(url)
    if not captures:
        return 404, {"Content-Type": "text/plain", "Vary": "accept-datetime"}, b"no mementos"
    if accept_datetime:
        try:
            wanted = parsedate_to_datetime(accept_datetime)
        except (TypeError, ValueError):
            return 400, {"Content-Type": "text/plain"}, b"bad Accept-Datetime"
        chosen = min(captures, key=lambda c: abs((c.moment - wanted).total_seconds()))
    else:
        chosen = captures[-1]
    headers = {
        "Location": archive.replay_url(chosen.timestamp, chosen.url),
        "Vary": "accept-datetime",
        "Link": _links(
            archive, url, [captures[0], captures[-1]] if len(captures) > 1 else captures
        ),
        "Content-Type": "text/plain",
    }
    return 302, headers, b""


def _authorised(archive: FakeArchive, headers: dict[str, str]) -> bool:
    access, secret = archive.spn_keys
    return headers.get("authorization") == f"LOW {access}:{secret}"


def _save(archive: FakeArchive, headers: dict[str, str], body: bytes) -> Reply:
    if not _authorised(archive, headers):
        return _json_reply(
            {"status": "error", "status_ext": "error:unauthorized", "message": "login"}, 401
        )
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    if archive.spn_error is not None:
        ext, message = archive.spn_error
        return _json_reply({"status": "error", "status_ext": ext, "message": message})
    job_id = f"job-{len(archive.spn_jobs) + 1}"
    archive.spn_jobs[job_id] = {"form": form, "polls": 0}
    return _json_reply({"url": form.get("url"), "job_id": job_id})


def _save_status(archive: FakeArchive, headers: dict[str, str], job_id: str) -> Reply:
    if not _authorised(archive, headers):
        return _json_reply({"status": "error", "message": "login"}, 401)
    job = archive.spn_jobs.get(job_id)
    if job is None:
        return _json_reply({"status": "error", "status_ext": "error:not-found", "job_id": job_id})
    job["polls"] += 1
    if job["polls"] <= archive.spn_pending_polls:
        return _json_reply({"status": "pending", "job_id": job_id, "resources": []})
    return _json_reply(
        {
            "status": "success",
            "job_id": job_id,
            "original_url": job["form"]["url"],
            "timestamp": "20260301120000",
            "duration_sec": 1.5,
            "resources": [],
        }
    )


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that stop reading a capped body hang up mid-reply: expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(archive: FakeArchive) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = _answer(archive, self.command, self.path, headers, body)
            canned = answer if isinstance(answer, Canned) else Canned(*answer)
            status, reply_headers, reply = canned.status, canned.headers, canned.body
            parts = urlsplit(self.path)
            archive._record(
                SeenRequest(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    headers,
                    body,
                    status,
                )
            )
            self.send_response(status)
            for name, value in reply_headers.items():
                self.send_header(name, value)
            length = len(reply) if canned.declared_length is None else canned.declared_length
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if self.command == "HEAD":
                return
            if canned.drip_s:
                self._drip(reply, canned.drip_s)
            else:
                self.wfile.write(reply)
            if canned.declared_length is not None:
                self.wfile.flush()
                self.close_connection = True

        def _drip(self, reply: bytes, delay: float) -> None:
            try:
                for index in range(len(reply)):
                    self.wfile.write(reply[index : index + 1])
                    self.wfile.flush()
                    time.sleep(delay)
            except ConnectionError:
                pass  # the client gave up, as it should

        do_GET = do_POST = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_archive() -> Iterator[FakeArchive]:
    """A running :class:`FakeArchive` on 127.0.0.1, stopped after the test."""
    with FakeArchive() as archive:
        yield archive
