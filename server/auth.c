/* Bearer tokens: HS256 JWTs with `sub` (the user id) and `exp`. The
 * header is read here first so that a token with any other alg (above
 * all "none") is refused before libjwt sees it; libjwt checks the
 * signature. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <jwt.h>
#include "server/internal.h"
#include "util/userid.h"

static int b64url_val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* base64url without padding into a new NUL-terminated string; NULL when
 * it is not base64url */
static char *b64url_decode(const char *s, size_t n, size_t *outlen)
{
    if (n % 4 == 1) return NULL;
    char *out = malloc(n * 3 / 4 + 4);
    if (!out) return NULL;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(s[i]);
        if (v < 0) { free(out); return NULL; }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) { bits -= 8; out[o++] = (char)((acc >> bits) & 0xff); }
    }
    out[o] = 0;
    *outlen = o;
    return out;
}

static json_t *segment_json(const char *s, size_t n)
{
    size_t len;
    char *txt = b64url_decode(s, n, &len);
    if (!txt) return NULL;
    json_t *j = json_loadb(txt, len, JSON_REJECT_DUPLICATES, NULL);
    free(txt);
    if (j && !json_is_object(j)) { json_decref(j); j = NULL; }
    return j;
}

int mmr_auth_verify(const unsigned char *key, size_t keylen, const char *token, int64_t now, char **sub,
                    const char **why)
{
    *sub = NULL;
    const char *d1 = strchr(token, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '.')) { *why = "malformed token"; return -1; }
    json_t *hdr = segment_json(token, (size_t)(d1 - token));
    json_t *claims = segment_json(d1 + 1, (size_t)(d2 - d1 - 1));
    int rc = -1;
    if (!hdr || !claims) { *why = "malformed token"; goto out; }
    json_t *alg = json_object_get(hdr, "alg");
    if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256")) { *why = "token alg must be HS256"; goto out; }
    jwt_t *jwt = NULL;
    if (jwt_decode(&jwt, token, key, (int)keylen) || !jwt) { *why = "bad token signature"; goto out; }
    int alg_ok = jwt_get_alg(jwt) == JWT_ALG_HS256;
    jwt_free(jwt);
    if (!alg_ok) { *why = "token alg must be HS256"; goto out; }
    json_t *s = json_object_get(claims, "sub"), *e = json_object_get(claims, "exp");
    if (!json_is_string(s)) { *why = "token has no sub claim"; goto out; }
    if (!json_is_number(e)) { *why = "token has no exp claim"; goto out; }
    if (json_number_value(e) <= (double)now) { *why = "token expired"; goto out; }
    const char *sv = json_string_value(s);
    size_t sl = json_string_length(s);
    if (mmr_user_id_problem(sv, sl)) { *why = "token sub is not a valid user id"; goto out; }
    if (!(*sub = strndup(sv, sl))) { *why = "out of memory"; goto out; }
    rc = 0;
out:
    json_decref(hdr);
    json_decref(claims);
    return rc;
}
