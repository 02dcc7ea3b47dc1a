/* Name-based UUIDs (RFC 4122 version 5, SHA-1). Delivery ids are derived,
 * never random, so a rerun of the same snapshot yields the same ids. */
#ifndef MMR_UUID_H
#define MMR_UUID_H
#include <stddef.h>

/* The project namespace: uuid5(NAMESPACE_URL,
 * "https://moneymoments.app/mmr/delivery")
 * = 48148d09-d478-59ca-bd4c-dfe546172c3c. Never change it: ids in
 * existing databases depend on it. */
extern const unsigned char mmr_uuid_namespace[16];

#define MMR_UUID_STR 37   /* 36 characters and a NUL */

/* v5 UUID of name within namespace ns. */
void mmr_uuid_v5(const unsigned char ns[16], const void *name, size_t len,
                 unsigned char out[16]);
/* Lower-case 8-4-4-4-12 text. out holds MMR_UUID_STR bytes; returns out. */
char *mmr_uuid_format(const unsigned char u[16], char *out);
/* Parse 8-4-4-4-12 text (either case). 0 or -1. */
int mmr_uuid_parse(const char *s, unsigned char out[16]);

/* The delivery id: v5 in mmr_uuid_namespace of the name
 * user_id + "\n" + rule + "\n" + snapshot_date ("2025-10-26"), as text.
 * Returns out (NULL, and out "", only when memory runs out). */
char *mmr_delivery_id(const char *user_id, const char *rule,
                      const char *snapshot_date, char *out);
/* A per-key rule's delivery id: the name is the keyless one + "\n" +
 * the key's key_len bytes. User ids hold no control character, rule names
 * are identifiers and dates are fixed, so the key, last, may hold any byte
 * and no two (user, rule, date, key) share a name. key NULL (or empty):
 * exactly mmr_delivery_id, so keyless ids never change. */
char *mmr_delivery_id_key(const char *user_id, const char *rule, const char *snapshot_date,
                          const char *key, size_t key_len, char *out);

#endif
