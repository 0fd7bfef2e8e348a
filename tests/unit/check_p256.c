/* check_p256.c: lib/p256 (variable-time verification arithmetic) against
 * OpenSSL: decoding, conversions, and the multi-scalar multiplication on
 * random inputs and on its edge cases. */
#include <string.h>

#include <openssl/rand.h>

#include "err.h"
#include "group.h"
#include "p256/fe.h"
#include "p256/p256.h"
#include "testutil.h"

/* Every method: Straus, Pippenger at a few windows, and the automatic
 * choice (-1). */
static const int methods[] = {-1, 0, 2, 3, 5, 8, 11};
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
					     (unsigned int)methods[m]), 0);
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
	for (i = 0; i < 3000; i++) {
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
		/* reduce below p as the field code assumes */
		while (!fe_is_canonical(a))
			a[3] >>= 1;
		while (!fe_is_canonical(b))
			b[3] >>= 1;
		fe_sqr(q, a);
		fe_mul(m, a, a);
		ck_assert_mem_eq(q, m, sizeof(q));
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
	suite_add_tcase(s, tc);
	return tu_run(s);
}
