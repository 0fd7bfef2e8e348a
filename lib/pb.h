/*
 * pb.h: strict protobuf decoding for untrusted bytes.
 *
 * protobuf accepts many encodings of one message: fields in any order,
 * repeated scalars, unknown fields (which a signature would still cover and
 * a parser would silently ignore). tally keeps exactly one: the canonical
 * encoding protobuf-c itself writes. pb_unpack_strict refuses anything else,
 * so that the bytes that are hashed and logged are the bytes that mean.
 */
#ifndef TALLY_PB_H
#define TALLY_PB_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/*
 * Unpack p[len] as a message of descriptor d. Returns 0 and *out (free with
 * protobuf_c_message_free_unpacked), or E_TOO_LARGE (len > max), E_DECODE
 * (not a message of d), E_TRAILING (unknown fields anywhere in the message
 * tree, or bytes that are not the canonical encoding of what they decode to).
 */
int pb_unpack_strict(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    size_t len, size_t max, ProtobufCMessage **out);

/*
 * Walk p[len] as a message of d without decoding it: count every field
 * occurrence in the message tree (sub-messages are walked too) and refuse
 * more than max_fields (E_TOO_LARGE), nesting deeper than 32 or a broken
 * wire format (E_DECODE). One pass, no allocation: what a decoder may be
 * asked to allocate is bounded before it runs.
 */
int pb_scan(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    size_t len, size_t max_fields);

/* The field number of the oneof member that p[len], a message of d, sets
 * at its top level (0: none), and the value of its top-level varint field
 * vfield (0 when absent), read from the wire without decoding; E_DECODE on
 * a broken wire format. */
int pb_peek_oneof(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    size_t len, uint32_t *number, uint32_t vfield, uint64_t *value);

/* 1 when m and every message below it has no unknown fields. */
int pb_is_strict(const ProtobufCMessage *m);

#endif
