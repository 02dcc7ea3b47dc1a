Bad inputs: exit 1 with a diagnostic naming the place, or 2 for usage.

  $ mmr test no/such/file.mmr
  no/such/file.mmr: error: cannot read no/such/file.mmr: No such file or directory
  [1]

  $ mmr test empty
  empty: error: directory empty has no .mmr files
    hint: a ruleset directory holds *.mmr files (subdirectories are not searched)
  [1]

  $ mmr test bad/syntax.mmr
  bad/syntax.mmr:6:11: error: unexpected name "NOPE"; expected an operator, a rule field (description, category, priority, cooldown, when, for each, audience, message) or "}"
      6 |   message NOPE
        |           ^
  [1]

  $ mmr test bad/unknown.mmr
  bad/unknown.mmr:16:18: error: unknown signal "dinning_txn_7d"
     16 |   given { a = 2, dinning_txn_7d = 4 }
        |                  ^~~~~~~~~~~~~~~~~~
  [1]

  $ mmr test
  mmr test: no ruleset given
  (see `mmr test --help`)
  [2]

  $ mmr test small --format xml
  mmr test: --format must be text or json
  (see `mmr test --help`)
  [2]

  $ mmr test small --bogus
  mmr test: unknown option "--bogus"
  (see `mmr test --help`)
  [2]

  $ mmr test small --filter
  mmr test: --filter needs a value
  (see `mmr test --help`)
  [2]
