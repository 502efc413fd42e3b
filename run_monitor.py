#!/usr/bin/env python3
"""Command-line entry point of the citation monitor. See ``--help``."""

from monitor.cli import main

if __name__ == "__main__":
    main()
