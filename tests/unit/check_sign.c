/* check_sign.c: Ed25519 against Wycheproof (every valid signature verifies,
 * every invalid one is refused), key derivation and round trips. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "sign.h"

#include <openssl/evp.h>
#include "testutil.h"
#include "util.h"

START_TEST(test_wycheproof)
{
	json_t *j = tu_load_vector("wycheproof/ed25519_test.json");
	json_t *g, *t;
	uint8_t *pk, *msg, *sig;
	size_t gi, ti, pl, ml, sl, valid = 0, invalid = 0;
	const char *res;
	int ret;

	json_array_foreach(json_object_get(j, "testGroups"), gi, g) {
		pk = tu_unhex(json_string_value(json_object_get(
		    json_object_get(g, "publicKey"), "pk")), &pl);
		ck_assert_uint_eq(pl, ED25519_KEY_LEN);
		json_array_foreach(json_object_get(g, "tests"), ti, t) {
			msg = tu_unhex(json_string_value(json_object_get(t,
			    "msg")), &ml);
			sig = tu_unhex(json_string_value(json_object_get(t,
			    "sig")), &sl);
			res = json_string_value(json_object_get(t, "result"));
			ret = ed25519_verify(pk, msg, ml, sig, sl);
			if (strcmp(res, "valid") == 0) {
				ck_assert_msg(ret == 0, "tcId %lld",
				    (long long)json_integer_value(
				    json_object_get(t, "tcId")));
				valid++;
			} else {
				ck_assert_msg(ret == TALLY_ERR_BAD_SIGNATURE,
				    "tcId %lld", (long long)json_integer_value(
				    json_object_get(t, "tcId")));
				invalid++;
			}
			free(msg);
			free(sig);
		}
		free(pk);
	}
	ck_assert_uint_gt(valid, 0);
	ck_assert_uint_gt(invalid, 50);
	json_decref(j);
}
END_TEST

/* RFC 8032 7.1 test 1: the empty message. */
START_TEST(test_rfc8032_known_answer)
{
	uint8_t sk[32], pk[32], want_pk[32], sig[64], want_sig[64];

	util_unhex(sk, 32, "9d61b19deffd5a60ba844af492ec2cc4"
	    "4449c5697b326919703bac031cae7f60");
	util_unhex(want_pk, 32, "d75a980182b10ab7d54bfed3c964073a"
	    "0ee172f3daa62325af021a68f707511a");
	util_unhex(want_sig, 64, "e5564300c360ac729086e2cc806e828a"
	    "84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
	    "d25bf5f0595bbe24655141438e7a100b");
	ck_assert_int_eq(ed25519_public_from_private(pk, sk), 0);
	ck_assert_mem_eq(pk, want_pk, 32);
	ck_assert_int_eq(ed25519_sign(sig, sk, "", 0), 0);
	ck_assert_mem_eq(sig, want_sig, 64);
	ck_assert_int_eq(ed25519_verify(pk, "", 0, sig, 64), 0);
}
END_TEST

/*
 * OpenSSL verifies a signature under a small-order or non-canonical key:
 * with the identity as key, R = identity and S = 0 sign every message.
 * ed25519_verify refuses every such key (docs/RECORD.md §1). The list of
 * small-order encodings was checked independently (8P = 0 in Python).
 */
static void
unhex32(const char *hex, uint8_t out[32])
{
	size_t n;
	uint8_t *b = tu_unhex(hex, &n);

	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(n, 32);
	memcpy(out, b, 32);
	free(b);
}

START_TEST(test_weak_keys_refused)
{
	static const char *const weak[] = {
		"0100000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000080",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		/* non-canonical: y = p, p + 1 (the identity), p + 18 */
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	};
	uint8_t pk[32], sig[64] = { 0x01 }, sk[32], good[32];
	EVP_PKEY *k;
	EVP_MD_CTX *md;
	size_t i;

	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		unhex32(weak[i], pk);
		ck_assert_msg(!ed25519_key_is_strict(pk), "%s strict", weak[i]);
		ck_assert_int_eq(ed25519_verify(pk, "m", 1, sig, 64),
		    TALLY_ERR_BAD_SIGNATURE);
	}
	/* The forgery is real: OpenSSL alone accepts it for the identity. */
	unhex32(weak[0], pk);
	k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	md = EVP_MD_CTX_new();
	ck_assert_ptr_nonnull(k);
	ck_assert_ptr_nonnull(md);
	ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, NULL, NULL, k), 1);
	ck_assert_int_eq(EVP_DigestVerify(md, sig, 64,
	    (const uint8_t *)"m", 1), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	/* y = p - 1 (byte 0 = ec) is canonical; fresh keys are strict. */
	unhex32("ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	    pk);
	ck_assert(ed25519_key_is_strict(pk));
	for (i = 0; i < 64; i++) {
		ck_assert_int_eq(ed25519_keygen(sk, good), 0);
		ck_assert(ed25519_key_is_strict(good));
	}
}
END_TEST

START_TEST(test_roundtrip_and_flips)
{
	uint8_t sk[32], pk[32], pk2[32], sig[64], msg[40];
	size_t i;

	memset(msg, 0x5a, sizeof(msg));
	ck_assert_int_eq(ed25519_keygen(sk, pk), 0);
	ck_assert_int_eq(ed25519_public_from_private(pk2, sk), 0);
	ck_assert_mem_eq(pk, pk2, 32);
	ck_assert_int_eq(ed25519_sign(sig, sk, msg, sizeof(msg)), 0);
	ck_assert_int_eq(ed25519_verify(pk, msg, sizeof(msg), sig, 64), 0);
	for (i = 0; i < 64 * 8; i++) {
		sig[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_ne(ed25519_verify(pk, msg, sizeof(msg), sig, 64),
		    0);
		sig[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	for (i = 0; i < sizeof(msg) * 8; i++) {
		msg[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_ne(ed25519_verify(pk, msg, sizeof(msg), sig, 64),
		    0);
		msg[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	for (i = 0; i < 32 * 8; i++) {
		pk[i / 8] ^= (uint8_t)(1 << (i % 8));
		ck_assert_int_ne(ed25519_verify(pk, msg, sizeof(msg), sig, 64),
		    0);
		pk[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	ck_assert_int_eq(ed25519_verify(pk, msg, sizeof(msg), sig, 63),
	    TALLY_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(ed25519_verify(pk, msg, sizeof(msg), sig, 65),
	    TALLY_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(ed25519_verify(pk, msg, sizeof(msg), NULL, 64),
	    TALLY_ERR_BAD_SIGNATURE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_wycheproof);
	tcase_add_test(tc, test_rfc8032_known_answer);
	tcase_add_test(tc, test_roundtrip_and_flips);
	tcase_add_test(tc, test_weak_keys_refused);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
