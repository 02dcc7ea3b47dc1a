The shipped MoneyMoments rules pass their own tests. A passing suite
prints only the closing line and exits 0.

  $ mmr test ../../../rules/moneymoments
  36 passed, 0 failed

One file of it works too (its imports come along; the policy does not, so
the defaults apply: UTC, no quiet hours).

  $ mmr test ../../../rules/moneymoments/shopping.mmr
  4 passed, 0 failed
