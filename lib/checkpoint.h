/*
 * checkpoint.h: signed statements of the log's state (docs/record/log.md).
 *
 * A checkpoint says "the log of vote_id has size records, Merkle root root
 * and chain head head" and is signed by the ledger's Ed25519 key over
 *
 *   H("checkpoint", vote_id, u64be(size), root, chain_head)
 *
 * so a checkpoint of one vote cannot be presented as one of another.
 */
#ifndef TALLY_CHECKPOINT_H
#define TALLY_CHECKPOINT_H

#include <stdint.h>

#include "hash.h"
#include "sign.h"
#include "tally.pb-c.h"

struct checkpoint {
	uint64_t size;
	uint8_t root[HASH_LEN];
	uint8_t head[HASH_LEN];
	uint8_t sig[ED25519_SIG_LEN];
};

/* The 32-byte message that is signed. */
int checkpoint_digest(uint8_t out[HASH_LEN], const char *vote_id,
    uint64_t size, const uint8_t root[HASH_LEN],
    const uint8_t head[HASH_LEN]);
/* Fill cp->sig from size, root and head. */
int checkpoint_sign(struct checkpoint *cp, const char *vote_id,
    const uint8_t sk[ED25519_KEY_LEN]);
/* 0 or TALLY_ERR_BAD_SIGNATURE. */
int checkpoint_verify(const struct checkpoint *cp, const char *vote_id,
    const uint8_t pk[ED25519_KEY_LEN]);
/* Point the fields of out at cp (no copies: cp must outlive out). */
void checkpoint_to_proto(const struct checkpoint *cp, Tally__Checkpoint *out);
/* Copy from a decoded message; TALLY_ERR_DECODE on any wrong length. */
int checkpoint_from_proto(struct checkpoint *cp, const Tally__Checkpoint *in);

#endif
