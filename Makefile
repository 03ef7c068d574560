# Riskdesk: `make run` starts the app on the sample data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint api chromium venv deps dev-deps samples clean

run: deps  ## set up, build the embedded database from sample_data/ if missing, start the app
	$(BIN)/python -m analytics init-db --if-missing
	$(BIN)/streamlit run app.py

api: deps  ## set up, build the database from sample_data/ if missing, serve the HTTP API on http://127.0.0.1:8000
	$(BIN)/python -m analytics init-db --if-missing
	$(BIN)/python -m analytics serve

test: dev-deps chromium  ## ruff, then the whole pytest suite (browser tests included)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: dev-deps
	$(BIN)/ruff check .

samples: deps  ## regenerate sample_data/ (deterministic: commit the result)
	$(BIN)/python -m analytics sample-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python

$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

chromium:  ## Debian's chromium for the browser tests (installed only when absent)
	@if ! command -v chromium >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium \
		|| { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }; \
	fi

clean:
	rm -rf $(VENV) test-output .pytest_cache .ruff_cache
