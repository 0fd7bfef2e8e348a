/* check_merkle.c: RFC 6962 vectors, the frontier and the full tree against
 * a naive recursive reference, and random proofs that verify and that fail
 * once anything is changed. */
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "merkle.h"
#include "testutil.h"
#include "util.h"

static void
unhex32(uint8_t out[HASH_LEN], const char *hex)
{
	ck_assert_int_eq(util_unhex(out, HASH_LEN, hex), 0);
}

/* Vector leaves: hashes of leaves_hex. */
static uint8_t vleaf[8][HASH_LEN];

static json_t *
load_vectors(void)
{
	json_t *j = tu_load_vector("rfc6962/rfc6962.json"), *v;
	uint8_t *b;
	size_t i, len;

	json_array_foreach(json_object_get(j, "leaves_hex"), i, v) {
		b = tu_unhex(json_string_value(v), &len);
		ck_assert_int_eq(merkle_leaf_hash(vleaf[i], b, len), 0);
		free(b);
	}
	return j;
}

static struct merkle_tree *
tree_of(uint8_t (*leaves)[HASH_LEN], uint64_t n)
{
	struct merkle_tree *t = merkle_tree_new();
	uint64_t i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(merkle_tree_append(t, leaves[i]), 0);
	return t;
}

/* The RFC 6962 definition, written the slow way. */
static void
ref_mth(uint8_t (*d)[HASH_LEN], uint64_t n, uint8_t out[HASH_LEN])
{
	uint8_t l[HASH_LEN], r[HASH_LEN];
	uint64_t k = 1;

	if (n == 0) {
		hash_sha256(out, "", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], HASH_LEN);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	ref_mth(d, k, l);
	ref_mth(d + k, n - k, r);
	merkle_node_hash(out, l, r);
}

START_TEST(test_vector_roots)
{
	json_t *j = load_vectors(), *v;
	struct merkle_tree *t = tree_of(vleaf, 8);
	struct merkle_frontier f;
	uint8_t want[HASH_LEN], got[HASH_LEN];
	const char *key;
	uint64_t n;

	json_object_foreach(json_object_get(j, "roots_by_size"), key, v) {
		n = strtoull(key, NULL, 10);
		unhex32(want, json_string_value(v));
		ck_assert_int_eq(merkle_tree_root(t, n, got), 0);
		ck_assert_mem_eq(got, want, HASH_LEN);
		merkle_frontier_init(&f);
		for (uint64_t i = 0; i < n; i++)
			merkle_frontier_push(&f, vleaf[i]);
		ck_assert_int_eq(merkle_frontier_root(&f, got), 0);
		ck_assert_mem_eq(got, want, HASH_LEN);
		ck_assert_int_eq(merkle_root_of_leaves(
		    (const uint8_t (*)[HASH_LEN])vleaf, n, got), 0);
		ck_assert_mem_eq(got, want, HASH_LEN);
	}
	merkle_tree_free(t);
	json_decref(j);
}
END_TEST

START_TEST(test_vector_inclusion)
{
	json_t *j = load_vectors(), *v, *h;
	struct merkle_tree *t = tree_of(vleaf, 8);
	uint8_t path[MERKLE_MAX_PATH][HASH_LEN], want[HASH_LEN], root[HASH_LEN];
	uint64_t idx, size;
	size_t i, k, n;

	json_array_foreach(json_object_get(j, "inclusion"), i, v) {
		idx = json_integer_value(json_object_get(v, "leaf_index"));
		size = json_integer_value(json_object_get(v, "tree_size"));
		ck_assert_int_eq(merkle_tree_inclusion(t, idx, size, path, &n),
		    0);
		ck_assert_uint_eq(n, json_array_size(json_object_get(v,
		    "path")));
		json_array_foreach(json_object_get(v, "path"), k, h) {
			unhex32(want, json_string_value(h));
			ck_assert_mem_eq(path[k], want, HASH_LEN);
		}
		merkle_tree_root(t, size, root);
		ck_assert_int_eq(merkle_verify_inclusion(vleaf[idx], idx, size,
		    (const uint8_t (*)[HASH_LEN])path, n, root), 0);
		ck_assert_int_eq(merkle_inclusion_proof(
		    (const uint8_t (*)[HASH_LEN])vleaf, 8, idx, size, path,
		    &n), 0);
		json_array_foreach(json_object_get(v, "path"), k, h) {
			unhex32(want, json_string_value(h));
			ck_assert_mem_eq(path[k], want, HASH_LEN);
		}
	}
	merkle_tree_free(t);
	json_decref(j);
}
END_TEST

START_TEST(test_vector_consistency)
{
	json_t *j = load_vectors(), *v, *h;
	struct merkle_tree *t = tree_of(vleaf, 8);
	uint8_t proof[MERKLE_MAX_PROOF][HASH_LEN], want[HASH_LEN];
	uint8_t r1[HASH_LEN], r2[HASH_LEN];
	uint64_t m, size;
	size_t i, k, n;

	json_array_foreach(json_object_get(j, "consistency"), i, v) {
		m = json_integer_value(json_object_get(v, "size1"));
		size = json_integer_value(json_object_get(v, "size2"));
		ck_assert_int_eq(merkle_tree_consistency(t, m, size, proof, &n),
		    0);
		ck_assert_uint_eq(n, json_array_size(json_object_get(v,
		    "proof")));
		json_array_foreach(json_object_get(v, "proof"), k, h) {
			unhex32(want, json_string_value(h));
			ck_assert_mem_eq(proof[k], want, HASH_LEN);
		}
		merkle_tree_root(t, m, r1);
		merkle_tree_root(t, size, r2);
		ck_assert_int_eq(merkle_verify_consistency(m, size, r1, r2,
		    (const uint8_t (*)[HASH_LEN])proof, n), 0);
	}
	merkle_tree_free(t);
	json_decref(j);
}
END_TEST

static uint8_t (*
random_leaves(uint64_t n))[HASH_LEN]
{
	uint8_t (*l)[HASH_LEN] = calloc(n ? n : 1, HASH_LEN);
	uint64_t i;
	uint32_t x;

	ck_assert_ptr_nonnull(l);
	for (i = 0; i < n; i++) {
		x = (uint32_t)random();
		merkle_leaf_hash(l[i], &x, sizeof(x));
	}
	return l;
}

START_TEST(test_roots_match_reference)
{
	uint8_t (*l)[HASH_LEN] = random_leaves(1024);
	struct merkle_tree *t = tree_of(l, 1024);
	struct merkle_frontier f;
	uint8_t a[HASH_LEN], b[HASH_LEN], c[HASH_LEN];
	uint64_t n;

	merkle_frontier_init(&f);
	for (n = 0; n <= 1024; n++) {
		ref_mth(l, n, a);
		ck_assert_int_eq(merkle_tree_root(t, n, b), 0);
		ck_assert_int_eq(merkle_frontier_root(&f, c), 0);
		ck_assert_mem_eq(a, b, HASH_LEN);
		ck_assert_mem_eq(a, c, HASH_LEN);
		if (n < 1024)
			merkle_frontier_push(&f, l[n]);
	}
	ck_assert_int_eq(merkle_tree_root(t, 1025, a), TALLY_ERR_INVALID_ARG);
	merkle_tree_free(t);
	free(l);
}
END_TEST

/* Every way to spoil an inclusion proof must be refused. */
static void
spoil_inclusion(struct merkle_tree *t, uint8_t (*l)[HASH_LEN], uint64_t idx,
    uint64_t size, uint8_t (*path)[HASH_LEN], size_t n)
{
	const uint8_t (*cp)[HASH_LEN] = (const uint8_t (*)[HASH_LEN])path;
	uint8_t root[HASH_LEN], other[HASH_LEN], leaf[HASH_LEN];
	uint64_t s2;
	size_t k;
	int bit;

	merkle_tree_root(t, size, root);
	for (k = 0; k < n; k++) {
		bit = (int)(random() % 256);
		path[k][bit / 8] ^= (uint8_t)(1 << (bit % 8));
		ck_assert_int_ne(merkle_verify_inclusion(l[idx], idx, size, cp,
		    n, root), 0);
		path[k][bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	memcpy(leaf, l[idx], HASH_LEN);
	leaf[random() % HASH_LEN] ^= 1;
	ck_assert_int_ne(merkle_verify_inclusion(leaf, idx, size, cp, n, root),
	    0);
	memcpy(other, root, HASH_LEN);
	other[random() % HASH_LEN] ^= 0x80;
	ck_assert_int_ne(merkle_verify_inclusion(l[idx], idx, size, cp, n,
	    other), 0);
	for (k = 0; k < size; k++)
		if (k != idx)
			ck_assert_int_ne(merkle_verify_inclusion(l[idx], k,
			    size, cp, n, root), 0);
	/* Claiming another size means checking against that size's root. */
	for (s2 = 1; s2 <= merkle_tree_size(t); s2++) {
		if (s2 == size)
			continue;
		merkle_tree_root(t, s2, other);
		ck_assert_int_ne(merkle_verify_inclusion(l[idx], idx, s2, cp, n,
		    other), 0);
	}
	if (n > 0)
		ck_assert_int_ne(merkle_verify_inclusion(l[idx], idx, size, cp,
		    n - 1, root), 0);
	ck_assert_int_ne(merkle_verify_inclusion(l[idx], idx, size, cp, n + 1,
	    root), 0);
}

START_TEST(test_random_inclusion)
{
	uint8_t (*l)[HASH_LEN] = random_leaves(1024);
	uint8_t path[MERKLE_MAX_PATH + 1][HASH_LEN], root[HASH_LEN];
	uint64_t sizes[] = {1, 2, 3, 5, 7, 8, 13, 64, 100, 255, 256, 257,
	    511, 777, 1023, 1024};
	struct merkle_tree *t;
	uint64_t size, idx;
	size_t s, n;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size = sizes[s];
		t = tree_of(l, size);
		merkle_tree_root(t, size, root);
		for (idx = 0; idx < size; idx++) {
			ck_assert_int_eq(merkle_tree_inclusion(t, idx, size,
			    path, &n), 0);
			ck_assert_int_eq(merkle_verify_inclusion(l[idx], idx,
			    size, (const uint8_t (*)[HASH_LEN])path, n, root),
			    0);
			if (idx % 97 == 0 || idx + 1 == size)
				spoil_inclusion(t, l, idx, size, path, n);
		}
		ck_assert_int_eq(merkle_tree_inclusion(t, size, size, path,
		    &n), TALLY_ERR_INVALID_ARG);
		merkle_tree_free(t);
	}
	free(l);
}
END_TEST

static void
spoil_consistency(struct merkle_tree *t, uint64_t m, uint64_t size,
    uint8_t (*p)[HASH_LEN], size_t n)
{
	const uint8_t (*cp)[HASH_LEN] = (const uint8_t (*)[HASH_LEN])p;
	uint8_t r1[HASH_LEN], r2[HASH_LEN], x[HASH_LEN];
	uint64_t w;
	size_t k;
	int bit;

	merkle_tree_root(t, m, r1);
	merkle_tree_root(t, size, r2);
	for (k = 0; k < n; k++) {
		bit = (int)(random() % 256);
		p[k][bit / 8] ^= (uint8_t)(1 << (bit % 8));
		ck_assert_int_ne(merkle_verify_consistency(m, size, r1, r2, cp,
		    n), 0);
		p[k][bit / 8] ^= (uint8_t)(1 << (bit % 8));
	}
	memcpy(x, r1, HASH_LEN);
	x[random() % HASH_LEN] ^= 2;
	ck_assert_int_ne(merkle_verify_consistency(m, size, x, r2, cp, n), 0);
	memcpy(x, r2, HASH_LEN);
	x[random() % HASH_LEN] ^= 2;
	ck_assert_int_ne(merkle_verify_consistency(m, size, r1, x, cp, n), 0);
	for (w = 1; w <= size + 1 && w <= merkle_tree_size(t); w++) {
		if (w == m)
			continue;
		merkle_tree_root(t, w, x);
		ck_assert_int_ne(merkle_verify_consistency(w, size, x, r2, cp,
		    n), 0);
	}
	for (w = m; w <= merkle_tree_size(t); w++) {
		if (w == size)
			continue;
		merkle_tree_root(t, w, x);
		ck_assert_int_ne(merkle_verify_consistency(m, w, r1, x, cp, n),
		    0);
	}
	if (n > 0)
		ck_assert_int_ne(merkle_verify_consistency(m, size, r1, r2, cp,
		    n - 1), 0);
}

START_TEST(test_random_consistency)
{
	uint8_t (*l)[HASH_LEN] = random_leaves(1024);
	uint8_t p[MERKLE_MAX_PROOF][HASH_LEN], r1[HASH_LEN], r2[HASH_LEN];
	uint64_t sizes[] = {1, 2, 3, 4, 6, 9, 31, 32, 33, 200, 512, 513, 1000,
	    1024};
	struct merkle_tree *t = tree_of(l, 1024);
	uint64_t size, m;
	size_t s, n;

	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size = sizes[s];
		merkle_tree_root(t, size, r2);
		for (m = 0; m <= size; m++) {
			ck_assert_int_eq(merkle_tree_consistency(t, m, size, p,
			    &n), 0);
			merkle_tree_root(t, m, r1);
			ck_assert_int_eq(merkle_verify_consistency(m, size, r1,
			    r2, (const uint8_t (*)[HASH_LEN])p, n), 0);
			if (m > 0 && m < size && (m % 61 == 1 || m + 1 == size))
				spoil_consistency(t, m, size, p, n);
		}
		ck_assert_int_eq(merkle_tree_consistency(t, size + 1, size, p,
		    &n), TALLY_ERR_INVALID_ARG);
	}
	merkle_tree_free(t);
	free(l);
}
END_TEST

START_TEST(test_verify_bounds)
{
	uint8_t h[HASH_LEN] = {0}, p[1][HASH_LEN] = {{0}};

	ck_assert_int_eq(merkle_verify_inclusion(h, 0, 0, p, 0, h),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(merkle_verify_inclusion(h, 1, 1, p, 0, h),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(merkle_verify_inclusion(h, 0, 1, p, 0, h), 0);
	ck_assert_int_eq(merkle_verify_inclusion(h, 0, 1, p, 1, h),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(merkle_verify_consistency(2, 1, h, h, p, 0),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(merkle_verify_consistency(3, 3, h, h, p, 1),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(merkle_verify_consistency(1, 2, h, h, p, 0),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(merkle_verify_consistency(0, 2, h, h, p, 1),
	    TALLY_ERR_BAD_PROOF);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc = tcase_create("core");

	srandom(6962);
	tcase_add_test(tc, test_vector_roots);
	tcase_add_test(tc, test_vector_inclusion);
	tcase_add_test(tc, test_vector_consistency);
	tcase_add_test(tc, test_roots_match_reference);
	tcase_add_test(tc, test_random_inclusion);
	tcase_add_test(tc, test_random_consistency);
	tcase_add_test(tc, test_verify_bounds);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
