/* benchutil.c: the clock, check and EC_POINT_mul yardstick of bench/. */
#include "benchutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "group.h"

double
bench_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
bench_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "%s: %s failed\n",
		    program_invocation_short_name, what);
		exit(1);
	}
}

double
bench_muls(size_t n, clockid_t id)
{
	EC_POINT *p = group_point_new(), *r = group_point_new();
	BIGNUM *k = group_scalar_new();
	double t0;
	size_t i;

	bench_check(p != NULL && r != NULL && k != NULL &&
	    group_scalar_random(k) == 0 && group_mul_g(p, k) == 0, "setup");
	t0 = bench_clock(id);
	for (i = 0; i < n; i++) {
		bench_check(EC_POINT_mul(group_ec(), r, NULL, p, k,
			  group_bn_ctx()) == 1, "EC_POINT_mul");
		/* the next point and scalar depend on this result */
		bench_check(group_point_copy(p, r) == 0, "copy");
		bench_check(BN_add_word(k, 1) == 1, "BN_add_word");
	}
	t0 = bench_clock(id) - t0;
	group_point_free(p);
	group_point_free(r);
	group_scalar_free(k);
	return t0;
}
