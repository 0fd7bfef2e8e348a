/* check_writein.c: write-in names as ElGamal ciphertexts of points:
 * roundtrip, a wrong key or context fails, every tampered byte fails, the
 * opening of a challenge, and every encryption has the same size. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "group.h"
#include "testutil.h"
#include "writein.h"

static BIGNUM *sk;
static EC_POINT *pk;
static const uint8_t eh[32] = {9, 9, 9};
static const uint8_t cred[32] = {1, 2, 3, 4};

static void
setup(void)
{
	tu_keypair(&sk, &pk);
}

static void
teardown(void)
{
	group_scalar_free(sk);
	group_point_free(pk);
}

static struct proof_bind
bind_of(uint32_t contest, uint32_t index)
{
	struct proof_bind b = {eh, cred, sizeof(cred), 0, contest, index};

	return b;
}

/* M_j = b_j - s a_j and the name of the points, as the trustees'
 * combination would give after the mix. */
static int
open_with(char *name, const Tally__WriteIn *w, const BIGNUM *s)
{
	struct elgamal_ct ct[WRITEIN_POINTS];
	EC_POINT *M[WRITEIN_POINTS], *Z = group_point_new();
	size_t j;
	int ret;

	name[0] = '\0';
	for (j = 0; j < WRITEIN_POINTS; j++) {
		ck_assert_int_eq(elgamal_ct_init(&ct[j]), 0);
		ck_assert_ptr_nonnull(M[j] = group_point_new());
	}
	if ((ret = writein_decode(ct, w)) == 0) {
		for (j = 0; j < WRITEIN_POINTS; j++) {
			ck_assert_int_eq(group_mul(Z, ct[j].a, s), 0);
			ck_assert_int_eq(group_sub(M[j], ct[j].b, Z), 0);
		}
		ret = writein_name_decode(name, (const EC_POINT *const *)M);
	}
	for (j = 0; j < WRITEIN_POINTS; j++) {
		elgamal_ct_clear(&ct[j]);
		group_point_free(M[j]);
	}
	group_point_free(Z);
	return ret;
}

START_TEST(test_roundtrip)
{
	static const char *names[] = {"", "a", "张三",
	    "123456789012345678901234567890123456789012345678901234567890",
	    "另选他人 Zhang San-Li",
	    /* 20 Chinese characters: 60 bytes */
	    "一二三四五六七八九十一二三四五六七八九十"};
	struct proof_bind b = bind_of(2, 5);
	Tally__WriteIn w = TALLY__WRITE_IN__INIT;
	char out[WRITEIN_NAME_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(writein_encrypt(&w, pk, names[i], &b), 0);
		ck_assert_uint_eq(w.n_name, WRITEIN_POINTS);
		ck_assert_int_eq(writein_check(&w, &b), 0);
		ck_assert_int_eq(open_with(out, &w, sk), 0);
		ck_assert_str_eq(out, names[i]);
		writein_clear(&w);
	}
}
END_TEST

START_TEST(test_refused_names)
{
	struct proof_bind b = bind_of(0, 0);
	Tally__WriteIn w = TALLY__WRITE_IN__INIT;

	ck_assert_int_eq(writein_encrypt(&w, pk,
	    "1234567890123456789012345678901234567890123456789012345678901",
	    &b), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(writein_encrypt(&w, pk, "\xc3\x28", &b),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(writein_encrypt(&w, pk, "\xc0\xaf", &b),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(writein_encrypt(&w, pk, "\xed\xa0\x80", &b),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(writein_encrypt(&w, pk, "ab\xe5\xbc", &b),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_ptr_null(w.name);
	ck_assert_uint_eq(w.n_name, 0);
}
END_TEST

/* A ciphertext copied to another ballot (credential), contest or slot
 * fails its proof (Cortier-Smyth); so does one under another key opened. */
START_TEST(test_wrong_key_or_context)
{
	struct proof_bind b = bind_of(1, 1), b2;
	Tally__WriteIn w = TALLY__WRITE_IN__INIT;
	BIGNUM *other = group_scalar_new();
	char out[WRITEIN_NAME_MAX + 1];

	ck_assert_int_eq(writein_encrypt(&w, pk, "王五", &b), 0);
	ck_assert_int_eq(group_scalar_random(other), 0);
	ck_assert_int_eq(open_with(out, &w, other), TALLY_ERR_DECODE);
	ck_assert_str_eq(out, "");
	b2 = bind_of(1, 2);
	ck_assert_int_eq(writein_check(&w, &b2), TALLY_ERR_BAD_PROOF);
	b2 = bind_of(2, 1);
	ck_assert_int_eq(writein_check(&w, &b2), TALLY_ERR_BAD_PROOF);
	b2 = b;
	b2.subject = eh;
	ck_assert_int_eq(writein_check(&w, &b2), TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(writein_check(&w, &b), 0);
	writein_clear(&w);
	group_scalar_free(other);
}
END_TEST

/* The two points' ciphertexts swapped, or one replaced by the same point
 * of another encryption: the proofs (index j, b_j in the bind) refuse. */
START_TEST(test_points_do_not_move)
{
	struct proof_bind b = bind_of(0, 3);
	Tally__WriteIn w = TALLY__WRITE_IN__INIT, v = TALLY__WRITE_IN__INIT;
	Tally__Ciphertext *t;
	Tally__SchnorrProof *q;

	ck_assert_int_eq(writein_encrypt(&w, pk, "张三", &b), 0);
	ck_assert_int_eq(writein_encrypt(&v, pk, "李四", &b), 0);
	t = w.name[0], w.name[0] = w.name[1], w.name[1] = t;
	q = w.pok[0], w.pok[0] = w.pok[1], w.pok[1] = q;
	ck_assert_int_eq(writein_check(&w, &b), TALLY_ERR_BAD_PROOF);
	t = w.name[0], w.name[0] = w.name[1], w.name[1] = t;
	q = w.pok[0], w.pok[0] = w.pok[1], w.pok[1] = q;
	ck_assert_int_eq(writein_check(&w, &b), 0);
	/* b_j of another ciphertext under a's proof */
	t = w.name[1], w.name[1] = v.name[1], v.name[1] = t;
	ck_assert_int_eq(writein_check(&w, &b), TALLY_ERR_BAD_PROOF);
	t = w.name[1], w.name[1] = v.name[1], v.name[1] = t;
	writein_clear(&w);
	writein_clear(&v);
}
END_TEST

static void
flip_all(ProtobufCBinaryData *f, Tally__WriteIn *w, const struct proof_bind *b)
{
	size_t i;

	for (i = 0; i < f->len; i++) {
		f->data[i] ^= 0x01;
		ck_assert_int_ne(writein_check(w, b), 0);
		f->data[i] ^= 0x01;
	}
}

START_TEST(test_tampered)
{
	struct proof_bind b = bind_of(3, 0);
	Tally__WriteIn w = TALLY__WRITE_IN__INIT;
	char out[WRITEIN_NAME_MAX + 1];
	size_t j;

	ck_assert_int_eq(writein_encrypt(&w, pk, "李四", &b), 0);
	for (j = 0; j < WRITEIN_POINTS; j++) {
		flip_all(&w.name[j]->a, &w, &b);
		flip_all(&w.name[j]->b, &w, &b);
		flip_all(&w.pok[j]->t, &w, &b);
		flip_all(&w.pok[j]->v, &w, &b);
	}
	w.n_pok--;
	ck_assert_int_eq(writein_check(&w, &b), TALLY_ERR_BALLOT_SHAPE);
	w.n_pok++;
	w.n_name--;
	ck_assert_int_eq(writein_check(&w, &b), TALLY_ERR_BALLOT_SHAPE);
	w.n_name++;
	w.name[1]->b.len--;
	ck_assert_int_eq(writein_check(&w, &b), TALLY_ERR_BAD_POINT);
	w.name[1]->b.len++;
	ck_assert_int_eq(writein_check(&w, &b), 0);
	ck_assert_int_eq(open_with(out, &w, sk), 0);
	ck_assert_str_eq(out, "李四");
	writein_clear(&w);
}
END_TEST

/* Opening a challenged write-in: the right name and randomness re-encrypt
 * exactly; another name or scalar does not. */
START_TEST(test_reveal)
{
	struct proof_bind b = bind_of(0, 1);
	Tally__WriteIn w = TALLY__WRITE_IN__INIT;
	uint8_t r[WRITEIN_POINTS][32];
	ProtobufCBinaryData rb[WRITEIN_POINTS];
	size_t j;

	ck_assert_int_eq(writein_encrypt_r(&w, pk, "王五", &b, r), 0);
	for (j = 0; j < WRITEIN_POINTS; j++)
		rb[j] = (ProtobufCBinaryData){ 32, r[j] };
	ck_assert_int_eq(writein_reveal_check(&w, pk, rb, "王五"), 0);
	ck_assert_int_eq(writein_reveal_check(&w, pk, rb, "王六"),
	    TALLY_ERR_REVEAL);
	ck_assert_int_eq(writein_reveal_check(&w, pk, rb,
	    "1234567890123456789012345678901234567890123456789012345678901"),
	    TALLY_ERR_TOO_LARGE);
	r[1][31] ^= 1;
	ck_assert_int_eq(writein_reveal_check(&w, pk, rb, "王五"),
	    TALLY_ERR_REVEAL);
	rb[1].len = 31;
	ck_assert_int_eq(writein_reveal_check(&w, pk, rb, "王五"),
	    TALLY_ERR_BAD_SCALAR);
	writein_clear(&w);
}
END_TEST

START_TEST(test_sizes_constant)
{
	static const char *names[] = {"", "x", "张三",
	    "123456789012345678901234567890123456789012345678901234567890"};
	struct proof_bind b = bind_of(0, 0);
	Tally__WriteIn w = TALLY__WRITE_IN__INIT;
	size_t i, j, first = 0, sz;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(writein_encrypt(&w, pk, names[i], &b), 0);
		ck_assert_uint_eq(w.n_name, WRITEIN_POINTS);
		ck_assert_uint_eq(w.n_pok, WRITEIN_POINTS);
		for (j = 0; j < WRITEIN_POINTS; j++) {
			ck_assert_uint_eq(w.name[j]->a.len, 33);
			ck_assert_uint_eq(w.name[j]->b.len, 33);
			ck_assert_uint_eq(w.pok[j]->t.len, 33);
			ck_assert_uint_eq(w.pok[j]->v.len, 32);
		}
		sz = tally__write_in__get_packed_size(&w);
		if (i == 0)
			first = sz;
		ck_assert_uint_eq(sz, first);
		writein_clear(&w);
	}
}
END_TEST

/* ------------------------------------------------ names as points */

static void
names_points(EC_POINT **pts)
{
	size_t j;

	for (j = 0; j < WRITEIN_POINTS; j++)
		ck_assert_ptr_nonnull(pts[j] = group_point_new());
}

static void
names_points_free(EC_POINT **pts)
{
	size_t j;

	for (j = 0; j < WRITEIN_POINTS; j++)
		group_point_free(pts[j]);
}

static void
point_is(const EC_POINT *P, const char *hex)
{
	uint8_t enc[GROUP_POINT_LEN], *want;
	size_t len;

	want = tu_unhex(hex, &len);
	ck_assert_uint_eq(len, GROUP_POINT_LEN);
	ck_assert_int_eq(group_point_encode(enc, P), 0);
	ck_assert_mem_eq(enc, want, GROUP_POINT_LEN);
	free(want);
}

/* Known answers of docs/record/mixnet.md, computed independently with
 * Python integers from the description. */
START_TEST(test_name_points_vectors)
{
	/* 20 characters of 3 UTF-8 bytes: the longest name allowed. */
	static const char ouyang[] = "\xe6\xac\xa7\xe9\x98\xb3";
	char name[MANIFEST_WRITEIN_MAX + 1], longest[61] = "";
	EC_POINT *pts[WRITEIN_POINTS];
	int i;

	ck_assert_int_eq(WRITEIN_POINTS, 2);
	for (i = 0; i < 10; i++)
		strcat(longest, ouyang);
	ck_assert_uint_eq(strlen(longest), MANIFEST_WRITEIN_MAX);
	names_points(pts);
	ck_assert_int_eq(writein_name_encode(pts, ""), 0);
	point_is(pts[0], "02000000000000000000000000000000"
	    "00000000000000000000000000000000" "00");
	point_is(pts[1], "02000000000000000000000000000000"
	    "00000000000000000000000000000000" "00");
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts), 0);
	ck_assert_str_eq(name, "");
	ck_assert_int_eq(writein_name_encode(pts, "Zhang Wei"), 0);
	point_is(pts[0], "0200095a68616e672057656900000000"
	    "00000000000000000000000000000000" "00");
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts), 0);
	ck_assert_str_eq(name, "Zhang Wei");
	ck_assert_int_eq(writein_name_encode(pts, longest), 0);
	point_is(pts[0], "02003ce6aca7e998b3e6aca7e998b3e6"
	    "aca7e998b3e6aca7e998b3e6aca7e998" "b3");
	point_is(pts[1], "0201e6aca7e998b3e6aca7e998b3e6ac"
	    "a7e998b3e6aca7e998b3e6aca7e998b3" "00");
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts), 0);
	ck_assert_str_eq(name, longest);
	names_points_free(pts);
}
END_TEST

START_TEST(test_name_points_refused)
{
	char name[MANIFEST_WRITEIN_MAX + 1], big[MANIFEST_WRITEIN_MAX + 2];
	EC_POINT *pts[WRITEIN_POINTS];
	uint8_t enc[GROUP_POINT_LEN] = {0x02};

	names_points(pts);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(writein_name_encode(pts, big), TALLY_ERR_TOO_LARGE);
	big[MANIFEST_WRITEIN_MAX] = '\0';
	ck_assert_int_eq(writein_name_encode(pts, big), 0);
	ck_assert_int_eq(writein_name_encode(pts, "\xc3"), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(writein_name_encode(pts, "\xc0\xaf"),
	    TALLY_ERR_INVALID_ARG);
	/* Odd y: the negation of a valid encoding. */
	ck_assert_int_eq(writein_name_encode(pts, "Li"), 0);
	ck_assert_int_eq(EC_POINT_invert(group_ec(), pts[1], NULL), 1);
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts),
	    TALLY_ERR_DECODE);
	/* A point that is no encoding at all. */
	ck_assert_int_eq(writein_name_encode(pts, "Li"), 0);
	ck_assert_int_eq(group_mul_g_u64(pts[1], 12345), 0);
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts),
	    TALLY_ERR_DECODE);
	/* Not the least counter: the zero chunk has a point at counter 0
	 * (x = 0), so 02 || ctr || zeros for the next ctr that has one. */
	for (enc[1] = 1; group_point_decode(pts[1], enc, sizeof(enc)) != 0;
	    enc[1]++)
		;
	ck_assert_int_eq(writein_name_encode(pts, ""), 0);
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts), 0);
	ck_assert_int_eq(group_point_decode(pts[1], enc, sizeof(enc)), 0);
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts),
	    TALLY_ERR_DECODE);
	/* A length byte over the limit: chunk 0 = 3d 00 ... (61). */
	ck_assert_int_eq(writein_name_encode(pts, ""), 0);
	enc[2] = MANIFEST_WRITEIN_MAX + 1;
	for (enc[1] = 0; group_point_decode(pts[0], enc, sizeof(enc)) != 0;
	    enc[1]++)
		;
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts),
	    TALLY_ERR_DECODE);
	/* Bytes after the name: "" with a non-zero padding byte. */
	enc[2] = 0;
	enc[10] = 'x';
	for (enc[1] = 0; group_point_decode(pts[0], enc, sizeof(enc)) != 0;
	    enc[1]++)
		;
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts),
	    TALLY_ERR_DECODE);
	/* Not UTF-8 inside: length 1, byte ff. */
	enc[2] = 1;
	enc[3] = 0xff;
	enc[10] = 0;
	for (enc[1] = 0; group_point_decode(pts[0], enc, sizeof(enc)) != 0;
	    enc[1]++)
		;
	ck_assert_int_eq(writein_name_decode(name, (const EC_POINT **)pts),
	    TALLY_ERR_DECODE);
	ck_assert_str_eq(name, "");
	names_points_free(pts);
}
END_TEST

/* Every name encodes to points that decode to it, and distinct names give
 * distinct points. */
START_TEST(test_name_points_roundtrip)
{
	static const char *names[] = {"a", "ab", "\xe5\xbc\xa0\xe4\xbc\x9f",
	    "Ana Mar\xc3\xad\x61", "x y z", "0123456789012345678901234567890",
	    "01234567890123456789012345678901"};
	char name[MANIFEST_WRITEIN_MAX + 1];
	EC_POINT *pts[WRITEIN_POINTS], *prev[WRITEIN_POINTS];
	size_t i;

	names_points(pts);
	names_points(prev);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_int_eq(writein_name_encode(pts, names[i]), 0);
		ck_assert_int_eq(writein_name_decode(name,
		    (const EC_POINT **)pts), 0);
		ck_assert_str_eq(name, names[i]);
		if (i > 0)
			ck_assert(!group_point_equal(pts[0], prev[0]) ||
			    !group_point_equal(pts[1], prev[1]));
		ck_assert_int_eq(group_point_copy(prev[0], pts[0]), 0);
		ck_assert_int_eq(group_point_copy(prev[1], pts[1]), 0);
	}
	names_points_free(pts);
	names_points_free(prev);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("writein");
	TCase *tc = tcase_create("writein");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_refused_names);
	tcase_add_test(tc, test_wrong_key_or_context);
	tcase_add_test(tc, test_tampered);
	tcase_add_test(tc, test_points_do_not_move);
	tcase_add_test(tc, test_reveal);
	tcase_add_test(tc, test_sizes_constant);
	tcase_add_test(tc, test_name_points_vectors);
	tcase_add_test(tc, test_name_points_refused);
	tcase_add_test(tc, test_name_points_roundtrip);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
