/*
 * mkcorpus.c: writes the seeds of every fuzz target into DIR/<target>/:
 *
 *   fuzz_mkcorpus tests/fuzz/corpus
 *
 * Each seed is a small valid input made through the library itself (and
 * the fixtures of fuzz.h, so ballot and receipt seeds verify against the
 * targets' fixed context). Ballots and ceremony messages use fresh
 * randomness: rerunning changes their bytes, not their validity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "announce.h"
#include "ballot.h"
#include "ceremony.h"
#include "checkpoint.h"
#include "credential.h"
#include "fuzz.h"
#include "group.h"
#include "log.h"
#include "mixnet.h"
#include "rules.h"
#include "util.h"

static const char *outdir;

static void
put(const char *target, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		fuzz_die("mkdir");
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(p, 1, len, f) != len || fclose(f) != 0)
		fuzz_die("cannot write a seed");
}

static void
put_str(const char *target, const char *name, const char *s)
{
	put(target, name, s, strlen(s));
}

static const char *choices[] = {
	"{ \"head\": { \"for\": [\"c1\"] },"
	" \"projects\": { \"approve\": [\"p01\", \"p03\", \"p15\"] },"
	" \"budget\": { \"against\": [\"budget\"] } }",
	"{ \"head\": { \"writein\": [\"王五\"] }, \"budget\": { \"for\": "
	"[\"budget\"] } }",
	"{}",
	"{ \"head\": { \"against\": [\"c1\"] }, \"projects\": { \"approve\": "
	"[\"p01\", \"p02\", \"p03\", \"p04\", \"p05\", \"p06\", \"p07\", "
	"\"p08\", \"p09\", \"p10\"] } }",
};

/* Ballots of choices[i] by credential i, encrypted to the fixed key. */
static void
seeds_ballot_choices(uint8_t **ballot0, size_t *ballot0_len)
{
	const struct ballot_ctx *ctx = fuzz_ballot_ctx();
	const struct manifest *m = ctx->m;
	uint8_t *marks, *b;
	char **names, name[32], err[256];
	size_t i, len;

	for (i = 0; i < sizeof(choices) / sizeof(choices[0]); i++) {
		snprintf(name, sizeof(name), "choices-%zu.json", i);
		put_str("choices", name, choices[i]);
		if ((marks = calloc(m->nsel, 1)) == NULL ||
		    manifest_choices(m, (const uint8_t *)choices[i],
		    strlen(choices[i]), marks, &names, err, sizeof(err)) != 0)
			fuzz_die(err);
		if (ballot_encrypt(&b, &len, ctx, fuzz_ballot_sk(i), marks,
		    names) != 0 || ballot_verify_bytes(b, len, ctx,
		    BALLOT_CHECK_ALL, NULL, NULL) != 0)
			fuzz_die("ballot_encrypt");
		snprintf(name, sizeof(name), "ballot-%zu.pb", i);
		put("ballot", name, b, len);
		manifest_writein_names_free(m, names);
		free(marks);
		if (i == 0) {
			*ballot0 = b;
			*ballot0_len = len;
		} else
			free(b);
	}
}

static void
seeds_manifest(void)
{
	static const char *files[] = { "session.json", "budget-motion.json",
	    "district-head.json", "projects.json",
	    "standing-committee.json" };
	char path[4096];
	uint8_t *p;
	size_t i, len;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/tests/data/manifests/%s",
		    TALLY_SOURCE_DIR, files[i]);
		if (util_read_file(path, MANIFEST_JSON_MAX, &p, &len) != 0)
			fuzz_die(path);
		put("manifest", files[i], p, len);
		free(p);
	}
}

/* Frames of n chained records (test payloads, then a checkpoint) into
 * buf; returns the length. */
static size_t
make_frames(uint8_t *buf, size_t cap, size_t n)
{
	Tally__LogRecord r = TALLY__LOG_RECORD__INIT;
	Tally__Checkpoint c = TALLY__CHECKPOINT__INIT;
	uint8_t head[HASH_LEN] = { 0 }, root[HASH_LEN] = { 7 };
	size_t i, off = 0, len;
	char text[32];

	for (i = 0; i < n; i++) {
		r.version = LOG_RECORD_VERSION;
		r.index = i;
		r.prev_hash.data = head;
		r.prev_hash.len = HASH_LEN;
		if (i + 1 == n && n > 1) {
			c.size = i;
			c.root.data = root;
			c.root.len = HASH_LEN;
			c.chain_head.data = head;
			c.chain_head.len = HASH_LEN;
			r.body_case = TALLY__LOG_RECORD__BODY_CHECKPOINT;
			r.checkpoint = &c;
		} else {
			snprintf(text, sizeof(text), "record %zu", i);
			r.body_case = TALLY__LOG_RECORD__BODY_TEST;
			r.test.data = (uint8_t *)text;
			r.test.len = strlen(text);
		}
		len = tally__log_record__get_packed_size(&r);
		if (off + LOG_FRAME_HEAD + len > cap)
			fuzz_die("frames too long");
		tally__log_record__pack(&r, buf + off + LOG_FRAME_HEAD);
		if (log_frame_head(buf + off, buf + off + LOG_FRAME_HEAD,
		    len) != 0 || log_record_hash(head,
		    buf + off + LOG_FRAME_HEAD, len) != 0)
			fuzz_die("log_frame_head");
		off += LOG_FRAME_HEAD + len;
	}
	return off;
}

static void
seeds_log(void)
{
	uint8_t buf[4096];
	size_t len;

	len = make_frames(buf, sizeof(buf), 1);
	put("logframe", "one.bin", buf, len);
	put("logfile", "one.bin", buf, len);
	len = make_frames(buf, sizeof(buf), 4);
	put("logframe", "four.bin", buf, len);
	put("logfile", "four.bin", buf, len);
	put("logfile", "torn.bin", buf, len - 5);
	put("logfile", "empty.bin", buf, 0);
}

static void
seeds_registry_card(void)
{
	const struct ballot_ctx *ctx = fuzz_ballot_ctx();
	struct registry *r;
	uint8_t seed[CRED_SEED_LEN];
	char *text, code[CRED_CODE_LEN + 1], name[32];
	size_t len, n;

	for (n = 0; n <= FUZZ_NCRED; n += 2) {
		if (registry_new(&r, FUZZ_VOTE_ID,
		    (const uint8_t (*)[CRED_KEY_LEN])ctx->registry, n) != 0 ||
		    registry_encode(r, &text, &len) != 0)
			fuzz_die("registry");
		snprintf(name, sizeof(name), "registry-%zu.txt", n);
		put("registry", name, text, len);
		free(text);
		registry_free(r);
	}
	for (n = 0; n < 3; n++) {
		memset(seed, 0, sizeof(seed));
		seed[0] = (uint8_t)(n + 1);
		seed[31] = (uint8_t)(0xa5 * n);
		if (credential_code(code, seed) != 0)
			fuzz_die("credential_code");
		snprintf(name, sizeof(name), "card-%zu.txt", n);
		put_str("card", name, code);
	}
}

/* A k-of-n ceremony's public parts and its signed transcript. */
static void
seeds_ceremony(uint32_t n, uint32_t k, uint8_t **tr, size_t *trlen)
{
	struct ceremony_trustee *t[CEREMONY_MAX_TRUSTEES];
	Tally__TrusteePublic *pubs[CEREMONY_MAX_TRUSTEES];
	uint8_t *p, *utr, *sig[CEREMONY_MAX_TRUSTEES];
	size_t len, utrl, sigl[CEREMONY_MAX_TRUSTEES];
	uint32_t i, culprit;
	char name[48];

	for (i = 1; i <= n; i++) {
		if (ceremony_trustee_new(&t[i - 1], i, n, k) != 0 ||
		    ceremony_public_make(t[i - 1], i == 1 ? "张三" : NULL, &p,
		    &len) != 0 ||
		    ceremony_public_open(&pubs[i - 1], p, len, n, k, i) != 0)
			fuzz_die("ceremony_public_make");
		if (n == FUZZ_TRUSTEES && k == FUZZ_QUORUM) {
			snprintf(name, sizeof(name), "trustee-%u.pb", i);
			put("trustee_public", name, p, len);
		}
		free(p);
	}
	if (ceremony_transcript_make((const Tally__TrusteePublic **)pubs, n, k,
	    &utr, &utrl) != 0)
		fuzz_die("ceremony_transcript_make");
	for (i = 0; i < n; i++)
		if (ceremony_transcript_sign(t[i], utr, utrl, &sig[i],
		    &sigl[i]) != 0)
			fuzz_die("ceremony_transcript_sign");
	if (ceremony_transcript_seal(utr, utrl, (const uint8_t **)sig, sigl,
	    n, tr, trlen, &culprit) != 0)
		fuzz_die("ceremony_transcript_seal");
	snprintf(name, sizeof(name), "transcript-%u-of-%u.pb", k, n);
	put("transcript", name, *tr, *trlen);
	for (i = 0; i < n; i++) {
		tally__trustee_public__free_unpacked(pubs[i], NULL);
		ceremony_trustee_free(t[i]);
		free(sig[i]);
	}
	free(utr);
}

static void
seeds_results(void)
{
	const struct manifest *m = fuzz_session_manifest();
	struct rules_writein_in w = { 0, "王五", 0 };
	struct rules_input in = { 239, 239, 230, NULL, NULL, 0 };
	struct rules_outcome *o;
	uint64_t *totals;
	char *json, err[256];
	size_t i, len, round;

	if ((totals = calloc(m->nsel, sizeof(*totals))) == NULL)
		fuzz_die("calloc");
	for (round = 0; round < 2; round++) {
		for (i = 0; i < m->nsel; i++)
			totals[i] = (i * 37 + round * 101) % 110;
		/* the names of the one write-in slot carry its votes */
		w.votes = totals[manifest_selection_index(m, 0, 0,
		    MANIFEST_MARK_WRITEIN)];
		in.totals = totals;
		in.writeins = round ? &w : NULL;
		in.nwriteins = round;
		if (rules_count(&o, m, &in, err, sizeof(err)) != 0 ||
		    rules_outcome_to_json(m, o, &json, &len) != 0)
			fuzz_die(err);
		put("results", round ? "writein.json" : "plain.json", json,
		    len);
		free(json);
		rules_outcome_free(o);
	}
	free(totals);
}

static void
put_packed(const char *target, const char *name, const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint8_t *p = malloc(len + 1);

	if (p == NULL)
		fuzz_die("malloc");
	protobuf_c_message_pack(m, p);
	put(target, name, p, len);
	free(p);
}

static void
seeds_receipt(void)
{
	Tally__Receipt r = TALLY__RECEIPT__INIT;
	Tally__Checkpoint c = TALLY__CHECKPOINT__INIT;
	struct checkpoint cp;
	uint8_t leaf[HASH_LEN] = { 1 }, path[2][HASH_LEN] = { { 2 }, { 3 } };
	ProtobufCBinaryData inc[2] = { { HASH_LEN, path[0] },
	    { HASH_LEN, path[1] } };

	memset(&cp, 0, sizeof(cp));
	cp.size = 3;
	memset(cp.root, 0x11, HASH_LEN);
	memset(cp.head, 0x22, HASH_LEN);
	if (checkpoint_sign(&cp, FUZZ_VOTE_ID, fuzz_ledger_sk()) != 0)
		fuzz_die("checkpoint_sign");
	checkpoint_to_proto(&cp, &c);
	r.version = 1;
	r.vote_id = FUZZ_VOTE_ID;
	r.index = 2;
	r.leaf_hash.data = leaf;
	r.leaf_hash.len = HASH_LEN;
	r.checkpoint = &c;
	r.n_inclusion = 2;
	r.inclusion = inc;
	put_packed("receipt", "receipt-2-of-3.pb", &r.base);
	r.index = 0;
	r.n_inclusion = 0;
	put_packed("receipt", "receipt-no-path.pb", &r.base);
}

/* Shuffles of fuzz_mixnet's list by its one trustee: step 0 valid (every
 * check passes) into sh, kept for the submit_shuffle request seed (free
 * it with mixnet_shuffle_clear), and the same without the authentication. */
static void
seeds_shuffle(Tally__Shuffle *sh)
{
	const struct mixnet *mx = fuzz_mixnet();
	Tally__SchnorrProof *auth;
	struct mix_list out;
	BIGNUM *s = group_scalar_new();

	if (s == NULL || group_scalar_set_u64(s, FUZZ_JOINT_SECRET) != 0 ||
	    mixnet_make(sh, &out, mx, 1, s) != 0)
		fuzz_die("mixnet_make");
	group_scalar_free(s);
	mix_list_clear(&out);
	if (mixnet_step_verify(&out, mx, sh, NULL) != 0)
		fuzz_die("the seed shuffle does not verify");
	mix_list_clear(&out);
	put_packed("shuffle", "step-0.pb", &sh->base);
	auth = sh->auth;
	sh->auth = NULL;
	put_packed("shuffle", "no-auth.pb", &sh->base);
	sh->auth = auth;
}

static void
seeds_request(const uint8_t *ballot, size_t blen, const uint8_t *tr,
    size_t trlen, Tally__Shuffle *shuffle)
{
	Tally__SubmitShuffleRequest ss = TALLY__SUBMIT_SHUFFLE_REQUEST__INIT;
	Tally__AddCosignatureRequest ac = TALLY__ADD_COSIGNATURE_REQUEST__INIT;
	Tally__Cosignature cs = TALLY__COSIGNATURE__INIT;
	uint8_t root[HASH_LEN], sig[64], wkey[32];
	Tally__Request q = TALLY__REQUEST__INIT;
	Tally__StatusRequest st = TALLY__STATUS_REQUEST__INIT;
	Tally__OpenVoteRequest ov = TALLY__OPEN_VOTE_REQUEST__INIT;
	Tally__CastRequest cast = TALLY__CAST_REQUEST__INIT;
	Tally__CreateVoteRequest cv = TALLY__CREATE_VOTE_REQUEST__INIT;
	Tally__GetRecordRequest gr = TALLY__GET_RECORD_REQUEST__INIT;
	const struct ballot_ctx *ctx = fuzz_ballot_ctx();
	ProtobufCBinaryData reg[FUZZ_NCRED];
	size_t i;

	q.version = 1;
	q.id = 1;
	q.body_case = TALLY__REQUEST__BODY_STATUS;
	q.status = &st;
	put_packed("request", "status-all.pb", &q.base);
	st.vote_id = FUZZ_VOTE_ID;
	put_packed("request", "status.pb", &q.base);

	q.id = 2;
	ov.vote_id = FUZZ_VOTE_ID;
	ov.present = 230;
	ov.issued = 229;
	q.body_case = TALLY__REQUEST__BODY_OPEN_VOTE;
	q.open_vote = &ov;
	put_packed("request", "open.pb", &q.base);

	q.id = 3;
	if ((cast.ballot = tally__ballot__unpack(NULL, blen, ballot)) == NULL)
		fuzz_die("tally__ballot__unpack");
	q.body_case = TALLY__REQUEST__BODY_CAST;
	q.cast = &cast;
	put_packed("request", "cast.pb", &q.base);
	tally__ballot__free_unpacked(cast.ballot, NULL);

	q.id = 4;
	cv.manifest.data = (uint8_t *)"{\"id\":\"x\"}";
	cv.manifest.len = 10;
	if ((cv.transcript = tally__ceremony_transcript__unpack(NULL, trlen,
	    tr)) == NULL)
		fuzz_die("tally__ceremony_transcript__unpack");
	for (i = 0; i < FUZZ_NCRED; i++) {
		reg[i].data = (uint8_t *)ctx->registry + 32 * i;
		reg[i].len = 32;
	}
	cv.n_registry = FUZZ_NCRED;
	cv.registry = reg;
	q.body_case = TALLY__REQUEST__BODY_CREATE_VOTE;
	q.create_vote = &cv;
	put_packed("request", "create.pb", &q.base);
	tally__ceremony_transcript__free_unpacked(cv.transcript, NULL);

	q.id = 5;
	gr.vote_id = FUZZ_VOTE_ID;
	gr.offset = 16;
	q.body_case = TALLY__REQUEST__BODY_GET_RECORD;
	q.get_record = &gr;
	put_packed("request", "get-record.pb", &q.base);

	q.id = 6;
	ss.vote_id = FUZZ_VOTE_ID;
	ss.shuffle = shuffle;
	q.body_case = TALLY__REQUEST__BODY_SUBMIT_SHUFFLE;
	q.submit_shuffle = &ss;
	put_packed("request", "submit-shuffle.pb", &q.base);

	q.id = 7;
	memset(root, 0x11, sizeof(root));
	memset(sig, 0x5a, sizeof(sig));
	memset(wkey, 0x77, sizeof(wkey));
	cs.witness_key = (ProtobufCBinaryData){sizeof(wkey), wkey};
	cs.size = 4;
	cs.root = (ProtobufCBinaryData){sizeof(root), root};
	cs.timestamp = 1795000000;
	cs.signature = (ProtobufCBinaryData){sizeof(sig), sig};
	ac.vote_id = FUZZ_VOTE_ID;
	ac.cosignature = &cs;
	q.body_case = TALLY__REQUEST__BODY_ADD_COSIGNATURE;
	q.add_cosignature = &ac;
	put_packed("request", "add-cosignature.pb", &q.base);
}

int
main(int argc, char **argv)
{
	Tally__Shuffle sh = TALLY__SHUFFLE__INIT;
	uint8_t *ballot = NULL, *tr = NULL, *tr1 = NULL;
	size_t blen = 0, trlen = 0, tr1len = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s corpus-dir\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST)
		fuzz_die("mkdir");
	seeds_ballot_choices(&ballot, &blen);
	seeds_manifest();
	seeds_log();
	seeds_registry_card();
	seeds_ceremony(FUZZ_TRUSTEES, FUZZ_QUORUM, &tr, &trlen);
	seeds_ceremony(1, 1, &tr1, &tr1len);
	seeds_results();
	seeds_receipt();
	seeds_shuffle(&sh);
	seeds_request(ballot, blen, tr, trlen, &sh);
	mixnet_shuffle_clear(&sh);
	free(ballot);
	free(tr);
	free(tr1);
	return 0;
}
