/*
 * role.h: the roles a client certificate can carry.
 *
 * A certificate's role is its subject's organizationalUnitName: exactly one
 * OU attribute whose value is exactly one of the role names below. Anything
 * else (no OU, two OUs, an unknown name, a different case) is E_ROLE, so a
 * certificate never silently gets a role it was not issued for.
 */
#ifndef TALLY_ROLE_H
#define TALLY_ROLE_H

#include <openssl/x509.h>

enum tally_role {
	ROLE_NONE = 0,
	ROLE_TERMINAL,
	ROLE_OFFICIAL,
	ROLE_TRUSTEE,
	ROLE_AUDITOR,
	ROLE_DAEMON
};

/* "terminal", "official", ...; "none" for ROLE_NONE and unknown values. */
const char *role_name(enum tally_role role);

/* Exact, case-sensitive parse of a role name; ROLE_NONE is not parseable.
 * E_ROLE on anything else. */
int role_parse(const char *s, enum tally_role *out);

/* The role carried by cert's subject OU; E_ROLE when absent, repeated,
 * unknown or not valid UTF-8 text, E_INVALID_ARG when cert is NULL. */
int cert_role(X509 *cert, enum tally_role *out);

#endif
