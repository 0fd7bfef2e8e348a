/*
 * slowsync.c: an LD_PRELOAD shim that makes every fdatasync on a file (not
 * stdin/stdout/stderr) take SLOWSYNC_MS milliseconds longer, so that a test
 * can act while a batch of the log is written but not yet durable.
 * The real fdatasync is looked up before any sandbox is entered.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int (*real_fdatasync)(int);
static long slow_ms;

__attribute__((constructor)) static void
slowsync_init(void)
{
	const char *ms = getenv("SLOWSYNC_MS");

	real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	slow_ms = ms != NULL ? atol(ms) : 0;
}

int
fdatasync(int fd)
{
	struct timespec ts;

	if (fd > 2 && slow_ms > 0) {
		ts.tv_sec = slow_ms / 1000;
		ts.tv_nsec = (slow_ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) == -1)
			;
	}
	return real_fdatasync(fd);
}
