/* credential.c: card seeds, per-vote credential keys and registries. */
#include "credential.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aead.h"
#include "err.h"
#include "hash.h"
#include "sign.h"
#include "util.h"

#define CRED_INFO "tally credential"
#define REGISTRY_MAGIC "tally-registry v1 "
#define CARD_FILE_MAX 256
#define B32_LEN 56

int
credential_vote_id_valid(const char *id)
{
	size_t i, len = strlen(id);

	if (len < 1 || len > CRED_VOTE_ID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '_' ||
		    id[i] == '-'))
			return 0;
	return 1;
}

int
credential_seed_new(uint8_t seed[CRED_SEED_LEN])
{
	return RAND_priv_bytes(seed, CRED_SEED_LEN) == 1 ? 0 :
	    TALLY_ERR_CRYPTO;
}

int
credential_derive(uint8_t sk[CRED_KEY_LEN], uint8_t pk[CRED_KEY_LEN],
    const uint8_t seed[CRED_SEED_LEN], const char *vote_id)
{
	struct hash_part part = {vote_id, strlen(vote_id)};
	uint8_t salt[HASH_LEN], k[CRED_KEY_LEN];
	int ret;

	if (!credential_vote_id_valid(vote_id))
		return TALLY_ERR_INVALID_ARG;
	if ((ret = hash_tagged(salt, "cred-salt", &part, 1)) != 0 ||
	    (ret = aead_hkdf(k, sizeof(k), seed, CRED_SEED_LEN, salt,
	    sizeof(salt), (const uint8_t *)CRED_INFO,
	    sizeof(CRED_INFO) - 1)) != 0 ||
	    (ret = ed25519_public_from_private(pk, k)) != 0)
		goto out;
	if (sk != NULL)
		memcpy(sk, k, sizeof(k));
out:
	OPENSSL_cleanse(k, sizeof(k));
	return ret;
}

static int
card_check(uint8_t out[CRED_CHECK_LEN], const uint8_t seed[CRED_SEED_LEN])
{
	struct hash_part part = {seed, CRED_SEED_LEN};
	uint8_t h[HASH_LEN];
	int ret;

	if ((ret = hash_tagged(h, "card-check", &part, 1)) == 0)
		memcpy(out, h, CRED_CHECK_LEN);
	OPENSSL_cleanse(h, sizeof(h));
	return ret;
}

int
credential_code(char out[CRED_CODE_LEN + 1], const uint8_t seed[CRED_SEED_LEN])
{
	uint8_t raw[CRED_SEED_LEN + CRED_CHECK_LEN];
	char b32[B32_LEN + 1];
	size_t i, o = 0;
	int ret;

	memcpy(raw, seed, CRED_SEED_LEN);
	if ((ret = card_check(raw + CRED_SEED_LEN, seed)) != 0)
		goto out;
	if (util_base32(b32, raw, sizeof(raw)) != B32_LEN) {
		ret = TALLY_ERR_INTERNAL;
		goto out;
	}
	for (i = 0; i < B32_LEN; i++) {
		if (i > 0 && i % CRED_GROUP == 0)
			out[o++] = '-';
		out[o++] = b32[i];
	}
	out[o] = '\0';
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(b32, sizeof(b32));
	return ret;
}

int
credential_parse(uint8_t seed[CRED_SEED_LEN], const char *code)
{
	uint8_t raw[CRED_SEED_LEN + CRED_CHECK_LEN], chk[CRED_CHECK_LEN];
	int ret;

	if ((ret = util_unbase32(raw, sizeof(raw), code)) != 0)
		goto out;
	if ((ret = card_check(chk, raw)) != 0)
		goto out;
	if (CRYPTO_memcmp(chk, raw + CRED_SEED_LEN, CRED_CHECK_LEN) != 0) {
		ret = TALLY_ERR_CHECKSUM;
		goto out;
	}
	memcpy(seed, raw, CRED_SEED_LEN);
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	return ret;
}

int
credential_card_load(uint8_t seed[CRED_SEED_LEN], const char *path)
{
	uint8_t *p = NULL;
	size_t len = 0;
	int ret;

	if ((ret = util_check_private(path)) != 0 ||
	    (ret = util_read_file(path, CARD_FILE_MAX, &p, &len)) != 0)
		return ret;
	if (len > 0 && p[len - 1] == '\n')
		p[--len] = '\0';
	if (strlen((char *)p) != len)
		ret = TALLY_ERR_DECODE;
	else
		ret = credential_parse(seed, (char *)p);
	util_freezero(p, len + 1);
	return ret;
}

/* ------------------------------------------------------------ registry */

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, CRED_KEY_LEN);
}

void
registry_free(struct registry *r)
{
	if (r == NULL)
		return;
	free(r->keys);
	free(r);
}

static int
registry_alloc(struct registry **out, const char *vote_id, size_t n)
{
	struct registry *r;

	*out = NULL;
	if (!credential_vote_id_valid(vote_id))
		return TALLY_ERR_INVALID_ARG;
	if (n > REGISTRY_MAX_KEYS)
		return TALLY_ERR_TOO_LARGE;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->keys = calloc(n ? n : 1, CRED_KEY_LEN)) == NULL) {
		free(r);
		return TALLY_ERR_NOMEM;
	}
	snprintf(r->vote_id, sizeof(r->vote_id), "%s", vote_id);
	r->n = n;
	*out = r;
	return 0;
}

int
registry_new(struct registry **out, const char *vote_id,
    const uint8_t (*keys)[CRED_KEY_LEN], size_t n)
{
	struct registry *r;
	size_t i;
	int ret;

	if ((ret = registry_alloc(&r, vote_id, n)) != 0)
		return ret;
	if (n > 0)
		memcpy(r->keys, keys, n * CRED_KEY_LEN);
	qsort(r->keys, n, CRED_KEY_LEN, key_cmp);
	for (i = 1; i < n; i++)
		if (memcmp(r->keys[i - 1], r->keys[i], CRED_KEY_LEN) == 0) {
			registry_free(r);
			return TALLY_ERR_INVALID_ARG;
		}
	*out = r;
	return 0;
}

int
registry_encode(const struct registry *r, char **out, size_t *len)
{
	size_t cap, o, i;
	char *p;
	int n;

	cap = sizeof(REGISTRY_MAGIC) + CRED_VOTE_ID_MAX + 24 +
	    r->n * (2 * CRED_KEY_LEN + 1);
	if ((p = calloc(1, cap)) == NULL)
		return TALLY_ERR_NOMEM;
	n = snprintf(p, cap, REGISTRY_MAGIC "%s %zu\n", r->vote_id, r->n);
	o = (size_t)n;
	for (i = 0; i < r->n; i++) {
		util_hex(p + o, r->keys[i], CRED_KEY_LEN);
		o += 2 * CRED_KEY_LEN;
		p[o++] = '\n';
	}
	p[o] = '\0';
	*out = p;
	*len = o;
	return 0;
}

/* Parse "tally-registry v1 ID COUNT\n"; *off is past the newline. */
static int
registry_header(char id[CRED_VOTE_ID_MAX + 1], size_t *count,
    const uint8_t *p, size_t len, size_t *off)
{
	const uint8_t *nl, *sp;
	char num[24];
	uint64_t v;
	size_t m = sizeof(REGISTRY_MAGIC) - 1;

	if ((nl = memchr(p, '\n', len < 256 ? len : 256)) == NULL)
		return TALLY_ERR_TRUNCATED;
	/* A NUL would cut the id or the count short as C strings below. */
	if ((size_t)(nl - p) < m || memcmp(p, REGISTRY_MAGIC, m) != 0 ||
	    memchr(p, '\0', (size_t)(nl - p)) != NULL)
		return TALLY_ERR_DECODE;
	if ((sp = memchr(p + m, ' ', (size_t)(nl - p) - m)) == NULL ||
	    (size_t)(sp - p) - m > CRED_VOTE_ID_MAX ||
	    (size_t)(nl - sp) - 1 >= sizeof(num))
		return TALLY_ERR_DECODE;
	memcpy(id, p + m, (size_t)(sp - p) - m);
	id[(size_t)(sp - p) - m] = '\0';
	memcpy(num, sp + 1, (size_t)(nl - sp) - 1);
	num[(size_t)(nl - sp) - 1] = '\0';
	if (!credential_vote_id_valid(id) ||
	    util_parse_u64(num, 0, REGISTRY_MAX_KEYS, &v) != 0 ||
	    (num[0] == '0' && num[1] != '\0'))
		return TALLY_ERR_DECODE;
	*count = (size_t)v;
	*off = (size_t)(nl - p) + 1;
	return 0;
}

int
registry_decode(struct registry **out, const uint8_t *p, size_t len)
{
	struct registry *r = NULL;
	char id[CRED_VOTE_ID_MAX + 1], hex[2 * CRED_KEY_LEN + 1], *e;
	size_t count, off, i, line = 2 * CRED_KEY_LEN + 1;
	int ret;

	*out = NULL;
	if ((ret = registry_header(id, &count, p, len, &off)) != 0)
		return ret;
	if ((len - off) / line < count)
		return TALLY_ERR_TRUNCATED;
	if (len - off != count * line)
		return (len - off) % line ? TALLY_ERR_DECODE : TALLY_ERR_TRAILING;
	if ((ret = registry_alloc(&r, id, count)) != 0)
		return ret;
	for (i = 0; i < count && ret == 0; i++, off += line) {
		memcpy(hex, p + off, line - 1);
		hex[line - 1] = '\0';
		/* Lowercase only, so that one registry has one encoding. */
		for (e = hex; *e != '\0'; e++)
			if (*e >= 'A' && *e <= 'F')
				ret = TALLY_ERR_DECODE;
		if (ret == 0 && (p[off + line - 1] != '\n' ||
		    util_unhex(r->keys[i], CRED_KEY_LEN, hex) != 0 ||
		    (i > 0 && memcmp(r->keys[i - 1], r->keys[i],
		    CRED_KEY_LEN) >= 0)))
			ret = TALLY_ERR_DECODE;
	}
	if (ret != 0) {
		registry_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int
registry_load(struct registry **out, const char *path)
{
	uint8_t *p;
	size_t len;
	int ret;

	*out = NULL;
	if ((ret = util_read_file(path, 256 + (size_t)REGISTRY_MAX_KEYS *
	    (2 * CRED_KEY_LEN + 1), &p, &len)) != 0)
		return ret;
	ret = registry_decode(out, p, len);
	free(p);
	return ret;
}

int
registry_contains(const struct registry *r, const uint8_t pk[CRED_KEY_LEN])
{
	return bsearch(pk, r->keys, r->n, CRED_KEY_LEN, key_cmp) != NULL;
}
