"""How a send went wrong, as the delivery loop needs to know it."""

from __future__ import annotations

from datetime import timedelta


class DeliveryError(Exception):
    """A message could not be delivered.

    ``permanent``: trying again cannot help (refused address, rejected recipient), so
    the message is given up at once. ``ambiguous``: the failure came after the message
    may already have reached the receiver (a connection lost while waiting for the
    answer), so sending it again could make a duplicate. ``retry_after``: how long the
    receiver asked to be left alone (an HTTP ``Retry-After``), if it said.
    ``unreachable``: the server could not be reached at all, so every other message for
    it would wait out the same timeout to fail the same way.
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        ambiguous: bool = False,
        retry_after: timedelta | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.ambiguous = ambiguous
        self.retry_after = retry_after
        self.unreachable = unreachable
