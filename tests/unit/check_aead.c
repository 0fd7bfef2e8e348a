/* check_aead.c: HKDF-SHA256 and AES-256-GCM: published known answers,
 * round trips, and every way a sealed box can be damaged (truncated,
 * oversized, trailing bytes, one bit of anything flipped). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "err.h"
#include "testutil.h"
#include "util.h"

static void
expect_hex(const uint8_t *got, size_t len, const char *hex)
{
	char buf[256];

	ck_assert_uint_lt(2 * len, sizeof(buf));
	util_hex(buf, got, len);
	ck_assert_str_eq(buf, hex);
}

/* RFC 5869 appendix A.1 (HKDF-SHA256, test case 1) and A.3 (no salt, no
 * info). */
START_TEST(test_hkdf_rfc5869)
{
	uint8_t ikm[22], salt[13], info[10], okm[42];
	size_t i;

	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	ck_assert_int_eq(aead_hkdf(okm, sizeof(okm), ikm, sizeof(ikm), salt,
	    sizeof(salt), info, sizeof(info)), 0);
	expect_hex(okm, sizeof(okm),
	    "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	    "34007208d5b887185865");
	/* Regression: an absent salt or info (NULL, 0) was E_CRYPTO. */
	ck_assert_int_eq(aead_hkdf(okm, sizeof(okm), ikm, sizeof(ikm), NULL, 0,
	    NULL, 0), 0);
	expect_hex(okm, sizeof(okm),
	    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	    "9d201395faa4b61a96c8");
	memset(okm, 0, sizeof(okm));
	ck_assert_int_eq(aead_hkdf(okm, sizeof(okm), ikm, sizeof(ikm), salt, 0,
	    info, 0), 0);
	expect_hex(okm, sizeof(okm),
	    "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
	    "9d201395faa4b61a96c8");
	/* More than 255 blocks of output is not HKDF. */
	{
		uint8_t *big = malloc(255 * 32 + 1);

		ck_assert_int_eq(aead_hkdf(big, 255 * 32 + 1, ikm, sizeof(ikm),
		    NULL, 0, NULL, 0), TALLY_ERR_CRYPTO);
		free(big);
	}
}
END_TEST

/* The GCM specification's test cases 13 and 14 (AES-256, zero key and
 * nonce): an empty plaintext, and one zero block. */
START_TEST(test_gcm_known_answers)
{
	uint8_t key[AEAD_KEY_LEN] = {0}, nonce[AEAD_NONCE_LEN] = {0};
	uint8_t pt[16] = {0}, out[16 + AEAD_TAG_LEN], back[16];

	ck_assert_int_eq(aead_seal(out, key, nonce, NULL, 0, pt, 0), 0);
	expect_hex(out, AEAD_TAG_LEN, "530f8afbc74536b9a963b4f1c4cb738b");
	ck_assert_int_eq(aead_open(back, key, nonce, NULL, 0, out,
	    AEAD_TAG_LEN), 0);
	ck_assert_int_eq(aead_seal(out, key, nonce, NULL, 0, pt, 16), 0);
	expect_hex(out, sizeof(out),
	    "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
	ck_assert_int_eq(aead_open(back, key, nonce, NULL, 0, out,
	    sizeof(out)), 0);
	ck_assert(memcmp(back, pt, sizeof(pt)) == 0);
}
END_TEST

struct box {
	uint8_t key[AEAD_KEY_LEN], nonce[AEAD_NONCE_LEN], aad[20];
	uint8_t pt[45], ct[45 + AEAD_TAG_LEN + 1];
};

static void
box_new(struct box *b)
{
	size_t i;

	for (i = 0; i < sizeof(b->key); i++)
		b->key[i] = (uint8_t)(7 * i + 1);
	for (i = 0; i < sizeof(b->nonce); i++)
		b->nonce[i] = (uint8_t)(3 * i + 2);
	memcpy(b->aad, "tally/v1/test-aad-20", sizeof(b->aad));
	for (i = 0; i < sizeof(b->pt); i++)
		b->pt[i] = (uint8_t)(i * i);
	ck_assert_int_eq(aead_seal(b->ct, b->key, b->nonce, b->aad,
	    sizeof(b->aad), b->pt, sizeof(b->pt)), 0);
	b->ct[sizeof(b->pt) + AEAD_TAG_LEN] = 0x5a;
}

/* Open b's box with ctlen bytes: the result, and the output is either the
 * plaintext or all zero (never a partial decryption). */
static int
box_open(const struct box *b, const uint8_t *ct, size_t ctlen,
    const uint8_t *aad, size_t aadlen)
{
	uint8_t out[sizeof(b->ct)], zero[sizeof(b->ct)] = {0};
	int ret;

	memset(out, 0xee, sizeof(out));
	ret = aead_open(out, b->key, b->nonce, aad, aadlen, ct, ctlen);
	if (ret == 0)
		ck_assert(memcmp(out, b->pt, sizeof(b->pt)) == 0);
	else if (ctlen >= AEAD_TAG_LEN && ctlen <= sizeof(b->ct))
		ck_assert(memcmp(out, zero, ctlen - AEAD_TAG_LEN) == 0);
	return ret;
}

START_TEST(test_round_trip_and_flips)
{
	struct box b;
	size_t n = sizeof(b.pt) + AEAD_TAG_LEN, i;
	int bit;

	box_new(&b);
	ck_assert(memcmp(b.ct, b.pt, sizeof(b.pt)) != 0);
	ck_assert_int_eq(box_open(&b, b.ct, n, b.aad, sizeof(b.aad)), 0);
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit += 3) {
			b.ct[i] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(box_open(&b, b.ct, n, b.aad,
			    sizeof(b.aad)), TALLY_ERR_CRYPTO);
			b.ct[i] ^= (uint8_t)(1u << bit);
		}
	}
	for (i = 0; i < sizeof(b.aad); i++) {
		b.aad[i] ^= 0x01;
		ck_assert_int_eq(box_open(&b, b.ct, n, b.aad, sizeof(b.aad)),
		    TALLY_ERR_CRYPTO);
		b.aad[i] ^= 0x01;
	}
	/* no aad, a shorter aad */
	ck_assert_int_eq(box_open(&b, b.ct, n, NULL, 0), TALLY_ERR_CRYPTO);
	ck_assert_int_eq(box_open(&b, b.ct, n, b.aad, sizeof(b.aad) - 1),
	    TALLY_ERR_CRYPTO);
	/* another key or nonce */
	b.key[31] ^= 0x80;
	ck_assert_int_eq(box_open(&b, b.ct, n, b.aad, sizeof(b.aad)),
	    TALLY_ERR_CRYPTO);
	b.key[31] ^= 0x80;
	b.nonce[0] ^= 0x01;
	ck_assert_int_eq(box_open(&b, b.ct, n, b.aad, sizeof(b.aad)),
	    TALLY_ERR_CRYPTO);
}
END_TEST

START_TEST(test_truncated_trailing_oversized)
{
	struct box b;
	size_t n = sizeof(b.pt) + AEAD_TAG_LEN, k;
	uint8_t out[8];

	box_new(&b);
	/* every truncation: no tag at all, or a tag in the wrong place */
	for (k = 0; k < n; k++)
		ck_assert_int_eq(box_open(&b, b.ct, k, b.aad, sizeof(b.aad)),
		    k < AEAD_TAG_LEN ? TALLY_ERR_TRUNCATED : TALLY_ERR_CRYPTO);
	/* one trailing byte */
	ck_assert_int_eq(box_open(&b, b.ct, n + 1, b.aad, sizeof(b.aad)),
	    TALLY_ERR_CRYPTO);
	/* the first byte cut off */
	ck_assert_int_eq(box_open(&b, b.ct + 1, n - 1, b.aad, sizeof(b.aad)),
	    TALLY_ERR_CRYPTO);
	/* lengths OpenSSL cannot take are refused before anything is read */
	ck_assert_int_eq(aead_open(out, b.key, b.nonce, NULL, 0, b.ct,
	    (size_t)INT_MAX + 1), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(aead_seal(out, b.key, b.nonce, NULL, 0, b.pt,
	    (size_t)INT_MAX), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(aead_seal(b.ct, b.key, b.nonce, b.aad,
	    (size_t)INT_MAX + 1, b.pt, 1), TALLY_ERR_CRYPTO);
}
END_TEST

static Suite *
aead_suite(void)
{
	Suite *s = suite_create("aead");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_hkdf_rfc5869);
	tcase_add_test(tc, test_gcm_known_answers);
	tcase_add_test(tc, test_round_trip_and_flips);
	tcase_add_test(tc, test_truncated_trailing_oversized);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(aead_suite());
}
