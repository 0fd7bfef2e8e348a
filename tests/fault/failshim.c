/* failshim.c: an LD_PRELOAD shim that makes the k-th call of write, pwrite,
 * pwritev, fsync or fdatasync on a file (not stdin/stdout/stderr) fail.
 *
 *   FAILSHIM_K=k         which call fails (1-based); unset: none
 *   FAILSHIM_ERRNO=EIO   or ENOSPC
 *
 * It says on stderr which call it failed, so that a driver knows a failure
 * was injected. Calls after the k-th pass through unchanged: the code
 * under test must not retry its way around the failure. */
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static atomic_long calls;

static int
shim_fail(int fd, const char *what)
{
	const char *k = getenv("FAILSHIM_K"), *e = getenv("FAILSHIM_ERRNO");
	char msg[96];
	int n;

	if (fd <= 2 || k == NULL)
		return 0;
	if (atomic_fetch_add(&calls, 1) + 1 != atol(k))
		return 0;
	n = snprintf(msg, sizeof(msg), "failshim: failing call %s of %s\n", k,
	    what);
	if (n > 0) {
		ssize_t (*w)(int, const void *, size_t) = (ssize_t (*)(int,
		    const void *, size_t))dlsym(RTLD_NEXT, "write");
		(void)w(2, msg, (size_t)n);
	}
	errno = e != NULL && strcmp(e, "ENOSPC") == 0 ? ENOSPC : EIO;
	return 1;
}

#define NEXT(type, name) ((type)dlsym(RTLD_NEXT, name))

ssize_t
write(int fd, const void *p, size_t n)
{
	if (shim_fail(fd, "write"))
		return -1;
	return NEXT(ssize_t (*)(int, const void *, size_t), "write")(fd, p, n);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	if (shim_fail(fd, "pwrite"))
		return -1;
	return NEXT(ssize_t (*)(int, const void *, size_t, off_t),
	    "pwrite")(fd, p, n, off);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off_t off)
{
	return pwrite(fd, p, n, off);
}

ssize_t
pwritev(int fd, const struct iovec *v, int cnt, off_t off)
{
	if (shim_fail(fd, "pwritev"))
		return -1;
	return NEXT(ssize_t (*)(int, const struct iovec *, int, off_t),
	    "pwritev")(fd, v, cnt, off);
}

ssize_t
pwritev64(int fd, const struct iovec *v, int cnt, off_t off)
{
	return pwritev(fd, v, cnt, off);
}

int
fsync(int fd)
{
	if (shim_fail(fd, "fsync"))
		return -1;
	return NEXT(int (*)(int), "fsync")(fd);
}

int
fdatasync(int fd)
{
	if (shim_fail(fd, "fdatasync"))
		return -1;
	return NEXT(int (*)(int), "fdatasync")(fd);
}
