/* Budget and goal rows (see signals/rows.h). */
#include "signals/rows.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "signals/source.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/userid.h"

static int user_cmp(const mmr_value *a, const mmr_value *b)
{
    const mmr_text *x = a[0].u.text, *y = b[0].u.text;
    return mmr_text_cmp(x, y);
}

/* rows sorted through an index of pointers (qsort moves fixed-size items) */
typedef struct keyed { const mmr_value *row; size_t seq; } keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = user_cmp(x->row, y->row);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static mmr_value text_or_missing(mmr_arena *a, json_t *v)
{
    if (!json_is_string(v)) return mmr_v_missing();
    mmr_text *t = mmr_text_new(a, json_string_value(v), json_string_length(v));
    return t ? mmr_v_text(t) : mmr_v_missing();
}

/* One line into row; NULL, or the message of what is wrong. */
static const char *json_row(int source, json_t *o, mmr_value *row, mmr_arena *a)
{
    size_t nf = mmr_sources[source].nfields;
    for (size_t f = 0; f < nf; f++) row[f] = mmr_v_missing();
    if (!json_is_object(o)) return "a line must be a JSON object";
    json_t *uid = json_object_get(o, "user_id");
    if (!json_is_string(uid) || !json_string_length(uid)) return "\"user_id\" must be a non-empty text";
    row[0] = text_or_missing(a, uid);
    if (source == MMR_SRC_BUDGET) {
        json_t *cat = json_object_get(o, "category"), *lim = json_object_get(o, "limit"), *per = json_object_get(o, "period");
        if (!json_is_string(cat) || !json_string_length(cat)) return "\"category\" must be a non-empty text";
        if (!json_is_number(lim) || !(json_number_value(lim) > 0)) return "\"limit\" must be a number above 0";
        if (per && !json_is_null(per) &&
            (!json_is_string(per) || (strcmp(json_string_value(per), "month") && strcmp(json_string_value(per), "week"))))
            return "\"period\" must be \"month\" or \"week\"";
        row[MMR_BGF_CATEGORY] = text_or_missing(a, cat);
        row[MMR_BGF_LIMIT] = mmr_v_num(json_number_value(lim));
        row[MMR_BGF_PERIOD] = json_is_string(per) ? text_or_missing(a, per) : mmr_v_text(mmr_text_new(a, "month", 5));
        return NULL;
    }
    json_t *gid = json_object_get(o, "goal_id"), *name = json_object_get(o, "name"),
           *tgt = json_object_get(o, "target"), *sav = json_object_get(o, "saved"),
           *dl = json_object_get(o, "deadline"), *pri = json_object_get(o, "priority");
    if (!json_is_string(gid) || !json_string_length(gid)) return "\"goal_id\" must be a non-empty text";
    if (!json_is_string(name)) return "\"name\" must be a text";
    if (!json_is_number(tgt) || !(json_number_value(tgt) > 0)) return "\"target\" must be a positive number";
    if (sav && !json_is_null(sav) && !json_is_number(sav)) return "\"saved\" must be a number";
    if (pri && !json_is_null(pri) && !json_is_number(pri)) return "\"priority\" must be a number";
    if (dl && !json_is_null(dl)) {
        int64_t t;
        if (!json_is_string(dl) || mmr_date_parse(json_string_value(dl), json_string_length(dl), &t, NULL))
            return "\"deadline\" must be a date YYYY-MM-DD";
    }
    row[MMR_GLF_GOAL_ID] = text_or_missing(a, gid);
    row[MMR_GLF_NAME] = text_or_missing(a, name);
    row[MMR_GLF_TARGET] = mmr_v_num(json_number_value(tgt));
    row[MMR_GLF_SAVED] = mmr_v_num(json_is_number(sav) ? json_number_value(sav) : 0);
    row[MMR_GLF_PRIORITY] = mmr_v_num(json_is_number(pri) ? json_number_value(pri) : 0);
    row[MMR_GLF_DEADLINE] = text_or_missing(a, dl);
    return NULL;
}

int mmr_rowfile_load(mmr_rowfile *f, int source, const char *path, mmr_diags *d)
{
    memset(f, 0, sizeof *f);
    f->source = source;
    mmr_arena_init(&f->arena, 1 << 16);
    size_t nf = mmr_sources[source].nfields;
    mmr_jsonl in;
    if (mmr_jsonl_open(&in, path, d)) return -1;
    mmr_value *rows = NULL;
    size_t n = 0, cap = 0;
    int bad = 0, k;
    json_t *o;
    while ((k = mmr_jsonl_next(&in, &o, d)) != 0) {
        if (k < 0) {
            if (++bad >= 20) break;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            mmr_value *nr = realloc(rows, cap * nf * sizeof *nr);
            if (!nr) { json_decref(o); bad++; mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory"); break; }
            rows = nr;
        }
        mmr_buf um;
        mmr_buf_init(&um);
        json_t *uid = json_is_object(o) ? json_object_get(o, "user_id") : NULL;
        if (json_is_string(uid) && mmr_user_id_check(&um, json_string_value(uid), json_string_length(uid)) < 0) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, (int)in.ln, 0, "%s", um.data ? um.data : "bad user id");
            mmr_buf_free(&um);
            json_decref(o);
            if (++bad >= 20) break;
            continue;
        }
        mmr_buf_free(&um);
        const char *why = json_row(source, o, &rows[n * nf], &f->arena);
        json_decref(o);
        if (why) {
            mmr_diag_add(d, MMR_SEV_ERROR, path, (int)in.ln, 0, "%s", why);
            if (++bad >= 20) break;
            continue;
        }
        n++;
    }
    if (mmr_jsonl_close(&in, d)) bad = 1;
    if (bad) { free(rows); return -1; }
    /* sorted by user (stable: a user's rows keep their file order) */
    keyed *ix = n ? malloc(n * sizeof *ix) : NULL;
    f->rows = n ? mmr_arena_alloc(&f->arena, n * nf * sizeof *f->rows) : NULL;
    if (n && (!ix || !f->rows)) { free(ix); free(rows); mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "out of memory"); return -1; }
    for (size_t i = 0; i < n; i++) { ix[i].row = &rows[i * nf]; ix[i].seq = i; }
    if (n > 1) qsort(ix, n, sizeof *ix, keyed_cmp);
    /* a key given twice (user and category, user and goal_id): the last
     * line wins, as `mmr ingest` keeps it */
    int key = source == MMR_SRC_BUDGET ? MMR_BGF_CATEGORY : MMR_GLF_GOAL_ID;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        const mmr_value *r = ix[i].row;
        if (i + 1 < n && !user_cmp(r, ix[i + 1].row)) {
            /* a later line of this user with the same key replaces it */
            int later = 0;
            for (size_t q = i + 1; q < n && !user_cmp(r, ix[q].row); q++)
                if (!mmr_text_cmp(r[key].u.text, ix[q].row[key].u.text)) { later = 1; break; }
            if (later) continue;
        }
        memcpy(&f->rows[w++ * nf], r, nf * sizeof *rows);
    }
    f->n = w;
    free(ix);
    free(rows);
    return 0;
}

void mmr_rowfile_free(mmr_rowfile *f)
{
    mmr_arena_free(&f->arena);
    memset(f, 0, sizeof *f);
}

static int ucmp(const mmr_text *t, const char *u, size_t len)
{
    int c = memcmp(t->bytes, u, t->len < len ? t->len : len);
    return c ? c : (t->len > len) - (t->len < len);
}

size_t mmr_rowfile_user(const mmr_rowfile *f, const char *user, size_t len, const mmr_value **rows)
{
    size_t nf = mmr_sources[f->source].nfields;
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ucmp(f->rows[mid * nf].u.text, user, len) < 0) lo = mid + 1; else hi = mid;
    }
    size_t e = lo;
    while (e < f->n && ucmp(f->rows[e * nf].u.text, user, len) == 0) e++;
    *rows = f->n ? &f->rows[lo * nf] : NULL;
    return e - lo;
}

/* ------------------------------------------------------------ lines */

int mmr_jsonl_open(mmr_jsonl *r, const char *path, mmr_diags *d)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "not a regular file");
        return -1;
    }
    r->f = fopen(path, "rb");
    if (!r->f) { mmr_diag_add(d, MMR_SEV_ERROR, path, 0, 0, "cannot open: %s", strerror(errno)); return -1; }
    return 0;
}

/* The next line into r->line, without its end: LF, CRLF or a CR alone
 * (old Mac files) each end one line. -1 at the end of the file. */
static ssize_t read_line(mmr_jsonl *r)
{
    size_t n = 0;
    int c;
    for (;;) {
        c = getc_unlocked(r->f);
        if (c == EOF || c == '\n') break;
        if (c == '\r') {
            int c2 = getc_unlocked(r->f);
            if (c2 != '\n' && c2 != EOF) ungetc(c2, r->f);
            break;
        }
        if (n + 1 >= r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 256;
            char *nl = realloc(r->line, cap);
            if (!nl) { errno = ENOMEM; return -2; }
            r->line = nl;
            r->cap = cap;
        }
        r->line[n++] = (char)c;
    }
    if (c == EOF && n == 0) return -1;
    if (!r->line) {
        r->line = malloc(1);
        if (!r->line) return -2;
        r->cap = 1;
    }
    r->line[n] = 0;
    return (ssize_t)n;
}

int mmr_jsonl_next(mmr_jsonl *r, json_t **o, mmr_diags *d)
{
    ssize_t len;
    while ((len = read_line(r)) >= 0) {
        r->ln++;
        size_t k = 0;
        while (k < (size_t)len && (r->line[k] == ' ' || r->line[k] == '\t')) k++;
        if (k == (size_t)len) continue;
        json_error_t je;
        *o = json_loadb(r->line, (size_t)len, JSON_REJECT_DUPLICATES, &je);
        if (*o) return 1;
        mmr_diag_add(d, MMR_SEV_ERROR, r->path, (int)r->ln, je.column, "invalid JSON: %s", je.text);
        return -1;
    }
    if (len == -2) {
        /* an error the caller counts; the rest of the file is given up */
        mmr_diag_add(d, MMR_SEV_ERROR, r->path, (int)r->ln + 1, 0, "out of memory");
        fseek(r->f, 0, SEEK_END);
        return -1;
    }
    return 0;
}

int mmr_jsonl_close(mmr_jsonl *r, mmr_diags *d)
{
    int rc = 0;
    if (r->f && ferror(r->f)) { mmr_diag_add(d, MMR_SEV_ERROR, r->path, 0, 0, "read error: %s", strerror(errno)); rc = -1; }
    if (r->f) fclose(r->f);
    free(r->line);
    memset(r, 0, sizeof *r);
    return rc;
}

/* ------------------------------------------------------------ database */

int mmr_rowdb_open(mmr_rowdb *r, mmr_db *db, int source, mmr_diags *d)
{
    r->source = source;
    r->st = NULL;
    return mmr_db_prepare(db, &r->st, source == MMR_SRC_BUDGET
        ? "SELECT category, limit_amount, period FROM mm_budget WHERE user_id = ?1"
        : "SELECT goal_id, name, target, saved, deadline, priority FROM mm_goal WHERE user_id = ?1", d);
}

static mmr_value col_value(sqlite3_stmt *st, int i, mmr_arena *a)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return mmr_v_missing();
    case SQLITE_INTEGER: case SQLITE_FLOAT: return mmr_v_num(sqlite3_column_double(st, i));
    default: {
        const char *s = (const char *)sqlite3_column_text(st, i);
        mmr_text *t = s ? mmr_text_new(a, s, (size_t)sqlite3_column_bytes(st, i)) : NULL;
        return t ? mmr_v_text(t) : mmr_v_missing();
    }
    }
}

int mmr_rowdb_user(mmr_rowdb *r, mmr_db *db, const char *user, size_t len, mmr_arena *a,
                   mmr_value **rows, size_t *n, mmr_diags *d)
{
    size_t nf = mmr_sources[r->source].nfields, cap = 0;
    *rows = NULL;
    *n = 0;
    sqlite3_reset(r->st);
    sqlite3_bind_text(r->st, 1, user, (int)len, SQLITE_TRANSIENT);
    mmr_text *ut = mmr_text_new(a, user, len);
    int rc;
    while ((rc = sqlite3_step(r->st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            mmr_value *nr = mmr_arena_alloc(a, nc * nf * sizeof *nr);
            if (!nr || !ut) { mmr_diag_add(d, MMR_SEV_ERROR, "", 0, 0, "out of memory"); return -1; }
            if (*n) memcpy(nr, *rows, *n * nf * sizeof *nr);
            *rows = nr;
            cap = nc;
        }
        mmr_value *row = &(*rows)[*n * nf];
        for (size_t f = 0; f < nf; f++) row[f] = mmr_v_missing();
        row[0] = mmr_v_text(ut);
        if (r->source == MMR_SRC_BUDGET) {
            row[MMR_BGF_CATEGORY] = col_value(r->st, 0, a);
            row[MMR_BGF_LIMIT] = col_value(r->st, 1, a);
            row[MMR_BGF_PERIOD] = col_value(r->st, 2, a);
        } else {
            row[MMR_GLF_GOAL_ID] = col_value(r->st, 0, a);
            row[MMR_GLF_NAME] = col_value(r->st, 1, a);
            row[MMR_GLF_TARGET] = col_value(r->st, 2, a);
            row[MMR_GLF_SAVED] = col_value(r->st, 3, a);
            row[MMR_GLF_DEADLINE] = col_value(r->st, 4, a);
            row[MMR_GLF_PRIORITY] = col_value(r->st, 5, a);
        }
        (*n)++;
    }
    if (rc != SQLITE_DONE) { mmr_db_error(db, d, r->source == MMR_SRC_BUDGET ? "reading mm_budget" : "reading mm_goal"); return -1; }
    return 0;
}

void mmr_rowdb_close(mmr_rowdb *r)
{
    if (r->st) sqlite3_finalize(r->st);
    r->st = NULL;
}
