/*
 * publish.c: tallyctl publish VOTE --out DIR [--lang zh|en]
 *
 * Download the whole record of a vote, verify it completely with the same
 * verifier auditors use (lib/record.c), and only then write the publication
 * folder: record.log, results.json, announcement.txt and results.html. The
 * folder is built under a temporary name beside DIR and renamed into place
 * at the end, so a failure leaves nothing behind and an existing DIR is
 * never overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "announce.h"
#include "err.h"
#include "log.h"
#include "manifest.h"
#include "record.h"
#include "tallyctl.h"
#include "util.h"

struct pub {
	const char *vote;
	const char *out;
	const char *lang;
	char tmp[4096];
	char path[4096];
};

static int
pub_usage(FILE *f)
{
	fprintf(f, "usage: tallyctl publish VOTE --out DIR [--lang zh|en]\n"
	    "  download the record of VOTE, verify it completely and write\n"
	    "  DIR/record.log, results.json, announcement.txt, results.html\n");
	return f == stdout ? 0 : 2;
}

static void
pub_progress(void *arg, const char *phase, uint64_t done, uint64_t total)
{
	(void)arg;
	fprintf(stderr, "\rverify: %s %llu/%llu ", phase,
	    (unsigned long long)done, (unsigned long long)total);
	if (done == total)
		fputc('\n', stderr);
}

/* The manifest of the record's first record (VoteCreated). */
static int
pub_manifest(const char *path, struct manifest **m)
{
	struct log_reader *r = NULL;
	struct log_entry e;
	char err[256];
	int ret;

	*m = NULL;
	if ((ret = log_reader_open(path, &r, err, sizeof(err))) != 0)
		return ret;
	ret = log_reader_next(r, &e);
	if (ret == 1 && e.rec != NULL &&
	    e.rec->body_case == TALLY__LOG_RECORD__BODY_VOTE_CREATED)
		ret = manifest_parse(m, e.rec->vote_created->manifest.data,
		    e.rec->vote_created->manifest.len, err, sizeof(err));
	else if (ret >= 0)
		ret = TALLY_ERR_VERIFY;
	log_reader_free(r);
	return ret;
}

static int
pub_write(struct pub *p, const char *name, const void *data, size_t len)
{
	char path[4096 + 64];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", p->tmp, name);
	if ((ret = util_write_file(path, data, len, 0644, 1)) != 0)
		return ctl_error(ret, "writing %s", path), ret;
	return 0;
}

/* Render and write the three publication files from the verified outcome. */
static int
pub_render(struct pub *p, const struct record_report *rep,
    const struct manifest *m)
{
	char *txt = NULL, *html = NULL;
	size_t tlen, hlen;
	int ret;

	if ((ret = announce_text(&txt, &tlen, m, (const uint8_t *)rep->outcome,
		 rep->outcome_len, p->lang)) != 0 ||
	    (ret = announce_html(&html, &hlen, m, (const uint8_t *)rep->outcome,
		 rep->outcome_len, p->lang)) != 0) {
		ctl_error(ret, "rendering the announcement");
		goto out;
	}
	if ((ret = pub_write(p, "results.json", rep->outcome,
		 rep->outcome_len)) != 0 ||
	    (ret = pub_write(p, "announcement.txt", txt, tlen)) != 0 ||
	    (ret = pub_write(p, "results.html", html, hlen)) != 0)
		goto out;
	fwrite(txt, 1, tlen, stdout);
out:
	free(txt);
	free(html);
	return ret;
}

/* Remove what a failed publish made under the temporary name. */
static void
pub_cleanup(struct pub *p)
{
	static const char *files[] = {"record.log", "results.json",
	    "announcement.txt", "results.html"};
	char path[4096 + 64];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", p->tmp, files[i]);
		unlink(path);
	}
	rmdir(p->tmp);
}

static int
pub_verify(struct pub *p, struct record_report *rep, struct manifest **m)
{
	struct record_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	/* Everything present is verified either way; an honest record that
	 * merely ends before its Result is told apart from a broken one. */
	o.allow_incomplete = 1;
	o.progress = isatty(2) ? pub_progress : NULL;
	ret = record_verify(p->path, &o, rep);
	if (ret == TALLY_ERR_VERIFY)
		return ctl_error(ret, "record %llu: %s: %s; nothing published",
		    (unsigned long long)rep->index, rep->check, rep->reason),
		       ret;
	if (ret != 0)
		return ctl_error(ret, "cannot verify the record: %s",
		    rep->reason), ret;
	if (!rep->complete || rep->outcome == NULL)
		return ctl_error(TALLY_ERR_VOTE_STATE, "the vote is not "
		    "counted yet; nothing published"), TALLY_ERR_VOTE_STATE;
	if ((ret = pub_manifest(p->path, m)) != 0)
		return ctl_error(ret, "reading the manifest of the record"),
		       ret;
	return 0;
}

static int
pub_run(struct pub *p)
{
	struct record_report rep;
	struct manifest *m = NULL;
	struct ctl_conn *c = NULL;
	int ret;

	memset(&rep, 0, sizeof(rep));
	if (access(p->out, F_OK) == 0)
		return ctl_error(TALLY_ERR_EXISTS, "%s already exists", p->out);
	if ((size_t)snprintf(p->tmp, sizeof(p->tmp), "%s.partial", p->out) >=
	    sizeof(p->tmp) - 64)
		return ctl_error(TALLY_ERR_INVALID_ARG, "--out is too long");
	memcpy(p->path, p->tmp, sizeof(p->tmp));
	strcat(p->path, "/record.log");
	if (mkdir(p->tmp, 0755) != 0)
		return ctl_error(TALLY_ERR_IO, "cannot create %s: %s", p->tmp,
		    strerror(errno));
	ret = TALLY_ERR_IO;
	if ((c = ctl_connect_or_report(&ctl_global)) == NULL ||
	    (ret = ctl_fetch_record(c, p->vote, p->path)) != 0)
		goto out;
	if ((ret = pub_verify(p, &rep, &m)) != 0 ||
	    (ret = pub_render(p, &rep, m)) != 0)
		goto out;
	if (rename(p->tmp, p->out) != 0 || util_sync_parent(p->out) != 0) {
		ret = ctl_error(TALLY_ERR_IO, "cannot rename %s to %s: %s",
		    p->tmp, p->out, strerror(errno));
		ret = TALLY_ERR_IO;
		goto out;
	}
	fprintf(stderr, "published %s: %llu records, %llu ballots, verified; "
	    "folder %s\n", rep.vote_id, (unsigned long long)rep.records,
	    (unsigned long long)rep.ballots, p->out);
out:
	if (ret != 0)
		pub_cleanup(p);
	ctl_close(c);
	manifest_free(m);
	record_report_clear(&rep);
	return ret;
}

int
cmd_publish(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pub p;
	int ch;

	memset(&p, 0, sizeof(p));
	p.lang = "zh";
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			p.out = optarg;
			break;
		case 'l':
			p.lang = optarg;
			break;
		case 'h':
			return pub_usage(stdout);
		default:
			return pub_usage(stderr);
		}
	}
	if (argc - optind != 1 || p.out == NULL)
		return pub_usage(stderr);
	p.vote = argv[optind];
	if (strcmp(p.lang, "zh") != 0 && strcmp(p.lang, "en") != 0)
		return ctl_error(TALLY_ERR_INVALID_ARG, "--lang must be zh or en");
	if (strlen(p.out) > 2048)
		return ctl_error(TALLY_ERR_INVALID_ARG, "--out is too long");
	return pub_run(&p) == 0 ? 0 : 1;
}
