/*
 * votectx.h: what the ballots of one vote are checked against, built from
 * its VoteCreated record.
 *
 * The ledger builds one per vote it holds; tallyd's frontend builds one per
 * vote it checks casts for, from the VoteCreated the ledger gave it. Once
 * built the context is read-only, so worker threads may share it.
 */
#ifndef TALLY_VOTECTX_H
#define TALLY_VOTECTX_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ec.h>

#include "ballot.h"
#include "manifest.h"
#include "tally.pb-c.h"

struct vote_ctx {
	struct manifest		*m;
	EC_POINT		*K;
	uint8_t			*registry;	/* nreg sorted 32-byte keys */
	size_t			 nreg;
	char			 id[MANIFEST_ID_MAX + 1];
	struct ballot_ctx	 bc;
};

/* Build c from vc (E_DECODE, or the manifest's or ceremony's code). On
 * failure c is cleared. */
int vote_ctx_init(struct vote_ctx *c, const Tally__VoteCreated *vc);
/* Free what c holds; c may be cleared already. */
void vote_ctx_clear(struct vote_ctx *c);

#endif
