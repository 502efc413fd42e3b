"""Fixtures for gate and CI-format tests: status documents checked against their schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.gate import statuses

STATUS_SCHEMA = json.loads(
    (Path(__file__).parents[2] / "monitor/reports/status.schema.json").read_text(encoding="utf-8")
)
_VALIDATOR = jsonschema.Draft202012Validator(
    STATUS_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)

MakeStatus = Callable[..., dict[str, Any]]


@pytest.fixture
def make_status() -> MakeStatus:
    """Build a status document and fail the test if it breaks the status schema."""

    def make(*sources: dict[str, Any], **options: Any) -> dict[str, Any]:
        doc = statuses.build(*sources, **options)
        _VALIDATOR.validate(doc)
        return doc

    return make
