#!/usr/bin/env bash
# The whole suite: lint, the rules' YAML cases, pytest on SQLite, then pytest on PostgreSQL when
# a server answers. pytest's exit code 5 (no tests collected) counts as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RESULTS=var/test-results
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.ok
status=0

step() { echo; echo "== $*"; }

run_pytest() {  # label, database url
  local label=$1 url=$2
  step "pytest on $label"
  DATABASE_URL="$url" $BIN/pytest -q -p no:randomly "${PYTEST_ARGS[@]}"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "pytest on $label collected no tests: failing" >&2; return 1; fi
  if [ $rc -ne 0 ]; then echo "pytest on $label failed (exit $rc)" >&2; return 1; fi
  touch "$RESULTS/$label.ok"
}

PYTEST_ARGS=(-n 2 --dist loadfile)
[ -n "${PYTEST_EXTRA:-}" ] && PYTEST_ARGS+=($PYTEST_EXTRA)

step "ruff"
$BIN/ruff check . || status=1

step "mypy"
$BIN/mypy safetynet config || status=1

step "openfisca test (the rules' YAML cases)"
$BIN/openfisca test --country-package openfisca_cn_assistance rules/openfisca_cn_assistance/tests || status=1

step "pytest rules (property and batch tests of the rules package, no Django)"
$BIN/pytest -q rules
rc=$?
if [ $rc -ne 0 ]; then echo "pytest rules failed (exit $rc; 5 means no tests)" >&2; status=1; fi

run_pytest sqlite "sqlite:///var/test.sqlite3" || status=1

PG_URL="${PG_TEST_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
if PG_URL="$PG_URL" $BIN/python scripts/pg_available.py; then
  base="${PG_URL%/*}"
  run_pytest postgresql "$base/safetynet" || status=1
else
  echo "PostgreSQL not reachable: SQLite run only."
fi

echo
if [ $status -eq 0 ]; then echo "ALL TEST RUNS PASSED"; else echo "SOME TEST RUNS FAILED"; fi
exit $status
