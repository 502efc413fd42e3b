"""Process exit codes, as lychee's: decided once, in the CLI."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1  # an unexpected runtime error
    FAILING = 2  # at least one citation failing, or registry and documents disagree
    REGISTRY = 3  # the registry is invalid
    # The command line is wrong (an unknown option, command, document or source): not
    # click's 2, which CI would read as a failing citation.
    USAGE = 4
