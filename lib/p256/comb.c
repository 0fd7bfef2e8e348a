/*
 * comb.c: constant-time fixed-base multiplication for the terminal
 * (p256.h, "Fixed-base tables").
 *
 * A table for a base B holds, for each of COMB_WINDOWS windows i of
 * COMB_W bits, the affine points j 2^(COMB_W i) B for j = 1 .. 2^(COMB_W-1).
 * A scalar is recoded into signed digits d_i in [-2^(COMB_W-1), 2^(COMB_W-1)]
 * (ct_recode; COMB_W = 6: 43 windows, digits in [-32, 32]), so that
 * k B = sum_i d_i 2^(COMB_W i) B: one addition of a table entry per window
 * and no doubling. Each entry is read by scanning the whole row with masks
 * (ct_select) and negated with a mask, so that neither the memory touched
 * nor the instructions run depend on the digit.
 *
 * Many products are computed together, window by window, in affine
 * coordinates: the n additions of one window share one field inversion
 * (Montgomery's trick), so an addition costs about 6 multiplications
 * instead of the 11 of a mixed Jacobian addition, and the results come
 * out affine, ready to encode. The point at infinity (a zero digit, an
 * accumulator still empty) is handled with masks. The remaining
 * exceptional case, two equal x coordinates, cannot occur while summing
 * the digits of one scalar k on one base unless k is a multiple of the
 * order: before a window i below the last the partial sum is below
 * 2^(COMB_W i) in absolute value and the entry at least that, and both
 * together below the order; at the last window (a digit of 2^252 from the
 * top 4 bits and a carry) P = +-T would need k = 0 mod q or k >= 2^256
 * (the same holds within each lane below). It can
 * occur, with negligible probability, when the two terms of an output are
 * added at the end, and when the lanes of one product are: the windows of
 * a product are summed in COMB_LANES lanes side by side, so that one
 * inversion serves more additions, and lane sums L0 and L1 of k (L1 a
 * multiple of 2^132, |L0| below it) have equal x only if k = 0 mod q or
 * L0 = +-q mod 2^132, one value of k's low bits in 2^132. It is detected
 * without a branch (its flag is the only value that leaves the
 * computation) and the caller computes otherwise.
 */
#include "p256.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "fe.h"

#ifndef COMB_W
#define COMB_W 6
#endif
#define COMB_ROW (1 << (COMB_W - 1))	/* entries per window */
/* enough windows for 256 bits and the carry out of the top one */
#define COMB_WINDOWS ((256 + COMB_W) / COMB_W)

struct p256_comb {
	struct p256_affine row[COMB_WINDOWS][COMB_ROW];
};

/* --------------------------------------------------- table building */

/* Variable-time affine arithmetic on the public base only. */
static void
aff_dbl(struct p256_affine *r, const struct p256_affine *p)
{
	fe l, t, x3;

	/* lambda = (3 x^2 - 3) / 2y */
	fe_sqr(t, p->x);
	fe_sub(t, t, fe_one);
	fe_add(l, t, t);
	fe_add(l, l, t);
	fe_add(t, p->y, p->y);
	fe_inv(t, t);
	fe_mul(l, l, t);
	fe_sqr(x3, l);
	fe_sub(x3, x3, p->x);
	fe_sub(x3, x3, p->x);
	fe_sub(t, p->x, x3);
	fe_mul(t, t, l);
	fe_sub(r->y, t, p->y);
	fe_copy(r->x, x3);
}

/* r = p + q for p != +-q */
static void
aff_add(struct p256_affine *r, const struct p256_affine *p,
    const struct p256_affine *q)
{
	fe l, t, x3;

	fe_sub(t, q->x, p->x);
	fe_inv(t, t);
	fe_sub(l, q->y, p->y);
	fe_mul(l, l, t);
	fe_sqr(x3, l);
	fe_sub(x3, x3, p->x);
	fe_sub(x3, x3, q->x);
	fe_sub(t, p->x, x3);
	fe_mul(t, t, l);
	fe_sub(r->y, t, p->y);
	fe_copy(r->x, x3);
}

int
p256_comb_new(struct p256_comb **out, const struct p256_affine *base)
{
	struct p256_comb *c;
	struct p256_affine b;
	size_t i, j;

	*out = NULL;
	if ((c = malloc(sizeof(*c))) == NULL)
		return TALLY_ERR_NOMEM;
	b = *base;
	for (i = 0; i < COMB_WINDOWS; i++) {
		/* row i: j 2^(COMB_W i) B; for j >= 2 never +-(j-1) times
		 * that since the group order is prime and far larger than
		 * COMB_ROW */
		c->row[i][0] = b;
		aff_dbl(&c->row[i][1], &b);
		for (j = 2; j < COMB_ROW; j++)
			aff_add(&c->row[i][j], &c->row[i][j - 1], &b);
		/* next base: 2^COMB_W b = 2 (COMB_ROW b) */
		if (i + 1 < COMB_WINDOWS)
			aff_dbl(&b, &c->row[i][COMB_ROW - 1]);
	}
	*out = c;
	return 0;
}

void
p256_comb_free(struct p256_comb *c)
{
	free(c);
}

static struct p256_comb *comb_g;
static pthread_once_t comb_g_once = PTHREAD_ONCE_INIT;

static void
comb_g_make(void)
{
	struct p256_affine g;

	p256_generator(&g);
	if (p256_comb_new(&comb_g, &g) != 0)
		comb_g = NULL;
}

const struct p256_comb *
p256_comb_generator(void)
{
	if (pthread_once(&comb_g_once, comb_g_make) != 0)
		return NULL;
	return comb_g;
}

/* ------------------------------------------------ constant-time core */

/* all ones when a == b, else 0 */
static inline uint64_t
ct_eq(uint64_t a, uint64_t b)
{
	uint64_t d = a ^ b;

	return ((d | (0 - d)) >> 63) - 1;
}

static inline uint64_t
ct_fe_zero(const fe a)
{
	return ct_eq(a[0] | a[1] | a[2] | a[3], 0);
}

static inline void
ct_fe_sel(fe r, uint64_t mask, const fe a, const fe b)
{
	int l;

	for (l = 0; l < 4; l++)
		r[l] = (a[l] & mask) | (b[l] & ~mask);
}

/* Signed digits of s < 2^256: s = sum d[i] 2^(COMB_W i), d[i] in
 * [-COMB_ROW, COMB_ROW]; no branch on s. */
static void
ct_recode(int8_t d[COMB_WINDOWS], const uint64_t s[4])
{
	uint64_t carry = 0, v, w;
	unsigned int i, pos, limb, off;

	for (i = 0; i < COMB_WINDOWS; i++) {
		pos = COMB_W * i;
		limb = pos / 64;
		off = pos % 64;
		w = limb < 4 ? s[limb] >> off : 0;
		if (off > 64 - COMB_W && limb + 1 < 4)
			w |= s[limb + 1] << (64 - off);
		v = (w & (2 * COMB_ROW - 1)) + carry;	/* 0 .. 2 COMB_ROW */
		carry = (COMB_ROW - v) >> 63;		/* v > COMB_ROW */
		d[i] = (int8_t)((int64_t)v - (int64_t)(carry << COMB_W));
	}
}

/* The entry a (1 .. COMB_ROW) of a row, or zeros for a = 0, by reading
 * every entry and keeping one with a mask. Written on 256-bit vectors
 * (gcc's vector extension: two SSE2 operations each on any x86-64, one
 * AVX2 operation where the processor has it). */
typedef uint64_t comb_v4 __attribute__((vector_size(32)));

#define COMB_SCAN_BODY                                                   \
	comb_v4 vx = {0, 0, 0, 0}, vy = {0, 0, 0, 0}, ex, ey, m;         \
	uint64_t mm;                                                     \
	unsigned int j;                                                  \
                                                                         \
	for (j = 0; j < COMB_ROW; j++) {                                 \
		mm = ct_eq(a, j + 1);                                    \
		m = (comb_v4){mm, mm, mm, mm};                           \
		memcpy(&ex, row[j].x, sizeof(ex));                       \
		memcpy(&ey, row[j].y, sizeof(ey));                       \
		vx |= ex & m;                                            \
		vy |= ey & m;                                            \
	}                                                                \
	memcpy(x, &vx, sizeof(vx));                                      \
	memcpy(y, &vy, sizeof(vy))

static void
ct_scan(uint64_t x[4], uint64_t y[4], const struct p256_affine *row,
    uint64_t a)
{
	COMB_SCAN_BODY;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The same scan on AVX2, two entries a step into two accumulators (two
 * dependency chains of ORs instead of one), each entry's mask made by a
 * vector comparison of its index with a (vpcmpeqq: all ones or zero, no
 * branch): every entry is read, whatever a. About 30% faster than the
 * generic body on this machine. */
__attribute__((target("avx2"))) static void
ct_scan_avx2(uint64_t x[4], uint64_t y[4], const struct p256_affine *row,
    uint64_t a)
{
	comb_v4 vx = {0, 0, 0, 0}, vy = {0, 0, 0, 0}, wx = vx, wy = vx;
	comb_v4 av = {a, a, a, a}, jv = {1, 1, 1, 1}, kv = {2, 2, 2, 2};
	comb_v4 two = {2, 2, 2, 2}, ex, ey, fx, fy, m, n;
	unsigned int j;

	for (j = 0; j < COMB_ROW; j += 2) {
		m = (comb_v4)(jv == av);
		n = (comb_v4)(kv == av);
		memcpy(&ex, row[j].x, sizeof(ex));
		memcpy(&ey, row[j].y, sizeof(ey));
		memcpy(&fx, row[j + 1].x, sizeof(fx));
		memcpy(&fy, row[j + 1].y, sizeof(fy));
		vx |= ex & m;
		vy |= ey & m;
		wx |= fx & n;
		wy |= fy & n;
		jv += two;
		kv += two;
	}
	vx |= wx;
	vy |= wy;
	memcpy(x, &vx, sizeof(vx));
	memcpy(y, &vy, sizeof(vy));
}
#endif

/* (x, y) = d row (|d| read by a full scan), inf = all ones for d = 0. */
static inline void
ct_select(fe x, fe y, uint64_t *inf, const struct p256_affine *row,
    int8_t d)
{
	uint64_t neg = (uint64_t)((int64_t)d >> 63);
	uint64_t a = ((uint64_t)(int64_t)d ^ neg) - neg;
	fe ny;

#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("avx2"))
		ct_scan_avx2(x, y, row, a);
	else
#endif
		ct_scan(x, y, row, a);
	fe_sub(ny, (const uint64_t[4]){0}, y);
	ct_fe_sel(y, neg, ny, y);
	*inf = ct_eq(a, 0);
}

/* Work space of one batch: n accumulators and n addends. */
struct comb_ws {
	size_t n;
	uint64_t (*ax)[4], (*ay)[4], *ainf;
	uint64_t (*tx)[4], (*ty)[4], *tinf;
	uint64_t (*den)[4], (*pre)[4], (*dy)[4];
};

/*
 * a[k] += t[k] for k < n, affine, one inversion. Infinity on either side
 * by masks. Returns all ones when some addition had equal x coordinates
 * and both sides finite (the result is then wrong for the whole batch).
 */
static uint64_t
comb_add_batch(struct comb_ws *w, size_t n)
{
	uint64_t bad = 0, special;
	fe acc, inv, ik, lam, x3, y3, t;
	size_t k;

	fe_copy(acc, fe_one);
	for (k = 0; k < n; k++) {
		special = w->ainf[k] | w->tinf[k];
		fe_sub(t, w->tx[k], w->ax[k]);
		bad |= ~special & ct_fe_zero(t);
		ct_fe_sel(w->den[k], special, fe_one, t);
		fe_sub(w->dy[k], w->ty[k], w->ay[k]);
		fe_copy(w->pre[k], acc);
		fe_mul(acc, acc, w->den[k]);
	}
	fe_inv(inv, acc);
	for (k = n; k-- > 0;) {
		fe_mul(ik, inv, w->pre[k]);
		fe_mul(inv, inv, w->den[k]);
		fe_mul(lam, w->dy[k], ik);
		fe_sqr(x3, lam);
		fe_sub(x3, x3, w->ax[k]);
		fe_sub(x3, x3, w->tx[k]);
		fe_sub(t, w->ax[k], x3);
		fe_mul(t, t, lam);
		fe_sub(y3, t, w->ay[k]);
		/* t infinite: keep a; a infinite: take t; else the sum */
		ct_fe_sel(x3, w->ainf[k], w->tx[k], x3);
		ct_fe_sel(y3, w->ainf[k], w->ty[k], y3);
		ct_fe_sel(w->ax[k], w->tinf[k], w->ax[k], x3);
		ct_fe_sel(w->ay[k], w->tinf[k], w->ay[k], y3);
		w->ainf[k] &= w->tinf[k];
	}
	OPENSSL_cleanse(acc, sizeof(acc));
	OPENSSL_cleanse(inv, sizeof(inv));
	OPENSSL_cleanse(ik, sizeof(ik));
	OPENSSL_cleanse(lam, sizeof(lam));
	return bad;
}

static void
comb_ws_free(struct comb_ws *w)
{
	size_t f = 4 * sizeof(uint64_t) * w->n;

	if (w->ax != NULL)
		OPENSSL_clear_free(w->ax, 7 * f + 2 * sizeof(uint64_t) * w->n);
	memset(w, 0, sizeof(*w));
}

static int
comb_ws_new(struct comb_ws *w, size_t n)
{
	uint64_t (*m)[4];

	memset(w, 0, sizeof(*w));
	/* 7 arrays of field elements, then the two masks */
	if (n == 0 || n > SIZE_MAX / (8 * 4 * sizeof(uint64_t)) ||
	    (m = calloc(7 * n + (2 * n + 3) / 4, sizeof(*m))) == NULL)
		return TALLY_ERR_NOMEM;
	w->n = n;
	w->ax = m;
	w->ay = m + n;
	w->tx = m + 2 * n;
	w->ty = m + 3 * n;
	w->den = m + 4 * n;
	w->pre = m + 5 * n;
	w->dy = m + 6 * n;
	w->ainf = (uint64_t *)(m + 7 * n);
	w->tinf = w->ainf + n;
	return 0;
}

/* Lanes of windows (see p256_comb_mul) and their length. */
#ifndef COMB_LANES
#define COMB_LANES 2
#endif
#define COMB_LANE_LEN ((COMB_WINDOWS + COMB_LANES - 1) / COMB_LANES)

/* Window win of a job into accumulator j (first: set it) or its addend;
 * a window past the last (the short last lane) adds infinity. */
static void
comb_lane_select(struct comb_ws *w, size_t j, const struct p256_comb *tab,
    const int8_t *dig, size_t win, int first)
{
	if (win >= COMB_WINDOWS) {
		w->tinf[j] = ~(uint64_t)0;
		return;
	}
	if (first)
		ct_select(w->ax[j], w->ay[j], &w->ainf[j], tab->row[win],
		    dig[win]);
	else
		ct_select(w->tx[j], w->ty[j], &w->tinf[j], tab->row[win],
		    dig[win]);
}

/* output i's second term is another output's result */
static int
comb_is_ref(const struct p256_comb_term (*terms)[2], size_t i)
{
	return terms[i][1].tab == NULL && terms[i][1].ref;
}

/* output i's second term is a point given, or another output's result:
 * added in the last batch */
static int
comb_is_late(const struct p256_comb_term (*terms)[2], size_t i)
{
	return terms[i][1].tab == NULL &&
	    (terms[i][1].ref || terms[i][1].pt != NULL);
}

int
p256_comb_mul(uint8_t (*out)[33], size_t n,
    const struct p256_comb_term (*terms)[2])
{
	struct comb_ws w;
	int8_t (*dig)[COMB_WINDOWS] = NULL;
	const struct p256_comb **tab = NULL;
	const struct p256_comb_term *t1;
	size_t *slot = NULL, i, k, ln, nj, n2, nbig, nref, s1, s2, s3, s4;
	size_t a0, a1;
	uint64_t bad = 0, l[4], infs = 0;
	uint8_t y[32];
	int ret = TALLY_ERR_NOMEM;

	if (n == 0)
		return 0;
	memset(&w, 0, sizeof(w));
	for (i = 0, n2 = 0, nbig = 0, nref = 0; i < n; i++) {
		if (terms[i][0].tab == NULL)
			return TALLY_ERR_INVALID_ARG;
		if (terms[i][1].tab != NULL) {
			n2++;
			nbig += !terms[i][1].small;
		} else if (comb_is_ref(terms, i)) {
			nref++;
			for (k = 0; k < 2; k++)
				if (terms[i][1].src[k] >= n ||
				    terms[terms[i][1].src[k]][1].tab != NULL ||
				    comb_is_late(terms, terms[i][1].src[k]))
					return TALLY_ERR_INVALID_ARG;
		} else if (terms[i][1].pt != NULL)
			nref++;
	}
	/* Jobs (slots): the first terms of the outputs whose second term is
	 * a full job in 0 .. nbig-1, of the outputs with a small second term
	 * in nbig .. n2-1, of the outputs whose second term is a ref or a
	 * point in n2 .. n2+nref-1, of the other outputs in n2+nref .. n-1, and the
	 * full second terms in n .. n+nbig-1 (that of slot s in n + s).
	 * slot[i] is output i's slot. A small second term is one row-0 entry
	 * read at the end: its digit goes to dig[slot][0] of a spare row. The
	 * kind of each term is public (never which output a ref picks), so
	 * the slots are. */
	nj = n + nbig;
	if (nj > SIZE_MAX / COMB_WINDOWS - n2 ||
	    (dig = calloc(nj + n2, sizeof(*dig))) == NULL ||
	    (tab = calloc(nj + n2, sizeof(*tab))) == NULL ||
	    (slot = calloc(n, sizeof(*slot))) == NULL ||
	    nj > SIZE_MAX / COMB_LANES / 64 ||
	    comb_ws_new(&w, COMB_LANES * nj) != 0)
		goto out;
	for (i = 0, s1 = 0, s2 = nbig, s4 = n2, s3 = n2 + nref; i < n; i++) {
		if (comb_is_late(terms, i))
			k = s4++;
		else if (terms[i][1].tab == NULL)
			k = s3++;
		else if (terms[i][1].small)
			k = s2++;
		else
			k = s1++;
		slot[i] = k;
		tab[k] = terms[i][0].tab;
		ct_recode(dig[k], terms[i][0].k);
		if (terms[i][1].tab == NULL)
			continue;
		if (terms[i][1].small) {
			/* k[0] <= 16 by the contract: its only digit */
			tab[nj + k] = terms[i][1].tab;
			dig[nj + k][0] = (int8_t)terms[i][1].k[0];
		} else {
			tab[n + k] = terms[i][1].tab;
			ct_recode(dig[n + k], terms[i][1].k);
		}
	}
	/* Each job's windows in COMB_LANES lanes, summed side by side
	 * (accumulator l * nj + k: lane l of job k) so that one inversion
	 * serves COMB_LANES times the additions; the first window of a lane
	 * sets its accumulator. The lanes are then added up. The split is by
	 * window index, public: the work done depends on no digit. */
	for (i = 0; i < COMB_LANE_LEN; i++) {
		for (ln = 0; ln < COMB_LANES; ln++)
			for (k = 0; k < nj; k++)
				comb_lane_select(&w, ln * nj + k, tab[k],
				    dig[k], ln * COMB_LANE_LEN + i, i == 0);
		if (i > 0)
			bad |= comb_add_batch(&w, COMB_LANES * nj);
	}
	for (ln = 1; ln < COMB_LANES; ln++) {
		for (k = 0; k < nj; k++) {
			fe_copy(w.tx[k], w.ax[ln * nj + k]);
			fe_copy(w.ty[k], w.ay[ln * nj + k]);
			w.tinf[k] = w.ainf[ln * nj + k];
		}
		bad |= comb_add_batch(&w, nj);
	}
	/* the second terms onto the first; a ref's candidates are outputs of
	 * one term, in slots n2+nref .. n-1 that this batch leaves alone:
	 * both read, one kept by the secret mask (constant time) */
	if (n2 + nref > 0) {
		for (k = 0; k < nbig; k++) {
			fe_copy(w.tx[k], w.ax[n + k]);
			fe_copy(w.ty[k], w.ay[n + k]);
			w.tinf[k] = w.ainf[n + k];
		}
		for (k = nbig; k < n2; k++)
			ct_select(w.tx[k], w.ty[k], &w.tinf[k],
			    tab[nj + k]->row[0], dig[nj + k][0]);
		for (i = 0; i < n; i++) {
			if (!comb_is_late(terms, i))
				continue;
			t1 = &terms[i][1];
			k = slot[i];
			if (!t1->ref) {
				fe_copy(w.tx[k], t1->pt->x);
				fe_copy(w.ty[k], t1->pt->y);
				w.tinf[k] = 0;
				continue;
			}
			a0 = slot[t1->src[0]];
			a1 = slot[t1->src[1]];
			ct_fe_sel(w.tx[k], t1->pick, w.ax[a0], w.ax[a1]);
			ct_fe_sel(w.ty[k], t1->pick, w.ay[a0], w.ay[a1]);
			w.tinf[k] = t1->none | (w.ainf[a0] & t1->pick) |
			    (w.ainf[a1] & ~t1->pick);
		}
		bad |= comb_add_batch(&w, n2 + nref);
	}
	if (bad) {
		ret = P256_COMB_EXCEPTIONAL;
		goto out;
	}
	for (k = 0; k < n; k++)
		infs |= w.ainf[k];
	if (infs) {
		ret = TALLY_ERR_BAD_POINT;
		goto out;
	}
	for (i = 0; i < n; i++) {
		k = slot[i];
		fe_from_mont(l, w.ax[k]);
		fe_to_be(out[i] + 1, l);
		fe_from_mont(l, w.ay[k]);
		fe_to_be(y, l);
		out[i][0] = (uint8_t)(0x02 | (y[31] & 1));
	}
	ret = 0;
out:
	OPENSSL_cleanse(l, sizeof(l));
	OPENSSL_cleanse(y, sizeof(y));
	if (dig != NULL)
		OPENSSL_clear_free(dig, (nj + n2) * sizeof(*dig));
	free(tab);
	free(slot);
	comb_ws_free(&w);
	return ret;
}

/* ------------------------------------------------ tables of a process */

#define COMB_CACHE 8
static struct {
	uint8_t enc[33];
	struct p256_comb *tab;
} comb_cache[COMB_CACHE];
static pthread_mutex_t comb_cache_lock = PTHREAD_MUTEX_INITIALIZER;

const struct p256_comb *
p256_comb_cached(const uint8_t enc[33])
{
	struct p256_affine b;
	const struct p256_comb *found = NULL;
	size_t i;

	if (pthread_mutex_lock(&comb_cache_lock) != 0)
		return NULL;
	for (i = 0; i < COMB_CACHE && comb_cache[i].tab != NULL; i++)
		if (memcmp(comb_cache[i].enc, enc, 33) == 0) {
			found = comb_cache[i].tab;
			break;
		}
	if (found == NULL && i < COMB_CACHE && p256_decode(&b, enc) == 0 &&
	    p256_comb_new(&comb_cache[i].tab, &b) == 0) {
		memcpy(comb_cache[i].enc, enc, 33);
		found = comb_cache[i].tab;
	}
	pthread_mutex_unlock(&comb_cache_lock);
	return found;
}
