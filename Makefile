# One virtualenv at the root; every target creates it when needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)

.PHONY: install lock run run-oidc test test-faults lint format bench demo clean help

help:
	@echo "make run     — the whole system (embedded PostgreSQL and Redis unless DATABASE_URL/REDIS_URL)"
	@echo "make run-oidc — the same, with a local OpenID provider to try staff sign-in"
	@echo "make test    — the test suite against real PostgreSQL and Redis"
	@echo "make test-faults — fault injection (database, Redis, registry, workers) and load"
	@echo "make lint    — ruff and mypy"
	@echo "make bench   — the benchmark harness (bench/results/latest.json)"
	@echo "make demo    — load demo data into the running system (DEMO_ARGS='--size national')"

# Every package, direct or not, comes pinned with its hashes from the lock files (make lock).
$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# After a change of pyproject.toml's dependencies: pin them again, with their hashes.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe --extra dev -o requirements-dev.lock pyproject.toml

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m scripts.run

# The staff sign-in tests start a real OpenID provider (oidc-provider from npm, pinned by its
# lock file); Node.js and npm come with the machine.
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error

# The same, with that provider beside the system, to try staff sign-in without ProConnect.
run-oidc: $(STAMP) $(OIDC_PROVIDER)
	$(BIN)/python -m scripts.run --oidc

test: $(STAMP) $(OIDC_PROVIDER)
	$(BIN)/python -m pytest -m "not faults" $(PYTEST_ARGS)

# Fault injection and load: each test starts its own PostgreSQL, Redis, services and workers,
# stops and restarts them; run once in CI whatever DATABASE_URL/REDIS_URL say.
test-faults: $(STAMP)
	$(BIN)/python -m pytest -m faults tests/faults tests/load $(PYTEST_ARGS)

# Every package is type-checked; the domain (shared/domain) strictly (pyproject.toml).
CODE := shared services client scripts bench

lint: $(STAMP)
	$(BIN)/ruff check $(CODE) tests
	$(BIN)/ruff format --check $(CODE) tests
	$(BIN)/mypy $(CODE)

format: $(STAMP)
	$(BIN)/ruff format $(CODE) tests
	$(BIN)/ruff check --fix $(CODE) tests

demo: $(STAMP)
	$(BIN)/python -m client.cli demo $(DEMO_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf var/test .pytest_cache .hypothesis
