/* log_writer.c: appends test records from many threads and prints
 * "index leafhex" for each one only after its append returned durable.
 *
 *   log_writer PATH THREADS COUNT [PAYLOAD_BYTES]
 *
 * COUNT 0 appends until killed. Exit 0 when COUNT records were appended,
 * 3 after a log failure (once checked that later appends are refused too),
 * 4 when a failed log still accepted an append, 2 on usage errors. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "util.h"

static struct log *lg;
static atomic_long left;
static int forever;
static size_t payload_len = 100;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;

static void
print_durable(const struct log_result *r)
{
	char line[128], hex[2 * HASH_LEN + 1];
	int n;

	util_hex(hex, r->leaf_hash, HASH_LEN);
	n = snprintf(line, sizeof(line), "%llu %s\n",
	    (unsigned long long)r->index, hex);
	pthread_mutex_lock(&out_mu);
	if (write(1, line, (size_t)n) != n)
		_exit(5);
	pthread_mutex_unlock(&out_mu);
}

static void
fail_exit(int err)
{
	struct log_result r;

	pthread_mutex_lock(&out_mu); /* nothing is printed from now on */
	fprintf(stderr, "log_writer: append failed: %s\n",
	    tally_strerror(err));
	if (log_append_test(lg, "after", 5, &r) != TALLY_ERR_LOG_FAILED)
		_exit(4);
	_exit(3);
}

static void *
appender(void *arg)
{
	struct log_result r;
	uint8_t *p = calloc(1, payload_len);
	unsigned long seq = (unsigned long)(uintptr_t)arg << 32;
	int ret;

	if (p == NULL)
		_exit(2);
	for (;;) {
		if (!forever && atomic_fetch_sub(&left, 1) <= 0)
			break;
		memcpy(p, &seq, sizeof(seq) < payload_len ? sizeof(seq) :
		    payload_len);
		seq++;
		if ((ret = log_append_test(lg, p, payload_len, &r)) != 0)
			fail_exit(ret);
		print_durable(&r);
	}
	free(p);
	return NULL;
}

int
main(int argc, char **argv)
{
	char err[256];
	pthread_t th[256];
	uint32_t threads, i;
	uint64_t count, plen;
	int ret;

	if (argc < 4 || argc > 5 ||
	    util_parse_u32(argv[2], 1, 256, &threads) != 0 ||
	    util_parse_u64(argv[3], 0, UINT32_MAX, &count) != 0 ||
	    (argc == 5 && util_parse_u64(argv[4], 1, 1 << 20, &plen) != 0)) {
		fprintf(stderr, "usage: log_writer PATH THREADS COUNT "
		    "[PAYLOAD]\n");
		return 2;
	}
	if (argc == 5)
		payload_len = (size_t)plen;
	forever = count == 0;
	atomic_store(&left, (long)count);
	ret = log_open(argv[1], NULL, &lg, err, sizeof(err));
	if (ret == TALLY_ERR_NOT_FOUND)
		ret = log_create(argv[1], NULL, &lg, err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr, "log_writer: %s\n", err);
		return ret == TALLY_ERR_LOG_CORRUPT ? 6 : 3;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, appender, (void *)(uintptr_t)i);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	log_close(lg);
	return 0;
}
