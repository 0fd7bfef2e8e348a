/* hash.c: the tagged hash framing, challenges and CRC-32C. */
#include "hash.h"

#include <pthread.h>
#include <string.h>

#include "err.h"
#include "group.h"

static EVP_MD *md_sha256;
static EVP_MD *md_sha512;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

/* Fetch the digests once: implicit fetches on every hash are slow. */
static void
hash_fetch_once(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
}

static const EVP_MD *
hash_md(int wide)
{
	pthread_once(&md_once, hash_fetch_once);
	return wide ? md_sha512 : md_sha256;
}

int
hash_init(struct hash_ctx *h, const char *tag, int wide)
{
	static const uint8_t zero = 0;
	const EVP_MD *md = hash_md(wide);

	h->wide = wide;
	h->md = EVP_MD_CTX_new();
	if (h->md == NULL || md == NULL)
		goto fail;
	if (EVP_DigestInit_ex(h->md, md, NULL) != 1 ||
	    EVP_DigestUpdate(h->md, HASH_PREFIX, strlen(HASH_PREFIX)) != 1 ||
	    EVP_DigestUpdate(h->md, tag, strlen(tag)) != 1 ||
	    EVP_DigestUpdate(h->md, &zero, 1) != 1)
		goto fail;
	return 0;
fail:
	hash_abort(h);
	return TALLY_ERR_CRYPTO;
}

int
hash_add(struct hash_ctx *h, const void *p, size_t len)
{
	uint8_t be[4];

	if (len > UINT32_MAX)
		return TALLY_ERR_TOO_LARGE;
	be[0] = (uint8_t)(len >> 24);
	be[1] = (uint8_t)(len >> 16);
	be[2] = (uint8_t)(len >> 8);
	be[3] = (uint8_t)len;
	if (EVP_DigestUpdate(h->md, be, sizeof(be)) != 1)
		return TALLY_ERR_CRYPTO;
	if (len > 0 && EVP_DigestUpdate(h->md, p, len) != 1)
		return TALLY_ERR_CRYPTO;
	return 0;
}

int
hash_add_u32(struct hash_ctx *h, uint32_t v)
{
	uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v};

	return hash_add(h, be, sizeof(be));
}

int
hash_add_u64(struct hash_ctx *h, uint64_t v)
{
	uint8_t be[8];
	int i;

	for (i = 0; i < 8; i++)
		be[i] = (uint8_t)(v >> (56 - 8 * i));
	return hash_add(h, be, sizeof(be));
}

int
hash_add_str(struct hash_ctx *h, const char *s)
{
	return hash_add(h, s, strlen(s));
}

int
hash_final(struct hash_ctx *h, uint8_t out[HASH_LEN])
{
	unsigned int n = 0;
	int ret = 0;

	if (h->wide || EVP_DigestFinal_ex(h->md, out, &n) != 1 ||
	    n != HASH_LEN)
		ret = TALLY_ERR_CRYPTO;
	hash_abort(h);
	return ret;
}

int
hash_final_scalar(struct hash_ctx *h, BIGNUM *out)
{
	uint8_t d[64];
	unsigned int n = 0;
	int ret = TALLY_ERR_CRYPTO;
	BN_CTX *ctx = group_bn_ctx();

	if (!h->wide || ctx == NULL)
		goto out;
	if (EVP_DigestFinal_ex(h->md, d, &n) != 1 || n != sizeof(d))
		goto out;
	if (BN_bin2bn(d, sizeof(d), out) == NULL ||
	    BN_nnmod(out, out, group_order(), ctx) != 1)
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(d, sizeof(d));
	hash_abort(h);
	return ret;
}

void
hash_abort(struct hash_ctx *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

int
hash_tagged(uint8_t out[HASH_LEN], const char *tag,
    const struct hash_part *parts, size_t n)
{
	struct hash_ctx h;
	size_t i;
	int ret;

	if ((ret = hash_init(&h, tag, 0)) != 0)
		return ret;
	for (i = 0; i < n; i++) {
		if ((ret = hash_add(&h, parts[i].p, parts[i].len)) != 0) {
			hash_abort(&h);
			return ret;
		}
	}
	return hash_final(&h, out);
}

int
hash_sha256_2(uint8_t out[HASH_LEN], const void *p1, size_t l1,
    const void *p2, size_t l2)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ret = TALLY_ERR_CRYPTO;

	if (md == NULL)
		return TALLY_ERR_NOMEM;
	if (EVP_DigestInit_ex(md, hash_md(0), NULL) == 1 &&
	    (l1 == 0 || EVP_DigestUpdate(md, p1, l1) == 1) &&
	    (l2 == 0 || EVP_DigestUpdate(md, p2, l2) == 1) &&
	    EVP_DigestFinal_ex(md, out, &n) == 1 && n == HASH_LEN)
		ret = 0;
	EVP_MD_CTX_free(md);
	return ret;
}

int
hash_sha256(uint8_t out[HASH_LEN], const void *p, size_t len)
{
	return hash_sha256_2(out, p, len, NULL, 0);
}

/* CRC-32C, reflected polynomial 0x82F63B78, table built once. */
static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc_init(void)
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t
hash_crc32c(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t c = 0xFFFFFFFFu;

	pthread_once(&crc_once, crc_init);
	while (len-- > 0)
		c = crc_table[(c ^ *b++) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}
