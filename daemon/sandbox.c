/* sandbox.c: chroot, user switch, no_new_privs and seccomp for children. */
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ballot.h"
#include "err.h"
#include "group.h"
#include "logmsg.h"
#include "manifest.h"
#include "sign.h"

/* Found with strace -f over the integration tests; keep it tight. */
static const char *const common_calls[] = {
	"read", "write", "readv", "writev", "close", "exit", "exit_group",
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	"futex", "getrandom", "clock_gettime", "clock_nanosleep",
	"gettimeofday", "nanosleep", "rt_sigreturn", "rt_sigprocmask",
	"rt_sigaction", "getpid", "gettid", "restart_syscall", "fstat",
	"newfstatat", "statx", "lseek", "poll", "ppoll", "fcntl",
	"sendmsg", "recvmsg", "sendto", "recvfrom", "tgkill", "sched_yield",
	"getuid", "geteuid", "getgid", "getegid", "rseq",
	"set_robust_list",
	/* glibc asks these from inside malloc (the number of CPUs for a new
	 * arena) and qsort (the size of memory): read-only, and a kill there
	 * would stop the daemon on an allocation pattern. */
	"sched_getaffinity", "sysinfo",
};

#if defined(TALLY_SANITIZER_RUNTIME)
/* Sanitizer builds only (TALLY_SANITIZE, TALLY_TSAN): the runtime's own
 * calls (alternate signal stacks for new threads, reading limits and maps
 * for reports). */
static const char *const sanitizer_calls[] = {
	"sigaltstack", "prlimit64", "getrlimit", "readlink", "readlinkat",
	"prctl", "sched_getaffinity", "sysinfo", "open", "openat", "getppid",
	"pread64", "kill",
};

/* LeakSanitizer's exit-time check needs ptrace and /proc, which a chrooted,
 * filtered child cannot have: sanitizer builds of tallyd run without it
 * (AddressSanitizer and UBSan stay on). */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "detect_leaks=0";
}
#endif

static const char *const frontend_calls[] = {
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"accept", "accept4", "shutdown", "getsockopt", "setsockopt",
	"getpeername", "getsockname", "eventfd2", "pipe2", "clone", "clone3",
	"timerfd_create", "timerfd_settime",
};

static const char *const ledger_calls[] = {
	"openat", "pread64", "pwrite64", "pwritev", "preadv", "fsync",
	"fdatasync", "ftruncate", "rename", "renameat", "unlinkat",
	"mkdirat", "getdents64", "linkat", "link", "unlink", "fallocate",
	"flock", "clone", "clone3", "stat", "lstat", "open",
};

static void
seccomp_add_list(scmp_filter_ctx ctx, const char *const *names, size_t n)
{
	size_t i;
	int nr;

	for (i = 0; i < n; i++) {
		if ((nr = seccomp_syscall_resolve_name(names[i])) ==
		    __NR_SCMP_ERROR)
			continue;	/* not on this architecture */
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0)
			fatalx("seccomp: cannot allow %s", names[i]);
	}
}

static void
sandbox_seccomp(enum sandbox_proc proc)
{
	scmp_filter_ctx ctx;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL)
		fatalx("seccomp_init failed");
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) != 0)
		fatalx("seccomp: cannot set the bad-arch action");
	seccomp_add_list(ctx, common_calls,
	    sizeof(common_calls) / sizeof(common_calls[0]));
	/* glibc's syslog() opens a new socket after syslogd restarts: refuse
	 * it (that log line is lost) rather than kill the process. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket),
	    0) != 0 || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
	    SCMP_SYS(connect), 0) != 0)
		fatalx("seccomp: cannot refuse socket and connect");
	/* libevent asks how much a socket holds; nothing else may ioctl. */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
	    SCMP_A1(SCMP_CMP_EQ, FIONREAD, 0)) != 0)
		fatalx("seccomp: cannot allow ioctl(FIONREAD)");
#if defined(TALLY_SANITIZER_RUNTIME)
	seccomp_add_list(ctx, sanitizer_calls,
	    sizeof(sanitizer_calls) / sizeof(sanitizer_calls[0]));
#else
	/* The frontend opens no file. A library that tries anyway (glibc's
	 * malloc reads a /proc file once, lazily) gets EACCES and carries
	 * on without it, rather than killing the process. */
	if (proc == SANDBOX_FRONTEND &&
	    (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(openat),
	    0) != 0 || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
	    SCMP_SYS(open), 0) != 0))
		fatalx("seccomp: cannot refuse open");
#endif
	if (proc == SANDBOX_FRONTEND)
		seccomp_add_list(ctx, frontend_calls,
		    sizeof(frontend_calls) / sizeof(frontend_calls[0]));
	else
		seccomp_add_list(ctx, ledger_calls,
		    sizeof(ledger_calls) / sizeof(ledger_calls[0]));
	if (seccomp_load(ctx) != 0)
		fatalx("seccomp_load failed");
	seccomp_release(ctx);
}

int
sandbox_lookup_user(const char *name, struct sandbox_user *out)
{
	struct passwd *pw;

	memset(out, 0, sizeof(*out));
	if (name == NULL)
		return 0;
	if ((pw = getpwnam(name)) == NULL)
		return TALLY_ERR_NOT_FOUND;
	out->set = 1;
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	return 0;
}

static void
sandbox_root_steps(const char *root, const struct sandbox_user *user)
{
	if (chroot(root) == -1 || chdir("/") == -1)
		fatal("chroot %s", root);
	if (!user->set)
		fatalx("started as root without a 'user' to drop to");
	if (user->uid == 0)
		fatalx("'user' must not be root");
	if (setgroups(1, &user->gid) == -1 ||
	    setresgid(user->gid, user->gid, user->gid) == -1 ||
	    setresuid(user->uid, user->uid, user->uid) == -1)
		fatal("cannot drop privileges");
	if (setuid(0) != -1)
		fatalx("privileges could be regained");
}

/* Allocate and free on a thread of its own, so that glibc gives it an arena
 * and then trims that arena's heap: the trim reads
 * /proc/sys/vm/overcommit_memory once and keeps the answer. */
static void *
sandbox_trim_thread(void *arg)
{
	void *p[128];
	size_t i, n;

	for (n = 0; n < 128; n++)
		if ((p[n] = malloc(4096)) == NULL)
			break;
	for (i = n; i > 0; i--)
		free(p[i - 1]);
	return arg;
}

static int
sandbox_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * What glibc reads lazily, read now while the files are there and the
 * filter is not: the arena limit is fixed (else the ninth thread's
 * allocation asks for the CPU count), a thread arena is trimmed once
 * (overcommit_memory), and qsort learns the memory size (sysinfo).
 */
static void
sandbox_prepare_libc(unsigned int threads)
{
	pthread_t t;
	int v[512];
	size_t i;

#if defined(TALLY_SANITIZER_RUNTIME)
	/* The sanitizer's allocator replaces glibc's: it has no arenas and
	 * mallopt fails; its own system calls are allowed by the filter. */
	(void)mallopt(M_ARENA_MAX, (int)(threads + 1));
#else
	if (mallopt(M_ARENA_MAX, (int)(threads + 1)) != 1)
		fatalx("mallopt M_ARENA_MAX failed");
#endif
	if (pthread_create(&t, NULL, sandbox_trim_thread, NULL) != 0 ||
	    pthread_join(t, NULL) != 0)
		fatalx("cannot warm up malloc");
	for (i = 0; i < 512; i++)
		v[i] = (int)(i * 7919 % 512);
	qsort(v, 512, sizeof(v[0]), sandbox_cmp);
}

void
sandbox_enter(enum sandbox_proc proc, const char *root,
    const struct sandbox_user *user, unsigned int threads)
{
	struct rlimit rl = { 0, 0 };

	sandbox_prepare_libc(threads);

	if (geteuid() == 0)
		sandbox_root_steps(root, user);
	else
		log_info("not root: no chroot to %s and no user change",
		    root);
	/* Changing credentials cleared the parent-death signal: set it again
	 * so that a child never outlives a parent killed outright. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		fatal("PR_SET_PDEATHSIG");
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("setrlimit RLIMIT_CORE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
	sandbox_seccomp(proc);
}

static const char warm_manifest[] =
    "{\"id\": \"warm-up\", \"title\": \"t\", \"body\": \"congress\", "
    "\"members\": 3, \"contests\": [{\"id\": \"m\", \"kind\": "
    "\"election\", \"title\": \"t\", \"seats\": 1, \"writein_slots\": 1, "
    "\"options\": [{\"id\": \"c1\", \"name\": \"\u7532\"}]}]}";

/* One whole ballot made and checked: manifest parsing (jansson seeds its
 * hash from /dev/urandom, names are normalised), encryption, write-in
 * sealing, proofs, signatures and batch-free verification. */
static void
sandbox_warm_ballot(void)
{
	struct manifest *m = NULL;
	struct ballot_ctx ctx;
	BIGNUM *k = NULL;
	EC_POINT *K = NULL;
	uint8_t sk[32], pk[32], *b = NULL, marks[8];
	char **names = NULL;
	static const char choices[] = "{\"m\": {\"writein\": [\"\u4e59\"]}}";
	size_t blen;
	int ret;

	json_object_seed(0);
	memset(&ctx, 0, sizeof(ctx));
	if (manifest_parse(&m, (const uint8_t *)warm_manifest,
	    sizeof(warm_manifest) - 1, NULL, 0) != 0 || m->nsel > 8 ||
	    (k = group_scalar_new()) == NULL || (K = group_point_new()) ==
	    NULL || group_scalar_random(k) != 0 || group_mul_g(K, k) != 0 ||
	    ed25519_keygen(sk, pk) != 0 || manifest_choices(m,
	    (const uint8_t *)choices, sizeof(choices) - 1, marks, &names,
	    NULL, 0) != 0)
		fatalx("warm-up: cannot set up a test ballot");
	ctx.m = m;
	ctx.vote_id = m->id;
	ctx.joint_key = K;
	ctx.registry = pk;
	ctx.nreg = 1;
	if ((ret = ballot_encrypt(&b, &blen, &ctx, sk, marks, names)) != 0 ||
	    (ret = ballot_verify_bytes(b, blen, &ctx, BALLOT_CHECK_ALL, NULL,
	    NULL)) != 0)
		fatalx("warm-up: test ballot: %s", tally_errname(ret));
	free(b);
	manifest_writein_names_free(m, names);
	group_point_free(K);
	group_scalar_free(k);
	manifest_free(m);
	OPENSSL_cleanse(sk, sizeof(sk));
}

/* One Ed25519 and one ECDSA/ECDH-style P-256 operation, SHA-256/512,
 * HKDF-free paths and a DRBG draw: enough that every provider and table
 * the daemon uses is loaded before the filter. */
void
sandbox_warm_openssl(void)
{
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = NULL;
	uint8_t buf[64], sig[64];
	size_t siglen = sizeof(sig);
	EC_POINT *p = NULL;
	BIGNUM *s = NULL;

	time_t now = time(NULL);
	struct tm tm;

	/* glibc reads /etc/localtime once; X509 time checks need it. */
	tzset();
	localtime_r(&now, &tm);
	if (RAND_bytes(buf, sizeof(buf)) != 1)
		fatalx("RAND_bytes failed");
	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, buf, sizeof(buf)) != 1)
		fatalx("OpenSSL warm-up (Ed25519) failed");
	EVP_MD_CTX_free(md);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestVerify(md, sig, siglen, buf, sizeof(buf)) != 1)
		fatalx("OpenSSL warm-up (Ed25519 verify) failed");
	if (EVP_Digest(buf, 1, buf, NULL, EVP_sha512(), NULL) != 1 ||
	    EVP_Digest(buf, 1, buf, NULL, EVP_sha256(), NULL) != 1)
		fatalx("OpenSSL warm-up (digests) failed");
	if ((s = group_scalar_new()) == NULL || (p = group_point_new()) ==
	    NULL || group_scalar_random(s) != 0 || group_mul_g(p, s) != 0 ||
	    group_mul(p, p, s) != 0)
		fatalx("OpenSSL warm-up (P-256) failed");
	group_point_free(p);
	group_scalar_free(s);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	sandbox_warm_ballot();
}
