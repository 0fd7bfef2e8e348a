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

#endif
