Lines longer than the width (default 100) are split at `and`/`or` and
before a quantifier's `where`, also inside parentheses, each level
indented further; fmt of the result changes nothing.

  $ mmr fmt wrap.mmr | tee "$TESTTMP/w1.mmr"
  # fmt wraps long conditions.
  signal m : map<number>
  signal p : map<number>
  signal total_spend_7d : number
  
  template T {
    title "t"
    body "b"
    category budget
  }
  
  rule r {
    priority 1
    when total_spend_7d > 500
        and (any cat in m
          where pct_change(m[cat], p[cat]) > 25%
            and m[cat] > 1000
            and p[cat] > 100
            and m[cat] < 100000000)
        and total_spend_7d < 100000
    message T
  }
  
  rule q {
    priority 1
    when any cat in m
      where pct_change(m[cat], p[cat]) > 25%
        and m[cat] > 1000
        and p[cat] > 100
        and m[cat] < 100000000
        and (p[cat] < 5 or m[cat] > 1000000000 or p[cat] > 12345678)
    message T
  }
  $ mmr fmt "$TESTTMP/w1.mmr" | cmp - "$TESTTMP/w1.mmr" && echo idempotent
  idempotent
  $ mmr fmt --width 60 wrap.mmr | tee "$TESTTMP/w60.mmr"
  # fmt wraps long conditions.
  signal m : map<number>
  signal p : map<number>
  signal total_spend_7d : number
  
  template T {
    title "t"
    body "b"
    category budget
  }
  
  rule r {
    priority 1
    when total_spend_7d > 500
        and (any cat in m
          where pct_change(m[cat], p[cat]) > 25%
            and m[cat] > 1000
            and p[cat] > 100
            and m[cat] < 100000000)
        and total_spend_7d < 100000
    message T
  }
  
  rule q {
    priority 1
    when any cat in m
      where pct_change(m[cat], p[cat]) > 25%
        and m[cat] > 1000
        and p[cat] > 100
        and m[cat] < 100000000
        and (p[cat] < 5
            or m[cat] > 1000000000
            or p[cat] > 12345678)
    message T
  }
  $ awk 'length($0) > 60' "$TESTTMP/w60.mmr"
  $ mmr fmt --width=60 "$TESTTMP/w60.mmr" | cmp - "$TESTTMP/w60.mmr" && echo idempotent
  idempotent
  $ mmr fmt --width 5 wrap.mmr
  mmr fmt: --width needs a whole number from 20 to 1000
  (see `mmr fmt --help`)
  [2]
