--format json prints one JSON document: every test with its candidates
and decisions; failing tests also carry their failures and explain trace.

  $ mmr test small --format json --filter "beta wins"
  {
    "tests": [
      {
        "name": "both fire, beta wins",
        "file": "small/small.mmr",
        "line": 48,
        "at": "2025-10-26T06:30:00Z",
        "candidates": [
          "beta",
          "alpha"
        ],
        "decisions": [
          {
            "rule": "beta",
            "priority": 20,
            "status": "delivered",
            "reason": null,
            "category": "goal",
            "title": "B",
            "body": "b is 100%"
          },
          {
            "rule": "alpha",
            "priority": 10,
            "status": "suppressed",
            "reason": "daily_cap",
            "category": "budget",
            "title": "A is 6",
            "body": "Hi Asha"
          }
        ],
        "zone": "UTC",
        "local_time": "06:30",
        "passed": true,
        "failures": []
      }
    ],
    "passed": 1,
    "failed": 0
  }

  $ mmr test failing --format json --filter "wrong reason"
  {
    "tests": [
      {
        "name": "wrong reason",
        "file": "failing/rules.mmr",
        "line": 69,
        "at": "2025-10-26T09:00:00Z",
        "candidates": [
          "beta",
          "alpha"
        ],
        "decisions": [
          {
            "rule": "beta",
            "priority": 20,
            "status": "suppressed",
            "reason": "cooldown",
            "category": "goal",
            "title": "B",
            "body": "b is 100%"
          },
          {
            "rule": "alpha",
            "priority": 10,
            "status": "suppressed",
            "reason": "daily_cap",
            "category": "budget",
            "title": "A is 6",
            "body": "Hi Asha"
          }
        ],
        "zone": "UTC",
        "local_time": "09:00",
        "trace": [
          {
            "cond": 0,
            "rule": "alpha",
            "part": "when",
            "whole": false,
            "text": "a > 5",
            "line": 26,
            "truth": "true",
            "operands": [
              6,
              5
            ]
          },
          {
            "cond": 1,
            "rule": "alpha",
            "part": "when",
            "whole": false,
            "text": "b < 2",
            "line": 26,
            "truth": "true",
            "operands": [
              1,
              2
            ]
          },
          {
            "cond": 2,
            "rule": "alpha",
            "part": "when",
            "whole": true,
            "text": "a > 5 and b < 2",
            "line": 26,
            "truth": "true",
            "operands": []
          },
          {
            "cond": 3,
            "rule": "beta",
            "part": "when",
            "whole": false,
            "text": "b >= 0.5",
            "line": 33,
            "truth": "true",
            "operands": [
              1,
              0.5
            ]
          },
          {
            "cond": 4,
            "rule": "beta",
            "part": "when",
            "whole": true,
            "text": "b >= 0.5",
            "line": 33,
            "truth": "true",
            "operands": []
          },
          {
            "cond": 5,
            "rule": "gamma",
            "part": "when",
            "whole": false,
            "text": "a > 100",
            "line": 39,
            "truth": "false",
            "operands": [
              6,
              100
            ]
          },
          {
            "cond": 6,
            "rule": "gamma",
            "part": "when",
            "whole": false,
            "text": "a < -100",
            "line": 39,
            "truth": "false",
            "operands": [
              6,
              -100
            ]
          },
          {
            "cond": 7,
            "rule": "gamma",
            "part": "when",
            "whole": true,
            "text": "a > 100 or a < -100",
            "line": 39,
            "truth": "false",
            "operands": []
          }
        ],
        "passed": false,
        "failures": [
          {
            "file": "failing/rules.mmr",
            "line": 73,
            "message": "expected suppressed beta because daily_cap, got suppressed beta because cooldown",
            "rules": [
              "beta"
            ]
          },
          {
            "file": "failing/rules.mmr",
            "line": 74,
            "message": "expected suppressed gamma because muted, got gamma not a candidate",
            "rules": [
              "gamma"
            ]
          }
        ]
      }
    ],
    "passed": 0,
    "failed": 1
  }
  [1]
