Syntax errors: each says where, what was found and what was expected.
`mmr fmt` parses a file and reports its syntax errors (exit 1), so these
goldens do not depend on the checker.

Chained comparisons are rejected with a hint:

  $ mmr fmt chained.mmr
  chained.mmr:3:14: error: unexpected "<"; comparisons cannot be chained (write `a < b and b < c`)
  [1]

Errors recover at the next declaration, so one run reports several:

  $ mmr fmt several.mmr
  several.mmr:4:1: error: unexpected "}"; expected an expression
  several.mmr:8:10: error: unexpected name "b"; expected an operator, a rule field (description, category, priority, cooldown, when, audience, message) or "}"
  several.mmr:13:1: error: unexpected "signal"; expected an operator or ")"
  [1]

A field given twice names both places:

  $ mmr fmt dupfield.mmr
  dupfield.mmr:5:3: error: "priority" is given twice in this rule; the first is at dupfield.mmr:2:3
    hint: keep one "priority" line
  [1]

Lexical errors:

  $ mmr fmt lexical.mmr
  lexical.mmr:1:13: error: unknown escape \q (the escapes are \" \\ \n \t \u{...})
  lexical.mmr:2:9: error: unterminated string (a string ends with " on the same line)
  lexical.mmr:3:9: error: number is too large
  lexical.mmr:4:9: error: invalid number "3dx"
  lexical.mmr:5:9: error: invalid number "1__0": "_" may only separate digits
  lexical.mmr:6:11: error: unexpected character "@"
  lexical.mmr:7:10: error: \u{D800} is not a valid character
  [1]

Invalid UTF-8 (in strings and comments) and NUL bytes:

  $ mmr fmt bytes.mmr
  bytes.mmr:1:14: error: invalid UTF-8 byte 0xff in string
  bytes.mmr:2:11: error: invalid UTF-8 byte 0xfe in comment
  bytes.mmr:3:10: error: NUL byte in source
  [1]

Deep nesting is an error, not a stack overflow:

  $ mmr fmt deep.mmr
  deep.mmr:1:265: error: expression nested too deeply (limit 256)
  [1]
  $ mmr fmt deepunary.mmr
  deepunary.mmr:1:1033: error: expression nested too deeply (limit 256)
  [1]

Unknown types, unexpected words, bad times, missing values:

  $ mmr fmt misc.mmr
  misc.mmr:1:12: error: unknown type "lst<text>"
    hint: the types are number, bool, text, list<text>, list<number> and map<number>
  misc.mmr:2:12: error: unknown type "map<text>"
    hint: the types are number, bool, text, list<text>, list<number> and map<number>
  misc.mmr:4:10: error: unexpected name "foo"; expected what to expect (nudge, no nudge, candidates, suppressed, deferred, title, body)
  misc.mmr:6:15: error: unexpected "any"; put a quantifier that is part of a larger expression in parentheses
  misc.mmr:7:22: error: invalid time of day "25:00"; expected HH:MM from 00:00 to 23:59
  misc.mmr:8:29: error: unexpected "}"; expected a name
  [1]

A big file (20000 rules, a 1 MB string) is fine; its one error is found:

  $ python3 gen_big.py > "$TESTTMP/big.mmr"
  $ cd "$TESTTMP" && mmr fmt big.mmr > /dev/null
  big.mmr:120002:9: error: unterminated string (a string ends with " on the same line)
  [1]

Binary garbage never crashes:

  $ head -c 20000 /dev/urandom > "$TESTTMP/rand.mmr"; mmr fmt "$TESTTMP/rand.mmr" > /dev/null 2>&1; echo $?
  1
