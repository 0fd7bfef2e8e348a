/*
 * proof.c: range (disjunctive Chaum-Pedersen), DLEQ and Schnorr proofs,
 * their Fiat-Shamir framing (docs/record/proofs.md) and batch verification.
 *
 * Error scheme of the verifiers: a wrong number of entries -> E_BAD_PROOF;
 * a field that is not a canonical point -> E_BAD_POINT; not a scalar < q ->
 * E_BAD_SCALAR; a challenge or group equation that does not hold ->
 * E_BAD_PROOF.
 */
#include "proof.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "err.h"
#include "group.h"
#include "hash.h"
#include "p256/p256.h"
#include "p256/scalar.h"

static const uint8_t proof_zero_hash[32];

/* ------------------------------------------------------------ framing */

int
proof_bind_start(struct hash_ctx *h, const char *tag, int wide,
    const struct proof_bind *bind)
{
	const uint8_t *eh = bind->election_hash ? bind->election_hash
						: proof_zero_hash;
	int ret;

	if ((ret = hash_init(h, tag, wide)) != 0)
		return ret;
	if ((ret = hash_add(h, eh, 32)) != 0 ||
	    (ret = hash_add(h, bind->subject, bind->subject_len)) != 0 ||
	    (ret = hash_add_u32(h, bind->kind)) != 0 ||
	    (ret = hash_add_u32(h, bind->contest)) != 0 ||
	    (ret = hash_add_u32(h, bind->index)) != 0) {
		hash_abort(h);
		return ret;
	}
	return 0;
}

/* Append points (33 bytes each) and finish into c. */
static int
bind_finish(struct hash_ctx *h, BIGNUM *c, const uint8_t *const *pts,
    size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		if ((ret = hash_add(h, pts[i], GROUP_POINT_LEN)) != 0) {
			hash_abort(h);
			return ret;
		}
	}
	return hash_final_scalar(h, c);
}

int
range_proof_challenge(BIGNUM *c, const struct proof_bind *bind, uint32_t max,
    const uint8_t K[33], const uint8_t a[33], const uint8_t b[33],
    const ProtobufCBinaryData *t, const ProtobufCBinaryData *u)
{
	const uint8_t *st[3] = {K, a, b};
	struct hash_ctx h;
	size_t j;
	int ret;

	if ((ret = proof_bind_start(&h, "range", 1, bind)) != 0)
		return ret;
	if ((ret = hash_add_u32(&h, max)) != 0)
		goto fail;
	for (j = 0; j < 3; j++)
		if ((ret = hash_add(&h, st[j], GROUP_POINT_LEN)) != 0)
			goto fail;
	for (j = 0; j <= max; j++)
		if ((ret = hash_add(&h, t[j].data, t[j].len)) != 0)
			goto fail;
	for (j = 0; j <= max; j++)
		if ((ret = hash_add(&h, u[j].data, u[j].len)) != 0)
			goto fail;
	return hash_final_scalar(&h, c);
fail:
	hash_abort(&h);
	return ret;
}

int
dleq_challenge(BIGNUM *c, const struct proof_bind *bind, const uint8_t A[33],
    const uint8_t X[33], const uint8_t D[33], const uint8_t t1[33],
    const uint8_t t2[33])
{
	const uint8_t *pts[5] = {A, X, D, t1, t2};
	struct hash_ctx h;
	int ret;

	if ((ret = proof_bind_start(&h, "dleq", 1, bind)) != 0)
		return ret;
	return bind_finish(&h, c, pts, 5);
}

int
schnorr_challenge(BIGNUM *c, const struct proof_bind *bind,
    const uint8_t X[33], const uint8_t t[33])
{
	const uint8_t *pts[2] = {X, t};
	struct hash_ctx h;
	int ret;

	if ((ret = proof_bind_start(&h, "schnorr", 1, bind)) != 0)
		return ret;
	return bind_finish(&h, c, pts, 2);
}

/* ------------------------------------------------------------ helpers */

static int
bin_set(ProtobufCBinaryData *d, const uint8_t *p, size_t n)
{
	if ((d->data = malloc(n)) == NULL)
		return TALLY_ERR_NOMEM;
	memcpy(d->data, p, n);
	d->len = n;
	return 0;
}

int
proof_bin_point(ProtobufCBinaryData *d, const EC_POINT *p)
{
	uint8_t enc[GROUP_POINT_LEN];
	int ret;

	if ((ret = group_point_encode(enc, p)) != 0)
		return ret;
	return bin_set(d, enc, sizeof(enc));
}

int
proof_bin_scalar(ProtobufCBinaryData *d, const BIGNUM *s)
{
	uint8_t enc[GROUP_SCALAR_LEN];
	int ret;

	if ((ret = group_scalar_encode(enc, s)) != 0)
		return ret;
	return bin_set(d, enc, sizeof(enc));
}

static void
bin_free(ProtobufCBinaryData *d)
{
	free(d->data);
	d->data = NULL;
	d->len = 0;
}

void
proof_bin_array_free(ProtobufCBinaryData **arr, size_t *n)
{
	size_t i;

	/* wiped: a prover's arrays hold unpublished values (the true
	 * branch's drawn c and v, a failed proof's nonce) until the end */
	if (*arr != NULL)
		for (i = 0; i < *n; i++)
			OPENSSL_clear_free((*arr)[i].data, (*arr)[i].len);
	free(*arr);
	*arr = NULL;
	*n = 0;
}

/* Random batch weights, drawn 64 at a time (one RAND_bytes call costs
 * about as much as hashing a proof). */
#define WEIGHT_LEN 16
struct weight_pool {
	uint8_t buf[64 * WEIGHT_LEN];
	size_t pos;
};

/* A random 128-bit batch weight, as p256 scalar limbs. */
static int
scalar_weight(struct weight_pool *wp, uint64_t z[4])
{
	const uint8_t *w;
	int k;

	if (wp->pos == 0 || wp->pos == sizeof(wp->buf)) {
		if (RAND_bytes(wp->buf, sizeof(wp->buf)) != 1)
			return TALLY_ERR_CRYPTO;
		wp->pos = 0;
	}
	w = wp->buf + wp->pos;
	z[0] = z[1] = z[2] = z[3] = 0;
	for (k = 0; k < 8; k++) {
		z[0] |= (uint64_t)w[k] << (8 * k);
		z[1] |= (uint64_t)w[8 + k] << (8 * k);
	}
	OPENSSL_cleanse(wp->buf + wp->pos, WEIGHT_LEN);
	wp->pos += WEIGHT_LEN;
	return 0;
}

static void
bns_free(BIGNUM **s, size_t n)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < n; i++)
		BN_clear_free(s[i]);
	free(s);
}

/* Strict decoding of a proof's point (33 bytes) for the verifiers. */
static int
aff_decode(struct p256_affine *out, const ProtobufCBinaryData *d)
{
	if (d->data == NULL || d->len != GROUP_POINT_LEN)
		return TALLY_ERR_BAD_POINT;
	return p256_decode(out, d->data);
}

/* p == a, for the one-by-one verifiers (r from OpenSSL). */
static int
aff_equal(const EC_POINT *p, const struct p256_affine *a)
{
	struct p256_affine pa;

	return p256_from_ec(&pa, p) == 0 &&
	    memcmp(&pa, a, sizeof(pa)) == 0;
}

/* Encode a statement point; the point at infinity is never a statement. */
static int
stmt_encode(uint8_t out[GROUP_POINT_LEN], const EC_POINT *p)
{
	if (p == NULL)
		return TALLY_ERR_INVALID_ARG;
	return group_point_encode(out, p);
}

/* A statement point of a verifier: its encoding (for the challenge) and
 * its affine form (for the group equations), from one normalisation
 * (struct proof_point, proof.h). */
#define stmt_pt proof_point

/* The last statement point loaded through a batch: the election key K
 * recurs in every ballot proof, and its normalisation is not free. */
struct stmt_memo {
	EC_POINT *pt;
	struct stmt_pt st;
};

static int
stmt_load(struct stmt_pt *s, const EC_POINT *p, struct stmt_memo *memo)
{
	int ret, cmp;

	if (p == NULL)
		return TALLY_ERR_INVALID_ARG;
	if (memo != NULL && memo->pt != NULL) {
		if ((cmp = EC_POINT_cmp(group_ec(), p, memo->pt,
			 group_bn_ctx())) < 0)
			return TALLY_ERR_CRYPTO;
		if (cmp == 0) {
			*s = memo->st;
			return 0;
		}
	}
	if ((ret = p256_from_ec(&s->aff, p)) != 0)
		return ret;
	p256_encode(s->enc, &s->aff);
	if (memo != NULL) {
		if (memo->pt == NULL && (memo->pt = group_point_new()) == NULL)
			return TALLY_ERR_NOMEM;
		if ((ret = group_point_copy(memo->pt, p)) != 0) {
			group_point_free(memo->pt);
			memo->pt = NULL;
			return ret;
		}
		memo->st = *s;
	}
	return 0;
}

/* ------------------------------------------------------- range proofs */

/* The response v = w + c x of every proof, encoded into v; w becomes the
 * response, tmp (which may be c) is scratch. */
static int
proof_respond(ProtobufCBinaryData *v, BIGNUM *w, BIGNUM *tmp,
    const BIGNUM *c, const BIGNUM *x)
{
	int ret;

	if ((ret = group_scalar_mul(tmp, c, x)) != 0 ||
	    (ret = group_scalar_add(w, w, tmp)) != 0)
		return ret;
	return proof_bin_scalar(v, w);
}

/*
 * One simulated branch j: t = vG - c a, u = vK - c b + (c j) G. The
 * prover knows a = rG and b = rK + mG, so with s = v - c r these are
 * t = sG and u = sK + c (j - m) G: multiplications by the fixed bases G
 * and K only (precomputed tables, constant time), none by a or b.
 */
static int
range_fake_branch(EC_POINT *t, EC_POINT *u, const BIGNUM *c,
    const BIGNUM *v, uint32_t j, const EC_POINT *K, uint64_t m,
    const BIGNUM *r)
{
	BIGNUM *sc = group_scalar_new(), *e = group_scalar_new();
	BIGNUM *mb = group_scalar_new();
	int ret = TALLY_ERR_NOMEM;

	if (sc == NULL || e == NULL || mb == NULL)
		goto out;
	if ((ret = group_scalar_mul(sc, c, r)) != 0 ||
	    (ret = group_scalar_sub(sc, v, sc)) != 0 ||
	    (ret = group_scalar_set_u64(e, j)) != 0 ||
	    (ret = group_scalar_set_u64(mb, m)) != 0 ||
	    (ret = group_scalar_sub(e, e, mb)) != 0 ||
	    (ret = group_scalar_mul(e, e, c)) != 0)
		goto out;
	if ((ret = group_mul_g(t, sc)) != 0)
		goto out;
	ret = group_mul2_fixed(u, e, K, sc);
out:
	group_scalar_free(sc);
	group_scalar_free(e);
	group_scalar_free(mb);
	return ret;
}

static int
range_alloc(Tally__RangeProof *out, size_t n)
{
	out->t = calloc(n, sizeof(*out->t));
	out->u = calloc(n, sizeof(*out->u));
	out->c = calloc(n, sizeof(*out->c));
	out->v = calloc(n, sizeof(*out->v));
	if (out->t == NULL || out->u == NULL || out->c == NULL ||
	    out->v == NULL)
		return TALLY_ERR_NOMEM;
	out->n_t = out->n_u = out->n_c = out->n_v = n;
	return 0;
}

/* Commitments of every branch; the simulated c_j, v_j go to out and
 * their sum to csum. The 2 (max + 1) commitments are encoded together,
 * with one inversion. */
static int
range_commit(Tally__RangeProof *out, BIGNUM *csum, const BIGNUM *w,
    const EC_POINT *K, const BIGNUM *r, uint64_t m, uint32_t max)
{
	size_t j, n = (size_t)max + 1;
	EC_POINT **pt = calloc(2 * n, sizeof(*pt));
	uint8_t (*enc)[GROUP_POINT_LEN] = calloc(2 * n, sizeof(*enc));
	BIGNUM *c = BN_new(), *v = BN_new();
	int ret = TALLY_ERR_NOMEM;

	if (pt == NULL || enc == NULL || c == NULL || v == NULL)
		goto out;
	for (j = 0; j < 2 * n; j++)
		if ((pt[j] = group_point_new()) == NULL)
			goto out;
	BN_zero(csum);
	for (j = 0; j < n; j++) {
		if (j == m) {
			if ((ret = group_mul_g(pt[j], w)) != 0 ||
			    (ret = group_mul_fixed(pt[n + j], K, w)) != 0)
				goto out;
		} else {
			if ((ret = group_scalar_random(c)) != 0 ||
			    (ret = group_scalar_random(v)) != 0 ||
			    (ret = range_fake_branch(pt[j], pt[n + j], c, v,
				 (uint32_t)j, K, m, r)) != 0 ||
			    (ret = group_scalar_add(csum, csum, c)) != 0 ||
			    (ret = proof_bin_scalar(&out->c[j], c)) != 0 ||
			    (ret = proof_bin_scalar(&out->v[j], v)) != 0)
				goto out;
		}
	}
	if ((ret = group_points_encode(enc, (const EC_POINT *const *)pt,
		 2 * n)) != 0)
		goto out;
	for (j = 0; j < n; j++)
		if ((ret = bin_set(&out->t[j], enc[j], GROUP_POINT_LEN)) != 0 ||
		    (ret = bin_set(&out->u[j], enc[n + j],
			 GROUP_POINT_LEN)) != 0)
			goto out;
	ret = 0;
out:
	if (pt != NULL)
		for (j = 0; j < 2 * n; j++)
			group_point_free(pt[j]);
	free(pt);
	free(enc);
	BN_clear_free(c);
	BN_clear_free(v);
	return ret;
}

int
range_proof_prove(Tally__RangeProof *out, const EC_POINT *K,
    const struct elgamal_ct *ct, uint64_t m, const BIGNUM *r, uint32_t max,
    const struct proof_bind *bind)
{
	uint8_t kb[GROUP_POINT_LEN], ab[GROUP_POINT_LEN], bb[GROUP_POINT_LEN];
	BIGNUM *w = group_scalar_new(), *c = BN_new(), *csum = BN_new();
	int ret = TALLY_ERR_INVALID_ARG;

	tally__range_proof__init(out);
	if (bind == NULL || ct == NULL || r == NULL ||
	    max > PROOF_RANGE_MAX || m > max)
		goto out;
	if ((ret = stmt_encode(kb, K)) != 0 ||
	    (ret = stmt_encode(ab, ct->a)) != 0 ||
	    (ret = stmt_encode(bb, ct->b)) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if (w == NULL || c == NULL || csum == NULL ||
	    (ret = range_alloc(out, (size_t)max + 1)) != 0)
		goto out;
	if ((ret = group_scalar_random(w)) != 0 ||
	    (ret = range_commit(out, csum, w, K, r, m, max)) != 0 ||
	    (ret = range_proof_challenge(c, bind, max, kb, ab, bb, out->t,
		 out->u)) != 0)
		goto out;
	/* c_m = c - sum c_j, v_m = w + c_m r */
	if ((ret = group_scalar_sub(c, c, csum)) != 0 ||
	    (ret = proof_bin_scalar(&out->c[m], c)) != 0 ||
	    (ret = proof_respond(&out->v[m], w, csum, c, r)) != 0)
		goto out;
	ret = 0;
out:
	group_scalar_free(w);
	BN_clear_free(c);
	BN_clear_free(csum);
	if (ret != 0)
		range_proof_clear(out);
	return ret;
}

/* ------------------------------------- range proofs, in two steps */

/*
 * The scalars here are four 64-bit limbs modulo q (p256/scalar.h,
 * constant time), no BIGNUM. Every branch j is computed alike, the true
 * one (j = m) included, so that neither the work nor the memory touched
 * depends on m: each draws c_j and v_j; the true branch's c_j is masked to
 * 0, which turns the simulated t_j = s_j G, u_j = s_j K + e_j G with
 * s_j = v_j - c_j r, e_j = c_j (j - m) into t_m = wG, u_m = wK with the
 * nonce w = v_m. The n - 1 products e_j G of the simulated branches are
 * outputs E_0 .. E_{n-2} (E_k holds e_k for k < m, e_{k+1} from m on) and
 * u_j takes E_j (j < m), E_{j-1} (j > m) or nothing (j = m) by masks
 * (p256_comb_term.ref). c_m and v_m are written into their places by
 * masks over all j at the end.
 */
struct range_pending {
	uint64_t w[4], csum[4], r[4];
	uint64_t m;
	uint32_t max;
};

void
range_pending_free(struct range_pending *p)
{
	if (p == NULL)
		return;
	OPENSSL_clear_free(p, sizeof(*p));
}

/* all ones when a == b, else 0 (a, b < 2^63) */
static uint64_t
ct_eq_u64(uint64_t a, uint64_t b)
{
	uint64_t d = a ^ b;

	return ((d | (0 - d)) >> 63) - 1;
}

/* all ones when a < b, else 0 (a, b < 2^63) */
static uint64_t
ct_lt_u64(uint64_t a, uint64_t b)
{
	return 0 - ((a - b) >> 63);
}

static int
bin_scalar_limbs(ProtobufCBinaryData *d, const uint64_t s[4])
{
	uint8_t enc[GROUP_SCALAR_LEN];
	int ret;

	p256_sc_to_be(enc, s);
	ret = bin_set(d, enc, sizeof(enc));
	OPENSSL_cleanse(enc, sizeof(enc));
	return ret;
}

int
range_proof_begin(struct range_pending **pend, Tally__RangeProof *out,
    struct p256_comb_term (*terms)[2], size_t base,
    const struct p256_comb *gt, const struct p256_comb *kt, uint64_t m,
    const uint64_t r[4], uint32_t max, struct group_rand *rnd)
{
	static const uint64_t zero[4] = {0, 0, 0, 0};
	struct range_pending *p = NULL;
	uint64_t c[4], v[4], s[4], d[4], nd[4], eq, lt;
	uint64_t (*e)[4] = NULL;
	size_t j, n = (size_t)max + 1, nt = PROOF_RANGE_TERMS(max);
	int ret = TALLY_ERR_INVALID_ARG, touched = 0;

	*pend = NULL;
	tally__range_proof__init(out);
	if (r == NULL || gt == NULL || kt == NULL || rnd == NULL ||
	    max > PROOF_RANGE_MAX || m > max)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (e = calloc(n, sizeof(*e))) == NULL ||
	    (ret = range_alloc(out, n)) != 0)
		goto out;
	memcpy(p->r, r, sizeof(p->r));
	p->m = m;
	p->max = max;
	memset(terms, 0, nt * sizeof(*terms));
	touched = 1;
	for (j = 0; j < n; j++) {
		eq = ct_eq_u64(j, m);
		lt = ct_lt_u64(j, m);
		if ((ret = group_scalar_random_limbs(c, rnd)) != 0 ||
		    (ret = group_scalar_random_limbs(v, rnd)) != 0)
			goto out;
		/* the drawn c_j, v_j go out; the true branch's are replaced
		 * at the end */
		if ((ret = bin_scalar_limbs(&out->c[j], c)) != 0 ||
		    (ret = bin_scalar_limbs(&out->v[j], v)) != 0)
			goto out;
		p256_sc_select(c, eq, zero, c);
		p256_sc_select(p->w, eq, v, p->w);
		p256_sc_add(p->csum, p->csum, c);
		/* s = v - c r */
		p256_sc_mul(s, c, r);
		p256_sc_sub(s, v, s);
		/* e_j = c (j - m): |j - m| then its sign, by masks */
		p256_sc_set_u64(d, ((j - m) ^ lt) - lt);
		p256_sc_sub(nd, zero, d);
		p256_sc_select(d, lt, nd, d);
		p256_sc_mul(e[j], c, d);
		/* t_j = s G, u_j = s K + (E_j, E_{j-1} or nothing) */
		terms[j][0].tab = gt;
		memcpy(terms[j][0].k, s, sizeof(s));
		terms[n + j][0].tab = kt;
		memcpy(terms[n + j][0].k, s, sizeof(s));
		if (n > 1) {
			terms[n + j][1].ref = 1;
			terms[n + j][1].src[0] = base + 2 * n +
			    (j < n - 1 ? j : j - 1);
			terms[n + j][1].src[1] = base + 2 * n +
			    (j > 0 ? j - 1 : j);
			terms[n + j][1].pick = lt;
			terms[n + j][1].none = eq;
		}
	}
	/* E_k = e_k G for k < m, e_{k+1} G from m on */
	for (j = 0; j + 1 < n; j++) {
		terms[2 * n + j][0].tab = gt;
		p256_sc_select(terms[2 * n + j][0].k, ct_lt_u64(j, m), e[j],
		    e[j + 1]);
	}
	*pend = p;
	p = NULL;
	ret = 0;
out:
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(v, sizeof(v));
	OPENSSL_cleanse(s, sizeof(s));
	OPENSSL_cleanse(d, sizeof(d));
	OPENSSL_cleanse(nd, sizeof(nd));
	if (e != NULL)
		OPENSSL_clear_free(e, n * sizeof(*e));
	range_pending_free(p);
	if (ret != 0) {
		if (touched)
			OPENSSL_cleanse(terms, nt * sizeof(*terms));
		range_proof_clear(out);
	}
	return ret;
}

/* d = s when mask is all ones, else d unchanged (32 bytes, by masks) */
static void
bin_select(ProtobufCBinaryData *d, uint64_t mask, const uint8_t s[32])
{
	uint8_t m8 = (uint8_t)mask;
	size_t i;

	for (i = 0; i < GROUP_SCALAR_LEN; i++)
		d->data[i] = (uint8_t)((s[i] & m8) | (d->data[i] & ~m8));
}

int
range_proof_end(Tally__RangeProof *out, struct range_pending *p,
    const uint8_t (*enc)[GROUP_POINT_LEN], const uint8_t kb[33],
    const uint8_t ab[33], const uint8_t bb[33],
    const struct proof_bind *bind)
{
	uint8_t cb[GROUP_SCALAR_LEN], vb[GROUP_SCALAR_LEN];
	uint64_t c[4], v[4];
	size_t j, n;
	BIGNUM *cbn = BN_new();
	int ret = TALLY_ERR_INVALID_ARG;

	if (p == NULL || bind == NULL)
		goto out;
	n = (size_t)p->max + 1;
	for (j = 0; j < n; j++)
		if ((ret = bin_set(&out->t[j], enc[j], GROUP_POINT_LEN)) != 0 ||
		    (ret = bin_set(&out->u[j], enc[n + j],
			 GROUP_POINT_LEN)) != 0)
			goto out;
	ret = TALLY_ERR_NOMEM;
	if (cbn == NULL ||
	    (ret = range_proof_challenge(cbn, bind, p->max, kb, ab, bb,
		 out->t, out->u)) != 0)
		goto out;
	/* the challenge is public, below q (hash_final_scalar) */
	if (BN_bn2binpad(cbn, cb, sizeof(cb)) != sizeof(cb) ||
	    !p256_sc_from_be(c, cb)) {
		ret = TALLY_ERR_CRYPTO;
		goto out;
	}
	/* c_m = c - sum c_j, v_m = w + c_m r, written into place m by masks */
	p256_sc_sub(c, c, p->csum);
	p256_sc_mul(v, c, p->r);
	p256_sc_add(v, v, p->w);
	p256_sc_to_be(cb, c);
	p256_sc_to_be(vb, v);
	for (j = 0; j < n; j++) {
		bin_select(&out->c[j], ct_eq_u64(j, p->m), cb);
		bin_select(&out->v[j], ct_eq_u64(j, p->m), vb);
	}
	ret = 0;
out:
	OPENSSL_cleanse(c, sizeof(c));
	OPENSSL_cleanse(v, sizeof(v));
	OPENSSL_cleanse(cb, sizeof(cb));
	OPENSSL_cleanse(vb, sizeof(vb));
	BN_free(cbn);
	if (ret != 0)
		range_proof_clear(out);
	return ret;
}

void
range_proof_clear(Tally__RangeProof *p)
{
	if (p == NULL)
		return;
	proof_bin_array_free(&p->t, &p->n_t);
	proof_bin_array_free(&p->u, &p->n_u);
	proof_bin_array_free(&p->c, &p->n_c);
	proof_bin_array_free(&p->v, &p->n_v);
}

/* A range proof decoded and its challenge checked. */
struct range_dec {
	size_t n;
	struct stmt_pt sk, sa, sb;
	struct p256_affine *t, *u; /* u = t + n, one allocation */
	BIGNUM **c, **v;
};

static void
range_dec_free(struct range_dec *d)
{
	free(d->t);
	bns_free(d->c, d->n);
	bns_free(d->v, d->n);
	memset(d, 0, sizeof(*d));
}

/* The points t and u, all decoded together (p256_decode_batch). */
static int
range_dec_points(struct range_dec *d, const Tally__RangeProof *p)
{
	uint8_t(*enc)[GROUP_POINT_LEN];
	const ProtobufCBinaryData *f;
	size_t j;
	int ret;

	if ((enc = calloc(2 * d->n, sizeof(*enc))) == NULL)
		return TALLY_ERR_NOMEM;
	ret = TALLY_ERR_BAD_POINT;
	for (j = 0; j < 2 * d->n; j++) {
		f = j < d->n ? &p->t[j] : &p->u[j - d->n];
		if (f->data == NULL || f->len != GROUP_POINT_LEN)
			goto out;
		memcpy(enc[j], f->data, GROUP_POINT_LEN);
	}
	ret = p256_decode_batch(d->t, (const uint8_t(*)[GROUP_POINT_LEN])enc,
	    2 * d->n);
out:
	free(enc);
	return ret;
}

static int
range_dec_fields(struct range_dec *d, const Tally__RangeProof *p)
{
	size_t j;
	int ret;

	for (j = 0; j < d->n; j++)
		if ((d->c[j] = BN_new()) == NULL ||
		    (d->v[j] = BN_new()) == NULL)
			return TALLY_ERR_NOMEM;
	if ((ret = range_dec_points(d, p)) != 0)
		return ret;
	for (j = 0; j < d->n; j++)
		if ((ret = group_scalar_decode(d->c[j], p->c[j].data,
			 p->c[j].len)) != 0 ||
		    (ret = group_scalar_decode(d->v[j], p->v[j].data,
			 p->v[j].len)) != 0)
			return ret;
	return 0;
}

/* Decode p strictly for [0, max] and check sum c_j == H(...). */
static int
range_prepare(struct range_dec *d, const Tally__RangeProof *p,
    const EC_POINT *K, const struct elgamal_ct *ct, uint32_t max,
    const struct proof_bind *bind, struct stmt_memo *memo)
{
	BIGNUM *c = NULL, *sum = NULL;
	size_t j, n = (size_t)max + 1;
	int ret = TALLY_ERR_INVALID_ARG;

	memset(d, 0, sizeof(*d));
	if (p == NULL || ct == NULL || bind == NULL || max > PROOF_RANGE_MAX)
		return ret;
	if ((ret = stmt_load(&d->sk, K, memo)) != 0 ||
	    (ret = stmt_load(&d->sa, ct->a, NULL)) != 0 ||
	    (ret = stmt_load(&d->sb, ct->b, NULL)) != 0)
		return ret;
	if (p->n_t != n || p->n_u != n || p->n_c != n || p->n_v != n)
		return TALLY_ERR_BAD_PROOF;
	d->n = n;
	d->t = calloc(2 * n, sizeof(*d->t));
	d->u = d->t != NULL ? d->t + n : NULL;
	d->c = calloc(n, sizeof(*d->c));
	d->v = calloc(n, sizeof(*d->v));
	ret = TALLY_ERR_NOMEM;
	if (d->t == NULL || d->c == NULL || d->v == NULL ||
	    (c = BN_new()) == NULL || (sum = BN_new()) == NULL)
		goto out;
	if ((ret = range_dec_fields(d, p)) != 0 ||
	    (ret = range_proof_challenge(c, bind, max, d->sk.enc, d->sa.enc,
		 d->sb.enc, p->t, p->u)) != 0)
		goto out;
	BN_zero(sum);
	for (j = 0; j < n; j++)
		if ((ret = group_scalar_add(sum, sum, d->c[j])) != 0)
			goto out;
	ret = BN_cmp(sum, c) == 0 ? 0 : TALLY_ERR_BAD_PROOF;
out:
	BN_free(c);
	BN_free(sum);
	if (ret != 0)
		range_dec_free(d);
	return ret;
}

/* Check v G == t + c a and v K == u + c b - (c j) G for branch j. */
static int
range_check_branch(const struct range_dec *d, size_t j, const EC_POINT *K,
    const struct elgamal_ct *ct, EC_POINT *r, BIGNUM *nc, BIGNUM *cj)
{
	const EC_POINT *pts[2] = {K, ct->b};
	const BIGNUM *sc[2] = {d->v[j], nc};
	int ret;

	if ((ret = group_scalar_neg(nc, d->c[j])) != 0 ||
	    (ret = group_mul2(r, d->v[j], ct->a, nc)) != 0)
		return ret;
	if (!aff_equal(r, &d->t[j]))
		return TALLY_ERR_BAD_PROOF;
	if ((ret = group_scalar_set_u64(cj, j)) != 0 ||
	    (ret = group_scalar_mul(cj, cj, d->c[j])) != 0 ||
	    (ret = group_msm(r, cj, 2, pts, sc)) != 0)
		return ret;
	return aff_equal(r, &d->u[j]) ? 0 : TALLY_ERR_BAD_PROOF;
}

int
range_proof_verify(const Tally__RangeProof *p, const EC_POINT *K,
    const struct elgamal_ct *ct, uint32_t max, const struct proof_bind *bind)
{
	struct range_dec d;
	EC_POINT *r = NULL;
	BIGNUM *nc = NULL, *cj = NULL;
	size_t j;
	int ret;

	if ((ret = range_prepare(&d, p, K, ct, max, bind, NULL)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((r = group_point_new()) == NULL || (nc = BN_new()) == NULL ||
	    (cj = BN_new()) == NULL)
		goto out;
	for (j = 0; j < d.n; j++)
		if ((ret = range_check_branch(&d, j, K, ct, r, nc, cj)) != 0)
			goto out;
	ret = 0;
out:
	range_dec_free(&d);
	group_point_free(r);
	BN_free(nc);
	BN_free(cj);
	return ret;
}

/* --------------------------------------------------------------- DLEQ */

int
dleq_prove(Tally__DleqProof *out, const BIGNUM *x, const EC_POINT *A,
    const EC_POINT *X, const EC_POINT *D, const struct proof_bind *bind)
{
	uint8_t ab[GROUP_POINT_LEN], xb[GROUP_POINT_LEN], db[GROUP_POINT_LEN];
	EC_POINT *t = group_point_new();
	BIGNUM *w = group_scalar_new(), *c = BN_new();
	int ret = TALLY_ERR_INVALID_ARG;

	tally__dleq_proof__init(out);
	if (bind == NULL || x == NULL)
		goto out;
	if ((ret = stmt_encode(ab, A)) != 0 ||
	    (ret = stmt_encode(xb, X)) != 0 ||
	    (ret = stmt_encode(db, D)) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if (t == NULL || w == NULL || c == NULL)
		goto out;
	if ((ret = group_scalar_random(w)) != 0 ||
	    (ret = group_mul_g(t, w)) != 0 ||
	    (ret = proof_bin_point(&out->t1, t)) != 0 ||
	    (ret = group_mul(t, A, w)) != 0 ||
	    (ret = proof_bin_point(&out->t2, t)) != 0 ||
	    (ret = dleq_challenge(c, bind, ab, xb, db, out->t1.data,
		 out->t2.data)) != 0)
		goto out;
	if ((ret = proof_respond(&out->v, w, c, c, x)) != 0)
		goto out;
	ret = 0;
out:
	group_point_free(t);
	group_scalar_free(w);
	BN_clear_free(c);
	if (ret != 0)
		dleq_clear(out);
	return ret;
}

void
dleq_clear(Tally__DleqProof *p)
{
	if (p == NULL)
		return;
	bin_free(&p->t1);
	bin_free(&p->t2);
	bin_free(&p->v);
}

/* A DLEQ proof decoded, challenge computed. */
struct dleq_dec {
	struct stmt_pt sa, sx, sd;
	struct p256_affine t1, t2;
	BIGNUM *c, *v;
};

static void
dleq_dec_free(struct dleq_dec *d)
{
	BN_free(d->c);
	BN_free(d->v);
	memset(d, 0, sizeof(*d));
}

static int
dleq_prepare(struct dleq_dec *d, const Tally__DleqProof *p, const EC_POINT *A,
    const EC_POINT *X, const EC_POINT *D, const struct proof_bind *bind)
{
	int ret = TALLY_ERR_INVALID_ARG;

	memset(d, 0, sizeof(*d));
	if (p == NULL || bind == NULL)
		return ret;
	if ((ret = stmt_load(&d->sa, A, NULL)) != 0 ||
	    (ret = stmt_load(&d->sx, X, NULL)) != 0 ||
	    (ret = stmt_load(&d->sd, D, NULL)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((d->c = BN_new()) == NULL || (d->v = BN_new()) == NULL)
		goto out;
	if ((ret = aff_decode(&d->t1, &p->t1)) != 0 ||
	    (ret = aff_decode(&d->t2, &p->t2)) != 0 ||
	    (ret = group_scalar_decode(d->v, p->v.data, p->v.len)) != 0)
		goto out;
	ret = dleq_challenge(d->c, bind, d->sa.enc, d->sx.enc, d->sd.enc,
	    p->t1.data, p->t2.data);
out:
	if (ret != 0)
		dleq_dec_free(d);
	return ret;
}

int
dleq_verify(const Tally__DleqProof *p, const EC_POINT *A, const EC_POINT *X,
    const EC_POINT *D, const struct proof_bind *bind)
{
	struct dleq_dec d;
	EC_POINT *r = NULL;
	BIGNUM *nc = NULL;
	const EC_POINT *pts[2] = {A, D};
	const BIGNUM *sc[2];
	int ret;

	if ((ret = dleq_prepare(&d, p, A, X, D, bind)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((r = group_point_new()) == NULL || (nc = BN_new()) == NULL)
		goto out;
	sc[0] = d.v;
	sc[1] = nc;
	/* v G - c X == t1, v A - c D == t2 */
	if ((ret = group_scalar_neg(nc, d.c)) != 0 ||
	    (ret = group_mul2(r, d.v, X, nc)) != 0)
		goto out;
	ret = TALLY_ERR_BAD_PROOF;
	if (!aff_equal(r, &d.t1))
		goto out;
	if ((ret = group_msm(r, NULL, 2, pts, sc)) != 0)
		goto out;
	ret = aff_equal(r, &d.t2) ? 0 : TALLY_ERR_BAD_PROOF;
out:
	dleq_dec_free(&d);
	group_point_free(r);
	BN_free(nc);
	return ret;
}

/* ------------------------------------------------------------ Schnorr */

int
schnorr_prove(Tally__SchnorrProof *out, const BIGNUM *x, const EC_POINT *X,
    const struct proof_bind *bind)
{
	uint8_t xb[GROUP_POINT_LEN];
	EC_POINT *t = group_point_new();
	BIGNUM *w = group_scalar_new(), *c = BN_new();
	int ret = TALLY_ERR_INVALID_ARG;

	tally__schnorr_proof__init(out);
	if (bind == NULL || x == NULL)
		goto out;
	if ((ret = stmt_encode(xb, X)) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if (t == NULL || w == NULL || c == NULL)
		goto out;
	if ((ret = group_scalar_random(w)) != 0 ||
	    (ret = group_mul_g(t, w)) != 0 ||
	    (ret = proof_bin_point(&out->t, t)) != 0 ||
	    (ret = schnorr_challenge(c, bind, xb, out->t.data)) != 0)
		goto out;
	if ((ret = proof_respond(&out->v, w, c, c, x)) != 0)
		goto out;
	ret = 0;
out:
	group_point_free(t);
	group_scalar_free(w);
	BN_clear_free(c);
	if (ret != 0)
		schnorr_clear(out);
	return ret;
}

void
schnorr_clear(Tally__SchnorrProof *p)
{
	if (p == NULL)
		return;
	bin_free(&p->t);
	bin_free(&p->v);
}

struct schnorr_dec {
	struct stmt_pt sx;
	struct p256_affine t;
	BIGNUM *c, *v;
};

static void
schnorr_dec_free(struct schnorr_dec *d)
{
	BN_free(d->c);
	BN_free(d->v);
	memset(d, 0, sizeof(*d));
}

static int
schnorr_prepare(struct schnorr_dec *d, const Tally__SchnorrProof *p,
    const EC_POINT *X, const struct proof_bind *bind)
{
	int ret = TALLY_ERR_INVALID_ARG;

	memset(d, 0, sizeof(*d));
	if (p == NULL || bind == NULL)
		return ret;
	if ((ret = stmt_load(&d->sx, X, NULL)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((d->c = BN_new()) == NULL || (d->v = BN_new()) == NULL)
		goto out;
	if ((ret = aff_decode(&d->t, &p->t)) != 0 ||
	    (ret = group_scalar_decode(d->v, p->v.data, p->v.len)) != 0)
		goto out;
	ret = schnorr_challenge(d->c, bind, d->sx.enc, p->t.data);
out:
	if (ret != 0)
		schnorr_dec_free(d);
	return ret;
}

int
schnorr_verify(const Tally__SchnorrProof *p, const EC_POINT *X,
    const struct proof_bind *bind)
{
	struct schnorr_dec d;
	EC_POINT *r = NULL;
	BIGNUM *nc = NULL;
	int ret;

	if ((ret = schnorr_prepare(&d, p, X, bind)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((r = group_point_new()) == NULL || (nc = BN_new()) == NULL)
		goto out;
	/* v G - c X == t */
	if ((ret = group_scalar_neg(nc, d.c)) != 0 ||
	    (ret = group_mul2(r, d.v, X, nc)) != 0)
		goto out;
	ret = aff_equal(r, &d.t) ? 0 : TALLY_ERR_BAD_PROOF;
out:
	schnorr_dec_free(&d);
	group_point_free(r);
	BN_free(nc);
	return ret;
}

/* -------------------------------------------------------------- batch */

/*
 * The batch is one growing sum  g G + sum s[i] p[i]  that is the point at
 * infinity when every deferred equation holds (each equation scaled by its
 * own random 128-bit weight). Points that recur across proofs (K, and A
 * and X of DLEQ proofs) are found by their encoding and their scalars
 * merged, so each costs one term.
 */
struct proof_batch {
	size_t n, cap;
	/* cap + 1 entries: proof_batch_verify puts G's term after the last */
	struct p256_affine *p;
	uint64_t (*s)[4];
	uint64_t g[4]; /* the generator's scalar */
	/* merged points: encoding -> term index, open addressing */
	uint8_t (*key)[GROUP_POINT_LEN];
	size_t *keyterm;
	size_t nkeys, keycap; /* keycap: power of two, or 0 */
	int err;              /* sticky: a failure while committing terms */
	struct stmt_memo memo;
	struct weight_pool wp;
};

int
proof_batch_new(struct proof_batch **out)
{
	struct proof_batch *b;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return TALLY_ERR_NOMEM;
	*out = b;
	return 0;
}

void
proof_batch_free(struct proof_batch *b)
{
	if (b == NULL)
		return;
	free(b->p);
	if (b->s != NULL)
		OPENSSL_cleanse(b->s, (b->cap + 1) * sizeof(*b->s));
	free(b->s);
	group_point_free(b->memo.pt);
	OPENSSL_cleanse(&b->wp, sizeof(b->wp));
	OPENSSL_cleanse(b->g, sizeof(b->g));
	free(b->key);
	free(b->keyterm);
	free(b);
}

void
proof_batch_reset(struct proof_batch *b)
{
	if (b == NULL)
		return;
	if (b->s != NULL)
		OPENSSL_cleanse(b->s, (b->cap + 1) * sizeof(*b->s));
	if (b->keyterm != NULL)
		memset(b->keyterm, 0, b->keycap * sizeof(*b->keyterm));
	b->n = 0;
	b->nkeys = 0;
	b->err = 0;
	OPENSSL_cleanse(b->g, sizeof(b->g));
}

/* Append the term s P, or s (-P) when neg: a term -z t is stored as
 * z (-t), so that the scalar is the 128-bit weight and not q - z (the
 * multi-scalar multiplication skips the zero top digits of short
 * scalars). */
static int
batch_term(struct proof_batch *b, const struct p256_affine *P,
    const uint64_t s[4], int neg)
{
	struct p256_affine *np;
	uint64_t(*ns)[4];
	size_t cap;

	if (b->n == b->cap) {
		cap = b->cap ? 2 * b->cap : 64;
		if ((np = reallocarray(b->p, cap + 1, sizeof(*np))) == NULL)
			return TALLY_ERR_NOMEM;
		b->p = np;
		/* a copy, not realloc: the old scalars are wiped */
		if ((ns = calloc(cap + 1, sizeof(*ns))) == NULL)
			return TALLY_ERR_NOMEM;
		if (b->s != NULL) {
			memcpy(ns, b->s, b->n * sizeof(*ns));
			OPENSSL_cleanse(b->s, (b->cap + 1) * sizeof(*b->s));
			free(b->s);
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s[b->n], s, sizeof(b->s[b->n]));
	b->p[b->n] = *P;
	if (neg)
		p256_negate(&b->p[b->n]);
	b->n++;
	return 0;
}

static size_t
batch_key_slot(const struct proof_batch *b, const uint8_t enc[GROUP_POINT_LEN])
{
	uint64_t h = 0;
	size_t i, mask = b->keycap - 1;
	int k;

	/* x is uniform: its top bytes are a good enough hash. */
	for (k = 1; k < 9; k++)
		h = (h << 8) | enc[k];
	for (i = (size_t)h & mask; b->keyterm[i] != 0; i = (i + 1) & mask)
		if (memcmp(b->key[i], enc, GROUP_POINT_LEN) == 0)
			break;
	return i;
}

static int
batch_key_grow(struct proof_batch *b)
{
	struct proof_batch old = *b;
	size_t i, j;

	b->keycap = old.keycap ? 2 * old.keycap : 16;
	b->key = calloc(b->keycap, sizeof(*b->key));
	b->keyterm = calloc(b->keycap, sizeof(*b->keyterm));
	if (b->key == NULL || b->keyterm == NULL) {
		free(b->key);
		free(b->keyterm);
		b->key = old.key;
		b->keyterm = old.keyterm;
		b->keycap = old.keycap;
		return TALLY_ERR_NOMEM;
	}
	for (i = 0; i < old.keycap; i++) {
		if (old.keyterm[i] == 0)
			continue;
		j = batch_key_slot(b, old.key[i]);
		memcpy(b->key[j], old.key[i], GROUP_POINT_LEN);
		b->keyterm[j] = old.keyterm[i];
	}
	free(old.key);
	free(old.keyterm);
	return 0;
}

/* Add s P where P (encoded as enc) may recur: merge into its term. */
static int
batch_term_shared(struct proof_batch *b, const struct stmt_pt *st,
    const uint64_t s[4])
{
	const uint8_t *enc = st->enc;
	size_t i;
	int ret;

	if (2 * (b->nkeys + 1) > b->keycap &&
	    (ret = batch_key_grow(b)) != 0)
		return ret;
	i = batch_key_slot(b, enc);
	if (b->keyterm[i] != 0) {
		/* both below q: the batch's scalars are reduced */
		p256_sc_add(b->s[b->keyterm[i] - 1],
		    b->s[b->keyterm[i] - 1], s);
		return 0;
	}
	if ((ret = batch_term(b, &st->aff, s, 0)) != 0)
		return ret;
	memcpy(b->key[i], enc, GROUP_POINT_LEN);
	b->keyterm[i] = b->n; /* index + 1 */
	b->nkeys++;
	return 0;
}

/* acc += x y (mod q) */
static void
batch_addmul(uint64_t acc[4], const uint64_t x[4], const uint64_t y[4])
{
	uint64_t t[4];

	p256_sc_mul(t, x, y);
	p256_sc_add(acc, acc, t);
}

/* A decoded scalar (< q) as limbs. */
static int
bn_limbs(uint64_t r[4], const BIGNUM *x)
{
	return p256_scalar_from_bn(r, x);
}

/* Scratch scalars of the batch_add_* functions, wiped after use. */
struct batch_tmp {
	uint64_t z1[4], z2[4], t[4], c[4], v[4];
	uint64_t acc1[4], acc2[4], acc3[4];
};

/*
 * Branch j with weights z1, z2:
 *   z1 (v G - t - c a) + z2 (v K - u - c b + c j G) = O
 * acc1 += z1 c (coefficient of -a), acc2 += z2 c (of -b), acc3 += z2 v
 * (of K); t and u are handed over to the batch.
 */
static int
batch_range_branch(struct proof_batch *b, struct range_dec *d, size_t j,
    struct batch_tmp *w)
{
	uint64_t jl[4] = {(uint64_t)j, 0, 0, 0};
	int ret;

	if ((ret = scalar_weight(&b->wp, w->z1)) != 0 ||
	    (ret = scalar_weight(&b->wp, w->z2)) != 0 ||
	    (ret = bn_limbs(w->c, d->c[j])) != 0 ||
	    (ret = bn_limbs(w->v, d->v[j])) != 0)
		return ret;
	batch_addmul(b->g, w->z1, w->v);
	p256_sc_mul(w->t, jl, w->c);
	batch_addmul(b->g, w->z2, w->t);
	batch_addmul(w->acc1, w->z1, w->c);
	batch_addmul(w->acc2, w->z2, w->c);
	batch_addmul(w->acc3, w->z2, w->v);
	if ((ret = batch_term(b, &d->t[j], w->z1, 1)) != 0 ||
	    (ret = batch_term(b, &d->u[j], w->z2, 1)) != 0)
		return ret;
	return 0;
}

static int
batch_range_commit(struct proof_batch *b, struct range_dec *d)
{
	struct batch_tmp w;
	size_t j;
	int ret = 0;

	memset(&w, 0, sizeof(w));
	for (j = 0; j < d->n; j++)
		if ((ret = batch_range_branch(b, d, j, &w)) != 0)
			goto out;
	if ((ret = batch_term(b, &d->sa.aff, w.acc1, 1)) != 0 ||
	    (ret = batch_term(b, &d->sb.aff, w.acc2, 1)) != 0 ||
	    (ret = batch_term_shared(b, &d->sk, w.acc3)) != 0)
		goto out;
out:
	OPENSSL_cleanse(&w, sizeof(w));
	return ret;
}

int
proof_batch_add_range(struct proof_batch *b, const Tally__RangeProof *p,
    const EC_POINT *K, const struct elgamal_ct *ct, uint32_t max,
    const struct proof_bind *bind)
{
	struct range_dec d;
	int ret;

	if (b == NULL)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = range_prepare(&d, p, K, ct, max, bind, &b->memo)) != 0)
		return ret;
	/* From here on the batch changes: a failure spoils it. */
	if ((ret = batch_range_commit(b, &d)) != 0 && b->err == 0)
		b->err = ret;
	range_dec_free(&d);
	return ret;
}

/*
 *   z1 (v G - t1 - c X) + z2 (v A - t2 - c D) = O
 */
static int
batch_dleq_commit(struct proof_batch *b, struct dleq_dec *d)
{
	struct batch_tmp w;
	int ret;

	memset(&w, 0, sizeof(w));
	if ((ret = scalar_weight(&b->wp, w.z1)) != 0 ||
	    (ret = scalar_weight(&b->wp, w.z2)) != 0 ||
	    (ret = bn_limbs(w.c, d->c)) != 0 ||
	    (ret = bn_limbs(w.v, d->v)) != 0)
		goto out;
	batch_addmul(b->g, w.z1, w.v);
	if ((ret = batch_term(b, &d->t1, w.z1, 1)) != 0 ||
	    (ret = batch_term(b, &d->t2, w.z2, 1)) != 0)
		goto out;
	p256_sc_mul(w.t, w.z1, w.c);
	p256_sc_neg(w.t, w.t);
	if ((ret = batch_term_shared(b, &d->sx, w.t)) != 0)
		goto out;
	p256_sc_mul(w.t, w.z2, w.v);
	if ((ret = batch_term_shared(b, &d->sa, w.t)) != 0)
		goto out;
	p256_sc_mul(w.t, w.z2, w.c);
	ret = batch_term(b, &d->sd.aff, w.t, 1);
out:
	OPENSSL_cleanse(&w, sizeof(w));
	return ret;
}

int
proof_batch_add_dleq_decoded(struct proof_batch *b,
    const Tally__DleqProof *p, const struct proof_point *A,
    const struct proof_point *X, const struct proof_point *D,
    const struct p256_affine t[2], const struct proof_bind *bind)
{
	struct dleq_dec d;
	int ret;

	memset(&d, 0, sizeof(d));
	if (b == NULL || p == NULL || bind == NULL || A == NULL ||
	    X == NULL || D == NULL || t == NULL)
		return TALLY_ERR_INVALID_ARG;
	/* dleq_prepare's steps after its decoding */
	d.sa = *A;
	d.sx = *X;
	d.sd = *D;
	d.t1 = t[0];
	d.t2 = t[1];
	ret = TALLY_ERR_NOMEM;
	if ((d.c = BN_new()) == NULL || (d.v = BN_new()) == NULL)
		goto out;
	if ((ret = group_scalar_decode(d.v, p->v.data, p->v.len)) != 0 ||
	    (ret = dleq_challenge(d.c, bind, d.sa.enc, d.sx.enc, d.sd.enc,
		 p->t1.data, p->t2.data)) != 0)
		goto out;
	if ((ret = batch_dleq_commit(b, &d)) != 0 && b->err == 0)
		b->err = ret;
out:
	dleq_dec_free(&d);
	return ret;
}

int
proof_batch_add_dleq(struct proof_batch *b, const Tally__DleqProof *p,
    const EC_POINT *A, const EC_POINT *X, const EC_POINT *D,
    const struct proof_bind *bind)
{
	struct dleq_dec d;
	int ret;

	if (b == NULL)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = dleq_prepare(&d, p, A, X, D, bind)) != 0)
		return ret;
	if ((ret = batch_dleq_commit(b, &d)) != 0 && b->err == 0)
		b->err = ret;
	dleq_dec_free(&d);
	return ret;
}

/*
 *   z (v G - t - c X) = O
 */
int
proof_batch_add_schnorr(struct proof_batch *b, const Tally__SchnorrProof *p,
    const EC_POINT *X, const struct proof_bind *bind)
{
	struct schnorr_dec d;
	struct batch_tmp w;
	int ret;

	if (b == NULL)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = schnorr_prepare(&d, p, X, bind)) != 0)
		return ret;
	memset(&w, 0, sizeof(w));
	if ((ret = scalar_weight(&b->wp, w.z1)) != 0 ||
	    (ret = bn_limbs(w.c, d.c)) != 0 ||
	    (ret = bn_limbs(w.v, d.v)) != 0)
		goto out;
	batch_addmul(b->g, w.z1, w.v);
	if ((ret = batch_term(b, &d.t, w.z1, 1)) != 0)
		goto out;
	p256_sc_mul(w.t, w.z1, w.c);
	p256_sc_neg(w.t, w.t);
	ret = batch_term_shared(b, &d.sx, w.t);
out:
	if (ret != 0 && b->err == 0)
		b->err = ret;
	OPENSSL_cleanse(&w, sizeof(w));
	schnorr_dec_free(&d);
	return ret;
}

/*
 * The deferred equations hold when g G + sum s[i] p[i] is the point at
 * infinity. The multi-scalar multiplication is lib/p256's variable-time
 * one: every point and scalar here is public (the proofs, their
 * statements, and this verifier's weights, drawn after the proofs).
 */
int
proof_batch_verify(struct proof_batch *b)
{
	struct p256_jacobian r;
	int ret;

	if (b == NULL)
		return TALLY_ERR_INVALID_ARG;
	if (b->err != 0)
		return b->err;
	if (b->n == 0)
		return (b->g[0] | b->g[1] | b->g[2] | b->g[3]) == 0
		    ? 0
		    : TALLY_ERR_BAD_PROOF;
	/* g G in the spare entry after the last term */
	p256_generator(&b->p[b->n]);
	memcpy(b->s[b->n], b->g, sizeof(b->g));
	if ((ret = p256_msm(&r, b->n + 1, b->p,
		 (const uint64_t(*)[4])b->s)) != 0)
		return ret;
	return p256_is_infinity(&r) ? 0 : TALLY_ERR_BAD_PROOF;
}
