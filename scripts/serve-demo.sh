#!/usr/bin/env bash
# Serve the demo: the background job worker (what-if scenarios, deadline recomputation) and the
# web server; Ctrl-C stops both.
set -u
cd "$(dirname "$0")/.."
HOST=${1:-127.0.0.1}
PORT=${2:-8000}
BIN=.venv/bin
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT INT TERM
$BIN/safetynet db_worker >var/worker.log 2>&1 &
pids+=($!)
# the simulated department systems the verification hub queries over HTTP
$BIN/safetynet departments serve --port 8765 --unidentified 25 >var/departments.log 2>&1 &
pids+=($!)
echo "Simulated department server: http://127.0.0.1:8765 (for 核对 runs over HTTP)"
$BIN/safetynet runserver --insecure "$HOST:$PORT"
