/* The one rule for a user id, checked wherever an id enters: snapshot
 * files, transaction/traits/budget/goal files, rows read back from the
 * state database, and command-line arguments (docs/engine.md, "User ids").
 *
 * A user id is 1 to MMR_USER_ID_MAX bytes of valid UTF-8 with no NUL and
 * no control character (U+0000-U+001F, U+007F-U+009F). The bound exists
 * so that no later stage (Redis keys, messages, database keys) meets an
 * id it cannot carry: a bad id is refused where it is read, with its place. */
#ifndef MMR_USERID_H
#define MMR_USERID_H
#include <stddef.h>
#include "util/buf.h"

#define MMR_USER_ID_MAX 255   /* bytes */

/* NULL when s[0..len) is a good user id, else a short constant reason:
 * "is empty", "is longer than 255 bytes", "holds a NUL byte",
 * "is not valid UTF-8", "holds a control character". */
const char *mmr_user_id_problem(const char *s, size_t len);

/* Append the id as a message shows it: in double quotes, escaped (\" \\
 * \n \u0000 ..., \xNN for a byte that is not UTF-8), cut after a few
 * characters with "…", so a hostile id never reaches the output whole. */
void mmr_user_id_preview(mmr_buf *b, const char *s, size_t len);

/* 0 when the id is good; else -1 and the whole message appended to b:
 *   user id "u…" is 300 bytes long; the limit is 255
 * (the caller adds the place). One wording for every input. */
int mmr_user_id_check(mmr_buf *b, const char *s, size_t len);

#endif
