Output files (compile -o, fmt -w, import/export -o, lint --output, gen,
signals --ndjson) are written to a mkstemp temporary beside the target and
renamed over it; a FIFO or device target is written in place, never
replaced.

A symlink planted at the old predictable temporary name is not followed:
its target stays as it was and the output is a regular file.

  $ cd "$TESTTMP" && echo keep > victim && ln -s victim out.mmrc.tmp
  $ cd "$TESTTMP" && mmr compile "$OLDPWD/../../../rules/moneymoments" -o out.mmrc
  $ cd "$TESTTMP" && cat victim; test -f out.mmrc && test ! -L out.mmrc && head -c 4 out.mmrc; echo
  keep
  MMRC
  $ cd "$TESTTMP" && ls -A | sort
  out.mmrc
  out.mmrc.tmp
  victim

An existing output keeps its permissions; a new one gets 0644 under umask 022.

  $ cd "$TESTTMP" && chmod 600 out.mmrc && mmr compile "$OLDPWD/../../../rules/moneymoments" -o out.mmrc && stat -c %a out.mmrc
  600
  $ cd "$TESTTMP" && umask 022 && mmr export "$OLDPWD/../../../rules/moneymoments" -o new.json && stat -c %a new.json
  644

A FIFO nobody reads is refused at once, and stays a FIFO.

  $ cd "$TESTTMP" && mkfifo fifo
  $ cd "$TESTTMP" && timeout 5 mmr compile "$OLDPWD/../../../rules/moneymoments" -o fifo
  fifo: error: cannot write: no process is reading it (a FIFO or socket)
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr export "$OLDPWD/../../../rules/moneymoments" -o fifo
  mmr export: cannot write fifo: no process is reading it (a FIFO or socket)
  [1]
  $ cd "$TESTTMP" && test -p fifo && echo still a fifo
  still a fifo

A FIFO with a reader is written in place.

  $ cd "$TESTTMP" && (timeout 5 cat fifo > got &) && sleep 0.2 && timeout 5 mmr compile "$OLDPWD/../../../rules/moneymoments" -o fifo && sleep 0.2 && head -c 4 got; echo
  MMRC
  $ cd "$TESTTMP" && test -p fifo && echo still a fifo
  still a fifo

/dev/full is written in place and the error is reported (as root the old
code renamed a temporary over the device node).

  $ ls -l /dev/full | cut -c1
  c
  $ mmr export "../../../rules/moneymoments" -o /dev/full
  mmr export: cannot write /dev/full: No space left on device
  [1]
  $ mmr lint "../lint/never_fires.mmr" --format json --output /dev/full
  mmr lint: cannot write /dev/full: No space left on device
  [1]
  $ mmr gen --users 3 --ndjson /dev/full
  /dev/full: error: cannot write: No space left on device
  [1]
  $ mmr gen --users 3 --transactions /dev/full
  /dev/full: error: cannot write: No space left on device
  [1]
  $ ls -l /dev/full | cut -c1
  c

A directory is refused; nothing is left behind by a failed write.

  $ cd "$TESTTMP" && mkdir d && mmr export "$OLDPWD/../../../rules/moneymoments" -o d
  mmr export: cannot write d: Is a directory
  [1]
  $ cd "$TESTTMP" && mmr gen --users 2 --ndjson nodir/x.ndjson
  nodir/x.ndjson: error: cannot write: No such file or directory
  [1]
  $ cd "$TESTTMP" && ls -A | sort
  d
  fifo
  got
  new.json
  out.mmrc
  out.mmrc.tmp
  victim

fmt -w, lint --output, gen and signals --ndjson leave only their output.

  $ mkdir "$TESTTMP/w" && cd "$TESTTMP/w" && printf 'signal  x : number\n' > a.mmr && mmr fmt -w a.mmr; ls -A; cat a.mmr
  a.mmr
  signal x : number
  $ cd "$TESTTMP/w" && mmr lint "$OLDPWD/../lint/clean.mmr" --output r.txt; mmr gen --users 2 --ndjson g.ndjson; mmr gen --users 2 --transactions t.ndjson; ls -A | sort
  a.mmr
  g.ndjson
  r.txt
  t.ndjson
  $ cd "$TESTTMP/w" && mmr signals "$OLDPWD/../../../rules/moneymoments" --transactions t.ndjson --as-of 2025-10-26 --ndjson s.ndjson; ls -A | sort
  mmr signals: as_of 2025-10-26: 2 users, 882 transactions
  a.mmr
  g.ndjson
  r.txt
  s.ndjson
  t.ndjson
