/* session.c: one TLS client connection of the frontend. */
#include "session.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/err.h>

#include "err.h"
#include "fe_cast.h"
#include "fe_check.h"
#include "fe_ledger.h"
#include "frontend.h"
#include "logmsg.h"
#include "pb.h"
#include "pending.h"

/* Requests one connection may have in flight before we stop reading. */
#define SESSION_MAX_PIPELINE	64
/* Bytes of answers queued for a peer before we stop reading its requests:
 * one that asks and never reads must not grow our memory without bound. */
#define SESSION_MAX_OUTPUT	(1024 * 1024)
/* A frame over this many bytes reserves its length from
 * max_buffer_memory before its body is read (issue 12, finding 6). */
#define SESSION_SMALL_FRAME	(64 * 1024)

struct session {
	TAILQ_ENTRY(session)	 entry;
	struct frontend		*fe;
	struct bufferevent	*bev;
	struct event		*ev_handshake;
	struct pendingq		 pending;
	unsigned int		 npending;
	enum tally_role		 role;
	uint32_t		 limit;
	int			 ready;		/* handshake done, role known */
	int			 closing;	/* write what is queued, close */
	struct timeval		 partial;	/* first byte of an unfinished
						 * frame; 0 when none */
	unsigned int		 serial;	/* for log lines, not an address */
	size_t			 queued;	/* answers done, not yet written */
	size_t			 outlen;	/* output buffer, as last counted */
	struct evbuffer_cb_entry *out_cb;
	size_t			 reserved;	/* of max_buffer_memory */
	size_t			 want;		/* to reserve, when waiting */
	int			 mem_wait;	/* reading off: waits to reserve */
	unsigned int		 downloads;	/* get_record not answered */
	struct sockaddr_storage	 addr;		/* for admission, never logged */
};

static unsigned int session_serial;

static void session_free(struct session *s);
static void session_read(struct bufferevent *bev, void *arg);
static int session_admit_authenticated(struct session *s);

int
frame_pack_response(const Tally__Response *resp, uint8_t **out,
    size_t *outlen)
{
	size_t n = tally__response__get_packed_size(resp);
	uint32_t be;
	uint8_t *buf;

	if (n > UINT32_MAX - 4 || (buf = calloc(1, n + 4)) == NULL)
		return TALLY_ERR_NOMEM;
	be = htonl((uint32_t)n);
	memcpy(buf, &be, 4);
	tally__response__pack(resp, buf + 4);
	*out = buf;
	*outlen = n + 4;
	return 0;
}

/* Answers in flight count: those in the output buffer and those done
 * but waiting for an earlier one (finding 5). */
static int
session_output_full(struct session *s)
{
	return evbuffer_get_length(bufferevent_get_output(s->bev)) +
	    s->queued > SESSION_MAX_OUTPUT;
}

int
frontend_over_budget(const struct frontend *fe)
{
	return fe->mem_out + fe->mem_reserved > fe->cfg->max_buffer_memory;
}

static void
session_mem_note(struct frontend *fe)
{
	if (fe->mem_out + fe->mem_reserved > fe->mem_peak)
		fe->mem_peak = fe->mem_out + fe->mem_reserved;
}

/* The output buffer's bytes, counted in fe->mem_out as they come and go
 * (TLS drains it as it writes): from its length, so that a call that
 * comes late or sums several changes counts right. */
static void
session_out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct session *s = arg;
	size_t n = evbuffer_get_length(buf);

	s->fe->mem_out = s->fe->mem_out - s->outlen + n;
	s->outlen = n;
	session_mem_note(s->fe);
}

/* Reserve need bytes of max_buffer_memory for the large frame s is
 * about to read: 1, or 0 and s waits with reading off (its partial-frame
 * clock runs: request_timeout still cuts it). Alone, a frame may take
 * more than the budget: a limit below max_large_frame must not lock
 * every large request out. */
static int
session_reserve(struct session *s, size_t need)
{
	struct frontend *fe = s->fe;

	if (fe->mem_reserved != 0 && fe->mem_reserved + fe->mem_out + need >
	    fe->cfg->max_buffer_memory) {
		s->want = need;
		s->mem_wait = 1;
		bufferevent_disable(s->bev, EV_READ);
		return 0;
	}
	s->want = 0;
	s->reserved = need;
	fe->mem_reserved += need;
	session_mem_note(fe);
	return 1;
}

static void
session_unreserve(struct session *s)
{
	if (s->reserved == 0)
		return;
	s->fe->mem_reserved -= s->reserved;
	s->reserved = 0;
	s->fe->trim = 1;
}

/* Read again once the pipeline has room. Frames that arrived while
 * reading was off are already in the input buffer and bring no new read
 * event: run the read callback for them, deferred, so that a chain of
 * immediate answers cannot recurse. */
static void
session_resume(struct session *s)
{
	if (s->closing || s->fe->stopping || s->mem_wait ||
	    s->downloads > 0 ||
	    s->npending >= SESSION_MAX_PIPELINE || session_output_full(s))
		return;
	bufferevent_enable(s->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_input(s->bev)) > 0)
		bufferevent_trigger(s->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
}

/* Write every finished response at the head of the queue, in order. */
static void
session_flush(struct session *s)
{
	struct pending *p;

	while ((p = TAILQ_FIRST(&s->pending)) != NULL && p->done) {
		TAILQ_REMOVE(&s->pending, p, s_entry);
		s->npending--;
		if (p->out != NULL) {
			s->queued -= p->outlen;
			s->fe->mem_out -= p->outlen;
			bufferevent_write(s->bev, p->out, p->outlen);
		}
		pending_release(p);
	}
	session_resume(s);
}

/* The complete hook of a client's request: frame the answer with the
 * request's id and write what is now in order. Only the first answer
 * counts (a deadline may have answered already). */
static void
session_complete(struct pending *p, const Tally__Response *resp)
{
	struct session *s = p->s;
	Tally__Response r = *resp;

	if (p->done)
		return;
	p->done = 1;
	r.id = p->id;
	r.version = 1;
	if (frame_pack_response(&r, &p->out, &p->outlen) != 0)
		p->out = NULL;
	if (s != NULL) {
		if (p->download)
			s->downloads--;
		if (p->out != NULL) {
			s->queued += p->outlen;
			s->fe->mem_out += p->outlen;
			session_mem_note(s->fe);
		}
		session_flush(s);
		if (s->closing && TAILQ_EMPTY(&s->pending) &&
		    evbuffer_get_length(bufferevent_get_output(s->bev)) == 0)
			session_free(s);
	}
}

/* The session's own answer to p, whichever stage holds it. */
static void
session_error(struct pending *p, int err, const char *msg)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;

	resp.code = (Tally__ErrorCode)-err;
	resp.message = (char *)(msg != NULL ? msg : tally_strerror(err));
	session_complete(p, &resp);
}

static struct pending *
session_new_pending(struct session *s, uint64_t id)
{
	struct pending *p;
	struct timeval now;

	if ((p = pending_new(s->fe, session_complete)) == NULL)
		return NULL;
	p->s = s;
	p->id = id;
	gettimeofday(&now, NULL);
	p->deadline = now;
	p->deadline.tv_sec += s->fe->cfg->request_timeout;
	TAILQ_INSERT_TAIL(&s->pending, p, s_entry);
	s->npending++;
	return p;
}

/* A response for a broken stream, then close: the framing is lost. */
static void
session_fail(struct session *s, int err, const char *msg)
{
	struct pending *p;

	s->closing = 1;
	bufferevent_disable(s->bev, EV_READ);
	if ((p = session_new_pending(s, 0)) == NULL) {
		session_free(s);
		return;
	}
	session_error(p, err, msg);
}

static void
session_dispatch(struct session *s, Tally__Request *req)
{
	struct pending *p;
	char msg[128] = "";
	int ret;

	if ((p = session_new_pending(s, req->id)) == NULL) {
		tally__request__free_unpacked(req, NULL);
		session_free(s);
		return;
	}
	p->req = req;
	if (req->version != 1)
		ret = TALLY_ERR_VERSION;
	else if (req->body_case == TALLY__REQUEST__BODY__NOT_SET) {
		ret = TALLY_ERR_PROTOCOL;
		snprintf(msg, sizeof(msg), "empty request");
	} else if (!fe_role_may(s->role, req->body_case)) {
		ret = TALLY_ERR_ROLE;
		snprintf(msg, sizeof(msg), "role %s may not send this "
		    "request", role_name(s->role));
	} else
		ret = fe_check_request(req, msg, sizeof(msg));
	if (ret != 0) {
		session_error(p, ret, msg[0] ? msg : NULL);
		return;
	}
	if (req->body_case == TALLY__REQUEST__BODY_CAST ||
	    req->body_case == TALLY__REQUEST__BODY_SPOIL)
		fe_cast_submit(s->fe, p);
	else if (req->body_case == TALLY__REQUEST__BODY_GET_RECORD) {
		/* One download at a time per session (reading stops until
		 * it is answered), max_downloads at the ledger. */
		s->downloads++;
		fe_ledger_download(s->fe, p);
	} else
		fe_ledger_forward(s->fe, p, req);
}

/* Take one whole frame off the input, if there is one. 1: go on. */
static int
session_take_frame(struct session *s, struct evbuffer *in)
{
	uint8_t hdr[4], *body;
	uint32_t len;
	ProtobufCMessage *m;
	struct pending *p;
	char msg[128];
	uint64_t id;
	int ret;

	if (evbuffer_copyout(in, hdr, 4) != 4) {
		if (evbuffer_get_length(in) > 0 && !timerisset(&s->partial))
			gettimeofday(&s->partial, NULL);
		return 0;
	}
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	if (len > s->limit) {
		session_fail(s, TALLY_ERR_TOO_LARGE, "frame over the limit");
		return 0;
	}
	if (len > SESSION_SMALL_FRAME && s->reserved == 0 &&
	    !session_reserve(s, 4 + (size_t)len)) {
		if (!timerisset(&s->partial))
			gettimeofday(&s->partial, NULL);
		return 0;
	}
	if (evbuffer_get_length(in) < 4 + (size_t)len) {
		bufferevent_setwatermark(s->bev, EV_READ, 4 + (size_t)len,
		    0);
		if (!timerisset(&s->partial))
			gettimeofday(&s->partial, NULL);
		return 0;
	}
	timerclear(&s->partial);
	bufferevent_setwatermark(s->bev, EV_READ, 0, 0);
	evbuffer_drain(in, 4);
	body = evbuffer_pullup(in, len);
	/* What the wire says before anything is decoded: the request kind
	 * against the role, its size, how many entries it holds. */
	if ((ret = fe_check_frame(s->fe->cfg, s->role, body, len, &id, msg,
	    sizeof(msg))) != 0) {
		evbuffer_drain(in, len);
		session_unreserve(s);
		if ((p = session_new_pending(s, id)) != NULL)
			session_error(p, ret, msg);
		return 1;
	}
	/* Only the canonical encoding: what is logged and signed later is
	 * what was read, with no unknown field riding along unseen. */
	ret = pb_unpack_strict(&tally__request__descriptor,
	    len ? body : (const uint8_t *)"", len, len, &m);
	evbuffer_drain(in, len);
	session_unreserve(s);
	if (ret != 0) {
		if ((p = session_new_pending(s, 0)) != NULL)
			session_error(p, ret, ret == TALLY_ERR_TRAILING ?
			    "request has unknown fields or is not in canonical "
			    "encoding" : "request does not decode");
		return 1;
	}
	session_dispatch(s, (Tally__Request *)m);
	return 1;
}

static void
session_read(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (s->ready && !s->closing && !s->fe->stopping) {
		if (s->npending >= SESSION_MAX_PIPELINE ||
		    session_output_full(s) || s->downloads > 0 ||
		    s->mem_wait) {
			bufferevent_disable(bev, EV_READ);
			return;
		}
		if (!session_take_frame(s, in))
			return;
	}
}

static void
session_write(struct bufferevent *bev, void *arg)
{
	struct session *s = arg;

	if (s->closing && TAILQ_EMPTY(&s->pending))
		session_free(s);
	else
		session_resume(s);	/* the answers have drained */
}

static int
session_read_role(struct session *s)
{
	SSL *ssl = bufferevent_openssl_get_ssl(s->bev);
	X509 *cert;
	int ret;

	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL)
		return TALLY_ERR_ROLE;
	ret = cert_role(cert, &s->role);
	X509_free(cert);
	if (ret == 0 && (s->role == ROLE_NONE || s->role == ROLE_DAEMON))
		ret = TALLY_ERR_ROLE;
	return ret;
}

static void
session_connected(struct session *s)
{
	struct timeval idle = { (time_t)s->fe->cfg->idle_timeout, 0 };

	evtimer_del(s->ev_handshake);
	if (session_read_role(s) != 0) {
		log_info("connection #%u: certificate carries no usable "
		    "role", s->serial);
		session_free(s);
		return;
	}
	if (session_admit_authenticated(s) != 0) {
		session_free(s);
		return;
	}
	s->limit = fe_role_frame_limit(s->fe->cfg, s->role);
	s->ready = 1;
	s->fe->nhandshake--;
	/* Write too: a peer that stops reading must not hold its slot. */
	bufferevent_set_timeouts(s->bev, &idle, &idle);
	log_debug("connection #%u: %s", s->serial, role_name(s->role));
	session_read(s->bev, s);
}

static void
session_event(struct bufferevent *bev, short what, void *arg)
{
	struct session *s = arg;
	unsigned long e;

	if (what & BEV_EVENT_CONNECTED) {
		session_connected(s);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_info("connection #%u: idle timeout", s->serial);
	else if (what & BEV_EVENT_ERROR) {
		while ((e = bufferevent_get_openssl_error(bev)) != 0)
			log_debug("connection #%u: TLS: %s", s->serial,
			    ERR_reason_error_string(e));
	}
	session_free(s);
}

static void
session_handshake_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct session *s = arg;

	log_info("connection #%u: handshake timeout", s->serial);
	session_free(s);
}

/* 1 when s comes from the address in sa (the port does not count). */
static int
session_same_source(const struct session *s, const struct sockaddr *sa)
{
	const struct sockaddr_in *a4 = (const struct sockaddr_in *)&s->addr;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&s->addr;

	if (s->addr.ss_family != sa->sa_family)
		return 0;
	if (sa->sa_family == AF_INET)
		return a4->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
	if (sa->sa_family == AF_INET6)
		return memcmp(&a6->sin6_addr,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	return 1;	/* no address to tell apart: one source */
}

/* 1 when s's peer has not sent a byte of its handshake yet. */
static int
session_is_silent(struct session *s)
{
	SSL *ssl;

	return s->bev == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(s->bev)) == NULL ||
	    SSL_in_before(ssl);
}

/* The session in the handshake to cut first (of sa's address when sa is
 * set): the oldest that has sent nothing yet, else the oldest; and in *n
 * how many are in the handshake. A flood of silent connections thus cuts
 * its own, not a handshake under way. */
static struct session *
session_oldest_handshake(struct frontend *fe, const struct sockaddr *sa,
    unsigned int *n)
{
	struct session *s, *oldest = NULL, *silent = NULL;

	*n = 0;
	TAILQ_FOREACH(s, &fe->sessions, entry) {
		if (s->ready || (sa != NULL && !session_same_source(s, sa)))
			continue;
		if (oldest == NULL)
			oldest = s;
		if (silent == NULL && session_is_silent(s))
			silent = s;
		(*n)++;
	}
	return silent != NULL ? silent : oldest;
}

int
session_evict_handshake(struct frontend *fe)
{
	struct session *s;
	unsigned int n;

	if ((s = session_oldest_handshake(fe, NULL, &n)) == NULL)
		return 0;
	session_free(s);
	return 1;
}

/* Make room for a new handshake from sa. 0, or -1 to refuse it. */
static int
session_admit(struct frontend *fe, const struct sockaddr *sa)
{
	struct session *old;
	unsigned int n;

	if (fe->stopping) {
		frontend_refused(fe, FE_REFUSE_STOPPING);
		return -1;
	}
	old = session_oldest_handshake(fe, sa, &n);
	if (n >= fe->cfg->max_handshakes_per_source) {
		frontend_refused(fe, FE_REFUSE_SOURCE);
		session_free(old);
	} else if (fe->nhandshake >= fe->max_handshakes) {
		frontend_refused(fe, FE_REFUSE_HANDSHAKES);
		session_evict_handshake(fe);
	}
	if (fe->nconn >= fe->max_sessions + fe->max_handshakes) {
		frontend_refused(fe, FE_REFUSE_FDS);
		if (!session_evict_handshake(fe))
			return -1;
	}
	return 0;
}

/* The handshake is done: may this session stay? */
static int
session_admit_authenticated(struct session *s)
{
	struct frontend *fe = s->fe;
	struct session *o;
	unsigned int nauth = fe->nconn - fe->nhandshake, nsrc = 0;

	if (nauth >= fe->max_sessions) {
		frontend_refused(fe, FE_REFUSE_SESSIONS);
		return -1;
	}
	TAILQ_FOREACH(o, &fe->sessions, entry)
		if (o->ready && session_same_source(o,
		    (const struct sockaddr *)&s->addr))
			nsrc++;
	if (nsrc >= fe->cfg->max_per_source) {
		frontend_refused(fe, FE_REFUSE_SESSIONS_SOURCE);
		return -1;
	}
	return 0;
}

void
session_accept(struct frontend *fe, int fd, const struct sockaddr *sa,
    int salen)
{
	struct timeval hs = { (time_t)fe->cfg->handshake_timeout, 0 };
	struct session *s;
	SSL *ssl;

	if (session_admit(fe, sa) != 0 ||
	    (s = calloc(1, sizeof(*s))) == NULL) {
		close(fd);
		return;
	}
	s->fe = fe;
	s->serial = ++session_serial;
	if (salen > 0 && (size_t)salen <= sizeof(s->addr))
		memcpy(&s->addr, sa, (size_t)salen);
	TAILQ_INIT(&s->pending);
	/* Counted and listed from here on: session_free undoes both. */
	fe->nconn++;
	fe->nhandshake++;
	TAILQ_INSERT_TAIL(&fe->sessions, s, entry);
	if ((ssl = SSL_new(fe->ctx)) == NULL ||
	    (s->bev = bufferevent_openssl_socket_new(fe->base, fd, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		SSL_free(ssl);
		close(fd);
		session_free(s);
		return;
	}
	if ((s->ev_handshake = evtimer_new(fe->base,
	    session_handshake_timeout, s)) == NULL) {
		session_free(s);	/* the bufferevent closes fd */
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(s->bev, 1);
	if ((s->out_cb = evbuffer_add_cb(bufferevent_get_output(s->bev),
	    session_out_cb, s)) == NULL) {
		session_free(s);
		return;
	}
	bufferevent_setcb(s->bev, session_read, session_write, session_event,
	    s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	evtimer_add(s->ev_handshake, &hs);
}

static void
session_free(struct session *s)
{
	struct pending *p;
	struct frontend *fe = s->fe;

	while ((p = TAILQ_FIRST(&s->pending)) != NULL) {
		TAILQ_REMOVE(&s->pending, p, s_entry);
		pending_release(p);
	}
	fe->mem_out -= s->queued;
	session_unreserve(s);
	if (s->ev_handshake != NULL)
		event_free(s->ev_handshake);
	if (s->bev != NULL) {
		struct evbuffer *out = bufferevent_get_output(s->bev);

		/* Freed with the bufferevent, maybe later: count it gone. */
		if (s->out_cb != NULL)
			evbuffer_remove_cb_entry(out, s->out_cb);
		fe->mem_out -= s->outlen;
		if (evbuffer_get_length(out) + evbuffer_get_length(
		    bufferevent_get_input(s->bev)) > SESSION_SMALL_FRAME)
			fe->trim = 1;
		bufferevent_free(s->bev);
	}
	fe->nconn--;
	if (!s->ready)
		fe->nhandshake--;
	TAILQ_REMOVE(&fe->sessions, s, entry);
	free(s);
}

/* Answer E_TIMEOUT for every request past its deadline; a frame that
 * has been arriving for longer than a request may take is a slow client
 * holding a connection: answer E_TIMEOUT and close. */
void
session_expire(struct frontend *fe, const struct timeval *now)
{
	struct session *s, *next;
	struct pending *p, *pnext;
	struct timeval limit;

	for (s = TAILQ_FIRST(&fe->sessions); s != NULL; s = next) {
		next = TAILQ_NEXT(s, entry);
		if (timerisset(&s->partial) && !s->closing) {
			limit = s->partial;
			limit.tv_sec += fe->cfg->request_timeout;
			if (timercmp(now, &limit, >)) {
				log_info("connection #%u: frame too slow",
				    s->serial);
				session_fail(s, TALLY_ERR_TIMEOUT,
				    "frame not received in time");
				continue;
			}
		}
		for (p = TAILQ_FIRST(&s->pending); p != NULL; p = pnext) {
			pnext = TAILQ_NEXT(p, s_entry);
			if (!p->done && timercmp(now, &p->deadline, >)) {
				session_error(p, TALLY_ERR_TIMEOUT,
				    "request deadline passed");
				break;	/* the session may be gone */
			}
		}
	}
}

/* Every 100 ms: sessions waiting on the memory budget read again as it
 * allows, oldest first; big frees are given back to the system (glibc
 * keeps freed heap otherwise: 610 MB still held after 40 stalled frames
 * closed, finding 6), at most once a second. */
void
session_memory_tick(struct frontend *fe)
{
	struct session *s;

	TAILQ_FOREACH(s, &fe->sessions, entry) {
		if (!s->mem_wait || s->closing)
			continue;
		if (fe->mem_reserved != 0 && fe->mem_reserved + fe->mem_out +
		    s->want > fe->cfg->max_buffer_memory)
			continue;
		s->mem_wait = 0;
		if (session_reserve(s, s->want))
			session_resume(s);
	}
	fe_ledger_pump(fe);
	if (fe->trim && time(NULL) != fe->trimmed) {
		fe->trim = 0;
		fe->trimmed = time(NULL);
		malloc_trim(0);
	}
}

void
session_stop_reading(struct frontend *fe)
{
	struct session *s;

	TAILQ_FOREACH(s, &fe->sessions, entry)
		bufferevent_disable(s->bev, EV_READ);
}
