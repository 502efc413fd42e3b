"""Benchmarks: a loopback link farm and a runner comparing the monitor with peer checkers."""
