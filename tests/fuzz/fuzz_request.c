/* fuzz_request.c: strict decoding of a client's Request frame. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pb.h"
#include "tally.pb-c.h"

/* Above the largest frame a client may send; the decoder must cope with
 * whatever fits. */
#define FUZZ_REQUEST_MAX (4u << 20)

int
fuzz_main(const uint8_t *data, size_t len)
{
	ProtobufCMessage *m = NULL;
	uint8_t *again;
	size_t n;

	if (pb_unpack_strict(&tally__request__descriptor, data, len,
	    FUZZ_REQUEST_MAX, &m) != 0)
		return 0;
	/* Strict means canonical: packing what was accepted gives the input
	 * back. */
	n = protobuf_c_message_get_packed_size(m);
	if (n != len)
		fuzz_die("accepted a request that packs to another length");
	if (n > 0 && (again = malloc(n)) != NULL) {
		protobuf_c_message_pack(m, again);
		if (memcmp(again, data, n) != 0)
			fuzz_die("accepted a non-canonical request");
		free(again);
	}
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
