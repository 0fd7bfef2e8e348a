/*
 * daemon_raw.c: a raw tallyd client for the integration tests, to send
 * what tallyctl never would and print what comes back, one line each:
 *   resp id=ID code=CODE     a Response frame
 *   eof                      the server closed the connection
 *   handshake-failed         TLS did not complete
 *
 * usage: daemon_raw HOST PORT CA CERT|- KEY|- MODE [ARG]
 * modes:
 *   frames HEX...   each HEX is a whole Request payload, sent framed
 *   raw HEX         exactly these bytes (may be a broken frame)
 *   len N           a frame header announcing N bytes, then 16 bytes
 *   pipeline N      N status requests in one write, ids 1..N
 *   flood VOTE SECS get_vote requests for VOTE, never reading a response;
 *                   prints "blocked after N" once the server has stopped
 *                   reading for 2 s, "not blocked after N" at SECS
 *   stall N SECS    N TCP connections that never start TLS; prints
 *                   "closed K of N after S s" once all are closed or
 *                   SECS passed
 *   hold N SECS     N connections that complete the TLS handshake and then
 *                   sit; prints "held K of N" (K: still open after 1 s),
 *                   then waits SECS
 *   emptycast VOTE N
 *                   a cast whose ballot body holds N empty selections
 *                   (a well-formed, tiny frame that makes the decoder
 *                   allocate and free N messages)
 *   dlflood N VOTE SECS
 *                   N connections, each writing get_record requests for
 *                   VOTE (offset 0) as fast as the server reads them and
 *                   never reading an answer, for SECS seconds; prints
 *                   "sent K requests on N connections"
 *   idle N SECS     N TCP connections that never start TLS, each opened
 *                   again when the server closes it, for SECS; prints
 *                   "reopened K times"
 *   junk SECS       once a second for SECS, a new connection sends a
 *                   16 MiB create_vote whose registry holds 8 million
 *                   empty entries (issue 12, finding 4) and reads the
 *                   answer; prints "junk K sent, codes ..." of the last
 *   bigstall N LEN SENT SECS
 *                   N connections, each announcing a LEN-byte frame and
 *                   sending SENT bytes of it (as far as the server reads
 *                   them within SECS), then nothing until SECS have
 *                   passed; prints "sent K bytes on N connections"
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tally.pb-c.h"

static int
tcp(const char *host, int port)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("connect");
		exit(2);
	}
	return fd;
}

static size_t
unhex(uint8_t *out, const char *s)
{
	size_t n = 0;
	unsigned int b;

	while (s[0] && s[1] && sscanf(s, "%2x", &b) == 1) {
		out[n++] = (uint8_t)b;
		s += 2;
	}
	return n;
}

/* Print every response until the server closes or 3 s of silence. */
static void
read_responses(SSL *ssl, int fd, int want)
{
	uint8_t buf[1 << 16];
	size_t have = 0, got;
	uint32_t len;
	Tally__Response *r;
	struct pollfd pfd = { fd, POLLIN, 0 };

	for (;;) {
		while (have >= 4) {
			len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
			    (uint32_t)buf[2] << 8 | buf[3];
			if (have < 4 + (size_t)len)
				break;
			if ((r = tally__response__unpack(NULL, len, buf + 4)) ==
			    NULL)
				printf("undecodable\n");
			else {
				printf("resp id=%llu code=%d\n",
				    (unsigned long long)r->id, (int)r->code);
				tally__response__free_unpacked(r, NULL);
			}
			memmove(buf, buf + 4 + len, have - 4 - len);
			have -= 4 + len;
			if (--want == 0)
				return;
		}
		if (SSL_pending(ssl) == 0 && poll(&pfd, 1, 3000) == 0) {
			printf("silence\n");
			return;
		}
		if (SSL_read_ex(ssl, buf + have, sizeof(buf) - have, &got) !=
		    1) {
			printf("eof\n");
			return;
		}
		have += got;
	}
}

static void
send_frame(SSL *ssl, const uint8_t *p, size_t n)
{
	uint8_t hdr[4] = { n >> 24, n >> 16, n >> 8, n };

	SSL_write(ssl, hdr, 4);
	if (n)
		SSL_write(ssl, p, (int)n);
}

static void
pipeline(SSL *ssl, int fd, int n)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__StatusRequest st = TALLY__STATUS_REQUEST__INIT;
	uint8_t buf[64 * 256], *p = buf;
	size_t len;
	int i;

	req.version = 1;
	req.body_case = TALLY__REQUEST__BODY_STATUS;
	req.status = &st;
	st.vote_id = "";
	for (i = 1; i <= n && i < 256; i++) {
		req.id = (uint64_t)i;
		len = tally__request__get_packed_size(&req);
		p[0] = 0; p[1] = 0; p[2] = len >> 8; p[3] = len;
		tally__request__pack(&req, p + 4);
		p += 4 + len;
	}
	SSL_write(ssl, buf, (int)(p - buf));
	read_responses(ssl, fd, n);
}

/* A peer that asks and never reads: the server must stop reading it
 * rather than queue its answers without bound. */
static void
flood(SSL *ssl, int fd, const char *vote, int secs)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetVoteRequest gv = TALLY__GET_VOTE_REQUEST__INIT;
	uint8_t buf[512];
	size_t len;
	long sent = 0;
	time_t start = time(NULL);
	struct pollfd pfd = { fd, POLLOUT, 0 };
	int r;

	req.version = 1;
	req.body_case = TALLY__REQUEST__BODY_GET_VOTE;
	req.get_vote = &gv;
	gv.vote_id = (char *)vote;
	req.id = 1;
	len = tally__request__get_packed_size(&req);
	buf[0] = 0; buf[1] = 0; buf[2] = len >> 8; buf[3] = len;
	tally__request__pack(&req, buf + 4);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (time(NULL) - start < secs) {
		if ((r = SSL_write(ssl, buf, (int)(4 + len))) > 0) {
			sent++;
			continue;
		}
		if (SSL_get_error(ssl, r) != SSL_ERROR_WANT_WRITE) {
			printf("error after %ld\n", sent);
			return;
		}
		if (poll(&pfd, 1, 2000) == 0) {
			printf("blocked after %ld\n", sent);
			return;
		}
	}
	printf("not blocked after %ld\n", sent);
}

static void
emptycast(SSL *ssl, int fd, const char *vote, size_t n)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__CastRequest cr = TALLY__CAST_REQUEST__INIT;
	Tally__Ballot b = TALLY__BALLOT__INIT;
	Tally__BallotBody body = TALLY__BALLOT_BODY__INIT;
	Tally__Ciphertext empty = TALLY__CIPHERTEXT__INIT, **sels;
	uint8_t sig[64] = { 0 }, *buf;
	size_t i, len;

	if ((sels = calloc(n, sizeof(*sels))) == NULL)
		exit(2);
	for (i = 0; i < n; i++)
		sels[i] = &empty;
	body.version = 1;
	body.vote_id = (char *)vote;
	body.n_selections = n;
	body.selections = sels;
	b.body.len = tally__ballot_body__get_packed_size(&body);
	if ((b.body.data = malloc(b.body.len)) == NULL)
		exit(2);
	tally__ballot_body__pack(&body, b.body.data);
	b.signature.data = sig;
	b.signature.len = sizeof(sig);
	cr.ballot = &b;
	req.version = 1;
	req.id = 1;
	req.body_case = TALLY__REQUEST__BODY_CAST;
	req.cast = &cr;
	len = tally__request__get_packed_size(&req);
	if ((buf = malloc(len)) == NULL)
		exit(2);
	tally__request__pack(&req, buf);
	send_frame(ssl, buf, len);
	read_responses(ssl, fd, 1);
	free(buf);
	free(b.body.data);
	free(sels);
}

static int
hold(SSL_CTX *ctx, const char *host, int port, int n, int secs)
{
	SSL *ssl[256];
	int fds[256], ok[256], held = 0, i;
	char c;

	if (n > 256)
		n = 256;
	for (i = 0; i < n; i++) {
		fds[i] = tcp(host, port);
		ssl[i] = SSL_new(ctx);
		SSL_set_fd(ssl[i], fds[i]);
		ok[i] = SSL_connect(ssl[i]) == 1;
	}
	sleep(1);
	for (i = 0; i < n; i++) {
		struct pollfd pfd = { fds[i], POLLIN, 0 };

		if (ok[i] && (poll(&pfd, 1, 0) == 0 ||
		    recv(fds[i], &c, 1, MSG_PEEK) > 0))
			held++;
	}
	printf("held %d of %d\n", held, n);
	fflush(stdout);
	sleep((unsigned int)secs);
	for (i = 0; i < n; i++) {
		SSL_free(ssl[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return 0;
}

static int
stall(const char *host, int port, int n, int secs)
{
	int fds[256], closed = 0, i;
	time_t start = time(NULL);
	char c;

	for (i = 0; i < n && i < 256; i++)
		fds[i] = tcp(host, port);
	while (closed < n && time(NULL) - start <= secs) {
		for (i = 0; i < n; i++) {
			struct pollfd pfd = { fds[i], POLLIN, 0 };

			if (fds[i] >= 0 && poll(&pfd, 1, 0) == 1 &&
			    recv(fds[i], &c, 1, 0) <= 0) {
				close(fds[i]);
				fds[i] = -1;
				closed++;
			}
		}
		usleep(50000);
	}
	printf("closed %d of %d after %ld s\n", closed, n,
	    (long)(time(NULL) - start));
	return 0;
}

/* n connections with the TLS handshake done, non-blocking from then. */
static int
connect_many(SSL_CTX *ctx, const char *host, int port, int n, SSL **ssl,
    int *fds)
{
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = tcp(host, port);
		ssl[i] = SSL_new(ctx);
		SSL_set_fd(ssl[i], fds[i]);
		if (SSL_connect(ssl[i]) != 1) {
			printf("handshake-failed\n");
			return -1;
		}
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
	}
	return 0;
}

static void
close_many(int n, SSL **ssl, int *fds)
{
	int i;

	for (i = 0; i < n; i++) {
		SSL_free(ssl[i]);
		close(fds[i]);
	}
}

/* Write what the server takes of each connection's stream (*off[i] of
 * len bytes of p[i] or of the repeated unit), round robin, for secs. */
static long
write_many(int n, SSL **ssl, int *fds, const uint8_t *unit, size_t ulen,
    int repeat, size_t total, int secs)
{
	size_t off[256] = { 0 };
	long units = 0, bytes = 0;
	time_t start = time(NULL);
	struct pollfd pfd[256];
	int i, r, busy;

	while (time(NULL) - start < secs) {
		busy = 0;
		for (i = 0; i < n; i++) {
			size_t at = off[i] % ulen, want = ulen - at;

			if (!repeat && off[i] >= total)
				continue;
			if (!repeat && want > total - off[i])
				want = total - off[i];
			if (want > 16384)
				want = 16384;
			if ((r = SSL_write(ssl[i], unit + at, (int)want)) > 0) {
				off[i] += (size_t)r;
				bytes += r;
				if (off[i] % ulen == 0)
					units++;
				busy = 1;
			}
		}
		if (busy)
			continue;
		for (i = 0; i < n; i++) {
			pfd[i].fd = fds[i];
			pfd[i].events = POLLOUT;
		}
		if (poll(pfd, (nfds_t)n, 200) == 0)
			continue;
	}
	return repeat ? units : bytes;
}

static int
dlflood(SSL_CTX *ctx, const char *host, int port, int n, const char *vote,
    int secs)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetRecordRequest gr = TALLY__GET_RECORD_REQUEST__INIT;
	SSL *ssl[256];
	int fds[256];
	uint8_t buf[512];
	size_t len;
	long k;

	if (n > 256)
		n = 256;
	if (connect_many(ctx, host, port, n, ssl, fds) != 0)
		return 0;
	req.version = 1;
	req.id = 1;
	req.body_case = TALLY__REQUEST__BODY_GET_RECORD;
	req.get_record = &gr;
	gr.vote_id = (char *)vote;
	len = tally__request__get_packed_size(&req);
	buf[0] = 0; buf[1] = 0; buf[2] = len >> 8; buf[3] = len;
	tally__request__pack(&req, buf + 4);
	k = write_many(n, ssl, fds, buf, 4 + len, 1, 0, secs);
	printf("sent %ld requests on %d connections\n", k, n);
	close_many(n, ssl, fds);
	return 0;
}

static int
bigstall(SSL_CTX *ctx, const char *host, int port, int n, size_t len,
    size_t sent, int secs)
{
	SSL *ssl[256];
	int fds[256];
	uint8_t *buf;
	long k;

	if (n > 256)
		n = 256;
	if (sent > len)
		sent = len;
	if ((buf = calloc(1, 4 + sent)) == NULL)
		exit(2);
	buf[0] = len >> 24; buf[1] = len >> 16; buf[2] = len >> 8; buf[3] = len;
	/* Junk: a body is checked only once it is whole, and this one
	 * never is. */
	memset(buf + 4, 0x41, sent);
	if (connect_many(ctx, host, port, n, ssl, fds) != 0) {
		free(buf);
		return 0;
	}
	k = write_many(n, ssl, fds, buf, 4 + sent, 0, 4 + sent, secs);
	printf("sent %ld bytes on %d connections\n", k, n);
	close_many(n, ssl, fds);
	free(buf);
	return 0;
}

static int
idle(const char *host, int port, int n, int secs)
{
	int fds[1024], i;
	long reopened = 0;
	time_t start = time(NULL);
	char c;

	if (n > 1024)
		n = 1024;
	for (i = 0; i < n; i++)
		fds[i] = tcp(host, port);
	while (time(NULL) - start < secs) {
		for (i = 0; i < n; i++) {
			struct pollfd pfd = { fds[i], POLLIN, 0 };

			if (poll(&pfd, 1, 0) == 1 &&
			    recv(fds[i], &c, 1, MSG_DONTWAIT) <= 0) {
				close(fds[i]);
				fds[i] = tcp(host, port);
				reopened++;
			}
		}
		usleep(20000);
	}
	printf("reopened %ld times\n", reopened);
	for (i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}

static int
junk(SSL_CTX *ctx, const char *host, int port, int secs)
{
	/* Request { create_vote (10) { registry (3): 8M x empty } }. */
	size_t inner = 2 * (size_t)(8u << 20) - 64, len, i;
	uint8_t *buf, *p;
	time_t start = time(NULL);
	long sent = 0;
	int fd;
	SSL *ssl;

	if ((buf = malloc(inner + 16)) == NULL)
		exit(2);
	p = buf + 4;
	*p++ = 0x08; *p++ = 0x01;		/* version 1 */
	*p++ = 0x52;				/* field 10, length */
	for (i = inner; i >= 0x80; i >>= 7)
		*p++ = (uint8_t)(i | 0x80);
	*p++ = (uint8_t)i;
	for (i = 0; i < inner; i += 2) {
		p[i] = 0x1a;			/* field 3, length 0 */
		p[i + 1] = 0x00;
	}
	len = (size_t)(p + inner - buf) - 4;
	buf[0] = len >> 24; buf[1] = len >> 16; buf[2] = len >> 8; buf[3] = len;
	while (time(NULL) - start < secs) {
		time_t t = time(NULL);

		fd = tcp(host, port);
		ssl = SSL_new(ctx);
		SSL_set_fd(ssl, fd);
		if (SSL_connect(ssl) == 1 && SSL_write(ssl, buf,
		    (int)(4 + len)) == (int)(4 + len)) {
			sent++;
			read_responses(ssl, fd, 1);
		}
		SSL_free(ssl);
		close(fd);
		while (time(NULL) == t)
			usleep(20000);
	}
	printf("junk %ld sent\n", sent);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	SSL_CTX *ctx;
	SSL *ssl;
	uint8_t buf[1 << 16];
	size_t n;
	int fd, i;

	if (argc < 7)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(argv[6], "stall") == 0)
		return stall(argv[1], atoi(argv[2]), atoi(argv[7]),
		    atoi(argv[8]));
	if (strcmp(argv[6], "idle") == 0 && argc >= 9)
		return idle(argv[1], atoi(argv[2]), atoi(argv[7]),
		    atoi(argv[8]));
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_load_verify_locations(ctx, argv[3], NULL);
	if (strcmp(argv[4], "-") != 0 &&
	    (SSL_CTX_use_certificate_file(ctx, argv[4], SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[5], SSL_FILETYPE_PEM) != 1))
		return 2;
	if (strcmp(argv[6], "hold") == 0) {
		int r = hold(ctx, argv[1], atoi(argv[2]), atoi(argv[7]),
		    atoi(argv[8]));

		SSL_CTX_free(ctx);
		return r;
	}
	if (strcmp(argv[6], "junk") == 0 && argc >= 8) {
		junk(ctx, argv[1], atoi(argv[2]), atoi(argv[7]));
		SSL_CTX_free(ctx);
		return 0;
	}
	if (strcmp(argv[6], "dlflood") == 0 && argc >= 10) {
		dlflood(ctx, argv[1], atoi(argv[2]), atoi(argv[7]), argv[8],
		    atoi(argv[9]));
		SSL_CTX_free(ctx);
		return 0;
	}
	if (strcmp(argv[6], "bigstall") == 0 && argc >= 11) {
		bigstall(ctx, argv[1], atoi(argv[2]), atoi(argv[7]),
		    (size_t)strtoul(argv[8], NULL, 10),
		    (size_t)strtoul(argv[9], NULL, 10), atoi(argv[10]));
		SSL_CTX_free(ctx);
		return 0;
	}
	fd = tcp(argv[1], atoi(argv[2]));
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1) {
		printf("handshake-failed\n");
		return 0;
	}
	/* In TLS 1.3 a refused client certificate shows on the first read. */
	if (strcmp(argv[6], "frames") == 0) {
		for (i = 7; i < argc; i++) {
			n = unhex(buf, argv[i]);
			send_frame(ssl, buf, n);
		}
		read_responses(ssl, fd, argc - 7);
	} else if (strcmp(argv[6], "raw") == 0) {
		n = unhex(buf, argv[7]);
		SSL_write(ssl, buf, (int)n);
		read_responses(ssl, fd, -1);
	} else if (strcmp(argv[6], "len") == 0) {
		n = (size_t)strtoul(argv[7], NULL, 10);
		memset(buf, 0, 20);
		buf[0] = n >> 24; buf[1] = n >> 16; buf[2] = n >> 8; buf[3] = n;
		SSL_write(ssl, buf, 20);
		read_responses(ssl, fd, -1);
	} else if (strcmp(argv[6], "pipeline") == 0)
		pipeline(ssl, fd, atoi(argv[7]));
	else if (strcmp(argv[6], "flood") == 0)
		flood(ssl, fd, argv[7], atoi(argv[8]));
	else if (strcmp(argv[6], "emptycast") == 0)
		emptycast(ssl, fd, argv[7], (size_t)atoi(argv[8]));
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	return 0;
}
