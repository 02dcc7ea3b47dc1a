Bad JSON rule files get a message naming the place and exit 1. Syntax
errors carry jansson's line and column; everything else names the JSON path
of the offending value.

An unknown operator in the fourth row (the design brief's example):

  $ mmr import bad_operator.json
  bad_operator.json: $[3].expression_json.if.dining_txn_7d: error: unknown operator "=>"
    hint: operators are == != > >= < <= in not_in between is_missing is_present
  [1]

Invalid JSON, a duplicate key, nesting beyond the limit:

  $ mmr import bad_syntax.json
  bad_syntax.json:3:89: error: invalid JSON: string or '}' expected near '}'
  [1]
  $ mmr import bad_duplicate.json
  bad_duplicate.json:1:57: error: invalid JSON: duplicate object key near '"priority"'
  [1]
  $ mmr import bad_deep.json
  bad_deep.json: $.expression_json.if.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not.not: error: conditions nested too deep (more than 32 levels)
  [1]

Missing required fields, wrong types, priority and cooldown out of range,
and a broken .mmr expression, each at its path:

  $ mmr import bad_fields.json
  bad_fields.json: $.rules[0]: error: missing required field "priority"
  bad_fields.json: $.rules[1].priority: error: priority must be an integer from 0 to 1000, got 5000
  bad_fields.json: $.rules[1].cooldown_days: error: cooldown_days must not be negative, got -2
  bad_fields.json: $.rules[2].description: error: expected a string, got an array
  bad_fields.json: $.rules[2].traits_filter_json.age_band.in: error: expected an array of values, got a string
  bad_fields.json: $.rules[2].expression_json: error: missing required field "message_template_id"
  bad_fields.json: $.rules[2].expression_json.if.wants_share_30d.between: error: expected [LOW, HIGH], got an array of another size
  bad_fields.json: $.rules[3].expression_json.mmr: error: in the .mmr expression, at the end: unexpected end of file; expected an expression
  bad_fields.json: $.templates[0]: error: missing required field "title"
  bad_fields.json: $.templates[0].tone: error: tone must be one word of letters, digits and _, got "very loud"
  [1]

Errors the checker finds in an imported file also name JSON paths:

  $ mmr import bad_check.json
  bad_check.json: $[0].expression_json.if.dining_txn_7d: error: cannot compare number with text
  bad_check.json: $[0].expression_json.message_template_id: error: unknown template "T9"
    hint: did you mean "T1"?
  bad_check.json: $[2].title: warning: "nobody" is not declared in std/moneymoments; declared as `signal nobody : number` from its use
    hint: declare it in the "signals" section to choose its type
  [1]

--no-check only imports, so the checker's errors are not looked for:

  $ mmr import --no-check bad_check.json > /dev/null
  bad_check.json: $[2].title: warning: "nobody" is not declared in std/moneymoments; declared as `signal nobody : number` from its use
    hint: declare it in the "signals" section to choose its type

Diagnostics as JSON objects:

  $ mmr import --format json bad_operator.json
  {"file":"bad_operator.json","path":"$[3].expression_json.if.dining_txn_7d","severity":"error","message":"unknown operator \"=>\"","hint":"operators are == != > >= < <= in not_in between is_missing is_present"}
  [1]

The same errors come from any command that loads the file:

  $ mmr check bad_operator.json
  bad_operator.json: $[3].expression_json.if.dining_txn_7d: error: unknown operator "=>"
    hint: operators are == != > >= < <= in not_in between is_missing is_present
  [1]
