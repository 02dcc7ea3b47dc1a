A FIFO, a device or a directory given as --db, --signals or a data file
is refused at once (it would block forever or never end); a --db that
does not exist yet is still created.

  $ cd "$TESTTMP" && mkfifo f && mkdir dir
  $ cd "$TESTTMP" && timeout 5 mmr eval "$OLDPWD/../../../rules/moneymoments" --signals f
  f: error: cannot open: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr eval "$OLDPWD/../../../rules/moneymoments" --signals /dev/null
  /dev/null: error: cannot open: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr signals "$OLDPWD/../../../rules/moneymoments" --db f --as-of 2025-10-26
  mmr signals: --db f: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr signals "$OLDPWD/../../../rules/moneymoments" --transactions f --as-of 2025-10-26 --ndjson -
  f: error: cannot open: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr ingest --db f
  mmr ingest: --db f: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr ingest --db /dev/null
  mmr ingest: --db /dev/null: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr ingest --db dir
  mmr ingest: --db dir: is a directory
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr ingest --db new.db f
  f: error: cannot open: not a regular file
  mmr ingest: 1 error; nothing was written
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr feed --db f --user u1
  mmr feed: --db f: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr settings --db f --user u1 --mute dining
  mmr settings: --db f: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr interact --db f --delivery 1 --action viewed
  mmr interact: --db f: not a regular file
  [1]
  $ cd "$TESTTMP" && timeout 5 mmr gen --users 2 --db f
  mmr gen: --db f: not a regular file
  [1]
  $ cd "$TESTTMP" && test -p f && echo still a fifo
  still a fifo

A new database is still created.

  $ cd "$TESTTMP" && mmr gen --users 2 --transactions t.ndjson && mmr ingest --db fresh.db t.ndjson >/dev/null && test -f fresh.db && echo created
  mmr ingest: 882 transactions from 1 file: 882 new, 0 already present
  created
