/*
 * aead.h: the symmetric pieces shared by share encryption, write-ins and
 * credentials: HKDF-SHA256 (OpenSSL EVP_KDF "HKDF") and AES-256-GCM with a
 * 12-byte nonce and a 16-byte tag appended to the ciphertext.
 *
 * aead_open never releases plaintext whose tag does not verify: on failure
 * the output is wiped and E_CRYPTO returned.
 */
#ifndef TALLY_AEAD_H
#define TALLY_AEAD_H

#include <stddef.h>
#include <stdint.h>

#define AEAD_KEY_LEN 32
#define AEAD_NONCE_LEN 12
#define AEAD_TAG_LEN 16

/* out[0..outlen) = HKDF-SHA256(ikm, salt, info). */
int aead_hkdf(uint8_t *out, size_t outlen, const uint8_t *ikm, size_t ikmlen,
    const uint8_t *salt, size_t saltlen, const uint8_t *info, size_t infolen);

/* out[0..len + AEAD_TAG_LEN) = AES-256-GCM(key, nonce, aad; pt[0..len)). */
int aead_seal(uint8_t *out, const uint8_t key[AEAD_KEY_LEN],
    const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *pt, size_t len);

/* out[0..ctlen - AEAD_TAG_LEN) from ct[0..ctlen) (ciphertext || tag). */
int aead_open(uint8_t *out, const uint8_t key[AEAD_KEY_LEN],
    const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aadlen,
    const uint8_t *ct, size_t ctlen);

#endif
