/* Baseline for `make bench`: parse every line of an NDJSON file with
 * jansson (json_loadb) and throw the result away. No evaluation, one
 * thread: what "just parsing the snapshot with a JSON library" costs.
 *
 *   bench_jansson FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: bench_jansson FILE\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lines = 0, bad = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_error_t err;
        json_t *j = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &err);
        if (!j) bad++;
        else json_decref(j);
        lines++;
    }
    free(line);
    fclose(f);
    printf("jansson parsed %ld lines (%ld bad)\n", lines, bad);
    return bad ? 1 : 0;
}
