#!/usr/bin/env bash
# Export -> import -> export over every .mmr ruleset in the repository that
# compiles, plus a ruleset without std: the second export (of the imported
# .mmr text, and of the JSON read directly) must equal the first byte for
# byte, and the imported text must be canonical (fmt changes nothing).
# Prints "N passed, M failed".
set -u
cd "$(dirname "$0")/../../.."
MMR=${MMR:-build/mmr}
d=$(mktemp -d "${TMPDIR:-/tmp}/rtrepo.XXXXXX")
trap 'rm -rf "$d"' EXIT
pass=0; fail=0
nostd="$d/nostd.mmr"
cat > "$nostd" <<'MMR'
signal spend_7d : number "Rupees spent in 7 days"
signal spend_30d = sum amount of transaction where type == "expense" over last 30d
trait city : text
let big = spend_7d > 1000
template BIG { title "Big week" body "You spent {spend_7d:money} in {city}" }
rule big_week { priority 5 cooldown 2d when big and city in ["pune", "delhi"] message BIG category home }
policy {
  max_nudges 2 per 24h
  quiet_hours 23:00 - 07:30
  timezone "Asia/Kolkata"
  categories [home, away]
  retention 60d
}
test "fires" { given { spend_7d = 2000 } traits { city = "pune" } expect nudge big_week }
MMR
one() {
    local f=$1
    "$MMR" export "$f" > "$d/e1.json" 2> "$d/err" || { echo "FAIL $f: export: $(head -n 2 "$d/err")"; return 1; }
    "$MMR" import "$d/e1.json" > "$d/i.mmr" 2> "$d/err" || { echo "FAIL $f: import: $(grep error "$d/err" | head -n 2)"; return 1; }
    "$MMR" fmt "$d/i.mmr" > "$d/f.mmr" 2>/dev/null || { echo "FAIL $f: fmt of the import"; return 1; }
    cmp -s "$d/i.mmr" "$d/f.mmr" || { echo "FAIL $f: imported text is not canonical"; diff "$d/i.mmr" "$d/f.mmr" | head -n 10; return 1; }
    "$MMR" export "$d/i.mmr" > "$d/e2.json" 2> "$d/err" || { echo "FAIL $f: second export: $(grep error "$d/err" | head -n 2)"; return 1; }
    cmp -s "$d/e1.json" "$d/e2.json" || { echo "FAIL $f: second export differs"; diff "$d/e1.json" "$d/e2.json" | head -n 10; return 1; }
    "$MMR" export "$d/e1.json" > "$d/e3.json" 2>/dev/null && cmp -s "$d/e1.json" "$d/e3.json" ||
        { echo "FAIL $f: export of the JSON differs"; return 1; }
}
# each file on its own, then each directory as one ruleset (multi-file rulesets)
for f in "$nostd" $(git ls-files '*.mmr') $(git ls-files '*.mmr' | xargs -n 1 dirname | sort -u); do
    "$MMR" check "$f" > /dev/null 2>&1 || continue   # rulesets that do not compile are error tests
    if one "$f"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
# the std-less ruleset must stay std-less and keep its policy and test
"$MMR" export "$nostd" > "$d/n.json"
if grep -q '"imports": \[\]' "$d/n.json" && grep -q '"retention": "60d"' "$d/n.json" &&
   "$MMR" test "$d/n.json" | grep -q '1 passed, 0 failed'; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL std-less export lost imports, policy or test"; fi
echo "json roundtrip: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
