/* bench_log.c: durable appends per second with group commit against one
 * fdatasync per record, in the same run, with many concurrent appenders.
 *
 *   bench_log [THREADS=64] [SECONDS=3] [PAYLOAD=200] [DIR=.]
 *
 * The logs live in a temporary folder under DIR (so on DIR's file system)
 * and are removed afterwards. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "err.h"
#include "log.h"

struct run {
	struct log *l;
	size_t payload;
	double deadline;
	atomic_ulong done;
	atomic_int failed;
};

static double
now(void)
{
	return bench_clock(CLOCK_MONOTONIC);
}

static void *
appender(void *arg)
{
	struct run *r = arg;
	uint8_t *p = calloc(1, r->payload);

	while (p != NULL && now() < r->deadline) {
		if (log_append_test(r->l, p, r->payload, NULL) != 0) {
			atomic_store(&r->failed, 1);
			break;
		}
		atomic_fetch_add(&r->done, 1);
	}
	free(p);
	return NULL;
}

static int
bench_mode(const char *dir, const char *name, size_t batch_count,
    unsigned threads, double secs, size_t payload)
{
	struct log_opts o = {.batch_count = batch_count};
	pthread_t th[1024];
	struct run r;
	char path[4096], err[256];
	double t0, dt;
	unsigned i;

	snprintf(path, sizeof(path), "%s/%s.log", dir, name);
	memset(&r, 0, sizeof(r));
	r.payload = payload;
	if (log_create(path, &o, &r.l, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_log: %s\n", err);
		return 1;
	}
	t0 = now();
	r.deadline = t0 + secs;
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, appender, &r);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	dt = now() - t0;
	log_close(r.l);
	unlink(path);
	printf("%-22s %8lu appends in %.2f s = %9.0f appends/s\n", name,
	    (unsigned long)atomic_load(&r.done), dt,
	    (double)atomic_load(&r.done) / dt);
	return atomic_load(&r.failed);
}

int
main(int argc, char **argv)
{
	unsigned threads = argc > 1 ? (unsigned)atoi(argv[1]) : 64;
	double secs = argc > 2 ? atof(argv[2]) : 3.0;
	size_t payload = argc > 3 ? (size_t)atoi(argv[3]) : 200;
	const char *base = argc > 4 ? argv[4] : ".";
	char dir[4096];
	int ret = 0;

	if (threads < 1 || threads > 1024 || secs <= 0 || payload < 1) {
		fprintf(stderr, "usage: bench_log [THREADS] [SECONDS] "
		    "[PAYLOAD] [DIR]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/bench-log-XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		perror("bench_log: mkdtemp");
		return 1;
	}
	printf("%u appenders, %zu-byte records, %.1f s per mode, in %s\n",
	    threads, payload, secs, dir);
	ret |= bench_mode(dir, "group-commit", 0, threads, secs, payload);
	ret |= bench_mode(dir, "fdatasync-per-record", 1, threads, secs,
	    payload);
	rmdir(dir);
	return ret;
}
