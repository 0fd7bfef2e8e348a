/*
 * bench_record.c: record_verify throughput in ballots per second, on one
 * thread and on every core, for a generated record of session.json
 * (3 contests, 20 selections, one write-in slot, a "0-10 of 15"
 * constraint) with a 3-of-5 ceremony; and the terminal's ballot_encrypt
 * of a session.json ballot with 10 of the 15 marked. Each figure is given
 * beside its ratio to P-256 EC_POINT_mul/s measured in the same run, and
 * per core as CPU time (the cores are shared with other programs).
 *
 *   bench_record [ballots, default 500] [keep: path to leave the record at]
 *
 * The issue's own ballot comes first: projects.json ("choose 0-10 of
 * 15", one contest, no write-in), 239 ballots marking 0 to 10 projects,
 * the ballot and the size of the comparison in issue 16 (its "today"
 * figures, 0.0097 and about 120 multiplications, are this ballot's: at
 * 570fcd8, before the issue, this program's code gave 0.0091-0.0110 and
 * 138); its ratios are the goals' figures, for verification and for
 * ballot_encrypt with 10 of the 15 marked. session.json then shows what a whole session ballot (a
 * write-in slot, so three shuffles, and 20 selections) costs.
 *
 * BENCH_RECORD_ONLY=verify (or =encrypt) in the environment runs only the
 * one-thread verification of session.json, four times (or only
 * ballot_encrypt), for a profiler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ballot.h"
#include "benchutil.h"
#include "ceremony.h"
#include "err.h"
#include "group.h"
#include "record.h"

/* The record generator of the unit tests, built into this program. */
static const char *bench_srcdir(void);
#define TALLY_SOURCE_DIR bench_srcdir()
#include "../tests/unit/recordgen.c"

static const char *
bench_srcdir(void)
{
	static char dir[256];
	char *p;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s", __FILE__);
		if ((p = strstr(dir, "/bench/bench_record.c")) != NULL)
			*p = '\0';
	}
	return dir;
}

static double
now(void)
{
	return bench_clock(CLOCK_MONOTONIC);
}

static double
cpu(void)
{
	return bench_clock(CLOCK_PROCESS_CPUTIME_ID);
}

/* EC_POINT_mul/s with a random point and scalar, in CPU time. */
static double
bench_mul(int n)
{
	return n / bench_muls((size_t)n, CLOCK_PROCESS_CPUTIME_ID);
}

static const struct manifest_constraint *
bench_con(const struct recordgen *g)
{
	const struct manifest_constraint *con = NULL;
	size_t i;

	for (i = 0; i < g->m->ncon; i++)
		if (con == NULL || g->m->con[i].nsel > con->nsel)
			con = &g->m->con[i];
	return con;
}

/* Seconds of CPU per ballot_encrypt of a ballot of g's manifest with its
 * largest constraint's first max selections marked (10 of the 15 projects
 * of session.json or projects.json); plain: without the fixed-base
 * tables. */
static double
bench_encrypt(const struct recordgen *g, int n, int plain)
{
	const struct manifest_constraint *con = bench_con(g);
	uint8_t marks[MANIFEST_SELECTIONS_MAX], sk[32], *out;
	struct ballot_ctx ctx;
	EC_POINT *K = group_point_new();
	size_t i, len;
	double t0;

	memset(marks, 0, sizeof(marks));
	memset(sk, 7, sizeof(sk));
	if (K == NULL || con == NULL || ceremony_joint_key(K, g->tr) != 0)
		exit(1);
	for (i = 0; i < con->nsel && i < con->max; i++)
		marks[con->sel[i]] = 1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.m = g->m;
	ctx.vote_id = g->m->id;
	ctx.joint_key = K;
	ctx.plain = plain;
	memcpy(ctx.election_hash, g->he, 32);
	/* the first one builds K's table, as a terminal does once a vote */
	if (ballot_encrypt(&out, &len, &ctx, sk, marks, NULL) != 0)
		exit(1);
	free(out);
	t0 = cpu();
	for (i = 0; i < (size_t)n; i++) {
		if (ballot_encrypt(&out, &len, &ctx, sk, marks, NULL) != 0)
			exit(1);
		free(out);
	}
	t0 = cpu() - t0;
	group_point_free(K);
	return t0 / n;
}

/* projects.json ballots: ballot i approves i % 11 of the 15 projects. */
static const char *const bench_projects[] = {
	"{}",
	"{\"projects\":{\"approve\":[\"p01\"]}}",
	"{\"projects\":{\"approve\":[\"p01\",\"p02\"]}}",
	"{\"projects\":{\"approve\":[\"p03\",\"p04\",\"p05\"]}}",
	"{\"projects\":{\"approve\":[\"p01\",\"p06\",\"p07\","
	    "\"p15\"]}}",
	"{\"projects\":{\"approve\":[\"p02\",\"p04\",\"p06\","
	    "\"p08\",\"p10\"]}}",
	"{\"projects\":{\"approve\":[\"p01\",\"p02\",\"p03\","
	    "\"p04\",\"p05\",\"p06\"]}}",
	"{\"projects\":{\"approve\":[\"p09\",\"p10\",\"p11\","
	    "\"p12\",\"p13\",\"p14\",\"p15\"]}}",
	"{\"projects\":{\"approve\":[\"p01\",\"p03\",\"p05\","
	    "\"p07\",\"p09\",\"p11\",\"p13\",\"p15\"]}}",
	"{\"projects\":{\"approve\":[\"p02\",\"p03\",\"p05\","
	    "\"p07\",\"p08\",\"p10\",\"p11\",\"p13\",\"p14\"]}}",
	"{\"projects\":{\"approve\":[\"p01\",\"p02\",\"p03\","
	    "\"p04\",\"p05\",\"p06\",\"p07\",\"p08\",\"p09\","
	    "\"p10\"]}}",
};

/* CPU seconds of one single-thread record_verify of path. */
static double
verify_cpu(const char *path)
{
	struct record_report rep;
	struct record_opts o;
	double c0;

	memset(&o, 0, sizeof(o));
	o.threads = 1;
	c0 = cpu();
	if (record_verify(path, &o, &rep) != 0) {
		fprintf(stderr, "bench_record: verify failed: record %llu: "
		    "%s: %s\n", (unsigned long long)rep.index, rep.check,
		    rep.reason);
		exit(1);
	}
	c0 = cpu() - c0;
	record_report_clear(&rep);
	return c0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The issue's comparison: 239 projects.json ballots, verified on one
 * thread in five rounds, each beside 2,000 EC_POINT_mul (the machine's
 * speed drifts between rounds; a ratio within one round does not): the
 * median rate and the median of the rounds' ratios. */
static void
bench_issue(void)
{
	struct rg_opts o;
	struct recordgen *g;
	char path[] = "/tmp/bench_record.XXXXXX";
	double t[5], r[5], m;
	size_t i, n = 239;
	int fd;

	rg_opts_default(&o);
	o.manifest = "projects.json";
	o.choices = bench_projects;
	o.nchoices = sizeof(bench_projects) / sizeof(bench_projects[0]);
	o.ncred = o.nballots = n;
	o.present = o.issued = 239;
	if ((fd = mkstemp(path)) == -1)
		exit(1);
	close(fd);
	unlink(path);
	if (rg_build(&g, &o, path) != 0) {
		fprintf(stderr, "bench_record: cannot build the record\n");
		exit(1);
	}
	for (i = 0; i < 5; i++) {
		m = bench_mul(1000);
		t[i] = verify_cpu(path);
		m = (m + bench_mul(1000)) / 2;
		r[i] = (double)n / t[i] / m;
	}
	qsort(t, 5, sizeof(t[0]), cmp_double);
	qsort(r, 5, sizeof(r[0]), cmp_double);
	printf("verify, issue 16's ballot (projects.json, choose 0-10 of 15, "
	    "%zu ballots), 1 thread, 5 rounds: %.1f ballots/s per core "
	    "(CPU time, median), ratio %.4f (median; rounds %.4f-%.4f)  "
	    "(goal >= 0.022)\n", n, (double)n / t[2], r[2], r[0], r[4]);
	/* the terminal's side of the same ballot, 10 of the 15 marked */
	for (i = 0; i < 5; i++) {
		m = bench_mul(1000);
		t[i] = bench_encrypt(g, 20, 0);
		m = (m + bench_mul(1000)) / 2;
		r[i] = t[i] * m;
	}
	qsort(t, 5, sizeof(t[0]), cmp_double);
	qsort(r, 5, sizeof(r[0]), cmp_double);
	printf("ballot_encrypt, issue 16's ballot (projects.json, 10 of 15 "
	    "marked), 5 rounds: %.2f ms per ballot (CPU time, median), %.1f "
	    "EC_POINT_mul (median; rounds %.1f-%.1f)  (goal <= 1.5 ms = 41 at "
	    "the issue's 27,200 /s)\n", t[2] * 1e3, r[2], r[0], r[4]);
	rg_free(g);
	unlink(path);
}

static double
run(const char *path, unsigned int threads, size_t nballots, double mul)
{
	struct record_report rep;
	struct record_opts o;
	double t0, t, c0, c;
	int ret;

	memset(&o, 0, sizeof(o));
	o.threads = threads;
	t0 = now();
	c0 = cpu();
	ret = record_verify(path, &o, &rep);
	t = now() - t0;
	c = cpu() - c0;
	if (ret != 0) {
		fprintf(stderr, "bench_record: verify failed: record %llu: "
		    "%s: %s\n", (unsigned long long)rep.index, rep.check,
		    rep.reason);
		exit(1);
	}
	record_report_clear(&rep);
	printf("verify, session.json, %u thread(s)%s: %.2f s, %.1f ballots/s; per core "
	    "(CPU time) %.1f ballots/s, ratio %.4f%s\n", threads,
	    threads == 0 ? " (0 = one per core)" : "", t,
	    (double)nballots / t, (double)nballots / c,
	    (double)nballots / c / mul, "");
	return t;
}

int
main(int argc, char **argv)
{
	struct rg_opts o;
	struct recordgen *g;
	char path[] = "/tmp/bench_record.XXXXXX";
	const char *keep = argc > 2 ? argv[2] : NULL;
	const char *only = getenv("BENCH_RECORD_ONLY");
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 500;
	double t0, t1 = 0, tn, mul, enc, encp, m, e[4], ep[4], re[4], rp[4];
	int fd, i;

	if (n == 0)
		n = 500;
	rg_opts_default(&o);
	o.ncred = o.nballots = n;
	o.present = o.issued = 239;
	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	unlink(path);
	t0 = now();
	if (rg_build(&g, &o, keep != NULL ? keep : path) != 0) {
		fprintf(stderr, "bench_record: cannot build the record\n");
		return 1;
	}
	printf("record of %zu ballots, %zu records built in %.2f s "
	    "(%ld online cores)\n", n, g->nrecords, now() - t0,
	    sysconf(_SC_NPROCESSORS_ONLN));
	mul = bench_mul(4000);
	printf("P-256 EC_POINT_mul (CPU time): %.0f /s\n", mul);
	if (only == NULL)
		bench_issue();
	for (i = 0; i < (only == NULL ? 1 : 4); i++)
		if (only == NULL || strcmp(only, "verify") == 0)
			t1 = run(keep != NULL ? keep : path, 1, n, mul);
	if (only == NULL) {
		tn = run(keep != NULL ? keep : path, 0, n, mul);
		printf("speed-up on all cores: %.2fx\n", t1 / tn);
	}
	if (only != NULL && strcmp(only, "encrypt") != 0)
		goto out;
	/* with the fixed-base tables, and without (OpenSSL only),
	 * alternately, so that both see the same load */
	printf("ballot_encrypt, session.json: %zu selections, %u of %zu "
	    "marked in one constraint\n", g->m->nsel, bench_con(g)->max, bench_con(g)->nsel);
	for (i = 0; i < 4; i++) {
		m = bench_mul(1000);
		e[i] = bench_encrypt(g, 20, 0);
		ep[i] = bench_encrypt(g, 20, 1);
		m = (m + bench_mul(1000)) / 2;
		re[i] = e[i] * m;
		rp[i] = ep[i] * m;
	}
	qsort(e, 4, sizeof(e[0]), cmp_double);
	qsort(ep, 4, sizeof(ep[0]), cmp_double);
	qsort(re, 4, sizeof(re[0]), cmp_double);
	qsort(rp, 4, sizeof(rp[0]), cmp_double);
	/* medians of four rounds, each beside its own EC_POINT_mul */
	enc = (e[1] + e[2]) / 2;
	encp = (ep[1] + ep[2]) / 2;
	printf("ballot_encrypt, session.json, OpenSSL only: %.2f ms per ballot (CPU "
	    "time), %.1f EC_POINT_mul\n", encp * 1e3, (rp[1] + rp[2]) / 2);
	printf("ballot_encrypt, session.json: %.2f ms per ballot (CPU time), "
	    "%.1f EC_POINT_mul (median of 4 rounds; rounds %.1f-%.1f); %.2fx "
	    "faster than OpenSSL only\n", enc * 1e3, (re[1] + re[2]) / 2, re[0], re[3],
	    encp / enc);
out:
	rg_free(g);
	if (keep == NULL)
		unlink(path);
	return 0;
}
