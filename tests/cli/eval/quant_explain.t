--explain shows, under a condition, what it computed: for a quantifier,
each key it visited with its predicate's conditions (operand values and
truth); for a call, its arguments and result. Here `any` did not fire:
Food went 200 -> 240 (pct_change 0.2, not above 25%) and Travel has no
previous value (pct_change is missing, so its comparison is unknown).
The let holding a number shows its value, not a truth.

  $ mmr eval quant.mmr --signals quant.ndjson --user p1 --explain=text
  user p1: selected half_spend
    candidates: half_spend
    let half = 50
    rule category_jump (priority 20): not fired
      when: unknown
        unknown  any c in cur where pct_change(cur[c], prev[c]) > 25%   quant.mmr:24:8
          c = "Food": false
            false    pct_change(cur[c], prev[c]) > 25%   [0.2, 0.25]   quant.mmr:24:27
              call     pct_change(cur[c], prev[c])   (240, 200) -> 0.2   quant.mmr:24:27
          c = "Travel": unknown
            unknown  pct_change(cur[c], prev[c]) > 25%   [missing, 0.25]   quant.mmr:24:27
              call     pct_change(cur[c], prev[c])   (300, missing) -> missing   quant.mmr:24:27
    rule half_spend (priority 10): fired with half = 50
      when: true
        true     half > 40   [50, 40]   quant.mmr:30:8
        true     abs(total_spend_7d - 120) < 30   [20, 30]   quant.mmr:30:22
          call     abs(total_spend_7d - 120)   (-20) -> 20   quant.mmr:30:22
  $ mmr eval quant.mmr --signals quant.ndjson --user p1 --explain | python3 -m json.tool
  {
      "user_id": "p1",
      "as_of": null,
      "candidates": [
          "half_spend"
      ],
      "selected": "half_spend",
      "explain": [
          {
              "rule": "category_jump",
              "priority": 20,
              "fired": false,
              "when": "unknown",
              "conditions": [
                  {
                      "cond": "any c in cur where pct_change(cur[c], prev[c]) > 25%",
                      "at": "quant.mmr:24:8",
                      "values": [],
                      "result": "unknown",
                      "keys": [
                          {
                              "var": "c",
                              "key": "Food",
                              "result": "false",
                              "conditions": [
                                  {
                                      "cond": "pct_change(cur[c], prev[c]) > 25%",
                                      "at": "quant.mmr:24:27",
                                      "values": [
                                          0.2,
                                          0.25
                                      ],
                                      "result": "false",
                                      "calls": [
                                          {
                                              "call": "pct_change(cur[c], prev[c])",
                                              "at": "quant.mmr:24:27",
                                              "args": [
                                                  240,
                                                  200
                                              ],
                                              "result": 0.2
                                          }
                                      ]
                                  }
                              ]
                          },
                          {
                              "var": "c",
                              "key": "Travel",
                              "result": "unknown",
                              "conditions": [
                                  {
                                      "cond": "pct_change(cur[c], prev[c]) > 25%",
                                      "at": "quant.mmr:24:27",
                                      "values": [
                                          null,
                                          0.25
                                      ],
                                      "result": "unknown",
                                      "calls": [
                                          {
                                              "call": "pct_change(cur[c], prev[c])",
                                              "at": "quant.mmr:24:27",
                                              "args": [
                                                  300,
                                                  null
                                              ],
                                              "result": null
                                          }
                                      ]
                                  }
                              ]
                          }
                      ]
                  }
              ]
          },
          {
              "rule": "half_spend",
              "priority": 10,
              "fired": true,
              "values": {
                  "half": 50
              },
              "when": "true",
              "conditions": [
                  {
                      "cond": "half > 40",
                      "at": "quant.mmr:30:8",
                      "values": [
                          50,
                          40
                      ],
                      "result": "true"
                  },
                  {
                      "cond": "abs(total_spend_7d - 120) < 30",
                      "at": "quant.mmr:30:22",
                      "values": [
                          20,
                          30
                      ],
                      "result": "true",
                      "calls": [
                          {
                              "call": "abs(total_spend_7d - 120)",
                              "at": "quant.mmr:30:22",
                              "args": [
                                  -20
                              ],
                              "result": 20
                          }
                      ]
                  }
              ]
          }
      ],
      "lets": [
          {
              "let": "half",
              "value": 50,
              "conditions": []
          }
      ]
  }

At most 20 keys are shown per condition; the output says how many more
the quantifier visited (`any` goes on while its predicate is false; here
none of the 23 keys is up):

  $ mmr eval quant.mmr --signals quant.ndjson --user p2 --explain=text | sed -n '/rule category_jump/,/rule half_spend/p' | tail -4
            false    pct_change(cur[c], prev[c]) > 25%   [0, 0.25]   quant.mmr:24:27
              call     pct_change(cur[c], prev[c])   (10, 10) -> 0   quant.mmr:24:27
          ... 3 more keys not shown
    rule half_spend (priority 10): not fired
  $ mmr eval quant.mmr --signals quant.ndjson --user p2 --explain | python3 -c 'import json,sys; c=json.load(sys.stdin)["explain"][0]["conditions"][0]; print(len(c["keys"]), c["keys_not_shown"], c["keys"][0])'
  20 3 {'var': 'c', 'key': 'c00', 'result': 'false', 'conditions': [{'cond': 'pct_change(cur[c], prev[c]) > 25%', 'at': 'quant.mmr:24:27', 'values': [0, 0.25], 'result': 'false', 'calls': [{'call': 'pct_change(cur[c], prev[c])', 'at': 'quant.mmr:24:27', 'args': [10, 10], 'result': 0}]}]}
