/* check_challenge.c: Benaloh challenges: a ballot opened by its secrets
 * re-encrypts exactly; every altered mark, randomness, name or shape is
 * refused; strict decoding; and the record verifier's challenge checks
 * (an opening that lies, a challenged ballot cast, one challenged twice). */
#include <stdlib.h>
#include <string.h>

#include "ballot.h"
#include "challenge.h"
#include "err.h"
#include "group.h"
#include "manifest.h"
#include "pb.h"
#include "record.h"
#include "recordgen.h"
#include "sign.h"
#include "testutil.h"
#include "util.h"

#define NCRED 3

static struct manifest *m;
static BIGNUM *secret;
static EC_POINT *K;
static uint8_t sk[NCRED][32], pk[NCRED][32], registry[NCRED * 32];
static struct ballot_ctx ctx;

static const char *choices =
    "{ \"head\": { \"writein\": [\"李四\"] },"
    "  \"projects\": { \"approve\": [\"p01\", \"p03\", \"p15\"] },"
    "  \"budget\": { \"against\": [\"budget\"] } }";

static void
setup(void)
{
	m = tu_load_manifest("session.json");
	tu_ballot_fixture(&ctx, m, &secret, &K, sk, pk, registry, NCRED);
	memset(ctx.election_hash, 0x5a, 32);
}

static void
teardown(void)
{
	manifest_free(m);
	group_scalar_free(secret);
	group_point_free(K);
}

/* A challenged ballot: *sb is the serialized SpoiledBallot; marks out. */
static uint8_t *
make_spoiled(const char *json, size_t *sblen, uint8_t *marks_out,
    uint8_t tracking[32])
{
	struct ballot_secrets sec;
	Tally__Ballot *b;
	uint8_t *marks = calloc(m->nsel + 1, 1), *bytes, *sb;
	char **names = NULL, err[256];
	size_t len;

	ck_assert_int_eq(manifest_choices(m, (const uint8_t *)json,
	    strlen(json), marks, &names, err, sizeof(err)), 0);
	ck_assert_int_eq(ballot_encrypt_open(&bytes, &len, &ctx, sk[0], marks,
	    names, &sec), 0);
	ck_assert_int_eq(ballot_verify_bytes(bytes, len, &ctx,
	    BALLOT_CHECK_ALL, NULL, NULL), 0);
	ck_assert_int_eq(challenge_make(&sb, sblen, bytes, len, &sec), 0);
	b = tally__ballot__unpack(NULL, len, bytes);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(ballot_tracking_code(tracking, b), 0);
	tally__ballot__free_unpacked(b, NULL);
	if (marks_out != NULL)
		memcpy(marks_out, marks, m->nsel);
	ballot_secrets_clear(&sec);
	manifest_writein_names_free(m, names);
	free(marks);
	free(bytes);
	return sb;
}

static Tally__SpoiledBallot *
unpack(const uint8_t *p, size_t len)
{
	Tally__SpoiledBallot *s = tally__spoiled_ballot__unpack(NULL, len, p);

	ck_assert_ptr_nonnull(s);
	return s;
}

START_TEST(test_roundtrip)
{
	struct challenge_open open;
	uint8_t *sb, marks[MANIFEST_SELECTIONS_MAX], tracking[32];
	size_t len, i, named = 0;

	sb = make_spoiled(choices, &len, marks, tracking);
	ck_assert_int_eq(challenge_verify_bytes(sb, len, &ctx, &open), 0);
	ck_assert_mem_eq(open.marks, marks, m->nsel);
	ck_assert_mem_eq(open.tracking, tracking, 32);
	ck_assert_mem_eq(open.credential, pk[0], 32);
	for (i = 0; i < m->nwriteins; i++)
		if (strcmp(open.names[i], "李四") == 0)
			named++;
		else
			ck_assert_str_eq(open.names[i], "");
	ck_assert_uint_eq(named, 1);
	challenge_open_clear(&open);
	free(sb);
}
END_TEST

/* Every mark flipped, every randomness changed, every name changed: the
 * opening no longer re-encrypts to the committed ballot. */
START_TEST(test_every_lie_refused)
{
	Tally__SpoiledBallot *s;
	uint8_t *sb, tracking[32];
	char *saved;
	size_t len, i;
	int ret;

	sb = make_spoiled(choices, &len, NULL, tracking);
	s = unpack(sb, len);
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL), 0);
	for (i = 0; i < s->marks.len; i++) {
		s->marks.data[i] ^= 1;
		ret = challenge_verify(s, &ctx, NULL, NULL);
		ck_assert_msg(ret == TALLY_ERR_REVEAL, "mark %zu: %s", i,
		    tally_errname(ret));
		s->marks.data[i] ^= 1;
	}
	s->marks.data[0] = 2;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_REVEAL);
	s->marks.data[0] = 0;
	for (i = 0; i < s->n_randomness; i++) {
		s->randomness[i].data[31] ^= 1;
		ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
		    TALLY_ERR_REVEAL);
		s->randomness[i].data[31] ^= 1;
	}
	for (i = 0; i < s->n_writein_randomness; i++) {
		s->writein_randomness[i].data[31] ^= 1;
		ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
		    TALLY_ERR_REVEAL);
		s->writein_randomness[i].data[31] ^= 1;
	}
	for (i = 0; i < s->n_writein_names; i++) {
		saved = s->writein_names[i];
		s->writein_names[i] = (char *)(saved[0] ? "王五" : "赵六");
		ret = challenge_verify(s, &ctx, NULL, NULL);
		ck_assert_msg(ret == TALLY_ERR_REVEAL, "name %zu: %s", i,
		    tally_errname(ret));
		s->writein_names[i] = saved;
	}
	/* randomness of q or more is not a scalar */
	memset(s->randomness[0].data, 0xff, 32);
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_BAD_SCALAR);
	tally__spoiled_ballot__free_unpacked(s, NULL);
	free(sb);
}
END_TEST

START_TEST(test_shape_and_ballot)
{
	Tally__SpoiledBallot *s;
	uint8_t *sb, tracking[32];
	size_t len, n;

	sb = make_spoiled(choices, &len, NULL, tracking);
	s = unpack(sb, len);
	n = s->n_randomness;
	s->n_randomness = n - 1;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_BALLOT_SHAPE);
	s->n_randomness = n;
	s->randomness[1].len = 31;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_BALLOT_SHAPE);
	s->randomness[1].len = 32;
	s->marks.len--;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_BALLOT_SHAPE);
	s->marks.len++;
	n = s->n_writein_names;
	s->n_writein_names = 0;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_BALLOT_SHAPE);
	s->n_writein_names = n;
	/* the committed ballot itself is checked: its signature */
	s->ballot->signature.data[0] ^= 1;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_BAD_SIGNATURE);
	s->ballot->signature.data[0] ^= 1;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL), 0);
	/* and its election */
	ctx.election_hash[0] ^= 1;
	ck_assert_int_eq(challenge_verify(s, &ctx, NULL, NULL),
	    TALLY_ERR_VOTE_UNKNOWN);
	ctx.election_hash[0] ^= 1;
	tally__spoiled_ballot__free_unpacked(s, NULL);
	free(sb);
}
END_TEST

START_TEST(test_decoding)
{
	uint8_t *sb, *big, tracking[32];
	size_t len;

	sb = make_spoiled(choices, &len, NULL, tracking);
	ck_assert_int_ne(challenge_verify_bytes(sb, len - 1, &ctx, NULL), 0);
	ck_assert_int_ne(challenge_verify_bytes(sb, 5, &ctx, NULL), 0);
	big = calloc(1, len + 3);
	memcpy(big, sb, len);
	big[len] = 0x78; /* field 15, varint: unknown */
	big[len + 1] = 0x01;
	ck_assert_int_eq(challenge_verify_bytes(big, len + 2, &ctx, NULL),
	    TALLY_ERR_TRAILING);
	ck_assert_int_eq(challenge_verify_bytes(sb, CHALLENGE_MAX + 1, &ctx,
	    NULL), TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(challenge_verify_bytes(sb, len, &ctx, NULL), 0);
	free(big);
	free(sb);
}
END_TEST

/* Two encryptions of the same choices have different tracking codes. */
START_TEST(test_tracking_fresh)
{
	uint8_t *a, *b, ta[32], tb[32];
	size_t la, lb;

	a = make_spoiled(choices, &la, NULL, ta);
	b = make_spoiled(choices, &lb, NULL, tb);
	ck_assert_mem_ne(ta, tb, 32);
	free(a);
	free(b);
}
END_TEST

/* ------------------------------------------------------- the record */

struct hook {
	size_t seq;
	int what;
};

static enum rg_action
hook_fn(void *arg, size_t seq, Tally__LogRecord *rec)
{
	struct hook *h = arg;

	if (seq != h->seq)
		return RG_WRITE;
	if (h->what == 1 && rec->body_case == TALLY__LOG_RECORD__BODY_SPOILED)
		rec->spoiled->marks.data[0] ^= 1;	/* lie about a mark */
	if (h->what == 2)
		return RG_TWICE;			/* challenged twice */
	if (h->what == 3 && rec->body_case ==
	    TALLY__LOG_RECORD__BODY_POLLS_CLOSED)
		rec->polls_closed->ballots++;		/* hide the extra */
	return RG_WRITE;
}

struct seen {
	size_t cast, spoiled;
	int named;
};

static void
seen_fn(void *arg, uint64_t index, const uint8_t tracking[32],
    const struct manifest *mm, const struct challenge_open *open)
{
	struct seen *s = arg;
	size_t i;

	(void)index;
	(void)tracking;
	if (open == NULL) {
		s->cast++;
		return;
	}
	s->spoiled++;
	for (i = 0; i < mm->nwriteins; i++)
		if (strcmp(open->names[i], "张三") == 0)
			s->named = 1;
}

static int
record_case(struct hook *h, int cast_spoiled, struct record_report *rep,
    struct seen *seen)
{
	struct rg_opts o;
	struct recordgen *g;
	struct record_opts ro;
	char *dir = tu_tmpdir(), path[600];
	int ret;

	rg_opts_default(&o);
	o.nballots = 6;
	o.nspoiled = 3;
	o.cast_spoiled = cast_spoiled;
	o.hook = h != NULL ? hook_fn : NULL;
	o.hook_arg = h;
	snprintf(path, sizeof(path), "%s/r.log", dir);
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	memset(&ro, 0, sizeof(ro));
	ro.threads = 1;
	ro.ballot = seen != NULL ? seen_fn : NULL;
	ro.ballot_arg = seen;
	ret = record_verify(path, &ro, rep);
	rg_free(g);
	tu_rmtree(dir);
	free(dir);
	return ret;
}

START_TEST(test_record_valid)
{
	struct record_report rep;
	struct seen seen;

	memset(&seen, 0, sizeof(seen));
	ck_assert_int_eq(record_case(NULL, 0, &rep, &seen), 0);
	ck_assert_uint_eq(rep.spoiled, 3);
	ck_assert_uint_eq(rep.ballots, 6);
	ck_assert_uint_eq(seen.cast, 6);
	ck_assert_uint_eq(seen.spoiled, 3);
	ck_assert_int_eq(seen.named, 1);
	record_report_clear(&rep);
}
END_TEST

/* Planned records: 0 VoteCreated, 1 PollsOpened, 2..4 spoiled. */
START_TEST(test_record_lying_opening)
{
	struct record_report rep;
	struct hook h = { 3, 1 };

	ck_assert_int_eq(record_case(&h, 0, &rep, NULL), TALLY_ERR_VERIFY);
	ck_assert_str_eq(rep.check, "challenge-open");
	ck_assert_uint_eq(rep.index, 3);
	record_report_clear(&rep);
}
END_TEST

START_TEST(test_record_challenged_twice)
{
	struct record_report rep;
	struct hook h = { 2, 2 };

	ck_assert_int_eq(record_case(&h, 0, &rep, NULL), TALLY_ERR_VERIFY);
	ck_assert_str_eq(rep.check, "challenge-cast");
	ck_assert_uint_eq(rep.index, 3);
	record_report_clear(&rep);
}
END_TEST

/* Records: 2 spoiled 0, 3 its ballot cast, 4..5 spoiled, 6..11 ballots,
 * 12 PollsClosed, whose count the hook raises to hide the extra ballot. */
START_TEST(test_record_challenged_then_cast)
{
	struct record_report rep;
	struct hook h = { 12, 3 };

	ck_assert_int_eq(record_case(&h, 1, &rep, NULL), TALLY_ERR_VERIFY);
	ck_assert_msg(strcmp(rep.check, "challenge-cast") == 0 &&
	    rep.index == 3, "got %s at %llu: %s", rep.check,
	    (unsigned long long)rep.index, rep.reason);
	record_report_clear(&rep);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("challenge");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_every_lie_refused);
	tcase_add_test(tc, test_shape_and_ballot);
	tcase_add_test(tc, test_decoding);
	tcase_add_test(tc, test_tracking_fresh);
	tcase_add_test(tc, test_record_valid);
	tcase_add_test(tc, test_record_lying_opening);
	tcase_add_test(tc, test_record_challenged_twice);
	tcase_add_test(tc, test_record_challenged_then_cast);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
