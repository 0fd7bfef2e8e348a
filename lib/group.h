/*
 * group.h: the P-256 group, its points and scalars (docs/design.md §4).
 *
 * Points travel as SEC1 compressed encodings (33 bytes); group_point_decode
 * accepts nothing else: not the point at infinity, not a point off the curve,
 * not an uncompressed or hybrid form, not an x coordinate >= p. Scalars travel
 * as 32-byte big-endian integers that must be < q.
 *
 * The group and its order are process-wide and read-only; each thread gets
 * its own BN_CTX from group_bn_ctx(), so no function here takes one.
 */
#ifndef TALLY_GROUP_H
#define TALLY_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#define GROUP_POINT_LEN 33
#define GROUP_SCALAR_LEN 32

const EC_GROUP *group_ec(void);
const BIGNUM *group_order(void);
const EC_POINT *group_generator(void);
/* The calling thread's BN_CTX; freed when the thread exits. */
BN_CTX *group_bn_ctx(void);

EC_POINT *group_point_new(void);
void group_point_free(EC_POINT *p);
int group_point_copy(EC_POINT *dst, const EC_POINT *src);
int group_point_equal(const EC_POINT *a, const EC_POINT *b);
int group_point_is_infinity(const EC_POINT *p);

/* Strict decoding of a 33-byte compressed point. */
int group_point_decode(EC_POINT *out, const uint8_t *buf, size_t len);
/* n encodings of GROUP_POINT_LEN bytes each into out[0..n), decided as by
 * group_point_decode one after the other (several square roots at once);
 * 0, or the error of a bad one (out then partly written). */
int group_points_decode(EC_POINT *const *out,
    const uint8_t (*buf)[GROUP_POINT_LEN], size_t n);
/* Encode p (not infinity) as 33 compressed bytes. */
int group_point_encode(uint8_t out[GROUP_POINT_LEN], const EC_POINT *p);
/* p's Jacobian coordinates X, Y, Z as OpenSSL holds them, 3 x 32
 * big-endian bytes (Z = 1 for a decoded point). Not for infinity. */
int group_point_jacobian(uint8_t xyz[96], const EC_POINT *p);

/* Encode n points (none infinity) with one field inversion for all,
 * instead of one each. For a prover's commitments, which it publishes:
 * the field arithmetic (lib/p256/fe.h) is constant time, the conversions
 * out of OpenSSL go through BIGNUMs. E_BAD_POINT for infinity. */
int group_points_encode(uint8_t (*out)[GROUP_POINT_LEN],
    const EC_POINT *const *p, size_t n);

/* Scalars: BN_secure_new'd and wiped on free. */
BIGNUM *group_scalar_new(void);
void group_scalar_free(BIGNUM *s);
/* Strict decoding: exactly 32 bytes, value < q. Zero is allowed. */
int group_scalar_decode(BIGNUM *out, const uint8_t *buf, size_t len);
int group_scalar_encode(uint8_t out[GROUP_SCALAR_LEN], const BIGNUM *s);
/* Uniform in [1, q-1] from the private DRBG. */
int group_scalar_random(BIGNUM *out);
/*
 * The same from a buffer of the private DRBG's output refilled a block at
 * a time (one DRBG call for 32 scalars instead of one each), for a prover
 * that draws many: init before, clear (wipes what is left) after, within
 * one call of the prover (never across a fork). Candidates of 32 bytes
 * outside [1, q-1] are skipped (rejection sampling).
 */
#define GROUP_RAND_BLOCK 1024
struct group_rand {
	uint8_t buf[GROUP_RAND_BLOCK];
	size_t pos;
};
void group_rand_init(struct group_rand *r);
void group_rand_clear(struct group_rand *r);
int group_scalar_random_from(BIGNUM *out, struct group_rand *r);
/* The same as four 64-bit limbs, least significant first (for
 * lib/p256/scalar.h); constant time as that. */
int group_scalar_random_limbs(uint64_t out[4], struct group_rand *r);
int group_scalar_set_u64(BIGNUM *out, uint64_t v);
/* r = a + b, a - b, a * b (mod q); r may alias an operand. */
int group_scalar_add(BIGNUM *r, const BIGNUM *a, const BIGNUM *b);
int group_scalar_sub(BIGNUM *r, const BIGNUM *a, const BIGNUM *b);
int group_scalar_mul(BIGNUM *r, const BIGNUM *a, const BIGNUM *b);
int group_scalar_inv(BIGNUM *r, const BIGNUM *a);
/* r = -x (mod q), for 0 <= x < q; r may alias x. */
int group_scalar_neg(BIGNUM *r, const BIGNUM *x);

/* r = kG */
int group_mul_g(EC_POINT *r, const BIGNUM *k);
/* r = kP */
int group_mul(EC_POINT *r, const EC_POINT *p, const BIGNUM *k);
/* r = gk G + pk P (either scalar may be NULL) */
int group_mul2(EC_POINT *r, const BIGNUM *gk, const EC_POINT *p,
    const BIGNUM *pk);
/*
 * r = kP and r = gk G + pk P for a base P used again and again (the
 * election key K of a vote): the first call for P builds OpenSSL's table
 * for it (a copy of the group with P as generator, about 150 kB, kept for
 * the life of the process; at most GROUP_FIXED_MAX such bases, after
 * which the plain multiplication is used). Constant time in k, gk, pk,
 * like group_mul_g: use it for secrets (encryption randomness, nonces).
 */
#define GROUP_FIXED_MAX 8
int group_mul_fixed(EC_POINT *r, const EC_POINT *p, const BIGNUM *k);
int group_mul2_fixed(EC_POINT *r, const BIGNUM *gk, const EC_POINT *p,
    const BIGNUM *pk);
/* r = gk G + sum s[i] P[i]: one multi-scalar multiplication. */
int group_msm(EC_POINT *r, const BIGNUM *gk, size_t n, const EC_POINT **p,
    const BIGNUM **s);
/*
 * The same for PUBLIC points and scalars only (a verifier's): lib/p256's
 * variable-time multi-scalar multiplication, several times faster than
 * OpenSSL's for many points. Never give it a secret scalar.
 */
int group_msm_public(EC_POINT *r, const BIGNUM *gk, size_t n,
    const EC_POINT **p, const BIGNUM **s);
/* The affine forms of n points, one field inversion for all (variable
 * time: public points). E_BAD_POINT for NULL or the point at infinity. */
struct p256_affine;
int group_points_affine(struct p256_affine *out, const EC_POINT *const *p,
    size_t n);
/* r = a + b, r = a - b */
int group_add(EC_POINT *r, const EC_POINT *a, const EC_POINT *b);
int group_sub(EC_POINT *r, const EC_POINT *a, const EC_POINT *b);
/* r = mG for a small integer m (a plaintext of exponential ElGamal). */
int group_mul_g_u64(EC_POINT *r, uint64_t m);

/*
 * A point nobody knows the discrete logarithm of, derived verifiably by
 * try-and-increment (docs/record/mixnet.md): for ctr = 0, 1, ...,
 * x = H(tag, parts..., u32be(ctr)) (SHA-256 framing of hash.h); the first
 * x < p with a point gives the point (x, y) with y even. E_CRYPTO after
 * GROUP_H2P_TRIES failures (probability 2^-256). Public inputs only: the
 * number of tries leaks through timing.
 */
#define GROUP_H2P_TRIES 256
struct hash_part;
int group_point_from_hash(EC_POINT *out, const char *tag,
    const struct hash_part *parts, size_t n);

#endif
