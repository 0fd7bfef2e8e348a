/*
 * fe.h: arithmetic modulo the P-256 prime p = 2^256 - 2^224 + 2^192 +
 * 2^96 - 1, for lib/p256 only.
 *
 * An element is four 64-bit limbs, least significant first, in Montgomery
 * form (a R mod p, R = 2^256) and always fully reduced (< p). Every
 * function here runs in time independent of the values: no branch and no
 * memory index depends on them (the final subtractions select with masks).
 * Montgomery multiplication is the textbook word-by-word (CIOS) reduction;
 * since p = -1 mod 2^64, the per-word factor is the low word itself.
 */
#ifndef TALLY_P256_FE_H
#define TALLY_P256_FE_H

#include <stdint.h>
#include <string.h>

typedef uint64_t fe[4];
typedef unsigned __int128 fe_u128;

static const fe fe_p = {0xffffffffffffffffULL, 0x00000000ffffffffULL, 0,
    0xffffffff00000001ULL};
/* R mod p (Montgomery 1) and R^2 mod p. */
static const fe fe_one = {1, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
    0x00000000fffffffeULL};
static const fe fe_rr = {3, 0xfffffffbffffffffULL, 0xfffffffffffffffeULL,
    0x00000004fffffffdULL};

/* r = (a3 a2 a1 a0) - p if that with the top carry hi is >= p, else
 * itself; constant time (x86-64: a conditional move, no branch). */
#if defined(__x86_64__) && defined(__GNUC__)
static inline __attribute__((always_inline)) void
fe_reduce_once(fe r, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    uint64_t hi)
{
	uint64_t s0 = a0, s1 = a1, s2 = a2, s3 = a3, p1 = fe_p[1],
	    p3 = fe_p[3];

	__asm__(
	    "subq $-1, %[s0]\n\t"
	    "sbbq %[p1], %[s1]\n\t"
	    "sbbq $0, %[s2]\n\t"
	    "sbbq %[p3], %[s3]\n\t"
	    "sbbq $0, %[hi]\n\t"
	    /* a borrow out of hi: a < p, keep a */
	    "cmovcq %[a0], %[s0]\n\t"
	    "cmovcq %[a1], %[s1]\n\t"
	    "cmovcq %[a2], %[s2]\n\t"
	    "cmovcq %[a3], %[s3]\n\t"
	    : [s0] "+&r"(s0), [s1] "+&r"(s1), [s2] "+&r"(s2), [s3] "+&r"(s3),
	    [hi] "+&r"(hi)
	    : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3),
	    [p1] "r"(p1), [p3] "r"(p3)
	    : "cc");
	r[0] = s0;
	r[1] = s1;
	r[2] = s2;
	r[3] = s3;
}
#else
static inline void
fe_reduce_once(fe r, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    uint64_t hi)
{
	uint64_t s0, s1, s2, s3, borrow, mask;
	fe_u128 d;

	d = (fe_u128)a0 - fe_p[0];
	s0 = (uint64_t)d;
	borrow = (uint64_t)(d >> 64) & 1;
	d = (fe_u128)a1 - fe_p[1] - borrow;
	s1 = (uint64_t)d;
	borrow = (uint64_t)(d >> 64) & 1;
	d = (fe_u128)a2 - borrow;
	s2 = (uint64_t)d;
	borrow = (uint64_t)(d >> 64) & 1;
	d = (fe_u128)a3 - fe_p[3] - borrow;
	s3 = (uint64_t)d;
	borrow = (uint64_t)(d >> 64) & 1;
	/* keep a when it was below p: a borrow out and no carry in hi */
	mask = (uint64_t)0 - (borrow & (hi ^ 1));
	r[0] = (a0 & mask) | (s0 & ~mask);
	r[1] = (a1 & mask) | (s1 & ~mask);
	r[2] = (a2 & mask) | (s2 & ~mask);
	r[3] = (a3 & mask) | (s3 & ~mask);
}

#endif

/* Add with carry: *r = a + b + c, returns the carry out. The x86-64
 * intrinsic keeps gcc on one adc chain; elsewhere 128-bit arithmetic. */
#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#define FE_ADC(c, a, b, r) _addcarry_u64((c), (a), (b), (unsigned long long *)(r))
#else
static inline unsigned char
fe_adc_portable(unsigned char c, uint64_t a, uint64_t b, uint64_t *r)
{
	fe_u128 s = (fe_u128)a + b + c;

	*r = (uint64_t)s;
	return (unsigned char)(s >> 64);
}
#define FE_ADC(c, a, b, r) fe_adc_portable((c), (a), (b), (r))
#endif

/* hi:lo = a b */
#define FE_MULW(a, b, hi, lo)                                            \
	do {                                                             \
		fe_u128 p_ = (fe_u128)(a) * (b);                         \
		(lo) = (uint64_t)p_;                                     \
		(hi) = (uint64_t)(p_ >> 64);                             \
	} while (0)

/* r = a b / R mod p; r may alias a or b. Word-by-word Montgomery (CIOS):
 * after each word of b, add m p for m = t0 and drop the low word. For
 * P-256, p0 = 2^64 - 1 and p1 = 2^32 - 1, so m p0 + m p1 2^64 + t0 =
 * m 2^96 + 2^64 (t0 - m) with t0 = m: the first two words of m p cost a
 * shift; p2 = 0; only m p3 is a multiplication. On x86-64 the same steps
 * are written in assembly (gcc spills its 128-bit arithmetic: about 2.5
 * times the instructions); elsewhere in C. */
#if defined(__x86_64__) && defined(__GNUC__)
static inline __attribute__((always_inline)) void
fe_mul_mulq(fe r, const fe a, const fe b)
{
	uint64_t w0, w1, w2, w3, w4, w5, bi, c;

	__asm__(
	    "xorq %[w0], %[w0]\n\t"
	    "xorq %[w1], %[w1]\n\t"
	    "xorq %[w2], %[w2]\n\t"
	    "xorq %[w3], %[w3]\n\t"
	    "xorq %[w4], %[w4]\n\t"
	    "xorq %[w5], %[w5]\n\t"
	    "movq 0(%[b]), %[bi]\n\t"
	    "movq 0(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %%rax, %[w0]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 8(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w1]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 16(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w2]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w3]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "addq %[c], %[w4]\n\t"
	    "adcq $0, %[w5]\n\t"
	    "movq %[w0], %%rax\n\t"
	    "movq %[w0], %[bi]\n\t"
	    "shlq $32, %[bi]\n\t"
	    "movq %[w0], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[bi], %[w1]\n\t"
	    "adcq %[c], %[w2]\n\t"
	    "adcq %%rax, %[w3]\n\t"
	    "adcq %%rdx, %[w4]\n\t"
	    "adcq $0, %[w5]\n\t"
	    "movq 8(%[b]), %[bi]\n\t"
	    "movq 0(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %%rax, %[w1]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 8(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w2]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 16(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w3]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w4]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "xorq %[w0], %[w0]\n\t"
	    "addq %[c], %[w5]\n\t"
	    "adcq $0, %[w0]\n\t"
	    "movq %[w1], %%rax\n\t"
	    "movq %[w1], %[bi]\n\t"
	    "shlq $32, %[bi]\n\t"
	    "movq %[w1], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[bi], %[w2]\n\t"
	    "adcq %[c], %[w3]\n\t"
	    "adcq %%rax, %[w4]\n\t"
	    "adcq %%rdx, %[w5]\n\t"
	    "adcq $0, %[w0]\n\t"
	    "movq 16(%[b]), %[bi]\n\t"
	    "movq 0(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %%rax, %[w2]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 8(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w3]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 16(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w4]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w5]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "xorq %[w1], %[w1]\n\t"
	    "addq %[c], %[w0]\n\t"
	    "adcq $0, %[w1]\n\t"
	    "movq %[w2], %%rax\n\t"
	    "movq %[w2], %[bi]\n\t"
	    "shlq $32, %[bi]\n\t"
	    "movq %[w2], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[bi], %[w3]\n\t"
	    "adcq %[c], %[w4]\n\t"
	    "adcq %%rax, %[w5]\n\t"
	    "adcq %%rdx, %[w0]\n\t"
	    "adcq $0, %[w1]\n\t"
	    "movq 24(%[b]), %[bi]\n\t"
	    "movq 0(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %%rax, %[w3]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 8(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w4]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 16(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w5]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %[bi]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[w0]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "xorq %[w2], %[w2]\n\t"
	    "addq %[c], %[w1]\n\t"
	    "adcq $0, %[w2]\n\t"
	    "movq %[w3], %%rax\n\t"
	    "movq %[w3], %[bi]\n\t"
	    "shlq $32, %[bi]\n\t"
	    "movq %[w3], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[bi], %[w4]\n\t"
	    "adcq %[c], %[w5]\n\t"
	    "adcq %%rax, %[w0]\n\t"
	    "adcq %%rdx, %[w1]\n\t"
	    "adcq $0, %[w2]\n\t"
	    : [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3),
	    [w4] "=&r"(w4), [w5] "=&r"(w5), [bi] "=&r"(bi), [c] "=&r"(c)
	    : [a] "r"(a), [b] "r"(b)
	    : "rax", "rdx", "cc", "memory");
	fe_reduce_once(r, w4, w5, w0, w1, w2);
}
/* The same multiplication with mulx and two carry chains (adcx, adox), for
 * processors with BMI2 and ADX (fe_adx()); a different schedule of the same
 * word-by-word steps. */
static inline __attribute__((always_inline)) void
fe_mul_adx(fe r, const fe a, const fe b)
{
	uint64_t w0, w1, w2, w3, w4, w5, lo, hi, t;
	const uint64_t p3 = 0xffffffff00000001ULL;

	__asm__(
	    "xorq %[w0], %[w0]\n\t"
	    "xorq %[w1], %[w1]\n\t"
	    "xorq %[w2], %[w2]\n\t"
	    "xorq %[w3], %[w3]\n\t"
	    "xorq %[w4], %[w4]\n\t"
	    "xorq %[w5], %[w5]\n\t"
	    "movq 0(%[b]), %%rdx\n\t"
	    "xorq %[lo], %[lo]\n\t"
	    "mulxq 0(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w0]\n\t"
	    "adoxq %[hi], %[w1]\n\t"
	    "mulxq 8(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w1]\n\t"
	    "adoxq %[hi], %[w2]\n\t"
	    "mulxq 16(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w2]\n\t"
	    "adoxq %[hi], %[w3]\n\t"
	    "mulxq 24(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w3]\n\t"
	    "adoxq %[hi], %[w4]\n\t"
	    "movq $0, %[lo]\n\t"
	    "adcxq %[lo], %[w4]\n\t"
	    "adcxq %[lo], %[w5]\n\t"
	    "adoxq %[lo], %[w5]\n\t"
	    "movq %[w0], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[w1]\n\t"
	    "adcq %%rdx, %[w2]\n\t"
	    "adcq %[lo], %[w3]\n\t"
	    "adcq %[hi], %[w4]\n\t"
	    "adcq $0, %[w5]\n\t"
	    "movq 8(%[b]), %%rdx\n\t"
	    "movq $0, %[w0]\n\t"
	    "xorq %[lo], %[lo]\n\t"
	    "mulxq 0(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w1]\n\t"
	    "adoxq %[hi], %[w2]\n\t"
	    "mulxq 8(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w2]\n\t"
	    "adoxq %[hi], %[w3]\n\t"
	    "mulxq 16(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w3]\n\t"
	    "adoxq %[hi], %[w4]\n\t"
	    "mulxq 24(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w4]\n\t"
	    "adoxq %[hi], %[w5]\n\t"
	    "movq $0, %[lo]\n\t"
	    "adcxq %[lo], %[w5]\n\t"
	    "adcxq %[lo], %[w0]\n\t"
	    "adoxq %[lo], %[w0]\n\t"
	    "movq %[w1], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[w2]\n\t"
	    "adcq %%rdx, %[w3]\n\t"
	    "adcq %[lo], %[w4]\n\t"
	    "adcq %[hi], %[w5]\n\t"
	    "adcq $0, %[w0]\n\t"
	    "movq 16(%[b]), %%rdx\n\t"
	    "movq $0, %[w1]\n\t"
	    "xorq %[lo], %[lo]\n\t"
	    "mulxq 0(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w2]\n\t"
	    "adoxq %[hi], %[w3]\n\t"
	    "mulxq 8(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w3]\n\t"
	    "adoxq %[hi], %[w4]\n\t"
	    "mulxq 16(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w4]\n\t"
	    "adoxq %[hi], %[w5]\n\t"
	    "mulxq 24(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w5]\n\t"
	    "adoxq %[hi], %[w0]\n\t"
	    "movq $0, %[lo]\n\t"
	    "adcxq %[lo], %[w0]\n\t"
	    "adcxq %[lo], %[w1]\n\t"
	    "adoxq %[lo], %[w1]\n\t"
	    "movq %[w2], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[w3]\n\t"
	    "adcq %%rdx, %[w4]\n\t"
	    "adcq %[lo], %[w5]\n\t"
	    "adcq %[hi], %[w0]\n\t"
	    "adcq $0, %[w1]\n\t"
	    "movq 24(%[b]), %%rdx\n\t"
	    "movq $0, %[w2]\n\t"
	    "xorq %[lo], %[lo]\n\t"
	    "mulxq 0(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w3]\n\t"
	    "adoxq %[hi], %[w4]\n\t"
	    "mulxq 8(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w4]\n\t"
	    "adoxq %[hi], %[w5]\n\t"
	    "mulxq 16(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w5]\n\t"
	    "adoxq %[hi], %[w0]\n\t"
	    "mulxq 24(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[w0]\n\t"
	    "adoxq %[hi], %[w1]\n\t"
	    "movq $0, %[lo]\n\t"
	    "adcxq %[lo], %[w1]\n\t"
	    "adcxq %[lo], %[w2]\n\t"
	    "adoxq %[lo], %[w2]\n\t"
	    "movq %[w3], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[w4]\n\t"
	    "adcq %%rdx, %[w5]\n\t"
	    "adcq %[lo], %[w0]\n\t"
	    "adcq %[hi], %[w1]\n\t"
	    "adcq $0, %[w2]\n\t"

	    : [w0] "=&r"(w0), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3),
	    [w4] "=&r"(w4), [w5] "=&r"(w5), [lo] "=&r"(lo), [hi] "=&r"(hi),
	    [t] "=&r"(t)
	    : [a] "r"(a), [b] "r"(b), [p3] "r"(p3)
	    : "rdx", "cc", "memory");
	fe_reduce_once(r, w4, w5, w0, w1, w2);
}

/* 1 when the processor has mulx (BMI2) and adcx/adox (ADX): CPUID leaf 7,
 * EBX bits 8 and 19, asked once (clang's __builtin_cpu_supports has no
 * "adx"). The flag is the same for the whole run, so the branch on it
 * depends on no value. */
static inline int
fe_adx(void)
{
	static int have = -1;
	unsigned int a, b, c, d;
	int h = __atomic_load_n(&have, __ATOMIC_RELAXED);

	if (h < 0) {
		h = __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
		    (b & (1u << 8)) != 0 && (b & (1u << 19)) != 0;
		__atomic_store_n(&have, h, __ATOMIC_RELAXED);
	}
	return h;
}

static inline __attribute__((always_inline)) void
fe_mul(fe r, const fe a, const fe b)
{
	if (fe_adx())
		fe_mul_adx(r, a, b);
	else
		fe_mul_mulq(r, a, b);
}

/* r = a^2 / R mod p: the six cross products once, doubled, plus the four
 * squares (10 multiplications instead of 16), then four words of the same
 * reduction as fe_mul. The top word's carry lands in z0, free after the
 * first reduction word. */
static inline __attribute__((always_inline)) void
fe_sqr_mulq(fe r, const fe a)
{
	uint64_t z0, z1, z2, z3, z4, z5, z6, z7, t, c;

	__asm__(
	    "xorq %[z0], %[z0]\n\t"
	    "xorq %[z1], %[z1]\n\t"
	    "xorq %[z2], %[z2]\n\t"
	    "xorq %[z3], %[z3]\n\t"
	    "xorq %[z4], %[z4]\n\t"
	    "xorq %[z5], %[z5]\n\t"
	    "xorq %[z6], %[z6]\n\t"
	    "xorq %[z7], %[z7]\n\t"
	    "movq 0(%[a]), %[t]\n\t"
	    "movq 8(%[a]), %%rax\n\t"
	    "mulq %[t]\n\t"
	    "movq %%rax, %[z1]\n\t"
	    "movq %%rdx, %[z2]\n\t"
	    "movq 16(%[a]), %%rax\n\t"
	    "mulq %[t]\n\t"
	    "addq %%rax, %[z2]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[z3]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %[t]\n\t"
	    "addq %%rax, %[z3]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[z4]\n\t"
	    "movq 8(%[a]), %[t]\n\t"
	    "movq 16(%[a]), %%rax\n\t"
	    "mulq %[t]\n\t"
	    "addq %%rax, %[z3]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[c]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %[t]\n\t"
	    "addq %[c], %%rax\n\t"
	    "adcq $0, %%rdx\n\t"
	    "addq %%rax, %[z4]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[z5]\n\t"
	    "movq 16(%[a]), %[t]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %[t]\n\t"
	    "addq %%rax, %[z5]\n\t"
	    "adcq $0, %%rdx\n\t"
	    "movq %%rdx, %[z6]\n\t"
	    "addq %[z1], %[z1]\n\t"
	    "adcq %[z2], %[z2]\n\t"
	    "adcq %[z3], %[z3]\n\t"
	    "adcq %[z4], %[z4]\n\t"
	    "adcq %[z5], %[z5]\n\t"
	    "adcq %[z6], %[z6]\n\t"
	    "adcq $0, %[z7]\n\t"
	    "movq 0(%[a]), %%rax\n\t"
	    "mulq %%rax\n\t"
	    "movq %%rax, %[z0]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "movq 8(%[a]), %%rax\n\t"
	    "mulq %%rax\n\t"
	    "addq %[t], %[z1]\n\t"
	    "adcq %%rax, %[z2]\n\t"
	    "adcq %%rdx, %[z3]\n\t"
	    "sbbq %[c], %[c]\n\t"
	    "movq 16(%[a]), %%rax\n\t"
	    "mulq %%rax\n\t"
	    "negq %[c]\n\t"
	    "adcq %%rax, %[z4]\n\t"
	    "adcq %%rdx, %[z5]\n\t"
	    "sbbq %[c], %[c]\n\t"
	    "movq 24(%[a]), %%rax\n\t"
	    "mulq %%rax\n\t"
	    "negq %[c]\n\t"
	    "adcq %%rax, %[z6]\n\t"
	    "adcq %%rdx, %[z7]\n\t"
	    "movq %[z0], %%rax\n\t"
	    "movq %[z0], %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "movq %[z0], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[t], %[z1]\n\t"
	    "adcq %[c], %[z2]\n\t"
	    "adcq %%rax, %[z3]\n\t"
	    "adcq %%rdx, %[z4]\n\t"
	    "adcq $0, %[z5]\n\t"
	    "adcq $0, %[z6]\n\t"
	    "adcq $0, %[z7]\n\t"
	    "movq $0, %[z0]\n\t"
	    "adcq $0, %[z0]\n\t"
	    "movq %[z1], %%rax\n\t"
	    "movq %[z1], %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "movq %[z1], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[t], %[z2]\n\t"
	    "adcq %[c], %[z3]\n\t"
	    "adcq %%rax, %[z4]\n\t"
	    "adcq %%rdx, %[z5]\n\t"
	    "adcq $0, %[z6]\n\t"
	    "adcq $0, %[z7]\n\t"
	    "adcq $0, %[z0]\n\t"
	    "movq %[z2], %%rax\n\t"
	    "movq %[z2], %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "movq %[z2], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[t], %[z3]\n\t"
	    "adcq %[c], %[z4]\n\t"
	    "adcq %%rax, %[z5]\n\t"
	    "adcq %%rdx, %[z6]\n\t"
	    "adcq $0, %[z7]\n\t"
	    "adcq $0, %[z0]\n\t"
	    "movq %[z3], %%rax\n\t"
	    "movq %[z3], %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "movq %[z3], %[c]\n\t"
	    "shrq $32, %[c]\n\t"
	    "movabsq $0xffffffff00000001, %%rdx\n\t"
	    "mulq %%rdx\n\t"
	    "addq %[t], %[z4]\n\t"
	    "adcq %[c], %[z5]\n\t"
	    "adcq %%rax, %[z6]\n\t"
	    "adcq %%rdx, %[z7]\n\t"
	    "adcq $0, %[z0]\n\t"
	    : [z0] "=&r"(z0), [z1] "=&r"(z1), [z2] "=&r"(z2), [z3] "=&r"(z3),
	    [z4] "=&r"(z4), [z5] "=&r"(z5), [z6] "=&r"(z6), [z7] "=&r"(z7),
	    [t] "=&r"(t), [c] "=&r"(c)
	    : [a] "r"(a)
	    : "rax", "rdx", "cc", "memory");
	fe_reduce_once(r, z4, z5, z6, z7, z0);
}

/* The same squaring with mulx, adcx and adox (fe_adx()). mulx leaves the
 * flags alone, so the cross products run on two carry chains (z0 is zero
 * until the squares, and serves as the zero the chains add in) and the
 * squares on one adc chain. The reduction folds the low half alone: four
 * words of the fe_mul step on z0..z3 leave u = (z + m p) / 2^256 of the
 * low half (below p + 1, four words, no carry out of them), added once to
 * the high half; the sum is below 2p as a^2 < p^2. */
static inline __attribute__((always_inline)) void
fe_sqr_adx(fe r, const fe a)
{
	uint64_t z0, z1, z2, z3, z4, z5, z6, z7, lo, hi, t;

	__asm__(
	    /* cross products a_i a_j, i < j, into z1..z6 */
	    "xorl %k[z0], %k[z0]\n\t"
	    "movq 0(%[a]), %%rdx\n\t"
	    "mulxq 8(%[a]), %[z1], %[z2]\n\t"
	    "mulxq 16(%[a]), %[lo], %[z3]\n\t"
	    "adcxq %[lo], %[z2]\n\t"
	    "mulxq 24(%[a]), %[lo], %[z4]\n\t"
	    "adcxq %[lo], %[z3]\n\t"
	    "adcxq %[z0], %[z4]\n\t"
	    "movq 8(%[a]), %%rdx\n\t"
	    "mulxq 16(%[a]), %[lo], %[hi]\n\t"
	    "adcxq %[lo], %[z3]\n\t"
	    "adoxq %[hi], %[z4]\n\t"
	    "mulxq 24(%[a]), %[lo], %[z5]\n\t"
	    "adcxq %[lo], %[z4]\n\t"
	    "adoxq %[z0], %[z5]\n\t"
	    "adcxq %[z0], %[z5]\n\t"
	    "movq 16(%[a]), %%rdx\n\t"
	    "mulxq 24(%[a]), %[lo], %[z6]\n\t"
	    "adcxq %[lo], %[z5]\n\t"
	    "adcxq %[z0], %[z6]\n\t"
	    /* doubled, the top bit into z7 */
	    "xorl %k[z7], %k[z7]\n\t"
	    "addq %[z1], %[z1]\n\t"
	    "adcq %[z2], %[z2]\n\t"
	    "adcq %[z3], %[z3]\n\t"
	    "adcq %[z4], %[z4]\n\t"
	    "adcq %[z5], %[z5]\n\t"
	    "adcq %[z6], %[z6]\n\t"
	    "adcq $0, %[z7]\n\t"
	    /* plus the squares a_i^2 */
	    "movq 0(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[z0], %[hi]\n\t"
	    "addq %[hi], %[z1]\n\t"
	    "movq 8(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[lo], %[hi]\n\t"
	    "adcq %[lo], %[z2]\n\t"
	    "adcq %[hi], %[z3]\n\t"
	    "movq 16(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[lo], %[hi]\n\t"
	    "adcq %[lo], %[z4]\n\t"
	    "adcq %[hi], %[z5]\n\t"
	    "movq 24(%[a]), %%rdx\n\t"
	    "mulxq %%rdx, %[lo], %[hi]\n\t"
	    "adcq %[lo], %[z6]\n\t"
	    "adcq %[hi], %[z7]\n\t"
	    /* reduce the low half: m = z0, then z1, z2, z3; the words of
	     * u take the places of z0..z3 as they fall free */
	    "movq %[z0], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[z1]\n\t"
	    "adcq %%rdx, %[z2]\n\t"
	    "adcq %[lo], %[z3]\n\t"
	    "adcq $0, %[hi]\n\t"
	    "movq %[hi], %[z0]\n\t"
	    "movq %[z1], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[z2]\n\t"
	    "adcq %%rdx, %[z3]\n\t"
	    "adcq %[lo], %[z0]\n\t"
	    "adcq $0, %[hi]\n\t"
	    "movq %[hi], %[z1]\n\t"
	    "movq %[z2], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[z3]\n\t"
	    "adcq %%rdx, %[z0]\n\t"
	    "adcq %[lo], %[z1]\n\t"
	    "adcq $0, %[hi]\n\t"
	    "movq %[hi], %[z2]\n\t"
	    "movq %[z3], %%rdx\n\t"
	    "mulxq %[p3], %[lo], %[hi]\n\t"
	    "movq %%rdx, %[t]\n\t"
	    "shlq $32, %[t]\n\t"
	    "shrq $32, %%rdx\n\t"
	    "addq %[t], %[z0]\n\t"
	    "adcq %%rdx, %[z1]\n\t"
	    "adcq %[lo], %[z2]\n\t"
	    "adcq $0, %[hi]\n\t"
	    /* high half + u, the carry in t */
	    "xorl %k[t], %k[t]\n\t"
	    "addq %[z0], %[z4]\n\t"
	    "adcq %[z1], %[z5]\n\t"
	    "adcq %[z2], %[z6]\n\t"
	    "adcq %[hi], %[z7]\n\t"
	    "adcq $0, %[t]\n\t"
	    : [z0] "=&r"(z0), [z1] "=&r"(z1), [z2] "=&r"(z2), [z3] "=&r"(z3),
	    [z4] "=&r"(z4), [z5] "=&r"(z5), [z6] "=&r"(z6), [z7] "=&r"(z7),
	    [lo] "=&r"(lo), [hi] "=&r"(hi), [t] "=&r"(t)
	    : [a] "r"(a), [p3] "m"(fe_p[3])
	    : "rdx", "cc", "memory");
	(void)z3;
	fe_reduce_once(r, z4, z5, z6, z7, t);
}

static inline __attribute__((always_inline)) void
fe_sqr(fe r, const fe a)
{
	if (fe_adx())
		fe_sqr_adx(r, a);
	else
		fe_sqr_mulq(r, a);
}
#else
static inline void
fe_mul(fe r, const fe a, const fe b)
{
	uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5, h, l, m;
	uint64_t h0, l0, h1, l1, h2, l2, h3, l3;
	unsigned char c;
	int i;

	for (i = 0; i < 4; i++) {
		uint64_t bi = b[i];

		FE_MULW(a[0], bi, h0, l0);
		FE_MULW(a[1], bi, h1, l1);
		FE_MULW(a[2], bi, h2, l2);
		FE_MULW(a[3], bi, h3, l3);
		c = FE_ADC(0, t0, l0, &t0);
		c = FE_ADC(c, t1, l1, &t1);
		c = FE_ADC(c, t2, l2, &t2);
		c = FE_ADC(c, t3, l3, &t3);
		c = FE_ADC(c, t4, 0, &t4);
		t5 = c;
		c = FE_ADC(0, t1, h0, &t1);
		c = FE_ADC(c, t2, h1, &t2);
		c = FE_ADC(c, t3, h2, &t3);
		c = FE_ADC(c, t4, h3, &t4);
		t5 += c;
		/* reduce one word */
		m = t0;
		FE_MULW(m, 0xffffffff00000001ULL, h, l);
		c = FE_ADC(0, t1, m << 32, &t0);
		c = FE_ADC(c, t2, m >> 32, &t1);
		c = FE_ADC(c, t3, l, &t2);
		c = FE_ADC(c, t4, h, &t3);
		t4 = t5 + c;
	}
	fe_reduce_once(r, t0, t1, t2, t3, t4);
}
#endif

#if !(defined(__x86_64__) && defined(__GNUC__))
static inline void
fe_sqr(fe r, const fe a)
{
	fe_mul(r, a, a);
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
/* r = a + b mod p, r = a - b mod p: carry chains and conditional moves
 * (gcc's code for the 128-bit C below is about twice as long). */
static inline __attribute__((always_inline)) void
fe_add(fe r, const fe a, const fe b)
{
	uint64_t t0, t1, t2, t3, hi;

	__asm__(
	    "movq 0(%[a]), %[t0]\n\t"
	    "movq 8(%[a]), %[t1]\n\t"
	    "movq 16(%[a]), %[t2]\n\t"
	    "movq 24(%[a]), %[t3]\n\t"
	    "xorl %k[hi], %k[hi]\n\t"
	    "addq 0(%[b]), %[t0]\n\t"
	    "adcq 8(%[b]), %[t1]\n\t"
	    "adcq 16(%[b]), %[t2]\n\t"
	    "adcq 24(%[b]), %[t3]\n\t"
	    "adcq $0, %[hi]\n\t"
	    : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
	    [hi] "=&r"(hi)
	    : [a] "r"(a), [b] "r"(b)
	    : "cc", "memory");
	fe_reduce_once(r, t0, t1, t2, t3, hi);
}

static inline __attribute__((always_inline)) void
fe_sub(fe r, const fe a, const fe b)
{
	uint64_t t0, t1, t2, t3, m, m1, m3;

	__asm__(
	    "movq 0(%[a]), %[t0]\n\t"
	    "movq 8(%[a]), %[t1]\n\t"
	    "movq 16(%[a]), %[t2]\n\t"
	    "movq 24(%[a]), %[t3]\n\t"
	    "subq 0(%[b]), %[t0]\n\t"
	    "sbbq 8(%[b]), %[t1]\n\t"
	    "sbbq 16(%[b]), %[t2]\n\t"
	    "sbbq 24(%[b]), %[t3]\n\t"
	    /* m = all ones after a borrow: add p back, masked (p & m in
	     * m, m1, 0, m3 before the carry chain starts) */
	    "sbbq %[m], %[m]\n\t"
	    "movl %k[m], %k[m1]\n\t"
	    "movq %[m], %[m3]\n\t"
	    "shlq $32, %[m3]\n\t"
	    "subq %[m], %[m3]\n\t"
	    "addq %[m], %[t0]\n\t"
	    "adcq %[m1], %[t1]\n\t"
	    "adcq $0, %[t2]\n\t"
	    "adcq %[m3], %[t3]\n\t"
	    : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3),
	    [m] "=&r"(m), [m1] "=&r"(m1), [m3] "=&r"(m3)
	    : [a] "r"(a), [b] "r"(b)
	    : "cc", "memory");
	r[0] = t0;
	r[1] = t1;
	r[2] = t2;
	r[3] = t3;
}
#else
static inline __attribute__((always_inline)) void
fe_add(fe r, const fe a, const fe b)
{
	uint64_t t0, t1, t2, t3;
	fe_u128 acc;

	acc = (fe_u128)a[0] + b[0];
	t0 = (uint64_t)acc;
	acc = (fe_u128)a[1] + b[1] + (uint64_t)(acc >> 64);
	t1 = (uint64_t)acc;
	acc = (fe_u128)a[2] + b[2] + (uint64_t)(acc >> 64);
	t2 = (uint64_t)acc;
	acc = (fe_u128)a[3] + b[3] + (uint64_t)(acc >> 64);
	t3 = (uint64_t)acc;
	fe_reduce_once(r, t0, t1, t2, t3, (uint64_t)(acc >> 64));
}

static inline __attribute__((always_inline)) void
fe_sub(fe r, const fe a, const fe b)
{
	uint64_t t0, t1, t2, t3, mask;
	fe_u128 d, acc;

	d = (fe_u128)a[0] - b[0];
	t0 = (uint64_t)d;
	d = (fe_u128)a[1] - b[1] - ((uint64_t)(d >> 64) & 1);
	t1 = (uint64_t)d;
	d = (fe_u128)a[2] - b[2] - ((uint64_t)(d >> 64) & 1);
	t2 = (uint64_t)d;
	d = (fe_u128)a[3] - b[3] - ((uint64_t)(d >> 64) & 1);
	t3 = (uint64_t)d;
	/* add p back after a borrow */
	mask = (uint64_t)0 - ((uint64_t)(d >> 64) & 1);
	acc = (fe_u128)t0 + (fe_p[0] & mask);
	r[0] = (uint64_t)acc;
	acc = (fe_u128)t1 + (fe_p[1] & mask) + (uint64_t)(acc >> 64);
	r[1] = (uint64_t)acc;
	acc = (fe_u128)t2 + (uint64_t)(acc >> 64);
	r[2] = (uint64_t)acc;
	acc = (fe_u128)t3 + (fe_p[3] & mask) + (uint64_t)(acc >> 64);
	r[3] = (uint64_t)acc;
}

#endif

static inline void
fe_copy(fe r, const fe a)
{
	memcpy(r, a, sizeof(fe));
}

static inline int
fe_is_zero(const fe a)
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static inline int
fe_equal(const fe a, const fe b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) |
		   (a[3] ^ b[3])) == 0;
}

/* r = a^(2^n) */
static inline void
fe_sqr_n(fe r, const fe a, int n)
{
	int i;

	fe_copy(r, a);
	for (i = 0; i < n; i++)
		fe_sqr(r, r);
}

/* x30 = a^(2^30 - 1) and x32 = a^(2^32 - 1): the common start of the
 * inversion and square-root chains below (both exponents open with 32 one
 * bits). */
static inline void
fe_pow_ones(fe x30, fe x32, const fe a)
{
	fe x2, x3, x6, x12, x15, t;

	fe_sqr(t, a);
	fe_mul(x2, t, a);
	fe_sqr(t, x2);
	fe_mul(x3, t, a);
	fe_sqr_n(t, x3, 3);
	fe_mul(x6, t, x3);
	fe_sqr_n(t, x6, 6);
	fe_mul(x12, t, x6);
	fe_sqr_n(t, x12, 3);
	fe_mul(x15, t, x3);
	fe_sqr_n(t, x15, 15);
	fe_mul(x30, t, x15);
	fe_sqr_n(t, x30, 2);
	fe_mul(x32, t, x2);
}

/* r = a^(p - 2) = 1/a (0 for a = 0). The exponent, in 32-bit words from
 * the top: ffffffff 00000001 00000000 00000000 00000000 ffffffff ffffffff
 * fffffffd. */
static inline void
fe_inv(fe r, const fe a)
{
	fe x30, x32, t;

	fe_pow_ones(x30, x32, a);
	fe_sqr_n(t, x32, 32);
	fe_mul(t, t, a);
	fe_sqr_n(t, t, 128);
	fe_mul(t, t, x32);
	fe_sqr_n(t, t, 32);
	fe_mul(t, t, x32);
	fe_sqr_n(t, t, 30);
	fe_mul(t, t, x30);
	fe_sqr_n(t, t, 2);
	fe_mul(r, t, a);
}

/* r = a^((p + 1) / 4), a square root of a when a is a square (p = 3 mod
 * 4). The exponent is 2^254 - 2^222 + 2^190 + 2^94: 32 ones, 31 zeros,
 * a one, 95 zeros, a one, 94 zeros. */
static inline void
fe_sqrt_candidate(fe r, const fe a)
{
	fe x30, x32, t;

	fe_pow_ones(x30, x32, a);
	fe_sqr_n(t, x32, 32);
	fe_mul(t, t, a);
	fe_sqr_n(t, t, 96);
	fe_mul(t, t, a);
	fe_sqr_n(r, t, 94);
}

/* Big-endian 32 bytes to limbs (not reduced, not Montgomery). */
static inline void
fe_from_be(uint64_t r[4], const uint8_t in[32])
{
	int i, k;

	for (i = 0; i < 4; i++) {
		r[i] = 0;
		for (k = 0; k < 8; k++)
			r[i] = (r[i] << 8) | in[(3 - i) * 8 + k];
	}
}

static inline void
fe_to_be(uint8_t out[32], const uint64_t a[4])
{
	int i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < 8; k++)
			out[(3 - i) * 8 + k] = (uint8_t)(a[i] >> (56 - 8 * k));
}

/* 1 when the limbs a (not Montgomery) are < p. */
static inline int
fe_is_canonical(const uint64_t a[4])
{
	int i;

	for (i = 3; i >= 0; i--) {
		if (a[i] < fe_p[i])
			return 1;
		if (a[i] > fe_p[i])
			return 0;
	}
	return 0;
}

static inline void
fe_to_mont(fe r, const uint64_t a[4])
{
	fe_mul(r, a, fe_rr);
}

static inline void
fe_from_mont(uint64_t r[4], const fe a)
{
	static const fe plain_one = {1, 0, 0, 0};

	fe_mul(r, a, plain_one);
}

#endif
