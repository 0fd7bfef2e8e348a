/* role.c: roles named by a certificate's subject OU. */
#include "role.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "err.h"

static const char *const role_names[] = {
	[ROLE_NONE] = "none",
	[ROLE_TERMINAL] = "terminal",
	[ROLE_OFFICIAL] = "official",
	[ROLE_TRUSTEE] = "trustee",
	[ROLE_AUDITOR] = "auditor",
	[ROLE_DAEMON] = "daemon",
};

#define ROLE_COUNT (sizeof(role_names) / sizeof(role_names[0]))

const char *
role_name(enum tally_role role)
{
	if ((unsigned)role >= ROLE_COUNT)
		return role_names[ROLE_NONE];
	return role_names[role];
}

int
role_parse(const char *s, enum tally_role *out)
{
	size_t i;

	if (s == NULL || out == NULL)
		return TALLY_ERR_ROLE;
	for (i = ROLE_NONE + 1; i < ROLE_COUNT; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum tally_role)i;
			return 0;
		}
	}
	return TALLY_ERR_ROLE;
}

/* The single OU entry of name, or NULL when there is none or more than one. */
static X509_NAME_ENTRY *
single_ou(const X509_NAME *name)
{
	int pos, next;

	pos = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, -1);
	if (pos < 0)
		return NULL;
	next = X509_NAME_get_index_by_NID(name, NID_organizationalUnitName, pos);
	if (next >= 0)
		return NULL;
	return X509_NAME_get_entry(name, pos);
}

int
cert_role(X509 *cert, enum tally_role *out)
{
	const X509_NAME *name;
	X509_NAME_ENTRY *ent;
	unsigned char *utf8 = NULL;
	int len, ret = TALLY_ERR_ROLE;

	if (cert == NULL || out == NULL)
		return TALLY_ERR_INVALID_ARG;
	*out = ROLE_NONE;
	if ((name = X509_get_subject_name(cert)) == NULL ||
	    (ent = single_ou(name)) == NULL)
		return TALLY_ERR_ROLE;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(ent));
	/* An embedded NUL would let "trustee\0x" pass as "trustee". */
	if (len <= 0 || memchr(utf8, '\0', (size_t)len) != NULL)
		goto out;
	ret = role_parse((const char *)utf8, out);
out:
	OPENSSL_free(utf8);
	return ret;
}
