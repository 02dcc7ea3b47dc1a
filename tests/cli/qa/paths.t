QA: paths that are not regular .mmr files, and options misused. Nothing
may hang or pass silently.

A FIFO is refused at once instead of blocking until a writer comes:

  $ mkfifo "$TESTTMP/pipe.mmr" && timeout 10 mmr fmt "$TESTTMP/pipe.mmr" 2>&1 | sed "s|$TESTTMP/||g"
  pipe.mmr: error: cannot read pipe.mmr: not a regular file or directory

  $ timeout 10 mmr check "$TESTTMP/pipe.mmr" 2>&1 | sed "s|$TESTTMP/||g"
  pipe.mmr: error: cannot read pipe.mmr: not a regular file

  $ timeout 10 mmr lint ok.mmr --config "$TESTTMP/pipe.mmr" 2>&1 | sed "s|$TESTTMP/||g"
  pipe.mmr: error: cannot read the lint config: not a regular file

`mmr fmt` on a directory without .mmr files says so, as `mmr check` does,
so `fmt --check` cannot pass on a wrong path:

  $ mkdir "$TESTTMP/empty" && mmr fmt --check "$TESTTMP/empty" 2>&1 | sed "s|$TESTTMP/||g"; echo "exit ${PIPESTATUS[0]}"
  empty: error: directory empty has no .mmr files (subdirectories are not searched)
  exit 1

A flag takes no value or yes/no (anything else is an error, never a
silent "on"); unknown short options are shown as typed:

  $ mmr fmt --check=yes ok.mmr

  $ mmr fmt --check=always ok.mmr
  mmr fmt: --check takes yes or no, not "always"
  (see `mmr fmt --help`)
  [2]

  $ mmr lint ok.mmr --strict=no

  $ mmr lint ok.mmr --strict=sometimes
  mmr lint: --strict takes yes or no, not "sometimes"
  (see `mmr lint --help`)
  [2]

  $ mmr lint ok.mmr -q
  mmr lint: unknown option "-q"
  (see `mmr lint --help`)
  [2]

  $ mmr lint ok.mmr -o
  mmr lint: -o needs a value
  (see `mmr lint --help`)
  [2]

  $ mmr lint ok.mmr --output "$TESTTMP/empty" 2>&1 | sed "s|$TESTTMP/||"
  mmr lint: cannot write empty: Is a directory

  $ mmr test ok.mmr --coverage=full
  mmr test: --coverage takes yes or no, not "full"
  (see `mmr test --help`)
  [2]

  $ mmr test ok.mmr -x
  mmr test: unknown option "-x"
  (see `mmr test --help`)
  [2]

`--coverage-format` asks for coverage; it is no longer silently ignored
without `--coverage`:

  $ mmr test ok.mmr --coverage-format text
  coverage (T seen true, F seen false, U seen unknown):
  r (fired)  2/2 conditions  100%
    T F -  when: x > 3
    T F -  when (all): x > 3
  rule coverage: 1/1 rules fired (100%)
  condition coverage: 2/2 conditions seen true and false (100%), 0 seen unknown
  2 passed, 0 failed
