The whole SARIF 2.1.0 log for one ruleset: the driver lists every lint of
the table as a rule (id, name, descriptions, helpUri into docs/lints.md,
default level); each result points at its rule by id and index.

  $ mmr lint never_fires.mmr --format sarif
  {
    "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    "version": "2.1.0",
    "runs": [
      {
        "tool": {
          "driver": {
            "name": "mmr",
            "version": "0.1.0",
            "rules": [
              {
                "id": "MMR-E000",
                "name": "compile-error",
                "shortDescription": {
                  "text": "The ruleset does not parse or type-check."
                },
                "fullDescription": {
                  "text": "The ruleset does not parse or type-check. Fix: fix the error; `mmr check` reports the same."
                },
                "help": {
                  "text": "MMR-E000 compile-error: fix the error; `mmr check` reports the same."
                },
                "defaultConfiguration": {
                  "level": "error"
                }
              },
              {
                "id": "MMR-E001",
                "name": "category-not-in-policy",
                "shortDescription": {
                  "text": "A template or rule uses a category that is not in the policy's categories list."
                },
                "fullDescription": {
                  "text": "A template or rule uses a category that is not in the policy's categories list. Fix: use one of the policy's categories, or add this one to `categories [...]` in the policy."
                },
                "help": {
                  "text": "MMR-E001 category-not-in-policy: use one of the policy's categories, or add this one to `categories [...]` in the policy."
                },
                "defaultConfiguration": {
                  "level": "error"
                }
              },
              {
                "id": "MMR-W001",
                "name": "unused-signal",
                "shortDescription": {
                  "text": "A signal or trait declared outside std/ is not used by any rule, let or template."
                },
                "fullDescription": {
                  "text": "A signal or trait declared outside std/ is not used by any rule, let or template. Fix: use it in a rule, or delete the declaration."
                },
                "help": {
                  "text": "MMR-W001 unused-signal: use it in a rule, or delete the declaration."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W002",
                "name": "unused-let",
                "shortDescription": {
                  "text": "A let is not used by any rule or other let."
                },
                "fullDescription": {
                  "text": "A let is not used by any rule or other let. Fix: use it in a rule's when, audience or with, or delete it."
                },
                "help": {
                  "text": "MMR-W002 unused-let: use it in a rule's when, audience or with, or delete it."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W003",
                "name": "unused-template",
                "shortDescription": {
                  "text": "A template is not the message of any rule."
                },
                "fullDescription": {
                  "text": "A template is not the message of any rule. Fix: name it in a rule's `message`, or delete it."
                },
                "help": {
                  "text": "MMR-W003 unused-template: name it in a rule's `message`, or delete it."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W004",
                "name": "duplicate-priority",
                "shortDescription": {
                  "text": "Two rules in one category have the same priority, so only their names decide which wins."
                },
                "fullDescription": {
                  "text": "Two rules in one category have the same priority, so only their names decide which wins. Fix: give one of the rules a different priority."
                },
                "help": {
                  "text": "MMR-W004 duplicate-priority: give one of the rules a different priority."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W005",
                "name": "placeholder-may-be-missing",
                "shortDescription": {
                  "text": "A template placeholder is filled with a value that may be missing and has no `??` default, so the nudge can be suppressed."
                },
                "fullDescription": {
                  "text": "A template placeholder is filled with a value that may be missing and has no `??` default, so the nudge can be suppressed. Fix: bind it with a default in the rule: `with { NAME = EXPR ?? \"...\" }`."
                },
                "help": {
                  "text": "MMR-W005 placeholder-may-be-missing: bind it with a default in the rule: `with { NAME = EXPR ?? \"...\" }`."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W006",
                "name": "tone-word",
                "shortDescription": {
                  "text": "A template uses a shaming or alarming word from the tone word list (NFR-MM-4)."
                },
                "fullDescription": {
                  "text": "A template uses a shaming or alarming word from the tone word list (NFR-MM-4). Fix: say it in a neutral, helpful way; the word list is in mmr-lint.conf."
                },
                "help": {
                  "text": "MMR-W006 tone-word: say it in a neutral, helpful way; the word list is in mmr-lint.conf."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W007",
                "name": "tone-caps",
                "shortDescription": {
                  "text": "A template has an ALL-CAPS word, which reads as shouting (NFR-MM-4)."
                },
                "fullDescription": {
                  "text": "A template has an ALL-CAPS word, which reads as shouting (NFR-MM-4). Fix: write the word in normal case (acronyms can go in `caps_allow` in mmr-lint.conf)."
                },
                "help": {
                  "text": "MMR-W007 tone-caps: write the word in normal case (acronyms can go in `caps_allow` in mmr-lint.conf)."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W008",
                "name": "tone-exclaim",
                "shortDescription": {
                  "text": "A template title or body has more than one `!` (NFR-MM-4)."
                },
                "fullDescription": {
                  "text": "A template title or body has more than one `!` (NFR-MM-4). Fix: keep at most one exclamation mark."
                },
                "help": {
                  "text": "MMR-W008 tone-exclaim: keep at most one exclamation mark."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W009",
                "name": "title-too-long",
                "shortDescription": {
                  "text": "A template title is longer than the limit (60 characters by default)."
                },
                "fullDescription": {
                  "text": "A template title is longer than the limit (60 characters by default). Fix: shorten the title; the limit is `title_max` in mmr-lint.conf."
                },
                "help": {
                  "text": "MMR-W009 title-too-long: shorten the title; the limit is `title_max` in mmr-lint.conf."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W010",
                "name": "body-too-long",
                "shortDescription": {
                  "text": "A template body is longer than the limit (160 characters by default)."
                },
                "fullDescription": {
                  "text": "A template body is longer than the limit (160 characters by default). Fix: shorten the body; the limit is `body_max` in mmr-lint.conf."
                },
                "help": {
                  "text": "MMR-W010 body-too-long: shorten the body; the limit is `body_max` in mmr-lint.conf."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W011",
                "name": "useless-allow",
                "shortDescription": {
                  "text": "A `# mmr: allow` comment names an unknown lint or silences nothing."
                },
                "fullDescription": {
                  "text": "A `# mmr: allow` comment names an unknown lint or silences nothing. Fix: fix the lint id or name, or delete the comment."
                },
                "help": {
                  "text": "MMR-W011 useless-allow: fix the lint id or name, or delete the comment."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              },
              {
                "id": "MMR-W012",
                "name": "never-fires",
                "shortDescription": {
                  "text": "A rule's when and audience can never both be true, so the rule never fires."
                },
                "fullDescription": {
                  "text": "A rule's when and audience can never both be true, so the rule never fires. Fix: fix the contradictory conditions (check the bounds and the and/or)."
                },
                "help": {
                  "text": "MMR-W012 never-fires: fix the contradictory conditions (check the bounds and the and/or)."
                },
                "defaultConfiguration": {
                  "level": "warning"
                }
              }
            ]
          }
        },
        "results": [
          {
            "ruleId": "MMR-W012",
            "ruleIndex": 13,
            "level": "warning",
            "message": {
              "text": "rule impossible_bounds can never fire: `dining_txn_7d > 5` contradicts `dining_txn_7d < 3`"
            },
            "locations": [
              {
                "physicalLocation": {
                  "artifactLocation": {
                    "uri": "never_fires.mmr",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "region": {
                    "startLine": 13,
                    "startColumn": 8,
                    "endLine": 13,
                    "endColumn": 47
                  }
                }
              }
            ]
          },
          {
            "ruleId": "MMR-W012",
            "ruleIndex": 13,
            "level": "warning",
            "message": {
              "text": "rule impossible_between can never fire: `dining_txn_7d between 1 and 2` contradicts `dining_txn_7d >= 3`"
            },
            "locations": [
              {
                "physicalLocation": {
                  "artifactLocation": {
                    "uri": "never_fires.mmr",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "region": {
                    "startLine": 20,
                    "startColumn": 8,
                    "endLine": 20,
                    "endColumn": 60
                  }
                }
              }
            ]
          },
          {
            "ruleId": "MMR-W012",
            "ruleIndex": 13,
            "level": "warning",
            "message": {
              "text": "rule impossible_band can never fire: `age_band in [\"18-24\"]` contradicts `age_band == \"25-34\"`"
            },
            "locations": [
              {
                "physicalLocation": {
                  "artifactLocation": {
                    "uri": "never_fires.mmr",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "region": {
                    "startLine": 27,
                    "startColumn": 8,
                    "endLine": 27,
                    "endColumn": 53
                  }
                }
              }
            ]
          },
          {
            "ruleId": "MMR-W012",
            "ruleIndex": 13,
            "level": "warning",
            "message": {
              "text": "rule impossible_audience can never fire: `age_band == \"18-24\"` contradicts `age_band not in [\"18-24\", \"25-34\"]`"
            },
            "locations": [
              {
                "physicalLocation": {
                  "artifactLocation": {
                    "uri": "never_fires.mmr",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "region": {
                    "startLine": 34,
                    "startColumn": 8,
                    "endLine": 34,
                    "endColumn": 50
                  }
                }
              }
            ]
          },
          {
            "ruleId": "MMR-W012",
            "ruleIndex": 13,
            "level": "warning",
            "message": {
              "text": "rule missing_and_compared can never fire: `wants_share_30d is missing` contradicts `not (wants_share_30d > 35%)`"
            },
            "locations": [
              {
                "physicalLocation": {
                  "artifactLocation": {
                    "uri": "never_fires.mmr",
                    "uriBaseId": "%SRCROOT%"
                  },
                  "region": {
                    "startLine": 42,
                    "startColumn": 8,
                    "endLine": 42,
                    "endColumn": 66
                  }
                }
              }
            ]
          }
        ],
        "columnKind": "unicodeCodePoints"
      }
    ]
  }

Every format-sarif output validates against the SARIF 2.1.0 schema and
carries what GitHub code scanning needs (relative uri with %SRCROOT%,
ruleIndex matching ruleId, absolute helpUri anchors):

  $ for f in never_fires unused priority placeholder tone category allow clean; do
  >   mmr lint $f.mmr --format sarif > $TESTTMP/$f.sarif
  >   python3 sarif_check.py $TESTTMP/$f.sarif
  > done
  sarif ok: 5 results, 14 rules
  sarif ok: 3 results, 14 rules
  sarif ok: 1 results, 14 rules
  sarif ok: 3 results, 14 rules
  sarif ok: 9 results, 14 rules
  sarif ok: 1 results, 14 rules
  sarif ok: 3 results, 14 rules
  sarif ok: 0 results, 14 rules

--strict makes the results errors too:

  $ mmr lint priority.mmr --strict --format sarif > $TESTTMP/strict.sarif
  [1]
  $ python3 sarif_results.py < $TESTTMP/strict.sarif
  error MMR-W004[5] priority.mmr:23:12 rule dining_share has the same priority (50) as rule dining_often in category dining; only their names decide which one wins

--output writes the log to a file; paths below the current directory are
made relative, others become file:// URIs:

  $ mmr lint $PWD/priority.mmr --format sarif --output $TESTTMP/abs.sarif
  $ python3 sarif_results.py < $TESTTMP/abs.sarif
  warning MMR-W004[5] priority.mmr:23:12 rule dining_share has the same priority (50) as rule dining_often in category dining; only their names decide which one wins
  $ cp priority.mmr $TESTTMP/elsewhere.mmr && mmr lint $TESTTMP/elsewhere.mmr --format sarif | python3 sarif_results.py | sed "s|$TESTTMP|TMP|"
  warning MMR-W004[5] (absolute) file://TMP/elsewhere.mmr:23:12 rule dining_share has the same priority (50) as rule dining_often in category dining; only their names decide which one wins

Files that do not parse are reported under MMR-E000:

  $ printf 'rule {\n' > $TESTTMP/broken.mmr && cd $TESTTMP && mmr lint broken.mmr --format sarif | python3 $OLDPWD/sarif_results.py
  error MMR-E000[0] broken.mmr:1:6 unexpected "{"; expected a name
