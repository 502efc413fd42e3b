"""Peak memory of checking hostile responses: a 2 GiB body and a gzip bomb.

Each case runs in a fresh subprocess so its peak RSS is its own:

    python -m bench.hostile_memory            # both cases, a table
    python -m bench.hostile_memory --case huge

The limits under test are the checker's defaults (DESIGN section 6): the body cap
(2 MiB for HTML) and the decompressed-size cap.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIB = 1024**3
CHUNK = 64 * 1024


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bomb = b""

    def do_GET(self) -> None:
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(2 * GIB))
            self.end_headers()
            block = b"<p>" + b"x" * (CHUNK - 7) + b"</p>"
            try:
                for _ in range(2 * GIB // CHUNK):
                    self.wfile.write(block)
            except (BrokenPipeError, ConnectionResetError):
                return
        elif self.path == "/bomb":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(self.bomb)))
            self.end_headers()
            try:
                self.wfile.write(self.bomb)
            except (BrokenPipeError, ConnectionResetError):
                return
        else:  # every other path is really missing, so the catch-all probe sees a 404
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def make_bomb(size: int) -> bytes:
    """``size`` bytes of zeros, gzipped (about 1/1000 of the size)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as zipped:
        zeros = b"\0" * (16 * 1024 * 1024)
        for _ in range(size // len(zeros)):
            zipped.write(zeros)
    return buffer.getvalue()


def run_case(case: str) -> dict[str, object]:
    from checks.check import check_url, new_session
    from checks.model import CheckSettings, CheckTarget

    Hostile.bomb = make_bomb(GIB) if case == "bomb" else b""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = CheckSettings(allow_private=True, retries=0)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    path = "/huge" if case == "huge" else "/bomb"
    result = check_url(
        CheckTarget(url=f"http://127.0.0.1:{server.server_address[1]}{path}"),
        settings,
        session=new_session(settings),
    )
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    server.shutdown()
    return {
        "case": case,
        "served": "2 GiB body"
        if case == "huge"
        else f"gzip bomb ({len(Hostile.bomb) / 1e6:.1f} MB -> 1 GiB)",
        "verdict": result.verdict.value,
        "bytes_read": result.bytes_read,
        "warnings": list(result.warnings),
        "seconds": round(elapsed, 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["huge", "bomb"])
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    rows = []
    for case in ("huge", "bomb"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.hostile_memory", "--case", case],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout))
    print("| case | verdict | bytes read | seconds | RSS before MB | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['served']} | {r['verdict']} | {r['bytes_read']:,} | {r['seconds']} "
            f"| {r['rss_before_mb']} | {r['peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
