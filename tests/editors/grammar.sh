#!/usr/bin/env bash
# The TextMate grammar of editors/vscode: the annotated cases under
# tests/editors/cases (vscode-tmgrammar-test) and every shipped rule file
# tokenised and checked against the lexer's token shapes (tokenize.mjs);
# then the Vim syntax of editors/vim against the same cases (vim.py).
# The npm packages are pinned in tests/editors/package-lock.json and
# installed by scripts/setup.sh. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
passed=0; failed=0
fail() { echo "FAIL editors: $*"; echo "editors: $passed passed, $((failed + 1)) failed"; exit 1; }
command -v node >/dev/null || fail "node is not installed (scripts/setup.sh installs it)"
[ -e node_modules/vscode-tmgrammar-test/package.json ] || fail "no node_modules in tests/editors (scripts/setup.sh runs npm ci there)"

out=$(node node_modules/vscode-tmgrammar-test/dist/unit.js -g ../../editors/vscode/syntaxes/mmr.tmLanguage.json 'cases/*.test.mmr' 2>&1)
echo "$out" | grep -v '^✓' || true
p=$(grep -c '^✓' <<<"$out"); f=$(grep -c '^✖' <<<"$out")
passed=$((passed + p)); failed=$((failed + f))
# a case file the tool did not report on counts as failed
n=$(ls cases/*.test.mmr | wc -l); [ $((p + f)) -eq "$n" ] || failed=$((failed + 1))

out=$(node tokenize.mjs 2>&1); rc=$?
echo "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -1)
if [ -n "$line" ]; then
    passed=$((passed + ${line%% *})); f=${line#*, }; failed=$((failed + ${f%% *}))
else failed=$((failed + 1)); fi
[ $rc -eq 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))

# editors/vim against the same annotated cases
if command -v vim >/dev/null; then
    out=$(python3 vim.py 2>&1)
    echo "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' <<<"$out" | tail -1)
    if [ -n "$line" ]; then
        passed=$((passed + ${line%% *})); f=${line#*, }; failed=$((failed + ${f%% *}))
    else failed=$((failed + 1)); fi
else
    failed=$((failed + 1)); echo "FAIL editors: vim is not installed (scripts/setup.sh installs it)"
fi
echo "editors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
