/*
 * writein.h: write-in names under hashed ElGamal (docs/design.md §4).
 *
 *   R = rG,  key = HKDF-SHA256(ikm = rK as a compressed point,
 *                              salt = H("writein-salt", election_hash,
 *                                       subject, u32be(contest), u32be(index)),
 *                              info = "tally writein"),
 *   sealed = AES-256-GCM(key, nonce, aad = R; pad(name)),
 *   pad(name) = u8(len) || name || zeros, WRITEIN_PAD bytes in all,
 *
 * with a Schnorr proof of knowledge of r (kind PROOF_WRITEIN, the rest of the
 * bind as given) so that R cannot be lifted from another ballot. Every
 * WriteIn, the empty name included, has the same sizes. Names are UTF-8 of at
 * most WRITEIN_NAME_MAX bytes with no NUL. Trustees turn R into rK = sum
 * lambda_i s_i R by proven partial decryption (ceremony.h); anyone holding
 * rK opens the name.
 */
#ifndef TALLY_WRITEIN_H
#define TALLY_WRITEIN_H

#include <openssl/ec.h>

#include "manifest.h"
#include "proof.h"
#include "tally.pb-c.h"

#define WRITEIN_PAD 64
#define WRITEIN_NAME_MAX (WRITEIN_PAD - 1)
#define WRITEIN_NONCE_LEN 12
#define WRITEIN_SEALED_LEN (WRITEIN_PAD + 16)

/* Fill out (initialised by the caller) with the encryption of name under K.
 * bind->kind is ignored (PROOF_WRITEIN is used). E_TOO_LARGE for a name over
 * WRITEIN_NAME_MAX bytes, E_INVALID_ARG when it is not UTF-8 or holds NUL.
 * Free with writein_clear. */
int writein_encrypt(Tally__WriteIn *out, const EC_POINT *K, const char *name,
    const struct proof_bind *bind);
/* As writein_encrypt, and r_out (when not NULL) receives the KEM
 * randomness r, a secret to wipe, which opens the write-in
 * (writein_reveal_check) if the ballot is challenged. */
int writein_encrypt_r(Tally__WriteIn *out, const EC_POINT *K,
    const char *name, const struct proof_bind *bind, uint8_t r_out[32]);
/* 0 when encrypting name with randomness r (32-byte scalar) and w's nonce
 * gives exactly w's KEM point and sealed bytes; E_REVEAL when not,
 * E_BAD_SCALAR, E_TOO_LARGE or E_INVALID_ARG for a bad r or name. */
int writein_reveal_check(const Tally__WriteIn *w, const EC_POINT *K,
    const uint8_t *r, size_t rlen, const char *name,
    const struct proof_bind *bind);
/* Free what writein_encrypt allocated inside w (not w). NULL-safe. */
void writein_clear(Tally__WriteIn *w);
/* Verifier side: exact sizes, a valid KEM point, the proof of knowledge. */
int writein_check(const Tally__WriteIn *w, const struct proof_bind *bind);
/* The KEM point R of w, strictly decoded. */
int writein_kem(EC_POINT *R, const Tally__WriteIn *w);
/* Open w given rK; name receives the NUL-terminated name. E_CRYPTO when
 * the key or the ciphertext is wrong, E_DECODE for bad padding. */
int writein_decrypt(char name[WRITEIN_NAME_MAX + 1], const Tally__WriteIn *w,
    const EC_POINT *rK, const struct proof_bind *bind);

/*
 * Names as P-256 points, for the mix-net (docs/record/mixnet.md). The name
 * (at most MANIFEST_WRITEIN_MAX bytes) is padded to
 *   P = u8(len) || name || zeros,  WRITEIN_POINTS * WRITEIN_POINT_BYTES bytes,
 * and chunk j = P[31j .. 31j + 31) becomes the point with
 *   x = u8(ctr) || chunk (32 bytes big-endian), y even,
 * for the least ctr in 0..254 that puts x on the curve. A 60-byte name (20
 * characters of 3 UTF-8 bytes) fits in 2 points.
 */
#define WRITEIN_POINT_BYTES 31
#define WRITEIN_POINTS \
	((1 + MANIFEST_WRITEIN_MAX + WRITEIN_POINT_BYTES - 1) / WRITEIN_POINT_BYTES)

/* pts[0..WRITEIN_POINTS) (allocated by the caller) receive the encoding of
 * name. E_TOO_LARGE over MANIFEST_WRITEIN_MAX bytes, E_INVALID_ARG when not
 * UTF-8 or holding NUL. */
int writein_name_encode(EC_POINT *const *pts, const char *name);
/* The name of pts; E_DECODE unless the points are exactly the encoding of a
 * name (canonical counter, y even, valid length, UTF-8, zero padding). */
int writein_name_decode(char name[MANIFEST_WRITEIN_MAX + 1],
    const EC_POINT *const *pts);

#endif
