/*
 * simulate.c: tallyctl simulate: T terminals casting test ballots at once.
 *
 * Ballots are made first (random valid marks from --seed, or exactly the
 * ballots of --plan), one per card, then cast over T concurrent terminal
 * connections while the receipt latency of each is measured. A card whose
 * receipt is already in --receipts is skipped, so running the same command
 * again after a crash retries exactly the unacknowledged ballots. --expect
 * gets the plaintext totals of every ballot known to be recorded, in the
 * shape of the contests of results.json.
 *
 * Without --rate the terminals cast as fast as the server answers (closed
 * loop: a terminal sends its next ballot when it has the receipt of the
 * last), and a ballot's latency runs from its send. With --rate R the load
 * is offered (open loop): the k-th ballot to cast is due at start + k/R,
 * whichever terminal takes it, and its latency runs from that due time,
 * not from when a terminal was free to send it; so a server that falls
 * behind is charged the time its ballots waited for a terminal too (no
 * coordinated omission).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "castlib.h"
#include "credential.h"
#include "err.h"
#include "util.h"

#define SIM_MAX_TERMINALS	1024

enum sim_fate { SIM_PENDING, SIM_ACKED, SIM_HAD_RECEIPT, SIM_CRED_USED,
    SIM_FAILED };

struct sim_ballot {
	char		*card;		/* path */
	char		*name;		/* card file name without .txt */
	uint8_t		*marks;
	char		**writeins;
	uint8_t		*bytes;
	size_t		 len;
	enum sim_fate	 fate;
	int		 err;
	double		 latency;	/* seconds, from the due time */
	double		 service;	/* seconds, from the send */
};

struct sim {
	struct cast_vote	 v;
	struct sim_ballot	*b;
	size_t			 n;
	size_t			 ncards;		/* entries of b */
	size_t			 next;		/* under lock */
	size_t			 due;		/* under lock: casts taken */
	double			 start;		/* of the casts, once every
						 * terminal is connected */
	unsigned int		 connected;	/* under lock */
	unsigned int		 expected;	/* under lock: threads */
	pthread_cond_t		 go;
	uint32_t		 rate;		/* ballots/s, 0: closed loop */
	double			 late;		/* under lock: the most a send
						 * started after its due time */
	pthread_mutex_t		 lock;
	const char		*receipts;
	int			 make_err;	/* under lock: the first */
};

struct sim_args {
	const char	*vote, *cards, *plan, *expect, *receipts, *pin;
	uint32_t	 terminals, ballots, rate;
	uint64_t	 seed;
	int		 have_ballots, have_seed;
};

/* ------------------------------------------------------------ the marks */

static uint64_t
sim_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Would setting selection s keep every constraint that holds it? */
static int
sim_fits(const struct manifest *m, const uint8_t *marks, size_t s)
{
	size_t c, i;
	uint32_t sum;

	for (c = 0; c < m->ncon; c++) {
		const struct manifest_constraint *k = &m->con[c];
		int holds = 0;

		for (i = 0, sum = 0; i < k->nsel; i++) {
			sum += marks[k->sel[i]];
			holds |= k->sel[i] == s;
		}
		if (holds && sum + 1 > k->max)
			return 0;
	}
	return 1;
}

static const char *const sim_names[] = { "张三", "李四", "王五", "Zhao Liu" };

/* Random valid marks: selections in random order, each set with
 * probability 1/2 when every constraint still holds. */
static int
sim_random_marks(const struct manifest *m, uint64_t *rng, uint8_t *marks,
    char **names)
{
	size_t i, j, *order, t;

	if ((order = calloc(m->nsel + 1, sizeof(*order))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < m->nsel; i++)
		order[i] = i;
	for (i = m->nsel; i > 1; i--) {
		j = sim_rand(rng) % i;
		t = order[i - 1], order[i - 1] = order[j], order[j] = t;
	}
	for (i = 0; i < m->nsel; i++) {
		size_t s = order[i];

		if (sim_rand(rng) % 2 == 0 || !sim_fits(m, marks, s))
			continue;
		if (m->sel[s].mark == MANIFEST_MARK_WRITEIN) {
			/* Write-ins are rarer and need a name, one its
			 * ballot has not written in this contest yet: a
			 * terminal refuses the same name twice, and the
			 * count would take it once (semantics.md). */
			if (sim_rand(rng) % 4 != 0)
				continue;
			const struct manifest_contest *c =
			    &m->contests[m->sel[s].contest];
			const char *name = NULL;
			size_t k, n = sim_rand(rng) % 4, x;

			for (k = 0; name == NULL && k < 4; k++) {
				name = sim_names[(n + k) % 4];
				for (x = 0; name != NULL &&
				    x < c->writein_slots; x++)
					if (names[c->wi_first + x] != NULL &&
					    strcmp(names[c->wi_first + x],
					    name) == 0)
						name = NULL;
			}
			if (name == NULL)
				continue;
			if ((names[c->wi_first + m->sel[s].index] =
			    strdup(name)) == NULL) {
				free(order);
				return TALLY_ERR_NOMEM;
			}
		}
		marks[s] = 1;
	}
	free(order);
	return 0;
}

/* ------------------------------------------------------------ the inputs */

static int
sim_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sim_cards_free(char **list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* The card files of dir (or of dir/cards), sorted by name: all of them or
 * an error, never a shorter list. */
static int
sim_cards(const char *dir, char ***out, size_t *n)
{
	char sub[4096], **list = NULL, **nl;
	struct stat st;
	struct dirent *de;
	DIR *d;
	size_t cap = 0, len;
	int ret = 0;

	*out = NULL;
	*n = 0;
	snprintf(sub, sizeof(sub), "%s/cards", dir);
	if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
		dir = sub;
	if ((d = opendir(dir)) == NULL)
		return TALLY_ERR_NOT_FOUND;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nl = reallocarray(list, cap, sizeof(*list))) ==
			    NULL) {
				ret = TALLY_ERR_NOMEM;
				break;
			}
			list = nl;
		}
		if (asprintf(&list[*n], "%s/%s", dir, de->d_name) == -1) {
			ret = TALLY_ERR_NOMEM;
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (ret != 0) {
		sim_cards_free(list, *n);
		*n = 0;
		return ret;
	}
	if (*n > 0)
		qsort(list, *n, sizeof(*list), sim_cmp);
	*out = list;
	return 0;
}

/* The plan: [ { "count": N, "ballot": { choices } }, ... ] -> marks. */
static int
sim_plan(struct sim *sim, const char *path, char *err, size_t errlen)
{
	json_t *plan, *e;
	json_error_t je;
	char *text;
	size_t i, k, at = 0;
	int ret = TALLY_ERR_INVALID_ARG;

	if ((plan = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL || !json_is_array(plan)) {
		snprintf(err, errlen, "%s: not a plan (a JSON array)", path);
		json_decref(plan);
		return ret;
	}
	json_array_foreach(plan, i, e) {
		json_int_t count = json_integer_value(json_object_get(e,
		    "count"));
		json_t *b = json_object_get(e, "ballot");

		if (count < 0 || b == NULL || at + (size_t)count > sim->n ||
		    (text = json_dumps(b, JSON_COMPACT)) == NULL) {
			snprintf(err, errlen, "%s: entry %zu: bad count or "
			    "ballot, or more ballots than cards", path, i);
			goto out;
		}
		for (k = 0; k < (size_t)count; k++, at++) {
			struct sim_ballot *sb = &sim->b[at];

			/* manifest_choices allocates the names array anew */
			manifest_writein_names_free(sim->v.ctx.m, sb->writeins);
			sb->writeins = NULL;
			if ((ret = manifest_choices(sim->v.ctx.m, (uint8_t *)text,
			    strlen(text), sb->marks, &sb->writeins, err,
			    errlen)) != 0) {
				free(text);
				goto out;
			}
		}
		free(text);
	}
	sim->n = at;
	ret = 0;
out:
	json_decref(plan);
	return ret;
}

/* --------------------------------------------------------------- phases */

static double
sim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sim_receipt_path(char *out, size_t len, const struct sim *sim,
    const struct sim_ballot *b)
{
	snprintf(out, len, "%s/%s.pb", sim->receipts, b->name);
}

static int
sim_prepare(struct sim *sim, const struct sim_args *a, char *err,
    size_t errlen)
{
	char **cards = NULL, rp[4096];
	size_t ncards = 0, i, want;
	struct stat st;
	uint64_t rng = a->seed;
	int ret;

	if ((ret = sim_cards(a->cards, &cards, &ncards)) != 0 || ncards == 0) {
		snprintf(err, errlen, "%s: %s", a->cards, ret == 0 ?
		    "no card files" : tally_strerror(ret));
		return ret == 0 ? TALLY_ERR_NOT_FOUND : ret;
	}
	want = a->plan != NULL ? ncards : a->ballots;
	ret = TALLY_ERR_NOMEM;
	if (want > ncards) {
		snprintf(err, errlen, "%u ballots but only %zu cards",
		    a->ballots, ncards);
		ret = TALLY_ERR_INVALID_ARG;
	} else if ((sim->b = calloc(ncards + 1, sizeof(*sim->b))) != NULL) {
		sim->n = want;
		sim->ncards = ncards;
		ret = 0;
	}
	for (i = 0; ret == 0 && i < ncards; i++) {
		struct sim_ballot *b = &sim->b[i];
		char *slash = strrchr(cards[i], '/');

		b->card = cards[i];
		cards[i] = NULL;
		b->name = strndup(slash + 1, strlen(slash + 1) - 4);
		b->marks = calloc(sim->v.ctx.m->nsel + 1, 1);
		b->writeins = calloc(sim->v.ctx.m->nwriteins + 1, sizeof(char *));
		if (b->name == NULL || b->marks == NULL || b->writeins == NULL)
			ret = TALLY_ERR_NOMEM;
	}
	sim_cards_free(cards, ncards);
	if (ret != 0)
		return ret;
	if (a->plan != NULL) {
		if ((ret = sim_plan(sim, a->plan, err, errlen)) != 0)
			return ret;
	} else
		for (i = 0; i < sim->n; i++)
			if ((ret = sim_random_marks(sim->v.ctx.m, &rng,
			    sim->b[i].marks, sim->b[i].writeins)) != 0)
				return ret;
	for (i = 0; sim->receipts != NULL && i < sim->n; i++) {
		sim_receipt_path(rp, sizeof(rp), sim, &sim->b[i]);
		if (stat(rp, &st) == 0)
			sim->b[i].fate = SIM_HAD_RECEIPT;
	}
	return 0;
}

/* Encrypting is the terminals' work, done before the clock starts. */
static void *
sim_make_thread(void *arg)
{
	struct sim *sim = arg;
	struct sim_ballot *b;
	uint8_t seed[32];
	size_t i;
	int ret;

	for (;;) {
		pthread_mutex_lock(&sim->lock);
		i = sim->next++;
		pthread_mutex_unlock(&sim->lock);
		if (i >= sim->n)
			return NULL;
		b = &sim->b[i];
		if (b->fate != SIM_PENDING)
			continue;
		if ((ret = credential_card_load(seed, b->card)) != 0 ||
		    (ret = cast_make(&sim->v, seed, b->marks, b->writeins,
		    &b->bytes, &b->len)) != 0) {
			b->fate = SIM_FAILED;
			b->err = ret;
			pthread_mutex_lock(&sim->lock);
			if (sim->make_err == 0)
				sim->make_err = ret;
			pthread_mutex_unlock(&sim->lock);
		}
		OPENSSL_cleanse(seed, sizeof(seed));
	}
}

/* With --rate, wait until the due time of a cast; the time it counts
 * from (its due time, or now in a closed loop). */
static double
sim_wait_due(struct sim *sim, size_t k)
{
	struct timespec ts;
	double due, now;

	if (sim->rate == 0)
		return sim_now();
	due = sim->start + (double)k / sim->rate;
	ts.tv_sec = (time_t)due;
	ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
	if ((now = sim_now()) - due > 0) {
		pthread_mutex_lock(&sim->lock);
		if (now - due > sim->late)
			sim->late = now - due;
		pthread_mutex_unlock(&sim->lock);
	}
	return due;
}

static int
sim_cast_one(struct sim *sim, struct ctl_conn *c, struct sim_ballot *b,
    size_t k)
{
	Tally__Request req;
	Tally__CastRequest cr;
	Tally__Ballot *ballot = NULL;
	Tally__Response *resp = NULL;
	char rp[4096];
	double due, t0, t1;
	int ret;

	if ((ret = cast_request(&req, &cr, &ballot, b->bytes, b->len)) != 0)
		return ret;
	due = sim_wait_due(sim, k);
	t0 = sim_now();
	ret = ctl_call(c, &req, &resp);
	t1 = sim_now();
	b->latency = t1 - due;
	b->service = t1 - t0;
	if (ret == 0 && (resp->cast == NULL || resp->cast->receipt == NULL ||
	    cast_receipt_check(&sim->v, resp->cast->receipt) != 0))
		ret = TALLY_ERR_VERIFY;
	if (ret == 0 && sim->receipts != NULL) {
		sim_receipt_path(rp, sizeof(rp), sim, b);
		ret = cast_receipt_save(resp->cast->receipt, rp);
	}
	b->err = ret;
	b->fate = ret == 0 ? SIM_ACKED : ret == TALLY_ERR_CRED_USED ?
	    SIM_CRED_USED : resp != NULL ? SIM_FAILED : SIM_PENDING;
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	tally__ballot__free_unpacked(ballot, NULL);
	/* No response at all: the connection is gone. */
	return b->fate == SIM_PENDING ? ret : 0;
}

static void *
sim_cast_thread(void *arg)
{
	struct sim *sim = arg;
	struct ctl_conn *c;
	char err[256];
	size_t i, k;

	int ok = ctl_connect(&ctl_global, &c, err, sizeof(err)) == 0;

	/* The clock starts when every terminal has its connection. */
	pthread_mutex_lock(&sim->lock);
	sim->connected++;
	pthread_cond_broadcast(&sim->go);
	while (sim->expected == 0 || sim->connected < sim->expected)
		pthread_cond_wait(&sim->go, &sim->lock);
	if (sim->start == 0)
		sim->start = sim_now();
	pthread_mutex_unlock(&sim->lock);
	if (!ok)
		return NULL;
	for (;;) {
		/* The next ballot to cast and its place in the schedule. */
		pthread_mutex_lock(&sim->lock);
		while ((i = sim->next++) < sim->n &&
		    (sim->b[i].fate != SIM_PENDING || sim->b[i].bytes == NULL))
			;
		k = sim->due++;
		pthread_mutex_unlock(&sim->lock);
		if (i >= sim->n)
			break;
		if (sim_cast_one(sim, c, &sim->b[i], k) != 0)
			break;
	}
	ctl_close(c);
	return NULL;
}

static int
sim_run(struct sim *sim, unsigned int n, void *(*fn)(void *))
{
	pthread_t t[SIM_MAX_TERMINALS];
	unsigned int i, started = 0;

	sim->next = sim->due = 0;
	sim->connected = sim->expected = 0;
	for (i = 0; i < n && i < SIM_MAX_TERMINALS; i++) {
		if (pthread_create(&t[i], NULL, fn, sim) != 0)
			break;
		started++;
	}
	pthread_mutex_lock(&sim->lock);
	sim->expected = started;
	pthread_cond_broadcast(&sim->go);
	pthread_mutex_unlock(&sim->lock);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	return started == n ? 0 : TALLY_ERR_NOMEM;
}

/* ------------------------------------------------------------- results */

static int
sim_recorded(const struct sim_ballot *b)
{
	return b->fate == SIM_ACKED || b->fate == SIM_HAD_RECEIPT ||
	    b->fate == SIM_CRED_USED;
}

static json_t *
sim_contest_totals(const struct sim *sim, size_t ci, uint64_t cast)
{
	const struct manifest *m = sim->v.ctx.m;
	const struct manifest_contest *c = &m->contests[ci];
	uint64_t *f, *ag;
	json_t *o = json_object(), *t = json_object(), *w = json_object(), *x;
	size_t i, s;
	char *norm;

	f = calloc(c->noptions + 1, sizeof(*f));
	ag = calloc(c->noptions + 1, sizeof(*ag));
	for (i = 0; f != NULL && ag != NULL && i < sim->n; i++) {
		if (!sim_recorded(&sim->b[i]))
			continue;
		for (s = c->sel_first; s < c->sel_first + c->nsel; s++) {
			const struct manifest_selection *sel = &m->sel[s];
			const char *name;

			if (!sim->b[i].marks[s])
				continue;
			if (sel->mark == MANIFEST_MARK_AGAINST)
				ag[sel->index]++;
			else if (sel->mark != MANIFEST_MARK_WRITEIN)
				f[sel->index]++;
			else if ((name = sim->b[i].writeins[c->wi_first +
			    sel->index]) != NULL && *name != '\0' &&
			    manifest_name_normalize(name, strlen(name),
			    &norm) == 0) {
				x = json_object_get(w, norm);
				json_object_set_new(w, norm, json_integer(
				    (x ? json_integer_value(x) : 0) + 1));
				free(norm);
			}
		}
	}
	for (i = 0; f != NULL && ag != NULL && i < c->noptions; i++) {
		x = json_object();
		if (c->kind == MANIFEST_KIND_PROJECT &&
		    c->mode == MANIFEST_MODE_APPROVE)
			json_object_set_new(x, "approve", json_integer(f[i]));
		else {
			json_object_set_new(x, "for", json_integer(f[i]));
			json_object_set_new(x, "against", json_integer(ag[i]));
			json_object_set_new(x, "abstain", json_integer(cast -
			    f[i] - ag[i]));
		}
		json_object_set_new(t, c->options[i].id, x);
	}
	free(f);
	free(ag);
	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "kind", json_string(manifest_kind_name(
	    c->kind)));
	json_object_set_new(o, "totals", t);
	if (c->kind == MANIFEST_KIND_ELECTION)
		json_object_set_new(o, "writeins", w);
	else
		json_decref(w);
	return o;
}

static int
sim_expect(const struct sim *sim, const char *path)
{
	json_t *root = json_object(), *cs = json_array();
	uint64_t cast = 0;
	size_t i;
	int ret;

	for (i = 0; i < sim->n; i++)
		cast += sim_recorded(&sim->b[i]);
	json_object_set_new(root, "vote", json_string(sim->v.vc->vote_id));
	json_object_set_new(root, "cast", json_integer((json_int_t)cast));
	for (i = 0; i < sim->v.ctx.m->ncontests; i++)
		json_array_append_new(cs, sim_contest_totals(sim, i, cast));
	json_object_set_new(root, "contests", cs);
	ret = json_dump_file(root, path, JSON_INDENT(2) |
	    JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) == 0 ? 0 : TALLY_ERR_IO;
	json_decref(root);
	return ret;
}

static int
sim_dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One summary line; non-zero when any ballot was neither recorded now nor
 * before. */
/* p50 and p99 of the latency (or service time) of the acknowledged. */
static void
sim_percentiles(const struct sim *sim, double *lat, int service,
    double *p50, double *p99)
{
	size_t i, nl = 0;

	*p50 = *p99 = 0;
	for (i = 0; i < sim->n; i++)
		if (sim->b[i].fate == SIM_ACKED)
			lat[nl++] = service ? sim->b[i].service :
			    sim->b[i].latency;
	if (nl == 0)
		return;
	qsort(lat, nl, sizeof(*lat), sim_dcmp);
	*p50 = lat[nl / 2];
	*p99 = lat[nl * 99 / 100 < nl ? nl * 99 / 100 : nl - 1];
}

static double
sim_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The summary lines; non-zero when any ballot was neither recorded now nor
 * before. cpu: this process's CPU seconds during the casts. */
static int
sim_report(const struct sim *sim, unsigned int terminals, double secs,
    double cpu)
{
	size_t i, k[5] = { 0 };
	double *lat, p50, p99, s50, s99;
	int first_err = 0;

	if ((lat = calloc(sim->n + 1, sizeof(*lat))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < sim->n; i++) {
		k[sim->b[i].fate]++;
		if (sim->b[i].fate == SIM_FAILED && first_err == 0)
			first_err = sim->b[i].err;
	}
	sim_percentiles(sim, lat, 0, &p50, &p99);
	sim_percentiles(sim, lat, 1, &s50, &s99);
	free(lat);
	printf("simulate: %zu ballots, %u terminals: %zu accepted, %zu had "
	    "receipts, %zu already recorded, %zu failed, %zu unacknowledged\n"
	    "simulate: %.1f ballots/s, receipt latency p50 %.2f ms, p99 "
	    "%.2f ms\n", sim->n, terminals, k[SIM_ACKED], k[SIM_HAD_RECEIPT],
	    k[SIM_CRED_USED], k[SIM_FAILED], k[SIM_PENDING],
	    secs > 0 ? (double)k[SIM_ACKED] / secs : 0.0, p50 * 1e3,
	    p99 * 1e3);
	if (sim->rate != 0)
		printf("simulate: offered %u ballots/s (open loop: latency "
		    "from each ballot's due time; from its send p50 %.2f ms, "
		    "p99 %.2f ms; sends at most %.2f ms late)\n", sim->rate,
		    s50 * 1e3, s99 * 1e3, sim->late * 1e3);
	else
		printf("simulate: closed loop (each terminal sends when it "
		    "has its last receipt; latency from the send)\n");
	printf("simulate: this client used %.2f s of CPU for its %u TLS "
	    "connections and the casts\n  (%.0f%% of one core over the casts; "
	    "ballots made before; receipts checked)\n", cpu, terminals,
	    secs > 0 ? 100 * cpu / secs : 0.0);
	if (k[SIM_FAILED] > 0)
		return ctl_error(first_err, "%zu ballots refused (first: %s)",
		    k[SIM_FAILED], tally_strerror(first_err));
	if (k[SIM_PENDING] > 0)
		return ctl_error(TALLY_ERR_IO, "%zu ballots unacknowledged",
		    k[SIM_PENDING]);
	return 0;
}

/* --------------------------------------------------------------- command */

static int
sim_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl simulate VOTE --cards DIR --terminals T "
	    "(--ballots N --seed S | --plan PLAN.json)\n"
	    "           --expect OUT.json [--receipts DIR] [--election-hash "
	    "HEX]\n           [--rate R]\n"
	    "  Cast one ballot per card over T terminal connections: random "
	    "valid ballots\n  from the seed, or exactly those of the plan. "
	    "Cards whose receipt is already in\n  --receipts are skipped, so "
	    "rerunning retries what was not acknowledged. --rate offers R "
	    "ballots/s\n  (open loop, latency from each ballot's due time) "
	    "instead of casting as\n  fast as the server answers.\n");
	return code;
}

static int
sim_parse(int argc, char **argv, struct sim_args *a)
{
	static const struct option longopts[] = {
		{ "cards", required_argument, NULL, 'c' },
		{ "terminals", required_argument, NULL, 't' },
		{ "ballots", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "plan", required_argument, NULL, 'p' },
		{ "expect", required_argument, NULL, 'e' },
		{ "receipts", required_argument, NULL, 'r' },
		{ "election-hash", required_argument, NULL, 'E' },
		{ "rate", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	int ch, bad = 0;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->cards = optarg; break;
		case 't': bad |= util_parse_u32(optarg, 1, SIM_MAX_TERMINALS,
		    &a->terminals) != 0; break;
		case 'n': bad |= util_parse_u32(optarg, 1, REGISTRY_MAX_KEYS,
		    &a->ballots) != 0; a->have_ballots = 1; break;
		case 's': bad |= util_parse_u64(optarg, 0, UINT64_MAX,
		    &a->seed) != 0; a->have_seed = 1; break;
		case 'p': a->plan = optarg; break;
		case 'e': a->expect = optarg; break;
		case 'r': a->receipts = optarg; break;
		case 'E': a->pin = optarg; break;
		case 'R': bad |= util_parse_u32(optarg, 1, 1000000,
		    &a->rate) != 0; break;
		case 'h': exit(sim_usage(stdout, 0));
		default: bad = 1;
		}
	}
	if (bad || argc - optind != 1 || a->cards == NULL ||
	    a->terminals == 0 || a->expect == NULL ||
	    (a->plan != NULL) == (a->have_ballots && a->have_seed) ||
	    (a->plan != NULL && (a->have_ballots || a->have_seed)))
		return -1;
	a->vote = argv[optind];
	return 0;
}

static void
sim_free(struct sim *sim, size_t ncards)
{
	size_t i;

	for (i = 0; sim->b != NULL && i < ncards; i++) {
		free(sim->b[i].card);
		free(sim->b[i].name);
		free(sim->b[i].marks);
		free(sim->b[i].bytes);
		if (sim->b[i].writeins != NULL)
			manifest_writein_names_free(sim->v.ctx.m,
			    sim->b[i].writeins);
	}
	free(sim->b);
	cast_vote_clear(&sim->v);
	pthread_mutex_destroy(&sim->lock);
	pthread_cond_destroy(&sim->go);
}

int
cmd_simulate(int argc, char **argv)
{
	struct sim_args a;
	struct sim sim;
	struct ctl_conn *c;
	char err[256] = "";
	double cpu0;
	int ret;

	if (sim_parse(argc, argv, &a) != 0)
		return sim_usage(stderr, 1);
	memset(&sim, 0, sizeof(sim));
	pthread_mutex_init(&sim.lock, NULL);
	pthread_cond_init(&sim.go, NULL);
	sim.receipts = a.receipts;
	sim.rate = a.rate;
	if (a.receipts != NULL && mkdir(a.receipts, 0755) == -1 &&
	    errno != EEXIST)
		return ctl_error(TALLY_ERR_IO, "%s: cannot create", a.receipts);
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL)
		return 1;
	ret = cast_vote_fetch(c, a.vote, a.pin, &sim.v, err, sizeof(err));
	ctl_close(c);
	if (ret != 0) {	/* the vote's response and context, if any */
		ret = ctl_error(ret, "%s", err);
		goto out;
	}
	if ((ret = sim_prepare(&sim, &a, err, sizeof(err))) != 0) {
		ret = ctl_error(ret, "%s", err[0] ? err : tally_strerror(ret));
		goto out;
	}
	if ((ret = sim_run(&sim, a.terminals, sim_make_thread)) != 0 ||
	    sim.make_err != 0) {
		ret = ctl_error(ret ? ret : sim.make_err, "cannot make the "
		    "ballots: %s", tally_strerror(ret ? ret : sim.make_err));
		goto out;
	}
	cpu0 = sim_cpu();
	sim_run(&sim, a.terminals, sim_cast_thread);
	ret = sim_report(&sim, a.terminals, sim.start > 0 ? sim_now() -
	    sim.start : 0, sim_cpu() - cpu0);
	if (sim_expect(&sim, a.expect) != 0)
		ret = ctl_error(TALLY_ERR_IO, "%s: cannot write", a.expect);
out:
	sim_free(&sim, sim.ncards);
	return ret;
}
