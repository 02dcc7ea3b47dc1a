MMR-W006..W010 tone (NFR-MM-4): words from the list, ALL-CAPS, more than one !, long titles and bodies. UPI and OK are allowed acronyms.

  $ mmr lint tone.mmr
  tone.mmr:5:9: warning: title of template BAD_01 uses "disaster", a shaming or alarming word [MMR-W006 tone-word]
      5 |   title "STOP wasting money!! This is a disaster"
        |         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: say it in a neutral, helpful way; the word list is in mmr-lint.conf
  tone.mmr:5:9: warning: title of template BAD_01 has the ALL-CAPS word "STOP" [MMR-W007 tone-caps]
      5 |   title "STOP wasting money!! This is a disaster"
        |         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: write the word in normal case (acronyms can go in `caps_allow` in mmr-lint.conf)
  tone.mmr:5:9: warning: title of template BAD_01 has 2 exclamation marks (at most 1) [MMR-W008 tone-exclaim]
      5 |   title "STOP wasting money!! This is a disaster"
        |         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: keep at most one exclamation mark
  tone.mmr:6:8: warning: body of template BAD_01 uses "lazy", a shaming or alarming word [MMR-W006 tone-word]
      6 |   body "Honestly, this is pathetic. Only lazy people order takeout five times a week, and at this rate you will be broke...
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: say it in a neutral, helpful way; the word list is in mmr-lint.conf
  tone.mmr:6:8: warning: body of template BAD_01 uses "pathetic", a shaming or alarming word [MMR-W006 tone-word]
      6 |   body "Honestly, this is pathetic. Only lazy people order takeout five times a week, and at this rate you will be broke...
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: say it in a neutral, helpful way; the word list is in mmr-lint.conf
  tone.mmr:6:8: warning: body of template BAD_01 uses "broke", a shaming or alarming word [MMR-W006 tone-word]
      6 |   body "Honestly, this is pathetic. Only lazy people order takeout five times a week, and at this rate you will be broke...
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: say it in a neutral, helpful way; the word list is in mmr-lint.conf
  tone.mmr:6:8: warning: body of template BAD_01 uses "act now", a shaming or alarming word [MMR-W006 tone-word]
      6 |   body "Honestly, this is pathetic. Only lazy people order takeout five times a week, and at this rate you will be broke...
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: say it in a neutral, helpful way; the word list is in mmr-lint.conf
  tone.mmr:6:8: warning: body of template BAD_01 is 180 characters long (at most 160) [MMR-W010 body-too-long]
      6 |   body "Honestly, this is pathetic. Only lazy people order takeout five times a week, and at this rate you will be broke...
        |        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: shorten the body; the limit is `body_max` in mmr-lint.conf
  tone.mmr:11:9: warning: title of template LONG_01 is 65 characters long (at most 60) [MMR-W009 title-too-long]
     11 |   title "This title goes on and on about your dining habits and your goals"
        |         ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
    hint: shorten the title; the limit is `title_max` in mmr-lint.conf

JSON, one object per line:

  $ mmr lint tone.mmr --format json
  {"file":"tone.mmr","line":5,"col":9,"end_line":5,"end_col":49,"severity":"warning","code":"MMR-W006","name":"tone-word","message":"title of template BAD_01 uses \"disaster\", a shaming or alarming word","hint":"say it in a neutral, helpful way; the word list is in mmr-lint.conf"}
  {"file":"tone.mmr","line":5,"col":9,"end_line":5,"end_col":49,"severity":"warning","code":"MMR-W007","name":"tone-caps","message":"title of template BAD_01 has the ALL-CAPS word \"STOP\"","hint":"write the word in normal case (acronyms can go in `caps_allow` in mmr-lint.conf)"}
  {"file":"tone.mmr","line":5,"col":9,"end_line":5,"end_col":49,"severity":"warning","code":"MMR-W008","name":"tone-exclaim","message":"title of template BAD_01 has 2 exclamation marks (at most 1)","hint":"keep at most one exclamation mark"}
  {"file":"tone.mmr","line":6,"col":8,"end_line":6,"end_col":189,"severity":"warning","code":"MMR-W006","name":"tone-word","message":"body of template BAD_01 uses \"lazy\", a shaming or alarming word","hint":"say it in a neutral, helpful way; the word list is in mmr-lint.conf"}
  {"file":"tone.mmr","line":6,"col":8,"end_line":6,"end_col":189,"severity":"warning","code":"MMR-W006","name":"tone-word","message":"body of template BAD_01 uses \"pathetic\", a shaming or alarming word","hint":"say it in a neutral, helpful way; the word list is in mmr-lint.conf"}
  {"file":"tone.mmr","line":6,"col":8,"end_line":6,"end_col":189,"severity":"warning","code":"MMR-W006","name":"tone-word","message":"body of template BAD_01 uses \"broke\", a shaming or alarming word","hint":"say it in a neutral, helpful way; the word list is in mmr-lint.conf"}
  {"file":"tone.mmr","line":6,"col":8,"end_line":6,"end_col":189,"severity":"warning","code":"MMR-W006","name":"tone-word","message":"body of template BAD_01 uses \"act now\", a shaming or alarming word","hint":"say it in a neutral, helpful way; the word list is in mmr-lint.conf"}
  {"file":"tone.mmr","line":6,"col":8,"end_line":6,"end_col":189,"severity":"warning","code":"MMR-W010","name":"body-too-long","message":"body of template BAD_01 is 180 characters long (at most 160)","hint":"shorten the body; the limit is `body_max` in mmr-lint.conf"}
  {"file":"tone.mmr","line":11,"col":9,"end_line":11,"end_col":75,"severity":"warning","code":"MMR-W009","name":"title-too-long","message":"title of template LONG_01 is 65 characters long (at most 60)","hint":"shorten the title; the limit is `title_max` in mmr-lint.conf"}

SARIF results (the whole log is in sarif.t):

  $ mmr lint tone.mmr --format sarif | python3 sarif_results.py
  warning MMR-W006[7] tone.mmr:5:9 title of template BAD_01 uses "disaster", a shaming or alarming word
  warning MMR-W007[8] tone.mmr:5:9 title of template BAD_01 has the ALL-CAPS word "STOP"
  warning MMR-W008[9] tone.mmr:5:9 title of template BAD_01 has 2 exclamation marks (at most 1)
  warning MMR-W006[7] tone.mmr:6:8 body of template BAD_01 uses "lazy", a shaming or alarming word
  warning MMR-W006[7] tone.mmr:6:8 body of template BAD_01 uses "pathetic", a shaming or alarming word
  warning MMR-W006[7] tone.mmr:6:8 body of template BAD_01 uses "broke", a shaming or alarming word
  warning MMR-W006[7] tone.mmr:6:8 body of template BAD_01 uses "act now", a shaming or alarming word
  warning MMR-W010[11] tone.mmr:6:8 body of template BAD_01 is 180 characters long (at most 160)
  warning MMR-W009[10] tone.mmr:11:9 title of template LONG_01 is 65 characters long (at most 60)
