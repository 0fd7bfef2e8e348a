/*
 * witness.c: tallyctl witness VOTE --key FILE --state DIR
 *
 * A witness follows one vote's log for the whole session and cosigns it
 * (docs/record/witness.md). Each round it downloads what is new, verifies
 * every record as it arrives (record_follow: the checks of verify, each
 * record once), keeps the verified bytes in DIR/VOTE.log, and cosigns the
 * log when it grew by more than cosignatures, and the sealed log (the
 * records up to PollsClosed) exactly once it exists. Before a cosignature
 * leaves, DIR/VOTE.witness holds it durably: after a restart the witness
 * re-verifies its copy, resends that cosignature and never signs a smaller
 * log or an earlier time. A log that does not extend the one it cosigned
 * (a fork: another record at an index it holds, a shorter log, another
 * sealed root) is refused loudly, with both states written to
 * DIR/VOTE.evidence.txt as evidence, and nothing more is cosigned.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "err.h"
#include "log.h"
#include "record.h"
#include "sign.h"
#include "tallyctl.h"
#include "util.h"
#include "witness.h"

#define WITNESS_STATE_MAX	1024

/* The last cosignature this witness made of the vote. */
struct wstate {
	int		have;
	uint64_t	size;
	uint8_t		root[32];
	uint64_t	time;
	uint8_t		sig[64];
	uint8_t		he[32];
};

struct witness {
	const char	*vote;
	const char	*dir;
	char		 logpath[4096], statepath[4096], forkpath[4096];
	uint8_t		 sk[ED25519_KEY_LEN], pk[ED25519_KEY_LEN];
	char		 fp[WITNESS_FP_LEN];
	uint8_t		 pin[32];
	char		 origin[WITNESS_ORIGIN_MAX];
	struct record_follow *f;
	int		 logfd;
	uint64_t	 offset;	/* bytes of the log verified */
	uint8_t		*pend;		/* fetched, not yet whole frames */
	size_t		 npend;
	struct wstate	 st;
	uint64_t	 signed_noncos;	/* records but cosignatures, at st */
	int		 delivered;	/* st accepted by tallyd */
	int		 quiet;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ------------------------------------------------------------ state */

/* The state file's text, the only form state_read accepts; its length or
 * -1. */
static int
state_format(const struct witness *w, char buf[WITNESS_STATE_MAX])
{
	char root[65], sig[129], he[65];
	int n;

	util_hex(root, w->st.root, 32);
	util_hex(sig, w->st.sig, 64);
	util_hex(he, w->st.he, 32);
	n = snprintf(buf, WITNESS_STATE_MAX, "tally-witness 1\nvote %s\n"
	    "election_hash %s\nsize %" PRIu64 "\nroot %s\ntime %" PRIu64 "\n"
	    "signature %s\n", w->vote, he, w->st.size, root, w->st.time, sig);
	return n < 0 || n >= WITNESS_STATE_MAX ? -1 : n;
}

static int
state_write(struct witness *w)
{
	char buf[WITNESS_STATE_MAX];
	int n;

	if ((n = state_format(w, buf)) < 0)
		return TALLY_ERR_INTERNAL;
	return util_write_file(w->statepath, buf, (size_t)n, 0600, 0);
}

static int
state_read(struct witness *w)
{
	char vote[128], he[80], root[80], sig[160], canon[WITNESS_STATE_MAX];
	uint8_t *buf = NULL;
	size_t len;
	int ret, n;

	ret = util_read_file(w->statepath, WITNESS_STATE_MAX, &buf, &len);
	if (ret == TALLY_ERR_NOT_FOUND)
		return 0;
	if (ret != 0)
		return ctl_error(ret, "%s: %s", w->statepath,
		    tally_strerror(ret)), ret;
	ret = TALLY_ERR_DECODE;
	if (sscanf((char *)buf, "tally-witness 1\nvote %127s\n"
	    "election_hash %79s\nsize %" SCNu64 "\nroot %79s\ntime %" SCNu64
	    "\nsignature %159s\n", vote, he, &w->st.size, root, &w->st.time,
	    sig) != 6 || strcmp(vote, w->vote) != 0 ||
	    util_unhex(w->st.he, 32, he) != 0 ||
	    util_unhex(w->st.root, 32, root) != 0 ||
	    util_unhex(w->st.sig, 64, sig) != 0 ||
	    (n = state_format(w, canon)) < 0 || (size_t)n != len ||
	    memcmp(canon, buf, len) != 0) {
		/* read back exactly as state_write wrote it, or not at all */
		memset(&w->st, 0, sizeof(w->st));
		ctl_error(ret, "%s: not this witness's state of vote %s",
		    w->statepath, w->vote);
		goto out;
	}
	w->st.have = 1;
	ret = 0;
out:
	free(buf);
	return ret;
}

/* ------------------------------------------------------------ evidence */

/*
 * Two states of one vote that cannot both be true: the one this witness
 * cosigned and what the server shows now. Written to DIR/VOTE.evidence.txt
 * (with the server's bytes where there are some) and said on stderr.
 */
static void
evidence_write(struct witness *w, const char *what, const uint8_t *bytes,
    size_t blen)
{
	char buf[4096], root[65], sig[129], he[65], bin[4200];
	int n;

	util_hex(root, w->st.root, 32);
	util_hex(sig, w->st.sig, 64);
	util_hex(he, w->pin, 32);
	n = snprintf(buf, sizeof(buf),
	    "tally witness fork evidence\nvote %s\nelection_hash %s\n"
	    "witness %s\n\ncosigned by this witness:\n  size %" PRIu64 "\n"
	    "  root %s\n  time %" PRIu64 "\n  signature %s\n  (%" PRIu64
	    " records verified, in %s)\n\nthe server now shows:\n  %s\n",
	    w->vote, he, w->fp, w->st.size, root, w->st.time, sig,
	    record_follow_report(w->f)->records, w->logpath, what);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = (int)strlen(buf);
	(void)util_write_file(w->forkpath, buf, (size_t)n, 0644, 0);
	if (bytes != NULL && blen > 0) {
		snprintf(bin, sizeof(bin), "%.4090s.bin", w->forkpath);
		(void)util_write_file(bin, bytes, blen, 0644, 0);
	}
}

static int
fork_evidence(struct witness *w, const char *what, const uint8_t *bytes,
    size_t blen)
{
	char root[65];

	evidence_write(w, what, bytes, blen);
	util_hex(root, w->st.root, 32);
	ctl_error(TALLY_ERR_FORK, "vote %s: FORK: the server's log does not "
	    "extend the one witness %s cosigned (%" PRIu64 " records, root "
	    "%.16s...): %s; evidence in %s; nothing more is cosigned",
	    w->vote, w->fp, w->st.size, root, what, w->forkpath);
	return TALLY_ERR_FORK;
}

/* ------------------------------------------------------ the local log */

/* Feed what is pending to the follower; append the whole frames it took
 * to the local copy. A failure at the first new record's chain link
 * means the server's log parts from ours: a fork. */
static int
feed(struct witness *w, int fresh)
{
	const struct record_report *r;
	uint64_t before = record_follow_report(w->f)->records;
	size_t used = 0;
	char what[512];
	int ret;

	ret = record_follow_feed(w->f, w->pend, w->npend, &used);
	r = record_follow_report(w->f);
	if (ret != 0) {
		snprintf(what, sizeof(what), "record %" PRIu64 " fails %s: %s",
		    r->index, r->check, r->reason);
		if (!fresh)
			return ctl_error(ret, "%s: %s (the witness's own copy "
			    "is damaged: move it away to start over)",
			    w->logpath, what), ret;
		if (strcmp(r->check, "chain") == 0 && r->index == before)
			return fork_evidence(w, what, w->pend, w->npend);
		evidence_write(w, what, w->pend, w->npend);
		return ctl_error(ret, "vote %s: the server's log does not "
		    "verify: %s; evidence in %s; nothing more is cosigned",
		    w->vote, what, w->forkpath), ret;
	}
	if (fresh && used > 0) {
		if (write(w->logfd, w->pend, used) != (ssize_t)used ||
		    fdatasync(w->logfd) != 0)
			return ctl_error(TALLY_ERR_IO, "%s: %s", w->logpath,
			    strerror(errno)), TALLY_ERR_IO;
	}
	w->offset += used;
	if (used > 0) {
		memmove(w->pend, w->pend + used, w->npend - used);
		w->npend -= used;
	}
	if (r->records > 0 && CRYPTO_memcmp(r->election_hash, w->pin, 32) != 0)
		return ctl_error(TALLY_ERR_PIN_MISMATCH, "vote %s: the log's "
		    "election hash is not the one pinned", w->vote),
		    TALLY_ERR_PIN_MISMATCH;
	return 0;
}

static int
pend_add(struct witness *w, const uint8_t *p, size_t len)
{
	uint8_t *n;

	if (len == 0)
		return 0;
	if ((n = realloc(w->pend, w->npend + len + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	w->pend = n;
	memcpy(w->pend + w->npend, p, len);
	w->npend += len;
	return 0;
}

/* Re-verify the local copy; cut a torn tail; check it holds what the
 * state says this witness cosigned. */
static int
local_load(struct witness *w)
{
	uint8_t *buf = NULL, root[32];
	size_t len = 0;
	int ret;

	ret = util_read_file(w->logpath, 1ull << 34, &buf, &len);
	if (ret == TALLY_ERR_NOT_FOUND) {
		len = 0;
		ret = 0;
	}
	if (ret != 0)
		return ctl_error(ret, "%s: %s", w->logpath,
		    tally_strerror(ret)), ret;
	if ((ret = pend_add(w, buf, len)) == 0)
		ret = feed(w, 0);
	free(buf);
	if (ret != 0)
		return ret;
	w->npend = 0;
	if ((w->logfd = open(w->logpath, O_WRONLY | O_CREAT | O_CLOEXEC,
	    0600)) == -1 || ftruncate(w->logfd, (off_t)w->offset) != 0 ||
	    lseek(w->logfd, 0, SEEK_END) == -1)
		return ctl_error(TALLY_ERR_IO, "%s: %s", w->logpath,
		    strerror(errno)), TALLY_ERR_IO;
	if (!w->st.have)
		return 0;
	if (CRYPTO_memcmp(w->st.he, w->pin, 32) != 0)
		return ctl_error(TALLY_ERR_PIN_MISMATCH, "%s: this witness "
		    "followed another election hash of vote %s", w->statepath,
		    w->vote), TALLY_ERR_PIN_MISMATCH;
	if (record_follow_root(w->f, w->st.size, root) != 0 ||
	    CRYPTO_memcmp(root, w->st.root, 32) != 0)
		return ctl_error(TALLY_ERR_VERIFY, "%s does not hold the %"
		    PRIu64 " records %s says were cosigned: move both away to "
		    "start over", w->logpath, w->st.size, w->statepath),
		    TALLY_ERR_VERIFY;
	return 0;
}

/* ------------------------------------------------------------ rounds */

/* The server's status of the vote: its sealed root must be ours. */
static int
check_status(struct witness *w, struct ctl_conn *c)
{
	Tally__Response *resp = NULL;
	const Tally__VoteStatus *vs;
	uint8_t root[32];
	char what[256], hex[65];
	int ret;

	if ((ret = ctl_vote_status(c, w->vote, &resp, &vs)) != 0)
		goto out;
	if (vs->sealed_root.len != 32 || vs->sealed_size == 0 ||
	    record_follow_root(w->f, vs->sealed_size, root) != 0)
		goto out;
	if (CRYPTO_memcmp(root, vs->sealed_root.data, 32) != 0) {
		util_hex(hex, vs->sealed_root.data, 32);
		snprintf(what, sizeof(what), "status: sealed log of %" PRIu64
		    " records with root %s, another root than the records "
		    "this witness verified", vs->sealed_size, hex);
		ret = fork_evidence(w, what, NULL, 0);
	}
out:
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	return ret;
}

static int
witness_chunk(void *arg, const uint8_t *p, size_t len)
{
	struct witness *w = arg;
	int ret;

	if ((ret = pend_add(w, p, len)) != 0)
		return ret;
	return feed(w, 1);
}

static int
witness_shrunk(void *arg, uint64_t at, const char *message)
{
	char what[512];

	snprintf(what, sizeof(what), "a log shorter than the %" PRIu64
	    " bytes verified here (get_record at that offset: %s)", at,
	    message);
	return fork_evidence(arg, what, NULL, 0);
}

/* Download and verify everything new. */
static int
fetch_new(struct witness *w, struct ctl_conn *c)
{
	struct ctl_follow f = { witness_chunk, witness_shrunk, w, &stop };

	return ctl_follow_record(c, w->vote, w->offset + w->npend, &f);
}

/* Sign (size, root) at a time never before the last, keep it durably,
 * then hand it to tallyd. */
static int
cosign(struct witness *w, struct ctl_conn *c, uint64_t size,
    const uint8_t root[32])
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__AddCosignatureRequest ac = TALLY__ADD_COSIGNATURE_REQUEST__INIT;
	Tally__Cosignature cs = TALLY__COSIGNATURE__INIT;
	Tally__Response *resp = NULL;
	uint64_t now = (uint64_t)time(NULL);
	int ret;

	if (!w->st.have || size != w->st.size ||
	    CRYPTO_memcmp(root, w->st.root, 32) != 0) {
		if (w->st.have && size < w->st.size)
			return ctl_error(TALLY_ERR_INTERNAL, "refusing to "
			    "cosign backwards"), TALLY_ERR_INTERNAL;
		w->st.time = now > w->st.time ? now : w->st.time;
		w->st.size = size;
		memcpy(w->st.root, root, 32);
		memcpy(w->st.he, w->pin, 32);
		if ((ret = witness_cosign(w->st.sig, w->sk, w->origin, size,
		    root, w->st.time)) != 0)
			return ctl_error(ret, "cannot sign"), ret;
		w->st.have = 1;
		w->delivered = 0;
		if ((ret = state_write(w)) != 0)
			return ctl_error(ret, "%s: %s", w->statepath,
			    tally_strerror(ret)), ret;
	}
	cs.witness_key.data = w->pk;
	cs.witness_key.len = 32;
	cs.size = w->st.size;
	cs.root.data = w->st.root;
	cs.root.len = 32;
	cs.timestamp = w->st.time;
	cs.signature.data = w->st.sig;
	cs.signature.len = 64;
	ac.vote_id = (char *)w->vote;
	ac.cosignature = &cs;
	req.body_case = TALLY__REQUEST__BODY_ADD_COSIGNATURE;
	req.add_cosignature = &ac;
	ret = ctl_call(c, &req, &resp);
	if (ret == 0) {
		w->delivered = 1;
		if (!w->quiet)
			printf("witness %s cosigned vote %s: %" PRIu64
			    " records\n", w->fp, w->vote, w->st.size);
		fflush(stdout);
	} else if (ret == TALLY_ERR_VOTE_STATE) {
		ret = 0;	/* sealing, or counted: try again later */
	} else if (ret == TALLY_ERR_FORK) {
		ret = fork_evidence(w, resp && resp->message ? resp->message :
		    "tallyd refused the cosignature as another log's", NULL, 0);
	} else
		ctl_call_error(ret, resp, "add_cosignature");
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	return ret;
}

/* What to cosign after a round: the sealed log exactly, once; else the
 * whole log when it grew by more than cosignatures. */
static int
round_cosign(struct witness *w, struct ctl_conn *c)
{
	const struct record_report *r = record_follow_report(w->f);
	uint64_t noncos = r->records - r->cosignatures;
	int ret;

	if (r->records == 0 || r->witnesses == 0)
		return 0;
	if (r->seal_size != 0 && (!w->st.have || w->st.size < r->seal_size)) {
		if ((ret = cosign(w, c, r->seal_size, r->seal_root)) != 0)
			return ret;
		w->signed_noncos = noncos;
		return 0;
	}
	if (w->st.have && !w->delivered)
		return cosign(w, c, w->st.size, w->st.root);
	if (r->complete || (w->st.have && noncos <= w->signed_noncos) ||
	    (r->seal_size != 0 && r->state != NULL &&
	    strcmp(r->state, "counted") == 0))
		return 0;
	/* Between PollsClosed and the Aggregate tallyd takes none. */
	if (r->seal_size != 0 && r->records < r->seal_size + 2)
		return 0;
	if ((ret = cosign(w, c, r->records, r->root)) != 0)
		return ret;
	w->signed_noncos = noncos;
	return 0;
}

/* ------------------------------------------------------------- main */

static int
w_usage(FILE *f)
{
	fprintf(f, "usage: tallyctl witness VOTE --key FILE --state DIR "
	    "[--election-hash HEX]\n"
	    "           [--interval SECONDS] [--once] [--until sealed|counted]"
	    "\n"
	    "  follow VOTE's log, verify every record as it arrives and "
	    "cosign it\n  (docs/record/witness.md); DIR keeps the verified "
	    "log and the last\n  cosignature, so that a restart never "
	    "cosigns backwards.\n");
	return f == stdout ? 0 : 2;
}

static int
w_setup(struct witness *w, const char *keyfile, const char *hex)
{
	struct stat st;
	int ret;

	if ((ret = ed25519_key_load(keyfile, w->sk, w->pk)) != 0)
		return ctl_error(ret, "%s: %s", keyfile, ret == TALLY_ERR_PERM ?
		    "readable by others; refusing to use it (chmod 600)" :
		    "not a witness key (tally-keys witness-key)"), ret;
	(void)witness_fingerprint(w->fp, w->pk);
	if (hex == NULL && (ret = ctl_opts_load(&ctl_global, w->logpath,
	    sizeof(w->logpath))) != 0)
		return ctl_error(ret, "%s", w->logpath), ret;
	if (hex == NULL)
		hex = ctl_pin_of(&ctl_global, w->vote);
	if (hex == NULL)
		return ctl_error(TALLY_ERR_UNPINNED, "vote %s: no election hash "
		    "pinned (--election-hash, or 'election_hash %s HEX' in the "
		    "configuration)", w->vote, w->vote), TALLY_ERR_UNPINNED;
	if (util_unhex(w->pin, 32, hex) != 0)
		return ctl_error(TALLY_ERR_INVALID_ARG, "election hash: 64 hex "
		    "digits"), TALLY_ERR_INVALID_ARG;
	if ((ret = witness_origin(w->origin, w->vote, w->pin)) != 0)
		return ctl_error(ret, "vote id %s: unfit for a witness",
		    w->vote), ret;
	if (mkdir(w->dir, 0700) == -1 && errno != EEXIST)
		return ctl_error(TALLY_ERR_IO, "%s: %s", w->dir,
		    strerror(errno)), TALLY_ERR_IO;
	if (stat(w->dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return ctl_error(TALLY_ERR_IO, "%s: not a folder", w->dir),
		    TALLY_ERR_IO;
	if ((size_t)snprintf(w->logpath, sizeof(w->logpath), "%s/%s.log",
	    w->dir, w->vote) >= sizeof(w->logpath) ||
	    (size_t)snprintf(w->statepath, sizeof(w->statepath),
	    "%s/%s.witness", w->dir, w->vote) >= sizeof(w->statepath) ||
	    (size_t)snprintf(w->forkpath, sizeof(w->forkpath),
	    "%s/%s.evidence.txt", w->dir, w->vote) >= sizeof(w->forkpath))
		return ctl_error(TALLY_ERR_INVALID_ARG, "--state: path too "
		    "long"), TALLY_ERR_INVALID_ARG;
	if (access(w->forkpath, F_OK) == 0)
		return ctl_error(TALLY_ERR_FORK, "vote %s: this witness found a "
		    "fork or a false record before (%s): it cosigns nothing "
		    "more of this vote",
		    w->vote, w->forkpath), TALLY_ERR_FORK;
	if ((ret = record_follow_new(&w->f, NULL)) != 0)
		return ctl_error(ret, "out of memory"), ret;
	if ((ret = state_read(w)) != 0 || (ret = local_load(w)) != 0)
		return ret;
	return 0;
}

static int
w_run(struct witness *w, int once, int until_sealed, unsigned int interval)
{
	const struct record_report *r;
	struct ctl_conn *c = NULL;
	int ret = 0;

	while (!stop) {
		if (c == NULL && (c = ctl_connect_or_report(&ctl_global)) ==
		    NULL) {
			if (once)
				return TALLY_ERR_IO;
			sleep(interval);	/* tallyd restarting: retry */
			continue;
		}
		if ((ret = fetch_new(w, c)) == 0 &&
		    (ret = check_status(w, c)) == 0)
			ret = round_cosign(w, c);
		if (ret == TALLY_ERR_FORK || ret == TALLY_ERR_VERIFY ||
		    ret == TALLY_ERR_PIN_MISMATCH || ret == TALLY_ERR_IO ||
		    ret == TALLY_ERR_NOMEM)
			break;
		if (ret != 0) {		/* the connection: start again */
			ctl_close(c);
			c = NULL;
		}
		r = record_follow_report(w->f);
		if (ret == 0 && (r->complete || (until_sealed &&
		    w->delivered && r->seal_size != 0 &&
		    w->st.size >= r->seal_size)))
			break;
		if (once)
			break;
		sleep(interval);
	}
	ctl_close(c);
	r = record_follow_report(w->f);
	if (ret == 0 && !w->quiet)
		printf("witness %s: vote %s, %" PRIu64 " records verified "
		    "(%s), last cosigned %" PRIu64 "\n", w->fp, w->vote,
		    r->records, r->state ? r->state : "empty", w->st.size);
	return ret;
}

int
cmd_witness(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "state", required_argument, NULL, 's' },
		{ "election-hash", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, 'o' },
		{ "until", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct witness w;
	const char *key = NULL, *hex = NULL;
	uint32_t interval = 2;
	int ch, once = 0, until_sealed = 0, ret;

	memset(&w, 0, sizeof(w));
	w.logfd = -1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			key = optarg;
			break;
		case 's':
			w.dir = optarg;
			break;
		case 'e':
			hex = optarg;
			break;
		case 'i':
			if (util_parse_u32(optarg, 1, 3600, &interval) != 0)
				return ctl_error(TALLY_ERR_INVALID_ARG,
				    "--interval: 1..3600 seconds");
			break;
		case 'o':
			once = 1;
			break;
		case 'u':
			if (strcmp(optarg, "sealed") == 0)
				until_sealed = 1;
			else if (strcmp(optarg, "counted") != 0)
				return ctl_error(TALLY_ERR_INVALID_ARG,
				    "--until sealed or counted");
			break;
		case 'h':
			return w_usage(stdout);
		default:
			return w_usage(stderr);
		}
	}
	if (argc - optind != 1 || key == NULL || w.dir == NULL)
		return w_usage(stderr);
	w.vote = argv[optind];
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if ((ret = w_setup(&w, key, hex)) == 0)
		ret = w_run(&w, once, until_sealed, interval);
	OPENSSL_cleanse(w.sk, sizeof(w.sk));
	record_follow_free(w.f);
	free(w.pend);
	if (w.logfd != -1)
		close(w.logfd);
	return ret == 0 ? 0 : 1;
}
