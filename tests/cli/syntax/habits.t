Habits from other languages get a hint with the mmr spelling.

`&&`, `||` and `!` are errors that say to use `and`, `or` and `not`; the
parse goes on as if the word had been written, so there is one error each
(and the checker still checks the rest):

  $ mmr check habits/logic.mmr
  habits/logic.mmr:7:27: error: unexpected "&&"
      7 |   when dining_txn_7d >= 3 && !(wants_share_30d > 100 || dining_txn_7d == 9)
        |                           ^~
    hint: use `and`: the logical operators are `and`, `or` and `not`
  habits/logic.mmr:7:30: error: unexpected "!"
      7 |   when dining_txn_7d >= 3 && !(wants_share_30d > 100 || dining_txn_7d == 9)
        |                              ^
    hint: use `not`: the logical operators are `and`, `or` and `not`
  habits/logic.mmr:7:54: error: unexpected "||"
      7 |   when dining_txn_7d >= 3 && !(wants_share_30d > 100 || dining_txn_7d == 9)
        |                                                      ^~
    hint: use `or`: the logical operators are `and`, `or` and `not`
  [1]

`=` where a comparison fits says to write `==`:

  $ mmr check habits/assign.mmr
  habits/assign.mmr:7:22: error: unexpected "="; expected an operator, a rule field (description, category, priority, cooldown, when, for each, audience, message) or "}"
      7 |   when dining_txn_7d = 3
        |                      ^
    hint: to compare, write `==`; `=` only binds a name (let, with, given)
  [1]

A number run into a name (`1.5x`) is no duration error; the hint writes
the product. A number with a duration unit, or a year, stays a duration
error, and 0x10 gets no product hint:

  $ mmr check habits/times.mmr
  habits/times.mmr:3:27: error: invalid number "1.5x"
      3 | let a = wants_share_30d > 1.5x
        |                           ^
    hint: a number cannot run into a name: to multiply, write 1.5 * x
  habits/times.mmr:4:9: error: invalid number "2dining_txn_7d"
      4 | let b = 2dining_txn_7d
        |         ^
    hint: a number cannot run into a name: to multiply, write 2 * dining_txn_7d
  [1]
  $ printf 'let a = 1.5d\nlet b = 3y\nlet c = 0x10\n' > "$TESTTMP/dur.mmr"
  $ cd "$TESTTMP" && mmr fmt dur.mmr
  dur.mmr:1:9: error: invalid duration "1.5d"
      1 | let a = 1.5d
        |         ^
    hint: a duration is a whole number and a unit s, m, h, d or w, such as 90m or 36h
  dur.mmr:2:9: error: invalid duration "3y"
      2 | let b = 3y
        |         ^
    hint: a duration is a whole number and a unit s, m, h, d or w, such as 90m or 36h
  dur.mmr:3:9: error: invalid number "0x10"
      3 | let c = 0x10
        |         ^
  [1]
