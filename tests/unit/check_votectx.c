/* check_votectx.c: the one constructor from VoteCreated to a ballot context:
 * every check it promises, named, and H_E by its known answer. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ceremony.h"
#include "err.h"
#include "group.h"
#include "recordgen.h"
#include "testutil.h"
#include "util.h"
#include "votectx.h"

#define NCRED 4

static struct recordgen *g;
static uint8_t (*keys)[64];
static ProtobufCBinaryData reg[NCRED];
static Tally__VoteCreated vc;
static char *dir;

static void
setup(void)
{
	struct rg_opts o;
	char path[4096];
	size_t i;

	rg_opts_default(&o);
	o.ncred = NCRED;
	o.nballots = 1;
	o.keys_out = &keys;
	dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/v.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	for (i = 0; i < NCRED; i++)
		reg[i] = (ProtobufCBinaryData){32, keys[i]};
	tally__vote_created__init(&vc);
	vc.vote_id = g->m->id;
	vc.manifest = (ProtobufCBinaryData){g->mlen, g->mjson};
	vc.transcript = g->tr;
	vc.n_registry = NCRED;
	vc.registry = reg;
	vc.ledger_key = (ProtobufCBinaryData){32, g->ledger_pk};
	vc.election_hash = (ProtobufCBinaryData){32, g->he};
}

static void
teardown(void)
{
	rg_free(g);
	free(keys);
	tu_rmtree(dir);
	free(dir);
}

/* vote_ctx_init must fail with code at check. */
static void
refused(const Tally__VoteCreated *v, int code, const char *check)
{
	struct vote_ctx c;
	struct vote_ctx_error why;

	memset(&why, 0, sizeof(why));
	ck_assert_int_eq(vote_ctx_init(&c, v, &why), code);
	ck_assert_ptr_nonnull(why.check);
	ck_assert_str_eq(why.check, check);
	ck_assert_int_gt(strlen(why.reason), 0);
	ck_assert_ptr_null(c.m);
	ck_assert_ptr_null(c.tr);
	ck_assert_ptr_null(c.K);
}

START_TEST(test_ok)
{
	struct vote_ctx c;
	struct vote_ctx_error why;
	EC_POINT *K = group_point_new();

	ck_assert_int_eq(vote_ctx_init(&c, &vc, &why), 0);
	ck_assert_mem_eq(c.election_hash, g->he, 32);
	ck_assert_mem_eq(c.bc.election_hash, g->he, 32);
	ck_assert_str_eq(c.bc.vote_id, g->m->id);
	ck_assert_uint_eq(c.bc.nreg, NCRED);
	ck_assert_mem_eq(c.bc.registry + 32, keys[1], 32);
	ck_assert_int_eq(group_point_decode(K, g->tr->joint_key.data, 33), 0);
	ck_assert(group_point_equal(K, c.bc.joint_key));
	ck_assert_uint_eq(c.tr->trustees, g->tr->trustees);
	group_point_free(K);
	vote_ctx_clear(&c);
	vote_ctx_clear(&c);	/* twice is harmless */
}
END_TEST

/* A copy of the transcript we may change. */
static Tally__CeremonyTranscript *
tr_copy(void)
{
	size_t len = tally__ceremony_transcript__get_packed_size(g->tr);
	uint8_t *buf = malloc(len);
	Tally__CeremonyTranscript *t;

	ck_assert_ptr_nonnull(buf);
	tally__ceremony_transcript__pack(g->tr, buf);
	t = tally__ceremony_transcript__unpack(NULL, len, buf);
	free(buf);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Attack 2 of issue 10: a server that names xG as the joint key, with H_E
 * recomputed over its lie so that the hash alone agrees. */
START_TEST(test_swapped_joint_key)
{
	Tally__CeremonyTranscript *t = tr_copy();
	Tally__VoteCreated v = vc;
	BIGNUM *x = group_scalar_new();
	EC_POINT *X = group_point_new();
	uint8_t he[32];

	ck_assert_int_eq(group_scalar_random(x), 0);
	ck_assert_int_eq(group_mul_g(X, x), 0);
	ck_assert_int_eq(group_point_encode(t->joint_key.data, X), 0);
	v.transcript = t;
	ck_assert_int_eq(vote_election_hash(he, &v), 0);
	v.election_hash = (ProtobufCBinaryData){32, he};
	refused(&v, TALLY_ERR_CEREMONY, "transcript");
	/* the same lie in a public share */
	tally__ceremony_transcript__free_unpacked(t, NULL);
	t = tr_copy();
	ck_assert_int_eq(group_point_encode(t->public_shares[0].data, X), 0);
	v.transcript = t;
	ck_assert_int_eq(vote_election_hash(he, &v), 0);
	refused(&v, TALLY_ERR_CEREMONY, "transcript");
	tally__ceremony_transcript__free_unpacked(t, NULL);
	group_scalar_free(x);
	group_point_free(X);
}
END_TEST

START_TEST(test_member_signature)
{
	Tally__CeremonyTranscript *t = tr_copy();
	Tally__VoteCreated v = vc;
	uint8_t he[32];

	t->members[1]->signature.data[5] ^= 1;
	v.transcript = t;
	ck_assert_int_eq(vote_election_hash(he, &v), 0);
	v.election_hash = (ProtobufCBinaryData){32, he};
	refused(&v, TALLY_ERR_BAD_SIGNATURE, "transcript");
	tally__ceremony_transcript__free_unpacked(t, NULL);
}
END_TEST

/* Issue 10: the trustees' signatures on the transcript and the ceremony
 * id are checked wherever a vote is used, each failure by its name. */
START_TEST(test_transcript_signature_and_id)
{
	Tally__CeremonyTranscript *t = tr_copy();
	Tally__VoteCreated v = vc;
	uint8_t he[32];

	t->signatures[1]->signature.data[0] ^= 1;
	v.transcript = t;
	ck_assert_int_eq(vote_election_hash(he, &v), 0);
	v.election_hash = (ProtobufCBinaryData){32, he};
	refused(&v, TALLY_ERR_BAD_SIGNATURE, "transcript-signature");
	t->signatures[1]->signature.data[0] ^= 1;
	t->signatures[2]->trustee = 2;
	refused(&v, TALLY_ERR_CEREMONY, "transcript-signature");
	t->signatures[2]->trustee = 3;
	t->n_signatures--;
	refused(&v, TALLY_ERR_CEREMONY, "transcript-signature");
	t->n_signatures++;
	t->ceremony.data[4] ^= 1;
	ck_assert_int_eq(vote_election_hash(he, &v), 0);
	refused(&v, TALLY_ERR_CEREMONY, "ceremony-id");
	tally__ceremony_transcript__free_unpacked(t, NULL);
}
END_TEST

START_TEST(test_no_transcript)
{
	Tally__VoteCreated v = vc;

	v.transcript = NULL;
	refused(&v, TALLY_ERR_DECODE, "transcript");
}
END_TEST

START_TEST(test_registry_order)
{
	Tally__VoteCreated v = vc;
	ProtobufCBinaryData r[NCRED];

	memcpy(r, reg, sizeof(r));
	r[1] = reg[2];
	r[2] = reg[1];
	v.registry = r;
	refused(&v, TALLY_ERR_INVALID_ARG, "registry");
	r[1] = r[2] = reg[1];			/* a repeated key */
	refused(&v, TALLY_ERR_INVALID_ARG, "registry");
	memcpy(r, reg, sizeof(r));
	r[3].len = 31;				/* a short key */
	refused(&v, TALLY_ERR_INVALID_ARG, "registry");
}
END_TEST

START_TEST(test_election_hash)
{
	Tally__VoteCreated v = vc;
	uint8_t he[32];

	memcpy(he, g->he, 32);
	he[31] ^= 0x80;
	v.election_hash = (ProtobufCBinaryData){32, he};
	refused(&v, TALLY_ERR_VERIFY, "election-hash");
	v.election_hash.len = 31;
	refused(&v, TALLY_ERR_DECODE, "election-hash");
}
END_TEST

START_TEST(test_vote_and_manifest)
{
	Tally__VoteCreated v = vc;
	char id[] = "another-vote";

	v.vote_id = id;
	refused(&v, TALLY_ERR_MANIFEST, "manifest");
	v.vote_id = "";
	refused(&v, TALLY_ERR_DECODE, "vote");
	v = vc;
	v.manifest.len = 10;
	refused(&v, TALLY_ERR_MANIFEST, "manifest");
	v = vc;
	v.ledger_key.len = 31;
	refused(&v, TALLY_ERR_DECODE, "vote");
}
END_TEST

/* Every part of H_E changes it. */
START_TEST(test_hash_covers)
{
	Tally__VoteCreated v;
	Tally__CeremonyTranscript *t = tr_copy();
	uint8_t base[32], h[32], ledger[32], key0[32];
	ProtobufCBinaryData r[NCRED];

	ck_assert_int_eq(vote_election_hash(base, &vc), 0);
	ck_assert_mem_eq(base, g->he, 32);
	v = vc;
	v.manifest.len = 10;
	ck_assert_int_eq(vote_election_hash(h, &v), 0);
	ck_assert_mem_ne(h, base, 32);
	v = vc;
	memcpy(ledger, g->ledger_pk, 32);
	ledger[0] ^= 1;
	v.ledger_key.data = ledger;
	ck_assert_int_eq(vote_election_hash(h, &v), 0);
	ck_assert_mem_ne(h, base, 32);
	v = vc;
	memcpy(r, reg, sizeof(r));
	memset(key0, 0, 32);			/* still sorted: smallest */
	r[0].data = key0;
	v.registry = r;
	ck_assert_int_eq(vote_election_hash(h, &v), 0);
	ck_assert_mem_ne(h, base, 32);
	v = vc;
	v.n_registry = NCRED - 1;
	ck_assert_int_eq(vote_election_hash(h, &v), 0);
	ck_assert_mem_ne(h, base, 32);
	v = vc;
	t->members[2]->commitments[1].data[3] ^= 1;
	v.transcript = t;
	ck_assert_int_eq(vote_election_hash(h, &v), 0);
	ck_assert_mem_ne(h, base, 32);
	v = vc;
	v.ledger_key.len = 0;
	ck_assert_int_eq(vote_election_hash(h, &v), TALLY_ERR_INVALID_ARG);
	tally__ceremony_transcript__free_unpacked(t, NULL);
}
END_TEST

/* H_E of fixed inputs: docs/record/ceremony.md quotes this value. */
START_TEST(test_hash_known_answer)
{
	Tally__CeremonyTranscript tr = TALLY__CEREMONY_TRANSCRIPT__INIT;
	Tally__VoteCreated v = TALLY__VOTE_CREATED__INIT;
	ProtobufCBinaryData share, key, wk[2];
	uint8_t G[33], one[32], ledger[32], cer[32], h[32], *want;
	uint8_t w1[32], w2[32];
	size_t wl;
	BIGNUM *x = group_scalar_new();
	EC_POINT *P = group_point_new();

	ck_assert_int_eq(group_scalar_set_u64(x, 1), 0);
	ck_assert_int_eq(group_mul_g(P, x), 0);
	ck_assert_int_eq(group_point_encode(G, P), 0);
	memset(one, 0x01, 32);
	memset(ledger, 0x02, 32);
	memset(cer, 0x03, 32);
	tr.ceremony = (ProtobufCBinaryData){32, cer};
	tr.trustees = 1;
	tr.quorum = 1;
	tr.joint_key = (ProtobufCBinaryData){33, G};
	share = tr.joint_key;
	tr.n_public_shares = 1;
	tr.public_shares = &share;
	key = (ProtobufCBinaryData){32, one};
	v.vote_id = "kat";
	v.manifest = (ProtobufCBinaryData){2, (uint8_t *)"{}"};
	v.transcript = &tr;
	v.n_registry = 1;
	v.registry = &key;
	v.ledger_key = (ProtobufCBinaryData){32, ledger};
	ck_assert_int_eq(vote_election_hash(h, &v), 0);
	want = tu_unhex("36d6bc1417e21cbb2b100155020c437f"
	    "8143a223d935e147d1327214cde42bea", &wl);
	ck_assert_mem_eq(h, want, 32);
	free(want);
	/* Two witnesses 32 x 0x04 and 32 x 0x05, quorum 2. */
	memset(w1, 0x04, 32);
	memset(w2, 0x05, 32);
	wk[0] = (ProtobufCBinaryData){32, w1};
	wk[1] = (ProtobufCBinaryData){32, w2};
	v.n_witness_keys = 2;
	v.witness_keys = wk;
	v.witness_quorum = 2;
	ck_assert_int_eq(vote_election_hash(h, &v), 0);
	want = tu_unhex("792d2feba0c3b5ccd75cb9cbcf90e8d8"
	    "02142f9c28c3d838007081b2ead09d6f", &wl);
	ck_assert_mem_eq(h, want, 32);
	free(want);
	group_scalar_free(x);
	group_point_free(P);
}
END_TEST

static Suite *
votectx_suite(void)
{
	Suite *s = suite_create("votectx");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_swapped_joint_key);
	tcase_add_test(tc, test_member_signature);
	tcase_add_test(tc, test_transcript_signature_and_id);
	tcase_add_test(tc, test_no_transcript);
	tcase_add_test(tc, test_registry_order);
	tcase_add_test(tc, test_election_hash);
	tcase_add_test(tc, test_vote_and_manifest);
	tcase_add_test(tc, test_hash_covers);
	tcase_add_test(tc, test_hash_known_answer);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(votectx_suite());
}
