A suite that fails on purpose. Each failed expectation is one line
FILE:LINE: test "NAME": expected ..., got ...; then, indented, the run's
instant, the candidates, the decisions with their reasons and the explain
trace of the rules involved. The closing line counts tests, and the exit
status is 1.

  $ mmr test failing
  failing/rules.mmr:55: test "wrong nudge": expected nudge alpha, got nudge beta
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: beta, alpha
    decisions:
      beta (priority 20): delivered: "B" / "b is 100%"
      alpha (priority 10): suppressed because daily_cap
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when: b < 2 -> true [1, 2]
      alpha when (all): a > 5 and b < 2 -> true
      beta when: b >= 0.5 -> true [1, 0.5]
      beta when (all): b >= 0.5 -> true
  failing/rules.mmr:61: test "muted goal lets alpha through": expected no nudge, got nudge alpha
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: beta, alpha
    decisions:
      beta (priority 20): suppressed because muted
      alpha (priority 10): delivered: "A is 6" / "Hi Asha"
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when: b < 2 -> true [1, 2]
      alpha when (all): a > 5 and b < 2 -> true
      beta when: b >= 0.5 -> true [1, 0.5]
      beta when (all): b >= 0.5 -> true
  failing/rules.mmr:66: test "wrong candidates": expected candidates [gamma], got [beta, alpha]
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: beta, alpha
    decisions:
      beta (priority 20): delivered: "B" / "b is 100%"
      alpha (priority 10): suppressed because daily_cap
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when: b < 2 -> true [1, 2]
      alpha when (all): a > 5 and b < 2 -> true
      beta when: b >= 0.5 -> true [1, 0.5]
      beta when (all): b >= 0.5 -> true
      gamma when: a > 100 -> false [6, 100]
      gamma when: a < -100 -> false [6, -100]
      gamma when (all): a > 100 or a < -100 -> false
  failing/rules.mmr:73: test "wrong reason": expected suppressed beta because daily_cap, got suppressed beta because cooldown
  failing/rules.mmr:74: test "wrong reason": expected suppressed gamma because muted, got gamma not a candidate
    at 2025-10-26T09:00:00Z (09:00 UTC)
    candidates: beta, alpha
    decisions:
      beta (priority 20): suppressed because cooldown
      alpha (priority 10): suppressed because daily_cap
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when: b < 2 -> true [1, 2]
      alpha when (all): a > 5 and b < 2 -> true
      beta when: b >= 0.5 -> true [1, 0.5]
      beta when (all): b >= 0.5 -> true
      gamma when: a > 100 -> false [6, 100]
      gamma when: a < -100 -> false [6, -100]
      gamma when (all): a > 100 or a < -100 -> false
  failing/rules.mmr:79: test "wrong texts": expected title contains "Zzz", got title "A is 6"
  failing/rules.mmr:80: test "wrong texts": expected body == "Hi Ravi", got body "Hi Ravi 🙂"
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: alpha
    decisions:
      alpha (priority 10): delivered: "A is 6" / "Hi Ravi 🙂"
    explain:
      alpha when: a > 5 -> true [6, 5]
      alpha when: b < 2 -> true [0.25, 2]
      alpha when (all): a > 5 and b < 2 -> true
  failing/rules.mmr:86: test "nothing delivered": expected nudge beta, got no nudge
  failing/rules.mmr:87: test "nothing delivered": expected body contains "b is", got no nudge
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: none
    explain:
      beta when: b >= 0.5 -> unknown [missing, 0.5]
      beta when (all): b >= 0.5 -> unknown
  1 passed, 6 failed
  [1]
