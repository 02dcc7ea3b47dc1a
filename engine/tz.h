/* IANA time zones from TZif files (RFC 8536), for user-local quiet hours.
 *
 * Zones are read from a zoneinfo directory (default /usr/share/zoneinfo)
 * into a cache object the caller owns: one cache per thread or per run,
 * no global state. Version 1 files use the 32-bit data; version 2+ files
 * use the 64-bit data block. Instants after the last transition follow the
 * POSIX TZ footer ("EST5EDT,M3.2.0,M11.1.0"): fixed offsets and Mm.w.d /
 * Jn / n DST rules with optional /time. If the footer is absent or cannot
 * be read the last transition's offset stays in force.
 *
 * "UTC", "Etc/UTC" and "GMT" need no file. Names are validated before any
 * file is touched (mmr_tz_valid_name): no absolute paths, no "." or ".."
 * components, only [A-Za-z0-9_+-] and "/" separators, at most 255 bytes.
 */
#ifndef MMR_TZ_H
#define MMR_TZ_H
#include <stddef.h>
#include <stdint.h>

typedef struct mmr_tz mmr_tz;               /* one loaded zone */
typedef struct mmr_tz_cache mmr_tz_cache;   /* name -> zone, owns the zones */

/* 1 if name is a syntactically acceptable zone name (see above), else 0.
 * Says nothing about whether the zone exists. */
int mmr_tz_valid_name(const char *name);

/* dir NULL => "/usr/share/zoneinfo". The directory text is copied. NULL on
 * out-of-memory. */
mmr_tz_cache *mmr_tz_cache_new(const char *dir);
void mmr_tz_cache_free(mmr_tz_cache *c);

/* The zone called name, loaded once and kept by the cache (a failure is
 * remembered too, so a bad name costs one lookup per cache). NULL on
 * failure with *why (may be NULL) set to a static message:
 * "invalid time zone name", "unknown time zone", "malformed time zone
 * file", "out of memory". */
const mmr_tz *mmr_tz_get(mmr_tz_cache *c, const char *name, const char **why);

/* Offset east of UTC in seconds at instant t (Unix seconds, UTC). */
int32_t mmr_tz_offset_at(const mmr_tz *z, int64_t t);
/* The abbreviation in force at t ("IST", "EDT"), or "" when unknown. */
const char *mmr_tz_abbr_at(const mmr_tz *z, int64_t t);

/* Convenience: offset of zone name at t. 0 ok, -1 with *why. */
int mmr_tz_offset(mmr_tz_cache *c, const char *name, int64_t t,
                  int32_t *offset, const char **why);

/* Parse a TZif image held in memory (tests, embedded zones). NULL with
 * *why on failure. Free with mmr_tz_free. */
mmr_tz *mmr_tz_parse(const unsigned char *data, size_t len, const char **why);
/* A zone from a POSIX TZ string alone ("IST-5:30", "EST5EDT,M3.2.0,M11.1.0"). */
mmr_tz *mmr_tz_from_posix(const char *spec, const char **why);
void mmr_tz_free(mmr_tz *z);

#endif
