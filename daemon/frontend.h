/*
 * frontend.h: tallyd's network process.
 *
 * The frontend owns the listening socket and the TLS key, speaks TLS 1.3
 * with mandatory client certificates from the session CA, reads the role
 * from each certificate, frames and decodes requests, checks the role's
 * allow-list and the request's shape, has the worker pool verify what is
 * expensive and forwards the rest to the ledger over the socketpair. It
 * cannot open the log and never sees the ledger key.
 */
#ifndef TALLYD_FRONTEND_H
#define TALLYD_FRONTEND_H

#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>

#include <openssl/ssl.h>

#include "config.h"
#include "election.h"
#include "role.h"
#include "sandbox.h"
#include "tally.pb-c.h"
#include "workers.h"

struct session;
struct frontend;
struct pending;

/* What the frontend knows of a vote to verify its ballots: its
 * VoteCreated, fetched once from the ledger (it never changes). */
struct fe_vote {
	TAILQ_ENTRY(fe_vote)	 entry;
	char			 id[MANIFEST_ID_MAX + 1];
	int			 ready;
	struct vote_ctx		 ctx;
	TAILQ_HEAD(, pending)	 waiting;	/* casts until ready */
};

/* One request from arrival to its response being queued for writing. */
struct pending {
	TAILQ_ENTRY(pending)	 s_entry;	/* in its session, in order */
	TAILQ_ENTRY(pending)	 l_entry;	/* waiting for the ledger */
	struct job		 job;
	TAILQ_ENTRY(pending)	 v_entry;	/* waiting for its vote */
	struct session		*s;		/* NULL once the peer is gone */
	struct frontend		*fe;
	Tally__Request		*req;
	struct fe_vote		*fv;		/* cast: the vote checked against */
	int			 err;		/* set by a worker job */
	char			 errmsg[128];
	/* Internal requests (no client): called with the ledger's answer. */
	void			(*on_answer)(struct pending *,
				    const Tally__Response *);
	uint64_t		 id;
	uint64_t		 seq;
	struct timeval		 deadline;
	uint8_t			*out;		/* the framed response */
	size_t			 outlen;
	int			 done;
	int			 in_ledger;
	int			 in_worker;
};
TAILQ_HEAD(pendingq, pending);

struct frontend {
	const struct config	*cfg;
	struct event_base	*base;
	SSL_CTX			*ctx;
	struct evconnlistener	*listener;
	struct bufferevent	*ipc;
	struct workers		*workers;
	struct pendingq		 ledgerq;
	uint64_t		 next_seq;
	unsigned int		 nconn;
	int			 stopping;
	TAILQ_HEAD(, session)	 sessions;
	TAILQ_HEAD(, fe_vote)	 votes;
};

void frontend_main(const struct config *cfg, int listen_fd, int ipc_fd,
    const struct sandbox_user *user) __attribute__((noreturn));

/* Send p's request to the ledger; the answer completes p. */
void frontend_forward(struct frontend *fe, struct pending *p);

/* A worker finished p's checks: answer or forward. */
void frontend_worker_done(struct job *job);

/* session.c */
void session_accept(struct frontend *fe, int fd);
/* Give p its response (p->id is filled in) and flush what is in order. */
void session_complete(struct pending *p, Tally__Response *resp);
void session_error(struct pending *p, int err, const char *msg);
void session_expire(struct frontend *fe, const struct timeval *now);
void session_stop_reading(struct frontend *fe);
void pending_free(struct pending *p);

/* Frames are u32be length || protobuf. */
int frame_pack_response(const Tally__Response *resp, uint8_t **out,
    size_t *outlen);

/* Roles: which request bodies each may send, and its frame limit. */
int role_may(enum tally_role role, Tally__Request__BodyCase body);
uint32_t role_frame_limit(const struct config *cfg, enum tally_role role);

/* request.c: cheap checks on the loop, heavy ones on a worker. */
int request_validate(const Tally__Request *req, char *msg, size_t msglen);
int request_needs_worker(const Tally__Request *req);
void request_verify_job(struct job *job);

/* castq.c: a cast waits for its vote's context, then goes to a worker. */
void cast_submit(struct frontend *fe, struct pending *p);

#endif
