/* checkpoint.c: signing and verifying log checkpoints. */
#include "checkpoint.h"

#include <string.h>

#include "err.h"

int
checkpoint_digest(uint8_t out[HASH_LEN], const char *vote_id, uint64_t size,
    const uint8_t root[HASH_LEN], const uint8_t head[HASH_LEN])
{
	struct hash_ctx h;
	int ret;

	if (vote_id == NULL)
		return TALLY_ERR_INVALID_ARG;
	if ((ret = hash_init(&h, "checkpoint", 0)) != 0)
		return ret;
	if ((ret = hash_add_str(&h, vote_id)) != 0 ||
	    (ret = hash_add_u64(&h, size)) != 0 ||
	    (ret = hash_add(&h, root, HASH_LEN)) != 0 ||
	    (ret = hash_add(&h, head, HASH_LEN)) != 0) {
		hash_abort(&h);
		return ret;
	}
	return hash_final(&h, out);
}

int
checkpoint_sign(struct checkpoint *cp, const char *vote_id,
    const uint8_t sk[ED25519_KEY_LEN])
{
	uint8_t d[HASH_LEN];
	int ret;

	if ((ret = checkpoint_digest(d, vote_id, cp->size, cp->root,
	    cp->head)) != 0)
		return ret;
	return ed25519_sign(cp->sig, sk, d, sizeof(d));
}

int
checkpoint_verify(const struct checkpoint *cp, const char *vote_id,
    const uint8_t pk[ED25519_KEY_LEN])
{
	uint8_t d[HASH_LEN];

	if (checkpoint_digest(d, vote_id, cp->size, cp->root, cp->head) != 0)
		return TALLY_ERR_BAD_SIGNATURE;
	return ed25519_verify(pk, d, sizeof(d), cp->sig, sizeof(cp->sig));
}

void
checkpoint_to_proto(const struct checkpoint *cp, Tally__Checkpoint *out)
{
	tally__checkpoint__init(out);
	out->size = cp->size;
	out->root.data = (uint8_t *)cp->root;
	out->root.len = HASH_LEN;
	out->chain_head.data = (uint8_t *)cp->head;
	out->chain_head.len = HASH_LEN;
	out->signature.data = (uint8_t *)cp->sig;
	out->signature.len = ED25519_SIG_LEN;
}

int
checkpoint_from_proto(struct checkpoint *cp, const Tally__Checkpoint *in)
{
	if (in->root.len != HASH_LEN || in->chain_head.len != HASH_LEN ||
	    in->signature.len != ED25519_SIG_LEN)
		return TALLY_ERR_DECODE;
	cp->size = in->size;
	memcpy(cp->root, in->root.data, HASH_LEN);
	memcpy(cp->head, in->chain_head.data, HASH_LEN);
	memcpy(cp->sig, in->signature.data, ED25519_SIG_LEN);
	return 0;
}
