/* ledger.c: the ledger process: votes, logs, group commit and receipts. */
#include "ledger.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "ceremony.h"
#include "checkpoint.h"
#include "count.h"
#include "election.h"
#include "err.h"
#include "ipc.h"
#include "log.h"
#include "logmsg.h"
#include "util.h"
#include "workers.h"

#define LEDGER_CHUNK	(1024 * 1024)	/* get_record chunk size */
#define LEDGER_PROBE	(64 * 1024)	/* written and synced at start */
#define LEDGER_PROBE_NAME ".tallyd-probe"
#define LEDGER_VERIFIERS_MAX 4	/* verification threads, at most */

/* A request whose record is queued in a log, waiting for its sync. */
struct inflight {
	struct inflight		*next;
	struct ledger		*lg;
	struct vote		*v;
	uint64_t		 seq;
	Tally__Request__BodyCase kind;
	int			 reply;		/* 0: an intermediate record */
	int			 seal;		/* PollsClosed: seal when durable */
	int			 final;		/* Result: final Checkpoint next */
	int			 err;
	int			 cause;		/* errno of a failed write */
	uint64_t		 index_want;	/* v->records said so */
	struct log_result	 r;
	uint64_t		 end;		/* file size once durable, or 0 */
};

struct ledger {
	int			 fd;
	int			 wake[2];
	uint8_t			 sk[32];
	uint8_t			 pk[32];
	TAILQ_HEAD(, vote)	 votes;
	pthread_mutex_t		 lock;
	struct inflight		*done_head, **done_tail;
	unsigned int		 inflight;
	int			 eof;
	struct workers		*verifiers;	/* proofs of shuffles, shares */
};

/* A Shuffle or DecryptionShare whose proofs a verification thread checks,
 * or a tally it counts (election_job_*); the request it answers lives as
 * long as the job. */
struct ledger_job {
	struct job		 job;
	struct ledger		*lg;
	Tally__LedgerRequest	*lr;
	Tally__LogRecord	 rec;		/* its body is lr's (a tally's:
						 * the Result, once counted) */
	struct election_job	 ej;
};


/* --------------------------------------------------------------- replies */

static void
ledger_send(struct ledger *lg, uint64_t seq, Tally__Response *resp)
{
	Tally__LedgerResponse lr = TALLY__LEDGER_RESPONSE__INIT;
	uint8_t *buf;
	size_t len;

	lr.seq = seq;
	lr.response = resp;
	if (ipc_frame_encode(IPC_LEDGER_RESPONSE, &lr.base, &buf, &len) != 0)
		fatalx("cannot encode a response");
	if (ipc_write_all(lg->fd, buf, len) != 0)
		fatalx("lost the frontend");
	free(buf);
}

static void
ledger_fail(struct ledger *lg, uint64_t seq, int err, const char *msg)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;

	resp.code = (Tally__ErrorCode)-err;
	resp.message = (char *)(msg != NULL && *msg ? msg :
	    tally_strerror(err));
	ledger_send(lg, seq, &resp);
}

static struct vote *
ledger_find(struct ledger *lg, const char *id)
{
	struct vote *v;

	TAILQ_FOREACH(v, &lg->votes, entry)
		if (strcmp(v->id, id) == 0)
			return v;
	return NULL;
}

/* ----------------------------------------------------------- the appends */

/* From another thread: the loop has results to take (log, verifiers). */
static void
ledger_wake(void *arg)
{
	struct ledger *lg = arg;

	(void)!write(lg->wake[1], "", 1);
}

/* On the log's writer thread: hand the result to the main loop. */
static void
ledger_log_done(void *arg, int err, const struct log_result *r)
{
	struct inflight *f = arg;
	struct ledger *lg = f->lg;
	struct stat st;
	char path[MANIFEST_ID_MAX + 8];

	/* The log's writer writes the next batch only after these calls
	 * return, so the file's size now is exactly its durable end. */
	if (err == 0 && r->index + 1 == r->size) {
		snprintf(path, sizeof(path), "%s.log", f->v->id);
		if (stat(path, &st) == -1)
			fatal("stat %s", path);
		f->end = (uint64_t)st.st_size;
	}
	f->err = err;
	f->cause = err != 0 ? log_failed_errno(f->v->log) : 0;
	f->r = *r;
	pthread_mutex_lock(&lg->lock);
	*lg->done_tail = f;
	lg->done_tail = &f->next;
	pthread_mutex_unlock(&lg->lock);
	ledger_wake(lg);
}

/*
 * v's log could not be written (issue 12, finding 9): say why in the log
 * once, and stop writing to v. The log never retries (a failed fdatasync
 * may have dropped the pages it was to write), so neither does the
 * ledger: v takes no more writes until tallyd is restarted, when its log
 * is recovered up to its last durable record. v's state in memory may
 * hold what was not written; nothing of v is written again, and a restart
 * rebuilds it from the log.
 */
static void
ledger_storage_failed(struct vote *v, int cause)
{
	if (v->failed)
		return;
	v->failed = 1;
	v->failed_errno = cause;
	log_warnx("vote %s: E_STORAGE: cannot write its log: %s; no receipt "
	    "for the records not written, and no more writes to this vote "
	    "until tallyd is restarted with the disk fixed", v->id,
	    cause != 0 ? strerror(cause) : "out of memory in the log");
}

/* Answer seq (when not 0) with E_STORAGE for v. */
static void
ledger_fail_storage(struct ledger *lg, uint64_t seq, const struct vote *v)
{
	char msg[256];

	if (seq == 0)
		return;
	snprintf(msg, sizeof(msg), "vote %s: not recorded: the server cannot "
	    "write its log (%s)", v->id, v->failed_errno != 0 ?
	    strerror(v->failed_errno) : "out of memory");
	ledger_fail(lg, seq, TALLY_ERR_STORAGE, msg);
}

/* v takes writes; else seq (when not 0) is answered E_STORAGE. */
static int
ledger_writable(struct ledger *lg, uint64_t seq, const struct vote *v)
{
	if (!v->failed)
		return 1;
	ledger_fail_storage(lg, seq, v);
	return 0;
}

/* Queue rec (already checked and applied) in v's log. NULL when the log
 * has failed (seq, when not 0, is answered E_STORAGE). */
static struct inflight *
ledger_submit(struct ledger *lg, struct vote *v, Tally__LogRecord *rec,
    uint64_t seq, Tally__Request__BodyCase kind, int reply)
{
	struct inflight *f;
	int ret;

	if (!ledger_writable(lg, seq, v))
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		fatalx("out of memory");
	f->lg = lg;
	f->v = v;
	f->seq = seq;
	f->kind = kind;
	f->reply = reply;
	/* Applied already: the record's index, as the vote counts them
	 * (election_cast_index relies on it). */
	f->index_want = v->records - 1;
	if ((ret = log_append_submit(v->log, rec, ledger_log_done, f)) != 0) {
		/* The writer failed a batch whose answer is still on its
		 * way to this loop. */
		free(f);
		if (ret != TALLY_ERR_LOG_FAILED)
			fatalx("vote %s: log append failed: %s", v->id,
			    tally_strerror(ret));
		ledger_storage_failed(v, log_failed_errno(v->log));
		ledger_fail_storage(lg, seq, v);
		return NULL;
	}
	lg->inflight++;
	return f;
}

/* Check rec against the vote, apply it and queue it. On refusal the
 * client gets the code and nothing changed. */
static struct inflight *
ledger_append(struct ledger *lg, struct vote *v, Tally__LogRecord *rec,
    uint64_t seq, Tally__Request__BodyCase kind, int reply)
{
	char msg[256] = "";
	int ret;

	if (!ledger_writable(lg, seq, v))
		return NULL;
	if ((ret = election_check(v, rec, msg, sizeof(msg))) != 0) {
		if (reply)
			ledger_fail(lg, seq, ret, msg);
		return NULL;
	}
	if ((ret = election_apply(v, rec)) != 0)
		fatalx("vote %s: cannot apply a checked record: %s", v->id,
		    tally_strerror(ret));
	return ledger_submit(lg, v, rec, seq, kind, reply);
}

/* Append a signed Checkpoint of v's log at size (root, head). */
static struct inflight *
ledger_checkpoint(struct ledger *lg, struct vote *v, uint64_t size,
    const uint8_t root[HASH_LEN], const uint8_t head[HASH_LEN], uint64_t seq,
    Tally__Request__BodyCase kind, int reply)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__Checkpoint cpm = TALLY__CHECKPOINT__INIT;
	struct checkpoint cp;
	struct inflight *f;

	cp.size = size;
	memcpy(cp.root, root, HASH_LEN);
	memcpy(cp.head, head, HASH_LEN);
	if (checkpoint_sign(&cp, v->id, lg->sk) != 0)
		fatalx("vote %s: cannot sign a checkpoint", v->id);
	checkpoint_to_proto(&cp, &cpm);
	rec.body_case = TALLY__LOG_RECORD__BODY_CHECKPOINT;
	rec.checkpoint = &cpm;
	if ((f = ledger_append(lg, v, &rec, seq, kind, reply)) == NULL &&
	    !v->failed)
		fatalx("vote %s: checkpoint refused", v->id);
	return f;
}

/*
 * After PollsClosed is durable: a signed Checkpoint of the log up to it,
 * then the Aggregate of the running sums (docs/record: the closing
 * Checkpoint must follow PollsClosed). seq, when not 0, is answered once
 * the Aggregate is durable.
 */
static void
ledger_seal(struct ledger *lg, struct vote *v, uint64_t size,
    const uint8_t root[HASH_LEN], const uint8_t head[HASH_LEN], uint64_t seq)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__Aggregate *agg = NULL;
	int ret;

	if (!v->sealed)
		ledger_checkpoint(lg, v, size, root, head, 0, 0, 0);
	if ((ret = election_aggregate(v, &agg)) != 0)
		fatalx("vote %s: cannot encode the aggregate: %s", v->id,
		    tally_strerror(ret));
	rec.body_case = TALLY__LOG_RECORD__BODY_AGGREGATE;
	rec.aggregate = agg;
	if (ledger_append(lg, v, &rec, seq, TALLY__REQUEST__BODY_CLOSE_VOTE,
	    seq != 0) == NULL && !v->failed)
		fatalx("vote %s: aggregate refused", v->id);
	election_aggregate_free(agg);
}

/* Answer seq with the receipt of v's record index (leaf) in the tree of
 * size records (root, head), under a signed checkpoint of that size. */
static void
ledger_send_receipt(struct ledger *lg, uint64_t seq, struct vote *v,
    Tally__Request__BodyCase kind, uint64_t index,
    const uint8_t leaf[HASH_LEN], uint64_t size,
    const uint8_t root[HASH_LEN], const uint8_t head[HASH_LEN])
{
	Tally__Response resp = TALLY__RESPONSE__INIT;
	Tally__CastResponse cr = TALLY__CAST_RESPONSE__INIT;
	Tally__SpoilResponse sr = TALLY__SPOIL_RESPONSE__INIT;
	Tally__Receipt rc = TALLY__RECEIPT__INIT;
	Tally__Checkpoint cpm = TALLY__CHECKPOINT__INIT;
	struct checkpoint cp;
	uint8_t path[MERKLE_MAX_PATH][HASH_LEN], lh[HASH_LEN];
	ProtobufCBinaryData inc[MERKLE_MAX_PATH];
	size_t n = 0, i;

	/* Every receipt of one batch shares its checkpoint: sign it once. */
	if (!v->have_receipt_cp || v->receipt_cp.size != size) {
		cp.size = size;
		memcpy(cp.root, root, HASH_LEN);
		memcpy(cp.head, head, HASH_LEN);
		if (checkpoint_sign(&cp, v->id, lg->sk) != 0)
			fatalx("vote %s: cannot sign a checkpoint", v->id);
		v->receipt_cp = cp;
		v->have_receipt_cp = 1;
	}
	cp = v->receipt_cp;
	if (log_inclusion(v->log, index, size, path, &n) != 0)
		fatalx("vote %s: cannot make a receipt", v->id);
	memcpy(lh, leaf, HASH_LEN);
	checkpoint_to_proto(&cp, &cpm);
	for (i = 0; i < n; i++) {
		inc[i].data = path[i];
		inc[i].len = HASH_LEN;
	}
	rc.version = 1;
	rc.vote_id = v->id;
	rc.index = index;
	rc.leaf_hash.data = lh;
	rc.leaf_hash.len = HASH_LEN;
	rc.checkpoint = &cpm;
	rc.n_inclusion = n;
	rc.inclusion = inc;
	if (kind == TALLY__REQUEST__BODY_SPOIL) {
		sr.receipt = &rc;
		resp.body_case = TALLY__RESPONSE__BODY_SPOIL;
		resp.spoil = &sr;
	} else {
		cr.receipt = &rc;
		resp.body_case = TALLY__RESPONSE__BODY_CAST;
		resp.cast = &cr;
	}
	ledger_send(lg, seq, &resp);
}

static void
ledger_receipt(struct ledger *lg, struct inflight *f)
{
	ledger_send_receipt(lg, f->seq, f->v, f->kind, f->r.index,
	    f->r.leaf_hash, f->r.size, f->r.root, f->r.head);
}

/*
 * Issue 12, finding 11: the very bytes of a ballot already cast (its
 * answer was lost: a terminal or a frontend died between the sync and the
 * answer, a timeout) get that ballot's receipt again, under the current
 * durable checkpoint, and change nothing. Still being synced: E_BUSY, ask
 * again. Another ballot of the same card is still E_CRED_USED.
 */
static void
ledger_receipt_again(struct ledger *lg, uint64_t seq, struct vote *v,
    uint64_t index)
{
	uint8_t root[HASH_LEN], head[HASH_LEN], leaf[HASH_LEN];
	uint64_t size;

	if (log_state(v->log, &size, root, head) != 0)
		fatalx("vote %s: no log state", v->id);
	if (index >= size) {
		if (v->failed)
			ledger_fail_storage(lg, seq, v);
		else
			ledger_fail(lg, seq, TALLY_ERR_BUSY, "this ballot is "
			    "being recorded: ask again for its receipt");
		return;
	}
	if (log_leaf(v->log, index, leaf) != 0)
		fatalx("vote %s: no leaf %llu", v->id,
		    (unsigned long long)index);
	ledger_send_receipt(lg, seq, v, TALLY__REQUEST__BODY_CAST, index,
	    leaf, size, root, head);
	log_info("vote %s: a ballot sent again: its receipt sent again",
	    v->id);
}

static void
ledger_send_result(struct ledger *lg, uint64_t seq, const struct vote *v)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;
	Tally__TallyResponse tr = TALLY__TALLY_RESPONSE__INIT;

	tr.result = v->result;
	resp.body_case = TALLY__RESPONSE__BODY_TALLY;
	resp.tally = &tr;
	ledger_send(lg, seq, &resp);
}

static void
ledger_finish(struct ledger *lg, struct inflight *f)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;
	Tally__CreateVoteResponse cv = TALLY__CREATE_VOTE_RESPONSE__INIT;

	lg->inflight--;
	if (f->err != 0) {
		/* Whoever waits on this record (its own request, or the
		 * close or tally it is a step of) hears E_STORAGE. */
		ledger_storage_failed(f->v, f->cause);
		ledger_fail_storage(lg, f->seq, f->v);
		free(f);
		return;
	}
	if (f->r.index != f->index_want)
		fatalx("vote %s: record %llu was logged as %llu", f->v->id,
		    (unsigned long long)f->index_want,
		    (unsigned long long)f->r.index);
	if (f->end > f->v->durable_end)
		f->v->durable_end = f->end;
	if (f->seal || f->final) {
		if (f->r.size != f->r.index + 1)
			fatalx("vote %s: records after %s", f->v->id, f->seal ?
			    "PollsClosed" : "the Result");
		if (f->seal)
			ledger_seal(lg, f->v, f->r.size, f->r.root, f->r.head,
			    f->seq);
		else
			ledger_checkpoint(lg, f->v, f->r.size, f->r.root,
			    f->r.head, f->seq, TALLY__REQUEST__BODY_TALLY,
			    f->seq != 0);
	} else if (!f->reply)
		;
	else if (f->kind == TALLY__REQUEST__BODY_TALLY)
		ledger_send_result(lg, f->seq, f->v);
	else if (f->kind == TALLY__REQUEST__BODY_CAST ||
	    f->kind == TALLY__REQUEST__BODY_SPOIL)
		ledger_receipt(lg, f);
	else if (f->kind == TALLY__REQUEST__BODY_CREATE_VOTE) {
		cv.election_hash = f->v->created->election_hash;
		resp.body_case = TALLY__RESPONSE__BODY_CREATE_VOTE;
		resp.create_vote = &cv;
		ledger_send(lg, f->seq, &resp);
	} else
		ledger_send(lg, f->seq, &resp);
	free(f);
}

static void
ledger_drain_done(struct ledger *lg)
{
	struct inflight *f, *next;
	char buf[256];

	while (read(lg->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&lg->lock);
	f = lg->done_head;
	lg->done_head = NULL;
	lg->done_tail = &lg->done_head;
	pthread_mutex_unlock(&lg->lock);
	for (; f != NULL; f = next) {
		next = f->next;
		ledger_finish(lg, f);
	}
}

/* ------------------------------------------------------------- requests */

static struct log_opts
ledger_log_opts(void)
{
	struct log_opts o;

	memset(&o, 0, sizeof(o));
	o.keep_leaves = 1;
	return o;
}

static void
ledger_create(struct ledger *lg, uint64_t seq, Tally__CreateVoteRequest *c)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__VoteCreated vc = TALLY__VOTE_CREATED__INIT;
	struct log_opts o = ledger_log_opts();
	struct manifest *m = NULL;
	struct vote *v = NULL;
	struct vote_ctx vx;
	struct vote_ctx_error why = { "vote", "" };
	uint8_t eh[HASH_LEN];
	char err[VOTE_CTX_REASON_MAX + 32] = "", path[MANIFEST_ID_MAX + 8];
	int ret;

	if ((ret = manifest_parse(&m, c->manifest.data, c->manifest.len, err,
	    sizeof(err))) != 0) {
		ledger_fail(lg, seq, ret, err);
		return;
	}
	vc.vote_id = m->id;
	vc.manifest = c->manifest;
	vc.transcript = c->transcript;
	vc.n_registry = c->n_registry;
	vc.registry = c->registry;
	vc.ledger_key.data = lg->pk;
	vc.ledger_key.len = 32;
	vc.n_witness_keys = c->n_witness_keys;
	vc.witness_keys = c->witness_keys;
	vc.witness_quorum = c->witness_quorum;
	vc.election_hash.data = eh;
	vc.election_hash.len = HASH_LEN;
	if (ledger_find(lg, m->id) != NULL) {
		ret = TALLY_ERR_VOTE_EXISTS;
		snprintf(err, sizeof(err), "vote %s exists", m->id);
		goto out;
	}
	/* Record only what every terminal and verifier will accept: the
	 * checks of vote_ctx_init, with H_E computed here (a failure to
	 * compute it is named by the check it breaks). */
	memset(eh, 0, sizeof(eh));
	(void)vote_election_hash(eh, &vc);
	if ((ret = vote_ctx_init(&vx, &vc, &why)) != 0) {
		if (strcmp(why.check, "transcript") == 0)
			ret = TALLY_ERR_CEREMONY;
		else if (strcmp(why.check, "witnesses") == 0)
			ret = TALLY_ERR_WITNESS;
		snprintf(err, sizeof(err), "%s: %s", why.check, why.reason);
		goto out;
	}
	vote_ctx_clear(&vx);
	rec.body_case = TALLY__LOG_RECORD__BODY_VOTE_CREATED;
	rec.vote_created = &vc;
	snprintf(path, sizeof(path), "%s.log", m->id);
	if ((v = vote_new(m->id)) == NULL)
		fatalx("out of memory");
	if ((ret = log_create(path, &o, &v->log, err, sizeof(err))) != 0) {
		if (ret == TALLY_ERR_IO) {
			/* err says "log create: <strerror>". */
			ret = TALLY_ERR_STORAGE;
			log_warnx("vote %s: E_STORAGE: %s", m->id, err);
		}
		goto out;
	}
	v->durable_end = LOG_HEADER_LEN;	/* log_create synced it */
	TAILQ_INSERT_TAIL(&lg->votes, v, entry);
	if (ledger_append(lg, v, &rec, seq, TALLY__REQUEST__BODY_CREATE_VOTE,
	    1) != NULL)
		log_info("vote %s created", m->id);
	v = NULL;
out:
	if (ret != 0)
		ledger_fail(lg, seq, ret, err);
	vote_free(v);
	manifest_free(m);
}

static struct vote *
ledger_vote(struct ledger *lg, uint64_t seq, const char *id)
{
	struct vote *v;
	char msg[128];

	if ((v = ledger_find(lg, id)) == NULL) {
		snprintf(msg, sizeof(msg), "no vote %s", id);
		ledger_fail(lg, seq, TALLY_ERR_VOTE_UNKNOWN, msg);
	}
	return v;
}

static void
ledger_open(struct ledger *lg, uint64_t seq, Tally__OpenVoteRequest *o)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__PollsOpened po = TALLY__POLLS_OPENED__INIT;
	struct vote *v;

	if ((v = ledger_vote(lg, seq, o->vote_id)) == NULL)
		return;
	po.present = o->present;
	po.issued = o->issued;
	rec.body_case = TALLY__LOG_RECORD__BODY_POLLS_OPENED;
	rec.polls_opened = &po;
	if (ledger_append(lg, v, &rec, seq, TALLY__REQUEST__BODY_OPEN_VOTE,
	    1) != NULL)
		log_info("vote %s open: %u present, %u issued", v->id,
		    po.present, po.issued);
}

/* Closing is instant: PollsClosed now, the closing Checkpoint and the
 * running sums as soon as it is durable; the answer after the sums. */
static void
ledger_close(struct ledger *lg, uint64_t seq, Tally__CloseVoteRequest *c)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__PollsClosed pc = TALLY__POLLS_CLOSED__INIT;
	struct inflight *f;
	struct vote *v;

	if ((v = ledger_vote(lg, seq, c->vote_id)) == NULL)
		return;
	pc.ballots = v->ballots;
	rec.body_case = TALLY__LOG_RECORD__BODY_POLLS_CLOSED;
	rec.polls_closed = &pc;
	if ((f = ledger_append(lg, v, &rec, seq,
	    TALLY__REQUEST__BODY_CLOSE_VOTE, 1)) == NULL)
		return;
	f->reply = 0;	/* answered once the Aggregate is durable */
	f->seal = 1;
	log_info("vote %s closed: %llu ballots", v->id,
	    (unsigned long long)v->ballots);
}

static void
ledger_cast(struct ledger *lg, uint64_t seq, Tally__CastRequest *c)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__BallotBody *body;
	struct ballot_info info;
	struct vote *v;
	uint64_t index;
	uint8_t cred[32] = {0};
	char id[MANIFEST_ID_MAX + 1], msg[256] = "";
	int ret;

	/* The vote id and credential are inside the signed body; only they
	 * are read here. */
	if ((body = tally__ballot_body__unpack(NULL, c->ballot->body.len,
	    c->ballot->body.data)) == NULL) {
		ledger_fail(lg, seq, TALLY_ERR_DECODE, "ballot body does not "
		    "decode");
		return;
	}
	snprintf(id, sizeof(id), "%s", body->vote_id);
	if (body->credential.len == sizeof(cred))
		memcpy(cred, body->credential.data, sizeof(cred));
	tally__ballot_body__free_unpacked(body, NULL);
	if ((v = ledger_vote(lg, seq, id)) == NULL)
		return;
	if (election_cast_index(v, cred, c->ballot, &index)) {
		ledger_receipt_again(lg, seq, v, index);
		return;
	}
	if (!ledger_writable(lg, seq, v))
		return;
	if ((ret = election_check_ballot(v, c->ballot, &info, msg,
	    sizeof(msg))) != 0) {
		ledger_fail(lg, seq, ret, msg);
		return;
	}
	if ((ret = election_apply_ballot(v, &info, c->ballot)) != 0)
		fatalx("vote %s: cannot apply a checked ballot: %s", v->id,
		    tally_strerror(ret));
	ballot_info_clear(&info);
	v->records++;	/* election_apply's count, for the ballot path */
	rec.body_case = TALLY__LOG_RECORD__BODY_BALLOT;
	rec.ballot = c->ballot;
	ledger_submit(lg, v, &rec, seq, TALLY__REQUEST__BODY_CAST, 1);
}

/* A challenged ballot, opened (the frontend checked the opening): logged
 * as a SpoiledBallot; its card stays unused. */
static void
ledger_spoil(struct ledger *lg, uint64_t seq, Tally__SpoilRequest *sp)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__BallotBody *body;
	struct ballot_info info;
	struct vote *v;
	char id[MANIFEST_ID_MAX + 1], msg[256] = "";
	int ret;

	if ((body = tally__ballot_body__unpack(NULL,
	    sp->spoiled->ballot->body.len,
	    sp->spoiled->ballot->body.data)) == NULL) {
		ledger_fail(lg, seq, TALLY_ERR_DECODE, "ballot body does not "
		    "decode");
		return;
	}
	snprintf(id, sizeof(id), "%s", body->vote_id);
	tally__ballot_body__free_unpacked(body, NULL);
	if ((v = ledger_vote(lg, seq, id)) == NULL ||
	    !ledger_writable(lg, seq, v))
		return;
	if ((ret = election_check_spoiled(v, sp->spoiled, &info, msg,
	    sizeof(msg))) != 0) {
		ledger_fail(lg, seq, ret, msg);
		return;
	}
	if ((ret = election_apply_spoiled(v, &info, sp->spoiled)) != 0)
		fatalx("vote %s: cannot apply a checked challenge: %s", v->id,
		    tally_strerror(ret));
	ballot_info_clear(&info);
	v->records++;
	rec.body_case = TALLY__LOG_RECORD__BODY_SPOILED;
	rec.spoiled = sp->spoiled;
	ledger_submit(lg, v, &rec, seq, TALLY__REQUEST__BODY_SPOIL, 1);
	log_info("vote %s: a ballot challenged (%llu so far)", v->id,
	    (unsigned long long)v->nspoiled);
}

static int
ledger_status_one(const struct vote *v, Tally__VoteStatus *st)
{
	tally__vote_status__init(st);
	st->vote_id = (char *)v->id;
	/* A vote whose log could not be written: its counts in memory may
	 * hold what was not recorded, and terminals offer only "open". */
	st->state = (char *)(v->failed ? "failed" :
	    vote_state_name(v->state));
	st->ballots = v->ballots;
	st->log_size = v->records;
	st->shares = v->shares;
	st->quorum = v->created && v->created->transcript ?
	    v->created->transcript->quorum : 0;
	st->present = v->present;
	st->issued = v->issued;
	if (v->sealed) {
		st->sealed_size = v->seal_size;
		st->sealed_root.data = (uint8_t *)v->seal_root;
		st->sealed_root.len = HASH_LEN;
	}
	st->cosigned = election_seal_cosigned(v);
	st->witnesses = (uint32_t)v->ctx.nwitnesses;
	st->witness_quorum = v->ctx.witness_quorum;
	return 0;
}

static void
ledger_status(struct ledger *lg, uint64_t seq, Tally__StatusRequest *s)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;
	Tally__StatusResponse sr = TALLY__STATUS_RESPONSE__INIT;
	Tally__VoteStatus *st = NULL, **stp = NULL;
	struct vote *v;
	size_t n = 0;

	TAILQ_FOREACH(v, &lg->votes, entry)
		n++;
	if ((st = calloc(n + 1, sizeof(*st))) == NULL ||
	    (stp = calloc(n + 1, sizeof(*stp))) == NULL)
		fatalx("out of memory");
	TAILQ_FOREACH(v, &lg->votes, entry) {
		if (v->state == VOTE_NONE || (s->vote_id[0] != '\0' &&
		    strcmp(s->vote_id, v->id) != 0))
			continue;
		ledger_status_one(v, &st[sr.n_votes]);
		stp[sr.n_votes] = &st[sr.n_votes];
		sr.n_votes++;
	}
	sr.votes = stp;
	if (s->vote_id[0] != '\0' && sr.n_votes == 0)
		ledger_fail(lg, seq, TALLY_ERR_VOTE_UNKNOWN, "no such vote");
	else {
		resp.body_case = TALLY__RESPONSE__BODY_STATUS;
		resp.status = &sr;
		ledger_send(lg, seq, &resp);
	}
	free(st);
	free(stp);
}

static void
ledger_get_vote(struct ledger *lg, uint64_t seq, Tally__GetVoteRequest *g)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;
	Tally__GetVoteResponse gv = TALLY__GET_VOTE_RESPONSE__INIT;
	Tally__Aggregate *agg = NULL;
	ProtobufCBinaryData *pts = NULL;
	const struct mix_list *ml;
	struct vote *v;
	size_t i;

	if ((v = ledger_vote(lg, seq, g->vote_id)) == NULL)
		return;
	gv.vote = v->created;
	if (v->state >= VOTE_CLOSED) {
		if (election_aggregate(v, &agg) != 0 || (pts = calloc(
		    COUNT_ITEM_CTS * v->nitems + 1, sizeof(*pts))) == NULL)
			fatalx("out of memory");
		/* Entry k: a of ciphertext k of the write-in list (count.h)
		 * after the last shuffle (step 0: the ballots' list), for
		 * the trustees; none once tallied (the mix state is freed:
		 * the record holds every list). */
		ml = &v->mx.cur;
		for (i = 0; i < ml->n * ml->w; i++) {
			pts[i].data = ml->enc + i * SHUFFLE_CT_LEN;
			pts[i].len = 33;
		}
		gv.n_writein_points = ml->n * ml->w;
		gv.writein_points = pts;
	}
	gv.aggregate = agg;
	resp.body_case = TALLY__RESPONSE__BODY_GET_VOTE;
	resp.get_vote = &gv;
	ledger_send(lg, seq, &resp);
	election_aggregate_free(agg);
	free(pts);
}

/* Read up to want bytes of path at off, never past end, into a new
 * buffer. */
static int
read_at(const char *path, uint64_t off, size_t want, uint8_t **out,
    size_t *got, uint64_t end)
{
	struct stat st;
	ssize_t n;
	int fd, ret = TALLY_ERR_IO;

	*out = NULL;
	*got = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return TALLY_ERR_IO;
	if (fstat(fd, &st) == -1 || (uint64_t)st.st_size < end)
		goto out;
	if (off > end) {
		ret = TALLY_ERR_INVALID_ARG;
		goto out;
	}
	if (want > end - off)
		want = (size_t)(end - off);
	if ((*out = calloc(1, want + 1)) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	while (*got < want) {
		n = pread(fd, *out + *got, want - *got, (off_t)(off + *got));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		*got += (size_t)n;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/*
 * The record in chunks of whole frames: offset 0 starts with the file
 * header; each chunk holds up to LEDGER_CHUNK bytes, or one frame if that
 * frame alone is larger. Only what is durable is served: bytes of a
 * batch whose fdatasync has not returned may yet be lost, and a record
 * served must never disappear.
 */
static void
ledger_get_record(struct ledger *lg, uint64_t seq, Tally__GetRecordRequest *g)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;
	Tally__GetRecordResponse gr = TALLY__GET_RECORD_RESPONSE__INIT;
	char path[MANIFEST_ID_MAX + 8];
	const uint8_t *pl;
	uint8_t *buf = NULL;
	uint64_t size;
	size_t len, used, plen, flen;
	struct vote *v;
	int ret;

	if ((v = ledger_vote(lg, seq, g->vote_id)) == NULL)
		return;
	size = v->durable_end;
	snprintf(path, sizeof(path), "%s.log", g->vote_id);
	if (size < LOG_HEADER_LEN ||
	    (g->offset != 0 && g->offset < LOG_HEADER_LEN)) {
		ledger_fail(lg, seq, TALLY_ERR_INVALID_ARG, "bad offset");
		return;
	}
	ret = read_at(path, g->offset, LEDGER_CHUNK, &buf, &len, size);
	used = g->offset == 0 ? LOG_HEADER_LEN : 0;
	/* A first frame larger than the chunk: read exactly that frame. */
	if (ret == 0 && len >= used + LOG_FRAME_HEAD && log_frame_decode(buf +
	    used, len - used, &pl, &plen, &flen) == TALLY_ERR_TRUNCATED) {
		flen = LOG_FRAME_HEAD + ((size_t)buf[used] << 24 |
		    (size_t)buf[used + 1] << 16 | (size_t)buf[used + 2] << 8 |
		    buf[used + 3]);
		free(buf);
		if (flen <= LOG_FRAME_HEAD + LOG_MAX_RECORD)
			ret = read_at(path, g->offset, used + flen, &buf, &len,
			    size);
		else
			buf = NULL, ret = TALLY_ERR_LOG_CORRUPT;
	}
	if (ret != 0) {
		ledger_fail(lg, seq, ret, "cannot read the log at that offset");
		free(buf);
		return;
	}
	while (used < len && log_frame_decode(buf + used, len - used, &pl,
	    &plen, &flen) == 0 && (used + flen <= LEDGER_CHUNK || used == 0 ||
	    (g->offset == 0 && used == LOG_HEADER_LEN)))
		used += flen;
	if (used == 0 && len > 0) {
		ledger_fail(lg, seq, TALLY_ERR_INVALID_ARG, "offset is not at "
		    "a record");
		free(buf);
		return;
	}
	gr.chunk.data = buf;
	gr.chunk.len = used;
	gr.next_offset = g->offset + used;
	gr.done = gr.next_offset >= size;
	resp.body_case = TALLY__RESPONSE__BODY_GET_RECORD;
	resp.get_record = &gr;
	ledger_send(lg, seq, &resp);
	free(buf);
}

/* --------------------------------------- proofs on the verification threads */

static void
ledger_job_run(struct job *job)
{
	struct ledger_job *lj = job->arg;

	election_job_run(&lj->ej);
}

static const char *
ledger_job_name(const Tally__LogRecord *rec)
{
	switch (rec->body_case) {
	case TALLY__LOG_RECORD__BODY_SHUFFLE:
		return "shuffle";
	case TALLY__LOG_RECORD__BODY_RESULT:
		return "tally";
	default:
		return "share";
	}
}

/* The count is recorded as the Result, answered after the final
 * Checkpoint. */
static void
ledger_job_result(struct ledger_job *lj, struct vote *v, uint64_t seq)
{
	Tally__Result res = TALLY__RESULT__INIT;
	struct inflight *f;

	count_result_to_proto(lj->ej.cr, &res);
	lj->rec.result = &res;
	if ((f = ledger_append(lj->lg, v, &lj->rec, seq,
	    TALLY__REQUEST__BODY_TALLY, 1)) != NULL) {
		f->reply = 0;	/* after the final Checkpoint */
		f->final = 1;
		log_info("vote %s tallied", v->id);
	}
	lj->rec.result = NULL;
}

static void
ledger_job_log(const struct vote *v, const Tally__LogRecord *rec)
{
	if (rec->body_case == TALLY__LOG_RECORD__BODY_SHUFFLE)
		log_info("vote %s: shuffle %u of the write-ins by scrutineer "
		    "%u recorded (%u needed)", v->id, rec->shuffle->step,
		    rec->shuffle->mixer, v->created->transcript->quorum);
	else
		log_info("vote %s: share of trustee %u recorded (%u of %u "
		    "needed)", v->id, rec->decryption_share->trustee,
		    v->shares, v->created->transcript->quorum);
}

/* Back on the loop: record what verified and answer. With the frontend
 * gone there is nobody to answer: nothing is recorded. */
static void
ledger_job_done(struct job *job)
{
	struct ledger_job *lj = job->arg;
	struct ledger *lg = lj->lg;
	struct vote *v = lj->ej.v;
	uint64_t seq = lj->lr->seq;
	char msg[256] = "";
	int ret, tallied = 0;

	if (lg->eof)
		log_info("vote %s: a %s done after the frontend left: not "
		    "recorded", v->id, ledger_job_name(&lj->rec));
	else if (!ledger_writable(lg, seq, v))
		;
	else if ((ret = election_job_end(&lj->ej, msg, sizeof(msg))) != 0)
		ledger_fail(lg, seq, ret, msg);
	else if (lj->rec.body_case == TALLY__LOG_RECORD__BODY_RESULT) {
		ledger_job_result(lj, v, seq);
		tallied = 1;
	} else if (ledger_submit(lg, v, &lj->rec, seq,
	    lj->lr->request->body_case, 1) != NULL)
		ledger_job_log(v, &lj->rec);
	election_job_clear(&lj->ej);
	tally__ledger_request__free_unpacked(lj->lr, NULL);
	free(lj);
	/* The Result freed the vote's mix state and shares, and the count's
	 * input and output are freed just above: give that memory back, the
	 * verification threads' arenas included (glibc keeps freed heap
	 * otherwise). */
	if (tallied)
		malloc_trim(0);
}

/*
 * The cheap checks of rec now, its proofs (a tally's count) on a
 * verification thread: the loop goes on with every other request
 * meanwhile. 1 when lr was kept
 * (it is freed once answered), 0 when it was answered already.
 */
static int
ledger_verify(struct ledger *lg, Tally__LedgerRequest *lr, struct vote *v,
    const Tally__LogRecord *rec)
{
	struct ledger_job *lj;
	char msg[256] = "";
	int ret;

	if (!ledger_writable(lg, lr->seq, v))
		return 0;
	if ((lj = calloc(1, sizeof(*lj))) == NULL)
		fatalx("out of memory");
	lj->rec = *rec;
	if ((ret = election_job_begin(&lj->ej, v, &lj->rec, msg,
	    sizeof(msg))) != 0) {
		ledger_fail(lg, lr->seq, ret, msg);
		free(lj);
		return 0;
	}
	if (rec->body_case == TALLY__LOG_RECORD__BODY_SHUFFLE)
		log_info("vote %s: shuffle %u of the write-ins by scrutineer "
		    "%u: verifying its proof", v->id, rec->shuffle->step,
		    rec->shuffle->mixer);
	lj->lg = lg;
	lj->lr = lr;
	lj->job.run = ledger_job_run;
	lj->job.done = ledger_job_done;
	lj->job.arg = lj;
	workers_submit(lg->verifiers, &lj->job);
	return 1;
}

/* A trustee's DecryptionShare or a scrutineer's Shuffle: its record, with
 * its proofs checked on a verification thread (ledger_verify). */
static int
ledger_submit_proven(struct ledger *lg, Tally__LedgerRequest *lr)
{
	const Tally__Request *r = lr->request;
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	const char *id;
	struct vote *v;

	if (r->body_case == TALLY__REQUEST__BODY_SUBMIT_SHARE) {
		id = r->submit_share->vote_id;
		rec.body_case = TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE;
		rec.decryption_share = r->submit_share->share;
	} else {
		id = r->submit_shuffle->vote_id;
		rec.body_case = TALLY__LOG_RECORD__BODY_SHUFFLE;
		rec.shuffle = r->submit_shuffle->shuffle;
	}
	if ((v = ledger_vote(lg, lr->seq, id)) == NULL)
		return 0;
	return ledger_verify(lg, lr, v, &rec);
}

/*
 * A witness's cosignature of the vote's log, recorded once checked
 * (election_check). The same cosignature again, or an older one of the
 * same size (a retry after a lost answer), is answered as recorded
 * without a second record.
 */
static void
ledger_add_cosignature(struct ledger *lg, uint64_t seq,
    Tally__AddCosignatureRequest *ac)
{
	Tally__Response resp = TALLY__RESPONSE__INIT;
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	const Tally__Cosignature *c;
	uint8_t root[HASH_LEN];
	char fp[WITNESS_FP_LEN] = "?";
	struct vote *v;
	int w;

	if ((v = ledger_vote(lg, seq, ac->vote_id)) == NULL)
		return;
	c = ac->cosignature;
	if ((w = election_witness(v, c)) >= 0 && c->size == v->wsize[w] &&
	    c->root.len == HASH_LEN && log_root(v->log, c->size, root) == 0 &&
	    memcmp(root, c->root.data, HASH_LEN) == 0) {
		ledger_send(lg, seq, &resp);
		return;
	}
	rec.body_case = TALLY__LOG_RECORD__BODY_COSIGNATURE;
	rec.cosignature = ac->cosignature;
	if (ledger_append(lg, v, &rec, seq,
	    TALLY__REQUEST__BODY_ADD_COSIGNATURE, 1) != NULL) {
		(void)witness_fingerprint(fp, c->witness_key.data);
		log_info("vote %s: witness %s cosigned %llu records%s", v->id,
		    fp, (unsigned long long)c->size, c->size == v->seal_size ?
		    " (the seal)" : "");
	}
}

/* Combine the shares and count on a verification thread (a share being
 * checked may be one of the k the count takes: E_BUSY meanwhile), then
 * record the Result and the final Checkpoint; answer with the Result once
 * that is durable. A tallied vote answers with its recorded Result. 1
 * when lr was kept by the job, else 0. */
static int
ledger_tally(struct ledger *lg, Tally__LedgerRequest *lr)
{
	Tally__TallyRequest *t = lr->request->tally;
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	struct vote *v;

	if ((v = ledger_vote(lg, lr->seq, t->vote_id)) == NULL)
		return 0;
	if (v->state == VOTE_TALLIED && v->final) {
		ledger_send_result(lg, lr->seq, v);
		return 0;
	}
	if (v->state != VOTE_CLOSED || !v->aggregated) {
		ledger_fail(lg, lr->seq, TALLY_ERR_VOTE_STATE, "the vote is "
		    "not closed");
		return 0;
	}
	rec.body_case = TALLY__LOG_RECORD__BODY_RESULT;	/* once counted */
	return ledger_verify(lg, lr, v, &rec);
}

/* 1 when lr was kept by a job (freed when answered), else 0. */
static int
ledger_request(struct ledger *lg, Tally__LedgerRequest *lr)
{
	Tally__Request *r = lr->request;

	switch (r->body_case) {
	case TALLY__REQUEST__BODY_CREATE_VOTE:
		ledger_create(lg, lr->seq, r->create_vote);
		break;
	case TALLY__REQUEST__BODY_OPEN_VOTE:
		ledger_open(lg, lr->seq, r->open_vote);
		break;
	case TALLY__REQUEST__BODY_CLOSE_VOTE:
		ledger_close(lg, lr->seq, r->close_vote);
		break;
	case TALLY__REQUEST__BODY_CAST:
		ledger_cast(lg, lr->seq, r->cast);
		break;
	case TALLY__REQUEST__BODY_SPOIL:
		ledger_spoil(lg, lr->seq, r->spoil);
		break;
	case TALLY__REQUEST__BODY_STATUS:
		ledger_status(lg, lr->seq, r->status);
		break;
	case TALLY__REQUEST__BODY_GET_VOTE:
		ledger_get_vote(lg, lr->seq, r->get_vote);
		break;
	case TALLY__REQUEST__BODY_GET_RECORD:
		ledger_get_record(lg, lr->seq, r->get_record);
		break;
	case TALLY__REQUEST__BODY_SUBMIT_SHARE:
	case TALLY__REQUEST__BODY_SUBMIT_SHUFFLE:
		return ledger_submit_proven(lg, lr);
	case TALLY__REQUEST__BODY_TALLY:
		return ledger_tally(lg, lr);
	case TALLY__REQUEST__BODY_ADD_COSIGNATURE:
		ledger_add_cosignature(lg, lr->seq, r->add_cosignature);
		break;
	default:
		ledger_fail(lg, lr->seq, TALLY_ERR_INTERNAL,
		    "not implemented in this version");
		break;
	}
	return 0;
}

/* ------------------------------------------------------- recovery, loop */

static int
ledger_replay(void *arg, const Tally__LogRecord *rec,
    const struct log_result *r)
{
	return election_apply(arg, rec);
}

static void
ledger_recover(struct ledger *lg)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	struct vote *v;
	struct log_opts o = ledger_log_opts();
	char id[MANIFEST_ID_MAX + 1], err[256];
	size_t n;
	int ret;

	if ((d = opendir(".")) == NULL)
		fatal("cannot read the data directory");
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || n - 4 > MANIFEST_ID_MAX || de->d_name[0] == '.' ||
		    strcmp(de->d_name + n - 4, ".log") != 0)
			continue;
		memcpy(id, de->d_name, n - 4);
		id[n - 4] = '\0';
		if ((v = vote_new(id)) == NULL)
			fatalx("out of memory");
		o.replay = ledger_replay;
		o.replay_arg = v;
		if ((ret = log_open(de->d_name, &o, &v->log, err,
		    sizeof(err))) != 0)
			fatalx("%s: %s: %s", de->d_name, tally_errname(ret),
			    err);
		if (v->records == 0) {
			/* A crash between creating the log and writing its
			 * VoteCreated: nothing was acknowledged. Remove it,
			 * or the vote id would be blocked for good. */
			log_close(v->log);
			vote_free(v);
			if (unlink(de->d_name) == -1)
				fatal("unlink %s", de->d_name);
			log_info("vote %s: its log held no record (a create "
			    "cut short): removed", id);
			continue;
		}
		/* What log_open kept is what it counts as durable. */
		if (stat(de->d_name, &st) == -1)
			fatal("stat %s", de->d_name);
		v->durable_end = (uint64_t)st.st_size;
		TAILQ_INSERT_TAIL(&lg->votes, v, entry);
		log_info("vote %s recovered: %s, %llu ballots, %llu records",
		    id, vote_state_name(v->state),
		    (unsigned long long)v->ballots,
		    (unsigned long long)v->records);
	}
	closedir(d);
}

/* A crash between PollsClosed and the Aggregate: finish sealing now. */
static void
ledger_finish_closing(struct ledger *lg)
{
	struct vote *v;
	uint64_t size;
	uint8_t root[HASH_LEN], head[HASH_LEN];

	TAILQ_FOREACH(v, &lg->votes, entry) {
		if (!(v->state == VOTE_CLOSED && !v->aggregated) &&
		    !(v->state == VOTE_TALLIED && !v->final))
			continue;
		if (log_state(v->log, &size, root, head) != 0)
			fatalx("vote %s: no log state", v->id);
		log_info("vote %s: completing its %s records", v->id,
		    v->state == VOTE_CLOSED ? "closing" : "final");
		if (v->state == VOTE_CLOSED)
			ledger_seal(lg, v, size, root, head, 0);
		else
			ledger_checkpoint(lg, v, size, root, head, 0, 0, 0);
	}
}

/* Read what the frontend sent; handle every whole frame. */
static void
ledger_read(struct ledger *lg, uint8_t **buf, size_t *have, size_t *cap)
{
	Tally__LedgerRequest *lr;
	const uint8_t *payload;
	uint32_t type, plen;
	size_t total, off = 0;
	ssize_t n;
	int ret;

	if (*cap - *have < 65536) {
		*cap = *cap * 2 + 65536;
		if ((*buf = realloc(*buf, *cap)) == NULL)
			fatalx("out of memory");
	}
	n = read(lg->fd, *buf + *have, *cap - *have);
	if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
		lg->eof = 1;
		return;
	}
	if (n > 0)
		*have += (size_t)n;
	while ((ret = ipc_frame_peek(*buf + off, *have - off, &type, &payload,
	    &plen, &total)) == 0) {
		if (type != IPC_LEDGER_REQUEST ||
		    ipc_decode_request(payload, plen, &lr) != 0)
			fatalx("frontend sent a bad frame");
		if (!ledger_request(lg, lr))
			tally__ledger_request__free_unpacked(lr, NULL);
		off += total;
	}
	if (ret != TALLY_ERR_TRUNCATED)
		fatalx("frontend sent a bad frame header");
	memmove(*buf, *buf + off, *have - off);
	*have -= off;
}

static void
ledger_loop(struct ledger *lg)
{
	struct pollfd pfd[2];
	uint8_t *buf = NULL;
	size_t have = 0, cap = 0;

	pfd[0].fd = lg->fd;
	pfd[1].fd = lg->wake[0];
	pfd[0].events = pfd[1].events = POLLIN;
	/* At the end, wait for the verification threads too: they read
	 * votes that are freed after the loop. */
	while (!lg->eof || lg->inflight > 0 ||
	    workers_busy(lg->verifiers) > 0) {
		pfd[0].fd = lg->eof ? -1 : lg->fd;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & POLLIN) {
			ledger_drain_done(lg);
			workers_finish(lg->verifiers);
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			ledger_read(lg, &buf, &have, &cap);
	}
	free(buf);
}

/*
 * Before intake: the data directory takes a file and its sync, as the
 * daemon's user (issue 12, finding 9). A full disk (or one mounted
 * read-only, or a quota) stops tallyd here with the cause, rather than
 * after "ready" at the first cast. LEDGER_PROBE bytes: more than any
 * ballot's record, so that a disk with a few blocks left is found full.
 */
static void
ledger_probe(const char *data_dir)
{
	static const uint8_t zero[LEDGER_PROBE];
	size_t off = 0;
	ssize_t n;
	int fd, e = 0;

	(void)unlink(LEDGER_PROBE_NAME);	/* left by a crash */
	if ((fd = open(LEDGER_PROBE_NAME, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, 0600)) == -1)
		e = errno;
	while (e == 0 && off < sizeof(zero)) {
		n = pwrite(fd, zero + off, sizeof(zero) - off, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			e = n == 0 ? EIO : errno;
		else
			off += (size_t)n;
	}
	if (e == 0 && fdatasync(fd) == -1)
		e = errno;
	if (fd != -1 && close(fd) == -1 && e == 0)
		e = errno;
	if (fd != -1 && unlink(LEDGER_PROBE_NAME) == -1 && e == 0)
		e = errno;
	if (e != 0)
		fatalx("E_STORAGE: data_dir %s: cannot write a %u KiB file and "
		    "sync it: %s: intake not started", data_dir,
		    LEDGER_PROBE / 1024, strerror(e));
}

#define LEDGER_ARENAS	4

void
ledger_main(const struct config *cfg, int ipc_fd,
    const struct sandbox_user *user)
{
	struct ledger lg;
	struct vote *v;
	unsigned int nverifiers;
	int ret;

	log_setproc("ledger");
	memset(&lg, 0, sizeof(lg));
	lg.fd = ipc_fd;
	TAILQ_INIT(&lg.votes);
	pthread_mutex_init(&lg.lock, NULL);
	lg.done_tail = &lg.done_head;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);	/* stop when the frontend is gone */
	if ((ret = ed25519_key_load(cfg->ledger_key, lg.sk, lg.pk)) != 0)
		fatalx("E_CONFIG: ledger_key %s: %s", cfg->ledger_key,
		    tally_strerror(ret));
	if (pipe2(lg.wake, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	sandbox_warm_openssl();
	/* Before the filter: the CPU count is read from /sys. */
	nverifiers = cfg->workers ? cfg->workers : workers_default();
	if (nverifiers > LEDGER_VERIFIERS_MAX)
		nverifiers = LEDGER_VERIFIERS_MAX;
	if (chdir(cfg->data_dir) == -1)
		fatal("chdir %s", cfg->data_dir);
	/* One log writer thread per vote: they allocate little and share
	 * arenas with the main thread. */
	sandbox_enter(SANDBOX_LEDGER, cfg->data_dir, user, LEDGER_ARENAS);
	/* A fixed threshold: glibc's own rises after the first large free
	 * (up to 32 MB), so that a verification thread's lists (a shuffle's
	 * decoded tuples, a count's entries) came from its arena, whose
	 * pages malloc_trim could not give back between the blocks still in
	 * use: 5.3 MB left after a 3,000-ballot write-in vote's tally, 1.3 MB
	 * now (docs/tallyd.md, "Ledger memory"). */
	(void)mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/* After the filter, which a thread inherits only when it is created
	 * after it (no TSYNC). */
	if ((lg.verifiers = workers_new(nverifiers, ledger_wake, &lg)) ==
	    NULL)
		fatalx("cannot start the verification threads");
	ledger_probe(cfg->data_dir);
	ledger_recover(&lg);
	malloc_trim(0);	/* the tallied votes' write-in lists, read and freed */
	ledger_finish_closing(&lg);
	log_info("ready");
	ledger_loop(&lg);
	while ((v = TAILQ_FIRST(&lg.votes)) != NULL) {
		TAILQ_REMOVE(&lg.votes, v, entry);
		log_close(v->log);
		vote_free(v);
	}
	OPENSSL_cleanse(lg.sk, sizeof(lg.sk));
	log_info("stopped");
	exit(0);
}
