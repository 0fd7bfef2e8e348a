/*
 * benchutil.h: what the benchmarks share: a clock, a check that ends the
 * program, and the yardstick every ratio is taken to (P-256 EC_POINT_mul
 * with a variable base).
 */
#ifndef TALLY_BENCHUTIL_H
#define TALLY_BENCHUTIL_H

#include <stddef.h>
#include <time.h>

/* Seconds on clock id: CLOCK_MONOTONIC for elapsed time, or a CPU-time
 * clock (the cores are shared with other programs, and time spent waiting
 * for a core is no cost of the code measured). */
double bench_clock(clockid_t id);

/* Unless ok: "PROGRAM: WHAT failed" on stderr, exit status 1. */
void bench_check(int ok, const char *what);

/* Seconds on clock id for n EC_POINT_mul of a random point by a random
 * scalar, each on the previous result (so none can be skipped). */
double bench_muls(size_t n, clockid_t id);

#endif
