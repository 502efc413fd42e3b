# One command to run the monitor, one to test it. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint typecheck validate scan publish clean bench

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Exit 2 means "done, and some citation fails": the run itself completed.
run: $(VENV)/.runtime
	$(PY) run_monitor.py check || [ $$? -eq 2 ]

validate: $(VENV)/.runtime
	$(PY) run_monitor.py validate

scan: $(VENV)/.runtime
	$(PY) run_monitor.py scan

publish: $(VENV)/.runtime
	$(PY) run_monitor.py publish

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy

test: lint typecheck
	$(VENV)/bin/pytest

# Benchmarks against lychee and LinkChecker (bench/README.md). The peers and the
# profiler live in bench/.venv, apart from the monitor's own environment.
# `make bench BENCH_ARGS=--quick` for a short try; `BENCH_ARGS=--all` for every scenario.
BENCH_VENV := bench/.venv
BENCH_ARGS ?=

$(BENCH_VENV)/.installed: bench/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: $(VENV)/.runtime $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .monitor reports/*.json reports/*.md reports/*.xml reports/published
