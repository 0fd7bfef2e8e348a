/*
 * merkle.h: RFC 6962 Merkle tree hashing (docs/record/log.md).
 *
 *   leaf = SHA-256(0x00 || payload)      node = SHA-256(0x01 || left || right)
 *   root of the empty tree = SHA-256("")
 *
 * Two ways to hold a tree: a frontier (the roots of the perfect subtrees of
 * the binary decomposition of the size, O(log n) hashes) that appenders use to
 * know the current root, and a full tree (every level, about 64 bytes per
 * leaf) from which inclusion and consistency proofs for any index and any
 * earlier size come out in O(log^2 n). The verifiers follow RFC 9162
 * 2.1.3.2 and 2.1.4.2 and never trust a proof's length.
 */
#ifndef TALLY_MERKLE_H
#define TALLY_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

/* Longest inclusion path (64 levels) and consistency proof. */
#define MERKLE_MAX_PATH 64
#define MERKLE_MAX_PROOF 128

int merkle_leaf_hash(uint8_t out[HASH_LEN], const void *payload, size_t len);
int merkle_node_hash(uint8_t out[HASH_LEN], const uint8_t l[HASH_LEN],
    const uint8_t r[HASH_LEN]);

/* The right frontier: h[k] is valid when bit k of size is set. */
struct merkle_frontier {
	uint64_t size;
	uint8_t h[64][HASH_LEN];
};

void merkle_frontier_init(struct merkle_frontier *f);
int merkle_frontier_push(struct merkle_frontier *f,
    const uint8_t leaf[HASH_LEN]);
int merkle_frontier_root(const struct merkle_frontier *f,
    uint8_t out[HASH_LEN]);

/* A full tree: append leaf hashes, then ask for roots and proofs. */
struct merkle_tree;

struct merkle_tree *merkle_tree_new(void);
void merkle_tree_free(struct merkle_tree *t);
uint64_t merkle_tree_size(const struct merkle_tree *t);
int merkle_tree_append(struct merkle_tree *t, const uint8_t leaf[HASH_LEN]);
/* The leaf hash at index (< size). */
int merkle_tree_leaf(const struct merkle_tree *t, uint64_t index,
    uint8_t out[HASH_LEN]);
/* Root of the first size leaves (size <= merkle_tree_size). */
int merkle_tree_root(const struct merkle_tree *t, uint64_t size,
    uint8_t out[HASH_LEN]);
/* Audit path of leaf index in the tree of the first size leaves; path holds
 * MERKLE_MAX_PATH hashes, *n is set to the count (leaf side first). */
int merkle_tree_inclusion(const struct merkle_tree *t, uint64_t index,
    uint64_t size, uint8_t path[][HASH_LEN], size_t *n);
/* Consistency proof between sizes m <= size; proof holds MERKLE_MAX_PROOF
 * hashes. It is empty when m is 0 or m equals size. */
int merkle_tree_consistency(const struct merkle_tree *t, uint64_t m,
    uint64_t size, uint8_t proof[][HASH_LEN], size_t *n);

/* Convenience over a plain array of leaf hashes (builds a tree: O(n)). */
int merkle_root_of_leaves(const uint8_t (*leaves)[HASH_LEN], uint64_t n,
    uint8_t out[HASH_LEN]);
int merkle_inclusion_proof(const uint8_t (*leaves)[HASH_LEN], uint64_t n,
    uint64_t index, uint64_t size, uint8_t path[][HASH_LEN], size_t *plen);

/* 0 when leaf is at index in the tree of that size and root; otherwise
 * TALLY_ERR_BAD_PROOF. */
int merkle_verify_inclusion(const uint8_t leaf[HASH_LEN], uint64_t index,
    uint64_t size, const uint8_t path[][HASH_LEN], size_t n,
    const uint8_t root[HASH_LEN]);
/* 0 when the tree of size m with root1 is a prefix of the one of size n with
 * root2; otherwise TALLY_ERR_BAD_PROOF. */
int merkle_verify_consistency(uint64_t m, uint64_t n,
    const uint8_t root1[HASH_LEN], const uint8_t root2[HASH_LEN],
    const uint8_t proof[][HASH_LEN], size_t len);

#endif
