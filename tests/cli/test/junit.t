--junit FILE writes a JUnit XML report: one <testsuite> per test file (its
name is the path as loaded), one <testcase> per test (classname = the
file), a <failure> whose message is the first failed expectation with its
FILE:LINE (and the whole text report of the test as its text). The text
report on stdout and the exit status are as without --junit; the file is
written whole also when tests fail. (sed shows the control character in a
test name as <01>.)

  $ mmr test junit --junit "$TESTTMP/report.xml" | sed 's/\x01/<01>/g'; echo "exit ${PIPESTATUS[0]}"
  junit/names.mmr:11: test "control <01> tab	 emoji 🙂": expected body contains "\u{2}", got body "Hi x\u{7}y <&>"
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: overspend
    decisions:
      overspend (priority 10): delivered: "Over by 150" / "Hi x\u{7}y <&>"
    explain:
      overspend when: spend > 100 -> true [150, 100]
      overspend when (all): spend > 100 -> true
  junit/rules.mmr:29: test "under budget": expected nudge overspend, got no nudge
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: none
    explain:
      overspend when: spend > 100 -> false [50, 100]
      overspend when (all): spend > 100 -> false
  2 passed, 2 failed
  exit 1

Times vary, so they are normalised. Markup characters are entities; a
control character in a name is written \u{1} (XML 1.0 cannot hold it), a
tab or newline in an attribute as a character reference:

  $ sed -E 's/time="[0-9]+\.[0-9]{3}"/time="T"/g' "$TESTTMP/report.xml"
  <?xml version="1.0" encoding="UTF-8"?>
  <testsuites name="mmr test" tests="4" failures="2" errors="0" skipped="0" time="T">
    <testsuite name="junit/names.mmr" tests="2" failures="1" errors="0" skipped="0" time="T">
      <testcase classname="junit/names.mmr" name="quotes &quot;q&quot; &amp; &lt;tags&gt; 'apos'" file="junit/names.mmr" line="4" time="T"/>
      <testcase classname="junit/names.mmr" name="control \u{1} tab&#9; emoji 🙂" file="junit/names.mmr" line="9" time="T">
        <failure message="junit/names.mmr:11: expected body contains &quot;\u{2}&quot;, got body &quot;Hi x\u{7}y &lt;&amp;&gt;&quot;" type="expectation">junit/names.mmr:11: test "control \u{1} tab	 emoji 🙂": expected body contains "\u{2}", got body "Hi x\u{7}y &lt;&amp;&gt;"
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: overspend
    decisions:
      overspend (priority 10): delivered: "Over by 150" / "Hi x\u{7}y &lt;&amp;&gt;"
    explain:
      overspend when: spend &gt; 100 -&gt; true [150, 100]
      overspend when (all): spend &gt; 100 -&gt; true
  </failure>
      </testcase>
    </testsuite>
    <testsuite name="junit/rules.mmr" tests="2" failures="1" errors="0" skipped="0" time="T">
      <testcase classname="junit/rules.mmr" name="over budget" file="junit/rules.mmr" line="22" time="T"/>
      <testcase classname="junit/rules.mmr" name="under budget" file="junit/rules.mmr" line="27" time="T">
        <failure message="junit/rules.mmr:29: expected nudge overspend, got no nudge" type="expectation">junit/rules.mmr:29: test "under budget": expected nudge overspend, got no nudge
    at 2025-10-26T06:30:00Z (06:30 UTC)
    candidates: none
    explain:
      overspend when: spend &gt; 100 -&gt; false [50, 100]
      overspend when (all): spend &gt; 100 -&gt; false
  </failure>
      </testcase>
    </testsuite>
  </testsuites>

The report is well-formed XML with the structure JUnit consumers read
(testsuites/testsuite/testcase/failure, the counts adding up, times with
three decimals; see reports/check_junit.py):

  $ python3 reports/check_junit.py "$TESTTMP/report.xml"
  suite junit/names.mmr
    pass     quotes "q" & <tags> 'apos'
    failure  control \u{1} tab	 emoji 🙂: junit/names.mmr:11: expected body contains "\u{2}", got body "Hi x\u{7}y <&>"
  suite junit/rules.mmr
    pass     over budget
    failure  under budget: junit/rules.mmr:29: expected nudge overspend, got no nudge
  total tests=4 failures=2 errors=0 skipped=0

The file is written whole through a temporary renamed over it: nothing else
is left beside it, and an existing report is replaced.

  $ ls "$TESTTMP"
  report.xml
  $ mmr test small --junit "$TESTTMP/report.xml"
  4 passed, 0 failed
  $ python3 reports/check_junit.py "$TESTTMP/report.xml"
  suite small/small.mmr
    pass     both fire, beta wins
    pass     no b, no nudge
    pass     small b, no nudge
    pass     alpha without a name
  total tests=4 failures=0 errors=0 skipped=0
  $ ls "$TESTTMP"
  report.xml

--junit - writes the XML to stdout; the text report (failures and the
closing line) then goes to stderr, so stdout holds only the XML:

  $ mmr test junit --junit - 2>/dev/null | python3 reports/check_junit.py - | tail -1
  total tests=4 failures=2 errors=0 skipped=0
  $ diff <(mmr test junit 2>&1) <(mmr test junit --junit - 2>&1 >/dev/null) && echo "stderr: the text report"
  stderr: the text report
  $ mmr test small --junit - 2>/dev/null | sed -E 's/time="[0-9]+\.[0-9]{3}"/time="T"/g'
  <?xml version="1.0" encoding="UTF-8"?>
  <testsuites name="mmr test" tests="4" failures="0" errors="0" skipped="0" time="T">
    <testsuite name="small/small.mmr" tests="4" failures="0" errors="0" skipped="0" time="T">
      <testcase classname="small/small.mmr" name="both fire, beta wins" file="small/small.mmr" line="48" time="T"/>
      <testcase classname="small/small.mmr" name="no b, no nudge" file="small/small.mmr" line="57" time="T"/>
      <testcase classname="small/small.mmr" name="small b, no nudge" file="small/small.mmr" line="62" time="T"/>
      <testcase classname="small/small.mmr" name="alpha without a name" file="small/small.mmr" line="67" time="T"/>
    </testsuite>
  </testsuites>

Tests --filter leaves out are <skipped> (the text report does not count
them):

  $ mmr test small --filter beta --junit - | python3 reports/check_junit.py
  1 passed, 0 failed
  suite small/small.mmr
    pass     both fire, beta wins
    skipped  no b, no nudge: not selected by --filter
    skipped  small b, no nudge: not selected by --filter
    skipped  alpha without a name: not selected by --filter
  total tests=4 failures=0 errors=0 skipped=3

A test with several failed expectations has one <failure>: the first, and
how many more (all are in its text):

  $ mmr test failing --junit - 2>/dev/null | python3 reports/check_junit.py
  suite failing/rules.mmr
    pass     passes
    failure  wrong nudge: failing/rules.mmr:55: expected nudge alpha, got nudge beta
    failure  muted goal lets alpha through: failing/rules.mmr:61: expected no nudge, got nudge alpha
    failure  wrong candidates: failing/rules.mmr:66: expected candidates [gamma], got [beta, alpha]
    failure  wrong reason: failing/rules.mmr:73: expected suppressed beta because daily_cap, got suppressed beta because cooldown (and 1 more)
    failure  wrong texts: failing/rules.mmr:79: expected title contains "Zzz", got title "A is 6" (and 1 more)
    failure  nothing delivered: failing/rules.mmr:86: expected nudge beta, got no nudge (and 1 more)
  total tests=7 failures=6 errors=0 skipped=0

A test that cannot run to the decision (here: bad transactions) is an
<error>, not a <failure>:

  $ mmr test txn/bad.mmr --junit - 2>/dev/null | python3 reports/check_junit.py
  suite txn/bad.mmr
    error    missing ts: txn/bad.mmr:19: a transaction needs ts
    error    negative amount: txn/bad.mmr:26: transaction amount must be a positive number
    error    unknown field: txn/bad.mmr:33: unknown transaction field "shop" (the fields are ts, amount, type, category, merchant, recurring, txn_id)
    error    a refund is not a type: txn/bad.mmr:40: transaction type must be "expense" or "income", got "refund"
    error    missing amount and category: txn/bad.mmr:48: a transaction needs amount
    error    amount is a number: txn/bad.mmr:56: transaction amount must be a positive number
    error    recurring is a bool: txn/bad.mmr:63: transaction field recurring must be true or false
  total tests=7 failures=0 errors=7 skipped=0

A ruleset that does not compile runs no test; the report then holds one
test case in error with the diagnostics, so CI shows why:

  $ mmr test bad/unknown.mmr --junit "$TESTTMP/bad.xml" 2>/dev/null
  [1]
  $ sed -E 's/time="[0-9]+\.[0-9]{3}"/time="T"/g' "$TESTTMP/bad.xml"
  <?xml version="1.0" encoding="UTF-8"?>
  <testsuites name="mmr test" tests="1" failures="0" errors="1" skipped="0" time="T">
    <testsuite name="bad/unknown.mmr" tests="1" failures="0" errors="1" skipped="0" time="T">
      <testcase classname="bad/unknown.mmr" name="the ruleset compiles" time="T">
        <error message="the ruleset has 1 error" type="ruleset">bad/unknown.mmr:16:18: error: unknown signal "dinning_txn_7d"
  </error>
      </testcase>
    </testsuite>
  </testsuites>
  $ python3 reports/check_junit.py "$TESTTMP/bad.xml"
  suite bad/unknown.mmr
    error    the ruleset compiles: the ruleset has 1 error
  total tests=1 failures=0 errors=1 skipped=0

A path that is not UTF-8 (or holds XML's special characters) still makes
valid XML: the bad byte becomes U+FFFD.

  $ cd "$TESTTMP" && cp "$OLDPWD/junit/rules.mmr" "$(printf 'b\xff"&<.mmr')"
  > mmr test . --junit - 2>/dev/null | python3 "$OLDPWD/reports/check_junit.py"
  suite ./b�"&<.mmr
    pass     over budget
    failure  under budget: ./b�"&<.mmr:29: expected nudge overspend, got no nudge
  total tests=2 failures=1 errors=0 skipped=0

--format json and --junit FILE go together:

  $ mmr test small --format json --junit "$TESTTMP/j.xml" | grep '"passed": 4'
    "passed": 4,
  $ python3 reports/check_junit.py "$TESTTMP/j.xml" | tail -1
  total tests=4 failures=0 errors=0 skipped=0

Two outputs cannot share stdout, and the file must be writable:

  $ mmr test small --junit - --format json
  mmr test: --junit - and --format json would both write to stdout
  (see `mmr test --help`)
  [2]
  $ mmr test small --junit
  mmr test: --junit needs a value
  (see `mmr test --help`)
  [2]
  $ mmr test small --junit "$TESTTMP/no/such/dir/r.xml"
  mmr test: cannot write /tmp/mmrt-.*/no/such/dir/r.xml: No such file or directory (re)
  4 passed, 0 failed
  [1]
