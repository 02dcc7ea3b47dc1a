Imports: each file once, cycles are errors with the chain, missing files.

  $ mmr check imports/a.mmr
  imports/c.mmr:1:8: error: import cycle: imports/a.mmr -> imports/b.mmr -> imports/c.mmr -> imports/a.mmr
      1 | import "a.mmr"
        |        ^
    hint: a file may not import itself, directly or through other files
  [1]

  $ mmr check imports/missing.mmr
  imports/missing.mmr:1:8: error: cannot import "imports/nowhere.mmr": No such file or directory
      1 | import "nowhere.mmr"
        |        ^
  [1]

  $ mmr check imports/badstd.mmr
  imports/badstd.mmr:1:8: error: unknown standard schema "std/money"
      1 | import "std/money"
        |        ^
    hint: the standard library has "std/moneymoments"
  [1]

  $ mmr check imports/empty
  imports/empty: error: directory imports/empty has no .mmr files
    hint: a ruleset directory holds *.mmr files (subdirectories are not searched)
  [1]

  $ mmr check no-such-file.mmr
  no-such-file.mmr: error: cannot read no-such-file.mmr: No such file or directory
  [1]

A directory loads its *.mmr files in name order; shared imports load once.

  $ mmr check good/multi

  $ mmr check good/multi good/shared/schema.mmr good/multi/a_rules.mmr

