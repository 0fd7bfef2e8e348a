/* verify.c: tallyctl verify RECORD [--json]: the offline audit of a record
 * (lib/record.h); no daemon is involved. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "record.h"
#include "tallyctl.h"
#include "util.h"

struct progress {
	int tty;
	char phase[32];
	unsigned int last;	/* last quarter reported (not a tty) */
};

static void
verify_progress(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	unsigned int q;

	if (strcmp(p->phase, phase) != 0) {
		snprintf(p->phase, sizeof(p->phase), "%s", phase);
		p->last = 0;
	}
	if (total == 0)
		return;
	if (p->tty) {
		fprintf(stderr, "\rverify: %s %llu/%llu", phase,
		    (unsigned long long)done, (unsigned long long)total);
		if (done >= total)
			fputc('\n', stderr);
		return;
	}
	q = (unsigned int)(done * 4 / total);
	if (q > p->last) {
		p->last = q;
		fprintf(stderr, "verify: %s %llu/%llu\n", phase,
		    (unsigned long long)done, (unsigned long long)total);
	}
}

static int
verify_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl verify RECORD [--json] [--threads N]\n"
	    "Check a vote's record offline: framing and chain, checkpoints, "
	    "manifest and H_E,\nceremony transcript, every ballot, the "
	    "aggregate, decryption shares, the count\nand the recorded "
	    "outcome.\n");
	return code;
}

static void
json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
verify_print(const struct record_report *rep, int json)
{
	if (json) {
		fwrite(rep->outcome, 1, rep->outcome_len, stdout);
		fputc('\n', stdout);
		return;
	}
	printf("record verified: vote %s, %llu records, %llu ballots, "
	    "%llu decryption shares, %llu checkpoints\n", rep->vote_id,
	    (unsigned long long)rep->records,
	    (unsigned long long)rep->ballots,
	    (unsigned long long)rep->shares,
	    (unsigned long long)rep->checkpoints);
	printf("present %llu, issued %llu\n",
	    (unsigned long long)rep->present, (unsigned long long)rep->issued);
	printf("outcome: %.*s\n", (int)rep->outcome_len, rep->outcome);
}

static int
verify_failed(int ret, const struct record_report *rep, int json)
{
	if (json) {
		printf("{\"ok\":false,\"record\":%llu,\"check\":",
		    (unsigned long long)rep->index);
		json_string(stdout, rep->check);
		printf(",\"reason\":");
		json_string(stdout, rep->reason);
		printf("}\n");
	}
	if (ret == TALLY_ERR_VERIFY)
		return ctl_error(ret, "record %llu: %s: %s",
		    (unsigned long long)rep->index, rep->check, rep->reason);
	return ctl_error(ret, "%s", rep->reason[0] ? rep->reason :
	    tally_strerror(ret));
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct record_report rep;
	struct record_opts o;
	struct progress pr;
	uint32_t threads = 0;
	int ch, json = 0, ret;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = 1; break;
		case 't':
			if (util_parse_u32(optarg, 0, 256, &threads) != 0)
				return ctl_error(TALLY_ERR_INVALID_ARG,
				    "bad --threads '%s'", optarg);
			break;
		case 'h': return verify_usage(stdout, 0);
		default: return verify_usage(stderr, 1);
		}
	}
	if (optind + 1 != argc)
		return verify_usage(stderr, 1);
	memset(&pr, 0, sizeof(pr));
	pr.tty = isatty(STDERR_FILENO);
	memset(&o, 0, sizeof(o));
	o.threads = threads;
	o.progress = verify_progress;
	o.progress_arg = &pr;
	ret = record_verify(argv[optind], &o, &rep);
	if (ret == 0)
		verify_print(&rep, json);
	else
		ret = verify_failed(ret, &rep, json);
	record_report_clear(&rep);
	return ret == 0 ? 0 : 1;
}
