/* fe_cast.c: casts wait for their vote's context, then go to a worker. */
#include "fe_cast.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ballot.h"
#include "challenge.h"
#include "err.h"
#include "fe_check.h"
#include "fe_ledger.h"
#include "frontend.h"
#include "logmsg.h"
#include "pb.h"
#include "proof.h"

/* The ballot of a cast, or of a challenge (docs/record/challenge.md). */
static const Tally__Ballot *
fe_cast_ballot(const Tally__Request *req)
{
	if (req->body_case == TALLY__REQUEST__BODY_SPOIL)
		return req->spoil->spoiled->ballot;
	return req->cast->ballot;
}

/* On a worker thread: every check of docs/design.md §5 that needs no
 * ledger state: shape, vote and H_E, registry, signature, points, proofs;
 * for a challenged ballot also its whole opening. */
static void
fe_cast_verify(struct job *job)
{
	struct pending *p = job->arg;

	if (p->req->body_case == TALLY__REQUEST__BODY_SPOIL)
		p->err = challenge_verify(p->req->spoil->spoiled,
		    &p->fv->ctx.bc, NULL, NULL);
	else
		p->err = ballot_verify(p->req->cast->ballot, &p->fv->ctx.bc,
		    BALLOT_CHECK_ALL, NULL, NULL);
}

/*
 * On a worker thread: the casts of one vote that were queued together
 * (workers.h), their proofs checked as one batch: one multi-scalar
 * multiplication for all their equations costs less per ballot than one per
 * ballot. Each ballot's other checks (shape, registry, signature, points,
 * Fiat-Shamir hashes) run on it alone as before, so those refusals name
 * their own ballot. When a ballot is refused while its equations are being
 * added (the batch may hold part of them) or the batch as a whole fails,
 * each ballot that was not refused is checked again on its own: a bad
 * proof gets its own E_BAD_PROOF, and the good ballots beside it pass (a
 * terminal sending bad proofs costs at most one more check of the batch).
 */
static void
fe_cast_verify_many(struct job **jobs, size_t n)
{
	struct proof_batch *batch = NULL;
	struct pending *p;
	size_t i;
	int again = 0;

	if (n > 1 && proof_batch_new(&batch) != 0)
		batch = NULL;
	for (i = 0; i < n; i++) {
		p = jobs[i]->arg;
		p->err = ballot_verify(p->req->cast->ballot, &p->fv->ctx.bc,
		    BALLOT_CHECK_ALL, batch, NULL);
		again |= p->err != 0;
	}
	if (batch == NULL)
		return;
	if (!again && proof_batch_verify(batch) != 0)
		again = 1;
	proof_batch_free(batch);
	for (i = 0; again && i < n; i++) {
		p = jobs[i]->arg;
		if (p->err == 0)
			p->err = ballot_verify(p->req->cast->ballot,
			    &p->fv->ctx.bc, BALLOT_CHECK_ALL, NULL, NULL);
	}
}

/* Back on the loop: answer a cast that failed, forward one that passed. */
static void
fe_cast_verified(struct job *job)
{
	struct pending *p = job->arg;

	if (!pending_back(p))
		return;
	if (p->err != 0)
		pending_fail(p, p->err, p->errmsg[0] ? p->errmsg : NULL);
	else
		fe_ledger_forward(p->fe, p, p->req);
}

static void
fe_cast_to_worker(struct frontend *fe, struct pending *p)
{
	p->owner = PENDING_WORKER;
	p->job.arg = p;
	p->job.run = fe_cast_verify;
	p->job.done = fe_cast_verified;
	/* Casts of one vote are checked in batches; a challenge alone. */
	if (p->req->body_case == TALLY__REQUEST__BODY_CAST) {
		p->job.run_many = fe_cast_verify_many;
		p->job.batch_key = p->fv;
	} else {
		p->job.run_many = NULL;
		p->job.batch_key = NULL;
	}
	workers_submit(fe->workers, &p->job);
}

static void
fe_vote_free(struct fe_vote *fv)
{
	vote_ctx_clear(&fv->ctx);
	free(fv);
}

/* The ledger's answer to our GetVote: build the context, release the
 * casts that waited for it (or fail them with the ledger's code). */
static void
fe_cast_vote_loaded(struct pending *ip, const Tally__Response *resp)
{
	struct frontend *fe = ip->fe;
	struct fe_vote *fv = ip->fv;
	struct vote_ctx_error why = { "vote", "" };
	struct pending *p;
	int ret = -(int)resp->code;

	pending_release(ip);
	if (ret == 0 && (resp->get_vote == NULL ||
	    resp->get_vote->vote == NULL))
		ret = TALLY_ERR_INTERNAL;
	if (ret == 0 && (ret = vote_ctx_init(&fv->ctx,
	    resp->get_vote->vote, &why)) != 0)
		log_warnx("vote %s: cannot build its context: %s: %s", fv->id,
		    why.check, why.reason);
	TAILQ_REMOVE(&fe->votes, fv, entry);
	if (ret == 0) {
		fv->ready = 1;
		TAILQ_INSERT_HEAD(&fe->votes, fv, entry);
	}
	while ((p = TAILQ_FIRST(&fv->waiting)) != NULL) {
		TAILQ_REMOVE(&fv->waiting, p, v_entry);
		if (!pending_back(p))
			continue;
		if (ret != 0)
			pending_fail(p, ret, resp->code ? resp->message : NULL);
		else
			fe_cast_to_worker(fe, p);
	}
	if (ret != 0)
		fe_vote_free(fv);
}

static struct fe_vote *
fe_cast_load_vote(struct frontend *fe, const char *id)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetVoteRequest gv = TALLY__GET_VOTE_REQUEST__INIT;
	struct fe_vote *fv;
	struct pending *ip;

	if ((fv = calloc(1, sizeof(*fv))) == NULL ||
	    (ip = pending_new(fe, fe_cast_vote_loaded)) == NULL)
		fatalx("out of memory");
	snprintf(fv->id, sizeof(fv->id), "%s", id);
	TAILQ_INIT(&fv->waiting);
	TAILQ_INSERT_TAIL(&fe->votes, fv, entry);
	req.version = 1;
	req.body_case = TALLY__REQUEST__BODY_GET_VOTE;
	req.get_vote = &gv;
	gv.vote_id = fv->id;
	ip->fv = fv;
	fe_ledger_forward(fe, ip, &req);
	return fv;
}

void
fe_cast_submit(struct frontend *fe, struct pending *p)
{
	const Tally__Ballot *b = fe_cast_ballot(p->req);
	Tally__BallotBody *body;
	const ProtobufCBinaryData *bb;
	struct fe_vote *fv;
	char id[MANIFEST_ID_MAX + 1];

	/* The vote id is inside the signed body; peek at it, once the body
	 * is known to hold no more entries than its size allows. */
	bb = &b->body;
	if (pb_scan(&tally__ballot_body__descriptor, bb->data, bb->len,
	    FE_MAX_FIELDS(bb->len)) == TALLY_ERR_TOO_LARGE) {
		pending_fail(p, TALLY_ERR_TOO_LARGE, "ballot holds too many "
		    "entries");
		return;
	}
	body = tally__ballot_body__unpack(NULL, bb->len, bb->data);
	if (body == NULL || strlen(body->vote_id) == 0 ||
	    strlen(body->vote_id) > MANIFEST_ID_MAX) {
		if (body != NULL)
			tally__ballot_body__free_unpacked(body, NULL);
		pending_fail(p, TALLY_ERR_DECODE, "ballot body does not "
		    "decode");
		return;
	}
	snprintf(id, sizeof(id), "%s", body->vote_id);
	tally__ballot_body__free_unpacked(body, NULL);
	TAILQ_FOREACH(fv, &fe->votes, entry)
		if (strcmp(fv->id, id) == 0)
			break;
	if (fv == NULL)
		fv = fe_cast_load_vote(fe, id);
	p->fv = fv;
	if (fv->ready) {
		fe_cast_to_worker(fe, p);
		return;
	}
	p->owner = PENDING_VOTE;
	TAILQ_INSERT_TAIL(&fv->waiting, p, v_entry);
}
