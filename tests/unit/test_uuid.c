/* util/sha1 and engine/uuid: SHA-1 vectors and RFC 4122 v5 UUIDs. The
 * expected UUIDs were computed with Python's uuid.uuid5. */
#include "t.h"
#include "util/sha1.h"
#include "engine/uuid.h"

static void hex(const unsigned char *d, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) { out[2 * i] = h[d[i] >> 4]; out[2 * i + 1] = h[d[i] & 15]; }
    out[2 * n] = 0;
}

int main(void)
{
    unsigned char dig[20], u[16];
    char hx[41], s[MMR_UUID_STR];

    mmr_sha1("abc", 3, dig); hex(dig, 20, hx);
    T_EQ_STR(hx, "a9993e364706816aba3e25717850c26c9cd0d89d");
    mmr_sha1("", 0, dig); hex(dig, 20, hx);
    T_EQ_STR(hx, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    char a1000[1000];
    memset(a1000, 'a', sizeof a1000);
    mmr_sha1(a1000, sizeof a1000, dig); hex(dig, 20, hx);
    T_EQ_STR(hx, "291e9a6c66994949b57ba5e650361e98fc36b1ba");
    /* every padding case: the length field fits after the 0x80 byte
     * (55), just does not (56, 57, 63), a full block (64), and two blocks */
    static const struct { size_t n; const char *hex; } pads[] = {
        { 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a" },
        { 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699" },
        { 57, "f08f24908d682555111be7ff6f004e78283d989a" },
        { 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5" },
        { 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d" },
        { 119, "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56" },
        { 120, "f34c1488385346a55709ba056ddd08280dd4c6d6" },
    };
    for (size_t i = 0; i < sizeof pads / sizeof pads[0]; i++) {
        mmr_sha1(a1000, pads[i].n, dig); hex(dig, 20, hx);
        T_EQ_STR(hx, pads[i].hex);
    }
    /* streaming in odd pieces gives the same digest */
    mmr_sha1_ctx c;
    mmr_sha1_init(&c);
    for (size_t i = 0; i < sizeof a1000; i += 7)
        mmr_sha1_update(&c, a1000 + i, i + 7 <= sizeof a1000 ? 7 : sizeof a1000 - i);
    mmr_sha1_final(&c, dig); hex(dig, 20, hx);
    T_EQ_STR(hx, "291e9a6c66994949b57ba5e650361e98fc36b1ba");

    /* uuid5(NAMESPACE_DNS, "python.org") */
    unsigned char dns[16];
    T_EQ_INT(mmr_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8", dns), 0);
    mmr_uuid_v5(dns, "python.org", 10, u);
    T_EQ_STR(mmr_uuid_format(u, s), "886313e1-3b8a-5372-9b90-0c9aee199e5d");

    /* the project namespace is uuid5(NAMESPACE_URL, "https://moneymoments.app/mmr/delivery") */
    unsigned char url[16];
    T_EQ_INT(mmr_uuid_parse("6BA7B811-9DAD-11D1-80B4-00C04FD430C8", url), 0);
    const char *nsname = "https://moneymoments.app/mmr/delivery";
    mmr_uuid_v5(url, nsname, strlen(nsname), u);
    T_CHECK(memcmp(u, mmr_uuid_namespace, 16) == 0);
    T_EQ_STR(mmr_uuid_format(mmr_uuid_namespace, s), "48148d09-d478-59ca-bd4c-dfe546172c3c");

    /* delivery id: user + "\n" + rule + "\n" + date */
    T_EQ_STR(mmr_delivery_id("u42", "dining_overspend", "2025-10-26", s),
             "db2ed160-3973-5f38-b560-a36d38577d0e");
    const char *nm = "u42\ndining_overspend\n2025-10-26";
    mmr_uuid_v5(mmr_uuid_namespace, nm, strlen(nm), u);
    T_EQ_STR(mmr_uuid_format(u, hx), "db2ed160-3973-5f38-b560-a36d38577d0e");
    /* version and variant bits */
    T_EQ_INT(u[6] >> 4, 5);
    T_EQ_INT(u[8] >> 6, 2);
    /* different inputs, different ids; same inputs, same id */
    char s2[MMR_UUID_STR];
    mmr_delivery_id("u42", "dining_overspend", "2025-10-27", s2);
    T_CHECK(strcmp(s, s2) != 0);
    mmr_delivery_id("u42", "dining_overspend", "2025-10-26", s2);
    T_EQ_STR(s2, "db2ed160-3973-5f38-b560-a36d38577d0e");

    /* pinned: computed with the hand-written SHA-1 code before the switch
     * to libuuid's uuid_generate_sha1; ids in databases depend on them */
    T_EQ_STR(mmr_delivery_id("u1", "budget_80", "2025-01-01", s2), "ecff0f4d-1639-5faf-81b2-46a86e28c414");
    T_EQ_STR(mmr_delivery_id("user-\xc3\xbc", "travel_tip", "2026-12-05", s2), "7b0d57fa-5fa2-5833-96ea-c3bc55523f79");
    T_EQ_STR(mmr_delivery_id("", "", "", s2), "d76722d7-c0e3-58c3-a028-7101a488de8e");
    T_EQ_STR(mmr_delivery_id("9999999999", "dining_overspend_weekend_very_long_rule_name", "2025-10-26", s2),
             "7e0bf7de-2205-5809-bc3d-d3e9efb2bccb");
    mmr_uuid_v5(mmr_uuid_namespace, "", 0, u);
    T_EQ_STR(mmr_uuid_format(u, s2), "de03fdfe-ab24-55c2-be0a-8bd849535d7f");
    char big[600];
    memset(big, 'x', sizeof big);
    mmr_uuid_v5(mmr_uuid_namespace, big, 300, u);
    T_EQ_STR(mmr_uuid_format(u, s2), "2e03bc5f-5231-5bc6-9d44-c86361f27684");
    /* a name longer than the stack buffer of mmr_delivery_id */
    big[599] = 0;
    char ref[MMR_UUID_STR];
    mmr_delivery_id(big, "r", "2025-10-26", s2);
    char nm2[620];
    snprintf(nm2, sizeof nm2, "%s\nr\n2025-10-26", big);
    mmr_uuid_v5(mmr_uuid_namespace, nm2, strlen(nm2), u);
    T_EQ_STR(s2, mmr_uuid_format(u, ref));

    /* a per-key rule's id: the keyless name + "\n" + key (Python:
     * uuid5(ns, "u42\ndining_overspend\n2025-10-26\nFood")); no key, or an
     * empty one, is the keyless id byte for byte */
    T_EQ_STR(mmr_delivery_id_key("u42", "dining_overspend", "2025-10-26", "Food", 4, s2),
             "998b1f6d-e719-5e1b-a988-202795c6097a");
    T_EQ_STR(mmr_delivery_id_key("u42", "dining_overspend", "2025-10-26", "Travel", 6, s2),
             "64ac9e80-5190-5416-a146-63089a9ea3a7");
    /* a key may hold any byte, a newline included: it comes last */
    const char *odd = "Food\nand \xc3\xbcml\xc3\xa4ut";
    T_EQ_STR(mmr_delivery_id_key("u1", "category_overspend", "2025-10-26", odd, strlen(odd), s2),
             "bed6ed2f-0bdb-5c34-b0be-658d5b608640");
    T_EQ_STR(mmr_delivery_id_key("u42", "dining_overspend", "2025-10-26", NULL, 0, s2),
             "db2ed160-3973-5f38-b560-a36d38577d0e");
    T_EQ_STR(mmr_delivery_id_key("u42", "dining_overspend", "2025-10-26", "", 0, s2),
             "db2ed160-3973-5f38-b560-a36d38577d0e");
    T_EQ_STR(mmr_delivery_id_key("u1", "budget_80", "2025-01-01", NULL, 0, s2), "ecff0f4d-1639-5faf-81b2-46a86e28c414");
    /* a long key takes the allocated name */
    mmr_delivery_id_key("u", "r", "2025-10-26", big, 599, s2);
    snprintf(nm2, sizeof nm2, "u\nr\n2025-10-26\n%s", big);
    mmr_uuid_v5(mmr_uuid_namespace, nm2, strlen(nm2), u);
    T_EQ_STR(s2, mmr_uuid_format(u, ref));

    /* parse rejects */
    T_EQ_INT(mmr_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c", u), -1);
    T_EQ_INT(mmr_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8x", u), -1);
    T_EQ_INT(mmr_uuid_parse("6ba7b8109dad-11d1-80b4-00c04fd430c8", u), -1);
    T_EQ_INT(mmr_uuid_parse("6ba7b810-9dad-11d1-80b4-00c04fd430cg", u), -1);
    return T_DONE("uuid");
}
