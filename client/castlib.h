/*
 * castlib.h: what cast and simulate share: a vote's parameters fetched
 * from tallyd and checked (vote_ctx_init, H_E pinned), ballots
 * made from a card and marks, and receipts checked (ledger signature on
 * the checkpoint, inclusion of the tracking code) and saved.
 */
#ifndef TALLYCTL_CASTLIB_H
#define TALLYCTL_CASTLIB_H

#include <stddef.h>
#include <stdint.h>

#include "ballot.h"
#include "tallyctl.h"
#include "votectx.h"

struct cast_vote {
	Tally__Response		*resp;		/* owns vc */
	const Tally__VoteCreated *vc;
	struct vote_ctx		 ctx;		/* checked by vote_ctx_init */
};

/* GetVote, then build the vote's context with every check of
 * vote_ctx_init (joint key recomputed, H_E recomputed) and compare H_E
 * with pin (64 hex digits), or when pin is NULL with the configuration's
 * 'election_hash VOTE HEX'. E_UNPINNED
 * when there is neither (before any request), E_PIN_MISMATCH when H_E
 * differs. */
int cast_vote_fetch(struct ctl_conn *c, const char *vote_id, const char *pin,
    struct cast_vote *out, char *err, size_t errlen);
void cast_vote_clear(struct cast_vote *v);

/* Encrypt and sign marks with the card's credential for this vote;
 * *out is a serialized Tally__Ballot (caller frees). */
int cast_make(const struct cast_vote *v, const uint8_t seed[32],
    const uint8_t *marks, char *const *writeins, uint8_t **out,
    size_t *outlen);

/* Fill req (and its cast body, ballot) to send serialized ballot p. */
int cast_request(Tally__Request *req, Tally__CastRequest *cr,
    Tally__Ballot **ballot, const uint8_t *p, size_t len);

/* Fill req (and its spoil body, *sb) to submit the opening of serialized
 * ballot p: a challenged ballot, never to be cast. */
int cast_spoil_request(Tally__Request *req, Tally__SpoilRequest *sr,
    Tally__SpoiledBallot **sb, const uint8_t *p, size_t len,
    const struct ballot_secrets *sec);

/* The receipt's checkpoint is signed by the vote's ledger key and the
 * tracking code is included under it. */
int cast_receipt_check(const struct cast_vote *v, const Tally__Receipt *r);
int cast_receipt_save(const Tally__Receipt *r, const char *path);
/* The tracking code: base32 in dash-separated groups of four. */
void cast_tracking_code(char *out, size_t outlen, const uint8_t leaf[32]);

#endif
