/*
 * scalar.c: constant-time arithmetic modulo the P-256 group order q
 * (scalar.h).
 *
 * Why each function is constant time: they run a fixed sequence of limb
 * additions, subtractions and 64x64->128-bit multiplications whatever the
 * values; a conditional correction (subtract q once, add q once) is made by
 * computing both candidates and keeping one with a mask derived from a
 * carry or borrow bit, never with a branch; no table is indexed by a value.
 * Multiplication is Montgomery's (R = 2^256), operand scanning with the
 * reduction interleaved: after each of the four rounds the running value
 * t stays below 2q, so one masked subtraction of q ends it; a product in
 * normal form is mont(mont(a, b), R^2 mod q).
 */
#include "scalar.h"

#include <string.h>

typedef unsigned __int128 sc_u128;

static const uint64_t sc_q[4] = {0xf3b9cac2fc632551ULL,
    0xbce6faada7179e84ULL, 0xffffffffffffffffULL, 0xffffffff00000000ULL};
/* -q^-1 mod 2^64 */
static const uint64_t sc_q0 = 0xccd1c8aaee00bc4fULL;
/* R^2 mod q */
static const uint64_t sc_rr[4] = {0x83244c95be79eea2ULL,
    0x4699799c49bd6fa6ULL, 0x2845b2392b6bec59ULL, 0x66e12d94f3d95620ULL};

void
p256_sc_select(uint64_t r[4], uint64_t mask, const uint64_t a[4],
    const uint64_t b[4])
{
	int i;

	for (i = 0; i < 4; i++)
		r[i] = (a[i] & mask) | (b[i] & ~mask);
}

/* r = (hi:t) - q when that is not negative, else t; hi is 0 or 1 and
 * (hi:t) < 2q. Both computed, one kept by the final borrow's mask. */
static void
sc_reduce_once(uint64_t r[4], uint64_t hi, const uint64_t t[4])
{
	uint64_t d[4], borrow = 0, mask;
	sc_u128 x;
	int i;

	for (i = 0; i < 4; i++) {
		x = (sc_u128)t[i] - sc_q[i] - borrow;
		d[i] = (uint64_t)x;
		borrow = (uint64_t)(x >> 64) & 1;
	}
	/* negative only when the borrow is not covered by hi */
	mask = 0 - ((borrow ^ hi) & borrow);
	p256_sc_select(r, mask, t, d);
}

void
p256_sc_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t t[4], carry = 0;
	sc_u128 x;
	int i;

	for (i = 0; i < 4; i++) {
		x = (sc_u128)a[i] + b[i] + carry;
		t[i] = (uint64_t)x;
		carry = (uint64_t)(x >> 64);
	}
	sc_reduce_once(r, carry, t);
}

void
p256_sc_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t t[4], u[4], borrow = 0, carry = 0, qm[4];
	sc_u128 x;
	int i;

	for (i = 0; i < 4; i++) {
		x = (sc_u128)a[i] - b[i] - borrow;
		t[i] = (uint64_t)x;
		borrow = (uint64_t)(x >> 64) & 1;
	}
	/* add q back when it went below zero: q masked by the borrow */
	for (i = 0; i < 4; i++)
		qm[i] = sc_q[i] & (0 - borrow);
	for (i = 0; i < 4; i++) {
		x = (sc_u128)t[i] + qm[i] + carry;
		u[i] = (uint64_t)x;
		carry = (uint64_t)(x >> 64);
	}
	memcpy(r, u, sizeof(u));
}

/* r = a b R^-1 mod q for a, b < q. */
static void
sc_mont(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t t[6] = {0, 0, 0, 0, 0, 0}, m, c;
	sc_u128 x;
	int i, j;

	for (i = 0; i < 4; i++) {
		c = 0;
		for (j = 0; j < 4; j++) {
			x = (sc_u128)a[j] * b[i] + t[j] + c;
			t[j] = (uint64_t)x;
			c = (uint64_t)(x >> 64);
		}
		x = (sc_u128)t[4] + c;
		t[4] = (uint64_t)x;
		t[5] = (uint64_t)(x >> 64);
		m = t[0] * sc_q0;
		x = (sc_u128)m * sc_q[0] + t[0];
		c = (uint64_t)(x >> 64);
		for (j = 1; j < 4; j++) {
			x = (sc_u128)m * sc_q[j] + t[j] + c;
			t[j - 1] = (uint64_t)x;
			c = (uint64_t)(x >> 64);
		}
		x = (sc_u128)t[4] + c;
		t[3] = (uint64_t)x;
		t[4] = t[5] + (uint64_t)(x >> 64);
	}
	/* t < 2q */
	sc_reduce_once(r, t[4], t);
}

void
p256_sc_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4])
{
	uint64_t t[4];

	sc_mont(t, a, b);
	sc_mont(r, t, sc_rr);
}

void
p256_sc_neg(uint64_t r[4], const uint64_t a[4])
{
	const uint64_t zero[4] = {0, 0, 0, 0};

	/* 0 - a: q - a for a in [1, q - 1], 0 for 0 */
	p256_sc_sub(r, zero, a);
}

void
p256_sc_set_u64(uint64_t r[4], uint64_t v)
{
	uint64_t t[4] = {v, 0, 0, 0};

	/* v < 2^64 < q: already reduced */
	memcpy(r, t, sizeof(t));
}

void
p256_sc_to_be(uint8_t out[32], const uint64_t a[4])
{
	int i, k;

	for (i = 0; i < 4; i++)
		for (k = 0; k < 8; k++)
			out[(3 - i) * 8 + k] = (uint8_t)(a[i] >> (56 - 8 * k));
}

uint64_t
p256_sc_from_be(uint64_t r[4], const uint8_t in[32])
{
	uint64_t borrow = 0;
	sc_u128 x;
	int i, k;

	for (i = 0; i < 4; i++) {
		r[i] = 0;
		for (k = 0; k < 8; k++)
			r[i] = (r[i] << 8) | in[(3 - i) * 8 + k];
	}
	for (i = 0; i < 4; i++) {
		x = (sc_u128)r[i] - sc_q[i] - borrow;
		borrow = (uint64_t)(x >> 64) & 1;
	}
	/* below q exactly when r - q borrows */
	return 0 - borrow;
}
