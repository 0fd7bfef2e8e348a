/*
 * testutil.h: helpers shared by the Check suites: the vectors of tests/vectors, temporary
 * folders, hex literals, and a runner that exits non-zero on any failure.
 */
#ifndef TALLY_TESTUTIL_H
#define TALLY_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <jansson.h>

struct manifest;

/* Load tests/vectors/<rel> as JSON; fails the test when missing. */
json_t *tu_load_vector(const char *rel);
/* Hex string to newly allocated bytes; *len set. Aborts on bad hex. */
uint8_t *tu_unhex(const char *hex, size_t *len);
/* A fresh temporary folder (mkdtemp); removed by tu_rmtree. */
char *tu_tmpdir(void);
void tu_rmtree(const char *path);
/* Parse tests/data/manifests/<name>; fails the test when it does not. */
struct manifest *tu_load_manifest(const char *name);
/* Run a suite; returns the process exit status. */
int tu_run(Suite *s);

#endif
