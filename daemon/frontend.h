/*
 * frontend.h: tallyd's network process.
 *
 * The frontend owns the listening socket and the TLS key, speaks TLS 1.3
 * with mandatory client certificates from the session CA, reads the role
 * from each certificate, frames and decodes requests, checks the role's
 * allow-list and the request's shape, has the worker pool verify what is
 * expensive and forwards the rest to the ledger over the socketpair. It
 * cannot open the log and never sees the ledger key.
 *
 * A request's path: session.c (TLS, framing) -> fe_check.c (role, cheap
 * checks) -> fe_cast.c (casts: vote context, worker verification) ->
 * fe_ledger.c (to the ledger and back) -> session.c (the answer, in order).
 * struct frontend is the state those files share; frontend.c runs the loop.
 */
#ifndef TALLYD_FRONTEND_H
#define TALLYD_FRONTEND_H

#include <stdint.h>
#include <sys/queue.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/ssl.h>

#include "config.h"
#include "fe_cast.h"
#include "pending.h"
#include "sandbox.h"
#include "workers.h"

struct session;

/* Why a connection was refused or cut, counted for one log line every
 * FE_REFUSAL_LOG seconds instead of a line each. */
enum fe_refusal {
	FE_REFUSE_HANDSHAKES,	/* handshake budget full: oldest cut */
	FE_REFUSE_SOURCE,	/* one address's handshakes: its oldest cut */
	FE_REFUSE_SESSIONS,	/* max_connections authenticated sessions */
	FE_REFUSE_SESSIONS_SOURCE, /* max_per_source sessions */
	FE_REFUSE_FDS,		/* out of descriptors */
	FE_REFUSE_STOPPING,
	FE_REFUSE_N
};
#define FE_REFUSAL_LOG	10

struct frontend {
	const struct config	*cfg;
	struct event_base	*base;
	SSL_CTX			*ctx;
	struct evconnlistener	*listener;
	struct event		*ev_relisten;	/* after EMFILE */
	struct timeval		 backoff;
	int			 paused;	/* listener off until ev_relisten */
	struct bufferevent	*ipc;
	struct workers		*workers;
	struct pendingq		 ledgerq;
	uint64_t		 next_seq;
	unsigned int		 nconn;		/* every open connection */
	unsigned int		 nhandshake;	/* of which not authenticated */
	/* Limits in force: the configuration's, cut to what RLIMIT_NOFILE
	 * allows. */
	unsigned int		 max_sessions;
	unsigned int		 max_handshakes;
	unsigned long		 refused[FE_REFUSE_N];
	time_t			 refused_since;
	int			 stopping;
	TAILQ_HEAD(, session)	 sessions;	/* oldest first */
	struct fe_voteq		 votes;
	/* Memory (issue 12, findings 5 and 6): bytes of answers in the
	 * sessions' output buffers or waiting their turn, bytes reserved
	 * by large frames being read; max_buffer_memory bounds the two. */
	size_t			 mem_out;
	size_t			 mem_reserved;
	size_t			 mem_peak;	/* of the sum, for the log */
	int			 trim;		/* big buffers freed: trim */
	time_t			 trimmed;
	/* get_record requests at the ledger (max_downloads) and waiting. */
	unsigned int		 ndownloads;
	struct pendingq		 downloadq;
};

/* Over max_buffer_memory: answers and large frames in flight. */
int frontend_over_budget(const struct frontend *fe);

/* Count a refusal for the next summary line. */
void frontend_refused(struct frontend *fe, enum fe_refusal why);

void frontend_main(const struct config *cfg, int listen_fd, int ipc_fd,
    const struct sandbox_user *user) __attribute__((noreturn));

#endif
