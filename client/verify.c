/* verify.c: tallyctl verify RECORD [--json]: the offline audit of a record
 * (lib/record.h); no daemon is involved. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "publication.h"
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
	fprintf(f, "usage: tallyctl verify RECORD|DIR [--json] [--threads N]\n"
	    "Check a vote's record offline: framing and chain, checkpoints, "
	    "manifest and H_E,\nceremony transcript, every ballot, the "
	    "aggregate, decryption shares, the count\nand the recorded "
	    "outcome. Given a publication folder DIR, also check that\n"
	    "results.json, announcement.txt and results.html are exactly "
	    "what the record says.\n");
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
	if (rep->shuffles > 0)
		printf("write-ins: %llu verified shuffles before decryption\n",
		    (unsigned long long)rep->shuffles);
	printf("present %llu, issued %llu\n",
	    (unsigned long long)rep->present, (unsigned long long)rep->issued);
	if (rep->witnesses > 0)
		printf("witnesses %u, quorum %u: %llu cosignatures, the sealed "
		    "log (%llu records) cosigned by %u\n", rep->witnesses,
		    rep->witness_quorum,
		    (unsigned long long)rep->cosignatures,
		    (unsigned long long)rep->seal_size, rep->seal_cosigned);
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

/* Fail the publication check: the record index is past the last record. */
static int
pub_fail(struct record_report *rep, const char *file, const char *why)
{
	rep->index = rep->records;
	snprintf(rep->check, sizeof(rep->check), "publication");
	if ((size_t)snprintf(rep->reason, sizeof(rep->reason), "%.*s: %s",
	    64, file, why) >= sizeof(rep->reason))
		rep->reason[sizeof(rep->reason) - 1] = '\0';
	return TALLY_ERR_VERIFY;
}

/* Read DIR/name, a regular file (not a symlink) of at most max bytes. */
static int
pub_read(const char *dir, const char *name, size_t max, uint8_t **buf,
    size_t *len)
{
	char path[4096 + 300];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return TALLY_ERR_INVALID_ARG;
	return util_read_file(path, max, buf, len);
}

/* Every entry of DIR is a publication file, as a regular file. */
static int
pub_entries(const char *dir, struct record_report *rep)
{
	char path[4096 + 300];
	struct dirent *d;
	struct stat st;
	DIR *dh;
	int ret = 0;

	if ((dh = opendir(dir)) == NULL)
		return pub_fail(rep, dir, strerror(errno));
	while (ret == 0 && (d = readdir(dh)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (!publication_is_file(d->d_name))
			ret = pub_fail(rep, d->d_name, "not a file of a "
			    "publication folder");
		else if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			ret = pub_fail(rep, d->d_name, "not a regular file");
	}
	closedir(dh);
	return ret;
}

/* Whether DIR/name holds exactly f's bytes. */
static int
pub_same(const char *dir, const struct pub_file *f)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int same;

	if (pub_read(dir, f->name, f->len + 1, &buf, &len) != 0)
		return 0;
	same = len == f->len && memcmp(buf, f->data, len) == 0;
	free(buf);
	return same;
}

/*
 * The publication folder against its record: results.json, then the
 * announcement and the page, both in the language the announcement is in,
 * each made again from the record and compared byte for byte.
 */
static int
verify_publication(const char *dir, const char *path,
    struct record_report *rep, const struct pub_ballots *b,
    const char **lang)
{
	struct publication pb;
	const char *bad = NULL;
	int ret;

	if ((ret = pub_entries(dir, rep)) != 0)
		return ret;
	*lang = "zh";
	if ((ret = publication_render(&pb, path, rep, b, *lang)) != 0)
		goto out;
	if (!pub_same(dir, &pb.files[0])) {
		bad = pb.files[0].name;
		goto out;
	}
	if (!pub_same(dir, &pb.files[1])) {
		publication_clear(&pb);
		*lang = "en";
		if ((ret = publication_render(&pb, path, rep, b, *lang)) != 0)
			goto out;
		if (!pub_same(dir, &pb.files[1])) {
			bad = pb.files[1].name;
			goto out;
		}
	}
	if (!pub_same(dir, &pb.files[2]))
		bad = pb.files[2].name;
	else if (!pub_same(dir, &pb.files[3]))
		bad = pb.files[3].name;
out:
	publication_clear(&pb);
	if (ret != 0)
		return pub_fail(rep, "results.json", "the outcome cannot be "
		    "rendered for the manifest");
	if (bad != NULL)
		return pub_fail(rep, bad, "differs from what the record says "
		    "(missing, altered, or not made from this record)");
	return 0;
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
	struct pub_ballots ballots;
	struct progress pr;
	char path[4096 + 64];
	const char *dir = NULL, *lang = NULL;
	struct stat st;
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
	if (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
		dir = argv[optind];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    PUB_RECORD) >= sizeof(path))
			return ctl_error(TALLY_ERR_INVALID_ARG,
			    "folder name too long");
	} else
		snprintf(path, sizeof(path), "%s", argv[optind]);
	if ((ret = pub_ballots_init(&ballots)) != 0)
		return ctl_error(ret, "out of memory");
	if (dir != NULL) {
		o.ballot = pub_ballots_collect;
		o.ballot_arg = &ballots;
	}
	ret = record_verify(path, &o, &rep);
	if (ret == 0 && dir != NULL)
		ret = verify_publication(dir, path, &rep, &ballots, &lang);
	if (ret == 0) {
		verify_print(&rep, json);
		if (dir != NULL && !json)
			printf("publication verified: results.json, "
			    "announcement.txt, results.html (%s) and "
			    "challenged.json are what the record says\n", lang);
	}
	else
		ret = verify_failed(ret, &rep, json);
	record_report_clear(&rep);
	pub_ballots_clear(&ballots);
	return ret == 0 ? 0 : 1;
}
