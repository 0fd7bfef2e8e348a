/* sign.c: Ed25519 through EVP_PKEY with raw keys. */
#include "sign.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "err.h"
#include "util.h"

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
ed25519_key_new(EVP_PKEY **out, uint8_t pk[ED25519_KEY_LEN],
    const uint8_t sk[ED25519_KEY_LEN])
{
	EVP_PKEY *k;
	size_t pl = ED25519_KEY_LEN;

	*out = NULL;
	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk,
	    ED25519_KEY_LEN);
	if (k == NULL || EVP_PKEY_get_raw_public_key(k, pk, &pl) != 1 ||
	    pl != ED25519_KEY_LEN) {
		EVP_PKEY_free(k);
		return TALLY_ERR_CRYPTO;
	}
	*out = k;
	return 0;
}

int
ed25519_public_from_private(uint8_t pk[ED25519_KEY_LEN],
    const uint8_t sk[ED25519_KEY_LEN])
{
	EVP_PKEY *k;
	int ret;

	ret = ed25519_key_new(&k, pk, sk);
	EVP_PKEY_free(k);
	return ret;
}

int
ed25519_sign_key(uint8_t sig[ED25519_SIG_LEN], EVP_PKEY *k, const void *msg,
    size_t len)
{
	EVP_MD_CTX *md;
	size_t sl = ED25519_SIG_LEN;
	int ret = TALLY_ERR_CRYPTO;

	if ((md = EVP_MD_CTX_new()) == NULL)
		return ret;
	/* Ed25519 is one-shot: no digest, EVP_DigestSign only. */
	if (EVP_DigestSignInit(md, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestSign(md, sig, &sl, msg, len) == 1 &&
	    sl == ED25519_SIG_LEN)
		ret = 0;
	EVP_MD_CTX_free(md);
	return ret;
}

int
ed25519_sign(uint8_t sig[ED25519_SIG_LEN], const uint8_t sk[ED25519_KEY_LEN],
    const void *msg, size_t len)
{
	uint8_t pk[ED25519_KEY_LEN];
	EVP_PKEY *k;
	int ret;

	if ((ret = ed25519_key_new(&k, pk, sk)) == 0)
		ret = ed25519_sign_key(sig, k, msg, len);
	EVP_PKEY_free(k);
	return ret;
}

/*
 * The encodings of the eight points of small order (8P = 0), whose
 * signatures can verify for many messages at once (docs/RECORD.md §1
 * "Ed25519"), and the two x = 0 points with the sign bit set, which RFC
 * 8032 does not decode but OpenSSL does.
 */
static const uint8_t small_order[10][ED25519_KEY_LEN] = {
	{ 0x01 },						/* identity */
	{ 0x01, [31] = 0x80 },					/* identity, x sign */
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },/* y=-1 */
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	{ 0 },							/* y = 0 */
	{ [31] = 0x80 },
	{ 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
	  0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
	  0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a },
	{ 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
	  0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
	  0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0xfa },
	{ 0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
	  0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
	  0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05 },
	{ 0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
	  0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
	  0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x85 },
};

int
ed25519_key_is_strict(const uint8_t pk[ED25519_KEY_LEN])
{
	size_t i;

	/* y >= p = 2^255 - 19: ed ff .. ff 7f and above (little-endian). */
	for (i = 30; i > 0 && pk[i] == 0xff; i--)
		;
	if ((pk[31] & 0x7f) == 0x7f && i == 0 && pk[0] >= 0xed)
		return 0;
	for (i = 0; i < sizeof(small_order) / sizeof(small_order[0]); i++)
		if (memcmp(pk, small_order[i], ED25519_KEY_LEN) == 0)
			return 0;
	return 1;
}

int
ed25519_verify(const uint8_t pk[ED25519_KEY_LEN], const void *msg,
    size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_PKEY *k;
	EVP_MD_CTX *md = NULL;
	int ret = TALLY_ERR_BAD_SIGNATURE;

	if (sig == NULL || siglen != ED25519_SIG_LEN ||
	    !ed25519_key_is_strict(pk))
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

int
ed25519_key_load(const char *path, uint8_t sk[ED25519_KEY_LEN],
    uint8_t pk[ED25519_KEY_LEN])
{
	uint8_t *buf = NULL;
	size_t len = 0, sklen = ED25519_KEY_LEN;
	EVP_PKEY *k = NULL;
	BIO *bio = NULL;
	int ret;

	if ((ret = util_check_private(path)) != 0 ||
	    (ret = util_read_file(path, 16384, &buf, &len)) != 0)
		return ret;
	ret = TALLY_ERR_DECODE;
	if (len == ED25519_KEY_LEN)
		memcpy(sk, buf, ED25519_KEY_LEN);
	else if ((len == 64 || (len == 65 && buf[64] == '\n')) &&
	    (buf[64] = '\0', util_unhex(sk, ED25519_KEY_LEN,
	    (char *)buf) == 0))
		;
	else if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL ||
	    (k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_get_base_id(k) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_private_key(k, sk, &sklen) != 1 ||
	    sklen != ED25519_KEY_LEN)
		goto out;
	ret = ed25519_public_from_private(pk, sk);
out:
	EVP_PKEY_free(k);
	BIO_free(bio);
	util_freezero(buf, len + 1);
	return ret;
}
