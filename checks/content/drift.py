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
    encoded = normalise(text).encode("utf-8")
    digest = hashlib.sha256(encoded).hexdigest()
    # A 4-byte digest is its 32-bit hash in big-endian order: bytes sort as the
    # numbers do and concatenate into the packed sketch as they are.
    smallest = heapq.nsmallest(SKETCH_SIZE, _shingle_digests(encoded))
    sketch = base64.b64encode(b"".join(smallest)).decode("ascii")
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


def _shingle_digests(encoded: bytes) -> set[bytes]:
    """The 4-byte BLAKE2b digests of the word 3-grams of normalised text, as UTF-8.

    Normalised words are apart by single spaces and hold no whitespace, so the bytes
    split into the words' own bytes and a 3-gram is its words joined by a space.
    """
    words = encoded.split()
    if not words:
        return set()
    width = min(_SHINGLE, len(words))
    # The shifted copies are shorter by design: zip stops at the last full 3-gram.
    shingles = set(map(b" ".join, zip(*(words[i:] for i in range(width)), strict=False)))
    blake2b = hashlib.blake2b
    return {blake2b(shingle, digest_size=4).digest() for shingle in shingles}


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
