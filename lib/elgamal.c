/* elgamal.c: exponential ElGamal on P-256. */
#include "elgamal.h"

#include <string.h>

#include "err.h"
#include "group.h"

int
elgamal_ct_init(struct elgamal_ct *c)
{
	c->a = group_point_new();
	c->b = group_point_new();
	if (c->a == NULL || c->b == NULL) {
		elgamal_ct_clear(c);
		return TALLY_ERR_NOMEM;
	}
	/* EC_POINT_new gives the point at infinity. */
	return 0;
}

void
elgamal_ct_clear(struct elgamal_ct *c)
{
	if (c == NULL)
		return;
	group_point_free(c->a);
	group_point_free(c->b);
	c->a = NULL;
	c->b = NULL;
}

int
elgamal_ct_copy(struct elgamal_ct *dst, const struct elgamal_ct *src)
{
	int ret;

	if ((ret = group_point_copy(dst->a, src->a)) != 0)
		return ret;
	return group_point_copy(dst->b, src->b);
}

int
elgamal_encrypt(struct elgamal_ct *out, BIGNUM *r, const EC_POINT *K,
    uint64_t m)
{
	BIGNUM *mb = NULL;
	int ret;

	if (K == NULL || group_point_is_infinity(K))
		return TALLY_ERR_INVALID_ARG;
	if ((mb = BN_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_scalar_random(r)) != 0 ||
	    (ret = group_scalar_set_u64(mb, m)) != 0)
		goto out;
	/* m can exceed q only in theory; reduce so that mG is well defined. */
	if (BN_nnmod(mb, mb, group_order(), group_bn_ctx()) != 1) {
		ret = TALLY_ERR_CRYPTO;
		goto out;
	}
	/* K is the same for a whole vote: its table makes rK as cheap as rG */
	if ((ret = group_mul_g(out->a, r)) != 0 ||
	    (ret = group_mul2_fixed(out->b, mb, K, r)) != 0)
		goto out;
	ret = 0;
out:
	BN_clear_free(mb);
	return ret;
}

int
elgamal_encrypt_point(struct elgamal_ct *out, BIGNUM *r, const EC_POINT *K,
    const EC_POINT *M)
{
	int ret;

	if (K == NULL || group_point_is_infinity(K))
		return TALLY_ERR_INVALID_ARG;
	/* K is the same for the whole vote: its table (constant time) */
	if ((ret = group_scalar_random(r)) != 0 ||
	    (ret = group_mul_g(out->a, r)) != 0 ||
	    (ret = group_mul_fixed(out->b, K, r)) != 0)
		return ret;
	return group_add(out->b, out->b, M);
}

int
elgamal_reencrypt(struct elgamal_ct *out, const struct elgamal_ct *in,
    const EC_POINT *K, const BIGNUM *r)
{
	EC_POINT *t = group_point_new();
	int ret;

	if (t == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_mul_g(t, r)) != 0 ||
	    (ret = group_add(out->a, in->a, t)) != 0 ||
	    (ret = group_mul_fixed(t, K, r)) != 0)
		goto out;
	ret = group_add(out->b, in->b, t);
out:
	group_point_free(t);
	return ret;
}

int
elgamal_add(struct elgamal_ct *out, const struct elgamal_ct *x,
    const struct elgamal_ct *y)
{
	int ret;

	if ((ret = group_add(out->a, x->a, y->a)) != 0)
		return ret;
	return group_add(out->b, x->b, y->b);
}

int
elgamal_decrypt_point(EC_POINT *mG, const struct elgamal_ct *c,
    const BIGNUM *s)
{
	EC_POINT *sa = group_point_new();
	int ret;

	if (sa == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_mul(sa, c->a, s)) == 0)
		ret = group_sub(mG, c->b, sa);
	group_point_free(sa);
	return ret;
}

int
elgamal_ct_decode(struct elgamal_ct *c, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	int ret;

	if ((ret = group_point_decode(c->a, a, alen)) != 0)
		return ret;
	return group_point_decode(c->b, b, blen);
}

int
elgamal_ct_encode(uint8_t a[33], uint8_t b[33], const struct elgamal_ct *c)
{
	const EC_POINT *p[2] = {c->a, c->b};
	uint8_t enc[2][GROUP_POINT_LEN];
	int ret;

	/* one inversion for both points */
	if ((ret = group_points_encode(enc, p, 2)) != 0)
		return ret;
	memcpy(a, enc[0], GROUP_POINT_LEN);
	memcpy(b, enc[1], GROUP_POINT_LEN);
	return 0;
}
