/* log_format.c: the file header, record frames, record hash and decoding. */
#include "log.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
log_header_encode(uint8_t out[LOG_HEADER_LEN])
{
	memcpy(out, LOG_MAGIC, 8);
	put_be32(out + 8, LOG_FORMAT_VERSION);
	put_be32(out + 12, LOG_HEADER_LEN);
}

int
log_header_decode(const uint8_t *p, size_t len)
{
	if (len < LOG_HEADER_LEN)
		return TALLY_ERR_TRUNCATED;
	if (len > LOG_HEADER_LEN)
		return TALLY_ERR_TRAILING;
	if (memcmp(p, LOG_MAGIC, 8) != 0)
		return TALLY_ERR_DECODE;
	if (get_be32(p + 8) != LOG_FORMAT_VERSION)
		return TALLY_ERR_VERSION;
	if (get_be32(p + 12) != LOG_HEADER_LEN)
		return TALLY_ERR_DECODE;
	return 0;
}

int
log_frame_head(uint8_t out[LOG_FRAME_HEAD], const uint8_t *payload,
    size_t len)
{
	if (len == 0 || len > LOG_MAX_RECORD)
		return TALLY_ERR_TOO_LARGE;
	put_be32(out, (uint32_t)len);
	put_be32(out + 4, hash_crc32c(payload, len));
	return 0;
}

int
log_frame_decode(const uint8_t *p, size_t avail, const uint8_t **payload,
    size_t *plen, size_t *flen)
{
	uint32_t len;

	if (avail < LOG_FRAME_HEAD)
		return TALLY_ERR_TRUNCATED;
	len = get_be32(p);
	if (len == 0 || len > LOG_MAX_RECORD)
		return TALLY_ERR_TOO_LARGE;
	if (avail - LOG_FRAME_HEAD < len)
		return TALLY_ERR_TRUNCATED;
	if (hash_crc32c(p + LOG_FRAME_HEAD, len) != get_be32(p + 4))
		return TALLY_ERR_CHECKSUM;
	*payload = p + LOG_FRAME_HEAD;
	*plen = len;
	*flen = LOG_FRAME_HEAD + (size_t)len;
	return 0;
}

int
log_record_hash(uint8_t out[HASH_LEN], const uint8_t *payload, size_t len)
{
	struct hash_part part = {payload, len};

	return hash_tagged(out, "record", &part, 1);
}

static int
why_fail(char *why, size_t whylen, int ret, const char *msg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", msg);
	return ret;
}

int
log_record_decode(const uint8_t *payload, size_t len, uint64_t index,
    const uint8_t prev[HASH_LEN], Tally__LogRecord **out, char *why,
    size_t whylen)
{
	Tally__LogRecord *r;
	char msg[96];
	int ret;

	*out = NULL;
	if (len == 0 || len > LOG_MAX_RECORD)
		return why_fail(why, whylen, TALLY_ERR_TOO_LARGE,
		    "bad record length");
	r = tally__log_record__unpack(NULL, len, payload);
	if (r == NULL)
		return why_fail(why, whylen, TALLY_ERR_DECODE,
		    "undecodable record");
	if (r->version != LOG_RECORD_VERSION) {
		snprintf(msg, sizeof(msg), "record version %u", r->version);
		ret = why_fail(why, whylen, TALLY_ERR_VERSION, msg);
	} else if (r->index != index) {
		snprintf(msg, sizeof(msg), "record index %llu, expected %llu",
		    (unsigned long long)r->index, (unsigned long long)index);
		ret = why_fail(why, whylen, TALLY_ERR_DECODE, msg);
	} else if (r->prev_hash.len != HASH_LEN ||
	    CRYPTO_memcmp(r->prev_hash.data, prev, HASH_LEN) != 0) {
		ret = why_fail(why, whylen, TALLY_ERR_LOG_CHAIN,
		    "prev_hash breaks the chain");
	} else if (r->body_case == TALLY__LOG_RECORD__BODY__NOT_SET) {
		ret = why_fail(why, whylen, TALLY_ERR_DECODE,
		    "record without body");
	} else {
		*out = r;
		return 0;
	}
	tally__log_record__free_unpacked(r, NULL);
	return ret;
}
