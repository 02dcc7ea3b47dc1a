#include <string.h>
#include "stdlib/builtins.h"
#include "std_sources.h"

const char *mmr_std_source(const char *import_path, size_t *len)
{
    for (size_t i = 0; i < sizeof std_sources / sizeof std_sources[0]; i++) {
        if (!strcmp(std_sources[i].path, import_path)) {
            *len = strlen(std_sources[i].src);
            return std_sources[i].src;
        }
    }
    return NULL;
}
