Usage, output formats, warnings and the shipped rules.

  $ mmr check ../../../rules/moneymoments

  $ mmr check ../../../rules/moneymoments/dining.mmr ../../../rules/moneymoments/policy.mmr

  $ mmr check ../../../stdlib/std/moneymoments.mmr

  $ mmr check good/warn.mmr
  good/warn.mmr:12:20: warning: "with" binds extra, which template T does not use
     12 |   message T with { extra = 1 }
        |                    ^~~~~~~~~
    hint: remove the binding or add {extra} to the template

  $ mmr check --format json bad/unknown_signal.mmr
  {"file":"bad/unknown_signal.mmr","line":11,"col":8,"end_line":11,"end_col":21,"severity":"error","message":"unknown signal \"dinning_txn_7d\"","hint":"did you mean \"dining_txn_7d\"?"}
  [1]

  $ mmr check --format=json good/warn.mmr
  {"file":"good/warn.mmr","line":12,"col":20,"end_line":12,"end_col":28,"severity":"warning","message":"\"with\" binds extra, which template T does not use","hint":"remove the binding or add {extra} to the template"}

  $ mmr check
  mmr check: name at least one ruleset PATH
  (see `mmr check --help`)
  [2]

  $ mmr check --format xml good/warn.mmr
  mmr check: unknown format "xml": use text or json
  (see `mmr check --help`)
  [2]

  $ mmr check --frobnicate good/warn.mmr
  mmr check: unknown option "--frobnicate"
  (see `mmr check --help`)
  [2]

  $ mmr check --help
  usage: mmr check PATH... [--format text|json]
  
  Parse and type-check rulesets: .mmr files, directories of them (every
  *.mmr file, in name order), .json rule/template masters, or one compiled
  .mmrc (which is verified); - reads one ruleset from stdin, shown as
  <stdin>. Prints nothing when the ruleset is clean;
  errors and warnings go to stderr as FILE:LINE:COL: error|warning: message.
  
  options:
    --format text|json   diagnostics as gcc-style text on stderr (default)
                         or one JSON object per line on stdout
    --allow-outside-root let imports reach files outside the directory of
                         the paths given (see docs/language.md)
    -h, --help           this help (--version: the version line)
  
  exit status: 0 no errors (warnings allowed), 1 errors, 2 usage error

