QA: policy values the parser used to report twice, or accept silently.

A fractional max_nudges is one error naming the value as written (it used
to be followed by "max_nudges must be at least 1, got 0"), and a zero
window one error (it used to be reported by the parser and the checker):

  $ mmr check max_fraction.mmr
  max_fraction.mmr:1:21: error: max_nudges must be a whole number from 1 to 1000000, got 1.5
      1 | policy { max_nudges 1.5 per 1d }
        |                     ^
  [1]

  $ mmr check max_zero_window.mmr
  max_zero_window.mmr:1:21: error: the max_nudges window must be longer than 0
      1 | policy { max_nudges 2 per 0d }
        |                     ^~~~~~~~
  [1]

`categories []` is an empty list (an error), not the default list:

  $ mmr check empty_categories.mmr
  empty_categories.mmr:1:21: error: the policy's categories list is empty
      1 | policy { categories [] }
        |                     ^~
  [1]

  $ mmr fmt empty_categories.mmr
  policy {
    categories []
  }
