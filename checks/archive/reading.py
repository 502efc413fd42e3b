"""Reading an archive's answer under a cap on decoded bytes and a wall-time deadline.

Archives are trusted to exist, not to behave: a replay may drip a byte at a time and a
lookup answer may be a decompression bomb. The streaming reader of ordinary fetches
(:func:`checks.http.body.read_body`) already bounds both; this adapts it to archive
errors.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
import urllib3.exceptions

from checks.archive.ratelimit import ArchiveUnavailable
from checks.http.body import read_body

_TIMEOUTS = (TimeoutError, requests.Timeout, urllib3.exceptions.TimeoutError)
# What the reader can decode; an archive offered more (br) would send what it cannot.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class Body:
    """The bytes read (decoded) and whether the size cap cut them."""

    data: bytes
    truncated: bool = False


def read_capped(
    response: requests.Response,
    *,
    cap: int,
    deadline_s: float,
    read_timeout: float,
    what: str,
    clock: Callable[[], float] = time.monotonic,
) -> Body:
    """Read ``response`` (sent with ``stream=True``) up to ``cap`` decoded bytes.

    ``truncated`` means the cap was reached, nothing else. Raises
    :class:`ArchiveUnavailable` when the deadline passes, the connection stalls or is
    cut, or the encoding cannot be decoded: a body cut by the network says nothing
    about the capture and may arrive whole next time.
    """
    deadline = clock() + deadline_s

    def remaining() -> float:
        return deadline - clock()

    def fail(exc: BaseException) -> Exception:
        if remaining() <= 0:
            return ArchiveUnavailable(f"{what} too slow (not read within {deadline_s:g} s)")
        if isinstance(exc, _TIMEOUTS):
            return ArchiveUnavailable(f"{what} stalled (nothing for {read_timeout:g} s)")
        return ArchiveUnavailable(f"{what} cut short ({type(exc).__name__})")

    data, truncated_at, problem = read_body(
        response, response.headers, cap, remaining, read_timeout, fail
    )
    if problem is not None:
        raise ArchiveUnavailable(f"{what}: {problem}")
    return Body(data, truncated_at is not None)
