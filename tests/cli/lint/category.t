MMR-E001 category-not-in-policy: the checker's error carries the lint id.

  $ mmr lint category.mmr
  category.mmr:12:12: error: unknown category "travel": the policy's categories are dining, goal [MMR-E001 category-not-in-policy]
     12 |   category travel
        |            ^~~~~~
    hint: add it to the policy's categories list
  [1]

JSON, one object per line:

  $ mmr lint category.mmr --format json
  {"file":"category.mmr","line":12,"col":12,"end_line":12,"end_col":17,"severity":"error","code":"MMR-E001","name":"category-not-in-policy","message":"unknown category \"travel\": the policy's categories are dining, goal","hint":"add it to the policy's categories list"}
  [1]

SARIF results (the whole log is in sarif.t):

  $ mmr lint category.mmr --format sarif | python3 sarif_results.py
  error MMR-E001[1] category.mmr:12:12 unknown category "travel": the policy's categories are dining, goal
