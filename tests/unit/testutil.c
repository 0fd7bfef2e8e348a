/* testutil.c: shared helpers for the unit tests. */
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ballot.h"
#include "group.h"
#include "manifest.h"
#include "sign.h"
#include "util.h"

json_t *
tu_load_vector(const char *rel)
{
	char path[4096];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", TALLY_VECTORS_DIR, rel);
	j = json_load_file(path, 0, &err);
	if (j == NULL) {
		fprintf(stderr, "cannot load %s: %s\n", path, err.text);
		abort();
	}
	return j;
}

uint8_t *
tu_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *out = calloc(1, n + 1);

	if (out == NULL || strlen(hex) % 2 != 0 || util_unhex(out, n, hex) != 0)
		abort();
	*len = n;
	return out;
}

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (base == NULL)
		base = "/tmp";
	if ((path = malloc(strlen(base) + 32)) == NULL)
		abort();
	snprintf(path, strlen(base) + 32, "%s/tally-test-XXXXXX", base);
	if (mkdtemp(path) == NULL)
		abort();
	return path;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
tu_rmtree(const char *path)
{
	if (path != NULL)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

struct manifest *
tu_load_manifest(const char *name)
{
	char path[512], err[256];
	struct manifest *m = NULL;
	uint8_t *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/tests/data/manifests/%s",
	    TALLY_SOURCE_DIR, name);
	ck_assert_int_eq(util_read_file(path, MANIFEST_JSON_MAX, &buf, &len),
	    0);
	ck_assert_msg(manifest_parse(&m, buf, len, err, sizeof(err)) == 0,
	    "%s: %s", name, err);
	free(buf);
	return m;
}

void
tu_keypair(BIGNUM **sk, EC_POINT **pk)
{
	*sk = group_scalar_new();
	*pk = group_point_new();
	ck_assert_ptr_nonnull(*sk);
	ck_assert_ptr_nonnull(*pk);
	ck_assert_int_eq(group_scalar_random(*sk), 0);
	ck_assert_int_eq(group_mul_g(*pk, *sk), 0);
}

static int
cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

void
tu_ballot_fixture(struct ballot_ctx *ctx, const struct manifest *m,
    BIGNUM **secret, EC_POINT **K, uint8_t (*sk)[32], uint8_t (*pk)[32],
    uint8_t *registry, size_t n)
{
	uint8_t (*tmp)[64] = calloc(n, 64);
	size_t i;

	ck_assert_ptr_nonnull(tmp);
	tu_keypair(secret, K);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(ed25519_keygen(tmp[i] + 32, tmp[i]), 0);
	/* sort the registry, keeping each secret with its key */
	qsort(tmp, n, 64, cmp_key);
	for (i = 0; i < n; i++) {
		memcpy(pk[i], tmp[i], 32);
		memcpy(sk[i], tmp[i] + 32, 32);
		memcpy(registry + 32 * i, pk[i], 32);
	}
	util_freezero(tmp, n * 64);
	memset(ctx, 0, sizeof(*ctx));
	ctx->m = m;
	ctx->vote_id = "s6-session";
	ctx->joint_key = *K;
	ctx->registry = registry;
	ctx->nreg = n;
}

int
tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
