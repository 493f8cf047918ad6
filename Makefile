# Touchpoint: `make run` starts the app with the demo workspace; `make test` runs every test.
# Both set everything up first (a virtualenv in .venv from the pinned requirements).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
PYTEST_ARGS ?=

.PHONY: run test lint format bench demo clean help

help:
	@echo "make run    - set up and start the app (demo workspace loaded) on http://localhost:$(PORT)"
	@echo "make test   - set up and run lint + the whole test suite"
	@echo "make lint   - ruff lint + format check"
	@echo "make bench  - run the benchmarks in bench/"
	@echo "make demo   - rebuild the demo workspace"

$(VENV)/.runtime-installed: requirements.txt requirements-lexicons.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-lexicons.txt
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime-installed
	$(PY) -m cem demo --if-missing
	$(PY) -m cem serve --server.port $(PORT)

demo: $(VENV)/.runtime-installed
	$(PY) -m cem demo

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

$(VENV)/.spark-installed: $(VENV)/.dev-installed requirements-spark.txt
	$(PY) -m pip install --quiet -r requirements-spark.txt
	@touch $@

test: $(VENV)/.dev-installed $(VENV)/.spark-installed lint
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
