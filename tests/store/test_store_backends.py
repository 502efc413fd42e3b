"""The store suite of ``tests/monitor/test_store.py``, run on SQLite and PostgreSQL.

Its tests take the ``store`` fixture; collected here, they get the shared one from
``tests/conftest.py``, which is parametrised over both backends.
"""

from __future__ import annotations

from tests.monitor.test_store import (
    test_archive_cache_expires,
    test_changed_url_forgets_validators_and_due_time,
    test_due_sources_follow_next_due_time,
    test_latest_and_previous_results_and_validators,
    test_one_result_per_source_per_run,
    test_result_round_trips_with_every_field,
    test_runs_left_running_are_marked_interrupted,
)

__all__ = [
    "test_archive_cache_expires",
    "test_changed_url_forgets_validators_and_due_time",
    "test_due_sources_follow_next_due_time",
    "test_latest_and_previous_results_and_validators",
    "test_one_result_per_source_per_run",
    "test_result_round_trips_with_every_field",
    "test_runs_left_running_are_marked_interrupted",
]
