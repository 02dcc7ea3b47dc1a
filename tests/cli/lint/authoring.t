docs/authoring.md shows exactly what mmr prints: every command of the
walk-through runs (in a scratch copy of rules/) and its output is compared.

  $ python3 doc_check.py ../../../docs/authoring.md ../../..
  doc: 12 passed, 0 failed
