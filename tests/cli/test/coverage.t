Coverage of the small suite, by hand. Conditions (program order):
alpha: a > 5, b < 2, the whole when; beta: b >= 0.5, the whole when;
gamma: a > 100, a < -100, the whole when. Eight in all.

  test                   a   b     alpha      beta     gamma
  both fire, beta wins   6   1     T T T      T T      F F F
  no b, no nudge         1   -     F U F      U U      F F F
  small b, no nudge      2   0.1   F T F      F F      F F F
  alpha without a name   6   0.1   T T T      F F      F F F

Seen true and false: a > 5, alpha's when, b >= 0.5, beta's when = 4/8
(50%); b < 2 was never false. Seen unknown: b < 2, b >= 0.5, beta's
when = 3. alpha and beta were candidates, gamma never: 2/3 (66%, rounded
down).

  $ mmr test small --coverage
  coverage (T seen true, F seen false, U seen unknown):
  alpha (fired)  2/3 conditions  66%
    T F -  when: a > 5
    T - U  when: b < 2
    T F -  when (all): a > 5 and b < 2
  beta (fired)  2/2 conditions  100%
    T F U  when: b >= 0.5
    T F U  when (all): b >= 0.5
  gamma (never fired)  0/3 conditions  0%
    - F -  when: a > 100
    - F -  when: a < -100
    - F -  when (all): a > 100 or a < -100
  rule coverage: 2/3 rules fired (66%)
  condition coverage: 4/8 conditions seen true and false (50%), 3 seen unknown
  rules no test fires: gamma
  4 passed, 0 failed

  $ mmr test small --coverage --coverage-format json
  {
    "rules": [
      {
        "rule": "alpha",
        "fired": 2,
        "delivered": 0,
        "conditions": [
          {
            "part": "when",
            "whole": false,
            "text": "a > 5",
            "file": "small/small.mmr",
            "line": 26,
            "true": true,
            "false": true,
            "unknown": false
          },
          {
            "part": "when",
            "whole": false,
            "text": "b < 2",
            "file": "small/small.mmr",
            "line": 26,
            "true": true,
            "false": false,
            "unknown": true
          },
          {
            "part": "when",
            "whole": true,
            "text": "a > 5 and b < 2",
            "file": "small/small.mmr",
            "line": 26,
            "true": true,
            "false": true,
            "unknown": false
          }
        ]
      },
      {
        "rule": "beta",
        "fired": 1,
        "delivered": 1,
        "conditions": [
          {
            "part": "when",
            "whole": false,
            "text": "b >= 0.5",
            "file": "small/small.mmr",
            "line": 33,
            "true": true,
            "false": true,
            "unknown": true
          },
          {
            "part": "when",
            "whole": true,
            "text": "b >= 0.5",
            "file": "small/small.mmr",
            "line": 33,
            "true": true,
            "false": true,
            "unknown": true
          }
        ]
      },
      {
        "rule": "gamma",
        "fired": 0,
        "delivered": 0,
        "conditions": [
          {
            "part": "when",
            "whole": false,
            "text": "a > 100",
            "file": "small/small.mmr",
            "line": 39,
            "true": false,
            "false": true,
            "unknown": false
          },
          {
            "part": "when",
            "whole": false,
            "text": "a < -100",
            "file": "small/small.mmr",
            "line": 39,
            "true": false,
            "false": true,
            "unknown": false
          },
          {
            "part": "when",
            "whole": true,
            "text": "a > 100 or a < -100",
            "file": "small/small.mmr",
            "line": 39,
            "true": false,
            "false": true,
            "unknown": false
          }
        ]
      }
    ],
    "lets": [],
    "rule_coverage": {
      "fired": 2,
      "total": 3,
      "percent": 66
    },
    "condition_coverage": {
      "covered": 4,
      "total": 8,
      "percent": 50,
      "unknown_seen": 3
    },
    "unfired": [
      "gamma"
    ]
  }
  4 passed, 0 failed
