/*
 * mixnet.h: the write-in mix-net of a vote (docs/record/mixnet.md §7).
 *
 * After the Aggregate, the write-in list (count.h: one tuple per ballot of
 * 3W ciphertexts, each slot's mark and its name's two points) is shuffled
 * in turn by at least k distinct scrutineers, k the decryption quorum: each
 * takes the current list, re-encrypts and permutes it (shuffle.h) and
 * records a Shuffle {mixer, step, list, proof}. The proof of step s by
 * scrutineer t is bound to {H_E, subject = u32be(t), PROOF_SHUFFLE,
 * contest 0, index s}, so a shuffle is never valid for another mixer or
 * step. The mixer authenticates its step with a Schnorr proof of knowledge
 * of its secret share s_t (X = its public share from the transcript), bound
 * to {H_E, subject = u32be(t) || H("shuffle-list", list), PROOF_SHUFFLE,
 * contest 1, index s}: nobody shuffles in another scrutineer's name, so k
 * steps are k distinct scrutineers. Decryption shares cover the last list
 * only, never the ballots'.
 *
 * Why k: k scrutineers together can decrypt any ballot anyway; under the
 * assumption that already protects the ballots (fewer than k dishonest),
 * one of k distinct mixers is honest and keeps its permutation secret, and
 * that is enough to unlink every name from its ballot.
 */
#ifndef TALLY_MIXNET_H
#define TALLY_MIXNET_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony.h"
#include "count.h"
#include "shuffle.h"
#include "tally.pb-c.h"

struct mixnet {
	const uint8_t *election_hash;	/* H_E, 32 bytes */
	const EC_POINT *K;		/* joint key */
	const Tally__CeremonyTranscript *tr;	/* opened */
	uint32_t trustees;		/* n */
	uint32_t steps;			/* shuffles applied */
	uint8_t mixed[CEREMONY_MAX_TRUSTEES + 1];	/* by trustee index */
	struct mix_list cur;		/* empty (n = 0) with no list */
};

/* The mix-net of a vote at step 0: cur is the write-in list of items
 * (nitems = ballots * m->nwriteins); no list when nitems is 0. K, tr and
 * election_hash must outlive mx. Free with mixnet_clear. */
int mixnet_init(struct mixnet *mx, const struct count_item *items,
    size_t nitems, const struct manifest *m, const EC_POINT *K,
    const uint8_t election_hash[32], const Tally__CeremonyTranscript *tr);
void mixnet_clear(struct mixnet *mx);

/* The list the shares cover, for count_input.mixed: NULL before the first
 * shuffle (and with no list). */
const struct mix_list *mixnet_output(const struct mixnet *mx);

/* The bind of step by mixer (subj receives u32be(mixer)). */
void mixnet_bind(struct proof_bind *b, uint8_t subj[4],
    const uint8_t election_hash[32], uint32_t mixer, uint32_t step);

/*
 * The cheap checks of a Shuffle against mx, in this order: a list to mix
 * (E_MIX_STATE), step = mx->steps (E_MIX_STALE), mixer in 1..n (E_BAD_SHUFFLE),
 * not already a mixer (E_MIX_DUP), the list's length and a proof present
 * (E_BAD_SHUFFLE).
 */
int mixnet_step_check(const struct mixnet *mx, const Tally__Shuffle *sh);

/* mixnet_step_check, then the mixer's authentication, the list decoded
 * into out (initialised here; free with mix_list_clear) and the proof of
 * shuffle from mx->cur to out verified: E_BAD_SHUFFLE for an
 * authentication that fails, a point that does not decode or a proof that
 * fails (*why, when not NULL, receives the underlying code). */
int mixnet_step_verify(struct mix_list *out, const struct mixnet *mx,
    const Tally__Shuffle *sh, int *why);

/* Make the step after mx's current list as mixer, whose secret share is s
 * (E_BAD_SHARE if s is not mixer's): sh (free with mixnet_shuffle_clear)
 * and the new list in out (initialised here). */
int mixnet_make(Tally__Shuffle *sh, struct mix_list *out,
    const struct mixnet *mx, uint32_t mixer, const BIGNUM *s);

/* The bind of a mixer's authentication (subj: 36 bytes). */
int mixnet_auth_bind(struct proof_bind *b, uint8_t subj[36],
    const uint8_t election_hash[32], const Tally__Shuffle *sh);
void mixnet_shuffle_clear(Tally__Shuffle *sh);

/* Take the step: out (from mixnet_step_verify or mixnet_make) becomes the
 * current list (moved: out is left empty), sh's mixer is marked. With out
 * NULL the list is decoded from sh (recovery of a record already checked).
 * mixnet_step_check is applied first. */
int mixnet_apply(struct mixnet *mx, const Tally__Shuffle *sh,
    struct mix_list *out);

#endif
