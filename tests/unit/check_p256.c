/* check_p256.c: lib/p256 (variable-time verification arithmetic) against
 * OpenSSL: decoding, conversions, and the multi-scalar multiplication on
 * random inputs and on its edge cases; the field's addition and
 * subtraction; the constant-time fixed-base tables (comb.c) on random and
 * edge scalars and their exceptional case. */
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "err.h"
#include "group.h"
#include "p256/fe.h"
#include "p256/p256.h"
#include "p256/scalar.h"
#include "p256/sqrt8.h"
#include "testutil.h"

/* Every method: Straus, Pippenger at a few windows with Jacobian buckets
 * and (100 + window) with affine buckets and batched additions (small
 * windows: many points wait for a bucket in the batch), and the automatic
 * choice (-1). */
static const int methods[] = {-1, 0, 2, 3, 5, 8, 11, 102, 103, 105, 108,
    111};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static void
random_point(EC_POINT *P, struct p256_affine *a)
{
	BIGNUM *k = group_scalar_new();

	ck_assert_int_eq(group_scalar_random(k), 0);
	ck_assert_int_eq(group_mul_g(P, k), 0);
	ck_assert_int_eq(p256_from_ec(a, P), 0);
	group_scalar_free(k);
}

/* A random scalar of 0..256 bits (bits = -1: a random length). */
static void
random_scalar(BIGNUM *b, uint64_t s[4], int bits)
{
	uint8_t r[33];

	if (bits < 0) {
		ck_assert(RAND_bytes(r, 1) == 1);
		bits = r[0] % 4 == 0 ? 128 : 256;
	}
	ck_assert(RAND_bytes(r, 32) == 1);
	ck_assert(BN_bin2bn(r, 32, b) != NULL);
	ck_assert(BN_mask_bits(b, bits) == 1 || bits >= 256);
	ck_assert_int_eq(p256_scalar_from_bn(s, b), 0);
}

/* r == sum s[i] P[i] by OpenSSL, by every method. */
static void
check_msm(size_t n, const EC_POINT **P, const struct p256_affine *a,
    BIGNUM **bs, const uint64_t (*s)[4])
{
	EC_POINT *want = group_point_new(), *got = group_point_new();
	struct p256_jacobian r;
	size_t m;

	ck_assert_int_eq(group_msm(want, NULL, n, P, (const BIGNUM **)bs), 0);
	for (m = 0; m < NMETHODS; m++) {
		if (methods[m] < 0)
			ck_assert_int_eq(p256_msm(&r, n, a, s), 0);
		else
			ck_assert_int_eq(p256_msm_window(&r, n, a, s,
					     (unsigned int)methods[m] % 100,
					     methods[m] >= 100), 0);
		ck_assert_int_eq(p256_to_ec(got, &r), 0);
		ck_assert_msg(group_point_equal(got, want),
		    "n=%zu method %d differs from OpenSSL", n, methods[m]);
		ck_assert_int_eq(p256_is_infinity(&r),
		    group_point_is_infinity(want));
	}
	group_point_free(want);
	group_point_free(got);
}

struct msm_in {
	size_t n;
	EC_POINT **P;
	struct p256_affine *a;
	BIGNUM **b;
	uint64_t (*s)[4];
};

static void
msm_in_new(struct msm_in *m, size_t n)
{
	size_t i;

	m->n = n;
	m->P = calloc(n, sizeof(*m->P));
	m->a = calloc(n, sizeof(*m->a));
	m->b = calloc(n, sizeof(*m->b));
	m->s = calloc(n, sizeof(*m->s));
	ck_assert(m->P && m->a && m->b && m->s);
	for (i = 0; i < n; i++) {
		m->P[i] = group_point_new();
		m->b[i] = BN_new();
		random_point(m->P[i], &m->a[i]);
		random_scalar(m->b[i], m->s[i], -1);
	}
}

static void
msm_in_set(struct msm_in *m, size_t i, const BIGNUM *b)
{
	ck_assert(BN_copy(m->b[i], b) != NULL);
	ck_assert_int_eq(p256_scalar_from_bn(m->s[i], b), 0);
}

static void
msm_in_same_point(struct msm_in *m, size_t i, size_t j)
{
	ck_assert_int_eq(group_point_copy(m->P[i], m->P[j]), 0);
	m->a[i] = m->a[j];
}

static void
msm_in_check(struct msm_in *m)
{
	check_msm(m->n, (const EC_POINT **)m->P, m->a, m->b,
	    (const uint64_t(*)[4])m->s);
}

static void
msm_in_free(struct msm_in *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		group_point_free(m->P[i]);
		BN_free(m->b[i]);
	}
	free(m->P);
	free(m->a);
	free(m->b);
	free(m->s);
}

START_TEST(test_msm_random)
{
	static const size_t sizes[] = {1, 2, 3, 7, 16, 40, 130};
	struct msm_in m;
	size_t k, rep;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		for (rep = 0; rep < 3; rep++) {
			msm_in_new(&m, sizes[k]);
			msm_in_check(&m);
			msm_in_free(&m);
		}
}
END_TEST

/* The automatic choice on a large batch (Pippenger with wide windows). */
START_TEST(test_msm_large)
{
	struct msm_in m;
	struct p256_jacobian r;
	EC_POINT *want = group_point_new(), *got = group_point_new();

	msm_in_new(&m, 3000);
	ck_assert_int_eq(group_msm(want, NULL, m.n, (const EC_POINT **)m.P,
			     (const BIGNUM **)m.b), 0);
	ck_assert_int_eq(p256_msm(&r, m.n, m.a, (const uint64_t(*)[4])m.s),
	    0);
	ck_assert_int_eq(p256_to_ec(got, &r), 0);
	ck_assert(group_point_equal(got, want));
	msm_in_free(&m);
	group_point_free(want);
	group_point_free(got);
}
END_TEST

START_TEST(test_msm_edge_scalars)
{
	const BIGNUM *q = group_order();
	BIGNUM *v = BN_new();
	struct msm_in m;
	size_t i;

	/* all zero, one zero, zero and one */
	msm_in_new(&m, 6);
	BN_zero(v);
	for (i = 0; i < m.n; i++)
		msm_in_set(&m, i, v);
	msm_in_check(&m);
	ck_assert(BN_one(v) == 1);
	msm_in_set(&m, 3, v);
	msm_in_check(&m);
	/* near the order: q - 1, q - 2, 2^255, 2^256 - 1 > q, 2^128 - 1 */
	ck_assert(BN_sub(v, q, BN_value_one()) == 1);
	msm_in_set(&m, 0, v);
	ck_assert(BN_sub_word(v, 1) == 1);
	msm_in_set(&m, 1, v);
	BN_zero(v);
	ck_assert(BN_set_bit(v, 255) == 1);
	msm_in_set(&m, 2, v);
	BN_zero(v);
	ck_assert(BN_set_bit(v, 256) == 1 && BN_sub_word(v, 1) == 1);
	msm_in_set(&m, 4, v);
	BN_zero(v);
	ck_assert(BN_set_bit(v, 128) == 1 && BN_sub_word(v, 1) == 1);
	msm_in_set(&m, 5, v);
	msm_in_check(&m);
	/* a single scalar of every window pattern: 2^k - 1 and 2^k */
	msm_in_free(&m);
	msm_in_new(&m, 1);
	for (i = 1; i < 256; i += 7) {
		BN_zero(v);
		ck_assert(BN_set_bit(v, (int)i) == 1);
		msm_in_set(&m, 0, v);
		msm_in_check(&m);
		ck_assert(BN_sub_word(v, 1) == 1);
		msm_in_set(&m, 0, v);
		msm_in_check(&m);
	}
	msm_in_free(&m);
	BN_free(v);
}
END_TEST

/* Equal points land in the same bucket (P + P must double), and P with
 * -P or s P with (q - s) P sum to infinity, in a bucket or in total. */
START_TEST(test_msm_repeated_and_cancelling)
{
	const BIGNUM *q = group_order();
	BIGNUM *v = BN_new();
	struct msm_in m;
	size_t i;

	msm_in_new(&m, 12);
	for (i = 1; i < m.n; i++)
		msm_in_same_point(&m, i, 0);
	msm_in_check(&m); /* one point, random scalars */
	for (i = 1; i < m.n; i++)
		msm_in_set(&m, i, m.b[0]);
	msm_in_check(&m); /* one point, one scalar: P + P in each bucket */
	/* s P + (q - s) P = infinity */
	ck_assert(BN_sub(v, q, m.b[0]) == 1);
	for (i = 1; i < m.n; i += 2)
		msm_in_set(&m, i, v);
	msm_in_check(&m);
	msm_in_free(&m);
	/* s P + s (-P) = infinity: -P as its own point */
	msm_in_new(&m, 2);
	ck_assert(EC_POINT_copy(m.P[1], m.P[0]) == 1);
	ck_assert(EC_POINT_invert(group_ec(), m.P[1], NULL) == 1);
	ck_assert_int_eq(p256_from_ec(&m.a[1], m.P[1]), 0);
	msm_in_set(&m, 1, m.b[0]);
	msm_in_check(&m);
	msm_in_free(&m);
	BN_free(v);
}
END_TEST

/* The squaring has its own code: it must equal a multiplication by
 * itself, for random elements and for those with long runs of ones or
 * zeros (carries through every word), and fe_mul must agree with BN. */
START_TEST(test_field)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_new(), *x = BN_new(), *y = BN_new(), *z = BN_new();
	BIGNUM *rinv = BN_new();
	uint8_t buf[32];
	uint64_t a[4], b[4], m[4], q[4], l[4];
	int i, k;

	ck_assert(BN_hex2bn(&p, "ffffffff000000010000000000000000"
				"00000000ffffffffffffffffffffffff") > 0);
	ck_assert(BN_one(rinv) == 1 && BN_lshift(rinv, rinv, 256) == 1 &&
	    BN_mod_inverse(rinv, rinv, p, ctx) != NULL);
	for (i = 0; i < 20000; i++) {
		ck_assert(RAND_bytes((uint8_t *)a, sizeof(a)) == 1);
		ck_assert(RAND_bytes((uint8_t *)b, sizeof(b)) == 1);
		k = i % 8;
		if (k == 1)
			memset(a, 0xff, sizeof(a));
		if (k == 2)
			memset(a, 0, sizeof(a));
		if (k == 3)
			a[i % 4] = 0;
		if (k == 4)
			a[i % 4] = ~(uint64_t)0;
		if (k == 5)
			memset(b, 0xff, sizeof(b));
		/* reduce below p as the field code assumes */
		while (!fe_is_canonical(a))
			a[3] >>= 1;
		while (!fe_is_canonical(b))
			b[3] >>= 1;
		/* p - 1 on either side */
		if (k == 6 || k == 7) {
			memcpy(k == 6 ? a : b, fe_p, sizeof(a));
			(k == 6 ? a : b)[0]--;
		}
		fe_sqr(q, a);
		fe_mul(m, a, a);
		ck_assert_mem_eq(q, m, sizeof(q));
#if defined(__x86_64__) && defined(__GNUC__)
		/* both x86-64 multiplications, whichever fe_mul runs */
		fe_mul_mulq(q, a, b);
		fe_mul(m, a, b);
		ck_assert_mem_eq(q, m, sizeof(q));
		if (fe_adx()) {
			fe_mul_adx(m, a, b);
			ck_assert_mem_eq(q, m, sizeof(q));
		}
		/* both squarings, against the mulq multiplication */
		fe_mul_mulq(m, a, a);
		fe_sqr_mulq(q, a);
		ck_assert_mem_eq(q, m, sizeof(q));
		if (fe_adx()) {
			fe_sqr_adx(q, a);
			ck_assert_mem_eq(q, m, sizeof(q));
		}
#endif
		/* a b / R mod p by BN */
		fe_mul(m, a, b);
		fe_to_be(buf, a);
		ck_assert(BN_bin2bn(buf, 32, x) != NULL);
		fe_to_be(buf, b);
		ck_assert(BN_bin2bn(buf, 32, y) != NULL);
		ck_assert(BN_mod_mul(z, x, y, p, ctx) == 1 &&
		    BN_mod_mul(z, z, rinv, p, ctx) == 1);
		ck_assert(BN_bn2binpad(z, buf, 32) == 32);
		fe_from_be(l, buf);
		ck_assert_mem_eq(l, m, sizeof(l));
	}
	BN_free(p);
	BN_free(x);
	BN_free(y);
	BN_free(z);
	BN_free(rinv);
	BN_CTX_free(ctx);
}
END_TEST

/* The assembly fe_add and fe_sub against BN, with operands at the edges
 * (0, 1, p - 1, equal, carries through every word). */
START_TEST(test_field_add_sub)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_new(), *x = BN_new(), *y = BN_new(), *z = BN_new();
	uint8_t buf[32];
	uint64_t a[4], b[4], r[4], l[4];
	int i, k, op;

	ck_assert(BN_hex2bn(&p, "ffffffff000000010000000000000000"
				"00000000ffffffffffffffffffffffff") > 0);
	for (i = 0; i < 6000; i++) {
		ck_assert(RAND_bytes((uint8_t *)a, sizeof(a)) == 1);
		ck_assert(RAND_bytes((uint8_t *)b, sizeof(b)) == 1);
		while (!fe_is_canonical(a))
			a[3] >>= 1;
		while (!fe_is_canonical(b))
			b[3] >>= 1;
		k = (i / 2) % 10;
		if (k == 1)
			memset(a, 0, sizeof(a));
		if (k == 2)
			memcpy(b, a, sizeof(a));
		if (k == 3 || k == 4) {
			/* p - 1 */
			memcpy(a, fe_p, sizeof(a));
			a[0]--;
		}
		if (k == 4)
			memcpy(b, a, sizeof(a));
		if (k == 5) {
			memset(b, 0, sizeof(b));
			b[0] = 1;
		}
		if (k == 6)
			a[i % 4] = 0;
		if (k == 7) {
			/* a + b = p exactly */
			memset(l, 0, sizeof(l));
			fe_sub(b, l, a);
		}
		op = i % 2;
		if (op == 0)
			fe_add(r, a, b);
		else
			fe_sub(r, a, b);
		fe_to_be(buf, a);
		ck_assert(BN_bin2bn(buf, 32, x) != NULL);
		fe_to_be(buf, b);
		ck_assert(BN_bin2bn(buf, 32, y) != NULL);
		if (op == 0)
			ck_assert(BN_mod_add(z, x, y, p, ctx) == 1);
		else
			ck_assert(BN_mod_sub(z, x, y, p, ctx) == 1);
		ck_assert(BN_bn2binpad(z, buf, 32) == 32);
		fe_from_be(l, buf);
		ck_assert_msg(memcmp(l, r, sizeof(l)) == 0, "%s case %d",
		    op ? "sub" : "add", k);
	}
	BN_free(p);
	BN_free(x);
	BN_free(y);
	BN_free(z);
	BN_CTX_free(ctx);
}
END_TEST

/* ------------------------------------------------ fixed-base tables */

struct comb_fx {
	EC_POINT *K;
	struct p256_comb *kt;
	const struct p256_comb *gt;
};

static void
comb_fx_new(struct comb_fx *f)
{
	struct p256_affine ka;

	f->K = group_point_new();
	random_point(f->K, &ka);
	ck_assert_int_eq(p256_comb_new(&f->kt, &ka), 0);
	ck_assert((f->gt = p256_comb_generator()) != NULL);
}

static void
comb_fx_free(struct comb_fx *f)
{
	group_point_free(f->K);
	p256_comb_free(f->kt);
}

static void
limbs_to_bn(BIGNUM *b, const uint64_t k[4])
{
	uint8_t le[32];
	int i, j;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
			le[8 * i + j] = (uint8_t)(k[i] >> (8 * j));
	ck_assert(BN_lebin2bn(le, 32, b) != NULL);
}

/* p256_comb_mul of n outputs against OpenSSL's EC_POINTs_mul of the same
 * terms; ret is what p256_comb_mul must return. */
static void
check_comb(const struct comb_fx *f, size_t n,
    const struct p256_comb_term (*t)[2], int want_ret)
{
	uint8_t (*got)[33] = calloc(n ? n : 1, 33), enc[33];
	EC_POINT *want = group_point_new();
	BIGNUM *b[2] = {BN_new(), BN_new()};
	const EC_POINT *P[2];
	size_t i, j, np;

	ck_assert_int_eq(p256_comb_mul(got, n, t), want_ret);
	for (i = 0; want_ret == 0 && i < n; i++) {
		np = t[i][1].tab != NULL ? 2 : 1;
		for (j = 0; j < np; j++) {
			P[j] = t[i][j].tab == f->gt ? group_generator() : f->K;
			limbs_to_bn(b[j], t[i][j].k);
		}
		ck_assert_int_eq(group_msm(want, NULL, np, P,
		    (const BIGNUM **)b), 0);
		ck_assert_int_eq(group_point_encode(enc, want), 0);
		ck_assert_msg(memcmp(enc, got[i], 33) == 0,
		    "output %zu of %zu differs from OpenSSL", i, n);
	}
	BN_free(b[0]);
	BN_free(b[1]);
	group_point_free(want);
	free(got);
}

static void
bn_to_limbs(uint64_t k[4], const BIGNUM *b)
{
	ck_assert_int_eq(p256_scalar_from_bn(k, b), 0);
}

/* a random scalar below n, or an edge: 0, 1, 2, n - 1, n - 2, a value
 * with all-ones or all-zero limbs (reduced below n) */
static void
scalar_pick(uint64_t a[4], const BIGNUM *q, int k, BIGNUM *tmp,
    BN_CTX *ctx)
{
	uint8_t buf[32];

	ck_assert(RAND_bytes((uint8_t *)a, 32) == 1);
	switch (k % 9) {
	case 1: case 2: case 3:
		memset(a, 0, 32);
		a[0] = (uint64_t)(k % 9 - 1);
		return;
	case 4: case 5:
		ck_assert(BN_copy(tmp, q) != NULL &&
		    BN_sub_word(tmp, (BN_ULONG)(k % 9 - 3)) == 1);
		ck_assert(BN_bn2binpad(tmp, buf, 32) == 32);
		fe_from_be(a, buf);
		return;
	case 6:
		a[0] = a[1] = ~(uint64_t)0;
		break;
	case 7:
		a[1] = a[2] = 0;
		break;
	}
	limbs_to_bn(tmp, a);
	ck_assert(BN_nnmod(tmp, tmp, q, ctx) == 1);
	ck_assert(BN_bn2binpad(tmp, buf, 32) == 32);
	fe_from_be(a, buf);
}

START_TEST(test_scalar_arith)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *x = BN_new(), *y = BN_new(), *z = BN_new(), *t = BN_new();
	const BIGNUM *q = group_order();
	uint64_t a[4], b[4], r[4];
	int i;

	for (i = 0; i < 20000; i++) {
		scalar_pick(a, q, i, t, ctx);
		scalar_pick(b, q, i / 9, t, ctx);
		limbs_to_bn(x, a);
		limbs_to_bn(y, b);
		ck_assert(BN_mod_add(z, x, y, q, ctx) == 1);
		p256_sc_add(r, a, b);
		limbs_to_bn(t, r);
		ck_assert(BN_cmp(t, z) == 0);
		/* a b and -a mod n */
		ck_assert(BN_mod_mul(z, x, y, q, ctx) == 1);
		p256_sc_mul(r, a, b);
		limbs_to_bn(t, r);
		ck_assert(BN_cmp(t, z) == 0);
		ck_assert(BN_mod_sub(z, q, x, q, ctx) == 1); /* 0 for 0 */
		p256_sc_neg(r, a);
		limbs_to_bn(t, r);
		ck_assert(BN_cmp(t, z) == 0);
		/* aliasing */
		p256_sc_mul(r, a, b);
		p256_sc_mul(b, a, b);
		ck_assert_mem_eq(b, r, sizeof(r));
		p256_sc_add(r, a, b);
		p256_sc_add(a, a, b);
		ck_assert_mem_eq(a, r, sizeof(r));
		p256_sc_neg(r, a);
		p256_sc_neg(a, a);
		ck_assert_mem_eq(a, r, sizeof(r));
	}
	BN_free(x);
	BN_free(y);
	BN_free(z);
	BN_free(t);
	BN_CTX_free(ctx);
}
END_TEST

/* Random scalars on G and K, one or two terms, small second terms, in
 * batches of 1 to 70 outputs. */
START_TEST(test_comb_random)
{
	struct comb_fx f;
	struct p256_comb_term (*t)[2];
	BIGNUM *b = BN_new();
	uint8_t r[2];
	size_t n, i;

	comb_fx_new(&f);
	for (n = 1; n <= 70; n += (n < 8 ? 1 : 13)) {
		t = calloc(n, sizeof(*t));
		ck_assert(t != NULL);
		for (i = 0; i < n; i++) {
			ck_assert(RAND_bytes(r, 2) == 1);
			t[i][0].tab = r[0] & 1 ? f.gt : f.kt;
			random_scalar(b, t[i][0].k, 256);
			if (r[0] & 2) {
				t[i][1].tab = r[0] & 4 ? f.gt : f.kt;
				random_scalar(b, t[i][1].k, 256);
			} else if (r[0] & 4) {
				/* a vote count: 0 .. 16 */
				t[i][1].tab = f.gt;
				t[i][1].small = 1;
				t[i][1].k[0] = r[1] % 17;
			}
		}
		check_comb(&f, n, (const struct p256_comb_term(*)[2])t, 0);
		free(t);
	}
	BN_free(b);
	comb_fx_free(&f);
}
END_TEST

/* Secret scalars at the edges, alone and beside a random term: 1, 2, the
 * digit boundaries 15, 16, 17, 31, 32, 33, q - 1, q - 2, q + 1 (below
 * 2^256), 2^255, 2^256 - 1, 2^k and 2^k - 1; zero alone is infinity
 * (E_BAD_POINT), zero beside a term is that term. */
START_TEST(test_comb_edge_scalars)
{
	static const unsigned long small[] = {1, 2, 15, 16, 17, 31, 32, 33,
	    0x10842, 0x21084};
	const BIGNUM *q = group_order();
	struct comb_fx f;
	struct p256_comb_term t[2][2];
	BIGNUM *v = BN_new(), *e[16];
	size_t ne = 0, i, k;

	comb_fx_new(&f);
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		e[ne] = BN_new();
		ck_assert(BN_set_word(e[ne++], small[i]) == 1);
	}
	e[ne] = BN_new();
	ck_assert(BN_sub(e[ne++], q, BN_value_one()) == 1);
	e[ne] = BN_new();
	ck_assert(BN_sub(e[ne], q, BN_value_one()) == 1 &&
	    BN_sub_word(e[ne++], 1) == 1);
	e[ne] = BN_new();
	ck_assert(BN_add(e[ne++], q, BN_value_one()) == 1);
	e[ne] = BN_new();
	BN_zero(e[ne]);
	ck_assert(BN_set_bit(e[ne++], 255) == 1);
	e[ne] = BN_new();
	BN_zero(e[ne]);
	ck_assert(BN_set_bit(e[ne], 256) == 1 && BN_sub_word(e[ne++], 1) == 1);
	for (k = 0; k < ne; k++) {
		for (i = 0; i < 2; i++) {
			memset(t, 0, sizeof(t));
			/* alone, then on K beside a random term on G */
			t[0][0].tab = i == 0 ? f.gt : f.kt;
			bn_to_limbs(t[0][0].k, e[k]);
			if (i == 1) {
				t[0][1].tab = f.gt;
				random_scalar(v, t[0][1].k, 256);
			}
			/* and a second output: the edge scalar second */
			t[1][0].tab = f.kt;
			random_scalar(v, t[1][0].k, 256);
			t[1][1].tab = i == 0 ? f.gt : f.kt;
			bn_to_limbs(t[1][1].k, e[k]);
			check_comb(&f, 2,
			    (const struct p256_comb_term(*)[2])t, 0);
		}
	}
	/* 2^k and 2^k - 1 on G, one at a time */
	for (i = 1; i < 256; i += 5) {
		BN_zero(v);
		ck_assert(BN_set_bit(v, (int)i) == 1);
		memset(t, 0, sizeof(t));
		t[0][0].tab = f.gt;
		bn_to_limbs(t[0][0].k, v);
		check_comb(&f, 1, (const struct p256_comb_term(*)[2])t, 0);
		ck_assert(BN_sub_word(v, 1) == 1);
		bn_to_limbs(t[0][0].k, v);
		check_comb(&f, 1, (const struct p256_comb_term(*)[2])t, 0);
	}
	/* zero alone: infinity; q alone: its digits sum to infinity, which
	 * the last affine addition cannot give (exceptional) */
	memset(t, 0, sizeof(t));
	t[0][0].tab = f.kt;
	check_comb(&f, 1, (const struct p256_comb_term(*)[2])t,
	    TALLY_ERR_BAD_POINT);
	bn_to_limbs(t[0][0].k, q);
	check_comb(&f, 1, (const struct p256_comb_term(*)[2])t,
	    P256_COMB_EXCEPTIONAL);
	/* zero beside a term, and a small second term of 0 and of 16 */
	memset(t, 0, sizeof(t));
	t[0][0].tab = f.kt;
	t[0][1].tab = f.gt;
	random_scalar(v, t[0][1].k, 256);
	t[1][0].tab = f.kt;
	random_scalar(v, t[1][0].k, 256);
	t[1][1].tab = f.gt;
	t[1][1].small = 1;
	check_comb(&f, 2, (const struct p256_comb_term(*)[2])t, 0);
	t[1][1].k[0] = 16;
	check_comb(&f, 2, (const struct p256_comb_term(*)[2])t, 0);
	/* no first table */
	t[0][0].tab = NULL;
	check_comb(&f, 2, (const struct p256_comb_term(*)[2])t,
	    TALLY_ERR_INVALID_ARG);
	for (k = 0; k < ne; k++)
		BN_free(e[k]);
	BN_free(v);
	comb_fx_free(&f);
}
END_TEST

/* Terms that meet in the final addition: s G + s G (equal points) and
 * s G + (q - s) G (opposite points, infinity) are the exceptional case:
 * P256_COMB_EXCEPTIONAL and nothing else, whatever else is in the batch. */
START_TEST(test_comb_exceptional)
{
	const BIGNUM *q = group_order();
	struct comb_fx f;
	struct p256_comb_term t[3][2];
	BIGNUM *s = BN_new(), *v = BN_new();

	comb_fx_new(&f);
	memset(t, 0, sizeof(t));
	random_scalar(s, t[0][0].k, 256);
	ck_assert(BN_nnmod(s, s, q, group_bn_ctx()) == 1);
	t[0][0].tab = f.gt;
	t[1][0].tab = f.kt;
	random_scalar(v, t[1][0].k, 256);
	t[2][0].tab = f.gt;
	bn_to_limbs(t[2][0].k, s);
	t[2][1].tab = f.gt;
	bn_to_limbs(t[2][1].k, s);
	check_comb(&f, 3, (const struct p256_comb_term(*)[2])t,
	    P256_COMB_EXCEPTIONAL);
	ck_assert(BN_sub(v, q, s) == 1);
	bn_to_limbs(t[2][1].k, v);
	check_comb(&f, 3, (const struct p256_comb_term(*)[2])t,
	    P256_COMB_EXCEPTIONAL);
	/* and the same K and scalar from the cache: one table per base */
	{
		uint8_t enc[33];
		const struct p256_comb *c1, *c2;

		ck_assert_int_eq(group_point_encode(enc, f.K), 0);
		ck_assert((c1 = p256_comb_cached(enc)) != NULL);
		ck_assert((c2 = p256_comb_cached(enc)) == c1);
		enc[0] ^= 0x07; /* not a point encoding */
		ck_assert(p256_comb_cached(enc) == NULL);
	}
	BN_free(s);
	BN_free(v);
	comb_fx_free(&f);
}
END_TEST

static const uint8_t p_be[32] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff};

START_TEST(test_decode_and_convert)
{
	EC_POINT *P = group_point_new(), *Q = group_point_new();
	struct p256_affine a, b;
	struct p256_jacobian j;
	uint8_t enc[33], x[32], y[32], rnd[33];
	uint64_t s[4] = {1, 0, 0, 0};
	int i, ok, ours;

	for (i = 0; i < 200; i++) {
		random_point(P, &a);
		ck_assert_int_eq(group_point_encode(enc, P), 0);
		ck_assert_int_eq(p256_decode(&b, enc), 0);
		ck_assert_mem_eq(&a, &b, sizeof(a));
		p256_encode(rnd, &a);
		ck_assert_mem_eq(rnd, enc, 33);
		ck_assert_int_eq(p256_msm(&j, 1, &b, (const uint64_t(*)[4])&s),
		    0);
		ck_assert(p256_equal_affine(&j, &a));
		ck_assert_int_eq(p256_to_ec(Q, &j), 0);
		ck_assert(group_point_equal(P, Q));
		p256_affine_coords(&b, x, y);
		ck_assert_mem_eq(x, enc + 1, 32);
		ck_assert_int_eq(y[31] & 1, enc[0] == 0x03);
	}
	/* random strings: decoded by us exactly when by group_point_decode */
	for (i = 0; i < 400; i++) {
		ck_assert(RAND_bytes(rnd, sizeof(rnd)) == 1);
		rnd[0] = (uint8_t)(2 + (rnd[0] & 1));
		ok = group_point_decode(P, rnd, sizeof(rnd)) == 0;
		ours = p256_decode(&a, rnd);
		ck_assert_int_eq(ours, ok ? 0 : TALLY_ERR_BAD_POINT);
	}
	/* x = p, x = p + 1 and x = 2^256 - 1: not canonical */
	enc[0] = 0x02;
	memcpy(enc + 1, p_be, 32);
	ck_assert_int_eq(p256_decode(&a, enc), TALLY_ERR_BAD_POINT);
	memset(enc + 21, 0, 12);
	enc[20] = 0x01; /* p + 1 */
	ck_assert_int_eq(p256_decode(&a, enc), TALLY_ERR_BAD_POINT);
	enc[0] = 0x03;
	memset(enc + 1, 0xff, 32);
	ck_assert_int_eq(p256_decode(&a, enc), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(group_point_encode(enc, P), 0);
	enc[0] = 0x04;
	ck_assert_int_eq(p256_decode(&a, enc), TALLY_ERR_BAD_POINT);
	enc[0] = 0x00;
	ck_assert_int_eq(p256_decode(&a, enc), TALLY_ERR_BAD_POINT);
	/* the point at infinity is no input */
	ck_assert(EC_POINT_set_to_infinity(group_ec(), P) == 1);
	ck_assert_int_eq(p256_from_ec(&a, P), TALLY_ERR_BAD_POINT);
	p256_generator(&a);
	ck_assert_int_eq(p256_from_ec(&b, group_generator()), 0);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	group_point_free(P);
	group_point_free(Q);
}
END_TEST

/* p256_sqrt8 (when the processor has it) against fe_sqrt_candidate, for
 * every group size 1..16 (one register or two): random elements (half of them not squares),
 * 0, 1, p - 1, p - 2, and elements with all-ones or zero limbs. */
START_TEST(test_sqrt8)
{
	uint64_t a[16][4], r[16][4], l[4];
	fe m, y;
	int i, k, n;

	if (!p256_sqrt8_available()) {
		/* said, so that a pass here is not mistaken for a check */
		fprintf(stderr, "test_sqrt8: skipped: no AVX-512 IFMA here (or "
		    "check_p256_noifma); the fe.h path is what runs\n");
		return;
	}
	for (i = 0; i < 400; i++) {
		n = 1 + i % 16;
		ck_assert(RAND_bytes((uint8_t *)a, sizeof(a)) == 1);
		for (k = 0; k < 16; k++) {
			switch ((i + k) % 11) {
			case 1:
				memset(a[k], 0, sizeof(a[k]));
				break;
			case 2:
				memset(a[k], 0, sizeof(a[k]));
				a[k][0] = 1;
				break;
			case 3:
			case 4:
				memcpy(a[k], fe_p, sizeof(a[k]));
				a[k][0] -= (uint64_t)((i + k) % 11 - 2);
				break;
			case 5:
				a[k][0] = a[k][2] = ~(uint64_t)0;
				break;
			case 6:
				a[k][1] = a[k][2] = 0;
				break;
			}
			while (!fe_is_canonical(a[k]))
				a[k][3] >>= 1;
		}
		memset(r, 0xa5, sizeof(r));
		p256_sqrt8(r, (const uint64_t(*)[4])a, (size_t)n);
		for (k = 0; k < 16; k++) {
			if (k >= n) {
				/* lanes past n are not written */
				ck_assert_uint_eq(r[k][0], 0xa5a5a5a5a5a5a5a5ULL);
				continue;
			}
			fe_to_mont(m, a[k]);
			fe_sqrt_candidate(y, m);
			fe_from_mont(l, y);
			ck_assert_mem_eq(r[k], l, sizeof(l));
		}
	}
}
END_TEST

/* p256_decode_batch decides every point as p256_decode, in groups of every
 * size, with valid points, random strings (half of them no point), x >= p
 * and wrong prefixes among them. */
START_TEST(test_decode_batch)
{
	EC_POINT *P = group_point_new();
	struct p256_affine one[20], many[20];
	uint8_t enc[20][33];
	int i, k, n, want, got;

	for (i = 0; i < 300; i++) {
		n = 1 + i % 20;
		for (k = 0; k < n; k++) {
			random_point(P, &one[0]);
			ck_assert_int_eq(group_point_encode(enc[k], P), 0);
		}
		/* one in three batches has a bad entry somewhere */
		if (i % 3 == 1) {
			k = (i / 3) % n;
			switch ((i / 3) % 4) {
			case 0:
				ck_assert(RAND_bytes(enc[k] + 1, 32) == 1);
				break;
			case 1:
				memcpy(enc[k] + 1, p_be, 32);
				break;
			case 2:
				enc[k][0] = 0x04;
				break;
			case 3:
				memset(enc[k] + 1, 0xff, 32);
				break;
			}
		}
		want = 0;
		for (k = 0; k < n; k++)
			if ((got = p256_decode(&one[k], enc[k])) != 0)
				want = got;
		got = p256_decode_batch(many, (const uint8_t(*)[33])enc,
		    (size_t)n);
		ck_assert_int_eq(got, want);
		if (want == 0)
			ck_assert_mem_eq(one, many, (size_t)n * sizeof(one[0]));
	}
	group_point_free(P);
}
END_TEST

/* p256_from_ec agrees with p256_decode of the point's encoding whether
 * OpenSSL holds it with Z = 1 (decoded, set from coordinates) or not (a
 * product, a sum, a doubling). */
START_TEST(test_from_ec_any_z)
{
	EC_POINT *P = group_point_new(), *Q = group_point_new();
	struct p256_affine a, b;
	uint8_t enc[33];
	int i;

	for (i = 0; i < 24; i++) {
		random_point(P, &a);
		if (i % 4 == 1)
			ck_assert_int_eq(group_add(P, P, P), 0);
		if (i % 4 == 2) {
			random_point(Q, &a);
			ck_assert_int_eq(group_add(P, P, Q), 0);
		}
		ck_assert_int_eq(group_point_encode(enc, P), 0);
		if (i % 4 == 3)
			ck_assert_int_eq(group_point_decode(P, enc, 33), 0);
		ck_assert_int_eq(p256_from_ec(&a, P), 0);
		ck_assert_int_eq(p256_decode(&b, enc), 0);
		ck_assert_mem_eq(&a, &b, sizeof(a));
	}
	group_point_free(P);
	group_point_free(Q);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("p256");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_field);
	tcase_add_test(tc, test_decode_and_convert);
	tcase_add_test(tc, test_msm_random);
	tcase_add_test(tc, test_msm_large);
	tcase_add_test(tc, test_msm_edge_scalars);
	tcase_add_test(tc, test_msm_repeated_and_cancelling);
	tcase_add_test(tc, test_field_add_sub);
	tcase_add_test(tc, test_scalar_arith);
	tcase_add_test(tc, test_sqrt8);
	tcase_add_test(tc, test_decode_batch);
	tcase_add_test(tc, test_comb_random);
	tcase_add_test(tc, test_comb_edge_scalars);
	tcase_add_test(tc, test_comb_exceptional);
	tcase_add_test(tc, test_from_ec_any_z);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
