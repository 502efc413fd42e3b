"""The registry: which sources to check, for which claims, owned by whom."""

from monitor.registry.durations import parse_duration
from monitor.registry.errors import RegistryInvalid, RegistryProblem
from monitor.registry.loader import load_registry
from monitor.registry.model import (
    ArchiveEndpoints,
    Claim,
    Document,
    Owner,
    Reference,
    Registry,
    Settings,
    Source,
)

__all__ = [
    "ArchiveEndpoints",
    "Claim",
    "Document",
    "Owner",
    "Reference",
    "Registry",
    "RegistryInvalid",
    "RegistryProblem",
    "Settings",
    "Source",
    "load_registry",
    "parse_duration",
]
