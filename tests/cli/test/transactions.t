Tests with `transactions [ ... ]`: the test's transactions are the user's
history, and the rules see the signals derived from them as of the local
day of the test's `at` (in the user's tz, else the policy's timezone).

The shipped pattern rules test themselves this way:

  $ mmr test ../../../rules/patterns
  12 passed, 0 failed

A failing test shows, after its instant, every derived signal with its
value, its window as local days and how many transactions went into it. A
user whose history starts this week has a missing (not zero) previous
week, so the spending rule cannot fire:

  $ mmr test txn/spend.mmr
  txn/spend.mmr:85: test "a first week has no baseline": expected nudge spend_spike, got no nudge
    at 2025-10-26T06:30:00Z (12:00 Asia/Kolkata)
    signals derived for the test:
      biggest_prev_7d = missing (previous 7d: 2025-10-13 .. 2025-10-19 Asia/Kolkata, 0 transactions)
      category_spend_7d = {"Food & Dining":120,"Shopping":900} (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 2 transactions)
      merchants_7d = 2 (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 2 transactions)
      prev_spend_7d = missing (previous 7d: 2025-10-13 .. 2025-10-19 Asia/Kolkata, 0 transactions)
      spend_7d = 1020 (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 2 transactions)
      wants_7d = 1020 (last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata, 2 transactions)
      wants_share_7d = 1
    candidates: none
    explain:
      spend_spike when: prev_spend_7d > 0 -> unknown [missing, 0]
      spend_spike when: spend_7d > prev_spend_7d * 1.2 -> unknown [1020, missing]
      spend_spike when (all): prev_spend_7d > 0 and spend_7d > prev_spend_7d * 1.2 -> unknown
  4 passed, 1 failed
  [1]

A `given` value overrides the derived one; the others still come from the
transactions:

  $ mmr test txn/spend.mmr --filter given
  1 passed, 0 failed

The week boundary is the user's own: the same Sunday-night purchase is
last week's in Kolkata and this week's in Tokyo.

  $ mmr test txn/spend.mmr --filter Kolkata
  1 passed, 0 failed
  $ mmr test txn/spend.mmr --filter Tokyo
  1 passed, 0 failed

--format json gives the same block as "signals" (null for missing; no
window for a computed signal):

  $ mmr test txn/spend.mmr --format json --filter "first week" | python3 -c '
  > import json, sys
  > for s in json.load(sys.stdin)["tests"][0]["signals"]: print(json.dumps(s, ensure_ascii=False))'
  {"signal": "biggest_prev_7d", "value": null, "window": "previous 7d: 2025-10-13 .. 2025-10-19 Asia/Kolkata", "rows": 0}
  {"signal": "category_spend_7d", "value": {"Food & Dining": 120, "Shopping": 900}, "window": "last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata", "rows": 2}
  {"signal": "merchants_7d", "value": 2, "window": "last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata", "rows": 2}
  {"signal": "prev_spend_7d", "value": null, "window": "previous 7d: 2025-10-13 .. 2025-10-19 Asia/Kolkata", "rows": 0}
  {"signal": "spend_7d", "value": 1020, "window": "last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata", "rows": 2}
  {"signal": "wants_7d", "value": 1020, "window": "last 7d: 2025-10-20 .. 2025-10-26 Asia/Kolkata", "rows": 2}
  {"signal": "wants_share_7d", "value": 1}

A bad transaction fails its test with one line naming the transaction and
what is wrong with it; the rules do not run:

  $ mmr test txn/bad.mmr
  txn/bad.mmr:19: test "missing ts": a transaction needs ts
    at 2025-10-26T06:30:00Z
  txn/bad.mmr:26: test "negative amount": transaction amount must be a positive number
    at 2025-10-26T06:30:00Z
  txn/bad.mmr:33: test "unknown field": unknown transaction field "shop" (the fields are ts, amount, type, category, merchant, recurring, txn_id)
    at 2025-10-26T06:30:00Z
  txn/bad.mmr:40: test "a refund is not a type": transaction type must be "expense" or "income", got "refund"
    at 2025-10-26T06:30:00Z
  txn/bad.mmr:48: test "missing amount and category": a transaction needs amount
    at 2025-10-26T06:30:00Z
  txn/bad.mmr:56: test "amount is a number": transaction amount must be a positive number
    at 2025-10-26T06:30:00Z
  txn/bad.mmr:63: test "recurring is a bool": transaction field recurring must be true or false
    at 2025-10-26T06:30:00Z
  0 passed, 7 failed
  [1]
