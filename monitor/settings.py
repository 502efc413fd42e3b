"""From registry settings (plus command-line overrides) to the checker's settings."""

from __future__ import annotations

from checks.model import CheckSettings
from monitor.registry.model import Settings


def check_settings(settings: Settings) -> CheckSettings:
    return CheckSettings(
        user_agent=settings.user_agent,
        timeout_s=settings.timeout_s,
        deadline_s=max(settings.timeout_s * 3, settings.timeout_s + 10),
        allow_private=settings.allow_private,
        ca_bundle=settings.ca_bundle,
    )
