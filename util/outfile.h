/* Output files written safely: a regular (or new) target gets a temporary
 * file made with mkstemp in its own directory (O_EXCL: a planted symlink is
 * never followed), renamed over the target on commit; a crash or an error
 * leaves the old target untouched. A target that is not a regular file (a
 * character device such as /dev/full or /dev/stdout, a FIFO) is written in
 * place, never replaced; a directory is refused. */
#ifndef MMR_OUTFILE_H
#define MMR_OUTFILE_H
#include <stddef.h>
#include <stdio.h>

enum {
    MMR_OUT_DASH = 1,   /* "-" means stdout */
    MMR_OUT_READ = 2    /* open "w+": the caller may read back or truncate
                         * (only for a temporary; check mmr_outfile.in_place) */
};

typedef struct mmr_outfile {
    FILE *f;          /* write here */
    char *tmp;        /* owned temporary name; NULL when writing in place */
    const char *path; /* the caller's target name (not copied) */
    int in_place;     /* stdout or a non-regular target */
    int is_stdout;
    unsigned mode;    /* the permissions the target gets */
} mmr_outfile;

/* Opens path for writing. 0, or -1 with errno set (EISDIR for a directory,
 * ENXIO for a FIFO nobody reads) and o->f NULL. */
int mmr_outfile_open(mmr_outfile *o, const char *path, int flags);
/* Flushes, syncs and renames the temporary over the target (stdout is only
 * flushed). Always releases o. 0, or -1 with errno set (ENOSPC, EIO, ...);
 * on failure the temporary is removed and the target is untouched. */
int mmr_outfile_commit(mmr_outfile *o);
/* Drops what was written: closes and removes the temporary. */
void mmr_outfile_abort(mmr_outfile *o);
/* open + write len bytes + commit. 0, or -1 with errno set. */
int mmr_outfile_write(const char *path, const void *data, size_t len, int flags);

#endif
