/* check_announce.c: the 大会公告 and results.html rendered from outcomes that
 * rules_count gives on the sample manifests: exact key lines in Chinese and
 * English, escaping of hostile names, and refusal of results JSON that is
 * malformed or does not match the manifest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "err.h"
#include "manifest.h"
#include "rules.h"
#include "testutil.h"
#include "util.h"

static struct manifest *
parse(const char *json)
{
	struct manifest *m = NULL;
	char err[256];

	ck_assert_msg(manifest_parse(&m, (const uint8_t *)json, strlen(json),
	    err, sizeof(err)) == 0, "%s", err);
	return m;
}

/* results.json of rules_count over these totals (one per selection). */
static char *
results(const struct manifest *m, uint64_t present, uint64_t issued,
    uint64_t cast, const uint64_t *totals, const struct rules_writein_in *w,
    size_t nw)
{
	struct rules_input in = { present, issued, cast, totals, w, nw };
	struct rules_outcome *o = NULL;
	char err[256], *json;
	size_t len;

	ck_assert_msg(rules_count(&o, m, &in, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_int_eq(rules_outcome_to_json(m, o, &json, &len), 0);
	rules_outcome_free(o);
	return json;
}

static char *
render(const struct manifest *m, const char *json, const char *lang,
    int html)
{
	char *out = NULL;
	size_t len = 0;
	int ret;

	ret = (html ? announce_html : announce_text)(&out, &len, m,
	    (const uint8_t *)json, strlen(json), lang);
	ck_assert_msg(ret == 0, "render: %s", tally_errname(ret));
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(strlen(out), len);
	return out;
}

/* line is a whole line of text. */
static void
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	ck_abort_msg("missing line \"%s\" in:\n%s", line, text);
}

/* A Chinese announcement is in one language: no recorded English rule. */
static void
zh_only(const char *text)
{
	ck_assert_msg(strstr(text, "规则记录") == NULL &&
	    strstr(text, "more than half") == NULL &&
	    strstr(text, "the most") == NULL &&
	    strstr(text, "two thirds") == NULL, "English rule in:\n%s", text);
}

static void
has(const char *text, const char *needle)
{
	ck_assert_msg(strstr(text, needle) != NULL, "missing \"%s\" in:\n%s",
	    needle, text);
}

static void
lacks(const char *text, const char *needle)
{
	ck_assert_msg(strstr(text, needle) == NULL, "unexpected \"%s\" in:\n%s",
	    needle, text);
}

/* ---- district head: 等额, write-in winner ----------------------------------- */

/* for c1 80, against 30, write-in 张三 125 of 239. */
static char *
head_writein(const struct manifest *m)
{
	static const uint64_t t[3] = { 80, 30, 125 };
	static const struct rules_writein_in w[] = { { 0, "张三", 125 } };

	return results(m, 239, 239, 239, t, w, 1);
}

START_TEST(test_election_writein_zh)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m), *txt = render(m, json, NULL, 0);

	ck_assert(strncmp(txt, "区长选举\n公　告\n\n", 24) == 0);
	has_line(txt, "　　本次会议应到代表239人，实到239人。发出选票239张，"
	    "收回选票239张，其中有效票239张，无效票0张。");
	has_line(txt, "一、区长（应选1名，候选人1名，等额选举）");
	has_line(txt, "　　候选人甲：赞成80票，反对30票，弃权129票，未当选。");
	has_line(txt, "　　另选他人张三：125票，当选。");
	has_line(txt, "　　选举结果：张三当选。");
	has_line(txt, "　　计票规则：获得赞成票超过全体代表239人的半数"
	    "（不少于120票）始得当选。");
	zh_only(txt);
	has_line(txt, "　　本次选举有效。");
	has_line(txt, "　　特此公告。");
	free(txt);
	txt = render(m, json, "zh", 0);	/* "zh" is the default */
	has_line(txt, "　　另选他人张三：125票，当选。");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_election_writein_en)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m), *txt = render(m, json, "en", 0);

	has_line(txt, "Announcement");
	has_line(txt, "   Members: 239; present: 239. Ballots issued: 239; "
	    "cast: 239; valid: 239; invalid: 0.");
	has_line(txt, "1. 区长 (1 seat, 1 candidate, uncontested)");
	has_line(txt, "   候选人甲: 80 for, 30 against, 129 abstaining; "
	    "not elected.");
	has_line(txt, "   Write-in 张三: 125 votes; elected.");
	has_line(txt, "   Outcome: elected: 张三.");
	has_line(txt, "   Rule: more than half of all 239 members (120)");
	has_line(txt, "   This election is valid.");
	lacks(txt, "当选");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

/* ---- standing committee: 差额, runoff and shortfall ------------------------- */

/* 5 seats, 6 candidates: for[i], no against, no write-ins. */
static char *
committee(const struct manifest *m, const uint64_t *votes)
{
	uint64_t t[17] = { 0 };
	size_t i;

	for (i = 0; i < 6; i++)
		t[2 * i] = votes[i];
	return results(m, 239, 239, 239, t, NULL, 0);
}

START_TEST(test_election_runoff)
{
	static const uint64_t v[6] = { 200, 190, 180, 170, 150, 150 };
	struct manifest *m = tu_load_manifest("standing-committee.json");
	char *json = committee(m, v), *txt = render(m, json, NULL, 0);

	has_line(txt, "一、常务委员会委员（差额）（应选5名，候选人6名，"
	    "差额选举）");
	has_line(txt, "　　王建国：赞成200票，反对0票，弃权39票，当选。");
	has_line(txt, "　　陈明：赞成150票，反对0票，弃权89票，"
	    "得票相等，须再次投票。");
	has_line(txt, "　　杨丽：赞成150票，反对0票，弃权89票，"
	    "得票相等，须再次投票。");
	has_line(txt, "　　选举结果：王建国、李秀英、张伟、刘芳当选；陈明、杨丽"
	    "得票相等，须就票数相等的候选人再次投票，确定1名。");
	has_line(txt, "　　计票规则：获得赞成票超过全体代表239人的半数（不少于"
	    "120票）始得当选；得票相等的2人须再次投票，决定1个名额。");
	zh_only(txt);
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, "   Rule: more than half of all 239 members (120); "
	    "2 tied at the cut-off: runoff among them for 1 place");
	has_line(txt, "1. 常务委员会委员（差额） (5 seats, 6 candidates, "
	    "contested)");
	has_line(txt, "   陈明: 150 for, 0 against, 89 abstaining; "
	    "tied: runoff.");
	has_line(txt, "   Outcome: elected: 王建国, 李秀英, 张伟, 刘芳; tied: "
	    "陈明, 杨丽; runoff among them for 1 seat.");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_election_shortfall)
{
	static const uint64_t v[6] = { 200, 190, 100, 100, 90, 80 };
	struct manifest *m = tu_load_manifest("standing-committee.json");
	char *json = committee(m, v), *txt = render(m, json, NULL, 0);

	has_line(txt, "　　张伟：赞成100票，反对0票，弃权139票，未当选。");
	has_line(txt, "　　选举结果：王建国、李秀英当选，尚缺3名，另行选举。");
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, "   Outcome: elected: 王建国, 李秀英; 3 seats left for "
	    "another round.");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_election_nobody_elected)
{
	static const uint64_t t[3] = { 119, 100, 0 };
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = results(m, 239, 239, 239, t, NULL, 0);
	char *txt = render(m, json, NULL, 0);

	has_line(txt, "　　选举结果：无人当选，尚缺1名，另行选举。");
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, "   Outcome: nobody elected; 1 seat left for another "
	    "round.");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

/* ---- projects: 10 of 15, in rank order -------------------------------------- */

static const uint64_t project_votes[15] = { 150, 210, 90, 180, 200, 60, 170,
    120, 190, 100, 50, 160, 140, 80, 130 };

START_TEST(test_projects_ranked)
{
	struct manifest *m = tu_load_manifest("projects.json");
	char *json = results(m, 239, 239, 239, project_votes, NULL, 0);
	char *txt = render(m, json, NULL, 0);

	has_line(txt, "一、2026年民生实事项目（从15个候选项目中确定10个）");
	has_line(txt, "　　第1名　社区养老服务中心建设：210票，入选。");
	has_line(txt, "　　第2名　公共停车位增建：200票，入选。");
	has_line(txt, "　　第10名　农贸市场升级：120票，入选。");
	has_line(txt, "　　第11名　雨污分流管网改造：100票，未入选。");
	has_line(txt, "　　第15名　公交线路优化：50票，未入选。");
	has_line(txt, "　　票决结果：确定入选项目10个。");
	has_line(txt, "　　计票规则：得票最多的10个项目入选。");
	zh_only(txt);
	has_line(txt, "　　本次票决有效。");
	ck_assert(strstr(txt, "第1名") < strstr(txt, "第2名"));
	ck_assert(strstr(txt, "第10名") < strstr(txt, "第11名"));
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, "1. 2026年民生实事项目 (10 of 15 projects)");
	has_line(txt, "   1. 社区养老服务中心建设: 210 votes; chosen.");
	has_line(txt, "   11. 雨污分流管网改造: 100 votes; not chosen.");
	has_line(txt, "   Outcome: 10 projects chosen.");
	has_line(txt, "   This vote is valid.");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_projects_tie_shares_rank)
{
	uint64_t v[15];
	struct manifest *m = tu_load_manifest("projects.json");
	char *json, *txt;

	memcpy(v, project_votes, sizeof(v));
	v[9] = 120;	/* p10 ties p08 at the cut-off */
	json = results(m, 239, 239, 239, v, NULL, 0);
	txt = render(m, json, NULL, 0);
	has_line(txt, "　　第10名　农贸市场升级：120票，得票相等，须再次投票。");
	has_line(txt, "　　第10名　雨污分流管网改造：120票，得票相等，"
	    "须再次投票。");
	has_line(txt, "　　第12名　中小学校舍提升：90票，未入选。");
	has_line(txt, "　　票决结果：确定入选项目9个；农贸市场升级、"
	    "雨污分流管网改造得票相等，须再次投票确定1个。");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

/* ---- motion: passed, failed -------------------------------------------------- */

START_TEST(test_motion_passed_failed)
{
	static const uint64_t pass[2] = { 150, 50 }, fail[2] = { 100, 50 };
	struct manifest *m = tu_load_manifest("budget-motion.json");
	char *json = results(m, 239, 230, 230, pass, NULL, 0);
	char *txt = render(m, json, NULL, 0);

	has_line(txt, "一、关于2026年预算的决议");
	has_line(txt, "　　赞成150票，反对50票，弃权30票，未按9人。");
	has_line(txt, "　　表决结果：通过。");
	has_line(txt, "　　本次表决有效。");
	has(txt, "发出表决票230张，收回表决票230张");
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, "   150 for, 50 against, 30 abstaining, 9 not voted.");
	has_line(txt, "   Outcome: passed.");
	has_line(txt, "   This vote is valid.");
	free(txt);
	free(json);
	json = results(m, 239, 230, 230, fail, NULL, 0);
	txt = render(m, json, NULL, 0);
	has_line(txt, "　　表决结果：未通过。");
	has_line(txt, "　　计票规则：赞成票超过全体代表239人的半数（不少于120票）"
	    "为通过。");
	zh_only(txt);
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, "   Outcome: not passed.");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

/* ---- a void round ---------------------------------------------------------------- */

START_TEST(test_void_round)
{
	static const uint64_t t[3] = { 230, 5, 0 };
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = results(m, 239, 239, 240, t, NULL, 0);
	char *txt = render(m, json, NULL, 0);

	has_line(txt, "　　选举结果：本轮选举无效。");
	has_line(txt, "　　本次选举无效（收回选票240张，多于发出选票239张），"
	    "应重新投票。");
	lacks(txt, "，当选。");
	lacks(txt, "本次选举有效");
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, "   This election is void (more ballots cast (240) than "
	    "issued (239)); a new round of voting is required.");
	free(txt);
	txt = render(m, json, "en", 1);
	has(txt, "<p class=\"verdict void\">");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

/* ---- the recorded rule code worded in each language, for every base ----------- */

static void
expect_rule(const char *manifest, uint64_t present, uint64_t cast,
    const uint64_t *t, const char *zh, const char *en)
{
	struct manifest *m = parse(manifest);
	char *json = results(m, present, cast, cast, t, NULL, 0);
	char *txt = render(m, json, NULL, 0);

	has_line(txt, zh);
	zh_only(txt);
	free(txt);
	txt = render(m, json, "en", 0);
	has_line(txt, en);
	free(txt);
	free(json);
	manifest_free(m);
}

START_TEST(test_rule_texts)
{
	static const uint64_t cons[5] = { 261, 0, 259, 0, 0 };
	static const uint64_t mot[2] = { 21, 1 };
	static const uint64_t fa[4] = { 130, 10, 60, 20 };

	expect_rule("{\"id\":\"v\",\"title\":\"T\",\"body\":\"constituency\","
	    "\"members\":1000,\"registered\":1000,\"contests\":[{\"id\":\"e\","
	    "\"kind\":\"election\",\"title\":\"E\",\"seats\":1,\"options\":"
	    "[{\"id\":\"a\",\"name\":\"甲\"},{\"id\":\"b\",\"name\":\"乙\"}]}]}",
	    520, 520, cons, "　　计票规则：获得赞成票超过参加投票的选民520人的"
	    "半数（不少于261票）始得当选。", "   Rule: more than half "
	    "of the 520 ballots cast (261)");
	expect_rule("{\"id\":\"v\",\"title\":\"T\",\"body\":\"constituency\","
	    "\"members\":1000,\"registered\":1000,\"contests\":[{\"id\":\"e\","
	    "\"kind\":\"election\",\"title\":\"E\",\"seats\":1,"
	    "\"another_round\":true,\"options\":[{\"id\":\"a\",\"name\":"
	    "\"甲\"},{\"id\":\"b\",\"name\":\"乙\"}]}]}", 520, 520, cons,
	    "　　计票规则：另行选举，得票多者当选，但得票不得少于选票的1/3"
	    "（不少于174票）。", "   Rule: another round: the most "
	    "votes, at least 1/3 of the 520 ballots cast (174)");
	expect_rule("{\"id\":\"v\",\"title\":\"T\",\"body\":"
	    "\"standing_committee\",\"members\":31,\"contests\":[{\"id\":"
	    "\"m\",\"kind\":\"motion\",\"title\":\"M\",\"threshold\":"
	    "\"two_thirds\"}]}", 25, 25, mot, "　　计票规则：赞成票达到全体"
	    "组成人员31人的三分之二以上（不少于21票）为通过。",
	    "   Rule: two thirds or more of all 31 members (21)");
	expect_rule("{\"id\":\"v\",\"title\":\"T\",\"body\":\"congress\","
	    "\"members\":200,\"contests\":[{\"id\":\"p\",\"kind\":\"project\","
	    "\"title\":\"P\",\"choose\":1,\"mode\":\"for_against\",\"options\":"
	    "[{\"id\":\"a\",\"name\":\"甲\"},{\"id\":\"b\",\"name\":\"乙\"}]}]}",
	    200, 200, fa, "　　计票规则：赞成票超过全体代表200人的半数"
	    "（不少于101票）的项目中，赞成票最多的1个入选。",
	    "   Rule: the 1 with the most votes for, each more than half "
	    "of all 200 members (101)");
}
END_TEST

/* ---- a whole session: numbering, mixed round word ------------------------------ */

START_TEST(test_session_three_contests)
{
	uint64_t t[20] = { 0 };
	struct manifest *m = tu_load_manifest("session.json");
	char *json, *txt;

	t[0] = 230;
	memcpy(&t[3], project_votes, sizeof(project_votes));
	t[18] = 200;
	t[19] = 10;
	json = results(m, 239, 239, 239, t, NULL, 0);
	txt = render(m, json, NULL, 0);
	has_line(txt, "一、区长（应选1名，候选人1名，等额选举）");
	has_line(txt, "二、2026年民生实事项目（从15个候选项目中确定10个）");
	has_line(txt, "三、关于2026年预算的决议");
	has_line(txt, "　　候选人甲：赞成230票，反对0票，弃权9票，当选。");
	has_line(txt, "　　赞成200票，反对10票，弃权29票，未按0人。");
	has_line(txt, "　　本次投票有效。");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

/* ---- HTML --------------------------------------------------------------------- */

static const char hostile[] =
    "{\"id\":\"v\",\"title\":\"<i>T</i>\",\"body\":\"congress\","
    "\"members\":10,\"contests\":[{\"id\":\"e\",\"kind\":\"election\","
    "\"title\":\"E&\\\"'\",\"seats\":1,\"writein_slots\":1,\"options\":"
    "[{\"id\":\"o1\",\"name\":\"<script>alert(1)</script>\"}]}]}";

START_TEST(test_html_escapes_names)
{
	static const uint64_t t[3] = { 6, 1, 2 };
	static const struct rules_writein_in w[] = {
		{ 0, "<img src=x onerror=alert(1)>", 2 } };
	struct manifest *m = parse(hostile);
	char *json = results(m, 10, 10, 10, t, w, 1);
	char *html = render(m, json, NULL, 1), *txt;

	lacks(html, "<script");
	lacks(html, "<img");
	lacks(html, "<i>");
	has(html, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
	has(html, "另选他人：&lt;img src=x onerror=alert(1)&gt;</td>");
	has(html, "<h2>E&amp;&quot;&#39; ");
	has(html, "<title>&lt;i&gt;T&lt;/i&gt;</title>");
	free(html);
	txt = render(m, json, NULL, 0);	/* the text form is not HTML */
	has_line(txt, "　　<script>alert(1)</script>：赞成6票，反对1票，"
	    "弃权3票，当选。");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_html_document)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m), *html = render(m, json, NULL, 1);

	ck_assert(strncmp(html, "<!DOCTYPE html>\n<html lang=\"zh-CN\">", 35)
	    == 0);
	has(html, "<meta charset=\"utf-8\">");
	has(html, "<style>");
	has(html, "<tr class=\"elected\"><td>另选他人：张三</td>"
	    "<td class=\"n\">125</td>");
	has(html, "<tr><td>候选人甲</td><td class=\"n\">80</td>"
	    "<td class=\"n\">30</td><td class=\"n\">129</td><td>未当选</td>");
	has(html, "<p class=\"outcome\">选举结果：张三当选。</p>");
	has(html, "<p class=\"verdict\">本次选举有效。</p>");
	lacks(html, "<script");
	lacks(html, "<link");
	lacks(html, "src=");
	lacks(html, "url(");
	lacks(html, "@import");
	lacks(html, "http");
	ck_assert(strcmp(html + strlen(html) - 8, "</html>\n") == 0);
	free(html);
	html = render(m, json, "en", 1);
	has(html, "<html lang=\"en\">");
	has(html, "<th>Candidate</th><th>For</th>");
	has(html, "<p class=\"outcome\">Outcome: elected: 张三.</p>");
	free(html);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_html_runoff_rows)
{
	static const uint64_t v[6] = { 200, 190, 180, 170, 150, 150 };
	struct manifest *m = tu_load_manifest("standing-committee.json");
	char *json = committee(m, v), *html = render(m, json, NULL, 1);

	has(html, "<tr class=\"tied\"><td>陈明</td>");
	has(html, "<tr class=\"elected\"><td>王建国</td>");
	free(html);
	free(json);
	manifest_free(m);
}
END_TEST

static char *edit(const char *json, const char *from, const char *to);

/* ---- control and bidi characters in names --------------------------------------- */

START_TEST(test_unsafe_characters_replaced)
{
	static const uint64_t t[3] = { 6, 1, 2 };
	static const struct rules_writein_in w[] = {
		{ 0, "A\xe2\x80\xae" "B", 2 } };	/* U+202E */
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = results(m, 239, 239, 239, t, w, 1), *txt, *s;

	/* A newline and an escape inside a write-in name of the results. */
	s = edit(json, "A\xe2\x80\xae" "B", "A\\n\\u001bB\xe2\x80\xae");
	free(json);
	json = s;
	txt = render(m, json, NULL, 0);
	has_line(txt, "　　另选他人A\xef\xbf\xbd\xef\xbf\xbd" "B"
	    "\xef\xbf\xbd：2票，未当选。");
	free(txt);
	free(json);
	manifest_free(m);
}
END_TEST

/* ---- refusals --------------------------------------------------------------------- */

static void
refused(const struct manifest *m, const char *json, size_t len,
    const char *lang, int want)
{
	char *out = (char *)1;
	size_t olen = 7;
	int html;

	for (html = 0; html <= 1; html++) {
		int ret = (html ? announce_html : announce_text)(&out, &olen,
		    m, (const uint8_t *)json, len, lang);
		ck_assert_msg(ret == want, "%.*s: got %s want %s", (int)len,
		    json, tally_errname(ret), tally_errname(want));
		ck_assert_ptr_null(out);
		ck_assert_uint_eq(olen, 0);
	}
}

/* json with the first occurrence of from replaced by to. */
static char *
edit(const char *json, const char *from, const char *to)
{
	const char *p = strstr(json, from);
	char *s;

	ck_assert_msg(p != NULL, "\"%s\" not in %s", from, json);
	ck_assert_int_ge(asprintf(&s, "%.*s%s%s", (int)(p - json), json, to,
	    p + strlen(from)), 0);
	return s;
}

/* json cut at the first occurrence of from, then tail. */
static char *
replace_tail(const char *json, const char *from, const char *tail)
{
	const char *p = strstr(json, from);
	char *s;

	ck_assert_msg(p != NULL, "\"%s\" not in %s", from, json);
	ck_assert_int_ge(asprintf(&s, "%.*s%s", (int)(p - json), json, tail),
	    0);
	return s;
}

static void
refused_tail(const struct manifest *m, const char *json, const char *from,
    const char *tail)
{
	char *s = replace_tail(json, from, tail);

	refused(m, s, strlen(s), NULL, TALLY_ERR_DECODE);
	free(s);
}

static void
refused_edit(const struct manifest *m, const char *json, const char *from,
    const char *to)
{
	char *s = edit(json, from, to);

	refused(m, s, strlen(s), NULL, TALLY_ERR_DECODE);
	free(s);
}

START_TEST(test_refuse_truncated)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m);
	size_t n;

	for (n = 0; n < strlen(json); n++)
		refused(m, json, n, NULL, TALLY_ERR_DECODE);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_refuse_trailing)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m), *s;

	ck_assert_int_ge(asprintf(&s, "%s{}", json), 0);
	refused(m, s, strlen(s), NULL, TALLY_ERR_DECODE);
	free(s);
	ck_assert_int_ge(asprintf(&s, "%sx", json), 0);
	refused(m, s, strlen(s), NULL, TALLY_ERR_DECODE);
	free(s);
	/* An embedded NUL and what follows it. */
	ck_assert_int_ge(asprintf(&s, "%s%c1", json, '\0'), 0);
	refused(m, s, strlen(json) + 2, NULL, TALLY_ERR_DECODE);
	free(s);
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_refuse_wrong_types)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m);

	refused_edit(m, json, "\"present\":239", "\"present\":\"239\"");
	refused_edit(m, json, "\"present\":239", "\"present\":-1");
	refused_edit(m, json, "\"present\":239", "\"present\":239.0");
	refused_edit(m, json, "\"valid\":true", "\"valid\":1");
	refused_edit(m, json, "\"void_reason\":null", "\"void_reason\":\"x\"");
	refused_tail(m, json, "\"contests\":[", "\"contests\":{}}");
	refused_edit(m, json, "\"for\":80", "\"for\":[80]");
	refused_edit(m, json, "\"张三\":125", "\"张三\":\"125\"");
	refused_edit(m, json, "\"elected\":[\"张三\"]", "\"elected\":\"张三\"");
	refused_edit(m, json, "\"elected\":[\"张三\"]", "\"elected\":[1]");
	refused_edit(m, json, "\"seats_left\":0", "\"seats_left\":null");
	refused_tail(m, json, "\"rule\":", "\"rule\":1}]}");
	refused_tail(m, json, "\"rule\":", "\"rule\":null}]}");
	/* Rule codes: known, fitting the contest and the body, void only
	 * with a void outcome, and the votes needed present. */
	refused_edit(m, json, "\"majority-of-members\"", "\"majority\"");
	refused_edit(m, json, "\"majority-of-members\"",
	    "\"majority-of-cast\"");
	refused_edit(m, json, "\"majority-of-members\"",
	    "\"two-thirds-of-members\"");
	refused_edit(m, json, "\"majority-of-members\"", "\"most\"");
	refused_edit(m, json, "\"majority-of-members\"", "\"void\"");
	refused_edit(m, json, "\"needed\":120", "\"needed\":0");
	refused_edit(m, json, "\"needed\":120", "\"needed\":\"120\"");
	refused_edit(m, json, ",\"needed\":120", "");
	refused_edit(m, json, "\"void_reason\":null", "\"void_reason\":"
	    "\"turnout\"");
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_refuse_mismatch)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m);

	refused_edit(m, json, "\"id\":\"head\"", "\"id\":\"tail\"");
	refused_edit(m, json, "\"vote\":\"s6-head\"", "\"vote\":\"s6-other\"");
	refused_edit(m, json, "\"members\":239", "\"members\":238");
	refused_edit(m, json, "\"kind\":\"election\"", "\"kind\":\"motion\"");
	refused_edit(m, json, "\"seats\":1", "\"seats\":2");
	refused_edit(m, json, "\"c1\":", "\"c2\":");
	refused_edit(m, json, "\"elected\":[\"张三\"]", "\"elected\":[\"李四\"]");
	refused_edit(m, json, "\"outcome\":\"elected\"", "\"outcome\":\"chosen\"");
	refused_edit(m, json, "\"outcome\":\"elected\"", "\"outcome\":\"won\"");
	refused_edit(m, json, "\"seats_left\":0", "\"seats_left\":2");
	refused_edit(m, json, "\"valid\":true", "\"valid\":false");
	/* Missing and unknown keys. */
	refused_edit(m, json, "\"cast\":239,", "");
	refused_edit(m, json, ",\"writeins\":{\"张三\":125}", "");
	refused_edit(m, json, "\"cast\":239,", "\"cast\":239,\"extra\":1,");
	refused_edit(m, json, "\"seats_left\":0", "\"seats_left\":0,\"x\":0");
	refused_edit(m, json, "\"abstain\":129", "\"abstain\":129,\"blank\":0");
	refused_edit(m, json, "\"cast\":239,", "\"cast\":239,\"cast\":239,");
	/* A second contest the manifest does not have. */
	refused_edit(m, json, "}]}", "},{\"id\":\"x\"}]}");
	refused_tail(m, json, "\"contests\":[", "\"contests\":[]}");
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_refuse_args)
{
	struct manifest *m = tu_load_manifest("district-head.json");
	char *json = head_writein(m), *out = NULL;
	size_t len = 0;

	refused(m, json, strlen(json), "fr", TALLY_ERR_INVALID_ARG);
	refused(m, json, strlen(json), "EN", TALLY_ERR_INVALID_ARG);
	refused(NULL, json, strlen(json), NULL, TALLY_ERR_INVALID_ARG);
	refused(m, NULL, 0, NULL, TALLY_ERR_INVALID_ARG);
	refused(m, json, ANNOUNCE_JSON_MAX + 1, NULL, TALLY_ERR_TOO_LARGE);
	ck_assert_int_eq(announce_text(NULL, &len, m, (const uint8_t *)json,
	    strlen(json), NULL), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(announce_html(&out, NULL, m, (const uint8_t *)json,
	    strlen(json), NULL), TALLY_ERR_INVALID_ARG);
	free(json);
	manifest_free(m);
}
END_TEST

/* The results of one manifest are not those of another. */
START_TEST(test_refuse_other_manifest)
{
	struct manifest *head = tu_load_manifest("district-head.json");
	struct manifest *session = tu_load_manifest("session.json");
	char *json = head_writein(head);

	refused(session, json, strlen(json), NULL, TALLY_ERR_DECODE);
	free(json);
	manifest_free(head);
	manifest_free(session);
}
END_TEST

/* Every byte replaced by a few others: an error with no output, or output. */
START_TEST(test_mutations_do_not_crash)
{
	static const char subst[] = { '"', '}', ']', '0', '-', 'x', ',', '\\',
	    (char)0xff };
	struct manifest *m = tu_load_manifest("session.json");
	uint64_t t[20] = { 0 };
	char *json, *out;
	size_t i, k, len, olen;
	int ret;

	t[0] = 200;
	memcpy(&t[3], project_votes, sizeof(project_votes));
	json = results(m, 239, 239, 239, t, NULL, 0);
	len = strlen(json);
	for (i = 0; i < len; i++) {
		char saved = json[i];
		for (k = 0; k < sizeof(subst); k++) {
			json[i] = subst[k];
			ret = announce_html(&out, &olen, m,
			    (const uint8_t *)json, len, NULL);
			ck_assert(ret == 0 ? out != NULL : out == NULL);
			free(out);
		}
		json[i] = saved;
	}
	free(json);
	manifest_free(m);
}
END_TEST

START_TEST(test_deterministic)
{
	struct manifest *m = tu_load_manifest("standing-committee.json");
	static const uint64_t v[6] = { 200, 190, 180, 170, 150, 150 };
	char *json = committee(m, v);
	char *a = render(m, json, NULL, 1), *b = render(m, json, NULL, 1);

	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	free(json);
	manifest_free(m);
}
END_TEST

static Suite *
announce_suite(void)
{
	Suite *s = suite_create("announce");
	TCase *tc = tcase_create("announce");

	tcase_add_test(tc, test_election_writein_zh);
	tcase_add_test(tc, test_election_writein_en);
	tcase_add_test(tc, test_election_runoff);
	tcase_add_test(tc, test_election_shortfall);
	tcase_add_test(tc, test_election_nobody_elected);
	tcase_add_test(tc, test_projects_ranked);
	tcase_add_test(tc, test_projects_tie_shares_rank);
	tcase_add_test(tc, test_motion_passed_failed);
	tcase_add_test(tc, test_void_round);
	tcase_add_test(tc, test_rule_texts);
	tcase_add_test(tc, test_session_three_contests);
	tcase_add_test(tc, test_html_escapes_names);
	tcase_add_test(tc, test_html_document);
	tcase_add_test(tc, test_html_runoff_rows);
	tcase_add_test(tc, test_unsafe_characters_replaced);
	tcase_add_test(tc, test_refuse_truncated);
	tcase_add_test(tc, test_refuse_trailing);
	tcase_add_test(tc, test_refuse_wrong_types);
	tcase_add_test(tc, test_refuse_mismatch);
	tcase_add_test(tc, test_refuse_args);
	tcase_add_test(tc, test_refuse_other_manifest);
	tcase_add_test(tc, test_mutations_do_not_crash);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(announce_suite());
}
