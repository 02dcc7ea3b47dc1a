--filter runs only the tests whose name contains the text; the others are
not counted.

  $ mmr test failing --filter "wrong t"
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
  0 passed, 1 failed
  [1]

  $ mmr test failing --filter passes
  1 passed, 0 failed

  $ mmr test failing --filter=nothing-matches
  0 passed, 0 failed
