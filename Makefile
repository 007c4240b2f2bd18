# SafetyNet · 社会救助兜底保障平台
#   make demo   install, migrate, seed the demo county, serve on http://127.0.0.1:8000
#   make test   install what is missing and run the whole suite (SQLite, and PostgreSQL when reachable)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_HOUSEHOLDS ?= 5000
DEMO_SEED ?= 1
DEMO_TOWNSHIP ?= 320125101000
DEMO_COUNTY ?= 320125000000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-deps keys demo serve test lint lock bench clean

$(VENV)/.installed: requirements.lock pyproject.toml rules/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock "setuptools>=70" wheel
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e . -e rules
	touch $@

install: $(VENV)/.installed

# Debian packages the browser tests and PDF/screenshot checks need; installed when missing.
system-deps:
	@bash scripts/system-deps.sh

var/local.env:
	@mkdir -p var
	$(PYTHON) scripts/make_keys.py > var/local.env
	@echo "Generated var/local.env (keys for this machine; keep it out of version control)."

keys: var/local.env

demo: install var/local.env
	$(BIN)/safetynet migrate --noinput
	$(BIN)/safetynet seed-demo --households $(DEMO_HOUSEHOLDS) --seed $(DEMO_SEED)
	$(BIN)/safetynet workflow demo-setup
	$(BIN)/safetynet verification authorise-demo --region $(DEMO_TOWNSHIP)
	$(BIN)/safetynet payroll demo-seed --county $(DEMO_COUNTY)
	$(BIN)/safetynet collectstatic --noinput -v 0
	@echo ""
	@echo "SafetyNet demo: http://$(HOST):$(PORT)/   (Ctrl-C stops the server and the background worker)"
	@bash scripts/serve-demo.sh $(HOST) $(PORT)

serve: install var/local.env
	@bash scripts/serve-demo.sh $(HOST) $(PORT)

test: install system-deps
	@bash scripts/run-tests.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy safetynet config

# Re-pin the lock after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e ' > requirements.lock

bench: install var/local.env
	@echo "See bench/README.md: each benchmark prints its own figures."

clean:
	rm -rf $(VENV) var/test-results var/*.sqlite3*
