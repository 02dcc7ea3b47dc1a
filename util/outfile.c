/* Output files through a temporary in the target's directory; see outfile.h. */
#include "util/outfile.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The process umask without changing it where /proc tells it (changing it,
 * even for a moment, races with other threads creating files). */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[128];
        unsigned m;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "Umask: %o", &m) == 1) { fclose(f); return (mode_t)(m & 0777); }
        fclose(f);
    }
    mode_t m = umask(022);
    umask(m);
    return m;
}

/* "DIR/.BASE.tmp-XXXXXX" beside path, for mkstemp. */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + 16;
    char *t = malloc(n);
    if (!t) { errno = ENOMEM; return NULL; }
    snprintf(t, n, "%.*s.%s.tmp-XXXXXX", (int)dl, path, path + dl);
    return t;
}

/* A non-regular target: opened as it is, with no O_CREAT or O_TRUNC.
 * O_NONBLOCK keeps a FIFO with no reader from blocking (ENXIO instead).
 * 1 = opened, 0 = it turned out to be a regular file, -1 = error. */
static int open_in_place(mmr_outfile *o, const char *path)
{
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) { int e = errno; close(fd); errno = e; return -1; }
    if (S_ISREG(st.st_mode)) { close(fd); return 0; }  /* replaced meanwhile */
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) { int e = errno; close(fd); errno = e; return -1; }
    o->f = fdopen(fd, "w");
    if (!o->f) { int e = errno; close(fd); errno = e; return -1; }
    o->in_place = 1;
    return 1;
}

int mmr_outfile_open(mmr_outfile *o, const char *path, int flags)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if ((flags & MMR_OUT_DASH) && !strcmp(path, "-")) {
        o->f = stdout;
        o->in_place = o->is_stdout = 1;
        return 0;
    }
    struct stat st;
    int have = stat(path, &st) == 0;
    if (have && S_ISDIR(st.st_mode)) { errno = EISDIR; return -1; }
    if (have && !S_ISREG(st.st_mode)) {
        int r = open_in_place(o, path);
        if (r) return r > 0 ? 0 : -1;
        have = stat(path, &st) == 0;
    }
    /* a new file gets what fopen would give it under a 022 umask, and
     * honours a stricter one; an existing file keeps its permissions */
    o->mode = have ? (unsigned)(st.st_mode & 0777) : (unsigned)(0644 & ~current_umask());
    o->tmp = temp_name(path);
    if (!o->tmp) return -1;
    int fd = mkstemp(o->tmp);   /* O_CREAT|O_EXCL: never follows a symlink */
    if (fd < 0) { int e = errno; free(o->tmp); o->tmp = NULL; errno = e; return -1; }
    if (fchmod(fd, (mode_t)o->mode) != 0 || !(o->f = fdopen(fd, (flags & MMR_OUT_READ) ? "w+" : "w"))) {
        int e = errno;
        close(fd); unlink(o->tmp); free(o->tmp); o->tmp = NULL;
        errno = e;
        return -1;
    }
    return 0;
}

/* fsync the directory holding path, so the rename itself survives a crash. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : NULL;
    int dfd = open(dir ? dir : ".", O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) { fsync(dfd); close(dfd); }
    free(dir);
}

int mmr_outfile_commit(mmr_outfile *o)
{
    if (!o->f) { errno = EBADF; return -1; }
    int e = 0;
    if (fflush(o->f) != 0) e = errno ? errno : EIO;
    else if (ferror(o->f)) e = EIO;   /* an earlier write failed */
    if (o->is_stdout) { o->f = NULL; errno = e; return e ? -1 : 0; }
    if (!e && o->tmp && fsync(fileno(o->f)) != 0) e = errno;
    if (fclose(o->f) != 0 && !e) e = errno;
    o->f = NULL;
    if (!e && o->tmp && rename(o->tmp, o->path) != 0) e = errno;
    if (o->tmp) {
        if (e) unlink(o->tmp);
        else sync_dir(o->path);
        free(o->tmp);
        o->tmp = NULL;
    }
    errno = e;
    return e ? -1 : 0;
}

void mmr_outfile_abort(mmr_outfile *o)
{
    int e = errno;
    if (o->f && !o->is_stdout) fclose(o->f);
    else if (o->f) fflush(o->f);
    o->f = NULL;
    if (o->tmp) { unlink(o->tmp); free(o->tmp); o->tmp = NULL; }
    errno = e;
}

int mmr_outfile_write(const char *path, const void *data, size_t len, int flags)
{
    mmr_outfile o;
    if (mmr_outfile_open(&o, path, flags) != 0) return -1;
    if (len && fwrite(data, 1, len, o.f) != len) {
        int e = errno ? errno : EIO;
        mmr_outfile_abort(&o);
        errno = e;
        return -1;
    }
    return mmr_outfile_commit(&o);
}
