/*
 * main.c: tallyd's parent process.
 *
 * The parent reads the configuration, opens the listening socket and the
 * data directory, forks the ledger and the frontend with a socketpair
 * between them, and then only waits: it holds no key. SIGTERM is passed
 * to the frontend, which stops intake and lets the requests in flight
 * finish; the ledger follows when its socket closes. If a child dies any
 * other way, the other is stopped and tallyd exits non-zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "config.h"
#include "err.h"
#include "frontend.h"
#include "ledger.h"
#include "logmsg.h"
#include "sandbox.h"
#include "version.h"

static void
usage(FILE *f, int code)
{
	fprintf(f, "usage: tallyd [-dv] -f CONFIG\n"
	    "       tallyd -n -f CONFIG\n"
	    "       tallyd --version\n"
	    "  -f CONFIG  configuration file (see tallyd(8), docs/tallyd.md)\n"
	    "  -d         stay in the foreground and log to stderr\n"
	    "  -n         check the configuration and exit\n"
	    "  -v         verbose logging\n");
	exit(code);
}

static int
open_listener(const struct config *cfg)
{
	struct addrinfo hints, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[64], port[8];
	int fd, one = 1, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((e = getaddrinfo(cfg->listen_host, cfg->listen_port, &hints,
	    &ai)) != 0)
		fatalx("listen %s: %s", cfg->listen_host, gai_strerror(e));
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1)
		fatal("bind %s port %s", cfg->listen_host, cfg->listen_port);
	freeaddrinfo(ai);
	if (listen(fd, 512) == -1)
		fatal("listen");
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), port,
	    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		fatal("getsockname");
	if (ss.ss_family == AF_INET6)
		log_info("listening on [%s]:%s", host, port);
	else
		log_info("listening on %s:%s", host, port);
	return fd;
}

/*
 * The data directory must exist, be a directory itself (not a symbolic
 * link) and belong to root, to the daemon's user or, when not started as
 * root, to whoever runs tallyd: a directory of another owner is someone
 * else's, and is never taken over. Started as root, it is then handed to
 * the user (0700), through the descriptor checked.
 */
static void
prepare_dirs(const struct config *cfg, const struct sandbox_user *u)
{
	struct stat st;
	int fd;

	if (lstat(cfg->data_dir, &st) == 0 && S_ISLNK(st.st_mode))
		fatalx("E_CONFIG: data_dir %s is a symbolic link",
		    cfg->data_dir);
	if ((fd = open(cfg->data_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode))
		fatalx("E_CONFIG: data_dir %s is not a directory",
		    cfg->data_dir);
	if (geteuid() != 0) {
		if (st.st_uid != geteuid())
			fatalx("E_CONFIG: data_dir %s belongs to uid %lu, not "
			    "to the user running tallyd", cfg->data_dir,
			    (unsigned long)st.st_uid);
		close(fd);
		return;
	}
	if (!u->set)
		fatalx("E_CONFIG: started as root: 'user' is required");
	if (st.st_uid != 0 && st.st_uid != u->uid)
		fatalx("E_CONFIG: data_dir %s belongs to uid %lu, neither root "
		    "nor the daemon's user", cfg->data_dir,
		    (unsigned long)st.st_uid);
	if (fchown(fd, u->uid, u->gid) == -1 || fchmod(fd, 0700) == -1)
		fatal("cannot hand %s to the user", cfg->data_dir);
	close(fd);
	if (mkdir(cfg->empty_dir, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", cfg->empty_dir);
}

static pid_t
spawn(int keep, int drop1, int drop2, void (*body)(int, void *), void *arg)
{
	sigset_t none;
	pid_t pid, parent = getpid();

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0)
		return pid;
	/* A parent killed outright must not leave a child serving alone. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(drop1);
	if (drop2 != -1)
		close(drop2);
	body(keep, arg);
	_exit(1);
}

struct child_args {
	const struct config		*cfg;
	const struct sandbox_user	*user;
	int				 listen_fd;
};

static void
run_ledger(int fd, void *arg)
{
	struct child_args *a = arg;

	ledger_main(a->cfg, fd, a->user);
}

static void
run_frontend(int fd, void *arg)
{
	struct child_args *a = arg;

	frontend_main(a->cfg, a->listen_fd, fd, a->user);
}

/* Wait for both children; returns the exit code of tallyd. */
static int
supervise(pid_t ledger, pid_t frontend)
{
	sigset_t set;
	int sig, status, failed = 0, stopping = 0, alive = 2;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	while (alive > 0) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT) {
			if (!stopping && frontend > 0)
				kill(frontend, SIGTERM);
			stopping = 1;
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			const char *who = pid == ledger ? "ledger" : "frontend";

			alive--;
			if (pid == ledger)
				ledger = -1;
			else if (pid == frontend)
				frontend = -1;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			    stopping)
				continue;
			if (WIFSIGNALED(status))
				log_warnx("%s killed by signal %d", who,
				    WTERMSIG(status));
			else
				log_warnx("%s exited with status %d", who,
				    WEXITSTATUS(status));
			failed = 1;
			stopping = 1;
			if (ledger > 0)
				kill(ledger, SIGKILL);
			if (frontend > 0)
				kill(frontend, SIGKILL);
		}
	}
	return failed ? 1 : 0;
}

int
main(int argc, char *argv[])
{
	struct config cfg;
	struct sandbox_user user;
	struct child_args args;
	char err[600];
	const char *file = NULL;
	int ch, check = 0, fg = 0, sv[2], ret;
	sigset_t set;
	pid_t ledger, frontend;

	/* Nothing the invoker left open reaches the children. */
	closefrom(STDERR_FILENO + 1);
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage(stdout, 0);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		version_print(stdout, "tallyd");
		return 0;
	}
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd': fg = 1; break;
		case 'f': file = optarg; break;
		case 'n': check = 1; break;
		case 'v': log_verbose = 1; break;
		default: usage(stderr, 1);
		}
	}
	if (file == NULL || optind != argc)
		usage(stderr, 1);
	if ((ret = config_parse(file, &cfg, err, sizeof(err))) != 0) {
		fprintf(stderr, "tallyd: %s: %s\n", tally_errname(ret), err);
		return 1;
	}
	if (check) {
		printf("tallyd: %s: configuration OK\n", file);
		config_clear(&cfg);
		return 0;
	}
	log_init(fg || check, "parent");
	if (sandbox_lookup_user(cfg.user, &user) != 0)
		fatalx("E_CONFIG: %s: no user %s", file, cfg.user);
	prepare_dirs(&cfg, &user);
	args.cfg = &cfg;
	args.user = &user;
	args.listen_fd = open_listener(&cfg);
	if (!fg && daemon(0, 0) == -1)
		fatal("daemon");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A write past RLIMIT_FSIZE fails with EFBIG, reported like any
	 * other write error (E_STORAGE), instead of killing the ledger. */
	signal(SIGXFSZ, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	ledger = spawn(sv[1], sv[0], args.listen_fd, run_ledger, &args);
	frontend = spawn(sv[0], sv[1], -1, run_frontend, &args);
	close(sv[0]);
	close(sv[1]);
	close(args.listen_fd);
	log_info("started: ledger %ld, frontend %ld", (long)ledger,
	    (long)frontend);
	ret = supervise(ledger, frontend);
	log_info("exiting (%d)", ret);
	config_clear(&cfg);
	return ret;
}
