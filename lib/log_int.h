/*
 * log_int.h: the scanner shared by recovery (log_open) and the auditors'
 * reader. Not a public interface.
 *
 * The scanner walks frames from the header on, checking framing, length cap,
 * crc, record decoding, version, index continuity and the chain. A bad frame
 * (incomplete, bad length, crc mismatch) is a torn tail only when no valid
 * frame of a later record starts anywhere after it; otherwise, and for any
 * crc-correct frame with bad content, the log is corrupt.
 */
#ifndef TALLY_LOG_INT_H
#define TALLY_LOG_INT_H

#include <stdint.h>

#include "log.h"

struct log_scan {
	int fd;
	uint64_t size;          /* file size */
	uint64_t off;           /* offset of the next frame */
	uint64_t index;         /* expected index of the next record */
	uint8_t head[HASH_LEN]; /* chain head so far */
	uint64_t torn;          /* bytes of torn tail found at off */
	uint8_t *win;           /* read window over the file */
	uint64_t wstart;
	size_t wlen, wcap;
	Tally__LogRecord *rec;
	char *err;
	size_t errlen;
};

/* Check the header. TALLY_ERR_TRUNCATED when the file is a strict prefix
 * of a header (an unfinished creation), TALLY_ERR_LOG_CORRUPT otherwise. */
int log_scan_init(struct log_scan *s, int fd, char *err, size_t errlen);
/* 1: a record in *e; 0: end (s->torn says whether a tail was found at
 * s->off); < 0: corruption (TALLY_ERR_LOG_CHAIN for a chain break,
 * TALLY_ERR_LOG_CORRUPT for any other) or I/O error, reason in s->err. */
int log_scan_next(struct log_scan *s, struct log_entry *e);
void log_scan_fini(struct log_scan *s);
/* Format "log corrupt at offset N: reason". */
int log_corrupt(char *err, size_t errlen, uint64_t off, const char *why);

#endif
