/* challenge.c: opening a challenged ballot, and checking an opening. */
#include "challenge.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "err.h"
#include "group.h"
#include "pb.h"
#include "writein.h"

int
challenge_make(uint8_t **out, size_t *outlen, const uint8_t *p, size_t len,
    const struct ballot_secrets *sec)
{
	Tally__SpoiledBallot s = TALLY__SPOILED_BALLOT__INIT;
	Tally__Ballot *b;
	ProtobufCBinaryData *r = NULL, *wr = NULL;
	char **names = NULL;
	uint8_t *buf = NULL;
	size_t i, n;
	int ret = TALLY_ERR_NOMEM;

	*out = NULL;
	*outlen = 0;
	if ((b = tally__ballot__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	if ((r = calloc(sec->nsel + 1, sizeof(*r))) == NULL ||
	    (wr = calloc(sec->nwi * WRITEIN_POINTS + 1, sizeof(*wr))) == NULL ||
	    (names = calloc(sec->nwi + 1, sizeof(*names))) == NULL)
		goto out;
	s.ballot = b;
	s.marks.data = sec->marks;
	s.marks.len = sec->nsel;
	s.n_randomness = sec->nsel;
	s.randomness = r;
	for (i = 0; i < sec->nsel; i++) {
		r[i].data = sec->r[i];
		r[i].len = 32;
	}
	s.n_writein_names = sec->nwi;
	s.n_writein_randomness = sec->nwi * WRITEIN_POINTS;
	s.writein_names = names;
	s.writein_randomness = wr;
	for (i = 0; i < sec->nwi; i++)
		names[i] = sec->names[i];
	for (i = 0; i < sec->nwi * WRITEIN_POINTS; i++) {
		wr[i].data = sec->wr[i];
		wr[i].len = 32;
	}
	n = tally__spoiled_ballot__get_packed_size(&s);
	if ((buf = calloc(1, n + 1)) == NULL)
		goto out;
	tally__spoiled_ballot__pack(&s, buf);
	*out = buf;
	*outlen = n;
	ret = 0;
out:
	free(r);
	free(wr);
	free(names);
	tally__ballot__free_unpacked(b, NULL);
	return ret;
}

void
challenge_open_clear(struct challenge_open *open)
{
	if (open == NULL)
		return;
	free(open->marks);
	free(open->names);
	free(open->sel_a);
	memset(open, 0, sizeof(*open));
}

/* Counts of the opening against the manifest. */
static int
opening_shape(const Tally__SpoiledBallot *s, const struct manifest *m)
{
	size_t i;

	if (s->ballot == NULL || s->marks.len != m->nsel ||
	    s->n_randomness != m->nsel || s->n_writein_names != m->nwriteins ||
	    s->n_writein_randomness != m->nwriteins * WRITEIN_POINTS)
		return TALLY_ERR_BALLOT_SHAPE;
	for (i = 0; i < m->nsel; i++)
		if (s->randomness[i].len != GROUP_SCALAR_LEN)
			return TALLY_ERR_BALLOT_SHAPE;
	for (i = 0; i < m->nwriteins; i++)
		if (s->writein_names[i] == NULL)
			return TALLY_ERR_BALLOT_SHAPE;
	for (i = 0; i < m->nwriteins * WRITEIN_POINTS; i++)
		if (s->writein_randomness[i].len != GROUP_SCALAR_LEN)
			return TALLY_ERR_BALLOT_SHAPE;
	return 0;
}

/* Enc(m; r) = (rG, mG + rK) equals ct. */
static int
selection_reopen(const struct elgamal_ct *ct, const EC_POINT *K,
    uint8_t mark, const ProtobufCBinaryData *rb)
{
	EC_POINT *a = NULL, *b = NULL, *mg = NULL;
	BIGNUM *r = NULL;
	int ret = TALLY_ERR_NOMEM;

	if ((a = group_point_new()) == NULL || (b = group_point_new()) == NULL ||
	    (mg = group_point_new()) == NULL || (r = group_scalar_new()) == NULL)
		goto out;
	if ((ret = group_scalar_decode(r, rb->data, rb->len)) != 0 ||
	    (ret = group_mul_g(a, r)) != 0 || (ret = group_mul(b, K, r)) != 0 ||
	    (ret = group_mul_g_u64(mg, mark)) != 0 ||
	    (ret = group_add(b, b, mg)) != 0)
		goto out;
	ret = group_point_equal(a, ct->a) == 1 && group_point_equal(b,
	    ct->b) == 1 ? 0 : TALLY_ERR_REVEAL;
out:
	group_point_free(a);
	group_point_free(b);
	group_point_free(mg);
	group_scalar_free(r);
	return ret;
}

static int
writeins_reopen(const Tally__SpoiledBallot *s, const struct ballot_ctx *ctx)
{
	const struct manifest *m = ctx->m;
	ProtobufCMessage *pm = NULL;
	Tally__BallotBody *body;
	size_t c, k, slot;
	int ret;

	if (m->nwriteins == 0)
		return 0;
	if ((ret = pb_unpack_strict(&tally__ballot_body__descriptor,
	    s->ballot->body.data, s->ballot->body.len, BALLOT_BODY_MAX,
	    &pm)) != 0)
		return ret;
	body = (Tally__BallotBody *)pm;
	for (c = 0; ret == 0 && c < m->ncontests; c++) {
		for (k = 0; ret == 0 && k < m->contests[c].writein_slots; k++) {
			slot = m->contests[c].wi_first + k;
			ret = writein_reveal_check(body->writeins[slot],
			    ctx->joint_key,
			    &s->writein_randomness[WRITEIN_POINTS * slot],
			    s->writein_names[slot]);
			if (ret == TALLY_ERR_TOO_LARGE ||
			    ret == TALLY_ERR_INVALID_ARG)
				ret = TALLY_ERR_REVEAL;
		}
	}
	tally__ballot_body__free_unpacked(body, NULL);
	return ret;
}

/* The names as ballot_marks_check wants them: NULL for an unused slot. */
static int
opening_marks(const Tally__SpoiledBallot *s, const struct manifest *m)
{
	char **names;
	size_t i;
	int ret;

	if ((names = calloc(m->nwriteins + 1, sizeof(*names))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < m->nwriteins; i++)
		names[i] = s->writein_names[i][0] != '\0' ?
		    s->writein_names[i] : NULL;
	ret = ballot_marks_check(m, s->marks.data, names);
	free(names);
	return ret == TALLY_ERR_BAD_CHOICE ? TALLY_ERR_REVEAL : ret;
}

static int
opening_fill(const Tally__SpoiledBallot *s, const struct manifest *m,
    const struct ballot_info *info, struct challenge_open *open)
{
	size_t i;
	int ret;

	if ((ret = ballot_tracking_code(open->tracking, s->ballot)) != 0)
		return ret;
	memcpy(open->credential, info->credential, 32);
	if ((open->marks = calloc(m->nsel + 1, 1)) == NULL ||
	    (open->names = calloc(m->nwriteins + 1, sizeof(*open->names))) ==
	    NULL ||
	    (open->sel_a = calloc(m->nsel + 1, sizeof(*open->sel_a))) == NULL)
		return TALLY_ERR_NOMEM;
	memcpy(open->marks, s->marks.data, m->nsel);
	memcpy(open->sel_a, info->sel_a, m->nsel * sizeof(*open->sel_a));
	for (i = 0; i < m->nwriteins; i++)
		if (strlen(s->writein_names[i]) <= WRITEIN_NAME_MAX)
			memcpy(open->names[i], s->writein_names[i],
			    strlen(s->writein_names[i]));
	return 0;
}

int
challenge_verify(const Tally__SpoiledBallot *s, const struct ballot_ctx *ctx,
    struct proof_batch *batch, struct challenge_open *open)
{
	const struct manifest *m = ctx->m;
	struct ballot_info info;
	size_t i;
	int ret;

	memset(&info, 0, sizeof(info));
	if (open != NULL)
		memset(open, 0, sizeof(*open));
	if ((ret = opening_shape(s, m)) != 0)
		return ret;
	if ((ret = ballot_verify(s->ballot, ctx, BALLOT_CHECK_ALL, batch,
	    &info)) != 0)
		return ret;
	if ((ret = opening_marks(s, m)) != 0)
		goto out;
	for (i = 0; i < m->nsel; i++)
		if ((ret = selection_reopen(&info.sel[i], ctx->joint_key,
		    s->marks.data[i], &s->randomness[i])) != 0)
			goto out;
	if ((ret = writeins_reopen(s, ctx)) != 0)
		goto out;
	if (open != NULL && (ret = opening_fill(s, m, &info, open)) != 0)
		challenge_open_clear(open);
out:
	ballot_info_clear(&info);
	return ret;
}

int
challenge_verify_bytes(const uint8_t *p, size_t len,
    const struct ballot_ctx *ctx, struct challenge_open *open)
{
	ProtobufCMessage *pm;
	int ret;

	if (open != NULL)
		memset(open, 0, sizeof(*open));
	if ((ret = pb_unpack_strict(&tally__spoiled_ballot__descriptor, p, len,
	    CHALLENGE_MAX, &pm)) != 0)
		return ret;
	ret = challenge_verify((Tally__SpoiledBallot *)pm, ctx, NULL, open);
	protobuf_c_message_free_unpacked(pm, NULL);
	return ret;
}
