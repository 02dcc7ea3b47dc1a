/* Name-based UUIDs through libuuid's uuid_generate_sha1 (RFC 4122 v5):
 * the ids are byte-identical to the hand-written SHA-1 version this
 * replaced (tests/unit/test_uuid.c pins ids computed before the switch). */
#include "engine/uuid.h"
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

const unsigned char mmr_uuid_namespace[16] = {
    0x48, 0x14, 0x8d, 0x09, 0xd4, 0x78, 0x59, 0xca,
    0xbd, 0x4c, 0xdf, 0xe5, 0x46, 0x17, 0x2c, 0x3c
};

void mmr_uuid_v5(const unsigned char ns[16], const void *name, size_t len, unsigned char out[16])
{
    uuid_generate_sha1(out, ns, name, len);
}

char *mmr_uuid_format(const unsigned char u[16], char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[j++] = '-';
        out[j++] = hex[u[i] >> 4];
        out[j++] = hex[u[i] & 15];
    }
    out[j] = 0;
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int mmr_uuid_parse(const char *s, unsigned char out[16])
{
    size_t j = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            if (s[j] != '-') return -1;
            j++;
        }
        int hi = hexval(s[j]);
        if (hi < 0) return -1;
        int lo = hexval(s[j + 1]);
        if (lo < 0) return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
        j += 2;
    }
    return s[j] == 0 ? 0 : -1;
}

char *mmr_delivery_id_key(const char *user_id, const char *rule, const char *snapshot_date,
                          const char *key, size_t key_len, char *out)
{
    /* the name is user_id "\n" rule "\n" date ["\n" key]: ids are short,
     * so it is built on the stack; a longer one is allocated */
    if (!key) key_len = 0;
    size_t nu = strlen(user_id), nr = strlen(rule), nd = strlen(snapshot_date);
    size_t n = nu + nr + nd + 2 + (key_len ? key_len + 1 : 0);
    char stackbuf[512];
    char *name = n <= sizeof stackbuf ? stackbuf : malloc(n);
    if (!name) { out[0] = 0; return NULL; }
    memcpy(name, user_id, nu);
    name[nu] = '\n';
    memcpy(name + nu + 1, rule, nr);
    name[nu + 1 + nr] = '\n';
    memcpy(name + nu + nr + 2, snapshot_date, nd);
    if (key_len) {
        name[nu + nr + nd + 2] = '\n';
        memcpy(name + nu + nr + nd + 3, key, key_len);
    }
    unsigned char u[16];
    mmr_uuid_v5(mmr_uuid_namespace, name, n, u);
    if (name != stackbuf) free(name);
    return mmr_uuid_format(u, out);
}

char *mmr_delivery_id(const char *user_id, const char *rule, const char *snapshot_date, char *out)
{
    return mmr_delivery_id_key(user_id, rule, snapshot_date, NULL, 0, out);
}
