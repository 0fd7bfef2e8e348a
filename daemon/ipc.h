/*
 * ipc.h: framed messages between tallyd's frontend and ledger.
 *
 * A frame is u32 type || u32 length || payload, host order (both ends are
 * the same binary). The payload is a protobuf message fixed by the type.
 * Parsing refuses unknown types, lengths over IPC_MAX_PAYLOAD, protobuf
 * unknown fields and any payload whose re-encoding is not exactly as long
 * (trailing or duplicated bytes): a frame means one thing only.
 */
#ifndef TALLYD_IPC_H
#define TALLYD_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "tally.pb-c.h"

#define IPC_HEADER		8
#define IPC_MAX_PAYLOAD		(512u * 1024 * 1024)

enum ipc_type {
	IPC_LEDGER_REQUEST = 1,		/* frontend -> ledger */
	IPC_LEDGER_RESPONSE = 2		/* ledger -> frontend */
};

/* Look at buf[len]: 0 and the frame's type, payload and total size when a
 * whole frame is there; E_TRUNCATED when more bytes are needed; E_TOO_LARGE
 * or E_PROTOCOL (unknown type) when the stream is broken. */
int ipc_frame_peek(const uint8_t *buf, size_t len, uint32_t *type,
    const uint8_t **payload, uint32_t *plen, size_t *total);

/* Encode msg as one frame of type into *out (caller frees). */
int ipc_frame_encode(uint32_t type, const ProtobufCMessage *msg,
    uint8_t **out, size_t *outlen);

/* Strict decoders; the caller frees with the matching free_unpacked. */
int ipc_decode_request(const uint8_t *p, size_t len,
    Tally__LedgerRequest **out);
int ipc_decode_response(const uint8_t *p, size_t len,
    Tally__LedgerResponse **out);

/* Write all of buf to a blocking fd. */
int ipc_write_all(int fd, const uint8_t *buf, size_t len);

#endif
