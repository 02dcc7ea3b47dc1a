mmr compile writes a .mmrc only for a ruleset without errors.

  $ mmr compile ../../../rules/moneymoments -o $TESTTMP/mm.mmrc
  $ head -c 4 $TESTTMP/mm.mmrc; echo
  MMRC
  $ mmr check $TESTTMP/mm.mmrc

A compiled file can be compiled again (it is verified on load), alone.

  $ mmr compile $TESTTMP/mm.mmrc -o $TESTTMP/again.mmrc && cmp $TESTTMP/mm.mmrc $TESTTMP/again.mmrc
  $ mmr compile $TESTTMP/mm.mmrc ../../../rules/moneymoments -o $TESTTMP/x.mmrc
  .*/mm.mmrc: error: a compiled .mmrc file must be the only ruleset path (re)
    hint: give either one .mmrc file or the .mmr sources
  [1]

Compiling is deterministic.

  $ mmr compile ../../../rules/moneymoments --output=$TESTTMP/b.mmrc && cmp $TESTTMP/mm.mmrc $TESTTMP/b.mmrc

Errors: nothing is written.

  $ mmr compile bad.mmr -o $TESTTMP/bad.mmrc
  bad.mmr:11:8: error: unknown signal "dinning_txn_7d"
     11 |   when dinning_txn_7d >= 3
        |        ^~~~~~~~~~~~~~
    hint: did you mean "dining_txn_7d"?
  [1]
  $ test -e $TESTTMP/bad.mmrc || echo "not written"
  not written

A tampered file is refused.

  $ printf 'MMRCxxxx' > $TESTTMP/t.mmrc && mmr check $TESTTMP/t.mmrc 2>&1 | sed "s|$TESTTMP|TMP|"
  TMP/t.mmrc: error: unsupported format version 2021161080 (this mmr reads 1 to 3)

Usage.

  $ mmr compile ../../../rules/moneymoments
  mmr compile: name the output file with -o FILE.mmrc
  (see `mmr compile --help`)
  [2]
  $ mmr compile -o $TESTTMP/y.mmrc
  mmr compile: name at least one ruleset PATH
  (see `mmr compile --help`)
  [2]
  $ mmr compile ../../../rules/moneymoments -o
  mmr compile: -o needs a value
  (see `mmr compile --help`)
  [2]
  $ mmr compile --help
  usage: mmr compile PATH... -o FILE.mmrc [--format text|json]
  
  Check a ruleset (.mmr files, directories of them, .json rule/template
  masters) and write its bytecode to FILE.mmrc (magic, format version and
  checksum; `mmr disasm` lists it, every command accepts it as PATH).
  Nothing is written when the ruleset has errors. PATH - reads stdin.
  
  options:
    -o, --output FILE    the .mmrc file to write (required; - = stdout)
    --format text|json   diagnostics as text on stderr (default) or JSON
                         lines on stdout (stderr with -o -)
    --allow-outside-root let imports reach files outside the directory of
                         the paths given (see docs/language.md)
    -h, --help           this help (--version: the version line)
  
  exit status: 0 written, 1 errors in the input (or the file could not be
  written), 2 usage error
