/*
 * proof.h: the zero-knowledge proofs of tally (docs/design.md §4):
 *   - range proofs: a ciphertext (a, b) under K encrypts one of 0..L
 *     (disjunctive Chaum-Pedersen, L + 1 branches; L = 1 is the 0/1 proof);
 *   - DLEQ: Chaum-Pedersen proof that log_G X = log_A D (decryption shares);
 *   - Schnorr proof of knowledge of x with X = xG.
 *
 * Proofs are kept in their wire form (the protobuf messages of
 * proto/tally.proto): the provers fill a message with allocated buffers
 * (free with the matching *_clear), the verifiers decode strictly (counts,
 * sizes, points, scalars) and check. Every challenge is the SHA-512 hash mod q
 * of a tagged framing that includes the whole proof_bind, the statement and
 * the commitments (docs/RECORD.md), so no proof moves to another election,
 * credential, contest, selection or constraint.
 *
 * Proofs carry their commitments so that many can be checked at once: a
 * proof_batch gathers the equations of many proofs with random 128-bit
 * weights and checks them all with one multi-scalar multiplication.
 */
#ifndef TALLY_PROOF_H
#define TALLY_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "elgamal.h"
#include "group.h"
#include "p256/p256.h"
#include "tally.pb-c.h"

enum proof_kind {
	PROOF_SELECTION = 1,   /* a ballot selection is 0 or 1 */
	PROOF_CONSTRAINT = 2,  /* a sum of selections is in [0, L] */
	PROOF_WRITEIN = 3,     /* knowledge of a write-in point's randomness */
	PROOF_COEFFICIENT = 4, /* ceremony: knowledge of a coefficient */
	PROOF_TRANSPORT = 5,   /* ceremony: knowledge of a transport key */
	PROOF_DECRYPTION = 6,  /* a partial decryption is correct */
	PROOF_SHUFFLE = 7,     /* a mixer's shuffle (shuffle.h) */
};

/* What a proof is bound to. For ballots: subject = the credential public
 * key, contest = contest index, index = selection or constraint index. For
 * trustees: subject = u32be(trustee index), index = the coefficient or the
 * aggregate index. election_hash is 32 bytes (zero before H_E exists, in
 * the ceremony; NULL stands for those 32 zero bytes). */
struct proof_bind {
	const uint8_t *election_hash;
	const uint8_t *subject;
	size_t subject_len;
	uint32_t kind;
	uint32_t contest;
	uint32_t index;
};

/* The largest L of a range proof; provers and verifiers refuse more
 * (E_INVALID_ARG) so that a statement cannot ask for huge allocations. */
#define PROOF_RANGE_MAX 4096

/* Prove ct = Enc(m; r) under K with 0 <= m <= max. */
int range_proof_prove(Tally__RangeProof *out, const EC_POINT *K,
    const struct elgamal_ct *ct, uint64_t m, const BIGNUM *r, uint32_t max,
    const struct proof_bind *bind);

/*
 * The same proof in two steps, for a prover that computes the commitments
 * of many proofs at once with fixed-base tables (p256_comb_mul; gt and kt
 * the tables of G and K). range_proof_begin draws the nonce and the
 * simulated branches (their c_j, v_j go to out; drawn from rnd,
 * group.h) and fills the PROOF_RANGE_TERMS(max) entries of terms with the
 * commitments to compute, t_0 .. t_max then u_0 .. u_max, then the max
 * products of the simulated branches that the u_j take (terms[0] is entry
 * base of the caller's array, which refs point into); the terms hold
 * secrets: the caller wipes them. r (four limbs below q, p256/scalar.h)
 * is copied. Constant time in m and r (see proof.c).
 * range_proof_end takes the encodings enc[2 (max + 1)] of the first
 * 2 (max + 1) terms and the encodings of K, a and b, hashes and responds.
 * The outputs past those (E_k = c_k (k - m) G) are secret: with the
 * published c_k they give m away; the caller wipes them.
 * Either step clears out on failure; range_pending_free frees (and wipes)
 * the state between them, which range_proof_end does not free.
 */
#define PROOF_RANGE_TERMS(max) (3 * ((size_t)(max) + 1) - 1)
struct range_pending;
int range_proof_begin(struct range_pending **pend, Tally__RangeProof *out,
    struct p256_comb_term (*terms)[2], size_t base,
    const struct p256_comb *gt, const struct p256_comb *kt, uint64_t m,
    const uint64_t r[4], uint32_t max, struct group_rand *rnd);
int range_proof_end(Tally__RangeProof *out, struct range_pending *pend,
    const uint8_t (*enc)[33], const uint8_t kb[33], const uint8_t ab[33],
    const uint8_t bb[33], const struct proof_bind *bind);
void range_pending_free(struct range_pending *p);
int range_proof_verify(const Tally__RangeProof *p, const EC_POINT *K,
    const struct elgamal_ct *ct, uint32_t max, const struct proof_bind *bind);
/* Free what a prover allocated inside *p (not p itself). */
void range_proof_clear(Tally__RangeProof *p);

/* Prove knowledge of x with X = xG and D = xA. */
int dleq_prove(Tally__DleqProof *out, const BIGNUM *x, const EC_POINT *A,
    const EC_POINT *X, const EC_POINT *D, const struct proof_bind *bind);
int dleq_verify(const Tally__DleqProof *p, const EC_POINT *A,
    const EC_POINT *X, const EC_POINT *D, const struct proof_bind *bind);
void dleq_clear(Tally__DleqProof *p);

/* Prove knowledge of x with X = xG. */
int schnorr_prove(Tally__SchnorrProof *out, const BIGNUM *x,
    const EC_POINT *X, const struct proof_bind *bind);
int schnorr_verify(const Tally__SchnorrProof *p, const EC_POINT *X,
    const struct proof_bind *bind);
void schnorr_clear(Tally__SchnorrProof *p);

/* The Fiat-Shamir challenges (docs/record/proofs.md), exposed for the
 * known-answer tests: points are 33-byte encodings; t and u hold max + 1
 * commitments each. */
int range_proof_challenge(BIGNUM *c, const struct proof_bind *bind,
    uint32_t max, const uint8_t K[33], const uint8_t a[33],
    const uint8_t b[33], const ProtobufCBinaryData *t,
    const ProtobufCBinaryData *u);
int dleq_challenge(BIGNUM *c, const struct proof_bind *bind,
    const uint8_t A[33], const uint8_t X[33], const uint8_t D[33],
    const uint8_t t1[33], const uint8_t t2[33]);
int schnorr_challenge(BIGNUM *c, const struct proof_bind *bind,
    const uint8_t X[33], const uint8_t t[33]);

/* The framing every challenge starts with: H(tag, election hash (32 zero
 * bytes when NULL), subject, u32 kind, u32 contest, u32 index), SHA-512
 * when wide, else SHA-256 (hash.h); the caller adds the statement and the
 * commitments and finishes h. On error h is already released. */
struct hash_ctx;
int proof_bind_start(struct hash_ctx *h, const char *tag, int wide,
    const struct proof_bind *bind);

/* A proof's wire fields: d->data newly allocated with the 33-byte point or
 * 32-byte scalar (nothing allocated on error); an array of n buffers freed,
 * then *arr = NULL and *n = 0. */
int proof_bin_point(ProtobufCBinaryData *d, const EC_POINT *p);
int proof_bin_scalar(ProtobufCBinaryData *d, const BIGNUM *s);
void proof_bin_array_free(ProtobufCBinaryData **arr, size_t *n);

/* Batch verification. add_* decode and check the Fiat-Shamir hash of one
 * proof at once (returning its error), and defer its group equations;
 * proof_batch_verify checks every deferred equation with one multi-scalar
 * multiplication and returns E_BAD_PROOF if any fails (then verify one by
 * one to find which). A proof refused by add_* leaves the batch as it was;
 * a failure while adding its terms (memory) makes proof_batch_verify fail
 * with that error. proof_batch_verify does not consume the batch. */
struct proof_batch;
int proof_batch_new(struct proof_batch **out);
void proof_batch_free(struct proof_batch *b);
/* Empty the batch for its next use, keeping its memory (the terms' arrays
 * grow to the batch's size once, not again for every batch). */
void proof_batch_reset(struct proof_batch *b);
int proof_batch_add_range(struct proof_batch *b, const Tally__RangeProof *p,
    const EC_POINT *K, const struct elgamal_ct *ct, uint32_t max,
    const struct proof_bind *bind);
int proof_batch_add_dleq(struct proof_batch *b, const Tally__DleqProof *p,
    const EC_POINT *A, const EC_POINT *X, const EC_POINT *D,
    const struct proof_bind *bind);
/* A point given decoded: its encoding and its p256 affine form (the two
 * must agree: the encoding of aff). */
struct proof_point {
	uint8_t enc[GROUP_POINT_LEN];
	struct p256_affine aff;
};
/* proof_batch_add_dleq for a caller that decoded the points itself (in
 * bulk, with p256_decode_batch): A, X, D the statement, t[0], t[1] the
 * proof's t1 and t2 decoded from p->t1 and p->t2 (which are still hashed
 * as they are). The same checks and errors as proof_batch_add_dleq once
 * its points have decoded. */
int proof_batch_add_dleq_decoded(struct proof_batch *b,
    const Tally__DleqProof *p, const struct proof_point *A,
    const struct proof_point *X, const struct proof_point *D,
    const struct p256_affine t[2], const struct proof_bind *bind);
int proof_batch_add_schnorr(struct proof_batch *b,
    const Tally__SchnorrProof *p, const EC_POINT *X,
    const struct proof_bind *bind);
int proof_batch_verify(struct proof_batch *b);

#endif
