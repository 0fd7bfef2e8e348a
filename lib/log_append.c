/* log_append.c: the log object, recovery at open, and the group-commit
 * writer thread. */
#include "log_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "util.h"

struct pending {
	struct pending *next;
	uint8_t *frame;
	size_t flen;
	struct log_result r;
	log_done_fn done;
	void *arg;
};

struct log {
	int fd;
	struct log_opts o;
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_t writer;
	int started, stop, failed;
	int fail_errno;	/* errno of the write or sync that failed */
	/* Submission side, under mu. */
	uint64_t next_index;
	uint8_t next_prev[HASH_LEN];
	struct pending *qhead, **qtail;
	size_t qcount;
	/* Writer side, touched by the writer thread only once started. */
	uint64_t end;
	struct merkle_frontier fr;
	/* Durable state, under mu. */
	uint64_t dsize;
	uint8_t droot[HASH_LEN], dhead[HASH_LEN];
	struct merkle_tree *tree;
};

static void *log_writer(void *arg);

static int
log_errmsg(char *err, size_t errlen, int ret, const char *what)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "log %s: %s", what,
		    ret == TALLY_ERR_IO ? strerror(errno) :
		    tally_strerror(ret));
	return ret;
}

static struct log *
log_alloc(const struct log_opts *o)
{
	struct log *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->fd = -1;
	if (o != NULL)
		l->o = *o;
	if (l->o.batch_bytes == 0)
		l->o.batch_bytes = 4u << 20;
	if (l->o.batch_count == 0)
		l->o.batch_count = 4096;
	l->qtail = &l->qhead;
	merkle_frontier_init(&l->fr);
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->work, NULL);
	if (l->o.keep_leaves && (l->tree = merkle_tree_new()) == NULL) {
		log_close(l);
		return NULL;
	}
	return l;
}

/* Take the exclusive lock, set the durable state from the frontier and
 * start the writer. */
static int
log_start(struct log *l)
{
	int ret;

	if (flock(l->fd, LOCK_EX | LOCK_NB) == -1)
		return errno == EWOULDBLOCK ? TALLY_ERR_BUSY : TALLY_ERR_IO;
	l->dsize = l->fr.size;
	l->next_index = l->fr.size;
	memcpy(l->dhead, l->next_prev, HASH_LEN);
	if ((ret = merkle_frontier_root(&l->fr, l->droot)) != 0)
		return ret;
	if (pthread_create(&l->writer, NULL, log_writer, l) != 0)
		return TALLY_ERR_INTERNAL;
	l->started = 1;
	return 0;
}

static int
write_all_at(int fd, const uint8_t *p, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, p, len, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return TALLY_ERR_IO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int
log_create(const char *path, const struct log_opts *o, struct log **out,
    char *err, size_t errlen)
{
	uint8_t hdr[LOG_HEADER_LEN];
	struct log *l;
	int ret;

	*out = NULL;
	if ((l = log_alloc(o)) == NULL)
		return log_errmsg(err, errlen, TALLY_ERR_NOMEM, "create");
	l->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (l->fd == -1) {
		ret = errno == EEXIST ? TALLY_ERR_EXISTS : TALLY_ERR_IO;
		log_errmsg(err, errlen, ret, "create");
		log_close(l);
		return ret;
	}
	log_header_encode(hdr);
	if ((ret = write_all_at(l->fd, hdr, sizeof(hdr), 0)) != 0 ||
	    (fsync(l->fd) == -1 && (ret = TALLY_ERR_IO) != 0) ||
	    (ret = util_sync_parent(path)) != 0 ||
	    (ret = log_start(l)) != 0) {
		log_errmsg(err, errlen, ret, "create");
		log_close(l);
		unlink(path);
		return ret;
	}
	l->end = LOG_HEADER_LEN;
	*out = l;
	return 0;
}

/* Replay the records found by the scanner into l. */
static int
log_replay(struct log *l, struct log_scan *s, char *err, size_t errlen)
{
	struct log_entry e;
	struct log_result r;
	int ret;

	while ((ret = log_scan_next(s, &e)) == 1) {
		if ((ret = merkle_frontier_push(&l->fr, e.leaf_hash)) != 0 ||
		    (l->tree != NULL &&
		    (ret = merkle_tree_append(l->tree, e.leaf_hash)) != 0))
			return log_errmsg(err, errlen, ret, "replay");
		if (l->o.replay == NULL)
			continue;
		memset(&r, 0, sizeof(r));
		r.index = r.size = e.index;
		r.size++;
		memcpy(r.leaf_hash, e.leaf_hash, HASH_LEN);
		memcpy(r.record_hash, e.record_hash, HASH_LEN);
		memcpy(r.head, e.record_hash, HASH_LEN);
		if ((ret = l->o.replay(l->o.replay_arg, e.rec, &r)) != 0)
			return log_errmsg(err, errlen, ret, "replay");
	}
	memcpy(l->next_prev, s->head, HASH_LEN);
	l->end = s->off;
	return ret;
}

/* Finish a header that an interrupted creation left as a prefix. */
static int
log_finish_header(int fd)
{
	uint8_t hdr[LOG_HEADER_LEN];

	log_header_encode(hdr);
	if (write_all_at(fd, hdr, sizeof(hdr), 0) != 0 || fsync(fd) == -1)
		return TALLY_ERR_IO;
	return 0;
}

int
log_open(const char *path, const struct log_opts *o, struct log **out,
    char *err, size_t errlen)
{
	struct log_scan s;
	struct log *l;
	int ret;

	*out = NULL;
	if ((l = log_alloc(o)) == NULL)
		return log_errmsg(err, errlen, TALLY_ERR_NOMEM, "open");
	memset(&s, 0, sizeof(s));
	if ((l->fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		ret = errno == ENOENT ? TALLY_ERR_NOT_FOUND : TALLY_ERR_IO;
		log_errmsg(err, errlen, ret, "open");
		goto out;
	}
	ret = log_scan_init(&s, l->fd, err, errlen);
	if (ret == TALLY_ERR_TRUNCATED) {
		if ((ret = log_finish_header(l->fd)) != 0) {
			log_errmsg(err, errlen, ret, "open");
			goto out;
		}
		log_scan_fini(&s);
		ret = log_scan_init(&s, l->fd, err, errlen);
	}
	if (ret != 0 || (ret = log_replay(l, &s, err, errlen)) != 0)
		goto out;
	/* Cut the torn tail: those records were never acknowledged. */
	if (s.torn > 0 && (ftruncate(l->fd, (off_t)s.off) == -1 ||
	    fsync(l->fd) == -1)) {
		ret = log_errmsg(err, errlen, TALLY_ERR_IO, "truncate");
		goto out;
	}
	/* A creation that died before syncing the folder left a name that a
	 * power loss can still take away, acknowledged records with it. */
	if ((ret = util_sync_parent(path)) != 0) {
		log_errmsg(err, errlen, ret, "open");
		goto out;
	}
	if ((ret = log_start(l)) != 0)
		log_errmsg(err, errlen, ret, "open");
out:
	log_scan_fini(&s);
	if (ret != 0) {
		log_close(l);
		return ret;
	}
	*out = l;
	return 0;
}

static void
pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	free(p->frame);
	free(p);
}

void
log_close(struct log *l)
{
	struct pending *p;

	if (l == NULL)
		return;
	if (l->started) {
		pthread_mutex_lock(&l->mu);
		l->stop = 1;
		pthread_cond_signal(&l->work);
		pthread_mutex_unlock(&l->mu);
		pthread_join(l->writer, NULL);
	}
	while ((p = l->qhead) != NULL) {
		l->qhead = p->next;
		pending_free(p);
	}
	if (l->fd != -1)
		close(l->fd);
	merkle_tree_free(l->tree);
	pthread_cond_destroy(&l->work);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* Serialize rec as record l->next_index into a new pending entry.
 * Called with mu held. */
static int
pending_make(struct log *l, const Tally__LogRecord *rec, struct pending **out)
{
	Tally__LogRecord tmp = *rec;
	struct pending *p;
	size_t len;
	int ret;

	tmp.version = LOG_RECORD_VERSION;
	tmp.index = l->next_index;
	tmp.prev_hash.data = l->next_prev;
	tmp.prev_hash.len = HASH_LEN;
	len = tally__log_record__get_packed_size(&tmp);
	if (len > LOG_MAX_RECORD)
		return TALLY_ERR_TOO_LARGE;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->frame = malloc(LOG_FRAME_HEAD + len)) == NULL) {
		free(p);
		return TALLY_ERR_NOMEM;
	}
	p->flen = LOG_FRAME_HEAD + len;
	if (tally__log_record__pack(&tmp, p->frame + LOG_FRAME_HEAD) != len ||
	    (ret = log_frame_head(p->frame, p->frame + LOG_FRAME_HEAD,
	    len)) != 0 ||
	    (ret = log_record_hash(p->r.record_hash, p->frame + LOG_FRAME_HEAD,
	    len)) != 0 ||
	    (ret = merkle_leaf_hash(p->r.leaf_hash, p->frame + LOG_FRAME_HEAD,
	    len)) != 0) {
		pending_free(p);
		return TALLY_ERR_INTERNAL;
	}
	p->r.index = l->next_index;
	*out = p;
	return 0;
}

int
log_append_submit(struct log *l, const Tally__LogRecord *rec,
    log_done_fn done, void *arg)
{
	struct pending *p = NULL;
	int ret;

	if (rec == NULL || done == NULL)
		return TALLY_ERR_INVALID_ARG;
	pthread_mutex_lock(&l->mu);
	if (l->failed)
		ret = TALLY_ERR_LOG_FAILED;
	else if (l->stop)
		ret = TALLY_ERR_INVALID_ARG;
	else
		ret = pending_make(l, rec, &p);
	if (ret == 0) {
		p->done = done;
		p->arg = arg;
		l->next_index++;
		memcpy(l->next_prev, p->r.record_hash, HASH_LEN);
		*l->qtail = p;
		l->qtail = &p->next;
		l->qcount++;
		pthread_cond_signal(&l->work);
	}
	pthread_mutex_unlock(&l->mu);
	return ret;
}

struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, err;
	struct log_result r;
};

static void
waiter_done(void *arg, int err, const struct log_result *r)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->mu);
	w->err = err;
	w->r = *r;
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int
log_append(struct log *l, const Tally__LogRecord *rec, struct log_result *r)
{
	struct waiter w;
	int ret;

	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	if ((ret = log_append_submit(l, rec, waiter_done, &w)) == 0) {
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		ret = w.err;
		if (r != NULL)
			*r = w.r;
	}
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return ret;
}

int
log_append_test(struct log *l, const void *p, size_t len,
    struct log_result *r)
{
	Tally__LogRecord rec = TALLY__LOG_RECORD__INIT;

	rec.body_case = TALLY__LOG_RECORD__BODY_TEST;
	rec.test.data = (uint8_t *)p;
	rec.test.len = len;
	return log_append(l, &rec, r);
}

/* Wait up to batch_usec for the queue to reach batch_count. mu held. */
static void
log_gather(struct log *l)
{
	struct timespec ts;

	if (l->o.batch_usec == 0 || l->qcount >= l->o.batch_count)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)(l->o.batch_usec % 1000000) * 1000;
	ts.tv_sec += l->o.batch_usec / 1000000 + ts.tv_nsec / 1000000000;
	ts.tv_nsec %= 1000000000;
	while (!l->stop && l->qcount < l->o.batch_count)
		if (pthread_cond_timedwait(&l->work, &l->mu, &ts) != 0)
			break;
}

/* Detach the next batch (at least one record) within the caps. mu held. */
static struct pending *
log_take_batch(struct log *l, size_t *count)
{
	struct pending *head = l->qhead, **pp = &l->qhead;
	size_t n = 0, bytes = 0;

	while (*pp != NULL && (n == 0 || (n < l->o.batch_count &&
	    bytes + (*pp)->flen <= l->o.batch_bytes))) {
		bytes += (*pp)->flen;
		n++;
		pp = &(*pp)->next;
	}
	l->qhead = *pp;
	if (l->qhead == NULL)
		l->qtail = &l->qhead;
	*pp = NULL;
	l->qcount -= n;
	*count = n;
	return head;
}

/* One pwritev per IOV_MAX frames, resuming after short writes. On a
 * failure *cause is the errno (ENOSPC, EIO, EFBIG, ...). */
static int
log_write_batch(struct log *l, struct pending *b, size_t count, int *cause)
{
	struct iovec iov[IOV_MAX], *v;
	ssize_t n;
	int cnt;

	while (b != NULL) {
		for (cnt = 0; b != NULL && cnt < IOV_MAX; b = b->next, cnt++) {
			iov[cnt].iov_base = b->frame;
			iov[cnt].iov_len = b->flen;
		}
		v = iov;
		while (cnt > 0) {
			n = pwritev(l->fd, v, cnt, (off_t)l->end);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* 0 bytes written for a non-empty vector:
				 * no errno; say I/O error. */
				*cause = n == 0 ? EIO : errno;
				return TALLY_ERR_IO;
			}
			l->end += (uint64_t)n;
			while (cnt > 0 && (size_t)n >= v->iov_len) {
				n -= (ssize_t)v->iov_len;
				v++;
				cnt--;
			}
			if (cnt > 0) {
				v->iov_base = (uint8_t *)v->iov_base + n;
				v->iov_len -= (size_t)n;
			}
		}
	}
	(void)count;
	/* Never retried: after a failed fdatasync the page cache may have
	 * dropped the dirty pages, and a second call would report success. */
	if (fdatasync(l->fd) == -1) {
		*cause = errno;
		return TALLY_ERR_IO;
	}
	return 0;
}

/* After a durable batch: advance the tree and the durable state. */
static int
log_commit(struct log *l, struct pending *b, struct log_result *st)
{
	struct pending *p;
	int ret = 0;

	for (p = b; p != NULL && ret == 0; p = p->next) {
		ret = merkle_frontier_push(&l->fr, p->r.leaf_hash);
		memcpy(st->head, p->r.record_hash, HASH_LEN);
	}
	if (ret == 0)
		ret = merkle_frontier_root(&l->fr, st->root);
	st->size = l->fr.size;
	pthread_mutex_lock(&l->mu);
	for (p = b; p != NULL && ret == 0 && l->tree != NULL; p = p->next)
		ret = merkle_tree_append(l->tree, p->r.leaf_hash);
	if (ret == 0) {
		l->dsize = st->size;
		memcpy(l->droot, st->root, HASH_LEN);
		memcpy(l->dhead, st->head, HASH_LEN);
	}
	pthread_mutex_unlock(&l->mu);
	return ret;
}

static void
log_finish_batch(struct pending *b, int err, const struct log_result *st)
{
	struct pending *p;

	while ((p = b) != NULL) {
		b = p->next;
		if (err == 0) {
			p->r.size = st->size;
			memcpy(p->r.root, st->root, HASH_LEN);
			memcpy(p->r.head, st->head, HASH_LEN);
		}
		p->done(p->arg, err, &p->r);
		pending_free(p);
	}
}

static void *
log_writer(void *arg)
{
	struct log *l = arg;
	struct log_result st;
	struct pending *b;
	size_t count;
	int ret, failed, cause;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		while (!l->stop && l->qhead == NULL)
			pthread_cond_wait(&l->work, &l->mu);
		if (l->qhead == NULL)
			break;
		log_gather(l);
		b = log_take_batch(l, &count);
		failed = l->failed;
		pthread_mutex_unlock(&l->mu);
		memset(&st, 0, sizeof(st));
		cause = 0;
		ret = failed ? TALLY_ERR_LOG_FAILED :
		    log_write_batch(l, b, count, &cause);
		if (ret == 0)
			ret = log_commit(l, b, &st);
		if (ret != 0) {
			pthread_mutex_lock(&l->mu);
			if (!l->failed)
				l->fail_errno = cause;
			l->failed = 1;
			pthread_mutex_unlock(&l->mu);
			ret = TALLY_ERR_LOG_FAILED;
		}
		log_finish_batch(b, ret, &st);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int
log_state(struct log *l, uint64_t *size, uint8_t root[HASH_LEN],
    uint8_t head[HASH_LEN])
{
	pthread_mutex_lock(&l->mu);
	*size = l->dsize;
	memcpy(root, l->droot, HASH_LEN);
	memcpy(head, l->dhead, HASH_LEN);
	pthread_mutex_unlock(&l->mu);
	return 0;
}

int
log_failed(struct log *l)
{
	int f;

	pthread_mutex_lock(&l->mu);
	f = l->failed;
	pthread_mutex_unlock(&l->mu);
	return f ? TALLY_ERR_LOG_FAILED : 0;
}

int
log_failed_errno(struct log *l)
{
	int e;

	pthread_mutex_lock(&l->mu);
	e = l->failed ? l->fail_errno : 0;
	pthread_mutex_unlock(&l->mu);
	return e;
}

int
log_leaf(struct log *l, uint64_t index, uint8_t leaf[HASH_LEN])
{
	int ret = TALLY_ERR_INVALID_ARG;

	pthread_mutex_lock(&l->mu);
	if (l->tree != NULL && index < l->dsize)
		ret = merkle_tree_leaf(l->tree, index, leaf);
	pthread_mutex_unlock(&l->mu);
	return ret;
}

int
log_inclusion(struct log *l, uint64_t index, uint64_t size,
    uint8_t path[][HASH_LEN], size_t *n)
{
	int ret = TALLY_ERR_INVALID_ARG;

	*n = 0;
	pthread_mutex_lock(&l->mu);
	if (l->tree != NULL && size <= l->dsize)
		ret = merkle_tree_inclusion(l->tree, index, size, path, n);
	pthread_mutex_unlock(&l->mu);
	return ret;
}

int
log_root(struct log *l, uint64_t size, uint8_t root[HASH_LEN])
{
	int ret = TALLY_ERR_INVALID_ARG;

	pthread_mutex_lock(&l->mu);
	if (l->tree != NULL && size <= l->dsize)
		ret = merkle_tree_root(l->tree, size, root);
	pthread_mutex_unlock(&l->mu);
	return ret;
}

int
log_consistency(struct log *l, uint64_t m, uint64_t size,
    uint8_t proof[][HASH_LEN], size_t *n)
{
	int ret = TALLY_ERR_INVALID_ARG;

	*n = 0;
	pthread_mutex_lock(&l->mu);
	if (l->tree != NULL && size <= l->dsize)
		ret = merkle_tree_consistency(l->tree, m, size, proof, n);
	pthread_mutex_unlock(&l->mu);
	return ret;
}
