/* writein.c: write-in names as ElGamal ciphertexts of points. */
#include "writein.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "err.h"
#include "group.h"
#include "hash.h"
#include "p256/p256.h"
#include "p256/scalar.h"

/* Strict UTF-8: no overlongs, surrogates or code points past U+10FFFF. */
static int
utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n, j;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1, cp = s[i] & 0x1f, min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2, cp = s[i] & 0x0f, min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3, cp = s[i] & 0x07, min = 0x10000;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (j = 1; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* ------------------------------------------------ names as points */

#define WRITEIN_PADDED (WRITEIN_POINTS * WRITEIN_POINT_BYTES)
#define WRITEIN_CTR_MAX 0xfe

_Static_assert(WRITEIN_PADDED >= 1 + MANIFEST_WRITEIN_MAX,
    "a name and its length byte fit in the points");

/* The point 02 || ctr || chunk, or E_BAD_POINT when that x has none. */
static int
chunk_point(EC_POINT *P, unsigned ctr, const uint8_t *chunk)
{
	uint8_t enc[GROUP_POINT_LEN];

	enc[0] = 0x02;
	enc[1] = (uint8_t)ctr;
	memcpy(enc + 2, chunk, WRITEIN_POINT_BYTES);
	return group_point_decode(P, enc, sizeof(enc));
}

static int
chunk_encode(EC_POINT *P, const uint8_t *chunk)
{
	unsigned ctr;
	int ret;

	for (ctr = 0; ctr <= WRITEIN_CTR_MAX; ctr++)
		if ((ret = chunk_point(P, ctr, chunk)) != TALLY_ERR_BAD_POINT)
			return ret;
	return TALLY_ERR_CRYPTO;	/* probability 2^-255 */
}

int
writein_name_encode(EC_POINT *const *pts, const char *name)
{
	uint8_t buf[WRITEIN_PADDED] = {0};
	size_t len = strlen(name), j;
	int ret = 0;

	if (len > MANIFEST_WRITEIN_MAX)
		return TALLY_ERR_TOO_LARGE;
	if (!utf8_valid((const uint8_t *)name, len))
		return TALLY_ERR_INVALID_ARG;
	buf[0] = (uint8_t)len;
	memcpy(buf + 1, name, len);
	for (j = 0; j < WRITEIN_POINTS && ret == 0; j++)
		ret = chunk_encode(pts[j], buf + j * WRITEIN_POINT_BYTES);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

/* The chunk of P, if P is exactly what chunk_encode makes of it. */
static int
chunk_decode(uint8_t *chunk, const EC_POINT *P, EC_POINT *tmp)
{
	uint8_t enc[GROUP_POINT_LEN];
	unsigned ctr;
	int ret;

	if (group_point_is_infinity(P))
		return TALLY_ERR_DECODE;
	if ((ret = group_point_encode(enc, P)) != 0)
		return ret;
	if (enc[0] != 0x02 || enc[1] > WRITEIN_CTR_MAX)
		return TALLY_ERR_DECODE;
	memcpy(chunk, enc + 2, WRITEIN_POINT_BYTES);
	for (ctr = 0; ctr < enc[1]; ctr++) {
		ret = chunk_point(tmp, ctr, chunk);
		if (ret == 0)
			return TALLY_ERR_DECODE;	/* not the least counter */
		if (ret != TALLY_ERR_BAD_POINT)
			return ret;
	}
	return 0;
}

int
writein_name_decode(char name[MANIFEST_WRITEIN_MAX + 1],
    const EC_POINT *const *pts)
{
	uint8_t buf[WRITEIN_PADDED];
	EC_POINT *tmp;
	size_t j, len;
	int ret = 0;

	name[0] = '\0';
	if ((tmp = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	for (j = 0; j < WRITEIN_POINTS && ret == 0; j++)
		ret = chunk_decode(buf + j * WRITEIN_POINT_BYTES, pts[j], tmp);
	group_point_free(tmp);
	if (ret != 0)
		goto out;
	ret = TALLY_ERR_DECODE;
	len = buf[0];
	if (len > MANIFEST_WRITEIN_MAX || !utf8_valid(buf + 1, len))
		goto out;
	for (j = 1 + len; j < sizeof(buf); j++)
		if (buf[j] != 0)
			goto out;
	memcpy(name, buf + 1, len);
	name[len] = '\0';
	ret = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

/* ------------------------------------------------ ciphertexts */

void
writein_point_bind(struct proof_bind *out, uint8_t subj[WRITEIN_SUBJECT_LEN],
    const struct proof_bind *slot, size_t j, const uint8_t bj[33])
{
	size_t n = slot->subject_len < 32 ? slot->subject_len : 32;

	memset(subj, 0, WRITEIN_SUBJECT_LEN);
	memcpy(subj, slot->subject, n);
	memcpy(subj + 32, bj, 33);
	*out = *slot;
	out->subject = subj;
	out->subject_len = WRITEIN_SUBJECT_LEN;
	out->kind = PROOF_WRITEIN;
	out->index = (uint32_t)(WRITEIN_POINTS * slot->index + j);
}

void
writein_clear(Tally__WriteIn *w)
{
	size_t j;

	if (w == NULL)
		return;
	for (j = 0; w->name != NULL && j < w->n_name; j++) {
		if (w->name[j] == NULL)
			continue;
		free(w->name[j]->a.data);
		free(w->name[j]->b.data);
		free(w->name[j]);
	}
	for (j = 0; w->pok != NULL && j < w->n_pok; j++) {
		if (w->pok[j] == NULL)
			continue;
		schnorr_clear(w->pok[j]);
		free(w->pok[j]);
	}
	free(w->name);
	free(w->pok);
	tally__write_in__init(w);
}

static int
writein_alloc(Tally__WriteIn *out)
{
	size_t j;

	tally__write_in__init(out);
	if ((out->name = calloc(WRITEIN_POINTS, sizeof(*out->name))) == NULL ||
	    (out->pok = calloc(WRITEIN_POINTS, sizeof(*out->pok))) == NULL)
		return TALLY_ERR_NOMEM;
	out->n_name = out->n_pok = WRITEIN_POINTS;
	for (j = 0; j < WRITEIN_POINTS; j++) {
		if ((out->name[j] = calloc(1, sizeof(*out->name[j]))) == NULL ||
		    (out->pok[j] = calloc(1, sizeof(*out->pok[j]))) == NULL)
			return TALLY_ERR_NOMEM;
		tally__ciphertext__init(out->name[j]);
		tally__schnorr_proof__init(out->pok[j]);
		if ((out->name[j]->a.data = calloc(1, GROUP_POINT_LEN)) ==
		    NULL ||
		    (out->name[j]->b.data = calloc(1, GROUP_POINT_LEN)) == NULL)
			return TALLY_ERR_NOMEM;
		out->name[j]->a.len = out->name[j]->b.len = GROUP_POINT_LEN;
	}
	return 0;
}

struct wi_pts {
	EC_POINT *M[WRITEIN_POINTS];
	struct elgamal_ct ct;
};

static void
wi_pts_free(struct wi_pts *p)
{
	size_t j;

	for (j = 0; j < WRITEIN_POINTS; j++)
		group_point_free(p->M[j]);
	elgamal_ct_clear(&p->ct);
}

static int
wi_pts_new(struct wi_pts *p)
{
	size_t j;

	memset(p, 0, sizeof(*p));
	for (j = 0; j < WRITEIN_POINTS; j++)
		if ((p->M[j] = group_point_new()) == NULL)
			return TALLY_ERR_NOMEM;
	return elgamal_ct_init(&p->ct);
}

int
writein_encrypt(Tally__WriteIn *out, const EC_POINT *K, const char *name,
    const struct proof_bind *bind)
{
	return writein_encrypt_r(out, K, name, bind, NULL);
}

int
writein_encrypt_r(Tally__WriteIn *out, const EC_POINT *K, const char *name,
    const struct proof_bind *bind, uint8_t (*r_out)[GROUP_SCALAR_LEN])
{
	uint8_t subj[WRITEIN_SUBJECT_LEN];
	struct proof_bind b;
	struct wi_pts p;
	BIGNUM *r = NULL;
	size_t j;
	int ret;

	if ((ret = wi_pts_new(&p)) != 0 ||
	    (ret = writein_name_encode(p.M, name)) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if ((r = group_scalar_new()) == NULL ||
	    (ret = writein_alloc(out)) != 0)
		goto out;
	for (j = 0; j < WRITEIN_POINTS; j++) {
		if ((ret = elgamal_encrypt_point(&p.ct, r, K, p.M[j])) != 0 ||
		    (ret = elgamal_ct_encode(out->name[j]->a.data,
		    out->name[j]->b.data, &p.ct)) != 0)
			goto out;
		writein_point_bind(&b, subj, bind, j, out->name[j]->b.data);
		if ((ret = schnorr_prove(out->pok[j], r, p.ct.a, &b)) != 0)
			goto out;
		if (r_out != NULL &&
		    (ret = group_scalar_encode(r_out[j], r)) != 0)
			goto out;
	}
out:
	if (ret != 0) {
		writein_clear(out);
		if (r_out != NULL)
			OPENSSL_cleanse(r_out, WRITEIN_POINTS * sizeof(*r_out));
	}
	wi_pts_free(&p);
	group_scalar_free(r);
	return ret;
}

/* ------------------------------------------------ in two steps */

/*
 * For a prover that computes every point of a ballot at once with the
 * fixed-base tables (ballot.c): the scalars are limbs modulo q
 * (p256/scalar.h), the products and the addition of M_j are done by
 * p256_comb_mul, which is constant time in the scalars and in the point
 * added (it is only copied into the last batch of additions); the
 * responses are computed here by the same constant-time limb arithmetic.
 * The name's encoding into points (writein_name_encode: a search for the
 * counter that puts x on the curve) is the same as writein_encrypt_r's,
 * and as variable in time as there; its points are decoded (Z = 1), so
 * p256_from_ec only copies and converts their coordinates (Montgomery
 * multiplications), whatever the name.
 */
struct writein_pending {
	uint64_t r[WRITEIN_POINTS][4], w[WRITEIN_POINTS][4];
	struct p256_affine M[WRITEIN_POINTS];
};

void
writein_pending_free(struct writein_pending *p)
{
	if (p != NULL)
		OPENSSL_clear_free(p, sizeof(*p));
}

int
writein_encrypt_begin(struct writein_pending **pend, const char *name,
    struct p256_comb_term (*terms)[2], const struct p256_comb *gt,
    const struct p256_comb *kt, struct group_rand *rnd)
{
	struct writein_pending *p = NULL;
	struct wi_pts pts;
	size_t j;
	int ret;

	*pend = NULL;
	memset(terms, 0, WRITEIN_TERMS * sizeof(*terms));
	if ((ret = wi_pts_new(&pts)) != 0 ||
	    (ret = writein_name_encode(pts.M, name)) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto out;
	for (j = 0; j < WRITEIN_POINTS; j++) {
		if ((ret = p256_from_ec(&p->M[j], pts.M[j])) != 0 ||
		    (ret = group_scalar_random_limbs(p->r[j], rnd)) != 0 ||
		    (ret = group_scalar_random_limbs(p->w[j], rnd)) != 0)
			goto out;
		/* a_j = r_j G, b_j = r_j K + M_j, t_j = w_j G */
		terms[3 * j][0].tab = gt;
		memcpy(terms[3 * j][0].k, p->r[j], sizeof(p->r[j]));
		terms[3 * j + 1][0].tab = kt;
		memcpy(terms[3 * j + 1][0].k, p->r[j], sizeof(p->r[j]));
		terms[3 * j + 1][1].pt = &p->M[j];
		terms[3 * j + 2][0].tab = gt;
		memcpy(terms[3 * j + 2][0].k, p->w[j], sizeof(p->w[j]));
	}
	*pend = p;
	p = NULL;
	ret = 0;
out:
	if (ret != 0)
		OPENSSL_cleanse(terms, WRITEIN_TERMS * sizeof(*terms));
	writein_pending_free(p);
	wi_pts_free(&pts);
	return ret;
}

int
writein_encrypt_end(Tally__WriteIn *out, const struct writein_pending *p,
    const uint8_t (*enc)[GROUP_POINT_LEN], const struct proof_bind *bind,
    uint8_t (*r_out)[GROUP_SCALAR_LEN])
{
	uint8_t subj[WRITEIN_SUBJECT_LEN], vb[GROUP_SCALAR_LEN];
	uint8_t cb[GROUP_SCALAR_LEN];
	struct proof_bind b;
	uint64_t c[4], v[4];
	BIGNUM *cbn = BN_new();
	size_t j;
	int ret = TALLY_ERR_NOMEM;

	if (p == NULL || bind == NULL) {
		ret = TALLY_ERR_INVALID_ARG;
		goto out;
	}
	if (cbn == NULL || (ret = writein_alloc(out)) != 0)
		goto out;
	for (j = 0; j < WRITEIN_POINTS; j++) {
		memcpy(out->name[j]->a.data, enc[3 * j], GROUP_POINT_LEN);
		memcpy(out->name[j]->b.data, enc[3 * j + 1], GROUP_POINT_LEN);
		writein_point_bind(&b, subj, bind, j, out->name[j]->b.data);
		ret = TALLY_ERR_NOMEM;
		if ((out->pok[j]->t.data = malloc(GROUP_POINT_LEN)) == NULL ||
		    (out->pok[j]->v.data = malloc(GROUP_SCALAR_LEN)) == NULL)
			goto out;
		memcpy(out->pok[j]->t.data, enc[3 * j + 2], GROUP_POINT_LEN);
		out->pok[j]->t.len = GROUP_POINT_LEN;
		out->pok[j]->v.len = GROUP_SCALAR_LEN;
		/* the challenge is public, below q */
		if ((ret = schnorr_challenge(cbn, &b, enc[3 * j],
		    enc[3 * j + 2])) != 0)
			goto out;
		if (BN_bn2binpad(cbn, cb, sizeof(cb)) != sizeof(cb) ||
		    !p256_sc_from_be(c, cb)) {
			ret = TALLY_ERR_CRYPTO;
			goto out;
		}
		/* v = w + c r */
		p256_sc_mul(v, c, p->r[j]);
		p256_sc_add(v, v, p->w[j]);
		p256_sc_to_be(vb, v);
		memcpy(out->pok[j]->v.data, vb, GROUP_SCALAR_LEN);
		if (r_out != NULL)
			p256_sc_to_be(r_out[j], p->r[j]);
	}
	ret = 0;
out:
	OPENSSL_cleanse(v, sizeof(v));
	OPENSSL_cleanse(vb, sizeof(vb));
	BN_free(cbn);
	if (ret != 0) {
		if (ret != TALLY_ERR_INVALID_ARG)
			writein_clear(out);
		if (r_out != NULL)
			OPENSSL_cleanse(r_out, WRITEIN_POINTS * sizeof(*r_out));
	}
	return ret;
}

int
writein_decode(struct elgamal_ct *ct, const Tally__WriteIn *w)
{
	const Tally__Ciphertext *c;
	size_t j;
	int ret;

	if (w->n_name != WRITEIN_POINTS || w->n_pok != WRITEIN_POINTS)
		return TALLY_ERR_BALLOT_SHAPE;
	for (j = 0; j < WRITEIN_POINTS; j++)
		if (w->name[j] == NULL || w->pok[j] == NULL)
			return TALLY_ERR_BALLOT_SHAPE;
	for (j = 0; j < WRITEIN_POINTS; j++) {
		c = w->name[j];
		if ((ret = elgamal_ct_decode(&ct[j], c->a.data, c->a.len,
		    c->b.data, c->b.len)) != 0)
			return ret;
	}
	return 0;
}

int
writein_batch_add(struct proof_batch *batch, const Tally__WriteIn *w,
    const struct elgamal_ct *ct, const struct proof_bind *bind)
{
	uint8_t subj[WRITEIN_SUBJECT_LEN];
	struct proof_bind b;
	size_t j;
	int ret;

	for (j = 0; j < WRITEIN_POINTS; j++) {
		writein_point_bind(&b, subj, bind, j, w->name[j]->b.data);
		if ((ret = proof_batch_add_schnorr(batch, w->pok[j], ct[j].a,
		    &b)) != 0)
			return ret;
	}
	return 0;
}

int
writein_check(const Tally__WriteIn *w, const struct proof_bind *bind)
{
	struct elgamal_ct ct[WRITEIN_POINTS];
	uint8_t subj[WRITEIN_SUBJECT_LEN];
	struct proof_bind b;
	size_t j;
	int ret = 0;

	memset(ct, 0, sizeof(ct));
	for (j = 0; j < WRITEIN_POINTS && ret == 0; j++)
		ret = elgamal_ct_init(&ct[j]);
	if (ret == 0)
		ret = writein_decode(ct, w);
	for (j = 0; j < WRITEIN_POINTS && ret == 0; j++) {
		writein_point_bind(&b, subj, bind, j, w->name[j]->b.data);
		ret = schnorr_verify(w->pok[j], ct[j].a, &b);
	}
	for (j = 0; j < WRITEIN_POINTS; j++)
		elgamal_ct_clear(&ct[j]);
	return ret;
}

int
writein_reveal_check(const Tally__WriteIn *w, const EC_POINT *K,
    const ProtobufCBinaryData *r, const char *name)
{
	struct elgamal_ct ct[WRITEIN_POINTS];
	struct wi_pts p;
	EC_POINT *t = NULL;
	BIGNUM *s = NULL;
	size_t j;
	int ret = 0;

	memset(ct, 0, sizeof(ct));
	memset(&p, 0, sizeof(p));
	for (j = 0; j < WRITEIN_POINTS && ret == 0; j++)
		ret = elgamal_ct_init(&ct[j]);
	if (ret != 0 || (ret = wi_pts_new(&p)) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if ((s = group_scalar_new()) == NULL || (t = group_point_new()) == NULL)
		goto out;
	if ((ret = writein_decode(ct, w)) != 0 ||
	    (ret = writein_name_encode(p.M, name)) != 0)
		goto out;
	for (j = 0; j < WRITEIN_POINTS; j++) {
		if ((ret = group_scalar_decode(s, r[j].data, r[j].len)) != 0 ||
		    (ret = group_mul_g(p.ct.a, s)) != 0 ||
		    (ret = group_mul(t, K, s)) != 0 ||
		    (ret = group_add(p.ct.b, t, p.M[j])) != 0)
			goto out;
		if (group_point_equal(p.ct.a, ct[j].a) != 1 ||
		    group_point_equal(p.ct.b, ct[j].b) != 1) {
			ret = TALLY_ERR_REVEAL;
			goto out;
		}
	}
out:
	for (j = 0; j < WRITEIN_POINTS; j++)
		elgamal_ct_clear(&ct[j]);
	wi_pts_free(&p);
	group_scalar_free(s);
	group_point_free(t);
	return ret;
}
