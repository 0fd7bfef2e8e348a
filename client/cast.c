/* cast.c: tallyctl cast VOTE --card CARD --ballot CHOICES.json. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "tallyctl.h"

/* Encrypting and proving needs lib/ballot.h (ballot_encrypt); this
 * subcommand is completed when it lands. */
int
cmd_cast(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: tallyctl cast VOTE --card CARD --ballot "
		    "CHOICES.json [--receipt FILE]\n");
		return 0;
	}
	return ctl_error(TALLY_ERR_INTERNAL, "cast is not built yet");
}
