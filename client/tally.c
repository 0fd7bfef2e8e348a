/*
 * tally.c: tallyctl tally VOTE
 *
 * Ask the ledger to combine the recorded scrutineers' shares, recover the
 * totals, apply the counting rules and record the Result. Prints the
 * outcome (results.json). Before close, or with fewer than k shares, the
 * ledger refuses and says how many more are needed.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "tallyctl.h"

static int
tally_usage(FILE *f)
{
	fprintf(f, "usage: tallyctl tally VOTE\n"
	    "  combine the scrutineers' shares of the closed VOTE, count by the\n"
	    "  rules and record the Result; prints results.json\n");
	return f == stdout ? 0 : 2;
}

int
cmd_tallyvote(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__TallyRequest tq = TALLY__TALLY_REQUEST__INIT;
	Tally__Response *resp = NULL;
	struct ctl_conn *c;
	const Tally__Result *r;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		return ch == 'h' ? tally_usage(stdout) : tally_usage(stderr);
	if (argc - optind != 1)
		return tally_usage(stderr);
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL)
		return 1;
	tq.vote_id = argv[optind];
	req.body_case = TALLY__REQUEST__BODY_TALLY;
	req.tally = &tq;
	if ((ret = ctl_call_patient(c, &req, &resp)) != 0) {
		ctl_call_error(ret, resp, "tally");
		goto out;
	}
	if (resp->body_case != TALLY__RESPONSE__BODY_TALLY ||
	    resp->tally->result == NULL) {
		ret = ctl_error(TALLY_ERR_PROTOCOL, "tally: no result");
		goto out;
	}
	r = resp->tally->result;
	fwrite(r->results_json.data, 1, r->results_json.len, stdout);
	fputc('\n', stdout);
out:
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	ctl_close(c);
	return ret == 0 ? 0 : 1;
}
