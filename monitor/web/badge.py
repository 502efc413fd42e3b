"""A Shields.io endpoint badge for one document's citations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.publish import document_sources

UNVERIFIED = frozenset({"blocked", "transient"})


def badge(status: Mapping[str, Any], document_id: str) -> dict[str, Any] | None:
    """The badge JSON (``schemaVersion`` 1) for a document; None if there is no such document.

    Red with the number failing when any citation fails; yellow when some could not be
    verified (blocked, transient, or never checked); green otherwise.
    """
    if not any(d["id"] == document_id for d in status.get("documents", [])):
        return None
    sources = document_sources(status, document_id)
    failing = sum(1 for s in sources if s.get("failing"))
    unverified = sum(
        1
        for s in sources
        if not s.get("failing") and (s.get("verdict") in UNVERIFIED or not s.get("verdict"))
    )
    ok = len(sources) - failing - unverified
    if not sources:
        message, color = "none cited", "lightgrey"
    elif failing:
        message, color = f"{failing} failing", "red"
    elif unverified:
        message, color = f"{ok} ok, {unverified} unverified", "yellow"
    else:
        message, color = f"{ok} ok", "brightgreen"
    return {
        "schemaVersion": 1,
        "label": "citations",
        "message": message,
        "color": color,
        "cacheSeconds": 300,
    }
