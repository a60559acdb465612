# Minsheng: run it, test it, lint it. Every target creates .venv on first use and reinstalls
# only when a requirements file is newer than its stamp, so repeated runs are fast.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The embedded default: SQLite, file-system broker, file cache (see portal/settings.py).
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL -u CACHE_URL
# compilemessages fails on a tree without .po files, so compile only when there are some.
COMPILEMESSAGES := if [ -n "$$(find locale -name '*.po' 2>/dev/null | head -n 1)" ]; then \
	$(BIN)/python manage.py compilemessages --ignore $(VENV); fi

.PHONY: run test lint messages install install-dev

# bin/run migrates, collects static files, loads the demo data, then supervises web, worker and beat.
run: $(VENV)/.installed
	$(EMBEDDED) VENV=$(VENV) bin/run

# bin/test starts PostgreSQL and Redis if they are down, installs chromium and gettext if missing,
# compiles the translations and runs the suite in parallel.
test: $(VENV)/.installed-dev
	VENV=$(VENV) bin/test

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore $(VENV) --ignore static --ignore staticfiles --ignore var --ignore 'tests/*'
	$(COMPILEMESSAGES)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -r requirements.txt
	touch $@

# The development requirements include the runtime ones, so this stamp stands for both.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -r requirements-dev.txt
	touch $(VENV)/.installed $@
