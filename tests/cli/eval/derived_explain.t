mmr eval --explain and derived signals: under each rule, every derived
signal its conditions read (directly, through lets, or as the input of a
computed signal), with its value, its window as local dates in the user's
zone, and how many transactions went into it (the snapshot line's "rows").

The snapshot comes from `mmr signals`. u1 has no traits (the policy's zone,
Asia/Kolkata), u2 has tz America/New_York and nothing in the previous week,
u3 (Asia/Tokyo) has no transactions at all.

  $ mmr signals ../../../rules/patterns --transactions derived_tx.ndjson --traits derived_traits.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/sn.ndjson
  mmr signals: as_of 2025-10-26: 3 users, 3 transactions
  $ grep -c '"rows":{' $TESTTMP/sn.ndjson
  3

Plain output is unchanged: no explain, no signals.

  $ mmr eval ../../../rules/patterns --signals $TESTTMP/sn.ndjson --no-warn-unknown
  {"user_id":"u1","as_of":"2025-10-26","candidates":[{"rule":"category_overspend","key":"Food & Dining","rank":60},"weekly_spending_spike"],"selected":{"rule":"category_overspend","key":"Food & Dining","rank":60}}
  {"user_id":"u2","as_of":"2025-10-26","candidates":[],"selected":null}
  {"user_id":"u3","as_of":"2025-10-26","candidates":[],"selected":null}

  $ mmr eval ../../../rules/patterns --signals $TESTTMP/sn.ndjson --no-warn-unknown --explain=text
  user u1 (as of 2025-10-26): selected category_overspend["Food & Dining"]
    candidates: category_overspend["Food & Dining"], weekly_spending_spike
    rule category_overspend (priority 80): fired for 1 key
      category_overspend["Food & Dining"] (rank 60) with category_name = "Food & Dining", increase = 0.3, this_week = 260, last_week = 200
      when: true
        true     for each cat in category_spend_this_week where category_spend_prev_week[cat] > 0 and category_spend_this_week[cat] > category_spend_prev_week[cat] * 1.25 rank by category_spend_this_week[cat] - category_spend_prev_week[cat]   ../../../rules/patterns/rules.mmr:34:3
          cat = "Food & Dining": true (rank 60)
            true     category_spend_prev_week[cat] > 0   [200, 0]   ../../../rules/patterns/rules.mmr:35:11
            true     category_spend_this_week[cat] > category_spend_prev_week[cat] * 1.25   [260, 250]   ../../../rules/patterns/rules.mmr:36:11
        signal category_spend_prev_week = {"Food & Dining":200} (previous week: 2025-10-13 .. 2025-10-19 Asia/Kolkata, 1 transaction)
        signal category_spend_this_week = {"Food & Dining":260} (this week: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 1 transaction)
    rule weekly_spending_spike (priority 70): fired with this_week = 260, increase = 0.3, last_week = 200
      when: true
        true     spend_prev_week > 0   [200, 0]   ../../../rules/patterns/rules.mmr:50:8
        true     spend_this_week > spend_prev_week * 1.2   [260, 240]   ../../../rules/patterns/rules.mmr:50:32
        signal spend_prev_week = 200 (previous week: 2025-10-13 .. 2025-10-19 Asia/Kolkata, 1 transaction)
        signal spend_this_week = 260 (this week: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 1 transaction)
    rule frequent_small_purchases (priority 60): not fired
      when: false
        false    small_purchases_this_week >= 10   [0, 10]   ../../../rules/patterns/rules.mmr:62:8
        signal small_purchases_this_week = 0 (this week: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 0 transactions)
  user u2 (as of 2025-10-26): selected nothing
    candidates: none
    rule category_overspend (priority 80): not fired
      when: unknown
        unknown  for each cat in category_spend_this_week where category_spend_prev_week[cat] > 0 and category_spend_this_week[cat] > category_spend_prev_week[cat] * 1.25 rank by category_spend_this_week[cat] - category_spend_prev_week[cat]   ../../../rules/patterns/rules.mmr:34:3
          cat = "Shopping": unknown (rank missing)
            unknown  category_spend_prev_week[cat] > 0   [missing, 0]   ../../../rules/patterns/rules.mmr:35:11
            unknown  category_spend_this_week[cat] > category_spend_prev_week[cat] * 1.25   [5, missing]   ../../../rules/patterns/rules.mmr:36:11
        signal category_spend_prev_week = missing (previous week: 2025-10-13 .. 2025-10-19 America/New_York, 0 transactions)
        signal category_spend_this_week = {"Shopping":5} (this week: 2025-10-20 .. 2025-10-26 America/New_York, 1 transaction)
    rule weekly_spending_spike (priority 70): not fired
      when: unknown
        unknown  spend_prev_week > 0   [missing, 0]   ../../../rules/patterns/rules.mmr:50:8
        unknown  spend_this_week > spend_prev_week * 1.2   [5, missing]   ../../../rules/patterns/rules.mmr:50:32
        signal spend_prev_week = missing (previous week: 2025-10-13 .. 2025-10-19 America/New_York, 0 transactions)
        signal spend_this_week = 5 (this week: 2025-10-20 .. 2025-10-26 America/New_York, 1 transaction)
    rule frequent_small_purchases (priority 60): not fired
      when: false
        false    small_purchases_this_week >= 10   [1, 10]   ../../../rules/patterns/rules.mmr:62:8
        signal small_purchases_this_week = 1 (this week: 2025-10-20 .. 2025-10-26 America/New_York, 1 transaction)
  user u3 (as of 2025-10-26): selected nothing
    candidates: none
    rule category_overspend (priority 80): not fired
      when: unknown
        unknown  for each cat in category_spend_this_week where category_spend_prev_week[cat] > 0 and category_spend_this_week[cat] > category_spend_prev_week[cat] * 1.25 rank by category_spend_this_week[cat] - category_spend_prev_week[cat]   ../../../rules/patterns/rules.mmr:34:3
        signal category_spend_prev_week = missing (previous week: 2025-10-13 .. 2025-10-19 Asia/Tokyo, 0 transactions)
        signal category_spend_this_week = missing (this week: 2025-10-20 .. 2025-10-26 Asia/Tokyo, 0 transactions)
    rule weekly_spending_spike (priority 70): not fired
      when: unknown
        unknown  spend_prev_week > 0   [missing, 0]   ../../../rules/patterns/rules.mmr:50:8
        unknown  spend_this_week > spend_prev_week * 1.2   [missing, missing]   ../../../rules/patterns/rules.mmr:50:32
        signal spend_prev_week = missing (previous week: 2025-10-13 .. 2025-10-19 Asia/Tokyo, 0 transactions)
        signal spend_this_week = missing (this week: 2025-10-20 .. 2025-10-26 Asia/Tokyo, 0 transactions)
    rule frequent_small_purchases (priority 60): not fired
      when: unknown
        unknown  small_purchases_this_week >= 10   [missing, 10]   ../../../rules/patterns/rules.mmr:62:8
        signal small_purchases_this_week = missing (this week: 2025-10-20 .. 2025-10-26 Asia/Tokyo, 0 transactions)

The same as JSON: a "signals" array in each rule's explain object. Every
line is valid JSON, and without "explain" it is the plain line.

  $ mmr eval ../../../rules/patterns --signals $TESTTMP/sn.ndjson --no-warn-unknown --explain --user u2
  {"user_id":"u2","as_of":"2025-10-26","candidates":[],"selected":null,"explain":[{"rule":"category_overspend","priority":80,"fired":false,"when":"unknown","conditions":[{"cond":"for each cat in category_spend_this_week where category_spend_prev_week[cat] > 0 and category_spend_this_week[cat] > category_spend_prev_week[cat] * 1.25 rank by category_spend_this_week[cat] - category_spend_prev_week[cat]","at":"../../../rules/patterns/rules.mmr:34:3","values":[],"result":"unknown","keys":[{"var":"cat","key":"Shopping","result":"unknown","rank":null,"conditions":[{"cond":"category_spend_prev_week[cat] > 0","at":"../../../rules/patterns/rules.mmr:35:11","values":[null,0],"result":"unknown"},{"cond":"category_spend_this_week[cat] > category_spend_prev_week[cat] * 1.25","at":"../../../rules/patterns/rules.mmr:36:11","values":[5,null],"result":"unknown"}]}]}],"signals":[{"signal":"category_spend_prev_week","value":null,"window":"previous week","from":"2025-10-13","to":"2025-10-19","zone":"America/New_York","rows":0},{"signal":"category_spend_this_week","value":{"Shopping":5},"window":"this week","from":"2025-10-20","to":"2025-10-26","zone":"America/New_York","rows":1}]},{"rule":"weekly_spending_spike","priority":70,"fired":false,"when":"unknown","conditions":[{"cond":"spend_prev_week > 0","at":"../../../rules/patterns/rules.mmr:50:8","values":[null,0],"result":"unknown"},{"cond":"spend_this_week > spend_prev_week * 1.2","at":"../../../rules/patterns/rules.mmr:50:32","values":[5,null],"result":"unknown"}],"signals":[{"signal":"spend_prev_week","value":null,"window":"previous week","from":"2025-10-13","to":"2025-10-19","zone":"America/New_York","rows":0},{"signal":"spend_this_week","value":5,"window":"this week","from":"2025-10-20","to":"2025-10-26","zone":"America/New_York","rows":1}]},{"rule":"frequent_small_purchases","priority":60,"fired":false,"when":"false","conditions":[{"cond":"small_purchases_this_week >= 10","at":"../../../rules/patterns/rules.mmr:62:8","values":[1,10],"result":"false"}],"signals":[{"signal":"small_purchases_this_week","value":1,"window":"this week","from":"2025-10-20","to":"2025-10-26","zone":"America/New_York","rows":1}]}]}
  $ mmr eval ../../../rules/patterns --signals $TESTTMP/sn.ndjson --no-warn-unknown --explain > $TESTTMP/ex.ndjson
  $ mmr eval ../../../rules/patterns --signals $TESTTMP/sn.ndjson --no-warn-unknown > $TESTTMP/plain.ndjson
  $ python3 -c '
  > import json, sys
  > for line in open(sys.argv[1]):
  >     rec = json.loads(line); rec.pop("explain")
  >     print(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
  > ' $TESTTMP/ex.ndjson | cmp - $TESTTMP/plain.ndjson && echo same
  same
  $ while read -r line; do echo "$line" | python3 -m json.tool > /dev/null || echo bad; done < $TESTTMP/ex.ndjson; echo checked
  checked

A computed signal shows what it is computed from; its inputs are listed
too, with their windows. Signals under a rule are in name order.

  $ mmr signals derived.mmr --transactions derived_tx.ndjson --traits derived_traits.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/d.ndjson
  mmr signals: as_of 2025-10-26: 3 users, 3 transactions
  $ mmr eval derived.mmr --signals $TESTTMP/d.ndjson --explain=text --user u1
  user u1 (as of 2025-10-26): selected nothing
    candidates: none
    let growing = true
        true     growth_7d > 10%   [0.3, 0.1]   derived.mmr:18:15
    rule spend_up (priority 50): not fired
      when: true
        true     growing   derived.mmr:28:8
        false    shop_count_30d >= 1   [0, 1]   derived.mmr:28:19
      audience: unknown
        unknown  age_band != "18-24"   [missing, "18-24"]   derived.mmr:29:12
        signal growth_7d = 0.3 (computed from spend_7d, spend_prev_7d)
        signal shop_count_30d = 0 (last 30d: 2025-09-27 .. 2025-10-26 Europe/London, 0 transactions)
        signal spend_7d = 260 (last 7d: 2025-10-20 .. 2025-10-26 Europe/London, 1 transaction)
        signal spend_prev_7d = 200 (previous 7d: 2025-10-13 .. 2025-10-19 Europe/London, 1 transaction)
  $ mmr eval derived.mmr --signals $TESTTMP/d.ndjson --explain --user u2
  {"user_id":"u2","as_of":"2025-10-26","candidates":[],"selected":null,"explain":[{"rule":"spend_up","priority":50,"fired":false,"when":"true","audience":"unknown","conditions":[{"cond":"growing","in":"when","at":"derived.mmr:28:8","values":[],"result":"unknown"},{"cond":"shop_count_30d >= 1","in":"when","at":"derived.mmr:28:19","values":[1,1],"result":"true"},{"cond":"age_band != \"18-24\"","in":"audience","at":"derived.mmr:29:12","values":[null,"18-24"],"result":"unknown"}],"signals":[{"signal":"growth_7d","value":null,"computed_from":["spend_7d","spend_prev_7d"]},{"signal":"shop_count_30d","value":1,"window":"last 30d","from":"2025-09-27","to":"2025-10-26","zone":"America/New_York","rows":1},{"signal":"spend_7d","value":5,"window":"last 7d","from":"2025-10-20","to":"2025-10-26","zone":"America/New_York","rows":1},{"signal":"spend_prev_7d","value":null,"window":"previous 7d","from":"2025-10-13","to":"2025-10-19","zone":"America/New_York","rows":0}]}],"lets":[{"let":"growing","value":"unknown","conditions":[{"cond":"growth_7d > 10%","at":"derived.mmr:18:15","values":[null,0.1],"result":"unknown"}]}]}

A record without "rows" (hand-made, or CSV) gives no counts ("rows":null);
one without as_of gives no dates ("from"/"to" null).

  $ mmr eval ../../../rules/patterns --signals derived_norows.ndjson --explain=text --user n1 | grep -E 'signal|^user'
  user n1: selected weekly_spending_spike
        signal category_spend_prev_week = missing (previous week: no as_of date, Asia/Tokyo)
        signal category_spend_this_week = missing (this week: no as_of date, Asia/Tokyo)
        signal spend_prev_week = 100 (previous week: no as_of date, Asia/Tokyo)
        signal spend_this_week = 150 (this week: no as_of date, Asia/Tokyo)
        signal small_purchases_this_week = missing (this week: no as_of date, Asia/Tokyo)
  $ mmr eval ../../../rules/patterns --signals derived_norows.ndjson --explain=text --user n2 | grep -E 'signal|^user'
  user n2 (as of 2025-11-02): selected nothing
        signal category_spend_prev_week = missing (previous week: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
        signal category_spend_this_week = missing (this week: 2025-10-27 .. 2025-11-02 Asia/Kolkata)
        signal spend_prev_week = 260 (previous week: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
        signal spend_this_week = missing (this week: 2025-10-27 .. 2025-11-02 Asia/Kolkata)
        signal small_purchases_this_week = missing (this week: 2025-10-27 .. 2025-11-02 Asia/Kolkata)

Only the record's own top-level "rows" counts, and only whole numbers in it.

  $ mmr eval ../../../rules/patterns --signals derived_norows.ndjson --explain=text --user 'n3 "rows":' | grep -E 'signal|^user'
  user n3 "rows": (as of 2025-10-26): selected nothing
        signal category_spend_prev_week = missing (previous week: 2025-10-13 .. 2025-10-19 Asia/Kolkata)
        signal category_spend_this_week = {"rows":5} (this week: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
        signal spend_prev_week = missing (previous week: 2025-10-13 .. 2025-10-19 Asia/Kolkata)
        signal spend_this_week = 5 (this week: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 2 transactions)
        signal small_purchases_this_week = missing (this week: 2025-10-20 .. 2025-10-26 Asia/Kolkata)
  $ mmr eval ../../../rules/patterns --signals derived_norows.ndjson --explain --user n1 | python3 -c '
  > import json, sys
  > for r in json.load(sys.stdin)["explain"]:
  >     print(r["rule"], json.dumps(r.get("signals"), separators=(",", ":")))'
  category_overspend [{"signal":"category_spend_prev_week","value":null,"window":"previous week","from":null,"to":null,"zone":"Asia/Tokyo","rows":null},{"signal":"category_spend_this_week","value":null,"window":"this week","from":null,"to":null,"zone":"Asia/Tokyo","rows":null}]
  weekly_spending_spike [{"signal":"spend_prev_week","value":100,"window":"previous week","from":null,"to":null,"zone":"Asia/Tokyo","rows":null},{"signal":"spend_this_week","value":150,"window":"this week","from":null,"to":null,"zone":"Asia/Tokyo","rows":null}]
  frequent_small_purchases [{"signal":"small_purchases_this_week","value":null,"window":"this week","from":null,"to":null,"zone":"Asia/Tokyo","rows":null}]
  $ mmr eval ../../../rules/patterns --signals derived.csv --explain=text | grep -E 'signal|^user'
  user c1 (as of 2025-10-26): selected weekly_spending_spike
        signal category_spend_prev_week = missing (previous week: 2025-10-13 .. 2025-10-19 Europe/Paris)
        signal category_spend_this_week = missing (this week: 2025-10-20 .. 2025-10-26 Europe/Paris)
        signal spend_prev_week = 200 (previous week: 2025-10-13 .. 2025-10-19 Europe/Paris)
        signal spend_this_week = 260 (this week: 2025-10-20 .. 2025-10-26 Europe/Paris)
        signal small_purchases_this_week = missing (this week: 2025-10-20 .. 2025-10-26 Europe/Paris)

A ruleset without `trait tz` still shows the zone `mmr signals` used: the
record's own traits.tz.

  $ grep -v '^trait tz' derived.mmr > $TESTTMP/notz.mmr
  $ mmr eval $TESTTMP/notz.mmr --signals $TESTTMP/d.ndjson --no-warn-unknown --explain=text --user u2 | grep 'signal spend'
        signal spend_7d = 5 (last 7d: 2025-10-20 .. 2025-10-26 America/New_York, 1 transaction)
        signal spend_prev_7d = missing (previous 7d: 2025-10-13 .. 2025-10-19 America/New_York, 0 transactions)

Aggregates of budget and goal rows have no window: they show their source
(and the row count when the record has one).

  $ mmr signals derived_goal.mmr --transactions derived_tx.ndjson --goals derived_goals.ndjson --as-of 2025-10-26 --ndjson $TESTTMP/g.ndjson
  mmr signals: as_of 2025-10-26: 2 users, 3 transactions
  $ mmr eval derived_goal.mmr --signals $TESTTMP/g.ndjson --explain=text --user u1 | grep signal
        signal goal_count = 1 (current goal rows)
        signal spend_7d = 260 (last 7d: 2025-10-20 .. 2025-10-26 UTC, 1 transaction)
        signal top_goal_saved = 12 (current goal rows)
  $ mmr eval derived_goal.mmr --signals $TESTTMP/g.ndjson --explain --user u1 | python3 -c '
  > import json, sys
  > print(json.dumps(json.load(sys.stdin)["explain"][0]["signals"][0], separators=(",", ":")))'
  {"signal":"goal_count","value":1,"source":"goal","rows":null}

A compiled .mmrc keeps no signal definitions: explain shows conditions only.

  $ mmr compile ../../../rules/patterns -o $TESTTMP/p.mmrc
  $ mmr eval $TESTTMP/p.mmrc --signals $TESTTMP/sn.ndjson --no-warn-unknown --explain=text --user u1 | grep signal || echo none
  none

Each worker thread has its own scratch: the same bytes for any thread count
over many chunks.

  $ awk '{ for (i = 1; i <= 3000; i++) { l = $0; sub(/"user_id":"u[0-9]"/, "\"user_id\":\"u" FNR "_" i "\"", l); print l } }' $TESTTMP/sn.ndjson > $TESTTMP/many.ndjson
  $ mmr eval ../../../rules/patterns --signals $TESTTMP/many.ndjson --no-warn-unknown --explain --threads 1 > $TESTTMP/e1
  $ mmr eval ../../../rules/patterns --signals $TESTTMP/many.ndjson --no-warn-unknown --explain --threads 4 | cmp - $TESTTMP/e1 && wc -l < $TESTTMP/e1
  9000
  $ mmr eval ../../../rules/patterns --signals $TESTTMP/many.ndjson --no-warn-unknown --explain=text --threads 4 | grep -c 'America/New_York, 0 transactions'
  6000
