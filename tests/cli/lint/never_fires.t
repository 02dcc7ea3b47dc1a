MMR-W012 never-fires: interval reasoning over and/or/not, between, in, is missing and constants.

  $ mmr lint never_fires.mmr
  never_fires.mmr:13:8: warning: rule impossible_bounds can never fire: `dining_txn_7d > 5` contradicts `dining_txn_7d < 3` [MMR-W012 never-fires]
     13 |   when dining_txn_7d > 5 and dining_txn_7d < 3
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: fix the contradictory conditions (check the bounds and the and/or)
  never_fires.mmr:20:8: warning: rule impossible_between can never fire: `dining_txn_7d between 1 and 2` contradicts `dining_txn_7d >= 3` [MMR-W012 never-fires]
     20 |   when dining_txn_7d between 1 and 2 and dining_txn_7d >= 3
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: fix the contradictory conditions (check the bounds and the and/or)
  never_fires.mmr:27:8: warning: rule impossible_band can never fire: `age_band in ["18-24"]` contradicts `age_band == "25-34"` [MMR-W012 never-fires]
     27 |   when age_band in ["18-24"] and age_band == "25-34"
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: fix the contradictory conditions (check the bounds and the and/or)
  never_fires.mmr:34:8: warning: rule impossible_audience can never fire: `age_band == "18-24"` contradicts `age_band not in ["18-24", "25-34"]` [MMR-W012 never-fires]
     34 |   when dining_txn_7d >= 3 and age_band == "18-24"
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: fix the contradictory conditions (check the bounds and the and/or)
  never_fires.mmr:42:8: warning: rule missing_and_compared can never fire: `wants_share_30d is missing` contradicts `not (wants_share_30d > 35%)` [MMR-W012 never-fires]
     42 |   when wants_share_30d is missing and not (wants_share_30d > 35%)
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: fix the contradictory conditions (check the bounds and the and/or)

JSON, one object per line:

  $ mmr lint never_fires.mmr --format json
  {"file":"never_fires.mmr","line":13,"col":8,"end_line":13,"end_col":46,"severity":"warning","code":"MMR-W012","name":"never-fires","message":"rule impossible_bounds can never fire: `dining_txn_7d > 5` contradicts `dining_txn_7d < 3`","hint":"fix the contradictory conditions (check the bounds and the and/or)"}
  {"file":"never_fires.mmr","line":20,"col":8,"end_line":20,"end_col":59,"severity":"warning","code":"MMR-W012","name":"never-fires","message":"rule impossible_between can never fire: `dining_txn_7d between 1 and 2` contradicts `dining_txn_7d >= 3`","hint":"fix the contradictory conditions (check the bounds and the and/or)"}
  {"file":"never_fires.mmr","line":27,"col":8,"end_line":27,"end_col":52,"severity":"warning","code":"MMR-W012","name":"never-fires","message":"rule impossible_band can never fire: `age_band in [\"18-24\"]` contradicts `age_band == \"25-34\"`","hint":"fix the contradictory conditions (check the bounds and the and/or)"}
  {"file":"never_fires.mmr","line":34,"col":8,"end_line":34,"end_col":49,"severity":"warning","code":"MMR-W012","name":"never-fires","message":"rule impossible_audience can never fire: `age_band == \"18-24\"` contradicts `age_band not in [\"18-24\", \"25-34\"]`","hint":"fix the contradictory conditions (check the bounds and the and/or)"}
  {"file":"never_fires.mmr","line":42,"col":8,"end_line":42,"end_col":65,"severity":"warning","code":"MMR-W012","name":"never-fires","message":"rule missing_and_compared can never fire: `wants_share_30d is missing` contradicts `not (wants_share_30d > 35%)`","hint":"fix the contradictory conditions (check the bounds and the and/or)"}

SARIF results (the whole log is in sarif.t):

  $ mmr lint never_fires.mmr --format sarif | python3 sarif_results.py
  warning MMR-W012[13] never_fires.mmr:13:8 rule impossible_bounds can never fire: `dining_txn_7d > 5` contradicts `dining_txn_7d < 3`
  warning MMR-W012[13] never_fires.mmr:20:8 rule impossible_between can never fire: `dining_txn_7d between 1 and 2` contradicts `dining_txn_7d >= 3`
  warning MMR-W012[13] never_fires.mmr:27:8 rule impossible_band can never fire: `age_band in ["18-24"]` contradicts `age_band == "25-34"`
  warning MMR-W012[13] never_fires.mmr:34:8 rule impossible_audience can never fire: `age_band == "18-24"` contradicts `age_band not in ["18-24", "25-34"]`
  warning MMR-W012[13] never_fires.mmr:42:8 rule missing_and_compared can never fire: `wants_share_30d is missing` contradicts `not (wants_share_30d > 35%)`
