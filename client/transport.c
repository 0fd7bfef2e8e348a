/* transport.c: tallyctl's TLS 1.3 client and request/response framing. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "err.h"
#include "role.h"
#include "tallyctl.h"
#include "util.h"

struct ctl_conn {
	SSL_CTX		*ctx;
	SSL		*ssl;
	int		 fd;
	uint64_t	 next_id;
};

struct ctl_opts ctl_global;

int
ctl_error(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tallyctl: %s: ", tally_errname(err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int
ctl_call_error(int err, const Tally__Response *resp, const char *what)
{
	if (resp != NULL && resp->message != NULL && resp->message[0])
		return ctl_error(err, "%s", resp->message);
	return ctl_error(err, "%s: %s", what, tally_strerror(err));
}

/* ---------------------------------------------------------- client config */

static int
opts_set(struct ctl_opts *o, const char *kw, const char *v)
{
	char **slot;

	if (strcmp(kw, "server") == 0)
		slot = &o->server;
	else if (strcmp(kw, "ca_cert") == 0)
		slot = &o->ca;
	else if (strcmp(kw, "cert") == 0)
		slot = &o->cert;
	else if (strcmp(kw, "key") == 0)
		slot = &o->key;
	else
		return -1;
	if (*slot == NULL)	/* flags win over the file */
		*slot = strdup(v);
	return 0;
}

static int
opts_pin(struct ctl_opts *o, const char *vote, const char *hash)
{
	size_t i;

	for (i = 0; i < o->npins; i++)
		if (strcmp(o->pins[i].vote, vote) == 0)
			return -1;	/* one pin per vote */
	if (o->npins == CTL_MAX_PINS || strlen(hash) != 64)
		return -1;
	if ((o->pins[o->npins].vote = strdup(vote)) == NULL ||
	    (o->pins[o->npins].hash = strdup(hash)) == NULL) {
		free(o->pins[o->npins].vote);
		return -1;
	}
	o->npins++;
	return 0;
}

const char *
ctl_pin_of(const struct ctl_opts *o, const char *vote)
{
	size_t i;

	for (i = 0; i < o->npins; i++)
		if (strcmp(o->pins[i].vote, vote) == 0)
			return o->pins[i].hash;
	return NULL;
}

int
ctl_opts_load(struct ctl_opts *o, char *err, size_t errlen)
{
	uint8_t *text;
	size_t len, lineno = 0;
	char *line, *next, kw[32], v[1024], v2[128], extra[2];
	int ret, n;

	if (o->config == NULL || o->loaded)
		return 0;
	if ((ret = util_read_file(o->config, 65536, &text, &len)) != 0) {
		snprintf(err, errlen, "%s: %s", o->config, tally_strerror(ret));
		return TALLY_ERR_CONFIG;
	}
	for (line = (char *)text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		if (strchr(line, '#') != NULL)
			*strchr(line, '#') = '\0';
		n = sscanf(line, "%31s %1023s %127s %1s", kw, v, v2, extra);
		if (n == EOF || n == 0 || (n == -1))
			continue;
		if (strcmp(kw, "election_hash") == 0 ? n != 3 ||
		    opts_pin(o, v, v2) != 0 : n != 2 || opts_set(o, kw, v) != 0) {
			snprintf(err, errlen, "%s:%zu: expected 'server', "
			    "'ca_cert', 'cert' or 'key' and one value, or "
			    "'election_hash VOTE HEX' (64 hex digits, once "
			    "per vote)", o->config, lineno);
			free(text);
			return TALLY_ERR_CONFIG;
		}
	}
	free(text);
	o->loaded = 1;
	return 0;
}

/* ------------------------------------------------------------- transport */

static int
ctl_tcp(const char *server, char *err, size_t errlen)
{
	char host[256], *port;
	struct addrinfo hints, *ai, *a;
	int fd = -1, e;

	snprintf(host, sizeof(host), "%s", server);
	if ((port = strrchr(host, ':')) == NULL) {
		snprintf(err, errlen, "server must be host:port");
		return -1;
	}
	*port++ = '\0';
	if (host[0] == '[' && port[-2] == ']') {
		port[-2] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, errlen, "%s: %s", server, gai_strerror(e));
		return -1;
	}
	for (a = ai; a != NULL; a = a->ai_next) {
		if ((fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC,
		    0)) == -1)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd == -1)
		snprintf(err, errlen, "cannot connect to %s: %s", server,
		    strerror(errno));
	return fd;
}

static SSL_CTX *
ctl_tls_ctx(const struct ctl_opts *o, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1)
		goto fail;
	if (SSL_CTX_load_verify_locations(ctx, o->ca, NULL) != 1) {
		snprintf(err, errlen, "cannot load CA %s", o->ca);
		goto fail;
	}
	if (o->cert != NULL && (SSL_CTX_use_certificate_chain_file(ctx,
	    o->cert) != 1 || SSL_CTX_use_PrivateKey_file(ctx, o->key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)) {
		snprintf(err, errlen, "cannot load certificate %s and key %s",
		    o->cert, o->key ? o->key : "(none)");
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return ctx;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "TLS setup failed");
	SSL_CTX_free(ctx);
	return NULL;
}

static int
ctl_check_server(SSL *ssl, char *err, size_t errlen)
{
	X509 *cert;
	enum tally_role role = ROLE_NONE;

	if ((cert = SSL_get1_peer_certificate(ssl)) == NULL ||
	    cert_role(cert, &role) != 0 || role != ROLE_DAEMON) {
		X509_free(cert);
		snprintf(err, errlen, "server certificate is not a tallyd "
		    "certificate (role %s)", role_name(role));
		return TALLY_ERR_ROLE;
	}
	X509_free(cert);
	return 0;
}

int
ctl_connect(const struct ctl_opts *o, struct ctl_conn **out, char *err,
    size_t errlen)
{
	struct ctl_conn *c;
	int ret = TALLY_ERR_IO;

	err[0] = '\0';
	*out = NULL;
	/* A server that goes away must be an error, not a silent death of
	 * the whole process (simulate would lose receipts it holds). */
	signal(SIGPIPE, SIG_IGN);
	if (o->server == NULL || o->ca == NULL) {
		snprintf(err, errlen, "need --server and --ca (or --config)");
		return TALLY_ERR_INVALID_ARG;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return TALLY_ERR_NOMEM;
	c->next_id = 1;
	if ((c->fd = ctl_tcp(o->server, err, errlen)) == -1)
		goto fail;
	ret = TALLY_ERR_CRYPTO;
	if ((c->ctx = ctl_tls_ctx(o, err, errlen)) == NULL ||
	    (c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		goto fail;
	if (SSL_connect(c->ssl) != 1) {
		snprintf(err, errlen, "TLS handshake with %s failed: %s",
		    o->server, ERR_reason_error_string(ERR_get_error()));
		goto fail;
	}
	if ((ret = ctl_check_server(c->ssl, err, errlen)) != 0)
		goto fail;
	*out = c;
	return 0;
fail:
	ctl_close(c);
	return ret;
}

void
ctl_close(struct ctl_conn *c)
{
	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int
ctl_fd(const struct ctl_conn *c)
{
	return c->fd;
}

static int
ctl_write(struct ctl_conn *c, const uint8_t *p, size_t len)
{
	size_t done;

	while (len > 0) {
		if (SSL_write_ex(c->ssl, p, len, &done) != 1)
			return TALLY_ERR_IO;
		p += done;
		len -= done;
	}
	return 0;
}

static int
ctl_read(struct ctl_conn *c, uint8_t *p, size_t len)
{
	size_t got;

	while (len > 0) {
		if (SSL_read_ex(c->ssl, p, len, &got) != 1)
			return TALLY_ERR_PROTOCOL;
		p += got;
		len -= got;
	}
	return 0;
}

int
ctl_send(struct ctl_conn *c, Tally__Request *req, uint64_t *id)
{
	size_t n;
	uint8_t *buf;
	uint32_t be;
	int ret;

	req->version = 1;
	req->id = c->next_id++;
	if (id != NULL)
		*id = req->id;
	n = tally__request__get_packed_size(req);
	if (n > CTL_MAX_RESPONSE || (buf = calloc(1, n + 4)) == NULL)
		return TALLY_ERR_TOO_LARGE;
	be = htonl((uint32_t)n);
	memcpy(buf, &be, 4);
	tally__request__pack(req, buf + 4);
	ret = ctl_write(c, buf, n + 4);
	free(buf);
	return ret;
}

int
ctl_recv(struct ctl_conn *c, Tally__Response **out)
{
	uint8_t hdr[4], *buf;
	uint32_t n;
	int ret;

	*out = NULL;
	if ((ret = ctl_read(c, hdr, 4)) != 0)
		return ret;
	n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3];
	if (n > CTL_MAX_RESPONSE)
		return TALLY_ERR_TOO_LARGE;
	if ((buf = calloc(1, n + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = ctl_read(c, buf, n)) == 0 &&
	    (*out = tally__response__unpack(NULL, n, buf)) == NULL)
		ret = TALLY_ERR_DECODE;
	free(buf);
	return ret;
}

int
ctl_call(struct ctl_conn *c, Tally__Request *req, Tally__Response **out)
{
	uint64_t id;
	int ret;

	*out = NULL;
	if ((ret = ctl_send(c, req, &id)) != 0 ||
	    (ret = ctl_recv(c, out)) != 0)
		return ret;
	if ((*out)->id != id && (*out)->code == 0)
		return TALLY_ERR_PROTOCOL;
	if ((*out)->code != 0)
		return tally_err_is_known(-(int)(*out)->code) ?
		    -(int)(*out)->code : TALLY_ERR_PROTOCOL;
	return 0;
}

int
ctl_call_patient(struct ctl_conn *c, Tally__Request *req,
    Tally__Response **out)
{
	struct timespec ts;
	long waited = 0, step = CTL_BUSY_FIRST_MS;
	int ret;

	for (;;) {
		ret = ctl_call(c, req, out);
		if (ret != TALLY_ERR_BUSY || waited >= CTL_BUSY_WAIT_MS)
			return ret;
		/* nothing was recorded: the same request may be asked again */
		fprintf(stderr, "tallyctl: %s: %s; asking again in %ld ms\n",
		    tally_errname(ret), *out != NULL &&
		    (*out)->message != NULL && (*out)->message[0] ?
		    (*out)->message : tally_strerror(ret), step);
		tally__response__free_unpacked(*out, NULL);
		*out = NULL;
		ts.tv_sec = step / 1000;
		ts.tv_nsec = (step % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
		waited += step;
		step = step * 2 > CTL_BUSY_STEP_MAX_MS ? CTL_BUSY_STEP_MAX_MS :
		    step * 2;
	}
}

int
ctl_call_ack(struct ctl_conn *c, Tally__Request *req, const char *what)
{
	Tally__Response *resp = NULL;
	int ret;

	if ((ret = ctl_call_patient(c, req, &resp)) != 0)
		ctl_call_error(ret, resp, what);
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	return ret;
}

int
ctl_vote_status(struct ctl_conn *c, const char *vote, Tally__Response **resp,
    const Tally__VoteStatus **vs)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__StatusRequest sr = TALLY__STATUS_REQUEST__INIT;
	int ret;

	*resp = NULL;
	*vs = NULL;
	sr.vote_id = (char *)vote;
	req.body_case = TALLY__REQUEST__BODY_STATUS;
	req.status = &sr;
	if ((ret = ctl_call(c, &req, resp)) != 0)
		return ctl_call_error(ret, *resp, "status"), ret;
	if ((*resp)->status == NULL || (*resp)->status->n_votes != 1 ||
	    strcmp((*resp)->status->votes[0]->vote_id, vote) != 0)
		return ctl_error(TALLY_ERR_PROTOCOL, "status of %s: not one "
		    "vote's answer", vote), TALLY_ERR_PROTOCOL;
	*vs = (*resp)->status->votes[0];
	return 0;
}

struct ctl_conn *
ctl_connect_or_report(struct ctl_opts *o)
{
	struct ctl_conn *c;
	char err[512];
	int ret;

	if ((ret = ctl_opts_load(o, err, sizeof(err))) != 0 ||
	    (ret = ctl_connect(o, &c, err, sizeof(err))) != 0) {
		ctl_error(ret, "%s", err);
		return NULL;
	}
	return c;
}
