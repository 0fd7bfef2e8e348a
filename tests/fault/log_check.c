/* log_check.c: recover a log, then check that every record a writer
 * reported durable is present and intact.
 *
 *   log_check PATH PRINTED
 *
 * PRINTED holds "index leafhex" lines; an incomplete last line (the writer
 * was killed while printing) is ignored. Exit 0 when all is well. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "util.h"

/* 0 when the line's record is in t with the same leaf hash; 1 when the line
 * is incomplete (skipped); -1 when a durable record is missing or changed. */
static int
check_line(const struct merkle_tree *t, const char *line)
{
	char hex[2 * HASH_LEN + 1];
	uint8_t want[HASH_LEN], got[HASH_LEN];
	unsigned long long idx;

	if (strchr(line, '\n') == NULL ||
	    sscanf(line, "%llu %64s", &idx, hex) != 2 ||
	    util_unhex(want, HASH_LEN, hex) != 0)
		return 1;
	if (merkle_tree_leaf(t, idx, got) != 0) {
		fprintf(stderr, "log_check: record %llu reported durable but "
		    "missing (log has %llu)\n", idx,
		    (unsigned long long)merkle_tree_size(t));
		return -1;
	}
	if (memcmp(got, want, HASH_LEN) != 0) {
		fprintf(stderr, "log_check: record %llu differs from what was "
		    "reported\n", idx);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char err[256], line[256];
	struct merkle_tree *t = NULL;
	uint64_t checked = 0;
	struct log *l;
	FILE *f;
	int r;

	if (argc != 3)
		return 2;
	/* Recovery exactly as the daemon does it, then an independent read. */
	if (log_open(argv[1], NULL, &l, err, sizeof(err)) != 0) {
		fprintf(stderr, "log_check: recovery: %s\n", err);
		return 1;
	}
	log_close(l);
	if (log_audit(argv[1], &t, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "log_check: audit: %s\n", err);
		return 1;
	}
	if ((f = fopen(argv[2], "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((r = check_line(t, line)) < 0)
			return 1;
		checked += r == 0;
	}
	fclose(f);
	printf("log_check: %llu records, %llu reported durable, all intact\n",
	    (unsigned long long)merkle_tree_size(t),
	    (unsigned long long)checked);
	merkle_tree_free(t);
	return 0;
}
