QA: lexical input that used to be rejected without a useful message, or
accepted silently. Files are made with printf so their bytes are exact.

A UTF-8 byte order mark at the very start is skipped (Windows editors
write one); the columns do not count it:

  $ printf '\357\273\277let x = @\n' > "$TESTTMP/bom.mmr" && mmr fmt "$TESTTMP/bom.mmr" 2>&1 | sed "s|$TESTTMP/||"
  bom.mmr:1:9: error: unexpected character "@"
      1 | let x = @
        |         ^

  $ printf '\357\273\277let x = 1\n' > "$TESTTMP/bom.mmr" && mmr fmt "$TESTTMP/bom.mmr"
  let x = 1

Anywhere else it is named, as are other invisible characters:

  $ printf 'let x = 1 \357\273\277\nlet\302\240y = 2\n' > "$TESTTMP/inv.mmr" && mmr fmt "$TESTTMP/inv.mmr" 2>&1 | sed "s|$TESTTMP/||"
  inv.mmr:1:11: error: unexpected invisible character U+FEFF (a byte order mark)
      1 | let x = 1 ﻿
        |           ^
    hint: delete it, or replace it by a plain space
  inv.mmr:2:4: error: unexpected invisible character U+00A0 (a no-break space)
      2 | let y = 2
        |    ^
    hint: delete it, or replace it by a plain space

Non-ASCII characters outside strings and comments show the character and
its code point, with a hint for the usual copy-paste accidents:

  $ mmr fmt unicode.mmr
  unicode.mmr:1:8: error: unexpected character "é" (U+00E9)
      1 | let café = 1
        |        ^
    hint: only strings and comments may hold non-ASCII text; names are [A-Za-z_][A-Za-z0-9_]*
  unicode.mmr:2:20: error: unexpected character "“" (U+201C)
      2 | template T { title “Hi” }
        |                    ^
    hint: strings use straight double quotes: "..."
  unicode.mmr:2:23: error: unexpected character "”" (U+201D)
      2 | template T { title “Hi” }
        |                       ^
    hint: strings use straight double quotes: "..."
  unicode.mmr:3:11: error: unexpected character "≥" (U+2265)
      3 | let z = 3 ≥ 2
        |           ^
    hint: write the comparison in ASCII: <=, >= or !=
  unicode.mmr:4:9: error: unexpected character "−" (U+2212)
      4 | let m = −1
        |         ^
    hint: write a plain minus sign: -
  [1]

Numbers: one that would underflow to 0 is an error (like one too large),
`.5` says how to write it, and a duration that is not a whole number and
a unit says what a duration is:

  $ mmr fmt numbers.mmr
  numbers.mmr:1:9: error: number is too large
      1 | let a = 1e400
        |         ^
  numbers.mmr:2:9: error: number is too small (it would be 0)
      2 | let b = 1e-400
        |         ^
  numbers.mmr:3:9: error: invalid number ".5"
      3 | let c = .5
        |         ^
    hint: write a digit before the point: 0.5
  numbers.mmr:4:9: error: invalid number "0x10"
      4 | let d = 0x10
        |         ^
  numbers.mmr:5:31: error: invalid duration "1.5d"
      5 | rule r1 { priority 1 cooldown 1.5d }
        |                               ^
    hint: a duration is a whole number and a unit s, m, h, d or w, such as 90m or 36h
  numbers.mmr:6:31: error: invalid duration "1_000d"
      6 | rule r2 { priority 1 cooldown 1_000d }
        |                               ^
    hint: a duration is a whole number and a unit s, m, h, d or w, such as 90m or 36h
  numbers.mmr:7:31: error: invalid duration "3y"
      7 | rule r3 { priority 1 cooldown 3y }
        |                               ^
    hint: a duration is a whole number and a unit s, m, h, d or w, such as 90m or 36h
  [1]

Where only a number fits, the error says "a number", not "an expression":

  $ mmr fmt only_number.mmr
  only_number.mmr:1:19: error: unexpected name "high"; expected a number
      1 | rule r { priority high }
        |                   ^
  only_number.mmr:2:19: error: unexpected "}"; expected a number
      2 | rule s { priority }
        |                   ^
  only_number.mmr:3:21: error: unexpected name "x"; expected a number
      3 | policy { max_nudges x per 1d }
        |                     ^
  only_number.mmr:4:21: error: unexpected "-"; expected a number
      4 | policy { max_nudges -1 per 1d }
        |                     ^
  [1]
