Per-key rules: `for each K in MAP where P [rank by R]` gives one
candidate per key whose P is true, each with its key, its rank and its
own `with` values (docs/language.md).

Syntax errors, with the place and caret:

  $ mmr check errs/both.mmr
  errs/both.mmr:6:3: error: a rule has either "when" or "for each", not both; the "when" is at errs/both.mmr:5:3
      6 |   for each k in m where m[k] > 1
        |   ^~~
    hint: a per-key rule's whole condition goes in its "where": for each K in MAP where CONDITION and ...
  [1]
  $ mmr check errs/syntax.mmr
  errs/syntax.mmr:5:7: error: unexpected name "c"; expected "each"
      5 |   for c in m where m[c] > 1
        |       ^
  errs/syntax.mmr:10:39: error: unexpected name "m"; expected "by"
     10 |   for each c in m where m[c] > 1 rank m[c]
        |                                       ^
  [1]

Type errors: the map, the where, the rank, a key that hides a name:

  $ mmr check errs/types.mmr
  errs/types.mmr:8:17: error: "for each" goes over a map<number>, got number
      8 |   for each c in n where n > 1
        |                 ^
  errs/types.mmr:13:42: error: "rank by" needs a number, got text
     13 |   for each c in m where m[c] > 1 rank by c
        |                                          ^
    hint: rank keys by an amount, e.g. rank by m[c]
  errs/types.mmr:18:12: error: "for each k" hides the signal k
     18 |   for each k in m where m[k] > 1
        |            ^
    hint: name the key something else, e.g. for each k_key in ...
  errs/types.mmr:23:12: error: "for each big" hides the let big
     23 |   for each big in m where m[big] > 1
        |            ^~~
    hint: name the key something else, e.g. for each big_key in ...
  errs/types.mmr:28:25: error: "where" needs a bool condition, got number
     28 |   for each c in m where m[c]
        |                         ^~~~
  [1]

A key in a test names one key of a per-key rule only:

  $ mmr check errs/plain.mmr
  errs/plain.mmr:6:10: error: rule r is not a per-key rule: it has no key "a"
      6 |   expect nudge r["a"]
        |          ^~~~~~~~~~~~
    hint: name it without a key, r, or give the rule a `for each`
  errs/plain.mmr:7:13: error: rule r is not a per-key rule: it has no key "a"
      7 |   history { r["a"] 1d ago }
        |             ^~~~~~~~~~~~~
    hint: name it without a key, r, or give the rule a `for each`
  [1]

The canonical form, on one line when it fits, else `where` and `rank by`
on lines of their own:

  $ mmr fmt --check spend.mmr
  $ printf 'signal cur : map<number>\nsignal prev : map<number>\ntemplate T { title "{c}" body "b" category budget }\nrule r { priority 1 for each k in cur where prev[k] > 0 rank by cur[k] message T with { c = k } }\n' > $TESTTMP/one.mmr
  $ mmr fmt $TESTTMP/one.mmr | tail -n 5
  rule r {
    priority 1
    for each k in cur where prev[k] > 0 rank by cur[k]
    message T with { c = k }
  }
  $ mmr fmt --width 40 $TESTTMP/one.mmr | tail -n 7
  rule r {
    priority 1
    for each k in cur
      where prev[k] > 0
      rank by cur[k]
    message T with { c = k }
  }
  $ mmr fmt --width 40 $TESTTMP/one.mmr > $TESTTMP/two.mmr && mmr fmt --width 40 --check $TESTTMP/two.mmr

eval: a keyed candidate is an object with its key (and rank); others stay
names. Candidates are in priority order, one rule's keys by rank desc:

  $ mmr eval spend.mmr --signals spend.ndjson
  {"user_id":"u1","as_of":null,"candidates":[{"rule":"up","key":"Travel","rank":400},{"rule":"up","key":"Food","rank":60},"big"],"selected":{"rule":"up","key":"Travel","rank":400}}
  {"user_id":"u2","as_of":null,"candidates":[],"selected":null}
  {"user_id":"u3","as_of":null,"candidates":[],"selected":null}
  $ mmr eval spend.mmr --signals spend.ndjson --user u1 --explain=text
  user u1: selected up["Travel"]
    candidates: up["Travel"], up["Food"], big
    rule up (priority 80): fired for 2 keys
      up["Travel"] (rank 400) with cat = "Travel", now = 900, before = 500
      up["Food"] (rank 60) with cat = "Food", now = 260, before = 200
      when: true
        true     for each c in cur where prev[c] > 0 and cur[c] > prev[c] * 1.25 rank by cur[c] - prev[c]   spend.mmr:21:3
          c = "Food": true (rank 60)
            true     prev[c] > 0   [200, 0]   spend.mmr:21:27
            true     cur[c] > prev[c] * 1.25   [260, 250]   spend.mmr:21:43
          c = "Fuel": false (rank -90)
            true     prev[c] > 0   [100, 0]   spend.mmr:21:27
            false    cur[c] > prev[c] * 1.25   [10, 125]   spend.mmr:21:43
          c = "Travel": true (rank 400)
            true     prev[c] > 0   [500, 0]   spend.mmr:21:27
            true     cur[c] > prev[c] * 1.25   [900, 625]   spend.mmr:21:43
    rule big (priority 10): fired with total = 1170
      when: true
        true     total > 1000   [1170, 1000]   spend.mmr:27:8
  $ mmr eval spend.mmr --signals spend.ndjson --user u2 --explain=text
  user u2: selected nothing
    candidates: none
    rule up (priority 80): not fired
      when: unknown
        unknown  for each c in cur where prev[c] > 0 and cur[c] > prev[c] * 1.25 rank by cur[c] - prev[c]   spend.mmr:21:3
          c = "Food": unknown (rank missing)
            unknown  prev[c] > 0   [missing, 0]   spend.mmr:21:27
            unknown  cur[c] > prev[c] * 1.25   [260, missing]   spend.mmr:21:43
    rule big (priority 10): not fired
      when: false
        false    total > 1000   [10, 1000]   spend.mmr:27:8
  $ mmr eval spend.mmr --signals spend.ndjson --user u1 --explain | python3 -c 'import json,sys; d=json.load(sys.stdin); r=d["explain"][0]; print(json.dumps(r["candidates"])); print(json.dumps([{k: x[k] for k in ("key","result","rank")} for x in r["conditions"][0]["keys"]]))'
  [{"key": "Travel", "rank": 400, "values": {"cat": "Travel", "now": 900, "before": 500}}, {"key": "Food", "rank": 60, "values": {"cat": "Food", "now": 260, "before": 200}}]
  [{"key": "Food", "result": "true", "rank": 60}, {"key": "Fuel", "result": "false", "rank": -90}, {"key": "Travel", "result": "true", "rank": 400}]

The compiled program is format version 2 and runs the same:

  $ mmr compile spend.mmr -o $TESTTMP/s.mmrc && od -An -tu1 -j4 -N4 $TESTTMP/s.mmrc
     2   0   0   0
  $ mmr eval $TESTTMP/s.mmrc --signals spend.ndjson --user u1
  {"user_id":"u1","as_of":null,"candidates":[{"rule":"up","key":"Travel","rank":400},{"rule":"up","key":"Food","rank":60},"big"],"selected":{"rule":"up","key":"Travel","rank":400}}
  $ mmr disasm spend.mmr | grep -E 'firekey|next '
        4  next      r3, r8, ->20
       18  firekey   rule:up, (r5, r6, r7), key r3, rank r4
       10  next      r3, r8, ->34
       31  firekey   rule:up, (r5, r6, r7), key r3, rank r4

mmr test: RULE["KEY"] wherever a rule is named; a bare per-key rule in
`expect nudge` matches any key, in `expect candidates` one or more keys:

  $ mmr test spend.mmr
  4 passed, 0 failed
  $ mmr test failing.mmr
  failing.mmr:11: test "wrong key": expected nudge up["Food"], got nudge up["Travel"]
  failing.mmr:12: test "wrong key": expected candidates [up["Food"], up["Rent"]], got [up["Travel"], up["Food"]]
  failing.mmr:13: test "wrong key": expected suppressed up["Rent"] because cooldown, got up["Rent"] not a candidate
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: up["Travel"], up["Food"]
    decisions:
      up["Travel"] (priority 80): delivered: "Travel is up" / "b"
      up["Food"] (priority 80): suppressed because daily_cap
    explain:
      up when: for each c in cur where cur[c] > prev[c] rank by cur[c] -> true
      up when (all): for each c in cur where cur[c] > prev[c] rank by cur[c] -> true
  0 passed, 1 failed
  [1]
  $ mmr test failing.mmr --format json | python3 -c 'import json,sys; t=json.load(sys.stdin)["tests"][0]; print(t["candidates"]); print([(d["rule"], d.get("key")) for d in t["decisions"]])'
  ['up["Travel"]', 'up["Food"]']
  [('up', 'Travel'), ('up', 'Food')]
  $ mmr test spend.mmr --coverage | grep -E 'up \(|when'
    T - U  when: total > 1000
    T - U  when (all): total > 1000
  up (fired)  0/2 conditions  0%
    T - U  when: for each c in cur where prev[c] > 0 and cur[c] > prev[c] * 1.25 rank by cur[c] - prev[c]
    T - U  when (all): for each c in cur where prev[c] > 0 and cur[c] > prev[c] * 1.25 rank by cur[c] - prev[c]

Lint: a `with` value that the `where` proves present is not "may be
missing" (MMR-W005), as under `any … where`:

  $ mmr lint --strict spend.mmr

JSON export and import carry it, and export -> import -> export is stable:

  $ mmr export spend.mmr | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["rules"][0]["expression_json"]["for_each"], indent=1))'
  {
   "var": "c",
   "in": "cur",
   "where": "prev[c] > 0 and cur[c] > prev[c] * 1.25",
   "rank_by": "cur[c] - prev[c]"
  }
  $ mmr export spend.mmr > $TESTTMP/e1.json && mmr import $TESTTMP/e1.json > $TESTTMP/i.mmr && mmr export $TESTTMP/i.mmr > $TESTTMP/e2.json && cmp $TESTTMP/e1.json $TESTTMP/e2.json && grep -A3 'for each' $TESTTMP/i.mmr
    for each c in cur where prev[c] > 0 and cur[c] > prev[c] * 1.25 rank by cur[c] - prev[c]
    message UP with { cat = c, now = cur[c], before = prev[c] }
  }
  
  $ printf '{"rules":[{"name":"r","priority":1,"expression_json":{"for_each":{"var":"k k","in":"m"},"message_template_id":"T"}}],"templates":[{"template_id":"T","title":"t","body":"b","category":"budget"}]}' > $TESTTMP/bad.json && cd $TESTTMP && mmr import bad.json
  bad.json: $.rules[0].expression_json.for_each: error: missing required field "where"
  bad.json: $.rules[0].expression_json.for_each.var: error: "var" must be a name such as "cat", got a string that is not a name
  [1]
