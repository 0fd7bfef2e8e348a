/* logmsg.c: stderr or syslog output for the three tallyd processes. */
#include "logmsg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

int log_verbose;
static int log_foreground = 1;
static const char *log_proc = "tallyd";

void
log_init(int foreground, const char *procname)
{
	log_foreground = foreground;
	log_proc = procname;
	if (!foreground)
		openlog("tallyd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_setproc(const char *procname)
{
	log_proc = procname;
}

static void __attribute__((format(printf, 2, 0)))
log_vemit(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground) {
		fprintf(stderr, "tallyd[%ld] %s: %s%s%s\n", (long)getpid(),
		    log_proc, msg, suffix ? ": " : "", suffix ? suffix : "");
		fflush(stderr);
	} else
		syslog(pri, "%s: %s%s%s", log_proc, msg, suffix ? ": " : "",
		    suffix ? suffix : "");
}

#define LOG_BODY(pri, suffix) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vemit((pri), fmt, ap, (suffix));	\
	va_end(ap);				\
} while (0)

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, NULL);
}

void
log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(LOG_DEBUG, NULL);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, NULL);
}

void
log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(LOG_WARNING, e);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, NULL);
	exit(1);
}

void
fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);

	LOG_BODY(LOG_CRIT, e);
	exit(1);
}
