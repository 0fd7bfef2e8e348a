/* check_elgamal.c: exponential ElGamal, its encoding, and the bounded
 * discrete logarithm. */
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "dlog.h"
#include "elgamal.h"
#include "err.h"
#include "group.h"
#include "testutil.h"

struct keypair {
	BIGNUM *s;
	EC_POINT *K;
};

static void
keypair_new(struct keypair *kp)
{
	kp->s = group_scalar_new();
	kp->K = group_point_new();
	ck_assert_int_eq(group_scalar_random(kp->s), 0);
	ck_assert_int_eq(group_mul_g(kp->K, kp->s), 0);
}

static void
keypair_free(struct keypair *kp)
{
	group_scalar_free(kp->s);
	group_point_free(kp->K);
}

/* Decrypt c with s and check the plaintext point is mG. */
static void
assert_decrypts_to(const struct elgamal_ct *c, const BIGNUM *s, uint64_t m)
{
	EC_POINT *mg = group_point_new(), *want = group_point_new();

	ck_assert_int_eq(elgamal_decrypt_point(mg, c, s), 0);
	ck_assert_int_eq(group_mul_g_u64(want, m), 0);
	ck_assert(group_point_equal(mg, want));
	group_point_free(mg);
	group_point_free(want);
}

START_TEST(test_encrypt_decrypt)
{
	struct keypair kp;
	struct elgamal_ct c;
	BIGNUM *r = group_scalar_new(), *r2 = group_scalar_new();
	EC_POINT *ra = group_point_new();
	uint64_t ms[] = {0, 1, 2, 7, 1000000};
	size_t i;

	keypair_new(&kp);
	ck_assert_int_eq(elgamal_ct_init(&c), 0);
	ck_assert(group_point_is_infinity(c.a));
	ck_assert(group_point_is_infinity(c.b));
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		ck_assert_int_eq(elgamal_encrypt(&c, r, kp.K, ms[i]), 0);
		/* a = rG with the r handed back. */
		ck_assert_int_eq(group_mul_g(ra, r), 0);
		ck_assert(group_point_equal(ra, c.a));
		assert_decrypts_to(&c, kp.s, ms[i]);
		/* Fresh randomness every time. */
		ck_assert_int_eq(elgamal_encrypt(&c, r2, kp.K, ms[i]), 0);
		ck_assert(BN_cmp(r, r2) != 0);
	}
	/* The point at infinity is no public key. */
	ck_assert(EC_POINT_set_to_infinity(group_ec(), ra) == 1);
	ck_assert_int_eq(elgamal_encrypt(&c, r, ra, 1), TALLY_ERR_INVALID_ARG);
	elgamal_ct_clear(&c);
	elgamal_ct_clear(&c); /* idempotent */
	elgamal_ct_clear(NULL);
	group_scalar_free(r);
	group_scalar_free(r2);
	group_point_free(ra);
	keypair_free(&kp);
}
END_TEST

START_TEST(test_homomorphic_sum)
{
	struct keypair kp;
	struct elgamal_ct sum, c, copy;
	BIGNUM *r = group_scalar_new();
	struct dlog_table *t;
	uint64_t total = 0, got;
	uint8_t byte;
	int i;

	keypair_new(&kp);
	ck_assert_int_eq(dlog_table_new(&t, 100000), 0);
	ck_assert_int_eq(elgamal_ct_init(&sum), 0);
	ck_assert_int_eq(elgamal_ct_init(&c), 0);
	ck_assert_int_eq(elgamal_ct_init(&copy), 0);
	for (i = 0; i < 300; i++) {
		ck_assert(RAND_bytes(&byte, 1) == 1);
		ck_assert_int_eq(elgamal_encrypt(&c, r, kp.K, byte), 0);
		/* out aliases x */
		ck_assert_int_eq(elgamal_add(&sum, &sum, &c), 0);
		total += byte;
	}
	assert_decrypts_to(&sum, kp.s, total);
	ck_assert_int_eq(elgamal_ct_copy(&copy, &sum), 0);
	ck_assert_int_eq(elgamal_add(&copy, &c, &copy), 0); /* aliases y */
	assert_decrypts_to(&copy, kp.s, total + byte);
	{
		EC_POINT *mg = group_point_new();

		ck_assert_int_eq(elgamal_decrypt_point(mg, &sum, kp.s), 0);
		ck_assert_int_eq(dlog_solve(t, mg, &got), 0);
		ck_assert_uint_eq(got, total);
		group_point_free(mg);
	}
	dlog_table_free(t);
	elgamal_ct_clear(&sum);
	elgamal_ct_clear(&c);
	elgamal_ct_clear(&copy);
	group_scalar_free(r);
	keypair_free(&kp);
}
END_TEST

START_TEST(test_ct_codec)
{
	struct keypair kp;
	struct elgamal_ct c, d;
	BIGNUM *r = group_scalar_new();
	uint8_t a[34], b[34], bad[33];

	keypair_new(&kp);
	ck_assert_int_eq(elgamal_ct_init(&c), 0);
	ck_assert_int_eq(elgamal_ct_init(&d), 0);
	/* Infinity has no encoding. */
	ck_assert_int_eq(elgamal_ct_encode(a, b, &c), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(elgamal_encrypt(&c, r, kp.K, 5), 0);
	ck_assert_int_eq(elgamal_ct_encode(a, b, &c), 0);
	ck_assert_int_eq(elgamal_ct_decode(&d, a, 33, b, 33), 0);
	ck_assert(group_point_equal(c.a, d.a));
	ck_assert(group_point_equal(c.b, d.b));
	/* truncated, oversized (trailing byte), empty, NULL */
	ck_assert_int_eq(elgamal_ct_decode(&d, a, 32, b, 33), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(elgamal_ct_decode(&d, a, 33, b, 32), TALLY_ERR_BAD_POINT);
	a[33] = 0;
	b[33] = 0;
	ck_assert_int_eq(elgamal_ct_decode(&d, a, 34, b, 33), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(elgamal_ct_decode(&d, a, 33, b, 34), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(elgamal_ct_decode(&d, a, 0, b, 33), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(elgamal_ct_decode(&d, NULL, 33, b, 33), TALLY_ERR_BAD_POINT);
	/* bad points: uncompressed tag, x with no square root, x = p */
	memcpy(bad, b, 33);
	bad[0] = 0x04;
	ck_assert_int_eq(elgamal_ct_decode(&d, a, 33, bad, 33), TALLY_ERR_BAD_POINT);
	/* About half of all x are off the curve: find one by the raw
	 * OpenSSL decoder, then expect the strict decoder to refuse it. */
	memset(bad, 0, sizeof(bad));
	bad[0] = 0x02;
	for (bad[32] = 1; bad[32] < 64; bad[32]++)
		if (EC_POINT_oct2point(group_ec(), d.a, bad, 33, NULL) != 1)
			break;
	ck_assert_uint_lt(bad[32], 64);
	ck_assert_int_eq(elgamal_ct_decode(&d, bad, 33, b, 33), TALLY_ERR_BAD_POINT);
	memset(bad, 0xff, sizeof(bad));
	bad[0] = 0x03;
	ck_assert_int_eq(elgamal_ct_decode(&d, bad, 33, b, 33), TALLY_ERR_BAD_POINT);
	elgamal_ct_clear(&c);
	elgamal_ct_clear(&d);
	group_scalar_free(r);
	keypair_free(&kp);
}
END_TEST

static void
assert_dlog(const struct dlog_table *t, uint64_t m, int want)
{
	EC_POINT *p = group_point_new();
	uint64_t got = 12345;

	ck_assert_int_eq(group_mul_g_u64(p, m), 0);
	ck_assert_int_eq(dlog_solve(t, p, &got), want);
	if (want == 0)
		ck_assert_uint_eq(got, m);
	group_point_free(p);
}

/* Every value of a small range: covers every offset of the giant stride,
 * its multiples (the point at infinity inside a batch) and both signs. */
START_TEST(test_dlog_exhaustive)
{
	struct dlog_table *t;
	uint64_t maxes[] = {0, 1, 2, 3, 10, 1000}, m, i;

	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		ck_assert_int_eq(dlog_table_new(&t, maxes[i]), 0);
		for (m = 0; m <= maxes[i]; m++)
			assert_dlog(t, m, 0);
		assert_dlog(t, maxes[i] + 1, TALLY_ERR_DLOG_RANGE);
		assert_dlog(t, maxes[i] + 2, TALLY_ERR_DLOG_RANGE);
		assert_dlog(t, maxes[i] + 100000, TALLY_ERR_DLOG_RANGE);
		dlog_table_free(t);
	}
}
END_TEST

/* -1, -j and other "negative" values are q - j: out of range. */
START_TEST(test_dlog_negative)
{
	struct dlog_table *t;
	EC_POINT *p = group_point_new();
	uint64_t got, j;

	ck_assert_int_eq(dlog_table_new(&t, 1000), 0);
	for (j = 1; j < 100; j++) {
		ck_assert_int_eq(group_mul_g_u64(p, j), 0);
		ck_assert(EC_POINT_invert(group_ec(), p, group_bn_ctx()) == 1);
		ck_assert_int_eq(dlog_solve(t, p, &got), TALLY_ERR_DLOG_RANGE);
	}
	/* A random point. */
	{
		BIGNUM *k = group_scalar_new();

		ck_assert_int_eq(group_scalar_random(k), 0);
		ck_assert_int_eq(group_mul_g(p, k), 0);
		ck_assert_int_eq(dlog_solve(t, p, &got), TALLY_ERR_DLOG_RANGE);
		group_scalar_free(k);
	}
	dlog_table_free(t);
	group_point_free(p);
}
END_TEST

START_TEST(test_dlog_large)
{
	const uint64_t max = 10000000;
	struct dlog_table *t;
	struct timespec t0, t1;
	uint64_t vals[] = {0, 1, 2, max, max - 1, max - 12345, 9999001,
	    5000000, 4472, 4473, 4471};
	uint32_t rnd;
	double secs;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(dlog_table_new(&t, max), 0);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
		assert_dlog(t, vals[i], 0);
	for (i = 0; i < 10; i++) {
		ck_assert(RAND_bytes((uint8_t *)&rnd, sizeof(rnd)) == 1);
		assert_dlog(t, rnd % (max + 1), 0);
	}
	assert_dlog(t, max + 1, TALLY_ERR_DLOG_RANGE);
	assert_dlog(t, 2 * max, TALLY_ERR_DLOG_RANGE);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* build + 23 solves; generous for a shared, sanitized machine */
	ck_assert_msg(secs < 30, "dlog for 10^7 took %.1f s", secs);
	dlog_table_free(t);
}
END_TEST

static Suite *
elgamal_suite(void)
{
	Suite *s = suite_create("elgamal");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_encrypt_decrypt);
	tcase_add_test(tc, test_homomorphic_sum);
	tcase_add_test(tc, test_ct_codec);
	tcase_add_test(tc, test_dlog_exhaustive);
	tcase_add_test(tc, test_dlog_negative);
	tcase_add_test(tc, test_dlog_large);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(elgamal_suite());
}
