/*
 * screen.c: tallyctl screen [--listen ADDR:PORT] [--every SECONDS]
 *
 * The hall screen: a read-only page for the big screen while the polls are
 * open. Every few seconds, as an auditor, it asks tallyd for the bytes of
 * every vote's record past those it already verified and feeds them to
 * that vote's follower (record_follow: the checks of tallyctl verify, each
 * new record checked once, a record still being written accepted). The
 * page shows only what was verified: the state, 应到 (the manifest's
 * members), 实到 and 发出 (PollsOpened), 收回 (Ballot records), challenged
 * ballots, the log's size and root, the vote's witnesses (fingerprints)
 * with the largest log each cosigned and which of them cosigned the sealed
 * log, n of the quorum, and the announcement once the vote is counted.
 * Nothing tallyd merely claims (its status counts) is ever shown: tallyd is
 * asked only which votes exist. A record that stops verifying is shown as
 * such, in red, with the failing check, and nothing from it ever again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "announce.h"
#include "credential.h"
#include "assets.h"
#include "err.h"
#include "log.h"
#include "manifest.h"
#include "publication.h"
#include "record.h"
#include "tallyctl.h"
#include "util.h"
#include "witness.h"

/* One vote followed: its record verified as it grows (record_follow),
 * each refresh feeding only the bytes not yet verified. */
struct svote {
	char			 id[72];
	struct record_follow	*f;
	uint64_t		 offset;	/* bytes verified */
	uint8_t			*pend;		/* fetched, not yet a frame */
	size_t			 npend;
	int			 fd;		/* local copy, for the manifest */
	struct manifest		*m;
	json_t			*bad;		/* once it failed: for good */
};

struct screen {
	struct event_base	*base;
	struct evhttp		*http;
	struct event		*tick;
	int			 every;
	char			 dir[64];	/* local copies of the records */
	struct ctl_conn		*c;
	struct svote		*v;
	size_t			 nv;
	json_t			*state;		/* what the page shows */
};

/* The witnesses of a vote, as verified: each one's fingerprint (read
 * aloud), the largest log it cosigned, and whether it cosigned the seal. */
static json_t *
screen_witnesses(const struct record_report *r)
{
	json_t *a = json_array(), *w;
	char fp[WITNESS_FP_LEN];
	uint32_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < r->witnesses && i < RECORD_WITNESS_MAX; i++) {
		if (witness_fingerprint(fp, r->witness_keys[i]) != 0 ||
		    (w = json_pack("{s:s,s:I,s:b}", "fingerprint", fp,
		    "cosigned_size", (json_int_t)r->witness_size[i], "seal",
		    (r->seal_mask >> i) & 1)) == NULL) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, w);
	}
	return a;
}

/* One vote, from what its follower verified. */
static json_t *
screen_vote_verified(struct svote *sv, const char *path,
    const struct record_report *rep)
{
	char root[65], seal[65], *txt = NULL;
	size_t len;
	json_t *j;

	util_hex(root, rep->root, 32);
	util_hex(seal, rep->seal_root, 32);
	if (sv->m == NULL && pub_record_manifest(path, &sv->m) != 0)
		return NULL;
	j = json_pack("{s:s,s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:s,s:I,s:s,s:I,"
	    "s:I,s:o}", "id", sv->id, "verified", 1, "state",
	    rep->state != NULL ? rep->state : "", "present",
	    (json_int_t)rep->present, "issued", (json_int_t)rep->issued,
	    "received", (json_int_t)rep->ballots, "challenged",
	    (json_int_t)rep->spoiled, "records", (json_int_t)rep->records,
	    "root", root, "seal_size", (json_int_t)rep->seal_size,
	    "seal_root", rep->seal_size > 0 ? seal : "", "quorum",
	    (json_int_t)rep->witness_quorum, "seal_cosigned",
	    (json_int_t)rep->seal_cosigned, "witnesses",
	    screen_witnesses(rep));
	if (j == NULL)
		return NULL;
	json_object_set_new(j, "title", json_string(sv->m->title));
	json_object_set_new(j, "members", json_integer(sv->m->members));
	if (rep->complete && rep->outcome != NULL &&
	    announce_text(&txt, &len, sv->m, (const uint8_t *)rep->outcome,
	    rep->outcome_len, "zh") == 0)
		json_object_set_new(j, "announcement", json_stringn(txt, len));
	free(txt);
	return j;
}

/* The record stopped verifying: from now on the screen shows only that. */
static void
screen_vote_fail(struct svote *sv, uint64_t index, const char *check,
    const char *reason)
{
	json_decref(sv->bad);
	sv->bad = json_pack("{s:s,s:b,s:s,s:I,s:s}", "id", sv->id, "verified",
	    0, "check", check, "index", (json_int_t)index, "reason", reason);
}

/* Feed what is pending; keep the whole frames taken in the local copy. */
static int
screen_feed(struct svote *sv)
{
	const struct record_report *r;
	size_t used = 0;
	int ret;

	ret = record_follow_feed(sv->f, sv->pend, sv->npend, &used);
	r = record_follow_report(sv->f);
	if (ret != 0) {
		screen_vote_fail(sv, r->index, r->check, r->reason);
		return ret;
	}
	if (used > 0 && write(sv->fd, sv->pend, used) != (ssize_t)used)
		return ctl_error(TALLY_ERR_IO, "%s: local copy: %s", sv->id,
		    strerror(errno)), TALLY_ERR_IO;
	sv->offset += used;
	if (used > 0 && sv->npend > used)
		memmove(sv->pend, sv->pend + used, sv->npend - used);
	sv->npend -= used;
	return 0;
}

static int
screen_chunk(void *arg, const uint8_t *p, size_t len)
{
	struct svote *sv = arg;
	uint8_t *n;

	if ((n = realloc(sv->pend, sv->npend + len + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	sv->pend = n;
	if (len > 0)	/* p is NULL when empty */
		memcpy(sv->pend + sv->npend, p, len);
	sv->npend += len;
	return screen_feed(sv);
}

static int
screen_shrunk(void *arg, uint64_t at, const char *message)
{
	struct svote *sv = arg;
	char why[160];

	(void)message;
	snprintf(why, sizeof(why), "tallyd serves a log shorter than the %"
	    PRIu64 " bytes verified here", at);
	screen_vote_fail(sv, record_follow_report(sv->f)->records, "shrunk",
	    why);
	return TALLY_ERR_INVALID_ARG;
}

/* Download what is new of the vote's record, from the bytes not yet seen. */
static int
screen_fetch_new(struct screen *s, struct svote *sv)
{
	struct ctl_follow f = { screen_chunk, screen_shrunk, sv, NULL };

	return ctl_follow_record(s->c, sv->id, sv->offset + sv->npend, &f);
}

static struct svote *
screen_svote(struct screen *s, const char *id)
{
	struct record_opts o;
	struct svote *n;
	char path[160];
	size_t i;

	for (i = 0; i < s->nv; i++)
		if (strcmp(s->v[i].id, id) == 0)
			return &s->v[i];
	if ((n = realloc(s->v, (s->nv + 1) * sizeof(*n))) == NULL)
		return NULL;
	s->v = n;
	n = &s->v[s->nv];
	memset(n, 0, sizeof(*n));
	snprintf(n->id, sizeof(n->id), "%s", id);
	snprintf(path, sizeof(path), "%s/%s.log", s->dir, id);
	memset(&o, 0, sizeof(o));
	o.allow_incomplete = 1;
	o.threads = 1;
	if ((n->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return NULL;
	if (record_follow_new(&n->f, &o) != 0) {
		close(n->fd);
		return NULL;
	}
	s->nv++;
	return n;
}

static json_t *
screen_vote(struct screen *s, const char *id)
{
	struct svote *sv;
	char path[160];
	int ret;

	if ((sv = screen_svote(s, id)) == NULL)
		return NULL;
	if (sv->bad == NULL && (ret = screen_fetch_new(s, sv)) != 0 &&
	    sv->bad == NULL)
		return NULL;	/* tallyd unreachable: shown at the next */
	if (sv->bad != NULL)
		return json_incref(sv->bad);
	if (record_follow_report(sv->f)->records == 0)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.log", s->dir, id);
	return screen_vote_verified(sv, path, record_follow_report(sv->f));
}

/* Ask which votes exist, then verify each one's record. */
static void
screen_refresh(struct screen *s)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__StatusRequest sr = TALLY__STATUS_REQUEST__INIT;
	Tally__Response *resp = NULL;
	json_t *votes, *v;
	char when[32];
	time_t now = time(NULL);
	size_t i;
	int ret;

	if (s->c == NULL && (s->c = ctl_connect_or_report(&ctl_global)) ==
	    NULL)
		return;
	sr.vote_id = "";
	req.body_case = TALLY__REQUEST__BODY_STATUS;
	req.status = &sr;
	if ((ret = ctl_call(s->c, &req, &resp)) != 0 || resp->status == NULL) {
		ctl_call_error(ret ? ret : TALLY_ERR_PROTOCOL, resp, "status");
		ctl_close(s->c);
		s->c = NULL;
		goto out;
	}
	if ((votes = json_array()) == NULL)
		goto out;
	for (i = 0; i < resp->status->n_votes; i++) {
		if (!credential_vote_id_valid(resp->status->votes[i]->vote_id))
			continue;
		if ((v = screen_vote(s, resp->status->votes[i]->vote_id)) !=
		    NULL)
			json_array_append_new(votes, v);
	}
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	json_decref(s->state);
	s->state = json_pack("{s:o,s:s}", "votes", votes, "checked", when);
out:
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
}

static void
screen_tick(evutil_socket_t fd, short what, void *arg)
{
	struct screen *s = arg;
	struct timeval tv = { s->every, 0 };

	screen_refresh(s);
	evtimer_add(s->tick, &tv);
}

/* ----------------------------------------------------------------- http */

#define SCREEN_CSP "default-src 'none'; script-src 'self'; style-src " \
	"'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'"

static void
screen_send(struct evhttp_request *req, const char *type, const void *p,
    size_t len)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Content-Security-Policy", SCREEN_CSP);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (b == NULL) {
		evhttp_send_error(req, 500, "Internal Error");
		return;
	}
	evbuffer_add(b, p, len);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
screen_handle(struct evhttp_request *req, void *arg)
{
	struct screen *s = arg;
	const char *uri = evhttp_request_get_uri(req);
	char *json;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET)
		evhttp_send_error(req, 405, "Method Not Allowed");
	else if (strcmp(uri, "/") == 0)
		screen_send(req, "text/html; charset=utf-8", screen_index_html,
		    screen_index_html_len);
	else if (strcmp(uri, "/app.css") == 0)
		screen_send(req, "text/css; charset=utf-8", screen_app_css,
		    screen_app_css_len);
	else if (strcmp(uri, "/app.js") == 0)
		screen_send(req, "text/javascript; charset=utf-8",
		    screen_app_js, screen_app_js_len);
	else if (strcmp(uri, "/state.json") == 0) {
		json = s->state != NULL ? json_dumps(s->state, JSON_COMPACT) :
		    NULL;
		screen_send(req, "application/json; charset=utf-8",
		    json != NULL ? json : "{\"votes\":[]}",
		    json != NULL ? strlen(json) : 12);
		free(json);
	} else
		evhttp_send_error(req, 404, "Not Found");
}

/* SIGTERM or SIGINT: stop, and remove the downloaded records. */
static void
screen_stop(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

static void
screen_cleanup(struct screen *s)
{
	char path[160];
	size_t i;

	for (i = 0; i < s->nv; i++) {
		snprintf(path, sizeof(path), "%s/%s.log", s->dir, s->v[i].id);
		unlink(path);
		close(s->v[i].fd);
		record_follow_free(s->v[i].f);
		manifest_free(s->v[i].m);
		free(s->v[i].pend);
		json_decref(s->v[i].bad);
	}
	free(s->v);
	rmdir(s->dir);
}

/* ------------------------------------------------------------ the command */

static int
screen_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl screen [--listen ADDR:PORT] [--every "
	    "SECONDS]\n"
	    "  Serve the hall screen (default 127.0.0.1:8081): every SECONDS "
	    "(default 5) the\n  record of every vote is downloaded and "
	    "verified; the page shows only what\n  was verified.\n");
	return code;
}

static int
screen_listen(struct screen *s, const char *listen)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	uint32_t port;
	unsigned bound;
	int ret;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host) ||
	    util_parse_u32(colon + 1, 0, 65535, &port) != 0)
		return ctl_error(TALLY_ERR_INVALID_ARG, "--listen must be "
		    "ADDR:PORT");
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if ((ret = ctl_http_listen(s->http, host, port, listen, &bound)) != 0)
		return ret;
	printf("screen: http://%s:%u/\n", host, bound);
	fflush(stdout);
	return 0;
}

int
cmd_screen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "every", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *listen = "127.0.0.1:8081";
	struct timeval now = { 0, 0 };
	struct event *sigterm = NULL, *sigint = NULL;
	struct screen s;
	uint32_t every = 5;
	int ch, ret = 1;

	memset(&s, 0, sizeof(s));
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen = optarg; break;
		case 'e':
			if (util_parse_u32(optarg, 1, 3600, &every) != 0)
				return ctl_error(TALLY_ERR_INVALID_ARG,
				    "bad --every '%s'", optarg);
			break;
		case 'h': return screen_usage(stdout, 0);
		default: return screen_usage(stderr, 1);
		}
	}
	if (optind != argc)
		return screen_usage(stderr, 1);
	s.every = (int)every;
	snprintf(s.dir, sizeof(s.dir), "/tmp/tally-screen.XXXXXX");
	if (mkdtemp(s.dir) == NULL)
		return ctl_error(TALLY_ERR_IO, "mkdtemp: %s", strerror(errno));
	if ((s.base = event_base_new()) == NULL ||
	    (s.http = evhttp_new(s.base)) == NULL ||
	    (s.tick = evtimer_new(s.base, screen_tick, &s)) == NULL) {
		ret = ctl_error(TALLY_ERR_NOMEM, "cannot start the event loop");
		goto out;
	}
	if ((sigterm = evsignal_new(s.base, SIGTERM, screen_stop, s.base)) ==
	    NULL || (sigint = evsignal_new(s.base, SIGINT, screen_stop,
	    s.base)) == NULL || evsignal_add(sigterm, NULL) != 0 ||
	    evsignal_add(sigint, NULL) != 0) {
		ret = ctl_error(TALLY_ERR_INTERNAL, "cannot catch signals");
		goto out;
	}
	evhttp_set_allowed_methods(s.http, EVHTTP_REQ_GET);
	evhttp_set_gencb(s.http, screen_handle, &s);
	if (screen_listen(&s, listen) == 0 &&
	    (s.c = ctl_connect_or_report(&ctl_global)) != NULL) {
		evtimer_add(s.tick, &now);
		event_base_dispatch(s.base);
		ret = 0;
	}
out:
	screen_cleanup(&s);
	json_decref(s.state);
	ctl_close(s.c);
	if (sigterm != NULL)
		event_free(sigterm);
	if (sigint != NULL)
		event_free(sigint);
	if (s.tick != NULL)
		event_free(s.tick);
	if (s.http != NULL)
		evhttp_free(s.http);
	if (s.base != NULL)
		event_base_free(s.base);
	return ret;
}
