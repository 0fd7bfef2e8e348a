/*
 * hash.h: domain-separated hashing (docs/design.md §4, docs/RECORD.md).
 *
 *   H(tag, parts...) = SHA-256("tally/v1/" || tag || 0x00 ||
 *                              for each part: u32be(len) || bytes)
 *
 * Challenges use the same framing with SHA-512, read as a big-endian integer
 * and reduced mod q (hash_to_scalar). Integers are hashed as fixed-width
 * big-endian parts (hash_add_u32/u64), never as text.
 */
#ifndef TALLY_HASH_H
#define TALLY_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#define HASH_LEN 32
#define HASH_PREFIX "tally/v1/"

struct hash_ctx {
	EVP_MD_CTX *md;
	int wide; /* SHA-512 for challenges */
};

/* Start H(tag, ...) (SHA-256) or, with wide, the SHA-512 challenge form. */
int hash_init(struct hash_ctx *h, const char *tag, int wide);
/* Append one part: u32be(len) || p. len must fit in 32 bits. */
int hash_add(struct hash_ctx *h, const void *p, size_t len);
int hash_add_u32(struct hash_ctx *h, uint32_t v);
int hash_add_u64(struct hash_ctx *h, uint64_t v);
int hash_add_str(struct hash_ctx *h, const char *s);
/* Finish a SHA-256 hash into out[32]; frees the context. */
int hash_final(struct hash_ctx *h, uint8_t out[HASH_LEN]);
/* Finish a SHA-512 challenge into out = digest mod q; frees the context. */
int hash_final_scalar(struct hash_ctx *h, BIGNUM *out);
/* Free a context that will not be finished (on error paths). NULL-safe. */
void hash_abort(struct hash_ctx *h);

struct hash_part {
	const void *p;
	size_t len;
};

/* One-shot H(tag, parts[0..n)). */
int hash_tagged(uint8_t out[HASH_LEN], const char *tag,
    const struct hash_part *parts, size_t n);

/* Plain SHA-256, for RFC 6962 leaves and nodes. */
int hash_sha256(uint8_t out[HASH_LEN], const void *p, size_t len);
int hash_sha256_2(uint8_t out[HASH_LEN], const void *p1, size_t l1,
    const void *p2, size_t l2);

/* CRC-32C (Castagnoli) of p, for log record framing. */
uint32_t hash_crc32c(const void *p, size_t len);

#endif
