/* fuzz_results.c: announce_text and announce_html of results JSON against
 * the manifest of session.json, in both languages. */
#include <stdlib.h>

#include "announce.h"
#include "fuzz.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	const struct manifest *m = fuzz_session_manifest();
	char *out = NULL;
	size_t n;

	if (announce_text(&out, &n, m, data, len, "zh") != 0)
		return 0;
	free(out);
	if (announce_text(&out, &n, m, data, len, "en") != 0)
		fuzz_die("accepted in Chinese, refused in English");
	free(out);
	if (announce_html(&out, &n, m, data, len, NULL) != 0)
		fuzz_die("accepted as text, refused as HTML");
	free(out);
	return 0;
}
