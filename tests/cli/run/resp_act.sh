#!/bin/sh
# resp_act.sh DB USER AS_OF ACTION NOW (responsiveness.t): the user's
# interaction with their delivery of AS_OF, as `mmr interact` logs it.
D=$(sqlite3 "$1" "SELECT delivery_id FROM mm_nudge_delivery_log WHERE user_id = '$2' AND as_of = '$3'")
mmr interact --db "$1" --delivery "$D" --action "$4" --now "$5" | grep -o '"user_id".*'
