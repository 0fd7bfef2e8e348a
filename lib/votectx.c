/* votectx.c: one checked constructor from VoteCreated to a ballot context. */
#include "votectx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ceremony.h"
#include "err.h"
#include "group.h"
#include "hash.h"
#include "witness.h"

/* ------------------------------------------------------------------ H_E */

static int
registry_digest(uint8_t out[32], const Tally__VoteCreated *vc)
{
	struct hash_ctx h;
	size_t i;
	int ret;

	if (vc->n_registry > UINT32_MAX)
		return TALLY_ERR_TOO_LARGE;
	for (i = 0; i < vc->n_registry; i++)
		if (vc->registry[i].len != 32 || (i > 0 &&
		    memcmp(vc->registry[i - 1].data, vc->registry[i].data,
		    32) >= 0))
			return TALLY_ERR_INVALID_ARG;
	if ((ret = hash_init(&h, "registry", 0)) != 0)
		return ret;
	ret = hash_add_u32(&h, (uint32_t)vc->n_registry);
	for (i = 0; ret == 0 && i < vc->n_registry; i++)
		ret = hash_add(&h, vc->registry[i].data, 32);
	if (ret != 0) {
		hash_abort(&h);
		return ret;
	}
	return hash_final(&h, out);
}

static int
hash_add_transcript(struct hash_ctx *h, const Tally__CeremonyTranscript *tr)
{
	size_t i, j;
	int ret;

	if ((ret = hash_add_u32(h, tr->trustees)) != 0 ||
	    (ret = hash_add_u32(h, tr->quorum)) != 0 ||
	    (ret = hash_add(h, tr->ceremony.data, tr->ceremony.len)) != 0 ||
	    (ret = hash_add(h, tr->joint_key.data, tr->joint_key.len)) != 0)
		return ret;
	for (i = 0; i < tr->n_public_shares; i++)
		if ((ret = hash_add(h, tr->public_shares[i].data,
		    tr->public_shares[i].len)) != 0)
			return ret;
	for (i = 0; i < tr->n_members; i++) {
		const Tally__TrusteePublic *p = tr->members[i];

		if ((ret = hash_add_u32(h, p->index)) != 0)
			return ret;
		for (j = 0; j < p->n_commitments; j++)
			if ((ret = hash_add(h, p->commitments[j].data,
			    p->commitments[j].len)) != 0)
				return ret;
	}
	return 0;
}

int
vote_election_hash(uint8_t out[32], const Tally__VoteCreated *vc)
{
	struct hash_ctx h;
	uint8_t reg[32];
	int ret;

	if (vc->vote_id == NULL || vc->transcript == NULL ||
	    vc->ledger_key.len != 32)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = registry_digest(reg, vc)) != 0)
		return ret;
	if ((ret = hash_init(&h, "election", 0)) != 0)
		return ret;
	if ((ret = hash_add_str(&h, vc->vote_id)) != 0 ||
	    (ret = hash_add(&h, vc->manifest.data, vc->manifest.len)) != 0 ||
	    (ret = hash_add_transcript(&h, vc->transcript)) != 0 ||
	    (ret = hash_add(&h, reg, sizeof(reg))) != 0 ||
	    (ret = hash_add(&h, vc->ledger_key.data, 32)) != 0 ||
	    (ret = witness_hash_add(&h, vc->witness_keys, vc->n_witness_keys,
	    vc->witness_quorum)) != 0) {
		hash_abort(&h);
		return ret;
	}
	return hash_final(&h, out);
}

/* -------------------------------------------------------------- context */

static int ctx_fail(struct vote_ctx_error *err, int code, const char *check,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
ctx_fail(struct vote_ctx_error *err, int code, const char *check,
    const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && code != TALLY_ERR_NOMEM) {
		err->check = check;
		va_start(ap, fmt);
		vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
		va_end(ap);
	}
	return code;
}

static int
ctx_vote(struct vote_ctx *c, const Tally__VoteCreated *vc,
    struct vote_ctx_error *err)
{
	char why[VOTE_CTX_REASON_MAX];
	size_t idlen = vc->vote_id ? strlen(vc->vote_id) : 0;
	int ret;

	if (idlen == 0 || idlen > MANIFEST_ID_MAX)
		return ctx_fail(err, TALLY_ERR_DECODE, "vote",
		    "vote id of %zu bytes (1..%d)", idlen, MANIFEST_ID_MAX);
	if (vc->ledger_key.len != 32)
		return ctx_fail(err, TALLY_ERR_DECODE, "vote",
		    "ledger key of %zu bytes, not 32", vc->ledger_key.len);
	memcpy(c->id, vc->vote_id, idlen + 1);
	why[0] = '\0';
	if ((ret = manifest_parse(&c->m, vc->manifest.data, vc->manifest.len,
	    why, sizeof(why))) != 0)
		return ctx_fail(err, ret, "manifest", "%s", why[0] ? why :
		    tally_strerror(ret));
	if (strcmp(c->m->id, c->id) != 0)
		return ctx_fail(err, TALLY_ERR_MANIFEST, "manifest",
		    "vote id \"%s\" is not the manifest's \"%s\"", c->id,
		    c->m->id);
	return 0;
}

static int
ctx_registry(struct vote_ctx *c, const Tally__VoteCreated *vc,
    struct vote_ctx_error *err)
{
	size_t i;

	if ((c->registry = calloc(vc->n_registry + 1, 32)) == NULL)
		return TALLY_ERR_NOMEM;
	for (i = 0; i < vc->n_registry; i++) {
		if (vc->registry[i].len != 32)
			return ctx_fail(err, TALLY_ERR_INVALID_ARG, "registry",
			    "key %zu is not 32 bytes", i);
		memcpy(c->registry + 32 * i, vc->registry[i].data, 32);
	}
	c->nreg = vc->n_registry;
	if (ballot_registry_check(c->registry, c->nreg) != 0)
		return ctx_fail(err, TALLY_ERR_INVALID_ARG, "registry",
		    "keys are not strictly ascending");
	return 0;
}

/* Open the transcript from its canonical bytes (every check of
 * ceremony_transcript_open), then take K from what it recomputed. */
static int
ctx_transcript(struct vote_ctx *c, const Tally__VoteCreated *vc,
    struct vote_ctx_error *err)
{
	struct ceremony_why why = { "transcript", "does not check", 0 };
	uint8_t *buf;
	size_t len;
	int ret;

	if (vc->transcript == NULL)
		return ctx_fail(err, TALLY_ERR_DECODE, "transcript",
		    "no ceremony transcript");
	len = tally__ceremony_transcript__get_packed_size(vc->transcript);
	if ((buf = malloc(len + 1)) == NULL)
		return TALLY_ERR_NOMEM;
	tally__ceremony_transcript__pack(vc->transcript, buf);
	ret = ceremony_transcript_check(&c->tr, buf, len, &why);
	free(buf);
	if (ret != 0 && why.trustee != 0)
		return ctx_fail(err, ret, why.check, "trustee %u: %s: %s (%s)",
		    why.trustee, why.reason, tally_strerror(ret),
		    tally_errname(ret));
	if (ret != 0)
		return ctx_fail(err, ret, why.check, "%s: %s (%s)", why.reason,
		    tally_strerror(ret), tally_errname(ret));
	if ((c->K = group_point_new()) == NULL)
		return TALLY_ERR_NOMEM;
	return ceremony_joint_key(c->K, c->tr);
}

/* The vote's witnesses: valid keys, strictly ascending, a majority
 * quorum (witness_set_check); 0 witnesses and quorum 0 is a vote that
 * scrutineers decrypt only on the sealed size and root read out in the
 * hall. */
static int
ctx_witnesses(struct vote_ctx *c, const Tally__VoteCreated *vc,
    struct vote_ctx_error *err)
{
	char why[VOTE_CTX_REASON_MAX] = "";
	int ret;

	if ((ret = witness_set_check(vc->witness_keys, vc->n_witness_keys,
	    vc->witness_quorum, why, sizeof(why))) != 0)
		return ctx_fail(err, ret, "witnesses", "%s", why);
	c->nwitnesses = vc->n_witness_keys;
	c->witness_quorum = vc->witness_quorum;
	return 0;
}

static int
ctx_hash(struct vote_ctx *c, const Tally__VoteCreated *vc,
    struct vote_ctx_error *err)
{
	int ret;

	if (vc->election_hash.len != 32)
		return ctx_fail(err, TALLY_ERR_DECODE, "election-hash",
		    "election hash of %zu bytes, not 32",
		    vc->election_hash.len);
	if ((ret = vote_election_hash(c->election_hash, vc)) != 0)
		return ctx_fail(err, ret, "election-hash", "cannot compute "
		    "H_E: %s", tally_strerror(ret));
	if (CRYPTO_memcmp(c->election_hash, vc->election_hash.data, 32) != 0)
		return ctx_fail(err, TALLY_ERR_VERIFY, "election-hash",
		    "election_hash is not H_E recomputed");
	return 0;
}

int
vote_ctx_init(struct vote_ctx *c, const Tally__VoteCreated *vc,
    struct vote_ctx_error *err)
{
	int ret;

	memset(c, 0, sizeof(*c));
	if (err != NULL) {
		err->check = "vote";
		snprintf(err->reason, sizeof(err->reason), "out of memory");
	}
	if ((ret = ctx_vote(c, vc, err)) != 0 ||
	    (ret = ctx_registry(c, vc, err)) != 0 ||
	    (ret = ctx_transcript(c, vc, err)) != 0 ||
	    (ret = ctx_witnesses(c, vc, err)) != 0 ||
	    (ret = ctx_hash(c, vc, err)) != 0) {
		vote_ctx_clear(c);
		return ret;
	}
	c->bc.m = c->m;
	c->bc.vote_id = c->id;
	c->bc.joint_key = c->K;
	memcpy(c->bc.election_hash, c->election_hash, 32);
	c->bc.registry = c->registry;
	c->bc.nreg = c->nreg;
	return 0;
}

void
vote_ctx_clear(struct vote_ctx *c)
{
	manifest_free(c->m);
	if (c->tr != NULL)
		tally__ceremony_transcript__free_unpacked(c->tr, NULL);
	group_point_free(c->K);
	free(c->registry);
	memset(c, 0, sizeof(*c));
}
