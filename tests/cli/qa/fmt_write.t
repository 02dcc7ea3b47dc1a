QA: `mmr fmt -w` through a symlink rewrites the file it points to; it used
to rename the formatted text over the link itself, turning the link into
a copy and leaving the real file unformatted:

  $ cd "$TESTTMP" && printf 'let   x=1\n' > real.mmr && ln -s real.mmr link.mmr && mmr fmt -w link.mmr && ls -l link.mmr | sed 's/.* link/link/' && cat real.mmr
  link.mmr -> real.mmr
  let x = 1

A file with syntax errors is never rewritten:

  $ cd "$TESTTMP" && printf 'let x = (1\n' > bad.mmr && mmr fmt -w bad.mmr; cat bad.mmr
  bad.mmr:2:1: error: unexpected end of file; expected an operator or ")"
      2 | 
        | ^
  let x = (1
