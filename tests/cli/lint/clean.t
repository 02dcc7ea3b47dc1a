A clean ruleset: no output, exit 0, and an empty SARIF result list.

  $ mmr lint clean.mmr

JSON, one object per line:

  $ mmr lint clean.mmr --format json

SARIF results (the whole log is in sarif.t):

  $ mmr lint clean.mmr --format sarif | python3 sarif_results.py
