/* check_credential.c: card codes refuse mistypes, the derived keys differ
 * per vote, and registries are sorted, strict and searchable. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "credential.h"
#include "err.h"
#include "sign.h"
#include "testutil.h"
#include "util.h"

#define NCARDS 50

START_TEST(test_code_roundtrip)
{
	uint8_t seed[CRED_SEED_LEN], back[CRED_SEED_LEN];
	char code[CRED_CODE_LEN + 1], lower[CRED_CODE_LEN + 1];
	size_t i;

	ck_assert_int_eq(credential_seed_new(seed), 0);
	ck_assert_int_eq(credential_code(code, seed), 0);
	ck_assert_uint_eq(strlen(code), CRED_CODE_LEN);
	for (i = 4; i < CRED_CODE_LEN; i += 5)
		ck_assert_int_eq(code[i], '-');
	ck_assert_int_eq(credential_parse(back, code), 0);
	ck_assert_mem_eq(seed, back, sizeof(seed));
	/* Case and grouping are the reader's choice. */
	for (i = 0; i <= CRED_CODE_LEN; i++)
		lower[i] = (char)((code[i] >= 'A' && code[i] <= 'Z') ?
		    code[i] + 32 : code[i]);
	ck_assert_int_eq(credential_parse(back, lower), 0);
	ck_assert_mem_eq(seed, back, sizeof(seed));
}
END_TEST

START_TEST(test_one_wrong_character)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint8_t seed[CRED_SEED_LEN], back[CRED_SEED_LEN];
	char code[CRED_CODE_LEN + 1], bad[CRED_CODE_LEN + 1];
	size_t i, a;
	int ret;

	memset(seed, 0x5a, sizeof(seed));
	ck_assert_int_eq(credential_code(code, seed), 0);
	for (i = 0; i < CRED_CODE_LEN; i++) {
		if (code[i] == '-')
			continue;
		for (a = 0; a < 32; a++) {
			if (alpha[a] == code[i])
				continue;
			memcpy(bad, code, sizeof(code));
			bad[i] = alpha[a];
			ret = credential_parse(back, bad);
			ck_assert_msg(ret == TALLY_ERR_CHECKSUM ||
			    ret == TALLY_ERR_DECODE, "pos %zu char %c", i,
			    alpha[a]);
		}
		/* Characters outside the alphabet (0, 1, 8, 9, O typed as 0). */
		memcpy(bad, code, sizeof(code));
		bad[i] = '0';
		ck_assert_int_eq(credential_parse(back, bad), TALLY_ERR_DECODE);
	}
}
END_TEST

START_TEST(test_truncated_trailing)
{
	uint8_t seed[CRED_SEED_LEN], back[CRED_SEED_LEN];
	char code[CRED_CODE_LEN + 1], longer[CRED_CODE_LEN + 8];

	ck_assert_int_eq(credential_seed_new(seed), 0);
	ck_assert_int_eq(credential_code(code, seed), 0);
	snprintf(longer, sizeof(longer), "%s", code);
	longer[CRED_CODE_LEN - 1] = '\0';
	ck_assert_int_eq(credential_parse(back, longer), TALLY_ERR_TRUNCATED);
	longer[CRED_CODE_LEN - 5] = '\0';
	ck_assert_int_eq(credential_parse(back, longer), TALLY_ERR_TRUNCATED);
	snprintf(longer, sizeof(longer), "%sAA", code);
	ck_assert_int_eq(credential_parse(back, longer), TALLY_ERR_TRAILING);
	snprintf(longer, sizeof(longer), "%sA", code);
	ck_assert_int_ne(credential_parse(back, longer), 0);
	ck_assert_int_ne(credential_parse(back, ""), 0);
}
END_TEST

START_TEST(test_unrelated_keys_per_vote)
{
	uint8_t seed[CRED_SEED_LEN], sk1[32], pk1[32], sk2[32], pk2[32];
	uint8_t pk1b[32], sig[64];

	ck_assert_int_eq(credential_seed_new(seed), 0);
	ck_assert_int_eq(credential_derive(sk1, pk1, seed, "head-2024"), 0);
	ck_assert_int_eq(credential_derive(sk2, pk2, seed, "budget"), 0);
	ck_assert_mem_ne(pk1, pk2, 32);
	ck_assert_mem_ne(sk1, sk2, 32);
	/* Deterministic, and a usable signing key. */
	ck_assert_int_eq(credential_derive(NULL, pk1b, seed, "head-2024"), 0);
	ck_assert_mem_eq(pk1, pk1b, 32);
	ck_assert_int_eq(ed25519_sign(sig, sk1, "ballot", 6), 0);
	ck_assert_int_eq(ed25519_verify(pk1, "ballot", 6, sig, 64), 0);
	ck_assert_int_ne(ed25519_verify(pk2, "ballot", 6, sig, 64), 0);
	ck_assert_int_eq(credential_derive(NULL, pk1, seed, "Bad Id"),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(credential_derive(NULL, pk1, seed, ""),
	    TALLY_ERR_INVALID_ARG);
}
END_TEST

START_TEST(test_registry_matches_cards)
{
	uint8_t seeds[NCARDS][CRED_SEED_LEN], keys[NCARDS][32], pk[32];
	struct registry *r, *r2;
	char *txt;
	size_t len, i;

	for (i = 0; i < NCARDS; i++) {
		ck_assert_int_eq(credential_seed_new(seeds[i]), 0);
		ck_assert_int_eq(credential_derive(NULL, keys[i], seeds[i],
		    "v1"), 0);
	}
	ck_assert_int_eq(registry_new(&r, "v1",
	    (const uint8_t (*)[32])keys, NCARDS), 0);
	for (i = 1; i < NCARDS; i++)
		ck_assert_int_lt(memcmp(r->keys[i - 1], r->keys[i], 32), 0);
	ck_assert_int_eq(registry_encode(r, &txt, &len), 0);
	ck_assert_int_eq(registry_decode(&r2, (uint8_t *)txt, len), 0);
	ck_assert_str_eq(r2->vote_id, "v1");
	ck_assert_uint_eq(r2->n, NCARDS);
	for (i = 0; i < NCARDS; i++) {
		ck_assert(registry_contains(r2, keys[i]));
		ck_assert_int_eq(credential_derive(NULL, pk, seeds[i], "v2"),
		    0);
		ck_assert(!registry_contains(r2, pk));
	}
	registry_free(r);
	registry_free(r2);
	free(txt);
	/* Duplicates refused. */
	memcpy(keys[1], keys[0], 32);
	ck_assert_int_eq(registry_new(&r, "v1", (const uint8_t (*)[32])keys,
	    NCARDS), TALLY_ERR_INVALID_ARG);
}
END_TEST

static int
dec(const char *s)
{
	struct registry *r = NULL;
	int ret = registry_decode(&r, (const uint8_t *)s, strlen(s));

	registry_free(r);
	return ret;
}

#define K1 "0101010101010101010101010101010101010101010101010101010101010101"
#define K2 "0202020202020202020202020202020202020202020202020202020202020202"

START_TEST(test_registry_strict)
{
	ck_assert_int_eq(dec("tally-registry v1 v 2\n" K1 "\n" K2 "\n"), 0);
	ck_assert_int_eq(dec("tally-registry v1 v 0\n"), 0);
	ck_assert_int_ne(dec("tally-registry v1 v 2\n" K2 "\n" K1 "\n"), 0);
	ck_assert_int_ne(dec("tally-registry v1 v 2\n" K1 "\n" K1 "\n"), 0);
	ck_assert_int_eq(dec("tally-registry v1 v 2\n" K1 "\n"),
	    TALLY_ERR_TRUNCATED);
	ck_assert_int_eq(dec("tally-registry v1 v 1\n" K1 "\n" K2 "\n"),
	    TALLY_ERR_TRAILING);
	ck_assert_int_ne(dec("tally-registry v1 v 1\n" K1), 0);
	ck_assert_int_ne(dec("tally-registry v1 v 1\n" K1 "\nx"), 0);
	ck_assert_int_ne(dec("tally-registry v2 v 1\n" K1 "\n"), 0);
	ck_assert_int_ne(dec("tally-registry v1 V 1\n" K1 "\n"), 0);
	ck_assert_int_ne(dec("tally-registry v1  1\n" K1 "\n"), 0);
	ck_assert_int_ne(dec("tally-registry v1 v 01\n" K1 "\n"), 0);
	ck_assert_int_ne(dec("tally-registry v1 v -1\n" K1 "\n"), 0);
	ck_assert_int_ne(dec("tally-registry v1 v 1\n"
	    "0A01010101010101010101010101010101010101010101010101010101010101\n"),
	    0);
	ck_assert_int_ne(dec("tally-registry v1 v 1\n"
	    "0g01010101010101010101010101010101010101010101010101010101010101\n"),
	    0);
	ck_assert_int_ne(dec("tally-registry v1 v 1"), 0);
	ck_assert_int_ne(dec(""), 0);
}
END_TEST

/* Found by fuzz/registry: a NUL in the header line cut the vote id or the
 * count short, so "v\0junk" decoded as vote "v" and "1\0x" as 1. */
START_TEST(test_registry_nul_in_header)
{
	static const char id[] = "tally-registry v1 v\0junk 0\n";
	static const char count[] = "tally-registry v1 v 1\0x\n" K1 "\n";
	struct registry *r = NULL;

	ck_assert_int_eq(registry_decode(&r, (const uint8_t *)id,
	    sizeof(id) - 1), TALLY_ERR_DECODE);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(registry_decode(&r, (const uint8_t *)count,
	    sizeof(count) - 1), TALLY_ERR_DECODE);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_card_file)
{
	char *dir = tu_tmpdir(), path[512], code[CRED_CODE_LEN + 2];
	uint8_t seed[CRED_SEED_LEN], back[CRED_SEED_LEN];

	ck_assert_int_eq(credential_seed_new(seed), 0);
	ck_assert_int_eq(credential_code(code, seed), 0);
	strcat(code, "\n");
	snprintf(path, sizeof(path), "%s/card", dir);
	ck_assert_int_eq(util_write_file(path, code, strlen(code), 0600, 1),
	    0);
	ck_assert_int_eq(credential_card_load(back, path), 0);
	ck_assert_mem_eq(seed, back, sizeof(seed));
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(credential_card_load(back, path), TALLY_ERR_PERM);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("credential");
	TCase *tc = tcase_create("credential");

	tcase_add_test(tc, test_code_roundtrip);
	tcase_add_test(tc, test_one_wrong_character);
	tcase_add_test(tc, test_truncated_trailing);
	tcase_add_test(tc, test_unrelated_keys_per_vote);
	tcase_add_test(tc, test_registry_matches_cards);
	tcase_add_test(tc, test_registry_strict);
	tcase_add_test(tc, test_registry_nul_in_header);
	tcase_add_test(tc, test_card_file);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
