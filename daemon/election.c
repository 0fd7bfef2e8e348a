/* election.c: the vote state machine, replay sets and running sums. */
#include "election.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "ceremony.h"
#include "group.h"
#include "log.h"
#include "rules.h"
#include "sign.h"

static const char *const state_names[] = {
	"none", "created", "open", "closed", "tallied"
};

const char *
vote_state_name(enum vote_state s)
{
	return (unsigned int)s < 5 ? state_names[s] : "unknown";
}

/* ------------------------------------------------------------ digest set */

static size_t
dset_pos(const uint8_t *d, size_t cap)
{
	size_t h;

	memcpy(&h, d, sizeof(h));	/* digests are uniform already */
	return h & (cap - 1);
}

/* The slot holding d, or (size_t)-1. */
static size_t
dset_find(const struct digest_set *s, const uint8_t d[HASH_LEN])
{
	size_t i;

	if (s->cap == 0)
		return (size_t)-1;
	for (i = dset_pos(d, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (memcmp(s->slot[i], d, DSET_KEY) == 0)
			return i;
	return (size_t)-1;
}

static int
dset_has(const struct digest_set *s, const uint8_t d[HASH_LEN])
{
	return dset_find(s, d) != (size_t)-1;
}

/* d: a digest, or a key of DSET_KEY bytes (when growing) */
static void
dset_put_raw(struct digest_set *s, const uint8_t *d)
{
	size_t i;

	for (i = dset_pos(d, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
		;
	memcpy(s->slot[i], d, DSET_KEY);
	s->used[i] = 1;
	s->n++;
}

static int
dset_add(struct digest_set *s, const uint8_t d[HASH_LEN])
{
	struct digest_set bigger;
	size_t i;

	if ((s->n + 1) * 4 > s->cap * 3) {
		memset(&bigger, 0, sizeof(bigger));
		bigger.cap = s->cap ? s->cap * 2 : 64;
		if ((bigger.slot = calloc(bigger.cap, DSET_KEY)) == NULL ||
		    (bigger.used = calloc(bigger.cap, 1)) == NULL) {
			free(bigger.slot);
			return TALLY_ERR_NOMEM;
		}
		for (i = 0; i < s->cap; i++)
			if (s->used[i])
				dset_put_raw(&bigger, s->slot[i]);
		free(s->slot);
		free(s->used);
		*s = bigger;
	}
	dset_put_raw(s, d);
	return 0;
}

static void
dset_clear(struct digest_set *s)
{
	free(s->slot);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------ vote */

struct vote *
vote_new(const char *id)
{
	struct vote *v;

	if (strlen(id) > MANIFEST_ID_MAX || (v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	strcpy(v->id, id);
	if ((v->logpath = malloc(strlen(id) + 5)) == NULL) {
		free(v);
		return NULL;
	}
	snprintf(v->logpath, strlen(id) + 5, "%s.log", id);
	return v;
}

int
vote_set_log_path(struct vote *v, const char *path)
{
	char *p;

	if ((p = strdup(path)) == NULL)
		return TALLY_ERR_NOMEM;
	free(v->logpath);
	v->logpath = p;
	return 0;
}

/* What the shares and the count need, kept from the Aggregate to the
 * Result: the mix state (the write-in list) and the shares' copies. */
static void
free_tally_state(struct vote *v)
{
	size_t i;

	mixnet_clear(&v->mx);
	for (i = 0; v->sharev != NULL && i < v->shares; i++)
		tally__decryption_share__free_unpacked(v->sharev[i], NULL);
	free(v->sharev);
	v->sharev = NULL;
}

void
vote_free(struct vote *v)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->sums != NULL && v->ctx.m != NULL)
		for (i = 0; i < v->ctx.m->nsel; i++)
			elgamal_ct_clear(&v->sums[i]);
	free(v->sums);
	free_tally_state(v);
	if (v->result != NULL)
		tally__result__free_unpacked(v->result, NULL);
	vote_ctx_clear(&v->ctx);
	if (v->created != NULL)
		tally__vote_created__free_unpacked(v->created, NULL);
	free(v->voted);
	dset_clear(&v->revealed);
	dset_clear(&v->spoiled);
	free(v->logpath);
	free(v);
}

#define FAIL(code, ...) do {				\
	snprintf(msg, msglen, __VA_ARGS__);		\
	ret = (code);					\
	goto out;					\
} while (0)

/* The replay key of a selection: its first point, as the verifier's. */
static int
sel_digest(uint8_t out[HASH_LEN], const uint8_t a[33])
{
	return hash_sha256(out, a, 33);
}

/* The struct voted of credential cred, or NULL when cred is not in the
 * registry (ballot_verify refuses such a ballot) or nobody voted yet. */
static struct voted *
voted_of(const struct vote *v, const uint8_t cred[32])
{
	long k;

	if (v->voted == NULL || (k = ballot_registry_find(v->ctx.bc.registry,
	    v->ctx.bc.nreg, cred)) < 0)
		return NULL;
	return &v->voted[k];
}

static int
a_cmp(const void *x, const void *y)
{
	return memcmp(x, y, 33);
}

/* E_REPLAY when a selection's a is one of a challenged ballot's. */
static int
check_revealed(const struct vote *v, const struct ballot_info *info,
    char *msg, size_t msglen)
{
	uint8_t d[HASH_LEN];
	size_t i;
	int ret = 0;

	for (i = 0; v->revealed.n > 0 && i < info->nsel; i++) {
		if ((ret = sel_digest(d, info->sel_a[i])) != 0)
			FAIL(ret, "hash failed");
		if (dset_has(&v->revealed, d))
			FAIL(TALLY_ERR_REPLAY, "a ciphertext of this ballot is "
			    "one of a challenged ballot's");
	}
out:
	return ret;
}

/* E_REPLAY when a selection's a repeats inside the ballot (the record
 * verifier's ballot-replay) or is one of a challenged ballot's. */
static int
check_replay(const struct vote *v, const struct ballot_info *info, char *msg,
    size_t msglen)
{
	uint8_t (*a)[33];
	size_t i;
	int ret = 0;

	if ((a = calloc(info->nsel + 1, sizeof(*a))) == NULL)
		FAIL(TALLY_ERR_NOMEM, "out of memory");
	memcpy(a, info->sel_a, info->nsel * sizeof(*a));
	qsort(a, info->nsel, sizeof(*a), a_cmp);
	for (i = 1; i < info->nsel; i++)
		if (memcmp(a[i - 1], a[i], 33) == 0)
			FAIL(TALLY_ERR_REPLAY, "two selections of this ballot "
			    "have the same ciphertext");
	ret = check_revealed(v, info, msg, msglen);
out:
	free(a);
	return ret;
}

int
election_check_ballot(const struct vote *v, const Tally__Ballot *b,
    struct ballot_info *info, char *msg, size_t msglen)
{
	const struct voted *w;
	uint8_t d[HASH_LEN];
	int ret = 0;

	memset(info, 0, sizeof(*info));
	if (v->state != VOTE_OPEN)
		FAIL(TALLY_ERR_VOTE_NOT_OPEN, "vote %s is %s", v->id,
		    vote_state_name(v->state));
	if ((ret = ballot_verify(b, &v->ctx.bc, BALLOT_CHECK_NO_PROOFS, NULL,
	    info)) != 0)
		FAIL(ret, "%s", tally_strerror(ret));
	if (v->spoiled.n > 0) {
		if ((ret = ballot_tracking_code(d, b)) != 0)
			FAIL(ret, "hash failed");
		if (dset_has(&v->spoiled, d))
			FAIL(TALLY_ERR_SPOILED, "this ballot was challenged; it "
			    "can never be cast");
	}
	if ((ret = check_replay(v, info, msg, msglen)) != 0)
		goto out;
	if ((w = voted_of(v, info->credential)) != NULL && w->index != 0)
		FAIL(TALLY_ERR_CRED_USED, "this credential has voted");
out:
	if (ret != 0)
		ballot_info_clear(info);
	return ret;
}

int
election_check_spoiled(const struct vote *v, const Tally__SpoiledBallot *s,
    struct ballot_info *info, char *msg, size_t msglen)
{
	const struct voted *w;
	uint8_t d[HASH_LEN];
	int ret = 0;

	memset(info, 0, sizeof(*info));
	if (v->state != VOTE_OPEN)
		FAIL(TALLY_ERR_VOTE_NOT_OPEN, "vote %s is %s", v->id,
		    vote_state_name(v->state));
	if ((ret = ballot_verify(s->ballot, &v->ctx.bc, BALLOT_CHECK_NO_PROOFS,
	    NULL, info)) != 0)
		FAIL(ret, "%s", tally_strerror(ret));
	if ((ret = ballot_tracking_code(d, s->ballot)) != 0)
		FAIL(ret, "hash failed");
	w = voted_of(v, info->credential);
	if (w != NULL && w->index != 0 && memcmp(w->code, d, DSET_KEY) == 0)
		FAIL(TALLY_ERR_ALREADY_CAST, "this ballot was cast; it cannot "
		    "be challenged");
	if (dset_has(&v->spoiled, d))
		FAIL(TALLY_ERR_SPOILED, "this ballot was challenged already");
	if (w != NULL && w->index != 0)
		FAIL(TALLY_ERR_CRED_USED, "this credential has voted");
	ret = check_revealed(v, info, msg, msglen);
out:
	if (ret != 0)
		ballot_info_clear(info);
	return ret;
}

int
election_apply_spoiled(struct vote *v, const struct ballot_info *info,
    const Tally__SpoiledBallot *s)
{
	uint8_t d[HASH_LEN];
	size_t i;
	int ret;

	if ((ret = ballot_tracking_code(d, s->ballot)) != 0 ||
	    (ret = dset_add(&v->spoiled, d)) != 0)
		return ret;
	for (i = 0; i < info->nsel; i++)
		if ((ret = sel_digest(d, info->sel_a[i])) != 0 ||
		    (ret = dset_add(&v->revealed, d)) != 0)
			return ret;
	v->nspoiled++;
	return 0;
}

int
election_apply_ballot(struct vote *v, const struct ballot_info *info,
    const Tally__Ballot *b)
{
	uint8_t d[HASH_LEN];
	long k;
	size_t i;
	int ret;

	if (info->nsel != v->ctx.m->nsel || v->records == 0 ||
	    (k = ballot_registry_find(v->ctx.bc.registry, v->ctx.bc.nreg,
	    info->credential)) < 0)
		return TALLY_ERR_INTERNAL;
	if (v->voted == NULL && (v->voted = calloc(v->ctx.bc.nreg,
	    sizeof(*v->voted))) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = ballot_tracking_code(d, b)) != 0)
		return ret;
	memcpy(v->voted[k].code, d, DSET_KEY);
	v->voted[k].index = v->records;
	for (i = 0; i < info->nsel; i++)
		if ((ret = elgamal_add(&v->sums[i], &v->sums[i],
		    &info->sel[i])) != 0)
			return ret;
	v->ballots++;
	return 0;
}

int
election_cast_index(const struct vote *v, const uint8_t cred[32],
    const Tally__Ballot *b, uint64_t *index)
{
	const struct voted *w;
	uint8_t d[HASH_LEN];

	if ((w = voted_of(v, cred)) == NULL || w->index == 0 ||
	    ballot_tracking_code(d, b) != 0 ||
	    memcmp(w->code, d, DSET_KEY) != 0)
		return 0;
	*index = w->index;
	return 1;
}

int
election_witness(const struct vote *v, const Tally__Cosignature *c)
{
	if (v->created == NULL || c == NULL)
		return -1;
	return witness_set_find(v->created->witness_keys,
	    v->created->n_witness_keys, c->witness_key.data,
	    c->witness_key.len);
}

unsigned int
election_seal_cosigned(const struct vote *v)
{
	return (unsigned int)__builtin_popcount(v->seal_cosigned);
}

/*
 * A witness's cosignature may be recorded while the vote is created or
 * open, or once the Aggregate follows the seal (never between PollsClosed
 * and the Aggregate, which must follow each other, nor after the Result).
 * It must come from a witness of the vote, over the root of the first
 * size durable records of this very log (another root is a fork: E_FORK),
 * signed in the C2SP format, and never go backwards for that witness.
 */
static int
check_cosignature(const struct vote *v, const Tally__Cosignature *c,
    char *msg, size_t msglen)
{
	char origin[WITNESS_ORIGIN_MAX], fp[WITNESS_FP_LEN];
	uint8_t root[HASH_LEN];
	int ret = 0, w;

	if (v->state == VOTE_NONE || v->state == VOTE_TALLIED ||
	    (v->state == VOTE_CLOSED && !v->aggregated))
		FAIL(TALLY_ERR_VOTE_STATE, "vote %s takes no cosignature now "
		    "(%s%s)", v->id, vote_state_name(v->state),
		    v->state == VOTE_CLOSED ? ", sealing: try again" : "");
	if (v->ctx.nwitnesses == 0)
		FAIL(TALLY_ERR_WITNESS, "vote %s has no witnesses", v->id);
	if ((w = election_witness(v, c)) < 0)
		FAIL(TALLY_ERR_WITNESS, "not a witness of vote %s", v->id);
	(void)witness_fingerprint(fp, c->witness_key.data);
	if (c->root.len != HASH_LEN || c->signature.len != ED25519_SIG_LEN)
		FAIL(TALLY_ERR_WITNESS, "witness %s: malformed cosignature",
		    fp);
	if (c->size == 0 || c->size > v->records)
		FAIL(TALLY_ERR_WITNESS, "witness %s cosigns %llu records; the "
		    "log holds %llu", fp, (unsigned long long)c->size,
		    (unsigned long long)v->records);
	if ((ret = log_root(v->log, c->size, root)) != 0)
		FAIL(TALLY_ERR_WITNESS, "witness %s cosigns %llu records, not "
		    "yet durable", fp, (unsigned long long)c->size);
	if (CRYPTO_memcmp(root, c->root.data, HASH_LEN) != 0)
		FAIL(TALLY_ERR_FORK, "witness %s cosigns a root of %llu "
		    "records that is not this log's", fp,
		    (unsigned long long)c->size);
	if ((ret = witness_origin(origin, v->id, v->ctx.election_hash)) != 0 ||
	    witness_cosig_verify(c, origin) != 0)
		FAIL(TALLY_ERR_WITNESS, "witness %s: the cosignature does not "
		    "verify", fp);
	if (c->size < v->wsize[w] || c->timestamp < v->wtime[w])
		FAIL(TALLY_ERR_WITNESS, "witness %s goes backwards: %llu "
		    "records at %llu after %llu at %llu", fp,
		    (unsigned long long)c->size,
		    (unsigned long long)c->timestamp,
		    (unsigned long long)v->wsize[w],
		    (unsigned long long)v->wtime[w]);
out:
	return ret;
}

static void
apply_cosignature(struct vote *v, const Tally__Cosignature *c)
{
	int w = election_witness(v, c);

	if (w < 0)
		return;
	v->wsize[w] = c->size;
	v->wtime[w] = c->timestamp;
	if (v->seal_size != 0 && c->size == v->seal_size &&
	    c->root.len == HASH_LEN &&
	    memcmp(c->root.data, v->seal_root, HASH_LEN) == 0)
		v->seal_cosigned |= 1u << w;
}

int
election_check(const struct vote *v, const Tally__LogRecord *rec, char *msg,
    size_t msglen)
{
	int ret = 0;

	switch (rec->body_case) {
	case TALLY__LOG_RECORD__BODY_VOTE_CREATED:
		if (v->state != VOTE_NONE)
			FAIL(TALLY_ERR_VOTE_EXISTS, "vote %s exists", v->id);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
		if (v->state != VOTE_CREATED)
			FAIL(TALLY_ERR_VOTE_STATE, "vote %s is %s", v->id,
			    vote_state_name(v->state));
		if (rec->polls_opened->issued > rec->polls_opened->present)
			FAIL(TALLY_ERR_INVALID_ARG, "more ballots issued (%u) "
			    "than members present (%u)",
			    rec->polls_opened->issued,
			    rec->polls_opened->present);
		ret = rules_quorum_check(v->ctx.m,
		    rec->polls_opened->present, msg, msglen);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED:
		if (v->state != VOTE_OPEN)
			FAIL(TALLY_ERR_VOTE_STATE, "vote %s is %s", v->id,
			    vote_state_name(v->state));
		break;
	case TALLY__LOG_RECORD__BODY_CHECKPOINT:
		break;
	case TALLY__LOG_RECORD__BODY_COSIGNATURE:
		ret = check_cosignature(v, rec->cosignature, msg, msglen);
		break;
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE:
		ret = election_check_share(v, rec->decryption_share, msg,
		    msglen);
		break;
	case TALLY__LOG_RECORD__BODY_SHUFFLE:
		ret = election_check_shuffle(v, rec->shuffle, msg, msglen);
		break;
	case TALLY__LOG_RECORD__BODY_RESULT:
		if (v->state != VOTE_CLOSED || !v->aggregated)
			FAIL(TALLY_ERR_VOTE_STATE, "vote %s cannot be tallied "
			    "now (%s)", v->id, vote_state_name(v->state));
		break;
	case TALLY__LOG_RECORD__BODY_AGGREGATE:
		if (v->state != VOTE_CLOSED || !v->sealed || v->aggregated)
			FAIL(TALLY_ERR_VOTE_STATE, "vote %s: no aggregate now",
			    v->id);
		break;
	default:
		FAIL(TALLY_ERR_INTERNAL, "record kind not handled yet");
	}
out:
	return ret;
}

static int
apply_created(struct vote *v, const Tally__VoteCreated *vc)
{
	uint8_t *buf;
	size_t len = tally__vote_created__get_packed_size(vc), i;
	int ret;

	if ((buf = calloc(1, len + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	tally__vote_created__pack(vc, buf);
	v->created = tally__vote_created__unpack(NULL, len, buf);
	free(buf);
	if (v->created == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = vote_ctx_init(&v->ctx, v->created, NULL)) != 0)
		return ret;
	if ((v->sums = calloc(v->ctx.m->nsel + 1, sizeof(*v->sums))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < v->ctx.m->nsel; i++)
		if ((ret = elgamal_ct_init(&v->sums[i])) != 0)
			return ret;
	v->state = VOTE_CREATED;
	return 0;
}

/* Recovery: the ballot was checked when it was accepted; decode it again
 * (points and signature, no proofs) to rebuild the sets and sums. */
static int
apply_ballot(struct vote *v, const Tally__Ballot *b)
{
	struct ballot_info info;
	int ret;

	if ((ret = ballot_verify(b, &v->ctx.bc, BALLOT_CHECK_NO_PROOFS, NULL,
	    &info)) != 0)
		return ret;
	ret = election_apply_ballot(v, &info, b);
	ballot_info_clear(&info);
	return ret;
}

static int
apply_spoiled(struct vote *v, const Tally__SpoiledBallot *s)
{
	struct ballot_info info;
	int ret;

	if (s->ballot == NULL)
		return TALLY_ERR_DECODE;
	if ((ret = ballot_verify(s->ballot, &v->ctx.bc, BALLOT_CHECK_NO_PROOFS,
	    NULL, &info)) != 0)
		return ret;
	ret = election_apply_spoiled(v, &info, s);
	ballot_info_clear(&info);
	return ret;
}

/* Keep our own copy of a message that lives in someone else's record. */
#define COPY_MSG(type, dst, src) do {					\
	size_t len_ = tally__##type##__get_packed_size(src);		\
	uint8_t *buf_ = calloc(1, len_ + 1);				\
									\
	if (buf_ == NULL)						\
		return TALLY_ERR_NOMEM;					\
	tally__##type##__pack((src), buf_);				\
	(dst) = tally__##type##__unpack(NULL, len_, buf_);		\
	free(buf_);							\
	if ((dst) == NULL)						\
		return TALLY_ERR_NOMEM;					\
} while (0)

static int
apply_share(struct vote *v, const Tally__DecryptionShare *sh)
{
	Tally__DecryptionShare **n;

	if ((n = reallocarray(v->sharev, v->shares + 1, sizeof(*n))) == NULL)
		return TALLY_ERR_NOMEM;
	v->sharev = n;
	COPY_MSG(decryption_share, v->sharev[v->shares], sh);
	v->shares++;
	return 0;
}

/* The tally is final: nothing per ballot is kept after it (issue 16). */
static int
apply_result(struct vote *v, const Tally__Result *r)
{
	COPY_MSG(result, v->result, r);
	v->state = VOTE_TALLIED;
	free_tally_state(v);
	return 0;
}

/*
 * The write-in list (count.h) of v's ballots, read back from its log: the
 * ledger does not keep it during intake (issue 16). Called when the
 * Aggregate is applied, live or at recovery (from log_open's replay: the
 * records before it are in the file, and a reader never changes it). The
 * ledger runs in the data directory, where v's log is "ID.log"
 * (v->logpath).
 */
static int
items_from_log(const struct vote *v, struct count_item **out)
{
	struct log_reader *r = NULL;
	struct log_entry e;
	struct count_item *items;
	char err[256];
	size_t w = v->ctx.m->nwriteins, k = 0;
	int ret;

	*out = NULL;
	if ((items = calloc(v->nitems + 1, sizeof(*items))) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = log_reader_open(v->logpath, &r, err, sizeof(err))) != 0)
		goto out;
	while ((ret = log_reader_next(r, &e)) == 1 &&
	    e.rec->body_case != TALLY__LOG_RECORD__BODY_POLLS_CLOSED) {
		if (e.rec->body_case != TALLY__LOG_RECORD__BODY_BALLOT)
			continue;
		if (k == v->ballots) {
			ret = TALLY_ERR_LOG_CORRUPT;
			goto out;
		}
		if ((ret = count_items_from_ballot(items + k * w, v->ctx.m,
		    e.rec->ballot)) != 0)
			goto out;
		k++;
	}
	if (ret == 1 && k == v->ballots) {
		*out = items;
		items = NULL;
		ret = 0;
	} else if (ret >= 0)
		ret = TALLY_ERR_LOG_CORRUPT;
out:
	log_reader_free(r);
	free(items);
	return ret;
}

static int
apply_aggregate(struct vote *v)
{
	struct count_item *items = NULL;
	int ret;

	v->nitems = v->ballots * v->ctx.m->nwriteins;
	if (v->nitems > 0 && (ret = items_from_log(v, &items)) != 0)
		return ret;
	ret = mixnet_init(&v->mx, items, v->nitems, v->ctx.m, v->ctx.K,
	    v->ctx.election_hash, v->ctx.tr);
	free(items);
	return ret;
}

int
election_count_input(const struct vote *v, struct count_input *in,
    Tally__Aggregate **agg)
{
	int ret;

	memset(in, 0, sizeof(*in));
	if ((ret = election_aggregate(v, agg)) != 0)
		return ret;
	in->m = v->ctx.m;
	in->tr = v->ctx.tr;
	in->election_hash = v->ctx.election_hash;
	in->present = v->present;
	in->issued = v->issued;
	in->agg = *agg;
	in->nitems = v->nitems;
	/* The write-in list is not kept beside the mix state: before the
	 * first shuffle the shares cover its step 0, the same ciphertexts
	 * in the same order (count.h, mixnet.h). */
	in->mixed = mixnet_output(&v->mx);
	if (in->mixed == NULL && v->mx.cur.n > 0)
		in->mixed = &v->mx.cur;
	return 0;
}

/* The message of a Shuffle refused with ret (why: the proof's own code). */
static int
shuffle_refused(const struct vote *v, const Tally__Shuffle *sh, int ret,
    int why, char *msg, size_t msglen)
{
	switch (ret) {
	case TALLY_ERR_MIX_STATE:
		FAIL(ret, "vote %s has no write-in list to shuffle", v->id);
	case TALLY_ERR_MIX_STALE:
		FAIL(ret, "step %u, but the next step is %u", sh->step,
		    v->mx.steps);
	case TALLY_ERR_MIX_DUP:
		FAIL(ret, "scrutineer %u already shuffled", sh->mixer);
	default:
		FAIL(ret, "shuffle of scrutineer %u: %s%s%s", sh->mixer,
		    tally_strerror(ret), why ? ": " : "",
		    why ? tally_strerror(why) : "");
	}
out:
	return ret;
}

/* Everything but the proofs: the vote aggregated, no share yet, then
 * mixnet_step_check. */
static int
shuffle_check_cheap(const struct vote *v, const Tally__Shuffle *sh,
    char *msg, size_t msglen)
{
	int ret = 0;

	if (v->state != VOTE_CLOSED || !v->aggregated)
		FAIL(TALLY_ERR_MIX_STATE, "vote %s takes no shuffle now (%s)",
		    v->id, v->state == VOTE_CLOSED ? "not aggregated" :
		    vote_state_name(v->state));
	if (v->shares > 0)
		FAIL(TALLY_ERR_MIX_STATE, "vote %s: decryption has begun, "
		    "the write-in list is final", v->id);
	if ((ret = mixnet_step_check(&v->mx, sh)) != 0)
		return shuffle_refused(v, sh, ret, 0, msg, msglen);
out:
	return ret;
}

int
election_check_shuffle(const struct vote *v, const Tally__Shuffle *sh,
    char *msg, size_t msglen)
{
	struct mix_list out;
	int ret, why = 0;

	if ((ret = shuffle_check_cheap(v, sh, msg, msglen)) != 0)
		return ret;
	if ((ret = mixnet_step_verify(&out, &v->mx, sh, &why)) != 0)
		return shuffle_refused(v, sh, ret, why, msg, msglen);
	mix_list_clear(&out);
	return 0;
}

/* Everything but the proofs: the vote aggregated, not tallied, a trustee
 * with no share yet, and the write-in list shuffled k times. */
static int
share_check_cheap(const struct vote *v, const Tally__DecryptionShare *sh,
    char *msg, size_t msglen)
{
	size_t i;
	int ret = 0;

	if (v->state != VOTE_CLOSED || !v->aggregated)
		FAIL(TALLY_ERR_VOTE_STATE, "vote %s takes no shares now "
		    "(%s)", v->id, vote_state_name(v->state));
	for (i = 0; i < v->shares; i++)
		if (v->sharev[i]->trustee == sh->trustee)
			FAIL(TALLY_ERR_SHARE_DUP, "trustee %u already gave a "
			    "share", sh->trustee);
	if (v->mx.cur.n > 0 && v->mx.steps < v->ctx.tr->quorum)
		FAIL(TALLY_ERR_MIX_STATE, "vote %s: %u of %u shuffles of the "
		    "write-ins; shares come after them", v->id, v->mx.steps,
		    v->ctx.tr->quorum);
out:
	return ret;
}

static int
share_refused(const Tally__DecryptionShare *sh, int ret, size_t where,
    char *msg, size_t msglen)
{
	snprintf(msg, msglen, "share of trustee %u: %s at position %zu",
	    sh->trustee, tally_strerror(ret), where);
	return ret;
}

int
election_check_share(const struct vote *v, const Tally__DecryptionShare *sh,
    char *msg, size_t msglen)
{
	struct count_input in;
	Tally__Aggregate *agg = NULL;
	size_t where = 0;
	int ret = 0;

	if ((ret = share_check_cheap(v, sh, msg, msglen)) != 0)
		return ret;
	if ((ret = election_count_input(v, &in, &agg)) != 0)
		FAIL(ret, "%s", tally_strerror(ret));
	if ((ret = count_share_verify(&in, sh, &where)) != 0)
		ret = share_refused(sh, ret, where, msg, msglen);
out:
	election_aggregate_free(agg);
	return ret;
}

/* ------------------------------------------- checks off the ledger's thread */

int
election_busy(const struct vote *v, char *msg, size_t msglen)
{
	int ret = 0;

	if (v->tallying)
		FAIL(TALLY_ERR_BUSY, "vote %s: its tally is being computed: "
		    "ask again", v->id);
	if (v->mixing)
		FAIL(TALLY_ERR_BUSY, "vote %s: the shuffle of step %u by "
		    "scrutineer %u is being verified: ask again", v->id,
		    v->mixing_step, v->mixing_mixer);
	if (v->sharing > 0)
		FAIL(TALLY_ERR_BUSY, "vote %s: %u decryption share%s being "
		    "verified: ask again", v->id, v->sharing,
		    v->sharing == 1 ? " is" : "s are");
out:
	return ret;
}

/* The mark of a share's trustee, or NULL for a trustee no vote has (its
 * proof check refuses it). */
static uint8_t *
share_mark(struct vote *v, const Tally__DecryptionShare *sh)
{
	return sh->trustee >= 1 && sh->trustee <= CEREMONY_MAX_TRUSTEES ?
	    &v->sharing_t[sh->trustee] : NULL;
}

static int
job_begin_shuffle(struct election_job *j, char *msg, size_t msglen)
{
	struct vote *v = j->v;
	const Tally__Shuffle *sh = j->rec->shuffle;
	int ret;

	if ((ret = shuffle_check_cheap(v, sh, msg, msglen)) != 0 ||
	    (ret = election_busy(v, msg, msglen)) != 0)
		return ret;
	v->mixing = 1;
	v->mixing_step = sh->step;
	v->mixing_mixer = sh->mixer;
	return 0;
}

static int
job_begin_share(struct election_job *j, char *msg, size_t msglen)
{
	struct vote *v = j->v;
	const Tally__DecryptionShare *sh = j->rec->decryption_share;
	uint8_t *mark = share_mark(v, sh);
	int ret = 0;

	if ((ret = share_check_cheap(v, sh, msg, msglen)) != 0)
		return ret;
	if (v->mixing || v->tallying)
		return election_busy(v, msg, msglen);
	if (mark != NULL && *mark)
		FAIL(TALLY_ERR_BUSY, "vote %s: a share of trustee %u is being "
		    "verified: ask again", v->id, sh->trustee);
	if ((ret = election_count_input(v, &j->in, &j->agg)) != 0)
		FAIL(ret, "%s", tally_strerror(ret));
	if (mark != NULL)
		*mark = 1;
	v->sharing++;
out:
	return ret;
}

/* The count reads the recorded shares, the write-in list and the sums:
 * a share, a Shuffle and another tally wait while it runs. */
static int
job_begin_tally(struct election_job *j, char *msg, size_t msglen)
{
	struct vote *v = j->v;
	int ret = 0;

	if ((ret = election_busy(v, msg, msglen)) != 0)
		return ret;
	if ((ret = election_count_input(v, &j->in, &j->agg)) != 0)
		FAIL(ret, "%s", tally_strerror(ret));
	/* Each recorded share was verified when it was submitted (or is
	 * recovered from the ledger's own log). */
	j->in.shares_verified = 1;
	v->tallying = 1;
out:
	return ret;
}

int
election_job_begin(struct election_job *j, struct vote *v,
    const Tally__LogRecord *rec, char *msg, size_t msglen)
{
	int ret;

	memset(j, 0, sizeof(*j));
	j->v = v;
	j->rec = rec;
	switch (rec->body_case) {
	case TALLY__LOG_RECORD__BODY_SHUFFLE:
		ret = job_begin_shuffle(j, msg, msglen);
		break;
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE:
		ret = job_begin_share(j, msg, msglen);
		break;
	case TALLY__LOG_RECORD__BODY_RESULT:
		ret = job_begin_tally(j, msg, msglen);
		break;
	default:
		snprintf(msg, msglen, "not a record checked off the thread");
		ret = TALLY_ERR_INTERNAL;
	}
	if (ret != 0)
		j->v = NULL;	/* not marked */
	return ret;
}

void
election_job_run(struct election_job *j)
{
	if (j->rec->body_case == TALLY__LOG_RECORD__BODY_SHUFFLE)
		j->ret = mixnet_step_verify(&j->out, &j->v->mx,
		    j->rec->shuffle, &j->why);
	else if (j->rec->body_case == TALLY__LOG_RECORD__BODY_RESULT)
		j->ret = count_tally(&j->cr, &j->in,
		    (const Tally__DecryptionShare *const *)j->v->sharev,
		    j->v->shares, &j->culprit, j->err, sizeof(j->err));
	else
		j->ret = count_share_verify(&j->in, j->rec->decryption_share,
		    &j->where);
}

/* Unmark v (once: end, or clear after begin). */
static void
job_unmark(struct election_job *j)
{
	uint8_t *mark;

	if (j->v == NULL)
		return;
	if (j->rec->body_case == TALLY__LOG_RECORD__BODY_SHUFFLE)
		j->v->mixing = 0;
	else if (j->rec->body_case == TALLY__LOG_RECORD__BODY_RESULT)
		j->v->tallying = 0;
	else {
		if ((mark = share_mark(j->v, j->rec->decryption_share)) !=
		    NULL)
			*mark = 0;
		j->v->sharing--;
	}
	j->v = NULL;
}

int
election_job_end(struct election_job *j, char *msg, size_t msglen)
{
	struct vote *v = j->v;
	const Tally__LogRecord *rec = j->rec;
	int ret;

	job_unmark(j);
	if (rec->body_case == TALLY__LOG_RECORD__BODY_RESULT) {
		/* The caller appends the Result: election_apply applies it. */
		if (j->ret != 0)
			snprintf(msg, msglen, "%s", j->err);
		return j->ret;
	}
	if (rec->body_case == TALLY__LOG_RECORD__BODY_SHUFFLE) {
		if (j->ret != 0)
			return shuffle_refused(v, rec->shuffle, j->ret, j->why,
			    msg, msglen);
		if ((ret = shuffle_check_cheap(v, rec->shuffle, msg,
		    msglen)) != 0)
			return ret;
		ret = mixnet_apply(&v->mx, rec->shuffle, &j->out);
	} else {
		if (j->ret != 0)
			return share_refused(rec->decryption_share, j->ret,
			    j->where, msg, msglen);
		if ((ret = share_check_cheap(v, rec->decryption_share, msg,
		    msglen)) != 0)
			return ret;
		ret = apply_share(v, rec->decryption_share);
	}
	if (ret != 0) {
		snprintf(msg, msglen, "%s", tally_strerror(ret));
		return ret;
	}
	v->records++;	/* as election_apply counts */
	return 0;
}

void
election_job_clear(struct election_job *j)
{
	job_unmark(j);
	mix_list_clear(&j->out);
	election_aggregate_free(j->agg);
	j->agg = NULL;
	count_result_free(j->cr);
	j->cr = NULL;
}

int
election_apply(struct vote *v, const Tally__LogRecord *rec)
{
	int ret = 0;

	switch (rec->body_case) {
	case TALLY__LOG_RECORD__BODY_VOTE_CREATED:
		ret = apply_created(v, rec->vote_created);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
		v->present = rec->polls_opened->present;
		v->issued = rec->polls_opened->issued;
		v->state = VOTE_OPEN;
		break;
	case TALLY__LOG_RECORD__BODY_BALLOT:
		ret = apply_ballot(v, rec->ballot);
		break;
	case TALLY__LOG_RECORD__BODY_SPOILED:
		ret = apply_spoiled(v, rec->spoiled);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED:
		v->state = VOTE_CLOSED;
		v->seal_size = v->records + 1;
		break;
	case TALLY__LOG_RECORD__BODY_CHECKPOINT:
		if (v->state == VOTE_CLOSED && !v->sealed &&
		    rec->checkpoint->root.len == HASH_LEN)
			memcpy(v->seal_root, rec->checkpoint->root.data,
			    HASH_LEN);
		if (v->state == VOTE_CLOSED)
			v->sealed = 1;
		else if (v->state == VOTE_TALLIED)
			v->final = 1;
		break;
	case TALLY__LOG_RECORD__BODY_AGGREGATE:
		v->aggregated = 1;
		ret = apply_aggregate(v);
		break;
	case TALLY__LOG_RECORD__BODY_SHUFFLE:
		/* checked by election_check_shuffle, or at recovery a
		 * record the ledger wrote: decode only */
		ret = mixnet_apply(&v->mx, rec->shuffle, NULL);
		break;
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE:
		ret = apply_share(v, rec->decryption_share);
		break;
	case TALLY__LOG_RECORD__BODY_RESULT:
		ret = apply_result(v, rec->result);
		break;
	case TALLY__LOG_RECORD__BODY_COSIGNATURE:
		apply_cosignature(v, rec->cosignature);
		break;
	default:
		break;
	}
	if (ret == 0)
		v->records++;
	return ret;
}

int
election_aggregate(const struct vote *v, Tally__Aggregate **out)
{
	Tally__Aggregate *a;
	size_t i, n = v->ctx.m->nsel;
	int ret;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return TALLY_ERR_NOMEM;
	tally__aggregate__init(a);
	a->ballots = v->ballots;
	/* No ballots: every sum is the point at infinity, which has no
	 * 33-byte encoding; an empty list says "all zero". */
	if (v->ballots == 0)
		n = 0;
	if ((a->sums = calloc(n ? n : 1, sizeof(*a->sums))) == NULL) {
		free(a);
		return TALLY_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		Tally__Ciphertext *c;

		if ((c = calloc(1, sizeof(*c) + 66)) == NULL) {
			election_aggregate_free(a);
			return TALLY_ERR_NOMEM;
		}
		tally__ciphertext__init(c);
		c->a.data = (uint8_t *)(c + 1);
		c->b.data = c->a.data + 33;
		c->a.len = c->b.len = 33;
		a->sums[a->n_sums++] = c;
		if ((ret = elgamal_ct_encode(c->a.data, c->b.data,
		    &v->sums[i])) != 0) {
			election_aggregate_free(a);
			return ret;
		}
	}
	*out = a;
	return 0;
}

void
election_aggregate_free(Tally__Aggregate *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_sums; i++)
		free(a->sums[i]);
	free(a->sums);
	free(a);
}
