/*
 * witness.h: witnesses of a vote's log and their cosignatures
 * (docs/record/witness.md).
 *
 * A witness holds an Ed25519 key. The vote names its witnesses' public keys
 * (strictly ascending, at most WITNESS_MAX) and a quorum, more than half of
 * them, in VoteCreated; both enter H_E. A cosignature follows C2SP
 * tlog-cosignature/v1: an Ed25519 signature over the text
 *
 *   "cosignature/v1\n" "time " T "\n" ORIGIN "\n" SIZE "\n" base64(ROOT) "\n"
 *
 * with ORIGIN = "tally/" vote_id "/" hex(H_E), T and SIZE in decimal. It
 * says: at POSIX time T, the largest log of this vote that the witness has
 * seen, checked and found consistent with everything it cosigned before,
 * has SIZE records and Merkle root ROOT.
 */
#ifndef TALLY_WITNESS_H
#define TALLY_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "sign.h"
#include "tally.pb-c.h"

#define WITNESS_MAX 16
#define WITNESS_ORIGIN_MAX 160
#define WITNESS_MSG_MAX 320
/* "XXXX-XXXX-XXXX-XXXX": base32 of 10 bytes of H("witness-key", pk). */
#define WITNESS_FP_LEN 20

/* The fingerprint read aloud to compare keys, NUL-ended in out. */
int witness_fingerprint(char out[WITNESS_FP_LEN], const uint8_t pk[32]);

/* "tally/" vote_id "/" hex(he); E_INVALID_ARG for a vote id that is empty,
 * too long or has a byte outside [A-Za-z0-9._-]. */
int witness_origin(char out[WITNESS_ORIGIN_MAX], const char *vote_id,
    const uint8_t he[HASH_LEN]);

/* The signed text above into out[WITNESS_MSG_MAX]; *len is its length.
 * E_INVALID_ARG for a timestamp over 2^63 - 1. */
int witness_message(uint8_t out[WITNESS_MSG_MAX], size_t *len,
    const char *origin, uint64_t size, const uint8_t root[HASH_LEN],
    uint64_t timestamp);

/* Sign or check a cosignature of (origin, size, root) at timestamp. */
int witness_cosign(uint8_t sig[ED25519_SIG_LEN],
    const uint8_t sk[ED25519_KEY_LEN], const char *origin, uint64_t size,
    const uint8_t root[HASH_LEN], uint64_t timestamp);
/* 0 or E_BAD_SIGNATURE (also for malformed input). */
int witness_cosig_verify(const Tally__Cosignature *c, const char *origin);

/* The vote's witness set: every key 32 bytes, strictly ascending, at most
 * WITNESS_MAX; quorum 0 without witnesses, else n/2 < quorum <= n (a
 * majority, so that two inconsistent logs cannot both reach it unless a
 * witness cosigned both). E_WITNESS with a reason in why. */
int witness_set_check(const ProtobufCBinaryData *keys, size_t n,
    uint32_t quorum, char *why, size_t whylen);
/* Position of pk among keys, or -1. */
int witness_set_find(const ProtobufCBinaryData *keys, size_t n,
    const uint8_t *pk, size_t pklen);

/* The H_E parts of the witness set: u32be(n) then each key, then
 * u32be(quorum), each as one part of the framing. */
int witness_hash_add(struct hash_ctx *h, const ProtobufCBinaryData *keys,
    size_t n, uint32_t quorum);


/* A witness's public key file (tally-keys witness-key DIR: DIR/witness.pub):
 * 64 hex digits, one newline allowed. E_DECODE otherwise. */
int witness_pub_load(const char *path, uint8_t pk[ED25519_KEY_LEN]);

#endif
