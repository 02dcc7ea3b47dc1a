mmr run --report: what a run did, as JSON or one HTML page (docs/report.md).
The JSON is checked whole but for the database path, the timings and the
ruleset hash, which vary (the hash is the run's mm_run.ruleset_hash).
Per-rule counts are each candidate's status as stored: the deferral of
day 1 is released and delivered by the day 2 run.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --report $TESTTMP/day1.json > /dev/null 2>&1; echo "exit $?"
  exit 0
  $ jq -c 'del(.database, .timings, .ruleset_hash) | .rules |= map({rule, category, c: .counts.candidates, d: .counts.delivered, s: .counts.suppressed, q: .counts.deferred, previous}) | .categories |= map({category, c: .counts.candidates})' $TESTTMP/day1.json
  {"mmr_report":1,"ruleset":"../../../rules/moneymoments","dry_run":false,"run":{"run_id":1,"as_of":"2025-10-26","now":"2025-10-26T09:00:00Z"},"funnel":{"users":7,"users_with_candidates":6,"candidates":7,"delivered":5,"suppressed":1,"suppressed_by_reason":{"muted":0,"cooldown":0,"quiet_hours":0,"template_value_missing":0,"daily_cap":1},"deferred":1,"already_stored":0,"released":0,"release_suppressed":0},"previous":null,"rules":[{"rule":"budget_drift","category":"budget","c":1,"d":0,"s":0,"q":1,"previous":null},{"rule":"dining_overspend","category":"dining","c":3,"d":2,"s":1,"q":0,"previous":null},{"rule":"goal_underfunded","category":"goal","c":1,"d":1,"s":0,"q":0,"previous":null},{"rule":"shopping_spike","category":"shopping","c":1,"d":1,"s":0,"q":0,"previous":null},{"rule":"travel_heavy","category":"travel","c":1,"d":1,"s":0,"q":0,"previous":null}],"categories":[{"category":"budget","c":1},{"category":"dining","c":3},{"category":"goal","c":1},{"category":"shopping","c":1},{"category":"travel","c":1}],"events":{"written":5,"published_to_redis":0,"pending":0,"complete":true}}
  $ test "$(jq -r .ruleset_hash $TESTTMP/day1.json)" = "$(sqlite3 $TESTTMP/s.db 'SELECT ruleset_hash FROM mm_run WHERE run_id = 1')" && echo "the run's ruleset_hash"
  the run's ruleset_hash
  $ jq -c '.funnel' $TESTTMP/day1.json
  {"users":7,"users_with_candidates":6,"candidates":7,"delivered":5,"suppressed":1,"suppressed_by_reason":{"muted":0,"cooldown":0,"quiet_hours":0,"template_value_missing":0,"daily_cap":1},"deferred":1,"already_stored":0,"released":0,"release_suppressed":0}
  $ jq -c '.timings | keys, (.elapsed_s | type)' $TESTTMP/day1.json
  ["elapsed_s","users_per_s"]
  "number"

The next day's run of the same ruleset is compared with the first: the
previous run's funnel, and each rule's and category's counts then. JSON to
stdout with "-" (the events go to a file).

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals next_day.ndjson --now 2025-10-27T09:00:00Z --events $TESTTMP/ev.ndjson --report - 2>/dev/null > $TESTTMP/day2.json; echo "exit $?"
  exit 0
  $ jq -c '.run, .previous' $TESTTMP/day2.json
  {"run_id":2,"as_of":"2025-10-27","now":"2025-10-27T09:00:00Z"}
  {"run_id":1,"as_of":"2025-10-26","now":"2025-10-26T09:00:00Z","funnel":{"users":7,"users_with_candidates":null,"candidates":7,"delivered":5,"suppressed":1,"suppressed_by_reason":{"muted":0,"cooldown":0,"quiet_hours":0,"template_value_missing":0,"daily_cap":1},"deferred":0}}
  $ jq -c '.funnel | {users, candidates, delivered, suppressed, cooldown: .suppressed_by_reason.cooldown, deferred, released}' $TESTTMP/day2.json
  {"users":3,"candidates":4,"delivered":3,"suppressed":1,"cooldown":1,"deferred":0,"released":1}
  $ jq -r '.rules[] | "\(.rule) \(.counts.candidates)/\(.counts.delivered) was \(.previous.candidates)/\(.previous.delivered)"' $TESTTMP/day2.json
  budget_drift 3/3 was 1/1
  dining_overspend 1/0 was 3/2
  goal_underfunded 0/0 was 1/1
  shopping_spike 0/0 was 1/1
  travel_heavy 0/0 was 1/1
  $ jq -r '.categories[] | "\(.category) \(.counts.candidates) was \(.previous.candidates)"' $TESTTMP/day2.json
  budget 3 was 1
  dining 1 was 3
  goal 0 was 1
  shopping 0 was 1
  travel 0 was 1
  $ wc -l < $TESTTMP/ev.ndjson
  4

A changed ruleset has no previous run to compare with (the comparison is
by mm_run.ruleset_hash).

  $ mkdir $TESTTMP/fewer && cp ../../../rules/moneymoments/*.mmr $TESTTMP/fewer/ && rm $TESTTMP/fewer/travel.mmr $TESTTMP/fewer/*tests.mmr
  $ mmr run $TESTTMP/fewer --db $TESTTMP/s.db --signals day3.ndjson --now 2025-10-28T09:00:00Z --events $TESTTMP/ev.ndjson --report $TESTTMP/day3.json 2>/dev/null; echo "exit $?"
  exit 0
  $ jq -c '.previous, [.rules[].rule]' $TESTTMP/day3.json
  null
  ["budget_drift","dining_overspend","goal_underfunded","shopping_spike"]

A dry run stores no candidates: its report has the funnel, the rules
without counts and the latest committed run of the ruleset to compare with.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals day3.ndjson --now 2025-10-28T09:00:00Z --dry-run --report $TESTTMP/dry.json > /dev/null 2>&1; echo "exit $?"
  exit 0
  $ jq -c '{dry_run, run, users: .funnel.users, previous: .previous.run_id, counts: [.rules[].counts] | unique, events}' $TESTTMP/dry.json
  {"dry_run":true,"run":{"run_id":null,"as_of":"2025-10-28","now":"2025-10-28T09:00:00Z"},"users":2,"previous":2,"counts":[null],"events":{"written":0,"published_to_redis":0,"pending":null,"complete":true}}

A dry run from no database at all has nothing to compare with.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/none.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --dry-run --report $TESTTMP/none.json > /dev/null 2>&1; echo "exit $?"
  exit 0
  $ jq -c '[.dry_run, .funnel.delivered, .previous, .run.run_id]' $TESTTMP/none.json; test -e $TESTTMP/none.db || echo "still no database"
  [true,5,null,null]
  still no database

The HTML page: self-contained (no script, nothing fetched), SVG charts, and
every text escaped (here the ruleset's directory name).

  $ mkdir "$TESTTMP/a<b>&\"c" && cp ../../../rules/moneymoments/*.mmr "$TESTTMP/a<b>&\"c/"
  $ mmr run "$TESTTMP/a<b>&\"c" --db $TESTTMP/h.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --report $TESTTMP/r.html > /dev/null 2>&1; echo "exit $?"
  exit 0
  $ head -c 15 $TESTTMP/r.html; echo
  <!DOCTYPE html>
  $ grep -o '<svg' $TESTTMP/r.html | wc -l
  4
  $ grep -o 'a&lt;b&gt;&amp;&quot;c' $TESTTMP/r.html | head -1
  a&lt;b&gt;&amp;&quot;c
  $ grep -c 'a<b>' $TESTTMP/r.html
  0
  [1]
  $ grep -Eic '<script|<link|<img|<iframe|src=|href=|@import|url\(' $TESTTMP/r.html
  0
  [1]
  $ grep -o 'https\?://[^"]*' $TESTTMP/r.html | sort | uniq -c
        4 http://www.w3.org/2000/svg
  $ grep -o 'class="label" x="[0-9]*" y="[0-9]*">[^<]*' $TESTTMP/r.html | sed 's/.*>//' | sort | uniq -c
        1 budget
        1 budget_drift
        1 candidates
        1 cooldown
        1 daily_cap
        1 deferred
        1 delivered
        1 dining
        1 dining_overspend
        1 goal
        1 goal_underfunded
        1 muted
        1 quiet_hours
        1 shopping
        1 shopping_spike
        1 suppressed
        1 template_value_missing
        1 travel
        1 travel_heavy
        1 users
        1 users with candidates

Bad --report values are usage errors, before anything runs.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/u.db --signals signals.ndjson --report $TESTTMP/r.txt 2>&1 | sed "s|$TESTTMP|TMP|"; echo "exit ${PIPESTATUS[0]}"
  mmr run: --report TMP/r.txt: give a .json or .html file (or - for JSON on stdout)
  (see `mmr run --help`)
  exit 2
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/u.db --signals signals.ndjson --report - 2>&1 | sed "s|$TESTTMP|TMP|"; echo "exit ${PIPESTATUS[0]}"
  mmr run: --report -: stdout carries the events; add --events FILE
  (see `mmr run --help`)
  exit 2
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/u.db --signals signals.ndjson --dry-run --events $TESTTMP/e.ndjson --report - 2>&1 | sed "s|$TESTTMP|TMP|"; echo "exit ${PIPESTATUS[0]}"
  mmr run: --report -: a dry run prints its events on stdout; give a .json file
  (see `mmr run --help`)
  exit 2
  $ mmr run ../../../rules/moneymoments --db $TESTTMP/u.db --signals signals.ndjson --report $TESTTMP 2>&1 | sed "s|$TESTTMP|TMP|"; echo "exit ${PIPESTATUS[0]}"
  mmr run: --report TMP: give a .json or .html file (or - for JSON on stdout)
  (see `mmr run --help`)
  exit 2
  $ test -e $TESTTMP/u.db || echo "no database"
  no database

A run that commits but cannot publish (Redis down: exit 3) still writes its
report, which says so.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/p.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --redis redis://127.0.0.1:1 --report $TESTTMP/p.json > /dev/null 2>&1; echo "exit $?"
  exit 3
  $ jq -c .events $TESTTMP/p.json
  {"written":5,"published_to_redis":0,"pending":5,"complete":false}

A report that cannot be written is an error naming the file and exit 1,
but the run is committed.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/w.db --signals signals.ndjson --now 2025-10-26T09:00:00Z --report $TESTTMP/no/such/dir/r.json 2>&1 > /dev/null | grep -v elapsed | sed "s|$TESTTMP|TMP|"; echo "exit ${PIPESTATUS[0]}"
  mmr run: as_of 2025-10-26: 7 users, 7 candidates, 5 delivered, 1 suppressed (daily_cap 1), 1 deferred past quiet hours
  mmr run: events: 5 written, 0 published to redis, 0 pending in the outbox
  TMP/no/such/dir/r.json: error: cannot write the report: No such file or directory
  mmr run: the report was not written; the run is committed in TMP/w.db all the same
  exit 1
  $ sqlite3 $TESTTMP/w.db "SELECT run_id, status, users, delivered FROM mm_run"
  1|done|7|5

Every report here (the two days, a changed ruleset, the dry run) is valid
against docs/report.schema.json.

  $ python3 -c 'import json, sys, jsonschema; s = json.load(open(sys.argv[1])); [jsonschema.Draft202012Validator(s).validate(json.load(open(f))) for f in sys.argv[2:]]; print("valid:", len(sys.argv) - 2)' ../../../docs/report.schema.json $TESTTMP/day1.json $TESTTMP/day2.json $TESTTMP/day3.json $TESTTMP/dry.json
  valid: 4
