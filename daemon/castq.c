/* castq.c: casts wait for their vote's context, then go to a worker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "frontend.h"
#include "logmsg.h"

static void
cast_to_worker(struct frontend *fe, struct pending *p)
{
	p->in_worker = 1;
	p->job.arg = p;
	p->job.run = request_verify_job;
	p->job.done = frontend_worker_done;
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
cast_vote_loaded(struct pending *ip, const Tally__Response *resp)
{
	struct frontend *fe = ip->fe;
	struct fe_vote *fv = ip->fv;
	struct pending *p;
	int ret = -(int)resp->code;

	if (ret == 0 && (resp->get_vote == NULL ||
	    resp->get_vote->vote == NULL))
		ret = TALLY_ERR_INTERNAL;
	if (ret == 0 && (ret = vote_ctx_init(&fv->ctx,
	    resp->get_vote->vote)) != 0)
		log_warnx("vote %s: cannot build its context: %s", fv->id,
		    tally_strerror(ret));
	TAILQ_REMOVE(&fe->votes, fv, entry);
	if (ret == 0) {
		fv->ready = 1;
		TAILQ_INSERT_HEAD(&fe->votes, fv, entry);
	}
	while ((p = TAILQ_FIRST(&fv->waiting)) != NULL) {
		TAILQ_REMOVE(&fv->waiting, p, v_entry);
		p->in_worker = 0;
		if (p->s == NULL)
			pending_free(p);
		else if (p->done)
			continue;
		else if (ret != 0)
			session_error(p, ret, resp->code ? resp->message :
			    NULL);
		else
			cast_to_worker(fe, p);
	}
	if (ret != 0)
		fe_vote_free(fv);
}

static struct fe_vote *
cast_load_vote(struct frontend *fe, const char *id)
{
	struct fe_vote *fv;
	struct pending *ip;
	Tally__Request *req;

	if ((fv = calloc(1, sizeof(*fv))) == NULL ||
	    (ip = calloc(1, sizeof(*ip))) == NULL ||
	    (req = calloc(1, sizeof(*req) + sizeof(Tally__GetVoteRequest)))
	    == NULL)
		fatalx("out of memory");
	snprintf(fv->id, sizeof(fv->id), "%s", id);
	TAILQ_INIT(&fv->waiting);
	TAILQ_INSERT_TAIL(&fe->votes, fv, entry);
	/* A request built by hand: tally__request__free_unpacked would
	 * free it wrongly, so frontend_forward's free must not see it. */
	tally__request__init(req);
	req->version = 1;
	req->body_case = TALLY__REQUEST__BODY_GET_VOTE;
	req->get_vote = (Tally__GetVoteRequest *)(req + 1);
	tally__get_vote_request__init(req->get_vote);
	req->get_vote->vote_id = fv->id;
	ip->fe = fe;
	ip->fv = fv;
	ip->on_answer = cast_vote_loaded;
	ip->req = req;
	frontend_forward(fe, ip);
	return fv;
}

void
cast_submit(struct frontend *fe, struct pending *p)
{
	Tally__BallotBody *body;
	struct fe_vote *fv;
	char id[MANIFEST_ID_MAX + 1];

	/* The vote id is inside the signed body; peek at it. */
	body = tally__ballot_body__unpack(NULL, p->req->cast->ballot->body.len,
	    p->req->cast->ballot->body.data);
	if (body == NULL || strlen(body->vote_id) == 0 ||
	    strlen(body->vote_id) > MANIFEST_ID_MAX) {
		if (body != NULL)
			tally__ballot_body__free_unpacked(body, NULL);
		session_error(p, TALLY_ERR_DECODE, "ballot body does not "
		    "decode");
		return;
	}
	snprintf(id, sizeof(id), "%s", body->vote_id);
	tally__ballot_body__free_unpacked(body, NULL);
	TAILQ_FOREACH(fv, &fe->votes, entry)
		if (strcmp(fv->id, id) == 0)
			break;
	if (fv == NULL)
		fv = cast_load_vote(fe, id);
	p->fv = fv;
	if (fv->ready) {
		cast_to_worker(fe, p);
		return;
	}
	p->in_worker = 1;	/* owned by the waiting list */
	TAILQ_INSERT_TAIL(&fv->waiting, p, v_entry);
}
