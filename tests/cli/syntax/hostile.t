Hostile bytes in a source cost linear time, and the errors stop at the
cap (100) with a note, however many bad bytes follow. These inputs once
took quadratic time (a 100 KB run of NUL bytes: 27 s); they must now take
well under a second (bench/bench_inputs.sh measures the growth).

A run of 100,000 NUL bytes is one error; a string holding 20,000 NULs
reports each up to the cap; a comment of 100,000 NULs after the cap adds
nothing but its count (grep -v '^ ' keeps the first lines, not the quoted
source under each):

  $ python3 -c '
  > import sys
  > w = sys.stdout.buffer.write
  > w(b"\0" * 100000 + b"\n")
  > w(b"let s = \"" + b"\0" * 20000 + b"\"\n")
  > w(b"# " + b"\0" * 100000 + b"\n")' > "$TESTTMP/nul.mmr"
  $ cd "$TESTTMP" && mmr check nul.mmr > out.txt 2>&1; echo "exit $?"
  exit 1
  $ cd "$TESTTMP" && grep -v '^ ' out.txt > first.txt; head -n 3 first.txt; wc -l < first.txt; tail -n 2 first.txt
  nul.mmr:1:1: error: NUL byte in source
  nul.mmr:2:10: error: NUL byte in string
  nul.mmr:2:11: error: NUL byte in string
  101
  nul.mmr:2:108: error: NUL byte in string
  note: too many errors; the rest were not shown

A comment full of NULs is one error, at its first NUL:

  $ python3 -c '
  > import sys
  > sys.stdout.buffer.write(b"# ok\n#  " + b"\0" * 100000 + b"x\n")' > "$TESTTMP/comment.mmr"
  $ cd "$TESTTMP" && mmr check comment.mmr
  comment.mmr:2:4: error: NUL byte in comment
      2 | #  ?????????????????????????????????????????????????????????????????????????????????????????????????????????????????????...
        |    ^
  [1]

NUL bytes between tokens: one error per run, and a 0xFF byte (which the
scanner uses in place of NUL internally) is still reported as itself:

  $ printf 'let a = 1\0\0\0 \0\377\0\n' > "$TESTTMP/mixed.mmr"
  $ cd "$TESTTMP" && mmr fmt mixed.mmr
  mixed.mmr:1:10: error: NUL byte in source
      1 | let a = 1??? ???
        |          ^
  mixed.mmr:1:14: error: NUL byte in source
      1 | let a = 1??? ???
        |              ^
  mixed.mmr:1:15: error: invalid UTF-8 byte 0xff
      1 | let a = 1??? ???
        |               ^
  mixed.mmr:1:16: error: NUL byte in source
      1 | let a = 1??? ???
        |                ^
  [1]
