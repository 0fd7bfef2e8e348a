/* check_dlog.c: the bounded discrete logarithm: every value of a small
 * range, both edges of larger ones, what lies outside (max + 1, negative
 * values, unrelated points), bad bounds, and one table shared by threads. */
#include <pthread.h>
#include <stdint.h>

#include "dlog.h"
#include "err.h"
#include "group.h"
#include "testutil.h"

static int
solve_u64(const struct dlog_table *t, uint64_t v, uint64_t *m)
{
	EC_POINT *P = group_point_new();
	int ret;

	ck_assert_ptr_nonnull(P);
	ck_assert_int_eq(group_mul_g_u64(P, v), 0);
	ret = dlog_solve(t, P, m);
	group_point_free(P);
	return ret;
}

/* -v G: q - v as a scalar. */
static int
solve_neg(const struct dlog_table *t, uint64_t v, uint64_t *m)
{
	BIGNUM *s = group_scalar_new(), *z = group_scalar_new();
	EC_POINT *P = group_point_new();
	int ret;

	ck_assert_int_eq(group_scalar_set_u64(s, v), 0);
	ck_assert_int_eq(group_scalar_set_u64(z, 0), 0);
	ck_assert_int_eq(group_scalar_sub(s, z, s), 0);
	ck_assert_int_eq(group_mul_g(P, s), 0);
	ret = dlog_solve(t, P, m);
	group_point_free(P);
	group_scalar_free(s);
	group_scalar_free(z);
	return ret;
}

START_TEST(test_every_small_value)
{
	uint64_t maxes[] = {0, 1, 2, 3, 7, 100, 1000}, v, m;
	struct dlog_table *t;
	size_t i;

	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		ck_assert_int_eq(dlog_table_new(&t, maxes[i]), 0);
		for (v = 0; v <= maxes[i]; v++) {
			m = UINT64_MAX;
			ck_assert_int_eq(solve_u64(t, v, &m), 0);
			ck_assert_uint_eq(m, v);
		}
		/* just outside, both sides */
		ck_assert_int_eq(solve_u64(t, maxes[i] + 1, &m),
		    TALLY_ERR_DLOG_RANGE);
		ck_assert_int_eq(solve_neg(t, 1, &m), TALLY_ERR_DLOG_RANGE);
		ck_assert_int_eq(solve_neg(t, maxes[i], &m),
		    maxes[i] == 0 ? 0 : TALLY_ERR_DLOG_RANGE);
		dlog_table_free(t);
	}
	dlog_table_free(NULL);
}
END_TEST

START_TEST(test_large_range_edges)
{
	/* 1224 baby steps, giant stride 2449: values around both. */
	uint64_t max = 3000000, probes[] = {0, 1, 2, 1223, 1224, 1225, 2448,
	    2449, 2450, 3673, 3674, 999999, 2999999, 3000000}, m;
	struct dlog_table *t;
	size_t i;

	ck_assert_int_eq(dlog_table_new(&t, max), 0);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		ck_assert_int_eq(solve_u64(t, probes[i], &m), 0);
		ck_assert_uint_eq(m, probes[i]);
	}
	ck_assert_int_eq(solve_u64(t, max + 1, &m), TALLY_ERR_DLOG_RANGE);
	ck_assert_int_eq(solve_u64(t, max + 2000, &m), TALLY_ERR_DLOG_RANGE);
	ck_assert_int_eq(solve_u64(t, UINT64_MAX, &m), TALLY_ERR_DLOG_RANGE);
	ck_assert_int_eq(solve_neg(t, 5, &m), TALLY_ERR_DLOG_RANGE);
	dlog_table_free(t);
}
END_TEST

/* A point that is no small multiple of G (a random one) is out of range. */
START_TEST(test_unrelated_point)
{
	struct dlog_table *t;
	BIGNUM *k = group_scalar_new();
	EC_POINT *P = group_point_new();
	uint64_t m = 7;
	int i;

	ck_assert_int_eq(dlog_table_new(&t, 5000), 0);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(group_scalar_random(k), 0);
		ck_assert_int_eq(group_mul_g(P, k), 0);
		ck_assert_int_eq(dlog_solve(t, P, &m), TALLY_ERR_DLOG_RANGE);
	}
	dlog_table_free(t);
	group_point_free(P);
	group_scalar_free(k);
}
END_TEST

START_TEST(test_bad_bounds)
{
	struct dlog_table *t = (struct dlog_table *)&t;

	/* A table past 2^40 would not fit in memory: refused up front. */
	ck_assert_int_eq(dlog_table_new(&t, UINT64_MAX), TALLY_ERR_INVALID_ARG);
	ck_assert_ptr_null(t);
	t = (struct dlog_table *)&t;
	ck_assert_int_eq(dlog_table_new(&t, (1ULL << 40) + 1),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_ptr_null(t);
}
END_TEST

struct solver {
	const struct dlog_table *t;
	uint64_t first;
	int bad;
};

static void *
solver_run(void *arg)
{
	struct solver *s = arg;
	uint64_t v, m;

	for (v = s->first; v < 20000; v += 97)
		if (solve_u64(s->t, v, &m) != 0 || m != v)
			s->bad++;
	return NULL;
}

/* The header promises a table is read-only once built (also a target of
 * the ThreadSanitizer run). */
START_TEST(test_shared_by_threads)
{
	struct dlog_table *t;
	struct solver s[4];
	pthread_t th[4];
	int i;

	ck_assert_int_eq(dlog_table_new(&t, 20000), 0);
	for (i = 0; i < 4; i++) {
		s[i] = (struct solver){t, (uint64_t)i * 13, 0};
		ck_assert_int_eq(pthread_create(&th[i], NULL, solver_run,
		    &s[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_int_eq(s[i].bad, 0);
	}
	dlog_table_free(t);
}
END_TEST

static Suite *
dlog_suite(void)
{
	Suite *s = suite_create("dlog");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_small_value);
	tcase_add_test(tc, test_large_range_edges);
	tcase_add_test(tc, test_unrelated_point);
	tcase_add_test(tc, test_bad_bounds);
	tcase_add_test(tc, test_shared_by_threads);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(dlog_suite());
}
