/* check_witness.c: witness sets, C2SP cosignatures and witness keys, with
 * the known answers of docs/record/witness.md (computed independently:
 * Python hashlib/base64 and the openssl CLI on the RFC 8032 test 1 key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "hash.h"
#include "testutil.h"
#include "util.h"
#include "witness.h"

/* RFC 8032 section 7.1, test 1. */
static const char *const SK =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char *const PK =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char *const PEM =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
static const char *const MSG =
    "cosignature/v1\n"
    "time 1767225600\n"
    "tally/s6-head/000102030405060708090a0b0c0d0e0f"
    "101112131415161718191a1b1c1d1e1f\n"
    "42\n"
    "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n";
static const char *const SIG =
    "199e983ae16ff7ff42fdf9d680dfca63f54bbd2daa8356523fe14553fcac905f"
    "94d199ca1cb16a39271867a8023451ee835491d8ef36d9669d960f7383dab00f";

static uint8_t sk[32], pk[32], he[32], root[32];
static char origin[WITNESS_ORIGIN_MAX];

static void
setup(void)
{
	size_t i;

	ck_assert_int_eq(util_unhex(sk, 32, SK), 0);
	ck_assert_int_eq(util_unhex(pk, 32, PK), 0);
	for (i = 0; i < 32; i++)
		he[i] = (uint8_t)i;
	memset(root, 0xab, sizeof(root));
	ck_assert_int_eq(witness_origin(origin, "s6-head", he), 0);
}

START_TEST(test_fingerprint_known_answer)
{
	char fp[WITNESS_FP_LEN];

	ck_assert_int_eq(witness_fingerprint(fp, pk), 0);
	ck_assert_str_eq(fp, "T6KP-EFDV-E366-5AVW");
}
END_TEST

START_TEST(test_message_known_answer)
{
	uint8_t msg[WITNESS_MSG_MAX];
	size_t len;

	ck_assert_int_eq(witness_message(msg, &len, origin, 42, root,
	    1767225600), 0);
	ck_assert_uint_eq(len, strlen(MSG));
	ck_assert_mem_eq(msg, MSG, len);
	ck_assert_int_eq(witness_message(msg, &len, origin, 42, root,
	    (uint64_t)INT64_MAX + 1), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(witness_message(msg, &len, "a\nb", 42, root, 1),
	    TALLY_ERR_INVALID_ARG);
}
END_TEST

static void
cosig(Tally__Cosignature *c, uint8_t *key, uint8_t *r, uint8_t *sig,
    uint64_t size, uint64_t t)
{
	tally__cosignature__init(c);
	c->witness_key.data = key;
	c->witness_key.len = 32;
	c->root.data = r;
	c->root.len = 32;
	c->signature.data = sig;
	c->signature.len = 64;
	c->size = size;
	c->timestamp = t;
}

START_TEST(test_cosign_known_answer)
{
	uint8_t sig[64], want[64], other[32], r2[32];
	Tally__Cosignature c;

	ck_assert_int_eq(util_unhex(want, 64, SIG), 0);
	ck_assert_int_eq(witness_cosign(sig, sk, origin, 42, root,
	    1767225600), 0);
	ck_assert_mem_eq(sig, want, 64);
	cosig(&c, pk, root, sig, 42, 1767225600);
	ck_assert_int_eq(witness_cosig_verify(&c, origin), 0);
	/* Every field is signed. */
	c.size = 43;
	ck_assert_int_eq(witness_cosig_verify(&c, origin),
	    TALLY_ERR_BAD_SIGNATURE);
	c.size = 42;
	c.timestamp++;
	ck_assert_int_eq(witness_cosig_verify(&c, origin),
	    TALLY_ERR_BAD_SIGNATURE);
	c.timestamp--;
	memcpy(r2, root, 32);
	r2[31] ^= 1;
	c.root.data = r2;
	ck_assert_int_eq(witness_cosig_verify(&c, origin),
	    TALLY_ERR_BAD_SIGNATURE);
	c.root.data = root;
	ck_assert_int_eq(witness_cosig_verify(&c,
	    "tally/s6-other/000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f"), TALLY_ERR_BAD_SIGNATURE);
	memcpy(other, pk, 32);
	other[0] ^= 1;
	c.witness_key.data = other;
	ck_assert_int_eq(witness_cosig_verify(&c, origin),
	    TALLY_ERR_BAD_SIGNATURE);
	c.witness_key.data = pk;
	/* Wrong lengths are refused, never read past. */
	c.signature.len = 63;
	ck_assert_int_eq(witness_cosig_verify(&c, origin),
	    TALLY_ERR_BAD_SIGNATURE);
	c.signature.len = 64;
	c.root.len = 31;
	ck_assert_int_eq(witness_cosig_verify(&c, origin),
	    TALLY_ERR_BAD_SIGNATURE);
	c.root.len = 32;
	c.witness_key.len = 33;
	ck_assert_int_eq(witness_cosig_verify(&c, origin),
	    TALLY_ERR_BAD_SIGNATURE);
	ck_assert_int_eq(witness_cosig_verify(NULL, origin),
	    TALLY_ERR_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_origin)
{
	char o[WITNESS_ORIGIN_MAX];
	char longid[66];

	ck_assert_str_eq(origin, "tally/s6-head/000102030405060708090a0b0c0d0e"
	    "0f101112131415161718191a1b1c1d1e1f");
	ck_assert_int_eq(witness_origin(o, "", he), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(witness_origin(o, "a b", he), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(witness_origin(o, "a\n", he), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(witness_origin(o, "a/b", he), TALLY_ERR_INVALID_ARG);
	memset(longid, 'a', 65);
	longid[65] = '\0';
	ck_assert_int_eq(witness_origin(o, longid, he), TALLY_ERR_INVALID_ARG);
	longid[64] = '\0';
	ck_assert_int_eq(witness_origin(o, longid, he), 0);
}
END_TEST

START_TEST(test_set_check)
{
	uint8_t keys[WITNESS_MAX + 1][32];
	ProtobufCBinaryData b[WITNESS_MAX + 1];
	char why[128];
	size_t i;

	for (i = 0; i <= WITNESS_MAX; i++) {
		memset(keys[i], (int)i + 1, 32);
		b[i].data = keys[i];
		b[i].len = 32;
	}
	ck_assert_int_eq(witness_set_check(b, 0, 0, why, sizeof(why)), 0);
	ck_assert_int_eq(witness_set_check(b, 0, 1, why, sizeof(why)),
	    TALLY_ERR_WITNESS);
	ck_assert_int_eq(witness_set_check(b, 1, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(witness_set_check(b, 1, 0, why, sizeof(why)),
	    TALLY_ERR_WITNESS);
	ck_assert_int_eq(witness_set_check(b, 2, 1, why, sizeof(why)),
	    TALLY_ERR_WITNESS);
	ck_assert_ptr_nonnull(strstr(why, "more than half"));
	ck_assert_int_eq(witness_set_check(b, 2, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(witness_set_check(b, 3, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(witness_set_check(b, 3, 4, why, sizeof(why)),
	    TALLY_ERR_WITNESS);
	ck_assert_int_eq(witness_set_check(b, WITNESS_MAX, 9, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(witness_set_check(b, WITNESS_MAX + 1, 9, why,
	    sizeof(why)), TALLY_ERR_WITNESS);
	/* not ascending, a repeat, a wrong length */
	b[1].data = keys[0];
	ck_assert_int_eq(witness_set_check(b, 2, 2, why, sizeof(why)),
	    TALLY_ERR_WITNESS);
	b[1].data = keys[1];
	b[0].data = keys[2];
	ck_assert_int_eq(witness_set_check(b, 2, 2, why, sizeof(why)),
	    TALLY_ERR_WITNESS);
	b[0].data = keys[0];
	b[1].len = 31;
	ck_assert_int_eq(witness_set_check(b, 2, 2, why, sizeof(why)),
	    TALLY_ERR_WITNESS);
	b[1].len = 32;
	ck_assert_int_eq(witness_set_find(b, 3, keys[2], 32), 2);
	ck_assert_int_eq(witness_set_find(b, 3, keys[3], 32), -1);
	ck_assert_int_eq(witness_set_find(b, 3, keys[2], 31), -1);
}
END_TEST

/* H_E's witness parts: u32be(n), each key, u32be(quorum), each framed. */
START_TEST(test_hash_parts)
{
	uint8_t k[2][32], a[32], want[32], n[4] = { 0, 0, 0, 2 },
	    q[4] = { 0, 0, 0, 2 };
	ProtobufCBinaryData b[2];
	struct hash_part parts[4] = {
		{ n, 4 }, { k[0], 32 }, { k[1], 32 }, { q, 4 }
	};
	struct hash_ctx h;

	memset(k[0], 1, 32);
	memset(k[1], 2, 32);
	b[0].data = k[0];
	b[1].data = k[1];
	b[0].len = b[1].len = 32;
	ck_assert_int_eq(hash_init(&h, "t", 0), 0);
	ck_assert_int_eq(witness_hash_add(&h, b, 2, 2), 0);
	ck_assert_int_eq(hash_final(&h, a), 0);
	ck_assert_int_eq(hash_tagged(want, "t", parts, 4), 0);
	ck_assert_mem_eq(a, want, 32);
	ck_assert_int_eq(hash_init(&h, "t", 0), 0);
	ck_assert_int_eq(witness_hash_add(&h, b, WITNESS_MAX + 1, 2),
	    TALLY_ERR_INVALID_ARG);
	hash_abort(&h);
}
END_TEST

START_TEST(test_key_load)
{
	char *dir = tu_tmpdir(), path[512];
	uint8_t s[32], p[32], raw[33];
	char hex[66];

	snprintf(path, sizeof(path), "%s/w.key", dir);
	ck_assert_int_eq(util_write_file(path, PEM, strlen(PEM), 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), 0);
	ck_assert_mem_eq(s, sk, 32);
	ck_assert_mem_eq(p, pk, 32);
	/* hex with and without a newline, raw */
	snprintf(hex, sizeof(hex), "%s\n", SK);
	ck_assert_int_eq(util_write_file(path, hex, 65, 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), 0);
	ck_assert_mem_eq(p, pk, 32);
	ck_assert_int_eq(util_write_file(path, hex, 64, 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), 0);
	ck_assert_int_eq(util_write_file(path, sk, 32, 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), 0);
	ck_assert_mem_eq(p, pk, 32);
	/* truncated, oversized, trailing bytes, garbage */
	ck_assert_int_eq(util_write_file(path, sk, 31, 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), TALLY_ERR_DECODE);
	memcpy(raw, sk, 32);
	raw[32] = 'x';
	ck_assert_int_eq(util_write_file(path, raw, 33, 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), TALLY_ERR_DECODE);
	hex[64] = 'x';
	ck_assert_int_eq(util_write_file(path, hex, 65, 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_write_file(path, PEM, 40, 0600, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), TALLY_ERR_DECODE);
	/* a key others can read is refused */
	ck_assert_int_eq(util_write_file(path, PEM, strlen(PEM), 0644, 0), 0);
	ck_assert_int_eq(ed25519_key_load(path, s, p), TALLY_ERR_PERM);
	snprintf(path, sizeof(path), "%s/none", dir);
	ck_assert_int_eq(ed25519_key_load(path, s, p), TALLY_ERR_NOT_FOUND);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* witness.pub: 64 hex digits and at most one newline, nothing else. */
START_TEST(test_pub_load)
{
	char *dir = tu_tmpdir(), path[512], buf[200];
	uint8_t p[32];

	snprintf(path, sizeof(path), "%s/witness.pub", dir);
	snprintf(buf, sizeof(buf), "%s\n", PK);
	ck_assert_int_eq(util_write_file(path, buf, 65, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), 0);
	ck_assert_mem_eq(p, pk, 32);
	ck_assert_int_eq(util_write_file(path, buf, 64, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), 0);
	ck_assert_mem_eq(p, pk, 32);
	/* truncated */
	ck_assert_int_eq(util_write_file(path, buf, 63, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_write_file(path, "", 0, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	/* trailing bytes: two newlines, a space, another digit */
	snprintf(buf, sizeof(buf), "%s\n\n", PK);
	ck_assert_int_eq(util_write_file(path, buf, 66, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	snprintf(buf, sizeof(buf), "%s ", PK);
	ck_assert_int_eq(util_write_file(path, buf, 65, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	snprintf(buf, sizeof(buf), "%s0", PK);
	ck_assert_int_eq(util_write_file(path, buf, 65, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	/* oversized: refused by size before it is parsed */
	memset(buf, 'a', sizeof(buf));
	ck_assert_int_eq(util_write_file(path, buf, 200, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	{
		char big[300];

		memset(big, 'a', sizeof(big));
		ck_assert_int_eq(util_write_file(path, big, sizeof(big), 0644,
		    0), 0);
		ck_assert_int_eq(witness_pub_load(path, p),
		    TALLY_ERR_TOO_LARGE);
	}
	/* not hex; a private key's PEM is not a public key */
	memset(buf, 'g', 64);
	ck_assert_int_eq(util_write_file(path, buf, 64, 0644, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_write_file(path, PEM, strlen(PEM), 0600, 0), 0);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_DECODE);
	snprintf(path, sizeof(path), "%s/none", dir);
	ck_assert_int_eq(witness_pub_load(path, p), TALLY_ERR_NOT_FOUND);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("witness");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_fingerprint_known_answer);
	tcase_add_test(tc, test_message_known_answer);
	tcase_add_test(tc, test_cosign_known_answer);
	tcase_add_test(tc, test_origin);
	tcase_add_test(tc, test_set_check);
	tcase_add_test(tc, test_hash_parts);
	tcase_add_test(tc, test_key_load);
	tcase_add_test(tc, test_pub_load);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
