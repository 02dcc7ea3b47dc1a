A damaged database is refused, never run over (docs/engine.md, "Exit
status"). `PRAGMA quick_check` runs beside the evaluation, and the run
commits only when it finds the file sound.

Eight bytes changed at the head of each page of a 300-user database, one
page at a time. Where `PRAGMA integrity_check` finds damage (on some pages
the bytes land in unused space), no run exits 0 and none writes a run.

  $ mmr gen --users 300 --db $TESTTMP/g.db > /dev/null 2>&1
  $ sqlite3 $TESTTMP/g.db "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
  $ pages=$(( $(stat -c %s $TESTTMP/g.db) / 4096 )); damaged=0; ran=0; wrote=0
  > for pg in $(seq 2 $pages); do
  >   cp $TESTTMP/g.db $TESTTMP/c.db
  >   printf '\xff\xfe\x13\x37\x00\x99\x42\x17' | dd of=$TESTTMP/c.db bs=1 seek=$(( (pg - 1) * 4096 + 12 )) conv=notrunc 2>/dev/null
  >   [ "$(sqlite3 $TESTTMP/c.db 'PRAGMA integrity_check' 2>&1)" = ok ] && continue
  >   damaged=$((damaged + 1))
  >   mmr run ../../../rules/moneymoments --db $TESTTMP/c.db --now 2025-10-26T09:00:00Z > /dev/null 2> $TESTTMP/err && ran=$((ran + 1))
  >   sqlite3 $TESTTMP/c.db 'SELECT count(*) FROM mm_run' 2>/dev/null | grep -qx '[1-9][0-9]*' && wrote=$((wrote + 1))
  >   [ -e $TESTTMP/named.err ] || [ "$(grep -c 'error:' $TESTTMP/err)" != 1 ] || ! grep -q "PRAGMA quick_check" $TESTTMP/err || cp $TESTTMP/err $TESTTMP/named.err
  > done
  > [ $damaged -gt 10 ] && echo "runs over a damaged file that exited 0: $ran; that wrote: $wrote"
  runs over a damaged file that exited 0: 0; that wrote: 0

Where the run itself reads nothing damaged, the check beside it names the
damage and the run stops before its commit:

  $ sed -e "s|$TESTTMP|TMP|" -e 's/(PRAGMA quick_check: \(On tree page\|Page\) [0-9][^)]*)/(PRAGMA quick_check: On tree page N ...)/' $TESTTMP/named.err
  TMP/c.db: error: the database is damaged (PRAGMA quick_check: On tree page N ...); nothing was written
    hint: restore it from a backup, or rescue what is left with `sqlite3 FILE .recover`
