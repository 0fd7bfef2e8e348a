/* certs.c: the session CA, role certificates and the ledger key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "keys.h"
#include "role.h"
#include "sign.h"
#include "util.h"
#include "witness.h"

#define CA_DAYS 400
#define CERT_DAYS 400

static const char usage_ca[] = "usage: tally-keys ca init DIR\n"
    "  Make DIR (if missing) with a fresh ECDSA P-256 CA for one session:\n"
    "  DIR/ca.crt and DIR/ca.key (0600).\n";
static const char usage_cert[] =
    "usage: tally-keys cert issue DIR --role "
    "terminal|official|trustee|auditor|daemon --name NAME\n"
    "  Write DIR/NAME.crt and DIR/NAME.key (0600), signed by DIR's CA;\n"
    "  the role is the subject OU.\n";
static const char usage_ledger[] = "usage: tally-keys ledger-key DIR\n"
    "  Write the ledger's Ed25519 key: DIR/ledger.key (PEM, 0600) and\n"
    "  DIR/ledger.pub (hex).\n";
static const char usage_witness[] = "usage: tally-keys witness-key DIR\n"
    "  Write a witness's Ed25519 key: DIR/witness.key (PEM, 0600) and\n"
    "  DIR/witness.pub (hex); print its fingerprint to read aloud.\n";

/* PEM of a private key, written 0600 and exclusively. */
static int
write_key(const char *path, EVP_PKEY *k)
{
	BIO *b;
	BUF_MEM *m;
	int ret = TALLY_ERR_CRYPTO;

	if ((b = BIO_new(BIO_s_secmem())) == NULL)
		return TALLY_ERR_NOMEM;
	if (PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	    BIO_get_mem_ptr(b, &m) == 1)
		ret = util_write_file(path, m->data, m->length, 0600, 1);
	BIO_free(b);
	return ret;
}

static int
write_cert(const char *path, X509 *x)
{
	BIO *b;
	BUF_MEM *m;
	int ret = TALLY_ERR_CRYPTO;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return TALLY_ERR_NOMEM;
	if (PEM_write_bio_X509(b, x) == 1 && BIO_get_mem_ptr(b, &m) == 1)
		ret = util_write_file(path, m->data, m->length, 0644, 1);
	BIO_free(b);
	return ret;
}

static int
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return TALLY_ERR_CRYPTO;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok == 1 ? 0 : TALLY_ERR_CRYPTO;
}

/* A random positive 127-bit serial. */
static int
set_serial(X509 *x)
{
	BIGNUM *bn;
	int ok;

	if ((bn = BN_new()) == NULL)
		return TALLY_ERR_NOMEM;
	ok = BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : TALLY_ERR_CRYPTO;
}

static int
set_subject(X509 *x, const char *cn, enum tally_role role)
{
	X509_NAME *n = X509_get_subject_name(x);

	if (X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) != 1)
		return TALLY_ERR_CRYPTO;
	if (role != ROLE_NONE && X509_NAME_add_entry_by_txt(n, "OU",
	    MBSTRING_UTF8, (const unsigned char *)role_name(role), -1, -1,
	    0) != 1)
		return TALLY_ERR_CRYPTO;
	return 0;
}

/* The extensions of a leaf certificate of the given role. */
static int
leaf_exts(X509 *x, X509 *ca, enum tally_role role)
{
	int ret;

	if ((ret = add_ext(x, ca, NID_basic_constraints, "critical,CA:FALSE")) ||
	    (ret = add_ext(x, ca, NID_key_usage,
	    "critical,digitalSignature")) ||
	    (ret = add_ext(x, ca, NID_ext_key_usage,
	    role == ROLE_DAEMON ? "serverAuth" : "clientAuth")) ||
	    (ret = add_ext(x, ca, NID_subject_key_identifier, "hash")) ||
	    (ret = add_ext(x, ca, NID_authority_key_identifier, "keyid:always")))
		return ret;
	if (role == ROLE_DAEMON)
		ret = add_ext(x, ca, NID_subject_alt_name,
		    "DNS:localhost,IP:127.0.0.1");
	return ret;
}

static int
ca_exts(X509 *x)
{
	int ret;

	if ((ret = add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE")) ||
	    (ret = add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign")) ||
	    (ret = add_ext(x, x, NID_subject_key_identifier, "hash")))
		return ret;
	return add_ext(x, x, NID_authority_key_identifier, "keyid:always");
}

/* A certificate for key k named cn; self-signed when ca is NULL. */
static int
make_cert(X509 **out, EVP_PKEY *k, const char *cn, enum tally_role role,
    X509 *ca, EVP_PKEY *cakey, int days)
{
	X509 *x;
	int ret = TALLY_ERR_CRYPTO;

	*out = NULL;
	if ((x = X509_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if (X509_set_version(x, 2) != 1 || (ret = set_serial(x)) != 0 ||
	    (ret = set_subject(x, cn, role)) != 0)
		goto out;
	ret = TALLY_ERR_CRYPTO;
	if (X509_set_issuer_name(x, X509_get_subject_name(ca ? ca : x)) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), (long)days * 86400) == NULL ||
	    X509_set_pubkey(x, k) != 1)
		goto out;
	if ((ret = ca ? leaf_exts(x, ca, role) : ca_exts(x)) != 0)
		goto out;
	ret = X509_sign(x, ca ? cakey : k, EVP_sha256()) > 0 ? 0 :
	    TALLY_ERR_CRYPTO;
out:
	if (ret != 0)
		X509_free(x);
	else
		*out = x;
	return ret;
}

/* Write key then certificate; on failure neither is left. */
static int
write_pair(const char *dir, const char *name, EVP_PKEY *k, X509 *x)
{
	char *kp = NULL, *cp = NULL, *kn = NULL, *cn = NULL;
	int ret = TALLY_ERR_NOMEM;

	if (asprintf(&kn, "%s.key", name) == -1 ||
	    asprintf(&cn, "%s.crt", name) == -1) {
		kn = cn = NULL;
		goto out;
	}
	if ((kp = keys_path(dir, kn)) == NULL || (cp = keys_path(dir, cn)) == NULL)
		goto out;
	if (access(cp, F_OK) == 0) {
		ret = TALLY_ERR_EXISTS;
		goto out;
	}
	if ((ret = write_key(kp, k)) != 0)
		goto out;
	if ((ret = write_cert(cp, x)) != 0)
		unlink(kp);
out:
	free(kp);
	free(cp);
	free(kn);
	free(cn);
	return ret;
}

static int
ca_init(const char *dir)
{
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	int ret;

	if ((ret = keys_make_dir(dir)) != 0)
		return keys_fail(ret, "cannot make folder %s", dir);
	if ((k = EVP_EC_gen("P-256")) == NULL) {
		ret = keys_fail(TALLY_ERR_CRYPTO, "cannot make a P-256 key");
		goto out;
	}
	if ((ret = make_cert(&x, k, "tally session CA", ROLE_NONE, NULL, NULL,
	    CA_DAYS)) != 0) {
		ret = keys_fail(ret, "cannot make the CA certificate");
		goto out;
	}
	if ((ret = write_pair(dir, "ca", k, x)) != 0) {
		ret = keys_fail(ret, "cannot write %s/ca.key and ca.crt", dir);
		goto out;
	}
	printf("%s/ca.crt\n", dir);
out:
	X509_free(x);
	EVP_PKEY_free(k);
	return ret;
}

int
cmd_ca(int argc, char **argv)
{
	const char *dir = NULL;
	int ret;

	if (argc < 2 || strcmp(argv[1], "init") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			fputs(usage_ca, stdout);
			return 0;
		}
		return keys_usage(usage_ca, "expected: ca init DIR");
	}
	if ((ret = keys_parse(argc - 2, argv + 2, NULL, 0, &dir, 1,
	    usage_ca)) != 0)
		return ret < 0 ? 0 : ret;
	return ca_init(dir);
}

/* The CA of dir: its certificate and (private) key. */
static int
ca_load(const char *dir, X509 **ca, EVP_PKEY **cakey)
{
	char *kp = keys_path(dir, "ca.key"), *cp = keys_path(dir, "ca.crt");
	uint8_t *kb = NULL, *cb = NULL;
	size_t kl = 0, cl = 0;
	BIO *b = NULL;
	int ret;

	*ca = NULL;
	*cakey = NULL;
	if (kp == NULL || cp == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = util_check_private(kp)) != 0 ||
	    (ret = util_read_file(kp, 65536, &kb, &kl)) != 0 ||
	    (ret = util_read_file(cp, 65536, &cb, &cl)) != 0)
		goto out;
	ret = TALLY_ERR_DECODE;
	if ((b = BIO_new_mem_buf(kb, (int)kl)) == NULL ||
	    (*cakey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL)
		goto out;
	BIO_free(b);
	if ((b = BIO_new_mem_buf(cb, (int)cl)) == NULL ||
	    (*ca = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL ||
	    X509_check_private_key(*ca, *cakey) != 1)
		goto out;
	ret = 0;
out:
	if (ret != 0) {
		X509_free(*ca);
		EVP_PKEY_free(*cakey);
		*ca = NULL;
		*cakey = NULL;
	}
	BIO_free(b);
	util_freezero(kb, kl);
	free(cb);
	free(kp);
	free(cp);
	return ret;
}

static int
cert_issue(const char *dir, enum tally_role role, const char *name)
{
	EVP_PKEY *k = NULL, *cakey = NULL;
	X509 *x = NULL, *ca = NULL;
	int ret;

	if ((ret = keys_need_dir(dir)) != 0)
		return keys_fail(ret, "no folder %s", dir);
	if ((ret = ca_load(dir, &ca, &cakey)) != 0)
		return keys_fail(ret, "cannot load the CA of %s", dir);
	if ((k = EVP_EC_gen("P-256")) == NULL) {
		ret = keys_fail(TALLY_ERR_CRYPTO, "cannot make a P-256 key");
		goto out;
	}
	if ((ret = make_cert(&x, k, name, role, ca, cakey, CERT_DAYS)) != 0) {
		ret = keys_fail(ret, "cannot make the certificate");
		goto out;
	}
	if ((ret = write_pair(dir, name, k, x)) != 0) {
		ret = keys_fail(ret, "cannot write %s/%s.key and .crt", dir,
		    name);
		goto out;
	}
	printf("%s/%s.crt\n", dir, name);
out:
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(k);
	EVP_PKEY_free(cakey);
	return ret;
}

int
cmd_cert(int argc, char **argv)
{
	const char *dir = NULL, *role = NULL, *name = NULL;
	struct keys_opt opts[] = {{"role", &role}, {"name", &name}};
	enum tally_role r;
	int ret;

	if (argc < 2 || strcmp(argv[1], "issue") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			fputs(usage_cert, stdout);
			return 0;
		}
		return keys_usage(usage_cert, "expected: cert issue DIR ...");
	}
	if ((ret = keys_parse(argc - 2, argv + 2, opts, 2, &dir, 1,
	    usage_cert)) != 0)
		return ret < 0 ? 0 : ret;
	if (role == NULL || name == NULL)
		return keys_usage(usage_cert, "--role and --name are required");
	if (role_parse(role, &r) != 0)
		return keys_usage(usage_cert, "unknown role %s", role);
	if (!keys_name_valid(name) || strcmp(name, "ca") == 0 ||
	    strcmp(name, "ledger") == 0)
		return keys_usage(usage_cert, "bad name %s", name);
	return cert_issue(dir, r, name);
}

/* DIR/NAME.key (PEM, 0600) and DIR/NAME.pub (hex) of a new Ed25519 key;
 * a witness's also prints its fingerprint. */
static int
ed25519_key_files(const char *dir, const char *name)
{
	uint8_t sk[ED25519_KEY_LEN], pk[ED25519_KEY_LEN];
	char hex[2 * ED25519_KEY_LEN + 2], fp[WITNESS_FP_LEN];
	char *kp = NULL, *pp = NULL, file[32];
	EVP_PKEY *k = NULL;
	int ret;

	if ((ret = keys_make_dir(dir)) != 0)
		return keys_fail(ret, "cannot make folder %s", dir);
	snprintf(file, sizeof(file), "%s.key", name);
	kp = keys_path(dir, file);
	snprintf(file, sizeof(file), "%s.pub", name);
	pp = keys_path(dir, file);
	if (kp == NULL || pp == NULL) {
		ret = keys_fail(TALLY_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (access(pp, F_OK) == 0) {
		ret = keys_fail(TALLY_ERR_EXISTS, "%s exists", pp);
		goto out;
	}
	if ((ret = ed25519_keygen(sk, pk)) != 0 ||
	    (k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk,
	    sizeof(sk))) == NULL) {
		ret = keys_fail(TALLY_ERR_CRYPTO, "cannot make an Ed25519 key");
		goto out;
	}
	util_hex(hex, pk, sizeof(pk));
	strcat(hex, "\n");
	if ((ret = write_key(kp, k)) != 0) {
		ret = keys_fail(ret, "cannot write %s", kp);
		goto out;
	}
	if ((ret = util_write_file(pp, hex, strlen(hex), 0644, 1)) != 0) {
		unlink(kp);
		ret = keys_fail(ret, "cannot write %s", pp);
		goto out;
	}
	if (strcmp(name, "witness") == 0) {
		if ((ret = witness_fingerprint(fp, pk)) != 0) {
			unlink(kp);
			unlink(pp);
			ret = keys_fail(ret, "cannot make the fingerprint");
			goto out;
		}
		printf("witness key %s (fingerprint, to read aloud)\n"
		    "public key %s", fp, hex);
	} else
		printf("%s", hex);
out:
	OPENSSL_cleanse(sk, sizeof(sk));
	EVP_PKEY_free(k);
	free(kp);
	free(pp);
	return ret;
}

int
cmd_ledger_key(int argc, char **argv)
{
	const char *dir = NULL;
	int ret;

	if ((ret = keys_parse(argc - 1, argv + 1, NULL, 0, &dir, 1,
	    usage_ledger)) != 0)
		return ret < 0 ? 0 : ret;
	return ed25519_key_files(dir, "ledger");
}

int
cmd_witness_key(int argc, char **argv)
{
	const char *dir = NULL;
	int ret;

	if ((ret = keys_parse(argc - 1, argv + 1, NULL, 0, &dir, 1,
	    usage_witness)) != 0)
		return ret < 0 ? 0 : ret;
	return ed25519_key_files(dir, "witness");
}
