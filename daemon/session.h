/*
 * session.h: one TLS client connection of the frontend, first and last on
 * the intake path (session.c -> fe_check.c -> fe_cast.c -> fe_ledger.c).
 *
 * A session reads length-prefixed frames up to its role's limit, decodes
 * each strictly, hands it down the path as a pending and writes the
 * answers back in the order the requests came, each once.
 */
#ifndef TALLYD_SESSION_H
#define TALLYD_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include "tally.pb-c.h"

struct frontend;

/* Take the accepted socket fd (closed on failure). */
void session_accept(struct frontend *fe, int fd);
/* Answer E_TIMEOUT past each deadline; close frames arriving too slowly. */
void session_expire(struct frontend *fe, const struct timeval *now);
/* Stop reading from every session (the frontend is stopping). */
void session_stop_reading(struct frontend *fe);

/* Frames are u32be length || protobuf. */
int frame_pack_response(const Tally__Response *resp, uint8_t **out,
    size_t *outlen);

#endif
