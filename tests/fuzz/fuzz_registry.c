/* fuzz_registry.c: registry_decode of a registry file; what decodes must
 * encode back to the same bytes (the text form is canonical). */
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "fuzz.h"

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct registry *r = NULL;
	char *text = NULL;
	size_t tlen, i;

	if (registry_decode(&r, data, len) != 0)
		return 0;
	for (i = 0; i < r->n; i++) {
		if (registry_contains(r, r->keys[i]) != 1)
			fuzz_die("a decoded key is not found");
	}
	if (registry_encode(r, &text, &tlen) == 0) {
		if (tlen != len || memcmp(text, data, len) != 0)
			fuzz_die("a registry decodes from a non-canonical text");
		free(text);
	}
	registry_free(r);
	return 0;
}
