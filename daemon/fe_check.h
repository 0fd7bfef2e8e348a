/*
 * fe_check.h: the frontend's cheap checks, second on the intake path
 * (session.c -> fe_check.c -> fe_cast.c -> fe_ledger.c).
 *
 * The role table says which request bodies each certificate role may send
 * and how large its frames may be; fe_check_request checks names, sizes and
 * presence on the event loop. What is expensive (a ballot's signature and
 * proofs) is fe_cast.c's, on a worker.
 */
#ifndef TALLYD_FE_CHECK_H
#define TALLYD_FE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "role.h"
#include "tally.pb-c.h"

/* 1 when role may send a request with this body. */
int fe_role_may(enum tally_role role, Tally__Request__BodyCase body);
/* The largest frame role may send. */
uint32_t fe_role_frame_limit(const struct config *cfg, enum tally_role role);
/* The most field occurrences a request or ballot body of len bytes may
 * hold: every real entry (a key, a point, a proof) costs bytes on the
 * wire, an empty one costs two and a decoded message each. */
#define FE_MAX_FIELDS(len)	((len) / 8 + 1024)

/* Before decoding a frame of len bytes from role: the request kind from
 * the wire (E_ROLE when the role may not send it), its own size limit
 * (only create_vote and submit_share may use max_large_frame) and the
 * number of entries (E_TOO_LARGE). 0, or the code with a message; *id is
 * the request's id as the wire says (for the answer). */
int fe_check_frame(const struct config *cfg, enum tally_role role,
    const uint8_t *p, size_t len, uint64_t *id, char *msg, size_t msglen);
/* 0, or the client's error code with a message in msg. */
int fe_check_request(const Tally__Request *req, char *msg, size_t msglen);

#endif
