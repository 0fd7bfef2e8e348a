/* sign.c: Ed25519 through EVP_PKEY with raw keys. */
#include "sign.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "err.h"

int
ed25519_keygen(uint8_t sk[ED25519_KEY_LEN], uint8_t pk[ED25519_KEY_LEN])
{
	EVP_PKEY *k = NULL;
	size_t sl = ED25519_KEY_LEN, pl = ED25519_KEY_LEN;
	int ret = TALLY_ERR_CRYPTO;

	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		goto out;
	if (EVP_PKEY_get_raw_private_key(k, sk, &sl) != 1 ||
	    sl != ED25519_KEY_LEN ||
	    EVP_PKEY_get_raw_public_key(k, pk, &pl) != 1 ||
	    pl != ED25519_KEY_LEN) {
		OPENSSL_cleanse(sk, ED25519_KEY_LEN);
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_free(k);
	return ret;
}

int
ed25519_public_from_private(uint8_t pk[ED25519_KEY_LEN],
    const uint8_t sk[ED25519_KEY_LEN])
{
	EVP_PKEY *k;
	size_t pl = ED25519_KEY_LEN;
	int ret = TALLY_ERR_CRYPTO;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk,
	    ED25519_KEY_LEN);
	if (k != NULL && EVP_PKEY_get_raw_public_key(k, pk, &pl) == 1 &&
	    pl == ED25519_KEY_LEN)
		ret = 0;
	EVP_PKEY_free(k);
	return ret;
}

int
ed25519_sign(uint8_t sig[ED25519_SIG_LEN], const uint8_t sk[ED25519_KEY_LEN],
    const void *msg, size_t len)
{
	EVP_PKEY *k;
	EVP_MD_CTX *md = NULL;
	size_t sl = ED25519_SIG_LEN;
	int ret = TALLY_ERR_CRYPTO;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk,
	    ED25519_KEY_LEN);
	if (k == NULL || (md = EVP_MD_CTX_new()) == NULL)
		goto out;
	/* Ed25519 is one-shot: no digest, EVP_DigestSign only. */
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &sl, msg, len) != 1 ||
	    sl != ED25519_SIG_LEN)
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ret;
}

int
ed25519_verify(const uint8_t pk[ED25519_KEY_LEN], const void *msg,
    size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_PKEY *k;
	EVP_MD_CTX *md = NULL;
	int ret = TALLY_ERR_BAD_SIGNATURE;

	if (sig == NULL || siglen != ED25519_SIG_LEN)
		return TALLY_ERR_BAD_SIGNATURE;
	k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
	    ED25519_KEY_LEN);
	if (k == NULL || (md = EVP_MD_CTX_new()) == NULL)
		goto out;
	if (EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, msg, len) == 1)
		ret = 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return ret;
}
