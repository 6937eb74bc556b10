# Two commands for a fresh clone: `make run` (serve the demo) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

# Exact versions of every dependency, so a new release never changes a build by itself.
# pyproject.toml keeps the lower bounds; `make lock` resolves them afresh into the lock.
LOCK := requirements.lock
PIP_TOOLS := pip-tools==7.6.2

.PHONY: install lock run test lint format clean

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip==26.3'
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check  # a dependency missing from the lock: run `make lock`
	touch $@

install: $(VENV)/.installed

lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet '$(PIP_TOOLS)'
	.lock-venv/bin/pip-compile --quiet --upgrade --no-emit-index-url --no-emit-find-links \
		--extra test --strip-extras --allow-unsafe --output-file $(LOCK) pyproject.toml
	rm -rf .lock-venv

run: install
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal seed-demo
	$(BIN)/flask --app portal run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .lock-venv instance .pytest_cache .ruff_cache
