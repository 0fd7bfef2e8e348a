/* check_ceremony.c: a full 3-of-5 dealerless ceremony in memory; every one
 * of the 10 quorums decrypts the same total; bad shares are caught and their
 * sender named; Lagrange, DLEQ on partials, parameter limits, and strict
 * decoding of every ceremony message. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ceremony.h"
#include "elgamal.h"
#include "err.h"
#include "group.h"
#include "testutil.h"
#include "util.h"

#define N 5
#define K 3

struct world {
	struct ceremony_trustee *t[N];
	uint8_t *pubb[N];
	size_t publ[N];
	Tally__TrusteePublic *pub[N];
	uint8_t *sh[N][N]; /* sh[from][to] */
	size_t shl[N][N];
	BIGNUM *s[N];
	uint8_t id[CEREMONY_ID_LEN];
	uint8_t *utr, *tr;		/* unsigned, signed */
	size_t utrl, trl;
	uint8_t *sig[N];
	size_t sigl[N];
	Tally__CeremonyTranscript *tro;
};

static struct world W;

static void
world_setup(void)
{
	uint32_t i, j, culprit;
	const uint8_t *col[N];
	size_t coll[N];

	memset(&W, 0, sizeof(W));
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(ceremony_trustee_new(&W.t[i], i + 1, N, K), 0);
		ck_assert_int_eq(ceremony_public_make(W.t[i], "t", &W.pubb[i],
		    &W.publ[i]), 0);
		ck_assert_int_eq(ceremony_public_open(&W.pub[i], W.pubb[i],
		    W.publ[i], N, K, i + 1), 0);
	}
	ck_assert_int_eq(ceremony_id(W.id, (const Tally__TrusteePublic **)W.pub,
	    N, K), 0);
	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++)
			if (i != j)
				ck_assert_int_eq(ceremony_share_seal(W.t[i],
				    W.pub[j], W.id, &W.sh[i][j],
				    &W.shl[i][j]), 0);
	for (j = 0; j < N; j++) {
		for (i = 0; i < N; i++) {
			col[i] = W.sh[i][j];
			coll[i] = W.shl[i][j];
		}
		W.s[j] = group_scalar_new();
		ck_assert_int_eq(ceremony_collect(W.s[j], W.t[j],
		    (const Tally__TrusteePublic **)W.pub, col, coll, &culprit),
		    0);
	}
	ck_assert_int_eq(ceremony_transcript_make(
	    (const Tally__TrusteePublic **)W.pub, N, K, &W.utr, &W.utrl), 0);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(ceremony_transcript_sign(W.t[i], W.utr,
		    W.utrl, &W.sig[i], &W.sigl[i]), 0);
	ck_assert_int_eq(ceremony_transcript_seal(W.utr, W.utrl,
	    (const uint8_t **)W.sig, W.sigl, N, &W.tr, &W.trl, &culprit), 0);
	ck_assert_int_eq(ceremony_transcript_open(&W.tro, W.tr, W.trl), 0);
}

static void
world_teardown(void)
{
	uint32_t i, j;

	for (i = 0; i < N; i++) {
		ceremony_trustee_free(W.t[i]);
		free(W.pubb[i]);
		tally__trustee_public__free_unpacked(W.pub[i], NULL);
		group_scalar_free(W.s[i]);
		for (j = 0; j < N; j++)
			free(W.sh[i][j]);
		free(W.sig[i]);
	}
	free(W.tr);
	free(W.utr);
	tally__ceremony_transcript__free_unpacked(W.tro, NULL);
}

static void
dec_bind(struct proof_bind *b, uint8_t subj[4], uint32_t i)
{
	static const uint8_t eh[32] = {1, 2, 3};

	subj[0] = subj[1] = subj[2] = 0;
	subj[3] = (uint8_t)i;
	b->election_hash = eh;
	b->subject = subj;
	b->subject_len = 4;
	b->kind = PROOF_DECRYPTION;
	b->contest = 0;
	b->index = 7;
}

START_TEST(test_public_shares_match)
{
	EC_POINT *X = group_point_new(), *Y = group_point_new();
	uint32_t j;

	for (j = 1; j <= N; j++) {
		ck_assert_int_eq(ceremony_public_share(X, W.tro, j), 0);
		ck_assert_int_eq(group_mul_g(Y, W.s[j - 1]), 0);
		ck_assert(group_point_equal(X, Y));
	}
	ck_assert_int_eq(ceremony_public_share(X, W.tro, 0),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_public_share(X, W.tro, N + 1),
	    TALLY_ERR_INVALID_ARG);
	group_point_free(X);
	group_point_free(Y);
}
END_TEST

/* Decrypt ct with the quorum set[0..K) with proofs; out = mG. */
static void
quorum_decrypt(EC_POINT *mG, const struct elgamal_ct *ct, const uint32_t *set)
{
	EC_POINT *D[K], *X = group_point_new(), *comb = group_point_new();
	Tally__DleqProof pr;
	struct proof_bind b;
	uint8_t subj[4];
	size_t a;

	for (a = 0; a < K; a++) {
		D[a] = group_point_new();
		tally__dleq_proof__init(&pr);
		dec_bind(&b, subj, set[a]);
		ck_assert_int_eq(ceremony_partial_decrypt(D[a], &pr,
		    W.s[set[a] - 1], ct->a, &b), 0);
		ck_assert_int_eq(ceremony_public_share(X, W.tro, set[a]), 0);
		ck_assert_int_eq(ceremony_partial_verify(&pr, ct->a, X, D[a],
		    &b), 0);
		dleq_clear(&pr);
	}
	ck_assert_int_eq(ceremony_combine(comb, set, (const EC_POINT **)D, K),
	    0);
	ck_assert_int_eq(group_sub(mG, ct->b, comb), 0);
	for (a = 0; a < K; a++)
		group_point_free(D[a]);
	group_point_free(X);
	group_point_free(comb);
}

START_TEST(test_all_quorums_decrypt)
{
	struct elgamal_ct ct, one;
	EC_POINT *Kp = group_point_new(), *mG = group_point_new();
	EC_POINT *want = group_point_new();
	BIGNUM *r = group_scalar_new();
	uint32_t set[K], a, b, c, count = 0, m;

	ck_assert_int_eq(ceremony_joint_key(Kp, W.tro), 0);
	ck_assert_int_eq(elgamal_ct_init(&ct), 0);
	/* An encrypted total: 17 ballots of 1 and 25 of 0 summed. */
	for (m = 0; m < 42; m++) {
		ck_assert_int_eq(elgamal_ct_init(&one), 0);
		ck_assert_int_eq(elgamal_encrypt(&one, r, Kp, m < 17), 0);
		ck_assert_int_eq(elgamal_add(&ct, &ct, &one), 0);
		elgamal_ct_clear(&one);
	}
	ck_assert_int_eq(group_mul_g_u64(want, 17), 0);
	for (a = 1; a <= N; a++)
		for (b = a + 1; b <= N; b++)
			for (c = b + 1; c <= N; c++) {
				set[0] = c; /* order must not matter */
				set[1] = a;
				set[2] = b;
				quorum_decrypt(mG, &ct, set);
				ck_assert(group_point_equal(mG, want));
				count++;
			}
	ck_assert_int_eq(count, 10);
	elgamal_ct_clear(&ct);
	group_point_free(Kp);
	group_point_free(mG);
	group_point_free(want);
	group_scalar_free(r);
}
END_TEST

START_TEST(test_two_shares_not_enough)
{
	struct elgamal_ct ct;
	EC_POINT *Kp = group_point_new(), *D[2], *comb = group_point_new();
	EC_POINT *want = group_point_new(), *mG = group_point_new();
	BIGNUM *r = group_scalar_new();
	uint32_t set[2] = {1, 2};
	int i;

	ck_assert_int_eq(ceremony_joint_key(Kp, W.tro), 0);
	ck_assert_int_eq(elgamal_ct_init(&ct), 0);
	ck_assert_int_eq(elgamal_encrypt(&ct, r, Kp, 5), 0);
	for (i = 0; i < 2; i++) {
		D[i] = group_point_new();
		ck_assert_int_eq(group_mul(D[i], ct.a, W.s[i]), 0);
	}
	ck_assert_int_eq(ceremony_combine(comb, set, (const EC_POINT **)D, 2),
	    0);
	ck_assert_int_eq(group_sub(mG, ct.b, comb), 0);
	ck_assert_int_eq(group_mul_g_u64(want, 5), 0);
	ck_assert(!group_point_equal(mG, want));
	for (i = 0; i < 2; i++)
		group_point_free(D[i]);
	elgamal_ct_clear(&ct);
	group_point_free(Kp);
	group_point_free(comb);
	group_point_free(want);
	group_point_free(mG);
	group_scalar_free(r);
}
END_TEST

START_TEST(test_corrupted_share_names_sender)
{
	const uint8_t *col[N];
	size_t coll[N], i, byte;
	uint32_t culprit;
	BIGNUM *s = group_scalar_new();
	uint8_t *copy;

	/* Flip every byte of the share trustee 2 sent to trustee 4. */
	for (byte = 0; byte < W.shl[1][3]; byte++) {
		copy = malloc(W.shl[1][3]);
		memcpy(copy, W.sh[1][3], W.shl[1][3]);
		copy[byte] ^= 0x01;
		for (i = 0; i < N; i++) {
			col[i] = i == 1 ? copy : W.sh[i][3];
			coll[i] = W.shl[i][3];
		}
		ck_assert_int_ne(ceremony_collect(s, W.t[3],
		    (const Tally__TrusteePublic **)W.pub, col, coll, &culprit),
		    0);
		ck_assert_uint_eq(culprit, 2);
		ck_assert(BN_is_zero(s));
		free(copy);
	}
	/* Truncated and trailing. */
	for (i = 0; i < N; i++) {
		col[i] = W.sh[i][3];
		coll[i] = W.shl[i][3];
	}
	coll[4] -= 1;
	ck_assert_int_ne(ceremony_collect(s, W.t[3],
	    (const Tally__TrusteePublic **)W.pub, col, coll, &culprit), 0);
	ck_assert_uint_eq(culprit, 5);
	group_scalar_free(s);
}
END_TEST

START_TEST(test_wrong_value_share_bad_share)
{
	struct ceremony_trustee *fake;
	const uint8_t *col[N];
	size_t coll[N], i;
	uint8_t *sh;
	size_t shl;
	uint32_t culprit;
	BIGNUM *s = group_scalar_new();

	/* Trustee 3 signs and encrypts correctly, but a value off its
	 * committed polynomial: only the Feldman check can catch it. */
	ck_assert_int_eq(ceremony_trustee_new(&fake, 3, N, K), 0);
	memcpy(fake->sign_seed, W.t[2]->sign_seed, 32);
	ck_assert_int_eq(ceremony_share_seal(fake, W.pub[0], W.id, &sh, &shl),
	    0);
	for (i = 0; i < N; i++) {
		col[i] = i == 2 ? sh : W.sh[i][0];
		coll[i] = i == 2 ? shl : W.shl[i][0];
	}
	ck_assert_int_eq(ceremony_collect(s, W.t[0],
	    (const Tally__TrusteePublic **)W.pub, col, coll, &culprit),
	    TALLY_ERR_BAD_SHARE);
	ck_assert_uint_eq(culprit, 3);
	/* A share for someone else is refused too. */
	col[2] = W.sh[2][1];
	coll[2] = W.shl[2][1];
	ck_assert_int_ne(ceremony_collect(s, W.t[0],
	    (const Tally__TrusteePublic **)W.pub, col, coll, &culprit), 0);
	ck_assert_uint_eq(culprit, 3);
	free(sh);
	ceremony_trustee_free(fake);
	group_scalar_free(s);
}
END_TEST

/* Issue 10, attack 3: trustee 2's public part from a rehearsal with the
 * same n and k, replayed into a new ceremony with the rehearsal's share. */
START_TEST(test_replayed_part_refused)
{
	struct ceremony_trustee *t[N];
	Tally__TrusteePublic *pub[N];
	uint8_t *pb, id[CEREMONY_ID_LEN], *sh, *tr, *sig;
	size_t pl, shl, trl, sigl, coll[N];
	const uint8_t *col[N];
	uint32_t i, culprit;
	BIGNUM *s = group_scalar_new();

	for (i = 0; i < N; i++) {
		ck_assert_int_eq(ceremony_trustee_new(&t[i], i + 1, N, K), 0);
		ck_assert_int_eq(ceremony_public_make(t[i], NULL, &pb, &pl), 0);
		ck_assert_int_eq(ceremony_public_open(&pub[i], pb, pl, N, K,
		    i + 1), 0);
		free(pb);
	}
	/* the replay: the rehearsal's part (W) in place of the real one */
	tally__trustee_public__free_unpacked(pub[1], NULL);
	ck_assert_int_eq(ceremony_public_open(&pub[1], W.pubb[1], W.publ[1],
	    N, K, 2), 0);
	ck_assert_int_eq(ceremony_id(id, (const Tally__TrusteePublic **)pub,
	    N, K), 0);
	ck_assert_mem_ne(id, W.id, CEREMONY_ID_LEN);
	/* trustee 1 finishes with the rehearsal's share from trustee 2:
	 * it is another ceremony's, named as such */
	for (i = 0; i < N; i++) {
		col[i] = NULL;
		coll[i] = 0;
		if (i != 0 && i != 1) {
			ck_assert_int_eq(ceremony_share_seal(t[i], pub[0], id,
			    &sh, &shl), 0);
			col[i] = sh;
			coll[i] = shl;
		}
	}
	col[1] = W.sh[1][0];
	coll[1] = W.shl[1][0];
	ck_assert_int_eq(ceremony_collect(s, t[0],
	    (const Tally__TrusteePublic **)pub, col, coll, &culprit),
	    TALLY_ERR_FOREIGN);
	ck_assert_uint_eq(culprit, 2);
	ck_assert(BN_is_zero(s));
	/* the real trustee 2 sees that "its" part is not its own */
	ck_assert_int_eq(ceremony_public_is_mine(pub[1], t[1]),
	    TALLY_ERR_FOREIGN);
	ck_assert_int_eq(ceremony_collect(s, t[1],
	    (const Tally__TrusteePublic **)pub, col, coll, &culprit),
	    TALLY_ERR_FOREIGN);
	ck_assert_uint_eq(culprit, 0);
	/* and does not sign a transcript holding it */
	ck_assert_int_eq(ceremony_transcript_make(
	    (const Tally__TrusteePublic **)pub, N, K, &tr, &trl), 0);
	ck_assert_int_eq(ceremony_transcript_sign(t[1], tr, trl, &sig, &sigl),
	    TALLY_ERR_FOREIGN);
	ck_assert_int_eq(ceremony_transcript_sign(t[0], tr, trl, &sig, &sigl),
	    0);
	free(sig);
	free(tr);
	for (i = 0; i < N; i++) {
		if (i != 0 && i != 1)
			free((uint8_t *)col[i]);
		ceremony_trustee_free(t[i]);
		tally__trustee_public__free_unpacked(pub[i], NULL);
	}
	group_scalar_free(s);
}
END_TEST

START_TEST(test_ceremony_id)
{
	Tally__TrusteePublic *pub[N];
	uint8_t id[CEREMONY_ID_LEN];
	uint32_t i;

	/* every contribution is in the id */
	for (i = 0; i < N; i++)
		pub[i] = W.pub[i];
	for (i = 0; i < N; i++) {
		pub[i]->contribution.data[7] ^= 1;
		ck_assert_int_eq(ceremony_id(id,
		    (const Tally__TrusteePublic **)pub, N, K), 0);
		ck_assert_mem_ne(id, W.id, CEREMONY_ID_LEN);
		pub[i]->contribution.data[7] ^= 1;
	}
	ck_assert_int_eq(ceremony_id(id, (const Tally__TrusteePublic **)pub,
	    N, K), 0);
	ck_assert_mem_eq(id, W.id, CEREMONY_ID_LEN);
	ck_assert_mem_eq(W.tro->ceremony.data, W.id, CEREMONY_ID_LEN);
	/* out of order, or a short contribution */
	pub[0] = W.pub[1];
	pub[1] = W.pub[0];
	ck_assert_int_eq(ceremony_id(id, (const Tally__TrusteePublic **)pub,
	    N, K), TALLY_ERR_CEREMONY);
	pub[0] = W.pub[0];
	pub[1] = W.pub[1];
	pub[2]->contribution.len = 31;
	ck_assert_int_eq(ceremony_id(id, (const Tally__TrusteePublic **)pub,
	    N, K), TALLY_ERR_CEREMONY);
	pub[2]->contribution.len = 32;
	/* a part's proofs are bound to its contribution */
	W.pub[3]->contribution.data[0] ^= 1;
	{
		size_t len = tally__trustee_public__get_packed_size(W.pub[3]);
		uint8_t *p = malloc(len);
		Tally__TrusteePublic *o;

		tally__trustee_public__pack(W.pub[3], p);
		ck_assert_int_ne(ceremony_public_open(&o, p, len, N, K, 4), 0);
		free(p);
	}
	W.pub[3]->contribution.data[0] ^= 1;
}
END_TEST

START_TEST(test_transcript_signatures)
{
	Tally__CeremonyTranscript *t;
	struct ceremony_why why;
	const uint8_t *sv[N];
	size_t sl[N], i;
	uint8_t *out = NULL, *copy, T[32];
	size_t outl;
	uint32_t culprit;

	/* the unsigned transcript is not a record's transcript */
	ck_assert_int_eq(ceremony_transcript_check(&t, W.utr, W.utrl, &why),
	    TALLY_ERR_CEREMONY);
	ck_assert_str_eq(why.check, "transcript-signature");
	/* T is the digest of the unsigned form, signed or not */
	ck_assert_int_eq(ceremony_transcript_digest(T, W.tro), 0);
	t = tally__ceremony_transcript__unpack(NULL, W.utrl, W.utr);
	ck_assert_ptr_nonnull(t);
	{
		uint8_t T2[32];

		ck_assert_int_eq(ceremony_transcript_digest(T2, t), 0);
		ck_assert_mem_eq(T, T2, 32);
	}
	tally__ceremony_transcript__free_unpacked(t, NULL);
	/* sealing: one signature missing, swapped, or another's */
	for (i = 0; i < N; i++) {
		sv[i] = W.sig[i];
		sl[i] = W.sigl[i];
	}
	ck_assert_int_ne(ceremony_transcript_seal(W.utr, W.utrl, sv, sl, N - 1,
	    &out, &outl, &culprit), 0);
	sv[2] = W.sig[3];
	sl[2] = W.sigl[3];
	ck_assert_int_eq(ceremony_transcript_seal(W.utr, W.utrl, sv, sl, N,
	    &out, &outl, &culprit), TALLY_ERR_CEREMONY);
	ck_assert_uint_eq(culprit, 3);
	ck_assert_ptr_null(out);
	/* each signature byte of the signed transcript is checked, and the
	 * failure names the check and the trustee */
	copy = malloc(W.trl);
	for (i = 0; i < N; i++) {
		size_t at;

		memcpy(copy, W.tr, W.trl);
		/* the 64 signature bytes of trustee i + 1 end the message
		 * field of that TranscriptSignature */
		at = (size_t)((uint8_t *)memmem(copy, W.trl,
		    W.tro->signatures[i]->signature.data, 64) - copy);
		copy[at + 10] ^= 0x20;
		memset(&why, 0, sizeof(why));
		ck_assert_int_eq(ceremony_transcript_check(&t, copy, W.trl,
		    &why), TALLY_ERR_BAD_SIGNATURE);
		ck_assert_str_eq(why.check, "transcript-signature");
		ck_assert_uint_eq(why.trustee, i + 1);
	}
	free(copy);
	/* a trustee does not sign a signed transcript again */
	ck_assert_int_ne(ceremony_transcript_sign(W.t[0], W.tr, W.trl, &out,
	    &outl), 0);
}
END_TEST

START_TEST(test_fingerprint)
{
	char fp[CEREMONY_FINGERPRINT_LEN + 1];

	/* H("fingerprint", "abc"): docs/record/ceremony.md */
	ck_assert_int_eq(ceremony_fingerprint(fp, sizeof(fp),
	    (const uint8_t *)"abc", 3), 0);
	ck_assert_str_eq(fp, "5REG-4XVI-6CZD-FDE3");
	ck_assert_int_eq(ceremony_fingerprint(fp, CEREMONY_FINGERPRINT_LEN,
	    (const uint8_t *)"abc", 3), TALLY_ERR_INVALID_ARG);
}
END_TEST

START_TEST(test_lagrange)
{
	BIGNUM *lam = group_scalar_new(), *acc = group_scalar_new();
	BIGNUM *f = group_scalar_new();
	uint32_t set[K] = {2, 4, 5}, bad[K] = {2, 2, 5}, zero[K] = {0, 1, 2};
	size_t a;

	/* sum lambda_i f(i) = f(0) = a_0 for the polynomial of trustee 1. */
	BN_zero(acc);
	for (a = 0; a < K; a++) {
		ck_assert_int_eq(ceremony_lagrange(lam, set[a], set, K), 0);
		ck_assert_int_eq(ceremony_poly_eval(f, W.t[0], set[a]), 0);
		ck_assert_int_eq(group_scalar_mul(f, f, lam), 0);
		ck_assert_int_eq(group_scalar_add(acc, acc, f), 0);
	}
	ck_assert_int_eq(BN_cmp(acc, W.t[0]->coef[0]), 0);
	/* For one point the coefficient is 1. */
	ck_assert_int_eq(ceremony_lagrange(lam, 3, set + 0, 0),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_lagrange(lam, 2, set, 1), 0);
	ck_assert(BN_is_one(lam));
	ck_assert_int_eq(ceremony_lagrange(lam, 3, set, K),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_lagrange(lam, 2, bad, K),
	    TALLY_ERR_SHARE_DUP);
	ck_assert_int_eq(ceremony_lagrange(lam, 1, zero, K),
	    TALLY_ERR_INVALID_ARG);
	group_scalar_free(lam);
	group_scalar_free(acc);
	group_scalar_free(f);
}
END_TEST

START_TEST(test_partial_dleq)
{
	EC_POINT *A = group_point_new(), *D = group_point_new();
	EC_POINT *X = group_point_new(), *X2 = group_point_new();
	BIGNUM *r = group_scalar_new();
	Tally__DleqProof pr = TALLY__DLEQ_PROOF__INIT;
	struct proof_bind b, b2;
	uint8_t subj[4], subj2[4];

	ck_assert_int_eq(group_scalar_random(r), 0);
	ck_assert_int_eq(group_mul_g(A, r), 0);
	dec_bind(&b, subj, 2);
	ck_assert_int_eq(ceremony_partial_decrypt(D, &pr, W.s[1], A, &b), 0);
	ck_assert_int_eq(ceremony_public_share(X, W.tro, 2), 0);
	ck_assert_int_eq(ceremony_partial_verify(&pr, A, X, D, &b), 0);
	/* Against another trustee's public share. */
	ck_assert_int_eq(ceremony_public_share(X2, W.tro, 3), 0);
	ck_assert_int_ne(ceremony_partial_verify(&pr, A, X2, D, &b), 0);
	/* Moved to another trustee or aggregate. */
	dec_bind(&b2, subj2, 3);
	ck_assert_int_ne(ceremony_partial_verify(&pr, A, X, D, &b2), 0);
	b2 = b;
	b2.index = 8;
	ck_assert_int_ne(ceremony_partial_verify(&pr, A, X, D, &b2), 0);
	/* A wrong partial. */
	ck_assert_int_eq(group_add(D, D, A), 0);
	ck_assert_int_ne(ceremony_partial_verify(&pr, A, X, D, &b), 0);
	dleq_clear(&pr);
	group_point_free(A);
	group_point_free(D);
	group_point_free(X);
	group_point_free(X2);
	group_scalar_free(r);
}
END_TEST

START_TEST(test_params)
{
	struct ceremony_trustee *t = NULL;

	ck_assert_int_eq(ceremony_check_params(5, 3), 0);
	ck_assert_int_eq(ceremony_check_params(1, 1), 0);
	ck_assert_int_eq(ceremony_check_params(64, 64), 0);
	ck_assert_int_eq(ceremony_check_params(3, 5), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_check_params(5, 0), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_check_params(65, 3), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_check_params(0, 0), TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_trustee_new(&t, 1, 3, 5),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_trustee_new(&t, 6, 5, 3),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_int_eq(ceremony_trustee_new(&t, 0, 5, 3),
	    TALLY_ERR_INVALID_ARG);
	ck_assert_ptr_null(t);
}
END_TEST

START_TEST(test_public_flip_every_byte)
{
	Tally__TrusteePublic *p;
	uint8_t *copy = malloc(W.publ[1]);
	size_t i;

	for (i = 0; i < W.publ[1]; i++) {
		memcpy(copy, W.pubb[1], W.publ[1]);
		copy[i] ^= 0x01;
		ck_assert_int_ne(ceremony_public_open(&p, copy, W.publ[1], N,
		    K, 2), 0);
		ck_assert_ptr_null(p);
	}
	/* Wrong index, wrong k, truncated, trailing. */
	ck_assert_int_ne(ceremony_public_open(&p, W.pubb[1], W.publ[1], N, K,
	    3), 0);
	ck_assert_int_ne(ceremony_public_open(&p, W.pubb[1], W.publ[1], N, 2,
	    2), 0);
	ck_assert_int_ne(ceremony_public_open(&p, W.pubb[1], W.publ[1] - 1, N,
	    K, 2), 0);
	copy = realloc(copy, W.publ[1] + 2);
	memcpy(copy, W.pubb[1], W.publ[1]);
	copy[W.publ[1]] = 0x08; /* field 1 varint 0: a duplicate, trailing */
	copy[W.publ[1] + 1] = 0x00;
	ck_assert_int_ne(ceremony_public_open(&p, copy, W.publ[1] + 2, N, K,
	    2), 0);
	free(copy);
}
END_TEST

START_TEST(test_transcript_tamper)
{
	Tally__CeremonyTranscript *t;
	uint8_t *copy = malloc(W.trl + 1);
	size_t i, step;

	/* Every byte of the transcript matters; sample densely. */
	step = W.trl / 400 + 1;
	for (i = 0; i < W.trl; i += step) {
		memcpy(copy, W.tr, W.trl);
		copy[i] ^= 0x01;
		ck_assert_int_ne(ceremony_transcript_open(&t, copy, W.trl), 0);
	}
	/* The joint key and the last public share. */
	memcpy(copy, W.tr, W.trl);
	copy[W.trl - 1] ^= 0x01;
	ck_assert_int_ne(ceremony_transcript_open(&t, copy, W.trl), 0);
	ck_assert_int_ne(ceremony_transcript_open(&t, W.tr, W.trl - 1), 0);
	memcpy(copy, W.tr, W.trl);
	copy[W.trl] = 0;
	ck_assert_int_ne(ceremony_transcript_open(&t, copy, W.trl + 1), 0);
	free(copy);
}
END_TEST

START_TEST(test_state_and_secret_roundtrip)
{
	struct ceremony_trustee *t;
	uint8_t *p, *q, th[32], th2[32];
	size_t len, qlen;
	uint32_t idx, l;
	BIGNUM *s = group_scalar_new();

	ck_assert_int_eq(ceremony_trustee_encode(W.t[2], &p, &len), 0);
	ck_assert_int_eq(ceremony_trustee_decode(&t, p, len), 0);
	ck_assert_uint_eq(t->index, 3);
	for (l = 0; l < K; l++)
		ck_assert_int_eq(BN_cmp(t->coef[l], W.t[2]->coef[l]), 0);
	ck_assert_int_eq(BN_cmp(t->transport, W.t[2]->transport), 0);
	ck_assert_mem_eq(t->sign_seed, W.t[2]->sign_seed, 32);
	ceremony_trustee_free(t);
	ck_assert_int_eq(ceremony_trustee_decode(&t, p, len - 1),
	    TALLY_ERR_TRUNCATED);
	ck_assert_int_eq(ceremony_trustee_decode(&t, p, 10),
	    TALLY_ERR_TRUNCATED);
	q = calloc(1, len + 1);
	memcpy(q, p, len);
	ck_assert_int_eq(ceremony_trustee_decode(&t, q, len + 1),
	    TALLY_ERR_TRAILING);
	q[0] ^= 1;
	ck_assert_int_eq(ceremony_trustee_decode(&t, q, len),
	    TALLY_ERR_DECODE);
	util_freezero(q, len + 1);
	util_freezero(p, len);

	memset(th, 7, sizeof(th));
	ck_assert_int_eq(ceremony_secret_make(3, W.s[2], th, &p, &len), 0);
	ck_assert_int_eq(ceremony_secret_open(&idx, s, th2, p, len), 0);
	ck_assert_uint_eq(idx, 3);
	ck_assert_int_eq(BN_cmp(s, W.s[2]), 0);
	ck_assert_mem_eq(th, th2, 32);
	ck_assert_int_ne(ceremony_secret_open(&idx, s, th2, p, len - 1), 0);
	q = calloc(1, len + 2);
	memcpy(q, p, len);
	q[len] = 0x08;
	ck_assert_int_ne(ceremony_secret_open(&idx, s, th2, q, len + 2), 0);
	free(q);
	util_freezero(p, len);
	(void)qlen;
	group_scalar_free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ceremony");
	TCase *tc = tcase_create("ceremony");

	tcase_add_unchecked_fixture(tc, world_setup, world_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_public_shares_match);
	tcase_add_test(tc, test_all_quorums_decrypt);
	tcase_add_test(tc, test_two_shares_not_enough);
	tcase_add_test(tc, test_corrupted_share_names_sender);
	tcase_add_test(tc, test_wrong_value_share_bad_share);
	tcase_add_test(tc, test_replayed_part_refused);
	tcase_add_test(tc, test_ceremony_id);
	tcase_add_test(tc, test_transcript_signatures);
	tcase_add_test(tc, test_fingerprint);
	tcase_add_test(tc, test_lagrange);
	tcase_add_test(tc, test_partial_dleq);
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_public_flip_every_byte);
	tcase_add_test(tc, test_transcript_tamper);
	tcase_add_test(tc, test_state_and_secret_roundtrip);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
