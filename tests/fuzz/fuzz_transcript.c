/* fuzz_transcript.c: ceremony_transcript_open, then what an auditor derives
 * from an accepted transcript (joint key, every public share). */
#include "ceremony.h"
#include "fuzz.h"
#include "group.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	Tally__CeremonyTranscript *tr = NULL;
	EC_POINT *p;
	uint8_t h[32];
	uint32_t i;

	if (ceremony_transcript_open(&tr, data, len) != 0)
		return 0;
	if ((p = group_point_new()) == NULL)
		fuzz_die("group_point_new");
	if (ceremony_joint_key(p, tr) != 0)
		fuzz_die("no joint key from an accepted transcript");
	for (i = 1; i <= tr->trustees; i++) {
		if (ceremony_public_share(p, tr, i) != 0)
			fuzz_die("no public share from an accepted transcript");
	}
	if (ceremony_transcript_digest(h, tr) != 0)
		fuzz_die("no digest of an accepted transcript");
	group_point_free(p);
	tally__ceremony_transcript__free_unpacked(tr, NULL);
	return 0;
}
