/* log_read.c: the read-only reader and the end-to-end audit. */
#include "log_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

struct log_reader {
	struct log_scan s;
	int fd;
};

int
log_reader_open(const char *path, struct log_reader **out, char *err,
    size_t errlen)
{
	struct log_reader *r;
	int ret;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return TALLY_ERR_NOMEM;
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		ret = errno == ENOENT ? TALLY_ERR_NOT_FOUND : TALLY_ERR_IO;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "log open: %s", strerror(errno));
		free(r);
		return ret;
	}
	ret = log_scan_init(&r->s, r->fd, err, errlen);
	if (ret == TALLY_ERR_TRUNCATED)
		ret = log_corrupt(err, errlen, 0, "truncated header");
	if (ret != 0) {
		log_reader_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int
log_reader_next(struct log_reader *r, struct log_entry *e)
{
	return log_scan_next(&r->s, e);
}

uint64_t
log_reader_torn(const struct log_reader *r)
{
	return r->s.torn;
}

void
log_reader_free(struct log_reader *r)
{
	if (r == NULL)
		return;
	log_scan_fini(&r->s);
	if (r->fd != -1)
		close(r->fd);
	free(r);
}

int
log_audit(const char *path, struct merkle_tree **tree,
    uint8_t head[HASH_LEN], char *err, size_t errlen)
{
	struct log_reader *r = NULL;
	struct merkle_tree *t = NULL;
	struct log_entry e;
	int ret;

	if (tree != NULL)
		*tree = NULL;
	if ((t = merkle_tree_new()) == NULL)
		return TALLY_ERR_NOMEM;
	if ((ret = log_reader_open(path, &r, err, errlen)) != 0)
		goto out;
	while ((ret = log_reader_next(r, &e)) == 1)
		if ((ret = merkle_tree_append(t, e.leaf_hash)) != 0)
			goto out;
	if (ret == 0 && head != NULL)
		memcpy(head, r->s.head, HASH_LEN);
	if (ret == 0 && tree != NULL) {
		*tree = t;
		t = NULL;
	}
out:
	merkle_tree_free(t);
	log_reader_free(r);
	return ret;
}
