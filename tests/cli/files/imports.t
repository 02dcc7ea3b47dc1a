Imports resolve against the importing file and must stay inside the
ruleset's root: the directory holding the paths given (here root/rs).
Absolute paths, `..` and symlinks that leave it are errors at the import,
so an import cannot read (and quote in its errors) any file on disk.

  $ mmr check root/rs/up.mmr
  root/rs/up.mmr:1:8: error: import "../outside.mmr" is outside the ruleset's root root/rs
      1 | import "../outside.mmr"
        |        ^
    hint: imports stay under the directory of the paths given; pass --allow-outside-root to allow it
  [1]
  $ mmr check root/rs/abs.mmr
  root/rs/abs.mmr:1:8: error: import "/etc/passwd" is outside the ruleset's root root/rs
      1 | import "/etc/passwd"
        |        ^
    hint: imports stay under the directory of the paths given; pass --allow-outside-root to allow it
  [1]
  $ mmr compile root/rs/abs.mmr -o "$TESTTMP/x.mmrc"; test -e "$TESTTMP/x.mmrc" || echo not written
  root/rs/abs.mmr:1:8: error: import "/etc/passwd" is outside the ruleset's root root/rs
      1 | import "/etc/passwd"
        |        ^
    hint: imports stay under the directory of the paths given; pass --allow-outside-root to allow it
  not written
  $ mmr check root/rs/abs.mmr --format json
  {"file":"root/rs/abs.mmr","line":1,"col":8,"severity":"error","message":"import \"/etc/passwd\" is outside the ruleset's root root/rs","hint":"imports stay under the directory of the paths given; pass --allow-outside-root to allow it"}
  [1]
  $ cd "$TESTTMP" && ln -s /etc/passwd p.mmr && printf 'import "p.mmr"\n' > via_link.mmr && mmr check via_link.mmr
  via_link.mmr:1:8: error: import "p.mmr" is outside the ruleset's root .
      1 | import "p.mmr"
        |        ^
    hint: imports stay under the directory of the paths given; pass --allow-outside-root to allow it
  [1]

--allow-outside-root lifts the check (check, compile, lint, test, eval,
export).

  $ mmr check root/rs/up.mmr --allow-outside-root
  $ mmr compile root/rs/up.mmr --allow-outside-root -o "$TESTTMP/up.mmrc" && echo compiled
  compiled
  $ mmr export root/rs/up.mmr --allow-outside-root > /dev/null && echo exported
  exported
  $ mmr lint root/rs/up.mmr --allow-outside-root; echo "exit $?"
  root/rs/../outside.mmr:1:8: warning: signal "outside_sig" is declared but never used [MMR-W001 unused-signal]
      1 | signal outside_sig : number
        |        ^~~~~~~~~~~~~~~~~~~~
    hint: use it in a rule, or delete the declaration
  exit 0
  $ mmr test root/rs/up.mmr --allow-outside-root | tail -1
  0 passed, 0 failed
  $ mmr check root/rs/abs.mmr --allow-outside-root 2>&1 | head -1 | cut -d: -f1
  /etc/passwd

The root is the directory of each path given: naming root/outside.mmr too
puts root/ inside it.

  $ mmr check root/rs/up.mmr root/outside.mmr

`mmr run`, `mmr signals` and `mmr disasm` load rulesets the same way:

  $ mmr run root/rs/up.mmr --db "$TESTTMP/r.db" --dry-run 2>&1 | head -1; exit ${PIPESTATUS[0]}
  root/rs/up.mmr:1:8: error: import "../outside.mmr" is outside the ruleset's root root/rs
  [1]
  $ mmr disasm root/rs/up.mmr 2>&1 | head -1; exit ${PIPESTATUS[0]}
  root/rs/up.mmr:1:8: error: import "../outside.mmr" is outside the ruleset's root root/rs
  [1]
  $ mmr signals root/rs/up.mmr --db "$TESTTMP/r.db" --as-of 2025-10-26 2>&1 | head -1; exit ${PIPESTATUS[0]}
  root/rs/up.mmr:1:8: error: import "../outside.mmr" is outside the ruleset's root root/rs
  [1]
  $ mmr disasm root/rs/up.mmr --allow-outside-root | head -1
  ; 1 slots, 0 lets, 0 constants, 0 templates, 0 rules, 0 conditions
  $ mmr run root/rs/up.mmr --db "$TESTTMP/r.db" --dry-run --allow-outside-root 2>&1 | grep -c "outside the ruleset"
  0
  [1]
