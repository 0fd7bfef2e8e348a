/* manifest.c: strict manifest parsing and compilation (docs/design.md §5). */
#include "manifest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "err.h"
#include "util.h"

/* Shared by parse and choices: where to write the message. */
struct ectx {
	char	*err;
	size_t	 errlen;
};

#define FAIL(e, ...) do {						\
	util_errf((e)->err, (e)->errlen, __VA_ARGS__);			\
	return TALLY_ERR_MANIFEST;					\
} while (0)

static const char *const body_names[] = {
	"congress", "standing_committee", "constituency"
};
static const char *const kind_names[] = { "election", "project", "motion" };
static const char *const mode_names[] = { "approve", "for_against" };
static const char *const threshold_names[] = { "majority", "two_thirds" };
static const char *const tie_names[] = { "runoff", "presidium" };
static const char *const mark_names[] = {
	"for", "against", "approve", "writein"
};

#define NAME_OF(tab, v) \
	((size_t)(v) < NELEM(tab) ? tab[v] : "?")

const char *
manifest_body_name(enum manifest_body b)
{
	return NAME_OF(body_names, b);
}

const char *
manifest_kind_name(enum manifest_kind k)
{
	return NAME_OF(kind_names, k);
}

const char *
manifest_mode_name(enum manifest_mode mo)
{
	return NAME_OF(mode_names, mo);
}

const char *
manifest_threshold_name(enum manifest_threshold t)
{
	return NAME_OF(threshold_names, t);
}

const char *
manifest_mark_name(enum manifest_mark k)
{
	return NAME_OF(mark_names, k);
}

/* Index of s in tab[n], or -1. */
static int
lookup(const char *const *tab, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i], s) == 0)
			return (int)i;
	return -1;
}

/* ---- normalisation ---------------------------------------------------- */

static int
is_trim_space(ucs4_t c)
{
	/* White_Space plus the invisible ones people paste around names. */
	return uc_is_property_white_space(c) || c == 0x200b || c == 0xfeff;
}

int
manifest_name_normalize(const char *in, size_t len, char **out)
{
	uint8_t *nfc = NULL;
	size_t n = 0, start = 0, end, i;
	ucs4_t c;
	int k, ret = TALLY_ERR_NOMEM;

	*out = NULL;
	if (u8_check((const uint8_t *)in, len) != NULL)
		return TALLY_ERR_DECODE;
	if (len > 0 && (nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)in,
	    len, NULL, &n)) == NULL)
		goto out;
	/* Skip leading spaces; end is one past the last non-space. */
	for (i = 0, end = 0; i < n; i += (size_t)k) {
		k = u8_mbtouc(&c, nfc + i, n - i);
		if (!is_trim_space(c)) {
			if (end == 0)
				start = i;
			end = i + (size_t)k;
		}
	}
	if (end == 0)
		start = 0;
	if ((*out = calloc(1, end - start + 1)) == NULL)
		goto out;
	if (end > start)
		memcpy(*out, nfc + start, end - start);
	ret = 0;
out:
	free(nfc);
	return ret;
}

/* ---- field helpers ------------------------------------------------------ */

/* Refuse keys of obj that are not in allowed (NULL-terminated). */
static int
check_keys(struct ectx *e, json_t *obj, const char *const *allowed,
    const char *where)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach(obj, key, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL)
			FAIL(e, "%s: unknown key \"%.64s\"", where, key);
	}
	return 0;
}

static int
check_id(struct ectx *e, const char *s, const char *where)
{
	size_t i, n = strlen(s);

	if (n == 0)
		FAIL(e, "%s: empty id", where);
	if (n > MANIFEST_ID_MAX)
		FAIL(e, "%s: id longer than %d bytes", where,
		    MANIFEST_ID_MAX);
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-'))
			FAIL(e, "%s: id \"%.64s\" has characters other than "
			    "a-z 0-9 _ -", where, s);
	}
	return 0;
}

static int
check_text(struct ectx *e, const char *s, size_t n, const char *where)
{
	size_t i;

	if (n == 0)
		FAIL(e, "%s: empty", where);
	if (n > MANIFEST_TEXT_MAX)
		FAIL(e, "%s: longer than %d bytes", where, MANIFEST_TEXT_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			FAIL(e, "%s: control character", where);
	return 0;
}

/* A required string member; id-shaped when is_id, else a title or name. */
static int
get_string(struct ectx *e, json_t *obj, const char *key, int is_id,
    const char *where, char **out)
{
	char w[160];
	json_t *v;
	int r;

	snprintf(w, sizeof(w), "%s: \"%s\"", where, key);
	if ((v = json_object_get(obj, key)) == NULL)
		FAIL(e, "%s: missing \"%s\"", where, key);
	if (!json_is_string(v))
		FAIL(e, "%s must be a string", w);
	r = is_id ? check_id(e, json_string_value(v), w) :
	    check_text(e, json_string_value(v), json_string_length(v), w);
	if (r != 0)
		return r;
	if ((*out = strdup(json_string_value(v))) == NULL)
		return TALLY_ERR_NOMEM;
	return 0;
}

/* An integer member in [min, max]; absent leaves *out unless required. */
static int
get_uint(struct ectx *e, json_t *obj, const char *key, int required,
    uint32_t min, uint32_t max, const char *where, uint32_t *out)
{
	json_t *v;
	json_int_t x;

	if ((v = json_object_get(obj, key)) == NULL) {
		if (required)
			FAIL(e, "%s: missing \"%s\"", where, key);
		return 0;
	}
	if (!json_is_integer(v))
		FAIL(e, "%s: \"%s\" must be an integer", where, key);
	x = json_integer_value(v);
	if (x < (json_int_t)min || x > (json_int_t)max)
		FAIL(e, "%s: \"%s\" is %lld, must be in [%u, %u]", where, key,
		    (long long)x, min, max);
	*out = (uint32_t)x;
	return 0;
}

static int
get_bool(struct ectx *e, json_t *obj, const char *key, const char *where,
    int *out)
{
	json_t *v;

	if ((v = json_object_get(obj, key)) == NULL)
		return 0;
	if (!json_is_boolean(v))
		FAIL(e, "%s: \"%s\" must be true or false", where, key);
	*out = json_is_true(v);
	return 0;
}

/* An enumerated string member; absent leaves *out. */
static int
get_enum(struct ectx *e, json_t *obj, const char *key,
    const char *const *tab, size_t n, const char *where, int *out)
{
	json_t *v;
	int i;

	if ((v = json_object_get(obj, key)) == NULL)
		return 0;
	if (!json_is_string(v) ||
	    (i = lookup(tab, n, json_string_value(v))) < 0) {
		if (n == 2)
			FAIL(e, "%s: \"%s\" must be \"%s\" or \"%s\"", where,
			    key, tab[0], tab[1]);
		FAIL(e, "%s: bad \"%s\"", where, key);
	}
	*out = i;
	return 0;
}

/* "a/b" with 0 < a <= b <= MANIFEST_FRACTION_MAX. */
static int
get_fraction(struct ectx *e, json_t *obj, const char *key, const char *where,
    uint32_t *num, uint32_t *den)
{
	const char *s;
	unsigned a, b;
	int used = 0;
	json_t *v;

	if ((v = json_object_get(obj, key)) == NULL)
		return 0;
	if (!json_is_string(v))
		FAIL(e, "%s: \"%s\" must be a string like \"1/3\"", where,
		    key);
	s = json_string_value(v);
	if (strspn(s, "0123456789/") != strlen(s) ||
	    sscanf(s, "%4u/%4u%n", &a, &b, &used) != 2 ||
	    (size_t)used != strlen(s) || a == 0 || b == 0 || a > b ||
	    b > MANIFEST_FRACTION_MAX)
		FAIL(e, "%s: \"%s\" must be a fraction \"a/b\" with "
		    "0 < a <= b <= %d", where, key, MANIFEST_FRACTION_MAX);
	*num = a;
	*den = b;
	return 0;
}

/* Read the settings present in obj into r (vote-wide or one contest). */
static int
parse_settings(struct ectx *e, json_t *obj, struct manifest_rules *r,
    const char *where)
{
	int t, ret;

	if ((ret = get_bool(e, obj, "void_empty_writein", where,
	    &r->void_empty_writein)) != 0 ||
	    (ret = get_fraction(e, obj, "runoff_min_fraction", where,
	    &r->runoff_min_num, &r->runoff_min_den)) != 0 ||
	    (ret = get_bool(e, obj, "another_round", where,
	    &r->another_round)) != 0 ||
	    (ret = get_bool(e, obj, "require_majority", where,
	    &r->require_majority)) != 0 ||
	    (ret = get_bool(e, obj, "show_not_voted", where,
	    &r->show_not_voted)) != 0)
		return ret;
	t = (int)r->tie;
	if ((ret = get_enum(e, obj, "tie", tie_names, NELEM(tie_names), where,
	    &t)) != 0)
		return ret;
	r->tie = (enum manifest_tie)t;
	t = (int)r->threshold;
	if ((ret = get_enum(e, obj, "threshold", threshold_names,
	    NELEM(threshold_names), where, &t)) != 0)
		return ret;
	r->threshold = (enum manifest_threshold)t;
	return 0;
}

static const char *const rules_keys[] = {
	"void_empty_writein", "runoff_min_fraction", "another_round",
	"require_majority", "tie", "threshold", "show_not_voted", NULL
};

static const char *const election_keys[] = {
	"id", "kind", "title", "options", "seats", "writein_slots",
	"void_empty_writein", "runoff_min_fraction", "another_round", NULL
};

static const char *const project_keys[] = {
	"id", "kind", "title", "options", "choose", "mode",
	"require_majority", "tie", NULL
};

static const char *const motion_keys[] = {
	"id", "kind", "title", "options", "threshold", "show_not_voted", NULL
};

static const char *const option_keys[] = { "id", "name", NULL };

static const char *const top_keys[] = {
	"id", "title", "body", "members", "registered", "contests", "rules",
	NULL
};

/* ---- options and contests ------------------------------------------------ */

static int
parse_option(struct ectx *e, json_t *o, const char *cid, size_t i,
    struct manifest_option *opt)
{
	char where[128];
	int ret;

	snprintf(where, sizeof(where), "contest \"%s\" option %zu", cid,
	    i + 1);
	if (!json_is_object(o))
		FAIL(e, "%s must be an object", where);
	if ((ret = check_keys(e, o, option_keys, where)) != 0 ||
	    (ret = get_string(e, o, "id", 1, where, &opt->id)) != 0 ||
	    (ret = get_string(e, o, "name", 0, where, &opt->name)) != 0)
		return ret;
	return 0;
}

/* Refuse a repeated option id, a blank name, or a name equal to an earlier
 * one after normalisation (the count could not tell them apart). */
static int
check_option_unique(struct ectx *e, const struct manifest_contest *c,
    size_t i)
{
	const struct manifest_option *o = &c->options[i];
	char *a = NULL, *b = NULL;
	size_t j;
	int ret;

	if ((ret = manifest_name_normalize(o->name, strlen(o->name), &a)) != 0)
		goto out;
	ret = TALLY_ERR_MANIFEST;
	if (a[0] == '\0') {
		util_errf(e->err, e->errlen, "contest \"%s\": option \"%s\" has a "
		    "blank name", c->id, o->id);
		goto out;
	}
	for (j = 0; j < i; j++) {
		if (strcmp(c->options[j].id, o->id) == 0) {
			util_errf(e->err, e->errlen, "contest \"%s\": duplicate "
			    "option id \"%s\"", c->id, o->id);
			goto out;
		}
		free(b);
		if ((ret = manifest_name_normalize(c->options[j].name,
		    strlen(c->options[j].name), &b)) != 0)
			goto out;
		ret = TALLY_ERR_MANIFEST;
		if (strcmp(a, b) == 0) {
			util_errf(e->err, e->errlen, "contest \"%s\": options \"%s\""
			    " and \"%s\" have the same name", c->id,
			    c->options[j].id, o->id);
			goto out;
		}
	}
	ret = 0;
out:
	free(a);
	free(b);
	return ret;
}

static int
parse_options(struct ectx *e, json_t *ct, struct manifest_contest *c)
{
	json_t *arr = json_object_get(ct, "options");
	size_t i, n;
	int ret;

	if (arr == NULL && c->kind == MANIFEST_KIND_MOTION) {
		/* A motion is about itself: one option named after it. */
		if ((c->options = calloc(1, sizeof(*c->options))) == NULL)
			return TALLY_ERR_NOMEM;
		c->noptions = 1;
		if ((c->options[0].id = strdup(c->id)) == NULL ||
		    (c->options[0].name = strdup(c->title)) == NULL)
			return TALLY_ERR_NOMEM;
		return 0;
	}
	if (arr == NULL)
		FAIL(e, "contest \"%s\": missing \"options\"", c->id);
	if (!json_is_array(arr))
		FAIL(e, "contest \"%s\": \"options\" must be an array", c->id);
	n = json_array_size(arr);
	if (n == 0)
		FAIL(e, "contest \"%s\": no options", c->id);
	if (n > MANIFEST_OPTIONS_MAX)
		FAIL(e, "contest \"%s\": more than %d options", c->id,
		    MANIFEST_OPTIONS_MAX);
	if (c->kind == MANIFEST_KIND_MOTION && n != 1)
		FAIL(e, "contest \"%s\": a motion has exactly one option",
		    c->id);
	if ((c->options = calloc(n, sizeof(*c->options))) == NULL)
		return TALLY_ERR_NOMEM;
	c->noptions = n;
	for (i = 0; i < n; i++) {
		if ((ret = parse_option(e, json_array_get(arr, i), c->id, i,
		    &c->options[i])) != 0 ||
		    (ret = check_option_unique(e, c, i)) != 0)
			return ret;
	}
	return 0;
}

/* seats, writein_slots, choose, mode: the shape of one contest. */
static int
parse_shape(struct ectx *e, json_t *ct, struct manifest_contest *c,
    const char *where)
{
	int mode = MANIFEST_MODE_APPROVE, ret;

	switch (c->kind) {
	case MANIFEST_KIND_ELECTION:
		if ((ret = get_uint(e, ct, "seats", 1, 1, MANIFEST_OPTIONS_MAX,
		    where, &c->seats)) != 0)
			return ret;
		c->writein_slots = c->seats;
		return get_uint(e, ct, "writein_slots", 0, 0, c->seats, where,
		    &c->writein_slots);
	case MANIFEST_KIND_PROJECT:
		if ((ret = get_uint(e, ct, "choose", 1, 1,
		    (uint32_t)c->noptions, where, &c->seats)) != 0)
			return ret;
		if ((ret = get_enum(e, ct, "mode", mode_names,
		    NELEM(mode_names), where, &mode)) != 0)
			return ret;
		c->mode = (enum manifest_mode)mode;
		return 0;
	case MANIFEST_KIND_MOTION:
		c->seats = 1;
		return 0;
	}
	return TALLY_ERR_INTERNAL;
}

static int
parse_contest(struct ectx *e, json_t *ct, size_t idx,
    const struct manifest_rules *vote_rules, struct manifest_contest *c)
{
	static const char *const *const keys[] = {
		election_keys, project_keys, motion_keys
	};
	char where[128];
	int kind = -1, ret;

	snprintf(where, sizeof(where), "contest %zu", idx + 1);
	if (!json_is_object(ct))
		FAIL(e, "%s must be an object", where);
	if ((ret = get_string(e, ct, "id", 1, where, &c->id)) != 0)
		return ret;
	snprintf(where, sizeof(where), "contest \"%s\"", c->id);
	if (json_object_get(ct, "kind") == NULL)
		FAIL(e, "%s: missing \"kind\"", where);
	if (get_enum(e, ct, "kind", kind_names, NELEM(kind_names), where,
	    &kind) != 0)
		FAIL(e, "%s: unknown kind (election, project or motion)",
		    where);
	c->kind = (enum manifest_kind)kind;
	c->rules = *vote_rules;
	if ((ret = check_keys(e, ct, keys[kind], where)) != 0 ||
	    (ret = get_string(e, ct, "title", 0, where, &c->title)) != 0 ||
	    (ret = parse_options(e, ct, c)) != 0 ||
	    (ret = parse_shape(e, ct, c, where)) != 0 ||
	    (ret = parse_settings(e, ct, &c->rules, where)) != 0)
		return ret;
	return 0;
}

/* ---- compilation --------------------------------------------------------- */

struct builder {
	struct manifest	*m;
	size_t		 selcap, concap;
};

static int
add_sel(struct builder *b, uint32_t contest, uint32_t index,
    enum manifest_mark mark)
{
	struct manifest *m = b->m;
	struct manifest_selection *s;

	if (m->nsel == MANIFEST_SELECTIONS_MAX)
		return TALLY_ERR_MANIFEST;
	if (m->nsel == b->selcap) {
		if ((s = reallocarray(m->sel, b->selcap * 2 + 16,
		    sizeof(*s))) == NULL)
			return TALLY_ERR_NOMEM;
		m->sel = s;
		b->selcap = b->selcap * 2 + 16;
	}
	m->sel[m->nsel++] = (struct manifest_selection){contest, index, mark};
	return 0;
}

/* A constraint over the selections of contest ci whose mark is in mask
 * (bit per enum manifest_mark) and, unless any_option, whose index is opt. */
static int
add_con(struct builder *b, uint32_t ci, unsigned mask, int any_option,
    uint32_t opt, uint32_t max)
{
	struct manifest *m = b->m;
	const struct manifest_contest *c = &m->contests[ci];
	struct manifest_constraint *k;
	size_t i;

	if (m->ncon == b->concap) {
		if ((k = reallocarray(m->con, b->concap * 2 + 16,
		    sizeof(*k))) == NULL)
			return TALLY_ERR_NOMEM;
		m->con = k;
		b->concap = b->concap * 2 + 16;
	}
	k = &m->con[m->ncon];
	memset(k, 0, sizeof(*k));
	if ((k->sel = calloc(c->nsel, sizeof(*k->sel))) == NULL)
		return TALLY_ERR_NOMEM;
	m->ncon++;
	k->contest = ci;
	k->max = max;
	for (i = c->sel_first; i < c->sel_first + c->nsel; i++) {
		if (!(mask & (1u << m->sel[i].mark)))
			continue;
		if (!any_option && (m->sel[i].index != opt ||
		    m->sel[i].mark == MANIFEST_MARK_WRITEIN))
			continue;
		k->sel[k->nsel++] = (uint32_t)i;
	}
	return 0;
}

#define BIT(x) (1u << (x))

static int
compile_selections(struct builder *b, uint32_t ci)
{
	struct manifest_contest *c = &b->m->contests[ci];
	int pairs = c->kind != MANIFEST_KIND_PROJECT ||
	    c->mode == MANIFEST_MODE_FOR_AGAINST;
	uint32_t i;
	int ret;

	c->sel_first = b->m->nsel;
	for (i = 0; i < c->noptions; i++) {
		if (!pairs)
			ret = add_sel(b, ci, i, MANIFEST_MARK_APPROVE);
		else if ((ret = add_sel(b, ci, i, MANIFEST_MARK_FOR)) == 0)
			ret = add_sel(b, ci, i, MANIFEST_MARK_AGAINST);
		if (ret != 0)
			return ret;
	}
	for (i = 0; i < c->writein_slots; i++)
		if ((ret = add_sel(b, ci, i, MANIFEST_MARK_WRITEIN)) != 0)
			return ret;
	c->nsel = b->m->nsel - c->sel_first;
	c->wi_first = b->m->nwriteins;
	b->m->nwriteins += c->writein_slots;
	return 0;
}

static int
compile_constraints(struct builder *b, uint32_t ci)
{
	struct manifest_contest *c = &b->m->contests[ci];
	uint32_t i;
	int ret;

	c->con_first = b->m->ncon;
	if (c->kind == MANIFEST_KIND_PROJECT &&
	    c->mode == MANIFEST_MODE_APPROVE) {
		if ((ret = add_con(b, ci, BIT(MANIFEST_MARK_APPROVE), 1, 0,
		    c->seats)) != 0)
			return ret;
		goto done;
	}
	for (i = 0; i < c->noptions; i++)
		if ((ret = add_con(b, ci, BIT(MANIFEST_MARK_FOR) |
		    BIT(MANIFEST_MARK_AGAINST), 0, i, 1)) != 0)
			return ret;
	if (c->kind != MANIFEST_KIND_MOTION &&
	    (ret = add_con(b, ci, BIT(MANIFEST_MARK_FOR) |
	    BIT(MANIFEST_MARK_WRITEIN), 1, 0, c->seats)) != 0)
		return ret;
done:
	c->ncon = b->m->ncon - c->con_first;
	return 0;
}

static int
compile(struct ectx *e, struct manifest *m)
{
	struct builder b = { m, 0, 0 };
	uint32_t ci;
	int ret;

	for (ci = 0; ci < m->ncontests; ci++) {
		if ((ret = compile_selections(&b, ci)) == TALLY_ERR_MANIFEST)
			FAIL(e, "more than %d selections in the vote",
			    MANIFEST_SELECTIONS_MAX);
		if (ret != 0 || (ret = compile_constraints(&b, ci)) != 0)
			return ret;
	}
	return 0;
}

/* ---- the whole manifest --------------------------------------------------- */

static int
parse_body(struct ectx *e, json_t *root, struct manifest *m)
{
	json_t *reg = json_object_get(root, "registered");
	int body = -1, ret;

	if (json_object_get(root, "body") == NULL)
		FAIL(e, "manifest: missing \"body\"");
	if (get_enum(e, root, "body", body_names, NELEM(body_names),
	    "manifest", &body) != 0)
		FAIL(e, "manifest: \"body\" must be congress, "
		    "standing_committee or constituency");
	m->body = (enum manifest_body)body;
	if ((ret = get_uint(e, root, "members", 1, 1, MANIFEST_MEMBERS_MAX,
	    "manifest", &m->members)) != 0)
		return ret;
	if (m->body != MANIFEST_BODY_CONSTITUENCY) {
		if (reg != NULL)
			FAIL(e, "manifest: \"registered\" is only for a "
			    "constituency");
		return 0;
	}
	return get_uint(e, root, "registered", 1, 1, MANIFEST_MEMBERS_MAX,
	    "manifest", &m->registered);
}

static int
parse_contests(struct ectx *e, json_t *root, struct manifest *m)
{
	json_t *arr = json_object_get(root, "contests");
	size_t i, j, n;
	int ret;

	if (arr == NULL)
		FAIL(e, "manifest: missing \"contests\"");
	if (!json_is_array(arr))
		FAIL(e, "manifest: \"contests\" must be an array");
	if ((n = json_array_size(arr)) == 0)
		FAIL(e, "manifest: no contests");
	if (n > MANIFEST_CONTESTS_MAX)
		FAIL(e, "manifest: more than %d contests",
		    MANIFEST_CONTESTS_MAX);
	if ((m->contests = calloc(n, sizeof(*m->contests))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		m->ncontests = i + 1;
		if ((ret = parse_contest(e, json_array_get(arr, i), i,
		    &m->rules, &m->contests[i])) != 0)
			return ret;
		for (j = 0; j < i; j++)
			if (strcmp(m->contests[j].id, m->contests[i].id) == 0)
				FAIL(e, "manifest: duplicate contest id "
				    "\"%s\"", m->contests[i].id);
	}
	return 0;
}

static int
parse_root(struct ectx *e, json_t *root, struct manifest *m)
{
	json_t *rules;
	int ret;

	if (!json_is_object(root))
		FAIL(e, "manifest: must be a JSON object");
	if ((ret = check_keys(e, root, top_keys, "manifest")) != 0 ||
	    (ret = get_string(e, root, "id", 1, "manifest", &m->id)) != 0 ||
	    (ret = get_string(e, root, "title", 0, "manifest",
	    &m->title)) != 0 ||
	    (ret = parse_body(e, root, m)) != 0)
		return ret;
	m->rules = (struct manifest_rules){
		.void_empty_writein = 1, .runoff_min_num = 1,
		.runoff_min_den = 3, .show_not_voted = 1,
	};
	if ((rules = json_object_get(root, "rules")) != NULL) {
		if (!json_is_object(rules))
			FAIL(e, "manifest: \"rules\" must be an object");
		if ((ret = check_keys(e, rules, rules_keys, "rules")) != 0 ||
		    (ret = parse_settings(e, rules, &m->rules, "rules")) != 0)
			return ret;
	}
	if ((ret = parse_contests(e, root, m)) != 0)
		return ret;
	return compile(e, m);
}

int
manifest_parse(struct manifest **out, const uint8_t *json, size_t len,
    char *err, size_t errlen)
{
	struct ectx e = { err, errlen };
	struct manifest *m = NULL;
	json_error_t jerr;
	json_t *root = NULL;
	int ret;

	*out = NULL;
	util_errf(err, errlen, "ok");
	if (len > MANIFEST_JSON_MAX) {
		util_errf(err, errlen, "manifest: larger than %d bytes",
		    MANIFEST_JSON_MAX);
		return TALLY_ERR_TOO_LARGE;
	}
	/* json_loadb refuses trailing bytes unless JSON_DISABLE_EOF_CHECK. */
	if ((root = json_loadb((const char *)json, len,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		util_errf(err, errlen, "manifest: bad JSON at line %d column %d: "
		    "%s", jerr.line, jerr.column, jerr.text);
		return TALLY_ERR_MANIFEST;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = parse_root(&e, root, m)) != 0)
		goto out;
	*out = m;
	m = NULL;
out:
	if (ret == TALLY_ERR_NOMEM)
		util_errf(err, errlen, "manifest: out of memory");
	manifest_free(m);
	json_decref(root);
	return ret;
}

void
manifest_free(struct manifest *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->ncontests; i++) {
		struct manifest_contest *c = &m->contests[i];
		for (j = 0; j < c->noptions; j++) {
			free(c->options[j].id);
			free(c->options[j].name);
		}
		free(c->options);
		free(c->id);
		free(c->title);
	}
	for (i = 0; i < m->ncon; i++)
		free(m->con[i].sel);
	free(m->contests);
	free(m->sel);
	free(m->con);
	free(m->id);
	free(m->title);
	free(m);
}

const struct manifest_contest *
manifest_contest_find(const struct manifest *m, const char *id)
{
	size_t i;

	for (i = 0; i < m->ncontests; i++)
		if (strcmp(m->contests[i].id, id) == 0)
			return &m->contests[i];
	return NULL;
}

int
manifest_option_find(const struct manifest_contest *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->noptions; i++)
		if (strcmp(c->options[i].id, id) == 0)
			return (int)i;
	return -1;
}

long
manifest_selection_index(const struct manifest *m, size_t contest,
    size_t index, enum manifest_mark mark)
{
	const struct manifest_contest *c;
	size_t i;

	if (contest >= m->ncontests)
		return -1;
	c = &m->contests[contest];
	for (i = c->sel_first; i < c->sel_first + c->nsel; i++)
		if (m->sel[i].index == index && m->sel[i].mark == mark)
			return (long)i;
	return -1;
}

/* ---- ballot choices ------------------------------------------------------- */

#define CFAIL(e, ...) do {						\
	util_errf((e)->err, (e)->errlen, __VA_ARGS__);			\
	return TALLY_ERR_BAD_CHOICE;					\
} while (0)

/* One list of option ids with one mark; *count gets how many. */
static int
choice_ids(struct ectx *e, const struct manifest *m, size_t ci, json_t *arr,
    enum manifest_mark mark, uint8_t *marks, size_t *count)
{
	const struct manifest_contest *c = &m->contests[ci];
	const char *key = manifest_mark_name(mark), *id;
	long s, other;
	size_t i;
	int o;

	if (!json_is_array(arr))
		CFAIL(e, "contest \"%s\": \"%s\" must be an array of option "
		    "ids", c->id, key);
	for (i = 0; i < json_array_size(arr); i++) {
		if (!json_is_string(json_array_get(arr, i)))
			CFAIL(e, "contest \"%s\": \"%s\" must be an array of "
			    "option ids", c->id, key);
		id = json_string_value(json_array_get(arr, i));
		if ((o = manifest_option_find(c, id)) < 0)
			CFAIL(e, "contest \"%s\": unknown option \"%.64s\"",
			    c->id, id);
		s = manifest_selection_index(m, ci, (size_t)o, mark);
		if (s < 0)
			return TALLY_ERR_INTERNAL;
		if (marks[s])
			CFAIL(e, "contest \"%s\": option \"%s\" given twice",
			    c->id, id);
		other = manifest_selection_index(m, ci, (size_t)o,
		    mark == MANIFEST_MARK_FOR ? MANIFEST_MARK_AGAINST :
		    MANIFEST_MARK_FOR);
		if (mark != MANIFEST_MARK_APPROVE && other >= 0 &&
		    marks[other])
			CFAIL(e, "contest \"%s\": option \"%s\" marked both "
			    "for and against", c->id, id);
		marks[s] = 1;
	}
	*count = i;
	return 0;
}

/* Refuse a write-in equal to a listed option or to an earlier write-in of
 * this ballot: the first would split the option's votes, the second would
 * give one person two votes from one ballot. */
static int
writein_unique(struct ectx *e, const struct manifest_contest *c,
    char **norm, size_t i)
{
	char *o = NULL;
	size_t j;
	int same;

	if (norm[i][0] == '\0')
		return 0;
	for (j = 0; j < i; j++)
		if (strcmp(norm[j], norm[i]) == 0)
			CFAIL(e, "contest \"%s\": write-in \"%s\" given twice",
			    c->id, norm[i]);
	for (j = 0; j < c->noptions; j++) {
		if (manifest_name_normalize(c->options[j].name,
		    strlen(c->options[j].name), &o) != 0)
			return TALLY_ERR_NOMEM;
		same = strcmp(o, norm[i]) == 0;
		free(o);
		if (same)
			CFAIL(e, "contest \"%s\": write-in \"%s\" is candidate "
			    "\"%s\"; mark for instead", c->id, norm[i],
			    c->options[j].id);
	}
	return 0;
}

static int
choice_writein_one(struct ectx *e, const struct manifest_contest *c,
    json_t *v, size_t i, char **norm, char **name)
{
	const char *s;
	size_t j, n;

	if (!json_is_string(v))
		CFAIL(e, "contest \"%s\": \"writein\" must be an array of "
		    "names", c->id);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n > MANIFEST_WRITEIN_MAX)
		CFAIL(e, "contest \"%s\": write-in name longer than %d bytes",
		    c->id, MANIFEST_WRITEIN_MAX);
	for (j = 0; j < n; j++)
		if ((unsigned char)s[j] < 0x20 || s[j] == 0x7f)
			CFAIL(e, "contest \"%s\": control character in a "
			    "write-in name", c->id);
	if (manifest_name_normalize(s, n, &norm[i]) != 0 ||
	    (*name = strdup(s)) == NULL)
		return TALLY_ERR_NOMEM;
	if (n > 0 && norm[i][0] == '\0')
		CFAIL(e, "contest \"%s\": a write-in name of only spaces; "
		    "write a name, or \"\" to leave the marked slot empty",
		    c->id);
	return writein_unique(e, c, norm, i);
}

static int
choice_writeins(struct ectx *e, const struct manifest *m, size_t ci,
    json_t *arr, uint8_t *marks, char **names, size_t *count)
{
	const struct manifest_contest *c = &m->contests[ci];
	char *norm[MANIFEST_OPTIONS_MAX] = { NULL };
	size_t i, n;
	int ret = 0;

	if (!json_is_array(arr))
		CFAIL(e, "contest \"%s\": \"writein\" must be an array of "
		    "names", c->id);
	n = json_array_size(arr);
	if (n > 0 && c->writein_slots == 0)
		CFAIL(e, "contest \"%s\": write-ins are not allowed", c->id);
	if (n > c->writein_slots)
		CFAIL(e, "contest \"%s\": %zu write-ins, only %u slots",
		    c->id, n, c->writein_slots);
	for (i = 0; i < n && ret == 0; i++) {
		ret = choice_writein_one(e, c, json_array_get(arr, i), i, norm,
		    &names[c->wi_first + i]);
		marks[c->sel_first + 2 * c->noptions + i] = 1;
	}
	for (i = 0; i < n; i++)
		free(norm[i]);
	*count = n;
	return ret;
}

/* The keys a contest of this kind and mode accepts, by mark. */
static unsigned
choice_allowed(const struct manifest_contest *c)
{
	if (c->kind == MANIFEST_KIND_ELECTION)
		return BIT(MANIFEST_MARK_FOR) | BIT(MANIFEST_MARK_AGAINST) |
		    BIT(MANIFEST_MARK_WRITEIN);
	if (c->kind == MANIFEST_KIND_PROJECT &&
	    c->mode == MANIFEST_MODE_APPROVE)
		return BIT(MANIFEST_MARK_APPROVE);
	return BIT(MANIFEST_MARK_FOR) | BIT(MANIFEST_MARK_AGAINST);
}

static int
choice_contest(struct ectx *e, const struct manifest *m, size_t ci,
    json_t *obj, uint8_t *marks, char **names)
{
	const struct manifest_contest *c = &m->contests[ci];
	size_t count[4] = { 0, 0, 0, 0 };
	const char *key;
	json_t *v;
	int mk, ret;

	if (!json_is_object(obj))
		CFAIL(e, "contest \"%s\": choices must be an object", c->id);
	json_object_foreach(obj, key, v) {
		mk = lookup(mark_names, NELEM(mark_names), key);
		if (mk < 0 || !(choice_allowed(c) & BIT(mk)))
			CFAIL(e, "contest \"%s\": key \"%.64s\" does not fit "
			    "a%s %s", c->id, key,
			    c->kind == MANIFEST_KIND_ELECTION ? "n" : "",
			    c->kind == MANIFEST_KIND_PROJECT ?
			    (c->mode == MANIFEST_MODE_APPROVE ?
			    "approve project vote" : "for_against project vote")
			    : manifest_kind_name(c->kind));
		if (mk == MANIFEST_MARK_WRITEIN)
			ret = choice_writeins(e, m, ci, v, marks, names,
			    &count[mk]);
		else
			ret = choice_ids(e, m, ci, v, (enum manifest_mark)mk,
			    marks, &count[mk]);
		if (ret != 0)
			return ret;
	}
	if (c->kind == MANIFEST_KIND_ELECTION &&
	    count[MANIFEST_MARK_FOR] + count[MANIFEST_MARK_WRITEIN] > c->seats)
		CFAIL(e, "contest \"%s\": %zu for and %zu write-ins, more than "
		    "the %u seats", c->id, count[MANIFEST_MARK_FOR],
		    count[MANIFEST_MARK_WRITEIN], c->seats);
	if (c->kind == MANIFEST_KIND_PROJECT &&
	    count[MANIFEST_MARK_FOR] + count[MANIFEST_MARK_APPROVE] > c->seats)
		CFAIL(e, "contest \"%s\": %zu approved, more than the %u to "
		    "choose", c->id, count[MANIFEST_MARK_FOR] +
		    count[MANIFEST_MARK_APPROVE], c->seats);
	return 0;
}

static int
choices_root(struct ectx *e, const struct manifest *m, json_t *root,
    uint8_t *marks, char **names)
{
	const struct manifest_contest *c;
	const char *key;
	json_t *v;
	int ret;

	if (!json_is_object(root))
		CFAIL(e, "choices: must be a JSON object");
	json_object_foreach(root, key, v) {
		if ((c = manifest_contest_find(m, key)) == NULL)
			CFAIL(e, "choices: unknown contest \"%.64s\"", key);
		if ((ret = choice_contest(e, m, (size_t)(c - m->contests), v,
		    marks, names)) != 0)
			return ret;
	}
	return 0;
}

int
manifest_choices(const struct manifest *m, const uint8_t *json, size_t len,
    uint8_t *marks, char ***writein_names, char *err, size_t errlen)
{
	struct ectx e = { err, errlen };
	json_error_t jerr;
	json_t *root = NULL;
	char **names = NULL;
	int ret;

	*writein_names = NULL;
	memset(marks, 0, m->nsel);
	util_errf(err, errlen, "ok");
	if (len > MANIFEST_CHOICES_MAX) {
		util_errf(err, errlen, "choices: larger than %d bytes",
		    MANIFEST_CHOICES_MAX);
		return TALLY_ERR_TOO_LARGE;
	}
	if ((root = json_loadb((const char *)json, len,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		util_errf(err, errlen, "choices: bad JSON at line %d column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return TALLY_ERR_BAD_CHOICE;
	}
	if ((names = calloc(m->nwriteins + 1, sizeof(*names))) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = choices_root(&e, m, root, marks, names)) != 0)
		goto out;
	*writein_names = names;
	names = NULL;
out:
	if (ret == TALLY_ERR_NOMEM)
		util_errf(err, errlen, "choices: out of memory");
	if (ret != 0)
		memset(marks, 0, m->nsel);
	manifest_writein_names_free(m, names);
	json_decref(root);
	return ret;
}

void
manifest_writein_names_free(const struct manifest *m, char **names)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < m->nwriteins; i++)
		free(names[i]);
	free(names);
}
