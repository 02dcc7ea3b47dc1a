#include "engine/uuid.h"
#include <string.h>
#include "util/sha1.h"

const unsigned char mmr_uuid_namespace[16] = {
    0x48, 0x14, 0x8d, 0x09, 0xd4, 0x78, 0x59, 0xca,
    0xbd, 0x4c, 0xdf, 0xe5, 0x46, 0x17, 0x2c, 0x3c
};

void mmr_uuid_v5(const unsigned char ns[16], const void *name, size_t len, unsigned char out[16])
{
    unsigned char dig[20];
    mmr_sha1_ctx s;
    mmr_sha1_init(&s);
    mmr_sha1_update(&s, ns, 16);
    mmr_sha1_update(&s, name, len);
    mmr_sha1_final(&s, dig);
    memcpy(out, dig, 16);
    out[6] = (unsigned char)((out[6] & 0x0f) | 0x50);   /* version 5 */
    out[8] = (unsigned char)((out[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
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

char *mmr_delivery_id(const char *user_id, const char *rule, const char *snapshot_date, char *out)
{
    mmr_sha1_ctx s;
    unsigned char dig[20], u[16];
    mmr_sha1_init(&s);
    mmr_sha1_update(&s, mmr_uuid_namespace, 16);
    mmr_sha1_update(&s, user_id, strlen(user_id));
    mmr_sha1_update(&s, "\n", 1);
    mmr_sha1_update(&s, rule, strlen(rule));
    mmr_sha1_update(&s, "\n", 1);
    mmr_sha1_update(&s, snapshot_date, strlen(snapshot_date));
    mmr_sha1_final(&s, dig);
    memcpy(u, dig, 16);
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x50);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    return mmr_uuid_format(u, out);
}
