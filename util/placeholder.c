#include "util/placeholder.h"
#include <string.h>

static int ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int ident_char(char c)  { return ident_start(c) || (c >= '0' && c <= '9'); }

int mmr_placeholder_format_ok(const char *fmt, size_t len)
{
    static const char *const formats[] = { "", "money", "money2", "pct", "int", "number" };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strlen(formats[i]) == len && memcmp(formats[i], fmt, len) == 0) return 1;
    return 0;
}

mmr_seg mmr_template_next(const char *s, size_t len, size_t *pos)
{
    mmr_seg g;
    memset(&g, 0, sizeof g);
    size_t i = *pos;
    g.offset = i;
    if (i >= len) { g.kind = MMR_SEG_END; return g; }
    if ((s[i] == '{' || s[i] == '}') && i + 1 < len && s[i + 1] == s[i]) {
        g.kind = MMR_SEG_TEXT; g.text = s + i; g.len = 1; *pos = i + 2;
        return g;
    }
    if (s[i] == '}') { g.kind = MMR_SEG_ERROR; g.error = "a lone \"}\" (write \"}}\" for a literal brace)"; return g; }
    if (s[i] == '{') {
        size_t j = i + 1;
        if (j >= len || !ident_start(s[j])) {
            g.kind = MMR_SEG_ERROR;
            g.error = "\"{\" must start a placeholder like {goal_name} (write \"{{\" for a literal brace)";
            return g;
        }
        size_t n0 = j;
        while (j < len && ident_char(s[j])) j++;
        g.name = s + n0; g.name_len = j - n0;
        g.fmt = s + j; g.fmt_len = 0;
        if (j < len && s[j] == ':') {
            size_t f0 = ++j;
            while (j < len && ident_char(s[j])) j++;
            g.fmt = s + f0; g.fmt_len = j - f0;
            if (!g.fmt_len) {
                /* `{x:}` is not `{x}`: a colon promises a format */
                g.kind = MMR_SEG_ERROR;
                g.error = "\":\" in a placeholder must be followed by a format: money, money2, pct, int or number";
                return g;
            }
        }
        if (j >= len || s[j] != '}') {
            g.kind = MMR_SEG_ERROR;
            g.error = "unterminated placeholder: expected \"}\"";
            return g;
        }
        g.kind = MMR_SEG_PLACEHOLDER;
        *pos = j + 1;
        return g;
    }
    size_t j = i;
    while (j < len && s[j] != '{' && s[j] != '}') j++;
    g.kind = MMR_SEG_TEXT; g.text = s + i; g.len = j - i; *pos = j;
    return g;
}
