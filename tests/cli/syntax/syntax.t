Syntax errors: each says where, what was found and what was expected.
`mmr fmt` parses a file and reports its syntax errors (exit 1), so these
goldens do not depend on the checker.

Chained comparisons are rejected with a hint:

  $ mmr fmt chained.mmr
  chained.mmr:3:14: error: unexpected "<"; comparisons cannot be chained (write `a < b and b < c`)
      3 |   when a < b < c
        |              ^
  [1]

Errors recover at the next declaration, so one run reports several:

  $ mmr fmt several.mmr
  several.mmr:4:1: error: unexpected "}"; expected an expression
      4 | }
        | ^
  several.mmr:8:10: error: unexpected name "b"; expected an operator, a rule field (description, category, priority, cooldown, when, for each, audience, message) or "}"
      8 |   when a b
        |          ^
  several.mmr:13:1: error: unexpected "signal"; expected an operator or ")"
     13 | signal ok : number
        | ^
  [1]

A field given twice names both places:

  $ mmr fmt dupfield.mmr
  dupfield.mmr:5:3: error: "priority" is given twice in this rule; the first is at dupfield.mmr:2:3
      5 |   priority 2
        |   ^
    hint: keep one "priority" line
  [1]

Lexical errors:

  $ mmr fmt lexical.mmr
  lexical.mmr:1:13: error: unknown escape \q (the escapes are \" \\ \n \t \u{...})
      1 | let a = "tab\q"
        |             ^
  lexical.mmr:2:9: error: unterminated string (a string ends with " on the same line)
      2 | let b = "open
        |         ^
  lexical.mmr:3:9: error: number is too large
      3 | let c = 1e999
        |         ^
  lexical.mmr:4:9: error: invalid number "3dx"
      4 | let d = 3dx
        |         ^
    hint: a number cannot run into a name: to multiply, write 3 * dx
  lexical.mmr:5:9: error: invalid number "1__0": "_" may only separate digits
      5 | let e = 1__0
        |         ^
  lexical.mmr:6:11: error: unexpected character "@"
      6 | let f = a @ b
        |           ^
  lexical.mmr:7:10: error: \u{D800} is not a valid character
      7 | let g = "\u{D800}"
        |          ^
  [1]

Invalid UTF-8 (in strings and comments) and NUL bytes:

  $ mmr fmt bytes.mmr
  bytes.mmr:1:14: error: invalid UTF-8 byte 0xff in string
      1 | let a = "bad ? byte"
        |              ^
  bytes.mmr:2:11: error: invalid UTF-8 byte 0xfe in comment
      2 | # comment ?
        |           ^
  bytes.mmr:3:10: error: NUL byte in source
      3 | let b = 1?
        |          ^
  [1]

Deep nesting is an error, not a stack overflow:

  $ mmr fmt deep.mmr
  deep.mmr:1:265: error: expression nested too deeply (limit 256)
      1 | ...((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))...
        |                                            ^
  [1]
  $ mmr fmt deepunary.mmr
  deepunary.mmr:1:1033: error: expression nested too deeply (limit 256)
      1 | ...not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not ...
        |                                            ^
  [1]

Unknown types, unexpected words, bad times, missing values:

  $ mmr fmt misc.mmr
  misc.mmr:1:12: error: unknown type "lst<text>"
      1 | signal a : lst<text>
        |            ^
    hint: the types are number, bool, text, list<text>, list<number> and map<number>
  misc.mmr:2:12: error: unknown type "map<text>"
      2 | signal b : map<text>
        |            ^
    hint: the types are number, bool, text, list<text>, list<number> and map<number>
  misc.mmr:4:10: error: unexpected name "foo"; expected what to expect (nudge, no nudge, candidates, suppressed, deferred, title, body)
      4 |   expect foo
        |          ^
  misc.mmr:6:15: error: unexpected "any"; put a quantifier that is part of a larger expression in parentheses
      6 | let q = a and any k in m where k > 1
        |               ^
  misc.mmr:7:22: error: invalid time of day "25:00"; expected HH:MM from 00:00 to 23:59
      7 | policy { quiet_hours 25:00 - 08:00 }
        |                      ^
  misc.mmr:8:29: error: unexpected "}"; expected a name
      8 | template T { title "x" tone }
        |                             ^
  [1]

A big file (20000 rules, a 1 MB string) is fine; its one error is found:

  $ python3 gen_big.py > "$TESTTMP/big.mmr"
  $ cd "$TESTTMP" && mmr fmt big.mmr > /dev/null
  big.mmr:120002:9: error: unterminated string (a string ends with " on the same line)
  120002 | let t = "never closed
         |         ^
  [1]

Binary garbage never crashes:

  $ head -c 20000 /dev/urandom > "$TESTTMP/rand.mmr"; mmr fmt "$TESTTMP/rand.mmr" > /dev/null 2>&1; echo $?
  1
