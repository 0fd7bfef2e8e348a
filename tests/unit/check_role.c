/* check_role.c: role names parse strictly and a certificate's role is its one
 * subject OU, refused when absent, repeated, unknown or mis-cased. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "err.h"
#include "role.h"
#include "testutil.h"

/* A throwaway self-signed certificate with the given OU values (NULL ends). */
static X509 *
make_cert(const char *ou1, const char *ou2)
{
	static EVP_PKEY *key;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	if (key == NULL)
		key = EVP_EC_gen("P-256");
	ck_assert_ptr_nonnull(key);
	ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"x", -1, -1, 0), 1);
	if (ou1)
		ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "OU",
		    MBSTRING_UTF8, (const unsigned char *)ou1, -1, -1, 0), 1);
	if (ou2)
		ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "OU",
		    MBSTRING_UTF8, (const unsigned char *)ou2, -1, -1, 0), 1);
	X509_set_version(x, 2);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	ck_assert_int_gt(X509_sign(x, key, EVP_sha256()), 0);
	X509_NAME_free(name);
	return x;
}

START_TEST(test_names_roundtrip)
{
	enum tally_role r, back;

	for (r = ROLE_TERMINAL; r <= ROLE_DAEMON; r++) {
		ck_assert_int_eq(role_parse(role_name(r), &back), 0);
		ck_assert_int_eq(back, r);
	}
	ck_assert_str_eq(role_name(ROLE_TRUSTEE), "trustee");
	ck_assert_str_eq(role_name((enum tally_role)99), "none");
}
END_TEST

START_TEST(test_parse_refuses)
{
	enum tally_role r;

	ck_assert_int_eq(role_parse("none", &r), TALLY_ERR_ROLE);
	ck_assert_int_eq(role_parse("Trustee", &r), TALLY_ERR_ROLE);
	ck_assert_int_eq(role_parse("trustee ", &r), TALLY_ERR_ROLE);
	ck_assert_int_eq(role_parse("", &r), TALLY_ERR_ROLE);
	ck_assert_int_eq(role_parse(NULL, &r), TALLY_ERR_ROLE);
}
END_TEST

START_TEST(test_cert_every_role)
{
	enum tally_role r, got;
	X509 *x;

	for (r = ROLE_TERMINAL; r <= ROLE_DAEMON; r++) {
		x = make_cert(role_name(r), NULL);
		ck_assert_int_eq(cert_role(x, &got), 0);
		ck_assert_int_eq(got, r);
		X509_free(x);
	}
}
END_TEST

START_TEST(test_cert_refuses)
{
	enum tally_role got;
	X509 *x;

	x = make_cert(NULL, NULL);
	ck_assert_int_eq(cert_role(x, &got), TALLY_ERR_ROLE);
	ck_assert_int_eq(got, ROLE_NONE);
	X509_free(x);
	x = make_cert("trustee", "auditor");
	ck_assert_int_eq(cert_role(x, &got), TALLY_ERR_ROLE);
	X509_free(x);
	x = make_cert("trustee", "trustee");
	ck_assert_int_eq(cert_role(x, &got), TALLY_ERR_ROLE);
	X509_free(x);
	x = make_cert("Daemon", NULL);
	ck_assert_int_eq(cert_role(x, &got), TALLY_ERR_ROLE);
	X509_free(x);
	x = make_cert("admin", NULL);
	ck_assert_int_eq(cert_role(x, &got), TALLY_ERR_ROLE);
	X509_free(x);
	ck_assert_int_eq(cert_role(NULL, &got), TALLY_ERR_INVALID_ARG);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("role");
	TCase *tc = tcase_create("role");

	tcase_add_test(tc, test_names_roundtrip);
	tcase_add_test(tc, test_parse_refuses);
	tcase_add_test(tc, test_cert_every_role);
	tcase_add_test(tc, test_cert_refuses);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
