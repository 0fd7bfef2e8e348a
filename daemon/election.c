/* election.c: the vote state machine, replay sets and running sums. */
#include "election.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rules.h"
#include "sign.h"

static const char *const state_names[] = {
	"none", "created", "open", "closed", "tallied"
};

const char *
vote_state_name(enum vote_state s)
{
	return (unsigned int)s < 5 ? state_names[s] : "unknown";
}

/* ------------------------------------------------------------ digest set */

static size_t
dset_pos(const uint8_t d[HASH_LEN], size_t cap)
{
	size_t h;

	memcpy(&h, d, sizeof(h));	/* digests are uniform already */
	return h & (cap - 1);
}

static int
dset_has(const struct digest_set *s, const uint8_t d[HASH_LEN])
{
	size_t i;

	if (s->cap == 0)
		return 0;
	for (i = dset_pos(d, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (memcmp(s->slot[i], d, HASH_LEN) == 0)
			return 1;
	return 0;
}

static void
dset_put_raw(struct digest_set *s, const uint8_t d[HASH_LEN])
{
	size_t i;

	for (i = dset_pos(d, s->cap); s->used[i]; i = (i + 1) & (s->cap - 1))
		;
	memcpy(s->slot[i], d, HASH_LEN);
	s->used[i] = 1;
	s->n++;
}

static int
dset_add(struct digest_set *s, const uint8_t d[HASH_LEN])
{
	struct digest_set bigger;
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		memset(&bigger, 0, sizeof(bigger));
		bigger.cap = s->cap ? s->cap * 2 : 1024;
		if ((bigger.slot = calloc(bigger.cap, HASH_LEN)) == NULL ||
		    (bigger.used = calloc(bigger.cap, 1)) == NULL) {
			free(bigger.slot);
			return TALLY_ERR_NOMEM;
		}
		for (i = 0; i < s->cap; i++)
			if (s->used[i])
				dset_put_raw(&bigger, s->slot[i]);
		free(s->slot);
		free(s->used);
		*s = bigger;
	}
	dset_put_raw(s, d);
	return 0;
}

static void
dset_clear(struct digest_set *s)
{
	free(s->slot);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------ vote */

struct vote *
vote_new(const char *id)
{
	struct vote *v;

	if (strlen(id) > MANIFEST_ID_MAX || (v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	strcpy(v->id, id);
	return v;
}

void
vote_free(struct vote *v)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->sums != NULL && v->manifest != NULL)
		for (i = 0; i < v->manifest->nsel; i++)
			elgamal_ct_clear(&v->sums[i]);
	free(v->sums);
	manifest_free(v->manifest);
	if (v->created != NULL)
		tally__vote_created__free_unpacked(v->created, NULL);
	dset_clear(&v->creds);
	dset_clear(&v->cts);
	free(v);
}

static int
registry_has(const Tally__VoteCreated *vc, const uint8_t *key)
{
	size_t lo = 0, hi = vc->n_registry, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = memcmp(vc->registry[mid].data, key, 32)) == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int
ct_digest(uint8_t out[HASH_LEN], const Tally__Ciphertext *c)
{
	return hash_sha256_2(out, c->a.data, c->a.len, c->b.data, c->b.len);
}

#define FAIL(code, ...) do {				\
	snprintf(msg, msglen, __VA_ARGS__);		\
	ret = (code);					\
	goto out;					\
} while (0)

static int
check_ballot(const struct vote *v, const Tally__Ballot *b, char *msg,
    size_t msglen)
{
	Tally__BallotBody *body = NULL;
	struct elgamal_ct ct = { NULL, NULL };
	uint8_t d[HASH_LEN];
	size_t i;
	int ret = 0;

	if (v->state != VOTE_OPEN)
		FAIL(TALLY_ERR_VOTE_NOT_OPEN, "vote %s is %s", v->id,
		    vote_state_name(v->state));
	if ((body = tally__ballot_body__unpack(NULL, b->body.len,
	    b->body.data)) == NULL)
		FAIL(TALLY_ERR_DECODE, "ballot body does not decode");
	if (body->version != 1 || strcmp(body->vote_id, v->id) != 0 ||
	    body->election_hash.len != HASH_LEN ||
	    memcmp(body->election_hash.data, v->created->election_hash.data,
	    HASH_LEN) != 0)
		FAIL(TALLY_ERR_BALLOT_SHAPE, "ballot is for another vote");
	if (body->n_selections != v->manifest->nsel)
		FAIL(TALLY_ERR_BALLOT_SHAPE, "%zu selections, expected %zu",
		    body->n_selections, v->manifest->nsel);
	if (body->credential.len != 32 || !registry_has(v->created,
	    body->credential.data))
		FAIL(TALLY_ERR_CRED_UNKNOWN, "credential not registered");
	if (ed25519_verify(body->credential.data, b->body.data, b->body.len,
	    b->signature.data, b->signature.len) != 0)
		FAIL(TALLY_ERR_BAD_SIGNATURE, "credential signature invalid");
	for (i = 0; i < body->n_selections; i++) {
		if (elgamal_ct_init(&ct) != 0 || elgamal_ct_decode(&ct,
		    body->selections[i]->a.data, body->selections[i]->a.len,
		    body->selections[i]->b.data,
		    body->selections[i]->b.len) != 0)
			FAIL(TALLY_ERR_BAD_POINT, "selection %zu: bad point", i);
		elgamal_ct_clear(&ct);
		if (ct_digest(d, body->selections[i]) != 0)
			FAIL(TALLY_ERR_INTERNAL, "hash failed");
		if (dset_has(&v->cts, d))
			FAIL(TALLY_ERR_REPLAY, "ciphertext seen before");
	}
	if (dset_has(&v->creds, body->credential.data))
		FAIL(TALLY_ERR_CRED_USED, "credential already used");
out:
	elgamal_ct_clear(&ct);
	if (body != NULL)
		tally__ballot_body__free_unpacked(body, NULL);
	return ret;
}

int
election_check(const struct vote *v, const Tally__LogRecord *rec, char *msg,
    size_t msglen)
{
	int ret = 0;

	switch (rec->body_case) {
	case TALLY__LOG_RECORD__BODY_VOTE_CREATED:
		if (v->state != VOTE_NONE)
			FAIL(TALLY_ERR_VOTE_EXISTS, "vote %s exists", v->id);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
		if (v->state != VOTE_CREATED)
			FAIL(TALLY_ERR_VOTE_STATE, "vote %s is %s", v->id,
			    vote_state_name(v->state));
		if (rec->polls_opened->issued > rec->polls_opened->present)
			FAIL(TALLY_ERR_INVALID_ARG, "more ballots issued (%u) "
			    "than members present (%u)",
			    rec->polls_opened->issued,
			    rec->polls_opened->present);
		ret = rules_quorum_check(v->manifest,
		    rec->polls_opened->present, msg, msglen);
		break;
	case TALLY__LOG_RECORD__BODY_BALLOT:
		ret = check_ballot(v, rec->ballot, msg, msglen);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED:
	case TALLY__LOG_RECORD__BODY_AGGREGATE:
		if (v->state != VOTE_OPEN)
			FAIL(TALLY_ERR_VOTE_STATE, "vote %s is %s", v->id,
			    vote_state_name(v->state));
		break;
	default:
		FAIL(TALLY_ERR_INTERNAL, "record kind not handled yet");
	}
out:
	return ret;
}

static int
apply_created(struct vote *v, const Tally__VoteCreated *vc)
{
	uint8_t *buf;
	size_t len = tally__vote_created__get_packed_size(vc), i;
	int ret;

	if ((buf = calloc(1, len + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	tally__vote_created__pack(vc, buf);
	v->created = tally__vote_created__unpack(NULL, len, buf);
	free(buf);
	if (v->created == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = manifest_parse(&v->manifest, vc->manifest.data,
	    vc->manifest.len, NULL, 0)) != 0)
		return ret;
	if ((v->sums = calloc(v->manifest->nsel ? v->manifest->nsel : 1,
	    sizeof(*v->sums))) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < v->manifest->nsel; i++)
		if ((ret = elgamal_ct_init(&v->sums[i])) != 0)
			return ret;
	v->state = VOTE_CREATED;
	return 0;
}

static int
apply_ballot(struct vote *v, const Tally__Ballot *b)
{
	Tally__BallotBody *body;
	struct elgamal_ct ct = { NULL, NULL };
	uint8_t d[HASH_LEN];
	size_t i;
	int ret = TALLY_ERR_DECODE;

	if ((body = tally__ballot_body__unpack(NULL, b->body.len,
	    b->body.data)) == NULL || body->credential.len != 32 ||
	    body->n_selections != v->manifest->nsel)
		goto out;
	if ((ret = dset_add(&v->creds, body->credential.data)) != 0)
		goto out;
	for (i = 0; i < body->n_selections; i++) {
		const Tally__Ciphertext *c = body->selections[i];

		if ((ret = ct_digest(d, c)) != 0 ||
		    (ret = dset_add(&v->cts, d)) != 0 ||
		    (ret = elgamal_ct_init(&ct)) != 0 ||
		    (ret = elgamal_ct_decode(&ct, c->a.data, c->a.len,
		    c->b.data, c->b.len)) != 0 ||
		    (ret = elgamal_add(&v->sums[i], &v->sums[i], &ct)) != 0)
			goto out;
		elgamal_ct_clear(&ct);
	}
	v->ballots++;
	ret = 0;
out:
	elgamal_ct_clear(&ct);
	if (body != NULL)
		tally__ballot_body__free_unpacked(body, NULL);
	return ret;
}

int
election_apply(struct vote *v, const Tally__LogRecord *rec)
{
	int ret = 0;

	switch (rec->body_case) {
	case TALLY__LOG_RECORD__BODY_VOTE_CREATED:
		ret = apply_created(v, rec->vote_created);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_OPENED:
		v->present = rec->polls_opened->present;
		v->issued = rec->polls_opened->issued;
		v->state = VOTE_OPEN;
		break;
	case TALLY__LOG_RECORD__BODY_BALLOT:
		ret = apply_ballot(v, rec->ballot);
		break;
	case TALLY__LOG_RECORD__BODY_POLLS_CLOSED:
		v->state = VOTE_CLOSED;
		break;
	case TALLY__LOG_RECORD__BODY_DECRYPTION_SHARE:
		v->shares++;
		break;
	case TALLY__LOG_RECORD__BODY_RESULT:
		v->state = VOTE_TALLIED;
		break;
	default:
		break;
	}
	if (ret == 0)
		v->records++;
	return ret;
}

int
election_aggregate(const struct vote *v, Tally__Aggregate **out)
{
	Tally__Aggregate *a;
	size_t i, n = v->manifest->nsel;
	int ret;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return TALLY_ERR_NOMEM;
	tally__aggregate__init(a);
	a->ballots = v->ballots;
	/* No ballots: every sum is the point at infinity, which has no
	 * 33-byte encoding; an empty list says "all zero". */
	if (v->ballots == 0)
		n = 0;
	if ((a->sums = calloc(n ? n : 1, sizeof(*a->sums))) == NULL) {
		free(a);
		return TALLY_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		Tally__Ciphertext *c;

		if ((c = calloc(1, sizeof(*c) + 66)) == NULL) {
			election_aggregate_free(a);
			return TALLY_ERR_NOMEM;
		}
		tally__ciphertext__init(c);
		c->a.data = (uint8_t *)(c + 1);
		c->b.data = c->a.data + 33;
		c->a.len = c->b.len = 33;
		a->sums[a->n_sums++] = c;
		if ((ret = elgamal_ct_encode(c->a.data, c->b.data,
		    &v->sums[i])) != 0) {
			election_aggregate_free(a);
			return ret;
		}
	}
	*out = a;
	return 0;
}

void
election_aggregate_free(Tally__Aggregate *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n_sums; i++)
		free(a->sums[i]);
	free(a->sums);
	free(a);
}

/* Provisional until lib/ballot.h fixes H_E for everyone: the exact parts
 * the design names, each length-framed by hash_tagged. */
int
election_hash(uint8_t out[HASH_LEN], const Tally__VoteCreated *vc)
{
	struct hash_part parts[4];
	uint8_t *tr, reg[HASH_LEN];
	size_t trlen, i;
	struct hash_ctx h;
	int ret;

	if ((ret = hash_init(&h, "registry", 0)) != 0)
		return ret;
	for (i = 0; i < vc->n_registry; i++)
		if ((ret = hash_add(&h, vc->registry[i].data,
		    vc->registry[i].len)) != 0) {
			hash_abort(&h);
			return ret;
		}
	if ((ret = hash_final(&h, reg)) != 0)
		return ret;
	trlen = tally__ceremony_transcript__get_packed_size(vc->transcript);
	if ((tr = calloc(1, trlen + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	tally__ceremony_transcript__pack(vc->transcript, tr);
	parts[0] = (struct hash_part){ vc->manifest.data, vc->manifest.len };
	parts[1] = (struct hash_part){ tr, trlen };
	parts[2] = (struct hash_part){ reg, HASH_LEN };
	parts[3] = (struct hash_part){ vc->ledger_key.data,
	    vc->ledger_key.len };
	ret = hash_tagged(out, "election", parts, 4);
	free(tr);
	return ret;
}
