/*
 * election.h: the state of one vote inside the ledger.
 *
 * A vote moves created -> open -> closed -> tallied, each step a log
 * record. election_check says whether a record may be appended now (with
 * the error code a client gets); election_apply changes the state as the
 * record says. The same apply runs on the live path and when a vote is
 * recovered from its log, so a restart rebuilds exactly the state that
 * was acknowledged: used credentials, challenged ballots, running sums.
 *
 * Memory (issue 16, docs/tallyd.md): during intake the ledger keeps per
 * cast ballot only its credential's struct voted (24 bytes per registry
 * key); not the H(a) of every selection (the proofs, bound to the
 * credential, refuse a copy: docs/design.md §5) nor the write-in list,
 * which is read back from the log when the Aggregate is recorded. The
 * mix state and the shares' copies are freed with the Result.
 */
#ifndef TALLYD_ELECTION_H
#define TALLYD_ELECTION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "ballot.h"
#include "checkpoint.h"
#include "count.h"
#include "elgamal.h"
#include "hash.h"
#include "manifest.h"
#include "mixnet.h"
#include "tally.pb-c.h"
#include "votectx.h"
#include "witness.h"

enum vote_state {
	VOTE_NONE,		/* no VoteCreated record yet */
	VOTE_CREATED,
	VOTE_OPEN,
	VOTE_CLOSED,
	VOTE_TALLIED
};

/* A set of 32-byte digests (open addressing, filled up to 3/4), for the
 * few challenged ballots: their tracking codes and the H(a) of their
 * selections. A set keeps the first DSET_KEY bytes of each digest: two
 * different digests share them with probability 2^-128. */
#define DSET_KEY 16
struct digest_set {
	uint8_t		(*slot)[DSET_KEY];
	uint8_t		*used;
	size_t		 cap;
	size_t		 n;
};

/* A registered credential's cast ballot (docs/tallyd.md, memory): the
 * first DSET_KEY bytes of its tracking code and its record index; index
 * 0 (the VoteCreated's) for a credential that has not voted. One per
 * registry key, allocated at the first ballot: 24 bytes a member, all
 * the ledger keeps per cast ballot (issue 16). */
struct voted {
	uint8_t		 code[DSET_KEY];
	uint64_t	 index;
};

struct vote {
	TAILQ_ENTRY(vote)	 entry;
	char			 id[MANIFEST_ID_MAX + 1];
	char			*logpath;	/* "ID.log" (the ledger runs
						 * in data_dir), or as set by
						 * vote_set_log_path: read
						 * back at the Aggregate */
	enum vote_state		 state;
	struct log		*log;
	uint64_t		 durable_end;	/* file bytes synced: get_record */
	Tally__VoteCreated	*created;	/* the record's copy, owned */
	struct vote_ctx		 ctx;
	int			 sealed;	/* Checkpoint after PollsClosed */
	int			 aggregated;
	uint32_t		 present, issued;
	uint64_t		 ballots;
	uint64_t		 records;
	uint32_t		 shares;
	struct voted		*voted;		/* ctx.nreg, or NULL before
						 * the first ballot */
	struct digest_set	 revealed;	/* H(a) of challenged ballots'
						 * selections (their
						 * randomness is public) */
	struct digest_set	 spoiled;	/* tracking codes challenged */
	uint64_t		 nspoiled;
	struct elgamal_ct	*sums;		/* manifest->nsel running sums */
	size_t			 nitems;	/* ballots * nwriteins, from
						 * the Aggregate on */
	struct mixnet		 mx;		/* the write-in list, read
						 * from the log at the
						 * Aggregate, freed with the
						 * Result */
	Tally__DecryptionShare	**sharev;	/* shares copies, in order;
						 * freed with the Result */
	Tally__Result		*result;	/* copy, once tallied */
	int			 final;		/* Checkpoint after Result */
	struct checkpoint	 receipt_cp;	/* last signed for receipts; */
	int			 have_receipt_cp; /* one signature per batch */
	int			 failed;	/* its log could not be written: */
	int			 failed_errno;	/* no more writes (E_STORAGE) */
	/* Proofs being checked off the ledger's thread (election_job_*):
	 * they read the write-in list, which stays as it is meanwhile. */
	int			 mixing;	/* a Shuffle: step, mixer */
	uint32_t		 mixing_step, mixing_mixer;
	uint32_t		 sharing;	/* DecryptionShares, of */
	uint8_t			 sharing_t[CEREMONY_MAX_TRUSTEES + 1];
	int			 tallying;	/* the count */
	/* Witnesses (docs/record/witness.md): each one's last cosigned
	 * size and time, and which of them cosigned the sealed log, the
	 * records up to PollsClosed (seal_size of them, root seal_root). */
	uint64_t		 wsize[WITNESS_MAX];
	uint64_t		 wtime[WITNESS_MAX];
	uint64_t		 seal_size;
	uint8_t			 seal_root[HASH_LEN];
	uint32_t		 seal_cosigned;	/* bit per witness */
};

const char *vote_state_name(enum vote_state s);

struct vote *vote_new(const char *id);
/* Where v's log is, when not "ID.log" in the working directory. */
int vote_set_log_path(struct vote *v, const char *path);
void vote_free(struct vote *v);

/* 0 when rec may be appended to v now, else the client's error code with
 * a message in msg. Not for Ballot records: see election_check_ballot. */
/* A Shuffle: the vote aggregated, no share yet, then mixnet_step_verify
 * (proof of shuffle verified here). */
int election_check_shuffle(const struct vote *v, const Tally__Shuffle *sh,
    char *msg, size_t msglen);
int election_check(const struct vote *v, const Tally__LogRecord *rec,
    char *msg, size_t msglen);
/* The ledger's checks of a ballot: the vote is open, shape, registry,
 * signature and points (ballot_verify without proofs: the frontend
 * checked those), not a challenged ballot (E_SPOILED), no selection's a
 * twice in the ballot nor one of a challenged ballot's (E_REPLAY),
 * credential unused (E_CRED_USED). A copy of another cast ballot's
 * ciphertexts is not looked for: its proofs, bound to the other
 * credential, fail at the frontend (E_BAD_PROOF). On success info is
 * filled for election_apply_ballot. */
int election_check_ballot(const struct vote *v, const Tally__Ballot *b,
    struct ballot_info *info, char *msg, size_t msglen);
/* Apply a checked ballot that is record number v->records (its index). */
int election_apply_ballot(struct vote *v, const struct ballot_info *info,
    const Tally__Ballot *b);
/* Issue 12, finding 11: 1 with *index set when these very bytes (same
 * body and signature: same tracking code) were cast in v, else 0. cred:
 * the credential in b's body (looked up first: only a credential that
 * has voted costs a tracking code). A ballot is recorded whole or not at all, so equal tracking codes mean
 * the ballot that was checked and recorded then. */
int election_cast_index(const struct vote *v, const uint8_t cred[32],
    const Tally__Ballot *b, uint64_t *index);
/* A challenged ballot (docs/record/challenge.md): the vote is open, the
 * ballot checks (no proofs: the frontend checked the whole opening), it
 * was neither cast (E_ALREADY_CAST) nor challenged before (E_SPOILED),
 * its card has not voted (E_CRED_USED), no ciphertext of a challenged
 * ballot (E_REPLAY). One reusing a cast ballot's ciphertexts is not
 * refused: only that ballot's maker knows their randomness, and so its
 * vote (docs/design.md §5). */
int election_check_spoiled(const struct vote *v,
    const Tally__SpoiledBallot *s, struct ballot_info *info, char *msg,
    size_t msglen);
int election_apply_spoiled(struct vote *v, const struct ballot_info *info,
    const Tally__SpoiledBallot *s);
/* Which witness of v signed c (its position in the set), or -1. */
int election_witness(const struct vote *v, const Tally__Cosignature *c);
/* Number of witnesses that cosigned v's sealed log. */
unsigned int election_seal_cosigned(const struct vote *v);
/*
 * The proof checks of a Shuffle and of a DecryptionShare take seconds at
 * a few thousand write-ins: the ledger runs them on a verification thread
 * (docs/tallyd.md, "The ledger's threads"), in three steps.
 * election_job_begin, on the ledger's thread: the cheap checks of
 * election_check (same codes and messages), then v marked as checking
 * (0), or the refusal. election_job_run, on any thread: the proofs; it
 * reads only j and what of v no record changes while v is marked (its
 * context and write-in list). election_job_end, on the ledger's thread:
 * v unmarked, the proof's verdict, the cheap checks again, and the record
 * applied as election_apply does (0: the caller appends it).
 *
 * While v is marked: another Shuffle of v, a Shuffle while a share of v
 * is checked, a share while a Shuffle of v is checked (once k shuffles
 * are recorded; before, E_MIX_STATE as ever), a second share of the same
 * trustee and the tally of v get E_BUSY: ask again (election_busy). The
 * shares of different trustees are checked at the same time.
 *
 * The tally is a job too: rec is a Result record whose result is not set
 * (NULL). begin: election_busy, v marked (tallying); run: count_tally over
 * v's recorded shares (into j->cr); end: v unmarked, the count's verdict
 * (0: the caller records j->cr as the Result; election_apply applies it).
 * While it runs a share (not a duplicate), a Shuffle and another tally of
 * v get E_BUSY.
 *
 * rec (a Shuffle, a DecryptionShare or a Result) must stay valid and
 * unchanged until election_job_end; v must not be freed before it.
 */
struct election_job {
	struct vote			*v;
	const Tally__LogRecord		*rec;
	struct count_input		 in;	/* a share's */
	Tally__Aggregate		*agg;
	struct mix_list			 out;	/* the list a Shuffle makes */
	int				 ret;	/* election_job_run's verdict */
	int				 why;
	size_t				 where;
	struct count_result		*cr;	/* the tally's count */
	uint32_t			 culprit;
	char				 err[256];
};

int election_job_begin(struct election_job *j, struct vote *v,
    const Tally__LogRecord *rec, char *msg, size_t msglen);
void election_job_run(struct election_job *j);
int election_job_end(struct election_job *j, char *msg, size_t msglen);
/* Free what begin and run kept (after end, or instead of it after begin
 * at shutdown: v is unmarked then too). */
void election_job_clear(struct election_job *j);
/* E_BUSY with msg when v has a proof being checked (the tally waits for
 * them), else 0. */
int election_busy(const struct vote *v, char *msg, size_t msglen);

/* Apply a record that passed the checks (or was recovered). */
int election_apply(struct vote *v, const Tally__LogRecord *rec);

/* The aggregate of v's running sums, made fresh; free it with
 * election_aggregate_free. */
int election_aggregate(const struct vote *v, Tally__Aggregate **out);
void election_aggregate_free(Tally__Aggregate *a);

/* What shares and the count are computed over (valid while v is). The
 * aggregate is made fresh: free it with election_aggregate_free. */
int election_count_input(const struct vote *v, struct count_input *in,
    Tally__Aggregate **agg);
/* The trustee's share is well formed, new and proven (E_VOTE_STATE before
 * the aggregate or after the result, E_SHARE_DUP, E_BAD_SHARE,
 * E_BAD_POINT, E_BAD_PROOF). */
int election_check_share(const struct vote *v,
    const Tally__DecryptionShare *sh, char *msg, size_t msglen);

#endif
