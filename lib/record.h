/*
 * record.h: offline verification of a vote's record (docs/design.md §9,
 * docs/record/semantics.md, docs/record/verify.md) and of voters' receipts.
 *
 * record_verify re-checks everything an auditor needs, in the order of
 * docs/design.md §9, and stops at the first failure, naming the record index, a
 * stable check name ("chain", "checkpoint", "ballot-proof", ... listed in
 * docs/record/semantics.md) and a reason. It never trusts the ledger: every
 * total and the outcome are recomputed and compared byte for byte. Ballot
 * proofs are verified on several threads, each with its own batch.
 */
#ifndef TALLY_RECORD_H
#define TALLY_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RECORD_CHECK_MAX 32
#define RECORD_REASON_MAX 256
#define RECORD_WITNESS_MAX 16		/* WITNESS_MAX */

/* Called with the phase ("read", "ballots", "shares", ...), how far it got
 * and of how much. May be called from worker threads, never concurrently. */
typedef void (*record_progress_fn)(void *arg, const char *phase,
    uint64_t done, uint64_t total);

struct manifest;
struct challenge_open;
/* Called once the ballots have been checked, for every Ballot (open NULL)
 * and every SpoiledBallot (open: what it contained, valid during the
 * call) with its record index and tracking code. Only trust what it
 * reported when record_verify returns 0. */
typedef void (*record_ballot_fn)(void *arg, uint64_t index,
    const uint8_t tracking[32], const struct manifest *m,
    const struct challenge_open *open);

struct record_opts {
	unsigned int threads;		/* 0: one per online core */
	int allow_incomplete;		/* accept a record before its Result */
	record_progress_fn progress;	/* may be NULL */
	void *progress_arg;
	record_ballot_fn ballot;	/* may be NULL */
	void *ballot_arg;
};

struct record_report {
	/* on failure */
	uint64_t index;			/* failing record (count: past end) */
	char check[RECORD_CHECK_MAX];
	char reason[RECORD_REASON_MAX];
	/* summary (filled as far as verification got) */
	char vote_id[72];
	uint64_t records, ballots, spoiled, shares, checkpoints;
	uint64_t shuffles;		/* steps of the write-in mix-net */
	uint64_t present, issued;
	int complete;			/* ends with Result, Checkpoint */
	const char *state;		/* created, open, closed, counted */
	uint8_t root[32];		/* RFC 6962 root of every record */
	char *outcome;			/* the verified results_json, NUL-ended */
	/* witnesses and the seal (docs/record/witness.md) */
	uint8_t election_hash[32];	/* H_E recomputed, once checked */
	uint32_t witnesses, witness_quorum;
	uint64_t cosignatures;		/* Cosignature records */
	uint64_t seal_size;		/* records up to PollsClosed, or 0 */
	uint8_t seal_root[32];
	uint32_t seal_cosigned;		/* witnesses that cosigned the seal */
	/* per witness w < witnesses: its key, the largest size it cosigned
	 * (0: none) and, as bit w of seal_mask, whether it cosigned the seal */
	uint8_t witness_keys[RECORD_WITNESS_MAX][32];
	uint64_t witness_size[RECORD_WITNESS_MAX];
	uint32_t seal_mask;
	size_t outcome_len;
};

/*
 * Verify the record at path. Returns 0 when everything holds, E_VERIFY
 * with rep's index, check and reason filled on the first failure, or
 * another error (E_NOT_FOUND, E_IO, E_NOMEM) when it could not be read,
 * also described in rep. Release rep with record_report_clear.
 */
int record_verify(const char *path, const struct record_opts *o,
    struct record_report *rep);
void record_report_clear(struct record_report *rep);

/*
 * A voter's receipt (serialized Receipt) against a record: same vote; the
 * receipt's checkpoint signed by the record's ledger key; its leaf hash
 * included at its index in that checkpoint's tree; the record holding a
 * Ballot or SpoiledBallot with that leaf hash at that index; and the
 * receipt's checkpoint a prefix (size, root, chain head) of the record, whose final Checkpoint
 * record is checked. The record's ballots are not re-verified here (that is
 * record_verify). Returns 0 or E_VERIFY (checks "receipt",
 * "receipt-signature", "receipt-inclusion", "receipt-leaf",
 * "receipt-consistency", or a record check), filling rep as record_verify.
 */
int record_receipt_check(const uint8_t *receipt, size_t len,
    const char *path, struct record_report *rep);

/*
 * A follower verifies a record as it grows (tallyctl witness): feed it the
 * log's bytes in order, from the file header on; every whole record is
 * checked as record_verify checks a record that ends there (incomplete
 * allowed), each check taking up where it stopped, so each ballot's
 * proofs are verified once. *used says how many bytes were consumed
 * (whole frames); feed the rest again with more. The first failure is
 * E_VERIFY (or another code) with the report's index, check and reason
 * filled, and every later feed returns it. The report's summary (records,
 * root, state, seal, cosignatures) is of everything checked so far.
 */
struct record_follow;
int record_follow_new(struct record_follow **f, const struct record_opts *o);
int record_follow_feed(struct record_follow *f, const uint8_t *p, size_t len,
    size_t *used);
const struct record_report *record_follow_report(const struct record_follow *f);
/* Root of the first size records checked so far. */
int record_follow_root(const struct record_follow *f, uint64_t size,
    uint8_t root[32]);
void record_follow_free(struct record_follow *f);

#endif
