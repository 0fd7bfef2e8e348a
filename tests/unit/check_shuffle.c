/* check_shuffle.c: the proof of a shuffle of ciphertext tuples: an honest
 * shuffle verifies and keeps every tuple whole; an output that drops,
 * duplicates, alters or splits a tuple is refused even when the mixer runs
 * the prover on it; every proof element changed is refused; a proof does
 * not move to another mixer, step, election, key or list; the generators
 * are the documented ones. */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "elgamal.h"
#include "err.h"
#include "group.h"
#include "shuffle.h"
#include "testutil.h"

#define N 5
#define W 3

static BIGNUM *sk;
static EC_POINT *pk;
static const uint8_t eh[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
    14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
static uint8_t mixer1[4] = {0, 0, 0, 1}, mixer2[4] = {0, 0, 0, 2};

static void
setup(void)
{
	tu_keypair(&sk, &pk);
}

static void
teardown(void)
{
	group_scalar_free(sk);
	group_point_free(pk);
}

static struct proof_bind
bind_of(const uint8_t *mixer, uint32_t step)
{
	struct proof_bind b = {eh, mixer, 4, PROOF_SHUFFLE, 0, step};

	return b;
}

/* Tuple i, ciphertext k encrypts (100 i + k) G. */
static void
list_new(struct mix_list *l, size_t n, size_t w)
{
	BIGNUM *r = group_scalar_new();
	size_t i, k;

	ck_assert_int_eq(mix_list_init(l, n, w), 0);
	for (i = 0; i < n; i++)
		for (k = 0; k < w; k++)
			ck_assert_int_eq(elgamal_encrypt(&l->ct[i * w + k], r,
			    pk, 100 * i + k), 0);
	ck_assert_int_eq(mix_list_encode(l), 0);
	group_scalar_free(r);
}

/* The plaintext index m of ciphertext c (m G), or -1. */
static long
plain(const struct elgamal_ct *c)
{
	EC_POINT *M = group_point_new(), *T = group_point_new();
	long m, found = -1;

	ck_assert_int_eq(elgamal_decrypt_point(M, c, sk), 0);
	for (m = 0; m < 100 * N + W && found < 0; m++) {
		ck_assert_int_eq(group_mul_g_u64(T, (uint64_t)m), 0);
		if (group_point_equal(M, T))
			found = m;
	}
	group_point_free(M);
	group_point_free(T);
	return found;
}

/* out holds every tuple of in exactly once, whole, in some order. */
static void
assert_permuted_tuples(const struct mix_list *out)
{
	int seen[N] = {0};
	long m0, m;
	size_t i, k;

	for (i = 0; i < out->n; i++) {
		m0 = plain(&out->ct[i * out->w]);
		ck_assert(m0 >= 0 && m0 % 100 == 0 && m0 / 100 < N);
		ck_assert(!seen[m0 / 100]);
		seen[m0 / 100] = 1;
		for (k = 1; k < out->w; k++) {
			m = plain(&out->ct[i * out->w + k]);
			ck_assert_int_eq(m, m0 + (long)k);
		}
	}
}

static int
verify_packed(const Tally__ShuffleProof *p, const struct mix_list *in,
    const struct mix_list *out, const struct proof_bind *b)
{
	Tally__ShuffleProof *q;
	uint8_t *buf;
	size_t len;
	int ret;

	len = tally__shuffle_proof__get_packed_size(p);
	ck_assert_ptr_nonnull(buf = malloc(len));
	ck_assert_uint_eq(tally__shuffle_proof__pack(p, buf), len);
	ck_assert_ptr_nonnull(q = tally__shuffle_proof__unpack(NULL, len, buf));
	ret = shuffle_verify(q, in, out, pk, b);
	tally__shuffle_proof__free_unpacked(q, NULL);
	free(buf);
	return ret;
}

START_TEST(test_honest)
{
	struct mix_list in, out, out2;
	struct proof_bind b1 = bind_of(mixer1, 0), b2 = bind_of(mixer2, 1);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	Tally__ShuffleProof p2 = TALLY__SHUFFLE_PROOF__INIT;

	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	ck_assert_int_eq(mix_list_init(&out2, N, W), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b1), 0);
	ck_assert_uint_eq(p.n_commitments, N);
	ck_assert_uint_eq(p.n_t4a, W);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b1), 0);
	ck_assert_int_eq(verify_packed(&p, &in, &out, &b1), 0);
	assert_permuted_tuples(&out);
	/* Fresh randomness: no output ciphertext equals an input one. */
	ck_assert(memcmp(in.enc, out.enc, N * W * SHUFFLE_CT_LEN) != 0);
	/* A second mixer takes the first one's output. */
	ck_assert_int_eq(shuffle_mix(&out2, &p2, &out, pk, &b2), 0);
	ck_assert_int_eq(shuffle_verify(&p2, &out, &out2, pk, &b2), 0);
	assert_permuted_tuples(&out2);
	/* The second proof does not prove a shuffle of the first input. */
	ck_assert_int_eq(shuffle_verify(&p2, &in, &out2, pk, &b2),
	    TALLY_ERR_BAD_PROOF);
	shuffle_proof_clear(&p);
	shuffle_proof_clear(&p2);
	mix_list_clear(&in);
	mix_list_clear(&out);
	mix_list_clear(&out2);
}
END_TEST

START_TEST(test_one_tuple)
{
	struct mix_list in, out;
	struct proof_bind b = bind_of(mixer1, 0);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;

	list_new(&in, 1, 1);
	ck_assert_int_eq(mix_list_init(&out, 1, 1), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b), 0);
	ck_assert_int_eq(plain(&out.ct[0]), 0);
	shuffle_proof_clear(&p);
	mix_list_clear(&in);
	mix_list_clear(&out);
}
END_TEST

/* A cheating mixer: out made from in by perm and rho, then changed by
 * cheat, and proven with perm and rho. */
enum cheat { CHEAT_DUPLICATE, CHEAT_ALTER, CHEAT_SPLIT, CHEAT_REPLACE };

static void
cheat_run(enum cheat how)
{
	static const uint32_t perm[N] = {3, 0, 4, 1, 2};
	struct mix_list in, out;
	struct proof_bind b = bind_of(mixer1, 0);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	BIGNUM *rho[N * W], *r = group_scalar_new();
	EC_POINT *tmp;
	size_t i, k;

	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	for (i = 0; i < N; i++)
		for (k = 0; k < W; k++) {
			rho[i * W + k] = group_scalar_new();
			ck_assert_int_eq(group_scalar_random(rho[i * W + k]), 0);
			ck_assert_int_eq(elgamal_reencrypt(&out.ct[i * W + k],
			    &in.ct[perm[i] * W + k], pk, rho[i * W + k]), 0);
		}
	switch (how) {
	case CHEAT_DUPLICATE:	/* tuple perm[1] twice, perm[0] gone */
		for (k = 0; k < W; k++)
			ck_assert_int_eq(elgamal_reencrypt(&out.ct[k],
			    &in.ct[perm[1] * W + k], pk, rho[k]), 0);
		break;
	case CHEAT_ALTER:	/* one name point moved by G */
		ck_assert_int_eq(group_add(out.ct[2 * W + 1].b,
		    out.ct[2 * W + 1].b, group_generator()), 0);
		break;
	case CHEAT_SPLIT:	/* ciphertext 1 of tuples 0 and 1 swapped */
		tmp = out.ct[1].b;
		out.ct[1].b = out.ct[W + 1].b;
		out.ct[W + 1].b = tmp;
		tmp = out.ct[1].a;
		out.ct[1].a = out.ct[W + 1].a;
		out.ct[W + 1].a = tmp;
		break;
	case CHEAT_REPLACE:	/* a fresh encryption of a new value */
		ck_assert_int_eq(elgamal_encrypt(&out.ct[0], r, pk, 1), 0);
		break;
	}
	ck_assert_int_eq(mix_list_encode(&out), 0);
	ck_assert_int_eq(shuffle_prove(&p, &in, &out, pk, &b, perm, rho), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	shuffle_proof_clear(&p);
	for (i = 0; i < N * W; i++)
		group_scalar_free(rho[i]);
	group_scalar_free(r);
	mix_list_clear(&in);
	mix_list_clear(&out);
}

START_TEST(test_cheating_mixer)
{
	cheat_run(CHEAT_DUPLICATE);
	cheat_run(CHEAT_ALTER);
	cheat_run(CHEAT_SPLIT);
	cheat_run(CHEAT_REPLACE);
}
END_TEST

/* An honest proof, then the output changed after the fact; and a shorter
 * output (a dropped tuple). */
START_TEST(test_output_changed)
{
	struct mix_list in, out, shorter;
	struct proof_bind b = bind_of(mixer1, 0);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	EC_POINT *tmp;
	size_t i;

	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b), 0);
	/* Dropped: N - 1 tuples. */
	ck_assert_int_eq(mix_list_init(&shorter, N - 1, W), 0);
	memcpy(shorter.enc, out.enc, (N - 1) * W * SHUFFLE_CT_LEN);
	ck_assert_int_eq(mix_list_decode(&shorter), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &shorter, pk, &b),
	    TALLY_ERR_INVALID_ARG);
	/* Two tuples swapped after proving. */
	for (i = 0; i < W; i++) {
		tmp = out.ct[i].a;
		out.ct[i].a = out.ct[W + i].a;
		out.ct[W + i].a = tmp;
		tmp = out.ct[i].b;
		out.ct[i].b = out.ct[W + i].b;
		out.ct[W + i].b = tmp;
	}
	ck_assert_int_eq(mix_list_encode(&out), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	/* The input changed instead: one tuple of the input duplicated. */
	for (i = 0; i < W; i++) {
		tmp = out.ct[i].a;
		out.ct[i].a = out.ct[W + i].a;
		out.ct[W + i].a = tmp;
		tmp = out.ct[i].b;
		out.ct[i].b = out.ct[W + i].b;
		out.ct[W + i].b = tmp;
	}
	ck_assert_int_eq(mix_list_encode(&out), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b), 0);
	memcpy(in.enc, in.enc + W * SHUFFLE_CT_LEN, W * SHUFFLE_CT_LEN);
	ck_assert_int_eq(mix_list_decode(&in), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	shuffle_proof_clear(&p);
	mix_list_clear(&in);
	mix_list_clear(&out);
	mix_list_clear(&shorter);
}
END_TEST

/* Change one entry of one field: a different valid point or scalar (the
 * equations must catch it), or a byte flipped (the decoder or the
 * challenge must). */
static void
mutate_one(ProtobufCBinaryData *d, int point, int flip)
{
	uint8_t enc[GROUP_POINT_LEN];
	BIGNUM *s;
	EC_POINT *P;

	if (flip) {
		d->data[d->len - 1] ^= 0x01;
		return;
	}
	if (point) {
		ck_assert_ptr_nonnull(P = group_point_new());
		ck_assert_int_eq(group_point_decode(P, d->data, d->len), 0);
		ck_assert_int_eq(group_add(P, P, group_generator()), 0);
		ck_assert_int_eq(group_point_encode(enc, P), 0);
		memcpy(d->data, enc, sizeof(enc));
		group_point_free(P);
		return;
	}
	ck_assert_ptr_nonnull(s = BN_new());
	ck_assert_int_eq(group_scalar_decode(s, d->data, d->len), 0);
	ck_assert_int_eq(BN_add_word(s, 1), 1);
	ck_assert_int_eq(BN_nnmod(s, s, group_order(), group_bn_ctx()), 1);
	ck_assert_int_eq(group_scalar_encode(d->data, s), 0);
	BN_free(s);
}

struct field {
	const char *name;
	ProtobufCBinaryData *arr;
	size_t n;
	int point;
};

START_TEST(test_every_element)
{
	struct mix_list in, out;
	struct proof_bind b = bind_of(mixer1, 0);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	uint8_t save[GROUP_POINT_LEN];
	size_t f, i, nf;
	int flip, ret;

	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b), 0);
	{
		struct field fs[] = {
		    {"commitments", p.commitments, p.n_commitments, 1},
		    {"chain", p.chain, p.n_chain, 1}, {"t1", &p.t1, 1, 1},
		    {"t2", &p.t2, 1, 1}, {"t3", &p.t3, 1, 1},
		    {"t4a", p.t4a, p.n_t4a, 1}, {"t4b", p.t4b, p.n_t4b, 1},
		    {"t_hat", p.t_hat, p.n_t_hat, 1}, {"s1", &p.s1, 1, 0},
		    {"s2", &p.s2, 1, 0}, {"s3", &p.s3, 1, 0},
		    {"s4", p.s4, p.n_s4, 0}, {"s_hat", p.s_hat, p.n_s_hat, 0},
		    {"s_prime", p.s_prime, p.n_s_prime, 0}};

		nf = sizeof(fs) / sizeof(fs[0]);
		for (f = 0; f < nf; f++)
			for (i = 0; i < fs[f].n; i++)
				for (flip = 0; flip < 2; flip++) {
					memcpy(save, fs[f].arr[i].data,
					    fs[f].arr[i].len);
					mutate_one(&fs[f].arr[i], fs[f].point,
					    flip);
					ret = shuffle_verify(&p, &in, &out, pk,
					    &b);
					ck_assert_msg(ret != 0,
					    "%s[%zu] flip %d accepted",
					    fs[f].name, i, flip);
					memcpy(fs[f].arr[i].data, save,
					    fs[f].arr[i].len);
				}
	}
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b), 0);
	shuffle_proof_clear(&p);
	mix_list_clear(&in);
	mix_list_clear(&out);
}
END_TEST

/* s += d mod q */
static void
scalar_shift(ProtobufCBinaryData *d, long delta)
{
	BIGNUM *s;

	ck_assert_ptr_nonnull(s = BN_new());
	ck_assert_int_eq(group_scalar_decode(s, d->data, d->len), 0);
	if (delta > 0)
		ck_assert_int_eq(BN_add_word(s, (BN_ULONG)delta), 1);
	else
		ck_assert_int_eq(BN_sub_word(s, (BN_ULONG)-delta), 1);
	ck_assert_int_eq(BN_nnmod(s, s, group_order(), group_bn_ctx()), 1);
	ck_assert_int_eq(group_scalar_encode(d->data, s), 0);
	BN_free(s);
}

/* The verifier sums every equation into one multi-scalar multiplication:
 * each must carry its own random weight. Responses are not hashed into
 * the challenge, so a cheater can move one up and another down by the
 * same amount: an unweighted sum would not see it (the G terms cancel). */
START_TEST(test_batch_weights)
{
	struct mix_list in, out;
	struct proof_bind b = bind_of(mixer1, 0);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	int round;

	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b), 0);
	for (round = 0; round < 8; round++) {
		scalar_shift(&p.s1, 1);
		scalar_shift(&p.s3, -1);
		ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
		    TALLY_ERR_BAD_PROOF);
		scalar_shift(&p.s1, -1);
		scalar_shift(&p.s3, 1);
		scalar_shift(&p.s_hat[0], 5);
		scalar_shift(&p.s_hat[1], -5);
		ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
		    TALLY_ERR_BAD_PROOF);
		scalar_shift(&p.s_hat[0], -5);
		scalar_shift(&p.s_hat[1], 5);
		scalar_shift(&p.s4[0], 2);
		scalar_shift(&p.s4[1], -2);
		ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
		    TALLY_ERR_BAD_PROOF);
		scalar_shift(&p.s4[0], -2);
		scalar_shift(&p.s4[1], 2);
		ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b), 0);
	}
	shuffle_proof_clear(&p);
	mix_list_clear(&in);
	mix_list_clear(&out);
}
END_TEST

/* Wrong counts of every repeated field, and a missing single field. */
START_TEST(test_counts)
{
	struct mix_list in, out;
	struct proof_bind b = bind_of(mixer1, 0);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	size_t *counts[] = {&p.n_commitments, &p.n_chain, &p.n_t4a, &p.n_t4b,
	    &p.n_t_hat, &p.n_s4, &p.n_s_hat, &p.n_s_prime};
	size_t i, save;

	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b), 0);
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		save = *counts[i];
		*counts[i] = save - 1;
		ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
		    TALLY_ERR_BAD_PROOF);
		*counts[i] = save;
	}
	save = p.t2.len;
	p.t2.len = 0;
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_POINT);
	p.t2.len = save;
	save = p.s3.len;
	p.s3.len = 31;
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_SCALAR);
	p.s3.len = save;
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b), 0);
	shuffle_proof_clear(&p);
	mix_list_clear(&in);
	mix_list_clear(&out);
}
END_TEST

/* The proof is bound to mixer, step, election and key: a mixer that
 * replays another's output and proof as its own step is refused. */
START_TEST(test_binding)
{
	static const uint8_t other_eh[32] = {1};
	struct mix_list in, out;
	struct proof_bind b1 = bind_of(mixer1, 0), b;
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	BIGNUM *s2 = group_scalar_new();
	EC_POINT *K2 = group_point_new();

	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b1), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b1), 0);
	b = bind_of(mixer2, 0);		/* another mixer claims it */
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	b = bind_of(mixer2, 1);		/* ... as the next step */
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	b = bind_of(mixer1, 1);		/* the same mixer, another step */
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	b = b1;
	b.election_hash = other_eh;
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	b = b1;
	b.contest = 1;
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b),
	    TALLY_ERR_BAD_PROOF);
	ck_assert_int_eq(group_scalar_random(s2), 0);
	ck_assert_int_eq(group_mul_g(K2, s2), 0);
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, K2, &b1),
	    TALLY_ERR_BAD_PROOF);
	/* The kind is forced: a bind with another kind means the same. */
	b = b1;
	b.kind = PROOF_SELECTION;
	ck_assert_int_eq(shuffle_verify(&p, &in, &out, pk, &b), 0);
	group_scalar_free(s2);
	group_point_free(K2);
	shuffle_proof_clear(&p);
	mix_list_clear(&in);
	mix_list_clear(&out);
}
END_TEST

START_TEST(test_bad_arguments)
{
	static const uint32_t notperm[N] = {0, 1, 1, 3, 4};
	static const uint32_t outside[N] = {0, 1, 2, 3, 5};
	struct mix_list in, out, l;
	struct proof_bind b = bind_of(mixer1, 0);
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	BIGNUM *rho[N * W];
	size_t i;

	ck_assert_int_eq(mix_list_init(&l, 0, 1), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(mix_list_init(&l, 1, 0), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(mix_list_init(&l, 1, SHUFFLE_WIDTH_MAX + 1),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(mix_list_init(&l, SHUFFLE_TUPLES_MAX + 1, 1),
	    TALLY_ERR_INVALID_ARG);
	mix_list_clear(&l);
	list_new(&in, N, W);
	ck_assert_int_eq(mix_list_init(&out, N, W), 0);
	for (i = 0; i < N * W; i++) {
		rho[i] = group_scalar_new();
		ck_assert_int_eq(group_scalar_random(rho[i]), 0);
	}
	ck_assert_int_eq(shuffle_prove(&p, &in, &out, pk, &b, notperm, rho),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(shuffle_prove(&p, &in, &out, pk, &b, outside, rho),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, group_generator(), &b), 0);
	shuffle_proof_clear(&p);
	/* Lists of another width. */
	mix_list_clear(&out);
	ck_assert_int_eq(mix_list_init(&out, N, W - 1), 0);
	ck_assert_int_eq(shuffle_mix(&out, &p, &in, pk, &b),
	    TALLY_ERR_INVALID_ARG);
	/* An encoding that does not decode. */
	in.enc[5] ^= 0xff;
	in.enc[0] = 0x04;
	ck_assert_int_eq(mix_list_decode(&in), TALLY_ERR_BAD_POINT);
	for (i = 0; i < N * W; i++)
		group_scalar_free(rho[i]);
	mix_list_clear(&in);
	mix_list_clear(&out);
}
END_TEST

/* Generators of docs/record/mixnet.md, computed independently (Python). */
START_TEST(test_generators)
{
	static const char *want[3] = {
	    "0227915ab9905b042e34d660e815d539d3a5bf0c785653cde2d37d82cdaf6d34a4",
	    "02848ae8b5181ec398b7fc412fe8f0bc793cba643c62da73c665be7f86b45f373e",
	    "02d3599566a7d79b795374b02d9a7657fb6fdca3cecf8828ec0069f325ed7919ea"};
	EC_POINT *gen[3];
	uint8_t enc[3][33], *w;
	size_t i, len;

	for (i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(gen[i] = group_point_new());
	ck_assert_int_eq(shuffle_generators(gen, enc, 2, eh), 0);
	for (i = 0; i < 3; i++) {
		w = tu_unhex(want[i], &len);
		ck_assert_mem_eq(enc[i], w, 33);
		ck_assert(!group_point_equal(gen[i], group_generator()));
		free(w);
		group_point_free(gen[i]);
	}
}
END_TEST

static void
bin_kg(ProtobufCBinaryData *d, uint8_t *buf, uint64_t k)
{
	EC_POINT *P = group_point_new();

	ck_assert_int_eq(group_mul_g_u64(P, k), 0);
	ck_assert_int_eq(group_point_encode(buf, P), 0);
	d->data = buf;
	d->len = GROUP_POINT_LEN;
	group_point_free(P);
}

static void
scalar_is(const BIGNUM *x, const char *hex)
{
	uint8_t enc[32], *want;
	size_t len;

	ck_assert_int_eq(group_scalar_encode(enc, x), 0);
	want = tu_unhex(hex, &len);
	ck_assert_mem_eq(enc, want, 32);
	free(want);
}

/* The challenge framing of docs/record/mixnet.md on a fixed statement of
 * multiples of G; answers computed independently (Python). */
START_TEST(test_challenge_vectors)
{
	static const uint8_t subject[4] = {0, 0, 0, 1};
	struct proof_bind b = {eh, subject, 4, PROOF_SHUFFLE, 0, 3};
	Tally__ShuffleProof p = TALLY__SHUFFLE_PROOF__INIT;
	ProtobufCBinaryData com[2], chain[2], t4a, t4b, t_hat[2];
	uint8_t buf[11][GROUP_POINT_LEN], seed[32], *want;
	struct mix_list in, out;
	EC_POINT *K = group_point_new();
	BIGNUM *u[2] = {BN_new(), BN_new()}, *c = BN_new();
	size_t i, len;

	ck_assert_int_eq(mix_list_init(&in, 2, 1), 0);
	ck_assert_int_eq(mix_list_init(&out, 2, 1), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(group_mul_g_u64(in.ct[i].a, 2 * i + 1), 0);
		ck_assert_int_eq(group_mul_g_u64(in.ct[i].b, 2 * i + 2), 0);
		ck_assert_int_eq(group_mul_g_u64(out.ct[i].a, 2 * i + 5), 0);
		ck_assert_int_eq(group_mul_g_u64(out.ct[i].b, 2 * i + 6), 0);
	}
	ck_assert_int_eq(mix_list_encode(&in), 0);
	ck_assert_int_eq(mix_list_encode(&out), 0);
	ck_assert_int_eq(group_mul_g_u64(K, 9), 0);
	bin_kg(&com[0], buf[0], 10);
	bin_kg(&com[1], buf[1], 11);
	ck_assert_int_eq(shuffle_challenge_seed(seed, &b, &in, &out, K, com),
	    0);
	want = tu_unhex("26aca9341068ce7232c7573e1962947aee5eb3322088208d873"
	    "60ba37203a1eb", &len);
	ck_assert_mem_eq(seed, want, 32);
	free(want);
	ck_assert_int_eq(shuffle_challenge_u(u, 2, seed), 0);
	scalar_is(u[0], "8d7c03f3f5d86db880b0d6f5ec4b650ea74b4f60d8d5cc0079f9d"
	    "3ff96557fcb");
	scalar_is(u[1], "07802d39c060163b94175f5bc0d7661a09d32689c189d43c083c3"
	    "30b92cb5cb4");
	bin_kg(&chain[0], buf[2], 12);
	bin_kg(&chain[1], buf[3], 13);
	bin_kg(&p.t1, buf[4], 14);
	bin_kg(&p.t2, buf[5], 15);
	bin_kg(&p.t3, buf[6], 16);
	bin_kg(&t4a, buf[7], 17);
	bin_kg(&t4b, buf[8], 18);
	bin_kg(&t_hat[0], buf[9], 19);
	bin_kg(&t_hat[1], buf[10], 20);
	p.chain = chain;
	p.n_chain = 2;
	p.t4a = &t4a;
	p.n_t4a = 1;
	p.t4b = &t4b;
	p.n_t4b = 1;
	p.t_hat = t_hat;
	p.n_t_hat = 2;
	ck_assert_int_eq(shuffle_challenge_c(c, seed, &p), 0);
	scalar_is(c, "254c6e5800eecea13de6f7751574ce46701244026044f3f8c7bd200"
	    "0688c6b52");
	BN_free(u[0]);
	BN_free(u[1]);
	BN_free(c);
	group_point_free(K);
	mix_list_clear(&in);
	mix_list_clear(&out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("shuffle");
	TCase *tc = tcase_create("shuffle");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_honest);
	tcase_add_test(tc, test_one_tuple);
	tcase_add_test(tc, test_cheating_mixer);
	tcase_add_test(tc, test_output_changed);
	tcase_add_test(tc, test_every_element);
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_batch_weights);
	tcase_add_test(tc, test_binding);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_generators);
	tcase_add_test(tc, test_challenge_vectors);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
