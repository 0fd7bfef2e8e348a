/*
 * count.h: from a closed vote's aggregate, its ballots' write-in material
 * and the trustees' decryption shares to the totals, the write-in names and
 * the outcome (docs/design.md §8, docs/record/semantics.md).
 *
 * The ledger calls count_tally to record the Result, the verifier calls it
 * to recompute the Result, and a trustee calls count_share_make to produce
 * its share. Every share is verified before it is used and a bad one is
 * named by its trustee index; the k lowest trustee indices among the shares
 * are combined, so the same shares always give the same Result bytes.
 */
#ifndef TALLY_COUNT_H
#define TALLY_COUNT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>

#include "manifest.h"
#include "rules.h"
#include "tally.pb-c.h"
#include "shuffle.h"
#include "writein.h"

/*
 * One write-in slot of one ballot: COUNT_ITEM_CTS ciphertexts, each a || b
 * (33 + 33 bytes): the slot's selection (its mark), then the
 * WRITEIN_POINTS ciphertexts of its name. The write-in list is the items of
 * every ballot in log order, slot by slot: ciphertext k of the list is
 * items[k / COUNT_ITEM_CTS].ct[k % COUNT_ITEM_CTS], and the W items of a
 * ballot are one tuple of W * COUNT_ITEM_CTS ciphertexts, the layout of
 * a mix_list (shuffle.h).
 */
#define COUNT_ITEM_CTS (1 + WRITEIN_POINTS)
#define COUNT_CT_LEN 66
struct count_item {
	uint8_t ct[COUNT_ITEM_CTS][COUNT_CT_LEN];
};

/* What the shares and the count are computed over. */
struct count_input {
	const struct manifest *m;
	const Tally__CeremonyTranscript *tr;	/* opened (checked) */
	const uint8_t *election_hash;		/* H_E, 32 bytes */
	uint64_t present, issued;
	const Tally__Aggregate *agg;		/* ballots; sums (none if 0) */
	const struct count_item *items;		/* agg->ballots * m->nwriteins */
	size_t nitems;
	/* When not NULL, the write-in list that the shares cover and the
	 * count opens instead of items: the output of the last shuffle
	 * (mixnet.h), agg->ballots tuples of m->nwriteins * COUNT_ITEM_CTS
	 * ciphertexts, encoded (enc). */
	const struct mix_list *mixed;
	/* Set only when the caller has just passed every share it gives
	 * count_tally through count_share_verify: the proofs are then not
	 * checked a second time (indexes and repeats still are). */
	int shares_verified;
};

struct count_result {
	uint64_t *totals;		/* m->nsel */
	size_t ntotals;
	uint32_t trustees[64];		/* the k combined, ascending */
	size_t ntrustees;
	struct rules_outcome *outcome;
	char *json;			/* results_json, NUL-terminated */
	size_t jsonlen;
};

/* Fill items[m->nwriteins] from a ballot that passed ballot_verify. */
int count_items_from_ballot(struct count_item *items,
    const struct manifest *m, const Tally__Ballot *b);

/*
 * Check the shape of in: aggregate sums count (m->nsel, or 0 with 0
 * ballots), every sum decodes, nitems = ballots * nwriteins, the mixed
 * list's shape, every first point of the write-in list decodes. E_BALLOT_SHAPE / E_BAD_POINT otherwise.
 */
int count_input_check(const struct count_input *in);

/*
 * Verify one share: trustee in 1..n, exact counts, every point, every DLEQ
 * proof (batched; on failure each proof alone). On failure *where (may be
 * NULL) is the position of the first bad proof: i for sums[i], nsums + j for
 * writeins[j]. E_BAD_SHARE for index or counts, E_BAD_POINT, E_BAD_PROOF.
 */
int count_share_verify(const struct count_input *in,
    const Tally__DecryptionShare *sh, size_t *where);

/* Trustee side: the share of trustee index with secret share s, which
 * must match the transcript's public share (E_BAD_SHARE otherwise).
 * Free with count_share_free. */
int count_share_make(Tally__DecryptionShare **out,
    const struct count_input *in, uint32_t index, const BIGNUM *s);
void count_share_free(Tally__DecryptionShare *sh);

/*
 * Verify every share (a bad one: its error, *culprit = its trustee index;
 * a repeated index: E_SHARE_DUP), need k of them (E_NEED_SHARES, err says
 * how many more), combine the k lowest indices, recover the totals (bound:
 * ballots) and write-ins, apply the rules. E_DLOG_RANGE / E_VERIFY when a
 * total or bit is out of range, E_RULES when the rules refuse. *culprit
 * may be NULL; it is 0 when no single trustee is to blame.
 */
int count_tally(struct count_result **out, const struct count_input *in,
    const Tally__DecryptionShare *const *shares, size_t nshares,
    uint32_t *culprit, char *err, size_t errlen);
void count_result_free(struct count_result *r);

/* Point the fields of res at r (no copies: r must outlive res). */
void count_result_to_proto(const struct count_result *r, Tally__Result *res);

#endif
