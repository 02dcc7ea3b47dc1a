#include "util/buf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

void mmr_buf_init(mmr_buf *b) { b->data = NULL; b->len = b->cap = 0; b->oom = 0; }
void mmr_buf_free(mmr_buf *b) { free(b->data); mmr_buf_init(b); }
void mmr_buf_clear(mmr_buf *b) { b->len = 0; if (b->data) b->data[0] = 0; }

int mmr_buf_reserve(mmr_buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) { b->oom = 1; return -1; }
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p) { b->oom = 1; return -1; }
    b->data = p;
    b->cap = cap;
    return 0;
}

void mmr_buf_append(mmr_buf *b, const char *s, size_t n)
{
    if (mmr_buf_reserve(b, n) < 0) return;
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

void mmr_buf_puts(mmr_buf *b, const char *s) { mmr_buf_append(b, s, strlen(s)); }

void mmr_buf_putc(mmr_buf *b, char c)
{
    if (b->len + 2 <= b->cap) { b->data[b->len++] = c; b->data[b->len] = 0; return; }
    mmr_buf_append(b, &c, 1);
}

void mmr_buf_vprintf(mmr_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0) { va_end(ap2); return; }
    if ((size_t)n < sizeof tmp) {
        mmr_buf_append(b, tmp, (size_t)n);
    } else if (mmr_buf_reserve(b, (size_t)n) == 0) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void mmr_buf_printf(mmr_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mmr_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

size_t mmr_utf8_char_len(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!n) return 0;
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (!len || n < len) return 0;
    unsigned cp = len == 2 ? c & 0x1Fu : len == 3 ? c & 0x0Fu : c & 0x07u;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return len;
}

void mmr_buf_put_utf8(mmr_buf *b, unsigned cp)
{
    char t[4];
    size_t n;
    if (cp < 0x80) { t[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { t[0] = (char)(0xC0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        t[0] = (char)(0xE0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        t[0] = (char)(0xF0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); t[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    mmr_buf_append(b, t, n);
}

int mmr_hex4(const char *p, const char *end, unsigned *out)
{
    if (end - p < 4) return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

void mmr_buf_utf8(mmr_buf *b, const char *s, size_t n)
{
    size_t run = 0, i = 0;
    while (i < n) {
        size_t k = mmr_utf8_char_len(s + i, n - i);
        if (k) { i += k; continue; }
        mmr_buf_append(b, s + run, i - run);
        mmr_buf_append(b, "\xEF\xBF\xBD", 3);     /* U+FFFD */
        run = ++i;
    }
    mmr_buf_append(b, s + run, n - run);
}

void mmr_buf_json_string(mmr_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* bytes copied as they are: ASCII from the space up, but the quote and
     * backslash (the loop below stops at any other byte) */
    static const unsigned char plain[256] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    mmr_buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        while (i < n && plain[(unsigned char)s[i]]) i++;
        if (i == n) break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            /* JSON is UTF-8: a byte that is not (a file name in Latin-1)
             * becomes U+FFFD, so the document always parses */
            size_t k = mmr_utf8_char_len(s + i, n - i);
            if (k) { i += k - 1; continue; }
            mmr_buf_append(b, s + run, i - run);
            run = i + 1;
            mmr_buf_append(b, "\\ufffd", 6);
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        mmr_buf_append(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':  mmr_buf_append(b, "\\\"", 2); break;
        case '\\': mmr_buf_append(b, "\\\\", 2); break;
        case '\n': mmr_buf_append(b, "\\n", 2); break;
        case '\t': mmr_buf_append(b, "\\t", 2); break;
        case '\r': mmr_buf_append(b, "\\r", 2); break;
        default: {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            mmr_buf_append(b, e, 6);
        }
        }
    }
    mmr_buf_append(b, s + run, n - run);
    mmr_buf_putc(b, '"');
}

void mmr_buf_number(mmr_buf *b, double v)
{
    char tmp[40];
    if (v == 0) { mmr_buf_putc(b, '0'); return; }
    if (isnan(v) || isinf(v)) { mmr_buf_puts(b, "null"); return; }
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        snprintf(tmp, sizeof tmp, "%lld", (long long)v);
    } else {
        /* %.15g already is the shortest form of any value that has one of
         * 15 digits or fewer (%g drops the trailing zeros), so the search
         * starts there: the same text as trying 1, 2, 3... digits */
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(tmp, sizeof tmp, "%.*g", prec, v);
            if (strtod(tmp, NULL) == v) break;
        }
    }
    mmr_buf_puts(b, tmp);
}

char *mmr_buf_take(mmr_buf *b)
{
    char *d = b->data;
    if (!d) { d = malloc(1); if (d) d[0] = 0; }
    mmr_buf_init(b);
    return d;
}

char *mmr_read_file(const char *path, size_t *len)
{
    /* Only regular files: opening a FIFO would block until a writer comes
     * (O_NONBLOCK makes the open itself return at once), and a device or
     * a directory is never a source file. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) { int e = errno; close(fd); errno = e; return NULL; }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = S_ISDIR(st.st_mode) ? EISDIR : MMR_ENOTFILE;
        return NULL;
    }
    FILE *f = fdopen(fd, "rb");
    if (!f) { int e = errno; close(fd); errno = e; return NULL; }
    mmr_buf b;
    mmr_buf_init(&b);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) mmr_buf_append(&b, tmp, n);
    int err = ferror(f);
    fclose(f);
    if (err || b.oom) { mmr_buf_free(&b); errno = err ? EIO : ENOMEM; return NULL; }
    *len = b.len;
    return mmr_buf_take(&b);
}

const char *mmr_read_error(int e)
{
    return e == MMR_ENOTFILE ? "not a regular file" : strerror(e);
}
