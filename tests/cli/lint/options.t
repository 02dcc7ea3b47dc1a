--list prints the lint table:

  $ mmr lint --list
  MMR-E000  compile-error               error    The ruleset does not parse or type-check.
  MMR-E001  category-not-in-policy      error    A template or rule uses a category that is not in the policy's categories list.
  MMR-W001  unused-signal               warning  A signal or trait declared outside std/ is not used by any rule, let or template.
  MMR-W002  unused-let                  warning  A let is not used by any rule or other let.
  MMR-W003  unused-template             warning  A template is not the message of any rule.
  MMR-W004  duplicate-priority          warning  Two rules in one category have the same priority, so only their names decide which wins.
  MMR-W005  placeholder-may-be-missing  warning  A template placeholder is filled with a value that may be missing and has no `??` default, so the nudge can be suppressed.
  MMR-W006  tone-word                   warning  A template uses a shaming or alarming word from the tone word list (NFR-MM-4).
  MMR-W007  tone-caps                   warning  A template has an ALL-CAPS word, which reads as shouting (NFR-MM-4).
  MMR-W008  tone-exclaim                warning  A template title or body has more than one `!` (NFR-MM-4).
  MMR-W009  title-too-long              warning  A template title is longer than the limit (60 characters by default).
  MMR-W010  body-too-long               warning  A template body is longer than the limit (160 characters by default).
  MMR-W011  useless-allow               warning  A `# mmr: allow` comment names an unknown lint or silences nothing.
  MMR-W012  never-fires                 warning  A rule's when and audience can never both be true, so the rule never fires.

--strict turns warnings into errors (exit 1):

  $ mmr lint priority.mmr --strict
  priority.mmr:23:12: error: rule dining_share has the same priority (50) as rule dining_often in category dining; only their names decide which one wins [MMR-W004 duplicate-priority]
     23 |   priority 50
        |            ^~
    hint: give one of the rules a different priority
  [1]
  $ mmr lint clean.mmr --strict

The config file is found next to the ruleset, then upward to the repo
root; here confdir/.mmr-lint.conf raises the ! limit, allows SALE, adds
"splurge" to the words, disables unused-template and lowers title_max:

  $ mmr lint confdir/rules
  confdir/rules/nudges.mmr:4:9: warning: title of template SHOP_01 is 20 characters long (at most 16) [MMR-W009 title-too-long]
      4 |   title "Weekend SALE spree!!"
        |         ^~~~~~~~~~~~~~~~~~~~~~
    hint: shorten the title; the limit is `title_max` in mmr-lint.conf
  confdir/rules/nudges.mmr:5:8: warning: body of template SHOP_01 uses "splurge", a shaming or alarming word [MMR-W006 tone-word]
      5 |   body "A splurge now and then is fine. Park ₹500 first?"
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: say it in a neutral, helpful way; the word list is in mmr-lint.conf
  $ mmr lint confdir/rules/nudges.mmr --no-config
  confdir/rules/nudges.mmr:4:9: warning: title of template SHOP_01 has the ALL-CAPS word "SALE" [MMR-W007 tone-caps]
      4 |   title "Weekend SALE spree!!"
        |         ^~~~~~~~~~~~~~~~~~~~~~
    hint: write the word in normal case (acronyms can go in `caps_allow` in mmr-lint.conf)
  confdir/rules/nudges.mmr:4:9: warning: title of template SHOP_01 has 2 exclamation marks (at most 1) [MMR-W008 tone-exclaim]
      4 |   title "Weekend SALE spree!!"
        |         ^~~~~~~~~~~~~~~~~~~~~~
    hint: keep at most one exclamation mark
  confdir/rules/nudges.mmr:9:10: warning: template UNUSED_01 is not used by any rule [MMR-W003 unused-template]
      9 | template UNUSED_01 {
        |          ^~~~~~~~~~~
    hint: name it in a rule's `message`, or delete it

--config names one; lints can be disabled or made errors:

  $ mmr lint never_fires.mmr --config strict.conf 2>&1 | grep -c 'error: rule'
  5
  $ mmr lint priority.mmr --config strict.conf

Config errors have places and stop the lint:

  $ mmr lint clean.mmr --config bad.conf
  bad.conf:1:13: error: "title_max" must be a whole number from 0 to 100000
  bad.conf:2:1: error: unknown setting "colour" (see docs/lints.md, "Configuration")
  bad.conf:3:24: error: unknown lint "no-such-lint" (see `mmr lint --list`)
  bad.conf:4:1: error: unknown section "[phrases]" (known: [settings], [words], [caps_allow])
  [1]
  $ mmr lint clean.mmr --config no-such.conf
  no-such.conf: error: cannot read the lint config: No such file or directory
  [1]

The shipped default config parses:

  $ mmr lint clean.mmr --config ../../../rules/mmr-lint.conf

Usage errors:

  $ mmr lint
  mmr lint: no PATH given
  (see `mmr lint --help`)
  [2]
  $ mmr lint clean.mmr --format xml
  mmr lint: unknown format "xml" (text, json or sarif)
  (see `mmr lint --help`)
  [2]
  $ mmr lint clean.mmr --bogus
  mmr lint: unknown option "--bogus"
  (see `mmr lint --help`)
  [2]
  $ mmr lint --help | head -n 2
  usage: mmr lint PATH... [--format text|json|sarif] [--strict] [--config FILE]
                          [--output FILE]
