/* PostgreSQL state through libpq: see store/pg.h. */
#include "store/pg.h"
#include "compiler/ast.h"
#include <stdlib.h>
#include <string.h>

int mmr_pg_is_url(const char *s)
{
    return s && (!strncmp(s, "postgresql://", 13) || !strncmp(s, "postgres://", 11));
}

/* The password can sit in the user part (user:pw@) or in the query
 * (?password=pw&…): both are blanked, the rest is kept for the reader. */
void mmr_pg_redact(const char *url, mmr_buf *out)
{
    const char *p = strstr(url, "://");
    const char *auth = p ? p + 3 : url;
    const char *end = auth + strcspn(auth, "/?");
    const char *at = memchr(auth, '@', (size_t)(end - auth));
    /* the last '@' before the host: a password may hold an encoded one only */
    for (const char *q = at; q && q < end; q = memchr(q + 1, '@', (size_t)(end - q - 1))) at = q;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon) {
        mmr_buf_append(out, url, (size_t)(colon - url));
        mmr_buf_puts(out, ":***");
        p = at;
    } else {
        p = url;
    }
    /* query parameters: password=… becomes password=*** */
    while (*p) {
        const char *k = strstr(p, "password=");
        if (!k || (k > url && k[-1] != '?' && k[-1] != '&')) {
            if (!k) { mmr_buf_puts(out, p); break; }
            mmr_buf_append(out, p, (size_t)(k + 9 - p));
            p = k + 9;
            continue;
        }
        mmr_buf_append(out, p, (size_t)(k + 9 - p));
        mmr_buf_puts(out, "***");
        p = k + 9 + strcspn(k + 9, "&");
    }
}

static void oom(mmr_diags *d) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); }

/* libpq notices (NOTICE: relation exists, skipping …) are not ours to print */
static void quiet_notice(void *arg, const char *msg) { (void)arg; (void)msg; }

int mmr_pg_open(mmr_pg **out, const char *url, mmr_diags *d)
{
    *out = NULL;
    mmr_pg *pg = calloc(1, sizeof *pg);
    mmr_buf lb;
    mmr_buf_init(&lb);
    mmr_pg_redact(url, &lb);
    if (!pg || lb.oom) { free(pg); mmr_buf_free(&lb); oom(d); return -1; }
    pg->label = lb.data ? lb.data : strdup(url);
    /* a connection that cannot be made within 10 s is reported, not waited on */
    /* the URL's own settings override the first two (later keys win) */
    const char *const keys[] = { "connect_timeout", "application_name", "dbname", "client_encoding", NULL };
    const char *const vals[] = { getenv("PGCONNECT_TIMEOUT") ? getenv("PGCONNECT_TIMEOUT") : "10",
                                 "mmr", url, "UTF8", NULL };
    pg->h = PQconnectdbParams(keys, vals, 1);
    if (!pg->h || PQstatus(pg->h) != CONNECTION_OK) {
        /* libpq's message spans lines ("Connection refused\n\tIs the server
         * running…"): one line reads better in a diagnostic */
        const char *m = pg->h ? PQerrorMessage(pg->h) : "out of memory";
        mmr_buf one;
        mmr_buf_init(&one);
        for (const char *p = m; *p; p++) {
            if (*p != '\n' && *p != '\t') { mmr_buf_putc(&one, *p); continue; }
            while (p[1] == '\n' || p[1] == '\t' || p[1] == ' ') p++;
            if (p[1]) mmr_buf_putc(&one, ' ');
        }
        mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, pg->label, 0, 0, "cannot connect to PostgreSQL: %s",
                                   one.data && !one.oom ? one.data : m);
        mmr_buf_free(&one);
        if (g) mmr_diag_set_hint(g, "check the URL, or the PGHOST/PGPORT/PGUSER/PGPASSWORD variables and ~/.pgpass");
        mmr_pg_close(pg);
        return -1;
    }
    PQsetNoticeProcessor(pg->h, quiet_notice, NULL);
    *out = pg;
    return 0;
}

void mmr_pg_close(mmr_pg *pg)
{
    if (!pg) return;
    if (pg->h) PQfinish(pg->h);
    free(pg->label);
    free(pg);
}

static size_t trim_len(const char *m)
{
    size_t n = m ? strlen(m) : 0;
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' ')) n--;
    return n;
}

void mmr_pg_error(mmr_pg *pg, const PGresult *res, mmr_diags *d, const char *what)
{
    const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m) m = pg && pg->h ? PQerrorMessage(pg->h) : "no connection";
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    mmr_diag *g = mmr_diag_add(d, MMR_SEV_ERROR, pg ? pg->label : "", 0, 0, "%s: %.*s%s%.*s%s", what,
                               (int)trim_len(m), m, detail ? " (" : "", (int)trim_len(detail), detail ? detail : "",
                               detail ? ")" : "");
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (g && state && !strcmp(state, "25006"))
        mmr_diag_set_hint(g, "the server is read-only (a standby?): point --db at the primary");
    else if (g && pg && pg->h && PQstatus(pg->h) != CONNECTION_OK)
        mmr_diag_set_hint(g, "the connection was lost: nothing of this transaction was committed");
}

int mmr_pg_exec(mmr_pg *pg, const char *sql, mmr_diags *d, const char *what)
{
    PGresult *r = PQexec(pg->h, sql);
    int ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    if (!ok) mmr_pg_error(pg, r, d, what);
    PQclear(r);
    return ok ? 0 : -1;
}

PGresult *mmr_pg_query(mmr_pg *pg, const char *sql, mmr_diags *d, const char *what)
{
    PGresult *r = PQexec(pg->h, sql);
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK) return r;
    mmr_pg_error(pg, r, d, what);
    PQclear(r);
    return NULL;
}

PGresult *mmr_pg_params(mmr_pg *pg, const char *sql, int n, const char *const *params, mmr_diags *d,
                        const char *what)
{
    PGresult *r = PQexecParams(pg->h, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) return r;
    mmr_pg_error(pg, r, d, what);
    PQclear(r);
    return NULL;
}

void mmr_pg_rollback(mmr_pg *pg)
{
    if (pg && pg->h && PQtransactionStatus(pg->h) != PQTRANS_IDLE) PQclear(PQexec(pg->h, "ROLLBACK"));
}

int mmr_pg_copy_begin(mmr_pg *pg, const char *sql, mmr_diags *d, const char *what)
{
    PGresult *r = PQexec(pg->h, sql);
    int ok = r && PQresultStatus(r) == PGRES_COPY_IN;
    if (!ok) mmr_pg_error(pg, r, d, what);
    PQclear(r);
    return ok ? 0 : -1;
}

int mmr_pg_copy_put(mmr_pg *pg, const mmr_buf *rows, mmr_diags *d, const char *what)
{
    if (!rows->len) return 0;
    if (PQputCopyData(pg->h, rows->data, (int)rows->len) == 1) return 0;
    mmr_pg_error(pg, NULL, d, what);
    return -1;
}

int mmr_pg_copy_end(mmr_pg *pg, mmr_diags *d, const char *what)
{
    if (PQputCopyEnd(pg->h, NULL) != 1) { mmr_pg_error(pg, NULL, d, what); return -1; }
    int ok = 1;
    PGresult *r;
    while ((r = PQgetResult(pg->h))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK) { if (ok) mmr_pg_error(pg, r, d, what); ok = 0; }
        PQclear(r);
    }
    return ok ? 0 : -1;
}

void mmr_pg_copy_field(mmr_buf *b, const char *s, size_t len, char sep)
{
    if (!s) { mmr_buf_puts(b, "\\N"); mmr_buf_putc(b, sep); return; }
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        char e = 0;
        switch (s[i]) {
        case '\\': e = '\\'; break;
        case '\t': e = 't'; break;
        case '\n': e = 'n'; break;
        case '\r': e = 'r'; break;
        default: continue;
        }
        mmr_buf_append(b, s + from, i - from);
        mmr_buf_putc(b, '\\');
        mmr_buf_putc(b, e);
        from = i + 1;
    }
    mmr_buf_append(b, s + from, len - from);
    mmr_buf_putc(b, sep);
}

const char *mmr_pg_sql_type(int type)
{
    switch (type) {
    case MMR_T_NUMBER: return "double precision";
    case MMR_T_BOOL:   return "boolean";
    case MMR_T_TEXT:   return "text";
    default:           return "jsonb";     /* lists and maps */
    }
}
