/* check_count.c: decryption shares, their verification, the choice of k,
 * the combination, totals and write-ins (lib/count.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "count.h"
#include "proof.h"
#include "writein.h"
#include "ceremony.h"
#include "err.h"
#include "group.h"
#include "recordgen.h"
#include "testutil.h"

static char *dir;
static struct recordgen *G;
static struct count_input IN;
static Tally__DecryptionShare *SH[6];

static void
input_of(struct count_input *in, struct recordgen *g)
{
	memset(in, 0, sizeof(*in));
	in->m = g->m;
	in->tr = g->tr;
	in->election_hash = g->he;
	in->present = 239;
	in->issued = 239;
	in->agg = g->agg_msg;
	in->items = g->items;
	in->nitems = g->nitems;
}

static void
build(size_t nballots)
{
	struct rg_opts o;
	char path[600];
	uint32_t t;

	dir = tu_tmpdir();
	snprintf(path, sizeof(path), "%s/r.log", dir);
	rg_opts_default(&o);
	o.ncred = o.nballots = nballots;
	ck_assert_int_eq(rg_build(&G, &o, path), 0);
	input_of(&IN, G);
	for (t = 1; t <= 5; t++)
		ck_assert_int_eq(count_share_make(&SH[t], &IN, t, G->s[t]), 0);
}

static void
setup(void)
{
	build(12);
}

static void
setup_zero(void)
{
	build(0);
}

static void
teardown(void)
{
	uint32_t t;

	for (t = 1; t <= 5; t++) {
		count_share_free(SH[t]);
		SH[t] = NULL;
	}
	rg_free(G);
	tu_rmtree(dir);
	free(dir);
}

static int
tally(struct count_result **r, const uint32_t *idx, size_t n,
    uint32_t *culprit, char *err, size_t errlen)
{
	const Tally__DecryptionShare *sh[8];
	size_t i;

	for (i = 0; i < n; i++)
		sh[i] = SH[idx[i]];
	return count_tally(r, &IN, sh, n, culprit, err, errlen);
}

START_TEST(test_totals_known)
{
	static const uint32_t idx[] = { 1, 2, 3 };
	struct count_result *r;
	size_t i;
	json_t *j, *c;

	ck_assert_int_eq(tally(&r, idx, 3, NULL, NULL, 0), 0);
	ck_assert_uint_eq(r->ntotals, G->m->nsel);
	for (i = 0; i < r->ntotals; i++)
		ck_assert_uint_eq(r->totals[i], G->expect[i]);
	ck_assert_uint_eq(r->ntrustees, 3);
	j = json_loadb(r->json, r->jsonlen, 0, NULL);
	c = json_array_get(json_object_get(j, "contests"), 0);
	/* 12 ballots of six patterns: 2 "张三" + 2 "　张三 " marked */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    c, "writeins"), "张三")), 4);
	json_decref(j);
	count_result_free(r);
}
END_TEST

/* Every 3 of the 5 give the same totals and results_json. */
START_TEST(test_every_subset)
{
	static const uint32_t first[] = { 1, 2, 3 };
	struct count_result *ref, *r;
	uint32_t idx[3], a, b, c;

	ck_assert_int_eq(tally(&ref, first, 3, NULL, NULL, 0), 0);
	for (a = 1; a <= 5; a++)
		for (b = a + 1; b <= 5; b++)
			for (c = b + 1; c <= 5; c++) {
				/* given in descending order: sorting is ours */
				idx[0] = c;
				idx[1] = a;
				idx[2] = b;
				ck_assert_int_eq(tally(&r, idx, 3, NULL, NULL, 0),
				    0);
				ck_assert_mem_eq(r->totals, ref->totals,
				    r->ntotals * sizeof(*r->totals));
				ck_assert_uint_eq(r->jsonlen, ref->jsonlen);
				ck_assert_mem_eq(r->json, ref->json, r->jsonlen);
				ck_assert_uint_eq(r->trustees[0], a);
				ck_assert_uint_eq(r->trustees[1], b);
				ck_assert_uint_eq(r->trustees[2], c);
				count_result_free(r);
			}
	count_result_free(ref);
}
END_TEST

START_TEST(test_k_lowest)
{
	static const uint32_t idx[] = { 5, 3, 4, 2 };
	struct count_result *r;

	ck_assert_int_eq(tally(&r, idx, 4, NULL, NULL, 0), 0);
	ck_assert_uint_eq(r->ntrustees, 3);
	ck_assert_uint_eq(r->trustees[0], 2);
	ck_assert_uint_eq(r->trustees[1], 3);
	ck_assert_uint_eq(r->trustees[2], 4);
	count_result_free(r);
}
END_TEST

START_TEST(test_need_dup_culprit)
{
	static const uint32_t two[] = { 4, 2 }, dup[] = { 1, 2, 1 };
	static const uint32_t three[] = { 1, 2, 3 };
	struct count_result *r = NULL;
	uint32_t culprit;
	char err[256];

	ck_assert_int_eq(tally(&r, two, 2, &culprit, err, sizeof(err)),
	    TALLY_ERR_NEED_SHARES);
	ck_assert_ptr_nonnull(strstr(err, "1 more needed"));
	ck_assert_int_eq(tally(&r, dup, 3, &culprit, err, sizeof(err)),
	    TALLY_ERR_SHARE_DUP);
	ck_assert_uint_eq(culprit, 1);
	/* trustee 2's share claimed by 4: a bad share, named */
	SH[2]->trustee = 4;
	ck_assert_int_eq(tally(&r, three, 3, &culprit, err, sizeof(err)),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_uint_eq(culprit, 4);
	SH[2]->trustee = 2;
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_wrong_secret)
{
	Tally__DecryptionShare *sh = NULL;

	ck_assert_int_eq(count_share_make(&sh, &IN, 1, G->s[2]),
	    TALLY_ERR_BAD_SHARE);
	ck_assert_ptr_null(sh);
	ck_assert_int_eq(count_share_make(&sh, &IN, 0, G->s[1]),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(count_share_make(&sh, &IN, 6, G->s[1]),
	    TALLY_ERR_INVALID_ARG);
}
END_TEST

static void
flip_expect(ProtobufCBinaryData *d, size_t bit, size_t want_where)
{
	size_t where = (size_t)-1;
	int ret;

	d->data[bit / 8] ^= 1u << (bit % 8);
	ret = count_share_verify(&IN, SH[3], &where);
	d->data[bit / 8] ^= 1u << (bit % 8);
	ck_assert_msg(ret != 0, "flip accepted");
	ck_assert_msg(where == want_where, "where %zu, want %zu", where,
	    want_where);
}

/* Flip bits of every field of a few entries: that entry is named. */
START_TEST(test_share_flip_fields)
{
	Tally__DecryptionShare *s = SH[3];
	size_t nsums = s->n_sums, j, e, bit;
	ProtobufCBinaryData *d;
	Tally__DleqProof *p;

	ck_assert_int_eq(count_share_verify(&IN, s, NULL), 0);
	for (e = 0; e < 6; e++) {
		j = e < 3 ? e * 7 % nsums : nsums + (e * 5) % s->n_writeins;
		d = j < nsums ? &s->sums[j] : &s->writeins[j - nsums];
		p = j < nsums ? s->sum_proofs[j] :
		    s->writein_proofs[j - nsums];
		for (bit = 3; bit < 33 * 8; bit += 37) {
			flip_expect(d, bit, j);
			flip_expect(&p->t1, bit, j);
			flip_expect(&p->t2, bit, j);
		}
		for (bit = 0; bit < 32 * 8; bit += 29)
			flip_expect(&p->v, bit, j);
	}
}
END_TEST

START_TEST(test_share_counts)
{
	Tally__DecryptionShare *s = SH[1];

	s->n_sums--;
	ck_assert_int_eq(count_share_verify(&IN, s, NULL),
	    TALLY_ERR_BAD_SHARE);
	s->n_sums++;
	s->n_writein_proofs--;
	ck_assert_int_eq(count_share_verify(&IN, s, NULL),
	    TALLY_ERR_BAD_SHARE);
	s->n_writein_proofs++;
	s->trustee = 0;
	ck_assert_int_eq(count_share_verify(&IN, s, NULL),
	    TALLY_ERR_BAD_SHARE);
	s->trustee = 6;
	ck_assert_int_eq(count_share_verify(&IN, s, NULL),
	    TALLY_ERR_BAD_SHARE);
	s->trustee = 1;
	ck_assert_int_eq(count_share_verify(&IN, s, NULL), 0);
}
END_TEST

/* A name whose slot is not marked counts for nobody: give the first
 * ballot's named write-in the mark ciphertext of an unmarked slot. */
START_TEST(test_unmarked_name)
{
	static const uint32_t idx[] = { 1, 2, 3 };
	struct count_item *items = (struct count_item *)G->items;
	struct count_result *r;
	uint32_t t;
	json_t *j, *c;

	/* ballot 0 writes "张三" (marked); ballot 1 marks for c1 only */
	memcpy(items[0].ct[0], items[1].ct[0], COUNT_CT_LEN);
	for (t = 1; t <= 5; t++) {
		count_share_free(SH[t]);
		ck_assert_int_eq(count_share_make(&SH[t], &IN, t, G->s[t]), 0);
	}
	ck_assert_int_eq(tally(&r, idx, 3, NULL, NULL, 0), 0);
	j = json_loadb(r->json, r->jsonlen, 0, NULL);
	c = json_array_get(json_object_get(j, "contests"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    c, "writeins"), "张三")), 3);
	json_decref(j);
	count_result_free(r);
}
END_TEST

/* A terminal that writes one name into two slots of a ballot (the
 * terminal-side check bypassed) still gives that person one vote. */
START_TEST(test_duplicate_writein_counts_once)
{
	static const char *const choices[] = {
	    "{\"members\":{\"writein\":[\"张三\",\"李四\"]}}" };
	static const uint32_t idx[] = { 1, 2, 3 };
	struct rg_opts o;
	struct recordgen *g;
	struct count_input in;
	struct count_item *items;
	struct count_result *r;
	Tally__DecryptionShare *sh[3];
	Tally__WriteIn w = TALLY__WRITE_IN__INIT;
	struct proof_bind b;
	EC_POINT *K = group_point_new();
	char path[600];
	size_t i;
	json_t *j, *c, *wi;

	snprintf(path, sizeof(path), "%s/dup.log", dir);
	rg_opts_default(&o);
	o.manifest = "standing-committee.json";
	o.choices = choices;
	o.nchoices = 1;
	o.ncred = o.nballots = 2;
	ck_assert_int_eq(rg_build(&g, &o, path), 0);
	items = (struct count_item *)g->items;
	/* slot 1 of ballot 0 re-encrypted to "张三" (the count does not
	 * look at the proofs: ballot_verify did) */
	ck_assert_int_eq(ceremony_joint_key(K, g->tr), 0);
	memset(&b, 0, sizeof(b));
	b.election_hash = g->he;
	b.subject = g->he;
	b.subject_len = 32;
	b.contest = 0;
	b.index = 1;
	ck_assert_int_eq(writein_encrypt(&w, K, "张三", &b), 0);
	for (i = 0; i < WRITEIN_POINTS; i++) {
		memcpy(items[1].ct[1 + i], w.name[i]->a.data, 33);
		memcpy(items[1].ct[1 + i] + 33, w.name[i]->b.data, 33);
	}
	writein_clear(&w);
	input_of(&in, g);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(count_share_make(&sh[i], &in, idx[i],
		    g->s[idx[i]]), 0);
	ck_assert_int_eq(count_tally(&r, &in,
	    (const Tally__DecryptionShare *const *)sh, 3, NULL, NULL, 0), 0);
	j = json_loadb(r->json, r->jsonlen, 0, NULL);
	c = json_array_get(json_object_get(j, "contests"), 0);
	wi = json_object_get(c, "writeins");
	/* ballot 0 names 张三 twice, ballot 1 once: two votes, not three */
	ck_assert_int_eq(json_integer_value(json_object_get(wi, "张三")), 2);
	json_decref(j);
	count_result_free(r);
	for (i = 0; i < 3; i++)
		count_share_free(sh[i]);
	group_point_free(K);
	rg_free(g);
}
END_TEST

START_TEST(test_zero)
{
	static const uint32_t idx[] = { 2, 4, 5 };
	struct count_result *r;
	size_t i;

	ck_assert_uint_eq(SH[1]->n_sums, 0);
	ck_assert_uint_eq(SH[1]->n_writeins, 0);
	ck_assert_int_eq(tally(&r, idx, 3, NULL, NULL, 0), 0);
	for (i = 0; i < r->ntotals; i++)
		ck_assert_uint_eq(r->totals[i], 0);
	ck_assert_ptr_nonnull(strstr(r->json, "\"cast\":0"));
	count_result_free(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("count");
	TCase *tc = tcase_create("count"), *tz = tcase_create("zero");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_totals_known);
	tcase_add_test(tc, test_every_subset);
	tcase_add_test(tc, test_k_lowest);
	tcase_add_test(tc, test_need_dup_culprit);
	tcase_add_test(tc, test_wrong_secret);
	tcase_add_test(tc, test_share_flip_fields);
	tcase_add_test(tc, test_share_counts);
	tcase_add_test(tc, test_unmarked_name);
	tcase_add_test(tc, test_duplicate_writein_counts_once);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tz, setup_zero, teardown);
	tcase_add_test(tz, test_zero);
	suite_add_tcase(s, tz);
	return tu_run(s);
}
