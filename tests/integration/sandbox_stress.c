/*
 * sandbox_stress.c: each of tallyd's seccomp filters under a real stress
 * of allocation patterns (issue 12 findings 0 and 1).
 *
 * For each child role a process enters the sandbox exactly as tallyd's
 * child does (without chroot and user change when not root), then runs
 * more threads than glibc has arenas by default, each allocating small
 * and large blocks, freeing them in orders that make glibc trim its heaps,
 * growing blocks with realloc, sorting large arrays and decoding a ballot
 * body of 20,000 empty entries. Any system call a filter does not allow
 * kills the process (SIGSYS); the test fails on anything but exit 0.
 * As root the children also switch to the user nobody.
 *
 * usage: sandbox_stress [frontend|ledger]   (no argument: both)
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "logmsg.h"
#include "sandbox.h"
#include "tally.pb-c.h"

#define THREADS		16
#define ROUNDS		40

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* A ballot body of n empty selections, decoded and freed: the shape of
 * finding 1's cast. */
static void
empty_entries(size_t n)
{
	Tally__BallotBody body = TALLY__BALLOT_BODY__INIT, *back;
	Tally__Ciphertext empty = TALLY__CIPHERTEXT__INIT, **sels;
	uint8_t *buf;
	size_t i, len;

	if ((sels = calloc(n, sizeof(*sels))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		sels[i] = &empty;
	body.vote_id = "v";
	body.n_selections = n;
	body.selections = sels;
	len = tally__ballot_body__get_packed_size(&body);
	if ((buf = malloc(len)) == NULL)
		abort();
	tally__ballot_body__pack(&body, buf);
	if ((back = tally__ballot_body__unpack(NULL, len, buf)) == NULL)
		abort();
	tally__ballot_body__free_unpacked(back, NULL);
	free(buf);
	free(sels);
}

static void *
stress(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	void *p[256], *q = NULL, *tmp;
	int *v;
	size_t i, n, sz;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		/* Many small and medium blocks, freed newest first (the top
		 * of the heap grows back and is trimmed) or oldest first. */
		for (n = 0; n < 256; n++) {
			sz = 16 + (size_t)(rand_r(&seed) % 8192);
			if ((p[n] = malloc(sz)) == NULL)
				abort();
			memset(p[n], (int)n, sz);
		}
		for (i = 0; i < n; i++)
			free(p[r % 2 ? i : n - 1 - i]);
		/* Blocks above the mmap threshold, and one that grows. */
		if ((tmp = malloc(1024 * 1024 + (size_t)(rand_r(&seed) %
		    4096))) == NULL)
			abort();
		memset(tmp, 1, 4096);
		free(tmp);
		if ((tmp = realloc(q, 4096 * (size_t)(r + 1) * 16)) == NULL)
			abort();
		q = tmp;
		/* qsort allocates for large arrays and asks for the memory
		 * size the first time. */
		n = 4096 + (size_t)(rand_r(&seed) % 4096);
		if ((v = calloc(n, sizeof(*v))) == NULL)
			abort();
		for (i = 0; i < n; i++)
			v[i] = rand_r(&seed);
		qsort(v, n, sizeof(*v), cmp_int);
		free(v);
		if (r % 10 == 0)
			empty_entries(r == 0 ? 2000 : 20000);
		/* The frontend gives big frees back (issue 12, finding 6):
		 * malloc_trim walks every arena under the filter. */
		if (r % 10 == 5)
			malloc_trim(0);
	}
	free(q);
	return NULL;
}

static int
run(enum sandbox_proc proc)
{
	struct sandbox_user user = { 0, 0, 0 };
	pthread_t t[THREADS];
	unsigned int i;

	/* As root, drop to nobody as tallyd's children do (chroot to /). */
	if (geteuid() == 0 && sandbox_lookup_user("nobody", &user) != 0)
		return 4;
	sandbox_enter(proc, "/", &user, 2);
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, stress,
		    (void *)(uintptr_t)(i + 1)) != 0)
			return 3;
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int
check(enum sandbox_proc proc, const char *name)
{
	pid_t pid;
	int st;

	if ((pid = fork()) == -1)
		return 1;
	if (pid == 0) {
		log_setproc(name);
		_exit(run(proc));
	}
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	if (WIFSIGNALED(st)) {
		printf("FAIL: %s: killed by signal %d%s\n", name,
		    WTERMSIG(st), WTERMSIG(st) == SIGSYS ?
		    " (a system call outside its filter)" : "");
		return 1;
	}
	if (WEXITSTATUS(st) != 0) {
		printf("FAIL: %s: exit %d\n", name, WEXITSTATUS(st));
		return 1;
	}
	printf("ok %s: %d threads, %d rounds under its filter\n", name,
	    THREADS, ROUNDS);
	return 0;
}

int
main(int argc, char **argv)
{
	int fail = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(1, "sandbox_stress");
	if (argc < 2 || strcmp(argv[1], "frontend") == 0)
		fail |= check(SANDBOX_FRONTEND, "frontend");
	if (argc < 2 || strcmp(argv[1], "ledger") == 0)
		fail |= check(SANDBOX_LEDGER, "ledger");
	return fail;
}
