/* Growable byte buffer for building text (diagnostics, formatted output). */
#ifndef MMR_BUF_H
#define MMR_BUF_H
#include <stddef.h>
#include <errno.h>
#include <stdarg.h>

typedef struct mmr_buf {
    char  *data;   /* always NUL-terminated when len > 0 or after any append */
    size_t len, cap;
    int    oom;    /* set once an allocation failed; later appends are no-ops */
} mmr_buf;

void mmr_buf_init(mmr_buf *b);
void mmr_buf_free(mmr_buf *b);
void mmr_buf_clear(mmr_buf *b);
int  mmr_buf_reserve(mmr_buf *b, size_t extra);
void mmr_buf_append(mmr_buf *b, const char *s, size_t n);
void mmr_buf_puts(mmr_buf *b, const char *s);
void mmr_buf_putc(mmr_buf *b, char c);
void mmr_buf_printf(mmr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mmr_buf_vprintf(mmr_buf *b, const char *fmt, va_list ap);
/* JSON string literal with quotes; input must be valid UTF-8. */
void mmr_buf_json_string(mmr_buf *b, const char *s, size_t n);
/* Shortest text that reads back as the same double ("3", "0.35", "1e+21"). */
void mmr_buf_number(mmr_buf *b, double v);
/* Take ownership of the data (caller frees); buffer is reset. */
char *mmr_buf_take(mmr_buf *b);

/* Length of the valid UTF-8 character at s (n bytes left), 0 if the bytes
 * there are not one (a stray or overlong byte, a surrogate, NUL is valid). */
size_t mmr_utf8_char_len(const char *s, size_t n);
/* Append code point cp (at most 0x10FFFF) as UTF-8. */
void mmr_buf_put_utf8(mmr_buf *b, unsigned cp);
/* The four hex digits at p (before end) of a JSON \u escape: 1 and *out,
 * or 0 when they are not four hex digits. */
int mmr_hex4(const char *p, const char *end, unsigned *out);
/* Append s with every byte that is not valid UTF-8 replaced by U+FFFD. */
void mmr_buf_utf8(mmr_buf *b, const char *s, size_t n);

/* Read a whole regular file; NULL and errno set on failure. *len gets the
 * size. A directory fails with EISDIR; a FIFO, socket or device with
 * MMR_ENOTFILE (strerror: "Operation not supported"), never blocking. */
#define MMR_ENOTFILE ENOTSUP
/* Words for a failed mmr_read_file: strerror, but "not a regular file"
 * for MMR_ENOTFILE. */
const char *mmr_read_error(int e);
char *mmr_read_file(const char *path, size_t *len);

#endif
