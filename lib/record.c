/* record.c: offline verification of a vote's record and of receipts. */
#include "record.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ballot.h"
#include "challenge.h"
#include "ceremony.h"
#include "checkpoint.h"
#include "count.h"
#include "err.h"
#include "group.h"
#include "log.h"
#include "manifest.h"
#include "merkle.h"
#include "mixnet.h"
#include "pb.h"
#include "rules.h"
#include "votectx.h"
#include "witness.h"

_Static_assert(RECORD_WITNESS_MAX == WITNESS_MAX, "record.h");

#define NONE SIZE_MAX
/* Ballots per proof batch: small enough that a failing batch is cheap to
 * re-check one by one, large enough to amortise the multiplication. */
#define BATCH_BALLOTS 64

enum rv_state {
	ST_EMPTY, ST_CREATED, ST_OPEN, ST_CLOSED, ST_SEALED, ST_AGGREGATED,
	ST_RESULT, ST_DONE
};

struct rv {
	const struct record_opts *o;
	struct record_report *rep;
	pthread_mutex_t mu;
	uint64_t progress_done;
	const char *progress_phase;
	/* the records */
	Tally__LogRecord **rec;
	uint8_t (*rhash)[HASH_LEN];
	size_t n, cap;
	struct merkle_tree *tree;
	/* where things are */
	size_t opened, closed, agg, result;
	size_t *ballots, nballots;
	size_t *spoiled, nspoiled;
	size_t *shares, nshares;
	size_t *shuffles, nshuffles;
	size_t *cps, ncps;
	size_t *cosigs, ncosigs;
	enum rv_state state;
	/* how far each check got: a follower checks only what is new */
	size_t checked;			/* records through rv_structure */
	size_t cps_done, cosigs_done, bdone, sdone;
	int polls_done, agg_done, result_done;
	uint64_t wsize[WITNESS_MAX], wtime[WITNESS_MAX];
	uint32_t seal_before, seal_all;
	char origin[WITNESS_ORIGIN_MAX];
	/* the vote */
	const Tally__VoteCreated *vc;
	struct vote_ctx vx;		/* vote_ctx_init of vc */
	/* what the ballots yield */
	struct elgamal_ct *sums;
	size_t nsums;
	struct count_item *items;
	size_t nitems;
	uint8_t (*creds)[32];
	uint8_t (*sel_a)[33];
	struct mixnet mx;		/* the write-in list after the shuffles */
	int mx_done;			/* mx made from the ballots' list */
	size_t shuffles_done;
};

static int rv_fail(struct rv *v, uint64_t index, const char *check,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
rv_fail(struct rv *v, uint64_t index, const char *check, const char *fmt,
    ...)
{
	va_list ap;

	v->rep->index = index;
	snprintf(v->rep->check, sizeof(v->rep->check), "%s", check);
	va_start(ap, fmt);
	vsnprintf(v->rep->reason, sizeof(v->rep->reason), fmt, ap);
	va_end(ap);
	return TALLY_ERR_VERIFY;
}

static void
rv_progress(struct rv *v, const char *phase, uint64_t add, uint64_t total)
{
	if (v->o->progress == NULL)
		return;
	pthread_mutex_lock(&v->mu);
	if (v->progress_phase == NULL ||
	    strcmp(v->progress_phase, phase) != 0) {
		v->progress_phase = phase;
		v->progress_done = 0;
	}
	v->progress_done += add;
	v->o->progress(v->o->progress_arg, phase, v->progress_done, total);
	pthread_mutex_unlock(&v->mu);
}

static const char *
body_name(int c)
{
	switch (c) {
	case TALLY__LOG_RECORD__BODY_VOTE_CREATED: return "VoteCreated";
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED: return "PollsOpened";
	case TALLY__LOG_RECORD__BODY_BALLOT: return "Ballot";
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED: return "PollsClosed";
	case TALLY__LOG_RECORD__BODY_AGGREGATE: return "Aggregate";
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE: return "DecryptionShare";
	case TALLY__LOG_RECORD__BODY_RESULT: return "Result";
	case TALLY__LOG_RECORD__BODY_CHECKPOINT: return "Checkpoint";
	case TALLY__LOG_RECORD__BODY_SPOILED: return "SpoiledBallot";
	case TALLY__LOG_RECORD__BODY_COSIGNATURE: return "Cosignature";
	case TALLY__LOG_RECORD__BODY_SHUFFLE: return "Shuffle";
	case TALLY__LOG_RECORD__BODY_TEST: return "test";
	default: return "unknown";
	}
}

static void
rv_free(struct rv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		tally__log_record__free_unpacked(v->rec[i], NULL);
	free(v->rec);
	free(v->rhash);
	merkle_tree_free(v->tree);
	free(v->ballots);
	free(v->spoiled);
	free(v->shares);
	free(v->shuffles);
	mixnet_clear(&v->mx);
	free(v->cps);
	free(v->cosigs);
	vote_ctx_clear(&v->vx);
	for (i = 0; v->sums != NULL && i < v->nsums; i++)
		elgamal_ct_clear(&v->sums[i]);
	free(v->sums);
	free(v->items);
	free(v->creds);
	free(v->sel_a);
	pthread_mutex_destroy(&v->mu);
}

/* ------------------------------------------------ framing and chain */

static int
rv_push(struct rv *v, Tally__LogRecord *rec, const struct log_entry *e)
{
	size_t ncap;
	void *p;

	if (v->n == v->cap) {
		ncap = v->cap ? 2 * v->cap : 256;
		if ((p = reallocarray(v->rec, ncap, sizeof(*v->rec))) == NULL)
			return TALLY_ERR_NOMEM;
		v->rec = p;
		if ((p = reallocarray(v->rhash, ncap, sizeof(*v->rhash))) ==
		    NULL)
			return TALLY_ERR_NOMEM;
		v->rhash = p;
		v->cap = ncap;
	}
	v->rec[v->n] = rec;
	memcpy(v->rhash[v->n], e->record_hash, HASH_LEN);
	v->n++;
	return merkle_tree_append(v->tree, e->leaf_hash);
}

static int
rv_read_all(struct rv *v, struct log_reader *r, char *err)
{
	ProtobufCMessage *msg;
	struct log_entry e;
	int ret;

	for (;;) {
		if ((ret = log_reader_next(r, &e)) == 0)
			break;
		if (ret < 0)
			return rv_fail(v, v->n, ret == TALLY_ERR_LOG_CHAIN ?
			    "chain" : "framing", "%s", err);
		if (pb_unpack_strict(&tally__log_record__descriptor,
		    e.payload, e.len, LOG_MAX_RECORD, &msg) != 0)
			return rv_fail(v, v->n, "framing",
			    "record is not in canonical encoding");
		if ((ret = rv_push(v, (Tally__LogRecord *)msg, &e)) != 0) {
			if (v->n == 0 || v->rec[v->n - 1] != (void *)msg)
				protobuf_c_message_free_unpacked(msg, NULL);
			return ret;
		}
		if (v->n % 1024 == 0)
			rv_progress(v, "read", 1024, 0);
	}
	if (log_reader_torn(r) != 0)
		return rv_fail(v, v->n, "framing",
		    "%llu bytes of an incomplete record at the end",
		    (unsigned long long)log_reader_torn(r));
	return 0;
}

static int
rv_read(struct rv *v, const char *path)
{
	struct log_reader *r = NULL;
	char err[RECORD_REASON_MAX];
	int ret;

	err[0] = '\0';
	if ((v->tree = merkle_tree_new()) == NULL)
		return TALLY_ERR_NOMEM;
	ret = log_reader_open(path, &r, err, sizeof(err));
	if (ret == TALLY_ERR_NOT_FOUND || ret == TALLY_ERR_IO ||
	    ret == TALLY_ERR_NOMEM) {
		rv_fail(v, 0, "read", "%s: %s", path, err);
		return ret;
	}
	if (ret != 0)
		return rv_fail(v, 0, "framing", "%s", err);
	ret = rv_read_all(v, r, err);
	log_reader_free(r);
	v->rep->records = v->n;
	return ret;
}

/* ---------------------------------------------------------- structure */

static int
rv_list_add(size_t **list, size_t *n, size_t i)
{
	size_t *p;

	if ((p = reallocarray(*list, *n + 1, sizeof(**list))) == NULL)
		return TALLY_ERR_NOMEM;
	p[(*n)++] = i;
	*list = p;
	return 0;
}

/* The state after a record of kind c in state s, or -1. */
static int
rv_next_state(enum rv_state s, int c)
{
	switch (c) {
	case TALLY__LOG_RECORD__BODY_CHECKPOINT:
		if (s == ST_EMPTY || s == ST_DONE)
			return -1;
		return s == ST_CLOSED ? ST_SEALED : s == ST_RESULT ? ST_DONE :
		    (int)s;
	case TALLY__LOG_RECORD__BODY_VOTE_CREATED:
		return s == ST_EMPTY ? ST_CREATED : -1;
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
		return s == ST_CREATED ? ST_OPEN : -1;
	case TALLY__LOG_RECORD__BODY_BALLOT:
	case TALLY__LOG_RECORD__BODY_SPOILED:
		return s == ST_OPEN ? ST_OPEN : -1;
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED:
		return s == ST_OPEN ? ST_CLOSED : -1;
	case TALLY__LOG_RECORD__BODY_AGGREGATE:
		return s == ST_SEALED ? ST_AGGREGATED : -1;
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE:
		return s == ST_AGGREGATED ? ST_AGGREGATED : -1;
	case TALLY__LOG_RECORD__BODY_SHUFFLE:
		return s == ST_AGGREGATED ? ST_AGGREGATED : -1;
	case TALLY__LOG_RECORD__BODY_RESULT:
		return s == ST_AGGREGATED ? ST_RESULT : -1;
	case TALLY__LOG_RECORD__BODY_COSIGNATURE:
		return s == ST_CREATED || s == ST_OPEN || s == ST_AGGREGATED ?
		    (int)s : -1;
	default:
		return -1;
	}
}

static const char *state_name[] = {
	"at the start", "before PollsOpened", "while the polls are open",
	"right after PollsClosed (a Checkpoint must follow)",
	"after the closing Checkpoint (the Aggregate must follow)",
	"after the Aggregate", "after the Result (only a Checkpoint may follow)",
	"after the final Checkpoint"
};

static int
rv_note(struct rv *v, size_t i, int c)
{
	switch (c) {
	case TALLY__LOG_RECORD__BODY_CHECKPOINT:
		return rv_list_add(&v->cps, &v->ncps, i);
	case TALLY__LOG_RECORD__BODY_BALLOT:
		return rv_list_add(&v->ballots, &v->nballots, i);
	case TALLY__LOG_RECORD__BODY_SPOILED:
		return rv_list_add(&v->spoiled, &v->nspoiled, i);
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE:
		return rv_list_add(&v->shares, &v->nshares, i);
	case TALLY__LOG_RECORD__BODY_COSIGNATURE:
		return rv_list_add(&v->cosigs, &v->ncosigs, i);
	case TALLY__LOG_RECORD__BODY_SHUFFLE:
		return rv_list_add(&v->shuffles, &v->nshuffles, i);
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
		v->opened = i;
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED:
		v->closed = i;
		break;
	case TALLY__LOG_RECORD__BODY_AGGREGATE:
		v->agg = i;
		break;
	case TALLY__LOG_RECORD__BODY_RESULT:
		v->result = i;
		break;
	}
	return 0;
}

static int
rv_structure(struct rv *v)
{
	size_t i;
	int c, s, ret;

	if (v->checked == 0) {
		v->opened = v->closed = v->agg = v->result = NONE;
		v->state = ST_EMPTY;
	}
	if (v->n == 0)
		return rv_fail(v, 0, "incomplete", "the record is empty");
	for (i = v->checked; i < v->n; i++) {
		c = v->rec[i]->body_case;
		if ((s = rv_next_state(v->state, c)) < 0)
			return rv_fail(v, i, "structure",
			    "%s record %s", body_name(c),
			    state_name[v->state]);
		if (c == TALLY__LOG_RECORD__BODY_SHUFFLE && v->nshares > 0)
			return rv_fail(v, i, "structure", "Shuffle record "
			    "after a DecryptionShare: only the last list is "
			    "decrypted");
		v->state = (enum rv_state)s;
		if ((ret = rv_note(v, i, c)) != 0)
			return ret;
	}
	v->checked = v->n;
	v->vc = v->rec[0]->vote_created;
	snprintf(v->rep->vote_id, sizeof(v->rep->vote_id), "%s",
	    v->vc->vote_id);
	v->rep->ballots = v->nballots;
	v->rep->spoiled = v->nspoiled;
	v->rep->shares = v->nshares;
	v->rep->shuffles = v->nshuffles;
	v->rep->checkpoints = v->ncps;
	v->rep->complete = v->state == ST_DONE;
	v->rep->state = v->state == ST_CREATED ? "created" :
	    v->state == ST_OPEN ? "open" : v->state >= ST_RESULT ? "counted" :
	    "closed";
	return 0;
}

/* ------------------------------------------------------- checkpoints */

static int
rv_checkpoint(struct rv *v, size_t i)
{
	struct checkpoint cp;
	uint8_t root[HASH_LEN];
	int ret;

	if (checkpoint_from_proto(&cp, v->rec[i]->checkpoint) != 0)
		return rv_fail(v, i, "checkpoint", "malformed checkpoint");
	if (cp.size != i)
		return rv_fail(v, i, "checkpoint", "size %llu, expected %zu",
		    (unsigned long long)cp.size, i);
	if ((ret = merkle_tree_root(v->tree, i, root)) != 0)
		return ret;
	if (CRYPTO_memcmp(root, cp.root, HASH_LEN) != 0)
		return rv_fail(v, i, "checkpoint",
		    "root differs from the tree of records 0..%zu", i - 1);
	if (CRYPTO_memcmp(v->rhash[i - 1], cp.head, HASH_LEN) != 0)
		return rv_fail(v, i, "checkpoint",
		    "chain head differs from the hash of record %zu", i - 1);
	if (checkpoint_verify(&cp, v->vc->vote_id, v->vc->ledger_key.data) !=
	    0)
		return rv_fail(v, i, "checkpoint",
		    "signature does not verify under the ledger key");
	return 0;
}

static int
rv_checkpoints(struct rv *v)
{
	int ret;

	if (v->vc->ledger_key.len != ED25519_KEY_LEN)
		return rv_fail(v, 0, "checkpoint",
		    "ledger key is not %d bytes", ED25519_KEY_LEN);
	for (; v->cps_done < v->ncps; v->cps_done++)
		if ((ret = rv_checkpoint(v, v->cps[v->cps_done])) != 0)
			return ret;
	return 0;
}

/* --------------------------------------------- manifest, keys, H_E */

/* Everything vote_ctx_init checks, reported as the check it names. */
static int
rv_vote(struct rv *v)
{
	struct vote_ctx_error why;
	int ret;

	if (v->vx.m != NULL)
		return 0;	/* a follower's second call */
	if ((ret = vote_ctx_init(&v->vx, v->vc, &why)) == TALLY_ERR_NOMEM)
		return ret;
	if (ret != 0)
		return rv_fail(v, 0, why.check, "%s", why.reason);
	memcpy(v->rep->election_hash, v->vx.election_hash, 32);
	return 0;
}

static int
rv_polls(struct rv *v)
{
	const Tally__PollsOpened *po;
	char err[RECORD_REASON_MAX];

	if (v->opened == NONE || v->polls_done)
		return 0;
	v->polls_done = 1;
	po = v->rec[v->opened]->polls_opened;
	v->rep->present = po->present;
	v->rep->issued = po->issued;
	if (rules_quorum_check(v->vx.m, po->present, err, sizeof(err)) != 0)
		return rv_fail(v, v->opened, "quorum", "%s", err);
	return 0;
}

/* ------------------------------------------------- witnesses, seal */

/* One Cosignature record (docs/record/witness.md): a witness of the vote,
 * over the root of a prefix of the records before it, signed in the C2SP
 * format, never behind that witness's previous one. */
static int
rv_cosignature(struct rv *v, size_t i, uint64_t *wsize, uint64_t *wtime,
    const char *origin, int *who)
{
	const Tally__Cosignature *c = v->rec[i]->cosignature;
	uint8_t root[HASH_LEN];
	int w, ret;

	w = witness_set_find(v->vc->witness_keys, v->vc->n_witness_keys,
	    c->witness_key.data, c->witness_key.len);
	if (w < 0)
		return rv_fail(v, i, "cosignature",
		    "signed by a key that is not a witness of the vote");
	if (c->root.len != HASH_LEN || c->size == 0 || c->size > i)
		return rv_fail(v, i, "cosignature", "witness %d cosigns %llu "
		    "records; %zu come before it", w,
		    (unsigned long long)c->size, i);
	if ((ret = merkle_tree_root(v->tree, c->size, root)) != 0)
		return ret;
	if (CRYPTO_memcmp(root, c->root.data, HASH_LEN) != 0)
		return rv_fail(v, i, "cosignature", "witness %d cosigns a root "
		    "of %llu records that is not this record's", w,
		    (unsigned long long)c->size);
	if (witness_cosig_verify(c, origin) != 0)
		return rv_fail(v, i, "cosignature", "witness %d: the signature "
		    "does not verify", w);
	if (c->size < wsize[w] || c->timestamp < wtime[w])
		return rv_fail(v, i, "cosignature", "witness %d goes backwards "
		    "(%llu records after %llu)", w,
		    (unsigned long long)c->size, (unsigned long long)wsize[w]);
	wsize[w] = c->size;
	wtime[w] = c->timestamp;
	*who = w;
	return 0;
}

/*
 * Every cosignature, then the seal: the sealed log is the records up to
 * PollsClosed; a vote with witnesses takes no decryption share before a
 * quorum of them cosigned exactly it.
 */
static int
rv_witnesses(struct rv *v)
{
	uint32_t q = v->vx.witness_quorum;
	size_t i, first_share;
	int w = 0, ret;

	v->rep->witnesses = (uint32_t)v->vx.nwitnesses;
	v->rep->witness_quorum = q;
	for (i = 0; i < v->vx.nwitnesses && i < RECORD_WITNESS_MAX; i++)
		memcpy(v->rep->witness_keys[i], v->vc->witness_keys[i].data,
		    32);
	v->rep->cosignatures = v->ncosigs;
	if (v->closed != NONE && v->rep->seal_size == 0) {
		v->rep->seal_size = v->closed + 1;
		if ((ret = merkle_tree_root(v->tree, v->closed + 1,
		    v->rep->seal_root)) != 0)
			return ret;
	}
	if (v->ncosigs == 0 && q == 0)
		return 0;
	if (v->origin[0] == '\0' && witness_origin(v->origin,
	    v->vc->vote_id, v->vx.election_hash) != 0)
		return rv_fail(v, 0, "cosignature", "vote id unfit for a "
		    "witness origin");
	first_share = v->nshares > 0 ? v->shares[0] : NONE;
	for (; v->cosigs_done < v->ncosigs; v->cosigs_done++) {
		i = v->cosigs[v->cosigs_done];
		if ((ret = rv_cosignature(v, i, v->wsize, v->wtime, v->origin,
		    &w)) != 0)
			return ret;
		if (v->closed == NONE || v->rec[i]->cosignature->size !=
		    v->closed + 1)
			continue;
		v->seal_all |= 1u << w;
		if (i < first_share)
			v->seal_before |= 1u << w;
	}
	v->rep->seal_cosigned = (uint32_t)__builtin_popcount(v->seal_all);
	v->rep->seal_mask = v->seal_all;
	memcpy(v->rep->witness_size, v->wsize, sizeof(v->rep->witness_size));
	if (first_share != NONE &&
	    (uint32_t)__builtin_popcount(v->seal_before) < q)
		return rv_fail(v, first_share, "seal", "a decryption share "
		    "after %d of the %u witness cosignatures of the sealed log "
		    "it needs", __builtin_popcount(v->seal_before), q);
	return 0;
}

/* ------------------------------------------------------------ ballots */

struct bworker {
	struct rv *v;
	pthread_t th;
	size_t lo, hi;
	struct elgamal_ct *sums;	/* this worker's partial sums */
	size_t fail_pos;		/* NONE or the first bad ballot */
	int fail_ret;
	int err;			/* a failure that is not the record's */
};

/* The first of ballots [lo, hi) that fails on its own. */
static size_t
bw_find_bad(struct bworker *w, size_t lo, size_t hi, int *ret)
{
	struct rv *v = w->v;
	size_t p;

	for (p = lo; p < hi; p++) {
		*ret = ballot_verify(v->rec[v->ballots[p]]->ballot, &v->vx.bc,
		    BALLOT_CHECK_ALL, NULL, NULL);
		if (*ret != 0)
			return p;
	}
	*ret = TALLY_ERR_BAD_PROOF;
	return hi;	/* only the batch as a whole fails */
}

/* Verify the pending batch of ballots [lo, hi); 0 or a failure noted. */
static int
bw_flush(struct bworker *w, struct proof_batch **batch, size_t lo, size_t hi)
{
	int ret;

	if (hi > lo && (ret = proof_batch_verify(*batch)) != 0) {
		if (ret != TALLY_ERR_BAD_PROOF) {
			w->err = ret;
			return ret;
		}
		w->fail_pos = bw_find_bad(w, lo, hi, &w->fail_ret);
		if (w->fail_pos == hi)
			w->fail_pos = hi - 1;
		return TALLY_ERR_BAD_PROOF;
	}
	proof_batch_reset(*batch);
	rv_progress(w->v, "ballots", hi - lo, w->v->nballots);
	return 0;
}

/* Check ballot p into the batch and keep what the count needs. */
static int
bw_one(struct bworker *w, struct proof_batch *batch, size_t p)
{
	struct rv *v = w->v;
	const Tally__Ballot *b = v->rec[v->ballots[p]]->ballot;
	struct ballot_info info;
	size_t i, W = v->vx.m->nwriteins;
	int ret;

	memset(&info, 0, sizeof(info));
	if ((ret = ballot_verify(b, &v->vx.bc, BALLOT_CHECK_ALL, batch,
	    &info)) != 0)
		return ret;
	if ((ret = count_items_from_ballot(v->items + p * W, v->vx.m, b)) != 0)
		goto out;
	memcpy(v->creds[p], info.credential, 32);
	memcpy(v->sel_a + p * v->vx.m->nsel, info.sel_a,
	    v->vx.m->nsel * sizeof(*info.sel_a));
	for (i = 0; i < v->vx.m->nsel; i++)
		if ((ret = elgamal_add(&w->sums[i], &w->sums[i],
		    &info.sel[i])) != 0) {
			w->err = ret;
			goto out;
		}
out:
	ballot_info_clear(&info);
	return ret;
}

static void *
bw_run(void *arg)
{
	struct bworker *w = arg;
	struct proof_batch *batch = NULL;
	size_t p, lo = w->lo;
	int ret;

	if ((w->err = proof_batch_new(&batch)) != 0)
		return NULL;
	for (p = w->lo; p < w->hi; p++) {
		if ((ret = bw_one(w, batch, p)) != 0) {
			if (w->err != 0)
				break;
			/* The batch may hold part of ballot p's equations, so
			 * the ballots before it are checked on their own: the
			 * first bad one is the culprit, else p. */
			w->fail_pos = bw_find_bad(w, lo, p, &w->fail_ret);
			if (w->fail_pos == p)
				w->fail_ret = ret;
			break;
		}
		if (p + 1 - lo == BATCH_BALLOTS || p + 1 == w->hi) {
			if (bw_flush(w, &batch, lo, p + 1) != 0)
				break;
			lo = p + 1;
		}
	}
	proof_batch_free(batch);
	return NULL;
}

static unsigned int
rv_threads(const struct rv *v, size_t todo)
{
	long n = v->o->threads;
	size_t most = todo / 8 + 1;

	if (n <= 0 && (n = sysconf(_SC_NPROCESSORS_ONLN)) < 1)
		n = 1;
	if (n > 256)
		n = 256;
	return (size_t)n < most ? (unsigned int)n : (unsigned int)most;
}

static int
bw_init(struct bworker *w, struct rv *v, size_t lo, size_t hi)
{
	size_t i;
	int ret;

	w->v = v;
	w->lo = lo;
	w->hi = hi;
	w->fail_pos = NONE;
	if ((w->sums = calloc(v->vx.m->nsel + 1, sizeof(*w->sums))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < v->vx.m->nsel; i++)
		if ((ret = elgamal_ct_init(&w->sums[i])) != 0)
			return ret;
	return 0;
}

static void
bw_clear(struct bworker *w, size_t nsel)
{
	size_t i;

	for (i = 0; w->sums != NULL && i < nsel; i++)
		elgamal_ct_clear(&w->sums[i]);
	free(w->sums);
}

/* Gather the workers' results: the first failure, the total sums. */
static int
rv_ballots_gather(struct rv *v, struct bworker *w, unsigned int nt)
{
	size_t i, t, first = NONE;
	int ret = 0, fret = 0;

	for (t = 0; t < nt; t++) {
		if (w[t].err != 0)
			return w[t].err;
		if (w[t].fail_pos < first) {
			first = w[t].fail_pos;
			fret = w[t].fail_ret;
		}
	}
	if (first != NONE)
		return rv_fail(v, v->ballots[first], "ballot-proof", "%s (%s)",
		    tally_strerror(fret), tally_errname(fret));
	for (t = 0; t < nt && ret == 0; t++)
		for (i = 0; i < v->vx.m->nsel && ret == 0; i++)
			ret = elgamal_add(&v->sums[i], &v->sums[i],
			    &w[t].sums[i]);
	return ret;
}

/* Room for every ballot so far (a follower's arrays grow). */
static int
rv_ballots_alloc(struct rv *v)
{
	size_t i, B = v->nballots, S = v->vx.m->nsel, W = v->vx.m->nwriteins;
	void *p;

	if (S != 0 && B > SIZE_MAX / 64 / S)
		return TALLY_ERR_TOO_LARGE;
	if (v->sums == NULL) {
		if ((v->sums = calloc(S + 1, sizeof(*v->sums))) == NULL)
			return TALLY_ERR_NOMEM;
		v->nsums = S;
		for (i = 0; i < S; i++)
			if (elgamal_ct_init(&v->sums[i]) != 0)
				return TALLY_ERR_NOMEM;
	}
	v->nitems = B * W;
	if ((p = realloc(v->items, (v->nitems + 1) * sizeof(*v->items))) ==
	    NULL)
		return TALLY_ERR_NOMEM;
	v->items = p;
	if ((p = realloc(v->creds, (B + 1) * sizeof(*v->creds))) == NULL)
		return TALLY_ERR_NOMEM;
	v->creds = p;
	if ((p = realloc(v->sel_a, (B * S + 1) * sizeof(*v->sel_a))) == NULL)
		return TALLY_ERR_NOMEM;
	v->sel_a = p;
	return 0;
}

static int
rv_ballots_proofs(struct rv *v)
{
	struct bworker *w;
	unsigned int nt, t, started = 0;
	size_t per;
	int ret = 0;

	size_t from = v->bdone, todo = v->nballots - v->bdone;

	nt = rv_threads(v, todo);
	if ((w = calloc(nt, sizeof(*w))) == NULL)
		return TALLY_ERR_NOMEM;
	per = (todo + nt - 1) / nt;
	for (t = 0; t < nt && ret == 0; t++) {
		size_t lo = from + (t * per < todo ? t * per : todo);
		size_t hi = lo + per < v->nballots ? lo + per : v->nballots;
		ret = bw_init(&w[t], v, lo, hi);
	}
	for (t = 0; t < nt && ret == 0; t++, started++)
		if (pthread_create(&w[t].th, NULL, bw_run, &w[t]) != 0)
			ret = TALLY_ERR_INTERNAL;
	for (t = 0; t < started; t++)
		pthread_join(w[t].th, NULL);
	if (ret == 0)
		ret = rv_ballots_gather(v, w, nt);
	for (t = 0; t < nt; t++)
		bw_clear(&w[t], v->vx.m->nsel);
	free(w);
	return ret;
}

struct keyed {
	const uint8_t *key;
	size_t len;
	size_t pos;
};

static int
keyed_cmp(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	int c = memcmp(a->key, b->key, a->len);

	if (c != 0)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* The smallest ballot position that repeats an earlier key, or NONE. */
static int
first_repeat(struct keyed *k, size_t n, size_t *first)
{
	size_t i;

	*first = NONE;
	qsort(k, n, sizeof(*k), keyed_cmp);
	for (i = 1; i < n; i++)
		if (memcmp(k[i - 1].key, k[i].key, k[i].len) == 0 &&
		    k[i].pos < *first)
			*first = k[i].pos;
	return 0;
}

static int
rv_ballots_unique(struct rv *v)
{
	struct keyed *k;
	size_t i, j, n, S = v->vx.m->nsel, dup, rep;

	n = v->nballots * S > v->nballots ? v->nballots * S : v->nballots;
	if ((k = calloc(n + 1, sizeof(*k))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < v->nballots; i++)
		k[i] = (struct keyed){ v->creds[i], 32, i };
	first_repeat(k, v->nballots, &dup);
	/* Within each ballot only (docs/design.md §5): a selection
	 * ciphertext of another cast ballot comes with proofs bound to that
	 * ballot's credential, so a copy fails ballot-proof, and only the
	 * maker of a ballot, who knows its vote, could use its randomness
	 * again. */
	for (i = 0, rep = NONE; i < v->nballots && rep == NONE; i++) {
		for (j = 0; j < S; j++)
			k[j] = (struct keyed){ v->sel_a[i * S + j], 33, i };
		first_repeat(k, S, &rep);
	}
	free(k);
	if (dup != NONE && dup <= rep)
		return rv_fail(v, v->ballots[dup], "ballot-duplicate",
		    "second ballot of a credential");
	if (rep != NONE)
		return rv_fail(v, v->ballots[rep], "ballot-replay",
		    "two selections with the same ciphertext");
	return 0;
}

static int
rv_ballots(struct rv *v)
{
	const Tally__PollsClosed *pc;
	int ret;

	if ((ret = rv_ballots_alloc(v)) != 0)
		return ret;
	if (v->nballots > v->bdone && ((ret = rv_ballots_proofs(v)) != 0 ||
	    (ret = rv_ballots_unique(v)) != 0))
		return ret;
	v->bdone = v->nballots;
	if (v->closed == NONE)
		return 0;
	pc = v->rec[v->closed]->polls_closed;
	if (pc->ballots != v->nballots)
		return rv_fail(v, v->closed, "ballot-count",
		    "PollsClosed says %llu ballots, the record holds %zu",
		    (unsigned long long)pc->ballots, v->nballots);
	return 0;
}

/* ------------------------------------------ challenged ballots */

/* Each SpoiledBallot opens to what it commits to (docs/record/challenge.md). */
static int
rv_spoiled_open(struct rv *v, struct challenge_open *open)
{
	size_t k;
	int ret;

	for (k = 0; k < v->nspoiled; k++) {
		ret = challenge_verify(v->rec[v->spoiled[k]]->spoiled,
		    &v->vx.bc, NULL, &open[k]);
		if (ret == TALLY_ERR_NOMEM)
			return ret;
		if (ret != 0)
			return rv_fail(v, v->spoiled[k], "challenge-open",
			    "%s (%s)", tally_strerror(ret), tally_errname(ret));
		rv_progress(v, "challenges", 1, v->nspoiled);
	}
	return 0;
}

static int
a_cmp(const void *x, const void *y)
{
	return memcmp(x, y, 33);
}

/* A cast ballot that reuses a selection ciphertext of a challenged one
 * recorded before it (whose randomness is public) fails as a replay. A
 * challenged ballot may reuse one of a ballot cast before it: only that
 * ballot's maker knows the randomness (docs/design.md §5). */
static int
rv_spoiled_replay(struct rv *v, const struct challenge_open *open)
{
	size_t k, i, n = v->nballots * v->vx.m->nsel, S = v->vx.m->nsel;
	uint8_t (*sorted)[33];
	size_t p, first = NONE, by = 0;

	if (n == 0 || v->nspoiled == 0)
		return 0;
	if ((sorted = calloc(n, sizeof(*sorted))) == NULL)
		return TALLY_ERR_NOMEM;
	memcpy(sorted, v->sel_a, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), a_cmp);
	for (k = 0; k < v->nspoiled; k++)
		for (i = 0; i < S; i++) {
			if (bsearch(open[k].sel_a[i], sorted, n,
			    sizeof(*sorted), a_cmp) == NULL)
				continue;
			for (p = 0; p < n && (first == NONE ||
			    p / S < first / S); p++)
				if (v->ballots[p / S] > v->spoiled[k] &&
				    memcmp(v->sel_a[p], open[k].sel_a[i],
				    33) == 0) {
					first = p;
					by = v->spoiled[k];
					break;
				}
		}
	free(sorted);
	if (first == NONE)
		return 0;
	return rv_fail(v, v->ballots[first / S], "ballot-replay",
	    "a selection ciphertext of the ballot challenged at index %zu",
	    by);
}

/* No tracking code twice among cast and challenged ballots (a challenged
 * ballot is never cast), no challenge by a card that has already cast,
 * and no cast ballot reusing a revealed ciphertext. */
static int
rv_spoiled_unique(struct rv *v, const struct challenge_open *open)
{
	uint8_t t[HASH_LEN];
	size_t k, p, j, s;
	int ret;

	for (k = 0; k < v->nspoiled; k++) {
		s = v->spoiled[k];
		for (j = 0; j < k; j++)
			if (memcmp(open[j].tracking, open[k].tracking,
			    HASH_LEN) == 0)
				return rv_fail(v, s, "challenge-cast",
				    "the ballot challenged at index %zu again",
				    v->spoiled[j]);
		for (p = 0; p < v->nballots; p++) {
			if ((ret = ballot_tracking_code(t,
			    v->rec[v->ballots[p]]->ballot)) != 0)
				return ret;
			if (memcmp(t, open[k].tracking, HASH_LEN) == 0)
				return rv_fail(v, s < v->ballots[p] ?
				    v->ballots[p] : s, "challenge-cast",
				    "the ballot challenged at index %zu is "
				    "cast at index %zu", s, v->ballots[p]);
			if (v->ballots[p] < s && memcmp(v->creds[p],
			    open[k].credential, 32) == 0)
				return rv_fail(v, s, "challenge-cast",
				    "challenged by a card that cast at index "
				    "%zu", v->ballots[p]);
		}
	}
	return rv_spoiled_replay(v, open);
}

static void
rv_spoiled_report(struct rv *v, const struct challenge_open *open)
{
	uint8_t t[HASH_LEN];
	size_t k, p;

	if (v->o->ballot == NULL)
		return;
	for (p = 0; p < v->nballots; p++)
		if (ballot_tracking_code(t, v->rec[v->ballots[p]]->ballot) == 0)
			v->o->ballot(v->o->ballot_arg, v->ballots[p], t, v->vx.m,
			    NULL);
	for (k = 0; k < v->nspoiled; k++)
		v->o->ballot(v->o->ballot_arg, v->spoiled[k], open[k].tracking,
		    v->vx.m, &open[k]);
}

static int
rv_spoiled(struct rv *v)
{
	struct challenge_open *open;
	size_t k;
	int ret;

	if ((open = calloc(v->nspoiled + 1, sizeof(*open))) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = rv_spoiled_open(v, open)) == 0 &&
	    (ret = rv_spoiled_unique(v, open)) == 0)
		rv_spoiled_report(v, open);
	for (k = 0; k < v->nspoiled; k++)
		challenge_open_clear(&open[k]);
	free(open);
	return ret;
}

/* ------------------------------------------------ aggregate, shares */

static int
rv_aggregate(struct rv *v)
{
	const Tally__Aggregate *a;
	uint8_t ea[33], eb[33];
	size_t i, want;
	int ret;

	if (v->agg == NONE || v->agg_done)
		return 0;
	v->agg_done = 1;
	a = v->rec[v->agg]->aggregate;
	if (a->ballots != v->nballots)
		return rv_fail(v, v->agg, "ballot-count",
		    "Aggregate says %llu ballots, the record holds %zu",
		    (unsigned long long)a->ballots, v->nballots);
	want = v->nballots == 0 ? 0 : v->vx.m->nsel;
	if (a->n_sums != want)
		return rv_fail(v, v->agg, "aggregate", "%zu sums, expected %zu",
		    a->n_sums, want);
	for (i = 0; i < want; i++) {
		if ((ret = elgamal_ct_encode(ea, eb, &v->sums[i])) != 0)
			return rv_fail(v, v->agg, "aggregate",
			    "sum of selection %zu is the point at infinity", i);
		if (a->sums[i]->a.len != 33 || a->sums[i]->b.len != 33 ||
		    memcmp(a->sums[i]->a.data, ea, 33) != 0 ||
		    memcmp(a->sums[i]->b.data, eb, 33) != 0)
			return rv_fail(v, v->agg, "aggregate",
			    "sum of selection %zu differs from the ballots'", i);
	}
	return 0;
}

static void
rv_count_input(struct rv *v, struct count_input *in)
{
	const Tally__PollsOpened *po = v->rec[v->opened]->polls_opened;

	memset(in, 0, sizeof(*in));
	in->m = v->vx.m;
	in->tr = v->vx.tr;
	in->election_hash = v->vx.election_hash;
	in->present = po->present;
	in->issued = po->issued;
	in->agg = v->rec[v->agg]->aggregate;
	in->items = v->items;
	in->nitems = v->nitems;
	in->mixed = mixnet_output(&v->mx);
}

/* ------------------------------------------------------------ shuffles */

/* Every Shuffle in log order: the next step, a scrutineer that has not
 * mixed, the previous list as input, a proof of shuffle that holds. Then
 * at least k of them before the first share when there is a list. */
static int
rv_shuffles(struct rv *v)
{
	const Tally__Shuffle *sh;
	struct mix_list out;
	size_t i, first;
	int ret, why;

	if (v->agg == NONE)
		return 0;
	/* Once; a follower then takes each new Shuffle where it stopped. */
	if (!v->mx_done && (ret = mixnet_init(&v->mx, v->items, v->nitems,
	    v->vx.m, v->vx.K, v->vx.election_hash, v->vx.tr)) != 0)
		return ret;
	v->mx_done = 1;
	for (i = v->shuffles_done; i < v->nshuffles; i++) {
		sh = v->rec[v->shuffles[i]]->shuffle;
		ret = mixnet_step_verify(&out, &v->mx, sh, &why);
		if (ret == TALLY_ERR_NOMEM)
			return ret;
		if (ret != 0)
			return rv_fail(v, v->shuffles[i], "shuffle",
			    "step %u by scrutineer %u: %s%s%s", sh->step,
			    sh->mixer, tally_strerror(ret), why ? ": " : "",
			    why ? tally_strerror(why) : "");
		if ((ret = mixnet_apply(&v->mx, sh, &out)) != 0) {
			mix_list_clear(&out);
			return ret;
		}
		rv_progress(v, "shuffles", 1, v->nshuffles);
		v->shuffles_done = i + 1;
	}
	first = v->nshares > 0 ? v->shares[0] : v->result;
	if (v->mx.cur.n > 0 && first != NONE &&
	    v->mx.steps < v->vx.tr->quorum)
		return rv_fail(v, first, "shuffle", "%s after %u shuffles of "
		    "the write-in list; %u scrutineers must shuffle it first",
		    body_name(v->rec[first]->body_case), v->mx.steps,
		    v->vx.tr->quorum);
	return 0;
}

static int
rv_shares(struct rv *v)
{
	const Tally__DecryptionShare *sh;
	struct count_input in;
	size_t i, j, where = 0;
	int ret;

	if (v->agg == NONE || v->sdone == v->nshares)
		return 0;
	rv_count_input(v, &in);
	if (v->sdone == 0 && (ret = count_input_check(&in)) != 0)
		return rv_fail(v, v->agg, "aggregate", "%s",
		    tally_strerror(ret));
	for (i = v->sdone; i < v->nshares; i++) {
		sh = v->rec[v->shares[i]]->decryption_share;
		if ((ret = count_share_verify(&in, sh, &where)) != 0)
			return ret == TALLY_ERR_NOMEM ? ret :
			    rv_fail(v, v->shares[i], "share-proof",
			    "trustee %u: %s at entry %zu", sh->trustee,
			    tally_strerror(ret), where);
		for (j = 0; j < i; j++)
			if (v->rec[v->shares[j]]->decryption_share->trustee ==
			    sh->trustee)
				return rv_fail(v, v->shares[i],
				    "share-duplicate", "second share of "
				    "trustee %u", sh->trustee);
		rv_progress(v, "shares", 1, v->nshares);
	}
	v->sdone = v->nshares;
	return 0;
}

/* ------------------------------------------------------------- result */

static int
rv_result_compare(struct rv *v, const struct count_result *cr)
{
	const Tally__Result *r = v->rec[v->result]->result;
	size_t i;

	if (r->n_trustees != cr->ntrustees ||
	    memcmp(r->trustees, cr->trustees,
	    cr->ntrustees * sizeof(*cr->trustees)) != 0)
		return rv_fail(v, v->result, "result",
		    "trustees combined are not the %zu lowest of the shares",
		    cr->ntrustees);
	if (r->n_totals != cr->ntotals)
		return rv_fail(v, v->result, "result", "%zu totals, expected %zu",
		    r->n_totals, cr->ntotals);
	for (i = 0; i < cr->ntotals; i++)
		if (r->totals[i] != cr->totals[i])
			return rv_fail(v, v->result, "result",
			    "total of selection %zu is %llu, decrypted %llu", i,
			    (unsigned long long)r->totals[i],
			    (unsigned long long)cr->totals[i]);
	if (r->results_json.len != cr->jsonlen ||
	    memcmp(r->results_json.data, cr->json, cr->jsonlen) != 0)
		return rv_fail(v, v->result, "result",
		    "results_json differs from the recomputed outcome");
	return 0;
}

static int
rv_result(struct rv *v)
{
	const Tally__DecryptionShare **sh;
	struct count_result *cr = NULL;
	struct count_input in;
	char err[RECORD_REASON_MAX] = "";
	size_t i;
	int ret;

	if (v->result == NONE || v->result_done)
		return 0;
	v->result_done = 1;
	if (v->nshares < v->vx.tr->quorum)
		return rv_fail(v, v->result, "structure",
		    "Result after %zu shares; %u are needed", v->nshares,
		    v->vx.tr->quorum);
	if ((sh = calloc(v->nshares, sizeof(*sh))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < v->nshares; i++)
		sh[i] = v->rec[v->shares[i]]->decryption_share;
	rv_count_input(v, &in);
	in.shares_verified = 1;	/* each passed count_share_verify above */
	ret = count_tally(&cr, &in, sh, v->nshares, NULL, err, sizeof(err));
	free(sh);
	if (ret == TALLY_ERR_DLOG_RANGE || ret == TALLY_ERR_VERIFY)
		ret = rv_fail(v, v->result, "combine", "%s", err);
	else if (ret == TALLY_ERR_RULES || ret == TALLY_ERR_INVALID_ARG)
		ret = rv_fail(v, v->result, "rules", "%s", err);
	else if (ret == 0 && (ret = rv_result_compare(v, cr)) == 0) {
		v->rep->outcome = cr->json;
		v->rep->outcome_len = cr->jsonlen;
		cr->json = NULL;
	}
	count_result_free(cr);
	return ret;
}

/* ----------------------------------------------------------------- api */

/* Every check over the records read so far; each check takes up where
 * it stopped, so a follower pays for each record once. */
static int
rv_checks(struct rv *v)
{
	int ret;

	if ((ret = rv_structure(v)) != 0 ||
	    (ret = rv_checkpoints(v)) != 0 || (ret = rv_vote(v)) != 0 ||
	    (ret = rv_witnesses(v)) != 0 ||
	    (ret = rv_polls(v)) != 0 || (ret = rv_ballots(v)) != 0 ||
	    (ret = rv_spoiled(v)) != 0 || (ret = rv_aggregate(v)) != 0 ||
	    (ret = rv_shuffles(v)) != 0 || (ret = rv_shares(v)) != 0 ||
	    (ret = rv_result(v)) != 0 ||
	    (ret = merkle_tree_root(v->tree, v->n, v->rep->root)) != 0)
		return ret;
	v->rep->records = v->n;
	return 0;
}

static int
rv_run(struct rv *v, const char *path)
{
	int ret;

	if ((ret = rv_read(v, path)) != 0 || (ret = rv_checks(v)) != 0)
		return ret;
	if (!v->rep->complete && !v->o->allow_incomplete)
		return rv_fail(v, v->n, "incomplete",
		    "the record ends after %s %zu without a Result and a "
		    "final Checkpoint", body_name(v->rec[v->n - 1]->body_case),
		    v->n - 1);
	return 0;
}

static int
rv_init(struct rv *v, const struct record_opts *o, struct record_report *rep)
{
	memset(v, 0, sizeof(*v));
	memset(rep, 0, sizeof(*rep));
	v->o = o;
	v->rep = rep;
	if (pthread_mutex_init(&v->mu, NULL) != 0)
		return TALLY_ERR_INTERNAL;
	return 0;
}

static void
rv_internal(struct rv *v, int ret)
{
	if (ret != TALLY_ERR_VERIFY && v->rep->check[0] == '\0')
		rv_fail(v, v->n, "internal", "%s", tally_strerror(ret));
}

int
record_verify(const char *path, const struct record_opts *o,
    struct record_report *rep)
{
	static const struct record_opts none;
	struct rv v;
	int ret;

	if ((ret = rv_init(&v, o != NULL ? o : &none, rep)) != 0)
		return ret;
	if ((ret = rv_run(&v, path)) != 0) {
		rv_internal(&v, ret);
		free(rep->outcome);
		rep->outcome = NULL;
		rep->outcome_len = 0;
	}
	rv_free(&v);
	return ret;
}

void
record_report_clear(struct record_report *rep)
{
	if (rep == NULL)
		return;
	free(rep->outcome);
	memset(rep, 0, sizeof(*rep));
}

/* ------------------------------------------------------------ receipts */

static int
rc_inclusion(struct rv *v, const Tally__Receipt *rc, const struct checkpoint *cp)
{
	uint8_t path[MERKLE_MAX_PATH][HASH_LEN], leaf[HASH_LEN];
	size_t i;

	if (rc->leaf_hash.len != HASH_LEN || rc->n_inclusion > MERKLE_MAX_PATH)
		return rv_fail(v, rc->index, "receipt", "malformed receipt");
	for (i = 0; i < rc->n_inclusion; i++) {
		if (rc->inclusion[i].len != HASH_LEN)
			return rv_fail(v, rc->index, "receipt",
			    "malformed inclusion path");
		memcpy(path[i], rc->inclusion[i].data, HASH_LEN);
	}
	if (rc->index >= cp->size ||
	    merkle_verify_inclusion(rc->leaf_hash.data, rc->index, cp->size,
	    (const uint8_t (*)[HASH_LEN])path, rc->n_inclusion, cp->root) != 0)
		return rv_fail(v, rc->index, "receipt-inclusion",
		    "the tracking code is not at index %llu of the receipt's "
		    "checkpoint", (unsigned long long)rc->index);
	if (rc->index >= v->n ||
	    merkle_tree_leaf(v->tree, rc->index, leaf) != 0 ||
	    CRYPTO_memcmp(leaf, rc->leaf_hash.data, HASH_LEN) != 0 ||
	    (v->rec[rc->index]->body_case != TALLY__LOG_RECORD__BODY_BALLOT &&
	    v->rec[rc->index]->body_case != TALLY__LOG_RECORD__BODY_SPOILED))
		return rv_fail(v, rc->index, "receipt-leaf",
		    "the record holds no such ballot at index %llu",
		    (unsigned long long)rc->index);
	return 0;
}

/* The receipt's checkpoint is a prefix of the record, which ends with a
 * valid Checkpoint record: check it with a consistency proof from the
 * record's tree, as a voter's own software would with a served proof. */
static int
rc_consistency(struct rv *v, const struct checkpoint *cp)
{
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN], root[HASH_LEN];
	size_t fin, n;

	if (v->ncps == 0 || v->cps[v->ncps - 1] != v->n - 1)
		return rv_fail(v, v->n, "incomplete",
		    "the record does not end with a Checkpoint");
	fin = v->n - 1;
	if (cp->size == 0 || cp->size > fin ||
	    merkle_tree_consistency(v->tree, cp->size, fin, proof, &n) != 0 ||
	    merkle_tree_root(v->tree, fin, root) != 0 ||
	    merkle_verify_consistency(cp->size, fin, cp->root, root,
	    (const uint8_t (*)[HASH_LEN])proof, n) != 0)
		return rv_fail(v, fin, "receipt-consistency",
		    "the receipt's checkpoint (size %llu) is not a prefix of "
		    "the record's final checkpoint",
		    (unsigned long long)cp->size);
	if (CRYPTO_memcmp(v->rhash[cp->size - 1], cp->head, HASH_LEN) != 0)
		return rv_fail(v, fin, "receipt-consistency",
		    "the receipt's chain head is not the record's at size %llu",
		    (unsigned long long)cp->size);
	return 0;
}

static int
rc_run(struct rv *v, const uint8_t *p, size_t len, const char *path)
{
	Tally__Receipt *rc = NULL;
	struct checkpoint cp;
	int ret;

	if ((ret = rv_read(v, path)) != 0 || (ret = rv_structure(v)) != 0 ||
	    (ret = rv_checkpoints(v)) != 0)
		return ret;
	if (pb_unpack_strict(&tally__receipt__descriptor, p, len, 64 * 1024,
	    (ProtobufCMessage **)&rc) != 0)
		return rv_fail(v, 0, "receipt", "not a Receipt");
	if (rc->version != 1 || rc->checkpoint == NULL ||
	    checkpoint_from_proto(&cp, rc->checkpoint) != 0)
		ret = rv_fail(v, rc->index, "receipt", "malformed receipt");
	else if (strcmp(rc->vote_id, v->vc->vote_id) != 0)
		ret = rv_fail(v, rc->index, "receipt",
		    "receipt of vote \"%s\", record of \"%s\"", rc->vote_id,
		    v->vc->vote_id);
	else if (checkpoint_verify(&cp, v->vc->vote_id,
	    v->vc->ledger_key.data) != 0)
		ret = rv_fail(v, rc->index, "receipt-signature",
		    "the receipt's checkpoint is not signed by the ledger key");
	else if ((ret = rc_inclusion(v, rc, &cp)) == 0)
		ret = rc_consistency(v, &cp);
	tally__receipt__free_unpacked(rc, NULL);
	return ret;
}

int
record_receipt_check(const uint8_t *receipt, size_t len, const char *path,
    struct record_report *rep)
{
	static const struct record_opts opts = { .allow_incomplete = 1 };
	struct rv v;
	int ret;

	if ((ret = rv_init(&v, &opts, rep)) != 0)
		return ret;
	if ((ret = rc_run(&v, receipt, len, path)) != 0)
		rv_internal(&v, ret);
	rv_free(&v);
	return ret;
}

/* ------------------------------------------------------------- follower */

struct record_follow {
	struct rv v;
	struct record_opts o;
	struct record_report rep;
	uint8_t head[HASH_LEN];		/* chain head so far */
	int have_header;
	int failed;			/* the first failure's code */
};

int
record_follow_new(struct record_follow **out, const struct record_opts *o)
{
	struct record_follow *f;
	int ret;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return TALLY_ERR_NOMEM;
	if (o != NULL)
		f->o = *o;
	f->o.allow_incomplete = 1;
	f->o.ballot = NULL;
	if ((ret = rv_init(&f->v, &f->o, &f->rep)) != 0) {
		free(f);
		return ret;
	}
	if ((f->v.tree = merkle_tree_new()) == NULL) {
		rv_free(&f->v);
		free(f);
		return TALLY_ERR_NOMEM;
	}
	*out = f;
	return 0;
}

void
record_follow_free(struct record_follow *f)
{
	if (f == NULL)
		return;
	rv_free(&f->v);
	record_report_clear(&f->rep);
	free(f);
}

const struct record_report *
record_follow_report(const struct record_follow *f)
{
	return &f->rep;
}

/* One whole frame at p: decoded, chained, canonical, pushed. */
static int
follow_frame(struct record_follow *f, const uint8_t *payload, size_t plen)
{
	struct rv *v = &f->v;
	Tally__LogRecord *chk = NULL;
	ProtobufCMessage *msg;
	struct log_entry e;
	char why[128] = "";
	int ret;

	ret = log_record_decode(payload, plen, v->n, f->head, &chk, why,
	    sizeof(why));
	if (chk != NULL)
		tally__log_record__free_unpacked(chk, NULL);
	if (ret == TALLY_ERR_NOMEM)
		return ret;
	if (ret != 0)
		return rv_fail(v, v->n, ret == TALLY_ERR_LOG_CHAIN ? "chain" :
		    "framing", "%s", why);
	if (pb_unpack_strict(&tally__log_record__descriptor, payload, plen,
	    LOG_MAX_RECORD, &msg) != 0)
		return rv_fail(v, v->n, "framing",
		    "record is not in canonical encoding");
	memset(&e, 0, sizeof(e));
	e.index = v->n;
	if ((ret = log_record_hash(e.record_hash, payload, plen)) != 0 ||
	    (ret = merkle_leaf_hash(e.leaf_hash, payload, plen)) != 0 ||
	    (ret = rv_push(v, (Tally__LogRecord *)msg, &e)) != 0) {
		if (v->n == 0 || v->rec[v->n - 1] != (void *)msg)
			protobuf_c_message_free_unpacked(msg, NULL);
		return ret;
	}
	memcpy(f->head, e.record_hash, HASH_LEN);
	return 0;
}

int
record_follow_feed(struct record_follow *f, const uint8_t *p, size_t len,
    size_t *used)
{
	const uint8_t *payload;
	size_t off = 0, plen, flen, before = f->v.n;
	int ret = 0;

	*used = 0;
	if (f->failed != 0)
		return f->failed;
	if (!f->have_header) {
		if (len < LOG_HEADER_LEN)
			return 0;
		if (log_header_decode(p, LOG_HEADER_LEN) != 0) {
			ret = rv_fail(&f->v, 0, "framing", "bad log header");
			goto out;
		}
		f->have_header = 1;
		off = LOG_HEADER_LEN;
	}
	while (off < len) {
		ret = log_frame_decode(p + off, len - off, &payload, &plen,
		    &flen);
		if (ret == TALLY_ERR_TRUNCATED) {
			ret = 0;
			break;
		}
		if (ret != 0) {
			ret = rv_fail(&f->v, f->v.n, "framing", "%s",
			    ret == TALLY_ERR_CHECKSUM ? "crc mismatch" :
			    "bad frame length");
			goto out;
		}
		if ((ret = follow_frame(f, payload, plen)) != 0)
			goto out;
		off += flen;
	}
	*used = off;
	if (f->v.n > before && (ret = rv_checks(&f->v)) != 0)
		goto out;
	return 0;
out:
	if (ret != TALLY_ERR_VERIFY)
		rv_internal(&f->v, ret);
	f->failed = ret;
	*used = off;
	return ret;
}

int
record_follow_root(const struct record_follow *f, uint64_t size,
    uint8_t root[32])
{
	if (size > f->v.n)
		return TALLY_ERR_INVALID_ARG;
	return merkle_tree_root(f->v.tree, size, root);
}
