/* votectx.c: a vote's ballot-checking context from its VoteCreated. */
#include "votectx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony.h"
#include "err.h"
#include "group.h"
#include "hash.h"

int
vote_ctx_init(struct vote_ctx *c, const Tally__VoteCreated *vc)
{
	size_t i;
	int ret;

	memset(c, 0, sizeof(*c));
	if (strlen(vc->vote_id) > MANIFEST_ID_MAX ||
	    vc->election_hash.len != HASH_LEN || vc->transcript == NULL)
		return TALLY_ERR_DECODE;
	snprintf(c->id, sizeof(c->id), "%s", vc->vote_id);
	if ((ret = manifest_parse(&c->m, vc->manifest.data, vc->manifest.len,
	    NULL, 0)) != 0)
		goto out;
	ret = TALLY_ERR_NOMEM;
	if ((c->K = group_point_new()) == NULL ||
	    (c->registry = calloc(vc->n_registry + 1, 32)) == NULL)
		goto out;
	if ((ret = ceremony_joint_key(c->K, vc->transcript)) != 0)
		goto out;
	for (i = 0; i < vc->n_registry; i++) {
		if (vc->registry[i].len != 32) {
			ret = TALLY_ERR_DECODE;
			goto out;
		}
		memcpy(c->registry + 32 * i, vc->registry[i].data, 32);
	}
	c->nreg = vc->n_registry;
	c->bc.m = c->m;
	c->bc.vote_id = c->id;
	c->bc.joint_key = c->K;
	memcpy(c->bc.election_hash, vc->election_hash.data, HASH_LEN);
	c->bc.registry = c->registry;
	c->bc.nreg = c->nreg;
	ret = 0;
out:
	if (ret != 0)
		vote_ctx_clear(c);
	return ret;
}

void
vote_ctx_clear(struct vote_ctx *c)
{
	manifest_free(c->m);
	group_point_free(c->K);
	free(c->registry);
	memset(c, 0, sizeof(*c));
}
