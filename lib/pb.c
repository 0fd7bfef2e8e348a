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
