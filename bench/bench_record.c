/*
 * bench_record.c: record_verify throughput in ballots per second, on one
 * thread and on every core, for a generated record of session.json
 * (3 contests, 20 selections, one write-in slot) with a 3-of-5 ceremony.
 *
 *   bench_record [ballots, default 500] [keep: path to leave the record at]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
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
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
run(const char *path, unsigned int threads, size_t nballots)
{
	struct record_report rep;
	struct record_opts o;
	double t0, t;
	int ret;

	memset(&o, 0, sizeof(o));
	o.threads = threads;
	t0 = now();
	ret = record_verify(path, &o, &rep);
	t = now() - t0;
	if (ret != 0) {
		fprintf(stderr, "bench_record: verify failed: record %llu: "
		    "%s: %s\n", (unsigned long long)rep.index, rep.check,
		    rep.reason);
		exit(1);
	}
	record_report_clear(&rep);
	printf("verify, %u thread(s)%s: %.2f s, %.1f ballots/s\n", threads,
	    threads == 0 ? " (0 = one per core)" : "", t,
	    (double)nballots / t);
	return t;
}

int
main(int argc, char **argv)
{
	struct rg_opts o;
	struct recordgen *g;
	char path[] = "/tmp/bench_record.XXXXXX";
	const char *keep = argc > 2 ? argv[2] : NULL;
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 500;
	double t0, t1, tn;
	int fd;

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
	t1 = run(keep != NULL ? keep : path, 1, n);
	tn = run(keep != NULL ? keep : path, 0, n);
	printf("speed-up on all cores: %.2fx\n", t1 / tn);
	rg_free(g);
	if (keep == NULL)
		unlink(path);
	return 0;
}
