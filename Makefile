# The README's contract: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages translations migrate seed lint format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Compiles the catalogues with GNU gettext when present, else with Babel (no system package needed).
translations: install
	@if command -v msgfmt >/dev/null 2>&1; then $(MANAGE) compilemessages --ignore=.venv -v 0; \
	else $(PY) -m joinforces.core.compile_translations; fi

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: translations seed
	$(MANAGE) runserver $(HOST):$(PORT)

test: translations
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .

# Extract the strings to translate into locale/fr (then translate the new ones in django.po).
messages: install
	$(MANAGE) makemessages -l fr --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=test-artifacts --no-location

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
