/* group.c: P-256 through OpenSSL 3, with strict encodings. */
#include "group.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/obj_mac.h>

#include "err.h"
#include "hash.h"
#include "p256/p256.h"
#include "p256/scalar.h"

static EC_GROUP *g_group;
static BIGNUM *g_order;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_ctx_key;

static void
ctx_destroy(void *p)
{
	BN_CTX_free(p);
}

static void
group_init_once(void)
{
	g_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	g_order = BN_new();
	if (g_group == NULL || g_order == NULL ||
	    EC_GROUP_get_order(g_group, g_order, NULL) != 1 ||
	    pthread_key_create(&g_ctx_key, ctx_destroy) != 0) {
		EC_GROUP_free(g_group);
		BN_free(g_order);
		g_group = NULL;
		g_order = NULL;
	}
}

const EC_GROUP *
group_ec(void)
{
	pthread_once(&g_once, group_init_once);
	return g_group;
}

const BIGNUM *
group_order(void)
{
	pthread_once(&g_once, group_init_once);
	return g_order;
}

const EC_POINT *
group_generator(void)
{
	const EC_GROUP *g = group_ec();

	return g ? EC_GROUP_get0_generator(g) : NULL;
}

BN_CTX *
group_bn_ctx(void)
{
	BN_CTX *ctx;

	if (group_ec() == NULL)
		return NULL;
	ctx = pthread_getspecific(g_ctx_key);
	if (ctx == NULL) {
		ctx = BN_CTX_secure_new();
		if (ctx == NULL || pthread_setspecific(g_ctx_key, ctx) != 0) {
			BN_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

EC_POINT *
group_point_new(void)
{
	const EC_GROUP *g = group_ec();

	return g ? EC_POINT_new(g) : NULL;
}

void
group_point_free(EC_POINT *p)
{
	EC_POINT_clear_free(p);
}

int
group_point_copy(EC_POINT *dst, const EC_POINT *src)
{
	return EC_POINT_copy(dst, src) == 1 ? 0 : TALLY_ERR_CRYPTO;
}

int
group_point_equal(const EC_POINT *a, const EC_POINT *b)
{
	return EC_POINT_cmp(group_ec(), a, b, group_bn_ctx()) == 0;
}

int
group_point_is_infinity(const EC_POINT *p)
{
	return EC_POINT_is_at_infinity(group_ec(), p) == 1;
}

/*
 * The square root that decompression needs is lib/p256's (one addition
 * chain on a fixed exponent, in time independent of the point); OpenSSL
 * then checks the curve equation once more as it sets the coordinates.
 * With the prefix fixed to 02/03 and x < p the encoding is canonical:
 * P-256 has prime order, so no point has y = 0, and infinity has no
 * 33-byte encoding.
 */
/* out = a (a point decoded by p256, so on the curve and finite). */
static int
point_set_affine(EC_POINT *out, const struct p256_affine *a, BN_CTX *ctx)
{
	uint8_t xb[32], yb[32];
	BIGNUM *x, *y;
	int ret;

	p256_affine_coords(a, xb, yb);
	ret = TALLY_ERR_CRYPTO;
	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	if (y == NULL || BN_bin2bn(xb, 32, x) == NULL ||
	    BN_bin2bn(yb, 32, y) == NULL)
		goto out;
	ret = TALLY_ERR_BAD_POINT;
	if (EC_POINT_set_affine_coordinates(group_ec(), out, x, y, ctx) != 1 ||
	    EC_POINT_is_at_infinity(group_ec(), out) == 1)
		goto out;
	ret = 0;
out:
	BN_CTX_end(ctx);
	return ret;
}

int
group_point_decode(EC_POINT *out, const uint8_t *buf, size_t len)
{
	BN_CTX *ctx = group_bn_ctx();
	struct p256_affine a;
	int ret;

	if (ctx == NULL)
		return TALLY_ERR_CRYPTO;
	if (buf == NULL || len != GROUP_POINT_LEN)
		return TALLY_ERR_BAD_POINT;
	if ((ret = p256_decode(&a, buf)) != 0)
		return ret;
	return point_set_affine(out, &a, ctx);
}

/* 64 at a time: p256_decode_batch takes its square roots eight at once. */
#define DECODE_CHUNK 64
int
group_points_decode(EC_POINT *const *out,
    const uint8_t (*buf)[GROUP_POINT_LEN], size_t n)
{
	BN_CTX *ctx = group_bn_ctx();
	struct p256_affine a[DECODE_CHUNK];
	size_t i, k, m;
	int ret;

	if (ctx == NULL)
		return TALLY_ERR_CRYPTO;
	for (i = 0; i < n; i += m) {
		m = n - i < DECODE_CHUNK ? n - i : DECODE_CHUNK;
		if ((ret = p256_decode_batch(a, buf + i, m)) != 0)
			return ret;
		for (k = 0; k < m; k++)
			if ((ret = point_set_affine(out[i + k], &a[k], ctx)) !=
			    0)
				return ret;
	}
	return 0;
}

int
group_point_encode(uint8_t out[GROUP_POINT_LEN], const EC_POINT *p)
{
	BN_CTX *ctx = group_bn_ctx();

	if (ctx == NULL)
		return TALLY_ERR_CRYPTO;
	if (EC_POINT_is_at_infinity(group_ec(), p) == 1)
		return TALLY_ERR_BAD_POINT;
	if (EC_POINT_point2oct(group_ec(), p, POINT_CONVERSION_COMPRESSED,
		out, GROUP_POINT_LEN, ctx) != GROUP_POINT_LEN)
		return TALLY_ERR_CRYPTO;
	return 0;
}

/* EC_POINT_get_Jprojective_coordinates_GFp is deprecated in 3.0 but is
 * the only way to them; see DESIGN.md §4. */
int
group_point_jacobian(uint8_t xyz[96], const EC_POINT *p)
{
	BN_CTX *ctx = group_bn_ctx();
	BIGNUM *x, *y, *z;
	int ok;

	if (ctx == NULL)
		return TALLY_ERR_CRYPTO;
	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	z = BN_CTX_get(ctx);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ok = z != NULL &&
	    EC_POINT_get_Jprojective_coordinates_GFp(group_ec(), p, x, y, z,
		ctx) == 1;
#pragma GCC diagnostic pop
	ok = ok && BN_bn2binpad(x, xyz, 32) == 32 &&
	    BN_bn2binpad(y, xyz + 32, 32) == 32 &&
	    BN_bn2binpad(z, xyz + 64, 32) == 32;
	BN_CTX_end(ctx);
	return ok ? 0 : TALLY_ERR_CRYPTO;
}

/* The Jacobian coordinates of p[0..n) (none NULL or infinity:
 * E_BAD_POINT) in a new *xyz, and n field elements of scratch for
 * p256's one inversion; free both with points_xyz_free. */
static int
points_xyz(uint8_t (**xyz)[96], uint64_t (**scratch)[4],
    const EC_POINT *const *p, size_t n)
{
	size_t i;
	int ret;

	*xyz = NULL;
	*scratch = NULL;
	if (group_bn_ctx() == NULL)
		return TALLY_ERR_CRYPTO;
	if ((*xyz = calloc(n, sizeof(**xyz))) == NULL ||
	    (*scratch = calloc(n, sizeof(**scratch))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		ret = TALLY_ERR_BAD_POINT;
		if (p[i] == NULL || group_point_is_infinity(p[i]) ||
		    (ret = group_point_jacobian((*xyz)[i], p[i])) != 0)
			return ret;
	}
	return 0;
}

/* The coordinates may be a prover's commitments: wiped. */
static void
points_xyz_free(uint8_t (*xyz)[96], uint64_t (*scratch)[4], size_t n)
{
	if (xyz != NULL)
		OPENSSL_cleanse(xyz, n * sizeof(*xyz));
	free(xyz);
	free(scratch);
}

int
group_points_encode(uint8_t (*out)[GROUP_POINT_LEN],
    const EC_POINT *const *p, size_t n)
{
	uint8_t (*xyz)[96];
	uint64_t (*scratch)[4];
	int ret;

	if (n == 0)
		return group_bn_ctx() == NULL ? TALLY_ERR_CRYPTO : 0;
	if ((ret = points_xyz(&xyz, &scratch, p, n)) == 0)
		ret = p256_encode_jacobian(out, (const uint8_t (*)[96])xyz, n,
		    scratch);
	points_xyz_free(xyz, scratch, n);
	return ret;
}

int
group_points_affine(struct p256_affine *out, const EC_POINT *const *p,
    size_t n)
{
	uint8_t (*xyz)[96];
	uint64_t (*scratch)[4];
	int ret;

	if (n == 0)
		return group_bn_ctx() == NULL ? TALLY_ERR_CRYPTO : 0;
	if ((ret = points_xyz(&xyz, &scratch, p, n)) == 0)
		ret = p256_affine_from_jacobian(out,
		    (const uint8_t (*)[96])xyz, n, scratch);
	points_xyz_free(xyz, scratch, n);
	return ret;
}

/* The terms of group_msm_public in lib/p256's form, the points at
 * infinity left out; *m their number. E_BAD_SCALAR for a scalar that
 * p256 does not take (negative, 2^256 or more). */
static int
msm_public_terms(struct p256_affine *aff, uint64_t (*sc)[4], size_t *m,
    const BIGNUM *gk, size_t n, const EC_POINT **p, const BIGNUM **s)
{
	const EC_POINT **fin;
	size_t i, k = 0;
	int ret;

	if ((fin = calloc(n + 1, sizeof(*fin))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < n; i++)
		if (!group_point_is_infinity(p[i]))
			fin[k++] = p[i];
	ret = group_points_affine(aff, fin, k);
	free(fin);
	if (ret != 0)
		return ret;
	for (i = 0, k = 0; i < n; i++)
		if (!group_point_is_infinity(p[i]) &&
		    (ret = p256_scalar_from_bn(sc[k++], s[i])) != 0)
			return ret;
	if (gk != NULL) {
		p256_generator(&aff[k]);
		if ((ret = p256_scalar_from_bn(sc[k++], gk)) != 0)
			return ret;
	}
	*m = k;
	return 0;
}

int
group_msm_public(EC_POINT *r, const BIGNUM *gk, size_t n,
    const EC_POINT **p, const BIGNUM **s)
{
	struct p256_affine *aff;
	struct p256_jacobian acc;
	uint64_t (*sc)[4];
	size_t m = 0;
	int ret = TALLY_ERR_NOMEM;

	aff = calloc(n + 1, sizeof(*aff));
	sc = calloc(n + 1, sizeof(*sc));
	if (aff == NULL || sc == NULL)
		goto out;
	ret = msm_public_terms(aff, sc, &m, gk, n, p, s);
	if (ret == TALLY_ERR_BAD_SCALAR) {
		/* out of p256's range: OpenSSL reduces it */
		ret = group_msm(r, gk, n, p, s);
		goto out;
	}
	if (ret != 0 ||
	    (ret = p256_msm(&acc, m, aff, (const uint64_t(*)[4])sc)) != 0)
		goto out;
	ret = p256_to_ec(r, &acc);
out:
	free(aff);
	free(sc);
	return ret;
}

BIGNUM *
group_scalar_new(void)
{
	return BN_secure_new();
}

void
group_scalar_free(BIGNUM *s)
{
	BN_clear_free(s);
}

int
group_scalar_decode(BIGNUM *out, const uint8_t *buf, size_t len)
{
	if (buf == NULL || len != GROUP_SCALAR_LEN)
		return TALLY_ERR_BAD_SCALAR;
	if (BN_bin2bn(buf, (int)len, out) == NULL)
		return TALLY_ERR_CRYPTO;
	if (BN_cmp(out, group_order()) >= 0) {
		BN_zero(out);
		return TALLY_ERR_BAD_SCALAR;
	}
	return 0;
}

int
group_scalar_encode(uint8_t out[GROUP_SCALAR_LEN], const BIGNUM *s)
{
	if (BN_is_negative(s) || BN_cmp(s, group_order()) >= 0)
		return TALLY_ERR_BAD_SCALAR;
	return BN_bn2binpad(s, out, GROUP_SCALAR_LEN) == GROUP_SCALAR_LEN
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_scalar_random(BIGNUM *out)
{
	int tries;

	for (tries = 0; tries < 64; tries++) {
		if (BN_priv_rand_range(out, group_order()) != 1)
			return TALLY_ERR_CRYPTO;
		if (!BN_is_zero(out))
			return 0;
	}
	return TALLY_ERR_CRYPTO;
}

void
group_rand_init(struct group_rand *r)
{
	r->pos = sizeof(r->buf);
}

void
group_rand_clear(struct group_rand *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
	r->pos = sizeof(r->buf);
}

/*
 * A scalar in [1, q - 1] as four 64-bit limbs (lib/p256/scalar.h) from
 * r's buffer, refilled by RAND_priv_bytes: the candidate is read and
 * range-checked by p256_sc_from_be, which runs the same instructions for
 * every value (no branch, no index on it); the only branch is on the
 * accept bit (rejection sampling: a refused candidate says nothing about
 * the one taken).
 */
int
group_scalar_random_limbs(uint64_t out[4], struct group_rand *r)
{
	uint64_t ok, nz;
	uint8_t *p;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		if (r->pos > sizeof(r->buf) - GROUP_SCALAR_LEN) {
			if (RAND_priv_bytes(r->buf, sizeof(r->buf)) != 1)
				return TALLY_ERR_CRYPTO;
			r->pos = 0;
		}
		p = r->buf + r->pos;
		r->pos += GROUP_SCALAR_LEN;
		ok = p256_sc_from_be(out, p);
		nz = out[0] | out[1] | out[2] | out[3];
		ok &= 0 - ((nz | (0 - nz)) >> 63);
		OPENSSL_cleanse(p, GROUP_SCALAR_LEN);
		if (ok)
			return 0;
	}
	OPENSSL_cleanse(out, 4 * sizeof(*out));
	return TALLY_ERR_CRYPTO;
}

/* The same as a BIGNUM (one draw, the same bytes consumed). */
int
group_scalar_random_from(BIGNUM *out, struct group_rand *r)
{
	uint64_t l[4];
	uint8_t be[GROUP_SCALAR_LEN];
	int ret;

	if ((ret = group_scalar_random_limbs(l, r)) != 0)
		return ret;
	p256_sc_to_be(be, l);
	if (BN_bin2bn(be, GROUP_SCALAR_LEN, out) == NULL)
		ret = TALLY_ERR_NOMEM;
	OPENSSL_cleanse(be, sizeof(be));
	OPENSSL_cleanse(l, sizeof(l));
	return ret;
}

int
group_scalar_set_u64(BIGNUM *out, uint64_t v)
{
	uint8_t be[8];
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)(v >> (56 - 8 * i));
	return BN_bin2bn(be, sizeof(be), out) ? 0 : TALLY_ERR_CRYPTO;
}

int
group_scalar_add(BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
	return BN_mod_add(r, a, b, group_order(), group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_scalar_sub(BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
	return BN_mod_sub(r, a, b, group_order(), group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_scalar_neg(BIGNUM *r, const BIGNUM *x)
{
	if (BN_is_zero(x)) {
		BN_zero(r);
		return 0;
	}
	return BN_sub(r, group_order(), x) == 1 ? 0 : TALLY_ERR_CRYPTO;
}

int
group_scalar_mul(BIGNUM *r, const BIGNUM *a, const BIGNUM *b)
{
	return BN_mod_mul(r, a, b, group_order(), group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_scalar_inv(BIGNUM *r, const BIGNUM *a)
{
	if (BN_is_zero(a))
		return TALLY_ERR_INVALID_ARG;
	return BN_mod_inverse(r, a, group_order(), group_bn_ctx()) != NULL
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_mul_g(EC_POINT *r, const BIGNUM *k)
{
	return EC_POINT_mul(group_ec(), r, k, NULL, NULL, group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_mul(EC_POINT *r, const EC_POINT *p, const BIGNUM *k)
{
	return EC_POINT_mul(group_ec(), r, NULL, p, k, group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_mul2(EC_POINT *r, const BIGNUM *gk, const EC_POINT *p,
    const BIGNUM *pk)
{
	if (p == NULL || pk == NULL)
		return EC_POINT_mul(group_ec(), r, gk, NULL, NULL,
			   group_bn_ctx()) == 1
		    ? 0
		    : TALLY_ERR_CRYPTO;
	return EC_POINT_mul(group_ec(), r, gk, p, pk, group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_msm(EC_POINT *r, const BIGNUM *gk, size_t n, const EC_POINT **p,
    const BIGNUM **s)
{
	/* EC_POINTs_mul is deprecated in 3.0 but is its only multi-scalar
	 * multiplication; see docs/design.md §4. */
	int ok;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ok = EC_POINTs_mul(group_ec(), r, gk, n, p, s, group_bn_ctx());
#pragma GCC diagnostic pop
	return ok == 1 ? 0 : TALLY_ERR_CRYPTO;
}

/* Fixed bases: slots filled once and never freed or changed afterwards,
 * so a group handed out stays valid without the lock. */
static struct {
	EC_POINT *pt;
	EC_GROUP *grp;
} g_fixed[GROUP_FIXED_MAX];
static pthread_mutex_t g_fixed_lock = PTHREAD_MUTEX_INITIALIZER;

/* EC_GROUP_precompute_mult is deprecated in 3.0 but is the only way to a
 * table for a base other than G (the P-256 code then uses it for the
 * generator, in constant time, as for G); see DESIGN.md §4. */
static EC_GROUP *
group_fixed_make(const EC_POINT *p, BN_CTX *ctx)
{
	EC_GROUP *grp = EC_GROUP_dup(group_ec());
	int ok;

	if (grp == NULL ||
	    EC_GROUP_set_generator(grp, p, group_order(), BN_value_one()) != 1) {
		EC_GROUP_free(grp);
		return NULL;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ok = EC_GROUP_precompute_mult(grp, ctx);
#pragma GCC diagnostic pop
	if (ok != 1) {
		EC_GROUP_free(grp);
		return NULL;
	}
	return grp;
}

/* The group with p as generator and its table, or NULL (no room, or
 * OpenSSL failed): then the caller multiplies the plain way. */
static const EC_GROUP *
group_fixed_for(const EC_POINT *p)
{
	BN_CTX *ctx = group_bn_ctx();
	const EC_GROUP *found = NULL;
	size_t i;

	if (ctx == NULL || group_point_is_infinity(p) ||
	    pthread_mutex_lock(&g_fixed_lock) != 0)
		return NULL;
	for (i = 0; i < GROUP_FIXED_MAX && g_fixed[i].pt != NULL; i++)
		if (EC_POINT_cmp(group_ec(), p, g_fixed[i].pt, ctx) == 0) {
			found = g_fixed[i].grp;
			break;
		}
	if (found == NULL && i < GROUP_FIXED_MAX) {
		g_fixed[i].grp = group_fixed_make(p, ctx);
		if (g_fixed[i].grp != NULL &&
		    (g_fixed[i].pt = EC_POINT_dup(p, group_ec())) == NULL) {
			EC_GROUP_free(g_fixed[i].grp);
			g_fixed[i].grp = NULL;
		}
		found = g_fixed[i].grp;
	}
	pthread_mutex_unlock(&g_fixed_lock);
	return found;
}

int
group_mul_fixed(EC_POINT *r, const EC_POINT *p, const BIGNUM *k)
{
	const EC_GROUP *fg = group_fixed_for(p);

	if (fg == NULL)
		return group_mul(r, p, k);
	return EC_POINT_mul(fg, r, k, NULL, NULL, group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_mul2_fixed(EC_POINT *r, const BIGNUM *gk, const EC_POINT *p,
    const BIGNUM *pk)
{
	EC_POINT *t;
	int ret;

	if (gk == NULL)
		return group_mul_fixed(r, p, pk);
	if ((t = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = group_mul_fixed(t, p, pk)) == 0 &&
	    (ret = group_mul_g(r, gk)) == 0)
		ret = group_add(r, r, t);
	group_point_free(t);
	return ret;
}

int
group_add(EC_POINT *r, const EC_POINT *a, const EC_POINT *b)
{
	return EC_POINT_add(group_ec(), r, a, b, group_bn_ctx()) == 1
	    ? 0
	    : TALLY_ERR_CRYPTO;
}

int
group_sub(EC_POINT *r, const EC_POINT *a, const EC_POINT *b)
{
	EC_POINT *nb = group_point_new();
	int ret = TALLY_ERR_CRYPTO;

	if (nb == NULL)
		return TALLY_ERR_NOMEM;
	if (EC_POINT_copy(nb, b) == 1 &&
	    EC_POINT_invert(group_ec(), nb, group_bn_ctx()) == 1 &&
	    EC_POINT_add(group_ec(), r, a, nb, group_bn_ctx()) == 1)
		ret = 0;
	group_point_free(nb);
	return ret;
}

int
group_mul_g_u64(EC_POINT *r, uint64_t m)
{
	BIGNUM *k = BN_new();
	int ret;

	if (k == NULL)
		return TALLY_ERR_NOMEM;
	ret = group_scalar_set_u64(k, m);
	if (ret == 0)
		ret = group_mul_g(r, k);
	BN_free(k);
	return ret;
}

int
group_point_from_hash(EC_POINT *out, const char *tag,
    const struct hash_part *parts, size_t n)
{
	uint8_t enc[GROUP_POINT_LEN];
	struct hash_ctx h;
	uint32_t ctr;
	size_t i;
	int ret;

	for (ctr = 0; ctr < GROUP_H2P_TRIES; ctr++) {
		if ((ret = hash_init(&h, tag, 0)) != 0)
			return ret;
		for (i = 0; i < n; i++)
			if ((ret = hash_add(&h, parts[i].p, parts[i].len)) != 0)
				break;
		if (ret != 0 || (ret = hash_add_u32(&h, ctr)) != 0) {
			hash_abort(&h);
			return ret;
		}
		if ((ret = hash_final(&h, enc + 1)) != 0)
			return ret;
		enc[0] = 0x02;
		ret = group_point_decode(out, enc, sizeof(enc));
		if (ret != TALLY_ERR_BAD_POINT)
			return ret;
	}
	return TALLY_ERR_CRYPTO;
}
