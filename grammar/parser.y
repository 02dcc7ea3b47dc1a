/* placeholder: replaced by the real grammar */
%define api.pure full
%define api.prefix {mmr_yy}
%code {
static int mmr_yylex(MMR_YYSTYPE *v) { (void)v; return 0; }
static void mmr_yyerror(const char *s) { (void)s; }
}
%token END_PLACEHOLDER
%%
start: %empty ;
%%
