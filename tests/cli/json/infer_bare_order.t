Names declared from their use take their type from the operators that
carry one, in any order: `is_missing` alone says nothing, `in` with text
says text.

  $ cat > "$TESTTMP/a.json" <<'J'
  > {"rules": [{"name": "r", "priority": 1, "expression_json": {"if": {"city": {"is_missing": false, "in": ["pune"]}}, "message_template_id": "T", "category": "dining"}}],
  >  "templates": [{"template_id": "T", "title": "t", "body": "b"}]}
  > J
  $ cd "$TESTTMP" && mmr import a.json 2>&1 | grep -E "warning|error|when"
  a.json: $.rules[0].expression_json.if.city: warning: "city" is not declared in std/moneymoments; declared as `signal city : text` from its use
    when city is present and city in ["pune"]
  $ cat > "$TESTTMP/b.json" <<'J'
  > {"rules": [{"name": "r", "priority": 1, "expression_json": {"if": {"city": {"in": ["pune"], "is_missing": false}}, "message_template_id": "T", "category": "dining"}}],
  >  "templates": [{"template_id": "T", "title": "t", "body": "b"}]}
  > J
  $ cd "$TESTTMP" && mmr import b.json 2>&1 | grep -E "warning|error|when"
  b.json: $.rules[0].expression_json.if.city: warning: "city" is not declared in std/moneymoments; declared as `signal city : text` from its use
    when city in ["pune"] and city is present

The type is decided where a use first tells it; a later use with another
type is an error naming both places.

  $ cat > "$TESTTMP/c.json" <<'J'
  > {"rules": [{"name": "r", "priority": 1, "expression_json": {"if": {"city": {"is_missing": false}, "any": [{"city": "pune"}, {"city": {">": 3}}]}, "message_template_id": "T", "category": "dining"}}],
  >  "templates": [{"template_id": "T", "title": "t", "body": "b"}]}
  > J
  $ cd "$TESTTMP" && mmr import c.json
  c.json: $.rules[0].expression_json.if.city: warning: "city" is not declared in std/moneymoments; declared as `signal city : text` from its use at $.rules[0].expression_json.if.any[0].city
    hint: declare it in the "signals" section to choose its type
  c.json: $.rules[0].expression_json.if.any[1].city: error: "city" is used as number here, but as text at c.json: $.rules[0].expression_json.if.any[0].city
  [1]

The spec's FR-MM-2 example, an expression_json alone, is a rule too: named
after its template, priority 0, with a warning that says how to choose.

  $ cat > "$TESTTMP/spec.json" <<'J'
  > [
  >   {"template_id": "DINE_01", "title": "Oops! Dining spike detected", "body": "Time to cook?", "category": "dining"},
  >   {
  >     "if": {
  >       "dining_txn_7d": { ">=": 3 },
  >       "wants_share_30d": { ">": 0.35 }
  >     },
  >     "message_template_id": "DINE_01"
  >   }
  > ]
  > J
  $ cd "$TESTTMP" && mmr import spec.json
  spec.json: $[1]: warning: a bare rule expression: made rule "dine_01" with priority 0
    hint: to choose them, write a rule row: {"name": …, "priority": N, "expression_json": {"if": …, "message_template_id": …}}
  import "std/moneymoments"
  
  template DINE_01 {
    title "Oops! Dining spike detected"
    body "Time to cook?"
    category dining
  }
  
  rule dine_01 {
    priority 0
    when dining_txn_7d >= 3 and wants_share_30d > 0.35
    message DINE_01
  }

Pasted alone, without its template, it says what is missing:

  $ cat > "$TESTTMP/bare.json" <<'J'
  > {"if": {"dining_txn_7d": {">=": 3}}, "message_template_id": "DINE_01"}
  > J
  $ cd "$TESTTMP" && mmr import bare.json
  bare.json: $: warning: a bare rule expression: made rule "dine_01" with priority 0
    hint: to choose them, write a rule row: {"name": …, "priority": N, "expression_json": {"if": …, "message_template_id": …}}
  bare.json: $.message_template_id: error: unknown template "DINE_01"
  [1]

Errors come in file order, although templates are read before rules.

  $ cat > "$TESTTMP/order.json" <<'J'
  > [
  >   {"name": "r1", "priority": 5000, "expression_json": {"if": {"dining_txn_7d": {">=": 3}}, "message_template_id": "T1"}},
  >   {"template_id": "T1", "title": "t", "body": "b", "tone": "not a word"},
  >   {"name": "r2", "priority": 1, "expression_json": {"if": {"dining_txn_7d": {"=>": 3}}, "message_template_id": "T1"}}
  > ]
  > J
  $ cd "$TESTTMP" && mmr import order.json
  order.json: $[0].priority: error: priority must be an integer from 0 to 1000, got 5000
  order.json: $[1].tone: error: tone must be one word of letters, digits and _, got "not a word"
  order.json: $[2].expression_json.if.dining_txn_7d: error: unknown operator "=>"
    hint: operators are == != > >= < <= in not_in between is_missing is_present
  [1]
