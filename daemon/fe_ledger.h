/*
 * fe_ledger.h: the frontend's end of the socketpair to the ledger, last on
 * the intake path (session.c -> fe_check.c -> fe_cast.c -> fe_ledger.c).
 *
 * Requests go out in order with a sequence number; the ledger answers each
 * once, possibly out of order. A malformed frame or a lost ledger is fatal:
 * the ledger is trusted and the parent restarts nothing by itself.
 */
#ifndef TALLYD_FE_LEDGER_H
#define TALLYD_FE_LEDGER_H

#include "pending.h"

struct frontend;

/* Attach the socketpair to the loop. 0, or -1 on failure. */
int fe_ledger_open(struct frontend *fe, int ipc_fd);
/* Send req to the ledger for p; the ledger owns p until it answers, and
 * its answer goes to pending_answer. p->req, if set, is freed once sent. */
void fe_ledger_forward(struct frontend *fe, struct pending *p,
    const Tally__Request *req);
/* A get_record (p->req): forwarded when fewer than max_downloads are at
 * the ledger, else queued here in order and forwarded as they are
 * answered. Casts never wait here: at most max_downloads downloads are
 * ever ahead of a cast at the ledger. */
void fe_ledger_download(struct frontend *fe, struct pending *p);
/* Forward the downloads waiting, as far as max_downloads and the memory
 * budget (answers unread are what a download grows) allow; one answered
 * already (E_TIMEOUT) or whose asker left is dropped. */
void fe_ledger_pump(struct frontend *fe);

#endif
