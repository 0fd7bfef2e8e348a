/*
 * writein.h: write-in names as ElGamal ciphertexts of P-256 points
 * (docs/RECORD.md §6, docs/record/mixnet.md).
 *
 * A name (normalised, at most WRITEIN_NAME_MAX bytes of UTF-8, no NUL) is
 * encoded in WRITEIN_POINTS points M_j (writein_name_encode below) and each
 * point is encrypted under the joint key K:
 *
 *   name[j] = (a_j, b_j) = (r_j G, M_j + r_j K),
 *
 * with a Schnorr proof of knowledge of r_j (X = a_j) bound to
 *   {H_E, subject = credential || b_j, PROOF_WRITEIN, contest,
 *    index = WRITEIN_POINTS * slot + j},
 * so that a ciphertext cannot be copied from another ballot or slot
 * (Cortier-Smyth). Every WriteIn, the empty name included, has the same
 * size. Unlike the hashed ElGamal of version 1, the ciphertexts can be
 * re-encrypted and mixed, so a name is decrypted without its ballot.
 */
#ifndef TALLY_WRITEIN_H
#define TALLY_WRITEIN_H

#include <openssl/ec.h>

#include "elgamal.h"
#include "manifest.h"
#include "proof.h"
#include "tally.pb-c.h"

#define WRITEIN_NAME_MAX MANIFEST_WRITEIN_MAX
#define WRITEIN_SUBJECT_LEN (32 + 33)	/* credential || b_j */

/*
 * Names as P-256 points, for the mix-net (docs/record/mixnet.md). The name
 * (at most MANIFEST_WRITEIN_MAX bytes) is padded to
 *   P = u8(len) || name || zeros,  WRITEIN_POINTS * WRITEIN_POINT_BYTES bytes,
 * and chunk j = P[31j .. 31j + 31) becomes the point with
 *   x = u8(ctr) || chunk (32 bytes big-endian), y even,
 * for the least ctr in 0..254 that puts x on the curve. A 60-byte name (20
 * characters of 3 UTF-8 bytes) fits in 2 points.
 */
#define WRITEIN_POINT_BYTES 31
#define WRITEIN_POINTS \
	((1 + MANIFEST_WRITEIN_MAX + WRITEIN_POINT_BYTES - 1) / WRITEIN_POINT_BYTES)

/* pts[0..WRITEIN_POINTS) (allocated by the caller) receive the encoding of
 * name. E_TOO_LARGE over MANIFEST_WRITEIN_MAX bytes, E_INVALID_ARG when not
 * UTF-8 or holding NUL. */
int writein_name_encode(EC_POINT *const *pts, const char *name);
/* The name of pts; E_DECODE unless the points are exactly the encoding of a
 * name (canonical counter, y even, valid length, UTF-8, zero padding). */
int writein_name_decode(char name[MANIFEST_WRITEIN_MAX + 1],
    const EC_POINT *const *pts);

/* The bind of the proof of point j of a slot, from the slot's bind (subject
 * = the 32-byte credential, contest, index = global slot): subject becomes
 * subj = credential || b_j, index WRITEIN_POINTS * slot + j. */
void writein_point_bind(struct proof_bind *out,
    uint8_t subj[WRITEIN_SUBJECT_LEN], const struct proof_bind *slot,
    size_t j, const uint8_t bj[33]);

/* Fill out (initialised by the caller) with the encryption of name under K
 * (bind as for writein_point_bind; its kind is ignored). E_TOO_LARGE for a
 * name over WRITEIN_NAME_MAX bytes, E_INVALID_ARG when it is not UTF-8 or
 * holds NUL. r_out, when not NULL, receives the WRITEIN_POINTS randomness
 * scalars (secrets to wipe) which open the write-in if the ballot is
 * challenged. Free with writein_clear. */
int writein_encrypt_r(Tally__WriteIn *out, const EC_POINT *K,
    const char *name, const struct proof_bind *bind,
    uint8_t (*r_out)[32]);
int writein_encrypt(Tally__WriteIn *out, const EC_POINT *K, const char *name,
    const struct proof_bind *bind);
/*
 * The same in two steps, for a prover that computes every point of a
 * ballot at once with the fixed-base tables (p256_comb_mul; gt, kt the
 * tables of G and K; scalars drawn from rnd): writein_encrypt_begin fills
 * terms[WRITEIN_TERMS] (a_j, b_j, t_j for each point j; secrets, the
 * caller wipes them) and keeps the secrets in *pend; writein_encrypt_end
 * takes the encodings enc[WRITEIN_TERMS] of those products and fills out
 * (initialised by the caller; cleared on failure) and r_out as
 * writein_encrypt_r. Same errors; constant time in the scalars and the
 * name's points (writein.c). writein_pending_free wipes and frees.
 */
#define WRITEIN_TERMS (3 * WRITEIN_POINTS)
struct writein_pending;
int writein_encrypt_begin(struct writein_pending **pend, const char *name,
    struct p256_comb_term (*terms)[2], const struct p256_comb *gt,
    const struct p256_comb *kt, struct group_rand *rnd);
int writein_encrypt_end(Tally__WriteIn *out, const struct writein_pending *p,
    const uint8_t (*enc)[33], const struct proof_bind *bind,
    uint8_t (*r_out)[32]);
void writein_pending_free(struct writein_pending *p);
/* 0 when encrypting name with the WRITEIN_POINTS scalars r gives exactly
 * w's ciphertexts; E_REVEAL when not, E_BAD_SCALAR, E_TOO_LARGE or
 * E_INVALID_ARG for a bad r or name, E_BALLOT_SHAPE for a bad w. */
int writein_reveal_check(const Tally__WriteIn *w, const EC_POINT *K,
    const ProtobufCBinaryData *r, const char *name);
/* Free what writein_encrypt allocated inside w (not w). NULL-safe. */
void writein_clear(Tally__WriteIn *w);
/* The ciphertexts of w, strictly decoded into ct[WRITEIN_POINTS]
 * (initialised by the caller): E_BALLOT_SHAPE for wrong counts or a
 * missing proof, E_BAD_POINT. */
int writein_decode(struct elgamal_ct *ct, const Tally__WriteIn *w);
/* Add the proofs of w (ciphertexts ct, from writein_decode) to batch. */
int writein_batch_add(struct proof_batch *batch, const Tally__WriteIn *w,
    const struct elgamal_ct *ct, const struct proof_bind *bind);
/* Verifier side: writein_decode, then every proof of knowledge. */
int writein_check(const Tally__WriteIn *w, const struct proof_bind *bind);

#endif
