/* witness.c: witness sets, C2SP cosignatures and witness keys. */
#include "witness.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "err.h"
#include "util.h"

int
witness_fingerprint(char out[WITNESS_FP_LEN], const uint8_t pk[32])
{
	struct hash_part part = { pk, 32 };
	uint8_t d[HASH_LEN];
	char b[17];
	int ret;

	if ((ret = hash_tagged(d, "witness-key", &part, 1)) != 0)
		return ret;
	util_base32(b, d, 10);
	snprintf(out, WITNESS_FP_LEN, "%.4s-%.4s-%.4s-%.4s", b, b + 4, b + 8,
	    b + 12);
	return 0;
}

static int
origin_id_ok(const char *id)
{
	size_t i, n = strlen(id);

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

int
witness_origin(char out[WITNESS_ORIGIN_MAX], const char *vote_id,
    const uint8_t he[HASH_LEN])
{
	char hex[2 * HASH_LEN + 1];

	if (vote_id == NULL || !origin_id_ok(vote_id))
		return TALLY_ERR_INVALID_ARG;
	util_hex(hex, he, HASH_LEN);
	snprintf(out, WITNESS_ORIGIN_MAX, "tally/%s/%s", vote_id, hex);
	return 0;
}

int
witness_message(uint8_t out[WITNESS_MSG_MAX], size_t *len, const char *origin,
    uint64_t size, const uint8_t root[HASH_LEN], uint64_t timestamp)
{
	unsigned char b64[48];
	int n;

	if (timestamp > INT64_MAX || origin == NULL ||
	    strlen(origin) >= WITNESS_ORIGIN_MAX || strchr(origin, '\n'))
		return TALLY_ERR_INVALID_ARG;
	if (EVP_EncodeBlock(b64, root, HASH_LEN) != 44)
		return TALLY_ERR_CRYPTO;
	n = snprintf((char *)out, WITNESS_MSG_MAX,
	    "cosignature/v1\ntime %" PRIu64 "\n%s\n%" PRIu64 "\n%s\n",
	    timestamp, origin, size, (char *)b64);
	if (n < 0 || n >= WITNESS_MSG_MAX)
		return TALLY_ERR_INVALID_ARG;
	*len = (size_t)n;
	return 0;
}

int
witness_cosign(uint8_t sig[ED25519_SIG_LEN], const uint8_t sk[ED25519_KEY_LEN],
    const char *origin, uint64_t size, const uint8_t root[HASH_LEN],
    uint64_t timestamp)
{
	uint8_t msg[WITNESS_MSG_MAX];
	size_t len;
	int ret;

	if ((ret = witness_message(msg, &len, origin, size, root,
	    timestamp)) != 0)
		return ret;
	return ed25519_sign(sig, sk, msg, len);
}

int
witness_cosig_verify(const Tally__Cosignature *c, const char *origin)
{
	uint8_t msg[WITNESS_MSG_MAX];
	size_t len;

	if (c == NULL || c->witness_key.len != ED25519_KEY_LEN ||
	    c->root.len != HASH_LEN || c->signature.len != ED25519_SIG_LEN ||
	    witness_message(msg, &len, origin, c->size, c->root.data,
	    c->timestamp) != 0)
		return TALLY_ERR_BAD_SIGNATURE;
	return ed25519_verify(c->witness_key.data, msg, len, c->signature.data,
	    c->signature.len);
}

int
witness_set_check(const ProtobufCBinaryData *keys, size_t n, uint32_t quorum,
    char *why, size_t whylen)
{
	size_t i;

	if (n > WITNESS_MAX) {
		util_errf(why, whylen, "%zu witnesses; at most %d", n,
		    WITNESS_MAX);
		return TALLY_ERR_WITNESS;
	}
	for (i = 0; i < n; i++) {
		if (keys[i].len != ED25519_KEY_LEN) {
			util_errf(why, whylen, "witness key %zu is not %d "
			    "bytes", i, ED25519_KEY_LEN);
			return TALLY_ERR_WITNESS;
		}
		if (i > 0 && memcmp(keys[i - 1].data, keys[i].data,
		    ED25519_KEY_LEN) >= 0) {
			util_errf(why, whylen, "witness keys are not strictly "
			    "ascending (key %zu)", i);
			return TALLY_ERR_WITNESS;
		}
	}
	if (n == 0 && quorum != 0) {
		util_errf(why, whylen, "witness quorum %u without witnesses",
		    quorum);
		return TALLY_ERR_WITNESS;
	}
	if (n > 0 && (quorum <= n / 2 || quorum > n)) {
		util_errf(why, whylen, "witness quorum %u of %zu: it must be "
		    "more than half of the witnesses and at most all", quorum,
		    n);
		return TALLY_ERR_WITNESS;
	}
	return 0;
}

int
witness_set_find(const ProtobufCBinaryData *keys, size_t n, const uint8_t *pk,
    size_t pklen)
{
	size_t i;

	if (pklen != ED25519_KEY_LEN)
		return -1;
	for (i = 0; i < n; i++)
		if (keys[i].len == pklen && memcmp(keys[i].data, pk, pklen) == 0)
			return (int)i;
	return -1;
}

int
witness_hash_add(struct hash_ctx *h, const ProtobufCBinaryData *keys,
    size_t n, uint32_t quorum)
{
	size_t i;
	int ret;

	if (n > WITNESS_MAX)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = hash_add_u32(h, (uint32_t)n)) != 0)
		return ret;
	for (i = 0; i < n; i++)
		if ((ret = hash_add(h, keys[i].data, keys[i].len)) != 0)
			return ret;
	return hash_add_u32(h, quorum);
}


int
witness_pub_load(const char *path, uint8_t pk[ED25519_KEY_LEN])
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	if ((ret = util_read_file(path, 256, &buf, &len)) != 0)
		return ret;
	if (len == 2 * ED25519_KEY_LEN + 1 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	ret = len == 2 * ED25519_KEY_LEN && util_unhex(pk, ED25519_KEY_LEN,
	    (char *)buf) == 0 ? 0 : TALLY_ERR_DECODE;
	free(buf);
	return ret;
}
