/* fuzz_receipt.c: strict decoding of a voter's Receipt and of its
 * checkpoint, then the checkpoint's signature under the fixed ledger key. */
#include "checkpoint.h"
#include "fuzz.h"
#include "pb.h"
#include "tally.pb-c.h"

#define FUZZ_RECEIPT_MAX (64 * 1024)

int
fuzz_main(const uint8_t *data, size_t len)
{
	ProtobufCMessage *m = NULL;
	Tally__Receipt *r;
	struct checkpoint cp;

	if (pb_unpack_strict(&tally__receipt__descriptor, data, len,
	    FUZZ_RECEIPT_MAX, &m) != 0)
		return 0;
	r = (Tally__Receipt *)m;
	if (r->checkpoint != NULL &&
	    checkpoint_from_proto(&cp, r->checkpoint) == 0)
		(void)checkpoint_verify(&cp, r->vote_id, fuzz_ledger_pk());
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}
