"""GitHub Actions workflow commands that annotate the failing citations in a pull request.

Actions shows only 10 error and 10 warning annotations per step, so only the worst few
are emitted; the job summary carries the full list.
"""

# No ``from __future__ import annotations`` here: it would shadow the public function
# named ``annotations``.
from monitor.gate.policy import GateFinding, GateOutcome, Severity
from monitor.reports.formats.base import without_surrogates

_COMMANDS = {Severity.FAIL: "error", Severity.WARN: "warning"}


def escape_data(text: str) -> str:
    """Escape a command's message as the Actions toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value (``file``, ``title``...) as the Actions toolkit does."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: GateFinding) -> str:
    """One ``::error`` or ``::warning`` command for a failing or warning finding."""
    command = _COMMANDS.get(finding.severity)
    if command is None:
        raise ValueError("passing findings are not annotated")
    props: list[tuple[str, str]] = []
    if finding.path:
        props.append(("file", finding.path))
        if finding.line:
            props.append(("line", str(finding.line)))
    props.append(("title", finding.title))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    # Printed to standard output, which cannot take a lone surrogate from a PDF's text.
    return without_surrogates(f"::{command} {rendered}::{escape_data(finding.message)}")


def annotations(outcome: GateOutcome, limit: int = 10) -> list[str]:
    """Commands for the worst ``limit`` failing or warning findings, worst first."""
    if limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    # Stable sort: the outcome's own order (document, line) holds within a severity.
    shown = sorted(
        (f for f in outcome.findings if f.severity is not Severity.PASS),
        key=lambda f: f.severity.rank,
    )
    return [annotation(f) for f in shown[:limit]]


# The same function under a name that does not clash with ``from __future__ import
# annotations`` in the importing module.
annotation_commands = annotations
