/* check_mixnet.c: the write-in mix-net of a vote (lib/mixnet.c,
 * docs/record/mixnet.md §7) over a real record's write-in list: k honest
 * steps verify, keep every tuple and change the order; the shares over the
 * last list touch no ballot's ciphertext (the old leak decrypted the
 * ballots' own points); a cheating mixer that drops, duplicates or alters
 * one tuple, or that resubmits another mixer's output, is refused even
 * with a valid authentication; every step check has its code. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ceremony.h"
#include "count.h"
#include "err.h"
#include "group.h"
#include "mixnet.h"
#include "recordgen.h"
#include "testutil.h"
#include "writein.h"

static char dir[] = "/tmp/check_mixnet-XXXXXX";
static struct recordgen *G;

static void
setup(void)
{
	struct rg_opts o;
	char path[600];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/good.log", dir);
	rg_opts_default(&o);
	ck_assert_int_eq(rg_build(&G, &o, path), 0);
	ck_assert_uint_gt(G->nitems, 0);
}

static void
teardown(void)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/good.log", dir);
	unlink(path);
	rmdir(dir);
	rg_free(G);
}

static void
mx_new(struct mixnet *mx)
{
	ck_assert_int_eq(mixnet_init(mx, G->items, G->nitems, G->m, G->K,
	    G->he, G->tr), 0);
	ck_assert_uint_eq(mx->cur.n, G->nitems / G->m->nwriteins);
	ck_assert_uint_eq(mx->cur.w, G->m->nwriteins * COUNT_ITEM_CTS);
}

/* Plaintext of ciphertext i of l, with the joint secret (k shares
 * combined): the point b - s a, encoded (infinity as 33 zero bytes). */
static void
plain(uint8_t out[33], const struct mix_list *l, size_t i, const BIGNUM *s)
{
	EC_POINT *P = group_point_new();

	ck_assert_int_eq(group_mul(P, l->ct[i].a, s), 0);
	ck_assert_int_eq(group_sub(P, l->ct[i].b, P), 0);
	memset(out, 0, 33);
	if (!group_point_is_infinity(P))
		ck_assert_int_eq(group_point_encode(out, P), 0);
	group_point_free(P);
}

/* The joint secret from trustees 1..k (tests only). */
static BIGNUM *
joint_secret(void)
{
	uint32_t set[3] = { 1, 2, 3 };
	BIGNUM *s = group_scalar_new(), *lam = BN_new(), *t = group_scalar_new();
	size_t i;

	BN_zero(s);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(ceremony_lagrange(lam, set[i], set, 3), 0);
		ck_assert_int_eq(group_scalar_mul(t, lam, G->s[set[i]]), 0);
		ck_assert_int_eq(group_scalar_add(s, s, t), 0);
	}
	BN_free(lam);
	group_scalar_free(t);
	return s;
}

static int
cmp_tuple(const void *x, const void *y, void *w)
{
	return memcmp(x, y, *(size_t *)w * 33);
}

/* The tuples of l as plaintext rows, sorted (a multiset). */
static uint8_t *
rows(const struct mix_list *l, const BIGNUM *s, int sort)
{
	uint8_t *r = malloc(l->n * l->w * 33);
	size_t i, w = l->w;

	for (i = 0; i < l->n * l->w; i++)
		plain(r + 33 * i, l, i, s);
	if (sort)
		qsort_r(r, l->n, w * 33, cmp_tuple, &w);
	return r;
}

/* k honest steps: each verifies against the list before it; the plaintext
 * tuples are the ballots' (as a multiset) in another order; the shares
 * cover the last list only, and no ciphertext point of it is a ballot's. */
START_TEST(test_honest_unlinked)
{
	struct mixnet mx, chk;
	Tally__Shuffle sh[3];
	struct mix_list out, o2;
	BIGNUM *s = joint_secret();
	struct count_input in;
	Tally__DecryptionShare *share;
	uint8_t *before, *after, *before_s, *after_s;
	size_t i, j, bytes;
	uint32_t t;

	mx_new(&mx);
	mx_new(&chk);
	before = rows(&mx.cur, s, 0);
	before_s = rows(&mx.cur, s, 1);
	for (t = 1; t <= 3; t++) {
		ck_assert_int_eq(mixnet_make(&sh[t - 1], &out, &mx, t,
		    G->s[t]), 0);
		ck_assert_uint_eq(sh[t - 1].step, t - 1);
		/* the next mixer's (and verify's) check of this step */
		ck_assert_int_eq(mixnet_step_verify(&o2, &chk, &sh[t - 1], NULL),
		    0);
		ck_assert_int_eq(mixnet_apply(&chk, &sh[t - 1], &o2), 0);
		ck_assert_int_eq(mixnet_apply(&mx, &sh[t - 1], &out), 0);
	}
	ck_assert_ptr_eq(mixnet_output(&mx), &mx.cur);
	ck_assert_mem_eq(chk.cur.enc, mx.cur.enc,
	    mx.cur.n * mx.cur.w * SHUFFLE_CT_LEN);
	after = rows(&mx.cur, s, 0);
	after_s = rows(&mx.cur, s, 1);
	bytes = mx.cur.n * mx.cur.w * 33;
	ck_assert_mem_eq(before_s, after_s, bytes);	/* same tuples */
	ck_assert(memcmp(before, after, bytes) != 0);	/* other order */
	/* no ciphertext point of the last list is one of the ballots' */
	for (i = 0; i < mx.cur.n * mx.cur.w; i++)
		for (j = 0; j < G->nitems * COUNT_ITEM_CTS; j++) {
			ck_assert(memcmp(mx.cur.enc + i * SHUFFLE_CT_LEN,
			    G->items[j / COUNT_ITEM_CTS].ct[j % COUNT_ITEM_CTS],
			    33) != 0);
			ck_assert(memcmp(mx.cur.enc + i * SHUFFLE_CT_LEN + 33,
			    G->items[j / COUNT_ITEM_CTS].ct[j % COUNT_ITEM_CTS] +
			    33, 33) != 0);
		}
	/* a share over the mixed list decrypts the mixed points only */
	memset(&in, 0, sizeof(in));
	in.m = G->m;
	in.tr = G->tr;
	in.election_hash = G->he;
	in.agg = G->agg_msg;
	in.items = G->items;
	in.nitems = G->nitems;
	in.mixed = mixnet_output(&mx);
	ck_assert_int_eq(count_share_make(&share, &in, 1, G->s[1]), 0);
	ck_assert_int_eq(count_share_verify(&in, share, NULL), 0);
	in.mixed = NULL;	/* not a share of the ballots' list */
	ck_assert_int_eq(count_share_verify(&in, share, NULL),
	    TALLY_ERR_BAD_PROOF);
	count_share_free(share);
	/* a fourth mixer may still mix; the first may not mix again */
	mixnet_shuffle_clear(&sh[0]);
	ck_assert_int_eq(mixnet_make(&sh[0], &out, &mx, 1, G->s[1]),
	    TALLY_ERR_MIX_DUP);
	for (t = 0; t < 3; t++)
		mixnet_shuffle_clear(&sh[t]);
	free(before);
	free(after);
	free(before_s);
	free(after_s);
	group_scalar_free(s);
	mixnet_clear(&mx);
	mixnet_clear(&chk);
}
END_TEST


/* The old leak, tried on what a record publishes after the mix-net: the k
 * shares of the last list, combined, applied to each ballot's own write-in
 * ciphertexts (what the shares of record version 2 allowed: entry j was
 * ballot j's). It links nothing: no ballot's mark opens to 0 or 1 and no
 * ballot's name points open to a name, while the mixed list opens to every
 * name cast. */
START_TEST(test_old_leak_fails)
{
	static const uint32_t set[3] = { 1, 2, 3 };
	struct mixnet mx;
	Tally__Shuffle sh;
	Tally__DecryptionShare *share[3];
	struct count_input in;
	struct mix_list out;
	EC_POINT *D = group_point_new(), *P[2], *B = group_point_new();
	EC_POINT *T = group_point_new();
	BIGNUM *lam[3];
	char name[WRITEIN_NAME_MAX + 1];
	size_t i, j, e, nct, linked = 0, names = 0, tried = 0;
	uint32_t t;

	P[0] = group_point_new();
	P[1] = group_point_new();
	mx_new(&mx);
	for (t = 1; t <= 3; t++) {
		ck_assert_int_eq(mixnet_make(&sh, &out, &mx, t, G->s[t]), 0);
		ck_assert_int_eq(mixnet_apply(&mx, &sh, &out), 0);
		mixnet_shuffle_clear(&sh);
	}
	memset(&in, 0, sizeof(in));
	in.m = G->m;
	in.tr = G->tr;
	in.election_hash = G->he;
	in.agg = G->agg_msg;
	in.items = G->items;
	in.nitems = G->nitems;
	in.mixed = mixnet_output(&mx);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(count_share_make(&share[i], &in, set[i],
		    G->s[set[i]]), 0);
		lam[i] = BN_new();
		ck_assert_int_eq(ceremony_lagrange(lam[i], set[i], set, 3), 0);
	}
	nct = G->nitems * COUNT_ITEM_CTS;
	/* D_j = sum lambda_t share_t[j], the published decryption of a_j */
#define COMBINE(j) do {							\
		ck_assert_int_eq(group_point_copy(D, group_generator()), 0); \
		ck_assert_int_eq(group_sub(D, D, D), 0);		\
		for (i = 0; i < 3; i++) {				\
			ck_assert_int_eq(group_point_decode(T,		\
			    share[i]->writeins[j].data, 33), 0);	\
			ck_assert_int_eq(group_mul(T, T, lam[i]), 0);	\
			ck_assert_int_eq(group_add(D, D, T), 0);	\
		}							\
	} while (0)
	for (j = 0; j < nct; j += COUNT_ITEM_CTS) {
		/* the old reading: ballot j's own ciphertexts */
		ck_assert_int_eq(group_point_decode(B,
		    G->items[j / COUNT_ITEM_CTS].ct[0] + 33, 33), 0);
		COMBINE(j);
		ck_assert_int_eq(group_sub(T, B, D), 0);
		if (group_point_is_infinity(T) ||
		    group_point_equal(T, group_generator()))
			linked++;
		for (e = 0; e < 2; e++) {
			ck_assert_int_eq(group_point_decode(B,
			    G->items[j / COUNT_ITEM_CTS].ct[1 + e] + 33, 33), 0);
			COMBINE(j + 1 + e);
			ck_assert_int_eq(group_sub(P[e], B, D), 0);
		}
		if (writein_name_decode(name, (const EC_POINT *const *)P) == 0)
			linked++;
		tried++;
		/* the reading of record version 3: the mixed list */
		ck_assert_int_eq(group_point_decode(B,
		    mx.cur.enc + j * SHUFFLE_CT_LEN + 33, 33), 0);
		COMBINE(j);
		ck_assert_int_eq(group_sub(T, B, D), 0);
		ck_assert(group_point_is_infinity(T) ||
		    group_point_equal(T, group_generator()));
		for (e = 0; e < 2; e++) {
			ck_assert_int_eq(group_point_decode(B, mx.cur.enc +
			    (j + 1 + e) * SHUFFLE_CT_LEN + 33, 33), 0);
			COMBINE(j + 1 + e);
			ck_assert_int_eq(group_sub(P[e], B, D), 0);
		}
		if (!group_point_is_infinity(T) &&
		    writein_name_decode(name, (const EC_POINT *const *)P) == 0 &&
		    name[0] != '\0')
			names++;
	}
#undef COMBINE
	ck_assert_uint_eq(tried, G->nitems);
	ck_assert_uint_eq(linked, 0);
	ck_assert_uint_gt(names, 0);
	for (i = 0; i < 3; i++) {
		count_share_free(share[i]);
		BN_free(lam[i]);
	}
	group_point_free(D);
	group_point_free(B);
	group_point_free(T);
	group_point_free(P[0]);
	group_point_free(P[1]);
	mixnet_clear(&mx);
}
END_TEST

enum cheat { C_DROP, C_DUPLICATE, C_ALTER };

/* A mixer that re-encrypts and permutes honestly, then changes the output
 * (drops tuple 0 for a fresh encryption of a name, duplicates tuple 1 over
 * tuple 0, or adds G to one mark), proves with the honest permutation and
 * randomness, and authenticates the result with its own secret share. */
static void
cheat_step(Tally__Shuffle *sh, const struct mixnet *mx, uint32_t mixer,
    enum cheat how)
{
	size_t n = mx->cur.n, w = mx->cur.w, i, k, len;
	uint32_t *perm = calloc(n, sizeof(*perm));
	BIGNUM **rho = calloc(n * w, sizeof(*rho)), *r = group_scalar_new();
	struct mix_list out;
	struct proof_bind b;
	uint8_t subj[36];
	EC_POINT *X = group_point_new();

	for (i = 0; i < n; i++)
		perm[i] = (uint32_t)((i + 1) % n);
	ck_assert_int_eq(mix_list_init(&out, n, w), 0);
	for (i = 0; i < n; i++)
		for (k = 0; k < w; k++) {
			rho[i * w + k] = group_scalar_new();
			ck_assert_int_eq(group_scalar_random(rho[i * w + k]), 0);
			ck_assert_int_eq(elgamal_reencrypt(&out.ct[i * w + k],
			    &mx->cur.ct[perm[i] * w + k], mx->K,
			    rho[i * w + k]), 0);
		}
	switch (how) {
	case C_DROP:	/* tuple 0 replaced: a name nobody cast */
		for (k = 0; k < w; k++)
			ck_assert_int_eq(elgamal_encrypt(&out.ct[k], r, mx->K,
			    k == 0), 0);
		break;
	case C_DUPLICATE:	/* tuple 1 twice, tuple 0 gone */
		for (k = 0; k < w; k++)
			ck_assert_int_eq(elgamal_reencrypt(&out.ct[k],
			    &out.ct[w + k], mx->K, rho[k]), 0);
		break;
	case C_ALTER:		/* one mark plus one */
		ck_assert_int_eq(group_add(out.ct[0].b, out.ct[0].b,
		    group_generator()), 0);
		break;
	}
	ck_assert_int_eq(mix_list_encode(&out), 0);
	tally__shuffle__init(sh);
	sh->mixer = mixer;
	sh->step = mx->steps;
	len = n * w * SHUFFLE_CT_LEN;
	sh->list.data = malloc(len);
	sh->list.len = len;
	memcpy(sh->list.data, out.enc, len);
	sh->proof = calloc(1, sizeof(*sh->proof));
	tally__shuffle_proof__init(sh->proof);
	mixnet_bind(&b, subj, G->he, mixer, sh->step);
	ck_assert_int_eq(shuffle_prove(sh->proof, &mx->cur, &out, mx->K, &b,
	    perm, rho), 0);
	sh->auth = calloc(1, sizeof(*sh->auth));
	tally__schnorr_proof__init(sh->auth);
	ck_assert_int_eq(ceremony_public_share(X, G->tr, mixer), 0);
	ck_assert_int_eq(mixnet_auth_bind(&b, subj, G->he, sh), 0);
	ck_assert_int_eq(schnorr_prove(sh->auth, G->s[mixer], X, &b), 0);
	for (i = 0; i < n * w; i++)
		group_scalar_free(rho[i]);
	free(rho);
	free(perm);
	group_scalar_free(r);
	group_point_free(X);
	mix_list_clear(&out);
}

/* Each cheat at step 1 (after an honest step 0) is refused by the next
 * mixer's and verify's check, naming the proof. */
START_TEST(test_cheating_mixer)
{
	static const enum cheat how[] = { C_DROP, C_DUPLICATE, C_ALTER };
	struct mixnet mx;
	Tally__Shuffle sh0, sh;
	struct mix_list out;
	size_t i;
	int why;

	mx_new(&mx);
	ck_assert_int_eq(mixnet_make(&sh0, &out, &mx, 4, G->s[4]), 0);
	ck_assert_int_eq(mixnet_apply(&mx, &sh0, &out), 0);
	for (i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		cheat_step(&sh, &mx, 2, how[i]);
		ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, &why),
		    TALLY_ERR_BAD_SHUFFLE);
		ck_assert_int_eq(why, TALLY_ERR_BAD_PROOF);
		ck_assert_ptr_null(out.ct);
		mixnet_shuffle_clear(&sh);
	}
	mixnet_shuffle_clear(&sh0);
	mixnet_clear(&mx);
}
END_TEST

/* Mixer 2 resubmits mixer 1's step (list and proof) as its own step 1,
 * with its own valid authentication: the proof is bound to mixer 1, step
 * 0, and to the list before it, so it is refused. */
START_TEST(test_reused_output)
{
	struct mixnet mx;
	Tally__Shuffle sh0, copy;
	struct mix_list out;
	struct proof_bind b;
	uint8_t subj[36];
	EC_POINT *X = group_point_new();
	int why;

	mx_new(&mx);
	ck_assert_int_eq(mixnet_make(&sh0, &out, &mx, 1, G->s[1]), 0);
	ck_assert_int_eq(mixnet_apply(&mx, &sh0, &out), 0);
	copy = sh0;
	copy.mixer = 2;
	copy.step = 1;
	copy.auth = calloc(1, sizeof(*copy.auth));
	tally__schnorr_proof__init(copy.auth);
	ck_assert_int_eq(ceremony_public_share(X, G->tr, 2), 0);
	ck_assert_int_eq(mixnet_auth_bind(&b, subj, G->he, &copy), 0);
	ck_assert_int_eq(schnorr_prove(copy.auth, G->s[2], X, &b), 0);
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &copy, &why),
	    TALLY_ERR_BAD_SHUFFLE);
	ck_assert_int_eq(why, TALLY_ERR_BAD_PROOF);
	schnorr_clear(copy.auth);
	free(copy.auth);
	group_point_free(X);
	mixnet_shuffle_clear(&sh0);
	mixnet_clear(&mx);
}
END_TEST

/* Every step check, in order, with its code. */
START_TEST(test_step_checks)
{
	struct mixnet mx, empty;
	Tally__Shuffle sh;
	struct mix_list out;
	uint8_t keep;
	int why;

	mx_new(&mx);
	ck_assert_ptr_null(mixnet_output(&mx));
	/* no list: nothing to mix */
	ck_assert_int_eq(mixnet_init(&empty, NULL, 0, G->m, G->K, G->he,
	    G->tr), 0);
	tally__shuffle__init(&sh);
	ck_assert_int_eq(mixnet_step_verify(&out, &empty, &sh, NULL),
	    TALLY_ERR_MIX_STATE);
	ck_assert_int_eq(mixnet_make(&sh, &out, &empty, 2, G->s[2]),
	    TALLY_ERR_MIX_STATE);
	ck_assert_int_eq(mixnet_make(&sh, &out, &mx, 2, G->s[2]), 0);
	mix_list_clear(&out);
	/* another step */
	sh.step = 1;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL),
	    TALLY_ERR_MIX_STALE);
	sh.step = 0;
	/* no such scrutineer; another scrutineer's name */
	sh.mixer = 6;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL),
	    TALLY_ERR_BAD_SHUFFLE);
	sh.mixer = 3;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, &why),
	    TALLY_ERR_BAD_SHUFFLE);
	ck_assert_int_eq(why, TALLY_ERR_BAD_PROOF);
	sh.mixer = 2;
	/* a list one byte short, a point off the curve, a changed list */
	sh.list.len--;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL),
	    TALLY_ERR_BAD_SHUFFLE);
	sh.list.len++;
	/* one trailing byte */
	ck_assert_ptr_nonnull(sh.list.data = realloc(sh.list.data,
	    sh.list.len + 1));
	sh.list.data[sh.list.len++] = 0;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL),
	    TALLY_ERR_BAD_SHUFFLE);
	sh.list.len--;
	/* no proof, no authentication */
	{
		Tally__ShuffleProof *p = sh.proof;
		Tally__SchnorrProof *a = sh.auth;

		sh.proof = NULL;
		ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL),
		    TALLY_ERR_BAD_SHUFFLE);
		sh.proof = p;
		sh.auth = NULL;
		ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL),
		    TALLY_ERR_BAD_SHUFFLE);
		sh.auth = a;
	}
	keep = sh.list.data[0];
	sh.list.data[0] = 0x04;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, &why),
	    TALLY_ERR_BAD_SHUFFLE);
	ck_assert_int_eq(why, TALLY_ERR_BAD_PROOF);	/* auth over the list */
	sh.list.data[0] = keep;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL), 0);
	ck_assert_int_eq(mixnet_apply(&mx, &sh, &out), 0);
	/* the same scrutineer again */
	sh.step = 1;
	ck_assert_int_eq(mixnet_step_verify(&out, &mx, &sh, NULL),
	    TALLY_ERR_MIX_DUP);
	ck_assert_int_eq(mixnet_apply(&mx, &sh, NULL), TALLY_ERR_MIX_DUP);
	mixnet_shuffle_clear(&sh);
	mixnet_clear(&mx);
	mixnet_clear(&empty);
}
END_TEST

START_TEST(test_wrong_secret)
{
	struct mixnet mx;
	Tally__Shuffle sh;
	struct mix_list out;

	mx_new(&mx);
	ck_assert_int_eq(mixnet_make(&sh, &out, &mx, 2, G->s[3]),
	    TALLY_ERR_BAD_SHARE);
	ck_assert_ptr_null(sh.proof);
	ck_assert_ptr_null(out.ct);
	mixnet_clear(&mx);
}
END_TEST

/* ------------------------------------------------- known answers */

static void
kg(uint8_t out[33], uint64_t k)
{
	EC_POINT *p = group_point_new();

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(group_mul_g_u64(p, k), 0);
	ck_assert_int_eq(group_point_encode(out, p), 0);
	group_point_free(p);
}

/* docs/record/mixnet.md §7, step 5: the bind of a mixer's authentication
 * and its Schnorr challenge, computed independently (Python hashlib and
 * affine P-256 arithmetic). H_E = 00 01 .. 1f, mixer 2, step 1, list = one
 * tuple of two ciphertexts (1G, 2G), (3G, 4G); X = 5G, t = 6G. */
#define AUTH_LIST_VECTOR \
	"7ef9f5c4eca918d0fb94b28ec5505e3d9d82a80c77512c2bb47d94c996f39af0"
#define AUTH_C_VECTOR \
	"a0c6a0bb6b3eeb7d6f8860559add6ceb78fdddf3e9d39a079be18225be6908a7"

START_TEST(test_auth_vectors)
{
	Tally__Shuffle sh = TALLY__SHUFFLE__INIT;
	struct proof_bind b;
	uint8_t he[32], list[4 * 33], subj[36], X[33], t[33], enc[32];
	uint8_t *want;
	size_t i, len;
	BIGNUM *c = BN_new(), *w = BN_new();

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(w);
	for (i = 0; i < 32; i++)
		he[i] = (uint8_t)i;
	for (i = 0; i < 4; i++)
		kg(list + 33 * i, i + 1);
	kg(X, 5);
	kg(t, 6);
	sh.mixer = 2;
	sh.step = 1;
	sh.list.data = list;
	sh.list.len = sizeof(list);
	ck_assert_int_eq(mixnet_auth_bind(&b, subj, he, &sh), 0);
	ck_assert_ptr_eq(b.subject, subj);
	ck_assert_uint_eq(b.subject_len, 36);
	ck_assert_uint_eq(b.kind, PROOF_SHUFFLE);
	ck_assert_uint_eq(b.contest, 1);
	ck_assert_uint_eq(b.index, 1);
	ck_assert_mem_eq(subj, "\0\0\0\2", 4);
	want = tu_unhex(AUTH_LIST_VECTOR, &len);
	ck_assert_uint_eq(len, 32);
	ck_assert_mem_eq(subj + 4, want, 32);
	free(want);

	ck_assert_int_eq(schnorr_challenge(c, &b, X, t), 0);
	ck_assert_int_eq(group_scalar_encode(enc, c), 0);
	want = tu_unhex(AUTH_C_VECTOR, &len);
	ck_assert_mem_eq(enc, want, 32);
	free(want);

	/* one byte of the list, the mixer or the step moves the challenge */
	list[40] ^= 1;
	ck_assert_int_eq(mixnet_auth_bind(&b, subj, he, &sh), 0);
	ck_assert_int_eq(schnorr_challenge(w, &b, X, t), 0);
	ck_assert(BN_cmp(c, w) != 0);
	list[40] ^= 1;
	sh.mixer = 3;
	ck_assert_int_eq(mixnet_auth_bind(&b, subj, he, &sh), 0);
	ck_assert_int_eq(schnorr_challenge(w, &b, X, t), 0);
	ck_assert(BN_cmp(c, w) != 0);
	sh.mixer = 2;
	sh.step = 2;
	ck_assert_int_eq(mixnet_auth_bind(&b, subj, he, &sh), 0);
	ck_assert_int_eq(schnorr_challenge(w, &b, X, t), 0);
	ck_assert(BN_cmp(c, w) != 0);
	sh.step = 1;
	ck_assert_int_eq(mixnet_auth_bind(&b, subj, he, &sh), 0);
	ck_assert_int_eq(schnorr_challenge(w, &b, X, t), 0);
	ck_assert(BN_cmp(c, w) == 0);
	BN_free(c);
	BN_free(w);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mixnet");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_honest_unlinked);
	tcase_add_test(tc, test_old_leak_fails);
	tcase_add_test(tc, test_cheating_mixer);
	tcase_add_test(tc, test_reused_output);
	tcase_add_test(tc, test_step_checks);
	tcase_add_test(tc, test_wrong_secret);
	suite_add_tcase(s, tc);
	tc = tcase_create("vectors");
	tcase_add_test(tc, test_auth_vectors);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
