QA: one option parser for every command (cli/cli.c cli_opts_*), `-` for
stdin and stdout, and machine output on stdout. The usage errors all have
one shape, exit 2.

Every command rejects an unknown option the same way, naming it as typed:

  $ for c in check lint fmt test compile disasm import export eval run feed settings interact gen signals ingest serve; do mmr $c --frob x 2>&1 | head -1; mmr $c --frob x >/dev/null 2>&1; echo "exit $?"; done
  mmr check: unknown option "--frob"
  exit 2
  mmr lint: unknown option "--frob"
  exit 2
  mmr fmt: unknown option "--frob"
  exit 2
  mmr test: unknown option "--frob"
  exit 2
  mmr compile: unknown option "--frob"
  exit 2
  mmr disasm: unknown option "--frob"
  exit 2
  mmr import: unknown option "--frob"
  exit 2
  mmr export: unknown option "--frob"
  exit 2
  mmr eval: unknown option "--frob"
  exit 2
  mmr run: unknown option "--frob"
  exit 2
  mmr feed: unknown option "--frob"
  exit 2
  mmr settings: unknown option "--frob"
  exit 2
  mmr interact: unknown option "--frob"
  exit 2
  mmr gen: unknown option "--frob"
  exit 2
  mmr signals: unknown option "--frob"
  exit 2
  mmr ingest: unknown option "--frob"
  exit 2
  mmr serve: unknown option "--frob"
  exit 2

and a short one the same way, with the pointer to --help:

  $ mmr check -z ok.mmr
  mmr check: unknown option "-z"
  (see `mmr check --help`)
  [2]

A value missing at the end of the line:

  $ for a in "check --format" "lint ok.mmr -o" "test ok.mmr --junit" "compile ok.mmr -o" "disasm ok.mmr --format" "import x.json -o" "export ok.mmr -o" "eval ok.mmr --signals" "run ok.mmr --db" "feed --db" "settings --db" "interact --db" "gen --users" "signals ok.mmr --as-of" "ingest --db" "serve --db"; do mmr $a 2>&1 | head -1; done
  mmr check: --format needs a value
  mmr lint: -o needs a value
  mmr test: --junit needs a value
  mmr compile: -o needs a value
  mmr disasm: --format needs a value
  mmr import: -o needs a value
  mmr export: -o needs a value
  mmr eval: --signals needs a value
  mmr run: --db needs a value
  mmr feed: --db needs a value
  mmr settings: --db needs a value
  mmr interact: --db needs a value
  mmr gen: --users needs a value
  mmr signals: --as-of needs a value
  mmr ingest: --db needs a value
  mmr serve: --db needs a value

--version on every command (and on mmr itself) prints the same line:

  $ mmr --version
  mmr 0.1.0

  $ for c in check lint fmt test compile disasm import export eval run feed settings interact gen signals ingest serve; do mmr $c --version; done | sort | uniq -c | sed 's/^ *//'
  17 mmr 0.1.0

--flag=value and --flag value are the same; a short flag takes its value
attached or next:

  $ mmr compile ok.mmr --output="$TESTTMP/a.mmrc" && mmr compile ok.mmr -o "$TESTTMP/b.mmrc" && mmr compile ok.mmr -o"$TESTTMP/c.mmrc" && cmp "$TESTTMP/a.mmrc" "$TESTTMP/b.mmrc" && cmp "$TESTTMP/a.mmrc" "$TESTTMP/c.mmrc" && echo same
  same

  $ mmr check --format=json bad.mmr > "$TESTTMP/eq.json"; mmr check --format json bad.mmr > "$TESTTMP/sp.json"; cmp "$TESTTMP/eq.json" "$TESTTMP/sp.json" && echo same
  same

-- ends the options: what follows is a path, even when it looks like one:

  $ cp ok.mmr "$TESTTMP/--strict" && cd "$TESTTMP" && mmr lint -- --strict && echo clean
  clean

  $ mmr check -- --format
  --format: error: cannot read --format: No such file or directory
  [1]

A flag takes no value, or yes/no (true/false, 1/0, on/off); anything else
is an error, never a silent "on":

  $ mmr lint ok.mmr --strict=yes --no-config=true --allow-outside-root=0

  $ mmr lint ok.mmr --strict=maybe
  mmr lint: --strict takes yes or no, not "maybe"
  (see `mmr lint --help`)
  [2]

  $ mmr check --allow-outside-root=2 ok.mmr
  mmr check: --allow-outside-root takes yes or no, not "2"
  (see `mmr check --help`)
  [2]

`-` is stdin for a ruleset, named <stdin> in the diagnostics:

  $ mmr check - < ok.mmr

  $ sed 's/x > 3/x > "a"/' ok.mmr | mmr check -
  <stdin>:11:8: error: cannot compare number with text
  [1]

  $ mmr test - < ok.mmr
  2 passed, 0 failed

  $ mmr lint - < ok.mmr && mmr disasm --code 0 - < ok.mmr | head -1
  .* (re)

A JSON rule master on stdin is recognised by its first character:

  $ mmr check - < ../json/bad_check.json 2>&1 | head -1
  <stdin>: $[2].title: warning: "nobody" is not declared in std/moneymoments; declared as `signal nobody : number` from its use

`-o -` is stdout, not a file named "-":

  $ mmr compile ok.mmr -o - | head -c 4; echo; test -e - && echo "a file named -" || echo "no file named -"
  MMRC
  no file named -

  $ mmr compile ok.mmr -o - > "$TESTTMP/s.mmrc" && mmr compile ok.mmr -o "$TESTTMP/f.mmrc" && cmp "$TESTTMP/s.mmrc" "$TESTTMP/f.mmrc" && echo same
  same

  $ mmr export ok.mmr -o - | python3 -c 'import json,sys; print(type(json.load(sys.stdin)).__name__)'
  dict

  $ mmr lint bad.mmr -o - 2>/dev/null
  bad.mmr:5:8: error: cannot compare number with text
  [1]

Asked-for machine output goes to stdout, alone, so it pipes into jq:

  $ mmr lint --format json bad.mmr 2>/dev/null | python3 -c 'import json,sys; print([json.loads(l)["severity"] for l in sys.stdin])'
  ['error']

  $ mmr lint --format json bad.mmr 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])'
  cannot compare number with text

  $ mmr lint --format sarif bad.mmr 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])'
  2.1.0

  $ mmr check --format json bad.mmr 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["line"])'
  5

  $ mmr lint --format json bad.mmr >/dev/null
  [1]

  $ mmr test --coverage --coverage-format json ok.mmr 2>/dev/null | python3 -c 'import json,sys; json.load(sys.stdin); print("json only")'
  json only

Bundled short flags: -wq is -w -q (fmt has -w; -q is not a flag):

  $ mmr fmt -wq ok.mmr
  mmr fmt: unknown option "-q"
  (see `mmr fmt --help`)
  [2]

`--dry-run=no` is not a dry run (the database is written), and a value
that is neither yes nor no is an error, never a silent dry run:

  $ mmr run ../../../rules/moneymoments --db "$TESTTMP/r.db" --signals ../run/signals.ndjson --now 2025-10-26T09:00:00Z --dry-run=no 2>&1 >/dev/null | grep as_of | cut -d: -f1; test -e "$TESTTMP/r.db" && echo written
  mmr run
  written

  $ mmr run ../../../rules/moneymoments --db "$TESTTMP/d.db" --signals ../run/signals.ndjson --now 2025-10-26T09:00:00Z --dry-run=yes 2>&1 >/dev/null | grep as_of | cut -d: -f1; test -e "$TESTTMP/d.db" || echo "no database"
  mmr run (dry run, nothing written)
  no database

  $ mmr run ../../../rules/moneymoments --db "$TESTTMP/m.db" --dry-run=maybe
  mmr run: --dry-run takes yes or no, not "maybe"
  (see `mmr run --help`)
  [2]

`mmr fmt -` formats stdin; -w cannot write it back:

  $ printf 'rule r {priority 1}' | mmr fmt --check -
  <stdin>: would reformat
  --- <stdin>
  +++ <stdin> (formatted)
  @@ -1,1 +1,3 @@
  -rule r {priority 1}
  +rule r {
  +  priority 1
  +}
  [1]

  $ mmr fmt -w - < ok.mmr
  mmr fmt: -w cannot write back to - (stdin); drop -w to print the result
  (see `mmr fmt --help`)
  [2]

  $ mmr export - < ok.mmr | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))'
  ['imports', 'mmr', 'rules', 'signals', 'templates']

`mmr import -` reads the JSON master from stdin, the same as from its file:

  $ mmr import ../json/spec_dining.json > "$TESTTMP/f.mmr" 2>/dev/null; mmr import - < ../json/spec_dining.json > "$TESTTMP/s.mmr" 2>/dev/null; cmp "$TESTTMP/f.mmr" "$TESTTMP/s.mmr" && echo same
  same

  $ mmr import - ../json/spec_dining.json
  mmr import: - (stdin) must be the only FILE
  (see `mmr import --help`)
  [2]
