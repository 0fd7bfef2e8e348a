/*
 * pending.h: one request inside the frontend, from arrival to answer.
 *
 * The intake path is session.c (TLS, framing) -> fe_check.c (role and
 * cheap checks) -> fe_cast.c (a cast waits for its vote's context, then a
 * worker verifies it) -> fe_ledger.c (to the ledger over the socketpair
 * and back). Whoever asks (a client's session, or the frontend itself when
 * it needs a vote's context) creates the pending with a complete hook; a
 * stage answers through pending_answer or pending_fail and never knows who
 * asked.
 *
 * Ownership: p->owner names the one holder that must let go of p. While a
 * stage works on it (waiting for its vote, on a worker, at the ledger) the
 * stage owns it; otherwise its asker does. The asker lets go with
 * pending_release: p is freed at once, or, when a stage still holds it,
 * orphaned, and the stage frees it when done (pending_back says so).
 */
#ifndef TALLYD_PENDING_H
#define TALLYD_PENDING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>

#include "tally.pb-c.h"
#include "workers.h"

struct frontend;
struct session;
struct fe_vote;

enum pending_owner {
	PENDING_ASKER,		/* no stage holds it */
	PENDING_VOTE,		/* waiting for its vote's context */
	PENDING_WORKER,		/* a worker thread verifies it */
	PENDING_LEDGER		/* sent to the ledger, not answered yet */
};

struct pending;
/* Called on the loop with p's answer; the asker then owns p. */
typedef void (*pending_complete_fn)(struct pending *, const Tally__Response *);

struct pending {
	TAILQ_ENTRY(pending)	 s_entry;	/* in its session, in order */
	TAILQ_ENTRY(pending)	 l_entry;	/* waiting for the ledger */
	TAILQ_ENTRY(pending)	 v_entry;	/* waiting for its vote */
	struct job		 job;
	enum pending_owner	 owner;
	pending_complete_fn	 complete;	/* NULL: the asker is gone */
	struct session		*s;		/* the asking session */
	struct frontend		*fe;
	Tally__Request		*req;		/* unpacked, owned; or NULL */
	struct fe_vote		*fv;		/* the vote checked against */
	int			 err;		/* set by a worker job */
	char			 errmsg[128];
	uint64_t		 id;
	uint64_t		 seq;
	struct timeval		 deadline;
	uint8_t			*out;		/* the framed response */
	size_t			 outlen;
	int			 done;		/* the asker has its answer */
	int			 download;	/* a get_record (fe_ledger.h) */
};
TAILQ_HEAD(pendingq, pending);

/* A new pending owned by its asker (NULL when out of memory). */
struct pending *pending_new(struct frontend *fe, pending_complete_fn complete);
/* The asker lets go of p (NULL is fine): see the ownership rule above. */
void pending_release(struct pending *p);
/* The stage that owns p is finished with it and p goes back to its asker.
 * 1: the asker waits for more work on p. 0: nothing more to do (the asker
 * has its answer already, or is gone and p was freed). */
int pending_back(struct pending *p);
/* Give p's asker its answer; p goes back to the asker (or is freed when
 * the asker is gone). */
void pending_answer(struct pending *p, const Tally__Response *resp);
/* pending_answer with an error code and message (NULL: the code's text). */
void pending_fail(struct pending *p, int err, const char *msg);

#endif
