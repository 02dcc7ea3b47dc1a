#!/usr/bin/env bash
# The HTML report of `mmr run --report` in a real browser (Debian's
# chromium, headless, driven by playwright-core from tests/serve/node_modules,
# as tests/serve/browser.sh sets it up). Ends with "N passed, M failed";
# without chromium it says so and ends with "0 passed, 0 failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
fail() { echo "FAIL report_browser: $*"; echo "report_browser: 0 passed, 1 failed"; exit 1; }
if [ ! -x "$CHROMIUM" ]; then
    echo "report_browser: skipped: no chromium at $CHROMIUM (scripts/setup.sh installs it)"
    echo "report_browser: 0 passed, 0 failed"
    exit 0
fi
command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/setup.sh installs it)"
if [ ! -e tests/serve/node_modules/playwright-core/package.json ]; then
    (cd tests/serve && npm ci --no-audit --no-fund --silent >/dev/null 2>&1) ||
        fail "npm ci in tests/serve failed (needs the npm registry)"
fi
MMR=$MMR CHROMIUM=$CHROMIUM exec node tests/serve/report_browser.mjs
