/*
 * dlog.c: baby-step giant-step over P-256.
 *
 * The baby steps jG, 1 <= j <= n, are keyed by the top 64 bits of their x
 * coordinate (bytes 1..8 of the compressed encoding). Since jG and -jG share
 * x, one entry answers both, so the giant stride is s = 2n + 1 and a value
 * v = i s + d with |d| <= n is found at giant step i. A key match is only a
 * candidate: it is confirmed against jG in full.
 */
#include "dlog.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "group.h"

/* Giant steps are normalised to affine coordinates this many at a time. */
#define DLOG_BATCH 128

struct dlog_entry {
	uint64_t key;
	uint32_t j; /* 0: empty slot */
};

struct dlog_table {
	uint64_t max;
	uint64_t n;      /* baby steps */
	uint64_t stride; /* 2n + 1 */
	size_t mask;     /* slots - 1 */
	struct dlog_entry *slots;
	EC_POINT *neg_stride; /* -(stride)G, affine */
};

/* The top 64 bits of the affine x coordinate of p (not infinity). */
static int
dlog_key(uint64_t *key, const EC_POINT *p, BIGNUM *x)
{
	uint8_t xb[32];
	int i;

	if (EC_POINT_get_affine_coordinates(group_ec(), p, x, NULL,
		group_bn_ctx()) != 1 ||
	    BN_bn2binpad(x, xb, sizeof(xb)) != sizeof(xb))
		return TALLY_ERR_CRYPTO;
	*key = 0;
	for (i = 0; i < 8; i++)
		*key = (*key << 8) | xb[i];
	return 0;
}

/*
 * Batch affine normalisation, one field inversion for n points: deprecated
 * in OpenSSL 3.0 with no replacement, like EC_POINTs_mul (docs/design.md §4).
 */
static int
dlog_make_affine(EC_POINT **p, size_t n)
{
	int ok;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	ok = EC_POINTs_make_affine(group_ec(), n, p, group_bn_ctx());
#pragma GCC diagnostic pop
	return ok == 1 ? 0 : TALLY_ERR_CRYPTO;
}

static void
dlog_insert(struct dlog_table *t, uint64_t key, uint32_t j)
{
	size_t i = (size_t)key & t->mask;

	while (t->slots[i].j != 0)
		i = (i + 1) & t->mask;
	t->slots[i].key = key;
	t->slots[i].j = j;
}

static void
points_free(EC_POINT **p, size_t n)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++)
		EC_POINT_free(p[i]);
	free(p);
}

/* Fill the table with jG for 1 <= j <= t->n. */
static int
dlog_baby_steps(struct dlog_table *t)
{
	EC_POINT **p;
	BIGNUM *x = BN_new();
	uint64_t key;
	size_t j, n = (size_t)t->n;
	int ret = TALLY_ERR_NOMEM;

	if (x == NULL || (p = calloc(n, sizeof(*p))) == NULL) {
		BN_free(x);
		return TALLY_ERR_NOMEM;
	}
	for (j = 0; j < n; j++)
		if ((p[j] = group_point_new()) == NULL)
			goto out;
	ret = TALLY_ERR_CRYPTO;
	if (group_point_copy(p[0], group_generator()) != 0)
		goto out;
	for (j = 1; j < n; j++)
		if (group_add(p[j], p[j - 1], group_generator()) != 0)
			goto out;
	/* One inversion for all: per-point affine conversion dominates. */
	if (dlog_make_affine(p, n) != 0)
		goto out;
	for (j = 0; j < n; j++) {
		if (dlog_key(&key, p[j], x) != 0)
			goto out;
		dlog_insert(t, key, (uint32_t)(j + 1));
	}
	ret = 0;
out:
	points_free(p, n);
	BN_free(x);
	return ret;
}

int
dlog_table_new(struct dlog_table **out, uint64_t max)
{
	struct dlog_table *t;
	size_t slots = 16;
	int ret;

	*out = NULL;
	/* Beyond 2^40 the table would not fit in memory anyway. */
	if (max > (1ULL << 40))
		return TALLY_ERR_INVALID_ARG;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return TALLY_ERR_NOMEM;
	t->max = max;
	/* n ~ sqrt(max / 2): (2n + 1)(n + 1) > max covers [0, max]. */
	for (t->n = 1; (2 * t->n + 1) * (t->n + 1) <= max; t->n++)
		;
	t->stride = 2 * t->n + 1;
	while (slots < 2 * t->n)
		slots *= 2;
	t->mask = slots - 1;
	ret = TALLY_ERR_NOMEM;
	if ((t->slots = calloc(slots, sizeof(*t->slots))) == NULL ||
	    (t->neg_stride = group_point_new()) == NULL)
		goto fail;
	if ((ret = group_mul_g_u64(t->neg_stride, t->stride)) != 0)
		goto fail;
	ret = TALLY_ERR_CRYPTO;
	if (EC_POINT_invert(group_ec(), t->neg_stride, group_bn_ctx()) != 1 ||
	    dlog_make_affine(&t->neg_stride, 1) != 0)
		goto fail;
	if ((ret = dlog_baby_steps(t)) != 0)
		goto fail;
	*out = t;
	return 0;
fail:
	dlog_table_free(t);
	return ret;
}

void
dlog_table_free(struct dlog_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	group_point_free(t->neg_stride);
	free(t);
}

/*
 * Look Q (affine, not infinity) up; on a confirmed match set *d to j or -j
 * with Q = dG and return 1.
 */
static int
dlog_lookup(const struct dlog_table *t, const EC_POINT *q, BIGNUM *x,
    EC_POINT *tmp, int64_t *d)
{
	uint64_t key;
	size_t i;
	int ret;

	if ((ret = dlog_key(&key, q, x)) != 0)
		return ret;
	for (i = (size_t)key & t->mask; t->slots[i].j != 0;
	     i = (i + 1) & t->mask) {
		if (t->slots[i].key != key)
			continue;
		if ((ret = group_mul_g_u64(tmp, t->slots[i].j)) != 0)
			return ret;
		if (group_point_equal(tmp, q)) {
			*d = t->slots[i].j;
			return 1;
		}
		if (EC_POINT_invert(group_ec(), tmp, group_bn_ctx()) != 1)
			return TALLY_ERR_CRYPTO;
		if (group_point_equal(tmp, q)) {
			*d = -(int64_t)t->slots[i].j;
			return 1;
		}
	}
	return 0;
}

/*
 * Giant steps i0 .. i0 + cnt - 1, held in q[] (affine). Return 1 with *m
 * set, 0 to go on, or an error.
 */
static int
dlog_try(const struct dlog_table *t, EC_POINT **q, size_t cnt, uint64_t i0,
    uint64_t *m)
{
	EC_POINT *tmp = group_point_new();
	BIGNUM *x = BN_new();
	int64_t d = 0;
	int64_t v;
	size_t k;
	int ret = TALLY_ERR_NOMEM;

	if (tmp == NULL || x == NULL)
		goto out;
	for (k = 0; k < cnt; k++) {
		if (group_point_is_infinity(q[k]))
			d = 0;
		else if ((ret = dlog_lookup(t, q[k], x, tmp, &d)) < 0)
			goto out;
		else if (ret == 0)
			continue;
		/* The logarithm is unique mod q: a match outside [0, max]
		 * means P is out of range. */
		v = (int64_t)((i0 + k) * t->stride) + d;
		if (v < 0 || (uint64_t)v > t->max) {
			ret = TALLY_ERR_DLOG_RANGE;
			goto out;
		}
		*m = (uint64_t)v;
		ret = 1;
		goto out;
	}
	ret = 0;
out:
	group_point_free(tmp);
	BN_free(x);
	return ret;
}

int
dlog_solve(const struct dlog_table *t, const EC_POINT *P, uint64_t *m)
{
	EC_POINT *q[DLOG_BATCH] = {NULL};
	uint64_t i0, imax = (t->max + t->n) / t->stride;
	size_t k, cnt;
	int ret = TALLY_ERR_NOMEM;

	for (k = 0; k < DLOG_BATCH; k++)
		if ((q[k] = group_point_new()) == NULL)
			goto out;
	if ((ret = group_point_copy(q[0], P)) != 0)
		goto out;
	for (i0 = 0; i0 <= imax; i0 += cnt) {
		cnt = imax - i0 + 1 < DLOG_BATCH ? (size_t)(imax - i0 + 1)
						 : DLOG_BATCH;
		for (k = 1; k < cnt; k++)
			if ((ret = group_add(q[k], q[k - 1],
				 t->neg_stride)) != 0)
				goto out;
		if ((ret = dlog_make_affine(q, cnt)) != 0)
			goto out;
		if ((ret = dlog_try(t, q, cnt, i0, m)) != 0)
			goto out;
		if ((ret = group_add(q[0], q[cnt - 1], t->neg_stride)) != 0)
			goto out;
	}
	ret = TALLY_ERR_DLOG_RANGE;
out:
	for (k = 0; k < DLOG_BATCH; k++)
		group_point_free(q[k]);
	return ret == 1 ? 0 : ret;
}
