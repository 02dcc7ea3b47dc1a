Every text diagnostic of a .mmr source is followed by the source line it
points into and a caret under its column, with ~~~ under the rest of the
range when it has one (as clang and rustc print them). The first line and
the hint line are as they always were.

  $ mmr check carets/typo.mmr
  carets/typo.mmr:7:8: error: unknown signal "dinning_txn_7d"
      7 |   when dinning_txn_7d >= 3
        |        ^~~~~~~~~~~~~~
    hint: did you mean "dining_txn_7d"?
  [1]
  $ mmr check carets/multi.mmr
  carets/multi.mmr:3:10: error: unexpected "&&"
      3 |   when a &&
        |          ^~
    hint: use `and`: the logical operators are `and`, `or` and `not`
  carets/multi.mmr:4:1: error: unexpected "}"; expected an expression
      4 | }
        | ^
  [1]

Tabs are expanded (stops of 8) so the caret stays under the column:

  $ mmr check carets/tab.mmr
  carets/tab.mmr:7:7: error: cannot compare number with text
      7 |         when    dining_txn_7d >= "3"
        |                 ^~~~~~~~~~~~~~~~~~~~
  [1]

The column counts characters, not bytes:

  $ mmr check carets/utf8.mmr
  carets/utf8.mmr:3:53: error: unexpected character "î" (U+00EE)
      3 | template T { title "Café ☕ déjà" body "x" category dîning }
        |                                                     ^
    hint: only strings and comments may hold non-ASCII text; names are [A-Za-z_][A-Za-z0-9_]*
  [1]

A byte order mark and CRLF line ends are not shown; a character that
would reorder the terminal line (here U+202E in a comment) is shown as "?":

  $ mmr fmt carets/bytes.mmr
  carets/bytes.mmr:1:9: error: unexpected character "@"
      1 | let a = @
        |         ^
  carets/bytes.mmr:2:11: error: unexpected character "@"
      2 | let b = 1 @ # ? hidden
        |           ^
  [1]

A long line is shown around the column, cut with "...":

  $ mmr check carets/long.mmr
  carets/long.mmr:2:332: error: unknown signal "nope"
      2 | ...xn_7d + dining_txn_7d + dining_txn_7d + nope + dining_txn_7d + dining_txn_7d + dining_txn_7d + dining_txn_7d + dining_tx...
        |                                            ^~~~
    hint: declare it (signal nope : number) or import the schema that has it
  [1]

JSON output has no quoted source; it keeps the range (end_line, end_col:
the inclusive end) when the place has one:

  $ mmr check --format json carets/typo.mmr carets/multi.mmr
  {"file":"carets/multi.mmr","line":3,"col":10,"end_line":3,"end_col":11,"severity":"error","message":"unexpected \"&&\"","hint":"use `and`: the logical operators are `and`, `or` and `not`"}
  {"file":"carets/multi.mmr","line":4,"col":1,"severity":"error","message":"unexpected \"}\"; expected an expression"}
  {"file":"carets/typo.mmr","line":7,"col":8,"end_line":7,"end_col":21,"severity":"error","message":"unknown signal \"dinning_txn_7d\"","hint":"did you mean \"dining_txn_7d\"?"}
  [1]

JSON masters have JSON-path places, and data files may be huge or
streams: neither is quoted, even when the place has a line and column:

  $ mmr import carets/bad_syntax.json
  carets/bad_syntax.json:3:89: error: invalid JSON: string or '}' expected near '}'
  [1]
  $ printf '{"user_id": "u1", "x": }\n' > "$TESTTMP/bad.ndjson"
  $ printf 'import "std/moneymoments"\n' > "$TESTTMP/ok.mmr"
  $ cd "$TESTTMP" && mmr eval ok.mmr --signals bad.ndjson
  bad.ndjson:1:24: error: user u1: expected a value
  [1]

Colour: never when the output is not a terminal (as here) or NO_COLOR is
set; CLICOLOR_FORCE=1 forces it (bold place, red error, green caret):

  $ mmr check carets/typo.mmr 2>&1 | grep -c "$(printf '\033')"
  0
  [1]
  $ NO_COLOR=1 CLICOLOR_FORCE=1 mmr check carets/typo.mmr 2>&1 | grep -c "$(printf '\033')"
  0
  [1]
  $ CLICOLOR_FORCE=1 mmr check carets/typo.mmr 2>&1 | cat -v
  ^[[1mcarets/typo.mmr:7:8:^[[0m ^[[1;31merror:^[[0m unknown signal "dinning_txn_7d"
      7 |   when dinning_txn_7d >= 3
        |        ^[[1;32m^~~~~~~~~~~~~~^[[0m
    hint: did you mean "dining_txn_7d"?
  $ CLICOLOR_FORCE=1 mmr check --format json carets/typo.mmr 2>&1 | grep -c "$(printf '\033')"
  0
  [1]
  $ CLICOLOR_FORCE=1 mmr check ../check/good/warn.mmr 2>&1 | head -3 | cat -v
  ^[[1m../check/good/warn.mmr:12:20:^[[0m ^[[1;35mwarning:^[[0m "with" binds extra, which template T does not use
     12 |   message T with { extra = 1 }
        |                    ^[[1;32m^~~~~~~~~^[[0m
