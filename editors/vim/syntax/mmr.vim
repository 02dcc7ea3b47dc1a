" Vim syntax file for .mmr rulesets (the MoneyMoments rules engine).
" Keywords and token shapes follow grammar/lexer.l, as the TextMate grammar
" in editors/vscode does. Install: copy editors/vim/{syntax,ftdetect} into
" ~/.vim (or add editors/vim to 'runtimepath').
if exists('b:current_syntax')
  finish
endif

syn case match
setlocal iskeyword=@,48-57,_
setlocal commentstring=#\ %s

" declarations, then the name they declare
syn keyword mmrDeclaration import policy test
syn keyword mmrDeclaration rule template signal trait let nextgroup=mmrDeclName skipwhite
syn match   mmrDeclName    /\<[A-Za-z_][A-Za-z0-9_]*\>/ contained

syn keyword mmrOperatorWord and or not in between is
syn keyword mmrKeyword      missing present any all where with of over by
syn keyword mmrKeyword      per ago nudge no candidates suppressed because deferred until
syn keyword mmrBoolean      true false
" field keywords are soft: names elsewhere, keywords first on a line
syn match   mmrField /^\s*\zs\<\(description\|category\|priority\|cooldown\|when\|audience\|message\|title\|body\|tone\|max_nudges\|quiet_hours\|timezone\|currency\|categories\|retention\|at\|given\|traits\|muted\|history\|expect\|transactions\|budgets\|goals\)\>/
syn match   mmrType /:\s*\zs\<\(number\|bool\|text\|list\|map\)\>\(<\(number\|bool\|text\)>\)\=/
syn match   mmrFunction /\<\(abs\|min\|max\|round\|floor\|ceil\|clamp\|pct_change\|ratio\|len\|contains\|lower\|upper\|starts_with\|sum\|count\)\ze\s*(/

" numbers: the order matters (later matches win at the same place)
syn match   mmrBadNumber  /\<\d[0-9_.]*[A-Za-z_]\w*/
syn match   mmrNumber     /\<\d[0-9_]*\(\.\d[0-9_]*\)\=\([eE][+-]\=\d[0-9_]*\)\=\>/
syn match   mmrPercentage /\<\d[0-9_]*\(\.\d[0-9_]*\)\=\([eE][+-]\=\d[0-9_]*\)\=%/
syn match   mmrDuration   /\<\d\+[smhdw]\>/
syn match   mmrTime       /\<\d\d\=:\d\d\>/

syn match   mmrOtherLang  /&&\|||\|!\(=\)\@!/
syn match   mmrOperator   /==\|!=\|<=\|>=\|??\|[<>+\-*/=]/

syn match   mmrEscape      /\\./ contained
syn match   mmrPlaceholder /{[A-Za-z_][A-Za-z0-9_]*\(:[A-Za-z_][A-Za-z0-9_]*\)\=}/ contained
syn region  mmrString start=/"/ skip=/\\./ end=/"\|$/ contains=mmrEscape,mmrPlaceholder oneline

syn keyword mmrTodo TODO FIXME XXX contained
syn match   mmrComment /#.*$/ contains=mmrTodo

hi def link mmrDeclaration  Statement
hi def link mmrDeclName     Identifier
hi def link mmrOperatorWord Operator
hi def link mmrKeyword      Keyword
hi def link mmrField        Keyword
hi def link mmrBoolean      Boolean
hi def link mmrType         Type
hi def link mmrFunction     Function
hi def link mmrNumber       Number
hi def link mmrPercentage   Number
hi def link mmrDuration     Number
hi def link mmrTime         Number
hi def link mmrBadNumber    Error
hi def link mmrOtherLang    Error
hi def link mmrOperator     Operator
hi def link mmrString       String
hi def link mmrEscape       SpecialChar
hi def link mmrPlaceholder  Special
hi def link mmrComment      Comment
hi def link mmrTodo         Todo

let b:current_syntax = 'mmr'
