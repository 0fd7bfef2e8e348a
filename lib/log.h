/*
 * log.h: the ballot log of one vote (docs/design.md §6, docs/record/log.md).
 *
 * A file is a 16-byte header followed by frames
 *   u32be length || u32be crc32c(payload) || payload
 * whose payload is a serialized LogRecord. Records are numbered from 0 and
 * hash-chained (prev_hash = H("record", previous payload)); an RFC 6962 tree
 * is built over the payloads.
 *
 * The log promises: an append is reported durable only after the fdatasync
 * that covers it returned; after any write or sync error every pending and
 * later append fails with TALLY_ERR_LOG_FAILED and nothing is retried;
 * opening recovers (truncates a torn tail, refuses damage before a valid
 * record with "log corrupt at offset N: reason"). The appender holds O(log n)
 * memory unless asked to keep every leaf for inclusion proofs.
 */
#ifndef TALLY_LOG_H
#define TALLY_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "merkle.h"
#include "tally.pb-c.h"

#define LOG_MAGIC "TALLYLOG"
#define LOG_FORMAT_VERSION 1
#define LOG_HEADER_LEN 16
#define LOG_FRAME_HEAD 8
#define LOG_RECORD_VERSION 3
#define LOG_MAX_RECORD (16u << 20) /* a longer frame is corruption */

/* ---------------------------------------------------------------- format */

/* Write the header into out[LOG_HEADER_LEN]. */
void log_header_encode(uint8_t out[LOG_HEADER_LEN]);
/* TALLY_ERR_TRUNCATED (len < 16), TALLY_ERR_TRAILING (len > 16),
 * TALLY_ERR_DECODE (magic or header length), TALLY_ERR_VERSION. */
int log_header_decode(const uint8_t *p, size_t len);
/* Frame head for payload: out[8] = u32be len || u32be crc32c. */
int log_frame_head(uint8_t out[LOG_FRAME_HEAD], const uint8_t *payload,
    size_t len);
/* Decode the frame that starts p[0..avail): payload and plen point into p;
 * *flen is the whole frame length. TALLY_ERR_TRUNCATED when incomplete,
 * TALLY_ERR_TOO_LARGE for length 0 or over LOG_MAX_RECORD,
 * TALLY_ERR_CHECKSUM on a crc mismatch. Bytes after the frame are left. */
int log_frame_decode(const uint8_t *p, size_t avail, const uint8_t **payload,
    size_t *plen, size_t *flen);
/* H("record", payload): the chain link. */
int log_record_hash(uint8_t out[HASH_LEN], const uint8_t *payload,
    size_t len);
/* Unpack and check version, index, prev_hash and that a body is set;
 * *out is freed with tally__log_record__free_unpacked. On error a reason is
 * written to why (may be NULL); a prev_hash that is not prev gives
 * TALLY_ERR_LOG_CHAIN, and only that. */
int log_record_decode(const uint8_t *payload, size_t len, uint64_t index,
    const uint8_t prev[HASH_LEN], Tally__LogRecord **out, char *why,
    size_t whylen);

/* ------------------------------------------------------------- appender */

struct log;

struct log_result {
	uint64_t index;                /* of this record */
	uint8_t leaf_hash[HASH_LEN];   /* RFC 6962 leaf (tracking code) */
	uint8_t record_hash[HASH_LEN]; /* H("record", payload) */
	uint64_t size;                 /* durable tree size after the batch */
	uint8_t root[HASH_LEN];        /* root at size */
	uint8_t head[HASH_LEN];        /* chain head at size */
};

/* Called on the writer thread once the batch is durable (err 0) or failed
 * (err < 0, r->index still set). Keep it short: the next batch waits. It
 * may call log_append_submit, log_state and the proof functions, never
 * log_append or log_close (they wait for this very thread). */
typedef void (*log_done_fn)(void *arg, int err, const struct log_result *r);
/* Called during open for every recovered record, in order. */
typedef int (*log_replay_fn)(void *arg, const Tally__LogRecord *rec,
    const struct log_result *r);

struct log_opts {
	int keep_leaves;        /* keep the full tree: inclusion proofs */
	size_t batch_bytes;     /* cap per write; 0: 4 MiB */
	size_t batch_count;     /* cap per write; 0: 4096; 1: no group commit */
	unsigned int batch_usec; /* wait this long to gather more; 0: none */
	log_replay_fn replay;   /* optional, for log_open */
	void *replay_arg;
};

/* Create path (O_EXCL) with its header, sync it and its folder. */
int log_create(const char *path, const struct log_opts *o, struct log **out,
    char *err, size_t errlen);
/* Open and recover path: a torn tail is cut off and synced, damage before
 * a valid record gives TALLY_ERR_LOG_CORRUPT (TALLY_ERR_LOG_CHAIN when a
 * well-formed record's prev_hash breaks the chain) and "log corrupt at
 * offset N: reason" in err. A file holding only a prefix of the header (a creation
 * that did not finish) is completed. */
int log_open(const char *path, const struct log_opts *o, struct log **out,
    char *err, size_t errlen);
/* Wait for every queued append, stop the writer, close. NULL-safe. */
void log_close(struct log *l);

/* Queue rec: the log sets version, index and prev_hash on a copy (rec is
 * not changed and may be freed on return), serializes and frames it. done
 * runs later on the writer thread; it is never called if this returns an
 * error. Thread-safe. */
int log_append_submit(struct log *l, const Tally__LogRecord *rec,
    log_done_fn done, void *arg);
/* Submit and wait until durable. */
int log_append(struct log *l, const Tally__LogRecord *rec,
    struct log_result *r);
/* Submit an opaque test payload (LogRecord.test) and wait. */
int log_append_test(struct log *l, const void *p, size_t len,
    struct log_result *r);

/* Durable state: size, root and chain head after the last synced batch. */
int log_state(struct log *l, uint64_t *size, uint8_t root[HASH_LEN],
    uint8_t head[HASH_LEN]);
/* TALLY_ERR_LOG_FAILED once a write or sync has failed, else 0. */
int log_failed(struct log *l);
/* Once failed: the errno of the write or sync that failed (ENOSPC, EIO,
 * EFBIG, ...), or 0 when the cause was not a system call (out of memory
 * building the tree). 0 while the log has not failed. */
int log_failed_errno(struct log *l);
/* Proofs over durable records (need keep_leaves, else
 * TALLY_ERR_INVALID_ARG); size <= the durable size. */
/* The leaf hash of durable record index (needs keep_leaves). */
int log_leaf(struct log *l, uint64_t index, uint8_t leaf[HASH_LEN]);
int log_inclusion(struct log *l, uint64_t index, uint64_t size,
    uint8_t path[][HASH_LEN], size_t *n);
/* RFC 6962 root of the first size durable records. */
int log_root(struct log *l, uint64_t size, uint8_t root[HASH_LEN]);
int log_consistency(struct log *l, uint64_t m, uint64_t size,
    uint8_t proof[][HASH_LEN], size_t *n);

/* --------------------------------------------------------------- reader */

struct log_reader;

struct log_entry {
	uint64_t index;
	uint64_t offset;               /* of the frame in the file */
	const uint8_t *payload;        /* valid until the next call */
	size_t len;
	const Tally__LogRecord *rec;   /* valid until the next call */
	uint8_t record_hash[HASH_LEN];
	uint8_t leaf_hash[HASH_LEN];
};

/* Read-only: never changes the file. A torn tail ends the iteration and is
 * reported by log_reader_torn. */
int log_reader_open(const char *path, struct log_reader **out, char *err,
    size_t errlen);
/* 1 with *e filled, 0 at the end, < 0 on corruption (message in the err
 * buffer given to log_reader_open). The chain is checked as it goes. */
int log_reader_next(struct log_reader *r, struct log_entry *e);
/* Bytes after the last complete record (0 for a clean file). */
uint64_t log_reader_torn(const struct log_reader *r);
void log_reader_free(struct log_reader *r);

/* Read the whole log, check framing, chain and indexes end to end and
 * build its tree (*tree owned by the caller; may be NULL) and chain head. */
int log_audit(const char *path, struct merkle_tree **tree,
    uint8_t head[HASH_LEN], char *err, size_t errlen);

#endif
