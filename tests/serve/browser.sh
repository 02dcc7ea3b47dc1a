#!/usr/bin/env bash
# The web page in a real browser: installs playwright-core (pinned in
# package.json) into tests/serve/node_modules if missing, then runs
# browser.mjs against $MMR (default build/mmr) with Debian's chromium.
# Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
MMR=${MMR:-build/mmr}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
fail() { echo "FAIL browser: $*"; echo "0 passed, 1 failed"; exit 1; }
command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/setup.sh installs it)"
[ -x "$CHROMIUM" ] || fail "no chromium at $CHROMIUM (scripts/setup.sh installs it)"
"$MMR" serve --help >/dev/null 2>&1 || fail "$MMR has no serve command"
if [ ! -e tests/serve/node_modules/playwright-core/package.json ]; then
    (cd tests/serve && npm ci --no-audit --no-fund --silent >/dev/null 2>&1) ||
        fail "npm ci in tests/serve failed (needs the npm registry)"
fi
MMR=$MMR CHROMIUM=$CHROMIUM exec node tests/serve/browser.mjs
