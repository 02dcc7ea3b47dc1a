`x between lo and hi` with a missing bound: as SQL, `lo <= x and x <= hi`
with each side three-valued (docs/language.md, Missing values).

  $ mmr test between/rules.mmr
  7 passed, 0 failed
