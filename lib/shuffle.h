/*
 * shuffle.h: verifiable re-encryption shuffle of tuples of ElGamal
 * ciphertexts (docs/record/mixnet.md).
 *
 * A list holds N tuples of w ciphertexts under the joint key K. A mixer
 * re-encrypts every ciphertext with fresh randomness and permutes the
 * tuples (one permutation for the whole tuple), and proves it with the
 * Terelius-Wikström proof of a shuffle as written out by Haenni, Locher,
 * Koenig and Dubuis ("Pseudo-Code Algorithms for Verifiable Re-Encryption
 * Mix-Nets", FC 2017), generalised to tuples. The independent generators
 * come from hash-to-curve (group_point_from_hash) and every Fiat-Shamir
 * challenge hashes the whole statement: the bind (election, mixer, step),
 * N, w, K, every generator, both lists and every commitment, so that the
 * attacks of Haines, Lewis, Pereira and Teague (2020) do not apply.
 *
 * Promises: shuffle_verify accepts only a proof made by someone who knows
 * a permutation and randomness that map the input onto the output; a proof
 * is bound to its bind and refused for any other mixer or step.
 */
#ifndef TALLY_SHUFFLE_H
#define TALLY_SHUFFLE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "elgamal.h"
#include "proof.h"
#include "tally.pb-c.h"

/* Widest tuple: 3 ciphertexts per write-in slot, at most one slot per
 * compiled selection (MANIFEST_SELECTIONS_MAX). */
#define SHUFFLE_WIDTH_MAX (3 * 1024)
#define SHUFFLE_TUPLES_MAX (1u << 20)
#define SHUFFLE_CT_LEN (2 * 33) /* a || b of one ciphertext */

/* N tuples of w ciphertexts, tuple-major: ciphertext k of tuple i is
 * ct[i * w + k], and its encoding a || b is enc[(i * w + k) * 66 ..]. The
 * encodings are what the challenges hash; keep them equal to ct. */
struct mix_list {
	size_t n;
	size_t w;
	struct elgamal_ct *ct;
	uint8_t *enc;
};

/* Allocate n * w ciphertexts (at infinity) and their encoding buffer.
 * E_INVALID_ARG for n = 0, w = 0, w > SHUFFLE_WIDTH_MAX or n >
 * SHUFFLE_TUPLES_MAX. */
int mix_list_init(struct mix_list *l, size_t n, size_t w);
/* Free everything; NULL-safe, idempotent. */
void mix_list_clear(struct mix_list *l);
/* enc from ct (E_BAD_POINT if a point is at infinity). */
int mix_list_encode(struct mix_list *l);
/* ct from enc, strictly (E_BAD_POINT). */
int mix_list_decode(struct mix_list *l);

/* The generators of a shuffle of n tuples: gen[0] = H (the base of the
 * commitment chain) and gen[1..n] = h_1..h_n, each
 * group_point_from_hash("shuffle-generator", election_hash, u32be(j)).
 * gen (n + 1 pointers) receives new points, enc (n + 1) their encodings. */
int shuffle_generators(EC_POINT **gen, uint8_t (*enc)[33], size_t n,
    const uint8_t election_hash[32]);

/* Re-encrypt and permute in into out (initialised by the caller with the
 * same n and w; encoded on return), with a random permutation and fresh
 * randomness, and prove it into proof (free with shuffle_proof_clear).
 * bind: kind is forced to PROOF_SHUFFLE; subject names the mixer (u32be of
 * its trustee index), index is the step. */
int shuffle_mix(struct mix_list *out, Tally__ShuffleProof *proof,
    const struct mix_list *in, const EC_POINT *K,
    const struct proof_bind *bind);

/* The prover alone, for a given permutation (out tuple i re-encrypts in
 * tuple perm[i]) and randomness rho[i * w + k] (ciphertext k of out tuple
 * i). It does not check that out is what perm and rho make of in: a proof
 * for anything else fails to verify (the tests use it to play a cheating
 * mixer). perm must be a permutation (E_INVALID_ARG). */
int shuffle_prove(Tally__ShuffleProof *proof, const struct mix_list *in,
    const struct mix_list *out, const EC_POINT *K,
    const struct proof_bind *bind, const uint32_t *perm,
    BIGNUM *const *rho);

/* 0 if proof shows out is a shuffle of in under K for bind; E_BAD_PROOF
 * for wrong counts or a false equation, E_BAD_POINT / E_BAD_SCALAR for a
 * field that does not decode, E_INVALID_ARG for lists of different shapes. */
int shuffle_verify(const Tally__ShuffleProof *proof,
    const struct mix_list *in, const struct mix_list *out, const EC_POINT *K,
    const struct proof_bind *bind);

/* The Fiat-Shamir hashes, exposed for the known-answer tests of
 * docs/record/mixnet.md: the statement seed (bind as given, kind not
 * forced), the challenges u_0..u_{n-1} and the challenge c. */
int shuffle_challenge_seed(uint8_t seed[32], const struct proof_bind *bind,
    const struct mix_list *in, const struct mix_list *out,
    const EC_POINT *K, const ProtobufCBinaryData *commitments);
int shuffle_challenge_u(BIGNUM **u, size_t n, const uint8_t seed[32]);
int shuffle_challenge_c(BIGNUM *c, const uint8_t seed[32],
    const Tally__ShuffleProof *p);

/* Free what shuffle_mix / shuffle_prove allocated inside p (not p). */
void shuffle_proof_clear(Tally__ShuffleProof *p);

#endif
