/* fuzz_card.c: credential_parse of a typed card code (the input as a C
 * string, cut at its first NUL). A code that parses must name the seed
 * whose code it is, up to case, dashes and spaces. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "fuzz.h"

/* The code's characters without dashes and spaces, upper case. */
static size_t
squeeze(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < cap; s++) {
		if (*s != '-' && *s != ' ')
			out[n++] = (char)toupper((unsigned char)*s);
	}
	out[n] = '\0';
	return n;
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	uint8_t seed[CRED_SEED_LEN];
	char *code, again[CRED_CODE_LEN + 1], a[128], b[128];

	if ((code = calloc(1, len + 1)) == NULL)
		return 0;
	memcpy(code, data, len);
	if (credential_parse(seed, code) == 0) {
		if (credential_code(again, seed) != 0)
			fuzz_die("credential_code");
		if (strlen(code) < sizeof(a) &&
		    (squeeze(a, sizeof(a), code) != squeeze(b, sizeof(b), again) ||
		    strcmp(a, b) != 0))
			fuzz_die("a parsed code is not the code of its seed");
	}
	free(code);
	return 0;
}
