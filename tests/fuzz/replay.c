/*
 * replay.c: the ctest driver of a fuzz target. Usage:
 *
 *   fuzz_<name>_replay CORPUS_DIR [MUTATIONS] [FILE...]
 *
 * Runs fuzz_main over every file of CORPUS_DIR, then over MUTATIONS
 * (default 2000) mutants of them made by a fixed-seed generator, so a run
 * is the same on every machine; extra FILE arguments (e.g. a crash that
 * libFuzzer saved) are run first. An empty or missing corpus fails: a
 * replay that tests nothing must not pass.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "util.h"

#define REPLAY_CRASH_FILE "fuzz-replay-crash.bin"

#define REPLAY_FILE_MAX (4u << 20)
#define REPLAY_MUTANT_MAX (256u * 1024)

struct seed {
	uint8_t *p;
	size_t len;
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
/* The input being run, saved by the signal handler when it crashes. */
static const uint8_t *volatile cur;
static volatile size_t cur_len;

static char msg[512];

static void
on_crash(int sig)
{
	int fd;

	if (cur != NULL && (fd = open(REPLAY_CRASH_FILE,
	    O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
		if (write(fd, (const void *)cur, cur_len) >= 0 &&
		    write(2, msg, strlen(msg)) >= 0)
			(void)close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
run(const uint8_t *p, size_t len)
{
	cur = p;
	cur_len = len;
	fuzz_main(p, len);
	cur = NULL;
}

/* xorshift64*: fixed seed, same sequence everywhere. */
static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static size_t
below(size_t n)
{
	return n == 0 ? 0 : (size_t)(next() % n);
}

static int
run_file(const char *path)
{
	uint8_t *p;
	size_t len;

	if (util_read_file(path, REPLAY_FILE_MAX, &p, &len) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		return -1;
	}
	run(p, len);
	free(p);
	return 0;
}

/* The mutant in a buffer of its own size, so that the sanitizer sees a
 * read past its end. */
static void
run_exact(const uint8_t *buf, size_t len)
{
	uint8_t *p;

	if ((p = malloc(len > 0 ? len : 1)) == NULL)
		fuzz_die("out of memory");
	memcpy(p, buf, len);
	run(p, len);
	free(p);
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, sorted by name (readdir order is not stable
 * across file systems, and the mutants depend on the order). */
static size_t
load_corpus(const char *dir, struct seed **out)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0, i, k = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = reallocarray(names, n + 1, sizeof(*names));
		if (names == NULL || (names[n] = strdup(de->d_name)) == NULL)
			fuzz_die("out of memory");
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL)
		fuzz_die("out of memory");
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (util_read_file(path, REPLAY_FILE_MAX, &(*out)[k].p,
		    &(*out)[k].len) == 0)
			k++;
		free(names[i]);
	}
	free(names);
	return k;
}

/* One random edit of buf[*len] (capacity REPLAY_MUTANT_MAX). */
static void
mutate_once(uint8_t *buf, size_t *len, const struct seed *seeds, size_t n)
{
	size_t at = below(*len + 1), k, from;
	const struct seed *o;
	uint8_t tmp[64];

	switch (below(8)) {
	case 0:		/* flip a bit */
		if (*len > 0)
			buf[below(*len)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:		/* set a byte to an interesting value */
		if (*len > 0) {
			static const uint8_t v[] = { 0, 1, 0x7f, 0x80, 0xff,
			    '"', '{', '\\', '-', 0x08 };
			buf[below(*len)] = v[below(sizeof(v))];
		}
		break;
	case 2:		/* truncate */
		*len = at;
		break;
	case 3:		/* delete a run */
		k = below(*len - at + 1);
		memmove(buf + at, buf + at + k, *len - at - k);
		*len -= k;
		break;
	case 4:		/* insert random bytes */
		k = 1 + below(8);
		if (*len + k > REPLAY_MUTANT_MAX)
			break;
		memmove(buf + at + k, buf + at, *len - at);
		for (from = 0; from < k; from++)
			buf[at + from] = (uint8_t)next();
		*len += k;
		break;
	case 5:		/* duplicate a run */
		if (*len == 0)
			break;
		from = below(*len);
		k = 1 + below(*len - from < 64 ? *len - from : 64);
		if (*len + k > REPLAY_MUTANT_MAX)
			break;
		memcpy(tmp, buf + from, k);
		memmove(buf + at + k, buf + at, *len - at);
		memcpy(buf + at, tmp, k);
		*len += k;
		break;
	case 6:		/* splice in a run of another seed */
		o = &seeds[below(n)];
		if (o->len == 0)
			break;
		from = below(o->len);
		k = 1 + below(o->len - from);
		if (at + k > REPLAY_MUTANT_MAX)
			break;
		memcpy(buf + at, o->p + from, k);
		if (at + k > *len)
			*len = at + k;
		break;
	default:	/* overwrite 4 bytes with a random number */
		if (*len >= 4) {
			uint32_t v = (uint32_t)next();
			memcpy(buf + below(*len - 3), &v, 4);
		}
		break;
	}
}

int
main(int argc, char **argv)
{
	struct seed *seeds = NULL;
	uint8_t *buf;
	size_t n, i, len, mutations = 2000;
	int a, k, edits;

	if (argc < 2) {
		fprintf(stderr, "usage: %s corpus-dir [mutations] [file...]\n",
		    argv[0]);
		return 2;
	}
	snprintf(msg, sizeof(msg), "replay: input saved as %s; rerun: %s %s 0 "
	    "%s\n", REPLAY_CRASH_FILE, argv[0], argv[1], REPLAY_CRASH_FILE);
	signal(SIGABRT, on_crash);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	if (argc > 2)
		mutations = strtoul(argv[2], NULL, 10);
	for (a = 3; a < argc; a++) {
		if (run_file(argv[a]) != 0)
			return 1;
	}
	if ((n = load_corpus(argv[1], &seeds)) == 0) {
		fprintf(stderr, "replay: no seeds in %s\n", argv[1]);
		return 1;
	}
	if ((buf = malloc(REPLAY_MUTANT_MAX)) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		run(seeds[i].p, seeds[i].len);
	for (i = 0; i < mutations; i++) {
		const struct seed *s = &seeds[below(n)];

		len = s->len < REPLAY_MUTANT_MAX ? s->len : REPLAY_MUTANT_MAX;
		memcpy(buf, s->p, len);
		edits = 1 + (int)below(4);
		for (k = 0; k < edits; k++)
			mutate_once(buf, &len, seeds, n);
		run_exact(buf, len);
	}
	printf("replay: %zu seeds, %zu mutants of %s\n", n, mutations,
	    argv[1]);
	for (i = 0; i < n; i++)
		free(seeds[i].p);
	free(seeds);
	free(buf);
	return 0;
}
