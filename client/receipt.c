/* receipt.c: tallyctl receipt check RECEIPT --record RECORD: a voter's own
 * check that the ballot of a receipt is in the published record. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "record.h"
#include "tally.pb-c.h"
#include "tallyctl.h"
#include "util.h"

#define RECEIPT_MAX (64 * 1024)

static int
receipt_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl receipt check RECEIPT --record RECORD\n"
	    "Check that the ballot of a receipt is in the record: the "
	    "receipt's signed\ncheckpoint, the inclusion of its record leaf, "
	    "and that checkpoint's\nconsistency with the record's final "
	    "checkpoint.\n");
	return code;
}

/* The tracking code in groups of four base32 characters. */
static void
receipt_code(char *out, size_t outlen, const uint8_t *leaf, size_t len)
{
	char b32[64];
	size_t i, n, o = 0;

	out[0] = '\0';
	if (len != 32)
		return;
	n = util_base32(b32, leaf, len);
	for (i = 0; i < n && o + 2 < outlen; i++) {
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = b32[i];
	}
	out[o] = '\0';
}

static int
receipt_check(const char *rpath, const char *record)
{
	struct record_report rep;
	Tally__Receipt *rc;
	uint8_t *p = NULL;
	size_t len;
	char code[96];
	int ret;

	if ((ret = util_read_file(rpath, RECEIPT_MAX, &p, &len)) != 0)
		return ctl_error(ret, "%s: cannot read the receipt", rpath);
	ret = record_receipt_check(p, len, record, &rep);
	if (ret == TALLY_ERR_VERIFY)
		ret = ctl_error(ret, "record %llu: %s: %s",
		    (unsigned long long)rep.index, rep.check, rep.reason);
	else if (ret != 0)
		ret = ctl_error(ret, "%s", rep.reason[0] ? rep.reason :
		    tally_strerror(ret));
	else if ((rc = tally__receipt__unpack(NULL, len, p)) != NULL) {
		receipt_code(code, sizeof(code), rc->leaf_hash.data,
		    rc->leaf_hash.len);
		printf("receipt verified: vote %s, ballot at record %llu, "
		    "record leaf %s\nincluded under the receipt's checkpoint "
		    "(size %llu), consistent with the record's final "
		    "checkpoint\n", rc->vote_id, (unsigned long long)rc->index,
		    code, (unsigned long long)rc->checkpoint->size);
		tally__receipt__free_unpacked(rc, NULL);
	}
	record_report_clear(&rep);
	free(p);
	return ret == 0 ? 0 : 1;
}

int
cmd_receipt(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "record", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *record = NULL;
	int ch;

	if (argc < 2 || strcmp(argv[1], "--help") == 0)
		return receipt_usage(argc < 2 ? stderr : stdout, argc < 2);
	if (strcmp(argv[1], "check") != 0)
		return ctl_error(TALLY_ERR_INVALID_ARG,
		    "unknown receipt command '%s'", argv[1]);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': record = optarg; break;
		case 'h': return receipt_usage(stdout, 0);
		default: return receipt_usage(stderr, 1);
		}
	}
	if (record == NULL || optind + 1 != argc)
		return receipt_usage(stderr, 1);
	return receipt_check(argv[optind], record);
}
