/* vote.c: tallyctl vote create|open|close. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ceremony.h"
#include "credential.h"
#include "err.h"
#include "manifest.h"
#include "tallyctl.h"
#include "util.h"
#include "votectx.h"
#include "witness.h"

/* The transcript file a ceremony folder holds (tally-keys ceremony). */
static const char *const transcript_names[] = {
	"transcript.pb", "transcript.bin", "transcript"
};

static int
vote_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl vote create MANIFEST.json --ceremony CDIR "
	    "--registry FILE\n"
	    "           [--witness PUBFILE]... [--witness-quorum N]\n"
	    "       tallyctl vote open VOTE --present N --issued N\n"
	    "       tallyctl vote close VOTE\n");
	return code;
}

static int
vote_run(Tally__Request *req, Tally__Response **resp)
{
	struct ctl_conn *c;
	int ret;

	if ((c = ctl_connect_or_report(&ctl_global)) == NULL)
		return -1;
	if ((ret = ctl_call(c, req, resp)) != 0)
		ctl_call_error(ret, *resp, "request");
	ctl_close(c);
	return ret;
}

static int
read_transcript(const char *cdir, uint8_t **buf, size_t *len)
{
	char path[4096];
	size_t i;
	int ret = TALLY_ERR_NOT_FOUND;

	for (i = 0; i < sizeof(transcript_names) / sizeof(*transcript_names);
	    i++) {
		snprintf(path, sizeof(path), "%s/%s", cdir,
		    transcript_names[i]);
		if ((ret = util_read_file(path, 64u << 20, buf, len)) !=
		    TALLY_ERR_NOT_FOUND)
			return ret;
	}
	return ret;
}

struct create_in {
	char			 id[MANIFEST_ID_MAX + 1];
	uint8_t			*manifest, *tr;
	size_t			 mlen, trlen;
	struct registry		*reg;
	Tally__CeremonyTranscript *transcript;
	ProtobufCBinaryData	*keys;
	uint8_t			 wkeys[WITNESS_MAX][ED25519_KEY_LEN];
	ProtobufCBinaryData	 witness[WITNESS_MAX];
	size_t			 nwitness;
	uint32_t		 wquorum;
};

static int
key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, ED25519_KEY_LEN);
}

/* --witness FILE, each a witness.pub; sorted, as the record keeps them. */
static int
create_witness_add(struct create_in *in, const char *path)
{
	int ret;

	if (in->nwitness == WITNESS_MAX)
		return ctl_error(TALLY_ERR_WITNESS, "at most %d witnesses",
		    WITNESS_MAX);
	if ((ret = witness_pub_load(path, in->wkeys[in->nwitness])) != 0)
		return ctl_error(ret, "%s: not a witness public key (64 hex "
		    "digits, tally-keys witness-key)", path);
	in->nwitness++;
	return 0;
}

static int
create_witnesses(struct create_in *in, int have_quorum)
{
	char why[160];
	size_t i;
	int ret;

	qsort(in->wkeys, in->nwitness, ED25519_KEY_LEN, key_cmp);
	for (i = 0; i < in->nwitness; i++) {
		in->witness[i].data = in->wkeys[i];
		in->witness[i].len = ED25519_KEY_LEN;
	}
	/* Without --witness-quorum: the smallest majority. */
	if (!have_quorum)
		in->wquorum = in->nwitness ? (uint32_t)in->nwitness / 2 + 1 : 0;
	if ((ret = witness_set_check(in->witness, in->nwitness, in->wquorum,
	    why, sizeof(why))) != 0)
		return ctl_error(ret, "%s", why);
	return 0;
}

static int
create_load(struct create_in *in, const char *mpath, const char *cdir,
    const char *rpath)
{
	size_t i;
	int ret;

	struct manifest *m = NULL;
	char err[256];

	if ((ret = util_read_file(mpath, MANIFEST_JSON_MAX, &in->manifest,
	    &in->mlen)) != 0)
		return ctl_error(ret, "%s: %s", mpath, tally_strerror(ret));
	if ((ret = manifest_parse(&m, in->manifest, in->mlen, err,
	    sizeof(err))) != 0)
		return ctl_error(ret, "%s: %s", mpath, err);
	snprintf(in->id, sizeof(in->id), "%s", m->id);
	manifest_free(m);
	if ((ret = read_transcript(cdir, &in->tr, &in->trlen)) != 0)
		return ctl_error(ret, "%s: no ceremony transcript: %s", cdir,
		    tally_strerror(ret));
	if ((in->transcript = tally__ceremony_transcript__unpack(NULL,
	    in->trlen, in->tr)) == NULL)
		return ctl_error(TALLY_ERR_DECODE, "%s: transcript does not "
		    "decode", cdir);
	if ((ret = registry_load(&in->reg, rpath)) != 0)
		return ctl_error(ret, "%s: %s", rpath, tally_strerror(ret));
	if ((in->keys = calloc(in->reg->n + 1, sizeof(*in->keys))) == NULL)
		return ctl_error(TALLY_ERR_NOMEM, "out of memory");
	for (i = 0; i < in->reg->n; i++) {
		in->keys[i].data = in->reg->keys[i];
		in->keys[i].len = CRED_KEY_LEN;
	}
	return 0;
}

/*
 * H_E recomputed here, not taken from the server: fetch the recorded
 * VoteCreated, check that it holds exactly the manifest, transcript and
 * registry sent, build its context (every check of vote_ctx_init) and
 * compare with the hash the server answered.
 */
static int
create_check(struct ctl_conn *c, const struct create_in *in,
    const Tally__CreateVoteRequest *cv, const Tally__Response *cresp,
    struct vote_ctx *ctx)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__GetVoteRequest gv = TALLY__GET_VOTE_REQUEST__INIT;
	Tally__Response *resp = NULL;
	const Tally__VoteCreated *vc;
	struct vote_ctx_error why;
	uint8_t *a = NULL, *b = NULL;
	size_t alen, blen, i;
	int ret;

	gv.vote_id = (char *)in->id;
	req.body_case = TALLY__REQUEST__BODY_GET_VOTE;
	req.get_vote = &gv;
	if ((ret = ctl_call(c, &req, &resp)) != 0)
		return ctl_call_error(ret, resp, "get vote");
	ret = TALLY_ERR_VERIFY;
	if (resp->get_vote == NULL || (vc = resp->get_vote->vote) == NULL ||
	    vc->manifest.len != in->mlen || memcmp(vc->manifest.data,
	    in->manifest, in->mlen) != 0 || vc->n_registry != cv->n_registry ||
	    vc->transcript == NULL) {
		ctl_error(ret, "vote %s: the server recorded another manifest "
		    "or registry than the one sent", in->id);
		goto out;
	}
	for (i = 0; i < vc->n_registry; i++)
		if (vc->registry[i].len != 32 || memcmp(vc->registry[i].data,
		    cv->registry[i].data, 32) != 0) {
			ctl_error(ret, "vote %s: the server recorded another "
			    "registry than the one sent", in->id);
			goto out;
		}
	if (vc->n_witness_keys != in->nwitness ||
	    vc->witness_quorum != in->wquorum) {
		ctl_error(ret, "vote %s: the server recorded other witnesses "
		    "than the ones sent", in->id);
		goto out;
	}
	for (i = 0; i < in->nwitness; i++)
		if (vc->witness_keys[i].len != ED25519_KEY_LEN ||
		    memcmp(vc->witness_keys[i].data, in->wkeys[i],
		    ED25519_KEY_LEN) != 0) {
			ctl_error(ret, "vote %s: the server recorded other "
			    "witnesses than the ones sent", in->id);
			goto out;
		}
	alen = tally__ceremony_transcript__get_packed_size(vc->transcript);
	blen = tally__ceremony_transcript__get_packed_size(cv->transcript);
	if ((a = calloc(1, alen + 1)) == NULL || (b = calloc(1, blen + 1)) ==
	    NULL) {
		ret = ctl_error(TALLY_ERR_NOMEM, "out of memory");
		goto out;
	}
	tally__ceremony_transcript__pack(vc->transcript, a);
	tally__ceremony_transcript__pack(cv->transcript, b);
	if (alen != blen || memcmp(a, b, alen) != 0) {
		ctl_error(ret, "vote %s: the server recorded another ceremony "
		    "transcript than the one sent", in->id);
		goto out;
	}
	if ((ret = vote_ctx_init(ctx, vc, &why)) != 0) {
		ctl_error(ret, "vote %s as recorded does not check (%s): %s",
		    in->id, why.check, why.reason);
		goto out;
	}
	if (cresp->create_vote == NULL ||
	    cresp->create_vote->election_hash.len != 32 ||
	    CRYPTO_memcmp(cresp->create_vote->election_hash.data,
	    ctx->election_hash, 32) != 0) {
		ret = ctl_error(TALLY_ERR_VERIFY, "vote %s: the server "
		    "answered an election hash that is not H_E", in->id);
		goto out;
	}
	ret = 0;
out:
	free(a);
	free(b);
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	return ret;
}

/* What the officials read out and hand to terminals and witnesses. */
static void
create_print(const struct vote_ctx *ctx, const struct create_in *in)
{
	char hex[65], fp[WITNESS_FP_LEN];
	size_t i;

	util_hex(hex, ctx->election_hash, 32);
	printf("vote %s created\nelection hash %s\n", ctx->id, hex);
	for (i = 0; i < in->nwitness; i++)
		if (witness_fingerprint(fp, in->wkeys[i]) == 0)
			printf("witness %zu of %zu: %s\n", i + 1, in->nwitness,
			    fp);
	if (in->nwitness > 0)
		printf("witness quorum %u: scrutineers decrypt only a sealed "
		    "log that %u of them cosigned\n", in->wquorum,
		    in->wquorum);
	else
		printf("no witnesses: scrutineers decrypt only on the sealed "
		    "size and root read out at closing\n");
	printf("Recomputed here from the manifest, the ceremony transcript "
	    "(joint key and every\ntrustee's signature checked), the "
	    "registry and the ledger key. Hand it to every\nterminal "
	    "(--election-hash, or 'election_hash %s HEX' in its "
	    "configuration)\nand to the witnesses.\n", ctx->id);
}

static int
vote_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ceremony", required_argument, NULL, 'c' },
		{ "registry", required_argument, NULL, 'r' },
		{ "witness", required_argument, NULL, 'w' },
		{ "witness-quorum", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__CreateVoteRequest cv = TALLY__CREATE_VOTE_REQUEST__INIT;
	Tally__Response *resp = NULL;
	struct ctl_conn *c = NULL;
	struct vote_ctx ctx;
	struct create_in in;
	const char *cdir = NULL, *rpath = NULL;
	int ch, ret = 1, have_quorum = 0;

	memset(&in, 0, sizeof(in));
	memset(&ctx, 0, sizeof(ctx));
	while ((ch = getopt_long(argc, argv, "c:r:h", longopts, NULL)) != -1) {
		if (ch == 'c')
			cdir = optarg;
		else if (ch == 'r')
			rpath = optarg;
		else if (ch == 'w') {
			if (create_witness_add(&in, optarg) != 0)
				return 1;
		} else if (ch == 'q') {
			if (util_parse_u32(optarg, 0, WITNESS_MAX,
			    &in.wquorum) != 0)
				return ctl_error(TALLY_ERR_INVALID_ARG,
				    "--witness-quorum: a number 0..%d",
				    WITNESS_MAX), 1;
			have_quorum = 1;
		} else
			return vote_usage(ch == 'h' ? stdout : stderr,
			    ch != 'h');
	}
	if (argc - optind != 1 || cdir == NULL || rpath == NULL)
		return vote_usage(stderr, 1);
	if (create_witnesses(&in, have_quorum) != 0 ||
	    create_load(&in, argv[optind], cdir, rpath) != 0)
		goto out;
	cv.manifest.data = in.manifest;
	cv.manifest.len = in.mlen;
	cv.transcript = in.transcript;
	cv.n_registry = in.reg->n;
	cv.registry = in.keys;
	cv.n_witness_keys = in.nwitness;
	cv.witness_keys = in.witness;
	cv.witness_quorum = in.wquorum;
	req.body_case = TALLY__REQUEST__BODY_CREATE_VOTE;
	req.create_vote = &cv;
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL)
		goto out;
	if ((ret = ctl_call(c, &req, &resp)) != 0) {
		ret = ctl_call_error(ret, resp, "request");
		goto out;
	}
	if ((ret = create_check(c, &in, &cv, resp, &ctx)) != 0)
		goto out;
	create_print(&ctx, &in);
	ret = 0;
out:
	ctl_close(c);
	vote_ctx_clear(&ctx);
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	if (in.transcript != NULL)
		tally__ceremony_transcript__free_unpacked(in.transcript, NULL);
	registry_free(in.reg);
	free(in.keys);
	free(in.manifest);
	free(in.tr);
	return ret != 0;
}

static int
vote_open(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "present", required_argument, NULL, 'p' },
		{ "issued", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__OpenVoteRequest ov = TALLY__OPEN_VOTE_REQUEST__INIT;
	Tally__Response *resp = NULL;
	int ch, have_p = 0, have_i = 0, ret;

	while ((ch = getopt_long(argc, argv, "p:i:h", longopts, NULL)) != -1) {
		if (ch == 'p' && util_parse_u32(optarg, 0, 10000000,
		    &ov.present) == 0)
			have_p = 1;
		else if (ch == 'i' && util_parse_u32(optarg, 0, 10000000,
		    &ov.issued) == 0)
			have_i = 1;
		else if (ch == 'h')
			return vote_usage(stdout, 0);
		else
			return ctl_error(TALLY_ERR_INVALID_ARG, "bad option or "
			    "number");
	}
	if (argc - optind != 1 || !have_p || !have_i)
		return vote_usage(stderr, 1);
	ov.vote_id = argv[optind];
	req.body_case = TALLY__REQUEST__BODY_OPEN_VOTE;
	req.open_vote = &ov;
	ret = vote_run(&req, &resp);
	if (ret == 0)
		printf("vote %s open\n", ov.vote_id);
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	return ret != 0;
}

/*
 * What the presiding official reads out once the polls close: the sealed
 * log's size and root. A scrutineer decrypts only that state: cosigned by
 * the witnesses' quorum, or typed in with --sealed when the vote has no
 * witnesses.
 */
static int
close_print_seal(struct ctl_conn *c, const char *vote)
{
	Tally__Response *resp = NULL;
	const Tally__VoteStatus *vs;
	char hex[65];
	int ret;

	if ((ret = ctl_vote_status(c, vote, &resp, &vs)) != 0)
		goto out;
	if (vs->sealed_root.len != 32) {
		ret = ctl_error(TALLY_ERR_PROTOCOL, "vote %s: the server gave "
		    "no sealed state", vote);
		goto out;
	}
	util_hex(hex, vs->sealed_root.data, 32);
	printf("vote %s closed: %llu ballots\nsealed %llu:%s\n", vote,
	    (unsigned long long)vs->ballots,
	    (unsigned long long)vs->sealed_size, hex);
	if (vs->witnesses > 0)
		printf("Scrutineers decrypt once %u of the %u witnesses have "
		    "cosigned it (now %u).\n", vs->witness_quorum,
		    vs->witnesses, vs->cosigned);
	else
		printf("Read it out in the hall: each scrutineer types it "
		    "(--sealed %llu:%.32s is enough).\n",
		    (unsigned long long)vs->sealed_size, hex);
out:
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	return ret;
}

static int
vote_close(int argc, char **argv)
{
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__CloseVoteRequest cv = TALLY__CLOSE_VOTE_REQUEST__INIT;
	struct ctl_conn *c;
	int ret;

	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return vote_usage(stdout, 0);
	if (argc != 2 || argv[1][0] == '-')
		return vote_usage(stderr, 1);
	cv.vote_id = argv[1];
	req.body_case = TALLY__REQUEST__BODY_CLOSE_VOTE;
	req.close_vote = &cv;
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL)
		return 1;
	if ((ret = ctl_call_ack(c, &req, "request")) == 0)
		ret = close_print_seal(c, cv.vote_id);
	ctl_close(c);
	return ret != 0;
}

int
cmd_vote(int argc, char **argv)
{
	if (argc < 2)
		return vote_usage(stderr, 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return vote_usage(stdout, 0);
	if (strcmp(argv[1], "create") == 0)
		return vote_create(argc - 1, argv + 1);
	if (strcmp(argv[1], "open") == 0)
		return vote_open(argc - 1, argv + 1);
	if (strcmp(argv[1], "close") == 0)
		return vote_close(argc - 1, argv + 1);
	return ctl_error(TALLY_ERR_INVALID_ARG, "unknown vote command '%s'",
	    argv[1]);
}
