/*
 * version.h: what every program prints for --version: its name and the
 * project version, the git commit the build was made from ("unknown" for a
 * tree outside git, "-dirty" when tracked files were modified) and the
 * OpenSSL it was compiled against, with the one it runs with when that
 * differs.
 */
#ifndef TALLY_VERSION_H
#define TALLY_VERSION_H

#include <stdio.h>

/* "PROG VERSION (git COMMIT)\nbuilt with OpenSSL ...\n" on f. */
void version_print(FILE *f, const char *prog);

/* The project version ("0.1.0") and the commit, as compiled in. */
const char *version_string(void);
const char *version_commit(void);

#endif
