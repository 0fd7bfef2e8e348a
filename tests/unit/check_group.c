/* check_group.c: strict point and scalar decoding, against Wycheproof's
 * ecdh_secp256r1_ecpoint_test.json and hand-made edge cases. */
#include <stdlib.h>
#include <string.h>

#include <openssl/obj_mac.h>
#include <openssl/rand.h>

#include "err.h"
#include "group.h"
#include "hash.h"
#include "testutil.h"
#include "util.h"

/* Every "invalid" test case is refused; every "valid" point, compressed by
 * OpenSSL, decodes and gives the expected ECDH shared x coordinate. Points
 * in any other encoding than compressed are refused. */
START_TEST(test_wycheproof_ecpoint)
{
	json_t *doc = tu_load_vector("wycheproof/ecdh_secp256r1_ecpoint_test.json");
	json_t *groups = json_object_get(doc, "testGroups"), *grp, *tests, *t;
	size_t gi, ti, plen, klen, slen;
	EC_POINT *p = group_point_new(), *ref = group_point_new(),
		 *sh = group_point_new();
	BIGNUM *k = BN_new(), *x = BN_new();
	uint8_t comp[GROUP_POINT_LEN], xb[32];
	int invalid = 0, valid = 0, ret;

	ck_assert_ptr_nonnull(groups);
	json_array_foreach(groups, gi, grp) {
		tests = json_object_get(grp, "tests");
		json_array_foreach(tests, ti, t) {
			const char *res = json_string_value(json_object_get(t, "result"));
			uint8_t *pub = tu_unhex(json_string_value(json_object_get(t, "public")), &plen);

			ret = group_point_decode(p, pub, plen);
			if (strcmp(res, "invalid") == 0) {
				ck_assert_msg(ret == TALLY_ERR_BAD_POINT,
				    "tcId %lld accepted",
				    json_integer_value(json_object_get(t, "tcId")));
				invalid++;
			} else if (strcmp(res, "valid") == 0) {
				uint8_t *priv, *shared;

				/* Compressed points decode; any other form is refused. */
				ck_assert_int_eq(ret, plen == 33 ? 0 : TALLY_ERR_BAD_POINT);
				ck_assert(EC_POINT_oct2point(group_ec(), ref, pub, plen, NULL) == 1);
				ck_assert_int_eq(group_point_encode(comp, ref), 0);
				ck_assert_int_eq(group_point_decode(p, comp, sizeof(comp)), 0);
				ck_assert(group_point_equal(p, ref));
				priv = tu_unhex(json_string_value(json_object_get(t, "private")), &klen);
				shared = tu_unhex(json_string_value(json_object_get(t, "shared")), &slen);
				ck_assert(BN_bin2bn(priv, (int)klen, k) != NULL);
				ck_assert_int_eq(group_mul(sh, p, k), 0);
				ck_assert(EC_POINT_get_affine_coordinates(group_ec(), sh, x, NULL, NULL) == 1);
				ck_assert(BN_bn2binpad(x, xb, 32) == 32);
				ck_assert_uint_eq(slen, 32);
				ck_assert_mem_eq(xb, shared, 32);
				free(priv);
				free(shared);
				valid++;
			}
			free(pub);
		}
	}
	ck_assert_int_ge(invalid, 20);
	ck_assert_int_ge(valid, 300);
	BN_free(k);
	BN_free(x);
	group_point_free(p);
	group_point_free(ref);
	group_point_free(sh);
	json_decref(doc);
}
END_TEST

START_TEST(test_point_edge_cases)
{
	EC_POINT *p = group_point_new();
	uint8_t enc[GROUP_POINT_LEN], bad[GROUP_POINT_LEN + 1];
	/* p, the field prime: an x coordinate that is not reduced. */
	static const char *field_p =
	    "03ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
	uint8_t *fp;
	size_t fl;

	ck_assert_int_eq(group_point_encode(enc, group_generator()), 0);
	ck_assert_int_eq(group_point_decode(p, enc, sizeof(enc)), 0);
	ck_assert(group_point_equal(p, group_generator()));
	/* truncated, oversized, trailing bytes, empty, NULL */
	ck_assert_int_eq(group_point_decode(p, enc, 32), TALLY_ERR_BAD_POINT);
	memcpy(bad, enc, sizeof(enc));
	bad[33] = 0;
	ck_assert_int_eq(group_point_decode(p, bad, 34), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(group_point_decode(p, enc, 0), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(group_point_decode(p, NULL, 33), TALLY_ERR_BAD_POINT);
	/* infinity (0x00) and a wrong prefix */
	bad[0] = 0x00;
	ck_assert_int_eq(group_point_decode(p, bad, 1), TALLY_ERR_BAD_POINT);
	memcpy(bad, enc, sizeof(enc));
	bad[0] = 0x04;
	ck_assert_int_eq(group_point_decode(p, bad, 33), TALLY_ERR_BAD_POINT);
	bad[0] = 0x06;
	ck_assert_int_eq(group_point_decode(p, bad, 33), TALLY_ERR_BAD_POINT);
	/* x = p */
	fp = tu_unhex(field_p, &fl);
	ck_assert_int_eq(group_point_decode(p, fp, fl), TALLY_ERR_BAD_POINT);
	free(fp);
	/* infinity cannot be encoded */
	ck_assert(EC_POINT_set_to_infinity(group_ec(), p) == 1);
	ck_assert_int_eq(group_point_encode(enc, p), TALLY_ERR_BAD_POINT);
	group_point_free(p);
}
END_TEST

/* An x with no square root on the curve: try successive x until one fails. */
START_TEST(test_point_off_curve)
{
	EC_POINT *p = group_point_new();
	uint8_t enc[GROUP_POINT_LEN] = {0x02};
	int x, refused = 0;

	for (x = 1; x < 64; x++) {
		enc[32] = (uint8_t)x;
		if (group_point_decode(p, enc, sizeof(enc)) == TALLY_ERR_BAD_POINT)
			refused++;
	}
	/* About half of all x have no point. */
	ck_assert_int_gt(refused, 10);
	group_point_free(p);
}
END_TEST

START_TEST(test_scalars)
{
	BIGNUM *s = group_scalar_new(), *t = group_scalar_new();
	uint8_t enc[GROUP_SCALAR_LEN], big[GROUP_SCALAR_LEN + 1];

	ck_assert_int_eq(BN_bn2binpad(group_order(), enc, 32), 32);
	ck_assert_int_eq(group_scalar_decode(s, enc, 32), TALLY_ERR_BAD_SCALAR);
	memset(enc, 0xff, sizeof(enc));
	ck_assert_int_eq(group_scalar_decode(s, enc, 32), TALLY_ERR_BAD_SCALAR);
	ck_assert(BN_sub(t, group_order(), BN_value_one()) == 1);
	ck_assert_int_eq(group_scalar_encode(enc, t), 0);
	ck_assert_int_eq(group_scalar_decode(s, enc, 32), 0);
	ck_assert_int_eq(BN_cmp(s, t), 0);
	ck_assert_int_eq(group_scalar_decode(s, enc, 31), TALLY_ERR_BAD_SCALAR);
	memset(big, 0, sizeof(big));
	ck_assert_int_eq(group_scalar_decode(s, big, 33), TALLY_ERR_BAD_SCALAR);
	ck_assert_int_eq(group_scalar_encode(enc, group_order()), TALLY_ERR_BAD_SCALAR);
	ck_assert_int_eq(group_scalar_random(s), 0);
	ck_assert(!BN_is_zero(s));
	ck_assert_int_lt(BN_cmp(s, group_order()), 0);
	group_scalar_free(s);
	group_scalar_free(t);
}
END_TEST

START_TEST(test_arithmetic)
{
	BIGNUM *a = group_scalar_new(), *b = group_scalar_new(),
	       *c = group_scalar_new();
	EC_POINT *p = group_point_new(), *q = group_point_new(),
		 *r = group_point_new(), *pts[2];
	const BIGNUM *sc[2];

	ck_assert_int_eq(group_scalar_random(a), 0);
	ck_assert_int_eq(group_scalar_random(b), 0);
	/* (a + b) G == aG + bG */
	ck_assert_int_eq(group_scalar_add(c, a, b), 0);
	ck_assert_int_eq(group_mul_g(p, c), 0);
	ck_assert_int_eq(group_mul_g(q, a), 0);
	ck_assert_int_eq(group_mul_g(r, b), 0);
	ck_assert_int_eq(group_add(q, q, r), 0);
	ck_assert(group_point_equal(p, q));
	/* msm: aG + b(aG) == (a + ab) G */
	ck_assert_int_eq(group_mul_g(q, a), 0);
	pts[0] = q;
	sc[0] = b;
	ck_assert_int_eq(group_msm(r, a, 1, (const EC_POINT **)pts, sc), 0);
	ck_assert_int_eq(group_scalar_mul(c, a, b), 0);
	ck_assert_int_eq(group_scalar_add(c, c, a), 0);
	ck_assert_int_eq(group_mul_g(p, c), 0);
	ck_assert(group_point_equal(p, r));
	/* sub and inverse */
	ck_assert_int_eq(group_sub(r, r, q), 0);
	ck_assert_int_eq(group_scalar_mul(c, a, b), 0);
	ck_assert_int_eq(group_mul_g(p, c), 0);
	ck_assert(group_point_equal(p, r));
	ck_assert_int_eq(group_scalar_inv(c, a), 0);
	ck_assert_int_eq(group_scalar_mul(c, c, a), 0);
	ck_assert(BN_is_one(c));
	ck_assert_int_eq(group_mul_g_u64(p, 3), 0);
	ck_assert_int_eq(group_add(q, group_generator(), group_generator()), 0);
	ck_assert_int_eq(group_add(q, q, group_generator()), 0);
	ck_assert(group_point_equal(p, q));
	group_scalar_free(a);
	group_scalar_free(b);
	group_scalar_free(c);
	group_point_free(p);
	group_point_free(q);
	group_point_free(r);
}
END_TEST

/* The decoder's own square root agrees with OpenSSL's oct2point on random
 * x coordinates of both prefixes: same point, or both refuse. */
START_TEST(test_decode_agrees_with_openssl)
{
	EC_POINT *p = group_point_new(), *q = group_point_new();
	uint8_t enc[GROUP_POINT_LEN];
	int i, a, b, accepted = 0, refused = 0;

	for (i = 0; i < 2000; i++) {
		ck_assert(RAND_bytes(enc + 1, 32) == 1);
		enc[0] = (i & 1) ? 0x03 : 0x02;
		a = group_point_decode(p, enc, sizeof(enc)) == 0;
		b = EC_POINT_oct2point(group_ec(), q, enc, sizeof(enc),
		    NULL) == 1;
		ck_assert_int_eq(a, b);
		if (a) {
			ck_assert(group_point_equal(p, q));
			accepted++;
		} else
			refused++;
	}
	ck_assert_int_gt(accepted, 800);
	ck_assert_int_gt(refused, 800);
	group_point_free(p);
	group_point_free(q);
}
END_TEST

/* group_points_decode against OpenSSL's decoding, one by one: batches of
 * 0 to 150 points (across its chunks of 64), each batch either all valid
 * or with one bad entry (random x, half of which are no point; x = p;
 * prefix 04 or 00), which must be refused as group_point_decode refuses
 * it; an accepted batch equals OpenSSL's points. */
START_TEST(test_points_decode)
{
	static const uint8_t p_be[32] = {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const size_t sizes[] = {0, 1, 2, 3, 7, 8, 9, 17, 63, 64, 65,
	    129, 150};
	EC_POINT *pts[150], *ref = group_point_new(), *q = group_point_new();
	BIGNUM *k = BN_new();
	uint8_t enc[150][GROUP_POINT_LEN];
	size_t n, i, bad, si;
	int want, got, r;

	for (i = 0; i < 150; i++)
		pts[i] = group_point_new();
	for (r = 0; r < 40; r++) {
		si = (size_t)r % (sizeof(sizes) / sizeof(sizes[0]));
		n = sizes[si];
		for (i = 0; i < n; i++) {
			ck_assert_int_eq(group_scalar_random(k), 0);
			ck_assert_int_eq(group_mul_g(q, k), 0);
			ck_assert_int_eq(group_point_encode(enc[i], q), 0);
		}
		if (n > 0 && r % 2 == 1) {
			bad = (size_t)r * 7 % n;
			switch (r / 2 % 4) {
			case 0:
				ck_assert(RAND_bytes(enc[bad] + 1, 32) == 1);
				break;
			case 1:
				memcpy(enc[bad] + 1, p_be, 32);
				break;
			case 2:
				enc[bad][0] = 0x04;
				break;
			case 3:
				enc[bad][0] = 0x00;
				break;
			}
		}
		want = 0;
		for (i = 0; i < n && want == 0; i++)
			want = group_point_decode(q, enc[i], GROUP_POINT_LEN);
		got = group_points_decode(pts,
		    (const uint8_t(*)[GROUP_POINT_LEN])enc, n);
		ck_assert_int_eq(got, want);
		if (got != 0)
			continue;
		for (i = 0; i < n; i++) {
			ck_assert(EC_POINT_oct2point(group_ec(), ref, enc[i],
			    GROUP_POINT_LEN, NULL) == 1);
			ck_assert(group_point_equal(pts[i], ref));
		}
	}
	for (i = 0; i < 150; i++)
		group_point_free(pts[i]);
	group_point_free(ref);
	group_point_free(q);
	BN_free(k);
}
END_TEST

/* Try-and-increment hash to the curve (docs/record/mixnet.md); the answers
 * were computed independently with Python integers. "abc" needs a second
 * counter, so the increment is exercised. */
START_TEST(test_point_from_hash)
{
	static const uint8_t eh[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
	    12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
	    29, 30, 31};
	uint8_t idx[4] = {0, 0, 0, 2}, enc[GROUP_POINT_LEN], *want;
	struct hash_part abc = {"abc", 3};
	struct hash_part gen[2] = {{eh, sizeof(eh)}, {idx, sizeof(idx)}};
	EC_POINT *P = group_point_new();
	size_t len;

	ck_assert_int_eq(group_point_from_hash(P, "test", &abc, 1), 0);
	ck_assert_int_eq(group_point_encode(enc, P), 0);
	want = tu_unhex("0204886fbfaf5b71e7aba59c8ca75a0362a050a5a013032ec7d6"
	    "df512bfc17022a", &len);
	ck_assert_mem_eq(enc, want, sizeof(enc));
	free(want);
	ck_assert_int_eq(group_point_from_hash(P, "shuffle-generator", gen, 2),
	    0);
	ck_assert_int_eq(group_point_encode(enc, P), 0);
	want = tu_unhex("02d3599566a7d79b795374b02d9a7657fb6fdca3cecf8828ec00"
	    "69f325ed7919ea", &len);
	ck_assert_mem_eq(enc, want, sizeof(enc));
	free(want);
	group_point_free(P);
}
END_TEST

/* group_mul_fixed and group_mul2_fixed agree with the plain
 * multiplications, for more bases than there are tables (the rest take
 * the plain path), and for the scalars 0, 1 and q - 1. */
START_TEST(test_mul_fixed)
{
	EC_POINT *P = group_point_new(), *want = group_point_new(),
		 *got = group_point_new();
	BIGNUM *k = group_scalar_new(), *g = group_scalar_new();
	int base, i;

	for (base = 0; base < GROUP_FIXED_MAX + 3; base++) {
		ck_assert_int_eq(group_scalar_random(k), 0);
		ck_assert_int_eq(group_mul_g(P, k), 0);
		for (i = 0; i < 6; i++) {
			ck_assert_int_eq(group_scalar_random(k), 0);
			ck_assert_int_eq(group_scalar_random(g), 0);
			if (i == 1)
				BN_zero(k);
			if (i == 2)
				ck_assert(BN_one(k) == 1);
			if (i == 3)
				ck_assert(BN_sub(k, group_order(),
				    BN_value_one()) == 1);
			if (i == 4)
				BN_zero(g);
			ck_assert_int_eq(group_mul(want, P, k), 0);
			ck_assert_int_eq(group_mul_fixed(got, P, k), 0);
			ck_assert(group_point_equal(got, want));
			ck_assert_int_eq(group_mul2(want, g, P, k), 0);
			ck_assert_int_eq(group_mul2_fixed(got, g, P, k), 0);
			ck_assert(group_point_equal(got, want));
		}
	}
	group_point_free(P);
	group_point_free(want);
	group_point_free(got);
	group_scalar_free(k);
	group_scalar_free(g);
}
END_TEST

/* group_points_encode gives group_point_encode's bytes for points in
 * any representation (products, sums, decoded), refuses infinity, and
 * accepts n = 0. */
START_TEST(test_points_encode)
{
	EC_POINT *p[9];
	uint8_t want[GROUP_POINT_LEN], got[9][GROUP_POINT_LEN];
	BIGNUM *k = group_scalar_new();
	size_t i;

	for (i = 0; i < 9; i++) {
		p[i] = group_point_new();
		ck_assert_int_eq(group_scalar_random(k), 0);
		ck_assert_int_eq(group_mul_g(p[i], k), 0);
	}
	ck_assert_int_eq(group_add(p[1], p[1], p[2]), 0);
	ck_assert_int_eq(group_mul(p[3], p[4], k), 0);
	ck_assert_int_eq(group_mul_fixed(p[5], p[6], k), 0);
	ck_assert_int_eq(group_point_encode(want, p[7]), 0);
	ck_assert_int_eq(group_point_decode(p[8], want, sizeof(want)), 0);
	ck_assert_int_eq(group_points_encode(got, (const EC_POINT **)p, 9), 0);
	for (i = 0; i < 9; i++) {
		ck_assert_int_eq(group_point_encode(want, p[i]), 0);
		ck_assert_mem_eq(got[i], want, GROUP_POINT_LEN);
	}
	ck_assert_int_eq(group_points_encode(got, (const EC_POINT **)p, 0), 0);
	ck_assert_int_eq(group_points_encode(got, (const EC_POINT **)p + 4, 1),
	    0);
	ck_assert_int_eq(group_point_encode(want, p[4]), 0);
	ck_assert_mem_eq(got[0], want, GROUP_POINT_LEN);
	ck_assert(EC_POINT_set_to_infinity(group_ec(), p[3]) == 1);
	ck_assert_int_eq(group_points_encode(got, (const EC_POINT **)p, 9),
	    TALLY_ERR_BAD_POINT);
	for (i = 0; i < 9; i++)
		group_point_free(p[i]);
	group_scalar_free(k);
}
END_TEST

/* group_msm_public (lib/p256) gives group_msm's (OpenSSL's) point for
 * random terms and the edge cases: no terms, zero scalars, the point at
 * infinity as a term, repeated and opposite points (a sum at infinity),
 * scalars near the order, points from sums (Z != 1), gk NULL or zero, and
 * a scalar of 2^256 or more (handed to OpenSSL). */
static void
msm_agree(size_t n, const BIGNUM *gk, const EC_POINT **p, const BIGNUM **s)
{
	EC_POINT *want = group_point_new(), *got = group_point_new();

	ck_assert_int_eq(group_msm(want, gk, n, p, s), 0);
	ck_assert_int_eq(group_msm_public(got, gk, n, p, s), 0);
	ck_assert(group_point_equal(got, want));
	group_point_free(want);
	group_point_free(got);
}

START_TEST(test_msm_public)
{
	enum { N = 40 };
	EC_POINT *p[N];
	BIGNUM *s[N], *g = group_scalar_new();
	size_t i, n;
	int round;

	for (i = 0; i < N; i++) {
		p[i] = group_point_new();
		s[i] = group_scalar_new();
		ck_assert_int_eq(group_scalar_random(s[i]), 0);
		ck_assert_int_eq(group_mul_g(p[i], s[i]), 0);
	}
	for (round = 0; round < 12; round++) {
		n = round < 6 ? (size_t)round * 7 % N + 1 : N;
		for (i = 0; i < N; i++)
			ck_assert_int_eq(group_scalar_random(s[i]), 0);
		ck_assert_int_eq(group_scalar_random(g), 0);
		switch (round) {
		case 1: /* zero scalars, and gk zero */
			BN_zero(s[0]);
			BN_zero(g);
			break;
		case 2: /* the point at infinity as a term */
			ck_assert(EC_POINT_set_to_infinity(group_ec(), p[3]) ==
			    1);
			break;
		case 3: /* repeated and opposite points: sum at infinity */
			for (i = 1; i < 16; i++)
				ck_assert_int_eq(group_point_copy(p[i], p[0]),
				    0);
			ck_assert_int_eq(group_scalar_neg(s[1], s[0]), 0);
			ck_assert(BN_copy(s[2], s[0]) != NULL);
			ck_assert_int_eq(group_scalar_neg(s[3], s[2]), 0);
			BN_zero(g);
			break;
		case 4: /* scalars near the order */
			for (i = 0; i < N; i++)
				ck_assert(BN_sub(s[i], group_order(),
				    i % 2 ? BN_value_one() : s[i]) == 1);
			break;
		case 5: /* points in Jacobian form (sums, products) */
			for (i = 0; i < N; i++)
				ck_assert_int_eq(group_add(p[i], p[i],
				    p[(i + 1) % N]), 0);
			break;
		case 6: /* 2^256: p256 does not take it */
			ck_assert(BN_lshift(s[5], BN_value_one(), 256) == 1);
			break;
		}
		msm_agree(n, round % 3 == 0 ? NULL : g, (const EC_POINT **)p,
		    (const BIGNUM **)s);
		if (round == 3) {
			/* exactly at infinity: p0 (s0 - s0 + s0 - s0) */
			msm_agree(4, NULL, (const EC_POINT **)p,
			    (const BIGNUM **)s);
			for (i = 0; i < N; i++)
				ck_assert_int_eq(group_mul_g(p[i], s[i]), 0);
		}
		if (round == 2)
			ck_assert_int_eq(group_mul_g(p[3], s[3]), 0);
	}
	msm_agree(0, NULL, (const EC_POINT **)p, (const BIGNUM **)s);
	msm_agree(0, g, (const EC_POINT **)p, (const BIGNUM **)s);
	for (i = 0; i < N; i++) {
		group_point_free(p[i]);
		group_scalar_free(s[i]);
	}
	group_scalar_free(g);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("group");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_wycheproof_ecpoint);
	tcase_add_test(tc, test_point_edge_cases);
	tcase_add_test(tc, test_point_off_curve);
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_arithmetic);
	tcase_add_test(tc, test_decode_agrees_with_openssl);
	tcase_add_test(tc, test_point_from_hash);
	tcase_add_test(tc, test_mul_fixed);
	tcase_add_test(tc, test_points_encode);
	tcase_add_test(tc, test_msm_public);
	tcase_add_test(tc, test_points_decode);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
