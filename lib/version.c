/* version.c: the --version text of every program. */
#include "version.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "tally_buildinfo.h"

const char *
version_string(void)
{
	return TALLY_VERSION;
}

const char *
version_commit(void)
{
	return TALLY_GIT_COMMIT;
}

void
version_print(FILE *f, const char *prog)
{
	const char *running = OpenSSL_version(OPENSSL_VERSION);

	fprintf(f, "%s %s (git %s)\n", prog, TALLY_VERSION, TALLY_GIT_COMMIT);
	fprintf(f, "built with %s", OPENSSL_VERSION_TEXT);
	if (strcmp(running, OPENSSL_VERSION_TEXT) != 0)
		fprintf(f, ", running %s", running);
	fputc('\n', f);
}
