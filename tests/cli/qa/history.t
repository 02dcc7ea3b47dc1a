QA: a test's history far in the past. `at` in year 1 and a delivery
15250284452471w ago (the largest duration) used to overflow int64
(UBSan: signed integer overflow in the test runner); now the delivery is
simply very old, so the 3d cooldown has passed:

  $ mmr test history.mmr
  2 passed, 0 failed
