/* check_pb.c: strict protobuf decoding: only the canonical encoding of a
 * message is accepted; truncated, oversized, trailing, reordered, padded or
 * unknown-field inputs are refused, at any depth. */
#include <string.h>

#include "err.h"
#include "pb.h"
#include "tally.pb-c.h"
#include "testutil.h"

/* Ciphertext { a = "xyz", b = "pq" }, canonical. */
static const uint8_t ct_good[] = {0x0a, 3, 'x', 'y', 'z', 0x12, 2, 'p', 'q'};

static int
unpack(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len,
    size_t max)
{
	ProtobufCMessage *m = (ProtobufCMessage *)&m;
	int ret = pb_unpack_strict(d, p, len, max, &m);

	if (ret == 0) {
		ck_assert_ptr_nonnull(m);
		protobuf_c_message_free_unpacked(m, NULL);
	} else
		ck_assert_ptr_null(m);
	return ret;
}

static int
unpack_ct(const uint8_t *p, size_t len)
{
	return unpack(&tally__ciphertext__descriptor, p, len, 1024);
}

START_TEST(test_canonical)
{
	ProtobufCMessage *m;
	Tally__Ciphertext *c;

	ck_assert_int_eq(pb_unpack_strict(&tally__ciphertext__descriptor,
	    ct_good, sizeof(ct_good), sizeof(ct_good), &m), 0);
	c = (Tally__Ciphertext *)m;
	ck_assert_uint_eq(c->a.len, 3);
	ck_assert(memcmp(c->a.data, "xyz", 3) == 0);
	ck_assert_uint_eq(c->b.len, 2);
	ck_assert(pb_is_strict(m));
	protobuf_c_message_free_unpacked(m, NULL);
	/* the empty message is canonical */
	ck_assert_int_eq(unpack_ct(ct_good, 0), 0);
}
END_TEST

START_TEST(test_oversized)
{
	ck_assert_int_eq(unpack(&tally__ciphertext__descriptor, ct_good,
	    sizeof(ct_good), sizeof(ct_good) - 1), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(unpack(&tally__ciphertext__descriptor, ct_good, 1, 0),
	    TALLY_ERR_TOO_LARGE);
}
END_TEST

/* A cut inside a field never decodes; a cut between fields is another,
 * shorter message (the callers' *_validate() refuse missing fields). */
START_TEST(test_truncated)
{
	size_t k;

	for (k = 1; k < sizeof(ct_good); k++)
		ck_assert_int_eq(unpack_ct(ct_good, k),
		    k == 5 ? 0 : TALLY_ERR_DECODE);
}
END_TEST

START_TEST(test_trailing)
{
	uint8_t p[32];
	size_t n = sizeof(ct_good);

	memcpy(p, ct_good, n);
	/* a zero byte: tag 0 is not a field */
	p[n] = 0x00;
	ck_assert_int_eq(unpack_ct(p, n + 1), TALLY_ERR_DECODE);
	/* an unknown field 15 (varint 1) */
	p[n] = 0x78;
	p[n + 1] = 0x01;
	ck_assert_int_eq(unpack_ct(p, n + 2), TALLY_ERR_TRAILING);
	/* field b again: protobuf keeps the last one, tally refuses both */
	p[n] = 0x12;
	p[n + 1] = 1;
	p[n + 2] = 'r';
	ck_assert_int_eq(unpack_ct(p, n + 3), TALLY_ERR_TRAILING);
}
END_TEST

START_TEST(test_non_canonical)
{
	/* b before a */
	const uint8_t swapped[] = {0x12, 2, 'p', 'q', 0x0a, 3, 'x', 'y', 'z'};
	/* a length written in two bytes (0x83 0x00 = 3) */
	const uint8_t padded[] = {0x0a, 0x83, 0x00, 'x', 'y', 'z', 0x12, 2,
	    'p', 'q'};
	/* an empty field written out (proto3 leaves it out) */
	const uint8_t empty[] = {0x0a, 0, 0x12, 2, 'p', 'q'};
	/* a as a varint: the wrong wire type */
	const uint8_t wiretype[] = {0x08, 0x01, 0x12, 2, 'p', 'q'};

	ck_assert_int_eq(unpack_ct(swapped, sizeof(swapped)),
	    TALLY_ERR_TRAILING);
	ck_assert_int_eq(unpack_ct(padded, sizeof(padded)), TALLY_ERR_TRAILING);
	ck_assert_int_eq(unpack_ct(empty, sizeof(empty)), TALLY_ERR_TRAILING);
	ck_assert_int_ne(unpack_ct(wiretype, sizeof(wiretype)), 0);
}
END_TEST

/* BallotBody { version = 2, selections = [Ciphertext { a = "a" }] }, then
 * the same with an unknown field inside the nested Ciphertext. */
START_TEST(test_nested_unknown_field)
{
	const uint8_t good[] = {0x08, 2, 0x2a, 3, 0x0a, 1, 'a'};
	const uint8_t bad[] = {0x08, 2, 0x2a, 5, 0x0a, 1, 'a', 0x78, 0x01};
	const uint8_t cut[] = {0x08, 2, 0x2a, 5, 0x0a, 1, 'a'};

	ck_assert_int_eq(unpack(&tally__ballot_body__descriptor, good,
	    sizeof(good), 1024), 0);
	ck_assert_int_eq(unpack(&tally__ballot_body__descriptor, bad,
	    sizeof(bad), 1024), TALLY_ERR_TRAILING);
	ck_assert_int_eq(unpack(&tally__ballot_body__descriptor, cut,
	    sizeof(cut), 1024), TALLY_ERR_DECODE);
}
END_TEST

static Suite *
pb_suite(void)
{
	Suite *s = suite_create("pb");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_canonical);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_trailing);
	tcase_add_test(tc, test_non_canonical);
	tcase_add_test(tc, test_nested_unknown_field);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(pb_suite());
}
