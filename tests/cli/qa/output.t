QA: machine-readable output stays valid on weird input.

A file name that is not UTF-8 (Latin-1 "café") used to make jansson drop
the SARIF result's message (json_string refuses invalid UTF-8), so the
log failed the SARIF schema; `--format json` wrote the raw byte, which is
not JSON. Both now carry U+FFFD instead:

  $ mkdir "$TESTTMP/l1" && printf 'rule r { priority 1 priority 2 }\n' > "$TESTTMP/l1/caf$(printf '\351').mmr"
  $ (cd "$TESTTMP" && mmr lint l1 --format sarif > l1.sarif; echo "exit $?") && python3 ../lint/sarif_check.py "$TESTTMP/l1.sarif"
  exit 1
  sarif ok: 1 results, 14 rules

  $ (cd "$TESTTMP" && mmr lint l1 --format json 2>&1) | python3 -c 'import json, sys; [print(json.loads(l)["file"], json.loads(l)["message"]) for l in sys.stdin]'
  l1/caf�.mmr "priority" is given twice in this rule; the first is at l1/caf�.mmr:1:10

A lint config with bytes that are not UTF-8 is an error with its place
(a tone word with a broken byte could never match):

  $ printf '[words]\nbroke\nfo\377o\n' > "$TESTTMP/bad.conf" && mmr lint ok.mmr --config "$TESTTMP/bad.conf" 2>&1 | sed "s|$TESTTMP/||"
  bad.conf:3:3: error: invalid UTF-8 byte 0xff

`docs_url` becomes the SARIF helpUris, so it must be an http(s) URL:

  $ printf 'docs_url = javascript:alert(1)\n' > "$TESTTMP/url.conf" && mmr lint ok.mmr --config "$TESTTMP/url.conf" 2>&1 | sed "s|$TESTTMP/||"
  url.conf:1:12: error: "docs_url" must be an http:// or https:// URL without spaces or quotes

  $ printf 'docs_url = https://x.example/a b\n' > "$TESTTMP/url.conf" && mmr lint ok.mmr --config "$TESTTMP/url.conf" 2>&1 | sed "s|$TESTTMP/||"
  url.conf:1:12: error: "docs_url" must be an http:// or https:// URL without spaces or quotes
