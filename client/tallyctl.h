/*
 * tallyctl.h: what tallyctl's subcommands share: the connection options,
 * the TLS 1.3 transport to tallyd (u32be length || Request out, the same
 * framing with a Response back, pipelining allowed) and one-line errors.
 *
 * Every subcommand is one file with one entry point taking its own argv
 * (argv[0] is the subcommand word) and returning the process exit code.
 */
#ifndef TALLYCTL_H
#define TALLYCTL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tally.pb-c.h"

#define CTL_MAX_RESPONSE	(256u * 1024 * 1024)

#define CTL_MAX_PINS	64

/* A terminal's pinned election hash of one vote ("election_hash VOTE HEX"
 * in its configuration). */
struct ctl_pin {
	char	*vote;
	char	*hash;		/* 64 hex digits, checked when used */
};

struct ctl_opts {
	char	*server;	/* host:port */
	char	*ca;
	char	*cert;
	char	*key;
	char	*config;
	struct ctl_pin pins[CTL_MAX_PINS];
	size_t	 npins;
	int	 loaded;	/* config read: once per process */
};

struct ctl_conn;

/* Fill unset options from opts->config ("server", "ca_cert", "cert",
 * "key" and one value, or "election_hash VOTE HEX", one per line, '#'
 * comments). Read once; later calls return 0. */
int ctl_opts_load(struct ctl_opts *o, char *err, size_t errlen);
/* The election hash the configuration pins for vote, or NULL. */
const char *ctl_pin_of(const struct ctl_opts *o, const char *vote);

/* TLS 1.3 with our certificate; the server's must chain to the CA and
 * carry the role daemon. */
int ctl_connect(const struct ctl_opts *o, struct ctl_conn **out, char *err,
    size_t errlen);
void ctl_close(struct ctl_conn *c);
/* Send req with a fresh id (returned) and version 1. */
int ctl_send(struct ctl_conn *c, Tally__Request *req, uint64_t *id);
/* The next response; E_PROTOCOL if the peer closed. */
int ctl_recv(struct ctl_conn *c, Tally__Response **out);
/* Send, then receive the response; the response is checked for the id.
 * A non-OK response code is returned as its negative tally_err with the
 * message kept in the response. */
int ctl_call(struct ctl_conn *c, Tally__Request *req, Tally__Response **out);
int ctl_fd(const struct ctl_conn *c);

/* "tallyctl: E_CODE: message" on stderr; returns 1. */
int ctl_error(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* ctl_call, asked again while the answer is E_BUSY (the ledger verifies
 * another proof of the vote or counts its tally, and recorded nothing of
 * this request): each time a line on stderr, then a wait of 0.25 s
 * doubling up to 4 s, for up to 2 minutes in all; then the E_BUSY is
 * returned as it came. For requests a ledger job can hold up: shares,
 * shuffles, the tally. */
#define CTL_BUSY_FIRST_MS	250
#define CTL_BUSY_STEP_MAX_MS	4000
#define CTL_BUSY_WAIT_MS	120000
int ctl_call_patient(struct ctl_conn *c, Tally__Request *req,
    Tally__Response **out);
/* Send req and wait for its answer, which is only an acknowledgement: a
 * refusal is reported with what (the server's message if any); the
 * response is freed. E_BUSY is asked again (ctl_call_patient). Returns
 * ctl_call's code. */
int ctl_call_ack(struct ctl_conn *c, Tally__Request *req, const char *what);
/* Report a failed call (server message if any); returns 1. */
int ctl_call_error(int err, const Tally__Response *resp, const char *what);

/* The status of one vote: *vs points into *resp (free it with
 * tally__response__free_unpacked, also on failure). Errors are reported. */
int ctl_vote_status(struct ctl_conn *c, const char *vote,
    Tally__Response **resp, const Tally__VoteStatus **vs);

/* Connect with the global options or print the error; NULL on failure. */
struct ctl_conn *ctl_connect_or_report(struct ctl_opts *o);

extern struct ctl_opts ctl_global;

/* Follow a vote's record from byte at (get_record until done): chunk gets
 * each chunk's bytes (len may be 0; a non-zero return ends the loop with
 * it); when tallyd refuses at > 0 as beyond its log (E_INVALID_ARG),
 * shrunk, if set, gets at and tallyd's message and its return is returned;
 * every other failure is reported. stop, if set, ends the loop between
 * chunks. */
struct ctl_follow {
	int	(*chunk)(void *arg, const uint8_t *p, size_t len);
	int	(*shrunk)(void *arg, uint64_t at, const char *message);
	void	*arg;
	const volatile sig_atomic_t *stop;
};
int ctl_follow_record(struct ctl_conn *c, const char *vote, uint64_t at,
    const struct ctl_follow *f);

/* Download the record of vote into a new file at path (created exclusively,
 * synced; removed on failure). Errors are reported. */
int ctl_fetch_record(struct ctl_conn *c, const char *vote, const char *path);

struct manifest;
struct challenge_open;
/* What an opened (challenged) ballot contained, as text lines contest by
 * contest (challenge.c); *out is NUL-terminated, caller frees. */
int challenge_describe(char **out, size_t *len, const struct manifest *m,
    const struct challenge_open *open);

struct evhttp;
/* Bind http to host:port (port 0: a free one) and set *bound to the port
 * bound; listen (what the user gave) names it in the errors, which are
 * reported (http.c, for the terminal and the hall screen). */
int ctl_http_listen(struct evhttp *http, const char *host, uint32_t port,
    const char *listen, unsigned *bound);

/* Subcommands. */
int cmd_status(int argc, char **argv);
int cmd_vote(int argc, char **argv);
int cmd_cast(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_receipt(int argc, char **argv);
int cmd_challenge(int argc, char **argv);
int cmd_terminal(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_trustee(int argc, char **argv);
int cmd_witness(int argc, char **argv);
int cmd_tallyvote(int argc, char **argv);

#endif
