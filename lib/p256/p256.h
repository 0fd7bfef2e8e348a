/*
 * p256.h: fast P-256 arithmetic for checking public data (lib/p256).
 *
 * VARIABLE TIME: the point operations and the multi-scalar multiplication
 * branch on their inputs (the point at infinity, equal points, zero
 * digits, bucket indexes). Use this module only for values that are
 * public: points and scalars of proofs, ballots, shares and statements
 * being verified, and a verifier's own batch weights (fresh for each
 * batch, drawn after the proofs are fixed). Never give it a secret: the
 * terminal's encryption randomness, a prover's nonces, a trustee's share
 * or key stay on the constant-time code of group.c (OpenSSL).
 * (The field arithmetic underneath, lib/p256/fe.h, is itself free of
 * data-dependent branches.)
 *
 * Points are affine (struct p256_affine, never infinity) or Jacobian
 * (struct p256_jacobian, Z = 0 is infinity); coordinates are kept in
 * Montgomery form. Scalars are four 64-bit limbs, least significant first;
 * any value below 2^256 is accepted by p256_msm.
 */
#ifndef TALLY_P256_H
#define TALLY_P256_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

struct p256_affine {
	uint64_t x[4], y[4];
};

struct p256_jacobian {
	uint64_t x[4], y[4], z[4];
};

/* Strict SEC1 compressed decoding, as group_point_decode: 33 bytes,
 * prefix 02 or 03, x < p, x on the curve. 0 or E_BAD_POINT. */
int p256_decode(struct p256_affine *out, const uint8_t in[33]);
/* The same for n points (several square roots at once where the processor
 * allows): 0 when all decode, else E_BAD_POINT (out then partly
 * written). */
int p256_decode_batch(struct p256_affine *out, const uint8_t (*in)[33],
    size_t n);
/* The affine coordinates as 32-byte big-endian integers. */
void p256_affine_coords(const struct p256_affine *p, uint8_t x[32],
    uint8_t y[32]);
void p256_generator(struct p256_affine *g);
/* The 33-byte SEC1 compressed encoding of p. */
void p256_encode(uint8_t out[33], const struct p256_affine *p);

/*
 * Encode n points given by Jacobian coordinates (32-byte big-endian X, Y,
 * Z each, Z != 0, as OpenSSL's EC_POINT_get_Jprojective_coordinates_GFp
 * gives them) with one inversion for all (Montgomery's trick). Unlike the
 * rest of this module this runs in time independent of the coordinates
 * (field arithmetic only), so a prover may encode its commitments with
 * it. scratch holds n field elements. 0, or E_BAD_POINT when a Z is 0.
 */
int p256_encode_jacobian(uint8_t (*out)[33], const uint8_t (*xyz)[96],
    size_t n, uint64_t (*scratch)[4]);

/* The affine points of n Jacobian ones given as for p256_encode_jacobian,
 * one inversion for all (variable time: public points only). 0, or
 * E_BAD_POINT when a Z is 0 or not below p. */
int p256_affine_from_jacobian(struct p256_affine *out,
    const uint8_t (*xyz)[96], size_t n, uint64_t (*scratch)[4]);

/* Conversions from and to OpenSSL points: E_BAD_POINT for infinity as
 * an input, E_CRYPTO when OpenSSL fails. */
int p256_from_ec(struct p256_affine *out, const EC_POINT *p);
int p256_to_ec(EC_POINT *out, const struct p256_jacobian *p);
/* A scalar in [0, 2^256) from a BIGNUM; E_BAD_SCALAR if out of range. */
int p256_scalar_from_bn(uint64_t s[4], const BIGNUM *b);

/* p = -p (y = p - y; never 0 for a point of P-256). */
void p256_negate(struct p256_affine *p);

int p256_is_infinity(const struct p256_jacobian *p);
/* 1 when p (Jacobian) and q (affine) are the same point. */
int p256_equal_affine(const struct p256_jacobian *p,
    const struct p256_affine *q);

/*
 * r = sum s[i] p[i], one multi-scalar multiplication sharing its
 * doublings: interleaved signed 4-bit windows (Straus) for a few points,
 * buckets (Pippenger) for many, affine buckets with batched additions for
 * very many. n = 0 gives infinity. 0 or E_NOMEM.
 */
int p256_msm(struct p256_jacobian *r, size_t n, const struct p256_affine *p,
    const uint64_t (*s)[4]);
/* The same with the method forced, for the tests: window = 0 is Straus,
 * 2..16 is Pippenger with windows of that many bits, its buckets affine
 * and their additions batched (one inversion for many) when batched,
 * Jacobian otherwise. */
int p256_msm_window(struct p256_jacobian *r, size_t n,
    const struct p256_affine *p, const uint64_t (*s)[4],
    unsigned int window, int batched);

/*
 * Fixed-base tables (comb.c). CONSTANT TIME in the scalars, unlike the
 * rest of this module: for the terminal's secrets (encryption randomness,
 * proof nonces) times a public base (G, the election key K).
 *
 * p256_comb_new builds the table of a public base (variable time in the
 * base; 88 kB, 43 windows of 32 affine points); p256_comb_generator is
 * G's, built once per process (NULL when out of memory).
 *
 * p256_comb_mul: out[i] = k0 B0 + k1 B1 for the terms (tab, k) of
 * terms[i] (terms[i][1].tab NULL: one term; or a second term that is
 * another output's result or a point given, ref and pt below), encoded
 * (33 bytes). Scalars
 * any value below 2^256. All the products are computed together (one
 * field inversion per window for all). 0; P256_COMB_EXCEPTIONAL when an
 * addition was exceptional (equal x coordinates: the two terms of an
 * output equal or opposite, negligible for random scalars; or a nonzero
 * multiple of q as a scalar): nothing is written then and the caller
 * computes otherwise; E_BAD_POINT when an output is infinity (a zero
 * scalar alone);
 * E_NOMEM; E_INVALID_ARG for a missing first table or a ref to an
 * output that is out of range or not of one term.
 */
struct p256_comb;
struct p256_comb_term {
	const struct p256_comb *tab;
	uint64_t k[4];
	/* second terms only: 1 when k <= 16 (a vote count, not a random
	 * scalar): one table entry instead of a product */
	int small;
	/*
	 * second terms only, tab NULL and ref 1: the term is the result of
	 * output src[0] (pick all ones) or src[1] (pick 0), or nothing (none
	 * all ones), chosen with masks: which one, a secret, changes neither
	 * the work nor the memory touched. src[] (public) are outputs of one
	 * term. For a prover's simulated branches (proof.c).
	 */
	int ref;
	size_t src[2];
	uint64_t pick, none;
	/* second terms only, tab NULL, ref 0: a point given (affine, not
	 * infinity; may be secret, it is only copied), added as a ref's */
	const struct p256_affine *pt;
};
#define P256_COMB_EXCEPTIONAL 1
int p256_comb_new(struct p256_comb **out, const struct p256_affine *base);
void p256_comb_free(struct p256_comb *c);
const struct p256_comb *p256_comb_generator(void);
/* The table of the base encoded as enc (33 bytes, SEC1 compressed), built
 * on first use and kept for the life of the process, for up to 8 bases
 * (the election keys a terminal encrypts to); NULL when enc is not a point,
 * memory is short or 8 other bases have tables: compute otherwise then. */
const struct p256_comb *p256_comb_cached(const uint8_t enc[33]);
int p256_comb_mul(uint8_t (*out)[33], size_t n,
    const struct p256_comb_term (*terms)[2]);

#endif
