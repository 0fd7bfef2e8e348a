/* recordgen.c: a complete, valid vote record written in process. */
#include "recordgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ballot.h"
#include "challenge.h"
#include "ceremony.h"
#include "checkpoint.h"
#include "credential.h"
#include "err.h"
#include "group.h"
#include "log.h"
#include "sign.h"
#include "util.h"
#include "votectx.h"
#include "witness.h"

#define RG_CHECK(x) do { if ((ret = (x)) != 0) { \
	fprintf(stderr, "recordgen: %s: %s\n", #x, tally_errname(ret)); \
	goto out; } } while (0)

const char *const rg_session_choices[] = {
	"{\"head\":{\"writein\":[\"张三\"]},\"projects\":{\"approve\":"
	    "[\"p01\",\"p02\"]},\"budget\":{\"for\":[\"budget\"]}}",
	"{\"head\":{\"for\":[\"c1\"]},\"projects\":{\"approve\":"
	    "[\"p01\",\"p03\",\"p05\"]},\"budget\":{\"against\":[\"budget\"]}}",
	"{\"head\":{\"against\":[\"c1\"]},\"budget\":{\"for\":[\"budget\"]}}",
	"{\"head\":{\"for\":[\"c1\"]},\"projects\":{\"approve\":[\"p01\"]}}",
	"{\"head\":{\"writein\":[\"\\u3000张三 \"]},\"budget\":{\"for\":"
	    "[\"budget\"]}}",
	"{\"head\":{\"writein\":[\"\"]}}",
};
const size_t rg_session_nchoices =
    sizeof(rg_session_choices) / sizeof(rg_session_choices[0]);

void
rg_opts_default(struct rg_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->manifest = "session.json";
	o->n = 5;
	o->k = 3;
	o->ncred = 30;
	o->nballots = 30;
	o->choices = rg_session_choices;
	o->nchoices = rg_session_nchoices;
	o->sharers[0] = 1;
	o->sharers[1] = 2;
	o->sharers[2] = 3;
	o->nsharers = 3;
	o->mixers[0] = 1;
	o->mixers[1] = 2;
	o->mixers[2] = 3;
	o->nmixers = 3;
	o->present = 239;
	o->issued = 239;
}

static int
rg_ceremony(struct recordgen *g, uint32_t n, uint32_t k)
{
	struct ceremony_trustee *t[64] = { 0 };
	Tally__TrusteePublic *pub[64] = { 0 };
	uint8_t *pubb[64] = { 0 }, *sh[64][64], *trb = NULL, *utr = NULL;
	uint8_t id[CEREMONY_ID_LEN], *sig[64] = { 0 };
	const uint8_t *col[64];
	size_t publ[64], shl[64][64], coll[64], trl, utrl, sigl[64];
	uint32_t i, j, culprit;
	int ret = 0;

	memset(sh, 0, sizeof(sh));
	for (i = 0; i < n; i++) {
		RG_CHECK(ceremony_trustee_new(&t[i], i + 1, n, k));
		RG_CHECK(ceremony_public_make(t[i], "t", &pubb[i], &publ[i]));
		RG_CHECK(ceremony_public_open(&pub[i], pubb[i], publ[i], n, k,
		    i + 1));
	}
	RG_CHECK(ceremony_id(id, (const Tally__TrusteePublic **)pub, n, k));
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (i != j)
				RG_CHECK(ceremony_share_seal(t[i], pub[j], id,
				    &sh[i][j], &shl[i][j]));
	for (j = 0; j < n; j++) {
		for (i = 0; i < n; i++) {
			col[i] = sh[i][j];
			coll[i] = i == j ? 0 : shl[i][j];
		}
		g->s[j + 1] = group_scalar_new();
		RG_CHECK(ceremony_collect(g->s[j + 1], t[j],
		    (const Tally__TrusteePublic **)pub, col, coll, &culprit));
	}
	RG_CHECK(ceremony_transcript_make((const Tally__TrusteePublic **)pub,
	    n, k, &utr, &utrl));
	for (i = 0; i < n; i++)
		RG_CHECK(ceremony_transcript_sign(t[i], utr, utrl, &sig[i],
		    &sigl[i]));
	RG_CHECK(ceremony_transcript_seal(utr, utrl, (const uint8_t **)sig,
	    sigl, n, &trb, &trl, &culprit));
	RG_CHECK(ceremony_transcript_open(&g->tr, trb, trl));
out:
	for (i = 0; i < n; i++) {
		ceremony_trustee_free(t[i]);
		free(pubb[i]);
		if (pub[i] != NULL)
			tally__trustee_public__free_unpacked(pub[i], NULL);
		for (j = 0; j < n; j++)
			free(sh[i][j]);
		free(sig[i]);
	}
	free(trb);
	free(utr);
	return ret;
}

static int
cmp64(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* ncred credentials (pk || sk, sorted by pk) and the registry. */
static int
rg_creds(struct recordgen *g, size_t ncred, uint8_t (**kp)[64],
    uint8_t **reg)
{
	uint8_t seed[32];
	size_t i;
	int ret = 0;

	if ((*kp = calloc(ncred + 1, 64)) == NULL ||
	    (*reg = calloc(ncred + 1, 32)) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < ncred; i++) {
		RG_CHECK(credential_seed_new(seed));
		RG_CHECK(credential_derive((*kp)[i] + 32, (*kp)[i], seed,
		    g->m->id));
	}
	qsort(*kp, ncred, 64, cmp64);
	for (i = 0; i < ncred; i++)
		memcpy(*reg + 32 * i, (*kp)[i], 32);
out:
	return ret;
}

struct rg_writer {
	struct recordgen *g;
	const struct rg_opts *o;
	struct log *log;
	size_t seq;
};

static int
rg_append(struct rg_writer *w, Tally__LogRecord *rec)
{
	enum rg_action a = RG_WRITE;
	Tally__LogRecord *copy = NULL;
	struct log_result r;
	uint8_t *buf = NULL;
	size_t len;
	int ret = 0;

	if (w->o->hook != NULL) {
		len = tally__log_record__get_packed_size(rec);
		if ((buf = malloc(len + 1)) == NULL)
			return TALLY_ERR_NOMEM;
		tally__log_record__pack(rec, buf);
		copy = tally__log_record__unpack(NULL, len, buf);
		free(buf);
		if (copy == NULL)
			return TALLY_ERR_DECODE;
		a = w->o->hook(w->o->hook_arg, w->seq, copy);
		rec = copy;
	}
	w->seq++;
	if (a == RG_SKIP)
		goto out;
	RG_CHECK(log_append(w->log, rec, &r));
	w->g->nrecords++;
	if (a == RG_TWICE) {
		RG_CHECK(log_append(w->log, rec, &r));
		w->g->nrecords++;
	}
out:
	if (copy != NULL)
		tally__log_record__free_unpacked(copy, NULL);
	return ret;
}

static int
rg_checkpoint(struct rg_writer *w)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__Checkpoint cpm = TALLY__CHECKPOINT__INIT;
	struct checkpoint cp;
	int ret;

	RG_CHECK(log_state(w->log, &cp.size, cp.root, cp.head));
	RG_CHECK(checkpoint_sign(&cp, w->g->m->id, w->g->ledger_sk));
	checkpoint_to_proto(&cp, &cpm);
	rec.body_case = TALLY__LOG_RECORD__BODY_CHECKPOINT;
	rec.checkpoint = &cpm;
	ret = rg_append(w, &rec);
out:
	return ret;
}

static int
rg_vote_created(struct rg_writer *w, const uint8_t *reg, size_t nreg)
{
	struct recordgen *g = w->g;
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__VoteCreated vc = TALLY__VOTE_CREATED__INIT;
	ProtobufCBinaryData *keys, wk[16];
	size_t i;
	int ret;

	if ((keys = calloc(nreg + 1, sizeof(*keys))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < nreg; i++) {
		keys[i].data = (uint8_t *)reg + 32 * i;
		keys[i].len = 32;
	}
	vc.vote_id = g->m->id;
	vc.manifest.data = g->mjson;
	vc.manifest.len = g->mlen;
	vc.transcript = g->tr;
	vc.n_registry = nreg;
	vc.registry = keys;
	vc.ledger_key.data = g->ledger_pk;
	vc.ledger_key.len = 32;
	for (i = 0; i < w->o->nwitnesses; i++) {
		wk[i].data = g->wpk[i];
		wk[i].len = 32;
	}
	vc.n_witness_keys = w->o->nwitnesses;
	vc.witness_keys = wk;
	vc.witness_quorum = w->o->witness_quorum;
	if ((ret = vote_election_hash(g->he, &vc)) != 0) {
		free(keys);
		return ret;
	}
	vc.election_hash.data = g->he;
	vc.election_hash.len = 32;
	rec.body_case = TALLY__LOG_RECORD__BODY_VOTE_CREATED;
	rec.vote_created = &vc;
	ret = rg_append(w, &rec);
	free(keys);
	return ret;
}

/* Encrypt ballot i; its marks are added to g->expect. */
static int
rg_ballot(struct rg_writer *w, const struct ballot_ctx *ctx,
    const uint8_t sk[32], size_t i, Tally__Ballot **out)
{
	struct recordgen *g = w->g;
	const char *json = w->o->choices[i % w->o->nchoices];
	uint8_t marks[MANIFEST_SELECTIONS_MAX], *bytes = NULL;
	char **names = NULL, err[256];
	size_t len, s;
	int ret;

	RG_CHECK(manifest_choices(g->m, (const uint8_t *)json, strlen(json),
	    marks, &names, err, sizeof(err)));
	RG_CHECK(ballot_encrypt(&bytes, &len, ctx, sk, marks, names));
	for (s = 0; s < g->m->nsel; s++)
		g->expect[s] += marks[s];
	if ((*out = tally__ballot__unpack(NULL, len, bytes)) == NULL)
		ret = TALLY_ERR_DECODE;
out:
	manifest_writein_names_free(g->m, names);
	free(bytes);
	return ret;
}

static int rg_simple(struct rg_writer *w, int which, void *msg);

/* Challenge ballot i: encrypt it, open it, log the SpoiledBallot. */
static int
rg_spoiled(struct rg_writer *w, const struct ballot_ctx *ctx,
    const uint8_t sk[32], size_t i)
{
	struct recordgen *g = w->g;
	const char *json = w->o->choices[i % w->o->nchoices];
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	struct ballot_secrets sec;
	uint8_t marks[MANIFEST_SELECTIONS_MAX], *bytes = NULL, *sb = NULL;
	char **names = NULL, err[256];
	size_t len, sblen;
	int ret;

	memset(&sec, 0, sizeof(sec));
	RG_CHECK(manifest_choices(g->m, (const uint8_t *)json, strlen(json),
	    marks, &names, err, sizeof(err)));
	RG_CHECK(ballot_encrypt_open(&bytes, &len, ctx, sk, marks, names,
	    &sec));
	RG_CHECK(challenge_make(&sb, &sblen, bytes, len, &sec));
	rec.body_case = TALLY__LOG_RECORD__BODY_SPOILED;
	if ((rec.spoiled = tally__spoiled_ballot__unpack(NULL, sblen, sb)) ==
	    NULL) {
		ret = TALLY_ERR_DECODE;
		goto out;
	}
	ret = rg_append(w, &rec);
	if (ret == 0 && i == 0 && w->o->cast_spoiled)
		ret = rg_simple(w, TALLY__LOG_RECORD__BODY_BALLOT,
		    rec.spoiled->ballot);
	tally__spoiled_ballot__free_unpacked(rec.spoiled, NULL);
out:
	ballot_secrets_clear(&sec);
	manifest_writein_names_free(g->m, names);
	free(bytes);
	free(sb);
	return ret;
}

/* Witness j cosigns the log as it stands (durable size and root), or
 * the sealed log when at is its size. */
static int
rg_cosign_at(struct rg_writer *w, size_t j, uint64_t at)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	Tally__Cosignature c = TALLY__COSIGNATURE__INIT;
	uint8_t root[32], head[32], sig[64];
	char origin[WITNESS_ORIGIN_MAX];
	uint64_t size;
	int ret;

	RG_CHECK(log_state(w->log, &size, root, head));
	if (at != 0) {
		size = at;
		memcpy(root, w->g->seal_root, 32);
	}
	RG_CHECK(witness_origin(origin, w->g->m->id, w->g->he));
	c.timestamp = 1800000000 + w->seq;
	RG_CHECK(witness_cosign(sig, w->g->wsk[j], origin, size, root,
	    c.timestamp));
	c.witness_key.data = w->g->wpk[j];
	c.witness_key.len = 32;
	c.size = size;
	c.root.data = root;
	c.root.len = 32;
	c.signature.data = sig;
	c.signature.len = 64;
	rec.body_case = TALLY__LOG_RECORD__BODY_COSIGNATURE;
	rec.cosignature = &c;
	ret = rg_append(w, &rec);
out:
	return ret;
}

static int
rg_cosign(struct rg_writer *w, size_t j)
{
	return rg_cosign_at(w, j, 0);
}

static int
rg_simple(struct rg_writer *w, int which, void *msg)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	int ret;

	rec.body_case = which;
	switch (which) {
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
		rec.polls_opened = msg;
		break;
	case TALLY__LOG_RECORD__BODY_BALLOT:
		rec.ballot = msg;
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED:
		rec.polls_closed = msg;
		break;
	case TALLY__LOG_RECORD__BODY_AGGREGATE:
		rec.aggregate = msg;
		break;
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE:
		rec.decryption_share = msg;
		break;
	case TALLY__LOG_RECORD__BODY_RESULT:
		rec.result = msg;
		break;
	case TALLY__LOG_RECORD__BODY_SHUFFLE:
		rec.shuffle = msg;
		break;
	}
	ret = rg_append(w, &rec);
	/* A checkpoint after every record but the Result, which the final
	 * checkpoint follows anyway. */
	if (ret == 0 && w->o->checkpoints_everywhere &&
	    which != TALLY__LOG_RECORD__BODY_RESULT)
		ret = rg_checkpoint(w);
	return ret;
}

/* The Aggregate message of the ballots' sums. */
static int
rg_aggregate(struct recordgen *g, Tally__Ballot **b, size_t nb,
    const struct ballot_ctx *ctx)
{
	Tally__Aggregate *a;
	struct ballot_info info;
	struct elgamal_ct *sum;
	size_t i, s, S = g->m->nsel;
	int ret = 0;

	a = calloc(1, sizeof(*a));
	sum = calloc(S + 1, sizeof(*sum));
	if (a == NULL || sum == NULL)
		return TALLY_ERR_NOMEM;
	tally__aggregate__init(a);
	g->agg_msg = a;
	a->ballots = nb;
	for (s = 0; s < S; s++)
		RG_CHECK(elgamal_ct_init(&sum[s]));
	for (i = 0; i < nb; i++) {
		RG_CHECK(ballot_verify(b[i], ctx, BALLOT_CHECK_NO_PROOFS, NULL,
		    &info));
		for (s = 0; s < S; s++)
			elgamal_add(&sum[s], &sum[s], &info.sel[s]);
		ballot_info_clear(&info);
	}
	if (nb == 0)
		goto out;
	a->n_sums = S;
	a->sums = calloc(S, sizeof(*a->sums));
	for (s = 0; s < S; s++) {
		a->sums[s] = calloc(1, sizeof(**a->sums));
		tally__ciphertext__init(a->sums[s]);
		a->sums[s]->a.data = malloc(33);
		a->sums[s]->b.data = malloc(33);
		a->sums[s]->a.len = a->sums[s]->b.len = 33;
		RG_CHECK(elgamal_ct_encode(a->sums[s]->a.data,
		    a->sums[s]->b.data, &sum[s]));
	}
out:
	for (s = 0; s < S; s++)
		elgamal_ct_clear(&sum[s]);
	free(sum);
	return ret;
}

static int
rg_count(struct rg_writer *w, Tally__Ballot **b, size_t nb)
{
	struct recordgen *g = w->g;
	const struct rg_opts *o = w->o;
	Tally__DecryptionShare *sh[64] = { 0 };
	Tally__Shuffle shf[64];
	struct mix_list out;
	size_t nshf = 0;
	Tally__PollsClosed pc = TALLY__POLLS_CLOSED__INIT;
	Tally__Result res = TALLY__RESULT__INIT;
	struct count_result *cr = NULL;
	struct count_input in;
	size_t i;
	int ret = 0;

	g->nitems = nb * g->m->nwriteins;
	if ((g->items = calloc(g->nitems + 1, sizeof(*g->items))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < nb; i++)
		RG_CHECK(count_items_from_ballot(g->items + i * g->m->nwriteins,
		    g->m, b[i]));
	/* The mix-net: each mixer shuffles the current list. */
	if ((g->K = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	RG_CHECK(ceremony_joint_key(g->K, g->tr));
	RG_CHECK(mixnet_init(&g->mx, g->items, g->nitems, g->m, g->K, g->he,
	    g->tr));
	while (g->mx.cur.n > 0 && nshf < o->nmixers) {
		RG_CHECK(mixnet_make(&shf[nshf], &out, &g->mx,
		    o->mixers[nshf], g->s[o->mixers[nshf]]));
		nshf++;
		RG_CHECK(mixnet_apply(&g->mx, &shf[nshf - 1], &out));
	}
	memset(&in, 0, sizeof(in));
	in.m = g->m;
	in.tr = g->tr;
	in.election_hash = g->he;
	in.present = o->present;
	in.issued = o->issued;
	in.agg = g->agg_msg;
	in.items = g->items;
	in.nitems = g->nitems;
	in.mixed = mixnet_output(&g->mx);
	/* Everything is computed before anything is written, so that a hook
	 * that alters a record cannot change what the ledger would derive. */
	for (i = 0; i < o->nsharers; i++)
		RG_CHECK(count_share_make(&sh[i], &in, o->sharers[i],
		    g->s[o->sharers[i]]));
	if (!o->stop_before_result) {
		RG_CHECK(count_tally(&cr, &in,
		    (const Tally__DecryptionShare *const *)sh, o->nsharers,
		    NULL, NULL, 0));
		count_result_to_proto(cr, &res);
	}
	pc.ballots = nb;
	g->closed = g->nrecords;
	RG_CHECK(rg_simple(w, TALLY__LOG_RECORD__BODY_POLLS_CLOSED, &pc));
	{
		uint64_t sz;
		uint8_t hd[32];

		RG_CHECK(log_state(w->log, &sz, g->seal_root, hd));
	}
	RG_CHECK(rg_checkpoint(w));
	g->agg = g->nrecords;
	RG_CHECK(rg_simple(w, TALLY__LOG_RECORD__BODY_AGGREGATE, g->agg_msg));
	/* The seal is the records up to PollsClosed: cosigned as such. */
	g->seal_cosig = g->nrecords;
	for (i = 0; i < o->seal_cosigners; i++)
		RG_CHECK(rg_cosign_at(w, i, g->closed + 1));
	g->first_shuffle = g->nrecords;
	for (i = 0; i < nshf; i++)
		RG_CHECK(rg_simple(w, TALLY__LOG_RECORD__BODY_SHUFFLE, &shf[i]));
	for (i = 0; i < o->nsharers; i++)
		RG_CHECK(rg_simple(w, TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE,
		    sh[i]));
	if (o->stop_before_result)
		goto out;
	g->result = g->nrecords;
	RG_CHECK(rg_simple(w, TALLY__LOG_RECORD__BODY_RESULT, &res));
	RG_CHECK(rg_checkpoint(w));
out:
	for (i = 0; i < o->nsharers; i++)
		count_share_free(sh[i]);
	for (i = 0; i < nshf; i++)
		mixnet_shuffle_clear(&shf[i]);
	count_result_free(cr);
	return ret;
}

static int
rg_write(struct rg_writer *w, uint8_t (*kp)[64], const uint8_t *reg,
    size_t nreg)
{
	struct recordgen *g = w->g;
	const struct rg_opts *o = w->o;
	Tally__PollsOpened po = TALLY__POLLS_OPENED__INIT;
	Tally__Ballot **b;
	struct ballot_ctx ctx;
	EC_POINT *K = group_point_new();
	size_t i, nb = o->nballots;
	int ret = 0;

	if ((b = calloc(nb + 1, sizeof(*b))) == NULL || K == NULL)
		return TALLY_ERR_NOMEM;
	RG_CHECK(ceremony_joint_key(K, g->tr));
	RG_CHECK(rg_vote_created(w, reg, nreg));
	memset(&ctx, 0, sizeof(ctx));
	ctx.m = g->m;
	ctx.vote_id = g->m->id;
	ctx.joint_key = K;
	memcpy(ctx.election_hash, g->he, 32);
	ctx.registry = reg;
	ctx.nreg = nreg;
	po.present = o->present;
	po.issued = o->issued;
	RG_CHECK(rg_simple(w, TALLY__LOG_RECORD__BODY_POLLS_OPENED, &po));
	g->first_spoiled = g->nrecords;
	for (i = 0; i < o->nspoiled; i++)
		RG_CHECK(rg_spoiled(w, &ctx, kp[nreg - 1 - i % nreg] + 32,
		    i));
	g->first_ballot = g->nrecords;
	for (i = 0; i < nb; i++) {
		size_t j;

		if (i == nb / 2)
			for (j = 0; j < o->cosign_open; j++)
				RG_CHECK(rg_cosign(w, j));
		RG_CHECK(rg_ballot(w, &ctx, kp[i % nreg] + 32, i, &b[i]));
		RG_CHECK(rg_simple(w, TALLY__LOG_RECORD__BODY_BALLOT, b[i]));
	}
	RG_CHECK(rg_aggregate(g, b, nb, &ctx));
	ret = rg_count(w, b, nb);
out:
	for (i = 0; i < nb; i++)
		if (b[i] != NULL)
			tally__ballot__free_unpacked(b[i], NULL);
	free(b);
	group_point_free(K);
	return ret;
}

/* n witness keys, sorted by public key as VoteCreated lists them. */
static int
rg_witness_keys(struct recordgen *g, size_t n)
{
	uint8_t t[32];
	size_t i, j;
	int ret;

	if (n > 16)
		return TALLY_ERR_INVALID_ARG;
	for (i = 0; i < n; i++)
		if ((ret = ed25519_keygen(g->wsk[i], g->wpk[i])) != 0)
			return ret;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && memcmp(g->wpk[j - 1], g->wpk[j], 32) > 0;
		    j--) {
			memcpy(t, g->wpk[j], 32);
			memcpy(g->wpk[j], g->wpk[j - 1], 32);
			memcpy(g->wpk[j - 1], t, 32);
			memcpy(t, g->wsk[j], 32);
			memcpy(g->wsk[j], g->wsk[j - 1], 32);
			memcpy(g->wsk[j - 1], t, 32);
		}
	return 0;
}

int
rg_build(struct recordgen **out, const struct rg_opts *o, const char *path)
{
	struct recordgen *g;
	struct rg_writer w;
	struct log_opts lo;
	uint8_t (*kp)[64] = NULL, *reg = NULL;
	char file[1024], err[256];
	int ret;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return TALLY_ERR_NOMEM;
	memset(&w, 0, sizeof(w));
	memset(&lo, 0, sizeof(lo));
	snprintf(file, sizeof(file), "%s/tests/data/manifests/%s",
	    TALLY_SOURCE_DIR, o->manifest);
	RG_CHECK(util_read_file(file, 1 << 20, &g->mjson, &g->mlen));
	RG_CHECK(manifest_parse(&g->m, g->mjson, g->mlen, err, sizeof(err)));
	if ((g->expect = calloc(g->m->nsel + 1, sizeof(*g->expect))) == NULL)
		goto out;
	RG_CHECK(rg_ceremony(g, o->n, o->k));
	RG_CHECK(ed25519_keygen(g->ledger_sk, g->ledger_pk));
	RG_CHECK(rg_witness_keys(g, o->nwitnesses));
	RG_CHECK(rg_creds(g, o->ncred, &kp, &reg));
	if (o->keys_out != NULL) {
		if ((*o->keys_out = calloc(o->ncred + 1, 64)) == NULL) {
			ret = TALLY_ERR_NOMEM;
			goto out;
		}
		memcpy(*o->keys_out, kp, o->ncred * 64);
	}
	RG_CHECK(log_create(path, &lo, &w.log, err, sizeof(err)));
	w.g = g;
	w.o = o;
	ret = rg_write(&w, kp, reg, o->ncred);
out:
	log_close(w.log);
	if (kp != NULL)
		util_freezero(kp, (o->ncred + 1) * 64);
	free(reg);
	if (ret == 0)
		*out = g;
	else
		rg_free(g);
	return ret;
}

void
rg_free(struct recordgen *g)
{
	size_t i;

	if (g == NULL)
		return;
	manifest_free(g->m);
	free(g->mjson);
	if (g->tr != NULL)
		tally__ceremony_transcript__free_unpacked(g->tr, NULL);
	for (i = 0; i < 65; i++)
		group_scalar_free(g->s[i]);
	free(g->expect);
	if (g->agg_msg != NULL) {
		for (i = 0; i < g->agg_msg->n_sums; i++) {
			free(g->agg_msg->sums[i]->a.data);
			free(g->agg_msg->sums[i]->b.data);
			free(g->agg_msg->sums[i]);
		}
		free(g->agg_msg->sums);
		free(g->agg_msg);
	}
	free(g->items);
	mixnet_clear(&g->mx);
	group_point_free(g->K);
	OPENSSL_cleanse(g->ledger_sk, sizeof(g->ledger_sk));
	OPENSSL_cleanse(g->wsk, sizeof(g->wsk));
	free(g);
}
