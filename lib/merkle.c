/* merkle.c: RFC 6962 hashing, frontier, full tree, proofs and verifiers. */
#include "merkle.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"

struct level {
	uint8_t (*h)[HASH_LEN];
	size_t n, cap;
};

struct merkle_tree {
	uint64_t size;
	struct level lv[64]; /* lv[k][i]: perfect subtree of 2^k leaves at i<<k */
};

int
merkle_leaf_hash(uint8_t out[HASH_LEN], const void *payload, size_t len)
{
	static const uint8_t zero = 0x00;

	return hash_sha256_2(out, &zero, 1, payload, len);
}

int
merkle_node_hash(uint8_t out[HASH_LEN], const uint8_t l[HASH_LEN],
    const uint8_t r[HASH_LEN])
{
	uint8_t buf[1 + 2 * HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, HASH_LEN);
	memcpy(buf + 1 + HASH_LEN, r, HASH_LEN);
	return hash_sha256(out, buf, sizeof(buf));
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

void
merkle_frontier_init(struct merkle_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

int
merkle_frontier_push(struct merkle_frontier *f, const uint8_t leaf[HASH_LEN])
{
	uint8_t cur[HASH_LEN];
	int k, ret;

	if (f->size == UINT64_MAX)
		return TALLY_ERR_TOO_LARGE;
	memcpy(cur, leaf, HASH_LEN);
	/* Carry like a binary increment: merge equal-sized subtrees. */
	for (k = 0; f->size & ((uint64_t)1 << k); k++)
		if ((ret = merkle_node_hash(cur, f->h[k], cur)) != 0)
			return ret;
	memcpy(f->h[k], cur, HASH_LEN);
	f->size++;
	return 0;
}

int
merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[HASH_LEN])
{
	uint8_t cur[HASH_LEN];
	int k, have = 0, ret;

	if (f->size == 0)
		return hash_sha256(out, "", 0);
	/* The smallest subtree is the rightmost: fold right to left. */
	for (k = 0; k < 64; k++) {
		if (!(f->size & ((uint64_t)1 << k)))
			continue;
		if (!have)
			memcpy(cur, f->h[k], HASH_LEN);
		else if ((ret = merkle_node_hash(cur, f->h[k], cur)) != 0)
			return ret;
		have = 1;
	}
	memcpy(out, cur, HASH_LEN);
	return 0;
}

struct merkle_tree *
merkle_tree_new(void)
{
	return calloc(1, sizeof(struct merkle_tree));
}

void
merkle_tree_free(struct merkle_tree *t)
{
	int k;

	if (t == NULL)
		return;
	for (k = 0; k < 64; k++)
		free(t->lv[k].h);
	free(t);
}

uint64_t
merkle_tree_size(const struct merkle_tree *t)
{
	return t->size;
}

static int
level_push(struct level *l, const uint8_t h[HASH_LEN])
{
	void *p;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 64;
		if ((p = reallocarray(l->h, cap, HASH_LEN)) == NULL)
			return TALLY_ERR_NOMEM;
		l->h = p;
		l->cap = cap;
	}
	memcpy(l->h[l->n++], h, HASH_LEN);
	return 0;
}

int
merkle_tree_append(struct merkle_tree *t, const uint8_t leaf[HASH_LEN])
{
	uint8_t cur[HASH_LEN];
	struct level *l;
	int k, ret;

	if ((ret = level_push(&t->lv[0], leaf)) != 0)
		return ret;
	for (k = 0; k < 63 && t->lv[k].n % 2 == 0; k++) {
		l = &t->lv[k];
		if ((ret = merkle_node_hash(cur, l->h[l->n - 2],
		    l->h[l->n - 1])) != 0 ||
		    (ret = level_push(&t->lv[k + 1], cur)) != 0) {
			/* Undo so that the tree stays consistent. */
			for (; k >= 0; k--)
				t->lv[k].n--;
			return ret;
		}
	}
	t->size++;
	return 0;
}

int
merkle_tree_leaf(const struct merkle_tree *t, uint64_t index,
    uint8_t out[HASH_LEN])
{
	if (index >= t->size)
		return TALLY_ERR_INVALID_ARG;
	memcpy(out, t->lv[0].h[index], HASH_LEN);
	return 0;
}

/* MTH(D[lo:lo+len]) for a range of the RFC 6962 recursion: its left part is
 * always a stored perfect subtree, so this costs O(log len). */
static int
range_hash(const struct merkle_tree *t, uint64_t lo, uint64_t len,
    uint8_t out[HASH_LEN])
{
	uint8_t right[HASH_LEN];
	uint64_t k;
	int lg, ret;

	if ((len & (len - 1)) == 0) {
		lg = __builtin_ctzll(len);
		memcpy(out, t->lv[lg].h[lo >> lg], HASH_LEN);
		return 0;
	}
	k = split_point(len);
	lg = __builtin_ctzll(k);
	if ((ret = range_hash(t, lo + k, len - k, right)) != 0)
		return ret;
	return merkle_node_hash(out, t->lv[lg].h[lo >> lg], right);
}

int
merkle_tree_root(const struct merkle_tree *t, uint64_t size,
    uint8_t out[HASH_LEN])
{
	if (size > t->size)
		return TALLY_ERR_INVALID_ARG;
	if (size == 0)
		return hash_sha256(out, "", 0);
	return range_hash(t, 0, size, out);
}

static int
inclusion_rec(const struct merkle_tree *t, uint64_t m, uint64_t lo,
    uint64_t n, uint8_t path[][HASH_LEN], size_t *cnt)
{
	uint64_t k;
	int ret;

	if (n == 1)
		return 0;
	k = split_point(n);
	if (m < k) {
		if ((ret = inclusion_rec(t, m, lo, k, path, cnt)) != 0)
			return ret;
		ret = range_hash(t, lo + k, n - k, path[*cnt]);
	} else {
		if ((ret = inclusion_rec(t, m - k, lo + k, n - k, path,
		    cnt)) != 0)
			return ret;
		ret = range_hash(t, lo, k, path[*cnt]);
	}
	(*cnt)++;
	return ret;
}

int
merkle_tree_inclusion(const struct merkle_tree *t, uint64_t index,
    uint64_t size, uint8_t path[][HASH_LEN], size_t *n)
{
	*n = 0;
	if (size > t->size || index >= size)
		return TALLY_ERR_INVALID_ARG;
	return inclusion_rec(t, index, 0, size, path, n);
}

/* SUBPROOF(m, D[lo:lo+n], b) of RFC 6962 2.1.2. */
static int
consistency_rec(const struct merkle_tree *t, uint64_t m, uint64_t lo,
    uint64_t n, int b, uint8_t proof[][HASH_LEN], size_t *cnt)
{
	uint64_t k;
	int ret;

	if (m == n) {
		if (b)
			return 0;
		return range_hash(t, lo, n, proof[(*cnt)++]);
	}
	k = split_point(n);
	if (m <= k) {
		if ((ret = consistency_rec(t, m, lo, k, b, proof, cnt)) != 0)
			return ret;
		ret = range_hash(t, lo + k, n - k, proof[*cnt]);
	} else {
		if ((ret = consistency_rec(t, m - k, lo + k, n - k, 0, proof,
		    cnt)) != 0)
			return ret;
		ret = range_hash(t, lo, k, proof[*cnt]);
	}
	(*cnt)++;
	return ret;
}

int
merkle_tree_consistency(const struct merkle_tree *t, uint64_t m,
    uint64_t size, uint8_t proof[][HASH_LEN], size_t *n)
{
	*n = 0;
	if (size > t->size || m > size)
		return TALLY_ERR_INVALID_ARG;
	if (m == 0 || m == size)
		return 0;
	return consistency_rec(t, m, 0, size, 1, proof, n);
}

static struct merkle_tree *
tree_of_leaves(const uint8_t (*leaves)[HASH_LEN], uint64_t n)
{
	struct merkle_tree *t = merkle_tree_new();
	uint64_t i;

	if (t == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (merkle_tree_append(t, leaves[i]) != 0) {
			merkle_tree_free(t);
			return NULL;
		}
	}
	return t;
}

int
merkle_root_of_leaves(const uint8_t (*leaves)[HASH_LEN], uint64_t n,
    uint8_t out[HASH_LEN])
{
	struct merkle_tree *t = tree_of_leaves(leaves, n);
	int ret;

	if (t == NULL)
		return TALLY_ERR_NOMEM;
	ret = merkle_tree_root(t, n, out);
	merkle_tree_free(t);
	return ret;
}

int
merkle_inclusion_proof(const uint8_t (*leaves)[HASH_LEN], uint64_t n,
    uint64_t index, uint64_t size, uint8_t path[][HASH_LEN], size_t *plen)
{
	struct merkle_tree *t;
	int ret;

	*plen = 0;
	if (size > n)
		return TALLY_ERR_INVALID_ARG;
	if ((t = tree_of_leaves(leaves, size)) == NULL)
		return TALLY_ERR_NOMEM;
	ret = merkle_tree_inclusion(t, index, size, path, plen);
	merkle_tree_free(t);
	return ret;
}

static int
same(const uint8_t a[HASH_LEN], const uint8_t b[HASH_LEN])
{
	return CRYPTO_memcmp(a, b, HASH_LEN) == 0;
}

int
merkle_verify_inclusion(const uint8_t leaf[HASH_LEN], uint64_t index,
    uint64_t size, const uint8_t path[][HASH_LEN], size_t n,
    const uint8_t root[HASH_LEN])
{
	uint8_t r[HASH_LEN];
	uint64_t fn = index, sn;
	size_t i;

	if (index >= size || n > MERKLE_MAX_PATH)
		return TALLY_ERR_BAD_PROOF;
	sn = size - 1;
	memcpy(r, leaf, HASH_LEN);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return TALLY_ERR_BAD_PROOF;
		if ((fn & 1) || fn == sn) {
			if (merkle_node_hash(r, path[i], r) != 0)
				return TALLY_ERR_CRYPTO;
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (merkle_node_hash(r, r, path[i]) != 0)
			return TALLY_ERR_CRYPTO;
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(r, root) ? 0 : TALLY_ERR_BAD_PROOF;
}

int
merkle_verify_consistency(uint64_t m, uint64_t n,
    const uint8_t root1[HASH_LEN], const uint8_t root2[HASH_LEN],
    const uint8_t proof[][HASH_LEN], size_t len)
{
	uint8_t fr[HASH_LEN], sr[HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	if (m > n || len > MERKLE_MAX_PROOF)
		return TALLY_ERR_BAD_PROOF;
	if (m == n)
		return len == 0 && same(root1, root2) ? 0 : TALLY_ERR_BAD_PROOF;
	if (m == 0)
		return len == 0 ? 0 : TALLY_ERR_BAD_PROOF;
	if (len == 0)
		return TALLY_ERR_BAD_PROOF;
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* When m is a power of two the proof omits root1: it starts there. */
	if ((m & (m - 1)) == 0)
		memcpy(fr, root1, HASH_LEN);
	else
		memcpy(fr, proof[i++], HASH_LEN);
	memcpy(sr, fr, HASH_LEN);
	for (; i < len; i++) {
		if (sn == 0)
			return TALLY_ERR_BAD_PROOF;
		if ((fn & 1) || fn == sn) {
			if (merkle_node_hash(fr, proof[i], fr) != 0 ||
			    merkle_node_hash(sr, proof[i], sr) != 0)
				return TALLY_ERR_CRYPTO;
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (merkle_node_hash(sr, sr, proof[i]) != 0)
			return TALLY_ERR_CRYPTO;
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && same(fr, root1) && same(sr, root2) ? 0 :
	    TALLY_ERR_BAD_PROOF;
}
