/* writein.c: hashed ElGamal of write-in names. */
#include "writein.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aead.h"
#include "err.h"
#include "group.h"
#include "hash.h"

#define WRITEIN_INFO "tally writein"

/* Strict UTF-8: no overlongs, surrogates or code points past U+10FFFF. */
static int
utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n, j;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1, cp = s[i] & 0x1f, min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2, cp = s[i] & 0x0f, min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3, cp = s[i] & 0x07, min = 0x10000;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (j = 1; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
writein_key(uint8_t key[AEAD_KEY_LEN], const EC_POINT *rK,
    const struct proof_bind *bind)
{
	uint8_t salt[HASH_LEN], z[GROUP_POINT_LEN], zero[32] = {0};
	struct hash_ctx h;
	int ret;

	if ((ret = hash_init(&h, "writein-salt", 0)) != 0)
		return ret;
	if ((ret = hash_add(&h, bind->election_hash ? bind->election_hash :
	    zero, 32)) != 0 ||
	    (ret = hash_add(&h, bind->subject, bind->subject_len)) != 0 ||
	    (ret = hash_add_u32(&h, bind->contest)) != 0 ||
	    (ret = hash_add_u32(&h, bind->index)) != 0) {
		hash_abort(&h);
		return ret;
	}
	if ((ret = hash_final(&h, salt)) != 0 ||
	    (ret = group_point_encode(z, rK)) != 0)
		goto out;
	ret = aead_hkdf(key, AEAD_KEY_LEN, z, sizeof(z), salt, sizeof(salt),
	    (const uint8_t *)WRITEIN_INFO, sizeof(WRITEIN_INFO) - 1);
out:
	OPENSSL_cleanse(z, sizeof(z));
	return ret;
}

static int
alloc_bytes(ProtobufCBinaryData *b, size_t len)
{
	if ((b->data = calloc(1, len)) == NULL)
		return TALLY_ERR_NOMEM;
	b->len = len;
	return 0;
}

/* The parts of out that do not need r: buffers, the nonce. */
static int
writein_alloc(Tally__WriteIn *out)
{
	int ret;

	if ((ret = alloc_bytes(&out->kem, GROUP_POINT_LEN)) != 0 ||
	    (ret = alloc_bytes(&out->nonce, WRITEIN_NONCE_LEN)) != 0 ||
	    (ret = alloc_bytes(&out->sealed, WRITEIN_SEALED_LEN)) != 0)
		return ret;
	if ((out->pok = calloc(1, sizeof(*out->pok))) == NULL)
		return TALLY_ERR_NOMEM;
	tally__schnorr_proof__init(out->pok);
	if (RAND_bytes(out->nonce.data, WRITEIN_NONCE_LEN) != 1)
		return TALLY_ERR_CRYPTO;
	return 0;
}

/* pad(name) into pt[WRITEIN_PAD]. */
static int
writein_pad(uint8_t pt[WRITEIN_PAD], const char *name)
{
	size_t len = strlen(name);

	if (len > WRITEIN_NAME_MAX)
		return TALLY_ERR_TOO_LARGE;
	if (!utf8_valid((const uint8_t *)name, len))
		return TALLY_ERR_INVALID_ARG;
	memset(pt, 0, WRITEIN_PAD);
	pt[0] = (uint8_t)len;
	memcpy(pt + 1, name, len);
	return 0;
}

/* kem = rG and sealed = AEAD(key(rK), nonce; pad(name)), nonce as given. */
static int
writein_seal(uint8_t kem[GROUP_POINT_LEN], uint8_t sealed[WRITEIN_SEALED_LEN],
    const uint8_t nonce[WRITEIN_NONCE_LEN], const EC_POINT *K,
    const BIGNUM *r, const char *name, const struct proof_bind *b)
{
	uint8_t pt[WRITEIN_PAD], key[AEAD_KEY_LEN];
	EC_POINT *R = NULL, *Z = NULL;
	int ret;

	if ((ret = writein_pad(pt, name)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((R = group_point_new()) == NULL || (Z = group_point_new()) == NULL)
		goto out;
	/* K is the same for the whole vote: its table (constant time) */
	if ((ret = group_mul_g(R, r)) != 0 ||
	    (ret = group_mul_fixed(Z, K, r)) != 0 ||
	    (ret = group_point_encode(kem, R)) != 0 ||
	    (ret = writein_key(key, Z, b)) != 0)
		goto out;
	ret = aead_seal(sealed, key, nonce, kem, GROUP_POINT_LEN, pt,
	    sizeof(pt));
out:
	OPENSSL_cleanse(pt, sizeof(pt));
	OPENSSL_cleanse(key, sizeof(key));
	group_point_free(R);
	group_point_free(Z);
	return ret;
}

int
writein_encrypt(Tally__WriteIn *out, const EC_POINT *K, const char *name,
    const struct proof_bind *bind)
{
	return writein_encrypt_r(out, K, name, bind, NULL);
}

int
writein_encrypt_r(Tally__WriteIn *out, const EC_POINT *K, const char *name,
    const struct proof_bind *bind, uint8_t r_out[GROUP_SCALAR_LEN])
{
	struct proof_bind b = *bind;
	uint8_t pt[WRITEIN_PAD];
	EC_POINT *R = NULL;
	BIGNUM *r = NULL;
	int ret;

	if ((ret = writein_pad(pt, name)) != 0)
		return ret;
	OPENSSL_cleanse(pt, sizeof(pt));
	b.kind = PROOF_WRITEIN;
	ret = TALLY_ERR_NOMEM;
	if ((R = group_point_new()) == NULL || (r = group_scalar_new()) == NULL)
		goto out;
	if ((ret = writein_alloc(out)) != 0 ||
	    (ret = group_scalar_random(r)) != 0 ||
	    (ret = writein_seal(out->kem.data, out->sealed.data,
	    out->nonce.data, K, r, name, &b)) != 0 ||
	    (ret = group_mul_g(R, r)) != 0 ||
	    (ret = schnorr_prove(out->pok, r, R, &b)) != 0)
		goto out;
	if (r_out != NULL)
		ret = group_scalar_encode(r_out, r);
out:
	if (ret != 0)
		writein_clear(out);
	group_point_free(R);
	group_scalar_free(r);
	return ret;
}

int
writein_reveal_check(const Tally__WriteIn *w, const EC_POINT *K,
    const uint8_t *r, size_t rlen, const char *name,
    const struct proof_bind *bind)
{
	struct proof_bind b = *bind;
	uint8_t kem[GROUP_POINT_LEN], sealed[WRITEIN_SEALED_LEN];
	BIGNUM *s;
	int ret;

	if (w->kem.len != GROUP_POINT_LEN || w->nonce.len != WRITEIN_NONCE_LEN ||
	    w->sealed.len != WRITEIN_SEALED_LEN)
		return TALLY_ERR_BALLOT_SHAPE;
	if ((s = group_scalar_new()) == NULL)
		return TALLY_ERR_NOMEM;
	b.kind = PROOF_WRITEIN;
	if ((ret = group_scalar_decode(s, r, rlen)) != 0)
		goto out;
	if ((ret = writein_seal(kem, sealed, w->nonce.data, K, s, name,
	    &b)) != 0)
		goto out;
	if (CRYPTO_memcmp(kem, w->kem.data, sizeof(kem)) != 0 ||
	    CRYPTO_memcmp(sealed, w->sealed.data, sizeof(sealed)) != 0)
		ret = TALLY_ERR_REVEAL;
out:
	group_scalar_free(s);
	return ret;
}

void
writein_clear(Tally__WriteIn *w)
{
	if (w == NULL)
		return;
	free(w->kem.data);
	free(w->nonce.data);
	free(w->sealed.data);
	if (w->pok != NULL) {
		schnorr_clear(w->pok);
		free(w->pok);
	}
	tally__write_in__init(w);
}

int
writein_kem(EC_POINT *R, const Tally__WriteIn *w)
{
	return group_point_decode(R, w->kem.data, w->kem.len);
}

int
writein_check(const Tally__WriteIn *w, const struct proof_bind *bind)
{
	struct proof_bind b = *bind;
	EC_POINT *R;
	int ret;

	if (w->nonce.len != WRITEIN_NONCE_LEN ||
	    w->sealed.len != WRITEIN_SEALED_LEN || w->pok == NULL)
		return TALLY_ERR_BALLOT_SHAPE;
	b.kind = PROOF_WRITEIN;
	if ((R = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = writein_kem(R, w)) == 0)
		ret = schnorr_verify(w->pok, R, &b);
	group_point_free(R);
	return ret;
}

int
writein_decrypt(char name[WRITEIN_NAME_MAX + 1], const Tally__WriteIn *w,
    const EC_POINT *rK, const struct proof_bind *bind)
{
	struct proof_bind b = *bind;
	uint8_t pt[WRITEIN_PAD], key[AEAD_KEY_LEN];
	size_t len, i;
	int ret;

	name[0] = '\0';
	if (w->kem.len != GROUP_POINT_LEN || w->nonce.len != WRITEIN_NONCE_LEN ||
	    w->sealed.len != WRITEIN_SEALED_LEN)
		return TALLY_ERR_BALLOT_SHAPE;
	b.kind = PROOF_WRITEIN;
	if ((ret = writein_key(key, rK, &b)) != 0 ||
	    (ret = aead_open(pt, key, w->nonce.data, w->kem.data,
	    GROUP_POINT_LEN, w->sealed.data, w->sealed.len)) != 0)
		goto out;
	ret = TALLY_ERR_DECODE;
	len = pt[0];
	if (len > WRITEIN_NAME_MAX ||
	    !utf8_valid(pt + 1, len))
		goto out;
	for (i = 1 + len; i < sizeof(pt); i++)
		if (pt[i] != 0)
			goto out;
	memcpy(name, pt + 1, len);
	name[len] = '\0';
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(pt, sizeof(pt));
	return ret;
}

/* ------------------------------------------------ names as points */

#define WRITEIN_PADDED (WRITEIN_POINTS * WRITEIN_POINT_BYTES)
#define WRITEIN_CTR_MAX 0xfe

_Static_assert(WRITEIN_PADDED >= 1 + MANIFEST_WRITEIN_MAX,
    "a name and its length byte fit in the points");

/* The point 02 || ctr || chunk, or E_BAD_POINT when that x has none. */
static int
chunk_point(EC_POINT *P, unsigned ctr, const uint8_t *chunk)
{
	uint8_t enc[GROUP_POINT_LEN];

	enc[0] = 0x02;
	enc[1] = (uint8_t)ctr;
	memcpy(enc + 2, chunk, WRITEIN_POINT_BYTES);
	return group_point_decode(P, enc, sizeof(enc));
}

static int
chunk_encode(EC_POINT *P, const uint8_t *chunk)
{
	unsigned ctr;
	int ret;

	for (ctr = 0; ctr <= WRITEIN_CTR_MAX; ctr++)
		if ((ret = chunk_point(P, ctr, chunk)) != TALLY_ERR_BAD_POINT)
			return ret;
	return TALLY_ERR_CRYPTO;	/* probability 2^-255 */
}

int
writein_name_encode(EC_POINT *const *pts, const char *name)
{
	uint8_t buf[WRITEIN_PADDED] = {0};
	size_t len = strlen(name), j;
	int ret = 0;

	if (len > MANIFEST_WRITEIN_MAX)
		return TALLY_ERR_TOO_LARGE;
	if (!utf8_valid((const uint8_t *)name, len))
		return TALLY_ERR_INVALID_ARG;
	buf[0] = (uint8_t)len;
	memcpy(buf + 1, name, len);
	for (j = 0; j < WRITEIN_POINTS && ret == 0; j++)
		ret = chunk_encode(pts[j], buf + j * WRITEIN_POINT_BYTES);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

/* The chunk of P, if P is exactly what chunk_encode makes of it. */
static int
chunk_decode(uint8_t *chunk, const EC_POINT *P, EC_POINT *tmp)
{
	uint8_t enc[GROUP_POINT_LEN];
	unsigned ctr;
	int ret;

	if (group_point_is_infinity(P))
		return TALLY_ERR_DECODE;
	if ((ret = group_point_encode(enc, P)) != 0)
		return ret;
	if (enc[0] != 0x02 || enc[1] > WRITEIN_CTR_MAX)
		return TALLY_ERR_DECODE;
	memcpy(chunk, enc + 2, WRITEIN_POINT_BYTES);
	for (ctr = 0; ctr < enc[1]; ctr++) {
		ret = chunk_point(tmp, ctr, chunk);
		if (ret == 0)
			return TALLY_ERR_DECODE;	/* not the least counter */
		if (ret != TALLY_ERR_BAD_POINT)
			return ret;
	}
	return 0;
}

int
writein_name_decode(char name[MANIFEST_WRITEIN_MAX + 1],
    const EC_POINT *const *pts)
{
	uint8_t buf[WRITEIN_PADDED];
	EC_POINT *tmp;
	size_t j, len;
	int ret = 0;

	name[0] = '\0';
	if ((tmp = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	for (j = 0; j < WRITEIN_POINTS && ret == 0; j++)
		ret = chunk_decode(buf + j * WRITEIN_POINT_BYTES, pts[j], tmp);
	group_point_free(tmp);
	if (ret != 0)
		goto out;
	ret = TALLY_ERR_DECODE;
	len = buf[0];
	if (len > MANIFEST_WRITEIN_MAX || !utf8_valid(buf + 1, len))
		goto out;
	for (j = 1 + len; j < sizeof(buf); j++)
		if (buf[j] != 0)
			goto out;
	memcpy(name, buf + 1, len);
	name[len] = '\0';
	ret = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}
