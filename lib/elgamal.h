/*
 * elgamal.h: exponential ElGamal on P-256 (docs/design.md §4).
 *
 *   Enc(m; r) = (a, b) = (rG, mG + rK)
 *
 * Additively homomorphic: elgamal_add gives an encryption of the sum. A
 * ciphertext's points are never the point at infinity once decoded.
 */
#ifndef TALLY_ELGAMAL_H
#define TALLY_ELGAMAL_H

#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

struct elgamal_ct {
	EC_POINT *a;
	EC_POINT *b;
};

/* Allocate both points (set to infinity: the encryption of 0 with r = 0,
 * the neutral element for sums). */
int elgamal_ct_init(struct elgamal_ct *c);
/* Free both points; NULL-safe, idempotent. */
void elgamal_ct_clear(struct elgamal_ct *c);
int elgamal_ct_copy(struct elgamal_ct *dst, const struct elgamal_ct *src);

/* out = Enc(m; r) under K. r is chosen at random and returned in r (a
 * caller-owned secret BIGNUM, for the proofs); wipe it after use. */
int elgamal_encrypt(struct elgamal_ct *out, BIGNUM *r, const EC_POINT *K,
    uint64_t m);
/* out = Enc(M; r) = (rG, M + rK) for a point M (a write-in name point,
 * writein.h); r as for elgamal_encrypt. */
int elgamal_encrypt_point(struct elgamal_ct *out, BIGNUM *r,
    const EC_POINT *K, const EC_POINT *M);
/* Re-encryption: out = in + Enc(0; r) = (a + rG, b + rK) for the given r
 * (the caller draws it and keeps it secret); out may alias in. */
int elgamal_reencrypt(struct elgamal_ct *out, const struct elgamal_ct *in,
    const EC_POINT *K, const BIGNUM *r);
/* out = x + y (componentwise); out may alias x or y. */
int elgamal_add(struct elgamal_ct *out, const struct elgamal_ct *x,
    const struct elgamal_ct *y);
/* mG = b - s a, for a secret key s (tests and single-key use). */
int elgamal_decrypt_point(EC_POINT *mG, const struct elgamal_ct *c,
    const BIGNUM *s);

/* Strict decoding of the two 33-byte points (E_BAD_POINT). */
int elgamal_ct_decode(struct elgamal_ct *c, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen);
int elgamal_ct_encode(uint8_t a[33], uint8_t b[33],
    const struct elgamal_ct *c);

#endif
