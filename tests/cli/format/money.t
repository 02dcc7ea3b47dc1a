`{x:money2}` prints two decimals (paise); `{x:money}` whole rupees;
`{x:number}` and a bare number never show float noise (at most 12
significant digits): 10 - 7.3000000000000114 prints 2.7.

  $ mmr test money.mmr
  1 passed, 0 failed
