/* frontend.c: TLS listener, ledger link and the frontend's event loop. */
#include "frontend.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <openssl/err.h>

#include "err.h"
#include "fe_ledger.h"
#include "logmsg.h"
#include "role.h"
#include "session.h"

/* Descriptors kept for what is not a connection: stdio, the listener, the
 * ledger link, epoll, libevent's notification and signal pipes, syslog. */
#define FE_FD_RESERVE	32

/* The TLS key must be a regular file nobody but its owner can read. */
static void
frontend_check_key_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		fatalx("E_CONFIG: tls_key %s is not a file", path);
	if (st.st_mode & 077)
		fatalx("E_CONFIG: tls_key %s is readable by group or others "
		    "(mode %03o)", path, (unsigned int)(st.st_mode & 0777));
}

static SSL_CTX *
frontend_tls(const struct config *cfg)
{
	SSL_CTX *ctx;
	STACK_OF(X509_NAME) *names;
	enum tally_role role = ROLE_NONE;

	frontend_check_key_file(cfg->tls_key);
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		fatalx("SSL_CTX_new failed");
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1)
		fatalx("cannot require TLS 1.3");
	/* ECDHE only: a finite-field group (ffdhe8192 costs the event loop
	 * 130 ms a handshake) is never agreed to. */
	if (SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1)
		fatalx("cannot set the key exchange groups");
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1)
		fatalx("E_CONFIG: cannot load tls_cert %s", cfg->tls_cert);
	if (cert_role(SSL_CTX_get0_certificate(ctx), &role) != 0 ||
	    role != ROLE_DAEMON)
		fatalx("E_CONFIG: tls_cert %s is not a daemon's certificate "
		    "(role %s)", cfg->tls_cert, role_name(role));
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

static void
frontend_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct frontend *fe = arg;

	fe->backoff.tv_sec = 0;
	fe->backoff.tv_usec = 0;
	session_accept(fe, fd, sa, salen);
}

/* accept failed for want of descriptors or memory: stop accepting for a
 * while (doubling up to a second) instead of spinning on the error, and
 * cut the oldest handshake to get a descriptor back. */
static void
frontend_accept_error(struct evconnlistener *l, void *arg)
{
	struct frontend *fe = arg;

	frontend_refused(fe, FE_REFUSE_FDS);
	evconnlistener_disable(l);
	fe->paused = 1;
	if (fe->backoff.tv_sec == 0 && fe->backoff.tv_usec == 0)
		fe->backoff.tv_usec = 50000;
	else if (fe->backoff.tv_sec == 0 &&
	    (fe->backoff.tv_usec *= 2) >= 1000000) {
		fe->backoff.tv_sec = 1;
		fe->backoff.tv_usec = 0;
	}
	session_evict_handshake(fe);
	evtimer_add(fe->ev_relisten, &fe->backoff);
}

static void
frontend_relisten(evutil_socket_t fd, short what, void *arg)
{
	struct frontend *fe = arg;

	fe->paused = 0;
	if (!fe->stopping)
		evconnlistener_enable(fe->listener);
}

void
frontend_refused(struct frontend *fe, enum fe_refusal why)
{
	if (fe->refused_since == 0)
		fe->refused_since = time(NULL);
	fe->refused[why]++;
}

/* One line for every refusal of the last FE_REFUSAL_LOG seconds. */
static void
frontend_log_refusals(struct frontend *fe, int now)
{
	static const char *const why[FE_REFUSE_N] = {
		"handshake budget full", "handshakes of one address",
		"max_connections", "max_per_source", "out of descriptors",
		"stopping"
	};
	char line[512];
	size_t i, off = 0;
	int n;

	if (fe->refused_since == 0 ||
	    (!now && time(NULL) - fe->refused_since < FE_REFUSAL_LOG))
		return;
	for (i = 0; i < FE_REFUSE_N; i++) {
		if (fe->refused[i] == 0)
			continue;
		n = snprintf(line + off, sizeof(line) - off, "%s%lu %s",
		    off ? ", " : "", fe->refused[i], why[i]);
		if (n > 0 && (size_t)n < sizeof(line) - off)
			off += (size_t)n;
		fe->refused[i] = 0;
	}
	log_info("connections refused or cut in %lld s: %s (%u open, %u in "
	    "handshake)", (long long)(time(NULL) - fe->refused_since), line,
	    fe->nconn, fe->nhandshake);
	fe->refused_since = 0;
}

/* The limits in force: the configuration's, cut to the descriptors
 * RLIMIT_NOFILE leaves (raised to its hard limit first). */
static void
frontend_limits(struct frontend *fe)
{
	const struct config *cfg = fe->cfg;
	struct rlimit rl;
	rlim_t avail;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit RLIMIT_NOFILE");
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 &&
		    getrlimit(RLIMIT_NOFILE, &rl) == -1)
			fatal("getrlimit RLIMIT_NOFILE");
	}
	avail = rl.rlim_cur > FE_FD_RESERVE ? rl.rlim_cur - FE_FD_RESERVE : 0;
	if (avail < 8)
		fatalx("E_CONFIG: RLIMIT_NOFILE %llu leaves no descriptors for "
		    "connections", (unsigned long long)rl.rlim_cur);
	fe->max_handshakes = cfg->max_handshakes;
	if (fe->max_handshakes > avail / 4)
		fe->max_handshakes = (unsigned int)(avail / 4);
	fe->max_sessions = cfg->max_connections;
	if (fe->max_sessions > avail - fe->max_handshakes)
		fe->max_sessions = (unsigned int)(avail - fe->max_handshakes);
	if (fe->max_sessions < cfg->max_connections ||
	    fe->max_handshakes < cfg->max_handshakes)
		log_warnx("RLIMIT_NOFILE %llu: at most %u sessions and %u "
		    "handshakes (max_connections %u, max_handshakes %u)",
		    (unsigned long long)rl.rlim_cur, fe->max_sessions,
		    fe->max_handshakes, cfg->max_connections,
		    cfg->max_handshakes);
}

static void
frontend_tick(evutil_socket_t fd, short what, void *arg)
{
	struct frontend *fe = arg;
	struct timeval now;

	gettimeofday(&now, NULL);
	session_expire(fe, &now);
	session_memory_tick(fe);
	frontend_log_refusals(fe, 0);
	if (fe->stopping && TAILQ_EMPTY(&fe->ledgerq) &&
	    TAILQ_EMPTY(&fe->downloadq) &&
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
	fe->listener = evconnlistener_new(fe->base, frontend_accept, fe,
	    LEV_OPT_CLOSE_ON_FREE, -1, listen_fd);
	if (fe->listener == NULL || fe_ledger_open(fe, ipc_fd) != 0 ||
	    (fe->ev_relisten = evtimer_new(fe->base, frontend_relisten,
	    fe)) == NULL)
		fatalx("cannot set up the event loop");
	evconnlistener_set_error_cb(fe->listener, frontend_accept_error);
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
	TAILQ_INIT(&fe.downloadq);
	TAILQ_INIT(&fe.sessions);
	TAILQ_INIT(&fe.votes);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (evthread_use_pthreads() != 0)
		fatalx("libevent without pthreads");
	frontend_limits(&fe);
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
	sandbox_enter(SANDBOX_FRONTEND, cfg->empty_dir, user, nworkers + 1);
	if ((fe.workers = workers_start(fe.base, nworkers)) == NULL)
		fatalx("cannot start the workers");
	log_info("ready, %u verification threads",
	    workers_count(fe.workers));
	event_base_dispatch(fe.base);
	frontend_log_refusals(&fe, 1);
	log_info("peak buffered: %zu KiB of max_buffer_memory %u KiB",
	    fe.mem_peak / 1024, cfg->max_buffer_memory / 1024);
	log_info("stopped");
	exit(0);
}
