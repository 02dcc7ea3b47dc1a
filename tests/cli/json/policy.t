The policy, the std imports and the derived signals and tests travel in
the export (`policy`, `imports`, `mmr`), so a ruleset without std imports
back without std. Policy values are checked as the .mmr policy's are, at
JSON paths.

  $ cat > "$TESTTMP/p.json" <<'J'
  > {"imports": [],
  >  "signals": [{"name": "spend_7d", "type": "number", "description": null}],
  >  "templates": [{"template_id": "T", "title": "Spent {spend_7d:money2}", "body": "b", "category": "home"}],
  >  "rules": [{"name": "r", "priority": 1, "expression_json": {"if": {"spend_7d": {">": 100}}, "message_template_id": "T"}}],
  >  "policy": {"max_nudges": 2, "per": "24h", "quiet_hours": "23:00 - 07:30", "timezone": "Asia/Kolkata", "categories": ["home"], "retention": "60d"},
  >  "mmr": "test \"fires\" {\n  given { spend_7d = 150.5 }\n  expect title == \"Spent ₹150.50\"\n}\n"}
  > J
  $ cd "$TESTTMP" && mmr import p.json
  signal spend_7d : number
  
  template T {
    title "Spent {spend_7d:money2}"
    body "b"
    category home
  }
  
  rule r {
    priority 1
    when spend_7d > 100
    message T
  }
  
  policy {
    max_nudges 2 per 24h
    quiet_hours 23:00 - 07:30
    timezone "Asia/Kolkata"
    categories [home]
    retention 60d
  }
  
  test "fires" {
    given { spend_7d = 150.5 }
    expect title == "Spent ₹150.50"
  }
  $ cd "$TESTTMP" && mmr test p.json
  1 passed, 0 failed
  $ cat > "$TESTTMP/bad.json" <<'J'
  > {"imports": ["std/nothing"],
  >  "policy": {"max_nudges": "two", "quiet_hours": "25:00 - 07:00", "timezone": "Mars/Base", "categories": ["a b"], "colour": 1},
  >  "mmr": "rule x { priority 1 }"}
  > J
  $ cd "$TESTTMP" && mmr import bad.json
  bad.json: $.imports[0]: error: "std/nothing" is not a std schema (only std/ paths can be imported from JSON)
  bad.json: $.policy.max_nudges: error: expected a whole number of nudges, got a string
  bad.json: $.policy.categories[0]: error: a category is a name (letters, digits, _), got "a b"
  bad.json: $.policy.colour: warning: unknown field "colour" is ignored
  bad.json: $.mmr: error: only derived signals and tests may be written here; use the rows, "signals", "traits" and "policy" for the rest
  [1]
  $ cat > "$TESTTMP/bad2.json" <<'J'
  > {"imports": [], "policy": {"quiet_hours": "25:00 - 07:00", "timezone": "Mars/Base"}}
  > J
  $ cd "$TESTTMP" && mmr import bad2.json
  bad2.json: $.policy.quiet_hours: error: invalid time of day "25:00"; expected HH:MM from 00:00 to 23:59
  [1]
