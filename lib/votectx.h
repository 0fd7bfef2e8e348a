/*
 * votectx.h: the one way from a VoteCreated record to what the ballots of
 * that vote are made and checked against (docs/record/ceremony.md).
 *
 * vote_ctx_init checks everything a VoteCreated promises before anything is
 * encrypted to it or checked against it, in this order, each failure named
 * by its check:
 *
 *   "vote"           vote id of 1..MANIFEST_ID_MAX bytes, 32-byte ledger key
 *   "manifest"       the manifest parses and its id is the vote id
 *   "registry"       32-byte keys, strictly ascending (sorted, no repeat)
 *   "transcript"     present, and opened in full: parameters,
 *                    every member's proofs and signature, the public
 *                    shares and the joint key recomputed from the
 *                    commitments (ceremony_transcript_check), and its
 *   "ceremony-id"    ceremony id recomputed from the contributions, and
 *   "transcript-signature"  every trustee's signature on the transcript
 *   "witnesses"      witness keys of 32 bytes, strictly ascending, at most
 *                    WITNESS_MAX, and a quorum of more than half of them
 *                    (0 without witnesses)
 *   "election-hash"  32 bytes, and H_E recomputed over all of it equals it
 *
 * The joint key of the context is the one recomputed from the trustees'
 * commitments, never a value taken on trust. The ledger and the frontend of
 * tallyd, the terminal (cast, simulate) and the verifier all build on this
 * constructor, so a check added here holds everywhere.
 */
#ifndef TALLY_VOTECTX_H
#define TALLY_VOTECTX_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ec.h>

#include "ballot.h"
#include "manifest.h"
#include "tally.pb-c.h"

#define VOTE_CTX_REASON_MAX 256

/* Checked once, then read-only: threads may share it. */
struct vote_ctx {
	struct manifest			*m;
	Tally__CeremonyTranscript	*tr;	/* opened, owned */
	EC_POINT			*K;	/* recomputed from commitments */
	uint8_t				*registry; /* nreg sorted 32-byte keys */
	size_t				 nreg;
	char				 id[MANIFEST_ID_MAX + 1];
	uint8_t				 election_hash[32]; /* recomputed */
	size_t				 nwitnesses;
	uint32_t			 witness_quorum;
	struct ballot_ctx		 bc;	/* points into the above */
};

/* Which check failed ("vote", "manifest", "registry", "transcript",
 * "ceremony-id", "transcript-signature", "witnesses", "election-hash")
 * and a sentence
 * saying why. */
struct vote_ctx_error {
	const char	*check;
	char		 reason[VOTE_CTX_REASON_MAX];
};

/*
 * Build c from vc after every check above. On failure c is left empty and
 * err (when not NULL) names the check; the code is TALLY_ERR_NOMEM, or
 * E_DECODE (vote), E_MANIFEST, E_INVALID_ARG (registry), E_CEREMONY or
 * E_VERSION (transcript), E_WITNESS (witnesses), E_VERIFY (election
 * hash). c does not point into
 * vc: vc may be freed afterwards.
 */
int vote_ctx_init(struct vote_ctx *c, const Tally__VoteCreated *vc,
    struct vote_ctx_error *err);
/* Free what c owns; NULL-safe on an empty (zeroed) context. */
void vote_ctx_clear(struct vote_ctx *c);

/*
 * H_E of a vote: the only definition (docs/record/ceremony.md).
 *
 *   H_E = H("election", vote_id, manifest, u32 n, u32 k, ceremony id,
 *           joint key, public shares 1..n, for each trustee u32 index and
 *           its k commitments, registry digest, ledger key,
 *           u32 number of witnesses, each witness key, u32 witness quorum)
 *
 * where the registry digest is H("registry", u32 count, key_1, ...). The
 * election_hash field of vc is not read. The registry must be strictly
 * ascending 32-byte keys and the ledger key 32 bytes (E_INVALID_ARG); the
 * transcript is hashed as given: open it first (vote_ctx_init does).
 * Every field a later version of VoteCreated adds that ballots depend on
 * is added here, and only here.
 */
int vote_election_hash(uint8_t out[32], const Tally__VoteCreated *vc);

#endif
