mmr settings and mmr interact.

  $ mmr settings --db $TESTTMP/s.db --user u1 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/s.db: error: no such database file
  [1]
  $ mmr settings --db $TESTTMP/s.db --user u1 --mute dining --mute travel --now 2025-10-20T10:00:00Z
  {"user_id":"u1","muted":["dining","travel"],"categories":["budget","dining","goal","shopping","travel"]}
  $ mmr settings --db $TESTTMP/s.db --user u1 --mute dining --now 2025-10-21T10:00:00Z
  {"user_id":"u1","muted":["dining","travel"],"categories":["budget","dining","goal","shopping","travel"]}
  $ sqlite3 $TESTTMP/s.db "SELECT * FROM mm_user_suppression"
  u1|dining|2025-10-20T10:00:00Z
  u1|travel|2025-10-20T10:00:00Z
  $ mmr settings --db $TESTTMP/s.db --user u1 --unmute travel
  {"user_id":"u1","muted":["dining"],"categories":["budget","dining","goal","shopping","travel"]}
  $ mmr settings --db $TESTTMP/s.db --user u1 --mute gambling --unmute dining 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/s.db: error: unknown category "gambling" (valid: budget, dining, goal, shopping, travel)
  [1]
  $ mmr settings --db $TESTTMP/s.db --user u1
  {"user_id":"u1","muted":["dining"],"categories":["budget","dining","goal","shopping","travel"]}
  $ mmr settings --db $TESTTMP/s.db --user u1 --mute dining --unmute dining
  mmr settings: category dining is both muted and unmuted
  (see `mmr settings --help`)
  [2]

After a run the categories are those of the recorded rules.

  $ mmr run ../../../rules/moneymoments --db $TESTTMP/s.db --signals signals.ndjson --now 2025-10-26T09:00:00Z > $TESTTMP/ev 2>/dev/null
  $ mmr settings --db $TESTTMP/s.db --user u2
  {"user_id":"u2","muted":[],"categories":["budget","dining","goal","shopping","travel"]}

Interactions (FR-MM-6).

  $ D=$(sqlite3 $TESTTMP/s.db "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id = 'u2'"); mmr interact --db $TESTTMP/s.db --delivery $D --action viewed --now 2025-10-26T09:05:00Z
  {"interaction_id":1,"delivery_id":"0e44bf08-a7bb-5859-9f91-3b85be44368c","user_id":"u2","action":"viewed","timestamp":"2025-10-26T09:05:00Z"}
  $ D=$(sqlite3 $TESTTMP/s.db "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id = 'u2'"); mmr interact --db $TESTTMP/s.db --delivery $D --action clicked --now 2025-10-26T09:06:00Z
  {"interaction_id":2,"delivery_id":"0e44bf08-a7bb-5859-9f91-3b85be44368c","user_id":"u2","action":"clicked","timestamp":"2025-10-26T09:06:00Z"}
  $ mmr interact --db $TESTTMP/s.db --delivery 00000000-0000-5000-8000-000000000000 --action viewed 2>&1 | sed "s|$TESTTMP|TMP|"; exit ${PIPESTATUS[0]}
  TMP/s.db: error: no delivery with id "00000000-0000-5000-8000-000000000000"
  [1]
  $ mmr interact --db $TESTTMP/s.db --delivery x --action liked
  mmr interact: --action liked: must be viewed, clicked or dismissed
  (see `mmr interact --help`)
  [2]
  $ sqlite3 $TESTTMP/s.db "SELECT interaction_id, user_id, action, timestamp FROM mm_nudge_interaction_log"
  1|u2|viewed|2025-10-26T09:05:00Z
  2|u2|clicked|2025-10-26T09:06:00Z
  $ mmr interact --help | head -1
  usage: mmr interact --db FILE --delivery ID --action viewed|clicked|dismissed [--now ISO8601]
  $ mmr feed --help | head -1
  usage: mmr feed --db FILE --user ID
  $ mmr settings --help | head -1
  usage: mmr settings --db FILE --user ID [--mute CAT]... [--unmute CAT]... [--now ISO8601]
