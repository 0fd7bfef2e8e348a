/*
 * sandbox.h: privilege dropping for tallyd's children.
 *
 * sandbox_enter applies, in this order and failing closed: chroot to root
 * and chdir("/"), setgroups/setresgid/setresuid to the configured user
 * (both only when started as root; otherwise it logs what it skipped),
 * RLIMIT_CORE 0, PR_SET_NO_NEW_PRIVS, then the process's seccomp
 * allow-list (default action: kill the process; foreign architectures
 * killed too). Everything the process will need — keys, certificates,
 * OpenSSL providers and algorithms, libevent backends — must be loaded
 * and exercised before the call.
 */
#ifndef TALLYD_SANDBOX_H
#define TALLYD_SANDBOX_H

#include <sys/types.h>

enum sandbox_proc {
	SANDBOX_FRONTEND,
	SANDBOX_LEDGER
};

struct sandbox_user {
	int	 set;		/* a user was configured and resolved */
	uid_t	 uid;
	gid_t	 gid;
};

/* Resolve name (may be NULL) while /etc/passwd is still reachable. */
int sandbox_lookup_user(const char *name, struct sandbox_user *out);

/* Drop privileges; returns only on success (fatal otherwise). threads is
 * how many threads the process will run: glibc's malloc gets one arena
 * each, and its lazy reads are done before the filter. */
void sandbox_enter(enum sandbox_proc proc, const char *root,
    const struct sandbox_user *user, unsigned int threads);

/* Exercise the OpenSSL operations used later so that lazy loading
 * (providers, config, /dev/urandom, CPU probing) happens now. */
void sandbox_warm_openssl(void);

#endif
