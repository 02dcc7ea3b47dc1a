A file name with a newline or other control characters cannot forge a
"file:line: error:" line in text output: control characters print as \n,
\t, \xHH and a backslash as \\ (JSON output escapes as JSON does).

  $ cd "$TESTTMP" && printf 'rule r {\n' > "$(printf 'x\nfake.mmr:1:1: error: forged\t\\z.mmr')" && mmr check x*
  x\nfake.mmr:1:1: error: forged\t\\z.mmr:2:1: error: unexpected end of file; expected a rule field (description, category, priority, cooldown, when, for each, audience, message) or "}"
      2 | 
        | ^
  [1]
  $ cd "$TESTTMP" && mmr check x* --format json
  {"file":"x\nfake.mmr:1:1: error: forged\t\\z.mmr","line":2,"col":1,"severity":"error","message":"unexpected end of file; expected a rule field (description, category, priority, cooldown, when, for each, audience, message) or \"}\""}
  [1]
  $ cd "$TESTTMP" && mmr check "$(printf 'no\nsuch.mmr')"
  no\nsuch.mmr: error: cannot read no\nsuch.mmr: No such file or directory
  [1]
  $ cd "$TESTTMP" && mmr fmt --check "$(printf 'no\nsuch.mmr')"
  no\nsuch.mmr: error: cannot read no\nsuch.mmr: No such file or directory
  [1]
  $ cd "$TESTTMP" && mmr export "$OLDPWD/../../../rules/moneymoments" -o "$(printf 'nodir\n/x.json')"
  mmr export: cannot write nodir\n/x.json: No such file or directory
  [1]
