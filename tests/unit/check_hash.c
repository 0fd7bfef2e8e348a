/* check_hash.c: known answers for the tagged hash framing (docs/RECORD.md),
 * the SHA-512 challenge reduction and CRC-32C. The expected values were
 * computed independently with Python's hashlib from the framing of
 * docs/design.md §4. */
#include <string.h>

#include "err.h"
#include "group.h"
#include "hash.h"
#include "testutil.h"
#include "util.h"

static void
expect_hex(const uint8_t *got, size_t len, const char *hex)
{
	char buf[129];

	util_hex(buf, got, len);
	ck_assert_str_eq(buf, hex);
}

START_TEST(test_empty_parts)
{
	uint8_t out[HASH_LEN];

	ck_assert_int_eq(hash_tagged(out, "test", NULL, 0), 0);
	expect_hex(out, sizeof(out),
	    "74b10bf5a97e2d467262f0a929db09c6b4d35af1185b3aecb594a6895be4bbac");
}
END_TEST

START_TEST(test_parts)
{
	uint8_t out[HASH_LEN], seq[40];
	struct hash_part parts[3];
	int i;

	for (i = 0; i < 40; i++)
		seq[i] = (uint8_t)i;
	parts[0] = (struct hash_part){"", 0};
	parts[1] = (struct hash_part){"abc", 3};
	parts[2] = (struct hash_part){seq, sizeof(seq)};
	ck_assert_int_eq(hash_tagged(out, "test", parts, 3), 0);
	expect_hex(out, sizeof(out),
	    "3390d07162bdbd97799b1bbf876f196ce9b5a84b66466f170f4ea6348828681c");
}
END_TEST

START_TEST(test_integers)
{
	struct hash_ctx h;
	uint8_t out[HASH_LEN];

	ck_assert_int_eq(hash_init(&h, "record", 0), 0);
	ck_assert_int_eq(hash_add_u32(&h, 7), 0);
	ck_assert_int_eq(hash_add_u64(&h, (uint64_t)1 << 40), 0);
	ck_assert_int_eq(hash_final(&h, out), 0);
	expect_hex(out, sizeof(out),
	    "76ccd649938957eb115c6fac42a11fb386759622673ded61346bb6a9dfff4b51");
}
END_TEST

START_TEST(test_framing_separates_parts)
{
	/* ("ab", "c") and ("a", "bc") must differ: lengths are framed. */
	uint8_t x[HASH_LEN], y[HASH_LEN];
	struct hash_part p1[2] = {{"ab", 2}, {"c", 1}};
	struct hash_part p2[2] = {{"a", 1}, {"bc", 2}};

	ck_assert_int_eq(hash_tagged(x, "t", p1, 2), 0);
	ck_assert_int_eq(hash_tagged(y, "t", p2, 2), 0);
	ck_assert(memcmp(x, y, HASH_LEN) != 0);
	ck_assert_int_eq(hash_tagged(y, "u", p1, 2), 0);
	ck_assert(memcmp(x, y, HASH_LEN) != 0);
}
END_TEST

START_TEST(test_challenge)
{
	struct hash_ctx h;
	uint8_t out[GROUP_SCALAR_LEN];
	BIGNUM *c = BN_new();

	ck_assert_int_eq(hash_init(&h, "challenge", 1), 0);
	ck_assert_int_eq(hash_add(&h, "abc", 3), 0);
	ck_assert_int_eq(hash_final_scalar(&h, c), 0);
	ck_assert_int_eq(group_scalar_encode(out, c), 0);
	expect_hex(out, sizeof(out),
	    "c264c4caaa4a16052486b8e3b2005679988a44c2f452ef3cc5eddad5814640af");
	BN_free(c);
}
END_TEST

START_TEST(test_wrong_final)
{
	struct hash_ctx h;
	uint8_t out[HASH_LEN];
	BIGNUM *c = BN_new();

	ck_assert_int_eq(hash_init(&h, "x", 1), 0);
	ck_assert_int_eq(hash_final(&h, out), TALLY_ERR_CRYPTO);
	ck_assert_int_eq(hash_init(&h, "x", 0), 0);
	ck_assert_int_eq(hash_final_scalar(&h, c), TALLY_ERR_CRYPTO);
	BN_free(c);
}
END_TEST

START_TEST(test_crc32c)
{
	/* The CRC-32C check value (RFC 3720 B.4 and the Castagnoli catalogue). */
	ck_assert_uint_eq(hash_crc32c("123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(hash_crc32c("", 0), 0);
}
END_TEST

START_TEST(test_sha256_rfc6962_empty)
{
	uint8_t out[HASH_LEN];

	ck_assert_int_eq(hash_sha256(out, "", 0), 0);
	expect_hex(out, sizeof(out),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_empty_parts);
	tcase_add_test(tc, test_parts);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_framing_separates_parts);
	tcase_add_test(tc, test_challenge);
	tcase_add_test(tc, test_wrong_final);
	tcase_add_test(tc, test_crc32c);
	tcase_add_test(tc, test_sha256_rfc6962_empty);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
