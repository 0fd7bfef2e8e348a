/*
 * challenge.c: tallyctl challenge check CODE --record RECORD
 *
 * A deputy who challenged a ballot at the terminal checks, on any other
 * device, what the record says that ballot contained: the record is
 * verified completely first (docs/record/challenge.md: every challenged
 * ballot re-encrypts exactly to what the terminal committed to), then the
 * ballot with that tracking code is found and its choices printed.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "challenge.h"
#include "err.h"
#include "manifest.h"
#include "record.h"
#include "tallyctl.h"
#include "util.h"

/* At least this many base32 characters of a tracking code (80 bits). */
#define CODE_MIN 16

struct find {
	char want[64];		/* normalised: upper case, no dashes */
	size_t nmatch;
	int spoiled;
	uint64_t index;
	struct challenge_open open;
	const struct manifest *m;
	char *text;		/* what it contained, printed */
	size_t textlen;
};

static int
challenge_usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyctl challenge check CODE --record RECORD\n"
	    "  Verify the record, then print what the ballot challenged with "
	    "this tracking\n  code contained (at least the first %d "
	    "characters; dashes and case ignored).\n", CODE_MIN);
	return code;
}

static int
code_normalise(char out[64], const char *in)
{
	size_t o = 0;

	for (; *in != '\0'; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		if (o + 1 >= 64 || !isalnum((unsigned char)*in))
			return TALLY_ERR_DECODE;
		out[o++] = (char)toupper((unsigned char)*in);
	}
	out[o] = '\0';
	return o >= CODE_MIN ? 0 : TALLY_ERR_TRUNCATED;
}

/* One contest's choices as lines "  title: ..." into f. */
static void
describe_contest(FILE *f, const struct manifest *m, size_t c,
    const uint8_t *marks, char (*names)[WRITEIN_NAME_MAX + 1])
{
	const struct manifest_contest *ct = &m->contests[c];
	const struct manifest_selection *s;
	size_t i, o;
	int mark;

	fprintf(f, "%s (%s)\n", ct->title, ct->id);
	for (o = 0; o < ct->noptions; o++) {
		mark = -1;
		for (i = ct->sel_first; i < ct->sel_first + ct->nsel; i++) {
			s = &m->sel[i];
			if (s->mark != MANIFEST_MARK_WRITEIN && s->index == o &&
			    marks[i])
				mark = (int)s->mark;
		}
		fprintf(f, "  %s: %s\n", ct->options[o].name,
		    mark == MANIFEST_MARK_FOR ? "赞成 (for)" :
		    mark == MANIFEST_MARK_APPROVE ? "赞成 (approve)" :
		    mark == MANIFEST_MARK_AGAINST ? "反对 (against)" :
		    ct->kind == MANIFEST_KIND_PROJECT &&
		    ct->mode == MANIFEST_MODE_APPROVE ? "未选 (not chosen)" :
		    "弃权 (abstain)");
	}
	for (i = ct->sel_first; i < ct->sel_first + ct->nsel; i++) {
		s = &m->sel[i];
		if (s->mark == MANIFEST_MARK_WRITEIN && marks[i])
			fprintf(f, "  另选他人 (write-in): %s\n",
			    names[ct->wi_first + s->index]);
	}
}

int
challenge_describe(char **out, size_t *len, const struct manifest *m,
    const struct challenge_open *open)
{
	FILE *f;
	size_t c;

	*out = NULL;
	*len = 0;
	if ((f = open_memstream(out, len)) == NULL)
		return TALLY_ERR_NOMEM;
	for (c = 0; c < m->ncontests; c++)
		describe_contest(f, m, c, open->marks, open->names);
	if (fclose(f) != 0) {
		free(*out);
		*out = NULL;
		return TALLY_ERR_NOMEM;
	}
	return 0;
}

static void
find_ballot(void *arg, uint64_t index, const uint8_t tracking[32],
    const struct manifest *m, const struct challenge_open *open)
{
	struct find *fd = arg;
	char b32[64];

	util_base32(b32, tracking, 32);
	if (strncmp(b32, fd->want, strlen(fd->want)) != 0)
		return;
	if (fd->nmatch++ > 0)
		return;
	fd->index = index;
	fd->spoiled = open != NULL;
	if (open != NULL)
		(void)challenge_describe(&fd->text, &fd->textlen, m, open);
}

static int
challenge_check(const char *code, const char *record)
{
	struct record_opts o;
	struct record_report rep;
	struct find fd;
	int ret;

	memset(&fd, 0, sizeof(fd));
	if ((ret = code_normalise(fd.want, code)) != 0)
		return ctl_error(ret, "%s: a tracking code has at least %d "
		    "letters and digits", code, CODE_MIN);
	memset(&o, 0, sizeof(o));
	o.allow_incomplete = 1;
	o.ballot = find_ballot;
	o.ballot_arg = &fd;
	ret = record_verify(record, &o, &rep);
	if (ret == TALLY_ERR_VERIFY)
		ret = ctl_error(ret, "%s does not verify: record %llu: %s: %s",
		    record, (unsigned long long)rep.index, rep.check,
		    rep.reason);
	else if (ret != 0)
		ret = ctl_error(ret, "%s: %s", record, rep.reason[0] ?
		    rep.reason : tally_strerror(ret));
	else if (fd.nmatch == 0)
		ret = ctl_error(TALLY_ERR_NO_BALLOT, "no ballot of vote %s has "
		    "the tracking code %s", rep.vote_id, code);
	else if (fd.nmatch > 1)
		ret = ctl_error(TALLY_ERR_INVALID_ARG, "%zu ballots begin with "
		    "%s: give more of the code", fd.nmatch, code);
	else if (!fd.spoiled)
		ret = ctl_error(TALLY_ERR_ALREADY_CAST, "the ballot %s was cast "
		    "(record %llu): it is counted and its choices stay secret",
		    code, (unsigned long long)fd.index);
	else
		printf("vote %s: the ballot %s was challenged (record %llu), "
		    "never counted;\nthe record verifies and the ballot opens "
		    "to:\n%s", rep.vote_id, code, (unsigned long long)fd.index,
		    fd.text != NULL ? fd.text : "");
	free(fd.text);
	record_report_clear(&rep);
	return ret;
}

int
cmd_challenge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "record", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *record = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': record = optarg; break;
		case 'h': return challenge_usage(stdout, 0);
		default: return challenge_usage(stderr, 1);
		}
	}
	if (argc - optind != 2 || strcmp(argv[optind], "check") != 0 ||
	    record == NULL)
		return challenge_usage(stderr, 1);
	return challenge_check(argv[optind + 1], record);
}
