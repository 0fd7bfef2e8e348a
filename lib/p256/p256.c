/*
 * p256.c: P-256 points in Jacobian coordinates (a = -3), strict decoding
 * and the variable-time multi-scalar multiplication of p256.h.
 *
 * Formulas (Explicit-Formulas Database, Jacobian with a = -3):
 * doubling dbl-2001-b, mixed addition madd-2007-bl, addition
 * add-2007-bl; the exceptional cases (infinity, P = Q, P = -Q) are
 * branched on, which is why the module is for public data only.
 */
#include "p256.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "fe.h"
#include "group.h"
#include "sqrt8.h"

/* The curve's b and the generator, big-endian (SEC 2). */
static const uint8_t p256_b_be[32] = {0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a,
    0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc, 0x65, 0x1d,
    0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2,
    0x60, 0x4b};
static const uint8_t p256_gx_be[32] = {0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c,
    0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03,
    0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98,
    0xc2, 0x96};
static const uint8_t p256_gy_be[32] = {0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
    0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce,
    0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf,
    0x51, 0xf5};

/* ------------------------------------------------------------ points */

static void
jac_set_infinity(struct p256_jacobian *r)
{
	memset(r, 0, sizeof(*r));
}

static void
jac_from_affine(struct p256_jacobian *r, const struct p256_affine *a)
{
	fe_copy(r->x, a->x);
	fe_copy(r->y, a->y);
	fe_copy(r->z, fe_one);
}

int
p256_is_infinity(const struct p256_jacobian *p)
{
	return fe_is_zero(p->z);
}

/* r = 2p; r may be p. */
static void
jac_dbl(struct p256_jacobian *r, const struct p256_jacobian *p)
{
	fe delta, gamma, beta, alpha, t1, t2;

	if (fe_is_zero(p->z)) {
		*r = *p;
		return;
	}
	fe_sqr(delta, p->z);
	fe_sqr(gamma, p->y);
	fe_mul(beta, p->x, gamma);
	fe_sub(t1, p->x, delta);
	fe_add(t2, p->x, delta);
	fe_mul(alpha, t1, t2);
	fe_add(t1, alpha, alpha);
	fe_add(alpha, t1, alpha);
	/* Z3 = (Y + Z)^2 - gamma - delta, before p is overwritten */
	fe_add(t1, p->y, p->z);
	fe_sqr(t1, t1);
	fe_sub(t1, t1, gamma);
	fe_sub(r->z, t1, delta);
	/* X3 = alpha^2 - 8 beta */
	fe_add(beta, beta, beta);
	fe_add(beta, beta, beta);
	fe_sqr(t1, alpha);
	fe_add(t2, beta, beta);
	fe_sub(r->x, t1, t2);
	/* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
	fe_sub(t1, beta, r->x);
	fe_mul(t1, alpha, t1);
	fe_sqr(t2, gamma);
	fe_add(t2, t2, t2);
	fe_add(t2, t2, t2);
	fe_add(t2, t2, t2);
	fe_sub(r->y, t1, t2);
}

/* r = p + q for affine q (finite), or p - q when neg; r may be p. */
static void
jac_add_affine(struct p256_jacobian *r, const struct p256_jacobian *p,
    const struct p256_affine *q, int neg)
{
	fe z1z1, u2, s2, h, hh, i, j, rr, v, t;

	if (fe_is_zero(p->z)) {
		jac_from_affine(r, q);
		if (neg)
			fe_sub(r->y, (const uint64_t[4]){0}, r->y);
		return;
	}
	fe_sqr(z1z1, p->z);
	fe_mul(u2, q->x, z1z1);
	fe_mul(s2, q->y, p->z);
	fe_mul(s2, s2, z1z1);
	if (neg)
		fe_sub(s2, (const uint64_t[4]){0}, s2);
	fe_sub(h, u2, p->x);
	fe_sub(rr, s2, p->y);
	if (fe_is_zero(h)) {
		if (fe_is_zero(rr))
			jac_dbl(r, p);
		else
			jac_set_infinity(r);
		return;
	}
	fe_sqr(hh, h);
	fe_add(i, hh, hh);
	fe_add(i, i, i);
	fe_mul(j, h, i);
	fe_add(rr, rr, rr);
	fe_mul(v, p->x, i);
	/* Z3 = (Z1 + H)^2 - Z1Z1 - HH */
	fe_add(t, p->z, h);
	fe_sqr(t, t);
	fe_sub(t, t, z1z1);
	fe_sub(r->z, t, hh);
	/* Y3 needs Y1: keep it before X3 lands in r */
	fe_mul(s2, p->y, j);
	fe_add(s2, s2, s2);
	/* X3 = r^2 - J - 2V */
	fe_sqr(t, rr);
	fe_sub(t, t, j);
	fe_sub(t, t, v);
	fe_sub(r->x, t, v);
	/* Y3 = r (V - X3) - 2 Y1 J */
	fe_sub(t, v, r->x);
	fe_mul(t, rr, t);
	fe_sub(r->y, t, s2);
}

/* r = p + q, or p - q when neg; r may be p or q. */
static void
jac_add(struct p256_jacobian *r, const struct p256_jacobian *p,
    const struct p256_jacobian *q, int neg)
{
	fe z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;

	if (fe_is_zero(q->z)) {
		*r = *p;
		return;
	}
	if (fe_is_zero(p->z)) {
		*r = *q;
		if (neg)
			fe_sub(r->y, (const uint64_t[4]){0}, r->y);
		return;
	}
	fe_sqr(z1z1, p->z);
	fe_sqr(z2z2, q->z);
	fe_mul(u1, p->x, z2z2);
	fe_mul(u2, q->x, z1z1);
	fe_mul(s1, p->y, q->z);
	fe_mul(s1, s1, z2z2);
	fe_mul(s2, q->y, p->z);
	fe_mul(s2, s2, z1z1);
	if (neg)
		fe_sub(s2, (const uint64_t[4]){0}, s2);
	fe_sub(h, u2, u1);
	fe_sub(rr, s2, s1);
	if (fe_is_zero(h)) {
		if (fe_is_zero(rr))
			jac_dbl(r, p);
		else
			jac_set_infinity(r);
		return;
	}
	fe_add(i, h, h);
	fe_sqr(i, i);
	fe_mul(j, h, i);
	fe_add(rr, rr, rr);
	fe_mul(v, u1, i);
	/* Z3 = ((Z1 + Z2)^2 - Z1Z1 - Z2Z2) H */
	fe_add(t, p->z, q->z);
	fe_sqr(t, t);
	fe_sub(t, t, z1z1);
	fe_sub(t, t, z2z2);
	fe_mul(r->z, t, h);
	/* X3 = r^2 - J - 2V */
	fe_sqr(t, rr);
	fe_sub(t, t, j);
	fe_sub(t, t, v);
	fe_sub(r->x, t, v);
	/* Y3 = r (V - X3) - 2 S1 J */
	fe_sub(t, v, r->x);
	fe_mul(t, rr, t);
	fe_mul(s1, s1, j);
	fe_add(s1, s1, s1);
	fe_sub(r->y, t, s1);
}

int
p256_equal_affine(const struct p256_jacobian *p, const struct p256_affine *q)
{
	fe zz, t;

	if (fe_is_zero(p->z))
		return 0;
	fe_sqr(zz, p->z);
	fe_mul(t, q->x, zz);
	if (!fe_equal(t, p->x))
		return 0;
	fe_mul(zz, zz, p->z);
	fe_mul(t, q->y, zz);
	return fe_equal(t, p->y);
}

/* ---------------------------------------------------------- encodings */

/* rhs = x^3 - 3x + b for x in Montgomery form. */
static void
curve_rhs(fe rhs, const fe x)
{
	uint64_t bl[4];
	fe b, t;

	fe_from_be(bl, p256_b_be);
	fe_to_mont(b, bl);
	fe_sqr(t, x);
	fe_mul(t, t, x);
	fe_sub(t, t, x);
	fe_sub(t, t, x);
	fe_sub(t, t, x);
	fe_add(rhs, t, b);
}

/* The first half of decoding: prefix, x < p, out->x and rhs = y^2. */
static int
decode_x(struct p256_affine *out, fe rhs, const uint8_t in[33])
{
	uint64_t xl[4];

	if (in[0] != 0x02 && in[0] != 0x03)
		return TALLY_ERR_BAD_POINT;
	fe_from_be(xl, in + 1);
	if (!fe_is_canonical(xl))
		return TALLY_ERR_BAD_POINT;
	fe_to_mont(out->x, xl);
	curve_rhs(rhs, out->x);
	return 0;
}

/* 1 when y (Montgomery form) is a square root of rhs, not 0. */
static int
decode_root_ok(const fe y, const fe rhs)
{
	fe chk;

	fe_sqr(chk, y);
	/* no square root; and y = 0 has no point on P-256 (prime order) */
	return fe_equal(chk, rhs) && !fe_is_zero(y);
}

/* The second half: y from a square root of rhs (checked), the sign
 * chosen by the prefix. */
static void
decode_y(struct p256_affine *out, fe y, const uint8_t in[33])
{
	uint64_t yl[4];

	fe_from_mont(yl, y);
	if ((int)(yl[0] & 1) != (in[0] == 0x03))
		fe_sub(y, (const uint64_t[4]){0}, y);
	fe_copy(out->y, y);
}

int
p256_decode(struct p256_affine *out, const uint8_t in[33])
{
	fe rhs, y;
	int ret;

	if ((ret = decode_x(out, rhs, in)) != 0)
		return ret;
	fe_sqrt_candidate(y, rhs);
	if (!decode_root_ok(y, rhs))
		return TALLY_ERR_BAD_POINT;
	decode_y(out, y, in);
	return 0;
}

/*
 * Sixteen at a time: the square roots of a group of up to sixteen points
 * in one run of p256_sqrt8 (AVX-512 IFMA; eight cost about as much as two
 * of fe_sqrt_candidate, sixteen little more); a root it gives that does not check (it never
 * should) is taken again with fe_sqrt_candidate, so what is accepted is
 * decided by fe.h's arithmetic alone.
 */
#define DECODE_GROUP 16
int
p256_decode_batch(struct p256_affine *out, const uint8_t (*in)[33], size_t n)
{
	uint64_t rl[DECODE_GROUP][4], yl[DECODE_GROUP][4];
	fe rhs[DECODE_GROUP], y;
	size_t i, k, m;
	int ret;

	if (n < 3 || !p256_sqrt8_available()) {
		for (i = 0; i < n; i++)
			if ((ret = p256_decode(&out[i], in[i])) != 0)
				return ret;
		return 0;
	}
	for (i = 0; i < n; i += m) {
		m = n - i < DECODE_GROUP ? n - i : DECODE_GROUP;
		for (k = 0; k < m; k++) {
			if ((ret = decode_x(&out[i + k], rhs[k], in[i + k])) !=
			    0)
				return ret;
			fe_from_mont(rl[k], rhs[k]);
		}
		p256_sqrt8(yl, (const uint64_t(*)[4])rl, m);
		for (k = 0; k < m; k++) {
			if (fe_is_canonical(yl[k])) {
				fe_to_mont(y, yl[k]);
				if (decode_root_ok(y, rhs[k]))
					goto have_root;
			}
			/* not a square (or a slip of p256_sqrt8): decide
			 * with fe.h's own chain */
			fe_sqrt_candidate(y, rhs[k]);
			if (!decode_root_ok(y, rhs[k]))
				return TALLY_ERR_BAD_POINT;
have_root:
			decode_y(&out[i + k], y, in[i + k]);
		}
	}
	return 0;
}

void
p256_affine_coords(const struct p256_affine *p, uint8_t x[32], uint8_t y[32])
{
	uint64_t l[4];

	fe_from_mont(l, p->x);
	fe_to_be(x, l);
	fe_from_mont(l, p->y);
	fe_to_be(y, l);
}

void
p256_encode(uint8_t out[33], const struct p256_affine *p)
{
	uint8_t y[32];

	p256_affine_coords(p, out + 1, y);
	out[0] = (uint8_t)(0x02 | (y[31] & 1));
}

/*
 * The affine points of n Jacobian ones (3 x 32 big-endian bytes each)
 * with one inversion for all (Montgomery's trick), into aff and/or enc
 * (either may be NULL). Time independent of the coordinates: field
 * arithmetic only, and the Z = 0 test is accumulated, not branched on.
 */
static int
jacobian_batch(struct p256_affine *aff, uint8_t (*enc)[33],
    const uint8_t (*xyz)[96], size_t n, uint64_t (*scratch)[4])
{
	struct p256_affine q;
	uint64_t l[4], bad = 0;
	fe z, acc, inv, zi, zi2, t;
	size_t i;

	fe_copy(acc, fe_one);
	for (i = 0; i < n; i++) {
		fe_copy(scratch[i], acc);
		fe_from_be(l, xyz[i] + 64);
		bad |= (uint64_t)fe_is_zero(l);
		fe_to_mont(z, l);
		fe_mul(acc, acc, z);
	}
	if (bad)
		return TALLY_ERR_BAD_POINT;
	fe_inv(inv, acc);
	for (i = n; i-- > 0;) {
		fe_from_be(l, xyz[i] + 64);
		fe_to_mont(z, l);
		fe_mul(zi, inv, scratch[i]);
		fe_mul(inv, inv, z);
		fe_sqr(zi2, zi);
		fe_from_be(l, xyz[i]);
		fe_to_mont(t, l);
		fe_mul(q.x, t, zi2);
		fe_mul(zi2, zi2, zi);
		fe_from_be(l, xyz[i] + 32);
		fe_to_mont(t, l);
		fe_mul(q.y, t, zi2);
		if (aff != NULL)
			aff[i] = q;
		if (enc != NULL)
			p256_encode(enc[i], &q);
	}
	return 0;
}

int
p256_encode_jacobian(uint8_t (*out)[33], const uint8_t (*xyz)[96],
    size_t n, uint64_t (*scratch)[4])
{
	return jacobian_batch(NULL, out, xyz, n, scratch);
}

int
p256_affine_from_jacobian(struct p256_affine *out, const uint8_t (*xyz)[96],
    size_t n, uint64_t (*scratch)[4])
{
	uint64_t l[4];
	size_t i;

	/* public points only: a Z that is not below p is refused */
	for (i = 0; i < n; i++) {
		fe_from_be(l, xyz[i] + 64);
		if (!fe_is_canonical(l))
			return TALLY_ERR_BAD_POINT;
	}
	return jacobian_batch(out, NULL, xyz, n, scratch);
}

void
p256_generator(struct p256_affine *g)
{
	uint64_t l[4];

	fe_from_be(l, p256_gx_be);
	fe_to_mont(g->x, l);
	fe_from_be(l, p256_gy_be);
	fe_to_mont(g->y, l);
}

/*
 * By the Jacobian coordinates, which OpenSSL hands out without an
 * inversion: a point decoded or set from affine coordinates has Z = 1 and
 * needs none here either; any other costs one fe_inv (variable time, as
 * the rest of this module); the coordinates come from
 * group_point_jacobian.
 */
int
p256_from_ec(struct p256_affine *out, const EC_POINT *p)
{
	static const uint8_t one[32] = { [31] = 1 };
	uint8_t xyz[96];
	uint64_t l[4];
	fe zi, zi2;
	int ret;

	if (p == NULL || group_point_is_infinity(p))
		return TALLY_ERR_BAD_POINT;
	if ((ret = group_point_jacobian(xyz, p)) != 0)
		return ret;
	fe_from_be(l, xyz);
	fe_to_mont(out->x, l);
	fe_from_be(l, xyz + 32);
	fe_to_mont(out->y, l);
	if (memcmp(xyz + 64, one, 32) != 0) {
		fe_from_be(l, xyz + 64);
		fe_to_mont(zi, l);
		fe_inv(zi, zi);
		fe_sqr(zi2, zi);
		fe_mul(out->x, out->x, zi2);
		fe_mul(zi2, zi2, zi);
		fe_mul(out->y, out->y, zi2);
	}
	/* the terminal passes a write-in name's point M here: wiped */
	OPENSSL_cleanse(xyz, sizeof(xyz));
	OPENSSL_cleanse(l, sizeof(l));
	OPENSSL_cleanse(zi, sizeof(zi));
	OPENSSL_cleanse(zi2, sizeof(zi2));
	return 0;
}

int
p256_to_ec(EC_POINT *out, const struct p256_jacobian *p)
{
	BN_CTX *ctx = group_bn_ctx();
	BIGNUM *x, *y;
	uint8_t xb[32], yb[32];
	uint64_t l[4];
	fe zi, zi2, t;
	int ret = TALLY_ERR_CRYPTO;

	if (ctx == NULL)
		return TALLY_ERR_CRYPTO;
	if (fe_is_zero(p->z))
		return EC_POINT_set_to_infinity(group_ec(), out) == 1
		    ? 0
		    : TALLY_ERR_CRYPTO;
	fe_inv(zi, p->z);
	fe_sqr(zi2, zi);
	fe_mul(t, p->x, zi2);
	fe_from_mont(l, t);
	fe_to_be(xb, l);
	fe_mul(zi2, zi2, zi);
	fe_mul(t, p->y, zi2);
	fe_from_mont(l, t);
	fe_to_be(yb, l);
	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	if (y != NULL && BN_bin2bn(xb, 32, x) != NULL &&
	    BN_bin2bn(yb, 32, y) != NULL &&
	    EC_POINT_set_affine_coordinates(group_ec(), out, x, y, ctx) == 1)
		ret = 0;
	BN_CTX_end(ctx);
	return ret;
}

int
p256_scalar_from_bn(uint64_t s[4], const BIGNUM *b)
{
	uint8_t le[32];
	int i, k;

	if (BN_is_negative(b) || BN_num_bytes(b) > 32 ||
	    BN_bn2lebinpad(b, le, 32) != 32)
		return TALLY_ERR_BAD_SCALAR;
	for (i = 0; i < 4; i++) {
		s[i] = 0;
		for (k = 7; k >= 0; k--)
			s[i] = (s[i] << 8) | le[8 * i + k];
	}
	return 0;
}

void
p256_negate(struct p256_affine *p)
{
	fe_sub(p->y, (const uint64_t[4]){0}, p->y);
}

/* ------------------------------------------------------ multi-scalar */

/* Window w of c bits of s (bits past 255 read as zero). */
static unsigned int
scalar_bits(const uint64_t s[4], unsigned int pos, unsigned int c)
{
	unsigned int limb = pos / 64, off = pos % 64;
	uint64_t v;

	if (limb >= 4)
		return 0;
	v = s[limb] >> off;
	if (off + c > 64 && limb + 1 < 4)
		v |= s[limb + 1] << (64 - off);
	return (unsigned int)(v & (((uint64_t)1 << c) - 1));
}

/* Signed digits of s in base 2^c, least significant first, each in
 * [-2^(c-1), 2^(c-1)]. With nwin = bitlen / c + 1 the top window holds at
 * most c - 1 bits plus a carry, so it stays unsigned and <= 2^(c-1). */
static void
scalar_recode(int16_t *d, const uint64_t s[4], unsigned int c,
    unsigned int nwin)
{
	unsigned int w, carry = 0, half = 1u << (c - 1);
	int v;

	for (w = 0; w < nwin; w++) {
		v = (int)(scalar_bits(s, w * c, c) + carry);
		carry = w + 1 < nwin && (unsigned int)v >= half;
		if (carry)
			v -= 1 << c;
		d[w] = (int16_t)v;
	}
}

static unsigned int
scalar_bitlen(const uint64_t s[4])
{
	int i;

	for (i = 3; i >= 0; i--)
		if (s[i] != 0)
			return 64 * (unsigned int)i + 64 -
			    (unsigned int)__builtin_clzll(s[i]);
	return 0;
}

/*
 * Straus: one table 1P..8P per point, signed 4-bit digits, the 4
 * doublings of each window shared by all points.
 */
static int
msm_straus(struct p256_jacobian *r, size_t n, const struct p256_affine *p,
    const uint64_t (*s)[4], unsigned int nwin)
{
	struct p256_jacobian *tab, acc;
	int16_t *dig;
	size_t i;
	unsigned int w, k;
	int d;

	tab = calloc(n * 8, sizeof(*tab));
	dig = calloc(n * nwin, sizeof(*dig));
	if (tab == NULL || dig == NULL) {
		free(tab);
		free(dig);
		return TALLY_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		scalar_recode(dig + i * nwin, s[i], 4, nwin);
		jac_from_affine(&tab[8 * i], &p[i]);
		jac_dbl(&tab[8 * i + 1], &tab[8 * i]);
		for (k = 2; k < 8; k++)
			jac_add_affine(&tab[8 * i + k], &tab[8 * i + k - 1],
			    &p[i], 0);
	}
	jac_set_infinity(&acc);
	for (w = nwin; w-- > 0;) {
		for (k = 0; k < 4; k++)
			jac_dbl(&acc, &acc);
		for (i = 0; i < n; i++) {
			d = dig[i * nwin + w];
			if (d > 0)
				jac_add(&acc, &acc, &tab[8 * i + d - 1], 0);
			else if (d < 0)
				jac_add(&acc, &acc, &tab[8 * i - d - 1], 1);
		}
	}
	*r = acc;
	free(tab);
	free(dig);
	return 0;
}

/*
 * Pippenger's buckets are affine and the additions into them batched:
 * one field inversion (Montgomery's trick) serves up to BK_BATCH
 * additions, each of which then costs about 6 multiplications instead of
 * a mixed addition's 11. A bucket takes one addition a batch; a point
 * whose bucket is already in the batch goes into the bucket's Jacobian
 * overflow instead (a mixed addition, as without batching), so that a
 * window where the digits are few (short scalars) costs no more passes.
 */
#define BK_BATCH 256

#define BK_PASSES 3

struct bk_state {
	struct p256_affine *bk;	/* the buckets, valid where full[] */
	uint8_t *full, *busy;	/* busy: in the batch being formed */
	struct p256_jacobian *over;	/* overflow, valid where used[] */
	uint8_t *used;
	/* the batch: bucket, point (sign applied), λ's numerator and
	 * denominator, prefix products of the denominators */
	size_t *pend; /* points waiting for a later pass (n of them) */
	size_t nb[BK_BATCH];
	struct p256_affine q[BK_BATCH];
	fe num[BK_BATCH], den[BK_BATCH], pre[BK_BATCH];
	size_t n;
};

/* Finish the batch: one inversion for all its denominators, then
 * x3 = λ^2 - x1 - x2, y3 = λ (x1 - x3) - y1 into each bucket. */
static void
bk_flush(struct bk_state *st)
{
	fe inv, lam, t, x3;
	struct p256_affine *b;
	size_t k;

	if (st->n == 0)
		return;
	fe_copy(st->pre[0], st->den[0]);
	for (k = 1; k < st->n; k++)
		fe_mul(st->pre[k], st->pre[k - 1], st->den[k]);
	fe_inv(inv, st->pre[st->n - 1]);
	for (k = st->n; k-- > 0;) {
		if (k > 0) {
			fe_mul(t, inv, st->pre[k - 1]);
			fe_mul(inv, inv, st->den[k]);
		} else
			fe_copy(t, inv);
		b = &st->bk[st->nb[k]];
		fe_mul(lam, st->num[k], t);
		fe_sqr(x3, lam);
		fe_sub(x3, x3, b->x);
		fe_sub(x3, x3, st->q[k].x);
		fe_sub(t, b->x, x3);
		fe_mul(t, lam, t);
		fe_sub(b->y, t, b->y);
		fe_copy(b->x, x3);
		st->busy[st->nb[k]] = 0;
	}
	st->n = 0;
}

/* Bucket j += q (affine, finite); j not busy. */
static void
bk_add(struct bk_state *st, size_t j, const struct p256_affine *q)
{
	struct p256_affine *b = &st->bk[j];
	size_t k;

	if (!st->full[j]) {
		*b = *q;
		st->full[j] = 1;
		return;
	}
	k = st->n;
	if (fe_equal(b->x, q->x)) {
		if (!fe_equal(b->y, q->y)) {
			st->full[j] = 0;	/* q = -b */
			return;
		}
		/* doubling: λ = (3 x^2 - 3) / 2y (a = -3; y != 0 on
		 * P-256, which has no point of order 2) */
		fe_sqr(st->num[k], b->x);
		fe_sub(st->num[k], st->num[k], fe_one);
		fe_add(st->den[k], st->num[k], st->num[k]);
		fe_add(st->num[k], st->den[k], st->num[k]);
		fe_add(st->den[k], b->y, b->y);
	} else {
		fe_sub(st->num[k], q->y, b->y);
		fe_sub(st->den[k], q->x, b->x);
	}
	st->q[k] = *q;
	st->nb[k] = j;
	st->busy[j] = 1;
	if (++st->n == BK_BATCH)
		bk_flush(st);
}

/* Fill the buckets of window w from the points with a nonzero digit. */
static void
bk_fill(struct bk_state *st, size_t n, const struct p256_affine *p,
    const int16_t *dig, unsigned int nwin, unsigned int w)
{
	struct p256_affine q;
	size_t i, j, k, m, np = 0;
	unsigned int pass;
	int d;

	/* A point whose bucket is in the batch waits for a later pass
	 * (st->pend) instead of a mixed addition into the overflow; on the
	 * last pass it goes to the overflow, so that repeated digits cost
	 * at most BK_PASSES passes. */
	for (pass = 0; pass < BK_PASSES; pass++) {
		m = 0;
		for (k = 0; k < (pass == 0 ? n : np); k++) {
			i = pass == 0 ? k : st->pend[k];
			if ((d = dig[i * nwin + w]) == 0)
				continue;
			j = (size_t)(d < 0 ? -d : d) - 1;
			if (st->busy[j] && pass + 1 < BK_PASSES) {
				st->pend[m++] = i;
				continue;
			}
			if (st->busy[j]) {
				if (!st->used[j])
					jac_set_infinity(&st->over[j]);
				st->used[j] = 1;
				jac_add_affine(&st->over[j], &st->over[j],
				    &p[i], d < 0);
				continue;
			}
			q = p[i];
			if (d < 0)
				fe_sub(q.y, (const uint64_t[4]){0}, q.y);
			bk_add(st, j, &q);
		}
		bk_flush(st);
		if ((np = m) == 0)
			break;
	}
}

/* The buckets of window w in Jacobian coordinates, one mixed addition
 * a point (fewer passes than bk_fill when buckets are few). */
static void
bk_fill_jacobian(struct p256_jacobian *bk, size_t n,
    const struct p256_affine *p, const int16_t *dig, unsigned int nwin,
    unsigned int w)
{
	size_t i;
	int d;

	for (i = 0; i < n; i++) {
		d = dig[i * nwin + w];
		if (d > 0)
			jac_add_affine(&bk[d - 1], &bk[d - 1], &p[i], 0);
		else if (d < 0)
			jac_add_affine(&bk[-d - 1], &bk[-d - 1], &p[i], 1);
	}
}

/*
 * Pippenger: per window of c bits, drop each point into the bucket of
 * its digit's magnitude (negated for a negative digit), then sum the
 * buckets weighted by their index with two running sums. batched: affine
 * buckets (bk_fill), else Jacobian ones.
 */
static int
msm_pippenger(struct p256_jacobian *r, size_t n, const struct p256_affine *p,
    const uint64_t (*s)[4], unsigned int c, unsigned int nwin, int batched)
{
	struct p256_jacobian acc, run, sum, *jbk = NULL;
	struct bk_state *st = NULL;
	size_t i, nb = (size_t)1 << (c - 1);
	int16_t *dig;
	unsigned int w, k;
	int ret = TALLY_ERR_NOMEM;

	dig = calloc(n * nwin, sizeof(*dig));
	if (dig == NULL ||
	    (!batched && (jbk = calloc(nb, sizeof(*jbk))) == NULL) ||
	    (batched && ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->bk = calloc(nb, sizeof(*st->bk))) == NULL ||
	    (st->pend = calloc(n, sizeof(*st->pend))) == NULL ||
	    (st->full = calloc(nb, 1)) == NULL ||
	    (st->busy = calloc(nb, 1)) == NULL ||
	    (st->over = calloc(nb, sizeof(*st->over))) == NULL ||
	    (st->used = calloc(nb, 1)) == NULL)))
		goto out;
	for (i = 0; i < n; i++)
		scalar_recode(dig + i * nwin, s[i], c, nwin);
	jac_set_infinity(&acc);
	for (w = nwin; w-- > 0;) {
		for (k = 0; k < c; k++)
			jac_dbl(&acc, &acc);
		jac_set_infinity(&run);
		jac_set_infinity(&sum);
		if (batched) {
			memset(st->full, 0, nb);
			memset(st->used, 0, nb);
			bk_fill(st, n, p, dig, nwin, w);
		} else {
			memset(jbk, 0, nb * sizeof(*jbk));
			bk_fill_jacobian(jbk, n, p, dig, nwin, w);
		}
		for (i = nb; i-- > 0;) {
			if (batched && st->full[i])
				jac_add_affine(&run, &run, &st->bk[i], 0);
			if (batched && st->used[i])
				jac_add(&run, &run, &st->over[i], 0);
			if (!batched)
				jac_add(&run, &run, &jbk[i], 0);
			jac_add(&sum, &sum, &run, 0);
		}
		jac_add(&acc, &acc, &sum, 0);
	}
	*r = acc;
	ret = 0;
out:
	if (st != NULL) {
		free(st->bk);
		free(st->pend);
		free(st->full);
		free(st->busy);
		free(st->over);
		free(st->used);
	}
	free(st);
	free(jbk);
	free(dig);
	return ret;
}

/* Field multiplications, roughly: a doubling 8, a mixed addition 11, an
 * addition 16; a batched affine addition 8 (inversion included), worth it
 * only with many buckets (BK_BATCH or more: else the points wait for
 * their buckets pass after pass). */
#define BK_MIN_WINDOW 10
static double
msm_cost_pippenger(size_t n, unsigned int bits, unsigned int c, int batched)
{
	unsigned int nwin = bits / c + 1;

	return (double)nwin * ((double)n * (batched ? 8.0 : 11.0) +
				  (double)((size_t)1 << (c - 1)) *
				      (batched ? 27.0 : 32.0) +
				  8.0 * c);
}

int
p256_msm(struct p256_jacobian *r, size_t n, const struct p256_affine *p,
    const uint64_t (*s)[4])
{
	unsigned int bits = 0, b, c, best_c = 0;
	int batched, best_batched = 0;
	double cost, best;
	size_t i;

	for (i = 0; i < n; i++)
		if ((b = scalar_bitlen(s[i])) > bits)
			bits = b;
	if (n == 0 || bits == 0) {
		jac_set_infinity(r);
		return 0;
	}
	/* Straus: 7 table operations and one addition per window a point */
	best = (double)(bits / 4 + 1) * (16.0 * (double)n + 32.0) +
	    (double)n * 7.0 * 12.0;
	for (c = 5; c <= 14; c++) {
		for (batched = 0; batched <= (c >= BK_MIN_WINDOW); batched++) {
			cost = msm_cost_pippenger(n, bits, c, batched);
			if (cost < best) {
				best = cost;
				best_c = c;
				best_batched = batched;
			}
		}
	}
	if (best_c == 0)
		return msm_straus(r, n, p, s, bits / 4 + 1);
	return msm_pippenger(r, n, p, s, best_c, bits / best_c + 1,
	    best_batched);
}

int
p256_msm_window(struct p256_jacobian *r, size_t n,
    const struct p256_affine *p, const uint64_t (*s)[4],
    unsigned int window, int batched)
{
	unsigned int bits = 0, b;
	size_t i;

	if (window == 1 || window > 16 || (window == 0 && batched))
		return TALLY_ERR_INVALID_ARG;
	for (i = 0; i < n; i++)
		if ((b = scalar_bitlen(s[i])) > bits)
			bits = b;
	if (n == 0 || bits == 0) {
		jac_set_infinity(r);
		return 0;
	}
	if (window == 0)
		return msm_straus(r, n, p, s, bits / 4 + 1);
	return msm_pippenger(r, n, p, s, window, bits / window + 1,
	    batched != 0);
}
