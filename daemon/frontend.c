/* frontend.c: TLS listener, ledger link and the frontend's event loop. */
#include "frontend.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <openssl/err.h>

#include "err.h"
#include "ipc.h"
#include "logmsg.h"

static SSL_CTX *
frontend_tls(const struct config *cfg)
{
	SSL_CTX *ctx;
	STACK_OF(X509_NAME) *names;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		fatalx("SSL_CTX_new failed");
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1)
		fatalx("cannot require TLS 1.3");
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1)
		fatalx("E_CONFIG: cannot load tls_cert %s", cfg->tls_cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
		fatalx("E_CONFIG: cannot load tls_key %s", cfg->tls_key);
	if (SSL_CTX_load_verify_locations(ctx, cfg->ca_cert, NULL) != 1 ||
	    (names = SSL_load_client_CA_file(cfg->ca_cert)) == NULL)
		fatalx("E_CONFIG: cannot load ca_cert %s", cfg->ca_cert);
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	return ctx;
}

void
frontend_forward(struct frontend *fe, struct pending *p)
{
	Tally__LedgerRequest lr = TALLY__LEDGER_REQUEST__INIT;
	uint8_t *buf;
	size_t len;

	lr.seq = p->seq = ++fe->next_seq;
	lr.request = p->req;
	if (ipc_frame_encode(IPC_LEDGER_REQUEST, &lr.base, &buf, &len) != 0) {
		session_error(p, TALLY_ERR_NOMEM, NULL);
		return;
	}
	bufferevent_write(fe->ipc, buf, len);
	free(buf);
	if (p->on_answer != NULL)
		free(p->req);	/* built by hand in one block */
	else
		tally__request__free_unpacked(p->req, NULL);
	p->req = NULL;
	p->in_ledger = 1;
	TAILQ_INSERT_TAIL(&fe->ledgerq, p, l_entry);
}

static void
frontend_ledger_answer(struct frontend *fe, Tally__LedgerResponse *lr)
{
	struct pending *p;

	TAILQ_FOREACH(p, &fe->ledgerq, l_entry)
		if (p->seq == lr->seq)
			break;
	if (p == NULL)
		fatalx("ledger answered unknown request %llu",
		    (unsigned long long)lr->seq);
	TAILQ_REMOVE(&fe->ledgerq, p, l_entry);
	p->in_ledger = 0;
	if (p->on_answer != NULL) {
		p->on_answer(p, lr->response);
		pending_free(p);
	} else if (p->s == NULL)
		pending_free(p);
	else if (!p->done)
		session_complete(p, lr->response);
}

static void
frontend_ipc_read(struct bufferevent *bev, void *arg)
{
	struct frontend *fe = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	Tally__LedgerResponse *lr;
	const uint8_t *payload;
	uint8_t hdr[IPC_HEADER];
	uint32_t type, plen, l;
	size_t total;
	int ret;

	while (evbuffer_copyout(in, hdr, IPC_HEADER) == IPC_HEADER) {
		memcpy(&l, hdr + 4, 4);
		if (l <= IPC_MAX_PAYLOAD &&
		    evbuffer_get_length(in) < IPC_HEADER + (size_t)l)
			return;
		ret = ipc_frame_peek(evbuffer_pullup(in, IPC_HEADER +
		    (ssize_t)(l <= IPC_MAX_PAYLOAD ? l : 0)),
		    evbuffer_get_length(in), &type, &payload, &plen, &total);
		if (ret != 0 || type != IPC_LEDGER_RESPONSE)
			fatalx("ledger sent a bad frame");
		if (ipc_decode_response(payload, plen, &lr) != 0)
			fatalx("ledger sent an undecodable frame");
		evbuffer_drain(in, total);
		frontend_ledger_answer(fe, lr);
		tally__ledger_response__free_unpacked(lr, NULL);
	}
}

static void
frontend_ipc_event(struct bufferevent *bev, short what, void *arg)
{
	fatalx("lost the ledger");
}

void
frontend_worker_done(struct job *job)
{
	struct pending *p = job->arg;
	struct frontend *fe = p->fe;

	p->in_worker = 0;
	if (p->s == NULL)
		pending_free(p);
	else if (p->done)
		return;
	else if (p->err != 0)
		session_error(p, p->err, p->errmsg[0] ? p->errmsg : NULL);
	else
		frontend_forward(fe, p);
}

static void
frontend_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct frontend *fe = arg;

	if (fe->stopping || fe->nconn >= fe->cfg->max_connections) {
		log_info("connection refused: %u connections open",
		    fe->nconn);
		close(fd);
		return;
	}
	session_accept(fe, fd);
}

static void
frontend_tick(evutil_socket_t fd, short what, void *arg)
{
	struct frontend *fe = arg;
	struct timeval now;

	gettimeofday(&now, NULL);
	session_expire(fe, &now);
	if (fe->stopping && TAILQ_EMPTY(&fe->ledgerq) &&
	    workers_busy(fe->workers) == 0) {
		/* Give the last receipts a moment to reach the sockets. */
		struct timeval grace = { 0, 200000 };

		event_base_loopexit(fe->base, &grace);
	}
}

static void
frontend_sigterm(evutil_socket_t sig, short what, void *arg)
{
	struct frontend *fe = arg;

	if (fe->stopping)
		return;
	log_info("stopping: no new requests, finishing those in flight");
	fe->stopping = 1;
	evconnlistener_disable(fe->listener);
	session_stop_reading(fe);
}

static void
frontend_setup_loop(struct frontend *fe, int listen_fd, int ipc_fd)
{
	struct event *ev;
	struct timeval tick = { 0, 100000 };

	evutil_make_socket_nonblocking(listen_fd);
	evutil_make_socket_nonblocking(ipc_fd);
	fe->listener = evconnlistener_new(fe->base, frontend_accept, fe,
	    LEV_OPT_CLOSE_ON_FREE, -1, listen_fd);
	fe->ipc = bufferevent_socket_new(fe->base, ipc_fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (fe->listener == NULL || fe->ipc == NULL)
		fatalx("cannot set up the event loop");
	bufferevent_setcb(fe->ipc, frontend_ipc_read, NULL,
	    frontend_ipc_event, fe);
	bufferevent_enable(fe->ipc, EV_READ | EV_WRITE);
	if ((ev = event_new(fe->base, -1, EV_PERSIST, frontend_tick,
	    fe)) == NULL || event_add(ev, &tick) != 0)
		fatalx("cannot add the timer");
	if ((ev = evsignal_new(fe->base, SIGTERM, frontend_sigterm,
	    fe)) == NULL || event_add(ev, NULL) != 0)
		fatalx("cannot catch SIGTERM");
}

void
frontend_main(const struct config *cfg, int listen_fd, int ipc_fd,
    const struct sandbox_user *user)
{
	struct frontend fe;
	struct event_config *ecfg;
	unsigned int nworkers;

	log_setproc("frontend");
	memset(&fe, 0, sizeof(fe));
	fe.cfg = cfg;
	TAILQ_INIT(&fe.ledgerq);
	TAILQ_INIT(&fe.sessions);
	TAILQ_INIT(&fe.votes);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (evthread_use_pthreads() != 0)
		fatalx("libevent without pthreads");
	fe.ctx = frontend_tls(cfg);
	sandbox_warm_openssl();
	if ((ecfg = event_config_new()) == NULL ||
	    event_config_avoid_method(ecfg, "select") != 0 ||
	    event_config_avoid_method(ecfg, "poll") != 0 ||
	    (fe.base = event_base_new_with_config(ecfg)) == NULL)
		fatalx("cannot create the event base");
	event_config_free(ecfg);
	frontend_setup_loop(&fe, listen_fd, ipc_fd);
	nworkers = cfg->workers ? cfg->workers : workers_default();
	sandbox_enter(SANDBOX_FRONTEND, cfg->empty_dir, user);
	if ((fe.workers = workers_start(fe.base, nworkers)) == NULL)
		fatalx("cannot start the workers");
	log_info("ready, %u verification threads",
	    workers_count(fe.workers));
	event_base_dispatch(fe.base);
	log_info("stopped");
	exit(0);
}
