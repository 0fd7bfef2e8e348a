/* fuzz_trustee_public.c: ceremony_public_open of a TrusteePublic for a
 * FUZZ_QUORUM-of-FUZZ_TRUSTEES ceremony, any index. */
#include "ceremony.h"
#include "fuzz.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	Tally__TrusteePublic *tp = NULL;

	if (ceremony_public_open(&tp, data, len, FUZZ_TRUSTEES, FUZZ_QUORUM,
	    0) == 0)
		tally__trustee_public__free_unpacked(tp, NULL);
	return 0;
}
