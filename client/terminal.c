/*
 * terminal.c: tallyctl terminal [--listen 127.0.0.1:PORT] [--idle SECONDS]
 *
 * The polling terminal: a small web application for a kiosk browser on the
 * same machine, served on the loopback address only. It holds the
 * terminal's certificate (tallyctl's connection options) and talks to
 * tallyd over mutual TLS; every piece of cryptography is here, in C. The
 * page (terminal_page.c) only shows screens and posts the deputy's marks.
 *
 * One deputy at a time: the session is one card, one vote, at most one
 * encrypted ballot awaiting 投出 (cast) or 核验 (challenge), and it is
 * wiped on 完成, on a reset, and after --idle seconds without a request.
 *
 * Any local process or web page can send requests to a loopback port, so
 * every POST must carry the per-start random token that only our own page
 * holds (X-Tally-Token; a custom header also forces a CORS preflight,
 * which is refused), the Host must be our address (no DNS rebinding) and
 * an Origin, when sent, ours.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <qrencode.h>

#include "castlib.h"
#include "challenge.h"
#include "credential.h"
#include "err.h"
#include "tallyctl.h"
#include "terminal.h"
#include "util.h"

#define TERM_BODY_MAX	(64 * 1024)
#define TERM_VOTES_MAX	64
#define TERM_SHORT	16	/* characters of the short tracking code */

struct term {
	struct event_base	*base;
	struct evhttp		*http;
	struct event		*idle;
	int			 idle_secs;
	char			 token[65];
	char			 host[2][64];	/* 127.0.0.1:P, localhost:P */
	char			 origin[2][80];
	struct ctl_conn		*c;
	/* the session */
	int			 have_card;
	uint8_t			 seed[CRED_SEED_LEN];
	int			 have_vote;
	struct cast_vote	 v;
	uint8_t			*ballot;
	size_t			 blen;
	struct ballot_secrets	 sec;
	uint8_t			 tracking[BALLOT_TRACKING_LEN];
	char			 cast[TERM_VOTES_MAX][MANIFEST_ID_MAX + 1];
	size_t			 ncast;		/* votes this card cast here */
};

/* ------------------------------------------------------------ session */

static void
term_drop_ballot(struct term *t)
{
	util_freezero(t->ballot, t->blen);
	t->ballot = NULL;
	t->blen = 0;
	ballot_secrets_clear(&t->sec);
	OPENSSL_cleanse(t->tracking, sizeof(t->tracking));
}

static void
term_drop_vote(struct term *t)
{
	term_drop_ballot(t);
	if (t->have_vote)
		cast_vote_clear(&t->v);
	t->have_vote = 0;
}

/* Forget everything about the deputy. */
static void
term_reset(struct term *t)
{
	term_drop_vote(t);
	OPENSSL_cleanse(t->seed, sizeof(t->seed));
	t->have_card = 0;
	memset(t->cast, 0, sizeof(t->cast));
	t->ncast = 0;
}

static void
term_idle(evutil_socket_t fd, short what, void *arg)
{
	struct term *t = arg;

	if (t->have_card)
		fprintf(stderr, "terminal: idle for %d s: session wiped\n",
		    t->idle_secs);
	term_reset(t);
}

static void
term_touch(struct term *t)
{
	struct timeval tv = { t->idle_secs, 0 };

	evtimer_add(t->idle, &tv);
}

/* A connection to tallyd, made again when the last one failed. */
static int
term_conn(struct term *t)
{
	char err[512];
	int ret;

	if (t->c != NULL)
		return 0;
	/* The configuration (and its pins) was read once at start. */
	if ((ret = ctl_connect(&ctl_global, &t->c, err, sizeof(err))) != 0) {
		t->c = NULL;
		ctl_error(ret, "%s", err);
		return TALLY_ERR_IO;
	}
	return 0;
}

static void
term_conn_failed(struct term *t, int ret)
{
	if (ret == TALLY_ERR_IO || ret == TALLY_ERR_PROTOCOL ||
	    ret == TALLY_ERR_TIMEOUT) {
		ctl_close(t->c);
		t->c = NULL;
	}
}

/* ------------------------------------------------------------- replies */

static void
reply_json(struct evhttp_request *req, int code, json_t *j)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b = evbuffer_new();
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (b != NULL && s != NULL)
		evbuffer_add(b, s, strlen(s));
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Refused", b);
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
	if (b != NULL)
		evbuffer_free(b);
	json_decref(j);
}

static void
reply_err(struct evhttp_request *req, int err, const char *msg)
{
	reply_json(req, 400, json_pack("{s:s,s:s}", "error",
	    tally_errname(err), "message", msg != NULL && msg[0] != '\0' ?
	    msg : tally_strerror(err)));
}

/* A tallyd refusal: its code and its message. */
static void
reply_call_err(struct evhttp_request *req, int ret,
    const Tally__Response *resp)
{
	reply_err(req, ret, resp != NULL && resp->message != NULL ?
	    resp->message : NULL);
}

/* ---------------------------------------------------------------- card */

static json_t *
term_check_code(const char *code)
{
	uint8_t seed[CRED_SEED_LEN];
	size_t n = 0;
	const char *p;
	int ret;

	for (p = code; *p != '\0'; p++)
		if (*p != '-' && *p != ' ')
			n++;
	ret = credential_parse(seed, code);
	OPENSSL_cleanse(seed, sizeof(seed));
	return json_pack("{s:s,s:I,s:I}", "state", ret == 0 ? "ok" :
	    ret == TALLY_ERR_CHECKSUM ? "checksum" : ret == TALLY_ERR_DECODE ?
	    "char" : ret == TALLY_ERR_TRAILING ? "long" : "short", "have",
	    (json_int_t)n, "need", (json_int_t)56);
}

static int
term_cast_here(const struct term *t, const char *id)
{
	size_t i;

	for (i = 0; i < t->ncast; i++)
		if (strcmp(t->cast[i], id) == 0)
			return 1;
	return 0;
}

/* The open votes whose registry holds this card's credential. */
static int
term_votes(struct term *t, json_t **out, Tally__Response **resp)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__StatusRequest sr = TALLY__STATUS_REQUEST__INIT;
	struct cast_vote v;
	uint8_t pk[32];
	char err[256];
	json_t *list;
	size_t i;
	int ret;

	*out = NULL;
	sr.vote_id = "";
	req.body_case = TALLY__REQUEST__BODY_STATUS;
	req.status = &sr;
	if ((ret = term_conn(t)) != 0 || (ret = ctl_call(t->c, &req,
	    resp)) != 0)
		return ret;
	if ((*resp)->status == NULL || (list = json_array()) == NULL)
		return TALLY_ERR_PROTOCOL;
	for (i = 0; i < (*resp)->status->n_votes; i++) {
		const Tally__VoteStatus *s = (*resp)->status->votes[i];

		if (strcmp(s->state, "open") != 0 ||
		    term_cast_here(t, s->vote_id))
			continue;
		/* A vote this terminal has no election hash for
		 * (election_hash VOTE HEX in --config) is not offered:
		 * it would encrypt to nothing the officials announced. */
		if ((ret = cast_vote_fetch(t->c, s->vote_id, NULL, &v, err,
		    sizeof(err))) != 0) {
			cast_vote_clear(&v);
			if (ret == TALLY_ERR_UNPINNED) {
				ret = 0;
				continue;
			}
			break;
		}
		if (credential_derive(NULL, pk, t->seed, s->vote_id) == 0 &&
		    ballot_registry_has(v.ctx.registry, v.ctx.nreg, pk))
			json_array_append_new(list, json_pack("{s:s,s:s}",
			    "id", s->vote_id, "title", v.ctx.m->title));
		cast_vote_clear(&v);
	}
	if (ret != 0) {
		json_decref(list);
		return ret;
	}
	*out = list;
	return 0;
}

static void
api_card(struct term *t, struct evhttp_request *req, json_t *in)
{
	Tally__Response *resp = NULL;
	const char *code = json_string_value(json_object_get(in, "code"));
	json_t *votes;
	int ret;

	term_reset(t);
	if (code == NULL)
		return reply_err(req, TALLY_ERR_INVALID_ARG, "no card code");
	if ((ret = credential_parse(t->seed, code)) != 0)
		return reply_err(req, ret, NULL);
	t->have_card = 1;
	if ((ret = term_votes(t, &votes, &resp)) != 0) {
		term_conn_failed(t, ret);
		term_reset(t);
		reply_call_err(req, ret, resp);
	} else
		reply_json(req, 200, json_pack("{s:o}", "votes", votes));
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
}

static void
api_votes(struct term *t, struct evhttp_request *req, json_t *in)
{
	Tally__Response *resp = NULL;
	json_t *votes;
	int ret;

	term_drop_vote(t);
	if ((ret = term_votes(t, &votes, &resp)) != 0) {
		term_conn_failed(t, ret);
		reply_call_err(req, ret, resp);
	} else
		reply_json(req, 200, json_pack("{s:o}", "votes", votes));
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
}

/* ---------------------------------------------------------------- vote */

static const char *
kind_name(enum manifest_kind k)
{
	return k == MANIFEST_KIND_ELECTION ? "election" :
	    k == MANIFEST_KIND_PROJECT ? "project" : "motion";
}

/* The ballot paper's shape: what the page draws. */
static json_t *
term_paper(const struct manifest *m)
{
	json_t *contests = json_array(), *opts;
	size_t c, o;

	for (c = 0; contests != NULL && c < m->ncontests; c++) {
		const struct manifest_contest *ct = &m->contests[c];

		opts = json_array();
		for (o = 0; opts != NULL && o < ct->noptions; o++)
			json_array_append_new(opts, json_pack("{s:s,s:s}",
			    "id", ct->options[o].id, "name",
			    ct->options[o].name));
		json_array_append_new(contests, json_pack(
		    "{s:s,s:s,s:s,s:s,s:I,s:I,s:o}", "id", ct->id, "title",
		    ct->title, "kind", kind_name(ct->kind), "mode",
		    ct->mode == MANIFEST_MODE_APPROVE ? "approve" :
		    "for_against", "seats", (json_int_t)ct->seats,
		    "writein_slots", (json_int_t)ct->writein_slots, "options",
		    opts));
	}
	return contests;
}

static void
api_vote(struct term *t, struct evhttp_request *req, json_t *in)
{
	const char *id = json_string_value(json_object_get(in, "id"));
	uint8_t pk[32];
	char err[256];
	int ret;

	term_drop_vote(t);
	if (!t->have_card)
		return reply_err(req, TALLY_ERR_INVALID_ARG, "no card");
	if (id == NULL || !credential_vote_id_valid(id))
		return reply_err(req, TALLY_ERR_INVALID_ARG, "no vote");
	if (term_cast_here(t, id))
		return reply_err(req, TALLY_ERR_CRED_USED, NULL);
	if ((ret = term_conn(t)) != 0 || (ret = cast_vote_fetch(t->c, id,
	    NULL, &t->v, err, sizeof(err))) != 0) {
		term_conn_failed(t, ret);
		cast_vote_clear(&t->v);
		return reply_err(req, ret, err);
	}
	t->have_vote = 1;
	if (credential_derive(NULL, pk, t->seed, id) != 0 ||
	    !ballot_registry_has(t->v.ctx.registry, t->v.ctx.nreg, pk)) {
		term_drop_vote(t);
		return reply_err(req, TALLY_ERR_CRED_UNKNOWN, NULL);
	}
	reply_json(req, 200, json_pack("{s:s,s:s,s:o}", "id", id, "title",
	    t->v.ctx.m->title, "contests", term_paper(t->v.ctx.m)));
}

/* ----------------------------------------------------------- encrypt */

/* The QR code of text: its width and rows of '0'/'1'. */
static json_t *
term_qr(const char *text)
{
	QRcode *q;
	char *bits;
	json_t *j;
	int i, n;

	if ((q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return json_null();
	n = q->width * q->width;
	if ((bits = calloc(1, (size_t)n + 1)) == NULL) {
		QRcode_free(q);
		return json_null();
	}
	for (i = 0; i < n; i++)
		bits[i] = q->data[i] & 1 ? '1' : '0';
	j = json_pack("{s:i,s:s}", "width", q->width, "bits", bits);
	free(bits);
	QRcode_free(q);
	return j;
}

static json_t *
term_tracking_json(const uint8_t tracking[BALLOT_TRACKING_LEN])
{
	char code[96], b32[64], shortc[TERM_SHORT + 8];

	cast_tracking_code(code, sizeof(code), tracking);
	util_base32(b32, tracking, BALLOT_TRACKING_LEN);
	memcpy(shortc, code, TERM_SHORT + 3);	/* 4 groups, 3 dashes */
	shortc[TERM_SHORT + 3] = '\0';
	return json_pack("{s:s,s:s,s:o}", "code", code, "short", shortc,
	    "qr", term_qr(b32));
}

static void
api_encrypt(struct term *t, struct evhttp_request *req, json_t *in)
{
	json_t *choices = json_object_get(in, "choices");
	Tally__Ballot *b;
	uint8_t *marks = NULL, sk[32], pk[32];
	char **names = NULL, err[256] = "", *cj = NULL;
	int ret;

	term_drop_ballot(t);
	if (!t->have_vote)
		return reply_err(req, TALLY_ERR_INVALID_ARG, "no vote");
	if (!json_is_object(choices) || (cj = json_dumps(choices,
	    JSON_COMPACT)) == NULL)
		return reply_err(req, TALLY_ERR_BAD_CHOICE, "no choices");
	if ((marks = calloc(t->v.ctx.m->nsel + 1, 1)) == NULL)
		ret = TALLY_ERR_NOMEM;
	else if ((ret = manifest_choices(t->v.ctx.m, (const uint8_t *)cj,
	    strlen(cj), marks, &names, err, sizeof(err))) == 0 &&
	    (ret = credential_derive(sk, pk, t->seed, t->v.vc->vote_id)) == 0)
		ret = ballot_encrypt_open(&t->ballot, &t->blen, &t->v.ctx.bc, sk,
		    marks, names, &t->sec);
	OPENSSL_cleanse(sk, sizeof(sk));
	if (ret == 0 && (b = tally__ballot__unpack(NULL, t->blen,
	    t->ballot)) != NULL) {
		ret = ballot_tracking_code(t->tracking, b);
		tally__ballot__free_unpacked(b, NULL);
	} else if (ret == 0)
		ret = TALLY_ERR_DECODE;
	if (ret != 0) {
		term_drop_ballot(t);
		reply_err(req, ret, err);
	} else
		reply_json(req, 200, term_tracking_json(t->tracking));
	if (names != NULL)
		manifest_writein_names_free(t->v.ctx.m, names);
	util_freezero(marks, t->v.ctx.m->nsel);
	util_freezero(cj, strlen(cj));
}

/* ------------------------------------------------- cast or challenge */

static int
term_receipt(struct term *t, const Tally__Receipt *r)
{
	if (r == NULL)
		return TALLY_ERR_PROTOCOL;
	return cast_receipt_check(&t->v, r);
}

static void
api_cast(struct term *t, struct evhttp_request *req, json_t *in)
{
	Tally__Request rq;
	Tally__CastRequest cr;
	Tally__Ballot *b = NULL;
	Tally__Response *resp = NULL;
	json_t *tr;
	int ret;

	if (t->ballot == NULL)
		return reply_err(req, TALLY_ERR_INVALID_ARG, "no ballot");
	if ((ret = cast_request(&rq, &cr, &b, t->ballot, t->blen)) == 0 &&
	    (ret = term_conn(t)) == 0 &&
	    (ret = ctl_call(t->c, &rq, &resp)) == 0)
		ret = term_receipt(t, resp->cast != NULL ? resp->cast->receipt :
		    NULL);
	if (b != NULL)
		tally__ballot__free_unpacked(b, NULL);
	if (ret != 0) {
		term_conn_failed(t, ret);
		reply_call_err(req, ret, resp);
	} else {
		tr = term_tracking_json(t->tracking);
		json_object_set_new(tr, "index",
		    json_integer((json_int_t)resp->cast->receipt->index));
		if (t->ncast < TERM_VOTES_MAX)
			snprintf(t->cast[t->ncast++], sizeof(t->cast[0]), "%s",
			    t->v.vc->vote_id);
		reply_json(req, 200, tr);
		term_drop_vote(t);
	}
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
}

/* What the opened ballot contains, from the secrets the terminal kept. */
static int
term_contents(struct term *t, char **text)
{
	struct challenge_open open;
	size_t len, i;
	int ret = TALLY_ERR_NOMEM;

	memset(&open, 0, sizeof(open));
	open.marks = t->sec.marks;
	if ((open.names = calloc(t->sec.nwi + 1, sizeof(*open.names))) !=
	    NULL) {
		for (i = 0; i < t->sec.nwi; i++)
			memcpy(open.names[i], t->sec.names[i],
			    sizeof(open.names[i]));
		ret = challenge_describe(text, &len, t->v.ctx.m, &open);
	}
	free(open.names);
	return ret;
}

static void
api_challenge(struct term *t, struct evhttp_request *req, json_t *in)
{
	Tally__Request rq;
	Tally__SpoilRequest sr;
	Tally__SpoiledBallot *sb = NULL;
	Tally__Response *resp = NULL;
	char *text = NULL;
	json_t *tr;
	int ret;

	if (t->ballot == NULL)
		return reply_err(req, TALLY_ERR_INVALID_ARG, "no ballot");
	if ((ret = term_contents(t, &text)) == 0 &&
	    (ret = cast_spoil_request(&rq, &sr, &sb, t->ballot, t->blen,
	    &t->sec)) == 0 && (ret = term_conn(t)) == 0 &&
	    (ret = ctl_call(t->c, &rq, &resp)) == 0)
		ret = term_receipt(t, resp->spoil != NULL ?
		    resp->spoil->receipt : NULL);
	if (sb != NULL)
		tally__spoiled_ballot__free_unpacked(sb, NULL);
	if (ret != 0) {
		term_conn_failed(t, ret);
		reply_call_err(req, ret, resp);
	} else {
		tr = term_tracking_json(t->tracking);
		json_object_set_new(tr, "index",
		    json_integer((json_int_t)resp->spoil->receipt->index));
		json_object_set_new(tr, "contents", json_string(text));
		reply_json(req, 200, tr);
		/* Never cast: the deputy marks a new ballot. */
		term_drop_ballot(t);
	}
	free(text);
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
}

/* -------------------------------------------------------------- routing */

/* The request comes from our own page: token, Host, Origin. */
static int
term_request_ok(struct term *t, struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *host = evhttp_find_header(h, "Host");
	const char *origin = evhttp_find_header(h, "Origin");
	const char *tok = evhttp_find_header(h, "X-Tally-Token");

	if (host == NULL || (strcmp(host, t->host[0]) != 0 &&
	    strcmp(host, t->host[1]) != 0))
		return 0;
	if (origin != NULL && strcmp(origin, t->origin[0]) != 0 &&
	    strcmp(origin, t->origin[1]) != 0)
		return 0;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET)
		return 1;
	return tok != NULL && strlen(tok) == strlen(t->token) &&
	    CRYPTO_memcmp(tok, t->token, strlen(t->token)) == 0;
}

static json_t *
term_body(struct evhttp_request *req)
{
	struct evbuffer *b = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(b);
	json_t *j;

	if (len == 0 || len > TERM_BODY_MAX)
		return NULL;
	j = json_loadb((const char *)evbuffer_pullup(b, -1), len,
	    JSON_REJECT_DUPLICATES, NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static const struct {
	const char	*path;
	void		(*fn)(struct term *, struct evhttp_request *, json_t *);
} api[] = {
	{ "/api/card", api_card },
	{ "/api/votes", api_votes },
	{ "/api/vote", api_vote },
	{ "/api/encrypt", api_encrypt },
	{ "/api/cast", api_cast },
	{ "/api/challenge", api_challenge },
};

static void
term_api(struct term *t, struct evhttp_request *req, const char *path)
{
	json_t *in;
	size_t i;

	if ((in = term_body(req)) == NULL)
		return reply_err(req, TALLY_ERR_DECODE, "bad request body");
	if (strcmp(path, "/api/check") == 0) {
		const char *code = json_string_value(json_object_get(in,
		    "code"));

		reply_json(req, 200, term_check_code(code ? code : ""));
	} else if (strcmp(path, "/api/reset") == 0) {
		term_reset(t);
		reply_json(req, 200, json_object());
	} else {
		for (i = 0; i < NELEM(api); i++)
			if (strcmp(path, api[i].path) == 0)
				break;
		if (i == NELEM(api))
			reply_err(req, TALLY_ERR_NOT_FOUND, NULL);
		else
			api[i].fn(t, req, in);
	}
	json_decref(in);
}

static void
term_handle(struct evhttp_request *req, void *arg)
{
	struct term *t = arg;
	const char *uri = evhttp_request_get_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	char path[64];
	size_t n = strcspn(uri, "?#");

	if (!term_request_ok(t, req)) {
		evhttp_send_error(req, 403, "Forbidden");
		return;
	}
	snprintf(path, sizeof(path), "%.*s", (int)(n < 63 ? n : 63), uri);
	if (cmd == EVHTTP_REQ_GET)
		terminal_page_send(req, path, t->token, t->idle_secs);
	else if (cmd == EVHTTP_REQ_POST && strncmp(path, "/api/", 5) == 0) {
		term_touch(t);
		term_api(t, req, path);
	} else
		evhttp_send_error(req, 405, "Method Not Allowed");
}

/* ------------------------------------------------------------ the command */

static int
term_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl terminal [--listen 127.0.0.1:PORT] "
	    "[--idle SECONDS]\n"
	    "  Serve the polling terminal to a kiosk browser on this machine "
	    "(loopback only;\n  PORT 0 picks a free one) with this terminal's "
	    "certificate; a session idle for\n  SECONDS (default 120) is "
	    "wiped. It encrypts only to the votes whose election hash its\n"
	    "  --config pins ('election_hash VOTE HEX' lines).\n");
	return code;
}

static int
term_listen(struct term *t, const char *listen)
{
	uint32_t port;
	unsigned bound;
	const char *colon;
	uint8_t rnd[32];
	int ret;

	if (strncmp(listen, "127.0.0.1:", 10) != 0 ||
	    (colon = strchr(listen, ':')) == NULL ||
	    util_parse_u32(colon + 1, 0, 65535, &port) != 0)
		return ctl_error(TALLY_ERR_INVALID_ARG, "--listen must be "
		    "127.0.0.1:PORT");
	if ((ret = ctl_http_listen(t->http, "127.0.0.1", port, listen,
	    &bound)) != 0)
		return ret;
	snprintf(t->host[0], sizeof(t->host[0]), "127.0.0.1:%u", bound);
	snprintf(t->host[1], sizeof(t->host[1]), "localhost:%u", bound);
	snprintf(t->origin[0], sizeof(t->origin[0]), "http://%s", t->host[0]);
	snprintf(t->origin[1], sizeof(t->origin[1]), "http://%s", t->host[1]);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return ctl_error(TALLY_ERR_CRYPTO, "no randomness");
	util_hex(t->token, rnd, sizeof(rnd));
	printf("terminal: http://%s/\n", t->host[0]);
	fflush(stdout);
	return 0;
}

int
cmd_terminal(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "idle", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *listen = "127.0.0.1:8080";
	struct term t;
	uint32_t idle = 120;
	char err[512];
	int ch, ret = 1;

	memset(&t, 0, sizeof(t));
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen = optarg; break;
		case 'i':
			if (util_parse_u32(optarg, 1, 86400, &idle) != 0)
				return ctl_error(TALLY_ERR_INVALID_ARG,
				    "bad --idle '%s'", optarg);
			break;
		case 'h': return term_usage(stdout, 0);
		default: return term_usage(stderr, 1);
		}
	}
	if (optind != argc)
		return term_usage(stderr, 1);
	/* Read --config once: its election_hash lines pin the votes this
	 * terminal encrypts to; an unpinned vote is refused (E_UNPINNED). */
	if ((ret = ctl_opts_load(&ctl_global, err, sizeof(err))) != 0)
		return ctl_error(ret, "%s", err);
	ret = 1;
	t.idle_secs = (int)idle;
	if ((t.base = event_base_new()) == NULL ||
	    (t.http = evhttp_new(t.base)) == NULL ||
	    (t.idle = evtimer_new(t.base, term_idle, &t)) == NULL)
		return ctl_error(TALLY_ERR_NOMEM, "cannot start the event loop");
	evhttp_set_allowed_methods(t.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_max_body_size(t.http, TERM_BODY_MAX);
	evhttp_set_timeout(t.http, 30);
	evhttp_set_gencb(t.http, term_handle, &t);
	if (term_listen(&t, listen) == 0 && term_conn(&t) == 0) {
		event_base_dispatch(t.base);
		ret = 0;
	}
	term_reset(&t);
	ctl_close(t.c);
	event_free(t.idle);
	evhttp_free(t.http);
	event_base_free(t.base);
	return ret;
}
