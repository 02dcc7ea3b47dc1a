mmr fmt prints the canonical layout: two-space indents, fields in a fixed
order, one per line, a blank line between declarations, comments kept.

  $ mmr fmt messy.mmr > "$TESTTMP/out.mmr"
  $ diff messy.expected "$TESTTMP/out.mmr" && echo same
  same

Formatting is idempotent:

  $ mmr fmt "$TESTTMP/out.mmr" | diff "$TESTTMP/out.mmr" - && echo same
  same

--check is quiet for a canonical file and exits 0:

  $ mmr fmt --check canonical.mmr

--check names a file that would change, shows a diff and exits 1:

  $ printf 'let  a=1\n\n\n\nlet b = 2 # two\nrule r { priority 1 when a>b message T }\n' > "$TESTTMP/x.mmr"
  $ cd "$TESTTMP" && mmr fmt --check x.mmr
  x.mmr: would reformat
  --- x.mmr
  +++ x.mmr (formatted)
  @@ -1,6 +1,9 @@
  -let  a=1
  -
  -
  +let a = 1
   
   let b = 2 # two
  -rule r { priority 1 when a>b message T }
  +
  +rule r {
  +  priority 1
  +  when a > b
  +  message T
  +}
  [1]

-w rewrites only files that change, atomically, and leaves no temporary
files behind:

  $ mkdir "$TESTTMP/w" && cp canonical.mmr "$TESTTMP/x.mmr" "$TESTTMP/w/" && cd "$TESTTMP/w" && mv canonical.mmr c.mmr && touch -d '2001-01-01' c.mmr && mmr fmt -w c.mmr x.mmr && ls -a && date -r c.mmr +%Y
  .
  ..
  c.mmr
  x.mmr
  2001
  $ cd "$TESTTMP/w" && cat x.mmr && mmr fmt --check x.mmr
  let a = 1
  
  let b = 2 # two
  
  rule r {
    priority 1
    when a > b
    message T
  }

A file with syntax errors is reported and never rewritten:

  $ printf 'rule r { when }\n' > "$TESTTMP/bad.mmr" && cd "$TESTTMP" && mmr fmt -w bad.mmr; echo "exit $?"; cat bad.mmr
  bad.mmr:1:15: error: unexpected "}"; expected an expression
      1 | rule r { when }
        |               ^
  exit 1
  rule r { when }

Directories are formatted file by file, in name order:

  $ mkdir -p "$TESTTMP/d" && printf 'let b=2\n' > "$TESTTMP/d/b.mmr" && printf 'let a=1\n' > "$TESTTMP/d/a.mmr" && printf 'x' > "$TESTTMP/d/notes.txt" && mmr fmt "$TESTTMP/d"
  let a = 1
  let b = 2

Usage errors exit 2:

  $ mmr fmt
  mmr fmt: no files given
  (see `mmr fmt --help`)
  [2]
  $ mmr fmt --frobnicate x.mmr
  mmr fmt: unknown option "--frobnicate"
  (see `mmr fmt --help`)
  [2]
  $ mmr fmt nosuch.mmr
  nosuch.mmr: error: cannot read nosuch.mmr: No such file or directory
  [1]
  $ mmr fmt --check -w x.mmr
  mmr fmt: --check and -w cannot be used together
  (see `mmr fmt --help`)
  [2]
  $ mmr fmt --help | head -1
  usage: mmr fmt PATH... [--check | -w] [--width N]

Long conditions wrap at `and`/`or`; long binding blocks go one per line:

  $ printf 'rule r {\n  priority 1\n  when aaaaaaaaaaaaaaaaaaaa > bbbbbbbbbbbbbbbbbbbbbbbbb and ccccccccccccccccccccccccccc < ddddddddddddddddddddddd or eeeeeeeeeeeeeeeee\n  message T with { a = 1111111111111111111111111111, b = 22222222222222222222222222222222, c = 333333333333333333333333333 }\n}\n' > "$TESTTMP/long.mmr" && mmr fmt "$TESTTMP/long.mmr" | tee "$TESTTMP/long2.mmr"
  rule r {
    priority 1
    when aaaaaaaaaaaaaaaaaaaa > bbbbbbbbbbbbbbbbbbbbbbbbb
            and ccccccccccccccccccccccccccc < ddddddddddddddddddddddd
        or eeeeeeeeeeeeeeeee
    message T with {
      a = 1111111111111111111111111111,
      b = 22222222222222222222222222222222,
      c = 333333333333333333333333333
    }
  }
  $ mmr fmt "$TESTTMP/long2.mmr" | diff "$TESTTMP/long2.mmr" - && echo same
  same

Every .mmr file in the repository that parses is formatted idempotently:
fmt(fmt(x)) == fmt(x).

  $ cd ../../.. && n=0 && for f in $(find rules stdlib tests -name '*.mmr' | sort); do
  >   mmr fmt "$f" > "$TESTTMP/once.mmr" 2>/dev/null || continue
  >   mmr fmt "$TESTTMP/once.mmr" > "$TESTTMP/twice.mmr" || echo "fmt of fmt failed: $f"
  >   cmp -s "$TESTTMP/once.mmr" "$TESTTMP/twice.mmr" || echo "not idempotent: $f"
  >   n=$((n + 1))
  > done; [ "$n" -ge 9 ] && echo ok
  ok
