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
#include "sign.h"
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

/* Record j with a bit of its prev_hash (what 0) or of its index (what 1)
 * flipped in place, and a correct crc. The payload starts with version (08
 * vv), index (10 ii, j < 128) and prev_hash (1a 20 + 32 bytes). */
static uint8_t *
with_record_changed(size_t j, int what)
{
	uint8_t *p = malloc(goodlen), *pl;
	size_t plen = frame_len[j] - 8;

	ck_assert_uint_lt(j, 128);
	memcpy(p, goodbuf, goodlen);
	pl = p + frame_off[j] + 8;
	ck_assert(pl[0] == 0x08 && pl[2] == 0x10 && pl[3] == j &&
	    pl[4] == 0x1a && pl[5] == HASH_LEN);
	pl[what == 0 ? 6 : 3] ^= 0x01;
	put32(p + frame_off[j] + 4, hash_crc32c(pl, plen));
	return p;
}

/* Regression: a chain break was told from other damage by searching the
 * error message for "prev_hash". It is its own error code now: a broken
 * link is the check "chain", any other bad record is "framing". */
START_TEST(test_chain_break_by_code)
{
	struct record_report rep;
	uint8_t *p;
	size_t j;

	for (j = 1; j < nframes && j < 128; j += 1 + nframes / 5) {
		p = with_record_changed(j, 0);
		ck_assert_int_eq(verify_buf(p, goodlen, &rep),
		    TALLY_ERR_VERIFY);
		ck_assert_uint_eq(rep.index, j);
		ck_assert_str_eq(rep.check, "chain");
		record_report_clear(&rep);
		free(p);
		p = with_record_changed(j, 1);
		ck_assert_int_eq(verify_buf(p, goodlen, &rep),
		    TALLY_ERR_VERIFY);
		ck_assert_uint_eq(rep.index, j);
		ck_assert_str_eq(rep.check, "framing");
		record_report_clear(&rep);
		free(p);
	}
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

/* ------------------------------------ re-chained, re-signed tampering */

struct tamper {
	int kind;
	size_t seq;		/* which planned record */
};

enum {
	T_DROP, T_TWICE, T_RESULT_JSON, T_RESULT_TOTAL, T_RESULT_TRUSTEES,
	T_SHARE_SWAP_TRUSTEE, T_SHARE_POINT, T_AGG_SWAP, T_BALLOT_SIG,
	T_PRESENT, T_MANIFEST, T_HASH, T_CLOSED_COUNT, T_CP_SIG, T_AGG_COUNT,
	T_SHUFFLE_MIXER, T_SHUFFLE_LIST, T_SHUFFLE_PROOF
};

static enum rg_action
tamper_hook(void *arg, size_t seq, Tally__LogRecord *rec)
{
	struct tamper *t = arg;
	Tally__Ciphertext *ct;
	uint8_t *mp;

	if (seq != t->seq)
		return RG_WRITE;
	switch (t->kind) {
	case T_DROP:
		return RG_SKIP;
	case T_TWICE:
		return RG_TWICE;
	case T_RESULT_JSON:
		rec->result->results_json.data[10] ^= 1;
		break;
	case T_RESULT_TOTAL:
		rec->result->totals[0]++;
		break;
	case T_RESULT_TRUSTEES:
		rec->result->trustees[2] = 4;
		break;
	case T_SHARE_SWAP_TRUSTEE:
		rec->decryption_share->trustee = 4;
		break;
	case T_SHARE_POINT:
		/* another valid point: the share of the next entry */
		memcpy(rec->decryption_share->sums[0].data,
		    rec->decryption_share->sums[1].data, 33);
		break;
	case T_AGG_SWAP:
		ct = rec->aggregate->sums[0];
		rec->aggregate->sums[0] = rec->aggregate->sums[1];
		rec->aggregate->sums[1] = ct;
		break;
	case T_BALLOT_SIG:
		rec->ballot->signature.data[5] ^= 0x20;
		break;
	case T_PRESENT:
		rec->polls_opened->present = 100;	/* under 2/3 of 239 */
		break;
	case T_MANIFEST:
		ck_assert_ptr_nonnull(mp = memmem(rec->vote_created->manifest.data,
		    rec->vote_created->manifest.len, "239", 3));
		mp[2] = '8';	/* members 238 */
		break;
	case T_HASH:
		rec->vote_created->election_hash.data[0] ^= 1;
		break;
	case T_CLOSED_COUNT:
		rec->polls_closed->ballots++;
		break;
	case T_CP_SIG:
		rec->checkpoint->signature.data[0] ^= 1;
		break;
	case T_AGG_COUNT:
		rec->aggregate->ballots--;
		break;
	case T_SHUFFLE_MIXER:
		rec->shuffle->mixer = 4;
		break;
	case T_SHUFFLE_LIST:
		/* tuple 0 twice: a duplicated name */
		memcpy(rec->shuffle->list.data + rec->shuffle->list.len / 30,
		    rec->shuffle->list.data, rec->shuffle->list.len / 30);
		break;
	case T_SHUFFLE_PROOF:
		rec->shuffle->proof->s1.data[4] ^= 1;
		break;
	}
	return RG_WRITE;
}

/* Planned sequence of the default record: 0 VoteCreated, 1 PollsOpened,
 * 2..31 ballots, 32 PollsClosed, 33 Checkpoint, 34 Aggregate, 35..37
 * shuffles, 38..40 shares, 41 Result, 42 Checkpoint. */
static void
tamper_case(int kind, size_t seq, uint64_t want_index, const char *check)
{
	struct tamper t;
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	char path[600];
	int ret;

	memset(&t, 0, sizeof(t));
	t.kind = kind;
	t.seq = seq;
	rg_opts_default(&o);
	o.hook = tamper_hook;
	o.hook_arg = &t;
	snprintf(path, sizeof(path), "%s/tamper-%d-%zu.log", dir, kind, seq);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	ret = verify_file(path, &rep);
	ck_assert_msg(ret == TALLY_ERR_VERIFY, "tamper %d at %zu accepted",
	    kind, seq);
	ck_assert_msg(rep.index == want_index && strcmp(rep.check, check) == 0,
	    "tamper %d at %zu: got record %llu %s: %s; want %llu %s", kind,
	    seq, (unsigned long long)rep.index, rep.check, rep.reason,
	    (unsigned long long)want_index, check);
	record_report_clear(&rep);
	rg_free(g);
}

/* ---------------------------- a ballot refused half-way through a batch */

struct forge {
	size_t seq;
	uint8_t (*keys)[64];
	size_t nkeys;
};

static void
forge_scalar(ProtobufCBinaryData *d)
{
	BIGNUM *x = group_scalar_new();

	ck_assert_int_eq(group_scalar_random(x), 0);
	ck_assert_uint_eq(d->len, 32);
	ck_assert_int_eq(group_scalar_encode(d->data, x), 0);
	group_scalar_free(x);
}

/* Ballot seq: a selection proof whose hash holds but whose v is wrong (its
 * equations go into the batch), then a constraint proof whose hash fails
 * (the ballot is refused half-way); signed again by its own credential. */
static enum rg_action
forge_hook(void *arg, size_t seq, Tally__LogRecord *rec)
{
	struct forge *f = arg;
	Tally__BallotBody *body;
	uint8_t sig[64];
	size_t i, len;

	if (seq != f->seq)
		return RG_WRITE;
	ck_assert_int_eq(rec->body_case, TALLY__LOG_RECORD__BODY_BALLOT);
	body = tally__ballot_body__unpack(NULL, rec->ballot->body.len,
	    rec->ballot->body.data);
	ck_assert_ptr_nonnull(body);
	forge_scalar(&body->selection_proofs[0]->v[0]);
	forge_scalar(&body->constraint_proofs[0]->c[0]);
	len = tally__ballot_body__get_packed_size(body);
	ck_assert_uint_eq(len, rec->ballot->body.len);
	tally__ballot_body__pack(body, rec->ballot->body.data);
	for (i = 0; i < f->nkeys; i++)
		if (memcmp(f->keys[i], body->credential.data, 32) == 0)
			break;
	ck_assert_uint_lt(i, f->nkeys);
	ck_assert_int_eq(ed25519_sign(sig, f->keys[i] + 32,
	    rec->ballot->body.data, len), 0);
	memcpy(rec->ballot->signature.data, sig, 64);
	tally__ballot_body__free_unpacked(body, NULL);
	return RG_WRITE;
}

/* The forged ballot is named, not an honest ballot batched before it
 * (the batch held part of the forged ballot's equations). */
START_TEST(test_batched_culprit)
{
	struct forge f;
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	char path[600];

	memset(&f, 0, sizeof(f));
	f.seq = 7;	/* ballot 5: 0 VoteCreated, 1 PollsOpened, 2.. ballots */
	rg_opts_default(&o);
	f.nkeys = o.ncred;
	o.keys_out = &f.keys;
	o.hook = forge_hook;
	o.hook_arg = &f;
	snprintf(path, sizeof(path), "%s/forged.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	ck_assert_int_eq(verify_file(path, &rep), TALLY_ERR_VERIFY);
	ck_assert_msg(rep.index == 7 && strcmp(rep.check, "ballot-proof") == 0,
	    "got record %llu %s: %s", (unsigned long long)rep.index,
	    rep.check, rep.reason);
	record_report_clear(&rep);
	free(f.keys);
	rg_free(g);
}
END_TEST

START_TEST(test_resigned_tamper)
{
	tamper_case(T_RESULT_JSON, 41, 41, "result");
	tamper_case(T_RESULT_TOTAL, 41, 41, "result");
	tamper_case(T_RESULT_TRUSTEES, 41, 41, "result");
	tamper_case(T_SHARE_SWAP_TRUSTEE, 39, 39, "share-proof");
	tamper_case(T_SHARE_POINT, 40, 40, "share-proof");
	tamper_case(T_AGG_SWAP, 34, 34, "aggregate");
	tamper_case(T_AGG_COUNT, 34, 34, "ballot-count");
	tamper_case(T_BALLOT_SIG, 20, 20, "ballot-proof");
	tamper_case(T_PRESENT, 1, 1, "quorum");
	tamper_case(T_MANIFEST, 0, 0, "election-hash");
	tamper_case(T_HASH, 0, 0, "election-hash");
	tamper_case(T_CLOSED_COUNT, 32, 32, "ballot-count");
	tamper_case(T_CP_SIG, 33, 33, "checkpoint");
	tamper_case(T_CP_SIG, 42, 42, "checkpoint");
}
END_TEST

START_TEST(test_resigned_drop_repeat)
{
	/* a dropped ballot: PollsClosed no longer matches */
	tamper_case(T_DROP, 10, 31, "ballot-count");
	/* a repeated ballot, share, VoteCreated, PollsOpened, Result */
	tamper_case(T_TWICE, 10, 11, "ballot-duplicate");
	tamper_case(T_TWICE, 39, 40, "share-duplicate");
	tamper_case(T_TWICE, 0, 1, "structure");
	tamper_case(T_TWICE, 1, 2, "structure");
	tamper_case(T_TWICE, 32, 33, "structure");
	tamper_case(T_TWICE, 41, 42, "structure");
	/* missing pieces */
	tamper_case(T_DROP, 33, 33, "structure");	/* sealing checkpoint */
	tamper_case(T_DROP, 34, 34, "structure");	/* aggregate */
	tamper_case(T_DROP, 1, 1, "structure");		/* PollsOpened */
	tamper_case(T_DROP, 42, 42, "incomplete");	/* final checkpoint */
	tamper_case(T_DROP, 41, 42, "incomplete");	/* result */
	tamper_case(T_DROP, 40, 40, "structure");	/* 2 shares of 3 */
	/* the mix-net: a repeated, a missing step, too few steps, a step
	 * in another scrutineer's name, a list changed after the proof */
	tamper_case(T_TWICE, 35, 36, "shuffle");
	tamper_case(T_DROP, 36, 36, "shuffle");
	tamper_case(T_DROP, 37, 37, "shuffle");	/* 2 shuffles of 3 */
	tamper_case(T_SHUFFLE_MIXER, 36, 36, "shuffle");
	tamper_case(T_SHUFFLE_LIST, 37, 37, "shuffle");
	tamper_case(T_SHUFFLE_PROOF, 35, 35, "shuffle");
}
END_TEST

/* ----------------------------------------------------------- receipts */

/* A receipt for the ballot at index, with a checkpoint of size. */
static uint8_t *
make_receipt(uint64_t index, uint64_t size, size_t *len, int bad_sig)
{
	Tally__Receipt rc = TALLY__RECEIPT__INIT;
	Tally__Checkpoint cpm = TALLY__CHECKPOINT__INIT;
	struct merkle_tree *t;
	struct checkpoint cp;
	uint8_t head[32], path[MERKLE_MAX_PATH][32], leaf[32], *out;
	ProtobufCBinaryData inc[MERKLE_MAX_PATH];
	char err[256];
	size_t n, i;

	ck_assert_int_eq(log_audit(good, &t, head, err, sizeof(err)), 0);
	cp.size = size;
	ck_assert_int_eq(merkle_tree_root(t, size, cp.root), 0);
	/* the chain head at size: the prev_hash of record size */
	{
		struct log_reader *r;
		struct log_entry e;

		ck_assert_int_eq(log_reader_open(good, &r, err, sizeof(err)),
		    0);
		for (i = 0; i < size; i++) {
			ck_assert_int_eq(log_reader_next(r, &e), 1);
			memcpy(cp.head, e.record_hash, 32);
		}
		log_reader_free(r);
	}
	ck_assert_int_eq(checkpoint_sign(&cp, G->m->id, G->ledger_sk), 0);
	if (bad_sig)
		cp.sig[3] ^= 1;
	checkpoint_to_proto(&cp, &cpm);
	ck_assert_int_eq(merkle_tree_inclusion(t, index, size, path, &n), 0);
	ck_assert_int_eq(merkle_tree_leaf(t, index, leaf), 0);
	for (i = 0; i < n; i++) {
		inc[i].data = path[i];
		inc[i].len = 32;
	}
	rc.version = 1;
	rc.vote_id = G->m->id;
	rc.index = index;
	rc.leaf_hash.data = leaf;
	rc.leaf_hash.len = 32;
	rc.checkpoint = &cpm;
	rc.n_inclusion = n;
	rc.inclusion = inc;
	*len = tally__receipt__get_packed_size(&rc);
	out = malloc(*len);
	tally__receipt__pack(&rc, out);
	merkle_tree_free(t);
	return out;
}

static void
receipt_expect(const uint8_t *p, size_t len, const char *path,
    const char *check)
{
	struct record_report rep;
	int ret = record_receipt_check(p, len, path, &rep);

	if (check == NULL)
		ck_assert_msg(ret == 0, "receipt refused: %s: %s", rep.check,
		    rep.reason);
	else
		ck_assert_msg(ret == TALLY_ERR_VERIFY &&
		    strcmp(rep.check, check) == 0, "want %s, got %d %s: %s",
		    check, ret, rep.check, rep.reason);
	record_report_clear(&rep);
}

START_TEST(test_receipt)
{
	uint8_t *p;
	size_t len, i;
	char path[600];

	for (i = 2; i < 32; i += 7) {
		p = make_receipt(i, i + 1, &len, 0);
		receipt_expect(p, len, good, NULL);
		free(p);
		p = make_receipt(i, 32, &len, 0);
		receipt_expect(p, len, good, NULL);
		free(p);
	}
	p = make_receipt(5, 20, &len, 1);
	receipt_expect(p, len, good, "receipt-signature");
	free(p);
	/* every bit of the receipt matters */
	p = make_receipt(5, 20, &len, 0);
	for (i = 0; i < len * 8; i++) {
		struct record_report rep;

		p[i / 8] ^= 1u << (i % 8);
		ck_assert_msg(record_receipt_check(p, len, good, &rep) != 0,
		    "receipt bit %zu flipped accepted", i);
		record_report_clear(&rep);
		p[i / 8] ^= 1u << (i % 8);
	}
	receipt_expect(p, len, good, NULL);
	/* not a ballot: a receipt for the PollsOpened record */
	free(p);
	p = make_receipt(1, 20, &len, 0);
	receipt_expect(p, len, good, "receipt-leaf");
	free(p);
	/* against another record of another vote with another key */
	{
		struct rg_opts o;
		struct recordgen *g2;

		snprintf(path, sizeof(path), "%s/other.log", dir);
		rg_opts_default(&o);
		ck_assert_int_eq(rg_build(&g2, &o, path), 0);
		p = make_receipt(5, 20, &len, 0);
		receipt_expect(p, len, path, "receipt-signature");
		free(p);
		rg_free(g2);
	}
	/* a record cut before its checkpoint covers the receipt */
	p = make_receipt(5, 20, &len, 0);
	snprintf(path, sizeof(path), "%s/cut.log", dir);
	ck_assert_int_eq(util_write_file(path, goodbuf, frame_off[25], 0600,
	    0), 0);
	receipt_expect(p, len, path, "incomplete");
	free(p);
}
END_TEST

/* ---------------------------------------------------------- zero votes */

START_TEST(test_zero_ballots)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	char path[600];
	json_t *j;
	json_error_t je;

	rg_opts_default(&o);
	o.nballots = 0;
	snprintf(path, sizeof(path), "%s/zero.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	ck_assert_int_eq(verify_file(path, &rep), 0);
	ck_assert_uint_eq(rep.ballots, 0);
	j = json_loadb(rep.outcome, rep.outcome_len, 0, &je);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "cast")), 0);
	json_decref(j);
	record_report_clear(&rep);
	rg_free(g);
}
END_TEST

/*
 * docs/record/verify.md §2: a Checkpoint may follow any record from the
 * VoteCreated to the Result, also between the sealing Checkpoint and the
 * Aggregate; it never changes what the record says. Nothing follows the
 * final Checkpoint.
 */
START_TEST(test_checkpoints_anywhere)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	char path[600];

	rg_opts_default(&o);
	o.nballots = 4;
	o.checkpoints_everywhere = 1;
	snprintf(path, sizeof(path), "%s/cps.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	/* closed, sealing cp, extra cp, aggregate */
	ck_assert_uint_eq(g->agg, g->closed + 3);
	ck_assert_int_eq(verify_file(path, &rep), 0);
	ck_assert_uint_eq(rep.ballots, 4);
	/* one after each record but the VoteCreated: half the record */
	ck_assert_uint_eq(rep.checkpoints, g->nrecords / 2);
	record_report_clear(&rep);
	rg_free(g);
}
END_TEST

START_TEST(test_incomplete_allowed)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	struct record_opts ro;
	char path[600];

	rg_opts_default(&o);
	o.stop_before_result = 1;
	snprintf(path, sizeof(path), "%s/open.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	ck_assert_int_eq(verify_file(path, &rep), TALLY_ERR_VERIFY);
	ck_assert_str_eq(rep.check, "incomplete");
	record_report_clear(&rep);
	memset(&ro, 0, sizeof(ro));
	ro.allow_incomplete = 1;
	ck_assert_int_eq(record_verify(path, &ro, &rep), 0);
	ck_assert_int_eq(rep.complete, 0);
	record_report_clear(&rep);
	rg_free(g);
}
END_TEST

/* ------------------------------------------------- witnesses, follower */

struct cosig_hook {
	int what;	/* 1 signature, 2 key, 3 root, 4 size */
	int nth;	/* which cosignature (0-based) */
	int seen;
};

static enum rg_action
cosig_hook(void *arg, size_t seq, Tally__LogRecord *rec)
{
	struct cosig_hook *h = arg;
	Tally__Cosignature *c;

	(void)seq;
	if (rec->body_case != TALLY__LOG_RECORD__BODY_COSIGNATURE ||
	    h->seen++ != h->nth)
		return RG_WRITE;
	c = rec->cosignature;
	if (h->what == 1)
		c->signature.data[5] ^= 1;
	else if (h->what == 2)
		c->witness_key.data[0] ^= 1;
	else if (h->what == 3)
		c->root.data[9] ^= 1;
	else
		c->size -= 1;
	return RG_WRITE;
}

static void
witnessed(struct rg_opts *o, size_t nw, uint32_t q, size_t open,
    size_t seal)
{
	rg_opts_default(o);
	o->nballots = 6;
	o->nwitnesses = nw;
	o->witness_quorum = q;
	o->cosign_open = open;
	o->seal_cosigners = seal;
}

START_TEST(test_witnessed)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	char path[600];

	witnessed(&o, 3, 2, 1, 2);
	snprintf(path, sizeof(path), "%s/w.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	ck_assert_int_eq(verify_file(path, &rep), 0);
	ck_assert_uint_eq(rep.witnesses, 3);
	ck_assert_uint_eq(rep.witness_quorum, 2);
	ck_assert_uint_eq(rep.cosignatures, 3);
	ck_assert_uint_eq(rep.seal_size, g->closed + 1);
	ck_assert_mem_eq(rep.seal_root, g->seal_root, 32);
	ck_assert_uint_eq(rep.seal_cosigned, 2);
	record_report_clear(&rep);
	rg_free(g);
}
END_TEST

/* A share before the quorum of witnesses cosigned the seal: "seal". */
START_TEST(test_witnessed_unsealed)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	char path[600];

	witnessed(&o, 3, 2, 2, 1);
	snprintf(path, sizeof(path), "%s/w1.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	ck_assert_int_eq(verify_file(path, &rep), TALLY_ERR_VERIFY);
	ck_assert_str_eq(rep.check, "seal");
	/* the first share, after the one cosignature and the shuffles */
	ck_assert_uint_eq(rep.index, g->first_shuffle + g->mx.steps);
	ck_assert_uint_eq(g->first_shuffle, g->seal_cosig + 1);
	record_report_clear(&rep);
	rg_free(g);
}
END_TEST

START_TEST(test_witness_tamper)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	struct cosig_hook h;
	char path[600];
	int what, nth;

	/* each tampering once, on each of the three cosignatures in turn */
	for (what = 1; what <= 4; what++)
		for (nth = (what - 1) % 3; nth == (what - 1) % 3; nth++) {
			witnessed(&o, 3, 2, 1, 2);
			memset(&h, 0, sizeof(h));
			h.what = what;
			h.nth = nth;
			o.hook = cosig_hook;
			o.hook_arg = &h;
			snprintf(path, sizeof(path), "%s/wt%d%d.log", dir, what,
			    nth);
			ck_assert_int_eq(rg_build(&g, &o, path), 0);
			ck_assert_int_eq(verify_file(path, &rep),
			    TALLY_ERR_VERIFY);
			ck_assert_msg(strcmp(rep.check, "cosignature") == 0,
			    "tamper %d of cosignature %d: %s: %s", what, nth,
			    rep.check, rep.reason);
			record_report_clear(&rep);
			rg_free(g);
		}
}
END_TEST

/* A witness's cosignature of an older size after a newer one. */
static enum rg_action
backwards_hook(void *arg, size_t seq, Tally__LogRecord *rec)
{
	int *seen = arg;

	(void)seq;
	if (rec->body_case == TALLY__LOG_RECORD__BODY_COSIGNATURE &&
	    (*seen)++ == 0)
		return RG_TWICE;	/* the same cosignature later is fine */
	return RG_WRITE;
}

START_TEST(test_witness_repeat_ok)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_report rep;
	char path[600];
	int seen = 0;

	witnessed(&o, 3, 2, 1, 2);
	o.hook = backwards_hook;
	o.hook_arg = &seen;
	snprintf(path, sizeof(path), "%s/wr.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	ck_assert_int_eq(verify_file(path, &rep), 0);
	ck_assert_uint_eq(rep.cosignatures, 4);
	record_report_clear(&rep);
	rg_free(g);
}
END_TEST

/* Fed in pieces of every size, the follower ends where record_verify
 * does; fed a tampered record, it fails where record_verify does. */
static void
follow_all(const uint8_t *p, size_t len, size_t step, int *ret,
    struct record_report *out)
{
	struct record_follow *f;
	uint8_t *buf = malloc(len + 1);
	size_t have = 0, off = 0, used, take;
	const struct record_report *r;

	ck_assert_int_eq(record_follow_new(&f, NULL), 0);
	*ret = 0;
	while (off < len && *ret == 0) {
		take = len - off < step ? len - off : step;
		memcpy(buf + have, p + off, take);
		have += take;
		off += take;
		*ret = record_follow_feed(f, buf, have, &used);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	if (*ret == 0)
		ck_assert_uint_eq(have, 0);
	r = record_follow_report(f);
	memset(out, 0, sizeof(*out));
	out->index = r->index;
	snprintf(out->check, sizeof(out->check), "%s", r->check);
	out->records = r->records;
	out->ballots = r->ballots;
	out->complete = r->complete;
	memcpy(out->root, r->root, 32);
	out->outcome_len = r->outcome_len;
	if (r->outcome != NULL) {
		out->outcome = malloc(r->outcome_len + 1);
		ck_assert_ptr_nonnull(out->outcome);
		memcpy(out->outcome, r->outcome, r->outcome_len + 1);
	}
	record_follow_free(f);
	free(buf);
}

START_TEST(test_follower)
{
	static const size_t steps[] = { 1000000, 1, 7, 999 };
	struct record_report rep, fr;
	size_t i;
	int ret;

	ck_assert_int_eq(verify_file(good, &rep), 0);
	for (i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		if (steps[i] == 1 && goodlen > 200000)
			continue;
		follow_all(goodbuf, goodlen, steps[i], &ret, &fr);
		ck_assert_msg(ret == 0, "step %zu: %s", steps[i], fr.check);
		ck_assert_uint_eq(fr.records, rep.records);
		ck_assert_uint_eq(fr.ballots, rep.ballots);
		ck_assert_int_eq(fr.complete, 1);
		ck_assert_mem_eq(fr.root, rep.root, 32);
		ck_assert_uint_eq(fr.outcome_len, rep.outcome_len);
		ck_assert_ptr_nonnull(fr.outcome);
		ck_assert_mem_eq(fr.outcome, rep.outcome, rep.outcome_len);
		record_report_clear(&fr);
	}
	record_report_clear(&rep);
}
END_TEST

START_TEST(test_follower_tamper)
{
	struct record_report rep, fr;
	uint8_t *p;
	size_t j, len;
	int ret;

	/* records dropped in turn (every third, and the last six): same
	 * verdict, same place */
	for (j = 0; j < nframes; j++) {
		if (j % 3 != 0 && j + 6 < nframes)
			continue;
		p = without_frame(j, &len);
		ck_assert_int_eq(verify_buf(p, len, &rep), TALLY_ERR_VERIFY);
		follow_all(p, len, 4096, &ret, &fr);
		if (strcmp(rep.check, "incomplete") == 0) {
			/* a follower accepts a record that stops early */
			ck_assert_int_eq(ret, 0);
		} else {
			ck_assert_int_eq(ret, TALLY_ERR_VERIFY);
			ck_assert_msg(fr.index == rep.index &&
			    strcmp(fr.check, rep.check) == 0, "drop %zu: "
			    "verify %llu %s, follower %llu %s", j,
			    (unsigned long long)rep.index, rep.check,
			    (unsigned long long)fr.index, fr.check);
		}
		record_report_clear(&rep);
		record_report_clear(&fr);
		free(p);
	}
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
	tcase_add_test(tc, test_chain_break_by_code);
	tcase_add_test(tc, test_flip_bytes);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_resigned_tamper);
	tcase_add_test(tc, test_batched_culprit);
	tcase_add_test(tc, test_resigned_drop_repeat);
	tcase_add_test(tc, test_receipt);
	tcase_add_test(tc, test_zero_ballots);
	tcase_add_test(tc, test_incomplete_allowed);
	tcase_add_test(tc, test_checkpoints_anywhere);
	tcase_add_test(tc, test_witnessed);
	tcase_add_test(tc, test_witnessed_unsealed);
	tcase_add_test(tc, test_witness_tamper);
	tcase_add_test(tc, test_witness_repeat_ok);
	tcase_add_test(tc, test_follower);
	tcase_add_test(tc, test_follower_tamper);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
