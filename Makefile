# Two commands for a fresh machine with Python 3.11: `make run` and `make test`; `make help`
# lists the rest. Each target's `## ` comment is what `make help` prints for it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# pytest-xdist workers for the test targets: one per core.
TEST_JOBS ?= auto
# The quick tier (docs/testing.md): in-process tests on SQLite, no browser, gunicorn or nginx.
FAST := not (browser or deployed or load or postgresql)
# `make test` runs the load tests alone, after the rest: 200 patients at once would slow the
# tests beside them, and the rate-limit tests count requests per second.

.PHONY: help run test test-fast types lint bench mutation clean translations catalogs

help: ## this list
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Every dependency, transitive ones too, at the version and hash the lock names (pip itself
# included); `make lock` writes the locks from requirements*.txt (docs/development.md).
$(VENV)/.installed: $(BIN)/activate requirements.lock requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

# Translations (docs/languages.md): `make translations` gathers every marked string into
# translations/messages.pot, adds new ones to each language's .po and compiles them. The
# compiled .mo files are not committed; `catalogs` builds them before anything runs.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --domain messages --input-file $< --output-file $@

catalogs: $(CATALOGS) ## compile the translation catalogs (run and test do it first)

translations: $(VENV)/.installed ## gather marked words into translations/ and compile them
	$(BIN)/python -c 'from questionnaire.core import i18n; i18n.write_bank_messages()'
	$(BIN)/ruff format questionnaire/patient/bank_messages.py
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords lazy_gettext --no-location --omit-header --sort-output --output-file translations/messages.pot .
	$(BIN)/pybabel update --input-file translations/messages.pot --output-dir translations --no-fuzzy-matching
	$(MAKE) catalogs

# Without a SECRET_KEY each gunicorn worker would make its own and reject the others'
# cookies; one key per `make run` is shared by all of them (drafts end when it stops).
run: export SECRET_KEY ?= $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))")
run: $(VENV)/.installed catalogs ## install, migrate and serve the app on http://127.0.0.1:5000/ (HOST, PORT)
	$(BIN)/flask --app wsgi db upgrade
	@echo "Serving the self-assessment on http://$(HOST):$(PORT)/ (staff: /staff/login)"
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --workers 2 --bind $(HOST):$(PORT) wsgi:app

test: $(VENV)/.installed catalogs ## everything CI runs: lint, types, every test on each backend
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadgroup -m "not load"
	$(BIN)/python -m pytest -m load

test-fast: $(VENV)/.installed catalogs ## lint and the quick tier (1 to 2 minutes): before each commit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_JOBS) -m "$(FAST)" --hypothesis-profile=fast

types: $(VENV)/.installed ## mypy alone, over what pyproject.toml names
	$(BIN)/mypy

lint: $(VENV)/.installed ## fix what ruff can and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed ## the benchmarks (docs/performance.md)
	$(BIN)/python -m bench

# Mutation testing of rules/ (docs/mutation.md): 4 to 10 minutes on 2 cores, so not in
# `make test`. Starts clean, so no verdict is left over from older code or older tests.
MUTATION_JOBS ?= 2
mutation: $(VENV)/.installed ## mutation testing of rules/ (docs/mutation.md)
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/python -m tests.helpers.mutation_fresh --jobs $(MUTATION_JOBS)

clean: ## remove the venv and every cache
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .mypy_cache mutants

# The locks, from requirements.txt (requirements.lock: what production installs) and
# requirements-dev.txt (requirements-dev.lock: both, for development and the tests). Versions
# already in a lock are kept unless requirements*.txt asks otherwise; to move every
# transitive dependency to its newest release, `make lock LOCK_FLAGS=--upgrade`.
LOCK_FLAGS ?=
PIP_COMPILE = $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_FLAGS)
.PHONY: lock
lock: $(VENV)/.installed ## write requirements*.lock from requirements*.txt (docs/development.md)
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements.txt requirements-dev.txt
