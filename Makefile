# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint bench mutation clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

# Without a SECRET_KEY each gunicorn worker would make its own and reject the others'
# cookies; one key per `make run` is shared by all of them (drafts end when it stops).
run: export SECRET_KEY ?= $(shell $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))")
run: $(VENV)/.installed
	$(BIN)/flask --app wsgi db upgrade
	@echo "Serving the self-assessment on http://$(HOST):$(PORT)/ (staff: /staff/login)"
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --workers 2 --bind $(HOST):$(PORT) wsgi:app

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	$(BIN)/python -m bench

# Mutation testing of rules/ (docs/mutation.md): 4 to 10 minutes on 2 cores, so not in
# `make test`. Starts clean, so no verdict is left over from older code or older tests.
MUTATION_JOBS ?= 2
mutation: $(VENV)/.installed
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(MUTATION_JOBS)
	$(BIN)/python -m tests.mutation_fresh --jobs $(MUTATION_JOBS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache mutants
