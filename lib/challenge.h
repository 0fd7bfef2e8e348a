/*
 * challenge.h: Benaloh cast-or-challenge (docs/record/challenge.md).
 *
 * A terminal encrypts and signs a ballot and shows its tracking code before
 * the deputy decides. When the deputy challenges it, the ballot is never
 * cast: the terminal opens it, that is, it reveals every selection's mark
 * and randomness and every write-in slot's name and randomness, in a
 * SpoiledBallot that goes into the record. Anyone can then check that
 * encrypting the revealed choices with the revealed randomness gives
 * exactly the committed ciphertexts, and read what the ballot said.
 */
#ifndef TALLY_CHALLENGE_H
#define TALLY_CHALLENGE_H

#include <stddef.h>
#include <stdint.h>

#include "ballot.h"
#include "proof.h"
#include "tally.pb-c.h"

/* Largest serialized SpoiledBallot: the ballot and its opening. */
#define CHALLENGE_MAX (BALLOT_BODY_MAX + 256 * 1024)

/*
 * A SpoiledBallot (serialized into *out, caller frees) from the serialized
 * Tally__Ballot p and the secrets that ballot_encrypt_open returned.
 */
int challenge_make(uint8_t **out, size_t *outlen, const uint8_t *p,
    size_t len, const struct ballot_secrets *sec);

/*
 * Check a SpoiledBallot against ctx: the ballot passes every check of
 * ballot_verify (proofs into batch when batch is not NULL, as there), the
 * opening has one mark, one scalar per selection and one name, one scalar
 * per write-in slot (E_BALLOT_SHAPE), the marks obey the manifest, and
 * re-encrypting them gives the committed ciphertexts (E_REVEAL). On success
 * open, when not NULL, receives what the ballot contained (release with
 * challenge_open_clear).
 */
struct challenge_open {
	uint8_t tracking[BALLOT_TRACKING_LEN];
	uint8_t credential[32];
	uint8_t *marks;			/* nsel, owned */
	char (*names)[WRITEIN_NAME_MAX + 1]; /* nwriteins, owned; "" unused */
	uint8_t (*sel_a)[33];		/* nsel first points, owned */
};
int challenge_verify(const Tally__SpoiledBallot *s,
    const struct ballot_ctx *ctx, struct proof_batch *batch,
    struct challenge_open *open);
void challenge_open_clear(struct challenge_open *open);

/* Strict decoding of a serialized SpoiledBallot (at most CHALLENGE_MAX
 * bytes: E_TOO_LARGE, E_DECODE, E_TRAILING), then challenge_verify. */
int challenge_verify_bytes(const uint8_t *p, size_t len,
    const struct ballot_ctx *ctx, struct challenge_open *open);

#endif
