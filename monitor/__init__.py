"""The monitor: registry, orchestration, storage, state, reports, publishing, CLI."""
