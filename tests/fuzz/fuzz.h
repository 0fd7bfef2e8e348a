/*
 * fuzz.h: what every fuzz target of tests/fuzz provides and may use.
 *
 * A target is one file fuzz_<name>.c defining fuzz_main(), which feeds
 * untrusted bytes to one decoder of libtally and must return 0 whatever the
 * bytes are; a crash, leak or sanitizer report is the finding. The same
 * target links either with replay.c (a deterministic corpus replay run by
 * ctest) or with libfuzzer.c (a libFuzzer binary).
 *
 * The fixtures below are built once, deterministically, so that the
 * committed seeds (written by mkcorpus.c with the same fixtures) stay valid
 * from one run to the next.
 */
#ifndef TALLY_FUZZ_H
#define TALLY_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "ballot.h"
#include "manifest.h"
#include "mixnet.h"

#define FUZZ_VOTE_ID "s6-session"
#define FUZZ_NCRED 4
/* The ceremony parameters that trustee_public seeds are made for. */
#define FUZZ_TRUSTEES 3
#define FUZZ_QUORUM 2
/* The joint secret of the fixtures' one-trustee ceremony (public share =
 * joint key), so seeds can authenticate a shuffle as trustee 1. */
#define FUZZ_JOINT_SECRET 0x7a11f0220b0a7d5eULL
/* The write-in list of fuzz_mixnet: N tuples of w ciphertexts. */
#define FUZZ_MIX_N 3
#define FUZZ_MIX_W 3

int fuzz_main(const uint8_t *data, size_t len);

/* tests/data/manifests/session.json, parsed; aborts on failure. */
const struct manifest *fuzz_session_manifest(void);

/* The ballot context of session.json: a fixed joint key, FUZZ_NCRED
 * credentials derived from fixed seeds, a one-trustee H_E. */
const struct ballot_ctx *fuzz_ballot_ctx(void);
/* The private key of the registry's i-th (sorted) credential. */
const uint8_t *fuzz_ballot_sk(size_t i);

/* The mix-net of the ballot context at step 0 (one trustee, mixer 1):
 * its list is FUZZ_MIX_N fixed tuples of FUZZ_MIX_W ciphertexts. */
const struct mixnet *fuzz_mixnet(void);

/* The ledger key pair that receipts' checkpoints are signed with. */
const uint8_t *fuzz_ledger_pk(void);
const uint8_t *fuzz_ledger_sk(void);

/* A private temporary folder (under /dev/shm when there is one), made
 * once and removed at exit. */
const char *fuzz_tmpdir(void);

/* Print why and abort: a fixture could not be built. */
void fuzz_die(const char *why) __attribute__((noreturn));

#endif
