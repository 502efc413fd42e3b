"""Items held back to be handed on together: fewer, larger writes or messages."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class HeldBatch(Generic[T]):
    """Items held until there are ``max_batch`` of them or the oldest has waited
    ``max_delay_s`` seconds, whichever comes first."""

    def __init__(
        self, max_batch: int, max_delay_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_batch = max_batch
        self.max_delay_s = max_delay_s
        self.clock = clock
        self.items: list[T] = []
        self._oldest = 0.0

    def hold(self, item: T) -> None:
        if not self.items:
            self._oldest = self.clock()
        self.items.append(item)

    def due(self) -> bool:
        """Whether the held items should go now."""
        return bool(self.items) and (
            len(self.items) >= self.max_batch or self.clock() - self._oldest >= self.max_delay_s
        )

    def release(self) -> list[T]:
        items, self.items = self.items, []
        return items
