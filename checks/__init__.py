"""Checks: judge one cited URL. No storage, no scheduling, no output.

Nothing here imports ``monitor``; callers pass a :class:`checks.model.CheckTarget`
and :class:`checks.model.CheckSettings` and get a :class:`checks.model.CheckResult`.
"""
