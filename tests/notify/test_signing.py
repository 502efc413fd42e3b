"""Webhook signatures: known vectors and the secret's sources."""

from __future__ import annotations

import pytest

from monitor.notify import signing

# Standard Webhooks' published example (also used by Svix and the spec's libraries).
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SW_TIMESTAMP = 1614265330
SW_BODY = b'{"test": 2432232314}'
SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_hmac_matches_githubs_documented_vector() -> None:
    digest = signing.hmac_sha256(b"It's a Secret to Everybody", b"Hello, World!")
    assert digest.hex() == "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_signature_matches_the_standard_webhooks_vector() -> None:
    key = signing.decode_secret(SW_SECRET)
    assert signing.sign(key, SW_ID, SW_TIMESTAMP, SW_BODY) == SW_SIGNATURE
    assert signing.headers(key, SW_ID, SW_TIMESTAMP, SW_BODY) == {
        "webhook-id": SW_ID,
        "webhook-timestamp": str(SW_TIMESTAMP),
        "webhook-signature": SW_SIGNATURE,
    }


def test_a_changed_body_id_or_time_changes_the_signature() -> None:
    key = signing.decode_secret(SW_SECRET)
    assert signing.sign(key, SW_ID, SW_TIMESTAMP, SW_BODY + b" ") != SW_SIGNATURE
    assert signing.sign(key, "msg_other", SW_TIMESTAMP, SW_BODY) != SW_SIGNATURE
    assert signing.sign(key, SW_ID, SW_TIMESTAMP + 1, SW_BODY) != SW_SIGNATURE


def test_secrets_decode_with_or_without_prefix_and_bad_ones_are_refused() -> None:
    assert signing.decode_secret(SW_SECRET) == signing.decode_secret(SW_SECRET[6:])
    for bad in ("whsec_not base64!", "whsec_", ""):
        with pytest.raises(ValueError):
            signing.decode_secret(bad)


def test_an_owner_secret_overrides_the_shared_one() -> None:
    assert signing.secret_env_name("dmh-web.team") == "MONITOR_WEBHOOK_SECRET_DMH_WEB_TEAM"
    environ = {"MONITOR_WEBHOOK_SECRET": "shared", "MONITOR_WEBHOOK_SECRET_DMH_WEB": "own"}
    assert signing.secret_for("dmh-web", environ) == "own"
    assert signing.secret_for("research", environ) == "shared"
    assert signing.secret_for("research", {}) is None
