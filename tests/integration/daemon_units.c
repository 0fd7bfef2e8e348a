/*
 * daemon_units.c: Check tests of tallyd's decoders that need no running
 * daemon: the frontend <-> ledger framing (daemon/ipc.c), the
 * configuration parser (daemon/config.c) on text, the frontend's checks
 * of a frame before it is decoded (daemon/fe_check.c), and the states of a
 * vote whose shuffle or shares are being verified off the ledger's thread
 * (daemon/election.c, election_job_*), on a record made by recordgen.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "election.h"
#include "err.h"
#include "fe_check.h"
#include "ipc.h"
#include "log.h"
#include "pb.h"
#include "recordgen.h"
#include "testutil.h"

static uint8_t *
make_request(uint64_t seq, size_t *len)
{
	Tally__LedgerRequest lr = TALLY__LEDGER_REQUEST__INIT;
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__StatusRequest st = TALLY__STATUS_REQUEST__INIT;
	uint8_t *buf;

	req.version = 1;
	req.id = 7;
	req.body_case = TALLY__REQUEST__BODY_STATUS;
	req.status = &st;
	lr.seq = seq;
	lr.request = &req;
	ck_assert_int_eq(ipc_frame_encode(IPC_LEDGER_REQUEST, &lr.base, &buf,
	    len), 0);
	return buf;
}

START_TEST(test_ipc_roundtrip)
{
	Tally__LedgerRequest *lr;
	const uint8_t *payload;
	uint32_t type, plen;
	size_t len, total;
	uint8_t *buf = make_request(42, &len);

	ck_assert_int_eq(ipc_frame_peek(buf, len, &type, &payload, &plen,
	    &total), 0);
	ck_assert_uint_eq(type, IPC_LEDGER_REQUEST);
	ck_assert_uint_eq(total, len);
	ck_assert_int_eq(ipc_decode_request(payload, plen, &lr), 0);
	ck_assert_uint_eq(lr->seq, 42);
	ck_assert_uint_eq(lr->request->id, 7);
	tally__ledger_request__free_unpacked(lr, NULL);
	free(buf);
}
END_TEST

START_TEST(test_ipc_truncated)
{
	const uint8_t *payload;
	uint32_t type, plen;
	size_t len, total, cut;
	uint8_t *buf = make_request(1, &len);

	for (cut = 0; cut < len; cut++)
		ck_assert_int_eq(ipc_frame_peek(buf, cut, &type, &payload,
		    &plen, &total), TALLY_ERR_TRUNCATED);
	free(buf);
}
END_TEST

START_TEST(test_ipc_oversized_and_unknown_type)
{
	uint8_t hdr[IPC_HEADER];
	const uint8_t *payload;
	uint32_t type, plen, v;
	size_t total;

	v = IPC_LEDGER_REQUEST;
	memcpy(hdr, &v, 4);
	v = IPC_MAX_PAYLOAD + 1;
	memcpy(hdr + 4, &v, 4);
	ck_assert_int_eq(ipc_frame_peek(hdr, sizeof(hdr), &type, &payload,
	    &plen, &total), TALLY_ERR_TOO_LARGE);
	for (v = 0; v < 8; v++) {
		uint32_t zero = 0;

		memcpy(hdr, &v, 4);
		memcpy(hdr + 4, &zero, 4);
		ck_assert_int_eq(ipc_frame_peek(hdr, sizeof(hdr), &type,
		    &payload, &plen, &total), v == IPC_LEDGER_REQUEST ||
		    v == IPC_LEDGER_RESPONSE ? 0 : TALLY_ERR_PROTOCOL);
	}
}
END_TEST

START_TEST(test_ipc_trailing_and_unknown_fields)
{
	Tally__LedgerRequest *lr;
	size_t len;
	uint8_t *buf = make_request(3, &len), *longer;
	size_t plen = len - IPC_HEADER;

	/* A trailing unknown varint field (number 15). */
	longer = calloc(1, plen + 2);
	memcpy(longer, buf + IPC_HEADER, plen);
	longer[plen] = 15 << 3;
	longer[plen + 1] = 1;
	ck_assert_int_eq(ipc_decode_request(longer, plen + 2, &lr),
	    TALLY_ERR_TRAILING);
	/* The seq field repeated: decodes, but not canonically. */
	longer[plen] = 0x08;
	longer[plen + 1] = 0x05;
	ck_assert_int_eq(ipc_decode_request(longer, plen + 2, &lr),
	    TALLY_ERR_TRAILING);
	/* Garbage. */
	memset(longer, 0xff, plen);
	ck_assert_int_eq(ipc_decode_request(longer, plen, &lr),
	    TALLY_ERR_DECODE);
	/* No request inside. */
	ck_assert_int_eq(ipc_decode_request((const uint8_t *)"\x08\x01", 2,
	    &lr), TALLY_ERR_DECODE);
	free(longer);
	free(buf);
}
END_TEST

/* ipc_nested_unknown_fields: an unknown field below the top level is
 * refused too, not only one in the LedgerRequest itself. */
START_TEST(test_ipc_nested_unknown_fields)
{
	/* seq 1, request { version 1, id 7, status {}, field 100 = 1 } */
	static const uint8_t in_request[] = { 0x08, 0x01, 0x12, 0x09, 0x08,
	    0x01, 0x10, 0x07, 0x6a, 0x00, 0xa0, 0x06, 0x01 };
	/* seq 1, request { version 1, id 7, status { field 9 = 1 } } */
	static const uint8_t in_status[] = { 0x08, 0x01, 0x12, 0x08, 0x08,
	    0x01, 0x10, 0x07, 0x6a, 0x02, 0x48, 0x01 };
	/* The same without the unknown field: accepted. */
	static const uint8_t plain[] = { 0x08, 0x01, 0x12, 0x06, 0x08, 0x01,
	    0x10, 0x07, 0x6a, 0x00 };
	Tally__LedgerRequest *lr;

	ck_assert_int_eq(ipc_decode_request(plain, sizeof(plain), &lr), 0);
	tally__ledger_request__free_unpacked(lr, NULL);
	ck_assert_int_eq(ipc_decode_request(in_request, sizeof(in_request),
	    &lr), TALLY_ERR_TRAILING);
	ck_assert_ptr_null(lr);
	ck_assert_int_eq(ipc_decode_request(in_status, sizeof(in_status),
	    &lr), TALLY_ERR_TRAILING);
	ck_assert_ptr_null(lr);
}
END_TEST

static const char good[] =
    "listen 127.0.0.1:0\ndata_dir /d\nca_cert /c\ntls_cert /t\n"
    "tls_key /k\nledger_key /l\n";

START_TEST(test_config_defaults)
{
	struct config c;
	char err[256];

	ck_assert_int_eq(config_parse_text("t", good, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.listen_host, "127.0.0.1");
	ck_assert_str_eq(c.listen_port, "0");
	ck_assert_uint_eq(c.max_frame, 65536);
	ck_assert_uint_eq(c.max_large_frame, 16u << 20);
	ck_assert_uint_eq(c.max_connections, 1024);
	ck_assert_uint_eq(c.workers, 0);
	ck_assert_uint_eq(c.handshake_timeout, 10);
	ck_assert_str_eq(c.empty_dir, "/var/empty");
	ck_assert_ptr_null(c.user);
	config_clear(&c);
}
END_TEST

START_TEST(test_config_errors_name_the_line)
{
	static const struct { const char *extra, *msg; } cases[] = {
		{ "bogus 1\n", "t:7: unknown keyword 'bogus'" },
		{ "\n\nworkers -1\n", "t:9: workers: '-1' is not a number" },
		{ "listen 127.0.0.1:1\n", "t:7: listen: given twice" },
		{ "user a b\n", "t:7: user: expected one value" },
		{ "max_frame 99999999\n", "t:7: max_frame: '99999999' is not" },
	};
	struct config c;
	char text[512], err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", good, cases[i].extra);
		ck_assert_int_eq(config_parse_text("t", text, &c, err,
		    sizeof(err)), TALLY_ERR_CONFIG);
		ck_assert_msg(strncmp(err, cases[i].msg,
		    strlen(cases[i].msg)) == 0, "%s", err);
	}
}
END_TEST

/* A create_vote request with n registry entries of klen bytes each. */
static uint8_t *
make_create(size_t n, size_t klen, size_t *len)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__CreateVoteRequest cv = TALLY__CREATE_VOTE_REQUEST__INIT;
	ProtobufCBinaryData *reg;
	static uint8_t key[32];
	uint8_t *buf;
	size_t i;

	ck_assert_ptr_nonnull(reg = calloc(n, sizeof(*reg)));
	for (i = 0; i < n; i++) {
		reg[i].data = key;
		reg[i].len = klen;
	}
	req.version = 1;
	req.id = 9;
	req.body_case = TALLY__REQUEST__BODY_CREATE_VOTE;
	req.create_vote = &cv;
	cv.n_registry = n;
	cv.registry = reg;
	*len = tally__request__get_packed_size(&req);
	ck_assert_ptr_nonnull(buf = malloc(*len));
	tally__request__pack(&req, buf);
	free(reg);
	return buf;
}

static struct config *
frame_config(void)
{
	static struct config c;
	char err[256];

	config_clear(&c);
	ck_assert_int_eq(config_parse_text("t", good, &c, err, sizeof(err)), 0);
	return &c;
}

/* Issue 12 finding 4: a request the role may not send is refused from the
 * wire, before anything is decoded. */
START_TEST(test_frame_role_before_decoding)
{
	uint64_t id;
	struct config *c = frame_config();
	char msg[128];
	uint8_t *buf;
	size_t len;

	buf = make_create(100, 32, &len);
	ck_assert_int_eq(fe_check_frame(c, ROLE_AUDITOR, buf, len, &id, msg,
	    sizeof(msg)), TALLY_ERR_ROLE);
	ck_assert_int_eq(fe_check_frame(c, ROLE_TERMINAL, buf, len, &id, msg,
	    sizeof(msg)), TALLY_ERR_ROLE);
	ck_assert_int_eq(fe_check_frame(c, ROLE_OFFICIAL, buf, len, &id, msg,
	    sizeof(msg)), 0);
	free(buf);
	/* Auditors only ask: their frames stay at max_frame. */
	ck_assert_uint_eq(fe_role_frame_limit(c, ROLE_AUDITOR), c->max_frame);
	ck_assert_uint_eq(fe_role_frame_limit(c, ROLE_OFFICIAL),
	    c->max_large_frame);
}
END_TEST

/* Only create_vote and submit_share may use the large frame limit. */
START_TEST(test_frame_small_kinds_keep_max_frame)
{
	uint64_t id;
	struct config *c = frame_config();
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__StatusRequest st = TALLY__STATUS_REQUEST__INIT;
	char msg[128], *pad;
	uint8_t *buf;
	size_t len;

	ck_assert_ptr_nonnull(pad = calloc(1, c->max_frame + 1));
	memset(pad, 'a', c->max_frame);
	req.version = 1;
	req.body_case = TALLY__REQUEST__BODY_STATUS;
	req.status = &st;
	st.vote_id = pad;
	len = tally__request__get_packed_size(&req);
	ck_assert_ptr_nonnull(buf = malloc(len));
	tally__request__pack(&req, buf);
	ck_assert_int_eq(fe_check_frame(c, ROLE_OFFICIAL, buf, len, &id, msg,
	    sizeof(msg)), TALLY_ERR_TOO_LARGE);
	free(buf);
	free(pad);
}
END_TEST

/* Issue 12 finding 4: thousands of empty entries decode fine but are
 * refused by count, before the decoder allocates one message each. */
START_TEST(test_frame_entry_cap)
{
	uint64_t id;
	struct config *c = frame_config();
	ProtobufCMessage *m;
	char msg[128];
	uint8_t *buf;
	size_t len;

	buf = make_create(30000, 0, &len);
	/* Canonical, and the decoder would allocate every entry. */
	ck_assert_int_eq(pb_unpack_strict(&tally__request__descriptor, buf,
	    len, len, &m), 0);
	protobuf_c_message_free_unpacked(m, NULL);
	ck_assert_int_eq(fe_check_frame(c, ROLE_OFFICIAL, buf, len, &id, msg,
	    sizeof(msg)), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(pb_scan(&tally__request__descriptor, buf, len,
	    30000), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(pb_scan(&tally__request__descriptor, buf, len,
	    30000 + 3), 0);
	free(buf);
	/* Real keys: 34 wire bytes each, well inside the cap. */
	buf = make_create(30000, 32, &len);
	ck_assert_int_eq(fe_check_frame(c, ROLE_OFFICIAL, buf, len, &id, msg,
	    sizeof(msg)), 0);
	free(buf);
}
END_TEST

/* The wire walkers refuse truncated and malformed input. */
START_TEST(test_frame_truncated)
{
	uint64_t id;
	uint8_t *buf;
	uint32_t body;
	size_t len;

	buf = make_create(3, 32, &len);
	ck_assert_int_eq(pb_peek_oneof(&tally__request__descriptor, buf, len,
	    &body, 2, &id), 0);
	ck_assert_uint_eq(id, 9);
	ck_assert_uint_eq(body, TALLY__REQUEST__BODY_CREATE_VOTE);
	/* Cut inside the last key, and inside the body's length. */
	ck_assert_int_eq(pb_scan(&tally__request__descriptor, buf, len - 1,
	    1000), TALLY_ERR_DECODE);
	ck_assert_int_eq(pb_peek_oneof(&tally__request__descriptor, buf,
	    len - 1, &body, 2, &id), TALLY_ERR_DECODE);
	ck_assert_int_eq(pb_scan(&tally__request__descriptor, buf, 5, 1000),
	    TALLY_ERR_DECODE);
	buf[0] = 0x0b;	/* field 1, wire type 3: a group */
	ck_assert_int_eq(pb_peek_oneof(&tally__request__descriptor, buf, len,
	    &body, 2, &id), TALLY_ERR_DECODE);
	free(buf);
}
END_TEST

/* ------------------------------------------- proofs off the ledger's thread */

static int
jt_replay(void *arg, const Tally__LogRecord *rec, const struct log_result *r)
{
	(void)r;
	return election_apply(arg, rec);
}

/* A vote of session.json (5 trustees, any 3), closed and aggregated with
 * 8 ballots and their write-in list, no shuffle, no share: recovered from
 * recordgen's record as the ledger recovers a log. */
struct jt {
	char *dir;
	struct recordgen *g;
	struct vote *v;
	struct log *log;
};

static void
jt_setup(struct jt *t)
{
	struct log_opts lo;
	struct rg_opts o;
	char path[512], err[256];

	memset(t, 0, sizeof(*t));
	t->dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/v.log", t->dir);
	rg_opts_default(&o);
	o.nballots = 8;
	o.nmixers = 0;
	o.nsharers = 0;
	o.stop_before_result = 1;
	ck_assert_int_eq(rg_build(&t->g, &o, path), 0);
	memset(&lo, 0, sizeof(lo));
	ck_assert_ptr_nonnull(t->v = vote_new("s6-session"));
	/* the write-in list is read back from it at the Aggregate */
	ck_assert_int_eq(vote_set_log_path(t->v, path), 0);
	lo.replay = jt_replay;
	lo.replay_arg = t->v;
	ck_assert_int_eq(log_open(path, &lo, &t->log, err, sizeof(err)), 0);
	t->v->log = t->log;
	ck_assert(t->v->state == VOTE_CLOSED && t->v->aggregated);
	ck_assert_uint_eq(t->v->mx.steps, 0);
	ck_assert_uint_gt(t->v->mx.cur.n, 0);
}

static void
jt_teardown(struct jt *t)
{
	log_close(t->log);
	vote_free(t->v);
	rg_free(t->g);
	tu_rmtree(t->dir);
	free(t->dir);
}

/* The next shuffle of v's list by mixer, into sh. */
static void
jt_shuffle(struct jt *t, Tally__Shuffle *sh, uint32_t mixer)
{
	struct mix_list out;

	ck_assert_int_eq(mixnet_make(sh, &out, &t->v->mx, mixer,
	    t->g->s[mixer]), 0);
	mix_list_clear(&out);
}

static void
jt_rec_shuffle(Tally__LogRecord *rec, Tally__Shuffle *sh)
{
	tally__log_record__init(rec);
	rec->body_case = TALLY__LOG_RECORD__BODY_SHUFFLE;
	rec->shuffle = sh;
}

/* Trustee's share of v as it stands. */
static Tally__DecryptionShare *
jt_share(struct jt *t, uint32_t trustee)
{
	struct count_input in;
	Tally__Aggregate *agg = NULL;
	Tally__DecryptionShare *sh = NULL;

	ck_assert_int_eq(election_count_input(t->v, &in, &agg), 0);
	ck_assert_int_eq(count_share_make(&sh, &in, trustee,
	    t->g->s[trustee]), 0);
	election_aggregate_free(agg);
	return sh;
}

static void
jt_rec_share(Tally__LogRecord *rec, Tally__DecryptionShare *sh)
{
	tally__log_record__init(rec);
	rec->body_case = TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE;
	rec->decryption_share = sh;
}

/* begin, run, end: the code of end (or of begin when it refuses). */
static int
jt_job(struct vote *v, const Tally__LogRecord *rec, char *msg, size_t len)
{
	struct election_job j;
	int ret;

	if ((ret = election_job_begin(&j, v, rec, msg, len)) != 0)
		return ret;
	election_job_run(&j);
	ret = election_job_end(&j, msg, len);
	election_job_clear(&j);
	return ret;
}

/* A second shuffle while one is verified is asked to come again; a share
 * before the k-th shuffle is E_MIX_STATE as ever; once the first is
 * recorded the second is stale. */
START_TEST(test_job_second_shuffle_while_verifying)
{
	Tally__Shuffle a = TALLY__SHUFFLE__INIT, b = TALLY__SHUFFLE__INIT;
	Tally__LogRecord ra, rb, rs;
	Tally__DecryptionShare *share;
	struct election_job j;
	struct jt t;
	uint64_t records;
	char msg[256];

	jt_setup(&t);
	records = t.v->records;
	jt_shuffle(&t, &a, 1);
	jt_shuffle(&t, &b, 2);
	jt_rec_shuffle(&ra, &a);
	jt_rec_shuffle(&rb, &b);
	share = jt_share(&t, 3);
	jt_rec_share(&rs, share);
	ck_assert_int_eq(election_job_begin(&j, t.v, &ra, msg, sizeof(msg)), 0);
	ck_assert_int_eq(jt_job(t.v, &rb, msg, sizeof(msg)), TALLY_ERR_BUSY);
	ck_assert_msg(strstr(msg, "step 0 by scrutineer 1 is being verified")
	    != NULL, "%s", msg);
	ck_assert_int_eq(jt_job(t.v, &rs, msg, sizeof(msg)),
	    TALLY_ERR_MIX_STATE);
	ck_assert_msg(strstr(msg, "0 of 3 shuffles") != NULL, "%s", msg);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), TALLY_ERR_BUSY);
	/* scrutineer 1 again, as a retry would: busy, not a duplicate */
	ck_assert_int_eq(jt_job(t.v, &ra, msg, sizeof(msg)), TALLY_ERR_BUSY);
	election_job_run(&j);
	ck_assert_int_eq(election_job_end(&j, msg, sizeof(msg)), 0);
	election_job_clear(&j);
	ck_assert_uint_eq(t.v->mx.steps, 1);
	ck_assert_uint_eq(t.v->records, records + 1);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);
	ck_assert_int_eq(jt_job(t.v, &rb, msg, sizeof(msg)),
	    TALLY_ERR_MIX_STALE);
	ck_assert_int_eq(jt_job(t.v, &ra, msg, sizeof(msg)),
	    TALLY_ERR_MIX_STALE);
	ck_assert_uint_eq(t.v->records, records + 1);
	count_share_free(share);
	mixnet_shuffle_clear(&a);
	mixnet_shuffle_clear(&b);
	jt_teardown(&t);
}
END_TEST

/* While the k-th shuffle is verified a share is still refused
 * (E_MIX_STATE); after it, shares of two trustees are verified at once,
 * a second share of one of them, a shuffle and the tally wait (E_BUSY). */
START_TEST(test_job_shares_after_kth_shuffle)
{
	Tally__Shuffle sh[4];
	Tally__LogRecord rec[4], r1, r2, r4;
	Tally__DecryptionShare *s1, *s2;
	struct election_job j, j1, j2;
	struct jt t;
	char msg[256];
	uint32_t i;

	jt_setup(&t);
	for (i = 0; i < 3; i++) {
		jt_shuffle(&t, &sh[i], i + 1);
		jt_rec_shuffle(&rec[i], &sh[i]);
		if (i < 2)
			ck_assert_int_eq(jt_job(t.v, &rec[i], msg,
			    sizeof(msg)), 0);
	}
	s1 = jt_share(&t, 1);	/* over the list of step 2: not final */
	jt_rec_share(&r1, s1);
	ck_assert_int_eq(election_job_begin(&j, t.v, &rec[2], msg,
	    sizeof(msg)), 0);
	ck_assert_int_eq(jt_job(t.v, &r1, msg, sizeof(msg)),
	    TALLY_ERR_MIX_STATE);
	ck_assert_msg(strstr(msg, "2 of 3 shuffles") != NULL, "%s", msg);
	election_job_run(&j);
	ck_assert_int_eq(election_job_end(&j, msg, sizeof(msg)), 0);
	election_job_clear(&j);
	ck_assert_uint_eq(t.v->mx.steps, 3);
	count_share_free(s1);

	s1 = jt_share(&t, 1);
	s2 = jt_share(&t, 2);
	jt_rec_share(&r1, s1);
	jt_rec_share(&r2, s2);
	jt_shuffle(&t, &sh[3], 4);
	jt_rec_shuffle(&r4, &sh[3]);
	ck_assert_int_eq(election_job_begin(&j1, t.v, &r1, msg, sizeof(msg)),
	    0);
	ck_assert_int_eq(election_job_begin(&j2, t.v, &r2, msg, sizeof(msg)),
	    0);
	ck_assert_int_eq(jt_job(t.v, &r1, msg, sizeof(msg)), TALLY_ERR_BUSY);
	ck_assert_msg(strstr(msg, "trustee 1 is being verified") != NULL, "%s",
	    msg);
	ck_assert_int_eq(jt_job(t.v, &r4, msg, sizeof(msg)), TALLY_ERR_BUSY);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), TALLY_ERR_BUSY);
	ck_assert_msg(strstr(msg, "2 decryption shares are being verified") !=
	    NULL, "%s", msg);
	election_job_run(&j2);
	election_job_run(&j1);
	ck_assert_int_eq(election_job_end(&j2, msg, sizeof(msg)), 0);
	ck_assert_int_eq(election_job_end(&j1, msg, sizeof(msg)), 0);
	election_job_clear(&j1);
	election_job_clear(&j2);
	ck_assert_uint_eq(t.v->shares, 2);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);
	ck_assert_int_eq(jt_job(t.v, &r1, msg, sizeof(msg)),
	    TALLY_ERR_SHARE_DUP);
	ck_assert_int_eq(jt_job(t.v, &r4, msg, sizeof(msg)),
	    TALLY_ERR_MIX_STATE);
	count_share_free(s1);
	count_share_free(s2);
	for (i = 0; i < 4; i++)
		mixnet_shuffle_clear(&sh[i]);
	jt_teardown(&t);
}
END_TEST

/* A shuffle or a share whose proof fails changes nothing, says what
 * election_check says, and leaves the vote free for the next one. */
START_TEST(test_job_failed_proof_changes_nothing)
{
	Tally__Shuffle a = TALLY__SHUFFLE__INIT, b = TALLY__SHUFFLE__INIT;
	Tally__LogRecord ra, rs;
	Tally__DecryptionShare *share;
	struct jt t;
	uint64_t records;
	char msg[256], want[256];
	uint32_t i;

	jt_setup(&t);
	records = t.v->records;
	jt_shuffle(&t, &a, 1);
	jt_rec_shuffle(&ra, &a);
	/* another mixer's list under scrutineer 1's proof */
	jt_shuffle(&t, &b, 2);
	memcpy(a.list.data, b.list.data, a.list.len);
	ck_assert_int_eq(election_check(t.v, &ra, want, sizeof(want)),
	    TALLY_ERR_BAD_SHUFFLE);
	ck_assert_int_eq(jt_job(t.v, &ra, msg, sizeof(msg)),
	    TALLY_ERR_BAD_SHUFFLE);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(t.v->mx.steps, 0);
	ck_assert_uint_eq(t.v->records, records);
	ck_assert_int_eq(t.v->mixing, 0);
	mixnet_shuffle_clear(&a);
	mixnet_shuffle_clear(&b);
	for (i = 1; i <= 3; i++) {
		jt_shuffle(&t, &a, i);
		jt_rec_shuffle(&ra, &a);
		ck_assert_int_eq(jt_job(t.v, &ra, msg, sizeof(msg)), 0);
		mixnet_shuffle_clear(&a);
	}
	records = t.v->records;
	share = jt_share(&t, 2);
	jt_rec_share(&rs, share);
	share->writeins[0].data[5] ^= 1;
	ck_assert_int_ne(election_check(t.v, &rs, want, sizeof(want)), 0);
	ck_assert_int_ne(jt_job(t.v, &rs, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, want);
	ck_assert_uint_eq(t.v->shares, 0);
	ck_assert_uint_eq(t.v->records, records);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);
	share->writeins[0].data[5] ^= 1;
	ck_assert_int_eq(jt_job(t.v, &rs, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(t.v->shares, 1);
	count_share_free(share);
	jt_teardown(&t);
}
END_TEST

/* The Result record of r, packed (caller frees). */
static uint8_t *
jt_result_bytes(const struct count_result *r, size_t *len)
{
	Tally__Result res = TALLY__RESULT__INIT;
	uint8_t *buf;

	count_result_to_proto(r, &res);
	*len = tally__result__get_packed_size(&res);
	ck_assert_ptr_nonnull(buf = malloc(*len));
	tally__result__pack(&res, buf);
	return buf;
}

/* count_tally over v as the ledger's synchronous path called it: its code,
 * its message in err and, on success, the packed Result. */
static int
jt_count(struct vote *v, uint8_t **out, size_t *outlen, char *err,
    size_t errlen)
{
	struct count_input in;
	struct count_result *cr = NULL;
	Tally__Aggregate *agg = NULL;
	uint32_t culprit = 0;
	int ret;

	*out = NULL;
	ck_assert_int_eq(election_count_input(v, &in, &agg), 0);
	in.shares_verified = 1;
	ret = count_tally(&cr, &in, (const Tally__DecryptionShare *const *)
	    v->sharev, v->shares, &culprit, err, errlen);
	if (ret == 0)
		*out = jt_result_bytes(cr, outlen);
	count_result_free(cr);
	election_aggregate_free(agg);
	return ret;
}

static void
jt_rec_tally(Tally__LogRecord *rec)
{
	tally__log_record__init(rec);
	rec->body_case = TALLY__LOG_RECORD__BODY_RESULT;
}

/* The tally counted off the ledger's thread: meanwhile a shuffle, a share
 * and a second tally wait (E_BUSY; a shuffle once shares are recorded is
 * E_MIX_STATE and a recorded trustee's share E_SHARE_DUP, as ever); a
 * count that fails (too few shares, a recorded share the count refuses)
 * answers what count_tally says and changes nothing; the Result counted
 * is byte for byte the one count_tally gives over the same vote. */
START_TEST(test_job_tally_while_counting)
{
	Tally__Shuffle sh[4];
	Tally__LogRecord rsh[4], rs[4], rt;
	Tally__DecryptionShare *share[4];
	struct election_job j;
	struct jt t;
	uint8_t *want, *got;
	size_t wantlen, gotlen;
	uint64_t records;
	char msg[256], err[256];
	uint32_t i;

	jt_setup(&t);
	jt_rec_tally(&rt);
	for (i = 0; i < 4; i++) {
		jt_shuffle(&t, &sh[i], i + 1);
		jt_rec_shuffle(&rsh[i], &sh[i]);
		if (i < 2)
			ck_assert_int_eq(jt_job(t.v, &rsh[i], msg,
			    sizeof(msg)), 0);
	}
	/* Two shuffles, no share: the shuffle waits for the count, which
	 * needs shares and changes nothing. */
	records = t.v->records;
	ck_assert_int_eq(jt_count(t.v, &want, &wantlen, err, sizeof(err)),
	    TALLY_ERR_NEED_SHARES);
	ck_assert_int_eq(election_job_begin(&j, t.v, &rt, msg, sizeof(msg)), 0);
	ck_assert_int_eq(jt_job(t.v, &rsh[2], msg, sizeof(msg)),
	    TALLY_ERR_BUSY);
	ck_assert_msg(strstr(msg, "tally is being computed") != NULL, "%s",
	    msg);
	ck_assert_int_eq(jt_job(t.v, &rt, msg, sizeof(msg)), TALLY_ERR_BUSY);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), TALLY_ERR_BUSY);
	election_job_run(&j);
	ck_assert_int_eq(election_job_end(&j, msg, sizeof(msg)),
	    TALLY_ERR_NEED_SHARES);
	ck_assert_str_eq(msg, err);
	election_job_clear(&j);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(t.v->records, records);
	ck_assert_uint_eq(t.v->mx.steps, 2);
	ck_assert_int_eq(jt_job(t.v, &rsh[2], msg, sizeof(msg)), 0);

	/* Shares of trustees 1-3 recorded; trustee 4's waits. */
	for (i = 0; i < 4; i++) {
		share[i] = jt_share(&t, i + 1);
		jt_rec_share(&rs[i], share[i]);
		if (i < 3)
			ck_assert_int_eq(jt_job(t.v, &rs[i], msg,
			    sizeof(msg)), 0);
	}
	records = t.v->records;
	ck_assert_int_eq(jt_count(t.v, &want, &wantlen, err, sizeof(err)), 0);
	/* Begun and cleared without an end (shutdown): unmarked. */
	ck_assert_int_eq(election_job_begin(&j, t.v, &rt, msg, sizeof(msg)), 0);
	election_job_clear(&j);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);

	ck_assert_int_eq(election_job_begin(&j, t.v, &rt, msg, sizeof(msg)), 0);
	ck_assert_int_eq(jt_job(t.v, &rs[3], msg, sizeof(msg)),
	    TALLY_ERR_BUSY);
	ck_assert_msg(strstr(msg, "tally is being computed") != NULL, "%s",
	    msg);
	ck_assert_int_eq(jt_job(t.v, &rs[0], msg, sizeof(msg)),
	    TALLY_ERR_SHARE_DUP);
	ck_assert_int_eq(jt_job(t.v, &rsh[3], msg, sizeof(msg)),
	    TALLY_ERR_MIX_STATE);
	ck_assert_int_eq(jt_job(t.v, &rt, msg, sizeof(msg)), TALLY_ERR_BUSY);
	ck_assert_uint_eq(t.v->shares, 3);
	ck_assert_uint_eq(t.v->records, records);
	election_job_run(&j);
	ck_assert_int_eq(election_job_end(&j, msg, sizeof(msg)), 0);
	ck_assert_ptr_nonnull(j.cr);
	got = jt_result_bytes(j.cr, &gotlen);
	ck_assert_uint_eq(gotlen, wantlen);
	ck_assert_mem_eq(got, want, wantlen);
	election_job_clear(&j);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);
	ck_assert(t.v->state == VOTE_CLOSED);
	ck_assert_ptr_null(t.v->result);
	free(got);
	free(want);

	/* A recorded share the count refuses (one of its sums moved):
	 * count_tally's code and message, nothing changed, and the vote is
	 * free for the next tally. */
	t.v->sharev[1]->sums[0].data[7] ^= 1;
	ck_assert_int_ne(jt_count(t.v, &want, &wantlen, err, sizeof(err)), 0);
	ck_assert_int_ne(jt_job(t.v, &rt, msg, sizeof(msg)), 0);
	ck_assert_str_eq(msg, err);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);
	ck_assert(t.v->state == VOTE_CLOSED);
	ck_assert_ptr_null(t.v->result);
	ck_assert_uint_eq(t.v->records, records);
	ck_assert_uint_eq(t.v->shares, 3);
	t.v->sharev[1]->sums[0].data[7] ^= 1;
	ck_assert_int_eq(jt_job(t.v, &rt, msg, sizeof(msg)), 0);

	for (i = 0; i < 4; i++) {
		count_share_free(share[i]);
		mixnet_shuffle_clear(&sh[i]);
	}
	jt_teardown(&t);
}
END_TEST

/* Shutdown: a job begun and cleared without end unmarks its vote. */
START_TEST(test_job_clear_unmarks)
{
	Tally__Shuffle a = TALLY__SHUFFLE__INIT;
	Tally__LogRecord ra;
	struct election_job j;
	struct jt t;
	char msg[256];

	jt_setup(&t);
	jt_shuffle(&t, &a, 1);
	jt_rec_shuffle(&ra, &a);
	ck_assert_int_eq(election_job_begin(&j, t.v, &ra, msg, sizeof(msg)), 0);
	election_job_run(&j);
	election_job_clear(&j);
	ck_assert_int_eq(election_busy(t.v, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(t.v->mx.steps, 0);
	mixnet_shuffle_clear(&a);
	jt_teardown(&t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("units");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_ipc_roundtrip);
	tcase_add_test(tc, test_ipc_truncated);
	tcase_add_test(tc, test_ipc_oversized_and_unknown_type);
	tcase_add_test(tc, test_ipc_trailing_and_unknown_fields);
	tcase_add_test(tc, test_ipc_nested_unknown_fields);
	tcase_add_test(tc, test_config_defaults);
	tcase_add_test(tc, test_config_errors_name_the_line);
	tcase_add_test(tc, test_frame_role_before_decoding);
	tcase_add_test(tc, test_frame_small_kinds_keep_max_frame);
	tcase_add_test(tc, test_frame_entry_cap);
	tcase_add_test(tc, test_frame_truncated);
	suite_add_tcase(s, tc);
	/* a record made and shuffled in process: slow under sanitizers */
	tc = tcase_create("jobs");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_job_second_shuffle_while_verifying);
	tcase_add_test(tc, test_job_shares_after_kth_shuffle);
	tcase_add_test(tc, test_job_failed_proof_changes_nothing);
	tcase_add_test(tc, test_job_clear_unmarks);
	tcase_add_test(tc, test_job_tally_while_counting);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
