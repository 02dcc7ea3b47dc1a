`expect deferred RULE until "ISO-TIME"`: the candidate was held by quiet
hours alone and is due at that instant. A deferred candidate is not
suppressed, so `expect suppressed ... because quiet_hours` fails on it.

  $ mmr test deferred; echo "exit $?"
  deferred/rules.mmr:33: test "a wrong due time fails": expected deferred alpha until "2025-10-27T03:30:00Z", got deferred alpha until "2025-10-27T02:30:00Z"
    at 2025-10-26T18:00:00Z (23:30 Asia/Kolkata)
    candidates: alpha
    decisions:
      alpha (priority 10): deferred (quiet hours) until 2025-10-27T02:30:00Z
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when (all): a > 5 -> true
  deferred/rules.mmr:39: test "a deferral is not a suppression": expected suppressed alpha because quiet_hours, got deferred alpha until "2025-10-27T02:30:00Z"
    at 2025-10-26T18:00:00Z (23:30 Asia/Kolkata)
    candidates: alpha
    decisions:
      alpha (priority 10): deferred (quiet hours) until 2025-10-27T02:30:00Z
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when (all): a > 5 -> true
  deferred/rules.mmr:45: test "outside quiet hours it is delivered, not deferred": expected deferred alpha until "2025-10-27T02:30:00Z", got nudge alpha
    at 2025-10-26T09:00:00Z (14:30 Asia/Kolkata)
    candidates: alpha
    decisions:
      alpha (priority 10): delivered: "A is 6" / "a"
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when (all): a > 5 -> true
  1 passed, 3 failed
  exit 1
  $ mmr fmt --check deferred/rules.mmr && echo formatted
  formatted
