"""Content fingerprints: did the text change, and by how much?

A fingerprint is ``v1:<sha256>:<sketch>``. The SHA-256 of the normalised text says
whether anything changed; the sketch, a bottom-k MinHash of the text's word 3-grams
(the 64 smallest 32-bit hashes), estimates how much, without keeping the texts: the
share of 3-grams two texts have in common (Jaccard similarity). A page-level score
only triages, since a one-digit edit that invalidates a claim barely moves it; the
claims are checked on every run regardless.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import struct

from checks.content.normalise import normalise

VERSION = "v1"
SKETCH_SIZE = 64
_SHINGLE = 3
# Texts known to differ never score 1.0, even when the sketch cannot tell them apart.
_DIFFERENT_CAP = 0.999


def fingerprint(text: str) -> str:
    """The fingerprint of ``text``'s normalised form."""
    folded = normalise(text)
    digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()
    hashes = heapq.nsmallest(SKETCH_SIZE, _shingle_hashes(folded))
    sketch = base64.b64encode(struct.pack(f">{len(hashes)}I", *hashes)).decode("ascii")
    return f"{VERSION}:{digest}:{sketch}"


def changed(fp_a: str, fp_b: str) -> bool:
    """Whether the two fingerprints are of different normalised texts."""
    return _digest(fp_a) != _digest(fp_b)


def similarity(fp_a: str, fp_b: str) -> float:
    """Estimated share of word 3-grams the two texts have in common, in [0, 1]: 1.0
    for the same normalised text, below 1.0 for any other, near 0 for unrelated
    texts. A fingerprint in another format compares as 1.0 if equal, else 0.0."""
    if not changed(fp_a, fp_b):
        return 1.0
    sketch_a, sketch_b = _sketch(fp_a), _sketch(fp_b)
    if sketch_a is None or sketch_b is None or not sketch_a or not sketch_b:
        return 0.0
    # Only the k smallest of the union are known to be in, or out of, both sketches.
    size = min(len(sketch_a), len(sketch_b))
    union = heapq.nsmallest(size, sketch_a | sketch_b)
    shared = sum(1 for value in union if value in sketch_a and value in sketch_b)
    return min(shared / size, _DIFFERENT_CAP)


def _shingle_hashes(folded: str) -> set[int]:
    words = folded.split()
    if not words:
        return set()
    width = min(_SHINGLE, len(words))
    shingles = {" ".join(words[i : i + width]) for i in range(len(words) - width + 1)}
    return {
        int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=4).digest())
        for shingle in shingles
    }


def _digest(fp: str) -> str:
    parts = fp.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == VERSION else fp


def _sketch(fp: str) -> set[int] | None:
    parts = fp.split(":")
    if len(parts) != 3 or parts[0] != VERSION:
        return None
    try:
        raw = base64.b64decode(parts[2], validate=True)
    except ValueError:
        return None
    if len(raw) % 4:
        return None
    return set(struct.unpack(f">{len(raw) // 4}I", raw))
