"""The CI gate: a policy over the status document, and its CI outputs.

:mod:`~monitor.gate.policy` decides; :mod:`~monitor.gate.annotations` and
:mod:`~monitor.gate.summary` turn the decision into GitHub Actions output.
"""

from monitor.gate.annotations import annotation_commands, annotations
from monitor.gate.policy import GateFinding, GateOutcome, GatePolicy, Severity, evaluate
from monitor.gate.summary import job_summary

__all__ = [
    "GateFinding",
    "GateOutcome",
    "GatePolicy",
    "Severity",
    "annotation_commands",
    "annotations",
    "evaluate",
    "job_summary",
]
