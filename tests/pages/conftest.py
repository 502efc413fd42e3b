"""Stored pages for the page-judging tests, read the way the checker reads them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Page:
    """One stored page: its markup, its title and its visible text."""

    html: str
    title: str | None
    text: str


def page_from_html(html: str) -> Page:
    """Title and visible text (one line per block) as a browser would show them."""
    soup = BeautifulSoup(html, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for element in soup(["script", "style", "noscript", "template", "title"]):
        element.decompose()
    text = soup.get_text("\n", strip=True)
    return Page(html=html, title=title, text=text)


LoadPage = Callable[[str], Page]
ReadHtml = Callable[[str], Page]


@pytest.fixture
def load_page() -> LoadPage:
    """Read a stored page from ``fixtures/`` by file name."""

    def load(name: str) -> Page:
        return page_from_html((FIXTURES / name).read_text(encoding="utf-8"))

    return load


@pytest.fixture
def read_html() -> ReadHtml:
    """Read markup given inline in a test."""
    return page_from_html
