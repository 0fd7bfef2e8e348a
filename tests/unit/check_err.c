/* check_err.c: the stable error codes. lib/err.h promises that the protocol's
 * ErrorCode (proto/tally.proto) is -tally_err, name for name: both sides are
 * walked here, so a code added to one and not the other, or numbered
 * differently, fails. */
#include <string.h>

#include "err.h"
#include "tally.pb-c.h"
#include "testutil.h"

START_TEST(test_proto_codes_are_library_codes)
{
	const ProtobufCEnumDescriptor *d = &tally__error_code__descriptor;
	unsigned i;

	ck_assert_uint_gt(d->n_values, 40);
	for (i = 0; i < d->n_values; i++) {
		int code = -d->values[i].value;

		ck_assert_msg(tally_err_is_known(code),
		    "ErrorCode %s = %d is not a library code", d->values[i].name,
		    d->values[i].value);
		ck_assert_str_eq(tally_errname(code), d->values[i].name);
	}
}
END_TEST

START_TEST(test_library_codes_are_proto_codes)
{
	const ProtobufCEnumDescriptor *d = &tally__error_code__descriptor;
	const ProtobufCEnumValue *v;
	int code, n = 0;

	for (code = 0; code > TALLY_ERR_MIN_; code--) {
		if (!tally_err_is_known(code))
			continue;
		n++;
		v = protobuf_c_enum_descriptor_get_value(d, -code);
		ck_assert_msg(v != NULL, "%s (%d) is not in ErrorCode",
		    tally_errname(code), code);
		ck_assert_str_eq(v->name, tally_errname(code));
	}
	ck_assert_uint_eq((unsigned)n, d->n_values);
	/* The last code is known: TALLY_ERR_MIN_ is one past it. */
	ck_assert(tally_err_is_known(TALLY_ERR_MIN_ + 1));
}
END_TEST

START_TEST(test_names_and_sentences)
{
	int code, other;

	for (code = 0; code > TALLY_ERR_MIN_; code--) {
		if (!tally_err_is_known(code))
			continue;
		ck_assert_msg(strncmp(tally_errname(code), "E_", 2) == 0 ||
		    code == 0, "%d: %s", code, tally_errname(code));
		ck_assert_msg(strlen(tally_strerror(code)) > 3, "%d", code);
		for (other = code - 1; other > TALLY_ERR_MIN_; other--)
			if (tally_err_is_known(other))
				ck_assert_str_ne(tally_errname(code),
				    tally_errname(other));
	}
	ck_assert_str_eq(tally_errname(TALLY_OK), "OK");
	ck_assert_str_eq(tally_errname(TALLY_ERR_BAD_PROOF), "E_BAD_PROOF");
	ck_assert_str_eq(tally_strerror(TALLY_ERR_BAD_PROOF),
	    "proof does not verify");
	ck_assert_str_eq(tally_errname(TALLY_ERR_LOG_CHAIN), "E_LOG_CHAIN");
	ck_assert_int_eq(TALLY_ERR_STORAGE, -44);
	ck_assert_str_eq(tally_errname(TALLY_ERR_STORAGE), "E_STORAGE");
}
END_TEST

/* Numbers that are not codes: positive, past the end, and never NULL. */
START_TEST(test_unknown)
{
	int bad[] = {1, 42, TALLY_ERR_MIN_, TALLY_ERR_MIN_ - 1, -100000,
	    -2147483647 - 1};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(!tally_err_is_known(bad[i]));
		ck_assert_str_eq(tally_errname(bad[i]), "E_UNKNOWN");
		ck_assert_str_eq(tally_strerror(bad[i]), "unknown error");
	}
}
END_TEST

static Suite *
err_suite(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_proto_codes_are_library_codes);
	tcase_add_test(tc, test_library_codes_are_proto_codes);
	tcase_add_test(tc, test_names_and_sentences);
	tcase_add_test(tc, test_unknown);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(err_suite());
}
