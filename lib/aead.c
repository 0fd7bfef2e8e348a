/* aead.c: HKDF-SHA256 and AES-256-GCM through OpenSSL 3. */
#include "aead.h"

#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "err.h"

int
aead_hkdf(uint8_t *out, size_t outlen, const uint8_t *ikm, size_t ikmlen,
    const uint8_t *salt, size_t saltlen, const uint8_t *info, size_t infolen)
{
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *kctx = NULL;
	OSSL_PARAM params[5], *p = params;
	int ret = TALLY_ERR_CRYPTO;

	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (kctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)ikm, ikmlen);
	/* An empty salt or info is left out: OpenSSL refuses a NULL one, and
	 * HKDF defines both as empty (a zero salt) when absent. */
	if (saltlen > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		    (void *)salt, saltlen);
	if (infolen > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		    (void *)info, infolen);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(kctx, out, outlen, params) == 1)
		ret = 0;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ret;
}

static EVP_CIPHER_CTX *
gcm_start(int enc, const uint8_t *key, const uint8_t *nonce,
    const uint8_t *aad, size_t aadlen)
{
	EVP_CIPHER_CTX *c;
	int n;

	if (aadlen > INT_MAX || (c = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce, enc) != 1 ||
	    (aadlen > 0 &&
	    EVP_CipherUpdate(c, NULL, &n, aad, (int)aadlen) != 1)) {
		EVP_CIPHER_CTX_free(c);
		return NULL;
	}
	return c;
}

int
aead_seal(uint8_t *out, const uint8_t key[AEAD_KEY_LEN],
    const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *pt, size_t len)
{
	EVP_CIPHER_CTX *c;
	int n, fin, ret = TALLY_ERR_CRYPTO;

	if (len > INT_MAX - AEAD_TAG_LEN)
		return TALLY_ERR_TOO_LARGE;
	if ((c = gcm_start(1, key, nonce, aad, aadlen)) == NULL)
		return TALLY_ERR_CRYPTO;
	if (EVP_EncryptUpdate(c, out, &n, pt, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, out + n, &fin) != 1 ||
	    (size_t)(n + fin) != len ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, AEAD_TAG_LEN,
	    out + len) != 1)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return ret;
}

int
aead_open(uint8_t *out, const uint8_t key[AEAD_KEY_LEN],
    const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *ct, size_t ctlen)
{
	EVP_CIPHER_CTX *c;
	uint8_t tag[AEAD_TAG_LEN];
	size_t len;
	int n = 0, fin, ret = TALLY_ERR_CRYPTO;

	if (ctlen < AEAD_TAG_LEN)
		return TALLY_ERR_TRUNCATED;
	if (ctlen > INT_MAX)
		return TALLY_ERR_TOO_LARGE;
	len = ctlen - AEAD_TAG_LEN;
	memcpy(tag, ct + len, AEAD_TAG_LEN);
	if ((c = gcm_start(0, key, nonce, aad, aadlen)) == NULL)
		return TALLY_ERR_CRYPTO;
	if (EVP_DecryptUpdate(c, out, &n, ct, (int)len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, AEAD_TAG_LEN,
	    tag) != 1 ||
	    EVP_DecryptFinal_ex(c, out + n, &fin) != 1)
		goto out;
	ret = 0;
out:
	if (ret != 0)
		OPENSSL_cleanse(out, len);
	EVP_CIPHER_CTX_free(c);
	return ret;
}
