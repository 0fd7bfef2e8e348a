/*
 * screen.c: tallyctl screen [--listen ADDR:PORT] [--every SECONDS]
 *
 * The hall screen: a read-only page for the big screen while the polls are
 * open. Every few seconds, as an auditor, it downloads the record of every
 * vote and verifies it with the verifier auditors use (record_verify,
 * accepting a record still being written), and the page shows only what
 * was verified: the state, 应到 (the manifest's members), 实到 and 发出
 * (PollsOpened), 收回 (Ballot records), challenged ballots, the record's
 * size and root, and the announcement once the vote is counted. Nothing
 * tallyd merely claims (its status counts) is ever shown: tallyd is asked
 * only which votes exist. A record that does not verify is shown as such,
 * in red, with the failing check.
 */
#include <errno.h>
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

struct screen {
	struct event_base	*base;
	struct evhttp		*http;
	struct event		*tick;
	int			 every;
	char			 dir[64];	/* downloaded records */
	struct ctl_conn		*c;
	json_t			*state;		/* what the page shows */
};

/* One vote, from its verified record. */
static json_t *
screen_vote_verified(const char *id, const char *path,
    const struct record_report *rep)
{
	struct manifest *m = NULL;
	char root[65], *txt = NULL;
	size_t len;
	json_t *j;

	util_hex(root, rep->root, 32);
	j = json_pack("{s:s,s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:s}", "id", id,
	    "verified", 1, "state", rep->state != NULL ? rep->state : "",
	    "present", (json_int_t)rep->present, "issued",
	    (json_int_t)rep->issued, "received", (json_int_t)rep->ballots,
	    "challenged", (json_int_t)rep->spoiled, "records",
	    (json_int_t)rep->records, "root", root);
	if (j == NULL || pub_record_manifest(path, &m) != 0) {
		json_decref(j);
		return NULL;
	}
	json_object_set_new(j, "title", json_string(m->title));
	json_object_set_new(j, "members", json_integer(m->members));
	if (rep->complete && rep->outcome != NULL &&
	    announce_text(&txt, &len, m, (const uint8_t *)rep->outcome,
	    rep->outcome_len, "zh") == 0)
		json_object_set_new(j, "announcement", json_stringn(txt, len));
	free(txt);
	manifest_free(m);
	return j;
}

static json_t *
screen_vote(struct screen *s, const char *id)
{
	struct record_report rep;
	struct record_opts o;
	char path[128], fresh[140];
	json_t *j;
	int ret;

	snprintf(path, sizeof(path), "%s/%s.log", s->dir, id);
	snprintf(fresh, sizeof(fresh), "%s.new", path);
	unlink(fresh);
	if ((ret = ctl_fetch_record(s->c, id, fresh)) != 0)
		return NULL;
	memset(&o, 0, sizeof(o));
	o.allow_incomplete = 1;
	if ((ret = record_verify(fresh, &o, &rep)) == 0)
		j = screen_vote_verified(id, fresh, &rep);
	else
		j = json_pack("{s:s,s:b,s:s,s:I,s:s}", "id", id, "verified", 0,
		    "check", rep.check, "index", (json_int_t)rep.index,
		    "reason", rep.reason);
	if (rename(fresh, path) != 0)
		unlink(fresh);
	record_report_clear(&rep);
	return j;
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
	char path[128];
	size_t i;

	if (s->state != NULL) {
		json_t *v;

		json_array_foreach(json_object_get(s->state, "votes"), i, v) {
			snprintf(path, sizeof(path), "%s/%s.log", s->dir,
			    json_string_value(json_object_get(v, "id")));
			unlink(path);
		}
	}
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
