/*
 * util.h: small helpers every program shares: wiping secrets, whole-file
 * reads with a size cap, atomic durable writes, private-file checks,
 * strict integer parsing and hex/base32 codecs.
 */
#ifndef TALLY_UTIL_H
#define TALLY_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The number of elements of an array (not of a pointer). */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Format a one-line message into err[errlen]; nothing when err is NULL. */
void util_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Wipe then free; NULL-safe. */
void util_freezero(void *p, size_t len);

/* Read the whole of path, refusing files over max bytes (E_TOO_LARGE).
 * *out is NUL-terminated (not counted in *len) and owned by the caller. */
int util_read_file(const char *path, size_t max, uint8_t **out, size_t *len);

/* Write path durably and atomically with the given mode: a temporary file
 * in the same folder, fsync, rename (or link, when exclusive, so that an
 * existing file is refused with E_EXISTS), fsync of the folder. On any error
 * nothing is left behind. */
int util_write_file(const char *path, const void *p, size_t len, mode_t mode,
    int exclusive);

/* E_PERM when path is readable or writable by group or others. */
int util_check_private(const char *path);

/* fsync the folder that holds path. */
int util_sync_parent(const char *path);

/* Strict unsigned parse: decimal digits only, whole string, in [min, max]. */
int util_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int util_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* Lowercase hex; out holds 2 * len + 1 bytes. */
void util_hex(char *out, const uint8_t *p, size_t len);
/* Exactly 2 * len hex digits into out[len]. */
int util_unhex(uint8_t *out, size_t len, const char *s);

/* RFC 4648 base32 without padding; out holds (len * 8 + 4) / 5 + 1 bytes. */
size_t util_base32(char *out, const uint8_t *p, size_t len);
/* Decode base32 ignoring '-' and spaces, case-insensitive; exactly len bytes
 * must result, with zero padding bits. */
int util_unbase32(uint8_t *out, size_t len, const char *s);

#endif
