/* rules.c: the counting rules of docs/counting.md over decrypted totals. */
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "err.h"
#include "util.h"

typedef unsigned long long ull;

static const char *const result_names[] = {
	"elected", "runoff_required", "shortfall", "chosen", "passed",
	"failed", "void"
};

const char *
rules_result_name(enum rules_result r)
{
	if ((size_t)r >= NELEM(result_names))
		return "?";
	return result_names[r];
}

static const char *const rule_names[] = {
	"void", "majority-of-members", "majority-of-cast",
	"two-thirds-of-members", "two-thirds-of-cast", "fraction-of-cast",
	"most"
};
static const char *const void_names[] = { "none", "over-issued", "turnout" };

const char *
rules_rule_name(enum rules_rule r)
{
	return (size_t)r < NELEM(rule_names) ? rule_names[r] : "?";
}

const char *
rules_void_name(enum rules_void v)
{
	return (size_t)v < NELEM(void_names) ? void_names[v] : "?";
}

int
rules_rule_parse(const char *name, enum rules_rule *r)
{
	size_t i;

	for (i = 0; i < NELEM(rule_names); i++)
		if (strcmp(name, rule_names[i]) == 0) {
			*r = (enum rules_rule)i;
			return 0;
		}
	return TALLY_ERR_DECODE;
}

int
rules_void_parse(const char *name, enum rules_void *v)
{
	size_t i;

	/* "none" is not a code: a valid round has null. */
	for (i = 1; i < NELEM(void_names); i++)
		if (strcmp(name, void_names[i]) == 0) {
			*v = (enum rules_void)i;
			return 0;
		}
	return TALLY_ERR_DECODE;
}

uint64_t
rules_majority(uint64_t n)
{
	return n / 2 + 1;
}

uint64_t
rules_two_thirds(uint64_t n)
{
	return (2 * n + 2) / 3;
}

int
rules_quorum_check(const struct manifest *m, uint64_t present, char *err,
    size_t errlen)
{
	uint64_t n = m->members;

	util_errf(err, errlen, "ok");
	if (present > n) {
		util_errf(err, errlen, "present %llu is more than the %llu members",
		    (ull)present, (ull)n);
		return TALLY_ERR_INVALID_ARG;
	}
	switch (m->body) {
	case MANIFEST_BODY_CONGRESS:
		if (present >= rules_two_thirds(n))
			return 0;
		util_errf(err, errlen, "quorum not met: %llu present, a congress "
		    "needs two thirds of all %llu members (%llu)",
		    (ull)present, (ull)n, (ull)rules_two_thirds(n));
		return TALLY_ERR_QUORUM;
	case MANIFEST_BODY_STANDING_COMMITTEE:
		if (2 * present > n)
			return 0;
		util_errf(err, errlen, "quorum not met: %llu present, a standing "
		    "committee needs more than half of all %llu members "
		    "(%llu)", (ull)present, (ull)n, (ull)rules_majority(n));
		return TALLY_ERR_QUORUM;
	case MANIFEST_BODY_CONSTITUENCY:
		return 0;
	}
	return TALLY_ERR_INTERNAL;
}

/* ---- input checks ---------------------------------------------------------- */

/* Totals no set of valid ballots could give mean a broken decryption or
 * record: refuse them rather than announce them. */
static int
check_totals(const struct manifest *m, const struct rules_input *in,
    char *err, size_t errlen)
{
	const struct manifest_constraint *k;
	uint64_t sum;
	size_t i, j;

	if (m->nsel > 0 && in->totals == NULL)
		return TALLY_ERR_INVALID_ARG;
	for (i = 0; i < m->nsel; i++)
		if (in->totals[i] > in->cast) {
			util_errf(err, errlen, "selection %zu has %llu marks, more "
			    "than the %llu ballots cast", i,
			    (ull)in->totals[i], (ull)in->cast);
			return TALLY_ERR_RULES;
		}
	for (i = 0; i < m->ncon; i++) {
		k = &m->con[i];
		for (j = 0, sum = 0; j < k->nsel; j++)
			sum += in->totals[k->sel[j]];
		if (sum > (uint64_t)k->max * in->cast) {
			util_errf(err, errlen, "contest \"%s\": constraint %zu sums "
			    "to %llu, more than %u x %llu ballots",
			    m->contests[k->contest].id, i, (ull)sum, k->max,
			    (ull)in->cast);
			return TALLY_ERR_RULES;
		}
	}
	for (i = 0; i < in->nwriteins; i++) {
		const struct rules_writein_in *w = &in->writeins[i];
		if (w->contest >= m->ncontests || w->name == NULL ||
		    m->contests[w->contest].writein_slots == 0) {
			util_errf(err, errlen, "write-in %zu: no such write-in "
			    "contest", i);
			return TALLY_ERR_INVALID_ARG;
		}
	}
	return 0;
}

/* ---- ranking ------------------------------------------------------------- */

struct entry {
	struct rules_ref ref;
	uint64_t	 votes;
	size_t		 seq;	/* options first, then write-ins: the tie order */
};

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->votes != y->votes)
		return x->votes > y->votes ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
append_refs(struct rules_ref **list, size_t *n, const struct entry *e,
    size_t count)
{
	size_t i;

	if (count == 0)
		return 0;
	if ((*list = calloc(count, sizeof(**list))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < count; i++)
		(*list)[i] = e[i].ref;
	*n = count;
	return 0;
}

/*
 * docs/counting.md steps 3 and 4: e[] sorted, the first neligible reach the
 * threshold. Fill elected and tied (runoff or undecided); seats_left.
 */
static int
select_places(struct rules_contest *rc, const struct entry *e,
    size_t neligible, uint32_t seats, int presidium)
{
	size_t nel = neligible, first_tied = neligible, ntied = 0;
	int ret;

	if (neligible > seats) {
		uint64_t cut = e[seats - 1].votes;
		nel = seats;
		if (e[seats].votes == cut) {
			for (first_tied = seats; first_tied > 0 &&
			    e[first_tied - 1].votes == cut; first_tied--)
				;
			for (ntied = 0; first_tied + ntied < neligible &&
			    e[first_tied + ntied].votes == cut; ntied++)
				;
			nel = first_tied;
		}
	}
	if ((ret = append_refs(&rc->elected, &rc->nelected, e, nel)) != 0)
		return ret;
	if (presidium)
		ret = append_refs(&rc->undecided, &rc->nundecided,
		    e + first_tied, ntied);
	else
		ret = append_refs(&rc->runoff, &rc->nrunoff, e + first_tied,
		    ntied);
	rc->seats_left = seats - (uint32_t)nel;
	return ret;
}

/* ---- write-ins ------------------------------------------------------------ */

static int
wtotal_cmp(const void *a, const void *b)
{
	const struct rules_writein_total *x = a, *y = b;

	if (x->votes != y->votes)
		return x->votes > y->votes ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Add votes for one normalised name (taking ownership of name). */
static int
wtotal_add(struct rules_contest *rc, char *name, uint64_t votes)
{
	struct rules_writein_total *t;
	size_t i;

	for (i = 0; i < rc->nwriteins; i++)
		if (strcmp(rc->writeins[i].name, name) == 0) {
			rc->writeins[i].votes += votes;
			free(name);
			return 0;
		}
	if ((t = reallocarray(rc->writeins, rc->nwriteins + 1,
	    sizeof(*t))) == NULL) {
		free(name);
		return TALLY_ERR_NOMEM;
	}
	rc->writeins = t;
	t[rc->nwriteins++] = (struct rules_writein_total){name, votes};
	return 0;
}

/*
 * Merge the decrypted names of contest ci. A marked slot whose name is
 * empty counts for nobody; with void_empty_writein false their number is
 * shown as the entry "". Empty names from unmarked slots are ignored, so
 * the caller may pass every slot's name.
 */
static int
merge_writeins(const struct manifest *m, size_t ci,
    const struct rules_input *in, struct rules_contest *rc, char *err,
    size_t errlen)
{
	const struct manifest_contest *c = &m->contests[ci];
	uint64_t marks = 0, named = 0;
	char *norm;
	size_t i;
	int ret;

	for (i = 0; i < c->writein_slots; i++)
		marks += in->totals[c->sel_first + 2 * c->noptions + i];
	for (i = 0; i < in->nwriteins; i++) {
		if (in->writeins[i].contest != ci)
			continue;
		if ((ret = manifest_name_normalize(in->writeins[i].name,
		    strlen(in->writeins[i].name), &norm)) != 0)
			return ret == TALLY_ERR_DECODE ?
			    TALLY_ERR_INVALID_ARG : ret;
		if (norm[0] == '\0') {
			free(norm);
			continue;
		}
		named += in->writeins[i].votes;
		if ((ret = wtotal_add(rc, norm, in->writeins[i].votes)) != 0)
			return ret;
	}
	if (named > marks) {
		util_errf(err, errlen, "contest \"%s\": %llu write-in names but "
		    "only %llu marked write-in slots", c->id, (ull)named,
		    (ull)marks);
		return TALLY_ERR_RULES;
	}
	if (!c->rules.void_empty_writein && marks > named) {
		if ((norm = strdup("")) == NULL)
			return TALLY_ERR_NOMEM;
		if ((ret = wtotal_add(rc, norm, marks - named)) != 0)
			return ret;
	}
	if (rc->nwriteins > 1)
		qsort(rc->writeins, rc->nwriteins, sizeof(*rc->writeins),
		    wtotal_cmp);
	return 0;
}

/* ---- per contest ----------------------------------------------------------- */

static void
fill_totals(const struct manifest *m, size_t ci, const uint64_t *tot,
    uint64_t valid, struct rules_contest *rc)
{
	const struct manifest_contest *c = &m->contests[ci];
	const uint64_t *t = tot + c->sel_first;
	size_t i;

	for (i = 0; i < c->noptions; i++) {
		struct rules_option_total *o = &rc->totals[i];
		if (c->kind == MANIFEST_KIND_PROJECT &&
		    c->mode == MANIFEST_MODE_APPROVE) {
			o->votes_for = t[i];
			continue;
		}
		o->votes_for = t[2 * i];
		o->against = t[2 * i + 1];
		/* check_totals proved for + against <= valid. */
		o->abstain = valid - o->votes_for - o->against;
	}
}

/* "More than half" of the base: of all members, or of the ballots cast. */
static enum rules_rule
majority_rule(const struct manifest *m)
{
	return m->body == MANIFEST_BODY_CONSTITUENCY ?
	    RULES_RULE_MAJORITY_CAST : RULES_RULE_MAJORITY_MEMBERS;
}

static uint64_t
base_of(const struct manifest *m, uint64_t cast)
{
	return m->body == MANIFEST_BODY_CONSTITUENCY ? cast : m->members;
}

/* Entries for every option and (elections) every named write-in. */
static int
gather(const struct manifest_contest *c, struct rules_contest *rc,
    struct entry **out, size_t *n)
{
	struct entry *e;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if ((e = calloc(c->noptions + rc->nwriteins + 1, sizeof(*e))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < c->noptions; i++, k++)
		e[k] = (struct entry){{0, (uint32_t)i}, rc->totals[i].votes_for,
		    k};
	for (i = 0; i < rc->nwriteins; i++) {
		if (rc->writeins[i].name[0] == '\0')
			continue;	/* never electable */
		e[k] = (struct entry){{1, (uint32_t)i}, rc->writeins[i].votes,
		    k};
		k++;
	}
	qsort(e, k, sizeof(*e), entry_cmp);
	*out = e;
	*n = k;
	return 0;
}

/* Rank, apply the threshold (at least 1 vote always) and fill places. */
static int
rank_and_select(const struct manifest_contest *c, struct rules_contest *rc,
    uint64_t threshold, int presidium)
{
	struct entry *e;
	size_t n, elig;
	int ret;

	if (threshold == 0)
		threshold = 1;
	rc->threshold = threshold;
	if ((ret = gather(c, rc, &e, &n)) != 0)
		return ret;
	for (elig = 0; elig < n && e[elig].votes >= threshold; elig++)
		;
	ret = select_places(rc, e, elig, c->seats, presidium);
	free(e);
	return ret;
}

static int
count_election(const struct manifest *m, size_t ci,
    const struct rules_input *in, struct rules_contest *rc)
{
	const struct manifest_contest *c = &m->contests[ci];
	uint64_t threshold;
	int ret;

	if (m->body == MANIFEST_BODY_CONSTITUENCY && c->rules.another_round) {
		/* votes / cast >= num / den, in integers. */
		threshold = (in->cast * c->rules.runoff_min_num +
		    c->rules.runoff_min_den - 1) / c->rules.runoff_min_den;
		rc->rule = RULES_RULE_FRACTION_CAST;
	} else {
		threshold = rules_majority(base_of(m, in->cast));
		rc->rule = majority_rule(m);
	}
	if ((ret = rank_and_select(c, rc, threshold, 0)) != 0)
		return ret;
	if (rc->nrunoff > 0)
		rc->result = RULES_RUNOFF_REQUIRED;
	else if (rc->seats_left > 0)
		rc->result = RULES_SHORTFALL;
	else
		rc->result = RULES_ELECTED;
	return 0;
}

static int
count_project(const struct manifest *m, size_t ci,
    const struct rules_input *in, struct rules_contest *rc)
{
	const struct manifest_contest *c = &m->contests[ci];
	int presidium = c->rules.tie == MANIFEST_TIE_PRESIDIUM;
	int majority = c->mode == MANIFEST_MODE_FOR_AGAINST ||
	    c->rules.require_majority;
	uint64_t threshold = 1;
	int ret;

	rc->rule = RULES_RULE_MOST;
	if (majority) {
		threshold = rules_majority(base_of(m, in->cast));
		rc->rule = majority_rule(m);
	}
	if ((ret = rank_and_select(c, rc, threshold, presidium)) != 0)
		return ret;
	rc->result = rc->nrunoff > 0 ? RULES_RUNOFF_REQUIRED : RULES_CHOSEN;
	return 0;
}

static int
count_motion(const struct manifest *m, size_t ci,
    const struct rules_input *in, struct rules_contest *rc)
{
	const struct manifest_contest *c = &m->contests[ci];
	uint64_t base = base_of(m, in->cast);

	if (c->rules.threshold == MANIFEST_THRESHOLD_TWO_THIRDS) {
		rc->threshold = rules_two_thirds(base);
		rc->rule = m->body == MANIFEST_BODY_CONSTITUENCY ?
		    RULES_RULE_TWO_THIRDS_CAST : RULES_RULE_TWO_THIRDS_MEMBERS;
	} else {
		rc->threshold = rules_majority(base);
		rc->rule = majority_rule(m);
	}
	if (rc->threshold == 0)
		rc->threshold = 1;
	rc->not_voted = in->present > in->cast ? in->present - in->cast : 0;
	rc->result = rc->totals[0].votes_for >= rc->threshold ?
	    RULES_PASSED : RULES_FAILED;
	return 0;
}

static int
count_contest(const struct manifest *m, size_t ci,
    const struct rules_input *in, struct rules_outcome *o, char *err,
    size_t errlen)
{
	const struct manifest_contest *c = &m->contests[ci];
	struct rules_contest *rc = &o->contests[ci];
	int ret;

	if ((rc->totals = calloc(c->noptions, sizeof(*rc->totals))) == NULL)
		return TALLY_ERR_NOMEM;
	rc->ntotals = c->noptions;
	fill_totals(m, ci, in->totals, o->valid_ballots, rc);
	if (c->kind == MANIFEST_KIND_ELECTION && (ret = merge_writeins(m, ci,
	    in, rc, err, errlen)) != 0)
		return ret;
	if (!o->valid) {
		rc->result = RULES_VOID;
		rc->seats_left = c->kind == MANIFEST_KIND_MOTION ? 0 : c->seats;
		rc->rule = RULES_RULE_VOID;
		return 0;
	}
	switch (c->kind) {
	case MANIFEST_KIND_ELECTION:
		return count_election(m, ci, in, rc);
	case MANIFEST_KIND_PROJECT:
		return count_project(m, ci, in, rc);
	case MANIFEST_KIND_MOTION:
		return count_motion(m, ci, in, rc);
	}
	return TALLY_ERR_INTERNAL;
}

/* Round validity (docs/counting.md "Round validity" and the constituency
 * rule). */
static void
round_validity(const struct manifest *m, const struct rules_input *in,
    struct rules_outcome *o)
{
	o->valid = 1;
	if (in->cast > in->issued) {
		o->valid = 0;
		o->void_reason = RULES_VOID_OVER_ISSUED;
	} else if (m->body == MANIFEST_BODY_CONSTITUENCY &&
	    2 * in->cast <= m->registered) {
		o->valid = 0;
		o->void_reason = RULES_VOID_TURNOUT;
	}
}

int
rules_count(struct rules_outcome **out, const struct manifest *m,
    const struct rules_input *in, char *err, size_t errlen)
{
	struct rules_outcome *o = NULL;
	size_t ci;
	int ret;

	*out = NULL;
	util_errf(err, errlen, "ok");
	if ((ret = check_totals(m, in, err, errlen)) != 0)
		return ret;
	ret = TALLY_ERR_NOMEM;
	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->contests = calloc(m->ncontests, sizeof(*o->contests))) == NULL)
		goto out;
	o->ncontests = m->ncontests;
	o->members = m->members;
	o->present = in->present;
	o->issued = in->issued;
	o->cast = in->cast;
	/* Encrypted ballots cannot over-select: every received one is valid. */
	o->valid_ballots = in->cast;
	round_validity(m, in, o);
	for (ci = 0; ci < m->ncontests; ci++)
		if ((ret = count_contest(m, ci, in, o, err, errlen)) != 0)
			goto out;
	*out = o;
	o = NULL;
	ret = 0;
out:
	if (ret == TALLY_ERR_NOMEM)
		util_errf(err, errlen, "rules: out of memory");
	rules_outcome_free(o);
	return ret;
}

void
rules_outcome_free(struct rules_outcome *o)
{
	size_t i, j;

	if (o == NULL)
		return;
	for (i = 0; i < o->ncontests; i++) {
		struct rules_contest *rc = &o->contests[i];
		for (j = 0; j < rc->nwriteins; j++)
			free(rc->writeins[j].name);
		free(rc->writeins);
		free(rc->totals);
		free(rc->elected);
		free(rc->runoff);
		free(rc->undecided);
	}
	free(o->contests);
	free(o);
}

/* ---- results.json ------------------------------------------------------------ */

/* json_object_set_new that remembers the first failure. */
static void
put(json_t *obj, const char *key, json_t *v, int *ok)
{
	if (v == NULL || json_object_set_new(obj, key, v) != 0)
		*ok = 0;
}

static json_t *
jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *
refs_json(const struct manifest_contest *c, const struct rules_contest *rc,
    const struct rules_ref *r, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++) {
		const char *s = r[i].is_writein ?
		    rc->writeins[r[i].index].name : c->options[r[i].index].id;
		if (json_array_append_new(a, json_string(s)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
totals_json(const struct manifest_contest *c, const struct rules_contest *rc)
{
	json_t *t = json_object(), *o;
	size_t i;
	int ok = t != NULL;

	for (i = 0; ok && i < c->noptions; i++) {
		const struct rules_option_total *x = &rc->totals[i];
		if ((o = json_object()) == NULL) {
			ok = 0;
			break;
		}
		if (c->kind == MANIFEST_KIND_PROJECT &&
		    c->mode == MANIFEST_MODE_APPROVE)
			put(o, "approve", jint(x->votes_for), &ok);
		else {
			put(o, "for", jint(x->votes_for), &ok);
			put(o, "against", jint(x->against), &ok);
			put(o, "abstain", jint(x->abstain), &ok);
		}
		put(t, c->options[i].id, o, &ok);
	}
	if (!ok) {
		json_decref(t);
		return NULL;
	}
	return t;
}

static json_t *
writeins_json(const struct rules_contest *rc)
{
	json_t *w = json_object();
	size_t i;
	int ok = w != NULL;

	for (i = 0; ok && i < rc->nwriteins; i++)
		put(w, rc->writeins[i].name, jint(rc->writeins[i].votes), &ok);
	if (!ok) {
		json_decref(w);
		return NULL;
	}
	return w;
}

/* The kind-specific shape keys, in order. */
static void
shape_json(json_t *o, const struct manifest_contest *c, int *ok)
{
	switch (c->kind) {
	case MANIFEST_KIND_ELECTION:
		put(o, "seats", jint(c->seats), ok);
		break;
	case MANIFEST_KIND_PROJECT:
		put(o, "choose", jint(c->seats), ok);
		put(o, "mode", json_string(manifest_mode_name(c->mode)), ok);
		break;
	case MANIFEST_KIND_MOTION:
		put(o, "threshold", json_string(
		    manifest_threshold_name(c->rules.threshold)), ok);
		break;
	}
}

static json_t *
contest_json(const struct manifest_contest *c, const struct rules_contest *rc)
{
	json_t *o = json_object();
	int ok = o != NULL;

	if (!ok)
		return NULL;
	put(o, "id", json_string(c->id), &ok);
	put(o, "kind", json_string(manifest_kind_name(c->kind)), &ok);
	shape_json(o, c, &ok);
	put(o, "totals", totals_json(c, rc), &ok);
	if (c->kind == MANIFEST_KIND_ELECTION)
		put(o, "writeins", writeins_json(rc), &ok);
	if (c->kind == MANIFEST_KIND_MOTION && c->rules.show_not_voted)
		put(o, "not_voted", jint(rc->not_voted), &ok);
	put(o, "outcome", json_string(rules_result_name(rc->result)), &ok);
	put(o, "elected", refs_json(c, rc, rc->elected, rc->nelected), &ok);
	put(o, "runoff", refs_json(c, rc, rc->runoff, rc->nrunoff), &ok);
	if (c->kind == MANIFEST_KIND_PROJECT)
		put(o, "undecided", refs_json(c, rc, rc->undecided,
		    rc->nundecided), &ok);
	put(o, "seats_left", jint(rc->seats_left), &ok);
	put(o, "rule", json_string(rules_rule_name(rc->rule)), &ok);
	put(o, "needed", jint(rc->threshold), &ok);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
outcome_json(const struct manifest *m, const struct rules_outcome *o)
{
	json_t *r = json_object(), *arr = json_array();
	size_t i;
	int ok = r != NULL && arr != NULL;

	if (!ok) {
		json_decref(r);
		json_decref(arr);
		return NULL;
	}
	put(r, "vote", json_string(m->id), &ok);
	put(r, "valid", json_boolean(o->valid), &ok);
	put(r, "void_reason", o->valid ? json_null() :
	    json_string(rules_void_name(o->void_reason)), &ok);
	put(r, "members", jint(o->members), &ok);
	if (m->body == MANIFEST_BODY_CONSTITUENCY)
		put(r, "registered", jint(m->registered), &ok);
	put(r, "present", jint(o->present), &ok);
	put(r, "issued", jint(o->issued), &ok);
	put(r, "cast", jint(o->cast), &ok);
	put(r, "valid_ballots", jint(o->valid_ballots), &ok);
	put(r, "invalid_ballots", jint(o->invalid_ballots), &ok);
	for (i = 0; ok && i < o->ncontests; i++)
		if (json_array_append_new(arr, contest_json(&m->contests[i],
		    &o->contests[i])) != 0)
			ok = 0;
	put(r, "contests", arr, &ok);
	if (!ok) {
		json_decref(r);
		return NULL;
	}
	return r;
}

int
rules_outcome_to_json(const struct manifest *m,
    const struct rules_outcome *o, char **json, size_t *len)
{
	json_t *r;

	*json = NULL;
	*len = 0;
	if (o->ncontests != m->ncontests)
		return TALLY_ERR_INVALID_ARG;
	if ((r = outcome_json(m, o)) == NULL)
		return TALLY_ERR_NOMEM;
	*json = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(r);
	if (*json == NULL)
		return TALLY_ERR_NOMEM;
	*len = strlen(*json);
	return 0;
}
