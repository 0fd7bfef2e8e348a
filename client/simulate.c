/* simulate.c: tallyctl simulate: many terminals casting test ballots. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "tallyctl.h"

/* Needs lib/ballot.h (ballot_encrypt); completed when it lands. */
int
cmd_simulate(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("usage: tallyctl simulate VOTE --cards DIR --terminals T "
		    "(--ballots N --seed S | --plan PLAN.json) --expect OUT.json "
		    "[--receipts DIR]\n");
		return 0;
	}
	return ctl_error(TALLY_ERR_INTERNAL, "simulate is not built yet");
}
