/* check_proof.c: range, DLEQ and Schnorr proofs: completeness, soundness,
 * binding, strict decoding, batch verification and the challenge framing
 * of docs/record/proofs.md. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "elgamal.h"
#include "err.h"
#include "group.h"
#include "proof.h"
#include "testutil.h"

/* Known answers of the challenge framing, also in docs/record/proofs.md. */
#define RANGE_VECTOR \
	"c1d0774b6d2a95d6f0154888635c60c4274673022428d0cef592dcc7ac381301"
#define DLEQ_VECTOR \
	"03a99f9b2fc65626dac83a834c10463b95d88c0b568df486e21fc352ffe40337"
#define SCHNORR_VECTOR \
	"a3b1485e82428060b2e1081807431f534b0d0af6f2a7d94b8fa17c5c237d5d61"

static BIGNUM *sk;
static EC_POINT *pk;
static uint8_t eh[32], subj[32];

static void
setup(void)
{
	tu_keypair(&sk, &pk);
	ck_assert(RAND_bytes(eh, sizeof(eh)) == 1);
	ck_assert(RAND_bytes(subj, sizeof(subj)) == 1);
}

static void
teardown(void)
{
	group_scalar_free(sk);
	group_point_free(pk);
}

static struct proof_bind
bind_of(uint32_t kind, uint32_t contest, uint32_t index)
{
	struct proof_bind b = {eh, subj, sizeof(subj), kind, contest, index};

	return b;
}

static void
ct_new(struct elgamal_ct *ct, BIGNUM *r, uint64_t m)
{
	ck_assert_int_eq(elgamal_ct_init(ct), 0);
	ck_assert_int_eq(elgamal_encrypt(ct, r, pk, m), 0);
}

/* Single verification result, and check the batch agrees (refusal at add
 * time or at verify time). */
static int
range_check(const Tally__RangeProof *p, const EC_POINT *K,
    const struct elgamal_ct *ct, uint32_t L, const struct proof_bind *bind)
{
	struct proof_batch *b;
	int single, batch;

	single = range_proof_verify(p, K, ct, L, bind);
	ck_assert_int_eq(proof_batch_new(&b), 0);
	batch = proof_batch_add_range(b, p, K, ct, L, bind);
	if (batch == 0)
		batch = proof_batch_verify(b);
	proof_batch_free(b);
	ck_assert_msg((single == 0) == (batch == 0),
	    "single %d batch %d disagree", single, batch);
	return single;
}

static int
dleq_check(const Tally__DleqProof *p, const EC_POINT *A, const EC_POINT *X,
    const EC_POINT *D, const struct proof_bind *bind)
{
	struct proof_batch *b;
	int single, batch;

	single = dleq_verify(p, A, X, D, bind);
	ck_assert_int_eq(proof_batch_new(&b), 0);
	batch = proof_batch_add_dleq(b, p, A, X, D, bind);
	if (batch == 0)
		batch = proof_batch_verify(b);
	proof_batch_free(b);
	ck_assert_msg((single == 0) == (batch == 0),
	    "single %d batch %d disagree", single, batch);
	return single;
}

static int
schnorr_check(const Tally__SchnorrProof *p, const EC_POINT *X,
    const struct proof_bind *bind)
{
	struct proof_batch *b;
	int single, batch;

	single = schnorr_verify(p, X, bind);
	ck_assert_int_eq(proof_batch_new(&b), 0);
	batch = proof_batch_add_schnorr(b, p, X, bind);
	if (batch == 0)
		batch = proof_batch_verify(b);
	proof_batch_free(b);
	ck_assert_msg((single == 0) == (batch == 0),
	    "single %d batch %d disagree", single, batch);
	return single;
}

/* ------------------------------------------------------ range proofs */

START_TEST(test_range_complete)
{
	uint32_t Ls[] = {0, 1, 2, 3, 5, 10}, L, m;
	struct proof_bind bind = bind_of(PROOF_SELECTION, 1, 2);
	struct proof_batch *batch;
	Tally__RangeProof p[11];
	struct elgamal_ct ct[11];
	BIGNUM *r = group_scalar_new();
	size_t i;

	ck_assert_int_eq(proof_batch_new(&batch), 0);
	for (i = 0; i < sizeof(Ls) / sizeof(Ls[0]); i++) {
		L = Ls[i];
		for (m = 0; m <= L; m++) {
			ct_new(&ct[m], r, m);
			ck_assert_int_eq(range_proof_prove(&p[m], pk, &ct[m],
			    m, r, L, &bind), 0);
			ck_assert_uint_eq(p[m].n_t, L + 1);
			ck_assert_uint_eq(p[m].n_v, L + 1);
			ck_assert_int_eq(range_check(&p[m], pk, &ct[m], L,
			    &bind), 0);
			ck_assert_int_eq(proof_batch_add_range(batch, &p[m],
			    pk, &ct[m], L, &bind), 0);
		}
		for (m = 0; m <= L; m++) {
			range_proof_clear(&p[m]);
			range_proof_clear(&p[m]); /* idempotent */
			elgamal_ct_clear(&ct[m]);
		}
	}
	ck_assert_int_eq(proof_batch_verify(batch), 0);
	ck_assert_int_eq(proof_batch_verify(batch), 0); /* not consumed */
	proof_batch_free(batch);
	range_proof_clear(NULL);
	group_scalar_free(r);
}
END_TEST

/* An encryption of 2 (or L + 1) gets no proof for [0, 1] (or [0, L]). */
START_TEST(test_range_soundness)
{
	struct proof_bind bind = bind_of(PROOF_SELECTION, 0, 0);
	struct elgamal_ct c1, c2, c3;
	Tally__RangeProof p;
	BIGNUM *r1 = group_scalar_new(), *r2 = group_scalar_new(),
	       *r3 = group_scalar_new();
	uint64_t m;

	ct_new(&c1, r1, 1);
	ct_new(&c2, r2, 2);
	ct_new(&c3, r3, 3);
	/* The prover refuses a plaintext out of range. */
	ck_assert_int_eq(range_proof_prove(&p, pk, &c2, 2, r2, 1, &bind),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(range_proof_prove(&p, pk, &c3, 3, r3, 2, &bind),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(range_proof_prove(&p, pk, &c1, 1, r1,
	    PROOF_RANGE_MAX + 1, &bind), TALLY_ERR_INVALID_ARG);
	/* A prover that lies about the branch (2 encrypted, claims 0 or 1)
	 * makes a proof that does not verify. */
	for (m = 0; m <= 1; m++) {
		ck_assert_int_eq(range_proof_prove(&p, pk, &c2, m, r2, 1,
		    &bind), 0);
		ck_assert_int_eq(range_check(&p, pk, &c2, 1, &bind),
		    TALLY_ERR_BAD_PROOF);
		range_proof_clear(&p);
	}
	for (m = 0; m <= 2; m++) {
		ck_assert_int_eq(range_proof_prove(&p, pk, &c3, m, r3, 2,
		    &bind), 0);
		ck_assert_int_ne(range_check(&p, pk, &c3, 2, &bind), 0);
		range_proof_clear(&p);
	}
	/* An honest proof for an encryption of 1 does not cover one of 2. */
	ck_assert_int_eq(range_proof_prove(&p, pk, &c1, 1, r1, 1, &bind), 0);
	ck_assert_int_eq(range_check(&p, pk, &c1, 1, &bind), 0);
	ck_assert_int_eq(range_check(&p, pk, &c2, 1, &bind),
	    TALLY_ERR_BAD_PROOF);
	/* Nor another key. */
	ck_assert_int_eq(range_check(&p, c3.a, &c1, 1, &bind),
	    TALLY_ERR_BAD_PROOF);
	range_proof_clear(&p);
	elgamal_ct_clear(&c1);
	elgamal_ct_clear(&c2);
	elgamal_ct_clear(&c3);
	group_scalar_free(r1);
	group_scalar_free(r2);
	group_scalar_free(r3);
}
END_TEST

/* Flip one bit of every byte of every t, u, c and v. */
static void
range_flip_all(uint32_t L, uint64_t m)
{
	struct proof_bind bind = bind_of(PROOF_CONSTRAINT, 4, 5);
	struct elgamal_ct ct;
	Tally__RangeProof p;
	ProtobufCBinaryData *f[4];
	BIGNUM *r = group_scalar_new();
	size_t fi, j, k, flips = 0;

	ct_new(&ct, r, m);
	ck_assert_int_eq(range_proof_prove(&p, pk, &ct, m, r, L, &bind), 0);
	f[0] = p.t;
	f[1] = p.u;
	f[2] = p.c;
	f[3] = p.v;
	for (fi = 0; fi < 4; fi++) {
		for (j = 0; j <= L; j++) {
			for (k = 0; k < f[fi][j].len; k++) {
				f[fi][j].data[k] ^= (uint8_t)(1u << (k % 8));
				ck_assert_msg(range_check(&p, pk, &ct, L,
				    &bind) != 0, "field %zu[%zu] byte %zu",
				    fi, j, k);
				f[fi][j].data[k] ^= (uint8_t)(1u << (k % 8));
				flips++;
			}
		}
	}
	ck_assert_uint_eq(flips, (L + 1) * 2 * (33 + 32));
	ck_assert_int_eq(range_check(&p, pk, &ct, L, &bind), 0);
	range_proof_clear(&p);
	elgamal_ct_clear(&ct);
	group_scalar_free(r);
}

START_TEST(test_range_flip)
{
	range_flip_all(1, 0);
	range_flip_all(1, 1);
	range_flip_all(3, 2);
}
END_TEST

START_TEST(test_range_moved)
{
	struct proof_bind bind = bind_of(PROOF_SELECTION, 2, 3), o;
	uint8_t eh2[32], subj2[33];
	struct elgamal_ct ct;
	Tally__RangeProof p;
	BIGNUM *r = group_scalar_new();

	ct_new(&ct, r, 1);
	ck_assert_int_eq(range_proof_prove(&p, pk, &ct, 1, r, 1, &bind), 0);
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &bind), 0);
	memcpy(eh2, eh, 32);
	eh2[31] ^= 1;
	memcpy(subj2, subj, 32);
	subj2[32] = 0;

	o = bind;
	o.election_hash = eh2;
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.election_hash = NULL;
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.subject = subj2; /* another credential */
	subj2[0] ^= 0x80;
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	subj2[0] ^= 0x80;
	o.subject_len = 33; /* trailing byte */
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	o.subject_len = 31;
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.kind = PROOF_CONSTRAINT;
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.contest = 3;
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.index = 2;
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &o), TALLY_ERR_BAD_PROOF);
	range_proof_clear(&p);
	elgamal_ct_clear(&ct);
	group_scalar_free(r);
}
END_TEST

/* A field of p replaced by bad, for the shape tests. */
static int
range_with(Tally__RangeProof *p, ProtobufCBinaryData *field,
    const uint8_t *bad, size_t len, const struct elgamal_ct *ct,
    uint32_t L, const struct proof_bind *bind)
{
	ProtobufCBinaryData save = *field;
	int ret, ret2;
	struct proof_batch *b;

	field->data = (uint8_t *)bad;
	field->len = len;
	ret = range_proof_verify(p, pk, ct, L, bind);
	/* The batch refuses it with the same code and stays usable. */
	ck_assert_int_eq(proof_batch_new(&b), 0);
	ret2 = proof_batch_add_range(b, p, pk, ct, L, bind);
	ck_assert_int_eq(ret, ret2);
	*field = save;
	ck_assert_int_eq(proof_batch_add_range(b, p, pk, ct, L, bind), 0);
	ck_assert_int_eq(proof_batch_verify(b), 0);
	proof_batch_free(b);
	return ret;
}

START_TEST(test_range_shape)
{
	struct proof_bind bind = bind_of(PROOF_SELECTION, 0, 1);
	uint8_t big[40], q[32], ff[32], pt04[33];
	struct elgamal_ct ct;
	Tally__RangeProof p;
	BIGNUM *r = group_scalar_new();

	ct_new(&ct, r, 0);
	ck_assert_int_eq(range_proof_prove(&p, pk, &ct, 0, r, 2, &bind), 0);
	ck_assert_int_eq(range_check(&p, pk, &ct, 2, &bind), 0);
	/* counts: L entries instead of L + 1, or L + 2, any field */
	ck_assert_int_eq(range_check(&p, pk, &ct, 1, &bind), TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(range_check(&p, pk, &ct, 3, &bind), TALLY_ERR_BAD_PROOF);
	p.n_t--;
	ck_assert_int_eq(range_check(&p, pk, &ct, 2, &bind), TALLY_ERR_BAD_PROOF);
	p.n_t++;
	p.n_u--;
	ck_assert_int_eq(range_check(&p, pk, &ct, 2, &bind), TALLY_ERR_BAD_PROOF);
	p.n_u++;
	p.n_c--;
	ck_assert_int_eq(range_check(&p, pk, &ct, 2, &bind), TALLY_ERR_BAD_PROOF);
	p.n_c++;
	p.n_v = 0; /* missing field */
	ck_assert_int_eq(range_check(&p, pk, &ct, 2, &bind), TALLY_ERR_BAD_PROOF);
	p.n_v = 3;
	ck_assert_int_eq(range_check(&p, pk, &ct, PROOF_RANGE_MAX + 1, &bind),
	    TALLY_ERR_INVALID_ARG);
	/* sizes: 34- and 32-byte points, 31- and 33-byte scalars, empty */
	memcpy(big, p.t[1].data, 33);
	big[33] = 0;
	ck_assert_int_eq(range_with(&p, &p.t[1], big, 34, &ct, 2, &bind), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(range_with(&p, &p.u[2], big, 32, &ct, 2, &bind), TALLY_ERR_BAD_POINT);
	ck_assert_int_eq(range_with(&p, &p.u[0], big, 0, &ct, 2, &bind), TALLY_ERR_BAD_POINT);
	memcpy(pt04, p.t[0].data, 33);
	pt04[0] = 0x04;
	ck_assert_int_eq(range_with(&p, &p.t[0], pt04, 33, &ct, 2, &bind), TALLY_ERR_BAD_POINT);
	memcpy(big, p.c[0].data, 32);
	ck_assert_int_eq(range_with(&p, &p.c[0], big, 31, &ct, 2, &bind), TALLY_ERR_BAD_SCALAR);
	ck_assert_int_eq(range_with(&p, &p.v[1], big, 33, &ct, 2, &bind), TALLY_ERR_BAD_SCALAR);
	ck_assert_int_eq(range_with(&p, &p.v[2], NULL, 0, &ct, 2, &bind), TALLY_ERR_BAD_SCALAR);
	/* scalars >= q */
	ck_assert(BN_bn2binpad(group_order(), q, 32) == 32);
	memset(ff, 0xff, sizeof(ff));
	ck_assert_int_eq(range_with(&p, &p.c[1], q, 32, &ct, 2, &bind), TALLY_ERR_BAD_SCALAR);
	ck_assert_int_eq(range_with(&p, &p.v[0], ff, 32, &ct, 2, &bind), TALLY_ERR_BAD_SCALAR);
	range_proof_clear(&p);
	elgamal_ct_clear(&ct);
	group_scalar_free(r);
}
END_TEST

/* ----------------------------------------------------------------- DLEQ */

struct dleq_case {
	BIGNUM *x;
	EC_POINT *A, *X, *D;
};

static void
dleq_case_new(struct dleq_case *c)
{
	BIGNUM *k = group_scalar_new();

	c->x = group_scalar_new();
	c->A = group_point_new();
	c->X = group_point_new();
	c->D = group_point_new();
	ck_assert_int_eq(group_scalar_random(c->x), 0);
	ck_assert_int_eq(group_scalar_random(k), 0);
	ck_assert_int_eq(group_mul_g(c->A, k), 0);
	ck_assert_int_eq(group_mul_g(c->X, c->x), 0);
	ck_assert_int_eq(group_mul(c->D, c->A, c->x), 0);
	group_scalar_free(k);
}

static void
dleq_case_free(struct dleq_case *c)
{
	group_scalar_free(c->x);
	group_point_free(c->A);
	group_point_free(c->X);
	group_point_free(c->D);
}

START_TEST(test_dleq)
{
	struct proof_bind bind = bind_of(PROOF_DECRYPTION, 0, 9), o;
	struct dleq_case c;
	Tally__DleqProof p;
	ProtobufCBinaryData *f[3];
	uint8_t big[34], q[32];
	size_t fi, k;

	dleq_case_new(&c);
	ck_assert_int_eq(dleq_prove(&p, c.x, c.A, c.X, c.D, &bind), 0);
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), 0);
	/* wrong statement: swapped points, another D */
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.A, &bind), TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(dleq_check(&p, c.D, c.X, c.A, &bind), TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(dleq_check(&p, c.A, c.D, c.X, &bind), TALLY_ERR_BAD_PROOF);
	/* flip every byte of every field */
	f[0] = &p.t1;
	f[1] = &p.t2;
	f[2] = &p.v;
	for (fi = 0; fi < 3; fi++) {
		for (k = 0; k < f[fi]->len; k++) {
			f[fi]->data[k] ^= (uint8_t)(1u << (k % 8));
			ck_assert_int_ne(dleq_check(&p, c.A, c.X, c.D, &bind), 0);
			f[fi]->data[k] ^= (uint8_t)(1u << (k % 8));
		}
	}
	/* moved */
	o = bind;
	o.subject_len = 0;
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.index = 8;
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.kind = PROOF_SELECTION;
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.contest = 1;
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.election_hash = NULL;
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &o), TALLY_ERR_BAD_PROOF);
	/* shape */
	memcpy(big, p.t1.data, 33);
	big[33] = 0;
	{
		ProtobufCBinaryData s1 = p.t1, s2 = p.v;

		p.t1.data = big;
		p.t1.len = 34;
		ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), TALLY_ERR_BAD_POINT);
		p.t1.len = 32;
		ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), TALLY_ERR_BAD_POINT);
		p.t1 = s1;
		p.v.len = 31;
		ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), TALLY_ERR_BAD_SCALAR);
		ck_assert(BN_bn2binpad(group_order(), q, 32) == 32);
		p.v.data = q;
		p.v.len = 32;
		ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), TALLY_ERR_BAD_SCALAR);
		p.v.data = NULL;
		p.v.len = 0;
		ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), TALLY_ERR_BAD_SCALAR);
		p.v = s2;
	}
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), 0);
	dleq_clear(&p);
	dleq_clear(&p);
	dleq_clear(NULL);
	/* a false statement (D = x'A) gets no verifying proof */
	ck_assert_int_eq(group_mul(c.D, c.A, sk), 0);
	ck_assert_int_eq(dleq_prove(&p, c.x, c.A, c.X, c.D, &bind), 0);
	ck_assert_int_eq(dleq_check(&p, c.A, c.X, c.D, &bind), TALLY_ERR_BAD_PROOF);
	dleq_clear(&p);
	dleq_case_free(&c);
}
END_TEST

/* -------------------------------------------------------------- Schnorr */

START_TEST(test_schnorr)
{
	struct proof_bind bind = bind_of(PROOF_COEFFICIENT, 0, 2), o;
	Tally__SchnorrProof p;
	ProtobufCBinaryData *f[2], save;
	uint8_t big[34], ff[32];
	size_t fi, k;

	ck_assert_int_eq(schnorr_prove(&p, sk, pk, &bind), 0);
	ck_assert_int_eq(schnorr_check(&p, pk, &bind), 0);
	ck_assert_int_eq(schnorr_check(&p, group_generator(), &bind), TALLY_ERR_BAD_PROOF);
	f[0] = &p.t;
	f[1] = &p.v;
	for (fi = 0; fi < 2; fi++) {
		for (k = 0; k < f[fi]->len; k++) {
			f[fi]->data[k] ^= (uint8_t)(1u << (k % 8));
			ck_assert_int_ne(schnorr_check(&p, pk, &bind), 0);
			f[fi]->data[k] ^= (uint8_t)(1u << (k % 8));
		}
	}
	o = bind;
	o.kind = PROOF_TRANSPORT;
	ck_assert_int_eq(schnorr_check(&p, pk, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.index = 3;
	ck_assert_int_eq(schnorr_check(&p, pk, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.contest = 7;
	ck_assert_int_eq(schnorr_check(&p, pk, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.subject_len = 4;
	ck_assert_int_eq(schnorr_check(&p, pk, &o), TALLY_ERR_BAD_PROOF);
	o = bind;
	o.election_hash = NULL;
	ck_assert_int_eq(schnorr_check(&p, pk, &o), TALLY_ERR_BAD_PROOF);
	memcpy(big, p.t.data, 33);
	big[33] = 0;
	save = p.t;
	p.t.data = big;
	p.t.len = 34;
	ck_assert_int_eq(schnorr_check(&p, pk, &bind), TALLY_ERR_BAD_POINT);
	p.t.len = 0;
	ck_assert_int_eq(schnorr_check(&p, pk, &bind), TALLY_ERR_BAD_POINT);
	p.t = save;
	save = p.v;
	memset(ff, 0xff, sizeof(ff));
	p.v.data = ff;
	ck_assert_int_eq(schnorr_check(&p, pk, &bind), TALLY_ERR_BAD_SCALAR);
	p.v.len = 31;
	ck_assert_int_eq(schnorr_check(&p, pk, &bind), TALLY_ERR_BAD_SCALAR);
	p.v = save;
	ck_assert_int_eq(schnorr_check(&p, pk, &bind), 0);
	schnorr_clear(&p);
	schnorr_clear(NULL);
	/* a prover with the wrong secret */
	ck_assert_int_eq(schnorr_prove(&p, sk, group_generator(), &bind), 0);
	ck_assert_int_eq(schnorr_check(&p, group_generator(), &bind), TALLY_ERR_BAD_PROOF);
	schnorr_clear(&p);
}
END_TEST

/* ---------------------------------------------------------------- batch */

#define NBATCH 100

START_TEST(test_batch)
{
	struct proof_batch *b;
	Tally__RangeProof rp[NBATCH];
	struct elgamal_ct ct[NBATCH];
	Tally__SchnorrProof sp[20];
	Tally__DleqProof dp[6];
	struct dleq_case dc[3];
	struct proof_bind bind[NBATCH], sb = bind_of(PROOF_COEFFICIENT, 0, 0);
	EC_POINT *X[20], *D[6];
	BIGNUM *x[20], *r = group_scalar_new();
	uint8_t save;
	size_t i;

	ck_assert_int_eq(proof_batch_new(&b), 0);
	ck_assert_int_eq(proof_batch_verify(b), 0); /* empty */
	for (i = 0; i < NBATCH; i++) {
		bind[i] = bind_of(PROOF_SELECTION, (uint32_t)(i / 10),
		    (uint32_t)(i % 10));
		ct_new(&ct[i], r, i % 2);
		ck_assert_int_eq(range_proof_prove(&rp[i], pk, &ct[i], i % 2,
		    r, 1, &bind[i]), 0);
		ck_assert_int_eq(proof_batch_add_range(b, &rp[i], pk, &ct[i],
		    1, &bind[i]), 0);
	}
	/* 20 distinct keys: the merge table grows */
	for (i = 0; i < 20; i++) {
		x[i] = group_scalar_new();
		X[i] = group_point_new();
		ck_assert_int_eq(group_scalar_random(x[i]), 0);
		ck_assert_int_eq(group_mul_g(X[i], x[i]), 0);
		ck_assert_int_eq(schnorr_prove(&sp[i], x[i], X[i], &sb), 0);
		ck_assert_int_eq(proof_batch_add_schnorr(b, &sp[i], X[i], &sb), 0);
		/* twice: the merged coefficient of X doubles */
		ck_assert_int_eq(proof_batch_add_schnorr(b, &sp[i], X[i], &sb), 0);
	}
	/* DLEQ: every trustee i on every aggregate A_j (X and A recur) */
	for (i = 0; i < 3; i++)
		dleq_case_new(&dc[i]);
	for (i = 0; i < 6; i++) {
		struct dleq_case *t = &dc[i % 3], *a = &dc[i / 3];

		D[i] = group_point_new();
		ck_assert_int_eq(group_mul(D[i], a->A, t->x), 0);
		ck_assert_int_eq(dleq_prove(&dp[i], t->x, a->A, t->X, D[i],
		    &sb), 0);
		ck_assert_int_eq(proof_batch_add_dleq(b, &dp[i], a->A, t->X,
		    D[i], &sb), 0);
	}
	ck_assert_int_eq(proof_batch_verify(b), 0);
	/* one bad response among them: the hash holds, an equation not */
	save = rp[57].v[1].data[31];
	rp[57].v[1].data[31] ^= 0x01;
	ck_assert_int_eq(proof_batch_add_range(b, &rp[57], pk, &ct[57], 1,
	    &bind[57]), 0);
	ck_assert_int_eq(proof_batch_verify(b), TALLY_ERR_BAD_PROOF);
	rp[57].v[1].data[31] = save;
	/* reset: empty again, and the bad proof and the merged keys gone;
	 * the kept memory holds a batch as good as a new one */
	proof_batch_reset(b);
	ck_assert_int_eq(proof_batch_verify(b), 0);
	for (i = 0; i < 20; i++)
		ck_assert_int_eq(proof_batch_add_schnorr(b, &sp[i], X[i], &sb),
		    0);
	ck_assert_int_eq(proof_batch_add_range(b, &rp[57], pk, &ct[57], 1,
	    &bind[57]), 0);
	ck_assert_int_eq(proof_batch_verify(b), 0);
	/* a wrong key merged with a right one after the reset is caught */
	ck_assert_int_eq(proof_batch_add_schnorr(b, &sp[0], X[1], &sb), 0);
	ck_assert_int_eq(proof_batch_verify(b), TALLY_ERR_BAD_PROOF);
	proof_batch_reset(b);
	ck_assert_int_eq(proof_batch_add_schnorr(b, &sp[0], X[0], &sb), 0);
	ck_assert_int_eq(proof_batch_verify(b), 0);
	proof_batch_reset(NULL);
	proof_batch_free(b);
	/* A bad DLEQ (false statement: its challenge is recomputed, so only
	 * the deferred equations catch it) and a bad Schnorr. */
	ck_assert_int_eq(proof_batch_new(&b), 0);
	ck_assert_int_eq(proof_batch_add_dleq(b, &dp[0], dc[0].A, dc[0].X,
	    D[0], &sb), 0);
	ck_assert_int_eq(proof_batch_verify(b), 0);
	ck_assert_int_eq(proof_batch_add_dleq(b, &dp[1], dc[0].A, dc[0].X,
	    D[1], &sb), 0);
	ck_assert_int_eq(proof_batch_verify(b), TALLY_ERR_BAD_PROOF);
	proof_batch_free(b);
	ck_assert_int_eq(proof_batch_new(&b), 0);
	ck_assert_int_eq(proof_batch_add_schnorr(b, &sp[0], X[0], &sb), 0);
	ck_assert_int_eq(proof_batch_add_schnorr(b, &sp[1], X[2], &sb), 0);
	ck_assert_int_eq(proof_batch_verify(b), TALLY_ERR_BAD_PROOF);
	proof_batch_free(b);
	proof_batch_free(NULL);
	for (i = 0; i < NBATCH; i++) {
		range_proof_clear(&rp[i]);
		elgamal_ct_clear(&ct[i]);
	}
	for (i = 0; i < 20; i++) {
		schnorr_clear(&sp[i]);
		group_scalar_free(x[i]);
		group_point_free(X[i]);
	}
	for (i = 0; i < 6; i++) {
		dleq_clear(&dp[i]);
		group_point_free(D[i]);
	}
	for (i = 0; i < 3; i++)
		dleq_case_free(&dc[i]);
	group_scalar_free(r);
}
END_TEST

/* ------------------------------------------------- challenge vectors */

/* The preimage of docs/record/proofs.md, built here byte by byte. */
struct pre {
	uint8_t buf[1024];
	size_t len;
};

static void
pre_raw(struct pre *p, const void *d, size_t n)
{
	ck_assert_uint_le(p->len + n, sizeof(p->buf));
	memcpy(p->buf + p->len, d, n);
	p->len += n;
}

static void
pre_part(struct pre *p, const void *d, size_t n)
{
	uint8_t be[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16),
	    (uint8_t)(n >> 8), (uint8_t)n};

	pre_raw(p, be, 4);
	pre_raw(p, d, n);
}

static void
pre_u32(struct pre *p, uint32_t v)
{
	uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v};

	pre_part(p, be, 4);
}

static void
pre_start(struct pre *p, const char *tag, uint32_t kind)
{
	uint8_t e[32];
	int i;

	for (i = 0; i < 32; i++)
		e[i] = (uint8_t)i;
	p->len = 0;
	pre_raw(p, "tally/v1/", 9);
	pre_raw(p, tag, strlen(tag) + 1); /* tag and its 0x00 */
	pre_part(p, e, 32);
	pre_part(p, "subject", 7);
	pre_u32(p, kind);
	pre_u32(p, 2);
	pre_u32(p, 3);
}

/* SHA-512 of the preimage mod q, against the challenge and a literal. */
static void
pre_check(const struct pre *p, const BIGNUM *c, const char *hex)
{
	uint8_t d[64], got[32], *want;
	unsigned int n;
	BIGNUM *x = BN_new();
	size_t wlen;
	char shown[65];
	int i;

	ck_assert(EVP_Digest(p->buf, p->len, d, &n, EVP_sha512(), NULL) == 1);
	ck_assert(BN_bin2bn(d, 64, x) != NULL);
	ck_assert(BN_nnmod(x, x, group_order(), group_bn_ctx()) == 1);
	ck_assert(BN_cmp(x, c) == 0);
	ck_assert(BN_bn2binpad(c, got, 32) == 32);
	for (i = 0; i < 32; i++)
		snprintf(shown + 2 * i, 3, "%02x", got[i]);
	want = tu_unhex(hex, &wlen);
	ck_assert_uint_eq(wlen, 32);
	ck_assert_msg(memcmp(got, want, 32) == 0, "challenge %s", shown);
	free(want);
	BN_free(x);
}

static void
small_point(uint8_t out[33], uint64_t k)
{
	EC_POINT *p = group_point_new();

	ck_assert_int_eq(group_mul_g_u64(p, k), 0);
	ck_assert_int_eq(group_point_encode(out, p), 0);
	group_point_free(p);
}

/* --------------------------------- allocation failures while batching */

/* OpenSSL's allocations, counted; the alloc_countdown-th one fails. The
 * error queue's own (it keeps copies of names per slot) are not counted. */
static long alloc_live, alloc_countdown;

static int
oom_counted(const char *file)
{
	return file == NULL || strstr(file, "/err/") == NULL;
}

static void *
oom_malloc(size_t n, const char *file, int line)
{
	void *p;

	if (alloc_countdown > 0 && --alloc_countdown == 0)
		return NULL;
	if ((p = malloc(n)) != NULL && oom_counted(file))
		alloc_live++;
	return p;
}

static void *
oom_realloc(void *q, size_t n, const char *file, int line)
{
	if (q == NULL)
		return oom_malloc(n, file, line);
	if (n == 0) {
		free(q);
		if (oom_counted(file))
			alloc_live--;
		return NULL;
	}
	if (alloc_countdown > 0 && --alloc_countdown == 0)
		return NULL;
	return realloc(q, n);
}

static void
oom_free(void *q, const char *file, int line)
{
	if (q != NULL && oom_counted(file))
		alloc_live--;
	free(q);
}

static int
batch_three(const Tally__RangeProof *rp, const struct elgamal_ct *ct,
    const Tally__DleqProof *dp, const struct dleq_case *c,
    const Tally__SchnorrProof *sp, const struct proof_bind *bind)
{
	struct proof_batch *b;
	int ret;

	if ((ret = proof_batch_new(&b)) != 0)
		return ret;
	if ((ret = proof_batch_add_range(b, rp, pk, ct, 1, bind)) == 0 &&
	    (ret = proof_batch_add_dleq(b, dp, c->A, c->X, c->D, bind)) == 0 &&
	    (ret = proof_batch_add_schnorr(b, sp, pk, bind)) == 0)
		ret = proof_batch_verify(b);
	proof_batch_free(b);
	ERR_clear_error();
	return ret;
}

/* Regression: when an OpenSSL call failed half-way through adding a proof
 * to a batch (scalar_neg among them), the commitment points already taken
 * from the decoded proof leaked. Fail each allocation in turn: nothing
 * may stay allocated, and the batch must refuse. */
START_TEST(test_batch_alloc_failures)
{
	struct proof_bind bind = bind_of(PROOF_DECRYPTION, 0, 3);
	BIGNUM *r = group_scalar_new();
	Tally__RangeProof rp;
	Tally__DleqProof dp;
	Tally__SchnorrProof sp;
	struct elgamal_ct ct;
	struct dleq_case c;
	long k, base;
	int ret, hit, pass;

	ck_assert_int_eq(group_scalar_random(r), 0);
	ct_new(&ct, r, 1);
	ck_assert_int_eq(range_proof_prove(&rp, pk, &ct, 1, r, 1, &bind), 0);
	dleq_case_new(&c);
	ck_assert_int_eq(dleq_prove(&dp, c.x, c.A, c.X, c.D, &bind), 0);
	ck_assert_int_eq(schnorr_prove(&sp, sk, pk, &bind), 0);
	/* A first pass lets OpenSSL make what it keeps (the thread's error
	 * queue, its random generators); the second one counts. */
	for (pass = 0; pass < 2; pass++) {
		for (k = 1;; k++) {
			base = alloc_live;
			alloc_countdown = k;
			ret = batch_three(&rp, &ct, &dp, &c, &sp, &bind);
			hit = alloc_countdown == 0;
			alloc_countdown = 0;
			ck_assert_msg(pass == 0 || alloc_live == base,
			    "allocation %ld failed: %ld left allocated", k,
			    alloc_live - base);
			if (!hit)
				break;
			ck_assert_msg(ret != 0,
			    "allocation %ld failed, batch passed", k);
		}
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_gt(k, 20);
	range_proof_clear(&rp);
	dleq_clear(&dp);
	schnorr_clear(&sp);
	elgamal_ct_clear(&ct);
	dleq_case_free(&c);
	group_scalar_free(r);
}
END_TEST

START_TEST(test_challenge_vectors)
{
	uint8_t e[32], P[9][33];
	struct proof_bind b;
	ProtobufCBinaryData t[2], u[2];
	struct pre pre;
	BIGNUM *c = BN_new();
	int i;

	for (i = 0; i < 32; i++)
		e[i] = (uint8_t)i;
	for (i = 2; i < 9; i++)
		small_point(P[i], (uint64_t)i);
	b.election_hash = e;
	b.subject = (const uint8_t *)"subject";
	b.subject_len = 7;
	b.contest = 2;
	b.index = 3;

	/* range, L = 1: K = 2G, (a, b) = (3G, 4G), t = 5G 6G, u = 7G 8G */
	b.kind = PROOF_SELECTION;
	for (i = 0; i < 2; i++) {
		t[i].data = P[5 + i];
		t[i].len = 33;
		u[i].data = P[7 + i];
		u[i].len = 33;
	}
	ck_assert_int_eq(range_proof_challenge(c, &b, 1, P[2], P[3], P[4], t, u), 0);
	pre_start(&pre, "range", 1);
	pre_u32(&pre, 1);
	for (i = 2; i <= 8; i++)
		pre_part(&pre, P[i], 33);
	pre_check(&pre, c, RANGE_VECTOR);

	/* dleq: A = 2G, X = 3G, D = 6G, t1 = 4G, t2 = 8G */
	b.kind = PROOF_DECRYPTION;
	ck_assert_int_eq(dleq_challenge(c, &b, P[2], P[3], P[6], P[4], P[8]), 0);
	pre_start(&pre, "dleq", 6);
	pre_part(&pre, P[2], 33);
	pre_part(&pre, P[3], 33);
	pre_part(&pre, P[6], 33);
	pre_part(&pre, P[4], 33);
	pre_part(&pre, P[8], 33);
	pre_check(&pre, c, DLEQ_VECTOR);

	/* schnorr: X = 3G, t = 5G */
	b.kind = PROOF_COEFFICIENT;
	ck_assert_int_eq(schnorr_challenge(c, &b, P[3], P[5]), 0);
	pre_start(&pre, "schnorr", 4);
	pre_part(&pre, P[3], 33);
	pre_part(&pre, P[5], 33);
	pre_check(&pre, c, SCHNORR_VECTOR);

	/* NULL election hash = 32 zero bytes */
	memset(e, 0, sizeof(e));
	ck_assert_int_eq(schnorr_challenge(c, &b, P[3], P[5]), 0);
	{
		BIGNUM *c2 = BN_new();

		b.election_hash = NULL;
		ck_assert_int_eq(schnorr_challenge(c2, &b, P[3], P[5]), 0);
		ck_assert(BN_cmp(c, c2) == 0);
		BN_free(c2);
	}
	BN_free(c);
}
END_TEST

static Suite *
proof_suite(void)
{
	Suite *s = suite_create("proof");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_range_complete);
	tcase_add_test(tc, test_range_soundness);
	tcase_add_test(tc, test_range_flip);
	tcase_add_test(tc, test_range_moved);
	tcase_add_test(tc, test_range_shape);
	tcase_add_test(tc, test_dleq);
	tcase_add_test(tc, test_schnorr);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_alloc_failures);
	tcase_add_test(tc, test_challenge_vectors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* Before OpenSSL allocates anything, or it refuses. */
	if (!CRYPTO_set_mem_functions(oom_malloc, oom_realloc, oom_free))
		return 1;
	return tu_run(proof_suite());
}
