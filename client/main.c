/* main.c: tallyctl's global options and subcommand dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "tallyctl.h"
#include "version.h"

static const struct {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
} commands[] = {
	{ "status", cmd_status, "status [VOTE]" },
	{ "vote", cmd_vote, "vote create|open|close ..." },
	{ "cast", cmd_cast, "cast VOTE --card CARD --ballot CHOICES.json "
	    "[--challenge]" },
	{ "simulate", cmd_simulate, "simulate VOTE --cards DIR --terminals T "
	    "..." },
	{ "verify", cmd_verify, "verify RECORD|DIR [--json]" },
	{ "receipt", cmd_receipt, "receipt check RECEIPT --record RECORD" },
	{ "challenge", cmd_challenge, "challenge check CODE --record RECORD" },
	{ "screen", cmd_screen, "screen [--listen ADDR:PORT] [--every "
	    "SECONDS]" },
	{ "terminal", cmd_terminal, "terminal [--listen 127.0.0.1:PORT] "
	    "[--idle SECONDS]" },
	{ "trustee", cmd_trustee, "trustee decrypt VOTE --share FILE "
	    "[--sealed SIZE:ROOT]" },
	{ "witness", cmd_witness, "witness VOTE --key FILE --state DIR" },
	{ "tally", cmd_tallyvote, "tally VOTE" },
	{ "publish", cmd_publish, "publish VOTE --out DIR [--lang zh|en]" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int
usage(FILE *f, int code)
{
	size_t i;

	fprintf(f, "usage: tallyctl [--server HOST:PORT --cert F --key F "
	    "--ca F | --config F] COMMAND ...\n"
	    "       tallyctl --version\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].summary);
	fprintf(f, "\n'tallyctl COMMAND --help' for a command's options.\n");
	return code;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },
		{ "config", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	size_t i;
	int ch;

	/* '+': stop at the subcommand; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's': ctl_global.server = optarg; break;
		case 'c': ctl_global.cert = optarg; break;
		case 'k': ctl_global.key = optarg; break;
		case 'a': ctl_global.ca = optarg; break;
		case 'f': ctl_global.config = optarg; break;
		case 'h': return usage(stdout, 0);
		case 'V': version_print(stdout, "tallyctl"); return 0;
		default: return usage(stderr, 1);
		}
	}
	if (optind >= argc)
		return usage(stderr, 1);
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argc -= optind;
			argv += optind;
			optind = 0;	/* reset getopt for the subcommand */
			return commands[i].fn(argc, argv);
		}
	return ctl_error(TALLY_ERR_INVALID_ARG, "unknown command '%s'",
	    argv[optind]);
}
