/* check_p256_scalar.c: the terminal's constant-time scalar arithmetic
 * modulo q (lib/p256/scalar.c) against BIGNUM on random and edge inputs;
 * group_scalar_random_limbs; the comb's ref second terms (a secret pick
 * between two outputs, or nothing) and point second terms against
 * OpenSSL; and the two-step range
 * prover (range_proof_begin/end) verified for every mark. */
#include <string.h>

#include <openssl/rand.h>

#include "elgamal.h"
#include "err.h"
#include "group.h"
#include "p256/p256.h"
#include "p256/scalar.h"
#include "proof.h"
#include "testutil.h"

static void
limbs_to_bn(BIGNUM *b, const uint64_t k[4])
{
	uint8_t be[32];

	p256_sc_to_be(be, k);
	ck_assert(BN_bin2bn(be, 32, b) != NULL);
}

static void
bn_to_limbs(uint64_t k[4], const BIGNUM *b)
{
	uint8_t be[32];

	ck_assert_int_eq(BN_bn2binpad(b, be, 32), 32);
	ck_assert(p256_sc_from_be(k, be) != 0);
}

/* Edge values below q: 0, 1, 2, 2^64 - 1, 2^64, 2^128, 2^255, q - 2^128,
 * q - 2, q - 1; then random ones. */
#define NEDGE 10
static void
value(BIGNUM *b, size_t i)
{
	const BIGNUM *q = group_order();

	if (i >= NEDGE) {
		ck_assert(BN_rand_range(b, q) == 1);
		return;
	}
	switch (i) {
	case 0: BN_zero(b); break;
	case 1: BN_one(b); break;
	case 2: BN_set_word(b, 2); break;
	case 3: BN_set_word(b, ~0UL); break;
	case 4: BN_set_word(b, 1); BN_lshift(b, b, 64); break;
	case 5: BN_set_word(b, 1); BN_lshift(b, b, 128); break;
	case 6: BN_set_word(b, 1); BN_lshift(b, b, 255); break;
	case 7:
		BN_set_word(b, 1);
		BN_lshift(b, b, 128);
		BN_sub(b, q, b);
		break;
	case 8: BN_copy(b, q); BN_sub_word(b, 2); break;
	default: BN_copy(b, q); BN_sub_word(b, 1); break;
	}
}

START_TEST(test_sc_ops)
{
	const BIGNUM *q = group_order();
	BIGNUM *a = BN_new(), *b = BN_new(), *w = BN_new(), *g = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	uint64_t la[4], lb[4], lr[4], sel[4];
	size_t i, j;

	ck_assert(a && b && w && g && ctx);
	for (i = 0; i < NEDGE + 40; i++) {
		for (j = 0; j < NEDGE + 40; j++) {
			value(a, i);
			value(b, j);
			bn_to_limbs(la, a);
			bn_to_limbs(lb, b);
			p256_sc_add(lr, la, lb);
			ck_assert(BN_mod_add(w, a, b, q, ctx) == 1);
			limbs_to_bn(g, lr);
			ck_assert(BN_cmp(g, w) == 0);
			p256_sc_sub(lr, la, lb);
			ck_assert(BN_mod_sub(w, a, b, q, ctx) == 1);
			limbs_to_bn(g, lr);
			ck_assert(BN_cmp(g, w) == 0);
			p256_sc_mul(lr, la, lb);
			ck_assert(BN_mod_mul(w, a, b, q, ctx) == 1);
			limbs_to_bn(g, lr);
			ck_assert(BN_cmp(g, w) == 0);
			/* aliasing */
			memcpy(lr, la, sizeof(lr));
			p256_sc_mul(lr, lr, lb);
			limbs_to_bn(g, lr);
			ck_assert(BN_cmp(g, w) == 0);
			p256_sc_select(sel, ~(uint64_t)0, la, lb);
			ck_assert(memcmp(sel, la, sizeof(sel)) == 0);
			p256_sc_select(sel, 0, la, lb);
			ck_assert(memcmp(sel, lb, sizeof(sel)) == 0);
		}
	}
	p256_sc_set_u64(lr, ~0ULL);
	BN_set_word(w, ~0UL);
	limbs_to_bn(g, lr);
	ck_assert(BN_cmp(g, w) == 0);
	BN_free(a);
	BN_free(b);
	BN_free(w);
	BN_free(g);
	BN_CTX_free(ctx);
}
END_TEST

/* from_be accepts [0, q - 1] exactly; to_be inverts it. */
START_TEST(test_sc_from_be)
{
	const BIGNUM *q = group_order();
	BIGNUM *b = BN_new();
	uint8_t be[32], back[32];
	uint64_t l[4];

	BN_copy(b, q);
	ck_assert_int_eq(BN_bn2binpad(b, be, 32), 32);
	ck_assert(p256_sc_from_be(l, be) == 0);		/* q */
	BN_sub_word(b, 1);
	ck_assert_int_eq(BN_bn2binpad(b, be, 32), 32);
	ck_assert(p256_sc_from_be(l, be) == ~(uint64_t)0);	/* q - 1 */
	p256_sc_to_be(back, l);
	ck_assert(memcmp(back, be, 32) == 0);
	BN_add_word(b, 2);
	ck_assert_int_eq(BN_bn2binpad(b, be, 32), 32);
	ck_assert(p256_sc_from_be(l, be) == 0);		/* q + 1 */
	memset(be, 0xff, 32);
	ck_assert(p256_sc_from_be(l, be) == 0);		/* 2^256 - 1 */
	memset(be, 0, 32);
	ck_assert(p256_sc_from_be(l, be) == ~(uint64_t)0);	/* 0 */
	BN_free(b);
}
END_TEST

START_TEST(test_random_limbs)
{
	struct group_rand rnd;
	uint64_t l[4], prev[4] = {0, 0, 0, 0}, ok;
	uint8_t be[32];
	int i;

	group_rand_init(&rnd);
	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(group_scalar_random_limbs(l, &rnd), 0);
		p256_sc_to_be(be, l);
		ok = p256_sc_from_be(prev, be);
		ck_assert(ok == ~(uint64_t)0);
		ck_assert((l[0] | l[1] | l[2] | l[3]) != 0);
		memcpy(prev, l, sizeof(l));
	}
	group_rand_clear(&rnd);
}
END_TEST

/* ------------------------------------------------ comb refs */

/* outputs: 0 = x G, 1 = y G (one term each), 2 = z K + (pick ? out0 :
 * out1) or z K alone (none), for every pick/none; against OpenSSL */
START_TEST(test_comb_ref)
{
	struct p256_comb_term t[3][2];
	const struct p256_comb *gt = p256_comb_generator();
	struct p256_comb *kt = NULL;
	struct p256_affine ka;
	EC_POINT *K = group_point_new(), *want = group_point_new();
	BIGNUM *b[3] = {BN_new(), BN_new(), BN_new()};
	const BIGNUM *s[2];
	const EC_POINT *P[2];
	uint8_t out[3][33], enc[33];
	int pick, none, src;

	ck_assert(gt != NULL && K != NULL && want != NULL);
	ck_assert_int_eq(group_scalar_random(b[0]), 0);
	ck_assert_int_eq(group_mul_g(K, b[0]), 0);
	ck_assert_int_eq(p256_from_ec(&ka, K), 0);
	ck_assert_int_eq(p256_comb_new(&kt, &ka), 0);
	for (pick = 0; pick < 2; pick++) {
		for (none = 0; none < 2; none++) {
			memset(t, 0, sizeof(t));
			for (src = 0; src < 3; src++) {
				ck_assert_int_eq(group_scalar_random(b[src]),
				    0);
				bn_to_limbs(t[src][0].k, b[src]);
			}
			t[0][0].tab = gt;
			t[1][0].tab = gt;
			t[2][0].tab = kt;
			t[2][1].ref = 1;
			t[2][1].src[0] = 0;
			t[2][1].src[1] = 1;
			t[2][1].pick = pick ? ~(uint64_t)0 : 0;
			t[2][1].none = none ? ~(uint64_t)0 : 0;
			ck_assert_int_eq(p256_comb_mul(out, 3,
			    (const struct p256_comb_term(*)[2])t), 0);
			P[0] = K;
			P[1] = group_generator();
			s[0] = b[2];
			s[1] = b[pick ? 0 : 1];
			ck_assert_int_eq(group_msm(want, NULL, none ? 1 : 2, P,
			    s), 0);
			ck_assert_int_eq(group_point_encode(enc, want), 0);
			ck_assert(memcmp(enc, out[2], 33) == 0);
			ck_assert_int_eq(group_mul_g(want, b[0]), 0);
			ck_assert_int_eq(group_point_encode(enc, want), 0);
			ck_assert(memcmp(enc, out[0], 33) == 0);
		}
	}
	/* a ref to itself, to a ref, out of range, to an output of two
	 * terms: refused */
	t[2][1].src[1] = 2;
	ck_assert_int_eq(p256_comb_mul(out, 3,
	    (const struct p256_comb_term(*)[2])t), TALLY_ERR_INVALID_ARG);
	t[2][1].src[1] = 3;
	ck_assert_int_eq(p256_comb_mul(out, 3,
	    (const struct p256_comb_term(*)[2])t), TALLY_ERR_INVALID_ARG);
	t[2][1].src[1] = 1;
	t[1][1].tab = gt;
	ck_assert_int_eq(p256_comb_mul(out, 3,
	    (const struct p256_comb_term(*)[2])t), TALLY_ERR_INVALID_ARG);
	/* a ref picking a point opposite to its first term: infinity */
	t[1][1].tab = NULL;
	ck_assert_int_eq(group_scalar_random(b[0]), 0);
	bn_to_limbs(t[0][0].k, b[0]);
	t[2][0].tab = gt;
	BN_sub(b[1], group_order(), b[0]);
	bn_to_limbs(t[2][0].k, b[1]);
	t[2][1].pick = ~(uint64_t)0;
	t[2][1].none = 0;
	ck_assert_int_eq(p256_comb_mul(out, 3,
	    (const struct p256_comb_term(*)[2])t), P256_COMB_EXCEPTIONAL);
	p256_comb_free(kt);
	group_point_free(K);
	group_point_free(want);
	BN_free(b[0]);
	BN_free(b[1]);
	BN_free(b[2]);
}
END_TEST

/* outputs: 0 = x K + P (a point given), 1 = y G + P, 2 = z G alone;
 * against OpenSSL; P = -x K: infinity, the exceptional case */
START_TEST(test_comb_point)
{
	struct p256_comb_term t[3][2];
	const struct p256_comb *gt = p256_comb_generator();
	struct p256_comb *kt = NULL;
	struct p256_affine ka, pa;
	EC_POINT *K = group_point_new(), *P = group_point_new();
	EC_POINT *want = group_point_new();
	BIGNUM *b[3] = {BN_new(), BN_new(), BN_new()}, *pk = BN_new();
	const BIGNUM *s[2];
	const EC_POINT *pts[2];
	uint8_t out[3][33], enc[33];
	int i, round;

	ck_assert(gt != NULL && K != NULL && P != NULL && want != NULL);
	ck_assert_int_eq(group_scalar_random(pk), 0);
	ck_assert_int_eq(group_mul_g(K, pk), 0);
	ck_assert_int_eq(p256_from_ec(&ka, K), 0);
	ck_assert_int_eq(p256_comb_new(&kt, &ka), 0);
	for (round = 0; round < 8; round++) {
		memset(t, 0, sizeof(t));
		ck_assert_int_eq(group_scalar_random(pk), 0);
		ck_assert_int_eq(group_mul_g(P, pk), 0);
		ck_assert_int_eq(p256_from_ec(&pa, P), 0);
		for (i = 0; i < 3; i++) {
			ck_assert_int_eq(group_scalar_random(b[i]), 0);
			bn_to_limbs(t[i][0].k, b[i]);
		}
		t[0][0].tab = kt;
		t[0][1].pt = &pa;
		t[1][0].tab = gt;
		t[1][1].pt = &pa;
		t[2][0].tab = gt;
		ck_assert_int_eq(p256_comb_mul(out, 3,
		    (const struct p256_comb_term(*)[2])t), 0);
		for (i = 0; i < 3; i++) {
			pts[0] = i == 0 ? K : group_generator();
			pts[1] = P;
			s[0] = b[i];
			s[1] = BN_value_one();
			ck_assert_int_eq(group_msm(want, NULL, i < 2 ? 2 : 1,
			    pts, s), 0);
			ck_assert_int_eq(group_point_encode(enc, want), 0);
			ck_assert(memcmp(enc, out[i], 33) == 0);
		}
	}
	/* P = -(x K): the sum is infinity, an exceptional addition */
	ck_assert_int_eq(group_scalar_neg(pk, b[0]), 0);
	ck_assert_int_eq(group_mul(P, K, pk), 0);
	ck_assert_int_eq(p256_from_ec(&pa, P), 0);
	ck_assert_int_eq(p256_comb_mul(out, 3,
	    (const struct p256_comb_term(*)[2])t), P256_COMB_EXCEPTIONAL);
	p256_comb_free(kt);
	group_point_free(K);
	group_point_free(P);
	group_point_free(want);
	for (i = 0; i < 3; i++)
		BN_free(b[i]);
	BN_free(pk);
}
END_TEST

/* ------------------------------------------------ two-step range prover */

/* For max in a few bounds and every m <= max: begin, the products by the
 * tables, end; the proof verifies, and fails for a wrong bound. */
START_TEST(test_range_two_step)
{
	static const uint32_t maxes[] = {0, 1, 2, 3, 10};
	const struct p256_comb *gt = p256_comb_generator();
	struct p256_comb *kt = NULL;
	struct p256_affine ka;
	struct proof_bind bind;
	struct group_rand rnd;
	struct elgamal_ct ct;
	struct range_pending *pend;
	Tally__RangeProof pr;
	EC_POINT *K = group_point_new();
	BIGNUM *x = BN_new(), *r = BN_new();
	uint8_t h[32], kb[33], ab[33], bb[33], (*enc)[33];
	uint64_t rl[4];
	struct p256_comb_term (*terms)[2];
	size_t mi, nt;
	uint64_t m;

	memset(h, 3, sizeof(h));
	memset(&bind, 0, sizeof(bind));
	bind.election_hash = h;
	bind.subject = h;
	bind.subject_len = 32;
	bind.kind = PROOF_SELECTION;
	ck_assert(gt != NULL && K != NULL && x != NULL && r != NULL);
	ck_assert_int_eq(group_scalar_random(x), 0);
	ck_assert_int_eq(group_mul_g(K, x), 0);
	ck_assert_int_eq(p256_from_ec(&ka, K), 0);
	ck_assert_int_eq(p256_comb_new(&kt, &ka), 0);
	ck_assert_int_eq(group_point_encode(kb, K), 0);
	ck_assert_int_eq(elgamal_ct_init(&ct), 0);
	group_rand_init(&rnd);
	for (mi = 0; mi < sizeof(maxes) / sizeof(maxes[0]); mi++) {
		nt = PROOF_RANGE_TERMS(maxes[mi]);
		terms = calloc(nt + 1, sizeof(*terms));
		enc = calloc(nt + 1, sizeof(*enc));
		ck_assert(terms != NULL && enc != NULL);
		for (m = 0; m <= maxes[mi]; m++) {
			ck_assert_int_eq(elgamal_encrypt(&ct, r, K, m), 0);
			bn_to_limbs(rl, r);
			ck_assert_int_eq(group_point_encode(ab, ct.a), 0);
			ck_assert_int_eq(group_point_encode(bb, ct.b), 0);
			/* one spare output in front: base 1 */
			memset(terms, 0, (nt + 1) * sizeof(*terms));
			terms[0][0].tab = gt;
			terms[0][0].k[0] = 5;
			ck_assert_int_eq(range_proof_begin(&pend, &pr,
			    terms + 1, 1, gt, kt, m, rl, maxes[mi], &rnd), 0);
			ck_assert_int_eq(p256_comb_mul(enc, nt + 1,
			    (const struct p256_comb_term(*)[2])terms), 0);
			ck_assert_int_eq(range_proof_end(&pr, pend,
			    (const uint8_t(*)[33])enc + 1, kb, ab, bb,
			    &bind), 0);
			range_pending_free(pend);
			ck_assert_int_eq(range_proof_verify(&pr, K, &ct,
			    maxes[mi], &bind), 0);
			if (m == maxes[mi] && m > 0)
				ck_assert_int_ne(range_proof_verify(&pr, K,
				    &ct, maxes[mi] - 1, &bind), 0);
			range_proof_clear(&pr);
		}
		/* a mark above the bound: refused */
		ck_assert_int_eq(range_proof_begin(&pend, &pr, terms + 1, 1,
		    gt, kt, maxes[mi] + 1, rl, maxes[mi], &rnd),
		    TALLY_ERR_INVALID_ARG);
		free(terms);
		free(enc);
	}
	group_rand_clear(&rnd);
	elgamal_ct_clear(&ct);
	p256_comb_free(kt);
	group_point_free(K);
	BN_free(x);
	BN_clear_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("p256_scalar");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sc_ops);
	tcase_add_test(tc, test_sc_from_be);
	tcase_add_test(tc, test_random_limbs);
	tcase_add_test(tc, test_comb_ref);
	tcase_add_test(tc, test_comb_point);
	tcase_add_test(tc, test_range_two_step);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
