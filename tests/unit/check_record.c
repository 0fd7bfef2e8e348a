/* check_record.c: record_verify and record_receipt_check on generated
 * records, valid and tampered (raw bytes, and re-chained, re-signed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "checkpoint.h"
#include "count.h"
#include "err.h"
#include "group.h"
#include "hash.h"
#include "log.h"
#include "merkle.h"
#include "record.h"
#include "recordgen.h"
#include "testutil.h"
#include "util.h"

static char *dir;
static char good[512];
static struct recordgen *G;
static uint8_t *goodbuf;
static size_t goodlen;

/* Frame offsets of the good record. */
static size_t frame_off[4096], frame_len[4096], nframes;

static void
index_frames(const uint8_t *p, size_t len)
{
	size_t off = LOG_HEADER_LEN, l;

	nframes = 0;
	while (off + 8 <= len) {
		l = (size_t)p[off] << 24 | (size_t)p[off + 1] << 16 |
		    (size_t)p[off + 2] << 8 | p[off + 3];
		frame_off[nframes] = off;
		frame_len[nframes++] = 8 + l;
		off += 8 + l;
	}
	ck_assert_uint_eq(off, len);
}

static void
setup(void)
{
	struct rg_opts o;

	dir = tu_tmpdir();
	snprintf(good, sizeof(good), "%s/good.log", dir);
	rg_opts_default(&o);
	ck_assert_int_eq(rg_build(&G, &o, good), 0);
	ck_assert_int_eq(util_read_file(good, 1 << 26, &goodbuf, &goodlen), 0);
	index_frames(goodbuf, goodlen);
	ck_assert_uint_eq(nframes, G->nrecords);
}

static void
teardown(void)
{
	rg_free(G);
	free(goodbuf);
	tu_rmtree(dir);
	free(dir);
}

static int
verify_file(const char *path, struct record_report *rep)
{
	struct record_opts o;

	memset(&o, 0, sizeof(o));
	o.threads = 2;
	return record_verify(path, &o, rep);
}

static int
verify_buf(const uint8_t *p, size_t len, struct record_report *rep)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/t.log", dir);
	unlink(path);
	ck_assert_int_eq(util_write_file(path, p, len, 0600, 0), 0);
	return verify_file(path, rep);
}

START_TEST(test_valid)
{
	struct record_report rep;
	json_t *j, *c;
	json_error_t je;

	ck_assert_int_eq(verify_file(good, &rep), 0);
	ck_assert_uint_eq(rep.ballots, 30);
	ck_assert_uint_eq(rep.shares, 3);
	ck_assert_uint_eq(rep.checkpoints, 2);
	ck_assert_int_eq(rep.complete, 1);
	ck_assert_ptr_nonnull(rep.outcome);
	j = json_loadb(rep.outcome, rep.outcome_len, 0, &je);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "cast")), 30);
	c = json_array_get(json_object_get(j, "contests"), 0);
	/* the plaintext: 5 x each of six patterns */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(c, "totals"), "c1"), "for")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_object_get(c, "totals"), "c1"), "against")), 5);
	/* "张三" and "　张三 " merge; the empty name counts for nobody */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    c, "writeins"), "张三")), 10);
	ck_assert_int_eq(json_object_size(json_object_get(c, "writeins")), 1);
	json_decref(j);
	record_report_clear(&rep);
}
END_TEST


/* ------------------------------------------------------ raw tampering */

static uint8_t *
without_frame(size_t j, size_t *len)
{
	uint8_t *p = malloc(goodlen);

	memcpy(p, goodbuf, frame_off[j]);
	memcpy(p + frame_off[j], goodbuf + frame_off[j] + frame_len[j],
	    goodlen - frame_off[j] - frame_len[j]);
	*len = goodlen - frame_len[j];
	return p;
}

static void
expect_fail(const uint8_t *p, size_t len, uint64_t lo, uint64_t hi,
    const char *what)
{
	struct record_report rep;

	ck_assert_msg(verify_buf(p, len, &rep) == TALLY_ERR_VERIFY,
	    "%s: accepted", what);
	ck_assert_msg(rep.index >= lo && rep.index <= hi,
	    "%s: index %llu not in %llu..%llu (%s: %s)", what,
	    (unsigned long long)rep.index, (unsigned long long)lo,
	    (unsigned long long)hi, rep.check, rep.reason);
	ck_assert_ptr_null(rep.outcome);
	record_report_clear(&rep);
}

START_TEST(test_delete_each)
{
	uint8_t *p;
	size_t j, len;
	char what[64];

	for (j = 0; j < nframes; j++) {
		p = without_frame(j, &len);
		snprintf(what, sizeof(what), "delete %zu", j);
		expect_fail(p, len, j, j, what);
		free(p);
	}
}
END_TEST

START_TEST(test_duplicate_and_swap_each)
{
	uint8_t *p = malloc(goodlen * 2);
	size_t j, len;
	char what[64];

	for (j = 0; j < nframes; j++) {
		/* duplicate j */
		memcpy(p, goodbuf, frame_off[j] + frame_len[j]);
		memcpy(p + frame_off[j] + frame_len[j], goodbuf + frame_off[j],
		    goodlen - frame_off[j]);
		len = goodlen + frame_len[j];
		snprintf(what, sizeof(what), "duplicate %zu", j);
		expect_fail(p, len, j + 1, j + 1, what);
		if (j + 1 == nframes)
			break;
		/* swap j and j + 1 */
		memcpy(p, goodbuf, goodlen);
		memcpy(p + frame_off[j], goodbuf + frame_off[j + 1],
		    frame_len[j + 1]);
		memcpy(p + frame_off[j] + frame_len[j + 1],
		    goodbuf + frame_off[j], frame_len[j]);
		snprintf(what, sizeof(what), "swap %zu", j);
		expect_fail(p, goodlen, j, j, what);
	}
	free(p);
}
END_TEST

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Alter a byte of every record's payload and fix the crc: the record or
 * the chain link after it is named. */
START_TEST(test_alter_each_recrc)
{
	uint8_t *p = malloc(goodlen);
	size_t j, k, off, plen;
	char what[64];

	for (j = 0; j < nframes; j++) {
		off = frame_off[j];
		plen = frame_len[j] - 8;
		for (k = 0; k < 3; k++) {
			memcpy(p, goodbuf, goodlen);
			p[off + 8 + (plen - 1) * k / 2] ^= 0x01;
			put32(p + off + 4, hash_crc32c(p + off + 8, plen));
			snprintf(what, sizeof(what), "alter %zu at %zu", j, k);
			expect_fail(p, goodlen, j, j + 1, what);
		}
	}
	free(p);
}
END_TEST

/* Flip one bit at a few hundred positions: the frame that holds it is
 * named (a crc mismatch, or a torn last record). */
START_TEST(test_flip_bytes)
{
	uint8_t *p = malloc(goodlen);
	size_t i, pos, j;
	char what[64];

	for (i = 0; i < 300; i++) {
		pos = (i * 7919u + 13) % goodlen;
		memcpy(p, goodbuf, goodlen);
		p[pos] ^= 1u << (i % 8);
		for (j = 0; j + 1 < nframes && frame_off[j + 1] <= pos; j++)
			;
		snprintf(what, sizeof(what), "flip at %zu", pos);
		if (pos < LOG_HEADER_LEN)
			expect_fail(p, goodlen, 0, 0, what);
		else
			expect_fail(p, goodlen, j, j, what);
	}
	free(p);
}
END_TEST

START_TEST(test_truncated)
{
	expect_fail(goodbuf, goodlen - 1, nframes - 1, nframes - 1, "cut 1");
	/* a whole record missing at the end: incomplete */
	expect_fail(goodbuf, frame_off[nframes - 1], nframes - 1,
	    nframes - 1, "no final checkpoint");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("record");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_delete_each);
	tcase_add_test(tc, test_duplicate_and_swap_each);
	tcase_add_test(tc, test_alter_each_recrc);
	tcase_add_test(tc, test_flip_bytes);
	tcase_add_test(tc, test_truncated);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
