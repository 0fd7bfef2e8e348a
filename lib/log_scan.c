/* log_scan.c: walking a log file for recovery and for auditors. */
#include "log_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

#define SCAN_WINDOW (1u << 20)

int
log_corrupt(char *err, size_t errlen, uint64_t off, const char *why)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "log corrupt at offset %llu: %s",
		    (unsigned long long)off, why);
	return TALLY_ERR_LOG_CORRUPT;
}

static int
io_fail(struct log_scan *s, const char *what)
{
	if (s->err != NULL && s->errlen > 0)
		snprintf(s->err, s->errlen, "log %s: %s", what,
		    strerror(errno));
	return TALLY_ERR_IO;
}

/* Make file bytes [off, off + n) readable at s->win; *p points at off.
 * The caller has checked that off + n <= s->size. */
static int
scan_window(struct log_scan *s, uint64_t off, size_t n, const uint8_t **p)
{
	size_t want, got = 0;
	ssize_t r;
	void *nw;

	if (off >= s->wstart && off + n <= s->wstart + s->wlen) {
		*p = s->win + (off - s->wstart);
		return 0;
	}
	want = n > SCAN_WINDOW ? n : SCAN_WINDOW;
	if (want > s->size - off)
		want = (size_t)(s->size - off);
	if (want > s->wcap) {
		if ((nw = realloc(s->win, want)) == NULL)
			return TALLY_ERR_NOMEM;
		s->win = nw;
		s->wcap = want;
	}
	s->wstart = off;
	s->wlen = 0;
	while (got < want) {
		r = pread(s->fd, s->win + got, want - got, (off_t)(off + got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return io_fail(s, "read");
		got += (size_t)r;
	}
	s->wlen = want;
	*p = s->win;
	return 0;
}

int
log_scan_init(struct log_scan *s, int fd, char *err, size_t errlen)
{
	uint8_t want[LOG_HEADER_LEN];
	const uint8_t *p;
	struct stat st;
	int ret;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->err = err;
	s->errlen = errlen;
	if (fstat(fd, &st) == -1)
		return io_fail(s, "stat");
	s->size = (uint64_t)st.st_size;
	s->off = LOG_HEADER_LEN;
	log_header_encode(want);
	if (s->size < LOG_HEADER_LEN) {
		if (s->size > 0 && ((ret = scan_window(s, 0, (size_t)s->size,
		    &p)) != 0))
			return ret;
		if (s->size == 0 || memcmp(p, want, (size_t)s->size) == 0)
			return TALLY_ERR_TRUNCATED;
		return log_corrupt(err, errlen, 0, "bad header");
	}
	if ((ret = scan_window(s, 0, LOG_HEADER_LEN, &p)) != 0)
		return ret;
	switch (log_header_decode(p, LOG_HEADER_LEN)) {
	case 0:
		return 0;
	case TALLY_ERR_VERSION:
		return log_corrupt(err, errlen, 8, "unknown format version");
	default:
		return log_corrupt(err, errlen, 0, "bad header");
	}
}

/* Is there a frame at q that is complete, crc-correct and decodes as a
 * record numbered at least s->index? Such a frame is real data: whatever is
 * broken before it is not a torn tail. */
static int
frame_is_later_record(struct log_scan *s, uint64_t q)
{
	const uint8_t *p, *payload;
	size_t plen, flen, len;
	Tally__LogRecord *r;
	int ok;

	if (scan_window(s, q, LOG_FRAME_HEAD, &p) != 0)
		return 0;
	len = (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 |
	    p[3];
	if (len == 0 || len > LOG_MAX_RECORD ||
	    len > s->size - q - LOG_FRAME_HEAD)
		return 0;
	if (scan_window(s, q, LOG_FRAME_HEAD + len, &p) != 0 ||
	    log_frame_decode(p, LOG_FRAME_HEAD + len, &payload, &plen,
	    &flen) != 0)
		return 0;
	if ((r = tally__log_record__unpack(NULL, plen, payload)) == NULL)
		return 0;
	ok = r->version == LOG_RECORD_VERSION && r->index >= s->index;
	tally__log_record__free_unpacked(r, NULL);
	return ok;
}

/* A bad frame at s->off: a torn tail (0, s->torn set) or corruption. */
static int
scan_bad_frame(struct log_scan *s, const char *why)
{
	uint64_t q;

	for (q = s->off + 1; q + LOG_FRAME_HEAD < s->size; q++)
		if (frame_is_later_record(s, q))
			return log_corrupt(s->err, s->errlen, s->off, why);
	s->torn = s->size - s->off;
	return 0;
}

static void
scan_drop_record(struct log_scan *s)
{
	if (s->rec != NULL)
		tally__log_record__free_unpacked(s->rec, NULL);
	s->rec = NULL;
}

int
log_scan_next(struct log_scan *s, struct log_entry *e)
{
	const uint8_t *p, *payload;
	size_t plen, flen, avail;
	char why[128];
	int ret;

	scan_drop_record(s);
	if (s->off == s->size || s->torn > 0)
		return 0;
	avail = s->size - s->off > LOG_FRAME_HEAD + LOG_MAX_RECORD ?
	    LOG_FRAME_HEAD + LOG_MAX_RECORD : (size_t)(s->size - s->off);
	if ((ret = scan_window(s, s->off, avail < LOG_FRAME_HEAD ? avail :
	    LOG_FRAME_HEAD, &p)) != 0)
		return ret;
	if (avail >= LOG_FRAME_HEAD) {
		plen = (size_t)p[0] << 24 | (size_t)p[1] << 16 |
		    (size_t)p[2] << 8 | p[3];
		if (plen > 0 && plen <= avail - LOG_FRAME_HEAD &&
		    (ret = scan_window(s, s->off, LOG_FRAME_HEAD + plen,
		    &p)) != 0)
			return ret;
	}
	switch (log_frame_decode(p, avail, &payload, &plen, &flen)) {
	case 0:
		break;
	case TALLY_ERR_TRUNCATED:
		return scan_bad_frame(s, "truncated frame");
	case TALLY_ERR_TOO_LARGE:
		return scan_bad_frame(s, "bad frame length");
	default:
		return scan_bad_frame(s, "crc mismatch");
	}
	if ((ret = log_record_decode(payload, plen, s->index, s->head, &s->rec,
	    why, sizeof(why))) != 0) {
		log_corrupt(s->err, s->errlen, s->off, why);
		return ret == TALLY_ERR_LOG_CHAIN ? ret : TALLY_ERR_LOG_CORRUPT;
	}
	e->index = s->index;
	e->offset = s->off;
	e->payload = payload;
	e->len = plen;
	e->rec = s->rec;
	if ((ret = log_record_hash(e->record_hash, payload, plen)) != 0 ||
	    (ret = merkle_leaf_hash(e->leaf_hash, payload, plen)) != 0)
		return ret;
	memcpy(s->head, e->record_hash, HASH_LEN);
	s->index++;
	s->off += flen;
	return 1;
}

void
log_scan_fini(struct log_scan *s)
{
	scan_drop_record(s);
	free(s->win);
	s->win = NULL;
}
