# Grappe — two commands: `make run` (demo site) and `make test` (whole suite).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

# Byte-code caches kept (some images set PYTHONDONTWRITEBYTECODE): pytest caches its rewritten
# test modules there, which saves each xdist worker seconds of start-up on every later run.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast install install-test system-deps lint format bench load migrate demo worker beat clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# What the tests need from Debian: WeasyPrint's Pango and HarfBuzz-subset (fonts subsetting in
# PDFs) and a font, Chromium for the browser journeys. Installed when missing and we are root
# (CI, a fresh Debian machine); otherwise we say what to install. .ci/run installs only the
# services (tests/core/test_setup.py keeps the two lists from drifting apart).
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

system-deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installation des paquets système :$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "Paquets système manquants :$$missing — installez-les : sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	@$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite on every core (pytest-xdist, one test database per worker; work stealing evens out
# the long browser journeys), then alone the test that restarts PostgreSQL (marker "serial",
# PostgreSQL only: on SQLite there is nothing to restart); exit 5 = none selected. One worker
# more than cores: a browser journey's worker mostly waits for Chromium and its live server.
JOBS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: install-test system-deps
	$(PY) -m pytest -p no:cacheprovider -n $(JOBS) --dist worksteal -m "not serial" $(PYTEST_ARGS)
	@case "$$DATABASE_URL" in \
	  postgres*) $(PY) -m pytest -p no:cacheprovider -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ] ;; \
	  *) echo "Test d'arrêt de PostgreSQL non lancé : DATABASE_URL ne désigne pas PostgreSQL." ;; \
	esac

# The edit loop: everything but the browser journeys.
test-fast: install-test
	$(PY) -m pytest -p no:cacheprovider -n $(JOBS) --dist worksteal -m "not serial and not browser" $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-test
	$(PY) -m bench

# Loopback load test: gunicorn on PostgreSQL (DATABASE_URL) and wrk; see bench/load.py.
load: install-test
	$(PY) -m bench.load $(LOAD_ARGS)

worker: install
	$(VENV)/bin/celery -A config worker -l info

beat: install
	$(VENV)/bin/celery -A config beat -l info

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media staticfiles .pytest_cache .ruff_cache
