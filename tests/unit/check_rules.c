/* check_rules.c: the counting rules of docs/counting.md: the ten scenarios of
 * its table, the edges of every threshold, write-ins, ties, shortfalls, the
 * settings, and the exact results.json bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "manifest.h"
#include "rules.h"

#include <jansson.h>
#include "testutil.h"
#include "util.h"

#define CONGRESS(n) "\"body\":\"congress\",\"members\":" #n
#define STANDING(n) "\"body\":\"standing_committee\",\"members\":" #n
#define CONSTITUENCY(n) "\"body\":\"constituency\",\"members\":" #n \
	",\"registered\":" #n

static struct manifest *
mkm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static struct manifest *
mkm(const char *fmt, ...)
{
	char buf[8192], err[256];
	struct manifest *m = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck_assert_msg(manifest_parse(&m, (const uint8_t *)buf, strlen(buf),
	    err, sizeof(err)) == 0, "%s: %s", buf, err);
	return m;
}

/* Options "o1".."oN" named "候选人N". */
static const char *
options(size_t n)
{
	static char buf[4096];
	size_t i, k = 0;

	for (i = 1; i <= n; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k,
		    "%s{\"id\":\"o%zu\",\"name\":\"候选人%zu\"}", i > 1 ? "," : "",
		    i, i);
	return buf;
}

static struct manifest *
election(const char *body, unsigned seats, size_t ncand, const char *extra)
{
	return mkm("{\"id\":\"v\",\"title\":\"T\",%s,\"contests\":[{\"id\":"
	    "\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":%u%s,"
	    "\"options\":[%s]}]}", body, seats, extra, options(ncand));
}

static struct manifest *
project(const char *body, unsigned choose, size_t n, const char *extra)
{
	return mkm("{\"id\":\"v\",\"title\":\"T\",%s,\"contests\":[{\"id\":"
	    "\"p\",\"kind\":\"project\",\"title\":\"P\",\"choose\":%u%s,"
	    "\"options\":[%s]}]}", body, choose, extra, options(n));
}

static struct manifest *
motion(const char *body, const char *extra)
{
	return mkm("{\"id\":\"v\",\"title\":\"T\",%s,\"contests\":[{\"id\":"
	    "\"m\",\"kind\":\"motion\",\"title\":\"M\"%s}]}", body, extra);
}

static struct rules_outcome *
run(const struct manifest *m, uint64_t present, uint64_t issued,
    uint64_t cast, const uint64_t *totals, const struct rules_writein_in *w,
    size_t nw)
{
	struct rules_input in = { present, issued, cast, totals, w, nw };
	struct rules_outcome *o = NULL;
	char err[256];

	ck_assert_msg(rules_count(&o, m, &in, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_ptr_nonnull(o);
	return o;
}

/* "o1,o2" for a list of references; write-ins by name. */
static void
expect_refs(const struct manifest *m, const struct rules_outcome *o,
    const struct rules_ref *r, size_t n, const char *want)
{
	const struct manifest_contest *c = &m->contests[0];
	const struct rules_contest *rc = &o->contests[0];
	char buf[1024] = "";
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, r[i].is_writein ? rc->writeins[r[i].index].name :
		    c->options[r[i].index].id);
	}
	ck_assert_str_eq(buf, want);
}

static void
expect(const struct manifest *m, const struct rules_outcome *o,
    enum rules_result res, const char *elected, const char *runoff,
    uint32_t seats_left)
{
	const struct rules_contest *rc = &o->contests[0];

	ck_assert_str_eq(rules_result_name(rc->result),
	    rules_result_name(res));
	expect_refs(m, o, rc->elected, rc->nelected, elected);
	expect_refs(m, o, rc->runoff, rc->nrunoff, runoff);
	ck_assert_uint_eq(rc->seats_left, seats_left);
}

/* The recorded rule of the first contest: its code and the votes needed. */
static void
expect_rule(const struct rules_outcome *o, enum rules_rule rule,
    uint64_t needed)
{
	ck_assert_msg(o->contests[0].rule == rule, "rule %s, expected %s",
	    rules_rule_name(o->contests[0].rule), rules_rule_name(rule));
	ck_assert_uint_eq(o->contests[0].threshold, needed);
}

/* ---- the table of docs/counting.md --------------------------------- */

START_TEST(test_scenario_1_elected_at_majority)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	uint64_t t[3] = { 101, 0, 0 };
	struct rules_outcome *o = run(m, 190, 190, 190, t, NULL, 0);

	ck_assert_int_eq(o->valid, 1);
	expect(m, o, RULES_ELECTED, "o1", "", 0);
	expect_rule(o, RULES_RULE_MAJORITY_MEMBERS, 101);
	ck_assert_uint_eq(o->contests[0].totals[0].abstain, 89);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_2_shortfall_below_majority)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	uint64_t t[3] = { 100, 0, 0 };
	struct rules_outcome *o = run(m, 190, 190, 190, t, NULL, 0);

	expect(m, o, RULES_SHORTFALL, "", "", 1);
	expect_rule(o, RULES_RULE_MAJORITY_MEMBERS, 101);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_3_void_cast_over_issued)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	uint64_t t[3] = { 150, 0, 0 };
	struct rules_outcome *o = run(m, 190, 190, 191, t, NULL, 0);

	ck_assert_int_eq(o->valid, 0);
	ck_assert_int_eq(o->void_reason, RULES_VOID_OVER_ISSUED);
	expect(m, o, RULES_VOID, "", "", 1);
	expect_rule(o, RULES_RULE_VOID, 0);
	rules_outcome_free(o);
	manifest_free(m);

	/* Any kind: a motion in a void round is void too. */
	m = motion(CONGRESS(200), "");
	t[0] = 190;
	o = run(m, 190, 190, 191, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_VOID);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_4_congress_quorum)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	char err[256];

	ck_assert_int_eq(rules_quorum_check(m, 130, err, sizeof(err)),
	    TALLY_ERR_QUORUM);
	ck_assert_ptr_nonnull(strstr(err, "130 present"));
	ck_assert_ptr_nonnull(strstr(err, "(134)"));
	ck_assert_int_eq(rules_quorum_check(m, 133, err, sizeof(err)),
	    TALLY_ERR_QUORUM);
	ck_assert_int_eq(rules_quorum_check(m, 134, err, sizeof(err)), 0);
	ck_assert_int_eq(rules_quorum_check(m, 201, err, sizeof(err)),
	    TALLY_ERR_INVALID_ARG);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_5_tie_at_last_seat)
{
	struct manifest *m = election(CONGRESS(201), 2, 3, "");
	uint64_t t[8] = { 150, 0, 120, 0, 120, 0 };
	struct rules_outcome *o = run(m, 201, 201, 201, t, NULL, 0);

	expect(m, o, RULES_RUNOFF_REQUIRED, "o1", "o2,o3", 1);
	expect_rule(o, RULES_RULE_MAJORITY_MEMBERS, 101);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_6_project_tie)
{
	struct manifest *m = project(CONGRESS(200), 2, 3, "");
	uint64_t t[3] = { 150, 90, 90 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	expect(m, o, RULES_RUNOFF_REQUIRED, "o1", "o2,o3", 1);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_7_standing_motion)
{
	struct manifest *m = motion(STANDING(31), "");
	uint64_t t[2] = { 16, 0 };
	struct rules_outcome *o;
	char err[256];

	ck_assert_int_eq(rules_quorum_check(m, 20, err, sizeof(err)), 0);
	o = run(m, 20, 20, 20, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_PASSED);
	expect_rule(o, RULES_RULE_MAJORITY_MEMBERS, 16);
	rules_outcome_free(o);
	t[0] = 15;
	o = run(m, 20, 20, 20, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_FAILED);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_8_standing_quorum)
{
	struct manifest *m = motion(STANDING(31), "");
	char err[256];

	ck_assert_int_eq(rules_quorum_check(m, 15, err, sizeof(err)),
	    TALLY_ERR_QUORUM);
	ck_assert_ptr_nonnull(strstr(err, "standing committee"));
	ck_assert_int_eq(rules_quorum_check(m, 16, err, sizeof(err)), 0);
	manifest_free(m);

	/* Even N: 30 members need 16 present. */
	m = motion(STANDING(30), "");
	ck_assert_int_eq(rules_quorum_check(m, 15, err, sizeof(err)),
	    TALLY_ERR_QUORUM);
	ck_assert_int_eq(rules_quorum_check(m, 16, err, sizeof(err)), 0);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_9_constituency)
{
	struct manifest *m = election(CONSTITUENCY(1000), 1, 2, "");
	uint64_t t[6] = { 261, 0, 259, 0 };
	struct rules_outcome *o;
	char err[256];

	/* No quorum to open a constituency poll. */
	ck_assert_int_eq(rules_quorum_check(m, 0, err, sizeof(err)), 0);
	o = run(m, 1000, 1000, 520, t, NULL, 0);
	ck_assert_int_eq(o->valid, 1);
	expect(m, o, RULES_ELECTED, "o1", "", 0);
	expect_rule(o, RULES_RULE_MAJORITY_CAST, 261);
	rules_outcome_free(o);

	t[0] = 260;
	o = run(m, 1000, 1000, 520, t, NULL, 0);
	expect(m, o, RULES_SHORTFALL, "", "", 1);
	rules_outcome_free(o);

	/* 500 of 1000 is not more than half: the election is void. */
	t[0] = 251;
	t[2] = 249;
	o = run(m, 1000, 1000, 500, t, NULL, 0);
	ck_assert_int_eq(o->valid, 0);
	ck_assert_int_eq(o->void_reason, RULES_VOID_TURNOUT);
	expect(m, o, RULES_VOID, "", "", 1);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_scenario_10_writein_elected)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	uint64_t t[3] = { 80, 10, 105 };
	struct rules_writein_in w[] = { { 0, "张三", 105 } };
	struct rules_outcome *o = run(m, 200, 200, 200, t, w, 1);

	expect(m, o, RULES_ELECTED, "张三", "", 0);
	ck_assert_uint_eq(o->contests[0].nwriteins, 1);
	ck_assert_uint_eq(o->contests[0].writeins[0].votes, 105);
	ck_assert_uint_eq(o->contests[0].totals[0].votes_for, 80);
	ck_assert_uint_eq(o->contests[0].totals[0].abstain, 110);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

/* ---- thresholds ------------------------------------------------------------------ */

START_TEST(test_thresholds)
{
	ck_assert_uint_eq(rules_majority(200), 101);
	ck_assert_uint_eq(rules_majority(201), 101);
	ck_assert_uint_eq(rules_majority(239), 120);
	ck_assert_uint_eq(rules_majority(1), 1);
	ck_assert_uint_eq(rules_two_thirds(31), 21);
	ck_assert_uint_eq(rules_two_thirds(30), 20);
	ck_assert_uint_eq(rules_two_thirds(200), 134);
	ck_assert_uint_eq(rules_two_thirds(3), 2);
}
END_TEST

/* The motion threshold at both sides, for odd and even N. */
START_TEST(test_motion_majority_odd_even)
{
	static const struct { const char *body; uint64_t need; } c[] = {
		{ CONGRESS(200), 101 }, { CONGRESS(201), 101 },
	};
	uint64_t t[2] = { 0, 0 };
	struct rules_outcome *o;
	struct manifest *m;
	size_t i;

	for (i = 0; i < 2; i++) {
		m = motion(c[i].body, "");
		t[0] = c[i].need;
		o = run(m, 200, 200, 200, t, NULL, 0);
		ck_assert_int_eq(o->contests[0].result, RULES_PASSED);
		rules_outcome_free(o);
		t[0] = c[i].need - 1;
		o = run(m, 200, 200, 200, t, NULL, 0);
		ck_assert_int_eq(o->contests[0].result, RULES_FAILED);
		rules_outcome_free(o);
		manifest_free(m);
	}
}
END_TEST

START_TEST(test_motion_two_thirds)
{
	struct manifest *m = motion(STANDING(31), ",\"threshold\":\"two_thirds\"");
	uint64_t t[2] = { 21, 0 };
	struct rules_outcome *o = run(m, 31, 31, 31, t, NULL, 0);

	ck_assert_int_eq(o->contests[0].result, RULES_PASSED);
	expect_rule(o, RULES_RULE_TWO_THIRDS_MEMBERS, 21);
	rules_outcome_free(o);
	t[0] = 20;
	o = run(m, 31, 31, 31, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_FAILED);
	rules_outcome_free(o);
	manifest_free(m);

	m = motion(STANDING(30), ",\"threshold\":\"two_thirds\"");
	o = run(m, 30, 30, 30, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_PASSED);
	expect_rule(o, RULES_RULE_TWO_THIRDS_MEMBERS, 20);
	rules_outcome_free(o);
	t[0] = 19;
	o = run(m, 30, 30, 30, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_FAILED);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

/* ---- elections -------------------------------------------------------------------- */

START_TEST(test_zero_ballots)
{
	struct manifest *m = mkm("{\"id\":\"v\",\"title\":\"T\","
	    CONGRESS(200) ",\"contests\":[{\"id\":\"e\",\"kind\":\"election\","
	    "\"title\":\"E\",\"seats\":1,\"options\":[{\"id\":\"a\",\"name\":"
	    "\"A\"}]},{\"id\":\"p\",\"kind\":\"project\",\"title\":\"P\","
	    "\"choose\":1,\"options\":[{\"id\":\"a\",\"name\":\"A\"}]},{\"id\":"
	    "\"m\",\"kind\":\"motion\",\"title\":\"M\"}]}");
	uint64_t t[8] = { 0 };
	struct rules_outcome *o = run(m, 200, 0, 0, t, NULL, 0);

	ck_assert_int_eq(o->valid, 1);
	ck_assert_int_eq(o->contests[0].result, RULES_SHORTFALL);
	ck_assert_uint_eq(o->contests[0].nelected, 0);
	ck_assert_uint_eq(o->contests[0].totals[0].abstain, 0);
	/* No project is chosen with no approvals at all. */
	ck_assert_int_eq(o->contests[1].result, RULES_CHOSEN);
	ck_assert_uint_eq(o->contests[1].nelected, 0);
	ck_assert_uint_eq(o->contests[1].seats_left, 1);
	ck_assert_int_eq(o->contests[2].result, RULES_FAILED);
	ck_assert_uint_eq(o->contests[2].not_voted, 200);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_all_blank)
{
	struct manifest *m = election(CONGRESS(200), 2, 3, "");
	uint64_t t[8] = { 0 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	expect(m, o, RULES_SHORTFALL, "", "", 2);
	ck_assert_uint_eq(o->contests[0].totals[2].abstain, 200);
	expect_rule(o, RULES_RULE_MAJORITY_MEMBERS, 101);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_seats_over_candidates)
{
	struct manifest *m = election(CONGRESS(200), 3, 2, ",\"writein_slots\":0");
	uint64_t t[4] = { 150, 50, 150, 50 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	/* Equal votes above the cut are no tie: both elected, 1 left. */
	expect(m, o, RULES_SHORTFALL, "o1,o2", "", 1);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_every_candidate_tied)
{
	struct manifest *m = election(CONGRESS(200), 2, 3, "");
	uint64_t t[8] = { 120, 0, 120, 0, 120, 0, 0, 0 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	/* Three eligible for two seats, all equal: nobody elected yet. */
	expect(m, o, RULES_RUNOFF_REQUIRED, "", "o1,o2,o3", 2);
	rules_outcome_free(o);

	/* Tied but under the majority: no runoff, a shortfall. */
	t[0] = t[2] = t[4] = 90;
	o = run(m, 200, 200, 200, t, NULL, 0);
	expect(m, o, RULES_SHORTFALL, "", "", 2);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

/* Ranking puts the higher first whatever the option order. */
START_TEST(test_rank_order)
{
	struct manifest *m = election(CONGRESS(200), 2, 3, ",\"writein_slots\":0");
	uint64_t t[6] = { 100, 0, 180, 0, 110, 0 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	expect(m, o, RULES_ELECTED, "o2,o3", "", 0);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_writein_equal_to_candidate)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	uint64_t t[3] = { 60, 0, 50 };
	struct rules_writein_in w[] = { { 0, "候选人1", 50 } };
	struct rules_outcome *o = run(m, 200, 200, 200, t, w, 1);

	/* Kept apart: neither 60 nor 50 is a majority of 200. */
	expect(m, o, RULES_SHORTFALL, "", "", 1);
	ck_assert_uint_eq(o->contests[0].totals[0].votes_for, 60);
	ck_assert_uint_eq(o->contests[0].nwriteins, 1);
	ck_assert_str_eq(o->contests[0].writeins[0].name, "候选人1");
	ck_assert_uint_eq(o->contests[0].writeins[0].votes, 50);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_writein_nfc_and_spaces_merge)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	uint64_t t[3] = { 10, 0, 115 };
	struct rules_writein_in w[] = {
		{ 0, "Ren\xc3\xa9", 60 },		/* precomposed é */
		{ 0, "Rene\xcc\x81", 30 },		/* e + combining acute */
		{ 0, "\xe3\x80\x80 Ren\xc3\xa9\t", 20 },	/* U+3000, tab */
		{ 0, "Rene", 5 },			/* a different name */
	};
	struct rules_outcome *o = run(m, 200, 200, 200, t, w, 4);

	ck_assert_uint_eq(o->contests[0].nwriteins, 2);
	ck_assert_str_eq(o->contests[0].writeins[0].name, "Ren\xc3\xa9");
	ck_assert_uint_eq(o->contests[0].writeins[0].votes, 110);
	ck_assert_uint_eq(o->contests[0].writeins[1].votes, 5);
	expect(m, o, RULES_ELECTED, "Ren\xc3\xa9", "", 0);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_empty_writein_counts_for_nobody)
{
	struct manifest *m = election(CONGRESS(200), 1, 1, "");
	uint64_t t[3] = { 0, 0, 150 };
	/* Unmarked slots may come with empty names too: ignored. */
	struct rules_writein_in w[] = { { 0, "", 150 }, { 0, "  ", 50 } };
	struct rules_outcome *o = run(m, 200, 200, 200, t, w, 2);

	expect(m, o, RULES_SHORTFALL, "", "", 1);
	ck_assert_uint_eq(o->contests[0].nwriteins, 0);
	rules_outcome_free(o);
	manifest_free(m);

	/* Shown as "" when void_empty_writein is false, never electable. */
	m = election(CONGRESS(200), 1, 1, ",\"void_empty_writein\":false");
	o = run(m, 200, 200, 200, t, w, 2);
	expect(m, o, RULES_SHORTFALL, "", "", 1);
	ck_assert_uint_eq(o->contests[0].nwriteins, 1);
	ck_assert_str_eq(o->contests[0].writeins[0].name, "");
	ck_assert_uint_eq(o->contests[0].writeins[0].votes, 150);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_writein_tie_with_candidate)
{
	struct manifest *m = election(CONGRESS(200), 2, 1, "");
	uint64_t t[4] = { 101, 0, 101, 101 };
	struct rules_writein_in w[] = { { 0, "李四", 101 }, { 0, "张三", 101 } };
	struct rules_outcome *o = run(m, 200, 200, 200, t, w, 2);

	/* Candidates before write-ins, write-ins by name bytes. */
	expect(m, o, RULES_RUNOFF_REQUIRED, "", "o1,张三,李四", 2);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_constituency_another_round)
{
	struct manifest *m = election(CONSTITUENCY(1000), 1, 2,
	    ",\"another_round\":true");
	uint64_t t[5] = { 250, 0, 200, 0, 0 };
	struct rules_outcome *o = run(m, 1000, 1000, 600, t, NULL, 0);

	/* Most votes, at least a third of 600 (200): 250 wins. */
	expect(m, o, RULES_ELECTED, "o1", "", 0);
	expect_rule(o, RULES_RULE_FRACTION_CAST, 200);
	rules_outcome_free(o);

	t[0] = 199;
	t[2] = 150;
	o = run(m, 1000, 1000, 600, t, NULL, 0);
	expect(m, o, RULES_SHORTFALL, "", "", 1);
	rules_outcome_free(o);

	t[0] = 200;
	t[2] = 200;
	o = run(m, 1000, 1000, 600, t, NULL, 0);
	expect(m, o, RULES_RUNOFF_REQUIRED, "", "o1,o2", 1);
	rules_outcome_free(o);
	manifest_free(m);

	/* A stricter fraction from the vote-wide rules. */
	m = mkm("{\"id\":\"v\",\"title\":\"T\"," CONSTITUENCY(1000) ",\"rules\""
	    ":{\"runoff_min_fraction\":\"2/5\",\"another_round\":true},"
	    "\"contests\":[{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\","
	    "\"seats\":1,\"options\":[%s]}]}", options(2));
	t[0] = 239;
	t[2] = 100;
	o = run(m, 1000, 1000, 600, t, NULL, 0);
	expect(m, o, RULES_SHORTFALL, "", "", 1);
	expect_rule(o, RULES_RULE_FRACTION_CAST, 240);
	rules_outcome_free(o);
	t[0] = 240;
	o = run(m, 1000, 1000, 600, t, NULL, 0);
	expect(m, o, RULES_ELECTED, "o1", "", 0);
	rules_outcome_free(o);
	manifest_free(m);

	/* Outside a constituency another round keeps the majority. */
	m = election(CONGRESS(200), 1, 2, ",\"another_round\":true");
	t[0] = 100;
	t[2] = 10;
	o = run(m, 200, 200, 200, t, NULL, 0);
	expect(m, o, RULES_SHORTFALL, "", "", 1);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

/* ---- projects ------------------------------------------------------------------------ */

START_TEST(test_project_for_against)
{
	struct manifest *m = project(CONGRESS(200), 2, 4,
	    ",\"mode\":\"for_against\"");
	uint64_t t[8] = { 150, 10, 120, 50, 105, 80, 20, 100 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	/* Three pass the majority (101), the two with most for are chosen. */
	expect(m, o, RULES_CHOSEN, "o1,o2", "", 0);
	ck_assert_uint_eq(o->contests[0].totals[3].abstain, 80);
	expect_rule(o, RULES_RULE_MAJORITY_MEMBERS, 101);
	rules_outcome_free(o);

	t[2] = 100;
	t[4] = 100;
	o = run(m, 200, 200, 200, t, NULL, 0);
	expect(m, o, RULES_CHOSEN, "o1", "", 1);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_project_tie_presidium)
{
	struct manifest *m = project(CONGRESS(200), 2, 3,
	    ",\"tie\":\"presidium\"");
	uint64_t t[3] = { 150, 90, 90 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	expect(m, o, RULES_CHOSEN, "o1", "", 1);
	expect_refs(m, o, o->contests[0].undecided, o->contests[0].nundecided,
	    "o2,o3");
	expect_rule(o, RULES_RULE_MOST, 1);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_project_require_majority)
{
	struct manifest *m = project(CONGRESS(200), 2, 3,
	    ",\"require_majority\":true");
	uint64_t t[3] = { 150, 100, 90 };
	struct rules_outcome *o = run(m, 200, 200, 200, t, NULL, 0);

	expect(m, o, RULES_CHOSEN, "o1", "", 1);
	rules_outcome_free(o);
	manifest_free(m);

	m = project(CONGRESS(200), 2, 3, "");
	o = run(m, 200, 200, 200, t, NULL, 0);
	expect(m, o, RULES_CHOSEN, "o1,o2", "", 0);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

/* ---- impossible totals --------------------------------------------------------------- */

START_TEST(test_impossible_totals)
{
	struct manifest *m = election(CONGRESS(200), 1, 2, "");
	uint64_t t[5] = { 150, 60, 0, 0, 0 };
	struct rules_input in = { 200, 200, 200, t, NULL, 0 };
	struct rules_writein_in w[] = { { 0, "张三", 2 } };
	struct rules_outcome *o = NULL;
	char err[256];

	/* for + against over the ballots. */
	ck_assert_int_eq(rules_count(&o, m, &in, err, sizeof(err)),
	    TALLY_ERR_RULES);
	ck_assert_ptr_null(o);
	ck_assert_ptr_nonnull(strstr(err, "constraint"));
	/* Two for under one seat for more ballots than exist. */
	t[0] = 150;
	t[1] = 0;
	t[2] = 60;
	ck_assert_int_eq(rules_count(&o, m, &in, err, sizeof(err)),
	    TALLY_ERR_RULES);
	/* One selection over the ballots. */
	t[0] = 201;
	t[2] = 0;
	ck_assert_int_eq(rules_count(&o, m, &in, err, sizeof(err)),
	    TALLY_ERR_RULES);
	/* More names than marked write-in slots. */
	t[0] = 0;
	t[4] = 1;
	in.writeins = w;
	in.nwriteins = 1;
	ck_assert_int_eq(rules_count(&o, m, &in, err, sizeof(err)),
	    TALLY_ERR_RULES);
	ck_assert_ptr_nonnull(strstr(err, "write-in"));
	/* A write-in for a contest that has none. */
	w[0].contest = 1;
	ck_assert_int_eq(rules_count(&o, m, &in, err, sizeof(err)),
	    TALLY_ERR_INVALID_ARG);
	w[0].contest = 0;
	w[0].name = "\xc3\x28";
	t[4] = 2;
	ck_assert_int_eq(rules_count(&o, m, &in, err, sizeof(err)),
	    TALLY_ERR_INVALID_ARG);
	manifest_free(m);
}
END_TEST

/* ---- results.json ---------------------------------------------------------------------- */

static char *
to_json(const struct manifest *m, const struct rules_outcome *o)
{
	char *j = NULL;
	size_t len = 0;

	ck_assert_int_eq(rules_outcome_to_json(m, o, &j, &len), 0);
	ck_assert_uint_eq(len, strlen(j));
	return j;
}

START_TEST(test_json_design_example)
{
	char *j;
	struct manifest *m = tu_load_manifest("district-head.json");
	uint64_t t[3] = { 230, 5, 0 };
	struct rules_writein_in w[] = { { 0, "张三", 0 } };
	struct rules_outcome *o;

	o = run(m, 239, 239, 239, t, w, 1);
	j = to_json(m, o);
	ck_assert_str_eq(j, "{\"vote\":\"s6-head\",\"valid\":true,"
	    "\"void_reason\":null,\"members\":239,\"present\":239,\"issued\":239,"
	    "\"cast\":239,\"valid_ballots\":239,\"invalid_ballots\":0,"
	    "\"contests\":[{\"id\":\"head\",\"kind\":\"election\",\"seats\":1,"
	    "\"totals\":{\"c1\":{\"for\":230,\"against\":5,\"abstain\":4}},"
	    "\"writeins\":{\"张三\":0},\"outcome\":\"elected\",\"elected\":"
	    "[\"c1\"],\"runoff\":[],\"seats_left\":0,\"rule\":"
	    "\"majority-of-members\",\"needed\":120}]}");
	free(j);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

START_TEST(test_json_kinds_and_not_voted)
{
	struct manifest *m = mkm("{\"id\":\"v\",\"title\":\"T\","
	    CONGRESS(200) ",\"contests\":[{\"id\":\"p\",\"kind\":\"project\","
	    "\"title\":\"P\",\"choose\":1,\"tie\":\"presidium\",\"options\":"
	    "[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":\"B\"}]},"
	    "{\"id\":\"m\",\"kind\":\"motion\",\"title\":\"M\"},{\"id\":\"n\","
	    "\"kind\":\"motion\",\"title\":\"N\",\"threshold\":\"two_thirds\","
	    "\"show_not_voted\":false}]}");
	uint64_t t[6] = { 90, 90, 150, 20, 150, 20 };
	struct rules_outcome *o = run(m, 200, 195, 190, t, NULL, 0);
	char *j = to_json(m, o), *j2;

	ck_assert_str_eq(j, "{\"vote\":\"v\",\"valid\":true,\"void_reason\":"
	    "null,\"members\":200,\"present\":200,\"issued\":195,\"cast\":190,"
	    "\"valid_ballots\":190,\"invalid_ballots\":0,\"contests\":["
	    "{\"id\":\"p\",\"kind\":\"project\",\"choose\":1,\"mode\":"
	    "\"approve\",\"totals\":{\"a\":{\"approve\":90},\"b\":{\"approve\":"
	    "90}},\"outcome\":\"chosen\",\"elected\":[],\"runoff\":[],"
	    "\"undecided\":[\"a\",\"b\"],\"seats_left\":1,\"rule\":\"most\","
	    "\"needed\":1},"
	    "{\"id\":\"m\",\"kind\":\"motion\",\"threshold\":\"majority\","
	    "\"totals\":{\"m\":{\"for\":150,\"against\":20,\"abstain\":20}},"
	    "\"not_voted\":10,\"outcome\":\"passed\",\"elected\":[],\"runoff\":"
	    "[],\"seats_left\":0,\"rule\":\"majority-of-members\","
	    "\"needed\":101},"
	    "{\"id\":\"n\",\"kind\":\"motion\",\"threshold\":\"two_thirds\","
	    "\"totals\":{\"n\":{\"for\":150,\"against\":20,\"abstain\":20}},"
	    "\"outcome\":\"passed\",\"elected\":[],\"runoff\":[],\"seats_left\":"
	    "0,\"rule\":\"two-thirds-of-members\",\"needed\":134}]}");
	/* Deterministic: the same outcome gives the same bytes. */
	j2 = to_json(m, o);
	ck_assert_str_eq(j, j2);
	free(j);
	free(j2);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

/* docs/rules.md "Corner cases, settled". */
START_TEST(test_corner_cases)
{
	struct manifest *m = motion(CONGRESS(239), "");
	uint64_t t[2] = { 120, 0 }, te[6] = { 130, 0, 1, 0, 2, 0 };
	struct rules_writein_in w[] = { { 0, "张三", 2 } };
	struct rules_outcome *o = run(m, 239, 239, 239, t, NULL, 0);

	/* exactly needed passes (>=); a motion elects nobody */
	ck_assert_int_eq(o->contests[0].result, RULES_PASSED);
	ck_assert_uint_eq(o->contests[0].threshold, 120);
	ck_assert_uint_eq(o->contests[0].nelected, 0);
	rules_outcome_free(o);
	t[0] = 119;
	o = run(m, 239, 239, 239, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_FAILED);
	rules_outcome_free(o);
	/* a void motion: seats_left 0, not_voted 0 */
	o = run(m, 239, 200, 201, t, NULL, 0);
	ck_assert_int_eq(o->contests[0].result, RULES_VOID);
	ck_assert_uint_eq(o->contests[0].seats_left, 0);
	ck_assert_uint_eq(o->contests[0].not_voted, 0);
	ck_assert_uint_eq(o->contests[0].threshold, 0);
	rules_outcome_free(o);
	manifest_free(m);
	/* a void election still lists its write-ins, elects nobody, all
	 * seats left */
	m = election(CONGRESS(239), 2, 2, "");
	o = run(m, 239, 200, 201, te, w, 1);
	ck_assert_int_eq(o->contests[0].result, RULES_VOID);
	ck_assert_uint_eq(o->contests[0].seats_left, 2);
	ck_assert_uint_eq(o->contests[0].nelected, 0);
	ck_assert_uint_eq(o->contests[0].nwriteins, 1);
	ck_assert_str_eq(o->contests[0].writeins[0].name, "张三");
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

/* docs/RECORD.md §1: the escaping of results.json, byte for byte. */
START_TEST(test_json_escaping)
{
	static const char in[] = "\"\\/\x01\x1f\x7f\b\f\n\r\t\xe2\x80\xa8\xc3\xa9";
	static const uint8_t want[] = { 0x22, 0x5c, 0x22, 0x5c, 0x5c, 0x2f,
	    0x5c, 0x75, 0x30, 0x30, 0x30, 0x31, 0x5c, 0x75, 0x30, 0x30, 0x31,
	    0x46, 0x7f, 0x5c, 0x62, 0x5c, 0x66, 0x5c, 0x6e, 0x5c, 0x72, 0x5c,
	    0x74, 0xe2, 0x80, 0xa8, 0xc3, 0xa9, 0x22 };
	json_t *j = json_string(in);
	char *out;

	ck_assert_ptr_nonnull(j);
	out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), sizeof(want));
	ck_assert_mem_eq(out, want, sizeof(want));
	free(out);
	json_decref(j);
}
END_TEST

START_TEST(test_json_void)
{
	struct manifest *m = election(CONSTITUENCY(1000), 1, 1,
	    ",\"writein_slots\":0");
	uint64_t t[2] = { 400, 0 };
	struct rules_outcome *o = run(m, 1000, 1000, 400, t, NULL, 0);
	char *j = to_json(m, o);

	ck_assert_ptr_nonnull(strstr(j, "\"valid\":false,\"void_reason\":"
	    "\"turnout\",\"members\":1000,\"registered\":1000,"));
	ck_assert_ptr_nonnull(strstr(j, "\"outcome\":\"void\""));
	ck_assert_ptr_nonnull(strstr(j, "\"writeins\":{}"));
	free(j);
	rules_outcome_free(o);
	manifest_free(m);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("table");
	TCase *te = tcase_create("edges");

	tcase_add_test(tc, test_scenario_1_elected_at_majority);
	tcase_add_test(tc, test_scenario_2_shortfall_below_majority);
	tcase_add_test(tc, test_scenario_3_void_cast_over_issued);
	tcase_add_test(tc, test_scenario_4_congress_quorum);
	tcase_add_test(tc, test_scenario_5_tie_at_last_seat);
	tcase_add_test(tc, test_scenario_6_project_tie);
	tcase_add_test(tc, test_scenario_7_standing_motion);
	tcase_add_test(tc, test_scenario_8_standing_quorum);
	tcase_add_test(tc, test_scenario_9_constituency);
	tcase_add_test(tc, test_scenario_10_writein_elected);
	suite_add_tcase(s, tc);

	tcase_add_test(te, test_thresholds);
	tcase_add_test(te, test_motion_majority_odd_even);
	tcase_add_test(te, test_motion_two_thirds);
	tcase_add_test(te, test_zero_ballots);
	tcase_add_test(te, test_all_blank);
	tcase_add_test(te, test_seats_over_candidates);
	tcase_add_test(te, test_every_candidate_tied);
	tcase_add_test(te, test_rank_order);
	tcase_add_test(te, test_writein_equal_to_candidate);
	tcase_add_test(te, test_writein_nfc_and_spaces_merge);
	tcase_add_test(te, test_empty_writein_counts_for_nobody);
	tcase_add_test(te, test_writein_tie_with_candidate);
	tcase_add_test(te, test_constituency_another_round);
	tcase_add_test(te, test_project_for_against);
	tcase_add_test(te, test_project_tie_presidium);
	tcase_add_test(te, test_project_require_majority);
	tcase_add_test(te, test_impossible_totals);
	tcase_add_test(te, test_json_design_example);
	tcase_add_test(te, test_json_kinds_and_not_voted);
	tcase_add_test(te, test_json_void);
	tcase_add_test(te, test_json_escaping);
	tcase_add_test(te, test_corner_cases);
	suite_add_tcase(s, te);
	return s;
}

int
main(void)
{
	return tu_run(rules_suite());
}
