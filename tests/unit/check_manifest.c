/* check_manifest.c: manifest parsing, compilation (docs/design.md §5) and the
 * mapping of ballot choices to marks, with every refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "manifest.h"
#include "testutil.h"
#include "util.h"

static int
parse_str(const char *json, struct manifest **m, char *err, size_t errlen)
{
	return manifest_parse(m, (const uint8_t *)json, strlen(json), err,
	    errlen);
}

/* A one-contest vote around the contest JSON c. */
static int
parse_contest(const char *c, char *err, size_t errlen)
{
	size_t cap = strlen(c) + 128;
	char *buf = calloc(1, cap);
	struct manifest *m = NULL;
	int r;

	ck_assert_ptr_nonnull(buf);
	snprintf(buf, cap, "{\"id\":\"v\",\"title\":\"T\",\"body\":"
	    "\"congress\",\"members\":10,\"contests\":[%s]}", c);
	r = parse_str(buf, &m, err, errlen);
	free(buf);
	if (r == 0)
		ck_assert_ptr_nonnull(m);
	else
		ck_assert_ptr_null(m);
	manifest_free(m);
	return r;
}

#define ELECTION(extra) "{\"id\":\"e\",\"kind\":\"election\",\"title\":" \
	"\"E\",\"seats\":1,\"options\":[{\"id\":\"a\",\"name\":\"A\"}]" extra "}"

START_TEST(test_design_example)
{
	struct manifest *m = tu_load_manifest("session.json");
	const struct manifest_contest *c;

	ck_assert_str_eq(m->id, "s6-session");
	ck_assert_int_eq(m->body, MANIFEST_BODY_CONGRESS);
	ck_assert_uint_eq(m->members, 239);
	ck_assert_uint_eq(m->ncontests, 3);
	ck_assert_uint_eq(m->nsel, 3 + 15 + 2);
	ck_assert_uint_eq(m->ncon, 2 + 1 + 1);
	ck_assert_uint_eq(m->nwriteins, 1);
	c = &m->contests[0];
	ck_assert_uint_eq(c->sel_first, 0);
	ck_assert_uint_eq(c->nsel, 3);
	ck_assert_int_eq(m->sel[0].mark, MANIFEST_MARK_FOR);
	ck_assert_int_eq(m->sel[1].mark, MANIFEST_MARK_AGAINST);
	ck_assert_int_eq(m->sel[2].mark, MANIFEST_MARK_WRITEIN);
	ck_assert_uint_eq(m->con[0].nsel, 2);
	ck_assert_uint_eq(m->con[0].sel[0], 0);
	ck_assert_uint_eq(m->con[0].sel[1], 1);
	ck_assert_uint_eq(m->con[0].max, 1);
	ck_assert_uint_eq(m->con[1].nsel, 2);
	ck_assert_uint_eq(m->con[1].sel[0], 0);
	ck_assert_uint_eq(m->con[1].sel[1], 2);
	ck_assert_uint_eq(m->con[1].max, 1);
	c = manifest_contest_find(m, "projects");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->sel_first, 3);
	ck_assert_uint_eq(c->seats, 10);
	ck_assert_int_eq(c->mode, MANIFEST_MODE_APPROVE);
	ck_assert_uint_eq(m->con[2].nsel, 15);
	ck_assert_uint_eq(m->con[2].max, 10);
	ck_assert_uint_eq(m->con[2].contest, 1);
	ck_assert_int_eq(m->sel[3].mark, MANIFEST_MARK_APPROVE);
	ck_assert_uint_eq(m->sel[17].index, 14);
	c = manifest_contest_find(m, "budget");
	ck_assert_uint_eq(c->sel_first, 18);
	ck_assert_uint_eq(m->con[3].sel[0], 18);
	ck_assert_uint_eq(m->con[3].sel[1], 19);
	ck_assert_uint_eq(m->con[3].max, 1);
	ck_assert_int_eq(c->rules.show_not_voted, 1);
	ck_assert_int_eq(manifest_selection_index(m, 2, 0,
	    MANIFEST_MARK_AGAINST), 19);
	ck_assert_int_eq(manifest_selection_index(m, 2, 0,
	    MANIFEST_MARK_WRITEIN), -1);
	ck_assert_ptr_null(manifest_contest_find(m, "nope"));
	manifest_free(m);
}
END_TEST

START_TEST(test_fixtures)
{
	struct manifest *m;

	m = tu_load_manifest("district-head.json");
	ck_assert_uint_eq(m->nsel, 3);
	ck_assert_uint_eq(m->ncon, 2);
	manifest_free(m);

	/* 差额: 6 candidates for 5 seats, write-in slots default to seats. */
	m = tu_load_manifest("standing-committee.json");
	ck_assert_uint_eq(m->contests[0].writein_slots, 5);
	ck_assert_uint_eq(m->nsel, 12 + 5);
	ck_assert_uint_eq(m->ncon, 6 + 1);
	ck_assert_uint_eq(m->con[6].nsel, 6 + 5);
	ck_assert_uint_eq(m->con[6].max, 5);
	ck_assert_int_eq(m->sel[10].mark, MANIFEST_MARK_FOR);
	ck_assert_uint_eq(m->sel[10].index, 5);
	ck_assert_int_eq(m->sel[16].mark, MANIFEST_MARK_WRITEIN);
	ck_assert_uint_eq(m->sel[16].index, 4);
	manifest_free(m);

	m = tu_load_manifest("projects.json");
	ck_assert_uint_eq(m->nsel, 15);
	ck_assert_uint_eq(m->ncon, 1);
	manifest_free(m);

	m = tu_load_manifest("budget-motion.json");
	ck_assert_uint_eq(m->nsel, 2);
	ck_assert_uint_eq(m->ncon, 1);
	ck_assert_int_eq(m->sel[0].mark, MANIFEST_MARK_FOR);
	manifest_free(m);
}
END_TEST

START_TEST(test_for_against_project)
{
	char err[256];
	struct manifest *m = NULL;
	const char *j = "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\","
	    "\"members\":10,\"contests\":[{\"id\":\"p\",\"kind\":\"project\","
	    "\"title\":\"P\",\"choose\":2,\"mode\":\"for_against\",\"tie\":"
	    "\"presidium\",\"options\":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":"
	    "\"b\",\"name\":\"B\"},{\"id\":\"c\",\"name\":\"C\"}]}]}";

	ck_assert_int_eq(parse_str(j, &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m->nsel, 6);
	ck_assert_uint_eq(m->ncon, 4);
	ck_assert_uint_eq(m->con[3].nsel, 3);
	ck_assert_uint_eq(m->con[3].sel[0], 0);
	ck_assert_uint_eq(m->con[3].sel[1], 2);
	ck_assert_uint_eq(m->con[3].sel[2], 4);
	ck_assert_uint_eq(m->con[3].max, 2);
	ck_assert_int_eq(m->contests[0].rules.tie, MANIFEST_TIE_PRESIDIUM);
	ck_assert_uint_eq(m->contests[0].writein_slots, 0);
	manifest_free(m);
}
END_TEST

START_TEST(test_settings)
{
	char err[256];
	struct manifest *m = NULL;
	const char *j = "{\"id\":\"v\",\"title\":\"T\",\"body\":\"constituency\","
	    "\"members\":1000,\"registered\":1000,\"rules\":{\"threshold\":"
	    "\"two_thirds\",\"runoff_min_fraction\":\"2/5\",\"show_not_voted\""
	    ":false},\"contests\":[{\"id\":\"m1\",\"kind\":\"motion\","
	    "\"title\":\"M\"},{\"id\":\"m2\",\"kind\":\"motion\",\"title\":"
	    "\"M2\",\"threshold\":\"majority\",\"show_not_voted\":true},"
	    ELECTION(",\"writein_slots\":0,\"another_round\":true") "]}";

	ck_assert_msg(parse_str(j, &m, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(m->registered, 1000);
	/* A motion without options is about itself. */
	ck_assert_uint_eq(m->contests[0].noptions, 1);
	ck_assert_str_eq(m->contests[0].options[0].id, "m1");
	ck_assert_str_eq(m->contests[0].options[0].name, "M");
	ck_assert_int_eq(m->contests[0].rules.threshold,
	    MANIFEST_THRESHOLD_TWO_THIRDS);
	ck_assert_int_eq(m->contests[0].rules.show_not_voted, 0);
	ck_assert_int_eq(m->contests[1].rules.threshold,
	    MANIFEST_THRESHOLD_MAJORITY);
	ck_assert_int_eq(m->contests[1].rules.show_not_voted, 1);
	ck_assert_uint_eq(m->contests[2].writein_slots, 0);
	ck_assert_uint_eq(m->contests[2].nsel, 2);
	ck_assert_uint_eq(m->contests[2].rules.runoff_min_num, 2);
	ck_assert_uint_eq(m->contests[2].rules.runoff_min_den, 5);
	ck_assert_int_eq(m->contests[2].rules.another_round, 1);
	ck_assert_int_eq(m->contests[2].rules.void_empty_writein, 1);
	manifest_free(m);
}
END_TEST

struct bad {
	const char *json;	/* a contest, or a whole manifest when '{"id":"v"' */
	const char *needle;	/* in the error message */
};

#define TOP(s) "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\"," \
	"\"members\":10,\"contests\":[" ELECTION("") "]" s "}"

static const struct bad bad_contests[] = {
	{ "{\"id\":\"e\",\"kind\":\"poll\",\"title\":\"E\",\"options\":[]}",
	  "unknown kind" },
	{ "{\"id\":\"e\",\"title\":\"E\",\"options\":[]}", "missing \"kind\"" },
	{ ELECTION(",\"colour\":1"), "unknown key \"colour\"" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":0,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}", "\"seats\" is 0" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":-1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}", "\"seats\" is -1" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1.5,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}",
	  "\"seats\" must be an integer" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\","
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}", "missing \"seats\"" },
	{ ELECTION(",\"writein_slots\":2"), "\"writein_slots\" is 2" },
	{ "{\"id\":\"p\",\"kind\":\"project\",\"title\":\"P\",\"choose\":2,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}", "\"choose\" is 2" },
	{ "{\"id\":\"p\",\"kind\":\"project\",\"title\":\"P\",\"choose\":0,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}", "\"choose\" is 0" },
	{ "{\"id\":\"p\",\"kind\":\"project\",\"title\":\"P\",\"choose\":1,"
	  "\"mode\":\"rank\",\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}",
	  "\"mode\" must be" },
	{ "{\"id\":\"p\",\"kind\":\"project\",\"title\":\"P\",\"choose\":1,"
	  "\"seats\":1,\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}",
	  "unknown key \"seats\"" },
	{ "{\"id\":\"m\",\"kind\":\"motion\",\"title\":\"M\",\"threshold\":"
	  "\"most\"}", "\"threshold\" must be" },
	{ "{\"id\":\"m\",\"kind\":\"motion\",\"title\":\"M\",\"tie\":"
	  "\"runoff\"}", "unknown key \"tie\"" },
	{ "{\"id\":\"m\",\"kind\":\"motion\",\"title\":\"M\",\"options\":["
	  "{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":\"B\"}]}",
	  "exactly one option" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"a\",\"name\":"
	  "\"B\"}]}", "duplicate option id \"a\"" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":"
	  "\" A \"}]}", "same name" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"\\u3000\"}]}", "blank name" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}", "missing \"title\"" },
	{ "{\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\"}]}", "missing \"id\"" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\"}]}", "missing \"name\"" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":7}]}", "must be a string" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"A\",\"name\":\"A\"}]}", "characters other" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"\",\"name\":\"A\"}]}", "empty id" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\\nB\"}]}",
	  "control character" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[{\"id\":\"a\",\"name\":\"A\",\"x\":1}]}",
	  "unknown key \"x\"" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[]}", "no options" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":{}}", "\"options\" must be an array" },
	{ "{\"id\":\"e\",\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	  "\"options\":[3]}", "must be an object" },
	{ "[]", "must be an object" },
	{ ELECTION(",\"runoff_min_fraction\":\"1/0\""), "fraction" },
	{ ELECTION(",\"runoff_min_fraction\":\"4/3\""), "fraction" },
	{ ELECTION(",\"runoff_min_fraction\":\"1/3x\""), "fraction" },
	{ ELECTION(",\"runoff_min_fraction\":0.33"), "fraction" },
	{ ELECTION(",\"void_empty_writein\":\"yes\""), "true or false" },
	{ ELECTION(",\"another_round\":1"), "true or false" },
};

static const struct bad bad_tops[] = {
	{ TOP(",\"colour\":1"), "unknown key \"colour\"" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\",\"members\":0,"
	  "\"contests\":[" ELECTION("") "]}", "\"members\" is 0" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\",\"members\":"
	  "\"10\",\"contests\":[" ELECTION("") "]}",
	  "\"members\" must be an integer" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\","
	  "\"contests\":[" ELECTION("") "]}", "missing \"members\"" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"senate\",\"members\":10,"
	  "\"contests\":[" ELECTION("") "]}", "\"body\" must be" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"members\":10,"
	  "\"contests\":[" ELECTION("") "]}", "missing \"body\"" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"constituency\","
	  "\"members\":10,\"contests\":[" ELECTION("") "]}",
	  "missing \"registered\"" },
	{ TOP(",\"registered\":10"), "only for a constituency" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\",\"members\":10,"
	  "\"contests\":[]}", "no contests" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\",\"members\":10}",
	  "missing \"contests\"" },
	{ "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\",\"members\":10,"
	  "\"contests\":[" ELECTION("") "," ELECTION("") "]}",
	  "duplicate contest id \"e\"" },
	{ "{\"title\":\"T\",\"body\":\"congress\",\"members\":10,"
	  "\"contests\":[" ELECTION("") "]}", "missing \"id\"" },
	{ "{\"id\":\"v\",\"body\":\"congress\",\"members\":10,"
	  "\"contests\":[" ELECTION("") "]}", "missing \"title\"" },
	{ "{\"id\":\"v\",\"title\":\"\",\"body\":\"congress\",\"members\":10,"
	  "\"contests\":[" ELECTION("") "]}", "empty" },
	{ TOP(",\"rules\":{\"tie\":\"coin\"}"), "\"tie\" must be" },
	{ TOP(",\"rules\":{\"quorum\":3}"), "unknown key \"quorum\"" },
	{ TOP(",\"rules\":[]"), "\"rules\" must be an object" },
	{ TOP("") " x", "bad JSON" },
	{ TOP("") "{}", "bad JSON" },
	{ "{\"id\":\"v\",\"id\":\"w\"}", "bad JSON" },
	{ "{\"id\":\"v\"", "bad JSON" },
	{ "\"v\"", "bad JSON" },
	{ "", "bad JSON" },
	{ "{\"id\":\"v\\u0000\"}", "bad JSON" },
};

START_TEST(test_bad_contest)
{
	char err[256];
	const struct bad *b = &bad_contests[_i];

	ck_assert_int_eq(parse_contest(b->json, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_msg(strstr(err, b->needle) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, err, b->needle);
}
END_TEST

START_TEST(test_bad_top)
{
	char err[256];
	struct manifest *m = NULL;
	const struct bad *b = &bad_tops[_i];

	ck_assert_int_eq(parse_str(b->json, &m, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err, b->needle) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, err, b->needle);
}
END_TEST

START_TEST(test_invalid_utf8)
{
	char err[256];
	struct manifest *m = NULL;
	const char j[] = "{\"id\":\"v\",\"title\":\"\xc3\x28\"}";

	ck_assert_int_eq(parse_str(j, &m, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_ptr_nonnull(strstr(err, "bad JSON"));
}
END_TEST

/* Every limit: the largest allowed passes, one more is refused. */
START_TEST(test_limits)
{
	char err[256], id[MANIFEST_ID_MAX + 2], name[MANIFEST_TEXT_MAX + 2];
	char *buf, *p;
	size_t cap = 1 << 20, i;
	struct manifest *m = NULL;

	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	buf = calloc(1, cap);
	ck_assert_ptr_nonnull(buf);

	/* id of 64 bytes passes, 65 is refused. */
	id[MANIFEST_ID_MAX] = '\0';
	snprintf(buf, cap, "{\"id\":\"%s\",\"kind\":\"motion\",\"title\":\"M\"}",
	    id);
	ck_assert_int_eq(parse_contest(buf, err, sizeof(err)), 0);
	id[MANIFEST_ID_MAX] = 'a';
	snprintf(buf, cap, "{\"id\":\"%s\",\"kind\":\"motion\",\"title\":\"M\"}",
	    id);
	ck_assert_int_eq(parse_contest(buf, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_ptr_nonnull(strstr(err, "longer than 64"));

	name[MANIFEST_TEXT_MAX] = '\0';
	snprintf(buf, cap, "{\"id\":\"m\",\"kind\":\"motion\",\"title\":\"%s\"}",
	    name);
	ck_assert_int_eq(parse_contest(buf, err, sizeof(err)), 0);
	name[MANIFEST_TEXT_MAX] = 'n';
	snprintf(buf, cap, "{\"id\":\"m\",\"kind\":\"motion\",\"title\":\"%s\"}",
	    name);
	ck_assert_int_eq(parse_contest(buf, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_ptr_nonnull(strstr(err, "longer than 256"));

	/* 257 options. */
	p = buf + sprintf(buf, "{\"id\":\"p\",\"kind\":\"project\",\"title\":"
	    "\"P\",\"choose\":1,\"options\":[");
	for (i = 0; i <= MANIFEST_OPTIONS_MAX; i++)
		p += sprintf(p, "%s{\"id\":\"o%zu\",\"name\":\"N%zu\"}",
		    i ? "," : "", i, i);
	strcpy(p, "]}");
	ck_assert_int_eq(parse_contest(buf, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_ptr_nonnull(strstr(err, "more than 256 options"));

	/* 65 contests. */
	p = buf + sprintf(buf, "{\"id\":\"v\",\"title\":\"T\",\"body\":"
	    "\"congress\",\"members\":10,\"contests\":[");
	for (i = 0; i <= MANIFEST_CONTESTS_MAX; i++)
		p += sprintf(p, "%s{\"id\":\"m%zu\",\"kind\":\"motion\","
		    "\"title\":\"M\"}", i ? "," : "", i);
	strcpy(p, "]}");
	ck_assert_int_eq(parse_str(buf, &m, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_ptr_nonnull(strstr(err, "more than 64 contests"));

	/* members over the cap. */
	snprintf(buf, cap, "{\"id\":\"v\",\"title\":\"T\",\"body\":"
	    "\"congress\",\"members\":10000001,\"contests\":["
	    ELECTION("") "]}");
	ck_assert_int_eq(parse_str(buf, &m, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);

	/* Oversized input. */
	ck_assert_int_eq(manifest_parse(&m, (const uint8_t *)buf,
	    MANIFEST_JSON_MAX + 1, err, sizeof(err)), TALLY_ERR_TOO_LARGE);
	free(buf);
}
END_TEST

/* The cap on selections over the whole vote (MANIFEST_SELECTIONS_MAX). */
START_TEST(test_selection_cap)
{
	char err[256], *buf = calloc(1, 1 << 20), *p;
	struct manifest *m = NULL;
	size_t i;
	int seats;

	ck_assert_ptr_nonnull(buf);
	for (seats = 3; seats <= 5; seats += 2) {
		p = buf + sprintf(buf, "{\"id\":\"v\",\"title\":\"T\",\"body\":"
		    "\"congress\",\"members\":10,\"contests\":[");
		for (i = 0; i < MANIFEST_CONTESTS_MAX; i++)
			p += sprintf(p, "%s{\"id\":\"e%zu\",\"kind\":\"election\""
			    ",\"title\":\"E\",\"seats\":%d,\"options\":["
			    "{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":"
			    "\"B\"},{\"id\":\"c\",\"name\":\"C\"},{\"id\":\"d\","
			    "\"name\":\"D\"},{\"id\":\"e\",\"name\":\"E\"}]}",
			    i ? "," : "", i, seats);
		strcpy(p, "]}");
		if (seats == 3) {
			ck_assert_msg(parse_str(buf, &m, err, sizeof(err)) == 0,
			    "%s", err);
			ck_assert_uint_eq(m->nsel, 64 * 13);
			manifest_free(m);
		} else {
			/* 5 seats: 15 each, 960 in all, under the cap. */
			ck_assert_int_eq(parse_str(buf, &m, err, sizeof(err)),
			    0);
			ck_assert_uint_eq(m->nsel, 960);
			manifest_free(m);
		}
	}
	/* 64 elections of 5 seats with 6 candidates: 64 * 17 > 1024. */
	p = buf + sprintf(buf, "{\"id\":\"v\",\"title\":\"T\",\"body\":"
	    "\"congress\",\"members\":10,\"contests\":[");
	for (i = 0; i < MANIFEST_CONTESTS_MAX; i++)
		p += sprintf(p, "%s{\"id\":\"e%zu\",\"kind\":\"election\","
		    "\"title\":\"E\",\"seats\":5,\"options\":["
		    "{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":\"B\"},"
		    "{\"id\":\"c\",\"name\":\"C\"},{\"id\":\"d\",\"name\":\"D\"},"
		    "{\"id\":\"e\",\"name\":\"E\"},{\"id\":\"f\",\"name\":\"F\"}]}",
		    i ? "," : "", i);
	strcpy(p, "]}");
	ck_assert_int_eq(parse_str(buf, &m, err, sizeof(err)),
	    TALLY_ERR_MANIFEST);
	ck_assert_ptr_nonnull(strstr(err, "more than 1024 selections"));
	free(buf);
}
END_TEST

START_TEST(test_normalize)
{
	char *out;

	/* Decomposed e + U+0301 becomes U+00E9; ideographic spaces trimmed. */
	ck_assert_int_eq(manifest_name_normalize("\xe3\x80\x80 e\xcc\x81 \t",
	    9, &out), 0);
	ck_assert_str_eq(out, "\xc3\xa9");
	free(out);
	ck_assert_int_eq(manifest_name_normalize(" \xe5\xbc\xa0 \xe4\xb8\x89 ",
	    9, &out), 0);
	ck_assert_str_eq(out, "\xe5\xbc\xa0 \xe4\xb8\x89");
	free(out);
	ck_assert_int_eq(manifest_name_normalize("  ", 2, &out), 0);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(manifest_name_normalize("", 0, &out), 0);
	ck_assert_str_eq(out, "");
	free(out);
	ck_assert_int_eq(manifest_name_normalize("\xc3\x28", 2, &out),
	    TALLY_ERR_DECODE);
	ck_assert_ptr_null(out);
}
END_TEST

/* ---- choices ---------------------------------------------------------------- */

static int
choices(const struct manifest *m, const char *json, uint8_t *marks,
    char ***names, char *err, size_t errlen)
{
	return manifest_choices(m, (const uint8_t *)json, strlen(json), marks,
	    names, err, errlen);
}

START_TEST(test_choices_map)
{
	struct manifest *m = tu_load_manifest("session.json");
	uint8_t marks[64];
	char err[256], **names = NULL;
	size_t i;

	ck_assert_msg(choices(m, "{\"head\":{\"writein\":[\"  张三 \"]},"
	    "\"projects\":{\"approve\":[\"p15\",\"p01\"]},\"budget\":{"
	    "\"against\":[\"budget\"]}}", marks, &names, err,
	    sizeof(err)) == 0, "%s", err);
	for (i = 0; i < m->nsel; i++)
		ck_assert_uint_eq(marks[i], i == 2 || i == 3 || i == 17 ||
		    i == 19);
	ck_assert_ptr_nonnull(names);
	ck_assert_str_eq(names[0], "  张三 ");
	manifest_writein_names_free(m, names);

	/* Blank ballot. */
	ck_assert_int_eq(choices(m, "{}", marks, &names, err, sizeof(err)), 0);
	for (i = 0; i < m->nsel; i++)
		ck_assert_uint_eq(marks[i], 0);
	ck_assert_ptr_null(names[0]);
	manifest_writein_names_free(m, names);

	/* for the candidate, and an empty key list. */
	ck_assert_int_eq(choices(m, "{\"head\":{\"for\":[\"c1\"],\"writein\":"
	    "[]},\"budget\":{\"for\":[\"budget\"]}}", marks, &names, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(marks[0], 1);
	ck_assert_uint_eq(marks[2], 0);
	ck_assert_uint_eq(marks[18], 1);
	manifest_writein_names_free(m, names);

	/* A name of only spaces would be counted as nobody: refused. */
	ck_assert_int_eq(choices(m, "{\"head\":{\"writein\":[\" \\u3000\"]}}",
	    marks, &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	ck_assert_ptr_nonnull(strstr(err, "only spaces"));
	ck_assert_ptr_null(names);

	/* An empty write-in name is allowed and occupies the slot. */
	ck_assert_int_eq(choices(m, "{\"head\":{\"writein\":[\"\"]}}", marks,
	    &names, err, sizeof(err)), 0);
	ck_assert_uint_eq(marks[2], 1);
	ck_assert_str_eq(names[0], "");
	manifest_writein_names_free(m, names);
	manifest_free(m);
}
END_TEST

START_TEST(test_choices_standing)
{
	struct manifest *m = tu_load_manifest("standing-committee.json");
	uint8_t marks[64];
	char err[256], **names = NULL;

	ck_assert_msg(choices(m, "{\"members\":{\"for\":[\"c1\",\"c2\",\"c3\"],"
	    "\"against\":[\"c6\"],\"writein\":[\"甲\",\"乙\"]}}", marks, &names,
	    err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(marks[0], 1);
	ck_assert_uint_eq(marks[2], 1);
	ck_assert_uint_eq(marks[4], 1);
	ck_assert_uint_eq(marks[11], 1);
	ck_assert_uint_eq(marks[12], 1);
	ck_assert_uint_eq(marks[13], 1);
	ck_assert_uint_eq(marks[14], 0);
	ck_assert_str_eq(names[0], "甲");
	ck_assert_str_eq(names[1], "乙");
	ck_assert_ptr_null(names[2]);
	manifest_writein_names_free(m, names);
	manifest_free(m);
}
END_TEST

static const struct bad bad_choices[] = {
	{ "{\"nope\":{}}", "unknown contest \"nope\"" },
	{ "{\"members\":{\"for\":[\"c9\"]}}", "unknown option \"c9\"" },
	{ "{\"members\":{\"for\":[\"c1\",\"c1\"]}}", "given twice" },
	{ "{\"members\":{\"for\":[\"c1\"],\"against\":[\"c1\"]}}",
	  "both for and against" },
	{ "{\"members\":{\"against\":[\"c1\"],\"for\":[\"c1\"]}}",
	  "both for and against" },
	{ "{\"members\":{\"for\":[\"c1\",\"c2\",\"c3\",\"c4\",\"c5\",\"c6\"]}}",
	  "more than the 5 seats" },
	{ "{\"members\":{\"for\":[\"c1\",\"c2\",\"c3\",\"c4\"],\"writein\":"
	  "[\"甲\",\"乙\"]}}", "4 for and 2 write-ins" },
	{ "{\"members\":{\"writein\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}}",
	  "only 5 slots" },
	{ "{\"members\":{\"writein\":[\"王建国\"]}}", "is candidate \"c1\"" },
	{ "{\"members\":{\"writein\":[\" 王建国\"]}}", "is candidate \"c1\"" },
	{ "{\"members\":{\"writein\":[\"甲\",\" 甲\"]}}", "given twice" },
	{ "{\"members\":{\"writein\":[\"0123456789012345678901234567890123456789"
	  "012345678901234567890\"]}}", "longer than 60 bytes" },
	{ "{\"members\":{\"writein\":[\"a\\tb\"]}}", "control character" },
	{ "{\"members\":{\"writein\":[3]}}", "array of names" },
	{ "{\"members\":{\"writein\":\"甲\"}}", "array of names" },
	{ "{\"members\":{\"approve\":[\"c1\"]}}", "does not fit" },
	{ "{\"members\":{\"abstain\":[\"c1\"]}}", "does not fit" },
	{ "{\"members\":{\"for\":\"c1\"}}", "must be an array" },
	{ "{\"members\":{\"for\":[1]}}", "must be an array" },
	{ "{\"members\":[]}", "must be an object" },
	{ "[]", "must be a JSON object" },
	{ "{} {}", "bad JSON" },
	{ "{\"members\":{},\"members\":{}}", "bad JSON" },
	{ "{", "bad JSON" },
};

START_TEST(test_choices_refused)
{
	struct manifest *m = tu_load_manifest("standing-committee.json");
	uint8_t marks[64];
	char err[256], **names = (char **)1;
	size_t i;
	const struct bad *b = &bad_choices[_i];

	ck_assert_int_eq(choices(m, b->json, marks, &names, err, sizeof(err)),
	    TALLY_ERR_BAD_CHOICE);
	ck_assert_ptr_null(names);
	for (i = 0; i < m->nsel; i++)
		ck_assert_uint_eq(marks[i], 0);
	ck_assert_msg(strstr(err, b->needle) != NULL,
	    "case %d: \"%s\" lacks \"%s\"", _i, err, b->needle);
	manifest_free(m);
}
END_TEST

START_TEST(test_choices_other_kinds)
{
	struct manifest *m = tu_load_manifest("projects.json"), *d;
	uint8_t marks[64];
	char err[256], **names = NULL;

	ck_assert_int_eq(choices(m, "{\"projects\":{\"approve\":[\"p01\","
	    "\"p02\",\"p03\",\"p04\",\"p05\",\"p06\",\"p07\",\"p08\",\"p09\","
	    "\"p10\"]}}", marks, &names, err, sizeof(err)), 0);
	ck_assert_uint_eq(marks[9], 1);
	ck_assert_uint_eq(marks[10], 0);
	manifest_writein_names_free(m, names);
	ck_assert_int_eq(choices(m, "{\"projects\":{\"approve\":[\"p01\","
	    "\"p02\",\"p03\",\"p04\",\"p05\",\"p06\",\"p07\",\"p08\",\"p09\","
	    "\"p10\",\"p11\"]}}", marks, &names, err, sizeof(err)),
	    TALLY_ERR_BAD_CHOICE);
	ck_assert_ptr_nonnull(strstr(err, "11 approved, more than the 10"));
	ck_assert_int_eq(choices(m, "{\"projects\":{\"for\":[\"p01\"]}}",
	    marks, &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	ck_assert_int_eq(choices(m, "{\"projects\":{\"writein\":[\"x\"]}}",
	    marks, &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	manifest_free(m);

	/* A write-in where slots are disabled. */
	d = NULL;
	ck_assert_int_eq(parse_str("{\"id\":\"v\",\"title\":\"T\",\"body\":"
	    "\"congress\",\"members\":10,\"contests\":["
	    ELECTION(",\"writein_slots\":0") "]}", &d, err, sizeof(err)), 0);
	ck_assert_int_eq(choices(d, "{\"e\":{\"writein\":[\"x\"]}}", marks,
	    &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	ck_assert_ptr_nonnull(strstr(err, "write-ins are not allowed"));
	manifest_free(d);

	m = tu_load_manifest("budget-motion.json");
	ck_assert_int_eq(choices(m, "{\"budget\":{\"for\":[\"budget\"],"
	    "\"against\":[\"budget\"]}}", marks, &names, err, sizeof(err)),
	    TALLY_ERR_BAD_CHOICE);
	ck_assert_int_eq(choices(m, "{\"budget\":{\"approve\":[\"budget\"]}}",
	    marks, &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	ck_assert_int_eq(choices(m, "{\"budget\":{\"writein\":[]}}",
	    marks, &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	ck_assert_int_eq(manifest_choices(m, (const uint8_t *)"{}",
	    MANIFEST_CHOICES_MAX + 1, marks, &names, err, sizeof(err)),
	    TALLY_ERR_TOO_LARGE);
	manifest_free(m);
}
END_TEST

START_TEST(test_choices_for_against_project)
{
	char err[256], **names = NULL;
	uint8_t marks[16];
	struct manifest *m = NULL;
	const char *j = "{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\","
	    "\"members\":10,\"contests\":[{\"id\":\"p\",\"kind\":\"project\","
	    "\"title\":\"P\",\"choose\":1,\"mode\":\"for_against\",\"options\""
	    ":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":\"B\"}]}]}";

	ck_assert_int_eq(parse_str(j, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(choices(m, "{\"p\":{\"for\":[\"a\"],\"against\":"
	    "[\"b\"]}}", marks, &names, err, sizeof(err)), 0);
	ck_assert_uint_eq(marks[0], 1);
	ck_assert_uint_eq(marks[3], 1);
	manifest_writein_names_free(m, names);
	/* Voting against any number is fine; for is capped at choose. */
	ck_assert_int_eq(choices(m, "{\"p\":{\"against\":[\"a\",\"b\"]}}",
	    marks, &names, err, sizeof(err)), 0);
	manifest_writein_names_free(m, names);
	ck_assert_int_eq(choices(m, "{\"p\":{\"for\":[\"a\",\"b\"]}}", marks,
	    &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	ck_assert_int_eq(choices(m, "{\"p\":{\"approve\":[\"a\"]}}", marks,
	    &names, err, sizeof(err)), TALLY_ERR_BAD_CHOICE);
	manifest_free(m);
}
END_TEST

static Suite *
manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_design_example);
	tcase_add_test(tc, test_fixtures);
	tcase_add_test(tc, test_for_against_project);
	tcase_add_test(tc, test_settings);
	tcase_add_loop_test(tc, test_bad_contest, 0,
	    sizeof(bad_contests) / sizeof(bad_contests[0]));
	tcase_add_loop_test(tc, test_bad_top, 0,
	    sizeof(bad_tops) / sizeof(bad_tops[0]));
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_selection_cap);
	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_choices_map);
	tcase_add_test(tc, test_choices_standing);
	tcase_add_loop_test(tc, test_choices_refused, 0,
	    sizeof(bad_choices) / sizeof(bad_choices[0]));
	tcase_add_test(tc, test_choices_other_kinds);
	tcase_add_test(tc, test_choices_for_against_project);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(manifest_suite());
}
