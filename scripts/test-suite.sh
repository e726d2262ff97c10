#!/usr/bin/env bash
# The whole suite: SQLite and PostgreSQL side by side (PostgreSQL required when CI=true), browser tests
# only once (SQLite). Prints loud messages for anything skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_TEST_URL=${PG_TEST_URL:-postgres://postgres@127.0.0.1:5432/test}
export FIREGRID_DEV=true
mkdir -p test-artifacts

# The Celery worker tests (firegrid/jobs) need Redis: required when CI=true, skipped loudly otherwise.
REDIS_TEST_URL=${FIREGRID_TEST_REDIS_URL:-redis://127.0.0.1:6379/14}
if ! $PY -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" "$REDIS_TEST_URL" 2>/dev/null; then
  if [ "${CI:-}" = "true" ]; then
    echo "!!! Redis at $REDIS_TEST_URL does not answer, and CI=true requires the Celery worker tests." >&2
    exit 1
  fi
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! SKIPPED: the Celery worker tests — no Redis answers at $REDIS_TEST_URL"
  echo "!!! (set FIREGRID_TEST_REDIS_URL, or start Redis; CI=true makes them mandatory)"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi

pg_up() {
  $PY - "$PG_TEST_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://"), connect_timeout=3).close()
except Exception as exc:
    print(exc, file=sys.stderr); sys.exit(1)
PY
}

# The PostgreSQL run goes on beside the SQLite run (two cores: the wall time is the longer of the two,
# not their sum); its output is printed after the SQLite run's. Each Celery worker test has a queue of
# its own, live servers take free ports, and the runs have their own databases: nothing is shared.
PG_PID=""
PG_LOG=test-artifacts/postgresql.log
if pg_up; then
  DATABASE_URL="$PG_TEST_URL" $PY -m pytest -q --durations=10 -m "not browser" "$@" >"$PG_LOG" 2>&1 &
  PG_PID=$!
elif [ "${CI:-}" = "true" ]; then
  echo "!!! PostgreSQL at $PG_TEST_URL does not answer, and CI=true requires the PostgreSQL run." >&2
  exit 1
else
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "!!! SKIPPED: the PostgreSQL run of the suite — no server answers at $PG_TEST_URL"
  echo "!!! (set PG_TEST_URL, or start PostgreSQL; CI=true makes this run mandatory)"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
fi

echo "=== test suite on SQLite (with browser tests and the coverage floor of pyproject.toml) ==="
# pytest-cov prints the total against the floor; the per-file report goes to test-artifacts/coverage/.
SQLITE_STATUS=0
$PY -m pytest -q --durations=10 --cov=firegrid --cov-report=html:test-artifacts/coverage "$@" || SQLITE_STATUS=$?

PG_STATUS=0
if [ -n "$PG_PID" ]; then
  wait "$PG_PID" || PG_STATUS=$?
  echo "=== test suite on PostgreSQL ($PG_TEST_URL) ==="
  cat "$PG_LOG"
fi
if [ "$SQLITE_STATUS" -ne 0 ] || [ "$PG_STATUS" -ne 0 ]; then
  echo "!!! the suite failed: SQLite exit $SQLITE_STATUS, PostgreSQL exit $PG_STATUS" >&2
  exit 1
fi
