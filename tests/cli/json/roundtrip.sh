#!/usr/bin/env bash
# roundtrip.sh FILE.json: import -> fmt -> export -> import must give the
# same .mmr text as the first import; the imported text must already be
# canonical (fmt changes nothing); a second export must equal the first.
set -u
f=$1
d=$(mktemp -d "${TESTTMP:-/tmp}/rt.XXXXXX")
mmr import "$f" > "$d/1.mmr" 2>/dev/null || { echo "$f: first import failed"; exit 1; }
mmr fmt "$d/1.mmr" > "$d/f.mmr" || { echo "$f: fmt failed"; exit 1; }
cmp -s "$d/1.mmr" "$d/f.mmr" || { echo "$f: imported text is not canonical"; diff "$d/1.mmr" "$d/f.mmr"; exit 1; }
mmr export "$d/f.mmr" > "$d/e.json" || { echo "$f: export failed"; exit 1; }
mmr import "$d/e.json" > "$d/2.mmr" || { echo "$f: second import failed"; exit 1; }
cmp -s "$d/1.mmr" "$d/2.mmr" || { echo "$f: not stable"; diff "$d/1.mmr" "$d/2.mmr"; exit 1; }
mmr export "$d/2.mmr" > "$d/e2.json" || { echo "$f: second export failed"; exit 1; }
cmp -s "$d/e.json" "$d/e2.json" || { echo "$f: export not stable"; diff "$d/e.json" "$d/e2.json"; exit 1; }
echo "$f: stable"
