QA: template text. `{name:}` used to be taken as `{name}`; a colon
promises a format, so an empty one is an error like any unknown format:

  $ mmr check empty_format.mmr
  empty_format.mmr:5:8: error: bad body of template T: ":" in a placeholder must be followed by a format: money, money2, pct, int or number
      5 |   body "x is {x:}"
        |        ^~~~~~~~~~~
  [1]
