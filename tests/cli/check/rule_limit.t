A ruleset holds at most 65,535 rules (a rule index is a 16-bit operand of
`fire`). The checker enforces the limit, so every command that checks a ruleset
(`check`, `compile`, `lint`, `test`, `run`) rejects it with the same
message, at the first rule past the limit (in declaration order).

  $ python3 -c '
  > import sys
  > print("signal n: number")
  > print("template T { title \"t\" body \"b\" category dining }")
  > for i in range(int(sys.argv[1])):
  >     print("rule r%d { priority 1 when n > 1 message T }" % i)
  > ' 65536 > $TESTTMP/many.mmr
  $ cd $TESTTMP && mmr check many.mmr
  many.mmr:65538:6: error: too many rules: a ruleset holds at most 65535, and this is rule 65536
  65538 | rule r65535 { priority 1 when n > 1 message T }
        |      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  [1]
  $ cd $TESTTMP && mmr compile many.mmr -o many.mmrc
  many.mmr:65538:6: error: too many rules: a ruleset holds at most 65535, and this is rule 65536
  65538 | rule r65535 { priority 1 when n > 1 message T }
        |      ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  [1]
  $ cd $TESTTMP && test -e many.mmrc || echo "not written"
  not written

One rule fewer passes the limit (the check passes; compiling it meets the
separate limit on traced conditions).

  $ cd $TESTTMP && head -n 65537 many.mmr > fewer.mmr
  $ cd $TESTTMP && mmr check fewer.mmr
