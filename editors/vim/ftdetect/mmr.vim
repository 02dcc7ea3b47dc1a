" .mmr rulesets of the MoneyMoments rules engine
autocmd BufRead,BufNewFile *.mmr setfiletype mmr
