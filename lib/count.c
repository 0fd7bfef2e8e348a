/* count.c: shares, combination, totals, write-ins and the rules. */
#include "count.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ballot.h"
#include "ceremony.h"
#include "dlog.h"
#include "err.h"
#include "group.h"
#include "p256/p256.h"
#include "pb.h"
#include "proof.h"

/* The points the trustees decrypt: the aggregate sums' a, then the a of
 * every ciphertext of the write-in list (count.h). */
struct count_pts {
	EC_POINT **A;
	size_t nA;
	size_t nsums;
};

static void
pts_free(struct count_pts *p)
{
	size_t i;

	for (i = 0; p->A != NULL && i < p->nA; i++)
		group_point_free(p->A[i]);
	free(p->A);
	memset(p, 0, sizeof(*p));
}

static void
ct_copy(uint8_t out[COUNT_CT_LEN], const Tally__Ciphertext *ct)
{
	memcpy(out, ct->a.data, 33);
	memcpy(out + 33, ct->b.data, 33);
}

static int
ct_shape(const Tally__Ciphertext *ct)
{
	return ct != NULL && ct->a.len == 33 && ct->b.len == 33;
}

int
count_items_from_ballot(struct count_item *items, const struct manifest *m,
    const Tally__Ballot *b)
{
	Tally__BallotBody *body = NULL;
	const Tally__WriteIn *w;
	size_t c, s, slot, j;
	long sel;
	int ret;

	if ((ret = pb_unpack_strict(&tally__ballot_body__descriptor,
	    b->body.data, b->body.len, BALLOT_BODY_MAX,
	    (ProtobufCMessage **)&body)) != 0)
		return ret;
	ret = TALLY_ERR_BALLOT_SHAPE;
	if (body->credential.len != 32 || body->n_selections != m->nsel ||
	    body->n_writeins != m->nwriteins)
		goto out;
	for (c = 0; c < m->ncontests; c++) {
		for (s = 0; s < m->contests[c].writein_slots; s++) {
			slot = m->contests[c].wi_first + s;
			sel = manifest_selection_index(m, c, s,
			    MANIFEST_MARK_WRITEIN);
			w = body->writeins[slot];
			if (sel < 0 || w == NULL || w->n_name != WRITEIN_POINTS ||
			    !ct_shape(body->selections[sel]))
				goto out;
			for (j = 0; j < WRITEIN_POINTS; j++)
				if (!ct_shape(w->name[j]))
					goto out;
			ct_copy(items[slot].ct[0], body->selections[sel]);
			for (j = 0; j < WRITEIN_POINTS; j++)
				ct_copy(items[slot].ct[1 + j], w->name[j]);
		}
	}
	ret = 0;
out:
	protobuf_c_message_free_unpacked((ProtobufCMessage *)body, NULL);
	return ret;
}

/* Ciphertext k (a || b) of the write-in list. */
static const uint8_t *
wl_ct(const struct count_input *in, size_t k)
{
	if (in->mixed != NULL)
		return in->mixed->enc + k * COUNT_CT_LEN;
	return in->items[k / COUNT_ITEM_CTS].ct[k % COUNT_ITEM_CTS];
}

static int
input_shape(const struct count_input *in)
{
	const struct manifest *m = in->m;
	uint64_t want;

	if (in->agg == NULL || in->tr == NULL || in->election_hash == NULL)
		return TALLY_ERR_INVALID_ARG;
	want = in->agg->ballots == 0 ? 0 : m->nsel;
	if (in->agg->n_sums != want)
		return TALLY_ERR_BALLOT_SHAPE;
	if (m->nwriteins != 0 &&
	    in->agg->ballots > SIZE_MAX / 2 / COUNT_ITEM_CTS / m->nwriteins)
		return TALLY_ERR_TOO_LARGE;
	if (in->nitems != in->agg->ballots * m->nwriteins)
		return TALLY_ERR_BALLOT_SHAPE;
	if (in->mixed != NULL && (in->mixed->n != in->agg->ballots ||
	    in->mixed->w != m->nwriteins * COUNT_ITEM_CTS))
		return TALLY_ERR_BALLOT_SHAPE;
	return 0;
}

static int
pts_make(struct count_pts *p, const struct count_input *in)
{
	const Tally__Ciphertext *ct;
	uint8_t(*enc)[GROUP_POINT_LEN] = NULL;
	size_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	if ((ret = input_shape(in)) != 0)
		return ret;
	p->nsums = in->agg->n_sums;
	p->nA = p->nsums + COUNT_ITEM_CTS * in->nitems;
	if ((p->A = calloc(p->nA + 1, sizeof(*p->A))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < p->nA; i++)
		if ((p->A[i] = group_point_new()) == NULL) {
			ret = TALLY_ERR_NOMEM;
			goto out;
		}
	/* all the encodings in one buffer, decoded together */
	if ((enc = calloc(p->nA + 1, sizeof(*enc))) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < p->nsums; i++) {
		ct = in->agg->sums[i];
		if (ct == NULL || ct->a.data == NULL ||
		    ct->a.len != GROUP_POINT_LEN) {
			/* the error of one by one: an earlier bad point
			 * first */
			ret = group_points_decode(p->A,
			    (const uint8_t(*)[GROUP_POINT_LEN])enc, i);
			if (ret == 0)
				ret = ct == NULL ? TALLY_ERR_BALLOT_SHAPE :
				    TALLY_ERR_BAD_POINT;
			goto out;
		}
		memcpy(enc[i], ct->a.data, GROUP_POINT_LEN);
	}
	for (i = 0; i < COUNT_ITEM_CTS * in->nitems; i++)
		memcpy(enc[p->nsums + i], wl_ct(in, i), GROUP_POINT_LEN);
	if ((ret = group_points_decode(p->A,
	    (const uint8_t(*)[GROUP_POINT_LEN])enc, p->nA)) != 0)
		goto out;
	free(enc);
	return 0;
out:
	free(enc);
	pts_free(p);
	return ret;
}

int
count_input_check(const struct count_input *in)
{
	struct count_pts p;
	int ret;

	ret = pts_make(&p, in);
	pts_free(&p);
	return ret;
}

static struct proof_bind
share_bind(const struct count_input *in, const uint8_t subj[4], size_t j,
    size_t nsums)
{
	struct proof_bind b = {
		.election_hash = in->election_hash,
		.subject = subj,
		.subject_len = 4,
		.kind = PROOF_DECRYPTION,
		.contest = j < nsums ? 0 : 1,
		.index = (uint32_t)(j < nsums ? j : j - nsums),
	};
	return b;
}

static void
u32be(uint8_t out[4], uint32_t v)
{
	out[0] = v >> 24;
	out[1] = v >> 16;
	out[2] = v >> 8;
	out[3] = v;
}

/* The share's point and proof for entry j of pts. */
static void
share_entry(const Tally__DecryptionShare *sh, size_t j, size_t nsums,
    const ProtobufCBinaryData **D, const Tally__DleqProof **pr)
{
	if (j < nsums) {
		*D = &sh->sums[j];
		*pr = sh->sum_proofs[j];
	} else {
		*D = &sh->writeins[j - nsums];
		*pr = sh->writein_proofs[j - nsums];
	}
}

static int
share_counts(const struct count_pts *p, const Tally__DecryptionShare *sh,
    uint32_t n)
{
	if (sh->trustee < 1 || sh->trustee > n)
		return TALLY_ERR_BAD_SHARE;
	if (sh->n_sums != p->nsums || sh->n_sum_proofs != p->nsums ||
	    sh->n_writeins != p->nA - p->nsums ||
	    sh->n_writein_proofs != p->nA - p->nsums)
		return TALLY_ERR_BAD_SHARE;
	return 0;
}

/* Each proof alone: the first bad one. */
static int
share_find_bad(const struct count_input *in, const struct count_pts *p,
    const Tally__DecryptionShare *sh, const EC_POINT *X, size_t *where)
{
	const ProtobufCBinaryData *d;
	const Tally__DleqProof *pr;
	struct proof_bind b;
	EC_POINT *D;
	uint8_t subj[4];
	size_t j;
	int ret = 0;

	if ((D = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	u32be(subj, sh->trustee);
	for (j = 0; j < p->nA && ret == 0; j++) {
		share_entry(sh, j, p->nsums, &d, &pr);
		b = share_bind(in, subj, j, p->nsums);
		if (pr == NULL)
			ret = TALLY_ERR_BAD_PROOF;
		else if ((ret = group_point_decode(D, d->data, d->len)) == 0)
			ret = ceremony_partial_verify(pr, p->A[j], X, D, &b);
		if (ret != 0 && where != NULL)
			*where = j;
	}
	group_point_free(D);
	return ret == 0 ? TALLY_ERR_BAD_PROOF : ret;
}

/*
 * The points of a share's entries decoded in bulk: for entry j, D_j and
 * its proof's t1 and t2 (pt[3 j .. 3 j + 2]), the aggregates A_j (aff[j],
 * with their encodings) and X. 0 when every one of them is there and
 * decodes; else 1, and the caller goes entry by entry as before (so a
 * refused share reports the same error at the same entry).
 */
struct share_dec {
	struct proof_point *A, X, D;
	struct p256_affine *pt;
};

static int
share_dec_make(struct share_dec *s, const struct count_pts *p,
    const Tally__DecryptionShare *sh, const EC_POINT *X)
{
	uint8_t(*enc)[GROUP_POINT_LEN] = NULL;
	struct p256_affine *aff = NULL;
	const ProtobufCBinaryData *d, *f[3];
	const Tally__DleqProof *pr;
	size_t j, k;
	int ret = 1;

	memset(s, 0, sizeof(*s));
	if (p->nA == 0)
		return 1;
	s->A = calloc(p->nA, sizeof(*s->A));
	s->pt = calloc(3 * p->nA, sizeof(*s->pt));
	enc = calloc(3 * p->nA, sizeof(*enc));
	aff = calloc(p->nA, sizeof(*aff));
	if (s->A == NULL || s->pt == NULL || enc == NULL || aff == NULL)
		goto out;
	for (j = 0; j < p->nA; j++) {
		share_entry(sh, j, p->nsums, &d, &pr);
		if (pr == NULL)
			goto out;
		f[0] = d;
		f[1] = &pr->t1;
		f[2] = &pr->t2;
		for (k = 0; k < 3; k++) {
			if (f[k]->data == NULL || f[k]->len != GROUP_POINT_LEN)
				goto out;
			memcpy(enc[3 * j + k], f[k]->data, GROUP_POINT_LEN);
		}
	}
	if (p256_decode_batch(s->pt, (const uint8_t(*)[GROUP_POINT_LEN])enc,
		3 * p->nA) != 0 ||
	    group_points_affine(aff, (const EC_POINT *const *)p->A, p->nA) !=
		0 ||
	    p256_from_ec(&s->X.aff, X) != 0)
		goto out;
	p256_encode(s->X.enc, &s->X.aff);
	for (j = 0; j < p->nA; j++) {
		s->A[j].aff = aff[j];
		p256_encode(s->A[j].enc, &aff[j]);
	}
	ret = 0;
out:
	free(enc);
	free(aff);
	if (ret != 0) {
		free(s->A);
		free(s->pt);
		memset(s, 0, sizeof(*s));
	}
	return ret;
}

static void
share_dec_free(struct share_dec *s)
{
	free(s->A);
	free(s->pt);
	memset(s, 0, sizeof(*s));
}

static int
share_verify_pts(const struct count_input *in, const struct count_pts *p,
    const Tally__DecryptionShare *sh, size_t *where)
{
	const ProtobufCBinaryData *d;
	const Tally__DleqProof *pr;
	struct proof_batch *batch = NULL;
	struct proof_bind b;
	struct share_dec sd;
	EC_POINT *X = NULL, *D = NULL;
	uint8_t subj[4];
	size_t j;
	int ret, fast;

	memset(&sd, 0, sizeof(sd));
	if ((ret = share_counts(p, sh, in->tr->trustees)) != 0)
		return ret;
	if ((X = group_point_new()) == NULL || (D = group_point_new()) == NULL ||
	    (ret = proof_batch_new(&batch)) != 0) {
		ret = ret ? ret : TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = ceremony_public_share(X, in->tr, sh->trustee)) != 0)
		goto out;
	u32be(subj, sh->trustee);
	fast = share_dec_make(&sd, p, sh, X) == 0;
	for (j = 0; j < p->nA; j++) {
		share_entry(sh, j, p->nsums, &d, &pr);
		b = share_bind(in, subj, j, p->nsums);
		if (fast) {
			/* D as it came: a strict decoding's input is the
			 * encoding of its point */
			memcpy(sd.D.enc, d->data, GROUP_POINT_LEN);
			sd.D.aff = sd.pt[3 * j];
			ret = proof_batch_add_dleq_decoded(batch, pr, &sd.A[j],
			    &sd.X, &sd.D, &sd.pt[3 * j + 1], &b);
		} else {
			ret = pr == NULL ? TALLY_ERR_BAD_PROOF :
			    group_point_decode(D, d->data, d->len);
			if (ret == 0)
				ret = proof_batch_add_dleq(batch, pr, p->A[j],
				    X, D, &b);
		}
		if (ret != 0) {
			if (where != NULL)
				*where = j;
			goto out;
		}
	}
	if ((ret = proof_batch_verify(batch)) == TALLY_ERR_BAD_PROOF)
		ret = share_find_bad(in, p, sh, X, where);
out:
	share_dec_free(&sd);
	proof_batch_free(batch);
	group_point_free(X);
	group_point_free(D);
	return ret;
}

int
count_share_verify(const struct count_input *in,
    const Tally__DecryptionShare *sh, size_t *where)
{
	struct count_pts p;
	int ret;

	if ((ret = pts_make(&p, in)) != 0)
		return ret;
	ret = share_verify_pts(in, &p, sh, where);
	pts_free(&p);
	return ret;
}

void
count_share_free(Tally__DecryptionShare *sh)
{
	size_t i;

	if (sh == NULL)
		return;
	for (i = 0; sh->sums != NULL && i < sh->n_sums; i++)
		free(sh->sums[i].data);
	for (i = 0; sh->writeins != NULL && i < sh->n_writeins; i++)
		free(sh->writeins[i].data);
	for (i = 0; sh->sum_proofs != NULL && i < sh->n_sum_proofs; i++) {
		dleq_clear(sh->sum_proofs[i]);
		free(sh->sum_proofs[i]);
	}
	for (i = 0; sh->writein_proofs != NULL && i < sh->n_writein_proofs;
	    i++) {
		dleq_clear(sh->writein_proofs[i]);
		free(sh->writein_proofs[i]);
	}
	free(sh->sums);
	free(sh->writeins);
	free(sh->sum_proofs);
	free(sh->writein_proofs);
	free(sh);
}

static int
share_alloc(Tally__DecryptionShare **out, size_t nsums, size_t nwi)
{
	Tally__DecryptionShare *sh;
	size_t i;

	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return TALLY_ERR_NOMEM;
	tally__decryption_share__init(sh);
	*out = sh;
	sh->sums = calloc(nsums + 1, sizeof(*sh->sums));
	sh->sum_proofs = calloc(nsums + 1, sizeof(*sh->sum_proofs));
	sh->writeins = calloc(nwi + 1, sizeof(*sh->writeins));
	sh->writein_proofs = calloc(nwi + 1, sizeof(*sh->writein_proofs));
	if (sh->sums == NULL || sh->sum_proofs == NULL ||
	    sh->writeins == NULL || sh->writein_proofs == NULL)
		return TALLY_ERR_NOMEM;
	sh->n_sums = sh->n_sum_proofs = nsums;
	sh->n_writeins = sh->n_writein_proofs = nwi;
	for (i = 0; i < nsums + nwi; i++) {
		ProtobufCBinaryData *d = i < nsums ? &sh->sums[i] :
		    &sh->writeins[i - nsums];
		Tally__DleqProof **pp = i < nsums ? &sh->sum_proofs[i] :
		    &sh->writein_proofs[i - nsums];
		if ((d->data = calloc(1, GROUP_POINT_LEN)) == NULL ||
		    (*pp = calloc(1, sizeof(**pp))) == NULL)
			return TALLY_ERR_NOMEM;
		d->len = GROUP_POINT_LEN;
		tally__dleq_proof__init(*pp);
	}
	return 0;
}

int
count_share_make(Tally__DecryptionShare **out, const struct count_input *in,
    uint32_t index, const BIGNUM *s)
{
	Tally__DecryptionShare *sh = NULL;
	const ProtobufCBinaryData *dd;
	const Tally__DleqProof *pr;
	struct count_pts p;
	struct proof_bind b;
	EC_POINT *X = NULL, *sG = NULL, *D = NULL;
	uint8_t subj[4];
	size_t j;
	int ret;

	*out = NULL;
	if ((ret = pts_make(&p, in)) != 0)
		return ret;
	if (index < 1 || index > in->tr->trustees) {
		ret = TALLY_ERR_INVALID_ARG;
		goto out;
	}
	if ((X = group_point_new()) == NULL || (sG = group_point_new()) == NULL ||
	    (D = group_point_new()) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = ceremony_public_share(X, in->tr, index)) != 0 ||
	    (ret = group_mul_g(sG, s)) != 0)
		goto out;
	if (!group_point_equal(X, sG)) {
		ret = TALLY_ERR_BAD_SHARE;
		goto out;
	}
	if ((ret = share_alloc(&sh, p.nsums, p.nA - p.nsums)) != 0)
		goto out;
	sh->trustee = index;
	u32be(subj, index);
	for (j = 0; j < p.nA; j++) {
		share_entry(sh, j, p.nsums, &dd, &pr);
		b = share_bind(in, subj, j, p.nsums);
		if ((ret = ceremony_partial_decrypt(D, (Tally__DleqProof *)pr,
		    s, p.A[j], &b)) != 0 ||
		    (ret = group_point_encode(dd->data, D)) != 0)
			goto out;
	}
	*out = sh;
	sh = NULL;
out:
	count_share_free(sh);
	group_point_free(X);
	group_point_free(sG);
	group_point_free(D);
	pts_free(&p);
	return ret;
}

/* ------------------------------------------------------------ combining */

struct combiner {
	size_t k;
	uint32_t set[CEREMONY_MAX_TRUSTEES];
	const Tally__DecryptionShare *sh[CEREMONY_MAX_TRUSTEES];
	BIGNUM *lam[CEREMONY_MAX_TRUSTEES];
	/* -lambda_t as p256 scalars, for combine_open */
	uint64_t nlam[CEREMONY_MAX_TRUSTEES][4];
	size_t nsums;
};

static void
combiner_clear(struct combiner *c)
{
	size_t i;

	for (i = 0; i < c->k; i++)
		BN_free(c->lam[i]);
	memset(c, 0, sizeof(*c));
}

static int
cmp_share(const void *x, const void *y)
{
	const Tally__DecryptionShare *a = *(const Tally__DecryptionShare *const *)x;
	const Tally__DecryptionShare *b = *(const Tally__DecryptionShare *const *)y;

	return a->trustee < b->trustee ? -1 : a->trustee > b->trustee;
}

/* The k lowest indices of the (verified, distinct) shares. */
static int
combiner_init(struct combiner *c, const Tally__DecryptionShare *const *shares,
    size_t nshares, size_t k, size_t nsums)
{
	const Tally__DecryptionShare **sorted;
	BIGNUM *t;
	size_t i;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	if ((sorted = calloc(nshares, sizeof(*sorted))) == NULL)
		return TALLY_ERR_NOMEM;
	memcpy(sorted, shares, nshares * sizeof(*sorted));
	qsort(sorted, nshares, sizeof(*sorted), cmp_share);
	c->k = k;
	c->nsums = nsums;
	for (i = 0; i < k; i++) {
		c->sh[i] = sorted[i];
		c->set[i] = sorted[i]->trustee;
	}
	free(sorted);
	if ((t = BN_new()) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < k && ret == 0; i++) {
		if ((c->lam[i] = BN_new()) == NULL)
			ret = TALLY_ERR_NOMEM;
		else if ((ret = ceremony_lagrange(c->lam[i], c->set[i],
			      c->set, k)) == 0 &&
		    (ret = group_scalar_neg(t, c->lam[i])) == 0)
			ret = p256_scalar_from_bn(c->nlam[i], t);
	}
	BN_free(t);
	return ret;
}

/* P = point - combined(j) = B - sum lambda_t D_t[j], one p256_msm (the
 * shares and the ciphertext are public: variable time is fine). */
static int
combine_open(EC_POINT *P, struct combiner *c, size_t j, const uint8_t *b,
    size_t blen)
{
	struct p256_affine pt[CEREMONY_MAX_TRUSTEES + 1];
	uint64_t sc[CEREMONY_MAX_TRUSTEES + 1][4];
	uint8_t enc[CEREMONY_MAX_TRUSTEES + 1][GROUP_POINT_LEN];
	const ProtobufCBinaryData *d;
	const Tally__DleqProof *pr;
	struct p256_jacobian r;
	size_t i;
	int ret;

	/* every refusal here is E_BAD_POINT: all decoded together */
	if (b == NULL || blen != GROUP_POINT_LEN)
		return TALLY_ERR_BAD_POINT;
	memcpy(enc[c->k], b, GROUP_POINT_LEN);
	memset(sc[c->k], 0, sizeof(sc[c->k]));
	sc[c->k][0] = 1;
	for (i = 0; i < c->k; i++) {
		share_entry(c->sh[i], j, c->nsums, &d, &pr);
		if (d->data == NULL || d->len != GROUP_POINT_LEN)
			return TALLY_ERR_BAD_POINT;
		memcpy(enc[i], d->data, GROUP_POINT_LEN);
		memcpy(sc[i], c->nlam[i], sizeof(sc[i]));
	}
	if ((ret = p256_decode_batch(pt,
		 (const uint8_t(*)[GROUP_POINT_LEN])enc, c->k + 1)) != 0)
		return ret;
	if ((ret = p256_msm(&r, c->k + 1, pt,
		 (const uint64_t(*)[4])sc)) != 0)
		return ret;
	return p256_to_ec(P, &r);
}

static int
count_totals(struct count_result *r, const struct count_input *in,
    struct combiner *c, char *err, size_t errlen)
{
	struct dlog_table *t = NULL;
	EC_POINT *P = NULL;
	size_t i;
	int ret;

	if (in->agg->ballots == 0)
		return 0;
	if ((P = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = dlog_table_new(&t, in->agg->ballots)) != 0)
		goto out;
	for (i = 0; i < in->agg->n_sums; i++) {
		if ((ret = combine_open(P, c, i, in->agg->sums[i]->b.data,
		    in->agg->sums[i]->b.len)) != 0)
			goto out;
		if ((ret = dlog_solve(t, P, &r->totals[i])) != 0) {
			snprintf(err, errlen, "total of selection %zu is not "
			    "in 0..%llu", i,
			    (unsigned long long)in->agg->ballots);
			goto out;
		}
	}
out:
	dlog_table_free(t);
	group_point_free(P);
	return ret;
}

/* 0 or 1 from P = bit G, else E_VERIFY. */
static int
point_bit(const EC_POINT *P, int *bit)
{
	if (group_point_is_infinity(P)) {
		*bit = 0;
		return 0;
	}
	if (group_point_equal(P, group_generator())) {
		*bit = 1;
		return 0;
	}
	return TALLY_ERR_VERIFY;
}

/* The name of item i when its slot is marked and it opens, else NULL. */
static int
count_writein_one(char **name, const struct count_input *in,
    struct combiner *c, size_t i, EC_POINT *const *M)
{
	char buf[WRITEIN_NAME_MAX + 1];
	size_t k = COUNT_ITEM_CTS * i, j;
	int bit, ret;

	*name = NULL;
	if ((ret = combine_open(M[0], c, c->nsums + k, wl_ct(in, k) + 33,
	    33)) != 0 || (ret = point_bit(M[0], &bit)) != 0 || bit == 0)
		return ret;
	for (j = 0; j < WRITEIN_POINTS; j++)
		if ((ret = combine_open(M[j], c, c->nsums + k + 1 + j,
		    wl_ct(in, k + 1 + j) + 33, 33)) != 0)
			return ret;
	/* A marked slot whose points are not a name counts for nobody. */
	if (writein_name_decode(buf, (const EC_POINT *const *)M) != 0)
		return 0;
	if ((*name = strdup(buf)) == NULL)
		return TALLY_ERR_NOMEM;
	return 0;
}

struct wi_list {
	struct rules_writein_in *v;
	size_t n;
};

static void
wi_list_clear(struct wi_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free((char *)l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * 1 when this ballot (whose names start at l->v[first]) already named the
 * same person in the same contest: a terminal that writes one name into two
 * slots still gives that person one vote. 0 when not, and for a name that
 * does not normalise (not UTF-8): the rules refuse those later.
 */
static int
wi_seen(const struct wi_list *l, size_t first, uint32_t contest,
    const char *name)
{
	char *a = NULL, *b = NULL;
	size_t j;
	int ret = 0;

	if (manifest_name_normalize(name, strlen(name), &a) != 0)
		return 0;	/* not UTF-8: the rules refuse it later */
	for (j = first; j < l->n && ret == 0; j++) {
		if (l->v[j].contest != contest)
			continue;
		if ((ret = manifest_name_normalize(l->v[j].name,
		    strlen(l->v[j].name), &b)) != 0) {
			ret = 0;
			continue;
		}
		ret = strcmp(a, b) == 0;
		free(b);
		b = NULL;
	}
	free(a);
	return ret;
}

static int
count_writeins(struct wi_list *l, const struct count_input *in,
    struct combiner *c, char *err, size_t errlen)
{
	const struct manifest *m = in->m;
	EC_POINT *M[WRITEIN_POINTS] = { NULL };
	uint32_t *contest = NULL;
	char *name;
	size_t i, j, s, first = 0;
	int ret = TALLY_ERR_NOMEM;

	memset(l, 0, sizeof(*l));
	if (in->nitems == 0)
		return 0;
	if ((l->v = calloc(in->nitems, sizeof(*l->v))) == NULL ||
	    (contest = calloc(m->nwriteins, sizeof(*contest))) == NULL)
		goto out;
	for (j = 0; j < WRITEIN_POINTS; j++)
		if ((M[j] = group_point_new()) == NULL)
			goto out;
	for (i = 0; i < m->ncontests; i++)
		for (s = 0; s < m->contests[i].writein_slots; s++)
			contest[m->contests[i].wi_first + s] = (uint32_t)i;
	ret = 0;
	for (i = 0; i < in->nitems; i++) {
		s = i % m->nwriteins;
		if ((ret = count_writein_one(&name, in, c, i, M)) != 0) {
			snprintf(err, errlen, "write-in mark of %s %zu slot "
			    "%zu is not 0 or 1", in->mixed ? "mixed tuple" :
			    "ballot", i / m->nwriteins, s);
			break;
		}
		if (s == 0)
			first = l->n;
		if (name == NULL)
			continue;
		if ((ret = wi_seen(l, first, contest[s], name)) != 0) {
			free(name);
			if (ret < 0)
				break;
			ret = 0;
			continue;
		}
		l->v[l->n].contest = contest[s];
		l->v[l->n].name = name;
		l->v[l->n].votes = 1;
		l->n++;
	}
out:
	for (j = 0; j < WRITEIN_POINTS; j++)
		group_point_free(M[j]);
	free(contest);
	return ret;
}

/* Every share verified and distinct; *culprit names the bad one. */
static int
count_check_shares(const struct count_input *in, const struct count_pts *p,
    const Tally__DecryptionShare *const *shares, size_t nshares,
    uint32_t *culprit, char *err, size_t errlen)
{
	uint8_t seen[CEREMONY_MAX_TRUSTEES + 1] = { 0 };
	size_t i, where = 0;
	int ret;

	for (i = 0; i < nshares; i++) {
		if (in->shares_verified && (shares[i]->trustee < 1 ||
		    shares[i]->trustee > in->tr->trustees)) {
			*culprit = shares[i]->trustee;
			snprintf(err, errlen, "share of trustee %u: no such "
			    "trustee", shares[i]->trustee);
			return TALLY_ERR_BAD_SHARE;
		}
		if (!in->shares_verified &&
		    (ret = share_verify_pts(in, p, shares[i], &where)) != 0) {
			*culprit = shares[i]->trustee;
			snprintf(err, errlen, "share of trustee %u: %s at %zu",
			    shares[i]->trustee, tally_strerror(ret), where);
			return ret;
		}
		if (seen[shares[i]->trustee]++) {
			*culprit = shares[i]->trustee;
			snprintf(err, errlen, "second share of trustee %u",
			    shares[i]->trustee);
			return TALLY_ERR_SHARE_DUP;
		}
	}
	if (nshares < in->tr->quorum) {
		snprintf(err, errlen, "%zu of %u shares: %zu more needed",
		    nshares, in->tr->quorum, in->tr->quorum - nshares);
		return TALLY_ERR_NEED_SHARES;
	}
	return 0;
}

static int
count_rules(struct count_result *r, const struct count_input *in,
    const struct wi_list *l, char *err, size_t errlen)
{
	struct rules_input ri = {
		.present = in->present,
		.issued = in->issued,
		.cast = in->agg->ballots,
		.totals = r->totals,
		.writeins = l->v,
		.nwriteins = l->n,
	};
	int ret;

	if ((ret = rules_count(&r->outcome, in->m, &ri, err, errlen)) != 0)
		return ret;
	return rules_outcome_to_json(in->m, r->outcome, &r->json,
	    &r->jsonlen);
}

int
count_tally(struct count_result **out, const struct count_input *in,
    const Tally__DecryptionShare *const *shares, size_t nshares,
    uint32_t *culprit, char *err, size_t errlen)
{
	struct count_result *r = NULL;
	struct count_pts p;
	struct combiner c;
	struct wi_list l;
	uint32_t dummy;
	char ebuf[2];
	int ret;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	memset(&l, 0, sizeof(l));
	if (culprit == NULL)
		culprit = &dummy;
	*culprit = 0;
	if (err == NULL || errlen == 0) {
		err = ebuf;
		errlen = sizeof(ebuf);
	}
	err[0] = '\0';
	if ((ret = pts_make(&p, in)) != 0)
		return ret;
	if ((ret = count_check_shares(in, &p, shares, nshares, culprit, err,
	    errlen)) != 0)
		goto out;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->totals = calloc(in->m->nsel + 1, sizeof(*r->totals))) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	r->ntotals = in->m->nsel;
	if ((ret = combiner_init(&c, shares, nshares, in->tr->quorum,
	    p.nsums)) != 0 ||
	    (ret = count_totals(r, in, &c, err, errlen)) != 0 ||
	    (ret = count_writeins(&l, in, &c, err, errlen)) != 0 ||
	    (ret = count_rules(r, in, &l, err, errlen)) != 0)
		goto out;
	memcpy(r->trustees, c.set, c.k * sizeof(c.set[0]));
	r->ntrustees = c.k;
	*out = r;
	r = NULL;
out:
	wi_list_clear(&l);
	combiner_clear(&c);
	pts_free(&p);
	count_result_free(r);
	return ret;
}

void
count_result_free(struct count_result *r)
{
	if (r == NULL)
		return;
	free(r->totals);
	rules_outcome_free(r->outcome);
	free(r->json);
	free(r);
}

void
count_result_to_proto(const struct count_result *r, Tally__Result *res)
{
	res->results_json.data = (uint8_t *)r->json;
	res->results_json.len = r->jsonlen;
	res->n_totals = r->ntotals;
	res->totals = r->totals;
	res->n_trustees = r->ntrustees;
	res->trustees = (uint32_t *)r->trustees;
}
