# Track Two Casebook. `make serve` to preview the site, `make test` to run every test.
# Each target creates .venv from the pinned requirements the first time it runs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help serve build check new test lint golden bench lock clean

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.site-installed: requirements.txt pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.site-installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

serve: $(VENV)/.site-installed  ## Build and serve the site on http://127.0.0.1:8000 with live reload
	$(BIN)/mkdocs serve --dirty --dev-addr 127.0.0.1:8000

build: $(VENV)/.site-installed  ## Write the site into site/ (strict: any warning fails)
	$(BIN)/mkdocs build --strict

check: $(VENV)/.site-installed  ## Validate every content file and list all problems
	$(BIN)/python -m generator check

new: $(VENV)/.site-installed  ## Scaffold cases/<id>.yml: make new TITLE="Title of the case", or make new FROM=<inventory id>
	@test -n "$(TITLE)$(FROM)" || { echo 'usage: make new TITLE="Title of the case"  or  make new FROM=<inventory id>' >&2; exit 2; }
	$(BIN)/casebook new $(if $(FROM),--from-inventory "$(FROM)") $(if $(TITLE),"$(TITLE)")

# Lighthouse, for the test suite, from the npm registry at the version in its lock file;
# without npm the Lighthouse tests skip (and fail under CI=true).
LIGHTHOUSE := tests/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE): tests/lighthouse/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/lighthouse --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the Lighthouse tests will be skipped"; fi

test: $(VENV)/.dev-installed $(LIGHTHOUSE)  ## Run the whole test suite (PYTEST_ARGS passes options to pytest)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed  ## Lint and type-check the code (ruff, mypy; settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/mypy

golden: $(VENV)/.dev-installed  ## Rewrite the golden files after an intended change to the output
	$(BIN)/python -m pytest tests/test_golden.py --update-golden

bench: $(VENV)/.dev-installed  ## Measure build and search at 100 and 1,000 cases (BENCH_ARGS=--large adds 10,000)
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

lock: $(VENV)/.dev-installed  ## Show the installed versions, to update the requirements files
	$(BIN)/python -m pip freeze --exclude-editable

clean:  ## Remove the built site, caches and Lighthouse (keeps .venv)
	rm -rf site .cache .pytest_cache tests/lighthouse/node_modules
