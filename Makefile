# Two commands for a fresh clone: `make run` (serve the demo) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

# Python keeps its compiled modules even where the environment says not to: the suite
# starts many processes (the CLI, gunicorn, job workers, benchmarks, two test workers),
# and each would otherwise compile the portal's modules again (0.4 s a process here; 8 s
# of each test worker's collection).
unexport PYTHONDONTWRITEBYTECODE

# Exact versions of every dependency, so a new release never changes a build by itself.
# pyproject.toml keeps the lower bounds; `make lock` resolves them afresh into the locks.
# The portal itself needs only LOCK; the tools of the test suite (Playwright alone is
# about half of the environment) are in TEST_LOCK, installed by the test targets.
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
PIP_TOOLS := pip-tools==7.6.2
COMPILE := .lock-venv/bin/pip-compile --quiet --no-emit-index-url --no-emit-find-links \
	--strip-extras --allow-unsafe

.PHONY: install install-test lock run test lint format clean

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'pip==26.3'
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check  # a dependency missing from the lock: run `make lock`
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet -r $(TEST_LOCK)
	$(BIN)/python -m pip check
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The test lock is resolved first; the portal's lock starts from it, so both pin the
# same versions of what they share.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet '$(PIP_TOOLS)'
	$(COMPILE) --upgrade --extra test --output-file $(TEST_LOCK) pyproject.toml
	cp $(TEST_LOCK) $(LOCK)
	$(COMPILE) --output-file $(LOCK) pyproject.toml
	rm -rf .lock-venv

# The demo's files are read and its assets indexed before serving, so the first search
# finds them (the background jobs would, a few seconds after the first request).
run: install
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal seed-demo
	$(BIN)/flask --app portal search extract
	$(BIN)/flask --app portal search drain
	$(BIN)/flask --app portal run --host $(HOST) --port $(PORT)

# The single sign-on tests run a real OpenID Connect provider (tests/oidc, from npm); with
# no npm they skip, saying how to enable them. Two workers; one that runs out of tests takes
# some of the other's, so a few long tests near the end do not leave it idle.
test: install-test
	@if [ ! -d tests/oidc/node_modules ] && command -v npm >/dev/null; then \
		npm ci --prefix tests/oidc --no-audit --no-fund; fi
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m compileall -q -j 0 portal content workflows search bench
	$(BIN)/pytest -n 2 --dist worksteal $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .lock-venv instance .pytest_cache .ruff_cache
