/* fuzz_shuffle.c: a Shuffle record (docs/record/mixnet.md §7) checked as
 * the ledger and verify check it, mixnet_step_verify: the step checks,
 * the mixer's authentication, the list's points and the proof of shuffle,
 * against the fixed list of fuzz_mixnet. A valid seed passes every check,
 * so its mutants reach the proof's decoder and equations. */
#include "fuzz.h"
#include "mixnet.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	const struct mixnet *mx = fuzz_mixnet();
	Tally__Shuffle *sh;
	struct mix_list out;
	int why;

	if ((sh = tally__shuffle__unpack(NULL, len, data)) == NULL)
		return 0;
	if (mixnet_step_verify(&out, mx, sh, &why) == 0) {
		if (out.n != mx->cur.n || out.w != mx->cur.w)
			fuzz_die("a verified list of another shape");
		mix_list_clear(&out);
	} else if (out.ct != NULL || out.enc != NULL)
		fuzz_die("a refused step left a list");
	tally__shuffle__free_unpacked(sh, NULL);
	return 0;
}
