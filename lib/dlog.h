/*
 * dlog.h: bounded discrete logarithm by baby-step giant-step, to recover
 * the plaintext totals m from mG for 0 <= m <= max (max up to at least 10^7).
 *
 * A table is built once for a bound and is read-only afterwards, so many
 * threads may solve with one table.
 */
#ifndef TALLY_DLOG_H
#define TALLY_DLOG_H

#include <stdint.h>

#include <openssl/ec.h>

struct dlog_table;

int dlog_table_new(struct dlog_table **out, uint64_t max);
void dlog_table_free(struct dlog_table *t);
/* *m with mG = P and m <= max, or E_DLOG_RANGE. The point at infinity is 0. */
int dlog_solve(const struct dlog_table *t, const EC_POINT *P, uint64_t *m);

#endif
