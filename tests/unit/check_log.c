/* check_log.c: the header and frame decoders, record checks, appends with
 * group commit, recovery of torn tails, refusal of damage in the middle,
 * the reader and the proofs it feeds. */
#include <dlfcn.h>
#include <fcntl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "testutil.h"
#include "util.h"

static char *dir;
static char path[4096];
static char err[256];

/* fsync interposed to count syncs of folders (test_open_syncs_parent). */
static int dir_fsyncs;

int
fsync(int fd)
{
	static int (*real)(int);
	struct stat st;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "fsync");
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		dir_fsyncs++;
	return real(fd);
}

static void
setup(void)
{
	dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/vote.log", dir);
	err[0] = '\0';
}

static void
teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_header_decode)
{
	uint8_t h[LOG_HEADER_LEN + 1];

	log_header_encode(h);
	ck_assert_mem_eq(h, "TALLYLOG\0\0\0\1\0\0\0\x10", LOG_HEADER_LEN);
	ck_assert_int_eq(log_header_decode(h, LOG_HEADER_LEN), 0);
	ck_assert_int_eq(log_header_decode(h, LOG_HEADER_LEN - 1),
	    TALLY_ERR_TRUNCATED);
	ck_assert_int_eq(log_header_decode(h, 0), TALLY_ERR_TRUNCATED);
	ck_assert_int_eq(log_header_decode(h, LOG_HEADER_LEN + 1),
	    TALLY_ERR_TRAILING);
	h[0] = 't';
	ck_assert_int_eq(log_header_decode(h, LOG_HEADER_LEN), TALLY_ERR_DECODE);
	log_header_encode(h);
	h[11] = 2;
	ck_assert_int_eq(log_header_decode(h, LOG_HEADER_LEN),
	    TALLY_ERR_VERSION);
	log_header_encode(h);
	h[15] = 0x20;
	ck_assert_int_eq(log_header_decode(h, LOG_HEADER_LEN), TALLY_ERR_DECODE);
}
END_TEST

START_TEST(test_frame_decode)
{
	uint8_t f[64] = {0}, big[8];
	const uint8_t *pl;
	size_t plen, flen;

	memcpy(f + LOG_FRAME_HEAD, "payload", 7);
	ck_assert_int_eq(log_frame_head(f, f + LOG_FRAME_HEAD, 7), 0);
	ck_assert_int_eq(f[3], 7);
	/* Trailing bytes after a frame are left to the next frame. */
	ck_assert_int_eq(log_frame_decode(f, sizeof(f), &pl, &plen, &flen), 0);
	ck_assert_uint_eq(plen, 7);
	ck_assert_uint_eq(flen, 15);
	ck_assert_ptr_eq(pl, f + LOG_FRAME_HEAD);
	ck_assert_int_eq(log_frame_decode(f, 15, &pl, &plen, &flen), 0);
	ck_assert_int_eq(log_frame_decode(f, 14, &pl, &plen, &flen),
	    TALLY_ERR_TRUNCATED);
	ck_assert_int_eq(log_frame_decode(f, 7, &pl, &plen, &flen),
	    TALLY_ERR_TRUNCATED);
	f[LOG_FRAME_HEAD + 3] ^= 0x10;
	ck_assert_int_eq(log_frame_decode(f, 15, &pl, &plen, &flen),
	    TALLY_ERR_CHECKSUM);
	f[LOG_FRAME_HEAD + 3] ^= 0x10;
	f[6] ^= 1;
	ck_assert_int_eq(log_frame_decode(f, 15, &pl, &plen, &flen),
	    TALLY_ERR_CHECKSUM);
	memset(big, 0, sizeof(big));
	ck_assert_int_eq(log_frame_decode(big, 8, &pl, &plen, &flen),
	    TALLY_ERR_TOO_LARGE);
	big[0] = 0x01; /* 16 MiB + 1 */
	big[3] = 0x01;
	ck_assert_int_eq(log_frame_decode(big, 8, &pl, &plen, &flen),
	    TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(log_frame_head(big, f, 0), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(log_frame_head(big, f, LOG_MAX_RECORD + 1),
	    TALLY_ERR_TOO_LARGE);
}
END_TEST

/* Pack a record by hand (used to forge crc-correct bad records). */
static size_t
pack_record(uint8_t *out, uint32_t version, uint64_t index,
    const uint8_t *prev, size_t prevlen, int body)
{
	Tally__LogRecord r = TALLY__LOG_RECORD__INIT;

	r.version = version;
	r.index = index;
	r.prev_hash.data = (uint8_t *)prev;
	r.prev_hash.len = prevlen;
	if (body) {
		r.body_case = TALLY__LOG_RECORD__BODY_TEST;
		r.test.data = (uint8_t *)"x";
		r.test.len = 1;
	}
	return tally__log_record__pack(&r, out);
}

START_TEST(test_record_decode)
{
	uint8_t buf[256], zero[HASH_LEN] = {0}, one[HASH_LEN];
	Tally__LogRecord *r;
	size_t n;

	memset(one, 1, sizeof(one));
	n = pack_record(buf, LOG_RECORD_VERSION, 0, zero, HASH_LEN, 1);
	ck_assert_int_eq(log_record_decode(buf, n, 0, zero, &r, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(r->body_case, TALLY__LOG_RECORD__BODY_TEST);
	tally__log_record__free_unpacked(r, NULL);
	ck_assert_int_ne(log_record_decode(buf, n - 1, 0, zero, &r, err,
	    sizeof(err)), 0);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(log_record_decode(buf, n, 1, zero, &r, err,
	    sizeof(err)), TALLY_ERR_DECODE);
	ck_assert_str_eq(err, "record index 0, expected 1");
	ck_assert_int_eq(log_record_decode(buf, n, 0, one, &r, err,
	    sizeof(err)), TALLY_ERR_LOG_CHAIN);
	n = pack_record(buf, LOG_RECORD_VERSION + 1, 0, zero, HASH_LEN, 1);
	ck_assert_int_eq(log_record_decode(buf, n, 0, zero, &r, err,
	    sizeof(err)), TALLY_ERR_VERSION);
	n = pack_record(buf, LOG_RECORD_VERSION, 0, zero, HASH_LEN - 1, 1);
	ck_assert_int_eq(log_record_decode(buf, n, 0, zero, &r, err,
	    sizeof(err)), TALLY_ERR_LOG_CHAIN);
	n = pack_record(buf, LOG_RECORD_VERSION, 0, zero, HASH_LEN, 0);
	ck_assert_int_eq(log_record_decode(buf, n, 0, zero, &r, err,
	    sizeof(err)), TALLY_ERR_DECODE);
	ck_assert_str_eq(err, "record without body");
	memset(buf, 0xff, 16);
	ck_assert_int_eq(log_record_decode(buf, 16, 0, zero, &r, err,
	    sizeof(err)), TALLY_ERR_DECODE);
	ck_assert_int_eq(log_record_decode(buf, 0, 0, zero, &r, err,
	    sizeof(err)), TALLY_ERR_TOO_LARGE);
}
END_TEST

/* Make a log of n records "record <i>" with keep_leaves; returns it open. */
static struct log *
make_log(int n)
{
	struct log_opts o = {.keep_leaves = 1};
	struct log_result r;
	struct log *l;
	char buf[32];
	int i;

	ck_assert_int_eq(log_create(path, &o, &l, err, sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "record %d", i);
		ck_assert_int_eq(log_append_test(l, buf, strlen(buf), &r), 0);
		ck_assert_uint_eq(r.index, (uint64_t)i);
		ck_assert_uint_eq(r.size, (uint64_t)i + 1);
		ck_assert_mem_eq(r.head, r.record_hash, HASH_LEN);
	}
	return l;
}

static int
open_size(uint64_t *size)
{
	uint8_t root[HASH_LEN], head[HASH_LEN];
	struct log *l;
	int ret;

	if ((ret = log_open(path, NULL, &l, err, sizeof(err))) != 0)
		return ret;
	log_state(l, size, root, head);
	log_close(l);
	return 0;
}

START_TEST(test_create_append_reopen)
{
	uint8_t root[HASH_LEN], head[HASH_LEN], root2[HASH_LEN];
	uint8_t head2[HASH_LEN], prev[HASH_LEN] = {0};
	struct merkle_tree *t;
	struct log_reader *rd;
	struct log_entry e;
	struct log *l = make_log(50);
	uint64_t size, i = 0;
	char buf[32];

	log_state(l, &size, root, head);
	ck_assert_uint_eq(size, 50);
	log_close(l);
	ck_assert_int_eq(log_create(path, NULL, &l, err, sizeof(err)),
	    TALLY_ERR_EXISTS);
	ck_assert_int_eq(log_open(path, NULL, &l, err, sizeof(err)), 0);
	log_state(l, &size, root2, head2);
	ck_assert_uint_eq(size, 50);
	ck_assert_mem_eq(root, root2, HASH_LEN);
	ck_assert_mem_eq(head, head2, HASH_LEN);
	ck_assert_int_eq(log_append_test(l, "more", 4, NULL), 0);
	log_close(l);
	ck_assert_int_eq(log_reader_open(path, &rd, err, sizeof(err)), 0);
	while (log_reader_next(rd, &e) == 1) {
		ck_assert_uint_eq(e.index, i);
		ck_assert_mem_eq(e.rec->prev_hash.data, prev, HASH_LEN);
		if (i < 50) {
			snprintf(buf, sizeof(buf), "record %llu",
			    (unsigned long long)i);
			ck_assert_uint_eq(e.rec->test.len, strlen(buf));
			ck_assert_mem_eq(e.rec->test.data, buf, strlen(buf));
		}
		memcpy(prev, e.record_hash, HASH_LEN);
		i++;
	}
	ck_assert_uint_eq(i, 51);
	ck_assert_uint_eq(log_reader_torn(rd), 0);
	log_reader_free(rd);
	ck_assert_int_eq(log_audit(path, &t, head2, err, sizeof(err)), 0);
	ck_assert_mem_eq(head2, prev, HASH_LEN);
	ck_assert_int_eq(merkle_tree_root(t, 50, root2), 0);
	ck_assert_mem_eq(root, root2, HASH_LEN);
	merkle_tree_free(t);
}
END_TEST

START_TEST(test_second_open_busy)
{
	struct log *l = make_log(1), *l2;

	ck_assert_int_eq(log_open(path, NULL, &l2, err, sizeof(err)),
	    TALLY_ERR_BUSY);
	log_close(l);
}
END_TEST

struct collect {
	pthread_mutex_t mu;
	uint8_t *seen;
	struct log_result *res;
	int bad;
};

static void
collect_done(void *arg, int e, const struct log_result *r)
{
	struct collect *c = arg;

	pthread_mutex_lock(&c->mu);
	if (e != 0 || c->seen[r->index])
		c->bad++;
	c->seen[r->index] = 1;
	c->res[r->index] = *r;
	pthread_mutex_unlock(&c->mu);
}

struct worker {
	struct log *l;
	struct collect *c;
};

static void *
submit_many(void *arg)
{
	struct worker *w = arg;
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	uint8_t pay[200];
	int i;

	memset(pay, 0xab, sizeof(pay));
	rec.body_case = TALLY__LOG_RECORD__BODY_TEST;
	rec.test.data = pay;
	rec.test.len = sizeof(pay);
	for (i = 0; i < 250; i++)
		ck_assert_int_eq(log_append_submit(w->l, &rec, collect_done,
		    w->c), 0);
	return NULL;
}

/* Many threads submit; every completion is durable, numbered once, and its
 * inclusion proof verifies against the root it was given. */
START_TEST(test_concurrent_group_commit)
{
	struct log_opts o = {.keep_leaves = 1, .batch_usec = 200};
	uint8_t path_h[MERKLE_MAX_PATH][HASH_LEN];
	struct collect c = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct worker w;
	pthread_t th[8];
	struct log *l;
	uint64_t size;
	size_t i, n;

	c.seen = calloc(2000, 1);
	c.res = calloc(2000, sizeof(*c.res));
	ck_assert_int_eq(log_create(path, &o, &l, err, sizeof(err)), 0);
	w.l = l;
	w.c = &c;
	for (i = 0; i < 8; i++)
		pthread_create(&th[i], NULL, submit_many, &w);
	for (i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	log_close(l); /* drains the queue */
	ck_assert_int_eq(c.bad, 0);
	ck_assert_int_eq(log_open(path, &o, &l, err, sizeof(err)), 0);
	for (i = 0; i < 2000; i++) {
		ck_assert(c.seen[i]);
		ck_assert_uint_ge(c.res[i].size, i + 1);
		ck_assert_int_eq(log_inclusion(l, i, c.res[i].size, path_h, &n),
		    0);
		ck_assert_int_eq(merkle_verify_inclusion(c.res[i].leaf_hash, i,
		    c.res[i].size, (const uint8_t (*)[HASH_LEN])path_h, n,
		    c.res[i].root), 0);
	}
	log_state(l, &size, path_h[0], path_h[1]);
	ck_assert_uint_eq(size, 2000);
	ck_assert_int_eq(log_inclusion(l, 0, 2001, path_h, &n),
	    TALLY_ERR_INVALID_ARG);
	log_close(l);
	free(c.seen);
	free(c.res);
}
END_TEST

static int replayed;

static int
count_replay(void *arg, const Tally__LogRecord *rec,
    const struct log_result *r)
{
	ck_assert_uint_eq(rec->index, r->index);
	ck_assert_uint_eq(r->index, (uint64_t)replayed);
	replayed++;
	return 0;
}

START_TEST(test_replay_callback)
{
	struct log_opts o = {.replay = count_replay};
	struct log *l = make_log(7);

	log_close(l);
	replayed = 0;
	ck_assert_int_eq(log_open(path, &o, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(replayed, 7);
	log_close(l);
}
END_TEST

static uint64_t
file_size(void)
{
	struct stat st;

	ck_assert_int_eq(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

/* Offsets of each frame, from the reader. */
static void
frame_offsets(uint64_t *off, size_t n)
{
	struct log_reader *rd;
	struct log_entry e;
	size_t i = 0;

	ck_assert_int_eq(log_reader_open(path, &rd, err, sizeof(err)), 0);
	while (i < n && log_reader_next(rd, &e) == 1)
		off[i++] = e.offset;
	ck_assert_uint_eq(i, n);
	log_reader_free(rd);
}

static void
flip_byte(uint64_t off)
{
	uint8_t b;
	int fd = open(path, O_RDWR);

	ck_assert_int_eq(pread(fd, &b, 1, (off_t)off), 1);
	b ^= 0x40;
	ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)off), 1);
	close(fd);
}

static void
append_bytes(const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND);

	ck_assert_int_eq(write(fd, p, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_torn_tail_truncated)
{
	uint64_t off[10], size, full;
	struct log *l = make_log(10);

	log_close(l);
	frame_offsets(off, 10);
	full = file_size();
	ck_assert_int_eq(truncate(path, (off_t)full - 3), 0);
	ck_assert_int_eq(open_size(&size), 0);
	ck_assert_uint_eq(size, 9);
	ck_assert_uint_eq(file_size(), off[9]);
	/* A frame head cut short. */
	append_bytes("\0\0", 2);
	ck_assert_int_eq(open_size(&size), 0);
	ck_assert_uint_eq(size, 9);
	ck_assert_uint_eq(file_size(), off[9]);
	/* Zeros, as a file system may leave after a crash. */
	append_bytes("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20);
	ck_assert_int_eq(open_size(&size), 0);
	ck_assert_uint_eq(file_size(), off[9]);
	/* Garbage with an absurd length. */
	append_bytes("\xff\xff\xff\xff garbage", 12);
	ck_assert_int_eq(open_size(&size), 0);
	ck_assert_uint_eq(size, 9);
	ck_assert_uint_eq(file_size(), off[9]);
}
END_TEST

START_TEST(test_flip_in_last_record_truncated)
{
	uint64_t off[6], size;
	struct log *l = make_log(6);

	log_close(l);
	frame_offsets(off, 6);
	flip_byte(off[5] + LOG_FRAME_HEAD + 5);
	ck_assert_int_eq(open_size(&size), 0);
	ck_assert_uint_eq(size, 5);
	ck_assert_uint_eq(file_size(), off[5]);
	/* The log stays usable after the cut. */
	ck_assert_int_eq(log_open(path, NULL, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(log_append_test(l, "again", 5, NULL), 0);
	log_close(l);
	ck_assert_int_eq(open_size(&size), 0);
	ck_assert_uint_eq(size, 6);
}
END_TEST

static void
expect_refused(uint64_t at)
{
	char want[64];
	uint64_t before = file_size(), size;
	struct log_reader *rd;
	struct log_entry e;
	int ret;

	snprintf(want, sizeof(want), "log corrupt at offset %llu: ",
	    (unsigned long long)at);
	ck_assert_int_eq(open_size(&size), TALLY_ERR_LOG_CORRUPT);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	ck_assert_uint_eq(file_size(), before);
	ck_assert_int_eq(log_reader_open(path, &rd, err, sizeof(err)), 0);
	while ((ret = log_reader_next(rd, &e)) == 1)
		;
	ck_assert_int_eq(ret, TALLY_ERR_LOG_CORRUPT);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
	log_reader_free(rd);
	ck_assert_int_eq(log_audit(path, NULL, NULL, err, sizeof(err)),
	    TALLY_ERR_LOG_CORRUPT);
}

START_TEST(test_flip_in_middle_refused)
{
	uint64_t off[8];
	struct log *l = make_log(8);
	int i;

	log_close(l);
	frame_offsets(off, 8);
	/* Payload, crc and length bytes of record 3 in turn. */
	for (i = 0; i < 3; i++) {
		uint64_t at = i == 0 ? off[3] + LOG_FRAME_HEAD + 4 :
		    i == 1 ? off[3] + 5 : off[3] + 3;

		flip_byte(at);
		expect_refused(off[3]);
		flip_byte(at);
	}
	/* The last record stays intact: record 7 valid after a bad 6. */
	flip_byte(off[6] + LOG_FRAME_HEAD + 2);
	expect_refused(off[6]);
}
END_TEST

/* A frame that is crc-correct but numbered wrong is not a torn write. */
START_TEST(test_forged_record_refused)
{
	uint8_t buf[300], zero[HASH_LEN] = {0};
	uint64_t end;
	size_t n;
	struct log *l = make_log(3);

	log_close(l);
	end = file_size();
	n = pack_record(buf + LOG_FRAME_HEAD, LOG_RECORD_VERSION, 9, zero, HASH_LEN, 1);
	log_frame_head(buf, buf + LOG_FRAME_HEAD, n);
	append_bytes(buf, LOG_FRAME_HEAD + n);
	expect_refused(end);
	ck_assert_ptr_nonnull(strstr(err, "record index 9, expected 3"));
}
END_TEST

/* A crc-correct, well-numbered record whose prev_hash is not the hash of
 * the record before it: refused with its own code, TALLY_ERR_LOG_CHAIN. */
START_TEST(test_chain_break_code)
{
	uint8_t buf[300], zero[HASH_LEN] = {0};
	uint64_t end, size;
	struct log_reader *rd;
	struct log_entry e;
	char want[96];
	size_t n;
	int ret;
	struct log *l = make_log(3);

	log_close(l);
	end = file_size();
	n = pack_record(buf + LOG_FRAME_HEAD, LOG_RECORD_VERSION, 3, zero, HASH_LEN, 1);
	log_frame_head(buf, buf + LOG_FRAME_HEAD, n);
	append_bytes(buf, LOG_FRAME_HEAD + n);
	snprintf(want, sizeof(want),
	    "log corrupt at offset %llu: prev_hash breaks the chain",
	    (unsigned long long)end);
	ck_assert_int_eq(open_size(&size), TALLY_ERR_LOG_CHAIN);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(file_size(), end + LOG_FRAME_HEAD + n);
	ck_assert_int_eq(log_reader_open(path, &rd, err, sizeof(err)), 0);
	while ((ret = log_reader_next(rd, &e)) == 1)
		;
	ck_assert_int_eq(ret, TALLY_ERR_LOG_CHAIN);
	log_reader_free(rd);
}
END_TEST

START_TEST(test_header_cases)
{
	uint8_t h[LOG_HEADER_LEN];
	struct log *l;
	uint64_t size;
	int fd;

	/* An unfinished creation (a header prefix) is completed. */
	log_header_encode(h);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_eq(write(fd, h, 5), 5);
	close(fd);
	ck_assert_int_eq(open_size(&size), 0);
	ck_assert_uint_eq(size, 0);
	ck_assert_uint_eq(file_size(), LOG_HEADER_LEN);
	/* A wrong header is refused. */
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(pwrite(fd, "X", 1, 3), 1);
	close(fd);
	ck_assert_int_eq(open_size(&size), TALLY_ERR_LOG_CORRUPT);
	ck_assert_str_eq(err, "log corrupt at offset 0: bad header");
	ck_assert_int_eq(truncate(path, 4), 0);
	ck_assert_int_eq(open_size(&size), TALLY_ERR_LOG_CORRUPT);
	ck_assert_int_eq(log_open("/nonexistent/x.log", NULL, &l, err,
	    sizeof(err)), TALLY_ERR_NOT_FOUND);
	ck_assert_ptr_null(l);
}
END_TEST

START_TEST(test_oversized_record_refused)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;
	struct log *l = make_log(0);
	uint8_t *big = calloc(1, LOG_MAX_RECORD);

	rec.body_case = TALLY__LOG_RECORD__BODY_TEST;
	rec.test.data = big;
	rec.test.len = LOG_MAX_RECORD;
	ck_assert_int_eq(log_append(l, &rec, NULL), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(log_append_test(l, "ok", 2, NULL), 0);
	log_close(l);
	free(big);
}
END_TEST

/* Issue 12, finding 9: a write that fails keeps its cause. RLIMIT_FSIZE
 * makes the kernel refuse the write past the limit (EFBIG, SIGXFSZ
 * ignored) at the same place a full disk refuses it (ENOSPC): the
 * append fails, every later one fails, and log_failed_errno names the
 * errno, which the daemon puts in its log line. check runs each test in
 * its own process, so the limit ends with it. */
START_TEST(test_write_failure_cause)
{
	struct log *l = make_log(3);
	struct rlimit rl;
	struct stat st;
	off_t size0;
	char big[4096];

	ck_assert_int_eq(log_failed(l), 0);
	ck_assert_int_eq(log_failed_errno(l), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	size0 = st.st_size;
	signal(SIGXFSZ, SIG_IGN);
	rl.rlim_cur = rl.rlim_max = (rlim_t)st.st_size + 100;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(log_append_test(l, big, sizeof(big), NULL),
	    TALLY_ERR_LOG_FAILED);
	ck_assert_int_eq(log_failed(l), TALLY_ERR_LOG_FAILED);
	ck_assert_int_eq(log_failed_errno(l), EFBIG);
	/* Nothing is retried: even a record that would fit fails. */
	ck_assert_int_eq(log_append_test(l, "s", 1, NULL),
	    TALLY_ERR_LOG_FAILED);
	ck_assert_int_eq(log_failed_errno(l), EFBIG);
	log_close(l);
	/* Reopened, the torn tail is cut: the three records are left. */
	ck_assert_int_eq(log_open(path, NULL, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(log_failed_errno(l), 0);
	log_close(l);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, size0);
}
END_TEST

/* The bytes of a two-record log, computed independently (Python: hashlib
 * and a bitwise CRC-32C) from docs/record/log.md. */
START_TEST(test_file_bytes_known_answer)
{
	const char *want_hex =
	    "54414c4c594c4f470000000100000010"
	    "000000283affa88f08031a20000000000000000000000000000000000000"
	    "00000000000000000000000000009a060178"
	    "0000002a8028666f080310011a2012e759200b8fbeafe8b65e99c3a49477"
	    "cbdfc62760fdb95063ae170a564350299a060179";
	uint8_t *want, root[HASH_LEN], head[HASH_LEN], *got;
	size_t wlen, glen;
	struct log *l;
	uint64_t size;

	want = tu_unhex(want_hex, &wlen);
	ck_assert_int_eq(log_create(path, NULL, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(log_append_test(l, "x", 1, NULL), 0);
	ck_assert_int_eq(log_append_test(l, "y", 1, NULL), 0);
	log_state(l, &size, root, head);
	log_close(l);
	ck_assert_int_eq(util_read_file(path, 1 << 20, &got, &glen), 0);
	ck_assert_uint_eq(glen, wlen);
	ck_assert_mem_eq(got, want, wlen);
	free(got);
	free(want);
	want = tu_unhex("1e8aa53ac9759071b7a157df6d38f01e"
	    "fb241cc4d30f0bdd5ce783f8d78be025", &wlen);
	ck_assert_mem_eq(root, want, HASH_LEN);
	free(want);
	want = tu_unhex("51a6a8902e897477b767d10a4673267b"
	    "1fe8d788157ee13e19d63a84b6b1ac1e", &wlen);
	ck_assert_mem_eq(head, want, HASH_LEN);
	free(want);
}
END_TEST
/* A creation that died before its folder was synced (whole header or a
 * prefix): opening must sync the folder before acknowledging anything. */
START_TEST(test_open_syncs_parent)
{
	uint8_t h[LOG_HEADER_LEN];
	struct log *l;
	size_t cut;
	int fd;

	log_header_encode(h);
	for (cut = 5; cut <= LOG_HEADER_LEN; cut += LOG_HEADER_LEN - 5) {
		unlink(path);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		ck_assert_int_eq(write(fd, h, cut), (ssize_t)cut);
		close(fd);
		dir_fsyncs = 0;
		ck_assert_int_eq(log_open(path, NULL, &l, err, sizeof(err)), 0);
		ck_assert_int_gt(dir_fsyncs, 0);
		log_close(l);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_header_decode);
	tcase_add_test(tc, test_frame_decode);
	tcase_add_test(tc, test_record_decode);
	tcase_add_test(tc, test_file_bytes_known_answer);
	tcase_add_test(tc, test_create_append_reopen);
	tcase_add_test(tc, test_second_open_busy);
	tcase_add_test(tc, test_concurrent_group_commit);
	tcase_add_test(tc, test_replay_callback);
	tcase_add_test(tc, test_torn_tail_truncated);
	tcase_add_test(tc, test_flip_in_last_record_truncated);
	tcase_add_test(tc, test_flip_in_middle_refused);
	tcase_add_test(tc, test_forged_record_refused);
	tcase_add_test(tc, test_chain_break_code);
	tcase_add_test(tc, test_header_cases);
	tcase_add_test(tc, test_oversized_record_refused);
	tcase_add_test(tc, test_write_failure_cause);
	tcase_add_test(tc, test_open_syncs_parent);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
