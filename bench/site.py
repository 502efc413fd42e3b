"""The link farm's content: which URLs exist, what each one answers, and the truth.

Everything here is pure: the same spec always yields the same URLs and the same
answers, so the runner can score every tool against :attr:`Link.expected`.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

# One fixed modification date: a second run sees every page unchanged.
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
_LAST_MODIFIED_TS = parsedate_to_datetime(LAST_MODIFIED).timestamp()

_TOPICS = (
    "county services",
    "youth outreach",
    "annual survey",
    "court protocol",
    "agency statistics",
    "program review",
    "federal estimate",
    "support network",
)
_SENTENCES = (
    "The department publishes this report to document how its programmes reached families.",
    "Figures below come from the annual survey and were reviewed by an independent panel.",
    "Each section lists the agencies involved, the period covered and the method used.",
    "Questions about the data can be sent to the statistics office named at the end.",
    "An earlier edition of this page gave provisional numbers that have since been revised.",
)


class Kind(enum.StrEnum):
    """What a farm URL does; the value is also the first segment of its path."""

    OK = "ok"  # 200, an HTML page with a little text
    MOVED = "moved"  # 301 to /new/<i>, which is a 200 page
    GONE = "gone"  # 404
    ERROR = "error"  # 500, every time

    @property
    def expected(self) -> str:
        """The monitor's verdict for this kind of URL."""
        return _EXPECTED[self]

    @property
    def passes(self) -> bool:
        """Whether a link checker should call the URL working (a redirect that ends in
        a page works; lychee and LinkChecker report it as fine)."""
        return self in (Kind.OK, Kind.MOVED)


_EXPECTED = {Kind.OK: "ok", Kind.MOVED: "moved", Kind.GONE: "broken", Kind.ERROR: "transient"}


@dataclass(frozen=True)
class Mix:
    """Relative weights of the kinds of URL (percentages by convention)."""

    ok: int = 90
    moved: int = 4
    gone: int = 5
    error: int = 1

    @classmethod
    def parse(cls, text: str) -> Mix:
        """``ok=90,moved=4,gone=5,error=1``; kinds left out get weight 0."""
        weights = dict.fromkeys(("ok", "moved", "gone", "error"), 0)
        for part in text.split(","):
            name, _, value = part.partition("=")
            name = name.strip()
            if name not in weights or not value.strip().isdigit():
                raise ValueError(f"expected KIND=WEIGHT with KIND in {sorted(weights)}: {part!r}")
            weights[name] = int(value)
        if not any(weights.values()):
            raise ValueError("the mix needs at least one non-zero weight")
        return cls(**weights)

    def __str__(self) -> str:
        return f"ok={self.ok},moved={self.moved},gone={self.gone},error={self.error}"

    def kinds(self, count: int, seed: int) -> list[Kind]:
        """``count`` kinds in exactly these proportions (rounded), in a seeded order."""
        weights = {Kind.OK: self.ok, Kind.MOVED: self.moved, Kind.GONE: self.gone}
        weights[Kind.ERROR] = self.error
        total = sum(weights.values())
        result: list[Kind] = []
        for kind, weight in weights.items():
            result.extend([kind] * (count * weight // total))
        # Rounding leftovers go to the heaviest kind.
        result.extend([max(weights, key=lambda k: weights[k])] * (count - len(result)))
        random.Random(seed).shuffle(result)
        return result


@dataclass(frozen=True)
class Link:
    """One URL of the farm and the truth about it."""

    url: str
    kind: Kind

    @property
    def expected(self) -> str:
        return self.kind.expected

    @property
    def passes(self) -> bool:
        return self.kind.passes


def host_addresses(count: int) -> tuple[str, ...]:
    """Loopback addresses 127.0.0.2 ... 127.0.0.(count + 1), one per simulated host."""
    if not 1 <= count <= 250:
        raise ValueError("between 1 and 250 hosts")
    return tuple(f"127.0.0.{i}" for i in range(2, count + 2))


def links(kinds: list[Kind], hosts: tuple[str, ...], port: int) -> list[Link]:
    """The farm's URLs: URL ``i`` lives on host ``i mod len(hosts)``."""
    return [
        Link(f"http://{hosts[i % len(hosts)]}:{port}/{kind.value}/{i}", kind)
        for i, kind in enumerate(kinds)
    ]


@dataclass(frozen=True)
class Reply:
    """An HTTP answer before encoding."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""


_HTML = "text/html; charset=utf-8"
_NOT_FOUND = b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
_SERVER_ERROR = b"<!doctype html><title>500 Internal Server Error</title><h1>Server Error</h1>"


def reply(
    kinds: list[Kind],
    path: str,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
    page_bytes: int = 0,
) -> Reply:
    """What the farm answers to a GET of ``path`` (HEAD is the same without a body).

    Pages are padded with more text to about ``page_bytes`` (0: about 550 bytes).
    """
    prefix, index = _route(path)
    if index is None or index >= len(kinds):
        return Reply(404, (("Content-Type", _HTML),), _NOT_FOUND)
    kind = kinds[index]
    if prefix == "new" and kind is Kind.MOVED:
        return _page(index, if_none_match, if_modified_since, page_bytes)
    if prefix != kind.value:
        return Reply(404, (("Content-Type", _HTML),), _NOT_FOUND)
    if kind is Kind.OK:
        return _page(index, if_none_match, if_modified_since, page_bytes)
    if kind is Kind.MOVED:
        return Reply(301, (("Location", f"/new/{index}"), ("Content-Type", _HTML)))
    if kind is Kind.GONE:
        return Reply(404, (("Content-Type", _HTML),), _NOT_FOUND)
    return Reply(500, (("Content-Type", _HTML),), _SERVER_ERROR)


def _route(path: str) -> tuple[str, int | None]:
    """``/ok/17`` -> ("ok", 17); anything else has no index."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if len(parts) != 2 or not parts[1].isdigit():
        return "", None
    return parts[0], int(parts[1])


def _page(
    index: int, if_none_match: str | None, if_modified_since: str | None, page_bytes: int
) -> Reply:
    etag = f'"p{index}-v1"'
    validators = (("ETag", etag), ("Last-Modified", LAST_MODIFIED))
    if _matches(etag, if_none_match) or (
        if_none_match is None and _not_modified_since(if_modified_since)
    ):
        return Reply(304, validators)
    return Reply(200, (("Content-Type", _HTML), *validators), page_body(index, page_bytes))


def _matches(etag: str, if_none_match: str | None) -> bool:
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _not_modified_since(value: str | None) -> bool:
    if value is None:
        return False
    try:
        return parsedate_to_datetime(value).timestamp() >= _LAST_MODIFIED_TS
    except (TypeError, ValueError, IndexError):
        return False


def page_body(index: int, size: int = 0) -> bytes:
    """An HTML page with a title and a few sentences (about 550 bytes), padded with
    more paragraphs up to about ``size`` bytes."""
    topic = _TOPICS[index % len(_TOPICS)]
    sentences = " ".join(_SENTENCES[(index + k) % len(_SENTENCES)] for k in range(3))
    padding: list[str] = []
    room = size - 550
    k = 0
    while room > 0:
        paragraph = f"<p>{_SENTENCES[(index + k) % len(_SENTENCES)]} (note {k + 1})</p>"
        padding.append(paragraph)
        room -= len(paragraph)
        k += 1
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Report {index}: {topic}</title></head><body><main>"
        f"<h1>Report {index}: {topic}</h1><p>{sentences}</p>"
        f"<p>In the period covered, {1000 + index * 7 % 9000:,} people took part in the "
        f"{topic} programme, up {index % 17 + 1} percent on the year before.</p>"
        f"{''.join(padding)}</main></body></html>"
    ).encode()
