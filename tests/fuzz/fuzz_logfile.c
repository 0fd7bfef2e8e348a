/*
 * fuzz_logfile.c: a log file of a valid header followed by the input, read
 * by the auditors' reader and log_audit, then recovered by log_open. A log
 * that log_open accepted must read back clean: no torn tail, no error, and
 * the records log_open replayed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "util.h"

/* Read the whole log: the number of records, or -1 on corruption. */
static long
read_all(const char *path, uint64_t *torn)
{
	struct log_reader *r;
	struct log_entry e;
	char err[256];
	long n = 0;
	int ret;

	*torn = 0;
	if (log_reader_open(path, &r, err, sizeof(err)) != 0)
		return -1;
	while ((ret = log_reader_next(r, &e)) == 1)
		n++;
	*torn = log_reader_torn(r);
	log_reader_free(r);
	return ret == 0 ? n : -1;
}

static int
count_replay(void *arg, const Tally__LogRecord *rec,
    const struct log_result *r)
{
	(*(long *)arg)++;
	return 0;
}

int
fuzz_main(const uint8_t *data, size_t len)
{
	struct log_opts o;
	struct log *l = NULL;
	struct merkle_tree *tree = NULL;
	uint8_t head[HASH_LEN], hdr[LOG_HEADER_LEN];
	char path[300], err[256];
	uint64_t torn;
	long replayed = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", fuzz_tmpdir());
	(void)unlink(path);
	log_header_encode(hdr);
	if ((f = fopen(path, "wb")) == NULL)
		fuzz_die("cannot create the log file");
	if (fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		fuzz_die("cannot write the log file");

	(void)read_all(path, &torn);
	if (log_audit(path, &tree, head, err, sizeof(err)) == 0)
		merkle_tree_free(tree);

	memset(&o, 0, sizeof(o));
	o.replay = count_replay;
	o.replay_arg = &replayed;
	if (log_open(path, &o, &l, err, sizeof(err)) != 0)
		return 0;
	log_close(l);
	if (read_all(path, &torn) != replayed || torn != 0)
		fuzz_die("a recovered log does not read back clean");
	return 0;
}
