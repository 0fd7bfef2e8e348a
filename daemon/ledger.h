/*
 * ledger.h: tallyd's trusted process.
 *
 * The ledger owns the data directory (one log per vote, "<vote>.log"), the
 * ledger signing key and every vote's state. It receives requests the
 * frontend already checked, decides them against the vote state, appends
 * with group commit and answers each only after the sync that covers its
 * record returned; receipts carry a signed checkpoint and an inclusion
 * proof. A failed write or sync stops the process without answering.
 */
#ifndef TALLYD_LEDGER_H
#define TALLYD_LEDGER_H

#include "config.h"
#include "sandbox.h"

void ledger_main(const struct config *cfg, int ipc_fd,
    const struct sandbox_user *user) __attribute__((noreturn));

/* Read an Ed25519 private key: PEM (PKCS#8), 32 raw bytes or 64 hex
 * digits. The key file must not be readable by group or others. */
int ledger_load_key(const char *path, uint8_t sk[32], uint8_t pk[32]);

#endif
