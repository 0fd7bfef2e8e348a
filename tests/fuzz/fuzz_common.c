/* fuzz_common.c: the deterministic fixtures of fuzz.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ballot.h"
#include "credential.h"
#include "fuzz.h"
#include "group.h"
#include "sign.h"
#include "util.h"
#include "votectx.h"

static struct manifest *session;
static EC_POINT *joint_key;
static uint8_t registry[FUZZ_NCRED * 32], cred_sk[FUZZ_NCRED][32];
static uint8_t ledger_sk[32], ledger_pk[32];
static struct ballot_ctx ctx;
static int ctx_ready;
static char tmpdir[256];

void
fuzz_die(const char *why)
{
	fprintf(stderr, "fuzz: %s\n", why);
	abort();
}

const struct manifest *
fuzz_session_manifest(void)
{
	uint8_t *json;
	size_t len;
	char err[256];

	if (session != NULL)
		return session;
	if (util_read_file(TALLY_SOURCE_DIR
	    "/tests/data/manifests/session.json", MANIFEST_JSON_MAX, &json,
	    &len) != 0)
		fuzz_die("cannot read session.json");
	if (manifest_parse(&session, json, len, err, sizeof(err)) != 0)
		fuzz_die(err);
	free(json);
	return session;
}

static int
cmp_pk(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/* Credential i is derived from the seed {i + 1, 0, ...}. */
static void
make_registry(void)
{
	uint8_t seed[CRED_SEED_LEN], pair[FUZZ_NCRED][64];
	size_t i;

	for (i = 0; i < FUZZ_NCRED; i++) {
		memset(seed, 0, sizeof(seed));
		seed[0] = (uint8_t)(i + 1);
		if (credential_derive(pair[i] + 32, pair[i], seed,
		    FUZZ_VOTE_ID) != 0)
			fuzz_die("credential_derive");
	}
	qsort(pair, FUZZ_NCRED, 64, cmp_pk);
	for (i = 0; i < FUZZ_NCRED; i++) {
		memcpy(registry + 32 * i, pair[i], 32);
		memcpy(cred_sk[i], pair[i] + 32, 32);
	}
}

/* The one-trustee transcript whose joint key (and only public share) is
 * K, kept for fuzz_mixnet; H_E over it. */
static Tally__CeremonyTranscript transcript = TALLY__CEREMONY_TRANSCRIPT__INIT;
static uint8_t transcript_key[GROUP_POINT_LEN];
static ProtobufCBinaryData transcript_shares[1];

static void
make_election_hash(void)
{
	Tally__VoteCreated vc = TALLY__VOTE_CREATED__INIT;
	ProtobufCBinaryData keys[FUZZ_NCRED];
	size_t i;

	if (group_point_encode(transcript_key, joint_key) != 0)
		fuzz_die("group_point_encode");
	transcript.trustees = 1;
	transcript.quorum = 1;
	transcript.joint_key.data = transcript_key;
	transcript.joint_key.len = sizeof(transcript_key);
	transcript_shares[0] = transcript.joint_key;
	transcript.n_public_shares = 1;
	transcript.public_shares = transcript_shares;
	for (i = 0; i < FUZZ_NCRED; i++)
		keys[i] = (ProtobufCBinaryData){32, registry + 32 * i};
	vc.vote_id = (char *)FUZZ_VOTE_ID;
	vc.manifest = (ProtobufCBinaryData){2, (uint8_t *)"{}"};
	vc.transcript = &transcript;
	vc.n_registry = FUZZ_NCRED;
	vc.registry = keys;
	vc.ledger_key = (ProtobufCBinaryData){32,
	    (uint8_t *)fuzz_ledger_pk()};
	if (vote_election_hash(ctx.election_hash, &vc) != 0)
		fuzz_die("vote_election_hash");
}

const struct ballot_ctx *
fuzz_ballot_ctx(void)
{
	BIGNUM *s;

	if (ctx_ready)
		return &ctx;
	s = group_scalar_new();
	joint_key = group_point_new();
	if (s == NULL || joint_key == NULL ||
	    group_scalar_set_u64(s, FUZZ_JOINT_SECRET) != 0 ||
	    group_mul_g(joint_key, s) != 0)
		fuzz_die("joint key");
	group_scalar_free(s);
	make_registry();
	ctx.m = fuzz_session_manifest();
	ctx.vote_id = FUZZ_VOTE_ID;
	ctx.joint_key = joint_key;
	ctx.registry = registry;
	ctx.nreg = FUZZ_NCRED;
	make_election_hash();
	ctx_ready = 1;
	return &ctx;
}

const uint8_t *
fuzz_ballot_sk(size_t i)
{
	fuzz_ballot_ctx();
	return cred_sk[i];
}

static void
make_ledger(void)
{
	if (ledger_pk[0] != 0 || ledger_pk[1] != 0)
		return;
	memset(ledger_sk, 0x4c, sizeof(ledger_sk));
	if (ed25519_public_from_private(ledger_pk, ledger_sk) != 0)
		fuzz_die("ledger key");
}

const uint8_t *
fuzz_ledger_pk(void)
{
	make_ledger();
	return ledger_pk;
}

const uint8_t *
fuzz_ledger_sk(void)
{
	make_ledger();
	return ledger_sk;
}

static void
rm_tmpdir(void)
{
	char cmd[300];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", tmpdir);
}

const char *
fuzz_tmpdir(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/tally-fuzz-XXXXXX", base);
	if (mkdtemp(tmpdir) == NULL)
		fuzz_die("mkdtemp");
	atexit(rm_tmpdir);
	return tmpdir;
}

static struct mixnet mixnet;
static int mixnet_ready;

const struct mixnet *
fuzz_mixnet(void)
{
	const struct ballot_ctx *c = fuzz_ballot_ctx();
	size_t i, w = FUZZ_MIX_W, n = FUZZ_MIX_N;

	if (mixnet_ready)
		return &mixnet;
	if (mix_list_init(&mixnet.cur, n, w) != 0)
		fuzz_die("mix_list_init");
	/* ciphertext i = ((i + 1) G, (i + 100) G) */
	for (i = 0; i < n * w; i++) {
		if (group_mul_g_u64(mixnet.cur.ct[i].a, i + 1) != 0 ||
		    group_mul_g_u64(mixnet.cur.ct[i].b, i + 100) != 0)
			fuzz_die("group_mul_g_u64");
	}
	if (mix_list_encode(&mixnet.cur) != 0)
		fuzz_die("mix_list_encode");
	mixnet.election_hash = c->election_hash;
	mixnet.K = c->joint_key;
	mixnet.tr = &transcript;
	mixnet.trustees = 1;
	mixnet_ready = 1;
	return &mixnet;
}
