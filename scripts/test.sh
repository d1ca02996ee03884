#!/usr/bin/env bash
# The whole test suite, as CI and a newcomer run it: `npm install && npm test`.
# Needs PostgreSQL on 127.0.0.1:5432 (database `test`, trust auth) for the
# PostgreSQL half of the integration tests; it fails loudly instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! node -e "
  const pg = require('pg');
  const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
  c.connect().then(() => c.end()).catch((e) => { console.error(e.message); process.exit(1); });
" "$pg_url"; then
  echo "PostgreSQL is not reachable at $pg_url: start it (see README, 'Running the tests')." >&2
  exit 1
fi

echo "== format, lint, typecheck"
npm run -s check

echo "== unit and integration tests (SQLite and PostgreSQL)"
report="$(mktemp)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
# One plain closing line that any CI reads the same way.
node -e "
  const r = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  console.log(r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed' + (r.numPendingTests ? ', ' + r.numPendingTests + ' skipped' : ''));
" "$report" || true
rm -f "$report"
exit "$status"
