"""How a send went wrong, as the delivery loop needs to know it."""

from __future__ import annotations


class DeliveryError(Exception):
    """A message could not be delivered.

    ``permanent``: trying again cannot help (refused address, rejected recipient), so
    the message is given up at once. ``ambiguous``: the failure came after the message
    may already have reached the receiver (a connection lost while waiting for the
    answer), so sending it again could make a duplicate.
    """

    def __init__(self, reason: str, *, permanent: bool = False, ambiguous: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.ambiguous = ambiguous
