#!/usr/bin/env bash
# The whole test suite, as CI and a newcomer run it: `npm install && npm test`.
# Needs PostgreSQL on 127.0.0.1:5432 (database `test`, trust auth) for the
# PostgreSQL half of the integration tests, and Redis on 127.0.0.1:6379 for
# cluster mode; it fails loudly instead of skipping. Browser tests use Debian's
# Chromium, installed here when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if ! node -e "
  const pg = require('pg');
  const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
  c.connect().then(() => c.end()).catch((e) => { console.error(e.message); process.exit(1); });
" "$pg_url"; then
  echo "PostgreSQL is not reachable at $pg_url: start it (see README, 'Run all tests')." >&2
  exit 1
fi

redis_url="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
if ! node -e "
  const { Redis } = require('ioredis');
  const r = new Redis(process.argv[1], { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.connect().then(() => r.ping()).then(() => r.disconnect()).catch((e) => { console.error(e.message); process.exit(1); });
" "$redis_url"; then
  echo "Redis is not reachable at $redis_url: start it (see README, 'Run all tests')." >&2
  exit 1
fi

# Debian packages the tests drive for real, installed when missing (as root, or with sudo); a missing one
# fails the install step loudly, never skips a test.
# Each entry is "command-that-must-exist:package".
required_tools=(
  "${CHROMIUM_PATH:-/usr/bin/chromium}:chromium"
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core"
  "/usr/sbin/nginx:nginx"
  "/usr/bin/turnserver:coturn"
  # The desktop helper's tests: a real X server, the screen encoder, a window to type into, xdotool to observe,
  # and xclip, the helper's way to the X clipboard.
  "Xvfb:xvfb"
  "ffmpeg:ffmpeg"
  "xterm:xterm"
  "xdotool:xdotool"
  "xclip:xclip"
  "/usr/bin/openssl:openssl"
  # QuickSupport for Windows runs under Wine (64-bit) on the same Xvfb.
  "/usr/bin/wine:wine"
  "/usr/lib/wine/wine64:wine64"
)
missing=()
for entry in "${required_tools[@]}"; do
  path="${entry%%:*}"
  if [ ! -e "$path" ] && ! command -v "$path" >/dev/null 2>&1; then missing+=("${entry##*:}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages the tests use: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then apt_get="apt-get"; else apt_get="sudo apt-get"; fi
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq "${missing[@]}" >/dev/null
fi

# The Dockerfile, the systemd unit and the upgrade steps install with `npm ci`, which refuses a lock
# file that does not match package.json (npm 11 wants every platform's optional packages listed).
echo "== lock file matches package.json (npm ci)"
npm ci --dry-run --ignore-scripts --no-audit --no-fund >/dev/null

echo "== format, lint, typecheck"
npm run -s check

echo "== build the web pages"
npm run -s build >/dev/null

reports="$(mktemp -d)"
status=0
echo "== unit and integration tests (SQLite and PostgreSQL)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/unit.json" "$@" || status=$?
if [ $# -eq 0 ]; then
  echo "== browser tests (Chromium with fake camera and screen)"
  npx vitest run -c vitest.e2e.config.ts --reporter=default --reporter=json --outputFile.json="$reports/e2e.json" ||
    status=$?
fi
# One plain closing line that any CI reads the same way.
node -e "
  const fs = require('fs');
  let passed = 0, failed = 0, skipped = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, 'utf8'));
    // A file that fails to load has no failed test of its own, but the run failed all the same.
    passed += r.numPassedTests; failed += r.numFailedTests || (r.success ? 0 : 1); skipped += r.numPendingTests;
  }
  console.log(passed + ' passed, ' + failed + ' failed' + (skipped ? ', ' + skipped + ' skipped' : ''));
" "$reports/unit.json" $([ $# -eq 0 ] && echo "$reports/e2e.json")
rm -rf "$reports"
exit "$status"
