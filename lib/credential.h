/*
 * credential.h: ballot credential cards and the per-vote registries
 * (docs/design.md §4).
 *
 * A card holds a 32-byte seed. For vote E its credential is the Ed25519 key
 * whose private key is HKDF-SHA256(ikm = seed, salt = H("cred-salt", E),
 * info = "tally credential"), so one card serves every vote of a session
 * with keys that cannot be linked to each other without the seed.
 *
 * The card code is base32 (RFC 4648, no padding) of seed || check, where
 * check = the first 3 bytes of H("card-check", seed): 56 characters in 14
 * dash-separated groups of 4. Parsing is case-insensitive, ignores dashes
 * and spaces, and refuses a wrong length, an unknown character or a failed
 * check (a single mistyped character is caught except with probability
 * 2^-24).
 *
 * A card file holds the code and one newline. A registry file is text:
 *
 *   tally-registry v1 <vote id> <count>\n
 *   <64 lowercase hex digits>\n        (count lines, strictly ascending)
 *
 * and nothing else; loading refuses anything that deviates.
 */
#ifndef TALLY_CREDENTIAL_H
#define TALLY_CREDENTIAL_H

#include <stddef.h>
#include <stdint.h>

#define CRED_SEED_LEN 32
#define CRED_KEY_LEN 32
#define CRED_CHECK_LEN 3
#define CRED_GROUP 4
/* 56 base32 characters, 13 dashes, NUL. */
#define CRED_CODE_LEN 69
#define CRED_VOTE_ID_MAX 64
#define REGISTRY_MAX_KEYS 10000000u

/* [a-z0-9_-]{1,64}, the manifest's rule for ids. */
int credential_vote_id_valid(const char *id);

/* A fresh random seed. */
int credential_seed_new(uint8_t seed[CRED_SEED_LEN]);
/* The Ed25519 key pair of seed for vote_id (sk may be NULL). */
int credential_derive(uint8_t sk[CRED_KEY_LEN], uint8_t pk[CRED_KEY_LEN],
    const uint8_t seed[CRED_SEED_LEN], const char *vote_id);
/* The card code of seed into out[CRED_CODE_LEN + 1]. */
int credential_code(char out[CRED_CODE_LEN + 1],
    const uint8_t seed[CRED_SEED_LEN]);
/* Parse a card code: E_TRUNCATED, E_TRAILING, E_DECODE or E_CHECKSUM. */
int credential_parse(uint8_t seed[CRED_SEED_LEN], const char *code);
/* Read a card file (code, one optional newline); refused when group- or
 * world-accessible (E_PERM). */
int credential_card_load(uint8_t seed[CRED_SEED_LEN], const char *path);

struct registry {
	char vote_id[CRED_VOTE_ID_MAX + 1];
	size_t n;
	uint8_t (*keys)[CRED_KEY_LEN]; /* strictly ascending */
};

/* A registry of copies of keys[0..n), sorted; E_INVALID_ARG on a
 * duplicate or a bad vote id. */
int registry_new(struct registry **out, const char *vote_id,
    const uint8_t (*keys)[CRED_KEY_LEN], size_t n);
void registry_free(struct registry *r);
/* The text form above; *out is NUL-terminated, *len excludes the NUL. */
int registry_encode(const struct registry *r, char **out, size_t *len);
int registry_decode(struct registry **out, const uint8_t *p, size_t len);
int registry_load(struct registry **out, const char *path);
/* Binary search: 1 when pk is in r, else 0. */
int registry_contains(const struct registry *r,
    const uint8_t pk[CRED_KEY_LEN]);

#endif
