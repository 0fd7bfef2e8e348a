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

struct pub {
	const char *vote;
	const char *out;
	const char *lang;
	char tmp[4096];
	char path[4096];
	struct pub_ballots ballots;	/* as record_verify reports them */
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

/* Render and write the publication files from the verified record. */
static int
pub_render(struct pub *p, const struct record_report *rep)
{
	struct publication pb;
	int i, ret;

	if ((ret = publication_render(&pb, p->path, rep, &p->ballots,
	    p->lang)) != 0) {
		ctl_error(ret, "rendering the publication");
		goto out;
	}
	for (i = 0; i < PUB_NRENDERED; i++)
		if ((ret = pub_write(p, pb.files[i].name, pb.files[i].data,
		    pb.files[i].len)) != 0)
			goto out;
	fwrite(pb.files[1].data, 1, pb.files[1].len, stdout);
out:
	publication_clear(&pb);
	return ret;
}

/* Remove what a failed publish made under the temporary name. */
static void
pub_cleanup(struct pub *p)
{
	char path[4096 + 300];
	struct dirent *d;
	DIR *dir;

	if ((dir = opendir(p->tmp)) != NULL) {
		while ((d = readdir(dir)) != NULL) {
			if (!publication_is_file(d->d_name))
				continue;
			snprintf(path, sizeof(path), "%s/%s", p->tmp,
			    d->d_name);
			unlink(path);
		}
		closedir(dir);
	}
	rmdir(p->tmp);
}

static int
pub_verify(struct pub *p, struct record_report *rep)
{
	struct record_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	/* Everything present is verified either way; an honest record that
	 * merely ends before its Result is told apart from a broken one. */
	o.allow_incomplete = 1;
	o.progress = isatty(2) ? pub_progress : NULL;
	o.ballot = pub_ballots_collect;
	o.ballot_arg = &p->ballots;
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
	return 0;
}

static int
pub_run(struct pub *p)
{
	struct record_report rep;
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
	if ((ret = pub_verify(p, &rep)) != 0 ||
	    (ret = pub_render(p, &rep)) != 0)
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
	if ((ch = pub_ballots_init(&p.ballots)) != 0)
		return ctl_error(ch, "out of memory");
	ch = pub_run(&p);
	pub_ballots_clear(&p.ballots);
	return ch == 0 ? 0 : 1;
}
