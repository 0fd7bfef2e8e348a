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

#include <openssl/ssl.h>

#include "config.h"
#include "fe_cast.h"
#include "pending.h"
#include "sandbox.h"
#include "workers.h"

struct session;

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
	struct fe_voteq		 votes;
};

void frontend_main(const struct config *cfg, int listen_fd, int ipc_fd,
    const struct sandbox_user *user) __attribute__((noreturn));

#endif
