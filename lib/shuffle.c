/*
 * shuffle.c: re-encryption shuffle of ciphertext tuples and its
 * Terelius-Wikström proof (docs/record/mixnet.md has every equation).
 *
 * Indices are 0-based. Output tuple i re-encrypts input tuple perm[i].
 * Input-side values (commitment c_j, challenge u_j, randomness r_j) are
 * indexed by the input position j, output-side ones (chain c^_i, u'_i =
 * u_{perm[i]}, r^_i, the responses s^_i and s'_i) by the output position.
 * Responses are s = w + c x, as in the other proofs of lib/proof.c.
 */
#include "shuffle.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "err.h"
#include "group.h"
#include "hash.h"

#define MSM_CHUNK 1024

static const uint8_t zero_hash[32];

/* ------------------------------------------------------------ helpers */

static BIGNUM **
bns_new(size_t n)
{
	BIGNUM **v = calloc(n, sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((v[i] = group_scalar_new()) == NULL) {
			while (i-- > 0)
				group_scalar_free(v[i]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static void
bns_free(BIGNUM **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		group_scalar_free(v[i]);
	free(v);
}

static EC_POINT **
pts_new(size_t n)
{
	EC_POINT **v = calloc(n, sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((v[i] = group_point_new()) == NULL) {
			while (i-- > 0)
				group_point_free(v[i]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static void
pts_free(EC_POINT **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		group_point_free(v[i]);
	free(v);
}

static int
bin_array_new(ProtobufCBinaryData **arr, size_t *nout, size_t n)
{
	if ((*arr = calloc(n, sizeof(**arr))) == NULL)
		return TALLY_ERR_NOMEM;
	*nout = n;
	return 0;
}

/* r = gk G + sum s[i] p[i], in chunks so that OpenSSL's per-point tables
 * stay small. gk may be NULL. */
static int
msm(EC_POINT *r, const BIGNUM *gk, size_t n, const EC_POINT **p,
    const BIGNUM **s)
{
	EC_POINT *part;
	size_t off, m;
	int ret;

	if (n <= MSM_CHUNK)
		return group_msm(r, gk, n, p, s);
	if ((part = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_msm(r, gk, MSM_CHUNK, p, s)) != 0)
		goto out;
	for (off = MSM_CHUNK; off < n; off += m) {
		m = n - off < MSM_CHUNK ? n - off : MSM_CHUNK;
		if ((ret = group_msm(part, NULL, m, p + off, s + off)) != 0 ||
		    (ret = group_add(r, r, part)) != 0)
			goto out;
	}
out:
	group_point_free(part);
	return ret;
}

/* s = w + c x */
static int
respond(ProtobufCBinaryData *d, const BIGNUM *w, const BIGNUM *c,
    const BIGNUM *x, BIGNUM *tmp)
{
	int ret;

	if ((ret = group_scalar_mul(tmp, c, x)) != 0 ||
	    (ret = group_scalar_add(tmp, tmp, w)) != 0)
		return ret;
	return proof_bin_scalar(d, tmp);
}

/* ---------------------------------------------------------- the lists */

int
mix_list_init(struct mix_list *l, size_t n, size_t w)
{
	size_t i;
	int ret;

	memset(l, 0, sizeof(*l));
	if (n == 0 || w == 0 || w > SHUFFLE_WIDTH_MAX || n > SHUFFLE_TUPLES_MAX)
		return TALLY_ERR_INVALID_ARG;
	if ((l->ct = calloc(n * w, sizeof(*l->ct))) == NULL ||
	    (l->enc = calloc(n * w, SHUFFLE_CT_LEN)) == NULL) {
		mix_list_clear(l);
		return TALLY_ERR_NOMEM;
	}
	l->n = n;
	l->w = w;
	for (i = 0; i < n * w; i++) {
		if ((ret = elgamal_ct_init(&l->ct[i])) != 0) {
			mix_list_clear(l);
			return ret;
		}
	}
	return 0;
}

void
mix_list_clear(struct mix_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	if (l->ct != NULL)
		for (i = 0; i < l->n * l->w; i++)
			elgamal_ct_clear(&l->ct[i]);
	free(l->ct);
	free(l->enc);
	memset(l, 0, sizeof(*l));
}

int
mix_list_encode(struct mix_list *l)
{
	uint8_t *e;
	size_t i;
	int ret;

	for (i = 0; i < l->n * l->w; i++) {
		e = l->enc + i * SHUFFLE_CT_LEN;
		if ((ret = elgamal_ct_encode(e, e + 33, &l->ct[i])) != 0)
			return ret;
	}
	return 0;
}

/* enc holds a || b of each ciphertext in turn: 2 n w encodings, decoded
 * together (group_points_decode). */
int
mix_list_decode(struct mix_list *l)
{
	EC_POINT **pts;
	size_t i, m = l->n * l->w;
	int ret;

	if ((pts = calloc(2 * m, sizeof(*pts))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < m; i++) {
		pts[2 * i] = l->ct[i].a;
		pts[2 * i + 1] = l->ct[i].b;
	}
	ret = group_points_decode(pts,
	    (const uint8_t(*)[GROUP_POINT_LEN])l->enc, 2 * m);
	free(pts);
	return ret;
}

/* ---------------------------------------------------------- generators */

int
shuffle_generators(EC_POINT **gen, uint8_t (*enc)[33], size_t n,
    const uint8_t election_hash[32])
{
	uint8_t idx[4];
	struct hash_part parts[2] = {{election_hash, 32}, {idx, sizeof(idx)}};
	size_t j;
	int ret;

	if (n >= UINT32_MAX)
		return TALLY_ERR_INVALID_ARG;
	for (j = 0; j <= n; j++) {
		idx[0] = (uint8_t)(j >> 24);
		idx[1] = (uint8_t)(j >> 16);
		idx[2] = (uint8_t)(j >> 8);
		idx[3] = (uint8_t)j;
		if ((ret = group_point_from_hash(gen[j], "shuffle-generator",
			 parts, 2)) != 0 ||
		    (ret = group_point_encode(enc[j], gen[j])) != 0)
			return ret;
	}
	return 0;
}

/* -------------------------------------------------------- challenges */

/* The statement hash: bind, N, w, K, generators, both lists and the
 * permutation commitment. Every later challenge hashes it. */
static int
shuffle_seed(uint8_t seed[HASH_LEN], const struct proof_bind *bind,
    const struct mix_list *in, const struct mix_list *out,
    const uint8_t K[33], const uint8_t (*genc)[33],
    const ProtobufCBinaryData *com)
{
	size_t len = in->n * in->w * SHUFFLE_CT_LEN, j;
	struct hash_ctx h;
	int ret;

	if ((ret = proof_bind_start(&h, "shuffle", 0, bind)) != 0)
		return ret;
	if ((ret = hash_add_u32(&h, (uint32_t)in->n)) != 0 ||
	    (ret = hash_add_u32(&h, (uint32_t)in->w)) != 0 ||
	    (ret = hash_add(&h, K, 33)) != 0)
		goto fail;
	for (j = 0; j <= in->n; j++)
		if ((ret = hash_add(&h, genc[j], 33)) != 0)
			goto fail;
	if ((ret = hash_add(&h, in->enc, len)) != 0 ||
	    (ret = hash_add(&h, out->enc, len)) != 0)
		goto fail;
	for (j = 0; j < in->n; j++)
		if ((ret = hash_add(&h, com[j].data, com[j].len)) != 0)
			goto fail;
	return hash_final(&h, seed);
fail:
	hash_abort(&h);
	return ret;
}

/* u_j = SHA-512("shuffle-u", seed, u32be(j)) mod q for j < n. */
static int
shuffle_u(BIGNUM **u, size_t n, const uint8_t seed[HASH_LEN])
{
	struct hash_ctx h;
	size_t j;
	int ret;

	for (j = 0; j < n; j++) {
		if ((ret = hash_init(&h, "shuffle-u", 1)) != 0)
			return ret;
		if ((ret = hash_add(&h, seed, HASH_LEN)) != 0 ||
		    (ret = hash_add_u32(&h, (uint32_t)j)) != 0) {
			hash_abort(&h);
			return ret;
		}
		if ((ret = hash_final_scalar(&h, u[j])) != 0)
			return ret;
	}
	return 0;
}

static int
hash_bins(struct hash_ctx *h, const ProtobufCBinaryData *d, size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		if ((ret = hash_add(h, d[i].data, d[i].len)) != 0)
			return ret;
	return 0;
}

/* c = SHA-512("shuffle-c", seed, chain, t1, t2, t3, t4a, t4b, t_hat). */
static int
shuffle_c(BIGNUM *c, const uint8_t seed[HASH_LEN],
    const Tally__ShuffleProof *p)
{
	struct hash_ctx h;
	int ret;

	if ((ret = hash_init(&h, "shuffle-c", 1)) != 0)
		return ret;
	if ((ret = hash_add(&h, seed, HASH_LEN)) != 0 ||
	    (ret = hash_bins(&h, p->chain, p->n_chain)) != 0 ||
	    (ret = hash_add(&h, p->t1.data, p->t1.len)) != 0 ||
	    (ret = hash_add(&h, p->t2.data, p->t2.len)) != 0 ||
	    (ret = hash_add(&h, p->t3.data, p->t3.len)) != 0 ||
	    (ret = hash_bins(&h, p->t4a, p->n_t4a)) != 0 ||
	    (ret = hash_bins(&h, p->t4b, p->n_t4b)) != 0 ||
	    (ret = hash_bins(&h, p->t_hat, p->n_t_hat)) != 0) {
		hash_abort(&h);
		return ret;
	}
	return hash_final_scalar(&h, c);
}

/* ------------------------------------------------------------- prover */

struct prover {
	size_t n, w;
	const uint32_t *perm;
	BIGNUM *const *rho;
	const struct mix_list *in, *out;
	const EC_POINT *K;
	EC_POINT **gen;
	uint8_t (*genc)[33];
	EC_POINT **chain;		/* c^_0 .. c^_{n-1} */
	BIGNUM **r, **u;		/* by input position */
	BIGNUM **rhat, **what, **wp;	/* by output position */
	BIGNUM *w1, *w2, *w3, **w4, *c, *tmp;
	uint8_t seed[HASH_LEN];
};

static void
prover_free(struct prover *pv)
{
	size_t n = pv->n;

	pts_free(pv->gen, n + 1);
	free(pv->genc);
	pts_free(pv->chain, n);
	bns_free(pv->r, n);
	bns_free(pv->u, n);
	bns_free(pv->rhat, n);
	bns_free(pv->what, n);
	bns_free(pv->wp, n);
	bns_free(pv->w4, pv->w);
	group_scalar_free(pv->w1);
	group_scalar_free(pv->w2);
	group_scalar_free(pv->w3);
	group_scalar_free(pv->c);
	group_scalar_free(pv->tmp);
}

static int
prover_alloc(struct prover *pv)
{
	size_t n = pv->n;

	pv->gen = pts_new(n + 1);
	pv->genc = calloc(n + 1, sizeof(*pv->genc));
	pv->chain = pts_new(n);
	pv->r = bns_new(n);
	pv->u = bns_new(n);
	pv->rhat = bns_new(n);
	pv->what = bns_new(n);
	pv->wp = bns_new(n);
	pv->w4 = bns_new(pv->w);
	pv->w1 = group_scalar_new();
	pv->w2 = group_scalar_new();
	pv->w3 = group_scalar_new();
	pv->c = group_scalar_new();
	pv->tmp = group_scalar_new();
	if (pv->gen == NULL || pv->genc == NULL || pv->chain == NULL ||
	    pv->r == NULL || pv->u == NULL || pv->rhat == NULL ||
	    pv->what == NULL || pv->wp == NULL || pv->w4 == NULL ||
	    pv->w1 == NULL || pv->w2 == NULL || pv->w3 == NULL ||
	    pv->c == NULL || pv->tmp == NULL)
		return TALLY_ERR_NOMEM;
	return 0;
}

static int
proof_alloc(Tally__ShuffleProof *p, size_t n, size_t w)
{
	int ret;

	if ((ret = bin_array_new(&p->commitments, &p->n_commitments, n)) != 0 ||
	    (ret = bin_array_new(&p->chain, &p->n_chain, n)) != 0 ||
	    (ret = bin_array_new(&p->t4a, &p->n_t4a, w)) != 0 ||
	    (ret = bin_array_new(&p->t4b, &p->n_t4b, w)) != 0 ||
	    (ret = bin_array_new(&p->t_hat, &p->n_t_hat, n)) != 0 ||
	    (ret = bin_array_new(&p->s4, &p->n_s4, w)) != 0 ||
	    (ret = bin_array_new(&p->s_hat, &p->n_s_hat, n)) != 0 ||
	    (ret = bin_array_new(&p->s_prime, &p->n_s_prime, n)) != 0)
		return ret;
	return 0;
}

/* c_{perm[i]} = r_{perm[i]} G + h_{i+1}: the commitment to the permutation. */
static int
prove_commit_perm(struct prover *pv, Tally__ShuffleProof *p, EC_POINT *tmp)
{
	size_t i, j;
	int ret;

	for (i = 0; i < pv->n; i++) {
		j = pv->perm[i];
		if ((ret = group_scalar_random(pv->r[j])) != 0 ||
		    (ret = group_mul_g(tmp, pv->r[j])) != 0 ||
		    (ret = group_add(tmp, tmp, pv->gen[i + 1])) != 0 ||
		    (ret = proof_bin_point(&p->commitments[j], tmp)) != 0)
			return ret;
	}
	return 0;
}

/* c^_i = r^_i G + u'_i c^_{i-1}, c^_{-1} = H. */
static int
prove_chain(struct prover *pv, Tally__ShuffleProof *p)
{
	const EC_POINT *prev = pv->gen[0];
	size_t i;
	int ret;

	for (i = 0; i < pv->n; i++) {
		if ((ret = group_scalar_random(pv->rhat[i])) != 0 ||
		    (ret = group_mul2(pv->chain[i], pv->rhat[i], prev,
			 pv->u[pv->perm[i]])) != 0 ||
		    (ret = proof_bin_point(&p->chain[i], pv->chain[i])) != 0)
			return ret;
		prev = pv->chain[i];
	}
	return 0;
}

/* t4a_k = -w4_k G + sum w'_i a'_{i,k}, t4b_k = -w4_k K + sum w'_i b'_{i,k}. */
static int
prove_t4(struct prover *pv, Tally__ShuffleProof *p, EC_POINT *t,
    const EC_POINT **pts, const BIGNUM **sc)
{
	size_t i, k, n = pv->n;
	int ret;

	for (i = 0; i < n; i++)
		sc[i] = pv->wp[i];
	for (k = 0; k < pv->w; k++) {
		if ((ret = group_scalar_random(pv->w4[k])) != 0 ||
		    (ret = group_scalar_neg(pv->tmp, pv->w4[k])) != 0)
			return ret;
		for (i = 0; i < n; i++)
			pts[i] = pv->out->ct[i * pv->w + k].a;
		if ((ret = msm(t, pv->tmp, n, pts, sc)) != 0 ||
		    (ret = proof_bin_point(&p->t4a[k], t)) != 0)
			return ret;
		for (i = 0; i < n; i++)
			pts[i] = pv->out->ct[i * pv->w + k].b;
		pts[n] = pv->K;
		sc[n] = pv->tmp;
		if ((ret = msm(t, NULL, n + 1, pts, sc)) != 0 ||
		    (ret = proof_bin_point(&p->t4b[k], t)) != 0)
			return ret;
	}
	return 0;
}

/* The commitments t1, t2, t3, t4a, t4b and t^_i. */
static int
prove_commitments(struct prover *pv, Tally__ShuffleProof *p)
{
	const EC_POINT **pts = calloc(pv->n + 1, sizeof(*pts));
	const BIGNUM **sc = calloc(pv->n + 1, sizeof(*sc));
	EC_POINT *t = group_point_new();
	size_t i;
	int ret = TALLY_ERR_NOMEM;

	if (pts == NULL || sc == NULL || t == NULL)
		goto out;
	if ((ret = group_scalar_random(pv->w1)) != 0 ||
	    (ret = group_scalar_random(pv->w2)) != 0 ||
	    (ret = group_scalar_random(pv->w3)) != 0 ||
	    (ret = group_mul_g(t, pv->w1)) != 0 ||
	    (ret = proof_bin_point(&p->t1, t)) != 0 ||
	    (ret = group_mul_g(t, pv->w2)) != 0 ||
	    (ret = proof_bin_point(&p->t2, t)) != 0)
		goto out;
	for (i = 0; i < pv->n; i++) {
		if ((ret = group_scalar_random(pv->wp[i])) != 0 ||
		    (ret = group_scalar_random(pv->what[i])) != 0 ||
		    (ret = group_mul2(t, pv->what[i],
			 i == 0 ? pv->gen[0] : pv->chain[i - 1],
			 pv->wp[i])) != 0 ||
		    (ret = proof_bin_point(&p->t_hat[i], t)) != 0)
			goto out;
	}
	if ((ret = msm(t, pv->w3, pv->n, (const EC_POINT **)pv->gen + 1,
		 (const BIGNUM **)pv->wp)) != 0 ||
	    (ret = proof_bin_point(&p->t3, t)) != 0)
		goto out;
	ret = prove_t4(pv, p, t, pts, sc);
out:
	free(pts);
	free(sc);
	group_point_free(t);
	return ret;
}

/* s1 = w1 + c sum r_j; s2 = w2 + c sum r^_i v_i with v_i = prod_{l>i} u'_l;
 * s3 = w3 + c sum r_j u_j. */
static int
prove_s123(struct prover *pv, Tally__ShuffleProof *p, BIGNUM *acc,
    BIGNUM *v)
{
	size_t i, j;
	int ret;

	BN_zero(acc);
	for (j = 0; j < pv->n; j++)
		if ((ret = group_scalar_add(acc, acc, pv->r[j])) != 0)
			return ret;
	if ((ret = respond(&p->s1, pv->w1, pv->c, acc, pv->tmp)) != 0)
		return ret;
	BN_zero(acc);
	if (BN_one(v) != 1)
		return TALLY_ERR_CRYPTO;
	for (i = pv->n; i-- > 0;) {
		if ((ret = group_scalar_mul(pv->tmp, pv->rhat[i], v)) != 0 ||
		    (ret = group_scalar_add(acc, acc, pv->tmp)) != 0 ||
		    (ret = group_scalar_mul(v, v, pv->u[pv->perm[i]])) != 0)
			return ret;
	}
	if ((ret = respond(&p->s2, pv->w2, pv->c, acc, pv->tmp)) != 0)
		return ret;
	BN_zero(acc);
	for (j = 0; j < pv->n; j++) {
		if ((ret = group_scalar_mul(pv->tmp, pv->r[j], pv->u[j])) != 0 ||
		    (ret = group_scalar_add(acc, acc, pv->tmp)) != 0)
			return ret;
	}
	return respond(&p->s3, pv->w3, pv->c, acc, pv->tmp);
}

/* s4_k = w4_k + c sum_i rho_{i,k} u'_i; s^_i = w^_i + c r^_i;
 * s'_i = w'_i + c u'_i. */
static int
prove_s4(struct prover *pv, Tally__ShuffleProof *p, BIGNUM *acc)
{
	size_t i, k;
	int ret;

	for (k = 0; k < pv->w; k++) {
		BN_zero(acc);
		for (i = 0; i < pv->n; i++) {
			if ((ret = group_scalar_mul(pv->tmp,
				 pv->rho[i * pv->w + k],
				 pv->u[pv->perm[i]])) != 0 ||
			    (ret = group_scalar_add(acc, acc, pv->tmp)) != 0)
				return ret;
		}
		if ((ret = respond(&p->s4[k], pv->w4[k], pv->c, acc,
			 pv->tmp)) != 0)
			return ret;
	}
	for (i = 0; i < pv->n; i++) {
		if ((ret = respond(&p->s_hat[i], pv->what[i], pv->c,
			 pv->rhat[i], pv->tmp)) != 0 ||
		    (ret = respond(&p->s_prime[i], pv->wp[i], pv->c,
			 pv->u[pv->perm[i]], pv->tmp)) != 0)
			return ret;
	}
	return 0;
}

static int
prove_responses(struct prover *pv, Tally__ShuffleProof *p)
{
	BIGNUM *acc = group_scalar_new(), *v = group_scalar_new();
	int ret = TALLY_ERR_NOMEM;

	if (acc != NULL && v != NULL &&
	    (ret = prove_s123(pv, p, acc, v)) == 0)
		ret = prove_s4(pv, p, acc);
	group_scalar_free(acc);
	group_scalar_free(v);
	return ret;
}

static int
perm_check(const uint32_t *perm, size_t n)
{
	uint8_t *seen = calloc(n, 1);
	size_t i;
	int ret = 0;

	if (seen == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < n && ret == 0; i++) {
		if (perm[i] >= n || seen[perm[i]])
			ret = TALLY_ERR_INVALID_ARG;
		else
			seen[perm[i]] = 1;
	}
	free(seen);
	return ret;
}

static int
shape_check(const struct mix_list *in, const struct mix_list *out,
    const EC_POINT *K)
{
	if (in->n != out->n || in->w != out->w || in->n == 0 || in->w == 0 ||
	    in->w > SHUFFLE_WIDTH_MAX || in->n > SHUFFLE_TUPLES_MAX ||
	    K == NULL || group_point_is_infinity(K))
		return TALLY_ERR_INVALID_ARG;
	return 0;
}

static int
prove_run(struct prover *pv, Tally__ShuffleProof *p,
    const struct proof_bind *bind)
{
	uint8_t Kenc[33];
	EC_POINT *tmp;
	int ret;

	if ((tmp = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = prover_alloc(pv)) != 0 ||
	    (ret = proof_alloc(p, pv->n, pv->w)) != 0 ||
	    (ret = group_point_encode(Kenc, pv->K)) != 0 ||
	    (ret = shuffle_generators(pv->gen, pv->genc, pv->n,
		 bind->election_hash ? bind->election_hash : zero_hash)) != 0 ||
	    (ret = prove_commit_perm(pv, p, tmp)) != 0 ||
	    (ret = shuffle_seed(pv->seed, bind, pv->in, pv->out, Kenc,
		 (const uint8_t (*)[33])pv->genc, p->commitments)) != 0 ||
	    (ret = shuffle_u(pv->u, pv->n, pv->seed)) != 0 ||
	    (ret = prove_chain(pv, p)) != 0 ||
	    (ret = prove_commitments(pv, p)) != 0 ||
	    (ret = shuffle_c(pv->c, pv->seed, p)) != 0)
		goto out;
	ret = prove_responses(pv, p);
out:
	group_point_free(tmp);
	return ret;
}

int
shuffle_prove(Tally__ShuffleProof *proof, const struct mix_list *in,
    const struct mix_list *out, const EC_POINT *K,
    const struct proof_bind *bind, const uint32_t *perm, BIGNUM *const *rho)
{
	struct proof_bind b = *bind;
	struct prover pv;
	int ret;

	if ((ret = shape_check(in, out, K)) != 0 ||
	    (ret = perm_check(perm, in->n)) != 0)
		return ret;
	b.kind = PROOF_SHUFFLE;
	memset(&pv, 0, sizeof(pv));
	pv.n = in->n;
	pv.w = in->w;
	pv.perm = perm;
	pv.rho = rho;
	pv.in = in;
	pv.out = out;
	pv.K = K;
	ret = prove_run(&pv, proof, &b);
	prover_free(&pv);
	OPENSSL_cleanse(pv.seed, sizeof(pv.seed));
	if (ret != 0)
		shuffle_proof_clear(proof);
	return ret;
}

/* -------------------------------------------------------------- mixing */

/* A uniform permutation (Fisher-Yates over unbiased draws). */
static int
perm_random(uint32_t *perm, size_t n)
{
	uint32_t x, j, lim;
	size_t i;

	for (i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (i = n; i > 1; i--) {
		/* lim: the largest multiple of i that fits, to avoid bias */
		lim = (uint32_t)(UINT32_MAX - UINT32_MAX % i);
		do {
			if (RAND_priv_bytes((uint8_t *)&x, sizeof(x)) != 1)
				return TALLY_ERR_CRYPTO;
		} while (x >= lim);
		j = x % (uint32_t)i;
		x = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = x;
	}
	return 0;
}

static int
mix_apply(struct mix_list *out, const struct mix_list *in,
    const EC_POINT *K, const uint32_t *perm, BIGNUM *const *rho)
{
	size_t i, k, w = in->w;
	int ret;

	for (i = 0; i < in->n; i++) {
		for (k = 0; k < w; k++) {
			if ((ret = group_scalar_random(rho[i * w + k])) != 0 ||
			    (ret = elgamal_reencrypt(&out->ct[i * w + k],
				 &in->ct[perm[i] * w + k], K,
				 rho[i * w + k])) != 0)
				return ret;
		}
	}
	return mix_list_encode(out);
}

int
shuffle_mix(struct mix_list *out, Tally__ShuffleProof *proof,
    const struct mix_list *in, const EC_POINT *K,
    const struct proof_bind *bind)
{
	uint32_t *perm = NULL;
	BIGNUM **rho = NULL;
	int ret;

	if ((ret = shape_check(in, out, K)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((perm = calloc(in->n, sizeof(*perm))) == NULL ||
	    (rho = bns_new(in->n * in->w)) == NULL)
		goto out;
	if ((ret = perm_random(perm, in->n)) != 0 ||
	    (ret = mix_apply(out, in, K, perm, rho)) != 0)
		goto out;
	ret = shuffle_prove(proof, in, out, K, bind, perm, rho);
out:
	if (perm != NULL)
		OPENSSL_cleanse(perm, in->n * sizeof(*perm));
	free(perm);
	bns_free(rho, in->n * in->w);
	return ret;
}

void
shuffle_proof_clear(Tally__ShuffleProof *p)
{
	if (p == NULL)
		return;
	proof_bin_array_free(&p->commitments, &p->n_commitments);
	proof_bin_array_free(&p->chain, &p->n_chain);
	free(p->t1.data);
	free(p->t2.data);
	free(p->t3.data);
	proof_bin_array_free(&p->t4a, &p->n_t4a);
	proof_bin_array_free(&p->t4b, &p->n_t4b);
	proof_bin_array_free(&p->t_hat, &p->n_t_hat);
	free(p->s1.data);
	free(p->s2.data);
	free(p->s3.data);
	proof_bin_array_free(&p->s4, &p->n_s4);
	proof_bin_array_free(&p->s_hat, &p->n_s_hat);
	proof_bin_array_free(&p->s_prime, &p->n_s_prime);
	tally__shuffle_proof__init(p);
}

/* ----------------------------------------------------------- verifier */

struct verifier {
	size_t n, w;
	const struct mix_list *in, *out;
	const EC_POINT *K;
	EC_POINT **gen;
	uint8_t (*genc)[33];
	EC_POINT **com, **chain, **t_hat, **t4a, **t4b;
	EC_POINT *t1, *t2, *t3;
	BIGNUM **u, **ncu, **s_hat, **s_prime, **s4;
	BIGNUM *s1, *s2, *s3, *c;
	uint8_t seed[HASH_LEN];
};

static void
verifier_free(struct verifier *vf)
{
	size_t n = vf->n, w = vf->w;

	pts_free(vf->gen, n + 1);
	free(vf->genc);
	pts_free(vf->com, n);
	pts_free(vf->chain, n);
	pts_free(vf->t_hat, n);
	pts_free(vf->t4a, w);
	pts_free(vf->t4b, w);
	group_point_free(vf->t1);
	group_point_free(vf->t2);
	group_point_free(vf->t3);
	bns_free(vf->u, n);
	bns_free(vf->ncu, n);
	bns_free(vf->s_hat, n);
	bns_free(vf->s_prime, n);
	bns_free(vf->s4, w);
	group_scalar_free(vf->s1);
	group_scalar_free(vf->s2);
	group_scalar_free(vf->s3);
	group_scalar_free(vf->c);
}

static int
verifier_alloc(struct verifier *vf)
{
	size_t n = vf->n, w = vf->w;

	vf->gen = pts_new(n + 1);
	vf->genc = calloc(n + 1, sizeof(*vf->genc));
	vf->com = pts_new(n);
	vf->chain = pts_new(n);
	vf->t_hat = pts_new(n);
	vf->t4a = pts_new(w);
	vf->t4b = pts_new(w);
	vf->t1 = group_point_new();
	vf->t2 = group_point_new();
	vf->t3 = group_point_new();
	vf->u = bns_new(n);
	vf->ncu = bns_new(n);
	vf->s_hat = bns_new(n);
	vf->s_prime = bns_new(n);
	vf->s4 = bns_new(w);
	vf->s1 = group_scalar_new();
	vf->s2 = group_scalar_new();
	vf->s3 = group_scalar_new();
	vf->c = group_scalar_new();
	if (vf->gen == NULL || vf->genc == NULL || vf->com == NULL ||
	    vf->chain == NULL || vf->t_hat == NULL || vf->t4a == NULL ||
	    vf->t4b == NULL || vf->t1 == NULL || vf->t2 == NULL ||
	    vf->t3 == NULL || vf->u == NULL || vf->ncu == NULL ||
	    vf->s_hat == NULL || vf->s_prime == NULL || vf->s4 == NULL ||
	    vf->s1 == NULL || vf->s2 == NULL || vf->s3 == NULL || vf->c == NULL)
		return TALLY_ERR_NOMEM;
	return 0;
}

static int
dec_points(EC_POINT **out, const ProtobufCBinaryData *d, size_t n)
{
	uint8_t(*enc)[GROUP_POINT_LEN];
	size_t i;
	int ret = TALLY_ERR_BAD_POINT;

	if ((enc = calloc(n ? n : 1, sizeof(*enc))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (d[i].data == NULL || d[i].len != GROUP_POINT_LEN)
			goto out;
		memcpy(enc[i], d[i].data, GROUP_POINT_LEN);
	}
	ret = group_points_decode(out, (const uint8_t(*)[GROUP_POINT_LEN])enc,
	    n);
out:
	free(enc);
	return ret;
}

static int
dec_scalars(BIGNUM **out, const ProtobufCBinaryData *d, size_t n)
{
	size_t i;
	int ret;

	for (i = 0; i < n; i++)
		if ((ret = group_scalar_decode(out[i], d[i].data, d[i].len)) != 0)
			return ret;
	return 0;
}

static int
verify_decode(struct verifier *vf, const Tally__ShuffleProof *p)
{
	size_t n = vf->n, w = vf->w;
	int ret;

	if (p->n_commitments != n || p->n_chain != n || p->n_t_hat != n ||
	    p->n_s_hat != n || p->n_s_prime != n || p->n_t4a != w ||
	    p->n_t4b != w || p->n_s4 != w)
		return TALLY_ERR_BAD_PROOF;
	if ((ret = dec_points(vf->com, p->commitments, n)) != 0 ||
	    (ret = dec_points(vf->chain, p->chain, n)) != 0 ||
	    (ret = dec_points(vf->t_hat, p->t_hat, n)) != 0 ||
	    (ret = dec_points(vf->t4a, p->t4a, w)) != 0 ||
	    (ret = dec_points(vf->t4b, p->t4b, w)) != 0 ||
	    (ret = group_point_decode(vf->t1, p->t1.data, p->t1.len)) != 0 ||
	    (ret = group_point_decode(vf->t2, p->t2.data, p->t2.len)) != 0 ||
	    (ret = group_point_decode(vf->t3, p->t3.data, p->t3.len)) != 0 ||
	    (ret = dec_scalars(vf->s_hat, p->s_hat, n)) != 0 ||
	    (ret = dec_scalars(vf->s_prime, p->s_prime, n)) != 0 ||
	    (ret = dec_scalars(vf->s4, p->s4, w)) != 0 ||
	    (ret = group_scalar_decode(vf->s1, p->s1.data, p->s1.len)) != 0 ||
	    (ret = group_scalar_decode(vf->s2, p->s2.data, p->s2.len)) != 0)
		return ret;
	return group_scalar_decode(vf->s3, p->s3.data, p->s3.len);
}

static int
same(const EC_POINT *a, const EC_POINT *b)
{
	return group_point_equal(a, b) ? 0 : TALLY_ERR_BAD_PROOF;
}

/* t2 = s2 G - c (c^_{n-1} - (prod u_j) H). */
static int
verify_t2(struct verifier *vf, EC_POINT *x, EC_POINT *y, BIGNUM *nc)
{
	BIGNUM *pu = BN_new();
	size_t j;
	int ret = TALLY_ERR_NOMEM;

	if (pu == NULL)
		return ret;
	if (BN_one(pu) != 1) {
		ret = TALLY_ERR_CRYPTO;
		goto out;
	}
	for (j = 0; j < vf->n; j++)
		if ((ret = group_scalar_mul(pu, pu, vf->u[j])) != 0)
			goto out;
	if ((ret = group_mul(x, vf->gen[0], pu)) != 0 ||
	    (ret = group_sub(x, vf->chain[vf->n - 1], x)) != 0)
		goto out;
	if ((ret = group_mul2(y, vf->s2, x, nc)) != 0)
		goto out;
	ret = same(y, vf->t2);
out:
	BN_free(pu);
	return ret;
}

/*
 * The equations of t^_i, t3, t4a_k and t4b_k are checked together: each
 * is scaled by its own random 128-bit weight and all are summed into one
 * multi-scalar multiplication (group_msm_public: every point and scalar
 * here is public, and the weights are drawn after the proof is fixed),
 * which is the point at infinity when every equation holds and, when one
 * does not, with probability at most 2^-128:
 *   t1:    s1 G - c (sum c_i - sum h_i) - t1
 *   t^_i:  s^_i G + s'_i c^_{i-1} - c c^_i - t^_i  (c^_{-1} = H)
 *   t3:    s3 G + sum s'_i h_i + sum (-c u_i) c_i - t3
 *   t4a_k: -s4_k G + sum s'_i a'_{i,k} + sum (-c u_i) a_{i,k} - t4a_k
 *   t4b_k: -s4_k K + sum s'_i b'_{i,k} + sum (-c u_i) b_{i,k} - t4b_k
 */
struct vterms {
	const EC_POINT **p;
	BIGNUM **s;
	size_t n, cap;
	BIGNUM *g;	/* the coefficient of G */
};

/* Append the term (z x) P, or z P for x NULL, negated when neg. */
static int
vterm(struct vterms *t, const EC_POINT *P, const BIGNUM *z, const BIGNUM *x,
    int neg)
{
	BIGNUM *s;
	int ret;

	if (t->n == t->cap)
		return TALLY_ERR_INTERNAL;
	if ((s = BN_new()) == NULL)
		return TALLY_ERR_NOMEM;
	t->p[t->n] = P;
	t->s[t->n++] = s;
	if (x != NULL)
		ret = group_scalar_mul(s, z, x);
	else
		ret = BN_copy(s, z) != NULL ? 0 : TALLY_ERR_CRYPTO;
	if (ret == 0 && neg)
		ret = group_scalar_neg(s, s);
	return ret;
}

/* g += z x (mod q), or g -= z x when neg. */
static int
vterm_g(BIGNUM *g, const BIGNUM *z, const BIGNUM *x, int neg, BIGNUM *tmp)
{
	int ret;

	if ((ret = group_scalar_mul(tmp, z, x)) != 0 ||
	    (neg && (ret = group_scalar_neg(tmp, tmp)) != 0))
		return ret;
	return group_scalar_add(g, g, tmp);
}

static int
vweight(BIGNUM *z)
{
	return BN_rand(z, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

/* The t^_i equations into t (z, tmp: scratch). */
static int
vterms_hat(struct verifier *vf, struct vterms *t, BIGNUM *z, BIGNUM *tmp)
{
	size_t i;
	int ret;

	for (i = 0; i < vf->n; i++) {
		if ((ret = vweight(z)) != 0 ||
		    (ret = vterm_g(t->g, z, vf->s_hat[i], 0, tmp)) != 0 ||
		    (ret = vterm(t, i == 0 ? vf->gen[0] : vf->chain[i - 1], z,
			 vf->s_prime[i], 0)) != 0 ||
		    (ret = vterm(t, vf->chain[i], z, vf->c, 1)) != 0 ||
		    (ret = vterm(t, vf->t_hat[i], z, NULL, 1)) != 0)
			return ret;
	}
	return 0;
}

/* The t1 and t3 equations into t, which share their points: h_i gets
 * z3 s'_i + z1 c, c_i gets z3 (-c u_i) - z1 c (z1c: scratch). */
static int
vterms_t13(struct verifier *vf, struct vterms *t, BIGNUM *z, BIGNUM *tmp,
    BIGNUM *z1c)
{
	size_t i;
	int ret;

	if ((ret = vweight(z)) != 0 ||
	    (ret = vterm_g(t->g, z, vf->s1, 0, tmp)) != 0 ||
	    (ret = vterm(t, vf->t1, z, NULL, 1)) != 0 ||
	    (ret = group_scalar_mul(z1c, z, vf->c)) != 0)
		return ret;
	if ((ret = vweight(z)) != 0 ||
	    (ret = vterm_g(t->g, z, vf->s3, 0, tmp)) != 0 ||
	    (ret = vterm(t, vf->t3, z, NULL, 1)) != 0)
		return ret;
	for (i = 0; i < vf->n; i++) {
		if ((ret = vterm(t, vf->gen[i + 1], z, vf->s_prime[i],
			 0)) != 0 ||
		    (ret = group_scalar_add(t->s[t->n - 1], t->s[t->n - 1],
			 z1c)) != 0 ||
		    (ret = vterm(t, vf->com[i], z, vf->ncu[i], 0)) != 0 ||
		    (ret = group_scalar_sub(t->s[t->n - 1], t->s[t->n - 1],
			 z1c)) != 0)
			return ret;
	}
	return 0;
}

/* The t4a_k and t4b_k equations into t; kneg: the coefficient of K. */
static int
vterms_t4(struct verifier *vf, struct vterms *t, BIGNUM *z, BIGNUM *tmp,
    BIGNUM *kneg)
{
	const struct elgamal_ct *o, *in;
	size_t i, k, n = vf->n, w = vf->w;
	int ret, b;

	for (k = 0; k < w; k++) {
		for (b = 0; b < 2; b++) {
			if ((ret = vweight(z)) != 0 ||
			    (ret = vterm_g(b ? kneg : t->g, z, vf->s4[k], 1,
				 tmp)) != 0 ||
			    (ret = vterm(t, b ? vf->t4b[k] : vf->t4a[k], z,
				 NULL, 1)) != 0)
				return ret;
			for (i = 0; i < n; i++) {
				o = &vf->out->ct[i * w + k];
				in = &vf->in->ct[i * w + k];
				if ((ret = vterm(t, b ? o->b : o->a, z,
					 vf->s_prime[i], 0)) != 0 ||
				    (ret = vterm(t, b ? in->b : in->a, z,
					 vf->ncu[i], 0)) != 0)
					return ret;
			}
		}
	}
	return 0;
}

static int
verify_batched(struct verifier *vf, EC_POINT *y)
{
	struct vterms t;
	BIGNUM *z = BN_new(), *tmp = BN_new(), *kneg = BN_new();
	BIGNUM *z1c = BN_new();
	size_t i, n = vf->n, w = vf->w;
	int ret = TALLY_ERR_NOMEM;

	memset(&t, 0, sizeof(t));
	t.cap = 3 * n + 2 * n + 2 + w * 2 * (2 * n + 1) + 1;
	t.p = calloc(t.cap, sizeof(*t.p));
	t.s = calloc(t.cap, sizeof(*t.s));
	t.g = BN_new();
	if (t.p == NULL || t.s == NULL || t.g == NULL || z == NULL ||
	    tmp == NULL || kneg == NULL || z1c == NULL)
		goto out;
	BN_zero(t.g);
	BN_zero(kneg);
	if ((ret = vterms_hat(vf, &t, z, tmp)) != 0 ||
	    (ret = vterms_t13(vf, &t, z, tmp, z1c)) != 0 ||
	    (ret = vterms_t4(vf, &t, z, tmp, kneg)) != 0 ||
	    (ret = vterm(&t, vf->K, kneg, NULL, 0)) != 0)
		goto out;
	if ((ret = group_msm_public(y, t.g, t.n, t.p,
	    (const BIGNUM **)t.s)) != 0)
		goto out;
	ret = group_point_is_infinity(y) ? 0 : TALLY_ERR_BAD_PROOF;
out:
	for (i = 0; t.s != NULL && i < t.n; i++)
		BN_free(t.s[i]);
	free(t.p);
	free(t.s);
	BN_free(t.g);
	BN_free(z);
	BN_free(tmp);
	BN_free(kneg);
	BN_free(z1c);
	return ret;
}

static int
verify_equations(struct verifier *vf)
{
	EC_POINT *x = group_point_new(), *y = group_point_new();
	BIGNUM *nc = BN_new();
	size_t j;
	int ret = TALLY_ERR_NOMEM;

	if (x == NULL || y == NULL || nc == NULL)
		goto out;
	if ((ret = group_scalar_neg(nc, vf->c)) != 0)
		goto out;
	for (j = 0; j < vf->n; j++)
		if ((ret = group_scalar_mul(vf->ncu[j], nc, vf->u[j])) != 0)
			goto out;
	if ((ret = verify_t2(vf, x, y, nc)) != 0)
		goto out;
	ret = verify_batched(vf, y);
out:
	group_point_free(x);
	group_point_free(y);
	BN_free(nc);
	return ret;
}

int
shuffle_verify(const Tally__ShuffleProof *proof, const struct mix_list *in,
    const struct mix_list *out, const EC_POINT *K,
    const struct proof_bind *bind)
{
	struct proof_bind b = *bind;
	struct verifier vf;
	uint8_t Kenc[33];
	int ret;

	if ((ret = shape_check(in, out, K)) != 0)
		return ret;
	b.kind = PROOF_SHUFFLE;
	memset(&vf, 0, sizeof(vf));
	vf.n = in->n;
	vf.w = in->w;
	vf.in = in;
	vf.out = out;
	vf.K = K;
	if ((ret = verifier_alloc(&vf)) != 0 ||
	    (ret = verify_decode(&vf, proof)) != 0 ||
	    (ret = group_point_encode(Kenc, K)) != 0 ||
	    (ret = shuffle_generators(vf.gen, vf.genc, vf.n,
		 b.election_hash ? b.election_hash : zero_hash)) != 0 ||
	    (ret = shuffle_seed(vf.seed, &b, in, out, Kenc,
		 (const uint8_t (*)[33])vf.genc, proof->commitments)) != 0 ||
	    (ret = shuffle_u(vf.u, vf.n, vf.seed)) != 0 ||
	    (ret = shuffle_c(vf.c, vf.seed, proof)) != 0)
		goto out;
	ret = verify_equations(&vf);
out:
	verifier_free(&vf);
	return ret;
}

int
shuffle_challenge_seed(uint8_t seed[32], const struct proof_bind *bind,
    const struct mix_list *in, const struct mix_list *out,
    const EC_POINT *K, const ProtobufCBinaryData *commitments)
{
	EC_POINT **gen;
	uint8_t (*genc)[33], Kenc[33];
	int ret;

	if ((ret = shape_check(in, out, K)) != 0)
		return ret;
	gen = pts_new(in->n + 1);
	genc = calloc(in->n + 1, sizeof(*genc));
	ret = TALLY_ERR_NOMEM;
	if (gen != NULL && genc != NULL &&
	    (ret = group_point_encode(Kenc, K)) == 0 &&
	    (ret = shuffle_generators(gen, genc, in->n,
		 bind->election_hash ? bind->election_hash : zero_hash)) == 0)
		ret = shuffle_seed(seed, bind, in, out, Kenc,
		    (const uint8_t (*)[33])genc, commitments);
	pts_free(gen, in->n + 1);
	free(genc);
	return ret;
}

int
shuffle_challenge_u(BIGNUM **u, size_t n, const uint8_t seed[32])
{
	return shuffle_u(u, n, seed);
}

int
shuffle_challenge_c(BIGNUM *c, const uint8_t seed[32],
    const Tally__ShuffleProof *p)
{
	return shuffle_c(c, seed, p);
}
