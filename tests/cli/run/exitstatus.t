The exit status and the summary tell the truth (docs/engine.md, "Exit
status"): 0 committed and published; 1 nothing written; 3 committed, but
publishing is incomplete, with the pending count.

An events file that cannot be opened is found before anything is written:

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --events $TESTTMP/no/such/dir/ev 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/no/such/dir/ev: error: cannot open the events file: No such file or directory (nothing was written)
  [1]
  $ test -e $TESTTMP/a.db || echo "no database"
  no database

Redis that does not answer: the run commits, its events go to the events
file and wait in the outbox for Redis; exit 3, and the summary counts them.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/r.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --events $TESTTMP/rev --redis redis://127.0.0.1:1 2>&1 | grep -v elapsed; exit ${PIPESTATUS[0]}
  redis: warning: cannot connect to redis 127.0.0.1:1: Connection refused
  mmr run: as_of 2025-10-26: 7 users, 7 candidates, 5 delivered, 1 suppressed (daily_cap 1), 1 deferred past quiet hours
  mmr run: events: 5 written, 0 published to redis, 5 pending in the outbox (publishing failed)
  [3]
  $ wc -l < $TESTTMP/rev
  5

Events file: bytes this database did not write are never cut. A line added
by hand after the last event stays, whether or not something is pending;
with something pending the run refuses to append after it (exit 3, the
events stay in the outbox).

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --events $TESTTMP/ev 2>/dev/null; exit $?
  $ echo '{"by":"hand"}' >> $TESTTMP/ev
  $ cp $TESTTMP/ev $TESTTMP/ev.before
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals signals.ndjson --now 2025-10-26T10:00:00Z --events $TESTTMP/ev 2>&1 | grep -v elapsed; exit ${PIPESTATUS[0]}
  mmr run: as_of 2025-10-26: 7 users, 0 candidates, 0 delivered, 0 suppressed, 7 already stored
  mmr run: events: 0 written, 0 published to redis, 0 pending in the outbox
  $ cmp $TESTTMP/ev $TESTTMP/ev.before && echo untouched
  untouched
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals next_day.ndjson --now 2025-10-28T09:00:00Z --events $TESTTMP/ev 2>&1 | grep -v elapsed | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/ev: error: the events file ends with 14 bytes this database did not write (after the 1543 bytes it recorded); nothing was appended
    hint: another database or a hand edit appended to it: give each database its own --events file, or move this one aside; the events stay in the outbox
  mmr run: as_of 2025-10-27: 3 users, 4 candidates, 3 delivered, 1 suppressed (cooldown 1), earlier deferrals: 1 delivered, 0 suppressed
  mmr run: events: 0 written, 0 published to redis, 4 pending in the outbox (publishing failed)
  [3]
  $ cmp $TESTTMP/ev $TESTTMP/ev.before && echo untouched
  untouched

Moved aside, the next run publishes the waiting events to a new file once:

  $ mv $TESTTMP/ev $TESTTMP/ev.old
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals next_day.ndjson --now 2025-10-28T09:05:00Z --events $TESTTMP/ev 2>&1 | grep -v elapsed; exit ${PIPESTATUS[0]}
  mmr run: as_of 2025-10-27: 3 users, 0 candidates, 0 delivered, 0 suppressed, 4 already stored
  mmr run: events: 4 written, 0 published to redis, 0 pending in the outbox
  $ wc -l < $TESTTMP/ev
  4

Lines a killed run wrote after its last recorded size are its own pending
events: they are kept (not written twice), a half-written last line is
completed. Simulated: the cursor and the recorded size put back by two
events, and the last line cut in half.

  $ cp $TESTTMP/ev $TESTTMP/ev.full
  $ sqlite3 $TESTTMP/a.db "UPDATE mm_event_cursor SET last_event_id = last_event_id - 2 WHERE sink = 'ndjson'; UPDATE mm_event_sink SET size = $(head -n 2 $TESTTMP/ev | wc -c)"
  $ head -c -40 $TESTTMP/ev.full > $TESTTMP/ev
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals next_day.ndjson --now 2025-10-28T09:10:00Z --events $TESTTMP/ev 2>&1 | grep -v elapsed; exit ${PIPESTATUS[0]}
  mmr run: as_of 2025-10-27: 3 users, 0 candidates, 0 delivered, 0 suppressed, 4 already stored
  mmr run: events: 2 written, 0 published to redis, 0 pending in the outbox
  $ cmp $TESTTMP/ev $TESTTMP/ev.full && echo "each event once"
  each event once

A missing mm_event_cursor row is refused before anything is written (it
cannot be guessed: 0 would publish everything again), with the SQL that
puts it back:

  $ sqlite3 $TESTTMP/a.db "DELETE FROM mm_event_cursor WHERE sink = 'redis'"
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/a.db --signals day3.ndjson --now 2025-10-28T09:30:00Z 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/a.db: error: mm_event_cursor has no row for sink 'redis', so nothing can tell which events it already has
    hint: put it back with the id of the last event that sink received, e.g. INSERT INTO mm_event_cursor(sink, last_event_id, updated_at) VALUES ('redis', (SELECT max(event_id) FROM mm_event_outbox), '')
  [1]
  $ sqlite3 $TESTTMP/a.db "SELECT count(*) FROM mm_run WHERE as_of = '2025-10-28'"
  0
