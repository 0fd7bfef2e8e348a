/* fuzz_manifest.c: manifest_parse of arbitrary JSON, and the lookups a
 * parsed manifest answers. */
#include "fuzz.h"
#include "manifest.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct manifest *m = NULL;
	char err[256];
	size_t i;

	if (manifest_parse(&m, data, len, err, sizeof(err)) != 0)
		return 0;
	for (i = 0; i < m->ncontests; i++) {
		if (manifest_contest_find(m, m->contests[i].id) == NULL ||
		    manifest_option_find(&m->contests[i],
		    m->contests[i].options[0].id) < 0)
			fuzz_die("a parsed manifest loses its ids");
	}
	for (i = 0; i < m->nsel; i++) {
		if (manifest_selection_index(m, m->sel[i].contest,
		    m->sel[i].index, m->sel[i].mark) != (long)i)
			fuzz_die("selection index does not round-trip");
	}
	manifest_free(m);
	return 0;
}
