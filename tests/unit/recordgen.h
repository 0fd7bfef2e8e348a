/*
 * recordgen.h: test fixture that writes a complete, valid vote record in
 * process (docs/record/semantics.md): an in-memory k-of-n ceremony, a
 * manifest from tests/data/manifests, a registry, ballots with known
 * choices, the aggregate, shares, the Result and the checkpoints, through
 * the log appender. A hook may alter, drop or repeat any record before it
 * is appended, so tamper tests get a re-chained, re-signed record.
 */
#ifndef TALLY_RECORDGEN_H
#define TALLY_RECORDGEN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>

#include "count.h"
#include "manifest.h"
#include "mixnet.h"
#include "tally.pb-c.h"

enum rg_action { RG_WRITE = 0, RG_SKIP = 1, RG_TWICE = 2 };

/* seq: position in the planned sequence (not the log index). rec is a
 * private copy: change it in place only (no new pointers). */
typedef enum rg_action (*rg_hook_fn)(void *arg, size_t seq,
    Tally__LogRecord *rec);

struct rg_opts {
	const char *manifest;		/* file under tests/data/manifests */
	uint32_t n, k;
	size_t ncred, nballots;
	const char *const *choices;	/* ballot i: choices[i % nchoices] */
	size_t nchoices;
	uint32_t sharers[64];		/* trustees that submit, in order */
	size_t nsharers;
	uint32_t mixers[64];		/* trustees that shuffle the write-in
					 * list, in order (with a list) */
	size_t nmixers;
	uint64_t present, issued;
	int stop_before_result;		/* leave the record incomplete */
	int checkpoints_everywhere;	/* a Checkpoint after every record */
	size_t nspoiled;		/* challenged ballots before the cast
					 * ones, spoiled i by credential i and
					 * choices[i % nchoices] */
	int cast_spoiled;		/* also log spoiled 0's ballot as cast
					 * (an attack: the count is then off) */
	/* Witnesses (docs/record/witness.md): nwitnesses keys named in
	 * VoteCreated with witness_quorum; cosign_open of them cosign the
	 * log after half the ballots, seal_cosigners of them cosign the
	 * sealed log after the Aggregate (before the shares). */
	size_t nwitnesses;
	uint32_t witness_quorum;
	size_t cosign_open, seal_cosigners;
	rg_hook_fn hook;
	void *hook_arg;
	/* When set: the credentials (pk || sk, sorted by pk), made before any
	 * record is written, so that a hook can re-sign a ballot. Caller frees. */
	uint8_t (**keys_out)[64];
};

struct recordgen {
	struct manifest *m;
	uint8_t *mjson;
	size_t mlen;
	Tally__CeremonyTranscript *tr;
	BIGNUM *s[65];			/* trustees' secret shares, 1..n */
	uint8_t ledger_sk[32], ledger_pk[32];
	uint8_t he[32];
	uint8_t wsk[16][32], wpk[16][32];	/* witnesses, sorted by pk */
	uint8_t seal_root[32];
	uint64_t *expect;		/* plaintext totals cast */
	size_t nrecords;
	size_t first_spoiled, first_ballot, closed, agg, result; /* indices */
	size_t seal_cosig;		/* index of the first seal cosignature */
	Tally__Aggregate *agg_msg;	/* as written */
	struct count_item *items;
	size_t nitems;
	EC_POINT *K;			/* joint key */
	struct mixnet mx;		/* after the mixers' shuffles */
	size_t first_shuffle;		/* index of the first Shuffle */
};

/* Defaults: session.json, 5 of 3, 30 credentials, 30 ballots, the
 * standard choices, trustees 1 2 3 mixing and sharing, present = issued =
 * 239. */
void rg_opts_default(struct rg_opts *o);
/* The record at path (created). */
int rg_build(struct recordgen **out, const struct rg_opts *o,
    const char *path);
void rg_free(struct recordgen *g);

/* The standard session.json choices and their known write-in tally. */
extern const char *const rg_session_choices[];
extern const size_t rg_session_nchoices;

#endif
