/* mixnet.c: the steps of a vote's write-in mix-net. */
#include "mixnet.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "group.h"
#include "hash.h"

int
mixnet_init(struct mixnet *mx, const struct count_item *items, size_t nitems,
    const struct manifest *m, const EC_POINT *K,
    const uint8_t election_hash[32], const Tally__CeremonyTranscript *tr)
{
	size_t w = m->nwriteins * COUNT_ITEM_CTS, i;
	int ret;

	memset(mx, 0, sizeof(*mx));
	mx->election_hash = election_hash;
	mx->K = K;
	mx->tr = tr;
	mx->trustees = tr->trustees;
	if (nitems == 0)
		return 0;
	if (m->nwriteins == 0 || nitems % m->nwriteins != 0)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = mix_list_init(&mx->cur, nitems / m->nwriteins, w)) != 0)
		return ret;
	for (i = 0; i < nitems; i++)
		memcpy(mx->cur.enc + i * COUNT_ITEM_CTS * SHUFFLE_CT_LEN,
		    items[i].ct, COUNT_ITEM_CTS * SHUFFLE_CT_LEN);
	if ((ret = mix_list_decode(&mx->cur)) != 0)
		mixnet_clear(mx);
	return ret;
}

void
mixnet_clear(struct mixnet *mx)
{
	if (mx == NULL)
		return;
	mix_list_clear(&mx->cur);
	memset(mx, 0, sizeof(*mx));
}

const struct mix_list *
mixnet_output(const struct mixnet *mx)
{
	return mx->steps > 0 && mx->cur.n > 0 ? &mx->cur : NULL;
}

void
mixnet_bind(struct proof_bind *b, uint8_t subj[4],
    const uint8_t election_hash[32], uint32_t mixer, uint32_t step)
{
	subj[0] = mixer >> 24;
	subj[1] = mixer >> 16;
	subj[2] = mixer >> 8;
	subj[3] = mixer;
	memset(b, 0, sizeof(*b));
	b->election_hash = election_hash;
	b->subject = subj;
	b->subject_len = 4;
	b->kind = PROOF_SHUFFLE;
	b->contest = 0;
	b->index = step;
}

int
mixnet_auth_bind(struct proof_bind *b, uint8_t subj[36],
    const uint8_t election_hash[32], const Tally__Shuffle *sh)
{
	struct hash_part part = { sh->list.data, sh->list.len };

	subj[0] = sh->mixer >> 24;
	subj[1] = sh->mixer >> 16;
	subj[2] = sh->mixer >> 8;
	subj[3] = sh->mixer;
	memset(b, 0, sizeof(*b));
	b->election_hash = election_hash;
	b->subject = subj;
	b->subject_len = 36;
	b->kind = PROOF_SHUFFLE;
	b->contest = 1;
	b->index = sh->step;
	return hash_tagged(subj + 4, "shuffle-list", &part, 1);
}

/* The mixer's Schnorr proof of its secret share, over sh's list. */
static int
auth_verify(const struct mixnet *mx, const Tally__Shuffle *sh)
{
	struct proof_bind b;
	uint8_t subj[36];
	EC_POINT *X;
	int ret;

	if (sh->auth == NULL)
		return TALLY_ERR_BAD_SHUFFLE;
	if ((X = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = ceremony_public_share(X, mx->tr, sh->mixer)) == 0 &&
	    (ret = mixnet_auth_bind(&b, subj, mx->election_hash, sh)) == 0)
		ret = schnorr_verify(sh->auth, X, &b);
	group_point_free(X);
	return ret;
}

int
mixnet_step_check(const struct mixnet *mx, const Tally__Shuffle *sh)
{
	if (mx->cur.n == 0)
		return TALLY_ERR_MIX_STATE;
	if (sh->step != mx->steps)
		return TALLY_ERR_MIX_STALE;
	if (sh->mixer < 1 || sh->mixer > mx->trustees ||
	    sh->mixer > CEREMONY_MAX_TRUSTEES)
		return TALLY_ERR_BAD_SHUFFLE;
	if (mx->mixed[sh->mixer])
		return TALLY_ERR_MIX_DUP;
	if (sh->proof == NULL ||
	    sh->list.len != mx->cur.n * mx->cur.w * SHUFFLE_CT_LEN)
		return TALLY_ERR_BAD_SHUFFLE;
	return 0;
}

/* out from sh's list bytes, strictly. */
static int
list_from(struct mix_list *out, const struct mixnet *mx,
    const Tally__Shuffle *sh)
{
	int ret;

	if ((ret = mix_list_init(out, mx->cur.n, mx->cur.w)) != 0)
		return ret;
	memcpy(out->enc, sh->list.data, sh->list.len);
	if ((ret = mix_list_decode(out)) != 0)
		mix_list_clear(out);
	return ret;
}

int
mixnet_step_verify(struct mix_list *out, const struct mixnet *mx,
    const Tally__Shuffle *sh, int *why)
{
	struct proof_bind b;
	uint8_t subj[4];
	int ret, dummy;

	if (why == NULL)
		why = &dummy;
	*why = 0;
	memset(out, 0, sizeof(*out));
	if ((ret = mixnet_step_check(mx, sh)) != 0)
		return ret;
	if ((ret = auth_verify(mx, sh)) != 0) {
		*why = ret;
		return ret == TALLY_ERR_NOMEM ? ret : TALLY_ERR_BAD_SHUFFLE;
	}
	if ((ret = list_from(out, mx, sh)) != 0) {
		*why = ret;
		return ret == TALLY_ERR_NOMEM ? ret : TALLY_ERR_BAD_SHUFFLE;
	}
	mixnet_bind(&b, subj, mx->election_hash, sh->mixer, sh->step);
	if ((ret = shuffle_verify(sh->proof, &mx->cur, out, mx->K, &b)) != 0) {
		mix_list_clear(out);
		*why = ret;
		return ret == TALLY_ERR_NOMEM ? ret : TALLY_ERR_BAD_SHUFFLE;
	}
	return 0;
}

void
mixnet_shuffle_clear(Tally__Shuffle *sh)
{
	if (sh == NULL)
		return;
	free(sh->list.data);
	if (sh->proof != NULL) {
		shuffle_proof_clear(sh->proof);
		free(sh->proof);
	}
	if (sh->auth != NULL) {
		schnorr_clear(sh->auth);
		free(sh->auth);
	}
	tally__shuffle__init(sh);
}

int
mixnet_make(Tally__Shuffle *sh, struct mix_list *out,
    const struct mixnet *mx, uint32_t mixer, const BIGNUM *s)
{
	struct proof_bind b;
	uint8_t subj[4], asubj[36];
	EC_POINT *X = NULL, *sG = NULL;
	size_t len;
	int ret;

	tally__shuffle__init(sh);
	memset(out, 0, sizeof(*out));
	if (mx->cur.n == 0)
		return TALLY_ERR_MIX_STATE;
	if (mixer < 1 || mixer > mx->trustees)
		return TALLY_ERR_INVALID_ARG;
	if (mx->mixed[mixer])
		return TALLY_ERR_MIX_DUP;
	if ((X = group_point_new()) == NULL || (sG = group_point_new()) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if ((ret = ceremony_public_share(X, mx->tr, mixer)) != 0 ||
	    (ret = group_mul_g(sG, s)) != 0)
		goto out;
	if (!group_point_equal(X, sG)) {
		ret = TALLY_ERR_BAD_SHARE;
		goto out;
	}
	len = mx->cur.n * mx->cur.w * SHUFFLE_CT_LEN;
	sh->mixer = mixer;
	sh->step = mx->steps;
	if ((sh->proof = calloc(1, sizeof(*sh->proof))) == NULL ||
	    (sh->auth = calloc(1, sizeof(*sh->auth))) == NULL ||
	    (sh->list.data = malloc(len)) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	tally__shuffle_proof__init(sh->proof);
	tally__schnorr_proof__init(sh->auth);
	sh->list.len = len;
	mixnet_bind(&b, subj, mx->election_hash, mixer, sh->step);
	if ((ret = mix_list_init(out, mx->cur.n, mx->cur.w)) != 0 ||
	    (ret = shuffle_mix(out, sh->proof, &mx->cur, mx->K, &b)) != 0)
		goto out;
	memcpy(sh->list.data, out->enc, len);
	if ((ret = mixnet_auth_bind(&b, asubj, mx->election_hash, sh)) != 0 ||
	    (ret = schnorr_prove(sh->auth, s, X, &b)) != 0)
		goto out;
out:
	if (ret != 0) {
		mixnet_shuffle_clear(sh);
		mix_list_clear(out);
	}
	group_point_free(X);
	group_point_free(sG);
	return ret;
}

int
mixnet_apply(struct mixnet *mx, const Tally__Shuffle *sh,
    struct mix_list *out)
{
	struct mix_list l;
	int ret;

	if ((ret = mixnet_step_check(mx, sh)) != 0)
		return ret;
	if (out == NULL) {
		if ((ret = list_from(&l, mx, sh)) != 0)
			return ret;
	} else {
		l = *out;
		memset(out, 0, sizeof(*out));
	}
	mix_list_clear(&mx->cur);
	mx->cur = l;
	mx->mixed[sh->mixer] = 1;
	mx->steps++;
	return 0;
}
