/*
 * ceremony.h: the trustees' dealerless k-of-n key generation (Pedersen /
 * Feldman DKG, docs/design.md §4) and threshold decryption.
 *
 * Trustee i (1..n) draws a random polynomial f_i of degree k-1, publishes
 * C_il = a_il G (l = 0..k-1) with a Schnorr proof of each a_il, a P-256
 * transport key with its proof and an Ed25519 signing key, all in one signed
 * TrusteePublic. It sends s_ij = f_i(j) to trustee j encrypted to j's
 * transport key (ephemeral ECDH P-256, HKDF-SHA256, AES-256-GCM with
 * u32be(from) || u32be(to) as associated data) and signed. Trustee j checks
 * s_ij G = sum_l j^l C_il, naming i when it does not hold, and keeps
 * s_j = sum_i s_ij. The joint key is K = sum_i C_i0 and the public share of
 * j is s_j G = sum_l j^l (sum_i C_il), computable by anyone.
 *
 * A ceremony has an identity of its own (docs/record/ceremony.md): each
 * trustee draws a fresh 32-byte contribution at init and publishes it in
 * its TrusteePublic; the ceremony id is H("ceremony", u32be(n), u32be(k),
 * contribution_1, ..., contribution_n), so it binds every contribution and
 * no two ceremonies share it. The proofs of a public part use, in the
 * election_hash slot of their proof_bind, H("ceremony-part", u32be(n),
 * u32be(k), contribution) (the ceremony id does not exist yet), subject =
 * u32be(trustee index), index = the coefficient index (0 for the transport
 * proof), kinds PROOF_COEFFICIENT / PROOF_TRANSPORT. Every share carries and
 * is signed over the ceremony id, which is also the HKDF salt of its key: a
 * share of another ceremony is E_FOREIGN. Each trustee signs the transcript
 * digest T = H("transcript", transcript with no signatures) after checking
 * that its own public part is the one in it; the transcript in the record
 * carries all n signatures.
 *
 * Wire messages (TrusteePublic, EncryptedShare, CeremonyTranscript,
 * TrusteeSecret) cross this interface as packed bytes, decoded strictly
 * (sizes, counts, indices, points, proofs, signatures) before use.
 */
#ifndef TALLY_CEREMONY_H
#define TALLY_CEREMONY_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "proof.h"
#include "tally.pb-c.h"

#define CEREMONY_MAX_TRUSTEES 64
#define CEREMONY_ID_LEN 32
#define CEREMONY_VERSION 2
#define CEREMONY_CONTRIBUTION_LEN 32
/* "XXXX-XXXX-XXXX-XXXX": 80 bits of H("fingerprint", bytes), base32 */
#define CEREMONY_FINGERPRINT_LEN 19
#define CEREMONY_NAME_MAX 64
/* Cap for any one packed ceremony message read from a file. */
#define CEREMONY_MSG_MAX (1u << 20)

/* E_INVALID_ARG unless 1 <= k <= n <= CEREMONY_MAX_TRUSTEES. */
int ceremony_check_params(uint32_t n, uint32_t k);
/* H("ceremony", u32be(n), u32be(k), contribution_1..n) over the public
 * parts pubs[0..n) in index order (E_CEREMONY when they are not). */
int ceremony_id(uint8_t out[CEREMONY_ID_LEN], const Tally__TrusteePublic **pubs,
    uint32_t n, uint32_t k);
/* The short fingerprint of p (a public part, a ceremony id, a transcript)
 * that people read aloud and compare; out holds at least
 * CEREMONY_FINGERPRINT_LEN + 1 bytes. */
int ceremony_fingerprint(char *out, size_t outlen, const uint8_t *p,
    size_t len);

/* ---- one trustee's private state between phases ---- */

struct ceremony_trustee {
	uint32_t index; /* 1..n */
	uint32_t n;
	uint32_t k;
	BIGNUM **coef;                   /* a_0 .. a_{k-1} */
	BIGNUM *transport;               /* transport secret */
	uint8_t sign_seed[32];           /* Ed25519 private key */
	uint8_t contribution[CEREMONY_CONTRIBUTION_LEN]; /* fresh randomness */
};

/* Fresh random state for trustee index of a k-of-n ceremony. */
int ceremony_trustee_new(struct ceremony_trustee **out, uint32_t index,
    uint32_t n, uint32_t k);
/* Wipe and free; NULL-safe. */
void ceremony_trustee_free(struct ceremony_trustee *t);
/* Private state file: "TKS2" || u32be index, n, k || k scalars ||
 * transport scalar || 32-byte Ed25519 seed || 32-byte contribution. *out
 * is wiped-on-free material: release it with util_freezero(*out, *len).
 * A "TKS1" state (no contribution) is E_VERSION. */
int ceremony_trustee_encode(const struct ceremony_trustee *t, uint8_t **out,
    size_t *len);
int ceremony_trustee_decode(struct ceremony_trustee **out, const uint8_t *p,
    size_t len);

/* ---- phase 1: the signed public part ---- */

/* Packed, signed TrusteePublic of t (name may be NULL or up to
 * CEREMONY_NAME_MAX bytes). */
int ceremony_public_make(const struct ceremony_trustee *t, const char *name,
    uint8_t **out, size_t *len);
/* Unpack and fully check a TrusteePublic for a k-of-n ceremony: index in
 * 1..n (== want_index when want_index != 0), k commitments and proofs, the
 * transport proof and the self-signature. Free with
 * tally__trustee_public__free_unpacked(*out, NULL). */
int ceremony_public_open(Tally__TrusteePublic **out, const uint8_t *p,
    size_t len, uint32_t n, uint32_t k, uint32_t want_index);
/* 0 when pub is t's own public part (index, contribution, signing and
 * transport keys, every commitment from t's secrets), else E_FOREIGN:
 * what a trustee checks before trusting a set that holds "its" part. */
int ceremony_public_is_mine(const Tally__TrusteePublic *pub,
    const struct ceremony_trustee *t);

/* ---- phase 2: encrypted, signed shares ---- */

/* f(j) for the polynomial of t. */
int ceremony_poly_eval(BIGNUM *out, const struct ceremony_trustee *t,
    uint32_t j);
/* Packed EncryptedShare of f_from(to) for the trustee whose (opened)
 * public part is to, in the ceremony id. */
int ceremony_share_seal(const struct ceremony_trustee *from,
    const Tally__TrusteePublic *to, const uint8_t id[CEREMONY_ID_LEN],
    uint8_t **out, size_t *len);
/* Unpack, check the signature of `from`, that the share is of ceremony
 * id, decrypt with me's transport key, and check the share against from's
 * commitments. E_BAD_SIGNATURE, E_FOREIGN (another ceremony's), E_CRYPTO
 * (does not decrypt), E_BAD_SHARE (does not match) or a decoding error,
 * all of which mean trustee from->index sent a bad share. */
int ceremony_share_open(BIGNUM *share, const uint8_t *p, size_t len,
    const struct ceremony_trustee *me, const Tally__TrusteePublic *from,
    const uint8_t id[CEREMONY_ID_LEN]);
/* s G == sum_l j^l C_l: E_BAD_SHARE otherwise. */
int ceremony_share_check(const BIGNUM *s, uint32_t j, const EC_POINT **C,
    size_t k);

/* ---- phase 3: combining ---- */

/* Open every share sent to me (shares[i] is the packed share from trustee
 * i + 1, pubs[i] its opened public part; shares[me - 1] is ignored and the
 * own f(me) used instead) and sum them into s, after checking that
 * pubs[me - 1] is me's own part (E_FOREIGN). On any failure *culprit is
 * the sending trustee's index (0 when the failure is not a sender's). */
int ceremony_collect(BIGNUM *s, const struct ceremony_trustee *me,
    const Tally__TrusteePublic **pubs, const uint8_t **shares,
    const size_t *share_lens, uint32_t *culprit);
/* The packed, unsigned CeremonyTranscript (n, k, members, public shares,
 * joint key, ceremony id) from the opened public parts of all n trustees,
 * in index order. */
int ceremony_transcript_make(const Tally__TrusteePublic **pubs, uint32_t n,
    uint32_t k, uint8_t **out, size_t *len);
/* Trustee t's packed TranscriptSignature over the digest of the unsigned
 * transcript p, made only when the transcript checks and t's own public
 * part is member t->index (E_FOREIGN otherwise). */
int ceremony_transcript_sign(const struct ceremony_trustee *t,
    const uint8_t *p, size_t len, uint8_t **out, size_t *outlen);
/* The signed transcript: the unsigned one p with the n packed signatures
 * sigs[0..n) (trustee 1..n), each checked; on a bad one *culprit names the
 * trustee. */
int ceremony_transcript_seal(const uint8_t *p, size_t len,
    const uint8_t **sigs, const size_t *siglens, uint32_t nsigs,
    uint8_t **out, size_t *outlen, uint32_t *culprit);

/* Which check of a transcript failed: "transcript" (parameters, members,
 * public shares, joint key), "ceremony-id" or "transcript-signature";
 * trustee is the member concerned (0: none in particular). */
struct ceremony_why {
	const char *check;
	const char *reason;
	uint32_t trustee;
};
/* Unpack a signed transcript and recheck all of it: parameters, every
 * member, the ceremony id, recomputed public shares and joint key, and
 * every trustee's signature. why (may be NULL) names a failure. */
int ceremony_transcript_check(Tally__CeremonyTranscript **out,
    const uint8_t *p, size_t len, struct ceremony_why *why);
int ceremony_transcript_open(Tally__CeremonyTranscript **out,
    const uint8_t *p, size_t len);
/* T = H("transcript", the packed transcript with no signatures): what the
 * trustees sign and what a TrusteeSecret names. */
int ceremony_transcript_digest(uint8_t out[32],
    const Tally__CeremonyTranscript *tr);
/* The joint key and the public share of trustee i (1..n) of an opened
 * transcript. */
int ceremony_joint_key(EC_POINT *K, const Tally__CeremonyTranscript *tr);
int ceremony_public_share(EC_POINT *X, const Tally__CeremonyTranscript *tr,
    uint32_t i);
/* Packed TrusteeSecret (index, share, transcript hash); wipe after use. */
int ceremony_secret_make(uint32_t index, const BIGNUM *s,
    const uint8_t transcript_hash[32], uint8_t **out, size_t *len);
/* Unpack a TrusteeSecret; *index, s and transcript_hash are filled. */
int ceremony_secret_open(uint32_t *index, BIGNUM *s,
    uint8_t transcript_hash[32], const uint8_t *p, size_t len);

/* ---- threshold decryption ---- */

/* D = s A with a DLEQ proof against X = s G (kind PROOF_DECRYPTION is the
 * caller's to set in bind). */
int ceremony_partial_decrypt(EC_POINT *D, Tally__DleqProof *proof,
    const BIGNUM *s, const EC_POINT *A, const struct proof_bind *bind);
int ceremony_partial_verify(const Tally__DleqProof *proof, const EC_POINT *A,
    const EC_POINT *X, const EC_POINT *D, const struct proof_bind *bind);
/* The Lagrange coefficient at 0 of index i among the distinct indices
 * set[0..k). E_INVALID_ARG when i is not in set, an index is 0 or repeated. */
int ceremony_lagrange(BIGNUM *out, uint32_t i, const uint32_t *set, size_t k);
/* out = sum lambda_i D_i over the k distinct indices set[] (= s A when the
 * D_i are honest partial decryptions of A). */
int ceremony_combine(EC_POINT *out, const uint32_t *set,
    const EC_POINT **D, size_t k);

#endif
