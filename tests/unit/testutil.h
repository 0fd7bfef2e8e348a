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
#include <openssl/bn.h>
#include <openssl/ec.h>

struct ballot_ctx;
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
/* A new random key pair: *pk = *sk G. Free with group_scalar_free and
 * group_point_free. */
void tu_keypair(BIGNUM **sk, EC_POINT **pk);
/* The ballot fixture of check_ballot and check_challenge: a random joint
 * key *K = *secret G; n Ed25519 credentials sorted by public key, each
 * secret kept with its key (sk[i], pk[i]; registry = pk[0], ..., pk[n-1]);
 * and *ctx over m, K and the registry for vote "s6-session", its election
 * hash zero. Free *secret and *K with group_scalar_free, group_point_free. */
void tu_ballot_fixture(struct ballot_ctx *ctx, const struct manifest *m,
    BIGNUM **secret, EC_POINT **K, uint8_t (*sk)[32], uint8_t (*pk)[32],
    uint8_t *registry, size_t n);
/* Run a suite; returns the process exit status. */
int tu_run(Suite *s);

#endif
