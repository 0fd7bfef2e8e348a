/*
 * bench_proof.c: on one thread, OpenSSL's P-256 variable-base scalar
 * multiplications per second against this project's proof verifications
 * per second (one by one and batched), and their ratios.
 *
 *   bench_proof [batch size, default 1000] [rounds, default 3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "benchutil.h"
#include "elgamal.h"
#include "err.h"
#include "group.h"
#include "proof.h"

/* CPU time of this thread: the cores are shared with other programs, and
 * time spent waiting for a core is no cost of the code measured. */
static double
now(void)
{
	return bench_clock(CLOCK_THREAD_CPUTIME_ID);
}

/* EC_POINT_mul with a random point and a random scalar, per second. */
static double
bench_mul(int n)
{
	return n / bench_muls((size_t)n, CLOCK_THREAD_CPUTIME_ID);
}

struct set {
	size_t n;
	uint32_t L;
	Tally__RangeProof *p;
	struct elgamal_ct *ct;
	struct proof_bind *bind;
};

static uint8_t eh[32], subj[32];

static void
set_make(struct set *s, EC_POINT *K, size_t n, uint32_t L)
{
	BIGNUM *r = group_scalar_new();
	size_t i;

	s->n = n;
	s->L = L;
	s->p = calloc(n, sizeof(*s->p));
	s->ct = calloc(n, sizeof(*s->ct));
	s->bind = calloc(n, sizeof(*s->bind));
	bench_check(r && s->p && s->ct && s->bind, "calloc");
	for (i = 0; i < n; i++) {
		struct proof_bind b = {eh, subj, sizeof(subj), PROOF_SELECTION,
		    0, (uint32_t)i};

		s->bind[i] = b;
		bench_check(elgamal_ct_init(&s->ct[i]) == 0 &&
		    elgamal_encrypt(&s->ct[i], r, K, i % (L + 1)) == 0,
		    "encrypt");
		bench_check(range_proof_prove(&s->p[i], K, &s->ct[i],
		    i % (L + 1), r, L, &s->bind[i]) == 0, "prove");
	}
	group_scalar_free(r);
}

static void
set_free(struct set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		range_proof_clear(&s->p[i]);
		elgamal_ct_clear(&s->ct[i]);
	}
	free(s->p);
	free(s->ct);
	free(s->bind);
}

static double
bench_single(const struct set *s, const EC_POINT *K)
{
	double t0 = now();
	size_t i;

	for (i = 0; i < s->n; i++)
		bench_check(range_proof_verify(&s->p[i], K, &s->ct[i], s->L,
		    &s->bind[i]) == 0, "range_proof_verify");
	return s->n / (now() - t0);
}

/* Also report the split between decoding + hashing + accumulating
 * (add) and the one multi-scalar multiplication (verify). */
static double
bench_batch(const struct set *s, const EC_POINT *K)
{
	struct proof_batch *b;
	double t0 = now(), t1, t2;
	size_t i;

	bench_check(proof_batch_new(&b) == 0, "proof_batch_new");
	for (i = 0; i < s->n; i++)
		bench_check(proof_batch_add_range(b, &s->p[i], K, &s->ct[i],
		    s->L, &s->bind[i]) == 0, "proof_batch_add_range");
	t1 = now();
	bench_check(proof_batch_verify(b) == 0, "proof_batch_verify");
	t2 = now();
	proof_batch_free(b);
	printf("  (L=%2u batch of %zu: add %.0f us/proof, msm %.0f us/proof)\n",
	    s->L, s->n, (t1 - t0) * 1e6 / s->n, (t2 - t1) * 1e6 / s->n);
	return s->n / (t2 - t0);
}

/* The median of n values (n <= 16). */
static double
median(const double *v, int n)
{
	double t[16], x;
	int i, j;

	for (i = 0; i < n; i++)
		t[i] = v[i];
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && t[j - 1] > t[j]; j--) {
			x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/*
 * Other programs share the cores, so one figure taken early and one late
 * in a run may see different loads: each round measures EC_POINT_mul just
 * before and just after each verification figure, and the ratio reported
 * is the median over the rounds of figure / (mean of the two).
 */
enum { F_ONE, F_BAT, F_ONE10, F_BAT10, NFIG };

static void
print_fig(const char *what, size_t n, const double *rate,
    const double *ratio, int rounds, const char *goal)
{
	printf("%-28s (%5zu): %8.0f /s  ratio %.3f%s\n", what, n,
	    median(rate, rounds), median(ratio, rounds), goal);
}

int
main(int argc, char **argv)
{
	size_t nb = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	int rounds = argc > 2 ? atoi(argv[2]) : 3, r, f;
	struct set s01, s10;
	BIGNUM *sk = group_scalar_new();
	EC_POINT *K = group_point_new();
	double mul[16], rate[NFIG][16], ratio[NFIG][16], m0, m1, x;

	bench_check(nb > 0 && rounds > 0 && rounds <= 16 &&
	    group_scalar_random(sk) == 0 && group_mul_g(K, sk) == 0, "setup");
	set_make(&s01, K, nb, 1);
	set_make(&s10, K, nb / 10 ? nb / 10 : 1, 10);
	for (r = 0; r < rounds; r++) {
		m0 = bench_mul(2000);
		for (f = 0; f < NFIG; f++) {
			if (f == F_ONE)
				x = bench_single(&s01, K);
			else if (f == F_BAT)
				x = bench_batch(&s01, K);
			else if (f == F_ONE10)
				x = bench_single(&s10, K);
			else
				x = bench_batch(&s10, K);
			m1 = bench_mul(2000);
			rate[f][r] = x;
			ratio[f][r] = x / ((m0 + m1) / 2);
			m0 = m1;
		}
		mul[r] = m0;
	}
	printf("%d rounds, medians; ratio = figure / EC_POINT_mul in the "
	    "same round\n", rounds);
	printf("%-28s        : %8.0f /s\n", "P-256 EC_POINT_mul",
	    median(mul, rounds));
	print_fig("0/1 proofs, one by one", s01.n, rate[F_ONE], ratio[F_ONE],
	    rounds, "");
	print_fig("0/1 proofs, batched", s01.n, rate[F_BAT], ratio[F_BAT],
	    rounds, "  (goal >= 0.45)");
	print_fig("L=10 range proofs, one by one", s10.n, rate[F_ONE10],
	    ratio[F_ONE10], rounds, "");
	print_fig("L=10 range proofs, batched", s10.n, rate[F_BAT10],
	    ratio[F_BAT10], rounds, "  (goal >= 0.10)");
	set_free(&s01);
	set_free(&s10);
	group_scalar_free(sk);
	group_point_free(K);
	return 0;
}
