/* fuzz_choices.c: manifest_choices of arbitrary JSON against session.json. */
#include <stdlib.h>

#include "fuzz.h"
#include "manifest.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	const struct manifest *m = fuzz_session_manifest();
	uint8_t *marks;
	char **names = NULL, err[256];

	if ((marks = calloc(m->nsel, 1)) == NULL)
		return 0;
	if (manifest_choices(m, data, len, marks, &names, err,
	    sizeof(err)) == 0)
		manifest_writein_names_free(m, names);
	else if (names != NULL)
		fuzz_die("names left set on error");
	free(marks);
	return 0;
}
