/* pb.c: canonical, unknown-field-free protobuf decoding. */
#include "pb.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

static int
field_is_strict(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const uint8_t *base = (const uint8_t *)m;
	const ProtobufCMessage *sub;
	ProtobufCMessage *const *arr;
	size_t i, n;

	if (f->type != PROTOBUF_C_TYPE_MESSAGE)
		return 1;
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		n = *(const size_t *)(base + f->quantifier_offset);
		arr = *(ProtobufCMessage *const *const *)(base + f->offset);
		for (i = 0; i < n; i++)
			if (arr[i] == NULL || !pb_is_strict(arr[i]))
				return 0;
		return 1;
	}
	if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
	    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
		return 1;
	sub = *(ProtobufCMessage *const *)(base + f->offset);
	return sub == NULL || pb_is_strict(sub);
}

int
pb_is_strict(const ProtobufCMessage *m)
{
	unsigned i;

	if (m->n_unknown_fields != 0)
		return 0;
	for (i = 0; i < m->descriptor->n_fields; i++)
		if (!field_is_strict(m, &m->descriptor->fields[i]))
			return 0;
	return 1;
}

int
pb_unpack_strict(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    size_t len, size_t max, ProtobufCMessage **out)
{
	ProtobufCMessage *m;
	uint8_t *again = NULL;
	int ret = TALLY_ERR_TRAILING;

	*out = NULL;
	if (len > max)
		return TALLY_ERR_TOO_LARGE;
	if ((m = protobuf_c_message_unpack(d, NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	if (!pb_is_strict(m) || protobuf_c_message_get_packed_size(m) != len)
		goto out;
	if ((again = calloc(1, len + 1)) == NULL) {
		ret = TALLY_ERR_NOMEM;
		goto out;
	}
	if (protobuf_c_message_pack(m, again) != len ||
	    (len > 0 && memcmp(again, p, len) != 0))
		goto out;
	*out = m;
	m = NULL;
	ret = 0;
out:
	free(again);
	if (m != NULL)
		protobuf_c_message_free_unpacked(m, NULL);
	return ret;
}

#define PB_SCAN_DEPTH	32

/* One varint at *p (at most 10 bytes, inside end). */
static int
scan_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	while (*p < end && shift < 70) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return 0;
		shift += 7;
	}
	return TALLY_ERR_DECODE;
}

static int
scan_message(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    const uint8_t *end, size_t *budget, int depth)
{
	const ProtobufCFieldDescriptor *f;
	uint64_t key, n;
	int ret;

	if (depth > PB_SCAN_DEPTH)
		return TALLY_ERR_DECODE;
	while (p < end) {
		if ((ret = scan_varint(&p, end, &key)) != 0)
			return ret;
		if (*budget == 0)
			return TALLY_ERR_TOO_LARGE;
		(*budget)--;
		switch (key & 7) {
		case 0:
			if ((ret = scan_varint(&p, end, &n)) != 0)
				return ret;
			break;
		case 1:
		case 5:
			n = (key & 7) == 1 ? 8 : 4;
			if ((size_t)(end - p) < n)
				return TALLY_ERR_DECODE;
			p += n;
			break;
		case 2:
			if ((ret = scan_varint(&p, end, &n)) != 0)
				return ret;
			if ((uint64_t)(end - p) < n)
				return TALLY_ERR_DECODE;
			f = key >> 3 <= UINT32_MAX ?
			    protobuf_c_message_descriptor_get_field(d,
			    (unsigned int)(key >> 3)) : NULL;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    (ret = scan_message(f->descriptor, p, p + n, budget,
			    depth + 1)) != 0)
				return ret;
			p += n;
			break;
		default:
			return TALLY_ERR_DECODE;	/* groups: never ours */
		}
	}
	return 0;
}

int
pb_scan(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t len,
    size_t max_fields)
{
	size_t budget = max_fields;

	if (len == 0)
		return 0;
	return scan_message(d, p, p + len, &budget, 0);
}

int
pb_peek_oneof(const ProtobufCMessageDescriptor *d, const uint8_t *p,
    size_t len, uint32_t *number, uint32_t vfield, uint64_t *value)
{
	const ProtobufCFieldDescriptor *f;
	const uint8_t *end = p + len;
	uint64_t key, n;
	int ret;

	*number = 0;
	*value = 0;
	while (p < end) {
		if ((ret = scan_varint(&p, end, &key)) != 0)
			return ret;
		switch (key & 7) {
		case 0:
			if ((ret = scan_varint(&p, end, &n)) != 0)
				return ret;
			if (key >> 3 == vfield)
				*value = n;
			continue;
		case 1:
		case 5:
			n = (key & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if ((ret = scan_varint(&p, end, &n)) != 0)
				return ret;
			break;
		default:
			return TALLY_ERR_DECODE;
		}
		if ((uint64_t)(end - p) < n)
			return TALLY_ERR_DECODE;
		p += n;
		f = key >> 3 <= UINT32_MAX ?
		    protobuf_c_message_descriptor_get_field(d,
		    (unsigned int)(key >> 3)) : NULL;
		if (f != NULL && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			*number = f->id;
	}
	return 0;
}
