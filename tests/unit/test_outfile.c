/* util/outfile: temporary + rename for files, in place for devices and
 * FIFOs, nothing left behind on failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/unit/t.h"
#include "util/outfile.h"

static char dir[64];

static char *slurp(const char *p)
{
    static char buf[256];
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return buf;
}

/* entries in dir (besides . and ..) */
static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d) closedir(d);
    return n;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mmr-outfile-XXXXXX");
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char out[128], victim[128], link[128], fifo[128];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(link, sizeof link, "%s/out.txt.tmp", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);

    /* a new file: written, 0644 under umask 022, only the target left */
    mode_t um = umask(022);
    T_EQ_INT(mmr_outfile_write(out, "one\n", 4, 0), 0);
    T_EQ_STR(slurp(out), "one\n");
    struct stat st;
    T_CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0644);
    T_EQ_INT(entries(), 1);

    /* an existing file keeps its mode; a planted symlink is not followed */
    FILE *v = fopen(victim, "w");
    if (v) { fputs("keep", v); fclose(v); }
    T_CHECK(symlink(victim, link) == 0);
    chmod(out, 0600);
    T_EQ_INT(mmr_outfile_write(out, "two\n", 4, 0), 0);
    T_EQ_STR(slurp(out), "two\n");
    T_CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0600);
    T_EQ_STR(slurp(victim), "keep");
    unlink(link);
    unlink(victim);

    /* abort: the target is untouched, the temporary gone */
    mmr_outfile o;
    T_EQ_INT(mmr_outfile_open(&o, out, 0), 0);
    T_CHECK(o.tmp != NULL && !o.in_place);
    fputs("half", o.f);
    mmr_outfile_abort(&o);
    T_EQ_STR(slurp(out), "two\n");
    T_EQ_INT(entries(), 1);

    /* a directory is refused; a missing directory fails cleanly */
    T_EQ_INT(mmr_outfile_write(dir, "x", 1, 0), -1);
    T_EQ_INT(errno, EISDIR);
    char nodir[160];
    snprintf(nodir, sizeof nodir, "%s/no/x", dir);
    T_EQ_INT(mmr_outfile_write(nodir, "x", 1, 0), -1);
    T_EQ_INT(errno, ENOENT);

    /* a FIFO nobody reads: ENXIO at once, still a FIFO */
    T_CHECK(mkfifo(fifo, 0600) == 0);
    T_EQ_INT(mmr_outfile_write(fifo, "x", 1, 0), -1);
    T_EQ_INT(errno, ENXIO);
    T_CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    unlink(fifo);

    /* /dev/full: written in place, ENOSPC reported, still a device */
    T_EQ_INT(mmr_outfile_open(&o, "/dev/full", 0), 0);
    T_CHECK(o.in_place && o.tmp == NULL);
    fputs("x", o.f);
    T_EQ_INT(mmr_outfile_commit(&o), -1);
    T_EQ_INT(errno, ENOSPC);
    T_CHECK(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));

    /* "-" is stdout only when asked */
    T_EQ_INT(mmr_outfile_open(&o, "-", MMR_OUT_DASH), 0);
    T_CHECK(o.f == stdout && o.is_stdout);
    T_EQ_INT(mmr_outfile_commit(&o), 0);

    umask(um);
    unlink(out);
    rmdir(dir);
    return T_DONE("outfile");
}
