/*
 * sqrt8.c: the square-root exponentiation a^((p + 1) / 4) mod p for up to
 * sixteen field elements at once, one in each 64-bit lane of one or two
 * AVX-512 registers, with the 52-bit multiply-add instructions (AVX512-IFMA), for
 * p256_decode_batch.
 *
 * An element is five 52-bit limbs (radix 2^52), kept below 2p, in
 * Montgomery form with R = 2^260: since R > 4p, a product of two values
 * below 2p reduces to below 2p again, so no final subtraction is needed
 * until the end. A product is accumulated by columns in 64-bit lanes (at
 * most about 17 terms of 52 bits each, well below 2^64), then reduced
 * word by word: with p = -1 mod 2^52 the per-word factor m is the column
 * itself modulo 2^52, and t + m p0 = (t / 2^52 + m) 2^52 for
 * p0 = 2^52 - 1, so p0 costs no multiplication; p's limb 2 is zero.
 *
 * Only for public data (point decoding), although nothing here branches
 * on a value. The caller checks every result (y^2 == rhs with fe.h) and
 * falls back to fe_sqrt_candidate on a mismatch, so this code can make
 * decoding faster but can never change what is accepted.
 */
#include "sqrt8.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)

#include <cpuid.h>
#include <immintrin.h>

#define SQRT8_TARGET __attribute__((target("avx512f,avx512ifma")))
#define M52 0xfffffffffffffULL

struct vfe {
	__m512i v[5];
};

/* 1 when the processor has AVX-512 F and IFMA and the system saves the
 * AVX-512 state (XCR0: SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM). */
int
p256_sqrt8_available(void)
{
	static int have = -1;
	unsigned int a, b, c, d, lo, hi;
	int h = __atomic_load_n(&have, __ATOMIC_RELAXED);

	if (h >= 0)
		return h;
	h = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 27)) != 0) {
		/* OSXSAVE: XGETBV is available */
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		(void)hi;
		if ((lo & 0xe6) == 0xe6 &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
		    (b & (1u << 16)) != 0 && (b & (1u << 21)) != 0)
			h = 1;
	}
	__atomic_store_n(&have, h, __ATOMIC_RELAXED);
	return h;
}

/* r = t / 2^260 mod p (below 2p) from the ten columns t of a product of
 * two values below 2p; t is consumed. */
static inline SQRT8_TARGET __attribute__((always_inline)) void
vfe_reduce(struct vfe *r, __m512i t[10])
{
	const __m512i mask = _mm512_set1_epi64((long long)M52);
	const __m512i p1 = _mm512_set1_epi64(0xfffffffffffLL);
	const __m512i p3 = _mm512_set1_epi64(0x1000000000LL);
	const __m512i p4 = _mm512_set1_epi64(0xffffffff0000LL);
	__m512i m;
	int i;

#pragma GCC unroll 5
	for (i = 0; i < 5; i++) {
		m = _mm512_and_si512(t[i], mask);
		t[i + 1] = _mm512_add_epi64(t[i + 1],
		    _mm512_add_epi64(_mm512_srli_epi64(t[i], 52), m));
		t[i + 1] = _mm512_madd52lo_epu64(t[i + 1], m, p1);
		t[i + 2] = _mm512_madd52hi_epu64(t[i + 2], m, p1);
		t[i + 3] = _mm512_madd52lo_epu64(t[i + 3], m, p3);
		t[i + 4] = _mm512_madd52hi_epu64(t[i + 4], m, p3);
		t[i + 4] = _mm512_madd52lo_epu64(t[i + 4], m, p4);
		t[i + 5] = _mm512_madd52hi_epu64(t[i + 5], m, p4);
	}
#pragma GCC unroll 4
	for (i = 5; i < 9; i++) {
		t[i + 1] = _mm512_add_epi64(t[i + 1],
		    _mm512_srli_epi64(t[i], 52));
		r->v[i - 5] = _mm512_and_si512(t[i], mask);
	}
	r->v[4] = t[9];
}

static inline SQRT8_TARGET __attribute__((always_inline)) void
vfe_mul(struct vfe *r, const struct vfe *a, const struct vfe *b)
{
	__m512i t[10];
	int i, j;

#pragma GCC unroll 10
	for (i = 0; i < 10; i++)
		t[i] = _mm512_setzero_si512();
#pragma GCC unroll 5
	for (i = 0; i < 5; i++) {
#pragma GCC unroll 5
		for (j = 0; j < 5; j++) {
			t[i + j] = _mm512_madd52lo_epu64(t[i + j], a->v[i],
			    b->v[j]);
			t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1],
			    a->v[i], b->v[j]);
		}
	}
	vfe_reduce(r, t);
}

/* The cross products once, doubled, then the squares. */
static inline SQRT8_TARGET __attribute__((always_inline)) void
vfe_sqr(struct vfe *r, const struct vfe *a)
{
	__m512i t[10], u[10];
	int i, j;

	/* low and high halves of the products in separate accumulators
	 * (t, u): shorter chains of dependent multiply-adds */
#pragma GCC unroll 10
	for (i = 0; i < 10; i++) {
		t[i] = _mm512_setzero_si512();
		u[i] = _mm512_setzero_si512();
	}
#pragma GCC unroll 5
	for (i = 0; i < 5; i++) {
#pragma GCC unroll 5
		for (j = i + 1; j < 5; j++) {
			t[i + j] = _mm512_madd52lo_epu64(t[i + j], a->v[i],
			    a->v[j]);
			u[i + j + 1] = _mm512_madd52hi_epu64(u[i + j + 1],
			    a->v[i], a->v[j]);
		}
	}
#pragma GCC unroll 9
	for (i = 1; i < 10; i++) {
		t[i] = _mm512_add_epi64(t[i], u[i]);
		t[i] = _mm512_add_epi64(t[i], t[i]);
	}
#pragma GCC unroll 5
	for (i = 0; i < 5; i++) {
		t[2 * i] = _mm512_madd52lo_epu64(t[2 * i], a->v[i], a->v[i]);
		t[2 * i + 1] = _mm512_madd52hi_epu64(t[2 * i + 1], a->v[i],
		    a->v[i]);
	}
	vfe_reduce(r, t);
}

static SQRT8_TARGET void
vfe_sqr_n(struct vfe *r, const struct vfe *a, int n)
{
	int i;

	*r = *a;
	for (i = 0; i < n; i++)
		vfe_sqr(r, r);
}

/* Two independent chains side by side: the processor overlaps them
 * (each squaring is one long dependency chain). */
static SQRT8_TARGET void
vfe_sqr_n2(struct vfe *r, const struct vfe *a, struct vfe *r2,
    const struct vfe *a2, int n)
{
	int i;

	*r = *a;
	*r2 = *a2;
	for (i = 0; i < n; i++) {
		vfe_sqr(r, r);
		vfe_sqr(r2, r2);
	}
}

static SQRT8_TARGET void
vfe_mul2(struct vfe *r, const struct vfe *a, const struct vfe *b,
    struct vfe *r2, const struct vfe *a2, const struct vfe *b2)
{
	vfe_mul(r, a, b);
	vfe_mul(r2, a2, b2);
}

/* vfe_sqrt_candidate for two vectors at once. */
static SQRT8_TARGET void
vfe_sqrt_candidate2(struct vfe *r, const struct vfe *a, struct vfe *r2,
    const struct vfe *a2)
{
	struct vfe x2[2], x3[2], x6[2], x12[2], x15[2], x30[2], x32[2], t[2];

	vfe_sqr_n2(&t[0], a, &t[1], a2, 1);
	vfe_mul2(&x2[0], &t[0], a, &x2[1], &t[1], a2);
	vfe_sqr_n2(&t[0], &x2[0], &t[1], &x2[1], 1);
	vfe_mul2(&x3[0], &t[0], a, &x3[1], &t[1], a2);
	vfe_sqr_n2(&t[0], &x3[0], &t[1], &x3[1], 3);
	vfe_mul2(&x6[0], &t[0], &x3[0], &x6[1], &t[1], &x3[1]);
	vfe_sqr_n2(&t[0], &x6[0], &t[1], &x6[1], 6);
	vfe_mul2(&x12[0], &t[0], &x6[0], &x12[1], &t[1], &x6[1]);
	vfe_sqr_n2(&t[0], &x12[0], &t[1], &x12[1], 3);
	vfe_mul2(&x15[0], &t[0], &x3[0], &x15[1], &t[1], &x3[1]);
	vfe_sqr_n2(&t[0], &x15[0], &t[1], &x15[1], 15);
	vfe_mul2(&x30[0], &t[0], &x15[0], &x30[1], &t[1], &x15[1]);
	vfe_sqr_n2(&t[0], &x30[0], &t[1], &x30[1], 2);
	vfe_mul2(&x32[0], &t[0], &x2[0], &x32[1], &t[1], &x2[1]);
	vfe_sqr_n2(&t[0], &x32[0], &t[1], &x32[1], 32);
	vfe_mul2(&t[0], &t[0], a, &t[1], &t[1], a2);
	vfe_sqr_n2(&t[0], &t[0], &t[1], &t[1], 96);
	vfe_mul2(&t[0], &t[0], a, &t[1], &t[1], a2);
	vfe_sqr_n2(r, &t[0], r2, &t[1], 94);
}

/* r = a^((p + 1) / 4), the chain of fe_sqrt_candidate (fe.h). */
static SQRT8_TARGET void
vfe_sqrt_candidate(struct vfe *r, const struct vfe *a)
{
	struct vfe x2, x3, x6, x12, x15, x30, x32, t;

	vfe_sqr(&t, a);
	vfe_mul(&x2, &t, a);
	vfe_sqr(&t, &x2);
	vfe_mul(&x3, &t, a);
	vfe_sqr_n(&t, &x3, 3);
	vfe_mul(&x6, &t, &x3);
	vfe_sqr_n(&t, &x6, 6);
	vfe_mul(&x12, &t, &x6);
	vfe_sqr_n(&t, &x12, 3);
	vfe_mul(&x15, &t, &x3);
	vfe_sqr_n(&t, &x15, 15);
	vfe_mul(&x30, &t, &x15);
	vfe_sqr_n(&t, &x30, 2);
	vfe_mul(&x32, &t, &x2);
	vfe_sqr_n(&t, &x32, 32);
	vfe_mul(&t, &t, a);
	vfe_sqr_n(&t, &t, 96);
	vfe_mul(&t, &t, a);
	vfe_sqr_n(r, &t, 94);
}

/* 2^520 mod p (R^2 for R = 2^260) and 1, in 52-bit limbs. */
static const uint64_t sqrt8_rr[5] = {0x300, 0xffffffff00000,
    0xffffefffffffb, 0xfdfffffffffff, 0x4ffffff};

/* Lanes of 52-bit limbs from plain 4 x 64-bit values, and back. */
static SQRT8_TARGET void
vfe_load(struct vfe *x, const uint64_t (*a)[4], size_t n)
{
	uint64_t lanes[5][8] __attribute__((aligned(64)));
	size_t i;
	int l;

	memset(lanes, 0, sizeof(lanes));
	for (i = 0; i < n; i++) {
		lanes[0][i] = a[i][0] & M52;
		lanes[1][i] = ((a[i][0] >> 52) | (a[i][1] << 12)) & M52;
		lanes[2][i] = ((a[i][1] >> 40) | (a[i][2] << 24)) & M52;
		lanes[3][i] = ((a[i][2] >> 28) | (a[i][3] << 36)) & M52;
		lanes[4][i] = a[i][3] >> 16;
	}
	for (l = 0; l < 5; l++)
		x->v[l] = _mm512_load_si512(lanes[l]);
}

static SQRT8_TARGET void
vfe_store(uint64_t (*r)[4], const struct vfe *x, size_t n)
{
	uint64_t lanes[5][8] __attribute__((aligned(64)));
	size_t i;
	int l;

	for (l = 0; l < 5; l++)
		_mm512_store_si512(lanes[l], x->v[l]);
	for (i = 0; i < n; i++) {
		r[i][0] = lanes[0][i] | (lanes[1][i] << 52);
		r[i][1] = (lanes[1][i] >> 12) | (lanes[2][i] << 40);
		r[i][2] = (lanes[2][i] >> 24) | (lanes[3][i] << 28);
		r[i][3] = (lanes[3][i] >> 36) | (lanes[4][i] << 16);
	}
}

/* Into Montgomery form (times R^2 / R) or out of it (times 1 / R). */
static SQRT8_TARGET void
vfe_mont(struct vfe *x, int into)
{
	struct vfe k;
	int l;

	for (l = 0; l < 5; l++)
		k.v[l] = _mm512_set1_epi64(into ? (long long)sqrt8_rr[l] :
		    (l == 0 ? 1 : 0));
	vfe_mul(x, x, &k);
}

static SQRT8_TARGET void
sqrt8_run(uint64_t (*r)[4], const uint64_t (*a)[4], size_t n)
{
	struct vfe x, y;

	if (n <= 8) {
		vfe_load(&x, a, n);
		vfe_mont(&x, 1);
		vfe_sqrt_candidate(&x, &x);
		vfe_mont(&x, 0); /* below p + 1 */
		vfe_store(r, &x, n);
		return;
	}
	vfe_load(&x, a, 8);
	vfe_load(&y, a + 8, n - 8);
	vfe_mont(&x, 1);
	vfe_mont(&y, 1);
	vfe_sqrt_candidate2(&x, &x, &y, &y);
	vfe_mont(&x, 0);
	vfe_mont(&y, 0);
	vfe_store(r, &x, 8);
	vfe_store(r + 8, &y, n - 8);
}

void
p256_sqrt8(uint64_t (*r)[4], const uint64_t (*a)[4], size_t n)
{
	if (n > 16)
		n = 16;
	sqrt8_run(r, a, n);
}

#else

int
p256_sqrt8_available(void)
{
	return 0;
}

void
p256_sqrt8(uint64_t (*r)[4], const uint64_t (*a)[4], size_t n)
{
	(void)r;
	(void)a;
	(void)n;
}

#endif
