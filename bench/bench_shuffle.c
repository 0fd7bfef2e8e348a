/*
 * bench_shuffle.c: on one thread, one mixer's shuffle (re-encryption,
 * permutation and proof) and its verification for N write-in tuples of the
 * ballot's width (1 mark + WRITEIN_POINTS name ciphertexts), against N
 * variable-base P-256 multiplications (EC_POINT_mul), with their ratios.
 *
 *   bench_shuffle [N ...]     (default: 300 1000 3000; 30000 on request)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "benchutil.h"
#include "elgamal.h"
#include "group.h"
#include "shuffle.h"
#include "writein.h"

#define WIDTH (1 + WRITEIN_POINTS)

static double
now(void)
{
	return bench_clock(CLOCK_MONOTONIC);
}

/* Seconds for n EC_POINT_mul, each on the previous result. */
static double
time_muls(size_t n)
{
	return bench_muls(n, CLOCK_MONOTONIC);
}

static void
bench_one(size_t n, const EC_POINT *K)
{
	static const uint8_t eh[32] = {1}, mixer[4] = {0, 0, 0, 1};
	struct proof_bind b = {eh, mixer, 4, PROOF_SHUFFLE, 0, 0};
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	struct mix_list in, out;
	BIGNUM *r = group_scalar_new();
	double tmix, tver, tmul;
	size_t i;

	bench_check(mix_list_init(&in, n, WIDTH) == 0 &&
	    mix_list_init(&out, n, WIDTH) == 0, "mix_list_init");
	for (i = 0; i < n * WIDTH; i++)
		bench_check(elgamal_encrypt(&in.ct[i], r, K, i % 2) == 0,
		    "encrypt");
	bench_check(mix_list_encode(&in) == 0, "encode");
	tmix = now();
	bench_check(shuffle_mix(&out, &p, &in, K, &b) == 0, "shuffle_mix");
	tmix = now() - tmix;
	tver = now();
	bench_check(shuffle_verify(&p, &in, &out, K, &b) == 0,
	    "shuffle_verify");
	tver = now() - tver;
	tmul = time_muls(n);
	printf("%8zu %6d %10.3f %10.3f %10.3f %8.1f %8.1f %9zu\n", n, WIDTH,
	    tmix, tver, tmul, tmix / tmul, tver / tmul,
	    tally__shuffle_proof__get_packed_size(&p));
	fflush(stdout);
	shuffle_proof_clear(&p);
	mix_list_clear(&in);
	mix_list_clear(&out);
	group_scalar_free(r);
}

int
main(int argc, char **argv)
{
	static const size_t def[] = {300, 1000, 3000};
	EC_POINT *K = group_point_new();
	BIGNUM *s = group_scalar_new();
	size_t i, n;
	char *end;

	bench_check(group_scalar_random(s) == 0 && group_mul_g(K, s) == 0,
	    "key");
	printf("one mixer, one thread; mix = re-encrypt + permute + prove;\n"
	    "ratios are to N EC_POINT_mul (variable base)\n");
	printf("%8s %6s %10s %10s %10s %8s %8s %9s\n", "N", "width", "mix s",
	    "verify s", "N mul s", "mix/mul", "ver/mul", "proof B");
	if (argc < 2) {
		for (i = 0; i < sizeof(def) / sizeof(def[0]); i++)
			bench_one(def[i], K);
	}
	for (i = 1; i < (size_t)argc; i++) {
		n = strtoul(argv[i], &end, 10);
		bench_check(*argv[i] != '\0' && *end == '\0' && n > 0 &&
		    n <= SHUFFLE_TUPLES_MAX, "argument");
		bench_one(n, K);
	}
	group_point_free(K);
	group_scalar_free(s);
	return 0;
}
