/*
 * sign.h: Ed25519 (RFC 8032) with raw 32-byte keys, through OpenSSL's
 * EVP_PKEY_ED25519. Keys and signatures are fixed-size byte strings;
 * verification takes the signature length so that untrusted input can be
 * passed as it came and anything but 64 bytes is refused. Private keys are
 * wiped from every temporary the module makes.
 */
#ifndef TALLY_SIGN_H
#define TALLY_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#define ED25519_KEY_LEN 32
#define ED25519_SIG_LEN 64

/* A fresh key pair from the OpenSSL DRBG. */
/* An Ed25519 private key file (the ledger's, a witness's): PKCS#8 PEM, 64
 * hex digits (one newline allowed) or 32 raw bytes; refused (E_PERM) when
 * group- or world-accessible, E_DECODE when it is none of these. */
int ed25519_key_load(const char *path, uint8_t sk[ED25519_KEY_LEN],
    uint8_t pk[ED25519_KEY_LEN]);
int ed25519_keygen(uint8_t sk[ED25519_KEY_LEN], uint8_t pk[ED25519_KEY_LEN]);
int ed25519_public_from_private(uint8_t pk[ED25519_KEY_LEN],
    const uint8_t sk[ED25519_KEY_LEN]);
int ed25519_sign(uint8_t sig[ED25519_SIG_LEN],
    const uint8_t sk[ED25519_KEY_LEN], const void *msg, size_t len);
/* The same with the key set up once for several uses (a terminal needs the
 * public key before it signs): ed25519_key_new gives the OpenSSL key of sk
 * (free with EVP_PKEY_free) and its public key. */
int ed25519_key_new(EVP_PKEY **out, uint8_t pk[ED25519_KEY_LEN],
    const uint8_t sk[ED25519_KEY_LEN]);
int ed25519_sign_key(uint8_t sig[ED25519_SIG_LEN], EVP_PKEY *k,
    const void *msg, size_t len);
/*
 * 0 when sig is a valid signature of msg by pk, else
 * TALLY_ERR_BAD_SIGNATURE (including a bad key or a wrong length).
 * Verification is OpenSSL's: cofactorless ([S]B = R + [k]A, R compared as
 * bytes, so a non-canonical R fails), S < L. On top of it a key that is
 * not strict (below) never verifies anything.
 */
/* 0 for a non-canonical public key (y >= p) or one of small order, which
 * OpenSSL would accept; 1 otherwise. */
int ed25519_key_is_strict(const uint8_t pk[ED25519_KEY_LEN]);
int ed25519_verify(const uint8_t pk[ED25519_KEY_LEN], const void *msg,
    size_t len, const uint8_t *sig, size_t siglen);

#endif
