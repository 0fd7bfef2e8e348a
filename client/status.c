/* status.c: tallyctl status [VOTE]. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "tallyctl.h"

static int
status_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl status [VOTE]\n"
	    "  Print the state, ballots, log size and trustee shares of one "
	    "vote or of all.\n");
	return code;
}

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	Tally__Request req = TALLY__REQUEST__INIT;
	Tally__StatusRequest sr = TALLY__STATUS_REQUEST__INIT;
	Tally__Response *resp = NULL;
	struct ctl_conn *c;
	size_t i;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		return status_usage(ch == 'h' ? stdout : stderr, ch != 'h');
	if (argc - optind > 1)
		return status_usage(stderr, 1);
	sr.vote_id = argc - optind == 1 ? argv[optind] : "";
	req.body_case = TALLY__REQUEST__BODY_STATUS;
	req.status = &sr;
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL)
		return 1;
	if ((ret = ctl_call(c, &req, &resp)) != 0 || resp->status == NULL) {
		ret = ctl_call_error(ret ? ret : TALLY_ERR_PROTOCOL, resp,
		    "status");
		goto out;
	}
	for (i = 0; i < resp->status->n_votes; i++) {
		const Tally__VoteStatus *v = resp->status->votes[i];

		printf("%s %s ballots=%llu log=%llu present=%u issued=%u "
		    "shares=%u/%u", v->vote_id, v->state,
		    (unsigned long long)v->ballots,
		    (unsigned long long)v->log_size, v->present, v->issued,
		    v->shares, v->quorum);
		/* The witnesses' cosignatures of the sealed log. */
		if (v->witnesses > 0)
			printf(" cosigned=%u/%u", v->cosigned,
			    v->witness_quorum);
		printf("\n");
	}
	ret = 0;
out:
	if (resp != NULL)
		tally__response__free_unpacked(resp, NULL);
	ctl_close(c);
	return ret;
}
