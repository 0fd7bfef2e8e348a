/*
 * fe_cast.h: a cast's way through the frontend, third on the intake path
 * (session.c -> fe_check.c -> fe_cast.c -> fe_ledger.c).
 *
 * A cast waits for its vote's context (fetched once from the ledger and
 * kept: a VoteCreated never changes), then a worker thread runs every check
 * that needs no ledger state: shape, vote and H_E, registry, signature,
 * points and proofs. A cast that passes goes to the ledger; one that fails
 * is answered with the check's code.
 */
#ifndef TALLYD_FE_CAST_H
#define TALLYD_FE_CAST_H

#include <sys/queue.h>

#include "pending.h"
#include "votectx.h"

struct frontend;

/* What the frontend knows of a vote to verify its ballots. */
struct fe_vote {
	TAILQ_ENTRY(fe_vote)	 entry;
	char			 id[MANIFEST_ID_MAX + 1];
	int			 ready;
	struct vote_ctx		 ctx;
	TAILQ_HEAD(, pending)	 waiting;	/* casts until ready */
};
TAILQ_HEAD(fe_voteq, fe_vote);

/* Take p (a cast or a challenged ballot's opening, that passed
 * fe_check_request) on its way. */
void fe_cast_submit(struct frontend *fe, struct pending *p);

#endif
