/*
 * bench_proof.c: on one thread, OpenSSL's P-256 variable-base scalar
 * multiplications per second against this project's proof verifications
 * per second (one by one and batched), and their ratios.
 *
 *   bench_proof [batch size, default 1000]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "elgamal.h"
#include "err.h"
#include "group.h"
#include "proof.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "bench_proof: %s failed\n", what);
		exit(1);
	}
}

/* EC_POINT_mul with a random point and a random scalar. */
static double
bench_mul(int n)
{
	EC_POINT *p = group_point_new(), *r = group_point_new();
	BIGNUM *k = group_scalar_new();
	double t0, t;
	int i;

	check(group_scalar_random(k) == 0 && group_mul_g(p, k) == 0, "setup");
	t0 = now();
	for (i = 0; i < n; i++) {
		check(EC_POINT_mul(group_ec(), r, NULL, p, k,
			  group_bn_ctx()) == 1, "EC_POINT_mul");
		/* the next point and scalar depend on this result */
		check(group_point_copy(p, r) == 0, "copy");
		check(BN_add_word(k, 1) == 1, "BN_add_word");
	}
	t = now() - t0;
	group_point_free(p);
	group_point_free(r);
	group_scalar_free(k);
	return n / t;
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
	check(r && s->p && s->ct && s->bind, "calloc");
	for (i = 0; i < n; i++) {
		struct proof_bind b = {eh, subj, sizeof(subj), PROOF_SELECTION,
		    0, (uint32_t)i};

		s->bind[i] = b;
		check(elgamal_ct_init(&s->ct[i]) == 0 &&
		    elgamal_encrypt(&s->ct[i], r, K, i % (L + 1)) == 0,
		    "encrypt");
		check(range_proof_prove(&s->p[i], K, &s->ct[i], i % (L + 1), r,
			  L, &s->bind[i]) == 0, "prove");
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
		check(range_proof_verify(&s->p[i], K, &s->ct[i], s->L,
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

	check(proof_batch_new(&b) == 0, "proof_batch_new");
	for (i = 0; i < s->n; i++)
		check(proof_batch_add_range(b, &s->p[i], K, &s->ct[i], s->L,
			  &s->bind[i]) == 0, "proof_batch_add_range");
	t1 = now();
	check(proof_batch_verify(b) == 0, "proof_batch_verify");
	t2 = now();
	proof_batch_free(b);
	printf("  (L=%u batch of %zu: add %.0f us/proof, msm %.0f us/proof)\n",
	    s->L, s->n, (t1 - t0) * 1e6 / s->n, (t2 - t1) * 1e6 / s->n);
	return s->n / (t2 - t0);
}

int
main(int argc, char **argv)
{
	size_t nb = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
	struct set s01, s10;
	BIGNUM *sk = group_scalar_new();
	EC_POINT *K = group_point_new();
	double mul, one, bat, one10, bat10;

	check(nb > 0 && group_scalar_random(sk) == 0 &&
	    group_mul_g(K, sk) == 0, "setup");
	mul = bench_mul(4000);
	set_make(&s01, K, nb, 1);
	set_make(&s10, K, nb / 10 ? nb / 10 : 1, 10);
	one = bench_single(&s01, K);
	bat = bench_batch(&s01, K);
	one10 = bench_single(&s10, K);
	bat10 = bench_batch(&s10, K);
	printf("P-256 variable-base EC_POINT_mul:     %8.0f /s\n", mul);
	printf("0/1 proofs, one by one (%zu):        %8.0f /s  ratio %.3f\n",
	    s01.n, one, one / mul);
	printf("0/1 proofs, batched (%zu):           %8.0f /s  ratio %.3f\n",
	    s01.n, bat, bat / mul);
	printf("L=10 range proofs, one by one (%zu): %8.0f /s  ratio %.3f\n",
	    s10.n, one10, one10 / mul);
	printf("L=10 range proofs, batched (%zu):    %8.0f /s  ratio %.3f\n",
	    s10.n, bat10, bat10 / mul);
	set_free(&s01);
	set_free(&s10);
	group_scalar_free(sk);
	group_point_free(K);
	return 0;
}
