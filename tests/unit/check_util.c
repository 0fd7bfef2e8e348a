/* check_util.c: strict integers, hex and base32 (RFC 4648 vectors, and
 * truncated, oversized and trailing input), capped file reads, atomic
 * private writes and the permission check. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include "err.h"
#include "testutil.h"
#include "util.h"

START_TEST(test_parse_u64)
{
	const char *bad[] = {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0",
	    "１", "18446744073709551616", "99999999999999999999999"};
	uint64_t v = 7;
	uint32_t w = 7;
	size_t i;

	ck_assert_int_eq(util_parse_u64("0", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(util_parse_u64("007", 0, 10, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(util_parse_u64("18446744073709551615", 0, UINT64_MAX,
	    &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		ck_assert_msg(util_parse_u64(bad[i], 0, UINT64_MAX, &v) ==
		    TALLY_ERR_INVALID_ARG, "accepted \"%s\"", bad[i]);
		ck_assert_uint_eq(v, 7);
	}
	ck_assert_int_eq(util_parse_u64(NULL, 0, 1, &v), TALLY_ERR_INVALID_ARG);
	/* the range, both ends */
	ck_assert_int_eq(util_parse_u64("5", 5, 9, &v), 0);
	ck_assert_int_eq(util_parse_u64("9", 5, 9, &v), 0);
	ck_assert_int_eq(util_parse_u64("4", 5, 9, &v), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(util_parse_u64("10", 5, 9, &v), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(util_parse_u32("4294967295", 0, UINT32_MAX, &w), 0);
	ck_assert_uint_eq(w, UINT32_MAX);
	ck_assert_int_eq(util_parse_u32("4294967296", 0, UINT32_MAX, &w),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_uint_eq(w, UINT32_MAX);
}
END_TEST

START_TEST(test_hex)
{
	uint8_t in[] = {0x00, 0x01, 0xab, 0xff}, out[4];
	char s[9];

	util_hex(s, in, sizeof(in));
	ck_assert_str_eq(s, "0001abff");
	ck_assert_int_eq(util_unhex(out, 4, "0001ABff"), 0);
	ck_assert(memcmp(out, in, 4) == 0);
	ck_assert_int_eq(util_unhex(out, 0, ""), 0);
	/* truncated, odd, trailing, not hex */
	ck_assert_int_eq(util_unhex(out, 4, "0001abf"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unhex(out, 4, "0001ab"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unhex(out, 4, "0001abff0"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unhex(out, 4, "0001abff00"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unhex(out, 4, "0001abfg"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unhex(out, 4, "0001 bff"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unhex(out, 4, "-001abff"), TALLY_ERR_DECODE);
}
END_TEST

/* RFC 4648 section 10, without the padding. */
START_TEST(test_base32_rfc4648)
{
	const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *enc[] = {"", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB",
	    "MZXW6YTBOI"};
	char s[32];
	uint8_t out[8];
	size_t i, n;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		n = strlen(plain[i]);
		ck_assert_uint_eq(util_base32(s, (const uint8_t *)plain[i], n),
		    strlen(enc[i]));
		ck_assert_str_eq(s, enc[i]);
		memset(out, 0, sizeof(out));
		ck_assert_int_eq(util_unbase32(out, n, enc[i]), 0);
		ck_assert(memcmp(out, plain[i], n) == 0);
	}
	/* as people type it: lower case, groups, spaces */
	ck_assert_int_eq(util_unbase32(out, 6, "mzxw6-ytb oi"), 0);
	ck_assert(memcmp(out, "foobar", 6) == 0);
}
END_TEST

START_TEST(test_base32_bad)
{
	uint8_t out[8];

	/* truncated: too few characters for the length */
	ck_assert_int_eq(util_unbase32(out, 6, "MZXW6YTBO"), TALLY_ERR_TRUNCATED);
	ck_assert_int_eq(util_unbase32(out, 6, ""), TALLY_ERR_TRUNCATED);
	ck_assert_int_eq(util_unbase32(out, 1, "M"), TALLY_ERR_TRUNCATED);
	/* trailing: a further byte, or leftover bits */
	ck_assert_int_eq(util_unbase32(out, 5, "MZXW6YTBOI"),
	    TALLY_ERR_TRAILING);
	ck_assert_int_eq(util_unbase32(out, 1, "MYA"), TALLY_ERR_DECODE);
	/* padding bits that are not zero: "MZ" is 'f' plus a set bit */
	ck_assert_int_eq(util_unbase32(out, 1, "MZ"), TALLY_ERR_DECODE);
	/* not the alphabet: 0, 1, 8, 9, '=' and anything else */
	ck_assert_int_eq(util_unbase32(out, 1, "M0"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unbase32(out, 1, "M1"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unbase32(out, 1, "M8"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unbase32(out, 1, "MY======"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unbase32(out, 1, "M\tY"), TALLY_ERR_DECODE);
	ck_assert_int_eq(util_unbase32(out, 1, "M\xc3\xbf"), TALLY_ERR_DECODE);
}
END_TEST

static char *
path_in(const char *dir, const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(test_read_file)
{
	char *dir = tu_tmpdir(), *f = path_in(dir, "f");
	uint8_t *buf = (uint8_t *)&buf;
	size_t len = 9;

	ck_assert_int_eq(util_write_file(f, "hello", 5, 0600, 0), 0);
	ck_assert_int_eq(util_read_file(f, 5, &buf, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq((char *)buf, "hello"); /* NUL-terminated */
	free(buf);
	/* one byte over the cap */
	ck_assert_int_eq(util_read_file(f, 4, &buf, &len), TALLY_ERR_TOO_LARGE);
	ck_assert_ptr_null(buf);
	ck_assert_uint_eq(len, 0);
	/* empty file, missing file, a folder */
	ck_assert_int_eq(util_write_file(f, "", 0, 0600, 0), 0);
	ck_assert_int_eq(util_read_file(f, 0, &buf, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq((char *)buf, "");
	free(buf);
	free(f);
	f = path_in(dir, "missing");
	ck_assert_int_eq(util_read_file(f, 10, &buf, &len), TALLY_ERR_NOT_FOUND);
	ck_assert_int_eq(util_read_file(dir, 1 << 20, &buf, &len), TALLY_ERR_IO);
	ck_assert_ptr_null(buf);
	free(f);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_write_file)
{
	char *dir = tu_tmpdir(), *f = path_in(dir, "out"), *g;
	uint8_t *buf;
	struct stat st;
	size_t len;

	ck_assert_int_eq(util_write_file(f, "one", 3, 0600, 1), 0);
	ck_assert_int_eq(stat(f, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(util_check_private(f), 0);
	/* exclusive: an existing file is refused and left as it was */
	ck_assert_int_eq(util_write_file(f, "two", 3, 0600, 1),
	    TALLY_ERR_EXISTS);
	ck_assert_int_eq(util_read_file(f, 10, &buf, &len), 0);
	ck_assert_str_eq((char *)buf, "one");
	free(buf);
	/* not exclusive: replaced whole, with the new mode */
	ck_assert_int_eq(util_write_file(f, "three", 5, 0644, 0), 0);
	ck_assert_int_eq(util_read_file(f, 10, &buf, &len), 0);
	ck_assert_str_eq((char *)buf, "three");
	free(buf);
	ck_assert_int_eq(util_check_private(f), TALLY_ERR_PERM);
	ck_assert_int_eq(chmod(f, 0604), 0);
	ck_assert_int_eq(util_check_private(f), TALLY_ERR_PERM);
	ck_assert_int_eq(chmod(f, 0640), 0);
	ck_assert_int_eq(util_check_private(f), TALLY_ERR_PERM);
	ck_assert_int_eq(chmod(f, 0400), 0);
	ck_assert_int_eq(util_check_private(f), 0);
	/* no temporary file is ever left behind */
	ck_assert_int_eq(entries(dir), 1);
	/* a folder that does not exist */
	g = path_in(dir, "no/such");
	ck_assert_int_eq(util_write_file(g, "x", 1, 0600, 0),
	    TALLY_ERR_NOT_FOUND);
	ck_assert_int_eq(util_check_private(g), TALLY_ERR_NOT_FOUND);
	ck_assert_int_eq(entries(dir), 1);
	free(g);
	free(f);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_errf_and_freezero)
{
	char err[8];

	util_errf(err, sizeof(err), "%s %d", "abcdef", 12345);
	ck_assert_str_eq(err, "abcdef ");
	util_errf(NULL, 10, "%d", 1);
	util_errf(err, 0, "%d", 1);
	ck_assert_str_eq(err, "abcdef ");
	util_freezero(NULL, 10);
	util_freezero(strdup("secret"), 7);
}
END_TEST

static Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_u64);
	tcase_add_test(tc, test_hex);
	tcase_add_test(tc, test_base32_rfc4648);
	tcase_add_test(tc, test_base32_bad);
	tcase_add_test(tc, test_read_file);
	tcase_add_test(tc, test_write_file);
	tcase_add_test(tc, test_errf_and_freezero);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(util_suite());
}
