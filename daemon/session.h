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
#include <sys/socket.h>
#include <sys/time.h>

#include "tally.pb-c.h"

struct frontend;

/*
 * Admission: handshakes in progress have their own budget
 * (max_handshakes, and max_handshakes_per_source for one address); when it
 * is full the oldest handshake (of that address, or overall) is cut to make
 * room, so that a flood of silent connections cannot keep an honest
 * handshake out for long. Authenticated sessions are bounded by
 * max_connections and max_per_source, checked when the handshake ends.
 */
/* Take the accepted socket fd from sa (closed on failure). */
void session_accept(struct frontend *fe, int fd, const struct sockaddr *sa,
    int salen);
/* Cut the oldest handshake in progress to free a descriptor; 0 if none. */
int session_evict_handshake(struct frontend *fe);
/* Answer E_TIMEOUT past each deadline; close frames arriving too slowly. */
void session_expire(struct frontend *fe, const struct timeval *now);
/* Sessions waiting on max_buffer_memory read again when it allows; big
 * frees are trimmed (malloc_trim). Called by the frontend's tick. */
void session_memory_tick(struct frontend *fe);
/* Stop reading from every session (the frontend is stopping). */
void session_stop_reading(struct frontend *fe);

/* Frames are u32be length || protobuf. */
int frame_pack_response(const Tally__Response *resp, uint8_t **out,
    size_t *outlen);

#endif
