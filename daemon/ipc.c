/* ipc.c: the frontend <-> ledger framing and its strict decoders. */
#include "ipc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "pb.h"

int
ipc_frame_peek(const uint8_t *buf, size_t len, uint32_t *type,
    const uint8_t **payload, uint32_t *plen, size_t *total)
{
	uint32_t t, l;

	if (len < IPC_HEADER)
		return TALLY_ERR_TRUNCATED;
	memcpy(&t, buf, 4);
	memcpy(&l, buf + 4, 4);
	if (t != IPC_LEDGER_REQUEST && t != IPC_LEDGER_RESPONSE)
		return TALLY_ERR_PROTOCOL;
	if (l > IPC_MAX_PAYLOAD)
		return TALLY_ERR_TOO_LARGE;
	if (len - IPC_HEADER < l)
		return TALLY_ERR_TRUNCATED;
	*type = t;
	*payload = buf + IPC_HEADER;
	*plen = l;
	*total = IPC_HEADER + (size_t)l;
	return 0;
}

int
ipc_frame_encode(uint32_t type, const ProtobufCMessage *msg, uint8_t **out,
    size_t *outlen)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint32_t l;
	uint8_t *buf;

	*out = NULL;
	if (n > IPC_MAX_PAYLOAD)
		return TALLY_ERR_TOO_LARGE;
	if ((buf = calloc(1, IPC_HEADER + n)) == NULL)
		return TALLY_ERR_NOMEM;
	l = (uint32_t)n;
	memcpy(buf, &type, 4);
	memcpy(buf + 4, &l, 4);
	protobuf_c_message_pack(msg, buf + IPC_HEADER);
	*out = buf;
	*outlen = IPC_HEADER + n;
	return 0;
}

/* Unknown fields anywhere would let two encodings mean the same thing;
 * the packed-size check catches repeated scalars and trailing bytes. */
static int
ipc_is_canonical(const ProtobufCMessage *m, size_t len)
{
	return protobuf_c_message_get_packed_size(m) == len && pb_is_strict(m);
}

int
ipc_decode_request(const uint8_t *p, size_t len, Tally__LedgerRequest **out)
{
	Tally__LedgerRequest *m;
	int ret;

	*out = NULL;
	if ((m = tally__ledger_request__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	if (!ipc_is_canonical(&m->base, len) || m->request == NULL) {
		ret = m->request == NULL ? TALLY_ERR_DECODE :
		    TALLY_ERR_TRAILING;
		tally__ledger_request__free_unpacked(m, NULL);
		return ret;
	}
	*out = m;
	return 0;
}

int
ipc_decode_response(const uint8_t *p, size_t len, Tally__LedgerResponse **out)
{
	Tally__LedgerResponse *m;
	int ret;

	*out = NULL;
	if ((m = tally__ledger_response__unpack(NULL, len, p)) == NULL)
		return TALLY_ERR_DECODE;
	if (!ipc_is_canonical(&m->base, len) || m->response == NULL) {
		ret = m->response == NULL ? TALLY_ERR_DECODE :
		    TALLY_ERR_TRAILING;
		tally__ledger_response__free_unpacked(m, NULL);
		return ret;
	}
	*out = m;
	return 0;
}

int
ipc_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return TALLY_ERR_IO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
