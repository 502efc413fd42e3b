"""Standard Webhooks signatures (spec v1.0.0) and where their secrets come from.

A signed request carries ``webhook-id`` (the outbox key, stable across retries, so a
receiver can drop a message it already has), ``webhook-timestamp`` (Unix seconds of
this attempt) and ``webhook-signature: v1,<base64 HMAC-SHA256>`` over
``"{id}.{timestamp}.{body}"``, keyed with the base64-decoded secret (after its
``whsec_`` prefix). Receivers should refuse timestamps more than a few minutes off.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping

SECRET_PREFIX = "whsec_"
SECRET_ENV = "MONITOR_WEBHOOK_SECRET"


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """The raw HMAC-SHA256 of ``message``."""
    return hmac.new(key, message, hashlib.sha256).digest()


def decode_secret(secret: str) -> bytes:
    """The signing key of a ``whsec_...`` secret; ``ValueError`` if it is not base64."""
    body = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the webhook secret is not base64 (after its whsec_ prefix)") from None
    if not key:
        raise ValueError("the webhook secret is empty")
    return key


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64>``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac_sha256(key, signed)).decode("ascii")


def headers(key: bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one request."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(key, msg_id, timestamp, body),
    }


def secret_env_name(owner_id: str) -> str:
    """``MONITOR_WEBHOOK_SECRET_<OWNER>``: the owner id upper-cased, other characters ``_``."""
    return f"{SECRET_ENV}_{re.sub(r'[^A-Z0-9]', '_', owner_id.upper())}"


def secret_for(owner_id: str, environ: Mapping[str, str]) -> str | None:
    """The owner's own secret, else the shared one, else None."""
    return environ.get(secret_env_name(owner_id)) or environ.get(SECRET_ENV) or None
