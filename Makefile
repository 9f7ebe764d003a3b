# Two commands set up a fresh machine: `make run` (the demo hub) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# chromium for the browser tests; Bengali and Devanagari fonts so pages are measured with real glyphs;
# postgresql for the aggregator tests on PostgreSQL (a throwaway cluster, tests/postgres.py).
DEBIAN_TEST_PACKAGES := chromium fonts-lohit-beng-bengali fonts-lohit-deva postgresql
# apt-get needs root; CI and the developer machines run as root, elsewhere sudo is used.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint soak bench catalogs debian-packages messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogs are build output (gitignored); the wheel build makes its own.
catalogs: $(STAMP)
	$(BIN)/pybabel compile --domain messages --directory hub/translations --statistics

debian-packages:
	@missing=""; for pkg in $(DEBIAN_TEST_PACKAGES); do \
		dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# The demo keeps its data in ./instance (COMMUNITYHUB_DATA_DIR); `make run PORT=8081` serves another port.
PORT ?= 8080
run: catalogs
	$(BIN)/communityhub demo --host 127.0.0.1 --port $(PORT)

# On every core (pytest-xdist); tests sharing one costly resource stay on one worker (tests/conftest.py).
test: catalogs debian-packages
	$(BIN)/python -m pytest -n auto --dist loadgroup

# pyflakes, pycodestyle, import order, bugbear and complexity, as configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .

# Power cuts at length: 50 rounds of kill -9 under five writing phones (make test runs 5).
soak: catalogs
	COMMUNITYHUB_KILL_ROUNDS=50 $(BIN)/python -m pytest -s -p no:cacheprovider tests/test_kill.py

# The district's part measures PostgreSQL too (a throwaway cluster): hence the Debian packages.
bench: catalogs debian-packages
	$(BIN)/python -m bench

# After changing user-facing strings: refresh the template and every catalog, then translate.
messages: $(STAMP)
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --no-location --sort-output \
		--project communityhub --output-file hub/translations/messages.pot .
	$(BIN)/pybabel update --input-file hub/translations/messages.pot --output-dir hub/translations \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) build dist *.egg-info
