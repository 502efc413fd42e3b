"""Forked workers share memory with the process that started them."""

from __future__ import annotations

import gc

import pytest

from monitor.forks import frozen_heap


def test_objects_are_frozen_while_workers_share_them_and_let_go_after() -> None:
    before = gc.get_freeze_count()
    with frozen_heap():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError("a run that fails")
    assert gc.get_freeze_count() == 0
