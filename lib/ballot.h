/*
 * ballot.h: encrypting a ballot on the terminal, and checking one on the
 * daemon and by auditors (docs/design.md §4, §5).
 *
 * A ballot is a Tally__Ballot: the exact bytes of a Tally__BallotBody and the
 * credential's Ed25519 signature over those bytes. The body holds one
 * exponential ElGamal ciphertext per compiled selection of the manifest, a
 * 0/1 proof for each, a range proof for each constraint over the sum of its
 * selections, and one write-in per write-in slot. Every proof
 * is bound to H_E, the credential key, the contest and the selection,
 * constraint or slot index, so a proof cannot move. A write-in slot holds
 * WRITEIN_POINTS ElGamal ciphertexts of its name's points (writein.h).
 *
 * ballot_verify performs the intake checks of docs/design.md §5 that need no
 * state (shape, vote, registry membership, signature, points, proofs), each
 * with its own error code; replay and credential reuse are the ledger's.
 */
#ifndef TALLY_BALLOT_H
#define TALLY_BALLOT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ec.h>

#include "elgamal.h"
#include "manifest.h"
#include "proof.h"
#include "tally.pb-c.h"
#include "writein.h"

#define BALLOT_VERSION 2
/* Largest serialized Tally__BallotBody accepted (a terminal's frame is
 * capped below this anyway). */
#define BALLOT_BODY_MAX (1024 * 1024)

/* What the ballots of one vote are made and checked against. */
struct ballot_ctx {
	const struct manifest *m;
	const char *vote_id;
	const EC_POINT *joint_key;	/* K */
	uint8_t election_hash[32];	/* H_E */
	const uint8_t *registry;	/* nreg sorted 32-byte keys */
	size_t nreg;
	/* ballot_encrypt: 1 = no fixed-base tables (lib/p256/comb.c), only
	 * OpenSSL's multiplications (the tests compare the two) */
	int plain;
};

/* 0 if the registry (nreg 32-byte keys) is strictly ascending. */
int ballot_registry_check(const uint8_t *registry, size_t nreg);
/* 1 when key is in the sorted registry. */
int ballot_registry_has(const uint8_t *registry, size_t nreg,
    const uint8_t key[32]);
/* Its position in the sorted registry, or -1. */
long ballot_registry_find(const uint8_t *registry, size_t nreg,
    const uint8_t key[32]);

/*
 * Terminal side: encrypt marks[m->nsel] (0/1 each; checked against every
 * constraint first, E_BAD_CHOICE) and writeins[m->nwriteins] (NULL = unused
 * slot) to K, prove, and sign with the credential's Ed25519 private key.
 * Each write-in name is encrypted in the form the count compares
 * (manifest_name_normalize: NFC, spaces trimmed); a non-empty name that
 * normalises to "" (only spaces) is E_BAD_CHOICE, one that is not UTF-8
 * E_INVALID_ARG. "" stays the marked-but-empty slot.
 * *out (serialized Tally__Ballot) is owned by the caller.
 */
int ballot_encrypt(uint8_t **out, size_t *outlen, const struct ballot_ctx *ctx,
    const uint8_t cred_sk[32], const uint8_t *marks, char *const *writeins);

/*
 * What opens a ballot if the deputy challenges it (docs/record/challenge.md):
 * each selection's mark and ElGamal randomness, each write-in slot's name
 * and the randomness of its WRITEIN_POINTS name ciphertexts (32-byte scalars). Secret until challenged, and then
 * never cast: ballot_secrets_clear wipes it.
 */
struct ballot_secrets {
	size_t nsel, nwi;
	uint8_t *marks;				/* nsel */
	uint8_t (*r)[32];			/* nsel */
	uint8_t (*wr)[32];			/* nwi * WRITEIN_POINTS */
	char (*names)[WRITEIN_NAME_MAX + 1];	/* nwi, "" unused */
};

/* As ballot_encrypt, and fill sec (caller clears) with what opens it. */
int ballot_encrypt_open(uint8_t **out, size_t *outlen,
    const struct ballot_ctx *ctx, const uint8_t cred_sk[32],
    const uint8_t *marks, char *const *writeins, struct ballot_secrets *sec);
void ballot_secrets_clear(struct ballot_secrets *sec);

/* 0 when marks (0/1 each) meet every constraint of m and a write-in name is
 * carried only by a marked write-in slot; else E_BAD_CHOICE. */
int ballot_marks_check(const struct manifest *m, const uint8_t *marks,
    char *const *writeins);

/*
 * The tracking code of a ballot: H("tracking", body, signature) over the
 * exact bytes of a Tally__Ballot's two fields. The terminal shows it before
 * the deputy casts or challenges; the record's Ballot or SpoiledBallot with
 * that code is the one the deputy saw committed.
 */
#define BALLOT_TRACKING_LEN 32
int ballot_tracking_code(uint8_t out[BALLOT_TRACKING_LEN],
    const Tally__Ballot *b);

/* What a checked ballot yields to the ledger. */
struct ballot_info {
	uint8_t credential[32];
	struct elgamal_ct *sel;		/* m->nsel decoded ciphertexts */
	size_t nsel;
	uint8_t (*sel_a)[33];		/* their first points, for replay */
	struct elgamal_ct *wi;		/* m->nwriteins * WRITEIN_POINTS name
					 * ciphertexts, slot-major */
	size_t nwriteins;
};

enum ballot_check {
	BALLOT_CHECK_ALL = 0,
	BALLOT_CHECK_NO_PROOFS = 1,	/* shape, registry, signature, points */
};

/*
 * Check b against ctx. With batch non-NULL, the proofs' Fiat-Shamir hashes
 * are checked now and their group equations added to batch for the caller
 * to verify (with many ballots at once); with batch NULL they are verified
 * here. A ballot refused while its proofs are being added may leave some of
 * its equations in batch: after an error, do not trust that batch to name
 * the earlier ballots. Error codes, in order of the checks: E_DECODE, E_VERSION,
 * E_BALLOT_SHAPE, E_VOTE_UNKNOWN (another vote or election hash),
 * E_CRED_UNKNOWN, E_BAD_SIGNATURE, E_BAD_POINT, E_BAD_PROOF.
 * info may be NULL; when given it is filled on success (free with
 * ballot_info_clear) and left empty on error.
 */
int ballot_verify(const Tally__Ballot *b, const struct ballot_ctx *ctx,
    enum ballot_check what, struct proof_batch *batch,
    struct ballot_info *info);

/* As ballot_verify, from the serialized Tally__Ballot. */
int ballot_verify_bytes(const uint8_t *p, size_t len,
    const struct ballot_ctx *ctx, enum ballot_check what,
    struct proof_batch *batch, struct ballot_info *info);

void ballot_info_clear(struct ballot_info *info);

#endif
