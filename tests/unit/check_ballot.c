/* check_ballot.c: ballot encryption and verification: roundtrip, refusals of
 * impossible choices, tamper evidence of every field, proofs that cannot move
 * to another credential, selection or election, strict decoding, batches. */
#include <stdlib.h>
#include <string.h>

#include "ballot.h"
#include "err.h"
#include "group.h"
#include "manifest.h"
#include "pb.h"
#include "sign.h"
#include "testutil.h"
#include "util.h"
#include "votectx.h"
#include "writein.h"

#define NCRED 4

static struct manifest *m;
static BIGNUM *secret;
static EC_POINT *K;
static uint8_t sk[NCRED][32], pk[NCRED][32], registry[NCRED * 32];
static struct ballot_ctx ctx;

static const char *choices =
    "{ \"head\": { \"for\": [\"c1\"] },"
    "  \"projects\": { \"approve\": [\"p01\", \"p03\", \"p15\"] },"
    "  \"budget\": { \"against\": [\"budget\"] } }";

/* A one-trustee transcript is enough for H_E here. */
static void
election_hash(uint8_t out[32])
{
	Tally__CeremonyTranscript tr = TALLY__CEREMONY_TRANSCRIPT__INIT;
	Tally__VoteCreated vc = TALLY__VOTE_CREATED__INIT;
	uint8_t kenc[33], ledger[32] = {1};
	ProtobufCBinaryData shares[1], keys[NCRED];
	size_t i;

	ck_assert_int_eq(group_point_encode(kenc, K), 0);
	tr.trustees = 1;
	tr.quorum = 1;
	tr.joint_key.data = kenc;
	tr.joint_key.len = 33;
	shares[0] = tr.joint_key;
	tr.n_public_shares = 1;
	tr.public_shares = shares;
	for (i = 0; i < NCRED; i++)
		keys[i] = (ProtobufCBinaryData){32, registry + 32 * i};
	vc.vote_id = "s6-session";
	vc.manifest = (ProtobufCBinaryData){2, (uint8_t *)"{}"};
	vc.transcript = &tr;
	vc.n_registry = NCRED;
	vc.registry = keys;
	vc.ledger_key = (ProtobufCBinaryData){32, ledger};
	ck_assert_int_eq(vote_election_hash(out, &vc), 0);
}

static void
setup(void)
{
	m = tu_load_manifest("session.json");
	tu_ballot_fixture(&ctx, m, &secret, &K, sk, pk, registry, NCRED);
	election_hash(ctx.election_hash);
}

static void
teardown(void)
{
	manifest_free(m);
	group_scalar_free(secret);
	group_point_free(K);
}

static uint8_t *
make_marks(const char *json, char ***names)
{
	uint8_t *marks = calloc(m->nsel + 1, 1);
	char err[256];

	ck_assert_int_eq(manifest_choices(m, (const uint8_t *)json,
	    strlen(json), marks, names, err, sizeof(err)), 0);
	return marks;
}

static uint8_t *
make_ballot(int cred, const char *json, size_t *len)
{
	char **names = NULL;
	uint8_t *marks = make_marks(json, &names), *out;

	ck_assert_int_eq(ballot_encrypt(&out, len, &ctx, sk[cred], marks,
	    names), 0);
	manifest_writein_names_free(m, names);
	free(marks);
	return out;
}

START_TEST(test_roundtrip)
{
	struct ballot_info info;
	uint8_t *b, *marks;
	size_t len, i;
	char **names = NULL;
	EC_POINT *p = group_point_new();
	uint64_t v;

	b = make_ballot(0, choices, &len);
	marks = make_marks(choices, &names);
	ck_assert_int_eq(ballot_verify_bytes(b, len, &ctx, BALLOT_CHECK_ALL,
	    NULL, &info), 0);
	ck_assert_uint_eq(info.nsel, m->nsel);
	ck_assert_uint_eq(info.nwriteins, m->nwriteins);
	ck_assert_mem_eq(info.credential, pk[0], 32);
	for (i = 0; i < m->nsel; i++) {
		ck_assert_int_eq(elgamal_decrypt_point(p, &info.sel[i], secret), 0);
		v = group_point_is_infinity(p) ? 0 : 1;
		if (v == 1)
			ck_assert(group_point_equal(p, group_generator()));
		ck_assert_uint_eq(v, marks[i]);
	}
	ballot_info_clear(&info);
	ballot_info_clear(&info); /* idempotent */
	manifest_writein_names_free(m, names);
	free(marks);
	free(b);
	group_point_free(p);
}
END_TEST

/* With the fixed-base tables (the default) and without (ctx.plain, OpenSSL
 * only) the terminal makes ballots that verify, decrypt to the marks, and
 * whose returned randomness opens each ciphertext (a = rG) and each
 * write-in (its name, as returned, with its randomness). */
START_TEST(test_tables_and_plain)
{
	static const char *const sets[] = {
		"{}",
		"{\"head\":{\"for\":[\"c1\"]},\"projects\":{\"approve\":"
		    "[\"p01\",\"p03\",\"p05\"]},\"budget\":{\"against\":"
		    "[\"budget\"]}}",
		"{\"head\":{\"writein\":[\" \u674e\u56db \"]},\"projects\":"
		    "{\"approve\":[\"p02\"]}}",
		NULL,
	};
	ProtobufCBinaryData wr[WRITEIN_POINTS];
	Tally__BallotBody *body;
	Tally__Ballot *bal;
	size_t j;
	struct ballot_secrets sec;
	struct ballot_info info;
	EC_POINT *p = group_point_new();
	BIGNUM *r = group_scalar_new();
	uint8_t *b, *marks;
	char **names = NULL;
	size_t len, i, c;
	int plain;

	for (c = 0; c < 4; c++) {
		const char *json = sets[c] != NULL ? sets[c] : choices;

		marks = make_marks(json, &names);
		for (plain = 0; plain < 2; plain++) {
			ctx.plain = plain;
			ck_assert_int_eq(ballot_encrypt_open(&b, &len, &ctx,
			    sk[1], marks, names, &sec), 0);
			ck_assert_int_eq(ballot_verify_bytes(b, len, &ctx,
			    BALLOT_CHECK_ALL, NULL, &info), 0);
			for (i = 0; i < m->nsel; i++) {
				ck_assert_int_eq(elgamal_decrypt_point(p,
				    &info.sel[i], secret), 0);
				ck_assert_int_eq(!group_point_is_infinity(p),
				    marks[i]);
				ck_assert_int_eq(group_scalar_decode(r,
				    sec.r[i], 32), 0);
				ck_assert_int_eq(group_mul_g(p, r), 0);
				ck_assert(group_point_equal(p, info.sel[i].a));
			}
			bal = tally__ballot__unpack(NULL, len, b);
			ck_assert_ptr_nonnull(bal);
			body = tally__ballot_body__unpack(NULL,
			    bal->body.len, bal->body.data);
			ck_assert_ptr_nonnull(body);
			for (i = 0; i < m->nwriteins; i++) {
				for (j = 0; j < WRITEIN_POINTS; j++) {
					wr[j].data = sec.wr[WRITEIN_POINTS * i +
					    j];
					wr[j].len = 32;
				}
				ck_assert_str_eq(sec.names[i], names != NULL &&
				    names[i] != NULL ? "\u674e\u56db" : "");
				ck_assert_int_eq(writein_reveal_check(
				    body->writeins[i], ctx.joint_key, wr,
				    sec.names[i]), 0);
				ck_assert_int_eq(writein_reveal_check(
				    body->writeins[i], ctx.joint_key, wr,
				    "x"), TALLY_ERR_REVEAL);
			}
			tally__ballot_body__free_unpacked(body, NULL);
			tally__ballot__free_unpacked(bal, NULL);
			ballot_info_clear(&info);
			ballot_secrets_clear(&sec);
			free(b);
		}
		ctx.plain = 0;
		manifest_writein_names_free(m, names);
		names = NULL;
		free(marks);
	}
	group_scalar_free(r);
	group_point_free(p);
}
END_TEST

START_TEST(test_refuses_impossible_marks)
{
	uint8_t *marks = calloc(m->nsel, 1), *out = NULL;
	size_t len;

	/* for and against the same candidate */
	marks[0] = 1;
	marks[1] = 1;
	ck_assert_int_eq(ballot_encrypt(&out, &len, &ctx, sk[0], marks, NULL),
	    TALLY_ERR_BAD_CHOICE);
	ck_assert_ptr_null(out);
	/* a mark of 2 */
	marks[1] = 0;
	marks[0] = 2;
	ck_assert_int_eq(ballot_encrypt(&out, &len, &ctx, sk[0], marks, NULL),
	    TALLY_ERR_BAD_CHOICE);
	free(marks);
}
END_TEST

/* Any flipped byte of the signed ballot is refused (the signature or the
 * decoder catches it), and nothing is accepted. */
START_TEST(test_flip_every_byte)
{
	uint8_t *b;
	size_t len, i;

	b = make_ballot(1, choices, &len);
	for (i = 0; i < len; i++) {
		b[i] ^= 0x01;
		ck_assert_msg(ballot_verify_bytes(b, len, &ctx,
		    BALLOT_CHECK_ALL, NULL, NULL) != 0, "byte %zu", i);
		b[i] ^= 0x01;
	}
	ck_assert_int_eq(ballot_verify_bytes(b, len, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), 0);
	free(b);
}
END_TEST

typedef void (*mutate_fn)(Tally__BallotBody *body, void *arg);

/* Unpack, mutate the body, re-sign with credential signer: what a voter
 * could do to their own ballot. Returns the new serialized ballot. */
static uint8_t *
resign(const uint8_t *p, size_t len, int signer, mutate_fn fn, void *arg,
    size_t *outlen)
{
	Tally__Ballot *b = tally__ballot__unpack(NULL, len, p);
	Tally__BallotBody *body;
	uint8_t sig[64], *nb, *out;
	size_t nlen;

	ck_assert_ptr_nonnull(b);
	body = tally__ballot_body__unpack(NULL, b->body.len, b->body.data);
	ck_assert_ptr_nonnull(body);
	fn(body, arg);
	nlen = tally__ballot_body__get_packed_size(body);
	nb = calloc(1, nlen);
	tally__ballot_body__pack(body, nb);
	ck_assert_int_eq(ed25519_sign(sig, sk[signer], nb, nlen), 0);
	free(b->body.data);
	b->body.data = nb;
	b->body.len = nlen;
	memcpy(b->signature.data, sig, 64);
	*outlen = tally__ballot__get_packed_size(b);
	out = calloc(1, *outlen);
	tally__ballot__pack(b, out);
	tally__ballot_body__free_unpacked(body, NULL);
	tally__ballot__free_unpacked(b, NULL);
	return out;
}

struct flip {
	size_t field; /* which field list, see flip_field */
	size_t item, elem, byte;
	int done;
};

static ProtobufCBinaryData *
flip_target(Tally__BallotBody *body, struct flip *f)
{
	Tally__RangeProof *rp;
	Tally__WriteIn *w;

	switch (f->field) {
	case 0:
		if (f->item >= body->n_selections)
			return NULL;
		return f->elem == 0 ? &body->selections[f->item]->a
				    : f->elem == 1 ? &body->selections[f->item]->b
						   : NULL;
	case 1:
	case 2:
		if (f->field == 1 && f->item >= body->n_selection_proofs)
			return NULL;
		if (f->field == 2 && f->item >= body->n_constraint_proofs)
			return NULL;
		rp = f->field == 1 ? body->selection_proofs[f->item]
				   : body->constraint_proofs[f->item];
		if (f->elem < rp->n_t)
			return &rp->t[f->elem];
		if (f->elem < 2 * rp->n_t)
			return &rp->u[f->elem - rp->n_t];
		if (f->elem < 3 * rp->n_t)
			return &rp->c[f->elem - 2 * rp->n_t];
		if (f->elem < 4 * rp->n_t)
			return &rp->v[f->elem - 3 * rp->n_t];
		return NULL;
	case 3:
		if (f->item >= body->n_writeins)
			return NULL;
		/* a, b, proof t, proof v of each name point; b is in
		 * the proof's bind */
		w = body->writeins[f->item];
		if (f->elem >= 4 * w->n_name)
			return NULL;
		switch (f->elem % 4) {
		case 0:
			return &w->name[f->elem / 4]->a;
		case 1:
			return &w->name[f->elem / 4]->b;
		case 2:
			return &w->pok[f->elem / 4]->t;
		default:
			return &w->pok[f->elem / 4]->v;
		}
	}
	return NULL;
}

static void
flip_one(Tally__BallotBody *body, void *arg)
{
	struct flip *f = arg;
	ProtobufCBinaryData *d = flip_target(body, f);

	f->done = 0;
	if (d == NULL || f->byte >= d->len)
		return;
	d->data[f->byte] ^= 0x80;
	f->done = 1;
}

/* A voter who alters any proven field of their own ballot and signs it again
 * is still refused: by the point decoder or by the proofs. Every byte of every
 * point and scalar of every ciphertext, proof and write-in KEM is tried. */
START_TEST(test_resigned_field_flips)
{
	uint8_t *b, *nb;
	size_t len, nlen, tried = 0;
	struct flip f;
	int ret;

	b = make_ballot(2, choices, &len);
	for (f.field = 0; f.field < 4; f.field++) {
		for (f.item = 0;; f.item++) {
			int any_elem = 0;

			for (f.elem = 0;; f.elem++) {
				int any_byte = 0;

				for (f.byte = 0;; f.byte += 7) {
					nb = resign(b, len, 2, flip_one, &f, &nlen);
					if (!f.done) {
						free(nb);
						break;
					}
					any_byte = 1;
					ret = ballot_verify_bytes(nb, nlen, &ctx,
					    BALLOT_CHECK_ALL, NULL, NULL);
					ck_assert_msg(ret == TALLY_ERR_BAD_PROOF ||
					    ret == TALLY_ERR_BAD_POINT ||
					    ret == TALLY_ERR_BAD_SCALAR,
					    "field %zu item %zu elem %zu byte %zu: %d",
					    f.field, f.item, f.elem, f.byte, ret);
					tried++;
					free(nb);
				}
				if (!any_byte)
					break;
				any_elem = 1;
			}
			if (!any_elem)
				break;
		}
	}
	ck_assert_uint_gt(tried, 1000);
	free(b);
}
END_TEST

static void
set_credential(Tally__BallotBody *body, void *arg)
{
	memcpy(body->credential.data, arg, 32);
}

static void
swap_selections(Tally__BallotBody *body, void *arg)
{
	Tally__Ciphertext *c = body->selections[2];
	Tally__RangeProof *p = body->selection_proofs[2];

	(void)arg;
	body->selections[2] = body->selections[3];
	body->selection_proofs[2] = body->selection_proofs[3];
	body->selections[3] = c;
	body->selection_proofs[3] = p;
}

static void
swap_constraint_proofs(Tally__BallotBody *body, void *arg)
{
	Tally__RangeProof *p = body->constraint_proofs[0];

	(void)arg;
	body->constraint_proofs[0] = body->constraint_proofs[1];
	body->constraint_proofs[1] = p;
}

START_TEST(test_proofs_do_not_move)
{
	uint8_t *b, *nb;
	size_t len, nlen;

	b = make_ballot(0, choices, &len);
	/* to another credential, signed by that credential */
	nb = resign(b, len, 3, set_credential, pk[3], &nlen);
	ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_BAD_PROOF);
	free(nb);
	/* to another selection of the same contest */
	nb = resign(b, len, 0, swap_selections, NULL, &nlen);
	ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_BAD_PROOF);
	free(nb);
	nb = resign(b, len, 0, swap_constraint_proofs, NULL, &nlen);
	ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_BAD_PROOF);
	free(nb);
	free(b);
}
END_TEST

/* One selection (ciphertext and proof) or one write-in slot (ciphertexts
 * and proofs) of another ballot, swapped into this one. */
struct copy {
	Tally__BallotBody *from;
	size_t sel;
	long slot;		/* >= 0: the write-in slot instead */
};

static void
copy_part(Tally__BallotBody *body, void *arg)
{
	struct copy *c = arg;
	Tally__Ciphertext *ct;
	Tally__RangeProof *p;
	Tally__WriteIn *w;

	if (c->slot >= 0) {
		w = body->writeins[c->slot];
		body->writeins[c->slot] = c->from->writeins[c->slot];
		c->from->writeins[c->slot] = w;
		return;
	}
	ct = body->selections[c->sel];
	p = body->selection_proofs[c->sel];
	body->selections[c->sel] = c->from->selections[c->sel];
	body->selection_proofs[c->sel] = c->from->selection_proofs[c->sel];
	c->from->selections[c->sel] = ct;
	c->from->selection_proofs[c->sel] = p;
}

/* The replay of a cast ballot's ciphertexts (docs/design.md §5): any one
 * selection or write-in slot of credential 0's ballot, copied with its
 * proofs into credential 3's ballot of the same choices and signed by 3,
 * does not verify: every proof is bound to the credential. The ledger
 * relies on it (it keeps no digest of cast ciphertexts, issue 16). */
START_TEST(test_copies_refused)
{
	Tally__Ballot *ab;
	struct copy c;
	uint8_t *a, *b, *nb;
	size_t alen, blen, nlen, i;

	a = make_ballot(0, choices, &alen);
	b = make_ballot(3, choices, &blen);
	ck_assert_ptr_nonnull(ab = tally__ballot__unpack(NULL, alen, a));
	for (i = 0; i < m->nsel + m->nwriteins; i++) {
		c.from = tally__ballot_body__unpack(NULL, ab->body.len,
		    ab->body.data);
		ck_assert_ptr_nonnull(c.from);
		c.sel = i;
		c.slot = i < m->nsel ? -1 : (long)(i - m->nsel);
		nb = resign(b, blen, 3, copy_part, &c, &nlen);
		ck_assert_msg(ballot_verify_bytes(nb, nlen, &ctx,
		    BALLOT_CHECK_ALL, NULL, NULL) == TALLY_ERR_BAD_PROOF,
		    "part %zu of another credential's ballot accepted", i);
		/* and without proofs it is a well-formed ballot: only the
		 * proofs refuse it */
		ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx,
		    BALLOT_CHECK_NO_PROOFS, NULL, NULL), 0);
		free(nb);
		tally__ballot_body__free_unpacked(c.from, NULL);
	}
	ck_assert_uint_gt(m->nwriteins, 0);
	tally__ballot__free_unpacked(ab, NULL);
	free(a);
	free(b);
}
END_TEST

/* A ballot made for another election (another H_E) does not verify in
 * this one, even with the hash field rewritten and re-signed. */
static void
set_hash(Tally__BallotBody *body, void *arg)
{
	memcpy(body->election_hash.data, arg, 32);
}

START_TEST(test_other_election)
{
	uint8_t *b, *nb, saved[32];
	size_t len, nlen;

	memcpy(saved, ctx.election_hash, 32);
	ctx.election_hash[0] ^= 1;
	b = make_ballot(0, choices, &len);
	memcpy(ctx.election_hash, saved, 32);
	ck_assert_int_eq(ballot_verify_bytes(b, len, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_VOTE_UNKNOWN);
	nb = resign(b, len, 0, set_hash, saved, &nlen);
	ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_BAD_PROOF);
	free(nb);
	free(b);
}
END_TEST

START_TEST(test_registry_and_vote)
{
	uint8_t *b, osk[32], opk[32];
	size_t len;
	const char *saved = ctx.vote_id;
	char **names = NULL;
	uint8_t *marks = make_marks(choices, &names);

	/* a credential outside the registry */
	ck_assert_int_eq(ed25519_keygen(osk, opk), 0);
	ck_assert_int_eq(ballot_encrypt(&b, &len, &ctx, osk, marks, names), 0);
	ck_assert_int_eq(ballot_verify_bytes(b, len, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_CRED_UNKNOWN);
	free(b);
	/* another vote id */
	ck_assert_int_eq(ballot_encrypt(&b, &len, &ctx, sk[0], marks, names), 0);
	ctx.vote_id = "s6-other";
	ck_assert_int_eq(ballot_verify_bytes(b, len, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_VOTE_UNKNOWN);
	ctx.vote_id = saved;
	free(b);
	manifest_writein_names_free(m, names);
	free(marks);
}
END_TEST

static void
drop_selection(Tally__BallotBody *body, void *arg)
{
	(void)arg;
	body->n_selections--;
	/* free what free_unpacked will no longer see */
	tally__ciphertext__free_unpacked(body->selections[body->n_selections],
	    NULL);
}

static void
bump_version(Tally__BallotBody *body, void *arg)
{
	(void)arg;
	body->version = BALLOT_VERSION + 1;
}

static void
drop_pok(Tally__BallotBody *body, void *arg)
{
	(void)arg;
	body->writeins[0]->n_pok = WRITEIN_POINTS - 1;
	/* free what free_unpacked will no longer see */
	tally__schnorr_proof__free_unpacked(
	    body->writeins[0]->pok[WRITEIN_POINTS - 1], NULL);
}

START_TEST(test_shape)
{
	uint8_t *b, *nb;
	size_t len, nlen;

	b = make_ballot(0, choices, &len);
	nb = resign(b, len, 0, drop_selection, NULL, &nlen);
	ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_BALLOT_SHAPE);
	free(nb);
	nb = resign(b, len, 0, bump_version, NULL, &nlen);
	ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_VERSION);
	free(nb);
	nb = resign(b, len, 0, drop_pok, NULL, &nlen);
	ck_assert_int_eq(ballot_verify_bytes(nb, nlen, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_BALLOT_SHAPE);
	free(nb);
	free(b);
}
END_TEST

START_TEST(test_decoding)
{
	uint8_t *b, *big;
	size_t len;

	b = make_ballot(0, choices, &len);
	/* truncated */
	ck_assert_int_ne(ballot_verify_bytes(b, len - 1, &ctx,
	    BALLOT_CHECK_ALL, NULL, NULL), 0);
	ck_assert_int_ne(ballot_verify_bytes(b, len / 2, &ctx,
	    BALLOT_CHECK_ALL, NULL, NULL), 0);
	ck_assert_int_eq(ballot_verify_bytes(b, 0, &ctx, BALLOT_CHECK_ALL,
	    NULL, NULL), TALLY_ERR_DECODE);
	/* trailing bytes that protobuf would keep as an unknown field 3 */
	big = calloc(1, len + 2);
	memcpy(big, b, len);
	big[len] = 0x18;
	big[len + 1] = 0x01;
	ck_assert_int_eq(ballot_verify_bytes(big, len + 2, &ctx,
	    BALLOT_CHECK_ALL, NULL, NULL), TALLY_ERR_TRAILING);
	free(big);
	/* oversized */
	big = calloc(1, BALLOT_BODY_MAX + 256);
	ck_assert_int_eq(ballot_verify_bytes(big, BALLOT_BODY_MAX + 256, &ctx,
	    BALLOT_CHECK_ALL, NULL, NULL), TALLY_ERR_TOO_LARGE);
	free(big);
	free(b);
}
END_TEST

/* Twenty ballots in one batch verify together; one re-signed forgery among
 * them makes the batch fail. Their sum decrypts to the sum of the marks. */
START_TEST(test_batch_and_sum)
{
	struct proof_batch *batch;
	struct ballot_info info;
	struct elgamal_ct *sum;
	uint8_t *b[20], *nb, *marks;
	size_t len[20], nlen, i, j;
	char **names = NULL;
	EC_POINT *p = group_point_new(), *e = group_point_new();
	struct flip f = {1, 0, 0, 3, 0};

	marks = make_marks(choices, &names);
	sum = calloc(m->nsel, sizeof(*sum));
	for (j = 0; j < m->nsel; j++)
		ck_assert_int_eq(elgamal_ct_init(&sum[j]), 0);
	for (i = 0; i < 20; i++)
		b[i] = make_ballot((int)(i % NCRED), choices, &len[i]);
	ck_assert_int_eq(proof_batch_new(&batch), 0);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(ballot_verify_bytes(b[i], len[i], &ctx,
		    BALLOT_CHECK_ALL, batch, &info), 0);
		for (j = 0; j < m->nsel; j++)
			ck_assert_int_eq(elgamal_add(&sum[j], &sum[j], &info.sel[j]), 0);
		ballot_info_clear(&info);
	}
	ck_assert_int_eq(proof_batch_verify(batch), 0);
	proof_batch_free(batch);
	for (j = 0; j < m->nsel; j++) {
		ck_assert_int_eq(elgamal_decrypt_point(p, &sum[j], secret), 0);
		ck_assert_int_eq(group_mul_g_u64(e, 20 * (uint64_t)marks[j]), 0);
		if (marks[j])
			ck_assert(group_point_equal(p, e));
		else
			ck_assert(group_point_is_infinity(p));
		elgamal_ct_clear(&sum[j]);
	}
	/* a forged v scalar, batched: each proof's hash still matches, so only
	 * the batch equation can catch it */
	f.elem = 3 * 2; /* first v of a 0/1 proof (2 branches) */
	nb = resign(b[5], len[5], 5 % NCRED, flip_one, &f, &nlen);
	ck_assert_int_eq(proof_batch_new(&batch), 0);
	for (i = 0; i < 20; i++) {
		int r = i == 5 ? ballot_verify_bytes(nb, nlen, &ctx,
				     BALLOT_CHECK_ALL, batch, NULL)
			       : ballot_verify_bytes(b[i], len[i], &ctx,
				     BALLOT_CHECK_ALL, batch, NULL);
		ck_assert(r == 0 || r == TALLY_ERR_BAD_SCALAR);
	}
	ck_assert_int_eq(proof_batch_verify(batch), TALLY_ERR_BAD_PROOF);
	proof_batch_free(batch);
	free(nb);
	for (i = 0; i < 20; i++)
		free(b[i]);
	free(sum);
	free(marks);
	manifest_writein_names_free(m, names);
	group_point_free(p);
	group_point_free(e);
}
END_TEST

START_TEST(test_no_proofs_mode)
{
	struct ballot_info info;
	uint8_t *b;
	size_t len;

	b = make_ballot(3, choices, &len);
	ck_assert_int_eq(ballot_verify_bytes(b, len, &ctx,
	    BALLOT_CHECK_NO_PROOFS, NULL, &info), 0);
	ck_assert_mem_eq(info.credential, pk[3], 32);
	ballot_info_clear(&info);
	free(b);
}
END_TEST

START_TEST(test_registry_order)
{
	uint8_t r[96] = {0};

	r[31] = 1;
	r[63] = 2;
	r[95] = 3;
	ck_assert_int_eq(ballot_registry_check(r, 3), 0);
	ck_assert(ballot_registry_has(r, 3, r + 32));
	r[63] = 1; /* duplicate */
	ck_assert_int_eq(ballot_registry_check(r, 3), TALLY_ERR_INVALID_ARG);
	r[63] = 4; /* out of order */
	ck_assert_int_eq(ballot_registry_check(r, 3), TALLY_ERR_INVALID_ARG);
}
END_TEST

/* Issue 10, attack 4: a write-in is encrypted in the form the count
 * compares (NFC, spaces trimmed), so a spelling cannot mark a ballot. */
static void
writein_of(const char *name, char out[WRITEIN_NAME_MAX + 1], int want)
{
	struct proof_bind b;
	Tally__Ballot *bal;
	Tally__BallotBody *body;
	uint8_t *marks = calloc(m->nsel + 1, 1), *bytes = NULL;
	char *names[1] = { (char *)name };
	EC_POINT *R = group_point_new(), *Z = group_point_new();
	EC_POINT *M[WRITEIN_POINTS];
	struct elgamal_ct ct[WRITEIN_POINTS];
	size_t len, j;

	marks[2] = 1;			/* the head contest's write-in slot */
	ck_assert_int_eq(ballot_encrypt(&bytes, &len, &ctx, sk[1], marks,
	    names), want);
	free(marks);
	if (want != 0) {
		group_point_free(R);
		group_point_free(Z);
		return;
	}
	bal = tally__ballot__unpack(NULL, len, bytes);
	ck_assert_ptr_nonnull(bal);
	body = tally__ballot_body__unpack(NULL, bal->body.len,
	    bal->body.data);
	ck_assert_ptr_nonnull(body);
	/* M_j = b_j - s a_j, then the name of the points */
	memset(&b, 0, sizeof(b));
	b.election_hash = ctx.election_hash;
	b.subject = pk[1];
	b.subject_len = 32;
	b.contest = 0;
	b.index = 0;
	ck_assert_int_eq(writein_check(body->writeins[0], &b), 0);
	for (j = 0; j < WRITEIN_POINTS; j++) {
		ck_assert_int_eq(elgamal_ct_init(&ct[j]), 0);
		ck_assert_ptr_nonnull(M[j] = group_point_new());
	}
	ck_assert_int_eq(writein_decode(ct, body->writeins[0]), 0);
	for (j = 0; j < WRITEIN_POINTS; j++) {
		ck_assert_int_eq(group_mul(Z, ct[j].a, secret), 0);
		ck_assert_int_eq(group_sub(M[j], ct[j].b, Z), 0);
	}
	ck_assert_int_eq(writein_name_decode(out,
	    (const EC_POINT *const *)M), 0);
	for (j = 0; j < WRITEIN_POINTS; j++) {
		elgamal_ct_clear(&ct[j]);
		group_point_free(M[j]);
	}
	tally__ballot_body__free_unpacked(body, NULL);
	tally__ballot__free_unpacked(bal, NULL);
	free(bytes);
	group_point_free(R);
	group_point_free(Z);
}

START_TEST(test_writein_normalised)
{
	char name[WRITEIN_NAME_MAX + 1];

	/* U+3000 张三 space: exactly 张三 */
	writein_of("\xe3\x80\x80\xe5\xbc\xa0\xe4\xb8\x89 ", name, 0);
	ck_assert_str_eq(name, "\xe5\xbc\xa0\xe4\xb8\x89");
	/* NFC: e + combining acute becomes U+00E9; U+200B trimmed */
	writein_of("\t Jose\xcc\x81\xe2\x80\x8b", name, 0);
	ck_assert_str_eq(name, "Jos\xc3\xa9");
	/* "" stays the marked-but-empty slot */
	writein_of("", name, 0);
	ck_assert_str_eq(name, "");
	/* only spaces: refused, not recorded as a blank */
	writein_of(" \xe3\x80\x80\t", name, TALLY_ERR_BAD_CHOICE);
	writein_of("\xff", name, TALLY_ERR_INVALID_ARG);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ballot");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_tables_and_plain);
	tcase_add_test(tc, test_writein_normalised);
	tcase_add_test(tc, test_refuses_impossible_marks);
	tcase_add_test(tc, test_flip_every_byte);
	tcase_add_test(tc, test_resigned_field_flips);
	tcase_add_test(tc, test_proofs_do_not_move);
	tcase_add_test(tc, test_copies_refused);
	tcase_add_test(tc, test_other_election);
	tcase_add_test(tc, test_registry_and_vote);
	tcase_add_test(tc, test_shape);
	tcase_add_test(tc, test_decoding);
	tcase_add_test(tc, test_batch_and_sum);
	tcase_add_test(tc, test_no_proofs_mode);
	tcase_add_test(tc, test_registry_order);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
