The listing of a small ruleset: header tables, then both code arrays with
operands named from the instruction table.

  $ mmr disasm small.mmr
  ; 3 slots, 0 lets, 3 constants, 1 templates, 1 rules, 3 conditions
  ; 8 registers, call depth 0, code[0] 5 instructions, code[1] 14 instructions
  
  slots:
    r0    signal dining_txn_7d : number
    r1    signal wants_share_30d : number
    r2    signal goal : text
  
  constants:
    k0    3
    k1    0.35
    k2    "savings"
  
  templates:
    t0    T category dining
  
  rules (highest priority first):
    rule 0   dining priority 80 category dining template T cooldown 259200s args (goal_name)
  
  conditions:
    cond 0   rule:dining when-leaf "dining_txn_7d >= 3"
    cond 1   rule:dining when-leaf "wants_share_30d > 35%"
    cond 2   rule:dining when "dining_txn_7d >= 3 and wants_share_30d > 35%"
  
  policy: max_nudges 1 per 86400s, timezone UTC, categories dining shopping travel goal budget
  
  code[0] (fast, 5 instructions):
        0  jcmpk     s:dining_txn_7d, k0=3, ->4, >= unless-true
        1  jcmpk     s:wants_share_30d, k1=0.35, ->4, > unless-true
        2  coalescek r3, s:goal, k2="savings"
        3  fire      rule:dining, (r3)
        4  halt
  
  code[1] (traced, 14 instructions):
        0  move      r5, s:dining_txn_7d
        1  loadk     r6, k0=3
        2  cmp       r4, r5, r6, >=
        3  trace     cond:"dining_txn_7d >= 3", r4, (r5, r6)
        4  move      r6, s:wants_share_30d
        5  loadk     r7, k1=0.35
        6  cmp       r5, r6, r7, >
        7  trace     cond:"wants_share_30d > 35%", r5, (r6, r7)
        8  and       r3, r4, r5
        9  trace     cond:"dining_txn_7d >= 3 and wants_share_30d > 35%", r3, ()
       10  jif       r3, ->13, unless-true
       11  coalescek r4, s:goal, k2="savings"
       12  fire      rule:dining, (r4)
       13  halt

A compiled file lists the same as its source.

  $ mmr compile small.mmr -o $TESTTMP/small.mmrc && mmr disasm $TESTTMP/small.mmrc > $TESTTMP/a && mmr disasm small.mmr > $TESTTMP/b && cmp $TESTTMP/a $TESTTMP/b && echo same
  same

A file that is not bytecode is refused before anything runs.

  $ cd $TESTTMP && printf 'MMRCxxxx' > bad.mmrc && mmr disasm bad.mmrc
  bad.mmrc: error: unsupported format version 2021161080 (this mmr reads 1 to 3)
  [1]

  $ cd $TESTTMP && printf 'hello' > notcode.mmrc && mmr disasm notcode.mmrc
  notcode.mmrc: error: not a .mmrc file (bad magic)
  [1]

  $ mmr disasm
  mmr disasm: name a FILE.mmrc or a ruleset PATH
  (see `mmr disasm --help`)
  [2]
