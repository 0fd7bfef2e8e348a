/* announce.c: 大会公告 and results.html from the manifest and results.json. */
#include "announce.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "rules.h"

typedef unsigned long long ull;

/* ---- output buffer ----------------------------------------------------------- */

struct sbuf {
	char	*p;
	size_t	 len, cap;
	int	 err;	/* first failure, sticky */
	int	 html;	/* sb_text escapes for HTML */
};

static int
sb_room(struct sbuf *sb, size_t n)
{
	size_t cap;
	char *p;

	if (sb->err != 0)
		return -1;
	if (n >= SIZE_MAX / 2 - sb->len) {
		sb->err = TALLY_ERR_NOMEM;
		return -1;
	}
	if (sb->len + n < sb->cap)
		return 0;
	for (cap = sb->cap ? sb->cap : 4096; cap <= sb->len + n; cap *= 2)
		;
	if ((p = realloc(sb->p, cap)) == NULL) {
		sb->err = TALLY_ERR_NOMEM;
		return -1;
	}
	sb->p = p;
	sb->cap = cap;
	return 0;
}

static void
sb_bytes(struct sbuf *sb, const char *s, size_t n)
{
	if (sb_room(sb, n) != 0)
		return;
	memcpy(sb->p + sb->len, s, n);
	sb->len += n;
	sb->p[sb->len] = '\0';
}

/* Trusted text: literals and markup of this file only. */
static void
sb_raw(struct sbuf *sb, const char *s)
{
	sb_bytes(sb, s, strlen(s));
}

/* Trusted formats: numbers and literals only, never a name. */
static void
sb_fmt(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_fmt(struct sbuf *sb, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		sb->err = TALLY_ERR_INTERNAL;
		return;
	}
	sb_bytes(sb, buf, (size_t)n);
}

static int
is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* One code point of NUL-terminated s; a byte that starts none is U+FFFD. */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && is_cont(s[1])) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && is_cont(s[1]) && is_cont(s[2])) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && is_cont(s[1]) && is_cont(s[2]) &&
	    is_cont(s[3])) {
		*cp = (uint32_t)(s[0] & 0x07) << 18 |
		    (uint32_t)(s[1] & 0x3f) << 12 |
		    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return 4;
	}
	*cp = 0xfffd;
	return 1;
}

/* Characters that could break a line, a terminal or the reading order. */
static int
is_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfffd;
}

/* Untrusted text: a name, a title, a rule. */
static void
sb_text(struct sbuf *sb, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	while (*u != '\0' && sb->err == 0) {
		n = utf8_next(u, &cp);
		if (is_unsafe(cp))
			sb_raw(sb, "\xef\xbf\xbd");
		else if (sb->html && cp == '&')
			sb_raw(sb, "&amp;");
		else if (sb->html && cp == '<')
			sb_raw(sb, "&lt;");
		else if (sb->html && cp == '>')
			sb_raw(sb, "&gt;");
		else if (sb->html && cp == '"')
			sb_raw(sb, "&quot;");
		else if (sb->html && cp == '\'')
			sb_raw(sb, "&#39;");
		else
			sb_bytes(sb, (const char *)u, n);
		u += n;
	}
}

/* ---- results.json, checked against the manifest ----------------------------- */

enum { REF_ELECTED, REF_RUNOFF, REF_UNDECIDED, REF_N };

struct an_ref {
	int	 writein;
	size_t	 index;	/* option, or write-in of the contest */
};

struct an_writein {
	const char	*name;	/* "" for the marked-but-empty slots */
	uint64_t	 votes;
};

struct an_contest {
	const struct manifest	*m;
	const struct manifest_contest *c;
	enum rules_result	 result;
	uint64_t		(*t)[3];	/* for or approve, against, abstain */
	struct an_writein	*w;
	size_t			 nw;
	struct an_ref		*ref[REF_N];
	size_t			 nref[REF_N];
	uint64_t		 seats_left, not_voted;
	int			 has_not_voted;
	enum rules_rule		 rule;
	uint64_t		 needed;
};

struct an_results {
	json_t		*root;	/* owns every string below */
	const struct manifest *m;
	int		 zh;
	int		 valid;
	enum rules_void	 void_reason;	/* RULES_VOID_NONE when valid */
	uint64_t	 members, registered, present, issued, cast;
	uint64_t	 valid_ballots, invalid_ballots;
	struct an_contest *c;	/* m->ncontests */
};

static void
an_results_free(struct an_results *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; r->c != NULL && i < r->m->ncontests; i++) {
		free(r->c[i].t);
		free(r->c[i].w);
		for (k = 0; k < REF_N; k++)
			free(r->c[i].ref[k]);
	}
	free(r->c);
	json_decref(r->root);
	free(r);
}

/* Every key of o is one of allowed (NULL-terminated). */
static int
keys_only(json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach(o, k, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return TALLY_ERR_DECODE;
	}
	return 0;
}

static int
get_u64(json_t *o, const char *key, uint64_t *v)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j) || json_integer_value(j) < 0)
		return TALLY_ERR_DECODE;
	*v = (uint64_t)json_integer_value(j);
	return 0;
}

static int
get_str(json_t *o, const char *key, size_t max, const char **s)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_string(j) || json_string_length(j) > max)
		return TALLY_ERR_DECODE;
	*s = json_string_value(j);
	return 0;
}

static int
str_is(json_t *o, const char *key, const char *want)
{
	const char *s;

	if (get_str(o, key, MANIFEST_TEXT_MAX, &s) != 0 || strcmp(s, want) != 0)
		return TALLY_ERR_DECODE;
	return 0;
}

static int
totals_parse(json_t *jt, struct an_contest *ac)
{
	static const char *const fa[] = { "for", "against", "abstain", NULL };
	static const char *const ap[] = { "approve", NULL };
	const struct manifest_contest *c = ac->c;
	int approve = c->kind == MANIFEST_KIND_PROJECT &&
	    c->mode == MANIFEST_MODE_APPROVE;
	json_t *o;
	size_t i, k;

	if (!json_is_object(jt) || json_object_size(jt) != c->noptions)
		return TALLY_ERR_DECODE;
	if ((ac->t = calloc(c->noptions, sizeof(*ac->t))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < c->noptions; i++) {
		o = json_object_get(jt, c->options[i].id);
		if (!json_is_object(o) || keys_only(o, approve ? ap : fa) != 0)
			return TALLY_ERR_DECODE;
		for (k = 0; k < (approve ? 1u : 3u); k++)
			if (get_u64(o, approve ? ap[k] : fa[k],
			    &ac->t[i][k]) != 0)
				return TALLY_ERR_DECODE;
	}
	return 0;
}

static int
writeins_parse(json_t *jw, struct an_contest *ac)
{
	const char *k;
	json_t *v;
	size_t n = 0;

	if (!json_is_object(jw))
		return TALLY_ERR_DECODE;
	if (json_object_size(jw) == 0)
		return 0;
	if ((ac->w = calloc(json_object_size(jw), sizeof(*ac->w))) == NULL)
		return TALLY_ERR_NOMEM;
	json_object_foreach(jw, k, v) {
		if (strlen(k) > MANIFEST_TEXT_MAX || !json_is_integer(v) ||
		    json_integer_value(v) < 0)
			return TALLY_ERR_DECODE;
		ac->w[n].name = k;
		ac->w[n++].votes = (uint64_t)json_integer_value(v);
	}
	ac->nw = n;
	return 0;
}

/* An option id, or (elections) a write-in name of this contest. */
static int
ref_resolve(const struct an_contest *ac, const char *s, struct an_ref *r)
{
	int i;
	size_t k;

	if ((i = manifest_option_find(ac->c, s)) >= 0) {
		*r = (struct an_ref){ 0, (size_t)i };
		return 0;
	}
	for (k = 0; k < ac->nw; k++)
		if (ac->w[k].name[0] != '\0' && strcmp(ac->w[k].name, s) == 0) {
			*r = (struct an_ref){ 1, k };
			return 0;
		}
	return TALLY_ERR_DECODE;
}

static int
refs_parse(json_t *ja, struct an_contest *ac, int which)
{
	size_t i, n;

	if (!json_is_array(ja) || (n = json_array_size(ja)) >
	    ac->c->noptions + ac->nw)
		return TALLY_ERR_DECODE;
	if (n == 0)
		return 0;
	if ((ac->ref[which] = calloc(n, sizeof(struct an_ref))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(ja, i);
		if (!json_is_string(s) || ref_resolve(ac, json_string_value(s),
		    &ac->ref[which][i]) != 0)
			return TALLY_ERR_DECODE;
	}
	ac->nref[which] = n;
	return 0;
}

/* The outcome name, and whether it can be the outcome of this kind. */
static int
outcome_parse(json_t *jc, struct an_contest *ac)
{
	static const unsigned fits[] = {
		[MANIFEST_KIND_ELECTION] = 1u << RULES_ELECTED |
		    1u << RULES_RUNOFF_REQUIRED | 1u << RULES_SHORTFALL,
		[MANIFEST_KIND_PROJECT] = 1u << RULES_CHOSEN |
		    1u << RULES_RUNOFF_REQUIRED,
		[MANIFEST_KIND_MOTION] = 1u << RULES_PASSED | 1u << RULES_FAILED,
	};
	const char *s;
	unsigned r;

	if (get_str(jc, "outcome", 32, &s) != 0)
		return TALLY_ERR_DECODE;
	for (r = 0; r <= RULES_VOID; r++)
		if (strcmp(s, rules_result_name((enum rules_result)r)) == 0)
			break;
	if (r > RULES_VOID || (r != RULES_VOID &&
	    (fits[ac->c->kind] & 1u << r) == 0))
		return TALLY_ERR_DECODE;
	ac->result = (enum rules_result)r;
	return 0;
}

static int
shape_parse(json_t *jc, const struct manifest_contest *c)
{
	static const char *const el[] = { "id", "kind", "seats", "totals",
	    "writeins", "outcome", "elected", "runoff", "seats_left", "rule",
	    "needed", NULL };
	static const char *const pr[] = { "id", "kind", "choose", "mode",
	    "totals", "outcome", "elected", "runoff", "undecided",
	    "seats_left", "rule", "needed", NULL };
	static const char *const mo[] = { "id", "kind", "threshold", "totals",
	    "not_voted", "outcome", "elected", "runoff", "seats_left", "rule",
	    "needed", NULL };
	uint64_t n;

	if (!json_is_object(jc) || str_is(jc, "id", c->id) != 0 ||
	    str_is(jc, "kind", manifest_kind_name(c->kind)) != 0)
		return TALLY_ERR_DECODE;
	switch (c->kind) {
	case MANIFEST_KIND_ELECTION:
		if (keys_only(jc, el) != 0 || get_u64(jc, "seats", &n) != 0 ||
		    n != c->seats)
			return TALLY_ERR_DECODE;
		break;
	case MANIFEST_KIND_PROJECT:
		if (keys_only(jc, pr) != 0 || get_u64(jc, "choose", &n) != 0 ||
		    n != c->seats ||
		    str_is(jc, "mode", manifest_mode_name(c->mode)) != 0)
			return TALLY_ERR_DECODE;
		break;
	case MANIFEST_KIND_MOTION:
		if (keys_only(jc, mo) != 0 || str_is(jc, "threshold",
		    manifest_threshold_name(c->rules.threshold)) != 0)
			return TALLY_ERR_DECODE;
		break;
	}
	return 0;
}

/* Whether a rule code can decide a contest of this kind and body. */
static int
rule_fits(const struct manifest *m, const struct manifest_contest *c,
    enum rules_rule rule)
{
	int cast = m->body == MANIFEST_BODY_CONSTITUENCY;

	switch (rule) {
	case RULES_RULE_VOID:
		return 1;
	case RULES_RULE_MAJORITY_MEMBERS:
	case RULES_RULE_MAJORITY_CAST:
		return cast == (rule == RULES_RULE_MAJORITY_CAST);
	case RULES_RULE_TWO_THIRDS_MEMBERS:
	case RULES_RULE_TWO_THIRDS_CAST:
		return c->kind == MANIFEST_KIND_MOTION &&
		    cast == (rule == RULES_RULE_TWO_THIRDS_CAST);
	case RULES_RULE_FRACTION_CAST:
		return c->kind == MANIFEST_KIND_ELECTION && cast;
	case RULES_RULE_MOST:
		return c->kind == MANIFEST_KIND_PROJECT;
	}
	return 0;
}

/* "rule" and "needed": a known code that fits the contest; void exactly
 * when the outcome is. */
static int
rule_parse(json_t *jc, struct an_contest *ac)
{
	const char *s;

	if (get_str(jc, "rule", 32, &s) != 0 ||
	    rules_rule_parse(s, &ac->rule) != 0 ||
	    get_u64(jc, "needed", &ac->needed) != 0 ||
	    !rule_fits(ac->m, ac->c, ac->rule) ||
	    (ac->rule == RULES_RULE_VOID) != (ac->result == RULES_VOID) ||
	    (ac->rule == RULES_RULE_VOID) != (ac->needed == 0))
		return TALLY_ERR_DECODE;
	return 0;
}

static int
contest_parse(json_t *jc, struct an_contest *ac)
{
	const struct manifest_contest *c = ac->c;
	int ret;

	if ((ret = shape_parse(jc, c)) != 0 ||
	    (ret = totals_parse(json_object_get(jc, "totals"), ac)) != 0)
		return ret;
	if (c->kind == MANIFEST_KIND_ELECTION && (ret = writeins_parse(
	    json_object_get(jc, "writeins"), ac)) != 0)
		return ret;
	if (c->kind == MANIFEST_KIND_MOTION && c->rules.show_not_voted) {
		if (get_u64(jc, "not_voted", &ac->not_voted) != 0)
			return TALLY_ERR_DECODE;
		ac->has_not_voted = 1;
	} else if (json_object_get(jc, "not_voted") != NULL)
		return TALLY_ERR_DECODE;
	if ((ret = outcome_parse(jc, ac)) != 0 ||
	    (ret = refs_parse(json_object_get(jc, "elected"), ac,
	    REF_ELECTED)) != 0 ||
	    (ret = refs_parse(json_object_get(jc, "runoff"), ac,
	    REF_RUNOFF)) != 0)
		return ret;
	if (c->kind == MANIFEST_KIND_PROJECT && (ret = refs_parse(
	    json_object_get(jc, "undecided"), ac, REF_UNDECIDED)) != 0)
		return ret;
	if (get_u64(jc, "seats_left", &ac->seats_left) != 0 ||
	    ac->seats_left > c->seats)
		return TALLY_ERR_DECODE;
	return rule_parse(jc, ac);
}

static int
top_parse(struct an_results *r)
{
	static const char *const top[] = { "vote", "valid", "void_reason",
	    "members", "registered", "present", "issued", "cast",
	    "valid_ballots", "invalid_ballots", "contests", NULL };
	const struct manifest *m = r->m;
	json_t *o = r->root, *v;
	int constituency = m->body == MANIFEST_BODY_CONSTITUENCY;

	if (!json_is_object(o) || keys_only(o, top) != 0 ||
	    str_is(o, "vote", m->id) != 0 ||
	    !json_is_boolean(v = json_object_get(o, "valid")))
		return TALLY_ERR_DECODE;
	r->valid = json_is_true(v);
	v = json_object_get(o, "void_reason");
	r->void_reason = RULES_VOID_NONE;
	if (r->valid ? !json_is_null(v) : !json_is_string(v) ||
	    rules_void_parse(json_string_value(v), &r->void_reason) != 0)
		return TALLY_ERR_DECODE;
	if (get_u64(o, "members", &r->members) != 0 ||
	    r->members != m->members ||
	    (constituency && (get_u64(o, "registered", &r->registered) != 0 ||
	    r->registered != m->registered)) ||
	    (!constituency && json_object_get(o, "registered") != NULL) ||
	    get_u64(o, "present", &r->present) != 0 ||
	    get_u64(o, "issued", &r->issued) != 0 ||
	    get_u64(o, "cast", &r->cast) != 0 ||
	    get_u64(o, "valid_ballots", &r->valid_ballots) != 0 ||
	    get_u64(o, "invalid_ballots", &r->invalid_ballots) != 0)
		return TALLY_ERR_DECODE;
	return 0;
}

static int
results_parse(struct an_results **out, const struct manifest *m,
    const uint8_t *json, size_t len)
{
	struct an_results *r;
	json_error_t jerr;
	json_t *arr;
	size_t i;
	int ret = TALLY_ERR_NOMEM;

	*out = NULL;
	if (len > ANNOUNCE_JSON_MAX)
		return TALLY_ERR_TOO_LARGE;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return TALLY_ERR_NOMEM;
	r->m = m;
	if ((r->c = calloc(m->ncontests + 1, sizeof(*r->c))) == NULL)
		goto out;
	ret = TALLY_ERR_DECODE;
	if ((r->root = json_loadb((const char *)json, len,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		goto out;
	if ((ret = top_parse(r)) != 0)
		goto out;
	arr = json_object_get(r->root, "contests");
	ret = TALLY_ERR_DECODE;
	if (!json_is_array(arr) || json_array_size(arr) != m->ncontests)
		goto out;
	for (i = 0; i < m->ncontests; i++) {
		r->c[i].m = m;
		r->c[i].c = &m->contests[i];
		if ((ret = contest_parse(json_array_get(arr, i), &r->c[i])) != 0)
			goto out;
	}
	*out = r;
	r = NULL;
	ret = 0;
out:
	an_results_free(r);
	return ret;
}

/* ---- words shared by both forms ---------------------------------------------- */

/* The word for the round: 选举 election, 表决 vote, ... */
static const char *
round_word(const struct an_results *r)
{
	size_t i, kinds[3] = { 0, 0, 0 };

	for (i = 0; i < r->m->ncontests; i++)
		kinds[r->m->contests[i].kind]++;
	if (kinds[MANIFEST_KIND_ELECTION] == r->m->ncontests)
		return r->zh ? "选举" : "election";
	if (kinds[MANIFEST_KIND_MOTION] == r->m->ncontests)
		return r->zh ? "表决" : "vote";
	if (kinds[MANIFEST_KIND_PROJECT] == r->m->ncontests)
		return r->zh ? "票决" : "vote";
	return r->zh ? "投票" : "vote";
}

static const char *
ballot_word(const struct an_results *r)
{
	size_t i;

	for (i = 0; i < r->m->ncontests; i++)
		if (r->m->contests[i].kind == MANIFEST_KIND_ELECTION)
			return "选票";
	return "表决票";
}

static void
ref_name(struct sbuf *sb, const struct an_contest *ac, const struct an_ref *x)
{
	sb_text(sb, x->writein ? ac->w[x->index].name :
	    ac->c->options[x->index].name);
}

static void
ref_list(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac, int which)
{
	size_t i;

	for (i = 0; i < ac->nref[which]; i++) {
		if (i > 0)
			sb_raw(sb, r->zh ? "、" : ", ");
		ref_name(sb, ac, &ac->ref[which][i]);
	}
}

/* REF_ELECTED, REF_RUNOFF, REF_UNDECIDED, or -1. */
static int
ref_state(const struct an_contest *ac, int writein, size_t index)
{
	size_t i;
	int k;

	for (k = 0; k < REF_N; k++)
		for (i = 0; i < ac->nref[k]; i++)
			if (ac->ref[k][i].writein == writein &&
			    ac->ref[k][i].index == index)
				return k;
	return -1;
}

static const char *
state_word(const struct an_results *r, const struct an_contest *ac, int st)
{
	int project = ac->c->kind == MANIFEST_KIND_PROJECT;

	if (ac->result == RULES_VOID)
		return r->zh ? "本轮无效" : "round void";
	switch (st) {
	case REF_ELECTED:
		if (project)
			return r->zh ? "入选" : "chosen";
		return r->zh ? "当选" : "elected";
	case REF_RUNOFF:
		return r->zh ? "得票相等，须再次投票" : "tied: runoff";
	case REF_UNDECIDED:
		return r->zh ? "得票相等，由主席团决定" :
		    "tied: the presidium decides";
	}
	if (project)
		return r->zh ? "未入选" : "not chosen";
	return r->zh ? "未当选" : "not elected";
}

static void
turnout(struct sbuf *sb, const struct an_results *r)
{
	const char *who = "代表";

	if (r->m->body == MANIFEST_BODY_STANDING_COMMITTEE)
		who = "常务委员会组成人员";
	if (!r->zh) {
		if (r->m->body == MANIFEST_BODY_CONSTITUENCY)
			sb_fmt(sb, "Registered voters: %llu. ",
			    (ull)r->registered);
		else
			sb_fmt(sb, "Members: %llu; present: %llu. ",
			    (ull)r->members, (ull)r->present);
		sb_fmt(sb, "Ballots issued: %llu; cast: %llu; valid: %llu; "
		    "invalid: %llu.", (ull)r->issued, (ull)r->cast,
		    (ull)r->valid_ballots, (ull)r->invalid_ballots);
		return;
	}
	if (r->m->body == MANIFEST_BODY_CONSTITUENCY)
		sb_fmt(sb, "本选区登记选民%llu人。", (ull)r->registered);
	else
		sb_fmt(sb, "本次会议应到%s%llu人，实到%llu人。", who,
		    (ull)r->members, (ull)r->present);
	sb_fmt(sb, "发出%s%llu张，收回%s%llu张，其中有效票%llu张，"
	    "无效票%llu张。", ballot_word(r), (ull)r->issued, ballot_word(r),
	    (ull)r->cast, (ull)r->valid_ballots, (ull)r->invalid_ballots);
}

/* The reason a round is void, from its code and the recorded numbers. */
static void
void_reason_text(struct sbuf *sb, const struct an_results *r)
{
	if (r->void_reason == RULES_VOID_OVER_ISSUED && r->zh)
		sb_fmt(sb, "收回%s%llu张，多于发出%s%llu张", ballot_word(r),
		    (ull)r->cast, ballot_word(r), (ull)r->issued);
	else if (r->void_reason == RULES_VOID_OVER_ISSUED)
		sb_fmt(sb, "more ballots cast (%llu) than issued (%llu)",
		    (ull)r->cast, (ull)r->issued);
	else if (r->zh)
		sb_fmt(sb, "参加投票的选民%llu人，未超过登记选民%llu人的半数",
		    (ull)r->cast, (ull)r->registered);
	else
		sb_fmt(sb, "%llu ballots cast, not more than half of the %llu "
		    "registered voters", (ull)r->cast, (ull)r->registered);
}

static void
verdict(struct sbuf *sb, const struct an_results *r)
{
	if (r->zh) {
		sb_fmt(sb, "本次%s%s", round_word(r), r->valid ? "有效。" :
		    "无效（");
		if (!r->valid) {
			void_reason_text(sb, r);
			sb_raw(sb, "），应重新投票。");
		}
		return;
	}
	sb_fmt(sb, "This %s is %s", round_word(r), r->valid ? "valid." :
	    "void (");
	if (!r->valid) {
		void_reason_text(sb, r);
		sb_raw(sb, "); a new round of voting is required.");
	}
}

static void
election_outcome(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	size_t ne = ac->nref[REF_ELECTED];

	if (ac->result == RULES_VOID) {
		sb_raw(sb, r->zh ? "本轮选举无效。" : "void.");
		return;
	}
	if (ne > 0) {
		if (!r->zh)
			sb_raw(sb, "elected: ");
		ref_list(sb, r, ac, REF_ELECTED);
		if (r->zh)
			sb_raw(sb, "当选");
	} else
		sb_raw(sb, r->zh ? "无人当选" : "nobody elected");
	if (ac->nref[REF_RUNOFF] > 0) {
		sb_raw(sb, r->zh ? "；" : "; tied: ");
		ref_list(sb, r, ac, REF_RUNOFF);
		if (r->zh)
			sb_fmt(sb, "得票相等，须就票数相等的候选人再次投票，"
			    "确定%llu名。", (ull)ac->seats_left);
		else
			sb_fmt(sb, "; runoff among them for %llu seat%s.",
			    (ull)ac->seats_left, ac->seats_left == 1 ? "" : "s");
	} else if (ac->seats_left > 0) {
		if (r->zh)
			sb_fmt(sb, "，尚缺%llu名，另行选举。",
			    (ull)ac->seats_left);
		else
			sb_fmt(sb, "; %llu seat%s left for another round.",
			    (ull)ac->seats_left, ac->seats_left == 1 ? "" : "s");
	} else
		sb_raw(sb, r->zh ? "。" : ".");
}

static void
project_outcome(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	int tied = ac->nref[REF_RUNOFF] > 0 ? REF_RUNOFF :
	    ac->nref[REF_UNDECIDED] > 0 ? REF_UNDECIDED : -1;
	ull ne = ac->nref[REF_ELECTED], left = ac->seats_left;

	if (ac->result == RULES_VOID) {
		sb_raw(sb, r->zh ? "本轮票决无效。" : "void.");
		return;
	}
	if (r->zh)
		sb_fmt(sb, "确定入选项目%llu个", ne);
	else
		sb_fmt(sb, "%llu project%s chosen", ne, ne == 1 ? "" : "s");
	if (tied >= 0) {
		sb_raw(sb, r->zh ? "；" : "; tied: ");
		ref_list(sb, r, ac, tied);
		if (r->zh)
			sb_fmt(sb, "得票相等，%s确定%llu个。", tied == REF_RUNOFF ?
			    "须再次投票" : "由主席团", left);
		else
			sb_fmt(sb, "; %s for %llu place%s.", tied == REF_RUNOFF ?
			    "runoff among them" : "the presidium decides",
			    left, left == 1 ? "" : "s");
	} else if (left > 0) {
		if (r->zh)
			sb_fmt(sb, "，%llu个名额空缺。", left);
		else
			sb_fmt(sb, "; %llu place%s not filled.", left,
			    left == 1 ? "" : "s");
	} else
		sb_raw(sb, r->zh ? "。" : ".");
}

static void
motion_outcome(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	switch (ac->result) {
	case RULES_PASSED:
		sb_raw(sb, r->zh ? "通过。" : "passed.");
		break;
	case RULES_FAILED:
		sb_raw(sb, r->zh ? "未通过。" : "not passed.");
		break;
	default:
		sb_raw(sb, r->zh ? "本轮表决无效。" : "void.");
		break;
	}
}

static void
outcome(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	switch (ac->c->kind) {
	case MANIFEST_KIND_ELECTION:
		sb_raw(sb, r->zh ? "选举结果：" : "Outcome: ");
		election_outcome(sb, r, ac);
		break;
	case MANIFEST_KIND_PROJECT:
		sb_raw(sb, r->zh ? "票决结果：" : "Outcome: ");
		project_outcome(sb, r, ac);
		break;
	case MANIFEST_KIND_MOTION:
		sb_raw(sb, r->zh ? "表决结果：" : "Outcome: ");
		motion_outcome(sb, r, ac);
		break;
	}
}

/* "（应选5名，候选人6名，差额选举）" and the like, after the title. */
static void
contest_sub(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	const struct manifest_contest *c = ac->c;
	ull s = c->seats, n = c->noptions;

	if (c->kind == MANIFEST_KIND_MOTION)
		return;
	if (c->kind == MANIFEST_KIND_PROJECT) {
		if (r->zh)
			sb_fmt(sb, "（从%llu个候选项目中确定%llu个）", n, s);
		else
			sb_fmt(sb, " (%llu of %llu projects)", s, n);
		return;
	}
	if (r->zh)
		sb_fmt(sb, "（应选%llu名，候选人%llu名%s）", s, n, n == s ?
		    "，等额选举" : n > s ? "，差额选举" : "");
	else
		sb_fmt(sb, " (%llu seat%s, %llu candidate%s%s)", s,
		    s == 1 ? "" : "s", n, n == 1 ? "" : "s", n == s ?
		    ", uncontested" : n > s ? ", contested" : "");
}

/* Options of a project in rank order: votes, then option order. */
static size_t *
rank_order(const struct an_contest *ac)
{
	size_t *ix, i, j, t, n = ac->c->noptions;

	if ((ix = calloc(n, sizeof(*ix))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		ix[i] = i;
	for (i = 1; i < n; i++)	/* insertion sort: stable, n <= 256 */
		for (j = i; j > 0 && ac->t[ix[j]][0] > ac->t[ix[j - 1]][0];
		    j--) {
			t = ix[j];
			ix[j] = ix[j - 1];
			ix[j - 1] = t;
		}
	return ix;
}

/* ---- announcement.txt -------------------------------------------------------- */

#define ZH_INDENT	"　　"
#define EN_INDENT	"   "

static void
zh_numeral(struct sbuf *sb, size_t n)
{
	static const char *const d[] = { "零", "一", "二", "三", "四", "五",
	    "六", "七", "八", "九" };

	if (n == 0 || n >= 100) {
		sb_fmt(sb, "%zu", n);
		return;
	}
	if (n >= 20)
		sb_raw(sb, d[n / 10]);
	if (n >= 10)
		sb_raw(sb, "十");
	if (n % 10 != 0)
		sb_raw(sb, d[n % 10]);
}

static void
txt_line_start(struct sbuf *sb, const struct an_results *r)
{
	sb_raw(sb, r->zh ? ZH_INDENT : EN_INDENT);
}

static void
txt_counts(struct sbuf *sb, const struct an_results *r, const uint64_t *t)
{
	if (r->zh)
		sb_fmt(sb, "赞成%llu票，反对%llu票，弃权%llu票", (ull)t[0],
		    (ull)t[1], (ull)t[2]);
	else
		sb_fmt(sb, "%llu for, %llu against, %llu abstaining",
		    (ull)t[0], (ull)t[1], (ull)t[2]);
}

static void
txt_state(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac, int st)
{
	sb_raw(sb, r->zh ? "，" : "; ");
	sb_raw(sb, state_word(r, ac, st));
	sb_raw(sb, r->zh ? "。\n" : ".\n");
}

static void
txt_writein(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac, size_t k)
{
	const struct an_writein *w = &ac->w[k];

	txt_line_start(sb, r);
	if (w->name[0] == '\0') {
		sb_fmt(sb, r->zh ? "另选他人未填写姓名%llu票，不计入任何人。\n" :
		    "Write-ins without a name: %llu, counted for nobody.\n",
		    (ull)w->votes);
		return;
	}
	sb_raw(sb, r->zh ? "另选他人" : "Write-in ");
	sb_text(sb, w->name);
	if (r->zh)
		sb_fmt(sb, "：%llu票", (ull)w->votes);
	else
		sb_fmt(sb, ": %llu vote%s", (ull)w->votes,
		    w->votes == 1 ? "" : "s");
	txt_state(sb, r, ac, ref_state(ac, 1, k));
}

static void
txt_election(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	size_t i;

	for (i = 0; i < ac->c->noptions; i++) {
		txt_line_start(sb, r);
		sb_text(sb, ac->c->options[i].name);
		sb_raw(sb, r->zh ? "：" : ": ");
		txt_counts(sb, r, ac->t[i]);
		txt_state(sb, r, ac, ref_state(ac, 0, i));
	}
	for (i = 0; i < ac->nw; i++)
		txt_writein(sb, r, ac, i);
}

static void
txt_project(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	size_t *ix, i, rank = 0;

	if ((ix = rank_order(ac)) == NULL) {
		sb->err = TALLY_ERR_NOMEM;
		return;
	}
	for (i = 0; i < ac->c->noptions; i++) {
		if (i == 0 || ac->t[ix[i]][0] != ac->t[ix[i - 1]][0])
			rank = i + 1;
		txt_line_start(sb, r);
		sb_fmt(sb, r->zh ? "第%zu名　" : "%zu. ", rank);
		sb_text(sb, ac->c->options[ix[i]].name);
		sb_raw(sb, r->zh ? "：" : ": ");
		if (ac->c->mode == MANIFEST_MODE_APPROVE && r->zh)
			sb_fmt(sb, "%llu票", (ull)ac->t[ix[i]][0]);
		else if (ac->c->mode == MANIFEST_MODE_APPROVE)
			sb_fmt(sb, "%llu vote%s", (ull)ac->t[ix[i]][0],
			    ac->t[ix[i]][0] == 1 ? "" : "s");
		else
			txt_counts(sb, r, ac->t[ix[i]]);
		txt_state(sb, r, ac, ref_state(ac, 0, ix[i]));
	}
	free(ix);
}

static void
txt_motion(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	txt_line_start(sb, r);
	if (strcmp(ac->c->options[0].name, ac->c->title) != 0) {
		sb_text(sb, ac->c->options[0].name);
		sb_raw(sb, r->zh ? "：" : ": ");
	}
	txt_counts(sb, r, ac->t[0]);
	if (ac->has_not_voted)
		sb_fmt(sb, r->zh ? "，未按%llu人" : ", %llu not voted",
		    (ull)ac->not_voted);
	sb_raw(sb, r->zh ? "。\n" : ".\n");
}

/* "全体代表239人" or "参加投票的选民520人", and its number. */
static uint64_t
zh_base(struct sbuf *sb, const struct an_results *r)
{
	switch (r->m->body) {
	case MANIFEST_BODY_CONSTITUENCY:
		sb_fmt(sb, "参加投票的选民%llu人", (ull)r->cast);
		return r->cast;
	case MANIFEST_BODY_STANDING_COMMITTEE:
		sb_fmt(sb, "全体组成人员%llu人", (ull)r->members);
		return r->members;
	case MANIFEST_BODY_CONGRESS:
		break;
	}
	sb_fmt(sb, "全体代表%llu人", (ull)r->members);
	return r->members;
}

static void
zh_majority(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	sb_raw(sb, "超过");
	zh_base(sb, r);
	sb_fmt(sb, "的半数（不少于%llu票）", (ull)ac->needed);
}

/* The places a tie or a shortfall leaves open, in Chinese. */
static void
zh_open_places(struct sbuf *sb, const struct an_contest *ac)
{
	size_t nr = ac->nref[REF_RUNOFF], nu = ac->nref[REF_UNDECIDED];

	if (nr > 0)
		sb_fmt(sb, "；得票相等的%zu%s须再次投票，决定%llu个名额", nr,
		    ac->c->kind == MANIFEST_KIND_PROJECT ? "个项目" : "人",
		    (ull)ac->seats_left);
	else if (nu > 0)
		sb_fmt(sb, "；得票相等的%zu个项目由主席团决定%llu个名额", nu,
		    (ull)ac->seats_left);
	else if (ac->c->kind == MANIFEST_KIND_ELECTION &&
	    ac->rule != RULES_RULE_VOID && ac->seats_left > 0)
		sb_fmt(sb, "；尚缺%llu名，另行选举", (ull)ac->seats_left);
}

/*
 * The recorded rule (its code and the votes it needed) in Chinese, worded
 * from the manifest's settings.
 */
static void
zh_rule(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	const struct manifest_contest *c = ac->c;
	int majority = ac->rule == RULES_RULE_MAJORITY_MEMBERS ||
	    ac->rule == RULES_RULE_MAJORITY_CAST;

	if (ac->rule == RULES_RULE_VOID)
		sb_raw(sb, "本轮无效，不产生结果");
	else if (ac->rule == RULES_RULE_FRACTION_CAST)
		sb_fmt(sb, "另行选举，得票多者当选，但得票不得少于选票的"
		    "%u/%u（不少于%llu票）", c->rules.runoff_min_num,
		    c->rules.runoff_min_den, (ull)ac->needed);
	else if (c->kind == MANIFEST_KIND_ELECTION) {
		sb_raw(sb, "获得赞成票");
		zh_majority(sb, r, ac);
		sb_raw(sb, "始得当选");
	} else if (c->kind == MANIFEST_KIND_PROJECT &&
	    c->mode == MANIFEST_MODE_FOR_AGAINST) {
		sb_raw(sb, "赞成票");
		zh_majority(sb, r, ac);
		sb_fmt(sb, "的项目中，赞成票最多的%u个入选", c->seats);
	} else if (c->kind == MANIFEST_KIND_PROJECT) {
		sb_fmt(sb, "得票最多的%u个项目入选", c->seats);
		if (majority) {
			sb_raw(sb, "，且得票须");
			zh_majority(sb, r, ac);
		}
	} else if (majority) {
		sb_raw(sb, "赞成票");
		zh_majority(sb, r, ac);
		sb_raw(sb, "为通过");
	} else {
		sb_raw(sb, "赞成票达到");
		zh_base(sb, r);
		sb_fmt(sb, "的三分之二以上（不少于%llu票）为通过",
		    (ull)ac->needed);
	}
	zh_open_places(sb, ac);
	sb_raw(sb, "。");
}

/* "all 239 members" or "the 520 ballots cast". */
static void
en_base(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	if (ac->rule == RULES_RULE_MAJORITY_CAST ||
	    ac->rule == RULES_RULE_TWO_THIRDS_CAST)
		sb_fmt(sb, "the %llu ballots cast", (ull)r->cast);
	else
		sb_fmt(sb, "all %llu members", (ull)r->members);
}

static const char *
en_plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* The places a tie or a shortfall leaves open, in English. */
static void
en_open_places(struct sbuf *sb, const struct an_contest *ac)
{
	size_t nr = ac->nref[REF_RUNOFF], nu = ac->nref[REF_UNDECIDED];

	if (nr > 0)
		sb_fmt(sb, "; %zu tied at the cut-off: runoff among them for "
		    "%llu place%s", nr, (ull)ac->seats_left,
		    en_plural(ac->seats_left));
	else if (nu > 0)
		sb_fmt(sb, "; %zu tied at the cut-off: the presidium decides "
		    "%llu place%s", nu, (ull)ac->seats_left,
		    en_plural(ac->seats_left));
	else if (ac->c->kind == MANIFEST_KIND_ELECTION &&
	    ac->rule != RULES_RULE_VOID && ac->seats_left > 0)
		sb_fmt(sb, "; %llu seat%s left for another round",
		    (ull)ac->seats_left, en_plural(ac->seats_left));
}

/* The recorded rule (its code and the votes it needed) in English. */
static void
en_rule(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	const struct manifest_contest *c = ac->c;

	if (c->kind == MANIFEST_KIND_PROJECT && ac->rule != RULES_RULE_VOID) {
		sb_fmt(sb, "the %u with the most %s", c->seats,
		    c->mode == MANIFEST_MODE_APPROVE ? "approvals" :
		    "votes for");
		if (ac->rule != RULES_RULE_MOST)
			sb_raw(sb, ", each");
	}
	switch (ac->rule) {
	case RULES_RULE_VOID:
		sb_raw(sb, "round void: ");
		void_reason_text(sb, r);
		break;
	case RULES_RULE_FRACTION_CAST:
		sb_fmt(sb, "another round: the most votes, at least %u/%u of "
		    "the %llu ballots cast (%llu)", c->rules.runoff_min_num,
		    c->rules.runoff_min_den, (ull)r->cast, (ull)ac->needed);
		break;
	case RULES_RULE_MAJORITY_MEMBERS:
	case RULES_RULE_MAJORITY_CAST:
		sb_raw(sb, c->kind == MANIFEST_KIND_PROJECT ?
		    " more than half of " : "more than half of ");
		en_base(sb, r, ac);
		sb_fmt(sb, " (%llu)", (ull)ac->needed);
		break;
	case RULES_RULE_TWO_THIRDS_MEMBERS:
	case RULES_RULE_TWO_THIRDS_CAST:
		sb_raw(sb, "two thirds or more of ");
		en_base(sb, r, ac);
		sb_fmt(sb, " (%llu)", (ull)ac->needed);
		break;
	case RULES_RULE_MOST:
		break;
	}
	en_open_places(sb, ac);
}

static void
txt_contest(struct sbuf *sb, const struct an_results *r, size_t i)
{
	const struct an_contest *ac = &r->c[i];

	sb_raw(sb, "\n");
	if (r->zh) {
		zh_numeral(sb, i + 1);
		sb_raw(sb, "、");
	} else
		sb_fmt(sb, "%zu. ", i + 1);
	sb_text(sb, ac->c->title);
	contest_sub(sb, r, ac);
	sb_raw(sb, "\n");
	if (ac->c->kind == MANIFEST_KIND_ELECTION)
		txt_election(sb, r, ac);
	else if (ac->c->kind == MANIFEST_KIND_PROJECT)
		txt_project(sb, r, ac);
	else
		txt_motion(sb, r, ac);
	txt_line_start(sb, r);
	outcome(sb, r, ac);
	sb_raw(sb, "\n");
	txt_line_start(sb, r);
	if (r->zh) {
		sb_raw(sb, "计票规则：");
		zh_rule(sb, r, ac);
	} else {
		sb_raw(sb, "Rule: ");
		en_rule(sb, r, ac);
	}
	sb_raw(sb, "\n");
}

static void
txt_render(struct sbuf *sb, const struct an_results *r)
{
	size_t i;

	sb_text(sb, r->m->title);
	sb_raw(sb, r->zh ? "\n公　告\n\n" : "\nAnnouncement\n\n");
	txt_line_start(sb, r);
	turnout(sb, r);
	sb_raw(sb, "\n");
	for (i = 0; i < r->m->ncontests; i++)
		txt_contest(sb, r, i);
	sb_raw(sb, "\n");
	txt_line_start(sb, r);
	verdict(sb, r);
	sb_raw(sb, "\n");
	if (r->zh)
		sb_raw(sb, ZH_INDENT "特此公告。\n");
}

/* ---- results.html ------------------------------------------------------------- */

static const char html_css[] =
    "html{background:#000;color:#fff}"
    "body{margin:0 auto;max-width:1600px;padding:2vw 3vw;"
    "font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\","
    "\"PingFang SC\",\"Microsoft YaHei\",sans-serif;"
    "font-size:28px;line-height:1.45}"
    "h1{font-size:2.2em;margin:.2em 0;text-align:center}"
    "h2{font-size:1.6em;margin:0 0 .3em;border-bottom:4px solid #ffd400}"
    "section{margin:1.4em 0;page-break-inside:avoid}"
    ".turnout{font-size:1.15em;text-align:center}"
    ".sub{color:#ddd;font-weight:normal;font-size:.75em}"
    "table{border-collapse:collapse;width:100%;font-size:1.1em}"
    "th,td{border:2px solid #666;padding:.25em .5em;text-align:left}"
    "th{background:#222}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.elected td{background:#ffd400;color:#000;font-weight:bold}"
    "tr.tied td{background:#ff8c00;color:#000}"
    "tr.blank td{color:#bbb}"
    ".outcome{font-size:1.25em;font-weight:bold}"
    ".rule{color:#ccc;font-size:.8em}"
    ".verdict{font-size:1.6em;font-weight:bold;text-align:center;"
    "padding:.4em;border:4px solid #3c3}"
    ".verdict.void{border-color:#f33;color:#f66}"
    "@media print{html{background:#fff;color:#000}"
    "th{background:#eee}.sub,.rule{color:#333}}";

static void
html_th(struct sbuf *sb, const char *const *labels)
{
	size_t i;

	sb_raw(sb, "<thead><tr>");
	for (i = 0; labels[i] != NULL; i++) {
		sb_raw(sb, "<th>");
		sb_raw(sb, labels[i]);
		sb_raw(sb, "</th>");
	}
	sb_raw(sb, "</tr></thead>\n<tbody>\n");
}

static void
html_row_start(struct sbuf *sb, int st, int blank)
{
	if (blank)
		sb_raw(sb, "<tr class=\"blank\">");
	else if (st == REF_ELECTED)
		sb_raw(sb, "<tr class=\"elected\">");
	else if (st == REF_RUNOFF || st == REF_UNDECIDED)
		sb_raw(sb, "<tr class=\"tied\">");
	else
		sb_raw(sb, "<tr>");
}

static void
html_num(struct sbuf *sb, uint64_t v)
{
	sb_fmt(sb, "<td class=\"n\">%llu</td>", (ull)v);
}

static void
html_name_cell(struct sbuf *sb, const char *prefix, const char *name)
{
	sb_raw(sb, "<td>");
	sb_raw(sb, prefix);
	sb_text(sb, name);
	sb_raw(sb, "</td>");
}

static void
html_state_cell(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac, int st)
{
	sb_raw(sb, "<td>");
	sb_raw(sb, state_word(r, ac, st));
	sb_raw(sb, "</td></tr>\n");
}

static void
html_election(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	static const char *const zh[] = { "候选人", "赞成", "反对", "弃权",
	    "结果", NULL };
	static const char *const en[] = { "Candidate", "For", "Against",
	    "Abstain", "Result", NULL };
	size_t i;
	int st;

	html_th(sb, r->zh ? zh : en);
	for (i = 0; i < ac->c->noptions; i++) {
		html_row_start(sb, st = ref_state(ac, 0, i), 0);
		html_name_cell(sb, "", ac->c->options[i].name);
		html_num(sb, ac->t[i][0]);
		html_num(sb, ac->t[i][1]);
		html_num(sb, ac->t[i][2]);
		html_state_cell(sb, r, ac, st);
	}
	for (i = 0; i < ac->nw; i++) {
		int blank = ac->w[i].name[0] == '\0';
		html_row_start(sb, st = ref_state(ac, 1, i), blank);
		html_name_cell(sb, r->zh ? (blank ? "另选他人（未填写姓名）" :
		    "另选他人：") : (blank ? "Write-ins without a name" :
		    "Write-in: "), ac->w[i].name);
		html_num(sb, ac->w[i].votes);
		sb_raw(sb, "<td></td><td></td>");
		if (blank)
			sb_raw(sb, r->zh ? "<td>不计入任何人</td></tr>\n" :
			    "<td>counted for nobody</td></tr>\n");
		else
			html_state_cell(sb, r, ac, st);
	}
}

static void
html_project(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	static const char *const zha[] = { "名次", "项目", "票数", "结果",
	    NULL };
	static const char *const ena[] = { "Rank", "Project", "Votes",
	    "Result", NULL };
	static const char *const zhf[] = { "名次", "项目", "赞成", "反对",
	    "弃权", "结果", NULL };
	static const char *const enf[] = { "Rank", "Project", "For",
	    "Against", "Abstain", "Result", NULL };
	int approve = ac->c->mode == MANIFEST_MODE_APPROVE;
	size_t *ix, i, rank = 0;
	int st;

	if ((ix = rank_order(ac)) == NULL) {
		sb->err = TALLY_ERR_NOMEM;
		return;
	}
	html_th(sb, approve ? (r->zh ? zha : ena) : (r->zh ? zhf : enf));
	for (i = 0; i < ac->c->noptions; i++) {
		const uint64_t *t = ac->t[ix[i]];
		if (i == 0 || t[0] != ac->t[ix[i - 1]][0])
			rank = i + 1;
		html_row_start(sb, st = ref_state(ac, 0, ix[i]), 0);
		sb_fmt(sb, "<td class=\"n\">%zu</td>", rank);
		html_name_cell(sb, "", ac->c->options[ix[i]].name);
		html_num(sb, t[0]);
		if (!approve) {
			html_num(sb, t[1]);
			html_num(sb, t[2]);
		}
		html_state_cell(sb, r, ac, st);
	}
	free(ix);
}

static void
html_motion(struct sbuf *sb, const struct an_results *r,
    const struct an_contest *ac)
{
	static const char *const zh[] = { "赞成", "反对", "弃权", "未按",
	    "结果", NULL };
	static const char *const en[] = { "For", "Against", "Abstain",
	    "Not voted", "Result", NULL };
	static const char *const zhn[] = { "赞成", "反对", "弃权", "结果",
	    NULL };
	static const char *const enn[] = { "For", "Against", "Abstain",
	    "Result", NULL };

	html_th(sb, ac->has_not_voted ? (r->zh ? zh : en) :
	    (r->zh ? zhn : enn));
	html_row_start(sb, ac->result == RULES_PASSED ? REF_ELECTED : -1, 0);
	html_num(sb, ac->t[0][0]);
	html_num(sb, ac->t[0][1]);
	html_num(sb, ac->t[0][2]);
	if (ac->has_not_voted)
		html_num(sb, ac->not_voted);
	sb_raw(sb, "<td>");
	motion_outcome(sb, r, ac);
	sb_raw(sb, "</td></tr>\n");
}

static void
html_contest(struct sbuf *sb, const struct an_results *r, size_t i)
{
	const struct an_contest *ac = &r->c[i];

	sb_fmt(sb, "<section id=\"c%zu\">\n<h2>", i + 1);
	sb_text(sb, ac->c->title);
	sb_raw(sb, " <span class=\"sub\">");
	contest_sub(sb, r, ac);
	sb_raw(sb, "</span></h2>\n");
	if (ac->c->kind == MANIFEST_KIND_MOTION &&
	    strcmp(ac->c->options[0].name, ac->c->title) != 0) {
		sb_raw(sb, "<p>");
		sb_text(sb, ac->c->options[0].name);
		sb_raw(sb, "</p>\n");
	}
	sb_raw(sb, "<table>\n");
	if (ac->c->kind == MANIFEST_KIND_ELECTION)
		html_election(sb, r, ac);
	else if (ac->c->kind == MANIFEST_KIND_PROJECT)
		html_project(sb, r, ac);
	else
		html_motion(sb, r, ac);
	sb_raw(sb, "</tbody>\n</table>\n<p class=\"outcome\">");
	outcome(sb, r, ac);
	sb_raw(sb, "</p>\n<p class=\"rule\">");
	if (r->zh) {
		sb_raw(sb, "计票规则：");
		zh_rule(sb, r, ac);
	} else {
		sb_raw(sb, "Rule: ");
		en_rule(sb, r, ac);
	}
	sb_raw(sb, "</p>\n</section>\n");
}

static void
html_render(struct sbuf *sb, const struct an_results *r)
{
	size_t i;

	sb_raw(sb, "<!DOCTYPE html>\n<html lang=\"");
	sb_raw(sb, r->zh ? "zh-CN" : "en");
	sb_raw(sb, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	sb_text(sb, r->m->title);
	sb_raw(sb, "</title>\n<style>");
	sb_raw(sb, html_css);
	sb_raw(sb, "</style>\n</head>\n<body>\n<header>\n<h1>");
	sb_text(sb, r->m->title);
	sb_raw(sb, "</h1>\n<p class=\"turnout\">");
	turnout(sb, r);
	sb_raw(sb, "</p>\n</header>\n<main>\n");
	for (i = 0; i < r->m->ncontests; i++)
		html_contest(sb, r, i);
	sb_raw(sb, r->valid ? "</main>\n<p class=\"verdict\">" :
	    "</main>\n<p class=\"verdict void\">");
	verdict(sb, r);
	sb_raw(sb, "</p>\n</body>\n</html>\n");
}

/* ---- entry points ------------------------------------------------------------- */

static int
lang_is_zh(const char *lang, int *zh)
{
	if (lang == NULL || lang[0] == '\0' || strcmp(lang, "zh") == 0 ||
	    strcmp(lang, "zh-CN") == 0)
		*zh = 1;
	else if (strcmp(lang, "en") == 0)
		*zh = 0;
	else
		return TALLY_ERR_INVALID_ARG;
	return 0;
}

static int
announce_render(char **out, size_t *len, const struct manifest *m,
    const uint8_t *json, size_t jlen, const char *lang, int html)
{
	struct an_results *r = NULL;
	struct sbuf sb = { NULL, 0, 0, 0, html };
	int zh, ret;

	if (out == NULL || len == NULL)
		return TALLY_ERR_INVALID_ARG;
	*out = NULL;
	*len = 0;
	if (m == NULL || json == NULL || lang_is_zh(lang, &zh) != 0)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = results_parse(&r, m, json, jlen)) != 0)
		return ret;
	r->zh = zh;
	if (html)
		html_render(&sb, r);
	else
		txt_render(&sb, r);
	an_results_free(r);
	if (sb.err != 0) {
		free(sb.p);
		return sb.err;
	}
	*out = sb.p;
	*len = sb.len;
	return 0;
}

int
announce_text(char **out, size_t *len, const struct manifest *m,
    const uint8_t *results_json, size_t jlen, const char *lang)
{
	return announce_render(out, len, m, results_json, jlen, lang, 0);
}

int
announce_html(char **out, size_t *len, const struct manifest *m,
    const uint8_t *results_json, size_t jlen, const char *lang)
{
	return announce_render(out, len, m, results_json, jlen, lang, 1);
}
