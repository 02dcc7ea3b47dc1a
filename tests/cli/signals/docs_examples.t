The examples of docs/signals.md. Their files are in docs/examples/signals/:
the ruleset weekly.mmr (which tests itself with transactions), its
transactions and traits.

The example ruleset's tests pass, and it is canonical and lint-clean:

  $ mmr test ../../../docs/examples/signals
  5 passed, 0 failed
  $ mmr fmt --check ../../../docs/examples/signals && mmr lint --strict ../../../docs/examples/signals

Every command of the page's Examples section (```console blocks), run from
a scratch copy of docs/examples, prints exactly what the page shows; every
```mmr block there is quoted line for line from an example ruleset. When
an output changes, change the page.

  $ python3 doc_check.py ../../../docs/signals.md ../../..
  doc: 14 passed, 0 failed
