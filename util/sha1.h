/* SHA-1 (FIPS 180-4), used only to derive name-based (v5) UUIDs. Not for
 * anything that needs collision resistance. */
#ifndef MMR_SHA1_H
#define MMR_SHA1_H
#include <stddef.h>
#include <stdint.h>

typedef struct mmr_sha1_ctx {
    uint32_t h[5];
    uint64_t total;          /* bytes hashed so far */
    unsigned char block[64];
    size_t used;             /* bytes waiting in block */
} mmr_sha1_ctx;

void mmr_sha1_init(mmr_sha1_ctx *s);
void mmr_sha1_update(mmr_sha1_ctx *s, const void *data, size_t len);
void mmr_sha1_final(mmr_sha1_ctx *s, unsigned char digest[20]);
/* One-shot. */
void mmr_sha1(const void *data, size_t len, unsigned char digest[20]);

#endif
