/* fuzz_ballot.c: ballot_verify_bytes, with and without proofs and batch,
 * against the fixed context of session.json. */
#include <string.h>

#include "ballot.h"
#include "fuzz.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	const struct ballot_ctx *ctx = fuzz_ballot_ctx();
	struct ballot_info info;
	struct proof_batch *batch = NULL;

	memset(&info, 0, sizeof(info));
	if (ballot_verify_bytes(data, len, ctx, BALLOT_CHECK_NO_PROOFS, NULL,
	    &info) != 0)
		return 0;
	ballot_info_clear(&info);
	(void)ballot_verify_bytes(data, len, ctx, BALLOT_CHECK_ALL, NULL,
	    &info);
	ballot_info_clear(&info);
	if (proof_batch_new(&batch) == 0) {
		if (ballot_verify_bytes(data, len, ctx, BALLOT_CHECK_ALL, batch,
		    NULL) == 0)
			(void)proof_batch_verify(batch);
		proof_batch_free(batch);
	}
	return 0;
}
