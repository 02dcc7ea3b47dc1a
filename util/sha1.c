#include "util/sha1.h"
#include <string.h>

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void compress(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    /* four loops of twenty rounds: no per-round branch on the round's kind */
#define SHA1_ROUNDS(from, to, F, K) \
    for (int i = (from); i < (to); i++) { \
        uint32_t t = rol(a, 5) + (F) + e + (K) + w[i]; \
        e = d; d = c; c = rol(b, 30); b = a; a = t; \
    }
    SHA1_ROUNDS(0, 20, (b & c) | (~b & d), 0x5A827999u)
    SHA1_ROUNDS(20, 40, b ^ c ^ d, 0x6ED9EBA1u)
    SHA1_ROUNDS(40, 60, (b & c) | (b & d) | (c & d), 0x8F1BBCDCu)
    SHA1_ROUNDS(60, 80, b ^ c ^ d, 0xCA62C1D6u)
#undef SHA1_ROUNDS
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void mmr_sha1_init(mmr_sha1_ctx *s)
{
    s->h[0] = 0x67452301u; s->h[1] = 0xEFCDAB89u; s->h[2] = 0x98BADCFEu;
    s->h[3] = 0x10325476u; s->h[4] = 0xC3D2E1F0u;
    s->total = 0;
    s->used = 0;
}

void mmr_sha1_update(mmr_sha1_ctx *s, const void *data, size_t len)
{
    const unsigned char *p = data;
    s->total += len;
    while (len > 0) {
        size_t take = 64 - s->used;
        if (take > len) take = len;
        memcpy(s->block + s->used, p, take);
        s->used += take; p += take; len -= take;
        if (s->used == 64) { compress(s->h, s->block); s->used = 0; }
    }
}

void mmr_sha1_final(mmr_sha1_ctx *s, unsigned char digest[20])
{
    uint64_t bits = s->total * 8;
    /* padding: 0x80, zeros up to 56 bytes into a block, the bit length */
    s->block[s->used++] = 0x80;
    if (s->used > 56) {
        memset(s->block + s->used, 0, 64 - s->used);
        compress(s->h, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, 56 - s->used);
    for (int i = 0; i < 8; i++) s->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    compress(s->h, s->block);
    s->used = 0;
    for (int i = 0; i < 5; i++) {
        digest[4 * i]     = (unsigned char)(s->h[i] >> 24);
        digest[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        digest[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        digest[4 * i + 3] = (unsigned char)(s->h[i]);
    }
}

void mmr_sha1(const void *data, size_t len, unsigned char digest[20])
{
    mmr_sha1_ctx s;
    mmr_sha1_init(&s);
    mmr_sha1_update(&s, data, len);
    mmr_sha1_final(&s, digest);
}
